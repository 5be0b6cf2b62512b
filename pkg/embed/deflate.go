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

// deflated is P A for orthonormal vectors with A u = value u: one (u, label nil), or one
// per connected component (componentBasis: u's entries on each component's rows form
// that component's vector).
type deflated struct {
	op    eigsh.Operator
	u     []float64
	label []int32 // component of each row, nil = one vector
	c     int     // number of vectors (with label)
	value float64 // their eigenvalue: 1 for A = D^-1/2 K D^-1/2, the shift for s I - L
	// After check: the first min(k, c) vectors as columns and every vector's residual.
	vecs *mat.Dense
	res  []float64
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

// Where the graph falls apart into c connected components, the Laplacian's eigenvalue 0
// has c eigenvectors, known exactly: one per component C, u_C = M^1/2 1_C / |M^1/2 1_C|
// (no kernel value joins two components; M = D for the normalized and random-walk
// Laplacians, I for the unnormalized one). Single-vector Lanczos finds copies of a
// multiple eigenvalue only through rounding: on the cycloidal gear (4 components) it
// returned 3 of the 4 zeros and 5.2e-5 in the fourth's place, and on five blobs with
// the unnormalized Laplacian 2 of 5. So solve deflates them all and adds them to its
// answer; the block solver, whose block holds every wanted pair, finds the copies itself
// (TestMultilevelRealClouds).

// componentBasis is the deflation of the c components labelled label (sorted rows,
// 0 = largest) for the masses m (nil: 1 each), the vectors' eigenvalue of op value.
func componentBasis(m []float64, label []int32, c int, value float64) *deflated {
	mass := func(i int) float64 {
		if m == nil {
			return 1
		}
		return m[i]
	}
	vol := make([]float64, c)
	for i, l := range label {
		vol[l] += mass(i)
	}
	u := make([]float64, len(label))
	for i, l := range label {
		u[i] = math.Sqrt(mass(i) / vol[l])
	}
	return &deflated{u: u, label: label, c: c, value: value}
}

// check measures the vectors' residuals on op (one product) and keeps them, with the
// first min(k, c) vectors, for solve; it says whether every residual is within
// componentResidual.
func (d *deflated) check(op eigsh.Operator, k int) bool {
	d.vecs, d.res = d.basisVectors(op, min(k, d.c))
	return slices.Max(d.res) <= componentResidual*d.value
}

// basisVectors returns the first k of d's vectors (the largest components) as columns,
// and the residuals |A u - value u| of all of them, from one product of op on their sum.
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
		e := au[i] - d.value*d.u[i]
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

// withTrivial adds the known pairs (value, u) of d's vectors to a solve of the deflated
// operator, with the residuals |A u - value u| measured by one product of op.
func withTrivial(s *eigsh.Result, op eigsh.Operator, d *deflated) *eigsh.Result {
	c := max(d.c, 1)
	bv, res, spent := d.vecs, d.res, 0 // measured by check
	if bv == nil || bv.RawMatrix().Cols < c {
		bv, res = d.basisVectors(op, c)
		spent = 1
	}
	n := len(d.u)
	k := len(s.Values)
	v := mat.NewDense(n, k+c, nil)
	if k > 0 {
		v.Slice(0, n, 0, k).(*mat.Dense).Copy(s.Vectors)
	}
	v.Slice(0, n, k, k+c).(*mat.Dense).Copy(bv)
	vals := append([]float64(nil), s.Values...) // ascending: the others are below value
	for range c {
		vals = append(vals, d.value)
	}
	return &eigsh.Result{
		Values:    vals,
		Vectors:   v,
		MatVecs:   s.MatVecs + spent,
		Restarts:  s.Restarts,
		Residuals: append(append([]float64(nil), s.Residuals...), res...),
	}
}

// solve finds the want largest eigenpairs of op, deflating the known first eigenvector u
// (A u = u) when there is one (normalized and random-walk Laplacians, n >= minDeflate),
// or, on a disconnected graph, comp's vector of each component (nil: none; any
// Laplacian; checked on op by the caller). Should the wanted pairs reach down to the
// deflated operator's eigenvalue 0 (possible only when op's eigenvalues near 0 are
// wanted, i.e. Laplacian eigenvalues near the top of its spectrum), the deflated answer is
// ambiguous and the plain operator is solved instead (with the components, their copies
// of eigenvalue 0 are then at Lanczos's mercy again; k that close to n is rare). The
// caller's progress counts u's pair already.
func solve(op eigsh.Operator, u []float64, comp *deflated, want int, o eigsh.Options) (*eigsh.Result, error) {
	var d *deflated
	counted := btoi(deflates(u, want)) // the known pairs the caller's progress counts
	if counted == 1 {
		d = &deflated{op: op, u: u, value: 1}
	}
	checked := 0 // the product that checked comp
	if comp != nil && deflates(comp.u, want) {
		checked = 1
		if want <= comp.c { // every wanted pair is a component's: nothing to solve
			return &eigsh.Result{Values: slices.Repeat([]float64{comp.value}, want), Vectors: comp.vecs, Residuals: comp.res[:want], MatVecs: 1}, nil
		}
		comp.op = op
		d = comp
	}
	if d == nil {
		r, err := eigsh.Solve(op, want, o)
		if r != nil {
			r.MatVecs += checked
		}
		return r, err
	}
	known := max(d.c, 1)
	if pr := o.Progress; pr != nil && known > counted {
		extra := known - counted
		o.Progress = func(p eigsh.Progress) {
			p.Converged += extra
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
	if len(s.Values) > 0 && s.Values[0] < 0.25*d.value {
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

// componentResidual is the largest |A u_C - value u_C| / value for which the components
// are deflated: rounding leaves ~1e-16. A pair that the components' rule and the
// kernel's judged differently leaves K_ij / sqrt(D_i vol C) (normalized; K_ij >=
// exp(-cutoff^2/2)), which on large components can pass; the pair is then as accurate
// as its reported residual.
const componentResidual = 1e-10
