package eigsh

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// diagOp is a diagonal operator with a known spectrum.
type diagOp []float64

func (d diagOp) Dims() int { return len(d) }
func (d diagOp) MulVec(dst, src []float64) {
	for i, v := range d {
		dst[i] = v * src[i]
	}
}

func TestLOBPCGDiagonal(t *testing.T) {
	n := 2000
	d := make(diagOp, n)
	for i := range d {
		d[i] = math.Exp(-float64(i) / 50)
	}
	res, err := LOBPCG(d, 5, BlockOptions{Block: 8, Tol: 1e-8, MaxIter: 2000})
	if err != nil {
		t.Fatal(err)
	}
	for j, v := range res.Values {
		want := d[4-j]
		if math.Abs(v-want) > 1e-10 {
			t.Errorf("value %d: %.15g want %.15g", j, v, want)
		}
	}
	t.Logf("passes %d", res.Passes)
}

func TestLOBPCGDenseAgainstEigen(t *testing.T) {
	a := randSym(300, 3)
	res, err := LOBPCG(Dense{a}, 4, BlockOptions{Block: 7, Tol: 1e-9, MaxIter: 3000})
	if err != nil {
		t.Fatal(err)
	}
	all := denseEigen(t, a)
	want := wanted(LA, all, 4)
	for j := range want {
		if math.Abs(res.Values[j]-want[j]) > 1e-8*math.Abs(want[j]) {
			t.Errorf("value %d: %.15g want %.15g", j, res.Values[j], want[j])
		}
	}
	_ = mat.NewDense
	t.Logf("passes %d", res.Passes)
}

// A path graph's normalized affinity with two coarse levels of pairs: a small
// multilevel problem whose answer the dense solver knows.
func pathLevels(n int) (Operator, []Level, *mat.SymDense) {
	return bandLevels(n, 1, func(int, int) float64 { return math.Exp(-0.5) })
}

// bandLevels is pathLevels for the graph with weight link(i, j) between nodes i < j at
// most band apart.
func bandLevels(n, band int, link func(i, j int) float64) (*Sparse, []Level, *mat.SymDense) {
	// K: the links' weights, 1 on the diagonal; A = D^-1/2 K D^-1/2.
	k := func(i, j int) float64 {
		if i == j {
			return 1
		}
		return link(min(i, j), max(i, j))
	}
	d := make([]float64, n)
	for i := range d {
		for j := max(i-band, 0); j <= min(i+band, n-1); j++ {
			d[i] += k(i, j)
		}
	}
	cols := make([][]int32, n)
	vals := make([][]float64, n)
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := max(i-band, 0); j <= min(i+band, n-1); j++ {
			v := k(i, j) / math.Sqrt(d[i]*d[j])
			cols[i] = append(cols[i], int32(j))
			vals[i] = append(vals[i], v)
			a.SetSym(i, j, v)
		}
	}
	fine, _ := NewSparse(n, cols, vals)
	var levels []Level
	cur, dc := fine, d
	for cur.N > 40 {
		m := (cur.N + 3) / 4
		lab := make([]int32, cur.N)
		d2 := make([]float64, m)
		for i := range lab {
			lab[i] = int32(i / 4)
			d2[i/4] += dc[i]
		}
		wt := make([]float64, cur.N)
		coords := make([]float64, m)
		for i := range wt {
			wt[i] = math.Sqrt(dc[i] / d2[lab[i]])
		}
		for c := range coords {
			coords[c] = float64(c)
		}
		co := cur.Galerkin(lab, wt, m)
		levels = append(levels, Level{Labels: lab, Weights: wt, A: co, Coords: coords, Dim: 1})
		cur, dc = co, d2
	}
	return fine, levels, a
}

// The cascade on a path graph, with the first coarse system factored and, with
// ExactMaxNNZ 1, solved by conjugate gradients on the next level instead: the same
// eigenvalues as the dense solver, each pair checked on the operator.
func TestSolveMultilevelPath(t *testing.T) {
	op, levels, a := pathLevels(800)
	if len(levels) < 2 {
		t.Fatalf("%d levels", len(levels))
	}
	var eig mat.EigenSym
	if !eig.Factorize(a, false) {
		t.Fatal("dense eigen failed")
	}
	all := eig.Values(nil) // ascending
	exact, err := SolveMultilevel(op, 5, levels, MultilevelOptions{Tol: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	// "reuse": level 1 factored, level 0 too large for that limit, so its conjugate
	// gradients take level 1's preconditioner (newTwoLevel's prev) as theirs.
	f0, f1 := exact.Levels[0].FactorNNZ, exact.Levels[1].FactorNNZ
	if f1 == 0 || f1 >= f0 {
		t.Fatalf("factor nonzeros %d (level 0), %d (level 1): want 0 < level 1 < level 0", f0, f1)
	}
	for _, c := range []struct {
		name string
		opt  MultilevelOptions
		cg   bool
	}{
		{"exact", MultilevelOptions{Tol: 1e-9}, false},
		{"cg", MultilevelOptions{Tol: 1e-9, ExactMaxNNZ: 1}, true},
		{"reuse", MultilevelOptions{Tol: 1e-9, ExactMaxNNZ: f1}, true},
		{"dear", MultilevelOptions{Tol: 1e-9, ExactMaxNNZ: 1}, true},
	} {
		if c.name == "dear" { // any step is too many: CG, then the factor (twoLevel.probe)
			old := pcgDearSteps
			pcgDearSteps = 0
			defer func() { pcgDearSteps = old }()
		}
		res, err := SolveMultilevel(op, 5, levels, c.opt)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		l0 := res.Levels[0]
		if c.name == "dear" {
			if l0.CGSteps == 0 || l0.FactorNNZ != f0 {
				t.Errorf("dear: level 0 %+v, want CG steps and then the factor of %d nonzeros", l0, f0)
			}
		} else if got := l0.CGSteps > 0 && l0.FactorNNZ == 0; got != c.cg {
			t.Errorf("%s: level 0 %+v, want CG %v", c.name, l0, c.cg)
		}
		if c.name == "reuse" && res.Levels[1].FactorNNZ != f1 {
			t.Errorf("reuse: level 1 %+v, want its factor of %d nonzeros", res.Levels[1], f1)
		}
		for j := 0; j < 5; j++ {
			want := all[len(all)-5+j]
			if math.Abs(res.Values[j]-want) > 1e-12 {
				t.Errorf("%s: value %d: %.15g want %.15g", c.name, j, res.Values[j], want)
			}
		}
		checkPairs(t, op, res, 1e-9*1.0001, 1e-8)
		if len(res.Levels) != len(levels)+1 || res.Passes == 0 || res.Block != DefaultBlock(5) {
			t.Errorf("%s: levels %v passes %d block %d", c.name, res.Levels, res.Passes, res.Block)
		}
	}
}

// Same bits for any GOMAXPROCS.
func TestSolveMultilevelDeterministic(t *testing.T) {
	op, levels, _ := pathLevels(20000)
	// exact: the coarse factor; 1: conjugate gradients on the next level.
	for _, exact := range []int{0, 1} {
		run := func(procs int) *Result {
			old := runtime.GOMAXPROCS(procs)
			defer runtime.GOMAXPROCS(old)
			res, err := SolveMultilevel(op, 4, levels, MultilevelOptions{Tol: 1e-8, ExactMaxNNZ: exact})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		r1, r2 := run(1), run(3)
		for j := range r1.Values {
			if r1.Values[j] != r2.Values[j] || r1.Residuals[j] != r2.Residuals[j] {
				t.Fatalf("ExactMaxNNZ %d: pair %d differs: %v/%v vs %v/%v", exact, j, r1.Values[j], r1.Residuals[j], r2.Values[j], r2.Residuals[j])
			}
		}
		if !mat.Equal(r1.Vectors, r2.Vectors) || r1.Passes != r2.Passes {
			t.Fatalf("ExactMaxNNZ %d: vectors or passes depend on GOMAXPROCS", exact)
		}
	}
}

// Too few iterations: *NoConvergence with only converged pairs, each verified.
func TestLOBPCGNoConvergence(t *testing.T) {
	d := make(diagOp, 3000)
	for i := range d {
		d[i] = math.Exp(-float64(i) / 400)
	}
	_, err := LOBPCG(d, 6, BlockOptions{Block: 8, Tol: 1e-10, MaxIter: 6})
	var nc *NoConvergence
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v, want *NoConvergence", err)
	}
	if nc.Converged != len(nc.Result.Values) || nc.Converged >= 6 {
		t.Fatalf("converged %d, values %d", nc.Converged, len(nc.Result.Values))
	}
	for j, v := range nc.Result.Values {
		if nc.Result.Residuals[j] > 1e-10*math.Abs(v) {
			t.Errorf("returned pair %d has residual %g", j, nc.Result.Residuals[j])
		}
	}
}

func TestLOBPCGCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := LOBPCG(diagOp(make([]float64, 500)), 3, BlockOptions{Context: ctx})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// halfDone cancels its context at the n-th column product and leaves that product
// unfinished (NaN), as the kernel does when a Ctrl-C stops its workers mid-product.
type halfDone struct {
	Operator
	n, calls int
	cancel   func()
}

func (h *halfDone) MulVec(dst, src []float64) {
	h.calls++
	h.Operator.MulVec(dst, src)
	if h.calls >= h.n {
		h.cancel()
		for i := range dst {
			dst[i] = math.NaN()
		}
	}
}

// A product cut short by a cancellation ends LOBPCG at once with the context's error,
// before its unfinished values reach the Rayleigh-Ritz step (which would fail on them and
// end the loop as a stagnation, without saying it was cancelled).
func TestLOBPCGCancelledMidProduct(t *testing.T) {
	d := make([]float64, 400)
	for i := range d {
		d[i] = 1 / float64(i+1)
	}
	for _, at := range []int{20, 45} { // in the first W product; in a later one
		ctx, cancel := context.WithCancel(context.Background())
		op := &halfDone{Operator: diagOp(d), n: at, cancel: cancel}
		_, err := LOBPCG(op, 3, BlockOptions{Context: ctx, Block: 6, Tol: 1e-12})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancel at column product %d: %v, want context.Canceled", at, err)
		}
		if op.calls > at+6 {
			t.Errorf("cancel at column product %d: %d ran after it", at, op.calls-at)
		}
	}
}

// The sparse Cholesky in nested-dissection order solves (shift I - A) z = g.
func TestCholeskySolve(t *testing.T) {
	_, levels, _ := pathLevels(3000)
	lv := levels[0]
	a := lv.A
	perm := ndOrder(a, lv.Coords, lv.Dim)
	seen := make([]bool, a.N)
	for _, p := range perm {
		if seen[p] {
			t.Fatal("ndOrder is not a permutation")
		}
		seen[p] = true
	}
	c, ok := newCholesky(a.permuted(perm), 1.01, 1<<30)
	if !ok {
		t.Fatal("factorisation failed")
	}
	c.perm = perm
	b := 3
	g := randBlock(a.N, b, 9)
	z := append([]float64(nil), g...)
	c.solveBlock(z, b)
	az := make([]float64, len(z))
	a.MulBlock(az, z, b)
	for i := range z {
		if r := 1.01*z[i] - az[i] - g[i]; math.Abs(r) > 1e-10 {
			t.Fatalf("residual %g at %d", r, i)
		}
	}
}

// latticeLevel is a coarse-level-like operator on a side x side lattice: each node joined
// to those within 3 spacings by exp(-d^2/4), scaled so the rows sum to at most 1/1.01,
// with the lattice coordinates for ndOrder. Its nested-dissection factor fills in its
// last columns, the dense tail's case.
func latticeLevel(t *testing.T, side int) (*Sparse, []float64) {
	m := side * side
	cols := make([][]int32, m)
	vals := make([][]float64, m)
	coords := make([]float64, 2*m)
	maxSum := 0.0
	for i := 0; i < m; i++ {
		x, y := i%side, i/side
		coords[2*i], coords[2*i+1] = float64(x), float64(y)
		sum := 0.0
		for dy := -3; dy <= 3; dy++ {
			for dx := -3; dx <= 3; dx++ {
				x2, y2 := x+dx, y+dy
				d2 := dx*dx + dy*dy
				if x2 < 0 || y2 < 0 || x2 >= side || y2 >= side || d2 > 9 {
					continue
				}
				v := math.Exp(-float64(d2) / 4)
				cols[i] = append(cols[i], int32(y2*side+x2))
				vals[i] = append(vals[i], v)
				sum += v
			}
		}
		maxSum = max(maxSum, sum)
	}
	for i := range vals {
		for p := range vals[i] {
			vals[i][p] /= 1.01 * maxSum
		}
	}
	a, err := NewSparse(m, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	return a, coords
}

// The dense tail gives the factor the sparse loop gives, to rounding: same solutions of
// (shift I - A) z = g, on a lattice whose nested-dissection order fills its last columns.
func TestCholeskyDenseTail(t *testing.T) {
	a, coords := latticeLevel(t, 60)
	perm := ndOrder(a, coords, 2)
	ap := a.permuted(perm)
	shift := 1.0
	c, ok := newCholesky(ap, shift, 1<<30)
	if !ok {
		t.Fatal("factorisation failed")
	}
	if c.k0 == c.n {
		t.Fatalf("no dense tail on the %d-node lattice", c.n)
	}
	saved := denseTailDensity
	denseTailDensity = 2 // never
	sp, ok := newCholesky(ap, shift, 1<<30)
	denseTailDensity = saved
	if !ok || sp.k0 != sp.n {
		t.Fatal("sparse-only factorisation failed")
	}
	t.Logf("%d nodes: dense tail of %d columns, factor %d nonzeros (sparse only: %d)", c.n, c.n-c.k0, c.nnz(), sp.nnz())
	c.perm, sp.perm = perm, perm
	b := 5
	g := randBlock(a.N, b, 3)
	z1, z2 := append([]float64(nil), g...), append([]float64(nil), g...)
	c.solveBlock(z1, b)
	sp.solveBlock(z2, b)
	// The same bits with one thread: the factor (gonum's Potrf) and the solves.
	old := runtime.GOMAXPROCS(1)
	c1, _ := newCholesky(ap, shift, 1<<30)
	c1.perm = perm
	z3 := append([]float64(nil), g...)
	c1.solveBlock(z3, b)
	runtime.GOMAXPROCS(old)
	for i := range z1 {
		if z1[i] != z3[i] {
			t.Fatalf("entry %d: %.17g with %d threads, %.17g with one", i, z1[i], old, z3[i])
		}
	}
	az := make([]float64, len(z1))
	a.MulBlock(az, z1, b)
	for i := range z1 {
		if r := shift*z1[i] - az[i] - g[i]; math.Abs(r) > 1e-9 {
			t.Fatalf("residual %g at %d", r, i)
		}
		if d := math.Abs(z1[i] - z2[i]); d > 1e-9*math.Max(1, math.Abs(z2[i])) {
			t.Fatalf("dense tail and sparse solutions differ by %g at %d", d, i)
		}
	}
}

// Where many rows have a small degree, Jacobi's term (MultilevelOptions.Diag) takes the
// place of the identity outside the coarse space: the same pairs in fewer passes.
func TestSolveMultilevelJacobi(t *testing.T) {
	// A band of Gaussian weights (degrees ~5), every tenth node a noise point whose
	// links are weak (degree ~1.2, A_ii ~0.8).
	noise := func(i int) bool { return i%10 == 7 }
	op, levels, a := bandLevels(800, 4, func(i, j int) float64 {
		w := math.Exp(-float64((i-j)*(i-j)) / 8)
		if noise(i) || noise(j) {
			w *= 0.05
		}
		return w
	})
	var eig mat.EigenSym
	if !eig.Factorize(a, false) {
		t.Fatal("dense eigen failed")
	}
	all := eig.Values(nil)
	passes := map[bool]int{}
	for _, jacobi := range []bool{false, true} {
		opt := MultilevelOptions{Tol: 1e-9}
		if jacobi {
			opt.Diag = op.diagonal()
		}
		res, err := SolveMultilevel(op, 5, levels, opt)
		if err != nil {
			t.Fatalf("jacobi %v: %v", jacobi, err)
		}
		for j := 0; j < 5; j++ {
			if want := all[len(all)-5+j]; math.Abs(res.Values[j]-want) > 1e-12 {
				t.Errorf("jacobi %v: value %d: %.15g want %.15g", jacobi, j, res.Values[j], want)
			}
		}
		checkPairs(t, op, res, 1e-9*1.0001, 1e-8)
		passes[jacobi] = res.Levels[0].Passes
	}
	t.Logf("fine passes: identity %d, Jacobi %d", passes[false], passes[true])
	if passes[true] >= passes[false] {
		t.Errorf("fine passes: Jacobi %d, identity %d: want fewer with Jacobi", passes[true], passes[false])
	}
	// With the coarse system solved by CG, whose preconditioner is built afresh with the
	// term from level 1's diagonal: the same pairs.
	res, err := SolveMultilevel(op, 5, levels, MultilevelOptions{Tol: 1e-9, Diag: op.diagonal(), ExactMaxNNZ: 1})
	if err != nil {
		t.Fatalf("cg: %v", err)
	}
	if res.Levels[0].CGSteps == 0 {
		t.Errorf("cg: level 0 %+v, want CG steps", res.Levels[0])
	}
	for j := 0; j < 5; j++ {
		if want := all[len(all)-5+j]; math.Abs(res.Values[j]-want) > 1e-12 {
			t.Errorf("cg: value %d: %.15g want %.15g", j, res.Values[j], want)
		}
	}
	checkPairs(t, op, res, 1e-9*1.0001, 1e-8)
	if _, err := SolveMultilevel(op, 5, levels, MultilevelOptions{Diag: make([]float64, 3)}); !errors.Is(err, ErrLevels) {
		t.Errorf("a Diag of 3 values: %v, want ErrLevels", err)
	}
}

// The 4-column sweeps (forward4, tail4, backward4) give the general ones' bits, so a
// column's solution does not depend on how solveCols groups the columns; and it solves
// the system.
func TestCholeskyFourColumns(t *testing.T) {
	a, coords := latticeLevel(t, 40)
	perm := ndOrder(a, coords, 2)
	ap := a.permuted(perm)
	c, ok := newCholesky(ap, 1.0, 1<<30)
	if !ok {
		t.Fatal("factorisation failed")
	}
	if c.k0 == 0 || c.k0 == c.n {
		t.Fatalf("sparse columns %d of %d: the test needs both parts", c.k0, c.n)
	}
	const b = 8
	g := randBlock(a.N, b, 3)
	fast := append([]float64(nil), g...)
	c.solveLLt(fast, b, 4, 8) // forward4, tail4, backward4
	slow := append([]float64(nil), g...)
	c.solveLLt(slow, b, 4, 7) // forward, tailCols, backward
	c.solveLLt(slow, b, 7, 8)
	ax := make([]float64, len(fast))
	ap.MulBlock(ax, fast, b)
	for i := range fast {
		if i%b < 4 {
			if fast[i] != g[i] || slow[i] != g[i] {
				t.Fatalf("element %d outside the solved columns changed", i)
			}
			continue
		}
		if fast[i] != slow[i] {
			t.Fatalf("element %d: %v (4 columns) != %v (general)", i, fast[i], slow[i])
		}
		if r := fast[i] - ax[i] - g[i]; math.Abs(r) > 1e-10 { // shift 1
			t.Fatalf("residual %g at element %d", r, i)
		}
	}
	// solveCols's split between two threads against one sweep over every column.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for _, w := range []int{5, 6, 7, 9, 12, 16} {
		g := randBlock(a.N, w, uint64(w))
		par := append([]float64(nil), g...)
		c.solveCols(par, w)
		one := append([]float64(nil), g...)
		c.solveLLt(one, w, 0, w)
		for i := range par {
			if par[i] != one[i] {
				t.Fatalf("block of %d: element %d: %v (solveCols) != %v (one sweep)", w, i, par[i], one[i])
			}
		}
	}
}
