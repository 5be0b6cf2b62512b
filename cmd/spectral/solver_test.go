package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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
	// The fine level's block products, the trivial pair's check and the coarse build.
	if s.Passes != s.Levels[0].Passes+2 {
		t.Errorf("passes %d, fine level %d: want the fine passes + 2", s.Passes, s.Levels[0].Passes)
	}
	// The human summary says the same.
	r0 := spectral(t, nil, "embed", in, "--sigma", "0.05", "--cutoff", "0", "--solver", "multilevel", "-o", filepath.Join(dir, "h.csv"))
	sizes := []string{}
	for _, l := range s.Levels {
		sizes = append(sizes, strconv.Itoa(l.N))
	}
	want := fmt.Sprintf("multilevel: %d passes of block %d, levels %s;", s.Passes, s.Block, strings.Join(sizes, " -> "))
	if r0.code != 0 || !strings.Contains(r0.stderr, want) {
		t.Errorf("human summary: exit %d, want %q in\n%s", r0.code, want, r0.stderr)
	}
	r1 := spectral(t, nil, "embed", in, "--sigma", "0.05", "--cutoff", "0", "--solver", "lanczos", "-o", filepath.Join(dir, "l.csv"))
	if r1.code != 0 || !regexp.MustCompile(`\nlanczos: \d+ products, \d+ restarts;`).MatchString(r1.stderr) {
		t.Errorf("human summary (lanczos): exit %d\n%s", r1.code, r1.stderr)
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
