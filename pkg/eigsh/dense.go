package eigsh

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// Dense makes a gonum mat.Symmetric an Operator.
type Dense struct {
	A mat.Symmetric
}

// Dims returns the order of the matrix.
func (d Dense) Dims() int { return d.A.SymmetricDim() }

// MulVec sets dst = A src.
func (d Dense) MulVec(dst, src []float64) {
	n := d.A.SymmetricDim()
	if rm, ok := d.A.(mat.RawSymmetricer); ok {
		blas64.Symv(1, rm.RawSymmetric(), vec(src[:n]), 0, vec(dst[:n]))
		return
	}
	for i := 0; i < n; i++ {
		var s float64
		for j := 0; j < n; j++ {
			s += d.A.At(i, j) * src[j]
		}
		dst[i] = s
	}
}

// solveDense builds the matrix with n products and solves it with LAPACK dsyev.
func solveDense(op Operator, k int, opt Options) (*Result, error) {
	n := op.Dims()
	a := make([]float64, n*n) // row i = A e_i = column i, by symmetry
	e := make([]float64, n)
	for i := 0; i < n; i++ {
		if opt.Context != nil {
			if err := opt.Context.Err(); err != nil {
				return nil, fmt.Errorf("eigsh: cancelled after %d products: %w", i, err)
			}
		}
		e[i] = 1
		op.MulVec(a[i*n:(i+1)*n], e)
		e[i] = 0
		for _, x := range a[i*n : (i+1)*n] {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("%w (product %d)", ErrNotFinite, i+1)
			}
		}
	}
	// Symmetrise so that round-off asymmetry of the operator cannot bias one triangle.
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			s := 0.5 * (a[i*n+j] + a[j*n+i])
			a[i*n+j], a[j*n+i] = s, s
		}
	}
	orig := append([]float64(nil), a...)
	w := make([]float64, n)
	work := []float64{0}
	sym := blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: a}
	lapack64.Syev(lapack.EVCompute, sym, w, work, -1)
	work = make([]float64, int(work[0]))
	ok, err := syevContext(opt, func() bool { return lapack64.Syev(lapack.EVCompute, sym, w, work, len(work)) })
	if err != nil {
		return nil, fmt.Errorf("eigsh: cancelled in the dense %dx%d eigensolver: %w", n, n, err)
	}
	if !ok {
		return nil, fmt.Errorf("eigsh: dense %dx%d eigenproblem did not converge", n, n)
	}
	idx, tmp := make([]int, n), make([]int, n)
	rank(opt.Which, w, idx, tmp)
	vals, res := make([]float64, k), make([]float64, k)
	vecs := mat.NewDense(n, k, nil)
	x, r := make([]float64, n), make([]float64, n)
	A := blas64.General{Rows: n, Cols: n, Stride: n, Data: orig}
	for c, j := range idx[:k] {
		for i := 0; i < n; i++ {
			x[i] = a[i*n+j]
		}
		vals[c] = w[j]
		vecs.SetCol(c, x)
		copy(r, x)
		blas64.Gemv(blas.NoTrans, 1, A, vec(x), -w[j], vec(r))
		res[c] = blas64.Nrm2(vec(r))
	}
	return finish(vals, vecs, res, n, 0), nil
}

// lapackRunning counts the LAPACK calls syevContext started that have not finished,
// abandoned ones included, so that tests can wait for them (an abandoned call allocates
// in the background and would count in another test's allocations).
var lapackRunning sync.WaitGroup

// syevContext runs the LAPACK call, which has no cancellation point and takes minutes at
// n = 10^4, in its own goroutine when opt.Context can be cancelled, and returns the
// context's error as soon as it is done: the call is abandoned (it finishes in the
// background on memory nobody reads again), so that Ctrl-C takes effect at once.
func syevContext(opt Options, syev func() bool) (bool, error) {
	if opt.Context == nil || opt.Context.Done() == nil {
		return syev(), nil
	}
	done := make(chan bool, 1)
	lapackRunning.Add(1)
	go func() {
		defer lapackRunning.Done()
		done <- syev()
	}()
	select {
	case ok := <-done:
		return ok, nil
	case <-opt.Context.Done():
		return false, opt.Context.Err()
	}
}
