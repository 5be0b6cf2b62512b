package eigsh

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/spectral-dev/spectral/internal/parallel"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// LOBPCG: the locally optimal block preconditioned conjugate gradient method (Knyazev,
// SIAM J. Sci. Comput. 23, 2001) for the largest eigenvalues of a symmetric operator, in
// the form of Hetmaniuk & Lehoucq (J. Comput. Phys. 218, 2006) and Duersch et al. (SIAM
// J. Sci. Comput. 40, 2018): each iteration does a Rayleigh-Ritz on [X W P], where X are
// the current Ritz vectors, W the preconditioned residuals of the columns not yet
// converged (soft locking: converged columns stay in X but add no new directions), and
// P the previous step's directions; W and P are orthogonalised against X (and P against
// W) before the Rayleigh-Ritz, and P is dropped (a restart) when it is numerically rank
// deficient. One block product per iteration (A W); A X and A P are updated by the same
// linear combinations, and a final product of the converged X checks every residual on
// the operator itself.

// BlockOptions configure LOBPCG.
type BlockOptions struct {
	Tol     float64         // as Options.Tol, but 0 means BlockTolFloor
	MaxIter int             // iterations; 0 = 200
	Seed    uint64          // random columns when X0 is short or rank deficient
	Context context.Context // checked after each product and iteration; nil = never cancelled
	X0      []float64
	Block   int // columns of X0 (n x Block, row-major); >= k
	Deflate []float64
	// Precond approximates (shift I - A)^-1 on n x b blocks, setting every value of dst
	// (whose old values are stale: LOBPCG reuses its blocks); nil = identity.
	Precond  func(dst, src []float64, b int)
	Progress func(Progress)
}

// BlockTolFloor is the tolerance LOBPCG uses when Tol is 0: a block method's true
// residual stagnates near sqrt(n) eps ||A|| (rounding in the products and the block
// orthogonalisation), far above the 2^-53 that Lanczos's residual estimate can reach.
const BlockTolFloor = 1e-10

// Trace, when not nil, receives one line per LOBPCG iteration and per level of a
// multilevel solve (values, residuals, passes, timings): for measurements, not parsing.
var Trace io.Writer

type lobpcg struct {
	op      Operator
	n, b, k int
	tol     float64
	deflate []float64
	ctx     context.Context // nil: never cancelled
	matvecs int
	passes  int
	rng     *rand.Rand
	tMul    time.Duration // debug timing
	tPrec   time.Duration
}

// mul sets dst = A src and returns the cancellation, if any. It is checked after every
// product: a cancellation stops the kernel's workers mid-product, and the unfinished
// values must not reach the dense steps (seconds of work at 10^7 points, which could
// also end the loop as a stagnation rather than a cancellation).
func (l *lobpcg) mul(dst, src []float64, b int) error {
	t := time.Now()
	MulBlock(l.op, dst, src, b)
	l.tMul += time.Since(t)
	l.matvecs += b
	l.passes++
	return l.cancelled()
}

// cancelled is the error to return once the context is done.
func (l *lobpcg) cancelled() error {
	if l.ctx == nil || l.ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("eigsh: cancelled after %d block products: %w", l.passes, l.ctx.Err())
}

// project removes the deflated vector's component from each column of x (n x b).
func (l *lobpcg) project(x []float64, b int) { projectOut(l.n, x, b, l.deflate) }

// projectOut removes from each column of the n x b block x its component along the unit
// vector u (nil: nothing to remove): x -= u (u^T x).
func projectOut(n int, x []float64, b int, u []float64) {
	if u == nil || b == 0 {
		return
	}
	c := gramTN(n, u, 1, x, b)
	mulNN(n, x, b, u, 1, scale(c, -1), 1)
}

func scale(x []float64, s float64) []float64 {
	for i := range x {
		x[i] *= s
	}
	return x
}

// orthAgainst removes from y (n x q) its components along the orthonormal x (n x p),
// twice (classical Gram-Schmidt repeated), returning the coefficients X^T y summed.
func orthAgainst(n int, x []float64, p int, y []float64, q int) []float64 {
	tot := make([]float64, p*q)
	if p == 0 || q == 0 {
		return tot
	}
	for pass := 0; pass < 2; pass++ {
		c := gramTN(n, x, p, y, q)
		mulNN(n, y, q, x, p, scale(c, -1), 1)
		for i := range tot {
			tot[i] += c[i] // c is now -X^T y
		}
	}
	return tot
}

// orthonormalize makes the columns of y (n x q) orthonormal by Cholesky QR, twice; it
// returns the q x q upper triangular R with y_in = y_out R, or ok = false when the Gram
// matrix is numerically singular (condition estimate above 1e14) and nothing was changed
// beyond the first pass.
func orthonormalize(n int, y []float64, q int) (r []float64, ok bool) {
	r = make([]float64, q*q)
	for i := 0; i < q; i++ {
		r[i*q+i] = 1
	}
	for pass := 0; pass < 2; pass++ {
		g := gramTN(n, y, q, y, q)
		maxd := 0.0
		for i := 0; i < q; i++ {
			maxd = math.Max(maxd, g[i*q+i])
		}
		if !(maxd > 0) {
			return nil, false
		}
		if _, ok := lapack64.Potrf(blas64.Symmetric{N: q, Stride: q, Uplo: blas.Upper, Data: g}); !ok {
			return nil, false
		}
		mind := math.Inf(1)
		for i := 0; i < q; i++ {
			mind = math.Min(mind, g[i*q+i]*g[i*q+i])
			for j := 0; j < i; j++ {
				g[i*q+j] = 0
			}
		}
		if mind < 1e-14*maxd {
			return nil, false
		}
		solveInv(n, y, q, g)
		// r = g r
		nr := make([]float64, q*q)
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, gen(q, q, g), gen(q, q, r), 0, gen(q, q, nr))
		r = nr
	}
	return r, true
}

// solveInv sets y = y R^-1 for the upper triangular q x q R (row-major): R^-1 is formed
// (q x q, small) and applied by mulNN's chunk loop, whose SIMD loops run these thin shapes several
// times faster than gonum's row-by-row Trsm (which was ~7% of a 10^5 solve's CPU).
func solveInv(n int, y []float64, q int, r []float64) {
	inv := make([]float64, q*q)
	for i := 0; i < q; i++ {
		inv[i*q+i] = 1
	}
	blas64.Trsm(blas.Right, blas.NoTrans, 1, blas64.Triangular{N: q, Stride: q, Uplo: blas.Upper, Diag: blas.NonUnit, Data: r}, gen(q, q, inv))
	// In place: recombine with y as the only block (mulNN's chunks and loop, so its bits).
	recombine(n, y, q, inv, nil, 0, nil, [][]float64{y}, []int{q})
}

// LOBPCG finds the k largest eigenvalues of the symmetric op and their eigenvectors,
// with a block of opt.Block >= k columns started from opt.X0 (random columns fill a
// missing or rank-deficient start). A pair is converged when ||A x - theta x|| <=
// tol * max(eps^(2/3), |theta|) (Solve's test), judged on a product of op itself.
// Result.MatVecs counts columns multiplied, Result.Passes block products, Restarts the
// iterations. It returns *NoConvergence with the converged pairs after MaxIter iterations.
func LOBPCG(op Operator, k int, opt BlockOptions) (*Result, error) {
	res, _, err := lobpcgBlock(op, k, opt)
	return res, err
}

// lobpcgBlock is LOBPCG, also returning the whole final block (n x b: Ritz vectors in
// descending order of their values, and the values) for the multilevel cascade.
func lobpcgBlock(op Operator, k int, opt BlockOptions) (*Result, *ritzBlock, error) {
	if op == nil {
		return nil, nil, fmt.Errorf("%w: nil operator", ErrInvalidOptions)
	}
	n := op.Dims()
	b := max(opt.Block, k)
	if k <= 0 || b >= n {
		return nil, nil, fmt.Errorf("%w: k=%d, block %d, need 0 < k <= block < n=%d", ErrInvalidK, k, b, n)
	}
	if opt.Tol < 0 || math.IsNaN(opt.Tol) || math.IsInf(opt.Tol, 0) {
		return nil, nil, fmt.Errorf("%w: Tol=%g, need a finite Tol >= 0", ErrInvalidOptions, opt.Tol)
	}
	if opt.X0 != nil && len(opt.X0) != n*b {
		return nil, nil, fmt.Errorf("%w: len(X0)=%d, need n*block=%d", ErrInvalidOptions, len(opt.X0), n*b)
	}
	l := &lobpcg{op: op, n: n, b: b, k: k, tol: opt.Tol, deflate: opt.Deflate, ctx: opt.Context,
		rng: rand.New(rand.NewPCG(opt.Seed, pcgStream))}
	if l.tol == 0 {
		l.tol = BlockTolFloor
	}
	maxIter := opt.MaxIter
	if maxIter == 0 {
		maxIter = 200
	}

	tStart := time.Now()
	x := make([]float64, n*b)
	if opt.X0 != nil {
		copy(x, opt.X0)
	} else {
		l.random(x)
	}
	if err := l.startBlock(x); err != nil {
		return nil, nil, err
	}
	ax := make([]float64, n*b)
	if err := l.mul(ax, x, b); err != nil {
		return nil, nil, err
	}
	theta := l.rayleighRitz(x, ax)

	var p, ap []float64 // n x np
	np := 0
	var res []float64
	iter := 0
	verified := false
	// The n-row blocks are reused across iterations, and X and AX are updated in place:
	// fresh ones each iteration were ~10 blocks of n x b (6 GB at 10^7 points) of garbage,
	// and kept 12 blocks alive at once. Now X, AX, P, AP, R, W, AW and two spare blocks
	// for the next P and AP (rayleighRitz on a drift and dropDependent still take one
	// more for a moment).
	pool := &blockPool{size: n * b}
	r, w, aw := make([]float64, n*b), make([]float64, n*b), make([]float64, n*b)
	dropP := func() { // P's blocks back to the pool
		pool.put(p, ap)
		p, ap, np = nil, nil, 0
	}
	for ; ; iter++ {
		if err := l.cancelled(); err != nil {
			return nil, nil, err
		}
		parChunks(n, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				for j := 0; j < b; j++ {
					r[i*b+j] = ax[i*b+j] - theta[j]*x[i*b+j]
				}
			}
		})
		res = colNorms(n, r, b)
		for j := range res {
			if math.IsNaN(res[j]) || math.IsInf(res[j], 0) {
				return nil, nil, fmt.Errorf("%w (block product %d)", ErrNotFinite, l.passes)
			}
		}
		var active []int
		nconv, worst := 0, 0.0
		for j := 0; j < b; j++ {
			c := converged(res[j], theta[j], l.tol)
			if j < k {
				worst = math.Max(worst, res[j]/math.Max(eps23, math.Abs(theta[j])))
				if c {
					nconv++
				}
			}
			if !c {
				active = append(active, j)
			}
		}
		if opt.Progress != nil {
			opt.Progress(Progress{Restart: iter, Converged: nconv, K: k, MaxResidual: worst, MatVecs: l.matvecs})
		}
		if nconv == k {
			if verified {
				break
			}
			// The residuals above use A X updated by linear combinations; judge on a fresh
			// product of the operator itself.
			if err := l.mul(ax, x, b); err != nil {
				return nil, nil, err
			}
			verified = true
			continue
		}
		verified = false
		if iter >= maxIter {
			break
		}
		// Preconditioned residuals of the active columns.
		na := len(active)
		ra := selectColsTo(aw[:cap(aw)][:n*na], n, r, b, active) // AW's block is free until W is
		w := w[:cap(w)][:n*na]
		if opt.Precond != nil {
			t0 := time.Now()
			opt.Precond(w, ra, na)
			l.tPrec += time.Since(t0)
		} else {
			copy(w, ra)
		}
		l.project(w, na)
		// W orthogonal to X and P (which are orthonormal together), then orthonormal.
		orthW := func() {
			for pass := 0; pass < 2; pass++ {
				for _, blk := range []struct {
					v []float64
					m int
				}{{x, b}, {p, np}} {
					if blk.m == 0 {
						continue
					}
					c := gramTN(n, blk.v, blk.m, w, na)
					mulNN(n, w, na, blk.v, blk.m, scale(c, -1), 1)
				}
			}
		}
		orthW()
		if _, ok := orthonormalize(n, w, na); !ok {
			// Rank-deficient directions: keep the independent ones (SVQB) and drop the rest.
			w, na = l.dropDependent(w, na)
			if na == 0 {
				break // stagnation: no new direction
			}
			orthW()
			if _, ok := orthonormalize(n, w, na); !ok {
				if np == 0 {
					break
				}
				dropP() // restart without P
				continue
			}
		}
		aw := aw[:cap(aw)][:n*na]
		if err := l.mul(aw, w, na); err != nil {
			return nil, nil, err
		}
		// Rayleigh-Ritz on S = [X W P], orthonormal, so the projected matrix is S^T A S
		// (Hetmaniuk & Lehoucq's basis selection): its X block is diag(theta).
		s := b + na + np
		g := make([]float64, s*s)
		for j := 0; j < b; j++ {
			g[j*s+j] = theta[j]
		}
		put := func(r0, c0 int, blk []float64, rows, cols int) {
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					g[(r0+i)*s+c0+j] = blk[i*cols+j]
					g[(c0+j)*s+r0+i] = blk[i*cols+j]
				}
			}
		}
		put(0, b, gramTN(n, x, b, aw, na), b, na)
		put(b, b, gramTN(n, w, na, aw, na), na, na)
		if np > 0 {
			put(0, b+na, gramTN(n, x, b, ap, np), b, np)
			put(b, b+na, gramTN(n, w, na, ap, np), na, np)
			put(b+na, b+na, gramTN(n, p, np, ap, np), np, np)
		}
		vals, c, ok := symEig(g, s)
		if !ok {
			break
		}
		// Largest b Ritz pairs: columns s-1 down to s-b of c (ascending values).
		cx := make([]float64, s*b)
		for j := 0; j < b; j++ {
			col := s - 1 - j
			theta[j] = vals[col]
			for i := 0; i < s; i++ {
				cx[i*b+j] = c[i*s+col]
			}
		}
		// New P: the span of the W and P parts of the active columns' Ritz vectors, made
		// orthogonal to the new X and orthonormal in the small space, so P = S Z needs no
		// orthogonalisation of n-vectors: Z = (I - Cx Cx^T) [0; Cx(b:, active)].
		nA := len(active)
		z := make([]float64, s*nA)
		for c2, j := range active {
			for i := b; i < s; i++ {
				z[i*nA+c2] = cx[i*b+j]
			}
		}
		for pass := 0; pass < 2; pass++ {
			ct := gramTN(s, cx, b, z, nA)
			mulNN(s, z, nA, cx, b, scale(ct, -1), 1)
		}
		_, zok := orthonormalize(s, z, nA)
		// X = S Cx over the old X, a chunk of rows at a time; the new P = S Z into blocks
		// from the pool (its width changes as columns converge).
		var npp, nap []float64
		np2 := 0
		if zok {
			np2 = nA
			npp, nap = pool.get(n*np2), pool.get(n*np2)
		}
		recombine(n, x, b, cx, npp, np2, z, [][]float64{x, w, p}, []int{b, na, np})
		recombine(n, ax, b, cx, nap, np2, z, [][]float64{ax, aw, ap}, []int{b, na, np})
		dropP()
		p, ap, np = npp, nap, np2
		// Rounding slowly erodes the orthonormality the projection relies on: check X
		// every few iterations and re-orthonormalise it (and restart P) when it drifts.
		if iter%8 == 7 {
			gx := gramTN(n, x, b, x, b)
			drift := 0.0
			for i := 0; i < b; i++ {
				for j := 0; j < b; j++ {
					d := gx[i*b+j]
					if i == j {
						d--
					}
					drift = math.Max(drift, math.Abs(d))
				}
			}
			if drift > 1e-10 {
				if rr, ok := orthonormalize(n, x, b); ok {
					solveInv(n, ax, b, rr)
					theta = l.rayleighRitz(x, ax)
				}
				dropP()
			}
		}
		if Trace != nil {
			fmt.Fprintf(Trace, "lobpcg n=%d it=%d passes=%d active=%d w=%d p=%d theta=%.10g res=%.3g\n", n, iter, l.passes, nA, na, np, theta[:k], res[:k])
		}
	}

	if Trace != nil {
		fmt.Fprintf(Trace, "lobpcg n=%d done: %d iterations, %d passes, products %v, preconditioner %v, total %v\n", n, iter, l.passes, l.tMul, l.tPrec, time.Since(tStart))
	}
	// Collect: the k largest, converged or not per the last residuals (computed from a
	// fresh product when verified).
	var vals, rs []float64
	var keep []int
	for j := 0; j < k; j++ {
		if converged(res[j], theta[j], l.tol) {
			keep = append(keep, j)
			vals = append(vals, theta[j])
			rs = append(rs, res[j])
		}
	}
	vecs := mat.NewDense(n, 1, nil) // none converged: an empty column
	if len(keep) > 0 {
		vecs = mat.NewDense(n, len(keep), selectColsTo(make([]float64, n*len(keep)), n, x, b, keep))
	}
	block := &ritzBlock{x: x, theta: append([]float64(nil), theta...), b: b, res: res}
	if len(keep) < k {
		out := &Result{Values: []float64{}, Residuals: []float64{}, MatVecs: l.matvecs, Passes: l.passes, Restarts: iter, Block: b}
		if len(keep) > 0 {
			out = finish(vals, vecs, rs, l.matvecs, iter)
			out.Passes, out.Block = l.passes, b
		}
		return nil, block, &NoConvergence{Converged: len(keep), K: k, Result: out}
	}
	out := finish(vals, vecs, rs, l.matvecs, iter)
	out.Passes, out.Block = l.passes, b
	return out, block, nil
}

// ritzBlock is a whole final block: Ritz vectors (n x b, descending values) and values.
type ritzBlock struct {
	x     []float64
	theta []float64
	res   []float64
	b     int
}

func (l *lobpcg) random(x []float64) {
	for i := range x {
		x[i] = l.rng.Float64()*2 - 1
	}
}

// startBlock projects and orthonormalises the start block, replacing dependent columns
// by random ones.
func (l *lobpcg) startBlock(x []float64) error {
	n, b := l.n, l.b
	for try := 0; try < 4; try++ {
		l.project(x, b)
		y := append([]float64(nil), x...)
		if _, ok := orthonormalize(n, y, b); ok {
			copy(x, y)
			return nil
		}
		// Replace the columns that the pivoted Gram matrix finds dependent by random ones.
		norms := colNorms(n, x, b)
		for j := 0; j < b; j++ {
			if try > 0 || !(norms[j] > 0) {
				for i := 0; i < n; i++ {
					x[i*b+j] += (l.rng.Float64()*2 - 1) * (1e-3 + norms[j]/math.Sqrt(float64(n)))
				}
			}
		}
	}
	return fmt.Errorf("eigsh: cannot build an independent start block of %d columns", b)
}

// rayleighRitz rotates x and ax to the Ritz vectors of span(x) (x orthonormal), in
// descending order of the Ritz values, and returns the values.
func (l *lobpcg) rayleighRitz(x, ax []float64) []float64 {
	n, b := l.n, l.b
	vals, c, ok := ritz(n, x, ax, b)
	theta := make([]float64, b)
	if !ok {
		g := gramTN(n, x, b, ax, b)
		for j := range theta {
			theta[j] = g[j*b+j]
		}
		return theta
	}
	cx := make([]float64, b*b)
	for j := 0; j < b; j++ {
		col := b - 1 - j
		theta[j] = vals[col]
		for i := 0; i < b; i++ {
			cx[i*b+j] = c[i*b+col]
		}
	}
	nx := make([]float64, n*b)
	mulNN(n, nx, b, x, b, cx, 0)
	copy(x, nx)
	mulNN(n, nx, b, ax, b, cx, 0)
	copy(ax, nx)
	return theta
}

// ritz solves the projected problem (S^T A S) c = theta (S^T S) c for the n x s basis S
// with A S given: Cholesky of the Gram matrix, then dsyev. Values ascending; c is s x s,
// column j for value j, with c^T (S^T S) c = I. ok is false when the Gram matrix is not
// numerically positive definite.
func ritz(n int, S, AS []float64, s int) (vals, c []float64, ok bool) {
	g := gramTN(n, S, s, AS, s)
	m := gramTN(n, S, s, S, s)
	for i := 0; i < s; i++ {
		for j := i + 1; j < s; j++ {
			v := 0.5 * (g[i*s+j] + g[j*s+i])
			g[i*s+j], g[j*s+i] = v, v
		}
	}
	if _, ok := lapack64.Potrf(blas64.Symmetric{N: s, Stride: s, Uplo: blas.Upper, Data: m}); !ok {
		return nil, nil, false
	}
	maxd, mind := 0.0, math.Inf(1)
	for i := 0; i < s; i++ {
		maxd = math.Max(maxd, m[i*s+i])
		mind = math.Min(mind, m[i*s+i])
		for j := 0; j < i; j++ {
			m[i*s+j] = 0
		}
	}
	if mind < 1e-7*maxd {
		return nil, nil, false
	}
	R := blas64.Triangular{N: s, Stride: s, Uplo: blas.Upper, Diag: blas.NonUnit, Data: m}
	// h = R^-T g R^-1
	blas64.Trsm(blas.Left, blas.Trans, 1, R, gen(s, s, g))
	blas64.Trsm(blas.Right, blas.NoTrans, 1, R, gen(s, s, g))
	for i := 0; i < s; i++ {
		for j := i + 1; j < s; j++ {
			v := 0.5 * (g[i*s+j] + g[j*s+i])
			g[i*s+j], g[j*s+i] = v, v
		}
	}
	vals = make([]float64, s)
	work := []float64{0}
	sym := blas64.Symmetric{N: s, Stride: s, Uplo: blas.Upper, Data: g}
	lapack64.Syev(lapack.EVCompute, sym, vals, work, -1)
	work = make([]float64, int(work[0]))
	if !lapack64.Syev(lapack.EVCompute, sym, vals, work, len(work)) {
		return nil, nil, false
	}
	// c = R^-1 z
	blas64.Trsm(blas.Left, blas.NoTrans, 1, R, gen(s, s, g))
	return vals, g, true
}

// dropDependent keeps an orthonormal basis of the numerically independent part of the
// columns of w (n x q), via the eigenvectors of its Gram matrix (SVQB, Stathopoulos &
// Wu 2002), dropping directions with relative eigenvalue below 1e-12.
func (l *lobpcg) dropDependent(w []float64, q int) ([]float64, int) {
	n := l.n
	g := gramTN(n, w, q, w, q)
	vals := make([]float64, q)
	work := []float64{0}
	sym := blas64.Symmetric{N: q, Stride: q, Uplo: blas.Upper, Data: g}
	lapack64.Syev(lapack.EVCompute, sym, vals, work, -1)
	work = make([]float64, int(work[0]))
	if !lapack64.Syev(lapack.EVCompute, sym, vals, work, len(work)) {
		return nil, 0
	}
	top := vals[q-1]
	var keep []int
	for j := q - 1; j >= 0; j-- {
		if vals[j] > 1e-12*top && vals[j] > 0 {
			keep = append(keep, j)
		}
	}
	sort.Ints(keep)
	nk := len(keep)
	c := make([]float64, q*nk)
	for cj, j := range keep {
		s := 1 / math.Sqrt(vals[j])
		for i := 0; i < q; i++ {
			c[i*nk+cj] = g[i*q+j] * s
		}
	}
	out := make([]float64, n*nk)
	mulNN(n, out, nk, w, q, c, 0)
	return out, nk
}

// recombine sets x = S cx (n x q, over x, which may be one of S's blocks) and, for pw > 0,
// p = S z (n x pw, p not one of S's blocks), for S the blocks of widths ws side by side
// (without forming S; cx and z stack each block's coefficient rows): chunk by chunk of
// rows, since each row of the result needs only its own row of S, with mulNN's chunks
// and loop (one mulChunk a block, beta 0 then 1), and one chunk of scratch a worker
// instead of a second n x q block.
func recombine(n int, x []float64, q int, cx []float64, p []float64, pw int, z []float64, blocks [][]float64, ws []int) {
	panels := func(c []float64, cols int) [][]float64 {
		out := make([][]float64, len(blocks))
		off := 0
		for k, w := range ws {
			if w > 0 {
				out[k] = padPanels(c[off*cols:(off+w)*cols], w, cols)
			}
			off += w
		}
		return out
	}
	cxp := panels(cx, q)
	var zp [][]float64
	if pw > 0 {
		zp = panels(z, pw)
	}
	// sum sets dst (rows lo..hi of the result, cols wide) to S's rows times the panels.
	sum := func(dst []float64, cols int, cp [][]float64, lo, hi int) {
		beta := 0.0
		for k, bl := range blocks {
			w := ws[k]
			if w == 0 {
				continue
			}
			mulChunk(dst, cols, bl[lo*w:hi*w], w, cp[k], beta)
			beta = 1
		}
	}
	nc := (n + blockRows - 1) / blockRows
	parallel.Chunks(nc, 0, 1, func() func(int) {
		tmp := make([]float64, blockRows*q)
		return func(c int) {
			lo, hi := c*blockRows, min(n, (c+1)*blockRows)
			t := tmp[:(hi-lo)*q]
			sum(t, q, cxp, lo, hi)
			if pw > 0 {
				sum(p[lo*pw:hi*pw], pw, zp, lo, hi) // before x's rows change
			}
			copy(x[lo*q:hi*q], t)
		}
	})
}

// symEig returns the eigenvalues (ascending) and eigenvectors (columns of the s x s
// row-major result) of the symmetric s x s matrix g, which it overwrites.
func symEig(g []float64, s int) ([]float64, []float64, bool) {
	vals := make([]float64, s)
	work := []float64{0}
	sym := blas64.Symmetric{N: s, Stride: s, Uplo: blas.Upper, Data: g}
	lapack64.Syev(lapack.EVCompute, sym, vals, work, -1)
	work = make([]float64, int(work[0]))
	if !lapack64.Syev(lapack.EVCompute, sym, vals, work, len(work)) {
		return nil, nil, false
	}
	return vals, g, true
}

// blockPool keeps n-row blocks of up to size values for reuse (lobpcgBlock's P and AP,
// whose old blocks are free once the new ones are combined).
type blockPool struct {
	size int
	free [][]float64
}

// get returns a block of length m <= size, reused where one is free; its values are
// stale (the combinations overwrite them).
func (p *blockPool) get(m int) []float64 {
	if k := len(p.free); k > 0 {
		s := p.free[k-1]
		p.free = p.free[:k-1]
		return s[:m]
	}
	return make([]float64, p.size)[:m]
}

// put returns blocks from get (nil ones are skipped).
func (p *blockPool) put(blocks ...[]float64) {
	for _, s := range blocks {
		if cap(s) == p.size {
			p.free = append(p.free, s)
		}
	}
}
