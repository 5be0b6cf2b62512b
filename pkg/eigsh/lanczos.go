package eigsh

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// eta is the DGKS threshold: orthogonalise a second time when one classical Gram-Schmidt
// pass removes more than 1 - 1/sqrt(2) of the norm (ARPACK dsaitr, Daniel et al. 1976).
const eta = 0.7071067811865476

// pcgStream is the second PCG word; the seed is the first, so Seed alone fixes the
// start vector on every platform and for every GOMAXPROCS.
const pcgStream = 0x9e3779b97f4a7c15

// chunkCols is the column block of the in-place basis rotation at a restart: the
// workspace is ncv x chunkCols per chunk of reorth.go, and a block of 50 basis rows
// (25 KB) stays in L1 while it is read once per kept row (BenchmarkRotate: 64 a little
// faster than 128, 256 slower).
const chunkCols = 64

// keepRule chooses how many Ritz vectors (locked ones included) a restart keeps, given
// k, ncv and the number of converged wanted pairs; a variable so that tests can compare.
var keepRule = keepThirds

// keepARPACK is dsaup2's "nev + min(nconv, np/2)" adjustment (np = ncv - k).
func keepARPACK(k, ncv, nconv int) int {
	p := k + min(nconv, (ncv-k)/2)
	if p == 1 && ncv >= 6 {
		p = ncv / 2
	} else if p == 1 && ncv > 2 {
		p = 2
	}
	return p
}

// keepHalf keeps the k wanted and half of the rest of the basis.
func keepHalf(k, ncv, nconv int) int {
	return k + (ncv-k)/2
}

// keepThirds keeps k + np/3 Ritz vectors, plus up to np/3 more as pairs converge
// (np = ncv - k). Keeping Ritz vectors beyond the k wanted makes the filter of the next
// cycle work against the gap to the (p+1)-th eigenvalue rather than the (k+1)-th;
// keeping too many leaves cycles too short to filter. Measured on the kernel problems of
// BENCHMARKS.md (k=7, products, tol 0 / 1e-8, median of 5 starts): swiss roll
// n=10^4 at ncv=20: 384 / 254 against 475 / 275 with ARPACK's rule and 469 / 301 with
// keepHalf; at ncv=30 and 50 it matches keepHalf (322 / 233, 292 / 224), which beats
// ARPACK's rule by 25-35%. TRLan's adaptive rule (Yamazaki et al. 2010) was a little
// better than keepHalf at ncv=40..60 and erratic at ncv=20.
func keepThirds(k, ncv, nconv int) int {
	np := ncv - k
	return k + np/3 + min(nconv, np/3)
}

type lanczos struct {
	op       Operator
	n, k     int
	ncv      int
	which    Which
	tol      float64
	maxIter  int
	ctx      context.Context
	progress func(Progress)
	rng      *rand.Rand

	v       []float64 // (ncv+1) x n: row i is basis vector i, contiguous
	t       []float64 // ncv x ncv projected matrix, row-major, both triangles kept
	m       int       // rows 0..m-1 have complete columns in t; row m is the next vector
	beta    float64   // norm of the residual that row m is the direction of
	nlock   int       // rows 0..nlock-1 hold locked Ritz vectors (diagonal in t)
	lockRes []float64 // residual estimates of locked pairs, at lock time

	// Rayleigh-Ritz of the active block t[nlock:m, nlock:m].
	y     []float64 // eigenvectors, column j belongs to theta[j]; stride ma
	theta []float64
	work  []float64
	ylast []float64 // last row of y: what a convergence check needs
	yFull bool      // y holds all the eigenvectors, not only ylast (see syevLast)
	rot   []float64 // syevLast's rotations

	// Candidates: locked pairs then active Ritz pairs, ranked by which.
	cval  []float64
	cres  []float64
	order []int
	tmpi  []int

	h, h2  []float64
	chunks *chunker // parallel reorthogonalisation
	ysel   []float64

	matvecs  int
	restarts int
	passes2  int // second (DGKS) orthogonalisation passes, for tests and benchmarks

	// Convergence checks are skipped while the slowest wanted residual, extrapolated
	// geometrically, is far from the tolerance (see planChecks).
	skip, sinceCheck int
	prevWorst        float64
}

// skipFactor is the fraction of the extrapolated number of steps to convergence that
// planChecks skips; Lanczos convergence is superlinear, so extrapolation overestimates.
var skipFactor = 0.5

// planChecks decides how many Lanczos steps to take before the next convergence check.
// A check costs an eigendecomposition of the projected matrix, O(ncv^3): next to a cheap
// product (a sparse or GPU operator) that would dominate. The residual of the slowest of
// the k wanted pairs falls about geometrically, so the number of steps it still needs
// is estimated from the last two checks and a fraction of them is skipped; near
// convergence every step is checked, so the products are not changed.
func (l *lanczos) planChecks() {
	worst := 0.0
	for _, i := range l.order[:min(l.k, l.m)] {
		if i < l.nlock {
			continue
		}
		worst = math.Max(worst, l.cres[i]/(l.tol*math.Max(eps23, math.Abs(l.cval[i]))))
	}
	prev, gap := l.prevWorst, l.sinceCheck
	l.prevWorst, l.sinceCheck, l.skip = worst, 0, 0
	if prev <= 0 || worst <= 1 || worst >= prev {
		return
	}
	perStep := math.Log(prev/worst) / float64(gap)
	steps := math.Log(worst) / perStep
	l.skip = min(int(skipFactor*steps), 8)
}

func solveLanczos(op Operator, k, ncv int, opt Options) (*Result, error) {
	l := newLanczos(op, k, ncv, opt)
	defer l.chunks.close()
	if solveHook != nil {
		defer solveHook(l)
	}
	n := l.n
	if opt.V0 != nil {
		v0 := l.v[:n]
		copy(v0, opt.V0)
		nrm := blas64.Nrm2(vec(v0))
		if nrm == 0 || math.IsNaN(nrm) || math.IsInf(nrm, 0) {
			return nil, fmt.Errorf("%w: V0 must be finite and nonzero", ErrInvalidOptions)
		}
		blas64.Scal(1/nrm, vec(v0))
	} else if err := l.randomOrthogonal(0); err != nil {
		return nil, err
	}
	return l.run()
}

// newLanczos allocates the solver's state, with its reorthogonalisation workers
// started (l.chunks.close stops them) and an empty basis.
func newLanczos(op Operator, k, ncv int, opt Options) *lanczos {
	n := op.Dims()
	l := &lanczos{
		op: op, n: n, k: k, ncv: ncv, which: opt.Which,
		tol: opt.Tol, maxIter: opt.MaxIter, ctx: opt.Context, progress: opt.Progress,
		rng:     rand.New(rand.NewPCG(opt.Seed, pcgStream)),
		v:       make([]float64, (ncv+1)*n),
		t:       make([]float64, ncv*ncv),
		lockRes: make([]float64, ncv),
		y:       make([]float64, ncv*ncv),
		theta:   make([]float64, ncv),
		ylast:   make([]float64, ncv),
		rot:     make([]float64, 2*ncv),
		cval:    make([]float64, ncv),
		cres:    make([]float64, ncv),
		order:   make([]int, ncv),
		tmpi:    make([]int, ncv),
		h:       make([]float64, ncv+1),
		h2:      make([]float64, ncv+1),
		ysel:    make([]float64, ncv*ncv),
	}
	if l.tol == 0 {
		l.tol = eps
	}
	if l.maxIter == 0 {
		l.maxIter = 10 * n
	}
	work := []float64{0}
	lapack64.Syev(lapack.EVCompute, blas64.Symmetric{N: ncv, Stride: ncv, Uplo: blas.Upper, Data: l.y}, l.theta, work, -1)
	l.work = make([]float64, int(work[0]))

	l.chunks = newChunker(n, ncv)
	return l
}

// solveHook, when set (by tests and benchmarks), sees the solver state at the end of
// each Lanczos solve.
var solveHook func(*lanczos)

func vec(x []float64) blas64.Vector { return blas64.Vector{N: len(x), Inc: 1, Data: x} }

func (l *lanczos) row(i int) []float64 { return l.v[i*l.n : (i+1)*l.n] }

// basis returns rows lo..hi-1 as a (hi-lo) x n matrix.
func (l *lanczos) basis(lo, hi int) blas64.General {
	return blas64.General{Rows: hi - lo, Cols: l.n, Stride: l.n, Data: l.v[lo*l.n : hi*l.n]}
}

func (l *lanczos) run() (*Result, error) {
	for {
		for l.m < l.ncv {
			if err := l.step(); err != nil {
				return nil, err
			}
			if l.m < l.k {
				continue
			}
			l.sinceCheck++
			if l.skip > 0 && l.m < l.ncv {
				l.skip--
				continue
			}
			done, err := l.ritz()
			if err != nil {
				return nil, err
			}
			if done {
				if err := l.vectors(); err != nil {
					return nil, err
				}
				return l.result(true), nil
			}
			l.planChecks()
		}
		if err := l.vectors(); err != nil {
			return nil, err
		}
		if l.restarts >= l.maxIter {
			res := l.result(false)
			return res, &NoConvergence{Converged: len(res.Values), K: l.k, Result: res}
		}
		l.restarts++
		l.prevWorst, l.skip = 0, 0
		nconv, maxRes := l.wantedStatus()
		l.restart()
		if l.progress != nil {
			l.progress(Progress{Restart: l.restarts, Converged: nconv, K: l.k, MaxResidual: maxRes, MatVecs: l.matvecs})
		}
	}
}

// step extends the Lanczos factorisation by one vector: w = A v_m, orthogonalised
// against the whole basis (locked vectors included).
//
// Classical Gram-Schmidt is first applied locally, to v_m and the vectors row m of the
// projected matrix couples to it (v_{m-1}, or after a restart the kept Ritz vectors):
// the three-term recurrence, with coefficients from dot products. Then one full pass,
// and a second (DGKS) only when the full pass removes more than 1 - 1/sqrt(2) of the
// norm left by the local step. Testing against the norm of A v_m instead, as dsaitr
// does, triggers the second pass at almost every step of a problem whose wanted
// eigenvalues are near the norm of A (alpha ~ ||A v||, beta small: the kernel operators
// of this project), while it is the local subtraction that removed the norm, not a loss
// of orthogonality. The full pass only has to correct rounding relative to the smaller
// norm, which is what the test measures.
func (l *lanczos) step() error {
	if l.ctx != nil {
		select {
		case <-l.ctx.Done():
			return fmt.Errorf("eigsh: cancelled after %d products: %w", l.matvecs, l.ctx.Err())
		default:
		}
	}
	j, ncv := l.m, l.ncv
	w := l.row(j + 1)
	l.op.MulVec(w, l.row(j))
	l.matvecs++

	// Local vectors: rows a..j, a the first active row coupled to row j in t.
	a := j
	for i := l.nlock; i < j; i++ {
		if l.t[j*ncv+i] != 0 {
			a = i
			break
		}
	}
	var none blas64.General
	V := l.basis(0, j+1)
	loc := l.basis(a, j+1)
	h, hl := l.h[:j+1], l.h2[:j+1-a]
	wnorm := l.norm(l.chunks.run(none, nil, loc, w, hl), w)
	if math.IsNaN(wnorm) || math.IsInf(wnorm, 0) {
		return fmt.Errorf("%w (product %d)", ErrNotFinite, l.matvecs)
	}
	lnorm := l.norm(l.chunks.run(loc, hl, V, w, h), w)
	beta := l.norm(l.chunks.run(V, h, none, w, nil), w)
	for i, x := range hl {
		h[a+i] += x
	}
	invariant := beta == 0
	if !invariant && beta < eta*lnorm {
		l.passes2++
		h2 := l.h2[:j+1]
		l.chunks.run(none, nil, V, w, h2)
		b2 := l.norm(l.chunks.run(V, h2, none, w, nil), w)
		for i := range h {
			h[i] += h2[i]
		}
		// After the second pass w is numerically in the span of the basis: ARPACK's
		// dsaitr then sets the residual to zero and restarts from a random vector.
		invariant = b2 < eta*beta
		beta = b2
	}
	l.t[j*ncv+j] = h[j]
	if invariant {
		beta = 0
		if err := l.randomOrthogonal(j + 1); err != nil {
			return err
		}
	} else {
		blas64.Scal(1/beta, vec(w))
	}
	l.beta = beta
	l.m = j + 1
	if j+1 < ncv {
		l.t[(j+1)*ncv+j] = beta
		l.t[j*ncv+j+1] = beta
	}
	return nil
}

// norm turns a sum of squares of w into its norm, falling back to the scaled Nrm2 when
// the plain sum may have overflowed or underflowed.
func (l *lanczos) norm(ss float64, w []float64) float64 {
	if ss > 0x1p-900 && ss < 0x1p900 {
		return math.Sqrt(ss)
	}
	return blas64.Nrm2(vec(w))
}

// randomOrthogonal puts a random unit vector orthogonal to rows 0..r-1 into row r. The
// draws come from the seeded PCG, so they are reproducible.
func (l *lanczos) randomOrthogonal(r int) error {
	x := l.row(r)
	for try := 0; try < 5; try++ {
		for i := range x {
			x[i] = 2*l.rng.Float64() - 1
		}
		nrm := blas64.Nrm2(vec(x))
		if r > 0 {
			V := l.basis(0, r)
			h := l.h[:r]
			for pass := 0; pass < 2; pass++ {
				blas64.Gemv(blas.NoTrans, 1, V, vec(x), 0, vec(h))
				blas64.Gemv(blas.Trans, -1, V, vec(h), 1, vec(x))
			}
		}
		after := blas64.Nrm2(vec(x))
		if after > eta*nrm && after > 0 {
			blas64.Scal(1/after, vec(x))
			return nil
		}
	}
	return fmt.Errorf("eigsh: no random vector orthogonal to a basis of %d vectors in dimension %d", r, l.n)
}

// ritz solves the projected problem of the active block, ranks the candidates (locked
// and active) and reports whether the k most wanted are converged.
func (l *lanczos) ritz() (bool, error) {
	ncv, lo := l.ncv, l.nlock
	ma := l.m - lo
	y := l.y[:ma*ma]
	for i := 0; i < ma; i++ {
		copy(y[i*ma:(i+1)*ma], l.t[(lo+i)*ncv+lo:(lo+i)*ncv+lo+ma])
	}
	// A full basis is restarted, which needs all the eigenvectors; before that, the
	// last components are enough unless this check is the last.
	l.yFull = false
	if l.m == ncv || !syevLast(ma, y, ma, l.theta[:ma], l.ylast[:ma], l.work, l.rot[:2*ma]) {
		if err := l.vectors(); err != nil {
			return false, err
		}
	}
	c := l.m
	for i := 0; i < lo; i++ {
		l.cval[i] = l.t[i*ncv+i]
		l.cres[i] = l.lockRes[i]
	}
	for i := 0; i < ma; i++ {
		l.cval[lo+i] = l.theta[i]
		l.cres[lo+i] = math.Abs(l.beta * l.ylast[i])
	}
	rank(l.which, l.cval[:c], l.order[:c], l.tmpi[:c])
	nconv, _ := l.wantedStatus()
	return nconv == l.k, nil
}

// vectors puts all the eigenvectors of the active block into y, after a check that
// computed only their last row: the same values (syevLast gives syevVectors' bits).
func (l *lanczos) vectors() error {
	if l.yFull {
		return nil
	}
	ncv, lo := l.ncv, l.nlock
	ma := l.m - lo
	y := l.y[:ma*ma]
	for i := 0; i < ma; i++ {
		copy(y[i*ma:(i+1)*ma], l.t[(lo+i)*ncv+lo:(lo+i)*ncv+lo+ma])
	}
	if !syevVectors(ma, y, ma, l.theta[:ma], l.work, len(l.work)) {
		return fmt.Errorf("eigsh: the projected %dx%d eigenproblem did not converge", ma, ma)
	}
	copy(l.ylast[:ma], y[(ma-1)*ma:])
	l.yFull = true
	return nil
}

// wantedStatus counts the converged among the k most wanted candidates and returns the
// largest residual among them.
func (l *lanczos) wantedStatus() (int, float64) {
	nconv, maxRes := 0, 0.0
	for _, i := range l.order[:min(l.k, l.m)] {
		if i < l.nlock || converged(l.cres[i], l.cval[i], l.tol) {
			nconv++
		}
		maxRes = math.Max(maxRes, l.cres[i])
	}
	return nconv, maxRes
}

// restart compresses the full basis to the locked vectors, the newly converged wanted
// Ritz vectors (locked from now on) and the most wanted unconverged ones, followed by
// the residual direction (thick restart).
func (l *lanczos) restart() {
	ncv, n, lo := l.ncv, l.n, l.nlock
	ma := l.m - lo
	nconv, _ := l.wantedStatus()
	p := keepRule(l.k, ncv, nconv)
	p = min(max(p, l.k), ncv-1)

	// Choose the columns of y to keep: newly locked first, then the rest.
	q := 0
	sel := l.tmpi[:0]
	for r, i := range l.order[:l.m] {
		if i >= lo && r < l.k && converged(l.cres[i], l.cval[i], l.tol) && lo+q < ncv-2 {
			sel = append(sel, i-lo)
			q++
		}
	}
	nl := q
	for r, i := range l.order[:l.m] {
		if i < lo || contains(sel[:nl], i-lo) {
			continue
		}
		if r >= p && q > nl {
			break
		}
		if lo+q >= ncv-1 {
			break
		}
		sel = append(sel, i-lo)
		q++
	}

	// ysel (ma x q) holds the kept eigenvectors of the active block.
	ys := l.ysel[:ma*q]
	for c, col := range sel {
		for i := 0; i < ma; i++ {
			ys[i*q+c] = l.y[i*ma+col]
		}
	}
	last := make0(l.h[:q])
	for c, col := range sel {
		last[c] = l.beta * l.y[(ma-1)*ma+col]
	}
	// Rotate the active rows in place, on all cores.
	l.chunks.rotate(blas64.General{Rows: ma, Cols: q, Stride: q, Data: ys},
		blas64.General{Rows: ma, Cols: n, Stride: n, Data: l.v[lo*n : l.m*n]})
	copy(l.row(lo+q), l.row(l.m))

	// New projected matrix: locked and kept Ritz values on the diagonal, the kept ones
	// coupled to the residual direction by beta * s_last (an arrowhead).
	for i := lo; i < ncv; i++ {
		clear(l.t[i*ncv : (i+1)*ncv])
		for j := 0; j < lo; j++ {
			l.t[j*ncv+i] = 0
		}
	}
	for c, col := range sel {
		r := lo + c
		l.t[r*ncv+r] = l.theta[col]
		if c < nl {
			l.lockRes[r] = math.Abs(last[c])
			continue
		}
		if lo+q < ncv {
			l.t[r*ncv+lo+q] = last[c]
			l.t[(lo+q)*ncv+r] = last[c]
		}
	}
	l.nlock = lo + nl
	l.m = lo + q
}

func make0(x []float64) []float64 { clear(x); return x }

func contains(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// result returns the k most wanted pairs (all converged) or, when not all converged,
// the converged ones among them.
func (l *lanczos) result(all bool) *Result {
	n, lo := l.n, l.nlock
	ma := l.m - lo
	var vals, res []float64
	var locked, active []int
	for _, i := range l.order[:min(l.k, l.m)] {
		if !all && i >= lo && !converged(l.cres[i], l.cval[i], l.tol) {
			continue
		}
		if i < lo {
			locked = append(locked, i)
		} else {
			active = append(active, i-lo)
		}
	}
	cnt := len(locked) + len(active)
	vecs := mat.NewDense(n, max(cnt, 1), nil)
	for c, i := range locked {
		vals = append(vals, l.cval[i])
		res = append(res, l.cres[i])
		vecs.SetCol(c, l.row(i))
	}
	if len(active) > 0 {
		qa := len(active)
		ys := make([]float64, ma*qa)
		for c, col := range active {
			for i := 0; i < ma; i++ {
				ys[i*qa+c] = l.y[i*ma+col]
			}
			vals = append(vals, l.cval[lo+col])
			res = append(res, l.cres[lo+col])
		}
		x := make([]float64, n*qa)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, l.basis(lo, l.m),
			blas64.General{Rows: ma, Cols: qa, Stride: qa, Data: ys}, 0,
			blas64.General{Rows: n, Cols: qa, Stride: qa, Data: x})
		for c := 0; c < qa; c++ {
			for i := 0; i < n; i++ {
				vecs.Set(i, len(locked)+c, x[i*qa+c])
			}
		}
	}
	if cnt == 0 {
		return &Result{MatVecs: l.matvecs, Restarts: l.restarts, Values: []float64{}, Residuals: []float64{}}
	}
	return finish(vals, vecs, res, l.matvecs, l.restarts)
}
