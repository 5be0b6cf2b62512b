package main

// End-to-end tests of the CLI, run in-process through run() as cobra tests itself: real
// files from testdata/data, ground truth from testdata/reference, hand-made malformed
// inputs written into temporary folders.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spectral-dev/spectral/pkg/gpu"
)

const (
	dataDir = "../../testdata/data"
	refDir  = "../../testdata/reference"
)

type cliResult struct {
	code           int
	stdout, stderr string
}

// spectral runs the CLI with args; stdin is what "-" must read. os.Stdin is replaced by an
// empty file meanwhile, so a command that wrongly reads the process's stdin instead of
// the one given to run() fails visibly rather than hanging on a terminal.
func spectral(t *testing.T, stdin []byte, args ...string) cliResult {
	t.Helper()
	empty, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdin
	os.Stdin = empty
	defer func() { os.Stdin = saved; empty.Close() }()
	var out, errb bytes.Buffer
	code := run(args, bytes.NewReader(stdin), &out, &errb)
	return cliResult{code, out.String(), errb.String()}
}

// mustRun fails the test unless the command exits 0.
func mustRun(t *testing.T, stdin []byte, args ...string) cliResult {
	t.Helper()
	r := spectral(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("spectral %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// csvTable is a parsed CSV with a header, parsed here independently of pkg/io.
type csvTable struct {
	names []string
	rows  [][]float64
	raw   [][]string
}

func parseCSV(t *testing.T, text string) *csvTable {
	t.Helper()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	tab := &csvTable{names: strings.Split(lines[0], ",")}
	for i, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) != len(tab.names) {
			t.Fatalf("CSV line %d: %d fields, header has %d", i+2, len(f), len(tab.names))
		}
		row := make([]float64, len(f))
		for j, s := range f {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("CSV line %d: %v", i+2, err)
			}
			row[j] = v
		}
		tab.rows = append(tab.rows, row)
		tab.raw = append(tab.raw, f)
	}
	return tab
}

func readCSV(t *testing.T, path string) *csvTable {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseCSV(t, string(b))
}

func (c *csvTable) col(t *testing.T, name string) []float64 {
	t.Helper()
	j := slices.Index(c.names, name)
	if j < 0 {
		t.Fatalf("no column %q in %v", name, c.names)
	}
	v := make([]float64, len(c.rows))
	for i, r := range c.rows {
		v[i] = r[j]
	}
	return v
}

type infoJSON struct {
	Format         string    `json:"format"`
	N              int       `json:"n"`
	Dim            int       `json:"dim"`
	Columns        []string  `json:"columns"`
	BBoxMin        []float64 `json:"bbox_min"`
	BBoxMax        []float64 `json:"bbox_max"`
	Duplicates     *int      `json:"duplicates"`
	NNMedian       *float64  `json:"nn_median"`
	NNP95          *float64  `json:"nn_p95"`
	SuggestedSigma *float64  `json:"suggested_sigma"`
	SpacingSigma   *float64  `json:"spacing_sigma"`
	SigmaRaise     *float64  `json:"sigma_raise"`
	Components     []int     `json:"components"`
	Estimate       *struct {
		PairsWithinCutoff int64   `json:"pairs_within_cutoff"`
		SolveSeconds      float64 `json:"solve_seconds_estimate"`
		ReadSeconds       float64 `json:"read_seconds"`
		GridSeconds       float64 `json:"grid_seconds"`
		KernelSeconds     float64 `json:"kernel_seconds_estimate"`
		WriteSeconds      float64 `json:"write_seconds_estimate"`
		RunSeconds        float64 `json:"run_seconds_estimate"`
	} `json:"estimate"`
}

func infoOf(t *testing.T, stdin []byte, args ...string) infoJSON {
	t.Helper()
	r := mustRun(t, stdin, append([]string{"info", "--json"}, args...)...)
	var in infoJSON
	if err := json.Unmarshal([]byte(r.stdout), &in); err != nil {
		t.Fatalf("info --json %v: %v\n%s", args, err, r.stdout)
	}
	return in
}

type summaryJSON struct {
	N           int       `json:"n"`
	Dim         int       `json:"dim"`
	K           int       `json:"k"`
	Laplacian   string    `json:"laplacian"`
	Eigenvalues []float64 `json:"eigenvalues"`
	Converged   int       `json:"converged"`
	Warnings    []string  `json:"warnings"`
	DropFirst   bool      `json:"drop_first"`
}

func readSummary(t *testing.T, path string) summaryJSON {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s summaryJSON
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// dirNames lists a folder, hidden (temporary) files included.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func near(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Abs(b) }

// ---------------------------------------------------------------------------------------
// version, --help

func TestHelpHasExamples(t *testing.T) {
	r := mustRun(t, nil, "--help")
	if !strings.Contains(r.stdout, "spectral embed --sigma") {
		t.Errorf("spectral --help has no example line:\n%s", r.stdout)
	}
	for _, c := range []string{"version", "generate", "info", "embed", "plot", "cluster"} {
		r := mustRun(t, nil, c, "--help")
		i := strings.Index(r.stdout, "Examples:")
		if i < 0 || !strings.Contains(r.stdout[i:], "spectral "+c) {
			t.Errorf("spectral %s --help has no Examples: section with a '%s' line:\n%s", c, c, r.stdout)
		}
	}
}

// ---------------------------------------------------------------------------------------
// generate

// malformed are hand-made bad inputs; where names the place the message must give.
var malformed = []struct {
	name, file string
	body       []byte
	where      []string // substrings of the message besides the file name
}{
	{"truncated binary PLY", "trunc.ply", append([]byte("ply\nformat binary_little_endian 1.0\nelement vertex 10\nproperty float x\nproperty float y\nproperty float z\nend_header\n"), make([]byte, 10*12-5)...), []string{"byte "}},
	{"wrong field count", "fields.csv", []byte("x,y,z\n1,2,3\n4,5\n7,8,9\n"), []string{"line 3"}},
	{"non-numeric field", "word.csv", []byte("x,y\n1,2\n3,abc\n5,6\n"), []string{"line 3"}},
	{"NaN", "nan.csv", []byte("x,y\n1,2\n3,4\nNaN,6\n7,8\n"), []string{"line 4"}},
	{"Inf", "inf.csv", []byte("x,y,z\n1,2,3\n4,5,Inf\n7,8,9\n"), []string{"line 3"}},
	{"NaN in binary PLY", "nan.ply", plyBinary([]float32{0, 0, 0, 1, float32(math.NaN()), 1, 2, 2, 2}), []string{"byte "}},
	{"missing y", "noy.ply", []byte("ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float z\nend_header\n1 2\n3 4\n"), []string{"x, z"}},
	{"bad header", "badtype.ply", []byte("ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty real y\nproperty float z\nend_header\n1 2 3\n4 5 6\n"), []string{"line 5"}},
	{"bad format line", "badformat.ply", []byte("ply\nformat binary_middle_endian 1.0\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n"), []string{"line 2"}},
	{"ascii PLY short row", "short.ply", []byte("ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\n4 5\n7 8 9\n"), []string{"line 9"}},
	{"fewer vertices than declared", "few.ply", []byte("ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\nend_header\n1 2\n3 4\n"), nil},
	{"empty file", "empty.csv", nil, []string{"empty"}},
	{"1-dimensional CSV", "line.txt", []byte("1\n2\n3\n4\n"), []string{"1 column"}},
	// With a header the message must still say what is wrong, not suggest --columns 1,2,3.
	{"1-dimensional CSV with a header", "line.csv", []byte("x\n1\n2\n3\n4\n"), []string{"1 column"}},
}

// plyBinary is a little-endian PLY of float x, y, z.
func plyBinary(xyz []float32) []byte {
	b := fmt.Appendf(nil, "ply\nformat binary_little_endian 1.0\nelement vertex %d\nproperty float x\nproperty float y\nproperty float z\nend_header\n", len(xyz)/3)
	for _, v := range xyz {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// TestMalformedInputs: each bad file exits 2 from info and from embed with a message
// naming the file and the place, and embed leaves nothing behind, not even a temporary.
func TestMalformedInputs(t *testing.T) {
	for _, c := range malformed {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, c.file)
			writeFile(t, in, c.body)
			check := func(r cliResult, what, source string) {
				t.Helper()
				if r.code != 2 {
					t.Errorf("%s: exit %d, want 2; stderr %q", what, r.code, r.stderr)
				}
				if !strings.Contains(r.stderr, source) {
					t.Errorf("%s: message %q does not name %s", what, r.stderr, source)
				}
				msg := strings.ReplaceAll(r.stderr, in, filepath.Base(in)) // the folder's name is the test's
				for _, w := range c.where {
					if !strings.Contains(msg, w) {
						t.Errorf("%s: message %q lacks %q", what, r.stderr, w)
					}
				}
				if strings.Count(strings.TrimSpace(r.stderr), "\n") > 2 {
					t.Errorf("%s: a message, not a trace, expected: %q", what, r.stderr)
				}
			}
			check(spectral(t, nil, "info", in), "info", c.file)
			check(spectral(t, nil, "embed", "--sigma", "0.5", "--cutoff", "4", "-k", "2", in,
				"-o", filepath.Join(dir, "out.csv"), "--summary", filepath.Join(dir, "sum.json"),
				"--plot", filepath.Join(dir, "out.png")), "embed", c.file)
			check(spectral(t, c.body, "embed", "--sigma", "0.5", "-k", "2", "--format", strings.TrimPrefix(filepath.Ext(c.file), "."), "-",
				"-o", filepath.Join(dir, "out.ply")), "embed on stdin", "<stdin>")
			if got := dirNames(t, dir); !slices.Equal(got, []string{c.file}) {
				t.Errorf("embed left %v in the folder, want only %s", got, c.file)
			}
		})
	}
}

// TestUsageErrors: bad flags exit 2 with a message naming the flag, and nothing is written.
// shelfWithoutGPU copies the 50-point platonic_shelf.ply into a new folder (dir/shelf.ply)
// and hides any GPU, whatever machine runs the test; out is dir/out.csv.
func shelfWithoutGPU(t *testing.T) (dir, in, out string) {
	t.Setenv(gpu.LibraryEnv, filepath.Join(t.TempDir(), "libcuda.so.1"))
	dir = t.TempDir()
	in = filepath.Join(dir, "shelf.ply")
	b, err := os.ReadFile(filepath.Join(dataDir, "platonic_shelf.ply"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, in, b)
	return dir, in, filepath.Join(dir, "out.csv")
}

func TestUsageErrors(t *testing.T) {
	dir, in, out := shelfWithoutGPU(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--sigma", "1", "-k", "50"}, "50"},
		{[]string{"--sigma", "1", "-k", "49", "--drop-first"}, "49"},
		{[]string{"--sigma", "1", "-k", "0"}, "-k"},
		{[]string{"--sigma", "1", "-k", "-3"}, "-k"},
		{[]string{"--sigma", "0"}, "--sigma"},
		{[]string{"--sigma", "-1"}, "--sigma"},
		{[]string{"--sigma", "abc"}, "--sigma"},
		{[]string{"--sigma", "NaN"}, "--sigma"},
		{[]string{"--sigma", "Inf"}, "--sigma"},
		{[]string{}, "--sigma"},
		{[]string{"--sigma", "1", "--cutoff", "-1"}, "--cutoff"},
		{[]string{"--sigma", "1", "--cutoff", "abc"}, "--cutoff"},
		{[]string{"--sigma", "1", "--laplacian", "bogus"}, "bogus"},
		{[]string{"--sigma", "1", "-o", filepath.Join(dir, "out.txt")}, "out.txt"},
		{[]string{"--sigma", "1", "--plot", filepath.Join(dir, "p.jpg")}, "p.jpg"},
		{[]string{"--sigma", "1", "--bogus-flag"}, "bogus-flag"},
		{[]string{"--sigma", "1", "--columns", "x,y"}, "--columns"}, // PLY has no columns to pick
		{[]string{"--sigma", "1", "--format", "obj"}, "--format"},
		{[]string{"--sigma", "1", "--cache-memory", "lots"}, "--cache-memory"},
		{[]string{"--sigma", "1", "-o", "-", "--summary", "-"}, "stdout"},
		{[]string{"--sigma", "1", "--device", "tpu"}, "tpu"},
	} {
		args := append([]string{"embed", in}, c.args...)
		if !slices.Contains(c.args, "-o") {
			args = append(args, "-o", out)
		}
		args = append(args, "--summary", filepath.Join(dir, "sum.json"))
		if slices.Contains(c.args, "--summary") {
			args = args[:len(args)-2]
		}
		r := spectral(t, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("embed %v: exit %d, stderr %q; want 2 and a message with %q", c.args, r.code, r.stderr, c.want)
		}
		if r.stdout != "" {
			t.Errorf("embed %v wrote %q to stdout", c.args, r.stdout)
		}
		if got := dirNames(t, dir); !slices.Equal(got, []string{"shelf.ply"}) {
			t.Errorf("embed %v left %v", c.args, got)
			for _, n := range got {
				if n != "shelf.ply" {
					os.Remove(filepath.Join(dir, n))
				}
			}
		}
	}
	for _, args := range [][]string{{"embed"}, {"embed", in, in, "--sigma", "1"}, {"info"}, {"plot"}, {"nosuchcommand"}} {
		if r := spectral(t, nil, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
	if r := spectral(t, nil, "embed", "--sigma", "1", filepath.Join(dir, "missing.csv"), "-o", out); r.code != 2 || !strings.Contains(r.stderr, "missing.csv") {
		t.Errorf("missing input: exit %d %q, want 2 naming it", r.code, r.stderr)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"shelf.ply"}) {
		t.Errorf("left %v", got)
	}
}

// ---------------------------------------------------------------------------------------
// embed: accuracy against the dense reference
