package eigsh

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// The multilevel solver: a cascade over coarse levels built by aggregation. Level l+1's
// operator is Q^T A_l Q for an n_l x n_{l+1} matrix Q with one nonzero per row and
// orthonormal columns (for the normalized kernel affinity, Q = D^1/2 P Dc^-1/2 with P the
// aggregates' indicator: then Q^T A Q is the affinity of the summed kernel P^T K P), so
// each coarse problem is a Rayleigh-Ritz projection of the finer one: its eigenvalues
// bound the finer ones from below (for the largest) and its eigenvectors prolong exactly
// (Q y). The coarsest level is solved by Lanczos (Solve); each finer level by LOBPCG,
// started from the prolonged eigenvectors of the level below and preconditioned by the
// two-level operator T r = J r + Q ((1+eps) I - A_c)^-1 Q^T r (a coarse-grid correction of
// L = I - A plus J: Jacobi's diag((1+eps) I - A)^-1 where MultilevelOptions.Diag gives
// A's diagonal, near the identity where the points have many neighbours; else the
// identity; setJacobi). The coarse
// inverse is exact, by a sparse Cholesky factor, where that factor is small enough
// (ExactMaxNNZ); otherwise it is approximated by conjugate gradients preconditioned by
// the next level's two-level operator (a recursive, inexact cycle), which lets the first
// level be finer, for fewer fine passes, than a factor would allow. Only the finest
// level's residuals must meet Tol; coarser levels only supply starts and preconditioners.

// Level is one coarse level of the cascade.
type Level struct {
	Labels  []int32   // row i of the finer level belongs to coarse node Labels[i]
	Weights []float64 // Q[i, Labels[i]]; the columns of Q have unit norm
	A       *Sparse   // Q^T A_finer Q
	// Coords of the coarse nodes (A.N x Dim, row-major), for the nested-dissection
	// ordering of the coarse factorisation; nil keeps the given order.
	Coords []float64
	Dim    int
}

// CoarseSolve is how the preconditioner applies ((1+eps) I - A_c)^-1.
type CoarseSolve int

const (
	// CoarseCholesky factors the coarse system once (sparse Cholesky) and solves exactly.
	CoarseCholesky CoarseSolve = iota
	// CoarseSpectral inverts exactly on the coarse Ritz vectors the cascade already has
	// and scales the rest of the coarse space by the inverse of its smallest known gap:
	// no factorisation, but a weaker preconditioner.
	CoarseSpectral
)

// MultilevelOptions configure SolveMultilevel; zero values mean defaults.
type MultilevelOptions struct {
	Tol      float64 // finest level, as BlockOptions.Tol
	MaxIter  int     // LOBPCG iterations per level; 0 = 200
	Seed     uint64
	Context  context.Context
	Progress func(Progress) // finest level only
	Block    int            // 0 = DefaultBlock(k)
	Deflate  []float64      // a unit eigenvector of op kept out of the solution (nil = none)
	Coarse   CoarseSolve
	Eps      float64 // shift of the coarse system relative to the coarse gap 1 - mu_1; 0 = 0.01
	// CholeskyMaxNNZ caps the factor's nonzeros (0 = 4e7); above it CoarseSpectral is used.
	CholeskyMaxNNZ int
	// ExactMaxNNZ is the largest coarse factor used where a further level exists (0 =
	// DefaultExactMaxNNZ): above it the coarse system is solved inexactly, by conjugate
	// gradients preconditioned by the next level's two-level operator (coarsePCG). On the
	// 10^6 roll's 1.5-sigma level (26,681 nodes) the factor had 22M nonzeros (31M stored,
	// with its dense tail) and took 49 s; the conjugate gradients took 6 steps a solve and
	// 8.9 s of preconditioning in all, for the same 22 fine passes
	// (docs/bench/multilevel.md, "Session 6"). Both limits count the symbolic factor's
	// nonzeros; LevelStats.FactorNNZ counts those stored (the dense tail's whole triangle).
	ExactMaxNNZ int
	// PCGTol is the relative residual at which coarsePCG stops (0 = DefaultPCGTol).
	PCGTol float64
	// Diag is op's diagonal. Given, each level's two-level preconditioner takes Jacobi's
	// term outside the coarse space (coarser levels from their own operators' diagonals);
	// nil keeps the identity there.
	Diag []float64
}

// DefaultExactMaxNNZ and DefaultPCGTol: see MultilevelOptions.
var (
	DefaultExactMaxNNZ = 5_000_000
	DefaultPCGTol      = 1e-2
)

// DefaultBlock is the LOBPCG block size for k wanted pairs: k plus a margin of at least
// 2, so the (k+1)-th eigenvalue does not limit the convergence of the k-th, rounded up
// to a multiple of 4 because the kernel's block products pad their rows to whole ymm
// registers of 4 columns (padded columns cost as much as real ones). On the 10^5 roll
// (k = 6) a block of 8 took 19 fine passes against 18 for 9 and 17 for 12, but the
// least time (docs/bench/multilevel.md, session 5).
func DefaultBlock(k int) int { return (k + 2 + 3) &^ 3 }

// LevelStats describe one level of a multilevel solve, finest first.
type LevelStats struct {
	N          int
	Iterations int
	Passes     int // block products of this level's operator
	MatVecs    int
	FactorNNZ  int // nonzeros of the coarse Cholesky factor used at this level (0 = none)
	// CGSteps counts the conjugate-gradient steps of this level's inexact coarse solves
	// (0: the coarse system was factored, or none).
	CGSteps int
}

// ErrLevels is returned for inconsistent levels.
var ErrLevels = errors.New("eigsh: inconsistent multilevel levels")

// SolveMultilevel finds the k largest eigenpairs of op with the cascade over levels
// (levels[0] is op's coarse level, levels[i+1] that of levels[i].A). Result is as from
// LOBPCG on op: converged means the residual test on op itself; Result.Levels has each
// level's work. It returns *NoConvergence (with the converged pairs) when the finest
// level does not converge.
func SolveMultilevel(op Operator, k int, levels []Level, opt MultilevelOptions) (*Result, error) {
	if op == nil || len(levels) == 0 {
		return nil, fmt.Errorf("%w: need an operator and at least one level", ErrLevels)
	}
	b := opt.Block
	if b == 0 {
		b = DefaultBlock(k)
	}
	b = max(b, k)
	sizes := []int{op.Dims()}
	if opt.Diag != nil && len(opt.Diag) != sizes[0] {
		return nil, fmt.Errorf("%w: Diag has %d values for %d rows", ErrLevels, len(opt.Diag), sizes[0])
	}
	for i, lv := range levels {
		if len(lv.Labels) != sizes[i] || len(lv.Weights) != sizes[i] || lv.A == nil {
			return nil, fmt.Errorf("%w: level %d", ErrLevels, i+1)
		}
		for _, a := range lv.Labels {
			if a < 0 || int(a) >= lv.A.N {
				return nil, fmt.Errorf("%w: level %d label %d outside 0..%d", ErrLevels, i+1, a, lv.A.N-1)
			}
		}
		sizes = append(sizes, lv.A.N)
	}
	L := len(levels)
	if b+2 > sizes[L] {
		return nil, fmt.Errorf("%w: coarsest level has %d nodes, too few for a block of %d", ErrLevels, sizes[L], b)
	}
	// Deflation vectors per level: d_{l+1} = Q_l^T d_l, normalised.
	defl := make([][]float64, L+1)
	defl[0] = opt.Deflate
	for i := 0; i < L && defl[i] != nil; i++ {
		d := restrict(levels[i], defl[i], 1)
		normalize(d)
		defl[i+1] = d
	}
	stats := make([]LevelStats, L+1)
	for i := range stats {
		stats[i].N = sizes[i]
	}

	// Coarsest: Lanczos for b pairs.
	t0 := time.Now()
	var cop Operator = levels[L-1].A
	if defl[L] != nil {
		cop = &projected{cop, defl[L]}
	}
	cres, err := Solve(cop, b, Options{Which: LA, Tol: 1e-10, Seed: opt.Seed, Context: opt.Context})
	var nc *NoConvergence
	if errors.As(err, &nc) && nc.Result != nil && len(nc.Result.Values) == b {
		cres, err = nc.Result, nil
	}
	if err != nil {
		return nil, fmt.Errorf("eigsh: coarsest level (%d nodes): %w", sizes[L], err)
	}
	stats[L].MatVecs, stats[L].Passes, stats[L].Iterations = cres.MatVecs, cres.MatVecs, cres.Restarts
	if Trace != nil {
		fmt.Fprintf(Trace, "multilevel: coarsest %d nodes, %d nonzeros: Lanczos %d products, %v\n", sizes[L], len(levels[L-1].A.Col), cres.MatVecs, time.Since(t0))
	}
	y := make([]float64, sizes[L]*b)
	mu := make([]float64, b)
	for j := 0; j < b; j++ { // descending
		c := b - 1 - j
		mu[j] = cres.Values[c]
		for i := 0; i < sizes[L]; i++ {
			y[i*b+j] = cres.Vectors.At(i, c)
		}
	}

	var prev *twoLevel // the previous (coarser) level's preconditioner
	for l := L - 1; l >= 0; l-- {
		var lop Operator = op
		kl, tol, progress := k, opt.Tol, opt.Progress
		if l > 0 {
			lop = levels[l-1].A
			if defl[l] != nil {
				lop = &projected{lop, defl[l]}
			}
			kl, tol, progress = k, 1e-4, nil
		}
		t0 := time.Now()
		var next *Level
		if l+1 < L {
			next = &levels[l+1]
		}
		var diag []float64 // Jacobi's term on every level (each from its own operator's diagonal) or none
		if opt.Diag != nil {
			diag = opt.Diag
			if l > 0 {
				diag = levels[l-1].A.diagonal()
			}
		}
		prec, fnnz := newTwoLevel(levels[l], next, y, mu, b, defl[l+1:], opt, prev, diag)
		prev = prec
		if Trace != nil {
			fmt.Fprintf(Trace, "multilevel: level %d preconditioner (factor %d nonzeros) %v\n", l, fnnz, time.Since(t0))
		}
		stats[l].FactorNNZ = fnnz
		x0 := prolong(levels[l], y, b)
		res, blk, err := lobpcgBlock(lop, kl, BlockOptions{
			Tol: tol, MaxIter: opt.MaxIter, Seed: opt.Seed + uint64(l), Context: opt.Context,
			X0: x0, Block: b, Deflate: defl[l], Precond: prec.apply, Progress: progress,
		})
		if blk == nil {
			return nil, err
		}
		st := &stats[l]
		if prec.chol != nil && st.FactorNNZ == 0 {
			st.FactorNNZ = prec.chol.nnz() // factored after its PCG solves proved dear
		}
		if prec.pcg != nil {
			st.CGSteps = prec.pcg.iters
			if Trace != nil {
				fmt.Fprintf(Trace, "multilevel: level %d coarse CG: %d steps in %d solves\n", l, prec.pcg.iters, prec.pcg.calls)
			}
		}
		if res != nil {
			st.Iterations, st.Passes, st.MatVecs = res.Restarts, res.Passes, res.MatVecs
		} else if errors.As(err, &nc) {
			st.Iterations, st.Passes, st.MatVecs = nc.Result.Restarts, nc.Result.Passes, nc.Result.MatVecs
		}
		if l == 0 {
			out := res
			if out == nil {
				out = nc.Result
			}
			out.Levels = stats
			return res, err
		}
		// Intermediate levels need not converge: their block is a start and a preconditioner.
		y, mu = blk.x, blk.theta
	}
	panic("unreachable")
}

// projected is P A P for a unit vector u (A's eigenvector), P = I - u u^T.
type projected struct {
	op Operator
	u  []float64
}

func (p *projected) Dims() int { return p.op.Dims() }

func (p *projected) MulVec(dst, src []float64) { p.MulBlock(dst, src, 1) }

func (p *projected) MulBlock(dst, src []float64, b int) {
	n := len(p.u)
	MulBlock(p.op, dst, src, b)
	projectOut(n, dst, b, p.u)
}

func normalize(x []float64) {
	var s float64
	for _, v := range x {
		s += v * v
	}
	if s > 0 {
		scale(x, 1/math.Sqrt(s))
	}
}

// restrict returns Q^T r for the n x b block r: coarse row a sums w_i r_i over its
// members in ascending order (one worker per row, so the bits are fixed).
func restrict(lv Level, r []float64, b int) []float64 {
	start, members := lv.members()
	return restrictBy(lv, start, members, r, b)
}

// restrictBy is restrict with lv's members already listed (twoLevel keeps them: the
// preconditioner restricts at every application).
func restrictBy(lv Level, start []int, members []int32, r []float64, b int) []float64 {
	m := lv.A.N
	out := make([]float64, m*b)
	parChunks(m, func(_, lo, hi int) {
		for a := lo; a < hi; a++ {
			o := out[a*b : (a+1)*b]
			for _, i := range members[start[a]:start[a+1]] {
				w := lv.Weights[i]
				for j, v := range r[int(i)*b : int(i)*b+b] {
					o[j] += w * v
				}
			}
		}
	})
	return out
}

// prolong returns Q y for the m x b block y.
func prolong(lv Level, y []float64, b int) []float64 {
	n := len(lv.Labels)
	out := make([]float64, n*b)
	parChunks(n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			a := int(lv.Labels[i])
			w := lv.Weights[i]
			for j, v := range y[a*b : a*b+b] {
				out[i*b+j] = w * v
			}
		}
	})
	return out
}

// members lists each coarse node's rows: members[start[a]:start[a+1]], ascending.
func (lv Level) members() ([]int, []int32) {
	m := lv.A.N
	start := make([]int, m+1)
	for _, a := range lv.Labels {
		start[a+1]++
	}
	for a := 0; a < m; a++ {
		start[a+1] += start[a]
	}
	members := make([]int32, len(lv.Labels))
	next := slices.Clone(start[:m])
	for i, a := range lv.Labels {
		members[next[a]] = int32(i)
		next[a]++
	}
	return start, members
}

// twoLevel is the preconditioner T r = J r + Q C^-1 Q^T r with C = (1+eps) I - A_c and J
// the identity or Jacobi's (setJacobi).
type twoLevel struct {
	lv      Level
	start   []int
	members []int32
	defl    []float64 // coarse deflation vector
	jac     []float64 // the Jacobi term's scale per row (nil: 1; setJacobi)
	// spectral: coarse Ritz vectors y (m x q) and 1/(1+eps-mu) - rest
	y     []float64
	q     int
	coef  []float64
	rest  float64
	chol  *cholesky
	pcg   *coarsePCG
	shift float64
	// opt and probed: a PCG solve that proves dear is replaced by the factor (probe).
	opt    MultilevelOptions
	probed bool
	// ordered is lv.A in the nested-dissection order perm, kept between factor tries.
	ordered *Sparse
	perm    []int32
}

// A coarse system solved by conjugate gradients is factored after all, once its solves
// (at least pcgProbeSolves) have taken over pcgDearSteps steps each on average: the PCG
// path pays where the next level preconditions it well (the 10^6 roll at sigma 0.01,
// boxes of 1 sigma: 103 steps in 18 solves, against a 49 s factor), not where it does not
// (at sigma 0.0036, boxes of 4 sigma: ~21 steps a solve, or 56 before the weak groups
// were isolated, against a 6.7M-nonzero factor; docs/bench/multilevel.md, "Session 8").
var (
	pcgProbeSolves = 2
	pcgDearSteps   = 10
)

// probe factors t's coarse system (up to CholeskyMaxNNZ) if its PCG solves prove dear.
func (t *twoLevel) probe() {
	if t.probed || t.pcg.calls < pcgProbeSolves || t.pcg.iters <= pcgDearSteps*t.pcg.calls {
		return
	}
	t.probed = true
	if t.factor(factorLimit(t.opt, false)) && Trace != nil {
		fmt.Fprintf(Trace, "multilevel: coarse CG took %d steps in %d solves: factored (%d nonzeros)\n", t.pcg.iters, t.pcg.calls, t.chol.nnz())
	}
	t.ordered, t.perm = nil, nil
}

// newTwoLevel is the preconditioner on lv (next: the level below it, nil at the coarsest),
// shifted from the wanted eigenvalue estimates mu. prev, when not nil, is the
// preconditioner built on next for the previous level: where lv's coarse system is solved
// by conjugate gradients, prev serves as their preconditioner rather than a second factor
// of the same matrix at a shift that differs only by the change in the estimates (PCG
// needs any fixed symmetric positive definite approximation; ~5 s of a 10^6 solve).
// diag is the diagonal of lv's operator for Jacobi's term (nil: the identity, on this
// level and on a coarse CG's preconditioner alike).
func newTwoLevel(lv Level, next *Level, y, mu []float64, b int, defl [][]float64, opt MultilevelOptions, prev *twoLevel, diag []float64) (*twoLevel, int) {
	epsf := opt.Eps
	if epsf == 0 {
		epsf = 0.01
	}
	gap := math.Max(1-mu[0], 1e-12)
	t := newTwoLevelShift(lv, 1+epsf*gap, defl[0], opt, next != nil)
	t.setJacobi(diag)
	if t.chol != nil {
		return t, t.chol.nnz()
	}
	if opt.Coarse == CoarseCholesky && next != nil {
		// The coarse system is too large to factor: conjugate gradients on it, with the
		// next level's two-level operator (its own factor, the same shift) as preconditioner.
		var nd []float64
		if len(defl) > 1 {
			nd = defl[1]
		}
		inner := prev
		if inner == nil || inner.chol == nil || inner.lv.A != next.A {
			inner = newTwoLevelShift(*next, t.shift, nd, opt, false)
			if diag != nil {
				inner.setJacobi(lv.A.diagonal()) // as prev would have it
			}
		}
		if inner.chol != nil {
			t.pcg = newCoarsePCG(lv.A, t.shift, defl[0], inner, opt.PCGTol)
			t.pcg.ctx = opt.Context
			return t, 0
		}
		// No factor for the next level either: the exact factor up to CholeskyMaxNNZ,
		// as without the inexact path, before the weaker spectral solve.
		if t.factor(factorLimit(opt, false)) {
			return t, t.chol.nnz()
		}
	}
	t.y, t.q = y, b
	t.rest = 1 / (t.shift - mu[b-1])
	t.coef = make([]float64, b)
	for j := range t.coef {
		t.coef[j] = 1/(t.shift-mu[j]) - t.rest
	}
	return t, 0
}

// newTwoLevelShift is the two-level operator for shift I - A on lv, with the coarse
// system factored when its factor has at most CholeskyMaxNNZ nonzeros (ExactMaxNNZ when
// inexact says a PCG solve can take over); t.chol is nil otherwise.
func newTwoLevelShift(lv Level, shift float64, defl []float64, opt MultilevelOptions, inexact bool) *twoLevel {
	t := &twoLevel{lv: lv, defl: defl, shift: shift, opt: opt}
	t.start, t.members = lv.members()
	if opt.Coarse == CoarseCholesky {
		t.factor(factorLimit(opt, inexact))
	}
	return t
}

// factorLimit is the most factor nonzeros allowed: CholeskyMaxNNZ, or ExactMaxNNZ where
// inexact says a PCG solve can take over.
func factorLimit(opt MultilevelOptions, inexact bool) int {
	maxNNZ := opt.CholeskyMaxNNZ
	if maxNNZ == 0 {
		maxNNZ = 4e7
	}
	if inexact {
		exact := opt.ExactMaxNNZ
		if exact == 0 {
			exact = DefaultExactMaxNNZ
		}
		maxNNZ = min(maxNNZ, exact)
	}
	return maxNNZ
}

// factor sets t.chol to the coarse system's factor if it has at most maxNNZ nonzeros.
// The nested-dissection order is computed once: a later try with a larger limit (the
// fallback in newTwoLevel, or probe) reuses it, and drops it once nothing will retry.
func (t *twoLevel) factor(maxNNZ int) bool {
	if t.ordered == nil {
		t.ordered = t.lv.A
		if t.lv.Coords != nil && t.lv.Dim > 0 {
			t.perm = ndOrder(t.lv.A, t.lv.Coords, t.lv.Dim)
			t.ordered = t.lv.A.permuted(t.perm)
		}
	}
	if c, ok := newCholesky(t.ordered, t.shift, maxNNZ); ok {
		c.perm = t.perm
		t.chol = c
		t.ordered, t.perm = nil, nil
		return true
	}
	return false
}

func (t *twoLevel) apply(dst, src []float64, b int) {
	n := len(t.lv.Labels)
	m := t.lv.A.N
	g := restrictBy(t.lv, t.start, t.members, src, b)
	projectOut(m, g, b, t.defl)
	var z []float64
	if t.chol != nil {
		z = g
		t.chol.solveBlock(z, b)
	} else if t.pcg != nil {
		z = t.pcg.solve(g, b)
		t.probe()
	} else {
		// z = rest g + Y diag(coef) Y^T g
		c := gramTN(m, t.y, t.q, g, b)
		for j := 0; j < t.q; j++ {
			for i := 0; i < b; i++ {
				c[j*b+i] *= t.coef[j]
			}
		}
		z = scale(g, t.rest)
		mulNN(m, z, b, t.y, t.q, c, 1)
	}
	projectOut(m, z, b, t.defl)
	parChunks(n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			a := int(t.lv.Labels[i])
			w, s := t.lv.Weights[i], 1.0
			if t.jac != nil {
				s = t.jac[i]
			}
			for j := 0; j < b; j++ {
				dst[i*b+j] = s*src[i*b+j] + w*z[a*b+j]
			}
		}
	})
}

// coarsePCG solves (shift I - A) z = g on a coarse level, orthogonal to its deflation
// vector, by block conjugate gradients (one independent recurrence per column),
// preconditioned by the next level's two-level operator, from z = 0 until every column's
// residual is below tol times its right-hand side's (or maxIter steps). The outer LOBPCG
// only needs an approximate inverse: it judges convergence on the fine operator itself.
type coarsePCG struct {
	a       *Sparse
	shift   float64
	defl    []float64
	inner   *twoLevel
	tol     float64
	maxIter int
	iters   int // total steps, for Trace
	calls   int
	ctx     context.Context // a cancelled one ends a solve early (nil: never)
}

func newCoarsePCG(a *Sparse, shift float64, defl []float64, inner *twoLevel, tol float64) *coarsePCG {
	if tol == 0 {
		tol = DefaultPCGTol
	}
	return &coarsePCG{a: a, shift: shift, defl: defl, inner: inner, tol: tol, maxIter: 100}
}

// project removes the deflation vector's component from the m x b block x.
func (c *coarsePCG) project(x []float64, b int) { projectOut(c.a.N, x, b, c.defl) }

func (c *coarsePCG) solve(g []float64, b int) []float64 {
	m := c.a.N
	z := make([]float64, m*b)
	r := append([]float64(nil), g...)
	c.project(r, b)
	stop := colNorms(m, r, b)
	for j := range stop {
		stop[j] *= c.tol
	}
	w := make([]float64, m*b)
	c.inner.apply(w, r, b)
	c.project(w, b)
	p := append([]float64(nil), w...)
	rz := colDots(m, r, w, b)
	q := make([]float64, m*b)
	c.calls++
	// A column stops when its residual is small enough or its recurrence breaks down
	// (p^T C p not positive: rounding on a nearly singular system); the others go on.
	active := make([]bool, b)
	for j := range active {
		active[j] = stop[j] > 0
	}
	for it := 0; it < c.maxIter; it++ {
		if c.ctx != nil && c.ctx.Err() != nil {
			break // cancelled: LOBPCG returns after its next product (cancelled there)
		}
		c.a.MulBlock(q, p, b)
		parChunks(m, func(_, lo, hi int) {
			for i := lo * b; i < hi*b; i++ {
				q[i] = c.shift*p[i] - q[i]
			}
		})
		c.project(q, b)
		pq := colDots(m, p, q, b)
		alpha := make([]float64, b)
		for j := range alpha {
			if !(pq[j] > 0) || math.IsInf(pq[j], 0) {
				active[j] = false
			}
			if active[j] {
				alpha[j] = rz[j] / pq[j]
			}
		}
		parChunks(m, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				for j := 0; j < b; j++ {
					if active[j] { // a stopped column keeps its z (p or q may not be finite)
						z[i*b+j] += alpha[j] * p[i*b+j]
						r[i*b+j] -= alpha[j] * q[i*b+j]
					}
				}
			}
		})
		c.iters++
		done := true
		for j, v := range colNorms(m, r, b) {
			if v <= stop[j] {
				active[j] = false
			}
			done = done && !active[j]
		}
		if done {
			break
		}
		c.inner.apply(w, r, b)
		c.project(w, b)
		rz2 := colDots(m, r, w, b)
		beta := make([]float64, b)
		for j := range beta {
			if rz[j] != 0 {
				beta[j] = rz2[j] / rz[j]
			}
		}
		rz = rz2
		parChunks(m, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				for j := 0; j < b; j++ {
					p[i*b+j] = w[i*b+j] + beta[j]*p[i*b+j]
				}
			}
		})
	}
	return z
}

// colDots returns the b column dot products of the m x b blocks x and y.
func colDots(m int, x, y []float64, b int) []float64 {
	out := make([]float64, b)
	for i := 0; i < m; i++ {
		for j := 0; j < b; j++ {
			out[j] += x[i*b+j] * y[i*b+j]
		}
	}
	return out
}

// jacobiFloor bounds the Jacobi term's scale, 1 / max(shift - A_ii, jacobiFloor): where
// a row is nearly isolated (A_ii near 1) the coarse correction, which keeps such points
// in aggregates of their own (pkg/embed's weak groups), already inverts it.
const jacobiFloor = 0.1

// setJacobi makes the term outside the coarse space Jacobi's, diag(shift I - A)^-1, for
// A's diagonal diag (nil keeps the identity). Where the points have many neighbours each
// A_ii = 1/d_i is small and the two agree; at a small sigma, where many points have only a
// few (degrees of 2-8), the 10^5 roll at sigma 0.005 took 83 fine passes against 97
// (docs/bench/multilevel.md, "Session 9"). The deflation's effect on the diagonal
// (-u_i^2, u_i^2 = d_i / sum d at the fine level) is left out: it is below 1e-4.
func (t *twoLevel) setJacobi(diag []float64) {
	if diag == nil {
		return
	}
	t.jac = make([]float64, len(diag))
	for i, v := range diag {
		t.jac[i] = 1 / math.Max(t.shift-v, jacobiFloor)
	}
}

// diagonal returns the diagonal of s.
func (s *Sparse) diagonal() []float64 {
	d := make([]float64, s.N)
	for i := range d {
		if k, ok := s.find(i, int32(i)); ok {
			d[i] = s.Val[k]
		}
	}
	return d
}
