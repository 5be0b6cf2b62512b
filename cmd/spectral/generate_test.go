package main

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

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
