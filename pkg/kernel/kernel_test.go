package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// brute is the O(N^2) reference on the grid's sorted float32 points: kernel values in
// float64 from the float64 distance, kept by the package's float32 rule (the operator's
// definition); the count of kept pairs; and how many pairs the float64 rule
// (d2 <= cutoff^2 in float64) would decide differently (boundary cases, logged).
type brute struct {
	kv     []float64
	within int64
	flips  int64
}

func bruteForce(g *grid.Grid, v []float64) brute {
	n, dim := g.N, g.Dim
	c2 := float32(g.Cutoff * g.Cutoff)
	res := brute{kv: make([]float64, n)}
	for t := 0; t < n; t++ {
		pt := g.Points[t*dim : (t+1)*dim]
		sum := 0.0
		for s := 0; s < n; s++ {
			ps := g.Points[s*dim : (s+1)*dim]
			var d2 float64
			var d232 float32
			for a := 0; a < dim; a++ {
				d := float64(pt[a]) - float64(ps[a])
				d2 += d * d
				e := pt[a] - ps[a]
				d232 = float32(d232 + float32(e*e))
			}
			keep := g.Cutoff == 0 || d232 <= c2
			if g.Cutoff != 0 && keep != (d2 <= g.Cutoff*g.Cutoff) {
				res.flips++
			}
			if keep {
				res.within++
				sum += math.Exp(-d2/2) * v[s]
			}
		}
		res.kv[t] = sum
	}
	return res
}

func positiveVec(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	v := make([]float64, n)
	for i := range v {
		v[i] = 0.5 + r.Float64()
	}
	return v
}

func signedVec(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 8))
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*r.Float64() - 1
	}
	return v
}

func mustOp(t testing.TB, g *grid.Grid, opt Options) *Operator {
	t.Helper()
	op, err := New(g, opt)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func mustGrid(t testing.TB, c cloud, cutoff float64, opt grid.Options) *grid.Grid {
	t.Helper()
	g, err := grid.Build(c.pts, c.dim, c.sigma, cutoff, opt)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return g
}

var modes = []struct {
	name string
	opt  Options
}{
	{"onthefly", Options{CacheBudget: -1}},
	{"cached", Options{CacheBudget: 1 << 40}},
}

// checkAgainstBrute compares K v and the counts of both modes with the brute force.
func checkAgainstBrute(t *testing.T, c cloud, cutoff float64) {
	g := mustGrid(t, c, cutoff, grid.Options{})
	v := positiveVec(g.N, 1)
	ref := bruteForce(g, v)
	evalEst, withinEst := EstimatePairs(g, 0)
	for _, m := range modes {
		op := mustOp(t, g, m.opt)
		st := op.Stats()
		if st.Cached != (m.name == "cached") {
			t.Fatalf("%s %s: cached = %v", c.name, m.name, st.Cached)
		}
		kv := make([]float64, g.N)
		op.MulVec(kv, v)
		worst := 0.0
		for i := range kv {
			worst = math.Max(worst, math.Abs(kv[i]-ref.kv[i])/ref.kv[i])
		}
		if worst > 1e-6 {
			t.Errorf("%s cutoff %g %s: max relative error of K v %.3g > 1e-6", c.name, cutoff, m.name, worst)
		}
		if st.PairsWithinCutoff != ref.within {
			t.Errorf("%s cutoff %g %s: %d pairs within cutoff, brute force %d", c.name, cutoff, m.name, st.PairsWithinCutoff, ref.within)
		}
		// With cutoff 0 the cache skips values flushed to 0 (exp < 2.7e-38), so it may look at
		// fewer pairs than "within" (all N^2).
		if st.PairsEvaluated > evalEst || (cutoff > 0 && st.PairsEvaluated < ref.within) {
			t.Errorf("%s %s: evaluated %d, estimate %d, within %d", c.name, m.name, st.PairsEvaluated, evalEst, ref.within)
		}
		if m.name == "cached" && (st.CacheBytes > CacheBytesFor(g) || (cutoff > 0 && st.CacheBytes < 2*(st.PairsWithinCutoff-int64(g.N)))) {
			t.Errorf("%s: cache bytes %d, CacheBytesFor %d, nonzeros %d", c.name, st.CacheBytes, CacheBytesFor(g), st.PairsWithinCutoff)
		}
		if !st.Cached && g.N <= estimateTargets {
			if e := EstimateCost(g, m.opt); e.PairsEvaluated != st.PairsEvaluated {
				t.Errorf("%s: EstimateCost evaluated %d, exact %d (every cell is sampled)", c.name, e.PairsEvaluated, st.PairsEvaluated)
			}
		}
		if g.N <= 2048 && withinEst != ref.within {
			t.Errorf("%s: EstimatePairs within %d, exact %d (N <= 2048 samples every target)", c.name, withinEst, ref.within)
		}
		// Degrees are K 1 from the same values.
		d := op.Degrees()
		ones := make([]float64, g.N)
		for i := range ones {
			ones[i] = 1
		}
		k1 := make([]float64, g.N)
		op.MulVec(k1, ones)
		for i := range d {
			if d[i] != k1[i] || d[i] < 1 {
				t.Fatalf("%s %s: degree %d = %g, K 1 = %g", c.name, m.name, i, d[i], k1[i])
			}
		}
		t.Logf("%s n=%d cutoff=%g %s: max rel err %.2g, within %d, evaluated %d (ratio %.2f), float32/float64 rule flips %d",
			c.name, g.N, cutoff, m.name, worst, st.PairsWithinCutoff, st.PairsEvaluated,
			float64(st.PairsEvaluated)/float64(st.PairsWithinCutoff), ref.flips)
	}
}

func TestMulVecBruteForceGenerated(t *testing.T) {
	clouds := []cloud{
		{"uniform2d", 2, uniform(900, 2, 1), 0.03},
		{"uniform3d", 3, uniform(900, 3, 2), 0.06},
		{"swissroll", 3, swissRoll(1500, 3), 0.03},
		{"spiral", 2, spiral(1500, 4), 0.02},
	}
	for _, c := range clouds {
		for _, cutoff := range []float64{DefaultCutoff, 4, 2.5, 0} {
			checkAgainstBrute(t, c, cutoff)
		}
	}
}

func TestMulVecBruteForceRealClouds(t *testing.T) {
	m := 1500
	if testing.Short() {
		m = 600
	}
	for _, c := range realClouds(t, m) {
		checkAgainstBrute(t, c, DefaultCutoff)
		checkAgainstBrute(t, c, 4)
	}
}

// TestInputCoordinates compares with the float64 kernel on the raw input (not the
// float32 sorted points): centring in float64 keeps UTM clouds exact to float32
// resolution of the offsets. The tolerance allows the rounding of the scaled float32
// coordinates, about 6e-7 relative per sigma of extent.
func TestInputCoordinates(t *testing.T) {
	for _, c := range realClouds(t, 400) {
		g := mustGrid(t, c, 0, grid.Options{})
		ext := 0.0
		for _, cell := range g.Cells {
			for a := 0; a < g.Dim; a++ {
				ext = math.Max(ext, math.Max(math.Abs(float64(cell.Min[a])), math.Abs(float64(cell.Max[a]))))
			}
		}
		op := mustOp(t, g, Options{CacheBudget: -1})
		n, dim := c.n(), c.dim
		v := positiveVec(n, 5)
		vs := make([]float64, n)
		g.ToSorted(vs, v)
		kvs := make([]float64, n)
		op.MulVec(kvs, vs)
		kv := make([]float64, n)
		g.ToInput(kv, kvs)
		tol := 1e-6 + 6e-7*2*ext
		worst := 0.0
		for i := 0; i < n; i++ {
			sum := 0.0
			for j := 0; j < n; j++ {
				d2 := 0.0
				for a := 0; a < dim; a++ {
					d := (c.pts[i*dim+a] - c.pts[j*dim+a]) / c.sigma
					d2 += d * d
				}
				sum += math.Exp(-d2/2) * v[j]
			}
			worst = math.Max(worst, math.Abs(kv[i]-sum)/sum)
		}
		if worst > tol {
			t.Errorf("%s: max relative error vs input coordinates %.3g > %.3g", c.name, worst, tol)
		}
	}
}

func TestSymmetry(t *testing.T) {
	c := cloud{"swissroll", 3, swissRoll(3000, 9), 0.03}
	g := mustGrid(t, c, DefaultCutoff, grid.Options{})
	u, v := signedVec(g.N, 1), signedVec(g.N, 2)
	for _, m := range modes {
		op := mustOp(t, g, m.opt)
		ku, kv := make([]float64, g.N), make([]float64, g.N)
		op.MulVec(ku, u)
		op.MulVec(kv, v)
		var a, b, scale float64
		for i := range u {
			a += u[i] * kv[i]
			b += v[i] * ku[i]
			scale += math.Abs(u[i] * kv[i])
		}
		if math.Abs(a-b) > 1e-13*scale {
			t.Errorf("%s: u'Kv = %.17g, v'Ku = %.17g", m.name, a, b)
		}
	}
}

// The matrix is defined by distance, so the cell size changes only the summation order.
func TestCellSizeIndependence(t *testing.T) {
	for _, c := range []cloud{
		{"swissroll", 3, swissRoll(3000, 5), 0.03},
		{"spiral", 2, spiral(3000, 6), 0.015},
	} {
		v := signedVec(c.n(), 3)
		var first []float64
		var firstWithin int64
		for _, frac := range []float64{1.01, 0.5, 0.3} {
			g := mustGrid(t, c, DefaultCutoff, grid.Options{CellSize: frac * DefaultCutoff})
			for _, m := range modes {
				op := mustOp(t, g, m.opt)
				vs, kvs, kv := make([]float64, g.N), make([]float64, g.N), make([]float64, g.N)
				g.ToSorted(vs, v)
				op.MulVec(kvs, vs)
				g.ToInput(kv, kvs)
				if first == nil {
					first, firstWithin = kv, op.Stats().PairsWithinCutoff
					continue
				}
				if w := op.Stats().PairsWithinCutoff; w != firstWithin {
					t.Errorf("%s cell %g %s: %d pairs within, first %d", c.name, frac, m.name, w, firstWithin)
				}
				for i := range kv {
					if math.Abs(kv[i]-first[i]) > 1e-12*(1+math.Abs(first[i])) {
						t.Fatalf("%s cell %g %s: entry %d %.17g, first %.17g", c.name, frac, m.name, i, kv[i], first[i])
					}
				}
			}
		}
	}
}

func TestThreadsBitIdentical(t *testing.T) {
	for _, c := range []cloud{
		{"swissroll", 3, swissRoll(4000, 7), 0.03},
		{"spiral", 2, spiral(4000, 8), 0.015},
	} {
		// The default cells and the cached mode's (the pipeline's choice when caching).
		for _, edge := range []float64{0, CachedCellFraction * DefaultCutoff} {
			g := mustGrid(t, c, DefaultCutoff, grid.Options{CellSize: edge})
			v := signedVec(g.N, 4)
			for _, m := range modes {
				var ref []float64
				for _, th := range []int{1, 2, 8} {
					opt := m.opt
					opt.Threads = th
					op := mustOp(t, g, opt)
					kv := make([]float64, g.N)
					op.MulVec(kv, v)
					if ref == nil {
						ref = kv
						continue
					}
					for i := range kv {
						if math.Float64bits(kv[i]) != math.Float64bits(ref[i]) {
							t.Fatalf("%s %s edge %g: %d threads entry %d = %.17g, 1 thread %.17g", c.name, m.name, edge, th, i, kv[i], ref[i])
						}
					}
				}
			}
		}
	}
}

// The cache stores the very values the on-the-fly sweep computes: columns of K agree
// bit for bit (a unit vector picks one column; float64 sums of one term are exact).
func TestCachedValuesMatchOnTheFly(t *testing.T) {
	c := cloud{"spiral", 2, spiral(800, 10), 0.02}
	g := mustGrid(t, c, 4, grid.Options{})
	a := mustOp(t, g, Options{CacheBudget: -1})
	b := mustOp(t, g, Options{CacheBudget: 1 << 40})
	e := make([]float64, g.N)
	ka, kb := make([]float64, g.N), make([]float64, g.N)
	for _, j := range []int{0, 17, g.N / 2, g.N - 1} {
		clear(e)
		e[j] = 1
		a.MulVec(ka, e)
		b.MulVec(kb, e)
		for i := range ka {
			if ka[i] != kb[i] {
				t.Fatalf("column %d row %d: on the fly %.9g, cached %.9g", j, i, ka[i], kb[i])
			}
		}
		if ka[j] != 1 {
			t.Fatalf("diagonal %d = %.17g, want exactly 1", j, ka[j])
		}
	}
}

// degenerateClouds are clouds at the edges of the grid: single points, duplicates,
// collinear points, an extent of 10^6 sigma, 1D.
func degenerateClouds() []cloud {
	far := make([]float64, 0, 600)
	r := rand.New(rand.NewPCG(11, 11))
	for i := 0; i < 200; i++ {
		// Three clumps spread over 10^6 sigma (sigma = 1), and points strewn between.
		base := float64(i%3) * 5e5
		if i%10 == 9 {
			base = r.Float64() * 1e6
		}
		far = append(far, base+r.Float64()*3, r.Float64()*3, r.NormFloat64())
	}
	line := make([]float64, 0, 2*500)
	for i := 0; i < 500; i++ {
		line = append(line, float64(i)*0.07, 2*float64(i)*0.07)
	}
	line3 := make([]float64, 0, 3*400)
	for i := 0; i < 400; i++ {
		line3 = append(line3, 1e5+float64(i)*0.05, 3, -2)
	}
	same := make([]float64, 0, 3*300)
	for i := 0; i < 300; i++ {
		same = append(same, 4, 5, 6)
	}
	same2 := make([]float64, 2*257)
	clouds := []cloud{
		{"one3d", 3, []float64{1, 2, 3}, 0.5},
		{"one2d", 2, []float64{1, 2}, 0.5},
		{"two", 2, []float64{0, 0, 1, 0}, 0.5},
		{"identical3d", 3, same, 0.1},
		{"identical2d", 2, same2, 1},
		{"collinear2d", 2, line, 0.1},
		{"collinear3d", 3, line3, 0.1},
		{"extent1e6", 3, far, 1},
		{"line1d", 1, uniform(300, 1, 12), 0.01},
	}
	return clouds
}

func TestDegenerateClouds(t *testing.T) {
	for _, c := range degenerateClouds() {
		for _, cutoff := range []float64{DefaultCutoff, 3, 0} {
			t.Run(fmt.Sprintf("%s/%g", c.name, cutoff), func(t *testing.T) {
				checkAgainstBrute(t, c, cutoff)
			})
		}
	}
}

func TestLaplacians(t *testing.T) {
	c := cloud{"swissroll", 3, swissRoll(2000, 13), 0.04}
	g := mustGrid(t, c, DefaultCutoff, grid.Options{})
	for _, m := range modes {
		op := mustOp(t, g, m.opt)
		d := op.Degrees()
		n := g.N
		ones := make([]float64, n)
		sq := make([]float64, n)
		for i := range ones {
			ones[i] = 1
			sq[i] = math.Sqrt(d[i])
		}
		out := make([]float64, n)
		L := Unnormalized(op)
		if L.Dims() != n {
			t.Fatal("dims")
		}
		L.MulVec(out, ones)
		for i, x := range out {
			if math.Abs(x) > 1e-13*d[i] {
				t.Fatalf("%s: (L 1)[%d] = %g, degree %g", m.name, i, x, d[i])
			}
		}
		NormalizedAffinity(op).MulVec(out, sq)
		for i, x := range out {
			if math.Abs(x-sq[i]) > 1e-13*sq[i] {
				t.Fatalf("%s: (A D^1/2)[%d] = %.17g, want %.17g", m.name, i, x, sq[i])
			}
		}
		Normalized(op).MulVec(out, sq)
		for i, x := range out {
			if math.Abs(x) > 1e-13*sq[i] {
				t.Fatalf("%s: (L_sym D^1/2)[%d] = %g", m.name, i, x)
			}
		}
		// L v = D v - K v for a random v.
		v := signedVec(n, 14)
		kv := make([]float64, n)
		op.MulVec(kv, v)
		L.MulVec(out, v)
		for i := range out {
			if want := d[i]*v[i] - kv[i]; out[i] != want {
				t.Fatalf("%s: (L v)[%d] = %g, want %g", m.name, i, out[i], want)
			}
		}
	}
}

func TestGaussAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	if gauss(0, 1) != 1 || gauss(0, 0) != 1 {
		t.Fatal("gauss(0) is not exactly 1")
	}
	if gauss(4.0000005, 4) != 0 || gauss(4, 4) == 0 {
		t.Fatal("cutoff rule wrong")
	}
	inf := float32(math.Inf(1))
	if w := gauss(underflowD2*1.0001, underflowD2); w != 0 {
		t.Fatalf("beyond underflow: %g", w)
	}
	if w := gauss(1e30, underflowD2); w != 0 {
		t.Fatalf("far beyond underflow: %g", w)
	}
	_ = inf
	// Every 37th float32 in [0, 173] (about 3e7 values), plus the ends.
	worst, at := 0.0, float32(0)
	check := func(d2 float32) {
		got := float64(gauss(d2, underflowD2))
		want := math.Exp(-float64(d2) / 2)
		if e := math.Abs(got-want) / want; e > worst {
			worst, at = e, d2
		}
	}
	end := math.Float32bits(underflowD2)
	step := uint32(37)
	if testing.Short() {
		step = 997
	}
	for b := uint32(0); b <= end; b += step {
		check(math.Float32frombits(b))
	}
	for _, d2 := range []float32{0, 1e-30, 1e-7, 1, 2, 32, 33.27, 100, underflowD2} {
		check(d2)
	}
	t.Logf("max relative error %.3g at d2 = %g", worst, at)
	if worst > ExpMaxRelErr {
		t.Errorf("max relative error %.3g at d2 = %g > %g", worst, at, ExpMaxRelErr)
	}
}

func TestErrors(t *testing.T) {
	if _, err := New(nil, Options{}); err == nil {
		t.Error("nil grid accepted")
	}
	if _, err := New(&grid.Grid{}, Options{}); err == nil {
		t.Error("empty grid accepted")
	}
}

// The AVX2 loop computes every lane with the float32 operations of gauss in the same
// order as the pure-Go loop, so the two agree bit for bit (2-D and 3-D, partial blocks).
func TestAVX2MatchesGo(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	defer func() { haveAVX2 = true }()
	for _, c := range []cloud{
		{"swissroll", 3, swissRoll(2500, 21), 0.03},
		{"spiral", 2, spiral(2500, 22), 0.015},
		{"uniform3d", 3, uniform(777, 3, 23), 0.08},
	} {
		for _, cutoff := range []float64{DefaultCutoff, 3, 0} {
			g := mustGrid(t, c, cutoff, grid.Options{})
			v := signedVec(g.N, 5)
			var out [2][]float64
			for k, avx := range []bool{true, false} {
				haveAVX2 = avx
				op := mustOp(t, g, Options{CacheBudget: -1})
				out[k] = make([]float64, g.N)
				op.MulVec(out[k], v)
			}
			for i := range v {
				if math.Float64bits(out[0][i]) != math.Float64bits(out[1][i]) {
					t.Fatalf("%s cutoff %g: entry %d AVX2 %.17g, Go %.17g", c.name, cutoff, i, out[0][i], out[1][i])
				}
			}
		}
	}
}

// The cached mode's AVX-512 and AVX2 tile loops and the pure-Go one add the same terms in
// the same order with the same fused multiply-adds: the same bits, including odd cells
// and the diagonal tiles' aliasing of the two directions.
func TestCachedSIMDMatchesGo(t *testing.T) {
	defer func(a, b bool) { haveAVX512, haveFMA = a, b }(haveAVX512, haveFMA)
	loops := []struct {
		name        string
		avx512, fma bool
	}{{"Go", false, false}}
	if haveFMA {
		loops = append(loops, struct {
			name        string
			avx512, fma bool
		}{"AVX2", false, true})
	}
	if haveAVX512 {
		loops = append(loops, struct {
			name        string
			avx512, fma bool
		}{"AVX-512", true, true})
	}
	if len(loops) == 1 {
		t.Skip("no SIMD tile loop on this machine")
	}
	for _, c := range []cloud{
		{"swissroll", 3, swissRoll(2500, 31), 0.03},
		{"spiral", 2, spiral(2501, 32), 0.015},
	} {
		for _, cut := range []float64{4, DefaultCutoff} {
			g := mustGrid(t, c, cut, grid.Options{CellSize: cut})
			v := positiveVec(g.N, 6)
			out := make([][]float64, len(loops))
			for k, l := range loops {
				haveAVX512, haveFMA = l.avx512, l.fma
				op := mustOp(t, g, Options{CacheBudget: 1 << 40})
				out[k] = make([]float64, g.N)
				op.MulVec(out[k], v)
				op.MulVec(out[k], v) // a second product reuses the buffers
			}
			for k := 1; k < len(loops); k++ {
				for i := range v {
					if out[k][i] != out[0][i] {
						t.Fatalf("%s cutoff %g: entry %d %s %.17g, Go %.17g", c.name, cut, i, loops[k].name, out[k][i], out[0][i])
					}
				}
			}
		}
	}
}

func TestEstimateCost(t *testing.T) {
	c := cloud{"swissroll", 3, swissRoll(20000, 41), 0.02}
	g := mustGrid(t, c, 4, grid.Options{})
	op := mustOp(t, g, Options{CacheBudget: -1})
	st := op.Stats()
	e := EstimateCost(g, Options{CacheBudget: -1, Threads: 2})
	if e.Cached {
		t.Fatalf("estimate %+v, stats %+v", e, st)
	}
	// Sampled counts within 5% of the exact ones.
	if r := float64(e.PairsWithinCutoff) / float64(st.PairsWithinCutoff); r < 0.95 || r > 1.05 {
		t.Errorf("estimated %d pairs within, exact %d", e.PairsWithinCutoff, st.PairsWithinCutoff)
	}
	if g.N <= estimateTargets {
		t.Fatalf("%d points: the on-the-fly estimate would not be sampled", g.N)
	}
	if r := float64(e.PairsEvaluated) / float64(st.PairsEvaluated); r < 0.95 || r > 1.05 {
		t.Errorf("estimated %d pairs evaluated on the fly, exact %d", e.PairsEvaluated, st.PairsEvaluated)
	}
	if !(e.SecondsPerProduct > 0) || !(e.SecondsFirstBuild > 0) {
		t.Errorf("times %+v", e)
	}
	need := CacheBytesFor(g)
	if EstimateCost(g, Options{CacheBudget: need}).Cached != true || !WouldCache(g, Options{CacheBudget: need}) {
		t.Error("cache refused at its bound")
	}
	// Under the bound, the estimate from the sampled pairs decides; it is above the
	// real size and below the bound.
	small := EstimateCost(g, Options{CacheBudget: need - 1})
	cached := mustOp(t, g, Options{CacheBudget: 1 << 40}).Stats().CacheBytes
	if small.CacheBytes >= need || small.CacheBytes < cached {
		t.Errorf("estimated cache %d bytes, bound %d, built %d", small.CacheBytes, need, cached)
	}
	if EstimateCost(g, Options{CacheBudget: small.CacheBytes}).Cached != true || EstimateCost(g, Options{CacheBudget: small.CacheBytes - 1}).Cached {
		t.Error("cache decision does not follow the budget")
	}
	if op := mustOp(t, g, Options{CacheBudget: small.CacheBytes}); !op.Stats().Cached {
		t.Error("New refused a cache EstimateCost accepted")
	}
	// Over budget: a partial cache within the budget holding at least minPartialCache of
	// the pairs, or none. (The build also counts the block products' buffers, which the
	// estimate leaves out: on this small cloud's many tiles they take much of a budget.)
	need = small.CacheBytes
	for _, f := range []float64{0.3, 0.5, 0.7, 0.9} {
		part := int64(f * float64(cached))
		st := mustOp(t, g, Options{CacheBudget: part}).Stats()
		if st.Cached && (st.CacheBytes > part || st.CacheFraction < minPartialCache || st.CacheFraction >= 1) ||
			!st.Cached && st.CacheFraction != 0 {
			t.Errorf("budget %d for a cache of %d: %+v", part, cached, st)
		}
	}
	if e := EstimateCost(g, Options{CacheBudget: cached * 6 / 10}); e.Cached || !(e.CacheFraction > 0.3 && e.CacheFraction < 1) {
		t.Errorf("budget %d for a cache of %d: estimate %+v, want a partial cache", cached*6/10, cached, e)
	}
	low := int64(0.2 * float64(need))
	if EstimateCost(g, Options{CacheBudget: low}).CacheFraction != 0 || mustOp(t, g, Options{CacheBudget: low}).Stats().Cached {
		t.Errorf("budget %d for a cache of ~%d: cached, want on the fly", low, need)
	}
	if op3 := mustOp(t, g, Options{}); !op3.Stats().Cached {
		t.Error("default budget (half of MemAvailable) refused a small cache")
	}
}

func TestDefaultCutoff(t *testing.T) {
	if want := math.Sqrt(2 * 24 * math.Ln2); DefaultCutoff != want {
		t.Fatalf("DefaultCutoff = %.17g, want %.17g", DefaultCutoff, want)
	}
	if r := math.Exp(-DefaultCutoff * DefaultCutoff / 2); math.Abs(r-math.Pow(2, -24)) > 1e-20 {
		t.Fatalf("exp(-c^2/2) = %g, want 2^-24", r)
	}
}

// Source-chunk pruning skips only pairs beyond the cutoff, which add exactly 0: the
// product is bit-identical to sweeping whole neighbour cells, for any chunk size and
// merge gap, and the pairs looked at stay between the pairs within the cutoff and the
// whole-cell count.
func TestSourceChunksBitIdentical(t *testing.T) {
	for _, c := range []cloud{
		{"swissroll", 3, swissRoll(3000, 31), 0.02},
		{"spiral", 2, spiral(3000, 32), 0.01},
		{"uniform3d", 3, uniform(1500, 3, 33), 0.07},
	} {
		for _, cutoff := range []float64{DefaultCutoff, 2.5} {
			g := mustGrid(t, c, cutoff, grid.Options{})
			op := mustOp(t, g, Options{CacheBudget: -1})
			within := op.Stats().PairsWithinCutoff
			v := signedVec(g.N, 9)
			op.buildBlocks(0, 0)
			whole := op.Stats().PairsEvaluated
			ref := make([]float64, g.N)
			op.MulVec(ref, v)
			for _, p := range [][2]int{{sourceChunk, mergeGap}, {8, 0}, {32, 0}, {16, 16}, {1, 0}, {4, 4}, {3, 5}} {
				op.buildBlocks(p[0], p[1])
				ev := op.Stats().PairsEvaluated
				if ev < within || ev > whole {
					t.Errorf("%s cutoff %g chunks %v: evaluated %d, within %d, whole cells %d", c.name, cutoff, p, ev, within, whole)
				}
				kv := make([]float64, g.N)
				op.MulVec(kv, v)
				for i := range kv {
					if math.Float64bits(kv[i]) != math.Float64bits(ref[i]) {
						t.Fatalf("%s cutoff %g chunks %v: entry %d = %.17g, whole cells %.17g", c.name, cutoff, p, i, kv[i], ref[i])
					}
				}
				t.Logf("%s cutoff %.3g chunks %v: evaluated/within %.3f (whole cells %.3f)", c.name, cutoff, p, float64(ev)/float64(within), float64(whole)/float64(within))
			}
		}
	}
}

// A cell of more than 65535 points cannot be indexed by the cache's 16-bit row spans:
// such a grid is never cached (it runs on the fly), whatever the budget.
func TestCacheRefusesHugeCells(t *testing.T) {
	const n = 70000
	pts := make([]float64, 2*n) // all at the origin: one cell
	g, err := grid.Build(pts, 2, 1, 4, grid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Cells) != 1 {
		t.Fatalf("%d cells, want 1", len(g.Cells))
	}
	if b := CacheBytesFor(g); b != math.MaxInt64 {
		t.Errorf("CacheBytesFor = %d, want MaxInt64", b)
	}
	if WouldCache(g, Options{CacheBudget: math.MaxInt64 - 1}) {
		t.Error("WouldCache accepted a cell of 70000 points")
	}
	if e := EstimateCost(g, Options{CacheBudget: math.MaxInt64 - 1}); e.Cached {
		t.Error("EstimateCost would cache a cell of 70000 points")
	}
}

// OffDiagonalRow is the operator's row: its values plus K(t,t) = 1 sum to the degree,
// each is the kernel value of the pair, and it lists every pair with a nonzero value.
func TestOffDiagonalRow(t *testing.T) {
	c := cloud{"spiral", 2, spiral(700, 9), 0.02}
	for _, cutoff := range []float64{DefaultCutoff, 0} {
		g := mustGrid(t, c, cutoff, grid.Options{})
		for _, m := range modes {
			op := mustOp(t, g, m.opt)
			deg := op.Degrees()
			var idx []int32
			var val []float64
			for r := 0; r < g.N; r += 7 {
				idx, val = op.OffDiagonalRow(r, idx[:0], val[:0])
				sum, nonzero := 1.0, 0
				for p, s := range idx {
					sum += val[p]
					d2 := float64(op.pairDist2(r, int(s)))
					if int(s) == r || (p > 0 && idx[p-1] >= s) || math.Abs(val[p]-math.Exp(-d2/2)) > ExpMaxRelErr*math.Exp(-d2/2) {
						t.Fatalf("cutoff %g %s row %d: entry %d = (%d, %g) at d2 %g", cutoff, m.name, r, p, s, val[p], d2)
					}
				}
				for s := 0; s < g.N; s++ {
					if s != r && gauss(op.pairDist2(r, s), op.c2) != 0 {
						nonzero++
					}
				}
				if len(idx) != nonzero || math.Abs(sum-deg[r]) > 1e-12*deg[r] {
					t.Fatalf("cutoff %g %s row %d: %d entries summing to %.15g, want %d and the degree %.15g", cutoff, m.name, r, len(idx), sum, nonzero, deg[r])
				}
			}
		}
	}
}
