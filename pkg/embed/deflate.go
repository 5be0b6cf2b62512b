package embed

import (
	"errors"
	"math"

	"github.com/spectral-dev/spectral/pkg/eigsh"
	"gonum.org/v1/gonum/mat"
)

// The normalized and random-walk Laplacians' first eigenvector is known exactly: A =
// D^-1/2 K D^-1/2 has A u = u for u = D^1/2 1 / |D^1/2 1| (the degrees are K 1 from the
// same kernel values). The solver is given A with u projected out, P A P = P A (P = I -
// u u^T, and P u = 0), and one pair fewer to find: no Krylov dimension is spent on u
// (Swiss roll n = 10^4: 277 products instead of 285; n = 10^5: 554 instead of 576), and
// its eigenvalue comes out as exactly 0.

// minDeflate is the smallest problem that is deflated; below it the solver works densely
// and nothing is to be saved.
const minDeflate = 200

// deflates says whether solve deflates u.
func deflates(u []float64, want int) bool { return u != nil && want >= 2 && len(u) >= minDeflate }

// deflated is P A for a unit vector u with A u = u.
type deflated struct {
	op eigsh.Operator
	u  []float64
}

func (d *deflated) Dims() int { return d.op.Dims() }

func (d *deflated) MulVec(dst, src []float64) {
	d.op.MulVec(dst, src)
	var s float64
	for i, x := range dst {
		s += x * d.u[i]
	}
	for i := range dst {
		dst[i] -= s * d.u[i]
	}
}

// MulBlock is MulVec on n x b blocks: one block product of op, then each column
// projected.
func (d *deflated) MulBlock(dst, src []float64, b int) {
	eigsh.MulBlock(d.op, dst, src, b)
	n := len(d.u)
	s := make([]float64, b)
	for i := 0; i < n; i++ {
		ui := d.u[i]
		for j, x := range dst[i*b : (i+1)*b] {
			s[j] += x * ui
		}
	}
	for i := 0; i < n; i++ {
		ui := d.u[i]
		row := dst[i*b : (i+1)*b]
		for j := range row {
			row[j] -= s[j] * ui
		}
	}
}

// trivialVector is D^1/2 1, unit norm.
func trivialVector(deg []float64) []float64 {
	u := make([]float64, len(deg))
	var s float64
	for i, d := range deg {
		u[i] = math.Sqrt(d)
		s += d
	}
	for i := range u {
		u[i] /= math.Sqrt(s)
	}
	return u
}

// withTrivial adds the pair (1, u) to a solve of the deflated operator, with the
// residual |A u - u| measured by one product of op.
func withTrivial(s *eigsh.Result, op eigsh.Operator, u []float64) *eigsh.Result {
	n := len(u)
	au := make([]float64, n)
	op.MulVec(au, u)
	var r float64
	for i := range au {
		d := au[i] - u[i]
		r += d * d
	}
	k := len(s.Values)
	v := mat.NewDense(n, k+1, nil)
	if k > 0 {
		v.Slice(0, n, 0, k).(*mat.Dense).Copy(s.Vectors)
	}
	v.SetCol(k, u)
	return &eigsh.Result{
		Values:    append(append([]float64(nil), s.Values...), 1), // ascending: the others are < 1
		Vectors:   v,
		MatVecs:   s.MatVecs + 1,
		Restarts:  s.Restarts,
		Residuals: append(append([]float64(nil), s.Residuals...), math.Sqrt(r)),
	}
}

// solve finds the want largest eigenpairs of op, deflating the known first eigenvector
// u when there is one (normalized and random-walk Laplacians, n >= minDeflate). Should
// the wanted pairs reach down to P A's eigenvalue 0 (the direction of u; possible only
// when eigenvalues of A near 0 are wanted, i.e. Laplacian eigenvalues near 1), the
// deflated answer is ambiguous and the plain operator is solved instead.
func solve(op eigsh.Operator, u []float64, want int, o eigsh.Options) (*eigsh.Result, error) {
	if !deflates(u, want) {
		return eigsh.Solve(op, want, o)
	}
	s, err := eigsh.Solve(&deflated{op, u}, want-1, o)
	var nc *eigsh.NoConvergence
	switch {
	case err == nil:
	case errors.As(err, &nc) && nc.Result != nil:
		nc.Result = withTrivial(nc.Result, op, u)
		nc.Converged, nc.K = len(nc.Result.Values), want
		return nc.Result, nc
	default:
		return nil, err
	}
	if len(s.Values) > 0 && s.Values[0] < 0.25 {
		plain, perr := eigsh.Solve(op, want, o)
		if plain != nil {
			plain.MatVecs += s.MatVecs
			plain.Restarts += s.Restarts
		}
		return plain, perr
	}
	return withTrivial(s, op, u), nil
}
