package embed

import (
	"errors"
	"math"
	"slices"

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

// deflated is P A for orthonormal vectors with A u = u: one (u, label nil), or one per
// connected component (componentBasis: u's entries on each component's rows form that
// component's vector).
type deflated struct {
	op    eigsh.Operator
	u     []float64
	label []int32 // component of each row, nil = one vector
	c     int     // number of vectors (with label)
}

func (d *deflated) Dims() int { return d.op.Dims() }

func (d *deflated) MulVec(dst, src []float64) {
	d.op.MulVec(dst, src)
	d.project(dst, 1)
}

// MulBlock is MulVec on n x b blocks: one block product of op, then each column
// projected.
func (d *deflated) MulBlock(dst, src []float64, b int) {
	eigsh.MulBlock(d.op, dst, src, b)
	d.project(dst, b)
}

// project removes from each column of the n x b block dst its components along the
// vectors (the supports are disjoint, so one pass sums them all).
func (d *deflated) project(dst []float64, b int) {
	n := len(d.u)
	s := make([]float64, max(d.c, 1)*b)
	for i := 0; i < n; i++ {
		ui, sl := d.u[i], s[:b]
		if d.label != nil {
			sl = s[int(d.label[i])*b:][:b]
		}
		for j, x := range dst[i*b : (i+1)*b] {
			sl[j] += x * ui
		}
	}
	for i := 0; i < n; i++ {
		ui, sl := d.u[i], s[:b]
		if d.label != nil {
			sl = s[int(d.label[i])*b:][:b]
		}
		row := dst[i*b : (i+1)*b]
		for j := range row {
			row[j] -= sl[j] * ui
		}
	}
}

// Where the graph falls apart into c connected components, A's eigenvalue 1 has c
// eigenvectors, known exactly: u_C = D^1/2 1_C / |D^1/2 1_C| for each component C (no
// kernel value joins two components). Single-vector Lanczos finds copies of a multiple
// eigenvalue only through rounding: on the cycloidal gear (4 components) it returned 3
// of the 4 zero Laplacian eigenvalues and 5.2e-5 in the fourth's place. So solve
// deflates them all and adds them to its answer; the block solver, whose block holds
// every wanted pair, finds the copies itself (TestMultilevelRealClouds).

// componentBasis is the deflation of the c components labelled label (sorted rows,
// 0 = largest) for the masses m (the degrees, times the weights).
func componentBasis(m []float64, label []int32, c int) *deflated {
	vol := make([]float64, c)
	for i, x := range m {
		vol[label[i]] += x
	}
	u := make([]float64, len(m))
	for i, x := range m {
		u[i] = math.Sqrt(x / vol[label[i]])
	}
	return &deflated{u: u, label: label, c: c}
}

// basisVectors returns the first k of d's vectors (the largest components) as columns,
// and the residuals |A u - u| of all of them, from one product of op on their sum.
func (d *deflated) basisVectors(op eigsh.Operator, k int) (*mat.Dense, []float64) {
	n := len(d.u)
	au := make([]float64, n)
	op.MulVec(au, d.u)
	c := max(d.c, 1)
	r := make([]float64, c)
	v := mat.NewDense(n, k, nil)
	raw := v.RawMatrix()
	for i := range au {
		l := 0
		if d.label != nil {
			l = int(d.label[i])
		}
		e := au[i] - d.u[i]
		r[l] += e * e
		if l < k {
			raw.Data[i*raw.Stride+l] = d.u[i]
		}
	}
	for l := range r {
		r[l] = math.Sqrt(r[l])
	}
	return v, r
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

// withTrivial adds the pairs (1, u) of d's vectors to a solve of the deflated operator,
// with the residuals |A u - u| measured by one product of op.
func withTrivial(s *eigsh.Result, op eigsh.Operator, d *deflated) *eigsh.Result {
	c := max(d.c, 1)
	bv, res := d.basisVectors(op, c)
	n := len(d.u)
	k := len(s.Values)
	v := mat.NewDense(n, k+c, nil)
	if k > 0 {
		v.Slice(0, n, 0, k).(*mat.Dense).Copy(s.Vectors)
	}
	v.Slice(0, n, k, k+c).(*mat.Dense).Copy(bv)
	vals := append([]float64(nil), s.Values...) // ascending: the others are < 1
	for range c {
		vals = append(vals, 1)
	}
	return &eigsh.Result{
		Values:    vals,
		Vectors:   v,
		MatVecs:   s.MatVecs + 1,
		Restarts:  s.Restarts,
		Residuals: append(append([]float64(nil), s.Residuals...), res...),
	}
}

// solve finds the want largest eigenpairs of op, deflating the known first eigenvector
// u when there is one (normalized and random-walk Laplacians, n >= minDeflate), or, on a
// disconnected graph, comp's vector of each component (nil: none), all of them known
// pairs (1, u). Should the wanted pairs reach down to P A's eigenvalue 0 (the direction
// of u; possible only when eigenvalues of A near 0 are wanted, i.e. Laplacian
// eigenvalues near 1), the deflated answer is ambiguous and the plain operator is solved
// instead.
func solve(op eigsh.Operator, u []float64, comp *deflated, want int, o eigsh.Options) (*eigsh.Result, error) {
	if !deflates(u, want) {
		return eigsh.Solve(op, want, o)
	}
	d := &deflated{op: op, u: u}
	checked := 0 // products spent checking comp
	if comp != nil {
		checked = 1
		// The components' graph is the kernel's (kernel.Components applies its cutoff
		// rule), so each u_C is exact; check it on op before relying on it.
		v, res := comp.basisVectors(op, min(want, comp.c)) // n x c could be huge
		if slices.Max(res) <= componentResidual {
			if want <= comp.c { // every wanted pair is a component's: nothing to solve
				return &eigsh.Result{Values: slices.Repeat([]float64{1}, want), Vectors: v, Residuals: res[:want], MatVecs: 1}, nil
			}
			d = &deflated{op: op, u: comp.u, label: comp.label, c: comp.c}
		}
	}
	known := max(d.c, 1)
	if pr := o.Progress; pr != nil && known > 1 {
		o.Progress = func(p eigsh.Progress) { // the caller counts one known pair
			p.Converged += known - 1
			pr(p)
		}
	}
	s, err := eigsh.Solve(d, want-known, o)
	var nc *eigsh.NoConvergence
	switch {
	case err == nil:
	case errors.As(err, &nc) && nc.Result != nil:
		nc.Result = withTrivial(nc.Result, op, d)
		nc.Result.MatVecs += checked
		nc.Converged, nc.K = len(nc.Result.Values), want
		return nc.Result, nc
	default:
		return nil, err
	}
	if len(s.Values) > 0 && s.Values[0] < 0.25 {
		plain, perr := eigsh.Solve(op, want, o)
		if plain != nil {
			plain.MatVecs += s.MatVecs + checked
			plain.Restarts += s.Restarts
		}
		return plain, perr
	}
	r := withTrivial(s, op, d)
	r.MatVecs += checked
	return r, nil
}

// componentResidual is the largest |A u_C - u_C| for which the components are deflated:
// rounding leaves ~1e-16 per row; a pair the components' rule and the kernel's judged
// differently would leave a kernel value (>= exp(-cutoff^2/2)).
const componentResidual = 1e-10
