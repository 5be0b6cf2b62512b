package main

// Tests of the formats and outputs point-cloud users expect: LAS and LAZ inputs, .npy
// input and output, PLY output that loses nothing, the default output name, --version.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// TestLASInputs: LAS through the CLI, counts and boxes as scripts/las_check.py computes
// them from the raw records; LAZ refused with exit 2 and the way to decompress it.
func TestLASInputs(t *testing.T) {
	in := infoOf(t, nil, "--no-spacing", filepath.Join(dataDir, "simple1_4.las"))
	if in.Format != "las 1.4 point format 7" || in.N != 22600 || in.Dim != 3 ||
		!slices.Equal(in.BBoxMin, []float64{1, 1, 44}) || !slices.Equal(in.BBoxMax, []float64{226.00000000000003, 100.00000000000003, 254}) {
		t.Errorf("info simple1_4.las: %+v", in)
	}
	raw, err := os.ReadFile(filepath.Join(dataDir, "test1_4.las"))
	if err != nil {
		t.Fatal(err)
	}
	if in := infoOf(t, raw, "--no-spacing", "-"); in.N != 1000 || in.BBoxMin[0] != 1694038.4456374517 {
		t.Errorf("info test1_4.las on stdin: %+v", in)
	}
	for _, args := range [][]string{{"info", filepath.Join(dataDir, "simple.laz")},
		{"embed", "--sigma", "1", filepath.Join(dataDir, "simple.laz"), "-o", filepath.Join(t.TempDir(), "x.csv")}} {
		r := spectral(t, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "LAZ") || !strings.Contains(r.stderr, "laszip -i in.laz -o out.las") || strings.Count(r.stderr, "spectral: ") != 1 {
			t.Errorf("spectral %v: exit %d, stderr %q; want exit 2 and one line on decompressing", args, r.code, r.stderr)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	a, b := mustRun(t, nil, "--version"), mustRun(t, nil, "version")
	if a.stdout != b.stdout || !strings.HasPrefix(a.stdout, "spectral ") {
		t.Errorf("--version printed %q, version %q", a.stdout, b.stdout)
	}
}

// plyHeader returns the header of a PLY file, up to end_header.
func plyHeader(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := bytes.Index(b, []byte("end_header\n"))
	if end < 0 {
		t.Fatalf("%s: no end_header", path)
	}
	return string(b[:end])
}

// TestEmbedPLYLosesNothing: georeferenced coordinates come back exactly (from info and
// from numpy), the input's columns are carried (unless --no-carry), the header says what
// the file holds, and a 2-D input's z is announced.
func TestEmbedPLYLosesNothing(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dataDir, "points_cloudcompare.xyz")
	out := filepath.Join(dir, "out.ply")
	mustRun(t, nil, "embed", "--sigma", "5", "-k", "3", "-q", in, "-o", out)
	src := infoOf(t, nil, "--no-spacing", in)
	got := infoOf(t, nil, "--no-spacing", out)
	if got.N != 101 || !slices.Equal(got.BBoxMin, src.BBoxMin) || !slices.Equal(got.BBoxMax, src.BBoxMax) {
		t.Errorf("PLY bbox %v %v, input %v %v", got.BBoxMin, got.BBoxMax, src.BBoxMin, src.BBoxMax)
	}
	hdr := plyHeader(t, out)
	for _, want := range []string{"property double x\n", "property double col4\n", "property double col7\n", "property float phi3\n",
		"comment sigma 5, cutoff 5.7", "normalized Laplacian\n", "comment eigenvalues phi1=", "comment red, green, blue show phi2"} {
		if !strings.Contains(hdr, want) {
			t.Errorf("header lacks %q:\n%s", want, hdr)
		}
	}
	mustRun(t, nil, "embed", "--sigma", "5", "-k", "3", "-q", "--no-carry", in, "-o", out)
	if hdr := plyHeader(t, out); strings.Contains(hdr, "col4") {
		t.Errorf("--no-carry still carries:\n%s", hdr)
	}
	// 2-D input: z = 0, said in the header.
	mustRun(t, nil, "embed", "--sigma", "1", "-k", "2", "-q", "--columns", "lat,long", filepath.Join(dataDir, "quakes.csv"), "-o", out)
	if hdr := plyHeader(t, out); !strings.Contains(hdr, "comment 2-D input (lat, long): z = 0 for every point\n") || !strings.Contains(hdr, "property double depth\n") {
		t.Errorf("2-D header:\n%s", hdr)
	}
}

// TestEmbedPLYReadByNumpy: a PLY of points_cloudcompare.xyz parsed by numpy from its
// header gives the text's coordinates and colours exactly (Debian's numpy, when present).
func TestEmbedPLYReadByNumpy(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	out := filepath.Join(t.TempDir(), "out.ply")
	in := filepath.Join(dataDir, "points_cloudcompare.xyz")
	mustRun(t, nil, "embed", "--sigma", "5", "-k", "3", "-q", in, "-o", out)
	script := `
import sys, numpy as np
raw = open(sys.argv[1], "rb").read()
end = raw.index(b"end_header\n") + len(b"end_header\n")
T = {"float": "<f4", "double": "<f8", "uchar": "u1"}
props = [l.split()[1:] for l in raw[:end].decode().splitlines() if l.startswith("property")]
rec = np.frombuffer(raw[end:], dtype=np.dtype([(n, T[t]) for t, n in props]))
ref = np.array([[float(v) for v in l.split()] for l in open(sys.argv[2]) if l.strip()])
got = np.stack([rec[n].astype(np.float64) for n in ("x", "y", "z", "col4", "col5", "col6", "col7")], axis=1)
print(len(rec), bool(np.array_equal(got, ref)))
`
	b, err := exec.Command(py, "-c", script, out, in).CombinedOutput()
	if err != nil {
		if strings.Contains(string(b), "No module named") {
			t.Skip("no numpy")
		}
		t.Fatalf("%v: %s", err, b)
	}
	if strings.TrimSpace(string(b)) != "101 True" {
		t.Fatalf("numpy: %s", b)
	}
}

// TestEmbedDefaultNameAndNPY: the default output is named after the input; -o x.npy
// writes the same numbers as the CSV, bit for bit.
func TestEmbedDefaultNameAndNPY(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "spiral.txt")
	raw, err := os.ReadFile(filepath.Join(dataDir, "spiral.txt"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, in, raw)
	base := []string{"embed", "--sigma", "1", "-k", "3", "-q", "--columns", "1,2", in}
	mustRun(t, nil, base...)
	tab := readCSV(t, filepath.Join(dir, "spiral.eigvecs.csv"))
	npy := filepath.Join(dir, "e.npy")
	mustRun(t, nil, append(base, "-o", npy)...)
	f, err := os.Open(npy)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vals, rows, cols, err := cloudio.ReadNPYArray(f, npy)
	if err != nil || rows != 312 || cols != 5 {
		t.Fatalf("npy: %v, %d x %d", err, rows, cols)
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if vals[i*cols+j] != tab.rows[i][j] {
				t.Fatalf("npy [%d,%d] = %v, CSV %v", i, j, vals[i*cols+j], tab.rows[i][j])
			}
		}
	}
	// The .npy of a cloud is an input too.
	mustRun(t, nil, "generate", "spiral", "-n", "200", "-o", filepath.Join(dir, "s.npy"))
	if in := infoOf(t, nil, "--no-spacing", filepath.Join(dir, "s.npy")); in.N != 200 || in.Dim != 2 || in.Format != "npy float64 C-order" {
		t.Errorf("info of a generated .npy: %+v", in)
	}
}
