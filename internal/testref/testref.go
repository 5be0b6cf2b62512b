// Package testref reads the project's ground truth, testdata/reference, for the tests of
// every package: the reference clouds (as numpy wrote them) and the dense float64
// eigenvalues of their Laplacians. One reader, so that all tests read the files alike.
package testref

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Dir is the absolute path of testdata/reference.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "reference")
}

// Points reads a points CSV of the reference (a header, then %.9g values of float32
// numbers) as rows, each value rounded to the float32 it was written from.
func Points(t testing.TB, file string) [][]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(Dir(), file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]float64
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		var p []float64
		for _, s := range strings.Split(strings.TrimSpace(sc.Text()), ",") {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s row %d: %v", file, len(rows)+1, err)
			}
			p = append(p, float64(float32(x)))
		}
		rows = append(rows, p)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// Flat is Points as one row-major slice.
func Flat(t testing.TB, file string) []float64 {
	t.Helper()
	var flat []float64
	for _, p := range Points(t, file) {
		flat = append(flat, p...)
	}
	return flat
}

// Eigen reads the dense float64 eigenvalues (numpy's eigh) of L and L_norm for the case
// name (e.g. "spiral_n1000_s0.05"), ascending.
func Eigen(t testing.TB, name string) (l, lnorm []float64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(), name+"_eigen.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		L struct {
			Eigh []float64 `json:"eigh_float64"`
		} `json:"L"`
		LNorm struct {
			Eigh []float64 `json:"eigh_float64"`
		} `json:"L_norm"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s_eigen.json: %v", name, err)
	}
	return r.L.Eigh, r.LNorm.Eigh
}

// Correlation is |<a, b>| / (|a| |b|): how well two eigenvectors agree, whatever their sign
// and scale.
func Correlation(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	return math.Abs(ab) / math.Sqrt(aa*bb)
}
