package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/embed"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

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
	// The whole run's estimate is its stages' sum, each measured or estimated.
	e := in.Estimate
	if sum := e.ReadSeconds + e.GridSeconds + e.KernelSeconds + e.SolveSeconds + e.WriteSeconds; !(e.ReadSeconds > 0 && e.GridSeconds > 0 &&
		e.KernelSeconds > 0 && e.WriteSeconds > 0 && math.Abs(e.RunSeconds-sum) <= 1e-9*sum) {
		t.Errorf("whole run %g s, stages %+v (sum %g)", e.RunSeconds, *e, sum)
	}
	if r := mustRun(t, nil, "info", "--sigma", "1000", "--cutoff", "4", shelf); !strings.Contains(r.stdout, "whole run ") {
		t.Errorf("no whole-run estimate in\n%s", r.stdout)
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

// TestInfoFlags: info's flags are validated before the input is read (the runner never
// sees bad ones), and --sigma asks for the estimate with its cutoff and solver.
func TestInfoFlags(t *testing.T) {
	checkFlags(t, func(ran func(infoPlan)) *cobra.Command {
		return newInfoCmd(func(_ *cobra.Command, _ *infoOptions, _ string, p infoPlan) error { ran(p); return nil })
	}, []flagCase[infoPlan]{
		{[]string{"c.csv"}, func(p infoPlan) bool { return !p.estimate && p.read.Format == cloudio.FormatAuto }, ""},
		{[]string{"--sigma", "0.02", "--cutoff", "4", "--solver", "lanczos", "--format", "ply", "c.txt"}, func(p infoPlan) bool {
			return p.estimate && p.sigma == 0.02 && p.cutoff == 4 && p.solver == embed.SolverLanczos && p.read.Format == cloudio.FormatPLY
		}, ""},
		{[]string{"--sigma", "AUTO", "--columns", "lat,long", "q.csv"}, func(p infoPlan) bool {
			return p.estimate && p.sigma == 0 && p.cutoff == embed.CutoffAuto && p.solver == embed.SolverAuto && slices.Equal(p.read.Columns, []string{"lat", "long"})
		}, ""},
		{[]string{"--sigma", "-1", "c.csv"}, nil, "--sigma"},
		{[]string{"--sigma", "0", "c.csv"}, nil, "--sigma"},
		{[]string{"--sigma", "0.1", "--cutoff", "-3", "c.csv"}, nil, "--cutoff"},
		{[]string{"--sigma", "0.1", "--solver", "fast", "c.csv"}, nil, "--solver"},
		{[]string{"--format", "xls", "c.csv"}, nil, "--format"},
		{[]string{"--columns", "1", "c.csv"}, nil, "--columns"},
	})
}

// The sigma info reports for --sigma auto is the one embed uses: widened where the
// spacing rule's leaves the graph in pieces (featuretype.ply connects at 1.5625x, the
// binary search's value, docs/bench/cluster.md), the rule's where it is connected, and
// the rule's with the components named where 2x does not connect them.
func TestInfoSigmaAutoWidened(t *testing.T) {
	for _, c := range []struct {
		file       string
		args       []string
		raise      float64
		components []int
	}{
		{"featuretype.ply", nil, 1.5625, []int{5096}},
		{"spiral.txt", []string{"--columns", "1,2"}, 1, []int{312}},
		{"cycloidal.ply", nil, 1, []int{20939, 232, 164, 49}},
	} {
		in := infoOf(t, nil, append(c.args, filepath.Join(dataDir, c.file))...)
		if in.SuggestedSigma == nil || in.SpacingSigma == nil || in.SigmaRaise == nil {
			t.Fatalf("%s: sigma fields missing: %+v", c.file, in)
		}
		if *in.SigmaRaise != c.raise || !near(*in.SuggestedSigma, c.raise**in.SpacingSigma, 1e-12) || !slices.Equal(in.Components, c.components) {
			t.Errorf("%s: suggested_sigma %v, spacing_sigma %v, raise %v, components %v; want raise %v, components %v",
				c.file, *in.SuggestedSigma, *in.SpacingSigma, *in.SigmaRaise, in.Components, c.raise, c.components)
		}
	}
	if r := mustRun(t, nil, "info", filepath.Join(dataDir, "featuretype.ply")); !strings.Contains(r.stdout, "sigma auto 0.176927 (the spacing rule's 0.113233 widened 1.56x") {
		t.Errorf("text output:\n%s", r.stdout)
	}
}

func TestRoughTime(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want string
	}{{0.484, "0.484 s"}, {88.8, "88.8 s"}, {619, "10 min"}, {7540, "2.1 h"}} {
		if got := roughTime(c.s); got != c.want {
			t.Errorf("roughTime(%g) = %q, want %q", c.s, got, c.want)
		}
	}
}
