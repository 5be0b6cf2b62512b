package cloudio

// Issue 11, items 1 and 4: outputs that would destroy the input or each other, folders
// that cannot be written, and writes through symbolic links.

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mustWrite(t *testing.T, path string, b []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is under the umask
		t.Fatal(err)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func wantPathError(t *testing.T, err error, flag, msg string) {
	t.Helper()
	var pe *PathError
	if !errors.As(err, &pe) || pe.Flag != flag || !strings.Contains(err.Error(), msg) {
		t.Errorf("got %v, want a *PathError for %s saying %q", err, flag, msg)
	}
}

func TestCheckPathsOutputIsInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "s2.csv")
	mustWrite(t, in, []byte("x,y\n0,0\n1,1\n"), 0o644)
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink("s2.csv", link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.csv")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	inputs := []NamedPath{{Flag: "input", Path: in}}
	for _, c := range []struct{ flag, path string }{
		{"--summary", in}, // embed s2.csv --summary s2.csv
		{"-o", link},      // a symbolic link to the input
		{"-o", hard},      // a hard link to the input
		{"-o", filepath.Join(dir, ".", "s2.csv")}, // another spelling
	} {
		err := CheckPaths(inputs, []NamedPath{{Flag: "-o", Path: filepath.Join(dir, "e.csv")}, {Flag: c.flag, Path: c.path}}, nil)
		wantPathError(t, err, c.flag, "is the input")
	}
	// Standard input redirected from the file that is also an output.
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = CheckPaths([]NamedPath{{Flag: "input", Path: "-"}}, []NamedPath{{Flag: "-o", Path: hard}}, f)
	wantPathError(t, err, "-o", "standard input")
	// A different file is fine, and nothing is left in the folder by the check.
	if err := CheckPaths(inputs, []NamedPath{{Flag: "-o", Path: filepath.Join(dir, "e.csv")}, {Flag: "--summary", Path: "-"}}, nil); err != nil {
		t.Errorf("distinct output refused: %v", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"hard.csv", "link.csv", "s2.csv"}) {
		t.Errorf("the check left %v", got)
	}
}

func TestCheckPathsOutputsCollide(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	alias := filepath.Join(dir, "alias")
	if err := os.Symlink("sub", alias); err != nil {
		t.Fatal(err)
	}
	// Not yet existing: the same file by the resolved folder.
	err := CheckPaths(nil, []NamedPath{{Flag: "-o", Path: filepath.Join(sub, "x.csv")}, {Flag: "--summary", Path: filepath.Join(alias, "x.csv")}}, nil)
	wantPathError(t, err, "--summary", "same file as -o")
	// Existing: by inode.
	mustWrite(t, filepath.Join(sub, "p.png"), []byte("old"), 0o644)
	err = CheckPaths(nil, []NamedPath{{Flag: "--plot", Path: filepath.Join(sub, "p.png")}, {Flag: "--summary", Path: filepath.Join(alias, "p.png")}}, nil)
	wantPathError(t, err, "--summary", "same file as --plot")
	if err := CheckPaths(nil, []NamedPath{{Flag: "-o", Path: filepath.Join(sub, "x.csv")}, {Flag: "--summary", Path: filepath.Join(sub, "x.json")}}, nil); err != nil {
		t.Errorf("distinct outputs refused: %v", err)
	}
}

func TestCheckPathsUnwritable(t *testing.T) {
	dir := t.TempDir()
	err := CheckPaths(nil, []NamedPath{{Flag: "-o", Path: "/nonexistent/out.csv"}}, nil)
	wantPathError(t, err, "-o", "does not exist")
	err = CheckPaths(nil, []NamedPath{{Flag: "--plot", Path: dir}}, nil)
	wantPathError(t, err, "--plot", "is a folder")
	// /proc refuses new files even to root: a read-only folder.
	err = CheckPaths(nil, []NamedPath{{Flag: "-o", Path: "/proc/out.csv"}}, nil)
	wantPathError(t, err, "-o", "cannot write in the folder /proc")
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		err = CheckPaths(nil, []NamedPath{{Flag: "-o", Path: filepath.Join(ro, "x.csv")}}, nil)
		wantPathError(t, err, "-o", "cannot write in the folder")
	}
	// An immutable file (chattr +i, where the file system and privileges allow it).
	imm := filepath.Join(dir, "imm.csv")
	mustWrite(t, imm, []byte("keep"), 0o644)
	if exec.Command("chattr", "+i", imm).Run() != nil {
		t.Log("chattr +i not available here: the immutable case is not tested")
		return
	}
	defer exec.Command("chattr", "-i", imm).Run()
	err = CheckPaths(nil, []NamedPath{{Flag: "-o", Path: imm}}, nil)
	wantPathError(t, err, "-o", "cannot be replaced")
}

func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.csv")
	mustWrite(t, target, []byte("old"), 0o600)
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink("target.csv", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link is no longer a link: %v %v", fi.Mode(), err)
	}
	fi, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target holds %q, want the new content", b)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("target mode %v, want the old 0600 kept", fi.Mode().Perm())
	}
	// A dangling link creates its target.
	dangling := filepath.Join(dir, "dangling.csv")
	if err := os.Symlink("made.csv", dangling); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(dangling, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "made.csv")); err != nil || string(b) != "x" {
		t.Errorf("dangling link's target: %q %v", b, err)
	}
	// A link to a device is written in place: the device stays a device, the link a link.
	null := filepath.Join(dir, "null.csv")
	if err := os.Symlink(os.DevNull, null); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(null, func(w io.Writer) error { _, err := w.Write(bytes.Repeat([]byte("y"), 1<<20)); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode().IsRegular() {
		t.Fatalf("%s is now %v", os.DevNull, fi.Mode())
	}
	// /dev/full: the error names the output once, and no file appears.
	full := filepath.Join(dir, "full.csv")
	if err := os.Symlink("/dev/full", full); err == nil {
		err := WriteFileAtomic(full, func(w io.Writer) error { _, err := w.Write(bytes.Repeat([]byte("y"), 1<<20)); return err })
		if err == nil || strings.Count(err.Error(), "write") != 1 || !strings.Contains(err.Error(), "full.csv") {
			t.Errorf("/dev/full: %v", err)
		}
		if fi, err := os.Lstat(full); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link to /dev/full became %v", fi.Mode())
		}
	}
	if got := names(t, dir); !slices.Equal(got, []string{"dangling.csv", "full.csv", "link.csv", "made.csv", "null.csv", "target.csv"}) {
		t.Errorf("left %v", got)
	}
}

// TestRemoveTempFiles: the signal path removes a write in progress and refuses its rename.
func TestRemoveTempFiles(t *testing.T) {
	defer func() { temps.Lock(); temps.closed = false; temps.Unlock() }()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	started, release := make(chan struct{}), make(chan struct{})
	errc := make(chan error)
	go func() {
		errc <- WriteFileAtomic(out, func(w io.Writer) error {
			w.Write([]byte("partial"))
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	if got := names(t, dir); len(got) != 1 || !strings.Contains(got[0], ".tmp-") {
		t.Fatalf("during the write the folder holds %v, want one temporary file", got)
	}
	RemoveTempFiles()
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("after RemoveTempFiles the folder holds %v", got)
	}
	close(release)
	if err := <-errc; err == nil {
		t.Error("the write went on after RemoveTempFiles")
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("the folder holds %v", got)
	}
}
