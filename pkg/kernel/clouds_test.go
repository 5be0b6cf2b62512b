package kernel

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Test clouds: generators with the formulas of testdata/reference/README.md, and a
// minimal reader for the real clouds in testdata/data (pkg/io is not used on purpose).

const dataDir = "../../testdata/data"
const refDir = "../../testdata/reference"

type cloud struct {
	name  string
	dim   int
	pts   []float64
	sigma float64
}

func (c cloud) n() int { return len(c.pts) / c.dim }

func swissRoll(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	pts := make([]float64, 0, 3*n)
	for i := 0; i < n; i++ {
		t := 2 * math.Pi * float64(i) / float64(n)
		u := r.Float64()
		pts = append(pts,
			float64(float32(0.4+0.4*(t/7)*math.Cos(1.5*t)+0.01*r.NormFloat64())),
			float64(float32(0.1+0.8*u+0.01*r.NormFloat64())),
			float64(float32(0.5+0.3*(t/7)*math.Sin(1.5*t)+0.01*r.NormFloat64())))
	}
	return pts
}

func spiral(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 2))
	pts := make([]float64, 0, 2*n)
	for i := 0; i < n; i++ {
		t := 2 * math.Pi * float64(i) / float64(n)
		pts = append(pts,
			float64(float32(0.4+0.4*(t/7)*math.Cos(t)+0.01*r.NormFloat64())),
			float64(float32(0.5+0.3*math.Sin(t)+0.01*r.NormFloat64())))
	}
	return pts
}

func uniform(n, dim int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 3))
	pts := make([]float64, n*dim)
	for i := range pts {
		pts[i] = r.Float64()
	}
	return pts
}

// readTable reads numeric rows of a text table (comma or whitespace separated, header
// and quotes skipped) and keeps columns cols.
func readTable(t testing.TB, path string, cols []int) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pts []float64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.FieldsFunc(sc.Text(), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' })
		row := make([]float64, 0, len(cols))
		for _, c := range cols {
			if c >= len(f) {
				break
			}
			v, err := strconv.ParseFloat(f[c], 64)
			if err != nil {
				break
			}
			row = append(row, v)
		}
		if len(row) == len(cols) {
			pts = append(pts, row...)
		}
	}
	return pts
}

// readPLY reads x, y, z of the first properties of the vertex element from an ascii
// PLY, or a binary little-endian one whose vertices are three float32 (lille_street).
func readPLY(t testing.TB, path string) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := bytes.Index(b, []byte("end_header\n"))
	head := string(b[:end])
	body := b[end+len("end_header\n"):]
	var n int
	for _, line := range strings.Split(head, "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "element" && f[1] == "vertex" {
			n, _ = strconv.Atoi(f[2])
		}
	}
	pts := make([]float64, 0, 3*n)
	if strings.Contains(head, "format ascii") {
		sc := bufio.NewScanner(bytes.NewReader(body))
		for i := 0; i < n && sc.Scan(); i++ {
			f := strings.Fields(sc.Text())
			for a := 0; a < 3; a++ {
				v, err := strconv.ParseFloat(f[a], 64)
				if err != nil {
					t.Fatal(err)
				}
				pts = append(pts, v)
			}
		}
		return pts
	}
	for i := 0; i < 3*n; i++ {
		pts = append(pts, float64(math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))))
	}
	return pts
}

// subsample keeps about m points, evenly spaced in input order.
func subsample(pts []float64, dim, m int) []float64 {
	n := len(pts) / dim
	if n <= m {
		return pts
	}
	out := make([]float64, 0, m*dim)
	for k := 0; k < m; k++ {
		i := k * n / m
		out = append(out, pts[i*dim:(i+1)*dim]...)
	}
	return out
}

// extentSigma picks sigma as a fraction of the largest extent.
func extentSigma(pts []float64, dim int, frac float64) float64 {
	ext := 0.0
	for a := 0; a < dim; a++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := a; i < len(pts); i += dim {
			lo, hi = math.Min(lo, pts[i]), math.Max(hi, pts[i])
		}
		ext = math.Max(ext, hi-lo)
	}
	return ext * frac
}

// realClouds are the files of testdata (subsampled to at most m points).
func realClouds(t testing.TB, m int) []cloud {
	var cs []cloud
	add := func(name string, dim int, pts []float64, frac float64) {
		pts = subsample(pts, dim, m)
		cs = append(cs, cloud{name, dim, pts, extentSigma(pts, dim, frac)})
	}
	add("spiral_n1000_ref", 2, readTable(t, filepath.Join(refDir, "spiral_n1000_s0.05_points.csv"), []int{0, 1}), 0.05/0.8)
	add("swissroll_n1000_ref", 3, readTable(t, filepath.Join(refDir, "swissroll_n1000_s0.1_points.csv"), []int{0, 1, 2}), 0.1/0.8)
	add("spiral_n5000_ref", 2, readTable(t, filepath.Join(refDir, "spiral_n5000_s0.03_points.csv"), []int{0, 1}), 0.03/0.8)
	add("quakes_3d", 3, readTable(t, filepath.Join(dataDir, "quakes.csv"), []int{1, 2, 3}), 0.03)
	add("spiral_txt", 2, readTable(t, filepath.Join(dataDir, "spiral.txt"), []int{0, 1}), 0.03)
	add("cloudcompare_utm", 3, readTable(t, filepath.Join(dataDir, "points_cloudcompare.xyz"), []int{0, 1, 2}), 0.05)
	add("autzen", 3, readTable(t, filepath.Join(dataDir, "autzen-bmx-largersample.txt"), []int{0, 1, 2}), 0.05)
	add("bunny", 3, readPLY(t, filepath.Join(dataDir, "bun_zipper_res2.ply")), 0.02)
	add("featuretype_dups", 3, readPLY(t, filepath.Join(dataDir, "featuretype.ply")), 0.03)
	add("lille_street", 3, readPLY(t, filepath.Join(dataDir, "lille_street_small.ply")), 0.01)
	for _, c := range cs {
		if c.n() < 50 {
			t.Fatalf("%s: read only %d points", c.name, c.n())
		}
	}
	return cs
}
