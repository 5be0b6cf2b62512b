package main

// Issue 11 ("never lose a file, always stop on Ctrl-C, fail before the work"): one test
// per numbered item. The signal tests run the CLI in a real child process (this test
// binary re-executed, see TestMain) and send it real signals.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spectral-dev/spectral/pkg/gpu"
)

// childArgsEnv carries the CLI arguments of a child process, separated by \x1f.
const childArgsEnv = "SPECTRAL_TEST_CHILD_ARGS"

// TestMain runs the CLI instead of the tests when the test binary is re-executed as a
// child (signal tests).
func TestMain(m *testing.M) {
	if a, ok := os.LookupEnv(childArgsEnv); ok {
		os.Exit(run(strings.Split(a, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// child starts the CLI with args in a child process.
func child(t *testing.T, stdin io.Reader, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgsEnv+"="+strings.Join(args, "\x1f"))
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// interrupt sends sig to a child after delay and checks that it exits with status 130
// within a second of the signal.
func interrupt(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer, delay time.Duration, sig syscall.Signal) {
	t.Helper()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		t.Fatalf("the child ended before the signal: %v\n%s", err, stderr)
	case <-time.After(delay):
	}
	if err := syscall.Kill(cmd.Process.Pid, sig); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	var err error
	select {
	case err = <-waited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-waited
		t.Fatalf("%v ignored for 10 s\n%s", sig, stderr)
	}
	took := time.Since(sent)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("after %v: %v, want exit status 130\n%s", sig, err, stderr)
	}
	if took > time.Second {
		t.Errorf("exit %v after %v, want within 1 s", took, sig)
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say interrupted: %q", stderr)
	}
}

func spiralFile(t *testing.T, dir string, n int) string {
	t.Helper()
	p := filepath.Join(dir, fmt.Sprintf("spiral%d.csv", n))
	mustRun(t, nil, "generate", "spiral", "-n", fmt.Sprint(n), "-o", p)
	return p
}

// Item 2: SIGINT and SIGTERM end the process within 1 s, exit 130, no file left behind:
// reading a FIFO with no writer, an idle pipe on stdin, the kernel build of a nearly dense
// run, the dense solver (products, then LAPACK), sigma auto, writing to an output that
// blocks.
func TestSignalsStopEveryStage(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	dir := t.TempDir()
	in := spiralFile(t, dir, 12000)
	small := spiralFile(t, dir, 2500)
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	// An output FIFO that nobody reads: the write blocks in open(2), after the solve.
	ofifo := filepath.Join(dir, "ofifo.csv")
	if err := syscall.Mkfifo(ofifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tiny := spiralFile(t, dir, 300)
	for _, c := range []struct {
		name  string
		args  []string
		pipe  bool
		delay time.Duration
		sig   syscall.Signal
	}{
		{"fifo without a writer", []string{"embed", "--sigma", "1", fifo, "-o", out}, false, 300 * time.Millisecond, syscall.SIGINT},
		{"idle stdin pipe", []string{"embed", "--sigma", "1", "-", "-o", out}, true, 300 * time.Millisecond, syscall.SIGTERM},
		{"kernel of a nearly dense run", []string{"embed", "--sigma", "10", "--cutoff", "0", "--cache-memory", "0", in, "-o", out, "--plot", filepath.Join(dir, "p.png")}, false, 400 * time.Millisecond, syscall.SIGINT},
		{"dense solver", []string{"embed", "--sigma", "0.05", "-k", "1000", small, "-o", out, "--summary", filepath.Join(dir, "s.json")}, false, 1500 * time.Millisecond, syscall.SIGINT},
		{"sigma auto and writing", []string{"embed", "--sigma", "auto", in, "-o", out, "--cache-memory", "0"}, false, 700 * time.Millisecond, syscall.SIGTERM},
		{"writing to a FIFO without a reader", []string{"embed", "--sigma", "0.05", "-k", "3", tiny, "-o", ofifo, "--summary", filepath.Join(dir, "s.json")}, false, 1500 * time.Millisecond, syscall.SIGINT},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdin io.Reader
			var w *os.File
			if c.pipe {
				r, pw, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				w = pw
				stdin = r
			}
			cmd, stderr := child(t, stdin, c.args...)
			interrupt(t, cmd, stderr, c.delay, c.sig)
			if w != nil {
				w.Close()
			}
			if got := dirNames(t, dir); !slices.Equal(got, []string{"fifo.csv", "ofifo.csv", "spiral12000.csv", "spiral2500.csv", "spiral300.csv"}) {
				t.Errorf("left %v", got)
			}
		})
	}
}

// Item 1: an output that is the input, or two outputs that are one file, is refused with
// exit 2 before any work, and every file is left as it was.
func TestOutputsNeverDestroyFiles(t *testing.T) {
	dir := t.TempDir()
	in := spiralFile(t, dir, 300)
	orig, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	ply := filepath.Join(dir, "b.ply")
	mustRun(t, nil, "generate", "spiral", "-n", "300", "-o", ply)
	plyOrig, _ := os.ReadFile(ply)
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(filepath.Base(in), link); err != nil {
		t.Fatal(err)
	}
	x, p := filepath.Join(dir, "x.csv"), filepath.Join(dir, "p.png")
	old := filepath.Join(dir, "old.png")
	writeFile(t, old, []byte("an earlier plot"))
	before := dirNames(t, dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"embed", "--sigma", "0.05", in, "-o", filepath.Join(dir, "e.csv"), "--summary", in}, "--summary " + in + ": is the input"},
		{[]string{"embed", "--sigma", "0.05", in, "-o", x, "--summary", x}, "same file as -o"},
		{[]string{"embed", "--sigma", "0.05", in, "-o", x, "--plot", p, "--summary", p}, "same file as --plot"},
		{[]string{"embed", "--sigma", "auto", "-k", "3", ply, "-o", ply}, "is the input"},
		{[]string{"embed", "--sigma", "0.05", in, "-o", link}, "is the input"},
		{[]string{"plot", in, "--summary", old, "-o", old}, "is the input"},
	} {
		r := spectral(t, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if b, _ := os.ReadFile(in); !bytes.Equal(b, orig) {
		t.Error("the input CSV changed")
	}
	if b, _ := os.ReadFile(ply); !bytes.Equal(b, plyOrig) {
		t.Error("the input PLY changed")
	}
	if got := dirNames(t, dir); !slices.Equal(got, before) {
		t.Errorf("folder %v, want %v", got, before)
	}
	// A symlinked -o that is not the input: the link stays a link, its target gets the
	// eigenvectors and keeps its mode.
	target := filepath.Join(dir, "target.csv")
	writeFile(t, target, []byte("old"))
	if err := os.Chmod(target, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	if err := os.Symlink("target.csv", out); err != nil {
		t.Fatal(err)
	}
	mustRun(t, nil, "embed", "--sigma", "0.05", "-k", "3", in, "-o", out, "-q")
	fi, err := os.Lstat(out)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("-o link became %v", fi.Mode())
	}
	tab := readCSV(t, target)
	if len(tab.rows) != 300 || !slices.Contains(tab.names, "phi3") {
		t.Errorf("target holds %d rows, columns %v", len(tab.rows), tab.names)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Errorf("target mode %v, want 0600 kept", fi.Mode().Perm())
	}
}

// noReadStdin fails the test if the command reads it: the check must come first.
type noReadStdin struct{ t *testing.T }

func (r noReadStdin) Read([]byte) (int, error) {
	r.t.Error("stdin was read before the check that should have refused the run")
	return 0, io.EOF
}

// Item 4: unwritable outputs are found before reading the input (stdin is never read).
func TestUnwritableOutputsBeforeTheWork(t *testing.T) {
	dir := t.TempDir()
	imm := filepath.Join(dir, "imm.csv")
	writeFile(t, imm, []byte("keep"))
	folder := filepath.Join(dir, "folder.csv")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"-o", "/nonexistent/out.csv"},
		{"-o", "/proc/out.csv"},
		{"--plot", "/nonexistent/p.png"},
		{"--summary", filepath.Join(dir, "no", "s.json")},
		{"-o", folder},
	}
	if exec.Command("chattr", "+i", imm).Run() == nil {
		defer exec.Command("chattr", "-i", imm).Run()
		cases = append(cases, []string{"-o", imm})
	} else {
		t.Log("chattr +i not available: the immutable case is not tested")
	}
	for _, c := range cases {
		args := append([]string{"embed", "--sigma", "0.05", "-"}, c...)
		if c[0] != "-o" {
			args = append(args, "-o", filepath.Join(dir, "e.csv"))
		}
		var out, errb bytes.Buffer
		code := run(args, noReadStdin{t}, &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), c[0]+" "+c[1]) {
			t.Errorf("%v: exit %d %q, want 2 naming %s %s", c, code, errb.String(), c[0], c[1])
		}
	}
	if r := spectral(t, nil, "generate", "spiral", "-n", "10", "-o", "/nonexistent/g.csv"); r.code != 2 || !strings.Contains(r.stderr, "/nonexistent") {
		t.Errorf("generate: exit %d %q", r.code, r.stderr)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"folder.csv", "imm.csv"}) {
		t.Errorf("left %v", got)
	}
}

// Item 3: memory guards: --cache-memory without overflow and capped with a message,
// /dev/zero, generate -n beyond the machine.
func TestMemoryGuards(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{{"1e30", 1 << 62}, {"1TB", 1e12}, {"2GiB", 2 << 30}, {"0", -1}, {"auto", 0}, {"1", 1}} {
		got, err := parseBytes(c.in)
		if err != nil || (c.want == 1<<62 && got < 1<<61) || (c.want != 1<<62 && got != c.want) {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	dir := t.TempDir()
	in := spiralFile(t, dir, 300)
	for _, v := range []string{"1e30", "1TB"} {
		r := spectral(t, nil, "embed", "--sigma", "0.05", "-k", "3", in, "-o", filepath.Join(dir, "e.csv"), "--cache-memory", v, "-q", "--summary", filepath.Join(dir, "s.json"))
		if r.code != 0 || !strings.Contains(r.stderr, "--cache-memory "+v+" is more than this machine") {
			t.Errorf("--cache-memory %s: exit %d %q", v, r.code, r.stderr)
		}
	}
	start := time.Now()
	r := spectral(t, nil, "embed", "--sigma", "1", "/dev/zero", "-o", filepath.Join(dir, "z.csv"))
	if r.code != 2 || !strings.Contains(r.stderr, "binary data") || time.Since(start) > 5*time.Second {
		t.Errorf("/dev/zero: exit %d %q after %v", r.code, r.stderr, time.Since(start))
	}
	r = spectral(t, nil, "generate", "spiral", "-n", "999999999999", "-o", filepath.Join(dir, "g.csv"))
	if r.code != 2 || !strings.Contains(r.stderr, "-n 999999999999") || !strings.Contains(r.stderr, "TiB") {
		t.Errorf("generate -n 999999999999: exit %d %q", r.code, r.stderr)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"e.csv", "s.json", "spiral300.csv"}) {
		t.Errorf("left %v", got)
	}
}

// Item 5: wrong codes and messages.
func TestErrorClassesAndMessages(t *testing.T) {
	t.Setenv(gpu.LibraryEnv, filepath.Join(t.TempDir(), "libcuda.so.1")) // no GPU here
	dir := t.TempDir()
	in := spiralFile(t, dir, 300)
	big := filepath.Join(dir, "big.csv")
	writeFile(t, big, []byte("x,y\n1e308,0\n-1e308,1\n0,0\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n7,7\n"))
	u16 := filepath.Join(dir, "u16.csv")
	var b []byte
	b = append(b, 0xff, 0xfe)
	for _, c := range "x,y\n0,0\n1,1\n" {
		b = append(b, byte(c), 0)
	}
	writeFile(t, u16, b)
	out := filepath.Join(dir, "e.csv")
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"--sigma", "1", "-k", "2", big}, 2, []string{big, "1e+308"}},
		{[]string{"--sigma", "auto", "-k", "2", big}, 2, []string{big, "1e+308"}},
		{[]string{"--sigma", "5e-324", in}, 2, []string{"--sigma 5e-324"}},
		{[]string{"--sigma", "0.05", "--cutoff", "1e-300", in}, 2, []string{"--cutoff 1e-300"}},
		{[]string{"--sigma", "0.05", "--ncv", "1", in}, 2, []string{"--ncv 1", "-k 7"}},
		{[]string{"--sigma", "0.05", "--ncv", "8", "--drop-first", in}, 2, []string{"--ncv 8", "-k 7 + 1"}},
		{[]string{"--sigma", "0.05", u16}, 2, []string{"UTF-16", u16}},
		{[]string{"--sigma", "0.05", "--device", "gpu", in}, 1, []string{"--device gpu", "GPU"}},
	} {
		r := spectral(t, nil, append(append([]string{"embed"}, c.args...), "-o", out, "-q")...)
		msg := strings.TrimSpace(r.stderr)
		if r.code != c.code {
			t.Errorf("%v: exit %d, want %d (%q)", c.args, r.code, c.code, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%v: %q does not name %q", c.args, msg, w)
			}
		}
		if strings.Contains(msg, "grid: grid") || strings.ContainsRune(msg, 0) || strings.Count(msg, "\n") > 0 {
			t.Errorf("%v: message %q: want one clean line with one prefix", c.args, msg)
		}
	}
	// --ncv is checked before the input is read.
	var o, e bytes.Buffer
	if code := run([]string{"embed", "--sigma", "1", "--ncv", "1", "-", "-o", out}, noReadStdin{t}, &o, &e); code != 2 {
		t.Errorf("--ncv 1 from stdin: exit %d %q", code, e.String())
	}
	// A row wider than the read buffer is read for what it is.
	wide := filepath.Join(dir, "wide.csv")
	var sb strings.Builder
	for r := 0; r < 2; r++ {
		for c := 0; c < 550000; c++ {
			if c > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte(byte('0' + (r+c)%10))
		}
		sb.WriteByte('\n')
	}
	writeFile(t, wide, []byte(sb.String()))
	if r := spectral(t, nil, "info", wide); r.code != 0 || !strings.Contains(r.stdout, "points     2") {
		t.Errorf("550,000 columns: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	// The GPU rule is stated alike in the code (above), --help and docs/CLI.md.
	if !strings.Contains(exitStatusHelp, "1    the solver did not converge (converged pairs are still written), or a run-time/GPU failure") {
		t.Errorf("--help does not give the GPU rule:%s", exitStatusHelp)
	}
	doc, err := os.ReadFile("../../docs/CLI.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "`--device gpu` without a usable GPU exits 1") {
		t.Error("docs/CLI.md does not state the GPU rule")
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"big.csv", "spiral300.csv", "u16.csv", "wide.csv"}) {
		t.Errorf("left %v", got)
	}
}

// Item 7 (and 6): the pre-flight warnings come before the kernel is built, with -q too,
// and --strict makes them exit 2 before the work.
func TestPreflightWarnings(t *testing.T) {
	dir := t.TempDir()
	in := spiralFile(t, dir, 2000)
	out := filepath.Join(dir, "e.csv")
	r := spectral(t, nil, "embed", "--sigma", "0.0001", "-k", "3", in, "-o", out, "--summary", "-")
	w := strings.Index(r.stderr, "warning: sigma 0.0001 leaves")
	k := strings.Index(r.stderr, "kernel ")
	// pkg/embed names fields (Options.Sigma); the user reads flags, on stderr and in the JSON.
	const hint = "(what --sigma auto picks) would connect it"
	if r.code != 0 || w < 0 || k < 0 || w > k || !strings.Contains(r.stderr, hint) || strings.Contains(r.stderr, "Options.") {
		t.Errorf("sparse: exit %d, warning at %d, kernel stage at %d:\n%s", r.code, w, k, r.stderr)
	}
	var sum struct{ Warnings []string }
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || !strings.Contains(strings.Join(sum.Warnings, "\n"), hint) || strings.Contains(r.stdout, "Options.") {
		t.Errorf("sparse: summary warnings %q (%v)", sum.Warnings, err)
	}
	r = spectral(t, nil, "embed", "--sigma", "0.0001", "-k", "3", in, "-o", out, "-q", "--strict")
	if r.code != 2 || !strings.Contains(r.stderr, hint+" (--strict)") || strings.Contains(r.stderr, "Options.") || strings.Contains(r.stderr, "kernel ") {
		t.Errorf("sparse --strict: exit %d %q", r.code, r.stderr)
	}
	os.Remove(out)
	big := spiralFile(t, dir, 3000)
	r = spectral(t, nil, "embed", "--sigma", "10", big, "-o", out, "-q", "--strict")
	if r.code != 2 || !strings.Contains(r.stderr, "nearly dense") || !strings.Contains(r.stderr, "per product") || !strings.Contains(r.stderr, "memory") {
		t.Errorf("dense --strict: exit %d %q", r.code, r.stderr)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"spiral2000.csv", "spiral3000.csv"}) {
		t.Errorf("left %v", got)
	}
}
