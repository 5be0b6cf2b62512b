package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spectral-dev/spectral/internal/testref"
)

// --solver multilevel on a reference cloud: the summary says which solver ran, its
// levels, passes and block, and the eigenvalues match numpy's; a bad value exits 2.
func TestEmbedSolverFlag(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(refDir, "spiral_n1000_s0.05_points.csv")
	sum := filepath.Join(dir, "s.json")
	mustRun(t, nil, "embed", in, "--sigma", "0.05", "--cutoff", "0", "--solver", "multilevel",
		"-o", filepath.Join(dir, "e.csv"), "-q", "--summary", sum)
	b, err := os.ReadFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Solver      string `json:"solver"`
		Passes      int    `json:"passes"`
		Block       int    `json:"block"`
		Levels      []struct{ N, Passes int }
		Eigenvalues []float64 `json:"eigenvalues"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Solver != "multilevel" || s.Passes == 0 || s.Block == 0 || len(s.Levels) < 2 || s.Levels[0].N != 1000 {
		t.Fatalf("summary: %+v", s)
	}
	_, lnorm := testref.Eigen(t, "spiral_n1000_s0.05")
	for j, w := range lnorm {
		if !near(s.Eigenvalues[j], w, 1e-6) && math.Abs(s.Eigenvalues[j]-w) > 1e-9 {
			t.Errorf("eigenvalue %d = %.12g, numpy %.12g", j, s.Eigenvalues[j], w)
		}
	}
	r := spectral(t, nil, "embed", in, "--sigma", "0.05", "--solver", "fast", "-o", filepath.Join(dir, "x.csv"), "-q")
	if r.code != 2 || !strings.Contains(r.stderr, "--solver") {
		t.Fatalf("--solver fast: exit %d, stderr %q", r.code, r.stderr)
	}
}
