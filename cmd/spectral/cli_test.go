package main

// End-to-end tests of the CLI, run in-process through run() as cobra tests itself: real
// files from testdata/data, ground truth from testdata/reference, hand-made malformed
// inputs written into temporary folders.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/spectral-dev/spectral/internal/testref"
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
	Estimate       *struct {
		PairsWithinCutoff int64 `json:"pairs_within_cutoff"`
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

func TestVersion(t *testing.T) {
	r := mustRun(t, nil, "version")
	if !strings.HasPrefix(r.stdout, "spectral ") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("version printed %q", r.stdout)
	}
	if r := spectral(t, nil, "version", "extra"); r.code != 2 {
		t.Errorf("version extra: exit %d, want 2", r.code)
	}
}

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

// TestGenerateMatchesReference: the generator reproduces the reference clouds (numpy's
// RandomState(0), rounded to float32) value for value.
func TestGenerateMatchesReference(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ shape, ref string }{
		{"spiral", "spiral_n1000_s0.05"},
		{"swissroll", "swissroll_n1000_s0.1"},
	} {
		out := filepath.Join(dir, c.shape+".csv")
		mustRun(t, nil, "generate", c.shape, "-n", "1000", "--seed", "0", "-o", out)
		got, want := readCSV(t, out), readCSV(t, filepath.Join(refDir, c.ref+"_points.csv"))
		if !slices.Equal(got.names, want.names) || len(got.rows) != len(want.rows) {
			t.Fatalf("%s: columns %v, %d rows; want %v, %d", c.shape, got.names, len(got.rows), want.names, len(want.rows))
		}
		bad := 0
		for i := range want.rows {
			for j := range want.rows[i] {
				if float32(got.rows[i][j]) != float32(want.rows[i][j]) {
					if bad++; bad <= 3 {
						t.Errorf("%s row %d col %d: %v, reference %v", c.shape, i, j, got.rows[i][j], want.rows[i][j])
					}
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d values differ from the reference", c.shape, bad)
		}
	}
}

func TestGeneratePLYAndStdout(t *testing.T) {
	dir := t.TempDir()
	ref := readCSV(t, filepath.Join(refDir, "swissroll_n1000_s0.1_points.csv"))
	ply := filepath.Join(dir, "roll.ply")
	mustRun(t, nil, "generate", "swissroll", "-n", "1000", "--seed", "0", "-o", ply)
	in := infoOf(t, nil, "--no-spacing", ply)
	if in.N != 1000 || in.Dim != 3 || !strings.HasPrefix(in.Format, "ply") {
		t.Fatalf("info of the generated PLY: %+v", in)
	}
	for d := 0; d < 3; d++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range ref.rows {
			lo, hi = math.Min(lo, float64(float32(r[d]))), math.Max(hi, float64(float32(r[d])))
		}
		if in.BBoxMin[d] != lo || in.BBoxMax[d] != hi {
			t.Errorf("PLY bbox axis %d: [%v, %v], reference [%v, %v]", d, in.BBoxMin[d], in.BBoxMax[d], lo, hi)
		}
	}

	r := mustRun(t, nil, "generate", "spiral", "-n", "1000", "--seed", "0", "-o", "-")
	got, want := parseCSV(t, r.stdout), readCSV(t, filepath.Join(refDir, "spiral_n1000_s0.05_points.csv"))
	if len(got.rows) != 1000 || !slices.Equal(got.names, []string{"x", "y"}) {
		t.Fatalf("generate -o -: columns %v, %d rows", got.names, len(got.rows))
	}
	for _, i := range []int{0, 499, 999} {
		if float32(got.rows[i][0]) != float32(want.rows[i][0]) || float32(got.rows[i][1]) != float32(want.rows[i][1]) {
			t.Errorf("generate -o - row %d: %v, reference %v", i, got.rows[i], want.rows[i])
		}
	}
	if len(dirNames(t, dir)) != 1 {
		t.Errorf("generate left %v in its folder", dirNames(t, dir))
	}
	for _, args := range [][]string{
		{"generate", "torus"},
		{"generate", "spiral", "-n", "0"},
		{"generate", "spiral", "--noise", "-1"},
		{"generate", "spiral", "-o", filepath.Join(dir, "s.txt")},
	} {
		if r := spectral(t, nil, args...); r.code != 2 || r.stderr == "" {
			t.Errorf("%v: exit %d (%q), want 2 with a message", args, r.code, r.stderr)
		}
	}
	if len(dirNames(t, dir)) != 1 {
		t.Errorf("failed generate runs left %v", dirNames(t, dir))
	}
}

// ---------------------------------------------------------------------------------------
// info

// TestInfoRealFiles: counts and bounding boxes as computed with numpy by
// pkg/io/testdata/expected.py; spacing as in testdata/data/SOURCES.md (k-d tree).
func TestInfoRealFiles(t *testing.T) {
	for _, c := range []struct {
		file     string
		args     []string
		format   string
		n, dim   int
		columns  []string
		lo, hi   []float64
		nnMedian float64 // from SOURCES.md, 3 digits; 0 = not checked
		dups     int     // -1 = not checked
	}{
		{"bun_zipper_res2.ply", nil, "ply ascii", 8171, 3, []string{"x", "y", "z"},
			[]float64{-0.0945716, 0.0333891, -0.0618736}, []float64{0.0609346, 0.186643, 0.0586895}, 0.00205, 0},
		{"platonic_shelf.ply", nil, "ply binary_little_endian", 50, 3, []string{"x", "y", "z"},
			[]float64{-6.524307, -1.158087, -1.158087}, []float64{6.963232, 1.158087, 1.158086}, 1.051, 0},
		{"platonic_shelf_big_endian.ply", nil, "ply binary_big_endian", 50, 3, []string{"x", "y", "z"},
			[]float64{-6.524307, -1.158087, -1.158087}, []float64{6.963232, 1.158087, 1.158086}, 1.051, 0},
		{"lille_street_small.ply", []string{"--no-spacing"}, "ply binary_little_endian", 170610, 3, []string{"x", "y", "z"},
			[]float64{-13.2320556640625, -19.77740478515625, -3.124317169189453}, []float64{11.53070068359375, 17.2447509765625, 10.23442268371582}, 0, -1},
		{"featuretype.ply", nil, "ply ascii", 5096, 3, []string{"x", "y", "z"},
			[]float64{-2.5, -1.25, 0}, []float64{2.5, 1.25, 1.375}, 0, 3374},
		{"quakes.csv", []string{"--columns", "lat,long"}, "csv", 1000, 2, []string{"lat", "long"},
			[]float64{-38.59, 165.67}, []float64{-10.72, 188.13}, 0.114, 2},
		{"quakes.csv", []string{"--columns", "2,3,4"}, "csv", 1000, 3, []string{"lat", "long", "depth"},
			[]float64{-38.59, 165.67, 40}, []float64{-10.72, 188.13, 680}, 1.43, 0},
		{"spiral.txt", []string{"--columns", "1,2"}, "csv", 312, 2, []string{"x", "y"},
			[]float64{3, 2.9}, []float64{31.95, 31.65}, 0.556, 0},
		// No header and 3 numeric columns: the CLI.md rule takes the first 3 (x, y, label).
		{"spiral.txt", nil, "csv", 312, 3, []string{"x", "y", "z"},
			[]float64{3, 2.9, 1}, []float64{31.95, 31.65, 3}, 0, 0},
		{"points_cloudcompare.xyz", nil, "csv", 101, 3, []string{"x", "y", "z"},
			[]float64{665171.37498, 5648298.096676, 228.049194}, []float64{665187.870931, 5648381.899135, 245.90329}, 0.249, 0},
		{"autzen-bmx-largersample.txt", nil, "csv", 103, 3, []string{"X", "Y", "Z"},
			[]float64{194472.82, 259222.19, 423.2}, []float64{194506.86, 259263.94, 433.96}, 2.04, 0},
	} {
		name := c.file + " " + strings.Join(c.args, " ")
		in := infoOf(t, nil, append(c.args, filepath.Join(dataDir, c.file))...)
		if in.Format != c.format || in.N != c.n || in.Dim != c.dim || !slices.Equal(in.Columns, c.columns) {
			t.Errorf("%s: format %q n %d dim %d columns %v; want %q %d %d %v", name, in.Format, in.N, in.Dim, in.Columns, c.format, c.n, c.dim, c.columns)
			continue
		}
		if !slices.Equal(in.BBoxMin, c.lo) || !slices.Equal(in.BBoxMax, c.hi) {
			t.Errorf("%s: bbox %v %v, want %v %v", name, in.BBoxMin, in.BBoxMax, c.lo, c.hi)
		}
		if c.dups >= 0 {
			if in.Duplicates == nil || in.NNMedian == nil || in.NNP95 == nil || in.SuggestedSigma == nil {
				t.Errorf("%s: spacing fields missing: %+v", name, in)
				continue
			}
			if *in.Duplicates != c.dups {
				t.Errorf("%s: %d duplicates, want %d", name, *in.Duplicates, c.dups)
			}
			if c.nnMedian > 0 && !near(*in.NNMedian, c.nnMedian, 0.006) {
				t.Errorf("%s: nn_median %v, SOURCES.md says %v", name, *in.NNMedian, c.nnMedian)
			}
			if !(*in.NNP95 >= *in.NNMedian) || !(*in.SuggestedSigma > *in.NNMedian) {
				t.Errorf("%s: nn_median %v, nn_p95 %v, suggested_sigma %v out of order", name, *in.NNMedian, *in.NNP95, *in.SuggestedSigma)
			}
		} else if in.Duplicates != nil || in.NNMedian != nil {
			t.Errorf("%s: --no-spacing still reports spacing: %+v", name, in)
		}
	}
}

// TestInfoEstimate: --sigma adds the cost estimate; on the platonic shelf (50 points,
// nearest neighbours ~1 apart) a huge sigma makes every ordered pair count.
func TestInfoEstimate(t *testing.T) {
	shelf := filepath.Join(dataDir, "platonic_shelf.ply")
	if in := infoOf(t, nil, shelf); in.Estimate != nil {
		t.Errorf("estimate without --sigma: %+v", in.Estimate)
	}
	in := infoOf(t, nil, "--sigma", "1000", "--cutoff", "4", shelf)
	if in.Estimate == nil {
		t.Fatal("no estimate with --sigma")
	}
	// Every pair is within 4 sigma; whether the self pairs count is the estimate's
	// convention, so both are accepted.
	if p := in.Estimate.PairsWithinCutoff; p != 50*50 && p != 50*49 && p != 50*49/2 && p != 50*51/2 {
		t.Errorf("pairs within the cutoff with sigma 1000: %d, want every pair of 50 points", p)
	}
	tiny := infoOf(t, nil, "--sigma", "1e-6", "--cutoff", "4", shelf)
	if tiny.Estimate == nil || tiny.Estimate.PairsWithinCutoff > 50 {
		t.Errorf("sigma 1e-6: estimate %+v, want at most the 50 self pairs", tiny.Estimate)
	}
	for _, args := range [][]string{{"--sigma", "0"}, {"--sigma", "abc"}, {"--sigma", "1", "--cutoff", "-1"}} {
		if r := spectral(t, nil, append([]string{"info", shelf}, args...)...); r.code != 2 {
			t.Errorf("info %v: exit %d, want 2", args, r.code)
		}
	}
}

func TestInfoQuakesNeedsColumns(t *testing.T) {
	r := spectral(t, nil, "info", filepath.Join(dataDir, "quakes.csv"))
	if r.code != 2 {
		t.Fatalf("quakes.csv without --columns: exit %d, want 2", r.code)
	}
	for _, want := range []string{"quakes.csv", "--columns", "lat", "long", "rownames"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("message %q lacks %q", r.stderr, want)
		}
	}
	if r := spectral(t, nil, "info", "--columns", "lat,nosuch", filepath.Join(dataDir, "quakes.csv")); r.code != 2 || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("--columns lat,nosuch: exit %d %q, want 2 naming the column", r.code, r.stderr)
	}
}

// TestInfoStdin: "-" reads the stdin given to run(), format sniffed.
func TestInfoStdin(t *testing.T) {
	bunny, err := os.ReadFile(filepath.Join(dataDir, "bun_zipper_res2.ply"))
	if err != nil {
		t.Fatal(err)
	}
	if in := infoOf(t, bunny, "--no-spacing", "-"); in.N != 8171 || in.Dim != 3 || !strings.HasPrefix(in.Format, "ply") {
		t.Errorf("bunny on stdin: %+v", in)
	}
	spiral, err := os.ReadFile(filepath.Join(refDir, "spiral_n1000_s0.05_points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if in := infoOf(t, spiral, "-"); in.N != 1000 || in.Dim != 2 || in.Format != "csv" || !slices.Equal(in.Columns, []string{"x", "y"}) {
		t.Errorf("spiral CSV on stdin: %+v", in)
	}
	// --format overrides the sniffing: the PLY read as text is a malformed table.
	if r := spectral(t, bunny, "info", "--format", "csv", "-"); r.code != 2 {
		t.Errorf("bunny on stdin as --format csv: exit %d, want 2", r.code)
	}
}

// ---------------------------------------------------------------------------------------
// Bad input and bad usage

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
func TestUsageErrors(t *testing.T) {
	// No GPU here, whatever machine runs the test.
	t.Setenv(gpu.LibraryEnv, filepath.Join(t.TempDir(), "libcuda.so.1"))
	dir := t.TempDir()
	in := filepath.Join(dir, "shelf.ply")
	b, err := os.ReadFile(filepath.Join(dataDir, "platonic_shelf.ply")) // 50 points
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, in, b)
	out := filepath.Join(dir, "out.csv")
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
		{[]string{"--sigma", "1", "--device", "gpu"}, "gpu"},
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

// principalAngles between span(a) and span(b), both n x k with orthonormal columns.
func principalAngles(a, b *mat.Dense) []float64 {
	var m mat.Dense
	m.Mul(a.T(), b)
	var svd mat.SVD
	if !svd.Factorize(&m, mat.SVDNone) {
		return []float64{math.Pi / 2}
	}
	s := svd.Values(nil)
	ang := make([]float64, len(s))
	for i, v := range s {
		ang[i] = math.Acos(math.Min(v, 1))
	}
	return ang
}

func columnsMatrix(cols [][]float64) *mat.Dense {
	m := mat.NewDense(len(cols[0]), len(cols), nil)
	for j, c := range cols {
		m.SetCol(j, c)
	}
	return m
}

// checkEigvecsCSV checks the shape and normalisation of an eigenvectors CSV.
func checkEigvecsCSV(t *testing.T, tab *csvTable, coords []string, k, first, n int) {
	t.Helper()
	want := append([]string{}, coords...)
	for j := 0; j < k; j++ {
		want = append(want, "phi"+strconv.Itoa(first+j))
	}
	if !slices.Equal(tab.names, want) || len(tab.rows) != n {
		t.Fatalf("eigenvectors CSV: header %v and %d rows; want %v and %d", tab.names, len(tab.rows), want, n)
	}
	for _, name := range want[len(coords):] {
		v := tab.col(t, name)
		norm, big := 0.0, 0.0
		for _, x := range v {
			norm += x * x
			if math.Abs(x) > math.Abs(big) {
				big = x
			}
		}
		if math.Abs(math.Sqrt(norm)-1) > 1e-9 {
			t.Errorf("%s: 2-norm %.15g, want 1", name, math.Sqrt(norm))
		}
		if !(big > 0) {
			t.Errorf("%s: entry of largest magnitude %v, want positive", name, big)
		}
	}
}

func TestEmbedMatchesDenseReference(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, sigma string
		coords      []string
	}{
		{"spiral_n1000_s0.05", "0.05", []string{"x", "y"}},
		{"swissroll_n1000_s0.1", "0.1", []string{"x", "y", "z"}},
	} {
		refL, refLNorm := testref.Eigen(t, c.name)
		for _, l := range []struct {
			lap, vecs string
			want      []float64
		}{
			{"normalized", "_L_norm_eigvecs123.csv", refLNorm},
			{"unnormalized", "_L_eigvecs123.csv", refL},
		} {
			name := c.name + " " + l.lap
			out, sum := filepath.Join(dir, "out.csv"), filepath.Join(dir, "sum.json")
			mustRun(t, nil, "embed", "--sigma", c.sigma, "--cutoff", "0", "-k", "7", "--laplacian", l.lap,
				filepath.Join(refDir, c.name+"_points.csv"), "-o", out, "--summary", sum, "-q")
			s := readSummary(t, sum)
			if s.N != 1000 || s.K != 7 || s.Converged != 7 || len(s.Eigenvalues) != 7 || s.Laplacian != l.lap {
				t.Fatalf("%s: summary %+v", name, s)
			}
			for i, v := range s.Eigenvalues {
				w := l.want[i]
				if i == 0 && math.Abs(v-w) > 1e-9 || i > 0 && !near(v, w, 1e-6) {
					t.Errorf("%s: eigenvalue %d = %.12g, reference %.12g (rel %.2g)", name, i+1, v, w, math.Abs(v-w)/math.Abs(w))
				}
			}
			tab := readCSV(t, out)
			checkEigvecsCSV(t, tab, c.coords, 7, 1, 1000)
			rv := readCSV(t, filepath.Join(refDir, c.name+l.vecs))
			refM := columnsMatrix([][]float64{rv.col(t, "v1"), rv.col(t, "v2"), rv.col(t, "v3")})
			gotM := columnsMatrix([][]float64{tab.col(t, "phi2"), tab.col(t, "phi3"), tab.col(t, "phi4")})
			angles := principalAngles(refM, gotM)
			for i, a := range angles {
				if !(a < 1e-3) {
					t.Errorf("%s: principal angle %d between eigenvectors 2..4 and the reference: %.3g rad", name, i+1, a)
				}
			}
			t.Logf("%s: principal angles to the reference %.2g", name, angles)
			// The coordinates come back as read.
			pts := readCSV(t, filepath.Join(refDir, c.name+"_points.csv"))
			for i := range pts.rows {
				for d := range c.coords {
					if tab.rows[i][d] != pts.rows[i][d] {
						t.Fatalf("%s: row %d coordinate %d is %v, input %v", name, i, d, tab.rows[i][d], pts.rows[i][d])
					}
				}
			}
		}
	}
}

// TestEmbedInputOrder: a shuffled input gives the same rows, shuffled the same way.
func TestEmbedInputOrder(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(refDir, "spiral_n1000_s0.05_points.csv")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	rows := lines[1:]
	perm := rand.New(rand.NewPCG(5, 7)).Perm(len(rows))
	var sb strings.Builder
	sb.WriteString(lines[0] + "\n")
	for _, p := range perm {
		sb.WriteString(rows[p] + "\n")
	}
	shuffled := filepath.Join(dir, "shuffled.csv")
	writeFile(t, shuffled, []byte(sb.String()))

	args := []string{"embed", "--sigma", "0.05", "--cutoff", "4", "-k", "5", "-q"}
	outA, outB := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	mustRun(t, nil, append(args, src, "-o", outA)...)
	mustRun(t, nil, append(args, shuffled, "-o", outB)...)
	a, s := readCSV(t, outA), readCSV(t, outB)
	checkEigvecsCSV(t, s, []string{"x", "y"}, 5, 1, 1000)
	for j := 2; j < len(a.names); j++ {
		sign, worst := 1.0, 0.0
		if dot := func() (d float64) {
			for i, p := range perm {
				d += s.rows[i][j] * a.rows[p][j]
			}
			return d
		}(); dot < 0 {
			sign = -1
		}
		for i, p := range perm {
			worst = math.Max(worst, math.Abs(sign*s.rows[i][j]-a.rows[p][j]))
		}
		t.Logf("%s: largest difference after shuffling %.2g", a.names[j], worst)
		if worst > 1e-6 {
			t.Errorf("%s: shuffled rows differ from the permuted original by up to %.3g", a.names[j], worst)
		}
	}
	for i, p := range perm {
		if s.raw[i][0] != a.raw[p][0] || s.raw[i][1] != a.raw[p][1] {
			t.Fatalf("shuffled row %d has coordinates %v, original row %d has %v", i, s.raw[i][:2], p, a.raw[p][:2])
		}
	}
}

// TestEmbedStdin: "-" reads the stdin given to run() (CSV and sniffed PLY), "-o -" writes
// the CSV to stdout.
func TestEmbedStdin(t *testing.T) {
	spiral, err := os.ReadFile(filepath.Join(refDir, "spiral_n1000_s0.05_points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, spiral, "embed", "--sigma", "0.05", "--cutoff", "4", "-k", "3", "-", "-o", "-", "-q")
	tab := parseCSV(t, r.stdout)
	checkEigvecsCSV(t, tab, []string{"x", "y"}, 3, 1, 1000)

	shelf := filepath.Join(dataDir, "platonic_shelf.ply")
	ply, err := os.ReadFile(shelf)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum := filepath.Join(dir, "sum.json")
	r = mustRun(t, ply, "embed", "--sigma", "1", "-k", "3", "-", "-o", "-", "--summary", sum)
	checkEigvecsCSV(t, parseCSV(t, r.stdout), []string{"x", "y", "z"}, 3, 1, 50)
	fromStdin := readSummary(t, sum)
	// The same cloud from the file gives the same eigenvalues.
	mustRun(t, nil, "embed", "--sigma", "1", "-k", "3", shelf, "-o", filepath.Join(dir, "f.csv"), "--summary", sum, "-q")
	fromFile := readSummary(t, sum)
	for i := range fromFile.Eigenvalues {
		if i >= len(fromStdin.Eigenvalues) || math.Abs(fromStdin.Eigenvalues[i]-fromFile.Eigenvalues[i]) > 1e-12 {
			t.Errorf("eigenvalues from stdin %v, from the file %v", fromStdin.Eigenvalues, fromFile.Eigenvalues)
			break
		}
	}
}

// readPLYOut parses the binary PLY embed writes: its property names and float/uchar values.
func readPLYOut(t *testing.T, path string) (props []string, n int, floats [][]float32, rgb [][3]uint8) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := bytes.Index(b, []byte("end_header\n"))
	if !bytes.HasPrefix(b, []byte("ply\nformat binary_little_endian 1.0\n")) || end < 0 {
		t.Fatalf("%s: not a binary little-endian PLY: %q", path, b[:min(len(b), 200)])
	}
	var types []string
	for _, l := range strings.Split(string(b[:end]), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 3 && f[0] == "element" && f[1] == "vertex":
			n, _ = strconv.Atoi(f[2])
		case len(f) == 3 && f[0] == "property":
			types, props = append(types, f[1]), append(props, f[2])
		}
	}
	body := b[end+len("end_header\n"):]
	rec := 0
	for _, ty := range types {
		switch ty {
		case "float":
			rec += 4
		case "uchar":
			rec++
		default:
			t.Fatalf("%s: property type %q", path, ty)
		}
	}
	if len(body) != n*rec {
		t.Fatalf("%s: body of %d bytes, want %d x %d", path, len(body), n, rec)
	}
	for i := 0; i < n; i++ {
		r := body[i*rec:]
		var fs []float32
		var c [3]uint8
		ci := 0
		for _, ty := range types {
			if ty == "float" {
				fs = append(fs, math.Float32frombits(binary.LittleEndian.Uint32(r)))
				r = r[4:]
			} else {
				if ci < 3 {
					c[ci] = r[0]
				}
				ci++
				r = r[1:]
			}
		}
		floats, rgb = append(floats, fs), append(rgb, c)
	}
	return props, n, floats, rgb
}

func TestEmbedPLYOutputAndDropFirst(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(refDir, "swissroll_n1000_s0.1_points.csv")
	outPLY, outCSV, sum := filepath.Join(dir, "out.ply"), filepath.Join(dir, "out.csv"), filepath.Join(dir, "sum.json")
	base := []string{"embed", "--sigma", "0.1", "--cutoff", "4", "-k", "4", "-q", in}
	mustRun(t, nil, append(base, "-o", outPLY)...)
	mustRun(t, nil, append(base, "-o", outCSV, "--summary", sum)...)

	if info := infoOf(t, nil, "--no-spacing", outPLY); info.N != 1000 || info.Dim != 3 || info.Format != "ply binary_little_endian" {
		t.Errorf("info of embed's PLY: %+v", info)
	}
	props, n, floats, rgb := readPLYOut(t, outPLY)
	want := []string{"x", "y", "z", "phi1", "phi2", "phi3", "phi4", "red", "green", "blue"}
	if !slices.Equal(props, want) || n != 1000 {
		t.Fatalf("PLY properties %v, %d vertices; want %v, 1000", props, n, want)
	}
	tab := readCSV(t, outCSV)
	colours := map[[3]uint8]bool{}
	for i := 0; i < n; i++ {
		for j := range floats[i] {
			if floats[i][j] != float32(tab.rows[i][j]) {
				t.Fatalf("PLY vertex %d %s = %v, CSV %v", i, props[j], floats[i][j], tab.rows[i][j])
			}
		}
		colours[rgb[i]] = true
	}
	if len(colours) < 20 {
		t.Errorf("PLY colours: %d distinct, want the colormap of phi2 (many)", len(colours))
	}
	// phi2's colours follow its values: the most negative and the most positive points get
	// colours from opposite ends of the map.
	lo, hi := 0, 0
	phi2 := tab.col(t, "phi2")
	for i, v := range phi2 {
		if v < phi2[lo] {
			lo = i
		}
		if v > phi2[hi] {
			hi = i
		}
	}
	if rgb[lo] == rgb[hi] {
		t.Errorf("extreme points of phi2 share the colour %v", rgb[lo])
	}
	full := readSummary(t, sum)

	// --drop-first: k non-trivial pairs, phi2..phi(k+1), none ~0, the same values.
	mustRun(t, nil, append(base, "--drop-first", "-o", outPLY, "--summary", sum)...)
	props, _, _, _ = readPLYOut(t, outPLY)
	if want := []string{"x", "y", "z", "phi2", "phi3", "phi4", "phi5", "red", "green", "blue"}; !slices.Equal(props, want) {
		t.Errorf("--drop-first PLY properties %v, want %v", props, want)
	}
	s := readSummary(t, sum)
	if len(s.Eigenvalues) != 4 || !s.DropFirst {
		t.Fatalf("--drop-first summary: %+v", s)
	}
	for i, v := range s.Eigenvalues {
		if !(v > 1e-6) {
			t.Errorf("--drop-first eigenvalue %d = %v, want non-trivial", i, v)
		}
		if i+1 < len(full.Eigenvalues) && !near(v, full.Eigenvalues[i+1], 1e-9) {
			t.Errorf("--drop-first eigenvalue %d = %.12g, without it %.12g", i, v, full.Eigenvalues[i+1])
		}
	}
	mustRun(t, nil, append(base, "--drop-first", "-o", outCSV)...)
	checkEigvecsCSV(t, readCSV(t, outCSV), []string{"x", "y", "z"}, 4, 2, 1000)
}

// TestEmbedRealFiles: real files of each kind end to end (ascii PLY with faces, CSV with a
// quoted header, xyz without a header).
func TestEmbedRealFiles(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		file   string
		args   []string
		coords []string
		n      int
	}{
		{"test_pos_color.ply", []string{"--sigma", "0.5"}, []string{"x", "y", "z"}, 114},
		{"autzen-bmx-largersample.txt", []string{"--sigma", "5"}, []string{"X", "Y", "Z"}, 103},
		{"points_cloudcompare.xyz", []string{"--sigma", "auto"}, []string{"x", "y", "z"}, 101},
		{"quakes.csv", []string{"--sigma", "1", "--columns", "lat,long"}, []string{"lat", "long"}, 1000},
	} {
		out, sum := filepath.Join(dir, "out.csv"), filepath.Join(dir, "sum.json")
		r := mustRun(t, nil, append([]string{"embed", filepath.Join(dataDir, c.file), "-k", "4", "--cutoff", "4", "-o", out, "--summary", sum}, c.args...)...)
		checkEigvecsCSV(t, readCSV(t, out), c.coords, 4, 1, c.n)
		s := readSummary(t, sum)
		if s.N != c.n || s.Converged != 4 {
			t.Errorf("%s: summary %+v", c.file, s)
		}
		if c.args[1] == "auto" && !strings.Contains(r.stderr, "sigma auto") {
			t.Errorf("%s: --sigma auto does not say what it picked: %q", c.file, r.stderr)
		}
	}
}

// TestEmbedDisconnected: two blobs 100 sigma apart make a disconnected graph; embed says so.
func TestEmbedDisconnected(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("x,y\n")
	for b := 0; b < 2; b++ {
		for i := 0; i < 10; i++ {
			for j := 0; j < 10; j++ {
				fmt.Fprintf(&sb, "%g,%g\n", float64(b)*50+float64(i)*0.1, float64(j)*0.1)
			}
		}
	}
	in, sum := filepath.Join(dir, "blobs.csv"), filepath.Join(dir, "sum.json")
	writeFile(t, in, []byte(sb.String()))
	r := spectral(t, nil, "embed", "--sigma", "0.5", "--cutoff", "4", "-k", "3", in, "-o", filepath.Join(dir, "out.csv"), "--summary", sum)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "disconnected") {
		t.Errorf("stderr does not warn of a disconnected graph: %q", r.stderr)
	}
	s := readSummary(t, sum)
	if len(s.Warnings) == 0 || !strings.Contains(strings.Join(s.Warnings, " "), "disconnected") {
		t.Errorf("summary warnings %q", s.Warnings)
	}
	if len(s.Eigenvalues) < 2 || math.Abs(s.Eigenvalues[1]) > 1e-9 {
		t.Errorf("eigenvalues %v: want two ~0 for two components", s.Eigenvalues)
	}
	// -q silences the warning on stderr but not in the summary.
	r = mustRun(t, nil, "embed", "--sigma", "0.5", "--cutoff", "4", "-k", "3", in, "-o", filepath.Join(dir, "out.csv"), "--summary", sum, "-q")
	if r.stderr != "" {
		t.Errorf("-q still wrote %q", r.stderr)
	}
}

// ---------------------------------------------------------------------------------------
// plot

// panelColours counts distinct colours in each cell of a rows x cols grid of the image.
func panelColours(img image.Image, rows, cols int) []int {
	b := img.Bounds()
	var counts []int
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			seen := map[[3]uint32]bool{}
			for y := b.Min.Y + r*b.Dy()/rows; y < b.Min.Y+(r+1)*b.Dy()/rows; y++ {
				for x := b.Min.X + c*b.Dx()/cols; x < b.Min.X+(c+1)*b.Dx()/cols; x++ {
					cr, cg, cb, _ := img.At(x, y).RGBA()
					seen[[3]uint32{cr >> 8, cg >> 8, cb >> 8}] = true
				}
			}
			counts = append(counts, len(seen))
		}
	}
	return counts
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func TestPlot(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, sigma string
	}{
		{"spiral_n1000_s0.05", "0.05"},
		{"swissroll_n1000_s0.1", "0.1"},
	} {
		vecs, sum := filepath.Join(dir, c.name+".csv"), filepath.Join(dir, c.name+".json")
		mustRun(t, nil, "embed", "--sigma", c.sigma, "--cutoff", "4", "-k", "7", "-q",
			filepath.Join(refDir, c.name+"_points.csv"), "-o", vecs, "--summary", sum)
		mustRun(t, nil, "plot", vecs, "--width", "600", "--height", "400")
		def := filepath.Join(dir, c.name+".png") // default: the input's name with .png
		img := decodePNG(t, def)
		if b := img.Bounds(); b.Dx() != 600 || b.Dy() != 400 {
			t.Errorf("%s: %dx%d, want 600x400", c.name, b.Dx(), b.Dy())
		}
		// phi2..phi7 in a 2 x 3 grid, each panel coloured by its eigenvector.
		for i, n := range panelColours(img, 2, 3) {
			if n < 30 {
				t.Errorf("%s: panel %d has %d distinct colours, want a coloured cloud", c.name, i+1, n)
			}
		}
		titled := filepath.Join(dir, c.name+"_titled.png")
		mustRun(t, nil, "plot", vecs, "--summary", sum, "-o", titled, "--width", "600", "--height", "400",
			"--azimuth", "-60", "--elevation", "30", "--max-points", "500")
		a, _ := os.ReadFile(def)
		b, _ := os.ReadFile(titled)
		if bytes.Equal(a, b) {
			t.Errorf("%s: --summary titles and --max-points change nothing in the PNG", c.name)
		}
		// "-" reads the stdin given to run().
		csv, err := os.ReadFile(vecs)
		if err != nil {
			t.Fatal(err)
		}
		piped := filepath.Join(dir, c.name+"_stdin.png")
		if r := spectral(t, csv, "plot", "-", "-o", piped, "--width", "600", "--height", "400"); r.code != 0 {
			t.Errorf("%s: plot from stdin: exit %d: %s", c.name, r.code, r.stderr)
		} else if a, b := decodePNG(t, def).Bounds(), decodePNG(t, piped).Bounds(); a != b {
			t.Errorf("%s: plot from stdin %v, from the file %v", c.name, b, a)
		}
		two := filepath.Join(dir, c.name+"_two.png")
		mustRun(t, nil, "plot", vecs, "--columns", "phi2,phi3", "-o", two, "--width", "300", "--height", "200")
		if b := decodePNG(t, two).Bounds(); b.Dx() != 300 || b.Dy() != 200 {
			t.Errorf("%s --columns phi2,phi3: %dx%d, want 300x200", c.name, b.Dx(), b.Dy())
		}
	}
	// embed --plot draws the same kind of picture.
	png := filepath.Join(dir, "embed.png")
	mustRun(t, nil, "embed", "--sigma", "0.1", "--cutoff", "4", "-k", "4", "-q",
		filepath.Join(refDir, "swissroll_n1000_s0.1_points.csv"), "-o", filepath.Join(dir, "e.csv"), "--plot", png)
	if b := decodePNG(t, png).Bounds(); b.Dx() < 64 || b.Dy() < 64 {
		t.Errorf("embed --plot: %v", b)
	}
}

func TestPlotBadInput(t *testing.T) {
	dir := t.TempDir()
	pts := filepath.Join(dir, "points.csv")
	b, err := os.ReadFile(filepath.Join(refDir, "spiral_n1000_s0.05_points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, pts, b)
	out := filepath.Join(dir, "p.png")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plot", pts, "-o", out}, "phi"},
		{[]string{"plot", pts, "-o", out, "--columns", "phi9"}, "phi9"},
		{[]string{"plot", pts, "-o", out, "--width", "10"}, "--width"},
		{[]string{"plot", pts, "-o", out, "--max-points", "0"}, "--max-points"},
		{[]string{"plot", filepath.Join(dir, "nothere.csv"), "-o", out}, "nothere.csv"},
	} {
		r := spectral(t, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args[2:], r.code, r.stderr, c.want)
		}
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"points.csv"}) {
		t.Errorf("failed plots left %v", got)
	}
}
