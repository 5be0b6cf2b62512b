package eigsh

import "fmt"

// Affine is the operator Scale*A + Shift*I. An eigenpair (mu, v) of it is the pair
// ((mu - Shift)/Scale, v) of A: the transformation changes which end of the spectrum is
// extreme and how far apart the wanted eigenvalues are relative to the spread, not the
// eigenvectors.
type Affine struct {
	Op    Operator
	Scale float64
	Shift float64
}

// Dims returns the order of the operator.
func (t Affine) Dims() int { return t.Op.Dims() }

// MulVec sets dst = Scale*A src + Shift*src.
func (t Affine) MulVec(dst, src []float64) {
	t.Op.MulVec(dst, src)
	for i, x := range src {
		dst[i] = t.Scale*dst[i] + t.Shift*x
	}
}

// MulBlock sets dst = Scale*A src + Shift*src for n x b row-major blocks, with A's
// block product when it has one (see MulBlock).
func (t Affine) MulBlock(dst, src []float64, b int) {
	MulBlock(t.Op, dst, src, b)
	for i, x := range src {
		dst[i] = t.Scale*dst[i] + t.Shift*x
	}
}

// Original maps an eigenvalue mu of t back to the eigenvalue (mu - Shift)/Scale of A.
func (t Affine) Original(mu float64) float64 { return (mu - t.Shift) / t.Scale }

// Shift returns s*I - A. With s >= lambda_max(A) (any upper bound, e.g. Gershgorin's:
// 2*max degree for a graph Laplacian D - K) its largest eigenvalues mu are the smallest
// lambda = s - mu of A, and LA Lanczos finds them in far fewer products than SA or SM on
// A itself. The absolute accuracy of lambda is that of mu, about tol*s.
func Shift(op Operator, s float64) Affine { return Affine{Op: op, Scale: -1, Shift: s} }

// Smallest finds the k smallest eigenvalues of op (ascending, with their vectors) as the
// largest of Shift(op, bound), where bound >= lambda_max(op). opt.Which is ignored.
// With Tol = 0 the eigenvalues are accurate to a few eps*bound in absolute terms.
func Smallest(op Operator, k int, bound float64, opt Options) (*Result, error) {
	opt.Which = LA
	t := Shift(op, bound)
	res, err := Solve(t, k, opt)
	var nc *NoConvergence
	switch {
	case err == nil:
	case asNoConvergence(err, &nc):
		res = nc.Result
	default:
		return nil, fmt.Errorf("smallest eigenvalues via shift %g: %w", bound, err)
	}
	reverseInto(res, t)
	return res, err
}

// reverseInto maps values back through t; a decreasing map (Scale < 0) reverses the order.
func reverseInto(res *Result, t Affine) {
	k := len(res.Values)
	for i := range res.Values {
		res.Values[i] = t.Original(res.Values[i])
		res.Residuals[i] /= abs(t.Scale)
	}
	if t.Scale > 0 || k < 2 {
		return
	}
	for i, j := 0, k-1; i < j; i, j = i+1, j-1 {
		res.Values[i], res.Values[j] = res.Values[j], res.Values[i]
		res.Residuals[i], res.Residuals[j] = res.Residuals[j], res.Residuals[i]
		ci, cj := res.Vectors.ColView(i), res.Vectors.ColView(j)
		for r := 0; r < ci.Len(); r++ {
			a, b := ci.AtVec(r), cj.AtVec(r)
			res.Vectors.Set(r, i, b)
			res.Vectors.Set(r, j, a)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
