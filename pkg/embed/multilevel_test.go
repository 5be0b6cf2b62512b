package embed

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/spectral-dev/spectral/internal/testref"
	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/generate"
	"github.com/spectral-dev/spectral/pkg/grid"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// fineResiduals returns ||L v - lambda v|| for each returned pair of the normalized
// Laplacian, from products of a kernel operator built independently of the run.
func fineResiduals(t *testing.T, cloud *cloudio.Cloud, res *Result) []float64 {
	t.Helper()
	g, err := grid.Build(cloud.Points, cloud.Dim, res.Sigma, res.Cutoff, grid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	op, err := kernel.New(g, kernel.Options{CacheBudget: -1})
	if err != nil {
		t.Fatal(err)
	}
	l := kernel.Normalized(op)
	n := g.N
	v, lv := make([]float64, n), make([]float64, n)
	out := make([]float64, len(res.Eigenvalues))
	for j, lam := range res.Eigenvalues {
		g.ToSorted(v, res.Vectors[j])
		l.MulVec(lv, v)
		var s float64
		for i := range v {
			d := lv[i] - lam*v[i]
			s += d * d
		}
		out[j] = math.Sqrt(s)
	}
	return out
}

// sinAngle is the sine of the largest principal angle between the spans of two sets of
// unit vectors.
func sinAngle(a, b [][]float64) float64 {
	k := len(a)
	m := mat.NewDense(k, k, nil)
	for i := range a {
		for j := range b {
			var s float64
			for p := range a[i] {
				s += a[i][p] * b[j][p]
			}
			m.Set(i, j, s)
		}
	}
	var svd mat.SVD
	svd.Factorize(m, mat.SVDNone)
	sv := svd.Values(nil)
	c := sv[len(sv)-1]
	return math.Sqrt(math.Max(0, 1-c*c))
}

func runBoth(t *testing.T, cloud *cloudio.Cloud, opt Options) (lan, ml *Result) {
	t.Helper()
	o := opt
	o.Solver = SolverLanczos
	lan, err := RunCloud(context.Background(), cloud, o)
	if err != nil {
		t.Fatalf("%s lanczos: %v", cloud.Source, err)
	}
	o.Solver = SolverMultilevel
	ml, err = RunCloud(context.Background(), cloud, o)
	if err != nil {
		t.Fatalf("%s multilevel: %v", cloud.Source, err)
	}
	return lan, ml
}

// checkAgainstLanczos asserts what the multilevel path promises: eigenvalues within 1e-8
// relative of the Lanczos path (absolute 1e-11 for eigenvalues ~0), eigenvector
// subspaces within 1e-5 (largest principal angle), every pair's residual on the fine
// operator within the tolerance's bound.
func checkAgainstLanczos(t *testing.T, name string, cloud *cloudio.Cloud, lan, ml *Result, maxRes float64) {
	t.Helper()
	if len(ml.Eigenvalues) != len(lan.Eigenvalues) {
		t.Fatalf("%s: %d eigenvalues, Lanczos %d", name, len(ml.Eigenvalues), len(lan.Eigenvalues))
	}
	for j, w := range lan.Eigenvalues {
		got := ml.Eigenvalues[j]
		if d := math.Abs(got - w); d > 1e-8*math.Abs(w) && d > 1e-11 {
			t.Errorf("%s: eigenvalue %d = %.15g, Lanczos %.15g", name, j, got, w)
		}
	}
	if s := sinAngle(lan.Vectors, ml.Vectors); s > 1e-5 {
		t.Errorf("%s: largest principal angle between the eigenvector subspaces: sin = %.3g", name, s)
	}
	for j, r := range fineResiduals(t, cloud, ml) {
		if r > maxRes {
			t.Errorf("%s: pair %d residual on the fine operator %.3g > %.3g", name, j, r, maxRes)
		}
	}
}

// The reference clouds (full kernel): multilevel against numpy's dense eigh and the
// Lanczos path.
func TestMultilevelReference(t *testing.T) {
	for _, c := range []struct {
		name  string
		sigma float64
	}{
		{"spiral_n1000_s0.05", 0.05},
		{"swissroll_n1000_s0.1", 0.1},
		{"spiral_n5000_s0.03", 0.03},
	} {
		cloud, err := cloudio.ReadFile(testref.Dir()+"/"+c.name+"_points.csv", cloudio.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		lan, ml := runBoth(t, cloud, Options{Sigma: c.sigma, Cutoff: 0, K: 7})
		if ml.Solver != SolverMultilevel {
			t.Fatalf("%s: solver %s ran, warnings %q", c.name, ml.Solver, ml.Warnings)
		}
		_, lnorm := testref.Eigen(t, c.name)
		for j, w := range lnorm {
			if d := math.Abs(ml.Eigenvalues[j] - w); d > 1e-6*math.Abs(w) && d > 1e-9 {
				t.Errorf("%s: eigenvalue %d = %.12g, numpy eigh %.12g", c.name, j, ml.Eigenvalues[j], w)
			}
		}
		checkAgainstLanczos(t, c.name, cloud, lan, ml, 1e-9)
		t.Logf("%s: %d fine passes (Lanczos %d products), levels %v", c.name, ml.Passes, lan.MatVecs, ml.Levels)
	}
}

// Swiss rolls of the benchmarks' shape (cutoff 4, tol 1e-6), smaller: the tolerance
// semantics of the Lanczos path, residuals <= tol * theta on the fine operator.
func TestMultilevelSwissRollTol(t *testing.T) {
	cloud := &cloudio.Cloud{Points: generate.SwissRoll(8000, 0.01, 0), Dim: 3, Source: "roll8000"}
	lan, ml := runBoth(t, cloud, Options{Sigma: 0.02, Cutoff: 4, K: 7, Tol: 1e-6})
	if ml.Solver != SolverMultilevel || len(ml.Levels) < 2 || ml.Block == 0 {
		t.Fatalf("solver %s, levels %v, block %d, warnings %q", ml.Solver, ml.Levels, ml.Block, ml.Warnings)
	}
	// At tol 1e-6 both paths' eigenvalues are accurate to ~r^2/gap; compare at 1e-8.
	for j, w := range lan.Eigenvalues {
		if d := math.Abs(ml.Eigenvalues[j] - w); d > 1e-8*math.Abs(w) && d > 1e-11 {
			t.Errorf("eigenvalue %d = %.15g, Lanczos %.15g", j, ml.Eigenvalues[j], w)
		}
	}
	for j, r := range fineResiduals(t, cloud, ml) {
		if r > 1e-6*1.0001 {
			t.Errorf("pair %d residual on the fine operator %.3g > tol", j, r)
		}
	}
	if ml.Passes >= lan.MatVecs/4 {
		t.Errorf("multilevel took %d passes, Lanczos %d products", ml.Passes, lan.MatVecs)
	}
}

// blob is n points uniform in a disc (2D) or ball (3D) of radius r around c.
func blob(rng *rand.Rand, n, dim int, c []float64, r float64) []float64 {
	var pts []float64
	for len(pts) < n*dim {
		p := make([]float64, dim)
		var s float64
		for a := range p {
			p[a] = 2*rng.Float64() - 1
			s += p[a] * p[a]
		}
		if s > 1 {
			continue
		}
		for a := range p {
			pts = append(pts, c[a]+r*p[a])
		}
	}
	return pts
}

func TestMultilevelHardCases(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	// Three components far apart: eigenvalue 0 three times.
	var three []float64
	for _, c := range [][]float64{{0, 0, 0}, {3, 0, 0}, {0, 3, 1}} {
		three = append(three, blob(rng, 1500, 3, c, 0.5)...)
	}
	// A square lattice: pairs of equal eigenvalues (x and y modes).
	var lattice []float64
	for i := 0; i < 50; i++ {
		for j := 0; j < 50; j++ {
			lattice = append(lattice, float64(i)*0.02, float64(j)*0.02)
		}
	}
	// Every point twice.
	roll := generate.SwissRoll(2500, 0.01, 1)
	dup := append(append([]float64(nil), roll...), roll...)
	cases := []struct {
		name  string
		cloud *cloudio.Cloud
		sigma float64
		k     int
	}{
		{"three components", &cloudio.Cloud{Points: three, Dim: 3, Source: "three"}, 0.1, 7},
		{"lattice", &cloudio.Cloud{Points: lattice, Dim: 2, Source: "lattice"}, 0.03, 6},
		{"duplicates", &cloudio.Cloud{Points: dup, Dim: 3, Source: "dup"}, 0.03, 7},
		{"2D spiral", &cloudio.Cloud{Points: generate.Spiral(6000, 0.01, 2), Dim: 2, Source: "spiral"}, 0.02, 7},
	}
	for _, c := range cases {
		lan, ml := runBoth(t, c.cloud, Options{Sigma: c.sigma, Cutoff: 4, K: c.k})
		if ml.Solver != SolverMultilevel {
			t.Errorf("%s: solver %s ran, warnings %q", c.name, ml.Solver, ml.Warnings)
			continue
		}
		checkAgainstLanczos(t, c.name, c.cloud, lan, ml, 1e-9)
		if c.name == "three components" {
			zeros := 0
			for _, v := range ml.Eigenvalues {
				if math.Abs(v) < 1e-9 {
					zeros++
				}
			}
			if zeros != 3 {
				t.Errorf("three components: %d zero eigenvalues, want 3 (%v)", zeros, ml.Eigenvalues)
			}
		}
	}
}

// Where aggregation barely coarsens (sigma far below the spacing, or few points) the
// multilevel request falls back to Lanczos and says so; the answer is Lanczos's.
func TestMultilevelFallback(t *testing.T) {
	for _, c := range []struct {
		name  string
		cloud *cloudio.Cloud
		sigma float64
	}{
		{"small sigma", &cloudio.Cloud{Points: generate.SwissRoll(3000, 0.01, 3), Dim: 3, Source: "roll"}, 0.002},
		{"few points", &cloudio.Cloud{Points: generate.Spiral(60, 0.01, 3), Dim: 2, Source: "spiral"}, 0.05},
	} {
		lan, ml := runBoth(t, c.cloud, Options{Sigma: c.sigma, Cutoff: 4, K: 5})
		if ml.Solver != SolverLanczos {
			t.Errorf("%s: solver %s ran", c.name, ml.Solver)
			continue
		}
		warned := false
		for _, w := range ml.Warnings {
			warned = warned || strings.Contains(w, "multilevel solver") && strings.Contains(w, "Lanczos")
		}
		if !warned {
			t.Errorf("%s: no fallback warning in %q", c.name, ml.Warnings)
		}
		for j, w := range lan.Eigenvalues {
			if ml.Eigenvalues[j] != w {
				t.Errorf("%s: eigenvalue %d = %v, Lanczos %v", c.name, j, ml.Eigenvalues[j], w)
			}
		}
	}
}

// uniformSquare is n deterministic uniform points in a square of the given side.
func uniformSquare(n int, side float64) []float64 {
	pts := make([]float64, 2*n)
	r := uint64(7)
	for i := range pts {
		r = r*6364136223846793005 + 1442695040888963407
		pts[i] = side * float64(r>>11) / (1 << 53)
	}
	return pts
}

// planeOnTheFly is the grid (sigma 1, cutoff 4) and on-the-fly kernel of 2D points.
func planeOnTheFly(t *testing.T, pts []float64) (*grid.Grid, *kernel.Operator) {
	t.Helper()
	g, err := grid.Build(pts, 2, 1, 4, grid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	op, err := kernel.New(g, kernel.Options{CacheBudget: -1})
	if err != nil {
		t.Fatal(err)
	}
	return g, op
}

// TestFirstEdgeCap: where only boxes over maxFirstEdge would leave at most coarseMax
// aggregates (48,000 points on a square of 400 x 400 sigma: 4 sigma leaves ~10,000 boxes
// of 4.8 points, ~1% of the points weakly joined), the first level keeps boxes of
// maxFirstEdge and exceeds coarseMax; where a smaller box fits, it is used.
func TestFirstEdgeCap(t *testing.T) {
	for _, c := range []struct {
		side   float64
		capped bool
	}{{400, true}, {230, false}} {
		g, op := planeOnTheFly(t, uniformSquare(48000, c.side))
		pairs := op.Stats().PairsWithinCutoff
		ag, h, err := firstLevel(g, pairs, true)
		if err != nil {
			t.Fatalf("square of %g sigma: %v", c.side, err)
		}
		over := ag.M > coarseMax(pairs, true)
		if over != c.capped || (c.capped && h != maxFirstEdge) || h > maxFirstEdge {
			t.Errorf("square of %g sigma: boxes of %g sigma, %d aggregates (limit %d), want capped %v", c.side, h, ag.M, coarseMax(pairs, true), c.capped)
		}
		if _, err := buildLevels(op, g, op.Degrees(), 7); err != nil {
			t.Errorf("square of %g sigma: %v", c.side, err)
		}
	}
	// 40,000 points on the 400-sigma square: boxes of 4 sigma hold 4.0 points, and the
	// weakly joined groups (~300) take the first level under minCoarsening: refused, so
	// the run falls back to Lanczos.
	g, op := planeOnTheFly(t, uniformSquare(40000, 400))
	if _, err := buildLevels(op, g, op.Degrees(), 7); !errors.Is(err, errNoCoarsening) || !strings.Contains(err.Error(), "weakly joined") {
		t.Errorf("40,000 points on 400 sigma: err %v, want errNoCoarsening for the weak groups", err)
	}
}

// withOutliers is a uniform square of n points, side sigmas wide (sigma 1), with a
// point 3.5 sigma off its left edge and a pair (0.3 sigma apart) 3.5 sigma below it:
// each joined to the square by ~1% of its degree, so each carries an eigenvector of
// I - A localized on it, with an eigenvalue (~0.01) among the square's smallest.
func withOutliers(n int, side float64) (pts []float64, single, pair0 int) {
	pts = uniformSquare(n, side)
	single = n
	pts = append(pts, -3.5, side/2, side/3, -3.5, side/3+0.3, -3.5)
	return pts, single, n + 1
}

// Weakly joined points get aggregates of their own: the outlier, and the pair as one
// group; points of the square, and points near it with much weight to it, do not.
func TestWeakGroups(t *testing.T) {
	pts, single, pair := withOutliers(12800, 40)
	pts = append(pts, 20, -2) // 2 sigma off the edge: degree ~2, half of it to the square
	g, op := planeOnTheFly(t, pts)
	group, count := weakGroups(op, op.Degrees())
	sorted := make([]int, g.N) // input index -> sorted index
	for s, i := range g.Perm {
		sorted[i] = s
	}
	at := func(i int) int32 { return group[sorted[i]] }
	if count != 2 || at(single) < 0 || at(pair) < 0 || at(pair) != at(pair+1) || at(single) == at(pair) {
		t.Fatalf("%d groups; outlier %d, pair %d %d", count, at(single), at(pair), at(pair+1))
	}
	if at(pair+2) >= 0 {
		t.Errorf("the point 2 sigma off the edge was isolated (degree %.3g)", op.Degrees()[sorted[pair+2]])
	}
	for i := 0; i < 12800; i++ {
		if at(i) >= 0 {
			t.Fatalf("point %d of the square isolated", i)
		}
	}
}

// On every level of a cascade, a weakly joined group is a node of its own even where its
// box holds other points: a sparse square (0.3 points per sigma^2, boxes of 4 sigma:
// TestFirstEdgeCap) with an outlier and a pair 3.7 sigma off its edge, in the boxes of
// two points placed on the edge. Large boxes are not isolated (the cascade coarsens).
func TestWeakGroupsOnEveryLevel(t *testing.T) {
	pts := uniformSquare(48000, 400)
	edge := []float64{400.3, 202.5, 400.2, 301}
	single, pair := 48002, 48003
	pts = append(pts, edge...)
	pts = append(pts, 403.95, 201.5, 403.9, 300.5, 403.9, 300.8)
	// The grid centres the box lattice on the bounding box: a point at x = -3.75 puts
	// the centre at x = 200.1, so boxes of 4 sigma run [400.1, 404.1) at the edge.
	pts = append(pts, -3.75, 200)
	g, op := planeOnTheFly(t, pts)
	if boxes, err := g.AggregateSorted(maxFirstEdge); err != nil {
		t.Fatal(err)
	} else if b := func(i int) int32 { return boxes.Labels[slices.Index(g.Perm, i)] }; b(single) != b(48000) || b(pair) != b(48001) {
		t.Fatalf("the outliers are not in the edge points' boxes: the cloud does not test isolation")
	}
	levels, err := buildLevels(op, g, op.Degrees(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(levels) < 3 {
		t.Fatalf("%d levels, want a cascade", len(levels))
	}
	sorted := make([]int, g.N)
	for s, i := range g.Perm {
		sorted[i] = s
	}
	path := func(i int) []int32 { // i's node on each level
		var p []int32
		a := int32(sorted[i])
		for _, lv := range levels {
			a = lv.Labels[a]
			p = append(p, a)
		}
		return p
	}
	members := func(l int, a int32) int {
		m := 0
		for _, b := range levels[l].Labels {
			if b == a {
				m++
			}
		}
		return m
	}
	one, two := path(single), path(pair)
	if !slices.Equal(two, path(pair+1)) {
		t.Errorf("the pair's nodes %v and %v differ", two, path(pair+1))
	}
	if path(48000)[0] == one[0] || path(48001)[0] == two[0] {
		t.Errorf("the outliers share a node with the edge points")
	}
	for l := range levels {
		wantPair := 1
		if l == 0 {
			wantPair = 2
		}
		if m := members(l, one[l]); m != 1 {
			t.Errorf("level %d: the outlier's node has %d members, want 1", l+1, m)
		}
		if m := members(l, two[l]); m != wantPair {
			t.Errorf("level %d: the pair's node has %d members, want %d", l+1, m, wantPair)
		}
	}
	if first, last := levels[0].A.N, levels[len(levels)-1].A.N; 4*last > first {
		t.Errorf("levels of %d ... %d nodes: the weak nodes stalled the coarsening", first, last)
	}
}

// A correctness guard: some wanted eigenvectors are localized on weakly joined outliers,
// and the multilevel pairs still agree with the Lanczos path. (At this size the 1-sigma boxes
// find them without isolation too; isolation's effect shows at a small sigma on 10^6
// points, docs/bench/multilevel.md, "Weakly joined points", and TestWeakGroups checks
// the groups themselves.)
func TestMultilevelWeaklyJoined(t *testing.T) {
	pts, single, pair := withOutliers(12800, 40)
	cloud := &cloudio.Cloud{Points: pts, Dim: 2, Source: "square+outliers"}
	lan, ml := runBoth(t, cloud, Options{Sigma: 1, Cutoff: 4, K: 7, CacheMemory: -1})
	if ml.Solver != SolverMultilevel {
		t.Fatalf("solver %s, warnings %q", ml.Solver, ml.Warnings)
	}
	localized := 0
	for _, v := range ml.Vectors {
		w := v[single]*v[single] + v[pair]*v[pair] + v[pair+1]*v[pair+1]
		if w > 0.5 {
			localized++
		}
	}
	if localized == 0 {
		t.Errorf("no wanted eigenvector lies on the outliers: the cloud does not test them (eigenvalues %v)", lan.Eigenvalues)
	}
	checkAgainstLanczos(t, "square+outliers", cloud, lan, ml, 1e-9)
	t.Logf("eigenvalues %v; levels %v; %d fine passes, Lanczos %d products", ml.Eigenvalues, ml.Levels, ml.Passes, lan.MatVecs)
}

// auto picks Lanczos for small clouds and the unnormalized Laplacian.
func TestChooseSolver(t *testing.T) {
	o := Options{Solver: SolverAuto, Laplacian: Normalized, Cutoff: 4}
	if s := chooseSolver(o, 1000, 1000*200, true); s != SolverLanczos {
		t.Errorf("n=1000: %s", s)
	}
	if s := chooseSolver(o, 200000, 200000*200, true); s != SolverMultilevel {
		t.Errorf("n=2e5: %s", s)
	}
	if s := chooseSolver(o, 200000, 200000*200, false); s != SolverLanczos {
		t.Errorf("gpu: %s", s)
	}
	o.Laplacian = Unnormalized
	if s := chooseSolver(o, 200000, 200000*200, true); s != SolverLanczos {
		t.Errorf("unnormalized: %s", s)
	}
}

// TestAggregateLadder: where boxes of 2 sigma leave more aggregates than coarseMax, the
// first level uses the smallest larger box of the ladder that does not (a square of
// 230 x 230 sigma: 2 sigma leaves 12,765 boxes, 3 sigma 6,047, 4 sigma 3,364, so
// the old rule, 3 sigma whenever 2 was too many, fails it).
func TestAggregateLadder(t *testing.T) {
	const n = 40000
	pts := make([]float64, 2*n)
	r := uint64(7)
	for i := range pts { // a deterministic uniform square, 230 sigma on a side
		r = r*6364136223846793005 + 1442695040888963407
		pts[i] = 230 * float64(r>>11) / (1 << 53)
	}
	g, op := planeOnTheFly(t, pts)
	limit := coarseMax(op.Stats().PairsWithinCutoff, true)
	want := -1
	for _, h := range aggregateEdges {
		ag, err := g.AggregateSorted(h)
		if err != nil {
			t.Fatal(err)
		}
		if h < AggregateEdge && float64(n) < minCoarsening*float64(ag.M) {
			continue // firstLevel skips fine boxes that barely coarsen
		}
		if ag.M <= limit {
			want = ag.M
			break
		}
	}
	if h2, _ := g.AggregateSorted(AggregateEdge); h2.M <= limit {
		t.Fatalf("boxes of %g sigma leave %d aggregates, within the limit %d: the cloud does not test the ladder", AggregateEdge, h2.M, limit)
	}
	levels, err := buildLevels(op, g, op.Degrees(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if got := levels[0].A.N; got != want || got > limit {
		t.Errorf("first level %d nodes, want %d (the smallest box within %d)", got, want, limit)
	}
}

// On the fly, the first level may be finer than the cached rule allows: a dense square
// (8 points per sigma^2) gets boxes of 1 sigma, and the pairs still agree with the
// Lanczos path (eigenvalues to 1e-8, subspaces, residuals on the fine operator).
func TestMultilevelFineFirstLevelOnTheFly(t *testing.T) {
	const n, side = 12800, 40.0
	pts := uniformSquare(n, side)
	cloud := &cloudio.Cloud{Points: pts, Dim: 2, Source: "square"}
	lan, ml := runBoth(t, cloud, Options{Sigma: 1, Cutoff: 4, K: 6, CacheMemory: -1})
	if ml.Solver != SolverMultilevel || len(ml.Levels) < 2 {
		t.Fatalf("solver %s, levels %v, warnings %q", ml.Solver, ml.Levels, ml.Warnings)
	}
	g, err := grid.Build(pts, 2, 1, 4, grid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ag, err := g.AggregateSorted(1)
	if err != nil {
		t.Fatal(err)
	}
	if ml.Levels[1].N != ag.M {
		t.Errorf("first level %d nodes, want the %d boxes of 1 sigma", ml.Levels[1].N, ag.M)
	}
	// Cached, the same cloud keeps boxes of at least AggregateEdge.
	if _, h, err := firstLevel(g, int64(n)*400, false); err != nil || h < AggregateEdge {
		t.Errorf("cached: first level of %g sigma (err %v), want at least %g", h, err, AggregateEdge)
	}
	checkAgainstLanczos(t, "square", cloud, lan, ml, 1e-9)
	t.Logf("levels %v; %d fine passes, Lanczos %d products", ml.Levels, ml.Passes, lan.MatVecs)
}

// A budget under the whole cache gives a partial cache (the first cells' tiles, the rest
// on the fly), said in a warning and the summary's fraction, and the multilevel pairs
// still agree with the Lanczos path on the whole cache.
func TestMultilevelPartialCache(t *testing.T) {
	cloud := &cloudio.Cloud{Points: generate.SwissRoll(8000, 0.01, 0), Dim: 3, Source: "roll"}
	opt := Options{Sigma: 0.03, Cutoff: 4, K: 6, CacheMemory: 1 << 40}
	lan, whole := runBoth(t, cloud, opt)
	if whole.Kernel.CacheFraction != 1 {
		t.Fatalf("whole cache: %+v", whole.Kernel)
	}
	opt.CacheMemory = whole.Kernel.CacheBytes * 6 / 10
	opt.Solver = SolverMultilevel
	part, err := RunCloud(context.Background(), cloud, opt)
	if err != nil {
		t.Fatal(err)
	}
	if k := part.Kernel; !k.Cached || !(k.CacheFraction > 0.3 && k.CacheFraction < 1) || k.CacheBytes > opt.CacheMemory {
		t.Fatalf("budget %d: %+v, want a partial cache within it", opt.CacheMemory, k)
	}
	if !strings.Contains(strings.Join(part.Warnings, "\n"), "of it is cached") {
		t.Errorf("warnings %q, want the partial cache's", part.Warnings)
	}
	if part.Solver != SolverMultilevel {
		t.Fatalf("solver %s, warnings %q", part.Solver, part.Warnings)
	}
	checkAgainstLanczos(t, "partial cache", cloud, lan, part, 1e-9)
	t.Logf("cache fraction %.2f; levels %v (whole cache: %v)", part.Kernel.CacheFraction, part.Levels, whole.Levels)
}

// The first level follows the on-the-fly rule where fine passes are dear: on the fly, with
// a partial cache, and with a whole cache at many pairs a point (the 10^6 roll), not at
// the 10^5 roll's density.
func TestDearPasses(t *testing.T) {
	for _, c := range []struct {
		pairs int64
		n     int
		frac  float64
		want  bool
	}{
		{50_703_146, 100_000, 0, true},        // 10^5 roll on the fly
		{50_703_146, 100_000, 0.6, true},      // partial cache
		{50_703_146, 100_000, 1, false},       // whole cache, 507 pairs a point
		{5_059_691_978, 1_000_000, 1, true},   // 10^6 roll, whole cache
		{5_059_691_978, 1_000_000, 0.6, true}, // 10^6 roll, partial cache
	} {
		if got := dearPasses(c.pairs, c.n, c.frac); got != c.want {
			t.Errorf("dearPasses(%d, %d, %g) = %v, want %v", c.pairs, c.n, c.frac, got, c.want)
		}
	}
}

// weakNodes keeps apart only small nodes of low conductance: a large box's conductance
// is low too (it falls with the box's edge), and isolating those would stall coarsening.
func TestWeakNodes(t *testing.T) {
	a, err := eigsh.NewSparse(3, [][]int32{{0, 1}, {0, 1, 2}, {1, 2}},
		[][]float64{{0.97, 0.03}, {0.03, 0.96, 0.01}, {0.01, 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	group, n := weakNodes(a, []int{100, 2, 1})
	if n != 1 || !slices.Equal(group, []int32{-1, 0, -1}) {
		t.Errorf("groups %v (%d), want only node 1 (2 points, conductance 0.04)", group, n)
	}
}

// A cascade that does not converge (one LOBPCG iteration) falls back to Lanczos, says
// how far it got, and returns Lanczos's answer; the summary names Lanczos.
func TestMultilevelNoConvergenceFallback(t *testing.T) {
	cloud := &cloudio.Cloud{Points: generate.SwissRoll(3000, 0.01, 4), Dim: 3, Source: "roll3000"}
	// A Krylov basis of 400 converges within the one restart allowed; one LOBPCG
	// iteration cannot.
	lan, ml := runBoth(t, cloud, Options{Sigma: 0.03, Cutoff: 4, K: 7, MaxIter: 1, NCV: 400})
	if ml.Solver != SolverLanczos || ml.Levels != nil {
		t.Fatalf("solver %s ran, levels %v, warnings %q", ml.Solver, ml.Levels, ml.Warnings)
	}
	warned := false
	for _, w := range ml.Warnings {
		warned = warned || strings.Contains(w, "pairs converged after") && strings.Contains(w, "solved by Lanczos instead")
	}
	if !warned {
		t.Errorf("no fallback warning in %q", ml.Warnings)
	}
	if len(lan.Eigenvalues) != 7 || len(ml.Eigenvalues) != 7 {
		t.Fatalf("eigenvalues: Lanczos %v, fallback %v", lan.Eigenvalues, ml.Eigenvalues)
	}
	for j, w := range lan.Eigenvalues {
		if ml.Eigenvalues[j] != w {
			t.Errorf("eigenvalue %d = %v, Lanczos %v", j, ml.Eigenvalues[j], w)
		}
	}
}

// Real scans (testdata/data, written by other tools) at sigma auto and the default
// cutoff: the multilevel pairs against the Lanczos path. The bunny is a scanned surface,
// the cycloidal gear has four components (four zero eigenvalues), featuretype has two
// thirds of its points duplicated; a 10^4 Swiss roll at the benchmarks' sigma; a
// 50 x 49 lattice has nearly equal pairs.
func TestMultilevelRealClouds(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	var lattice []float64
	for i := 0; i < 50; i++ {
		for j := 0; j < 49; j++ {
			lattice = append(lattice, float64(i)*0.02, float64(j)*0.02)
		}
	}
	read := func(name string) *cloudio.Cloud {
		c, err := cloudio.ReadFile("../../testdata/data/"+name, cloudio.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, c := range []struct {
		name  string
		cloud *cloudio.Cloud
		sigma float64
		zeros int
	}{
		{"bunny", read("bun_zipper_res2.ply"), 0, 1},
		{"cycloidal", read("cycloidal.ply"), 0, 4},
		{"featuretype", read("featuretype.ply"), 0, 1},
		{"roll 10^4", &cloudio.Cloud{Points: generate.SwissRoll(10000, 0.01, 0), Dim: 3, Source: "roll"}, 0.02, 1},
		{"lattice 50 x 49", &cloudio.Cloud{Points: lattice, Dim: 2, Source: "lattice"}, 0.03, 1},
	} {
		lan, ml := runBoth(t, c.cloud, Options{Sigma: c.sigma, Cutoff: CutoffAuto, K: 7})
		if ml.Solver != SolverMultilevel {
			t.Errorf("%s: solver %s ran, warnings %q", c.name, ml.Solver, ml.Warnings)
			continue
		}
		t.Logf("%s: sigma %.4g, %d passes (Lanczos %d products), levels %v", c.name, ml.Sigma, ml.Passes, lan.MatVecs, ml.Levels)
		checkAgainstLanczos(t, c.name, c.cloud, lan, ml, 1e-9)
		zeros := 0
		for _, v := range ml.Eigenvalues {
			if math.Abs(v) < 1e-9 {
				zeros++
			}
		}
		if zeros != c.zeros {
			t.Errorf("%s: %d zero eigenvalues, want %d (%v)", c.name, zeros, c.zeros, ml.Eigenvalues)
		}
	}
}

// The whole multilevel run (kernel, levels, coarse solves, LOBPCG) gives the same bits
// for any thread count, cached and on the fly.
func TestMultilevelThreadsBitIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	cloud := &cloudio.Cloud{Points: generate.SwissRoll(6000, 0.01, 7), Dim: 3, Source: "roll6000"}
	for _, cache := range []int64{-1, 0} {
		var ref *Result
		for _, th := range []int{1, 2, 3} {
			r, err := RunCloud(context.Background(), cloud, Options{Sigma: 0.025, Cutoff: 4, K: 7, Solver: SolverMultilevel, Threads: th, CacheMemory: cache})
			if err != nil {
				t.Fatal(err)
			}
			if r.Solver != SolverMultilevel {
				t.Fatalf("solver %s, warnings %q", r.Solver, r.Warnings)
			}
			if ref == nil {
				ref = r
				continue
			}
			if !slices.Equal(r.Eigenvalues, ref.Eigenvalues) || r.Passes != ref.Passes {
				t.Errorf("cache %d, threads %d: eigenvalues %v (%d passes), 1 thread %v (%d)", cache, th, r.Eigenvalues, r.Passes, ref.Eigenvalues, ref.Passes)
			}
			for j := range r.Vectors {
				if !slices.Equal(r.Vectors[j], ref.Vectors[j]) {
					t.Errorf("cache %d, threads %d: vector %d differs from 1 thread's", cache, th, j)
				}
			}
		}
	}
}
