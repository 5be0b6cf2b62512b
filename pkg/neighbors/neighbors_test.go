package neighbors

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spectral-dev/spectral/pkg/generate"
)

// bruteForce computes the Spacing of every point in O(N^2) straight from the definition:
// for each point, the distances to every other distinct position, sorted.
func bruteForce(points []float64, dim int) Spacing {
	n := len(points) / dim
	pos := func(i int) []float64 { return points[i*dim : i*dim+dim] }
	// distinct positions, by plain pairwise comparison
	var reps []int
	for i := range n {
		if !slices.ContainsFunc(reps, func(r int) bool { return slices.Equal(pos(r), pos(i)) }) {
			reps = append(reps, i)
		}
	}
	k := min(SigmaK, len(reps)-1)
	var nn, kth []float64
	for i := range n {
		var d []float64
		for _, r := range reps {
			if slices.Equal(pos(r), pos(i)) {
				continue
			}
			s := 0.0
			for a := range dim {
				s += (pos(r)[a] - pos(i)[a]) * (pos(r)[a] - pos(i)[a])
			}
			d = append(d, math.Sqrt(s))
		}
		slices.Sort(d)
		nn = append(nn, d[0])
		kth = append(kth, d[k-1])
	}
	slices.Sort(nn)
	slices.Sort(kth)
	sp := Spacing{N: n, Duplicates: n - len(reps), Sampled: n,
		NNMedian: quantile(nn, 0.5), NN95: quantile(nn, 0.95), KNNMedian: quantile(kth, 0.5)}
	sp.SuggestedSigma = sp.KNNMedian
	return sp
}

func close(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b)) }

func checkSpacing(t *testing.T, name string, got, want Spacing, rel float64) {
	t.Helper()
	if got.N != want.N || got.Duplicates != want.Duplicates || got.Sampled != want.Sampled {
		t.Errorf("%s: N/Duplicates/Sampled = %d/%d/%d, want %d/%d/%d", name,
			got.N, got.Duplicates, got.Sampled, want.N, want.Duplicates, want.Sampled)
	}
	for _, f := range []struct {
		what      string
		got, want float64
	}{{"NNMedian", got.NNMedian, want.NNMedian}, {"NN95", got.NN95, want.NN95},
		{"KNNMedian", got.KNNMedian, want.KNNMedian}, {"SuggestedSigma", got.SuggestedSigma, want.SuggestedSigma}} {
		if !close(f.got, f.want, rel) {
			t.Errorf("%s: %s = %.17g, want %.17g", name, f.what, f.got, f.want)
		}
	}
}

// cloud makes n random points in dim dimensions; dup of them are copies of earlier ones,
// and with lattice > 0 coordinates are rounded to a lattice (many exact ties in distance).
func cloud(rng *rand.Rand, n, dim, dup int, lattice float64, shape string) []float64 {
	p := make([]float64, 0, n*dim)
	for i := range n {
		if i > 0 && i >= n-dup {
			j := rng.IntN(i)
			p = append(p, p[j*dim:j*dim+dim]...)
			continue
		}
		for a := range dim {
			v := rng.Float64()
			switch shape {
			case "clustered": // a few tight clusters far apart: crowded cells
				v = float64(rng.IntN(3))*100 + rng.NormFloat64()*0.01
			case "line": // collinear in a tilted direction
				if a > 0 {
					v = p[len(p)-a] * float64(a+1)
				}
			case "flat": // a plane z = 0.5
				if a == 2 {
					v = 0.5
				}
			case "utm": // large offset, centimetre spacing
				v = 5e6 + 100*v
			case "far clusters": // two unit boxes 1e7 apart on x
				if a == 0 {
					v += float64(i%2) * 1e7
				}
			case "far outlier": // a unit box and one point 1e15 away: cells as small as
				// the float64 cell arithmetic allows, still several points each
				if i == 0 {
					v = 1e15
				}
			}
			if lattice > 0 {
				v = math.Round(v/lattice) * lattice
			}
			p = append(p, v)
		}
	}
	// shuffle so duplicates are not at the end
	for i := n - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		for a := range dim {
			p[i*dim+a], p[j*dim+a] = p[j*dim+a], p[i*dim+a]
		}
	}
	return p
}

func TestMatchesBruteForce(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dim := range []int{2, 3} {
		for _, tc := range []struct {
			n, dup  int
			lattice float64
			shape   string
		}{
			{2, 0, 0, ""}, {3, 0, 0, ""}, {11, 0, 0, ""}, {12, 5, 0, ""}, {200, 0, 0, ""},
			{1500, 300, 0, ""}, {1500, 0, 0.05, ""}, {800, 400, 0.1, ""},
			{1000, 100, 0, "clustered"}, {600, 50, 0, "line"}, {900, 100, 0, "flat"},
			{700, 70, 0, "utm"},
			{1000, 0, 0, "far clusters"}, {1000, 10, 0, "far outlier"},
		} {
			p := cloud(rng, tc.n, dim, tc.dup, tc.lattice, tc.shape)
			name := fmt.Sprintf("dim %d n %d dup %d lattice %g %s", dim, tc.n, tc.dup, tc.lattice, tc.shape)
			got, err := Measure(p, dim, Options{})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			checkSpacing(t, name, got, bruteForce(p, dim), 1e-12)
		}
	}
}

// An isolated point far from a dense cluster makes the ring search give up on shells and
// walk the occupied cells; a sparse scatter of outliers exercises both paths at once.
func TestOutliers(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	p := cloud(rng, 3000, 3, 0, 0, "")
	for i := range 3000 {
		for a := range 3 {
			p[3*i+a] *= 0.01
		}
	}
	for i := range 5 {
		p = append(p, 1e3*float64(i+1), -50*float64(i), 7)
	}
	got, err := Measure(p, 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkSpacing(t, "outliers", got, bruteForce(p, 3), 1e-12)
}

func TestDegenerate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		p      []float64
		dim, d int
	}{
		{"one point", []float64{1, 2, 3}, 3, 0},
		{"empty", nil, 2, 0},
		{"all identical", slices.Repeat([]float64{5e6, 4e6}, 1000), 2, 999},
		{"minus zero equals zero", []float64{0, 0, 0, math.Copysign(0, -1), 0, 0}, 3, 1},
	} {
		sp, err := Measure(tc.p, tc.dim, Options{})
		if !errors.Is(err, ErrNoSpacing) {
			t.Errorf("%s: err = %v, want ErrNoSpacing", tc.name, err)
		}
		if sp.N != len(tc.p)/tc.dim || sp.Duplicates != tc.d || sp.SuggestedSigma != 0 {
			t.Errorf("%s: got %+v, want N %d, Duplicates %d, sigma 0", tc.name, sp, len(tc.p)/tc.dim, tc.d)
		}
	}

	// Two points (one of them twice): every distance is the one between them.
	sp, err := Measure([]float64{0, 0, 3, 4, 0, 0}, 2, Options{})
	want := Spacing{N: 3, Duplicates: 1, NNMedian: 5, NN95: 5, KNNMedian: 5, Sampled: 3, SuggestedSigma: 5}
	if err != nil || sp != want {
		t.Errorf("two positions: got %+v, %v; want %+v", sp, err, want)
	}

	for _, tc := range []struct {
		name string
		p    []float64
		dim  int
	}{
		{"dim 4", make([]float64, 8), 4},
		{"dim 1", make([]float64, 8), 1},
		{"ragged", make([]float64, 7), 3},
		{"NaN", []float64{0, 0, math.NaN(), 1}, 2},
		{"Inf", []float64{0, 0, 1, math.Inf(-1), 1, 1}, 3},
		{"extent overflows", []float64{-1e308, 0, 1e308, 1}, 2},
	} {
		if _, err := Measure(tc.p, tc.dim, Options{}); err == nil || errors.Is(err, ErrNoSpacing) {
			t.Errorf("%s: err = %v, want an input error", tc.name, err)
		}
	}
}

// On a square lattice (every position three times) the nearest distinct neighbour is one
// spacing away and the 10th is 2 spacings away (4 neighbours at 1 spacing, 4 at sqrt 2, 4
// at 2) for all but the points near the border. Far from the origin (UTM-like offsets,
// centimetre spacing) the spacing must survive the offset to ~1e-9 relative: the
// coordinates themselves are rounded to ~1e-9 m there.
func TestLattice(t *testing.T) {
	for _, tc := range []struct {
		x0, y0, step, rel float64
	}{
		{1e5, -2e5, 0.5, 0},
		{5e5, 5e6, 0.01, 1e-7},
	} {
		var p []float64
		for i := range 40 {
			for j := range 40 {
				for range 3 {
					p = append(p, tc.x0+tc.step*float64(i), tc.y0+tc.step*float64(j))
				}
			}
		}
		sp, err := Measure(p, 2, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := Spacing{N: 4800, Duplicates: 3200, Sampled: 4800,
			NNMedian: tc.step, NN95: tc.step, KNNMedian: 2 * tc.step, SuggestedSigma: 2 * tc.step}
		checkSpacing(t, fmt.Sprintf("lattice at (%g, %g)", tc.x0, tc.y0), sp, want, tc.rel)
	}
}

func TestDeterministic(t *testing.T) {
	p := generate.SwissRoll(60000, 0.01, 0)
	var first Spacing
	for i, opt := range []Options{{Threads: 1}, {Threads: 2}, {Threads: 7}, {Threads: 2}, {MaxQueries: 60000, Threads: 3}} {
		sp, err := Measure(p, 3, opt)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = sp
			if sp.Sampled != DefaultMaxQueries {
				t.Errorf("Sampled = %d, want %d", sp.Sampled, DefaultMaxQueries)
			}
			continue
		}
		if i == 4 {
			if sp.Sampled != 60000 {
				t.Errorf("MaxQueries 60000: Sampled %d", sp.Sampled)
			}
			continue
		}
		if sp != first {
			t.Errorf("options %+v: %+v, first run %+v", opt, sp, first)
		}
	}
}

// The sample of 50,000 queries estimates the full statistics of 2e5 points within a few %.
func TestSampledAgreesWithFull(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	for _, tc := range []struct {
		name string
		p    []float64
		dim  int
	}{
		{"swiss roll 2e5", generate.SwissRoll(200000, 0.01, 0), 3},
		{"spiral 2e5", generate.Spiral(200000, 0.01, 0), 2},
	} {
		full, err := Measure(tc.p, tc.dim, Options{MaxQueries: -1})
		if err != nil {
			t.Fatal(err)
		}
		samp, err := Measure(tc.p, tc.dim, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if full.Sampled != 200000 || samp.Sampled != DefaultMaxQueries || full.Duplicates != samp.Duplicates {
			t.Errorf("%s: Sampled %d/%d, Duplicates %d/%d", tc.name, full.Sampled, samp.Sampled, full.Duplicates, samp.Duplicates)
		}
		want := full
		want.Sampled, want.Duplicates = samp.Sampled, samp.Duplicates
		checkSpacing(t, tc.name+" sampled vs full", samp, want, 0.02)
		t.Logf("%s: full %+v\n sampled %+v", tc.name, full, samp)
	}
}

// readPLY is a tiny reader for the vertex x, y, z of the test files: ascii, or
// binary_little_endian with 4- and 8-byte float properties.
func readPLY(t *testing.T, name string) []float64 {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "data", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var format string
	var n int
	var props []string // vertex property types
	var names []string
	inVertex := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: header: %v", name, err)
		}
		w := strings.Fields(line)
		switch {
		case len(w) == 0:
		case w[0] == "format":
			format = w[1]
		case w[0] == "element":
			inVertex = w[1] == "vertex"
			if inVertex {
				n, _ = strconv.Atoi(w[2])
			}
		case w[0] == "property" && inVertex:
			props = append(props, w[1])
			names = append(names, w[len(w)-1])
		}
		if len(w) > 0 && w[0] == "end_header" {
			break
		}
	}
	col := map[string]int{}
	for i, nm := range names {
		col[nm] = i
	}
	pts := make([]float64, 0, 3*n)
	for range n {
		vals := make([]float64, len(props))
		if format == "ascii" {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for i, s := range strings.Fields(line)[:len(props)] {
				vals[i], _ = strconv.ParseFloat(s, 64)
			}
		} else {
			for i, typ := range props {
				switch typ {
				case "float", "float32":
					var v float32
					if err := binary.Read(r, binary.LittleEndian, &v); err != nil && err != io.EOF {
						t.Fatal(err)
					}
					vals[i] = float64(v)
				case "double", "float64":
					if err := binary.Read(r, binary.LittleEndian, &vals[i]); err != nil {
						t.Fatal(err)
					}
				default:
					t.Fatalf("%s: property type %s not supported by the test reader", name, typ)
				}
			}
		}
		pts = append(pts, vals[col["x"]], vals[col["y"]], vals[col["z"]])
	}
	return pts
}

func TestRealClouds(t *testing.T) {
	// featuretype.ply: an STL export, every vertex repeated per face; 5096 - 3374 = 1722
	// distinct positions (counted independently in Python: len(set((x, y, z) as floats)); the
	// text has "-0.000000" beside "0.000000", so sort -u on the columns counts 2011).
	p := readPLY(t, "featuretype.ply")
	sp, err := Measure(p, 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sp.N != 5096 || sp.Duplicates != 3374 {
		t.Errorf("featuretype: N %d Duplicates %d, want 5096 and 3374", sp.N, sp.Duplicates)
	}
	checkSpacing(t, "featuretype vs brute force", sp, bruteForce(p, 3), 1e-12)
}

// The sigma rule on the tutorial's clouds and two real scans; the values are quoted in the
// package doc. The bounds are the spacing a uniform density would give, within 2x.
func TestSuggestedSigmaOnClouds(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	for _, tc := range []struct {
		name     string
		p        []float64
		dim      int
		lo, hi   float64 // accepted range of SuggestedSigma
		tutorial float64
	}{
		{"spiral n=1e4", generate.Spiral(10000, 0.01, 0), 2, 0.002, 0.008, 0.05},
		{"swiss roll n=1e5", generate.SwissRoll(100000, 0.01, 0), 3, 0.005, 0.02, 0.01},
		{"swiss roll n=1e6", generate.SwissRoll(1000000, 0.01, 0), 3, 0.0025, 0.01, 0.01},
		{"bunny", readPLY(t, "bun_zipper_res2.ply"), 3, 0.002, 0.01, 0},
		{"lille_street_small", readPLY(t, "lille_street_small.ply"), 3, 0.04, 0.2, 0},
	} {
		sp, err := Measure(tc.p, tc.dim, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-20s N %7d dup %5d NN median %.4g 95%% %.4g  10-NN median %.4g  sigma %.4g (tutorial %g)",
			tc.name, sp.N, sp.Duplicates, sp.NNMedian, sp.NN95, sp.KNNMedian, sp.SuggestedSigma, tc.tutorial)
		if sp.SuggestedSigma < tc.lo || sp.SuggestedSigma > tc.hi {
			t.Errorf("%s: suggested sigma %g outside [%g, %g]", tc.name, sp.SuggestedSigma, tc.lo, tc.hi)
		}
	}
}
