// Package eigsh finds a few extreme eigenpairs of a large symmetric operator known only
// through matrix-vector products, by implicitly restarted Lanczos (like scipy's eigsh /
// ARPACK dsaupd and the Spectra library).
package eigsh

import (
	"context"
	"fmt"

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
	BE              // both ends
)

// Progress is reported once per restart.
type Progress struct {
	Restart     int
	Converged   int
	K           int
	MaxResidual float64
	MatVecs     int
}

// Options of Solve; zero values mean defaults.
type Options struct {
	Which    Which
	NCV      int     // Krylov basis size; 0 = default
	Tol      float64 // 0 = machine precision
	MaxIter  int     // restarts; 0 = default
	V0       []float64
	Seed     uint64
	Progress func(Progress)
	Context  context.Context // checked once per Lanczos step; nil = never cancelled
}

// Result of Solve.
type Result struct {
	Values    []float64  // ascending
	Vectors   *mat.Dense // N x k; column j belongs to Values[j], unit norm, largest-magnitude entry positive
	MatVecs   int
	Restarts  int
	Residuals []float64 // ||A v - lambda v|| per pair
}

// Solve finds k eigenpairs of op selected by opt.Which.
func Solve(op Operator, k int, opt Options) (*Result, error) {
	return nil, fmt.Errorf("eigsh.Solve: not implemented")
}
