package cloudio

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dataDir = "../../testdata/data"

// realFiles holds, for every file in testdata/data, values computed independently of
// this package by testdata/expected.py (numpy and struct parsing of the raw bytes, run
// with Debian's /usr/bin/python3; its output lines are copied here verbatim). The
// comparisons are exact: both sides parse decimal text with correct rounding, and
// float32 PLY values widen to float64 exactly.
var realFiles = []struct {
	file                string
	columns             []string
	format              string
	names               []string
	n                   int
	first, last, lo, hi []float64
}{
	{file: "bun_zipper_res2.ply", format: "ply ascii", n: 8171,
		first: []float64{-0.036872, 0.127727, 0.00440925}, last: []float64{-0.0318636, 0.155275, -0.00893878},
		lo: []float64{-0.0945716, 0.0333891, -0.0618736}, hi: []float64{0.0609346, 0.186643, 0.0586895}},
	{file: "cycloidal.ply", format: "ply binary_little_endian", n: 21384,
		first: []float64{0.239546000957489, 0.5984579920768738, 1.3831119537353516}, last: []float64{1.422989010810852, -0.24718600511550903, 1.5081119537353516},
		lo: []float64{0.239546000957489, -0.33862999081611633, 0.8106470108032227}, hi: []float64{2.11454701423645, 1.5359569787979126, 1.9175610542297363}},
	{file: "delim_test.ply", format: "ply binary_little_endian", n: 24,
		first: []float64{-0.07598886638879776, 0.22796973586082458, 0.0}, last: []float64{12.614325523376465, 0.22796973586082458, -12.62096118927002},
		lo: []float64{-0.07598990947008133, 0.22796973586082458, -12.62096118927002}, hi: []float64{12.614325523376465, 12.234375953674316, 0.0}},
	{file: "featuretype.ply", format: "ply ascii", n: 5096,
		first: []float64{1.893314, 0.5625, 1.0}, last: []float64{1.25, 0.25, 0.875},
		lo: []float64{-2.5, -1.25, 0.0}, hi: []float64{2.5, 1.25, 1.375}},
	{file: "lille_street_small.ply", format: "ply binary_little_endian", n: 170610,
		first: []float64{5.94097900390625, 14.39501953125, -1.7689895629882812}, last: []float64{4.1754150390625, -19.1947021484375, -2.5801429748535156},
		lo: []float64{-13.2320556640625, -19.77740478515625, -3.124317169189453}, hi: []float64{11.53070068359375, 17.2447509765625, 10.23442268371582}},
	{file: "platonic_shelf.ply", format: "ply binary_little_endian", n: 50,
		first: []float64{-3.562626, -0.627972, 0.613591}, last: []float64{6.068807, 0.985759, 0.056527},
		lo: []float64{-6.524307, -1.158087, -1.158087}, hi: []float64{6.963232, 1.158087, 1.158086}},
	{file: "platonic_shelf_big_endian.ply", format: "ply binary_big_endian", n: 50,
		first: []float64{-3.562626, -0.627972, 0.613591}, last: []float64{6.068807, 0.985759, 0.056527},
		lo: []float64{-6.524307, -1.158087, -1.158087}, hi: []float64{6.963232, 1.158087, 1.158086}},
	{file: "test_pos_color.ply", format: "ply binary_little_endian", n: 114,
		first: []float64{0.3826834261417389, 0.9238795042037964, 0.0}, last: []float64{0.0, -1.0, 0.0},
		lo: []float64{-1.0, -1.0, -1.0}, hi: []float64{1.0, 1.0, 1.0}},
	{file: "quakes.csv", columns: []string{"lat", "long", "depth"}, format: "csv", names: []string{"lat", "long", "depth"}, n: 1000,
		first: []float64{-20.42, 181.62, 562.0}, last: []float64{-21.59, 170.56, 165.0},
		lo: []float64{-38.59, 165.67, 40.0}, hi: []float64{-10.72, 188.13, 680.0}},
	// No header: the CLI rule takes the first 3 columns, here x, y and the label.
	{file: "spiral.txt", format: "csv", n: 312,
		first: []float64{31.95, 7.95, 3.0}, last: []float64{15.65, 14.6, 2.0},
		lo: []float64{3.0, 2.9, 1.0}, hi: []float64{31.95, 31.65, 3.0}},
	{file: "spiral.txt", columns: []string{"1", "2"}, format: "csv", names: []string{"x", "y"}, n: 312,
		first: []float64{31.95, 7.95}, last: []float64{15.65, 14.6},
		lo: []float64{3.0, 2.9}, hi: []float64{31.95, 31.65}},
	{file: "points_cloudcompare.xyz", format: "csv", n: 101,
		first: []float64{665187.522077, 5648349.895035, 241.767693}, last: []float64{665184.713891, 5648298.096676, 228.049194},
		lo: []float64{665171.37498, 5648298.096676, 228.049194}, hi: []float64{665187.870931, 5648381.899135, 245.90329}},
	{file: "autzen-bmx-largersample.txt", format: "csv", names: []string{"X", "Y", "Z"}, n: 103,
		first: []float64{194506.86, 259235.01, 426.54}, last: []float64{194496.42, 259230.39, 426.05},
		lo: []float64{194472.82, 259222.19, 423.2}, hi: []float64{194506.86, 259263.94, 433.96}},
}

func bbox(c *Cloud) (lo, hi []float64) {
	lo, hi = make([]float64, c.Dim), make([]float64, c.Dim)
	for k := range lo {
		lo[k], hi[k] = math.Inf(1), math.Inf(-1)
	}
	for i := 0; i < len(c.Points); i++ {
		k := i % c.Dim
		lo[k] = math.Min(lo[k], c.Points[i])
		hi[k] = math.Max(hi[k], c.Points[i])
	}
	return lo, hi
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRealFiles(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range realFiles {
		covered[tc.file] = true
		t.Run(tc.file+strings.Join(tc.columns, ","), func(t *testing.T) {
			c, err := ReadFile(filepath.Join(dataDir, tc.file), ReadOptions{Columns: tc.columns})
			if err != nil {
				t.Fatal(err)
			}
			dim := len(tc.first)
			if c.N() != tc.n || c.Dim != dim || len(c.Points) != tc.n*dim {
				t.Fatalf("n=%d dim=%d len=%d, want n=%d dim=%d", c.N(), c.Dim, len(c.Points), tc.n, dim)
			}
			if c.Format != tc.format {
				t.Errorf("format %q, want %q", c.Format, tc.format)
			}
			names := tc.names
			if names == nil {
				names = []string{"x", "y", "z"}[:dim]
			}
			if strings.Join(c.Names, ",") != strings.Join(names, ",") {
				t.Errorf("names %q, want %q", c.Names, names)
			}
			if got := c.Points[:dim]; !equalFloats(got, tc.first) {
				t.Errorf("first %v, want %v", got, tc.first)
			}
			if got := c.Points[len(c.Points)-dim:]; !equalFloats(got, tc.last) {
				t.Errorf("last %v, want %v", got, tc.last)
			}
			lo, hi := bbox(c)
			if !equalFloats(lo, tc.lo) || !equalFloats(hi, tc.hi) {
				t.Errorf("bbox %v..%v, want %v..%v", lo, hi, tc.lo, tc.hi)
			}
			// The same bytes through an io.Reader that hides its size and cannot
			// seek (a pipe on stdin), with the format sniffed: the same points.
			raw, err := os.ReadFile(filepath.Join(dataDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			c2, err := Read(io.MultiReader(bytes.NewReader(raw)), "<stdin>", ReadOptions{Columns: tc.columns})
			if err != nil {
				t.Fatal(err)
			}
			if !equalFloats(c.Points, c2.Points) || c2.Format != c.Format || c2.Source != "<stdin>" {
				t.Errorf("reading from a pipe gave different points or format %q", c2.Format)
			}
		})
	}
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		ext := filepath.Ext(e.Name()) // LAS and LAZ files: TestLASRealFiles, TestLAZRefused
		if !covered[e.Name()] && e.Name() != "SOURCES.md" && ext != ".las" && ext != ".laz" {
			t.Errorf("testdata/data/%s has no test case", e.Name())
		}
	}
}

func TestPlatonicShelfEndiannessBitIdentical(t *testing.T) {
	le, err := ReadFile(filepath.Join(dataDir, "platonic_shelf.ply"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	be, err := ReadFile(filepath.Join(dataDir, "platonic_shelf_big_endian.ply"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(le.Points) != 150 || len(be.Points) != 150 {
		t.Fatalf("lengths %d, %d, want 150", len(le.Points), len(be.Points))
	}
	for i := range le.Points {
		if math.Float64bits(le.Points[i]) != math.Float64bits(be.Points[i]) {
			t.Fatalf("value %d: %v (LE) != %v (BE)", i, le.Points[i], be.Points[i])
		}
	}
}

func TestQuakesWithoutColumnsSuggestsColumns(t *testing.T) {
	_, err := ReadFile(filepath.Join(dataDir, "quakes.csv"), ReadOptions{})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Line != 1 {
		t.Fatalf("got %v, want an InputError at line 1", err)
	}
	for _, want := range []string{`"rownames"`, `"lat"`, `"stations"`, "--columns lat,long,depth"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not mention %s", err, want)
		}
	}
}

func TestFormatSelection(t *testing.T) {
	for path, want := range map[string]Format{"a.ply": FormatPLY, "A.PLY": FormatPLY, "a.csv": FormatText,
		"a.txt": FormatText, "a.xyz": FormatText, "a.tsv": FormatText, "a.dat": FormatAuto, "a": FormatAuto} {
		if got := FormatFromExt(path); got != want {
			t.Errorf("FormatFromExt(%q) = %q, want %q", path, got, want)
		}
	}
	ply := "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n1 2\n"
	// Sniffed: "ply" magic; forced text: the same bytes are a text file with a header
	// "ply" that has no x, y.
	c, err := Read(strings.NewReader(ply), "s", ReadOptions{})
	if err != nil || c.Format != "ply ascii" || !equalFloats(c.Points, []float64{1, 2}) {
		t.Fatalf("sniffed: %v %+v", err, c)
	}
	if _, err := Read(strings.NewReader(ply), "s", ReadOptions{Format: FormatText}); err == nil {
		t.Error("--format csv on a PLY file was accepted")
	}
	c, err = Read(strings.NewReader("x y\n1 2\n"), "s", ReadOptions{})
	if err != nil || c.Format != "csv" {
		t.Fatalf("sniffed text: %v", err)
	}
	if _, err := Read(strings.NewReader("x y\n1 2\n"), "s", ReadOptions{Format: FormatPLY}); err == nil {
		t.Error("--format ply on a text file was accepted")
	}
	// Unknown extension: sniffed from the content.
	dir := t.TempDir()
	p := filepath.Join(dir, "cloud.dat")
	if err := os.WriteFile(p, []byte(ply), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := ReadFile(p, ReadOptions{}); err != nil || c.Format != "ply ascii" {
		t.Errorf("cloud.dat: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.csv"), ReadOptions{}); !isInputError(err) {
		t.Errorf("missing file: %v, want an InputError", err)
	}
}

func isInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
