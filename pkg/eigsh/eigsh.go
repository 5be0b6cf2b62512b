// Package eigsh finds a few extreme eigenpairs of a large symmetric operator known only
// through matrix-vector products, by restarted Lanczos (like scipy's eigsh / ARPACK dsaupd
// and the Spectra library).
//
// Data enters as an Operator (Dims and MulVec; Dense adapts a gonum mat.Symmetric) and
// leaves as a Result: eigenvalues ascending, unit eigenvectors as the columns of an N x k
// matrix (largest-magnitude entry positive), and the number of products spent.
//
// # Algorithm
//
// Lanczos with full reorthogonalisation (classical Gram-Schmidt, repeated once when the
// norm drops by more than 1/sqrt(2): the DGKS criterion ARPACK's dsaitr uses), restarted
// by the thick restart of Wu & Simon (SIAM J. Matrix Anal. Appl. 22, 2000). Thick restart
// keeps the wanted Ritz vectors themselves plus the residual; in exact arithmetic it spans
// the same space as ARPACK's implicit restart with exact shifts, but it needs no bulge-chasing QR
// sweeps with shifts close to eigenvalues (where implicit restart must guard against
// forward instability), it lets
// the number of kept vectors be any number, and converged pairs are locked simply by
// dropping their coupling to the residual. Locked pairs stay in the basis (every new
// Lanczos vector is orthogonalised against them) but leave the Rayleigh-Ritz problem.
//
// Convergence is ARPACK's (dsconv): a Ritz pair (theta, y) is converged when
// |beta * s_last| <= tol * max(eps^(2/3), |theta|), with beta the residual norm, s_last
// the last component of the eigenvector of the projected matrix, and tol = eps = 2^-53
// (LAPACK's dlamch('E'), ARPACK's default) when Options.Tol is 0. Unlike ARPACK, the test
// runs after every Lanczos step once the slowest wanted residual is near the tolerance,
// not only when the basis is full, so the solver stops at the first product after which
// the k wanted pairs are converged. This, keeping more Ritz vectors than k at a restart
// (keepThirds) and a larger default basis (DefaultNCV) are where the savings in products
// over ARPACK come from (BENCHMARKS.md).
//
// On breakdown (an invariant subspace: the new vector vanishes after reorthogonalisation)
// the iteration continues with a fresh random vector orthogonal to the basis, so the
// further copies of a repeated eigenvalue are found when the Krylov space closes (as for
// components with few distinct eigenvalues). Without breakdown a single-vector Krylov
// space holds one vector per eigenspace, and further copies appear only as fast as
// rounding errors feed them: on three weighted path graphs, ARPACK (scipy eigsh) and
// this package both return eigenvalue 0 twice, not three times. Callers that need the
// multiplicity of 0 of a graph Laplacian should count connected components instead.
//
// Problems with n <= NCV, or n <= DenseMaxN, are solved densely (n products, then
// LAPACK dsyev). The default start vector is drawn from Seed by a PCG generator
// (math/rand/v2), and all the arithmetic is sequential, so equal inputs give equal bits
// whatever GOMAXPROCS is.
//
// # Smallest eigenvalues
//
// Plain Lanczos converges slowly to the small end of a Laplacian's spectrum (the small
// eigenvalues are tightly clustered relative to the spread). Transform the problem:
// solve for the largest eigenvalues of s*I - L with s >= lambda_max(L) (Shift; a
// Gershgorin bound such as 2*max degree will do) and map back lambda = s - mu, or for
// the normalized Laplacian solve for the largest mu of D^-1/2 K D^-1/2 and map back
// lambda = 1 - mu. Smallest does the first and the mapping for you.
package eigsh

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Operator is a symmetric linear operator of size Dims() x Dims().
type Operator interface {
	Dims() int
	MulVec(dst, src []float64) // dst = A src; dst and src do not overlap
}

// Which selects the eigenvalues wanted, as in scipy.
type Which int

const (
	LA Which = iota // largest algebraic
	SA              // smallest algebraic
	LM              // largest magnitude
	SM              // smallest magnitude
	BE              // both ends: k/2 from each end, the odd one from the high end (as ARPACK)
)

// String returns scipy's name of the selection rule.
func (w Which) String() string {
	switch w {
	case LA:
		return "LA"
	case SA:
		return "SA"
	case LM:
		return "LM"
	case SM:
		return "SM"
	case BE:
		return "BE"
	}
	return fmt.Sprintf("Which(%d)", int(w))
}

// Progress is reported once per restart.
type Progress struct {
	Restart     int
	Converged   int // wanted pairs converged so far
	K           int
	MaxResidual float64 // largest residual estimate among the k most wanted Ritz pairs
	MatVecs     int
}

// Options of Solve; zero values mean defaults.
type Options struct {
	Which    Which
	NCV      int     // Krylov basis size, k < NCV <= n; 0 = DefaultNCV(k)
	Tol      float64 // relative accuracy of the eigenvalues; 0 = machine precision
	MaxIter  int     // restarts; 0 = 10*n (scipy's default)
	V0       []float64
	Seed     uint64 // start vector seed when V0 is nil
	Progress func(Progress)
	Context  context.Context // checked once per Lanczos step; nil = never cancelled
}

// Result of Solve.
type Result struct {
	Values    []float64  // ascending
	Vectors   *mat.Dense // N x k; column j belongs to Values[j], unit norm, largest-magnitude entry positive
	MatVecs   int
	Restarts  int
	Residuals []float64    // ||A v - lambda v|| per pair, as the Lanczos estimate |beta * s_last|
	Passes    int          // block products (LOBPCG); 0 for Lanczos, whose passes are MatVecs
	Block     int          // LOBPCG's block size; 0 for Lanczos
	Levels    []LevelStats // multilevel solves: each level, finest first
}

// Errors for invalid arguments; the returned errors wrap these with the offending values.
var (
	ErrInvalidK       = errors.New("eigsh: invalid number of eigenpairs k")
	ErrInvalidNCV     = errors.New("eigsh: invalid Krylov basis size ncv")
	ErrInvalidOptions = errors.New("eigsh: invalid options")
	// ErrNotFinite is returned when the operator produces NaN or Inf.
	ErrNotFinite = errors.New("eigsh: operator returned NaN or Inf")
)

// NoConvergence is returned when MaxIter restarts did not converge all k pairs. Result
// holds the Converged pairs found (ascending), with their products and restarts.
type NoConvergence struct {
	Converged int
	K         int
	Result    *Result
}

func (e *NoConvergence) Error() string {
	return fmt.Sprintf("eigsh: no convergence: %d of %d eigenpairs converged after %d restarts (%d products)",
		e.Converged, e.K, e.Result.Restarts, e.Result.MatVecs)
}

// DenseMaxN is the size up to which Solve builds the matrix (n products) and solves it
// densely with LAPACK dsyev. BenchmarkDenseVsLanczos (dense random operator, k=7): at
// n=100 both take about 7 ms and Lanczos needs 93 products; at n=200 the dense path is
// 7x slower (O(n^3)).
const DenseMaxN = 100

// denseMaxN is DenseMaxN; tests lower it to run the iteration on small matrices.
var denseMaxN = DenseMaxN

// DefaultNCV is the Krylov basis size used when Options.NCV is 0 (capped at n): ARPACK's
// is max(2k+1, 20). A larger basis converges in fewer products (BENCHMARKS.md:
// swiss roll n=10^4, k=7, tol 0: 466 products at ncv=20, 298 at 40, 290 at 50, 286 at
// 80) for O(n*ncv) orthogonalisation work per product and n*ncv floats of memory.
func DefaultNCV(k int) int {
	return max(3*k, 50)
}

// eps is LAPACK's dlamch('E'), the unit roundoff ARPACK uses as its default tolerance.
const eps = 0x1p-53

// Solve finds k eigenpairs of op selected by opt.Which.
//
// It returns *NoConvergence (with the converged pairs) when MaxIter restarts are not
// enough, an error wrapping ErrNotFinite when the operator returns NaN or Inf, and the
// context's error (wrapped) when opt.Context is cancelled.
func Solve(op Operator, k int, opt Options) (*Result, error) {
	if op == nil {
		return nil, fmt.Errorf("%w: nil operator", ErrInvalidOptions)
	}
	n := op.Dims()
	if k <= 0 || k >= n {
		return nil, fmt.Errorf("%w: k=%d, need 0 < k < n=%d", ErrInvalidK, k, n)
	}
	if opt.Which < LA || opt.Which > BE {
		return nil, fmt.Errorf("%w: unknown Which %d", ErrInvalidOptions, int(opt.Which))
	}
	if opt.Tol < 0 || math.IsNaN(opt.Tol) || math.IsInf(opt.Tol, 0) {
		return nil, fmt.Errorf("%w: Tol=%g, need a finite Tol >= 0", ErrInvalidOptions, opt.Tol)
	}
	if opt.MaxIter < 0 {
		return nil, fmt.Errorf("%w: MaxIter=%d, need MaxIter >= 0", ErrInvalidOptions, opt.MaxIter)
	}
	if opt.V0 != nil && len(opt.V0) != n {
		return nil, fmt.Errorf("%w: len(V0)=%d, need n=%d", ErrInvalidOptions, len(opt.V0), n)
	}
	ncv := opt.NCV
	if ncv == 0 {
		ncv = min(DefaultNCV(k), n)
	} else if ncv <= k || ncv > n {
		return nil, fmt.Errorf("%w: ncv=%d, need k=%d < ncv <= n=%d", ErrInvalidNCV, ncv, k, n)
	}
	if opt.Context != nil {
		if err := opt.Context.Err(); err != nil {
			return nil, fmt.Errorf("eigsh: %w", err)
		}
	}
	if ncv >= n || n <= denseMaxN {
		return solveDense(op, k, opt)
	}
	return solveLanczos(op, k, ncv, opt)
}

func asNoConvergence(err error, target **NoConvergence) bool { return errors.As(err, target) }
