package cloudio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// NamedPath is a file a command reads or writes, with the flag that named it ("-o",
// "--plot", "input"), for messages.
type NamedPath struct {
	Flag string
	Path string // "-" = standard input or output
}

// PathError is an input or output path that a run must not use: an output that is the
// input, two outputs that are the same file, a folder that cannot be written. It is found
// before any costly work; the CLI maps it to exit status 2.
type PathError struct {
	Flag, Path string
	Msg        string
	Err        error
}

func (e *PathError) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Flag, e.Path, e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *PathError) Unwrap() error { return e.Err }

// maxLinks bounds symbolic-link chains, as the kernel's ELOOP does.
const maxLinks = 40

// ResolveOutput follows the symbolic links of path's last component (a dangling link
// included) to the file a write should replace, so that writing through a link replaces
// the link's target and leaves the link a link.
func ResolveOutput(path string) (string, error) {
	p := path
	for range maxLinks {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return p, nil
		}
		l, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(l) {
			l = filepath.Join(filepath.Dir(p), l)
		}
		p = l
	}
	return "", fmt.Errorf("more than %d levels of symbolic links", maxLinks)
}

// fileID identifies a file: by device and inode when it exists (os.SameFile, which sees
// through symbolic and hard links), else by the cleaned absolute path of its target with
// the folder's links resolved.
type fileID struct {
	info   os.FileInfo
	name   string
	target string // the file a write replaces (outputs only)
	label  string // the flag and path, for messages
}

func (a fileID) same(b fileID) bool {
	if a.info != nil && b.info != nil {
		return os.SameFile(a.info, b.info)
	}
	return a.info == nil && b.info == nil && a.name == b.name
}

// CheckPaths refuses, before any work, a run that would destroy or lose a file: an output
// that is one of the inputs (through symbolic or hard links, or standard input redirected
// from it), two outputs that are the same file, an output that is a folder, or an output
// whose folder cannot be written (checked by creating and removing a temporary file
// there) or whose existing file cannot be replaced (immutable). stdin is what an input
// "-" reads; it is compared when it is a file. Outputs "-" (standard output) are skipped.
func CheckPaths(inputs, outputs []NamedPath, stdin io.Reader) error {
	var inIDs []fileID
	for _, in := range inputs {
		var fi os.FileInfo
		if in.Path == "-" {
			if f, ok := stdin.(*os.File); ok {
				fi, _ = f.Stat()
			}
		} else {
			fi, _ = os.Stat(in.Path) // a missing input is the reader's to report
		}
		if fi != nil && fi.Mode().IsRegular() {
			label := in.Path
			if label == "-" {
				label = "(standard input)"
			}
			inIDs = append(inIDs, fileID{info: fi, label: label})
		}
	}
	var outIDs []fileID
	checked := map[string]bool{}
	for _, out := range outputs {
		if out.Path == "-" || out.Path == "" {
			continue
		}
		id, dir, err := outputID(out)
		if err != nil {
			return err
		}
		for _, in := range inIDs {
			if id.same(in) {
				return &PathError{Flag: out.Flag, Path: out.Path, Msg: fmt.Sprintf("is the input %s: writing it would destroy the input; choose another output", in.label)}
			}
		}
		for _, prev := range outIDs {
			if id.same(prev) {
				return &PathError{Flag: out.Flag, Path: out.Path, Msg: fmt.Sprintf("is the same file as %s: one output would replace the other", prev.label)}
			}
		}
		id.label = out.Flag + " " + out.Path
		outIDs = append(outIDs, id)
		if id.info != nil && !id.info.Mode().IsRegular() {
			continue // a device or FIFO is written in place, not through its folder
		}
		if !checked[dir] {
			if err := checkWritable(dir); err != nil {
				return &PathError{Flag: out.Flag, Path: out.Path, Msg: fmt.Sprintf("cannot write in the folder %s", dir), Err: err}
			}
			checked[dir] = true
		}
		if id.info != nil {
			if err := checkReplaceable(id.target); err != nil {
				return &PathError{Flag: out.Flag, Path: out.Path, Msg: "cannot be replaced", Err: err}
			}
		}
	}
	return nil
}

// outputID resolves an output to the file a write will replace, and its folder.
func outputID(out NamedPath) (fileID, string, error) {
	target, err := ResolveOutput(out.Path)
	if err != nil {
		return fileID{}, "", &PathError{Flag: out.Flag, Path: out.Path, Msg: "cannot resolve", Err: err}
	}
	if fi, err := os.Stat(target); err == nil {
		if fi.IsDir() {
			return fileID{}, "", &PathError{Flag: out.Flag, Path: out.Path, Msg: "is a folder; give a file name"}
		}
		return fileID{info: fi, target: target}, filepath.Dir(target), nil
	}
	dir := filepath.Dir(target)
	rdir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fileID{}, "", &PathError{Flag: out.Flag, Path: out.Path, Msg: fmt.Sprintf("the folder %s does not exist", dir)}
		}
		return fileID{}, "", &PathError{Flag: out.Flag, Path: out.Path, Msg: fmt.Sprintf("cannot reach the folder %s", dir), Err: err}
	}
	abs, err := filepath.Abs(rdir)
	if err != nil {
		return fileID{}, "", &PathError{Flag: out.Flag, Path: out.Path, Msg: "cannot resolve", Err: err}
	}
	return fileID{name: filepath.Join(abs, filepath.Base(target)), target: target}, dir, nil
}

// checkWritable creates and removes a temporary file in dir: the only test that sees a
// read-only mount, a full quota, or permissions from ACLs alike.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".spectral-write-check-*")
	if err != nil {
		return unwrapPath(err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// checkReplaceable opens an existing output for writing (without truncating it): an
// immutable or append-only file fails with EPERM, which the final rename would meet after
// the whole run. EACCES (a read-only mode) is no obstacle: the rename replaces the file.
func checkReplaceable(target string) error {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EROFS) {
			return unwrapPath(err)
		}
		return nil
	}
	return f.Close()
}

// unwrapPath drops the *os.PathError's repetition of the temporary file's name.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
