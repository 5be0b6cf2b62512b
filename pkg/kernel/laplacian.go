package kernel

import (
	"fmt"
	"math"
	"sync"
)

// Matrix is a symmetric kernel matrix with its degrees: the CPU Operator, or the GPU one.
type Matrix interface {
	Dims() int
	MulVec(dst, src []float64)
	Degrees() []float64
}

// Laplacian operators (each with Dims and MulVec, so they satisfy eigsh.Operator):
//   Unnormalized(m):      L = D - K
//   NormalizedAffinity(m): A = D^-1/2 K D^-1/2
//   Normalized(m):        I - D^-1/2 K D^-1/2

// Laplacian is a graph Laplacian (or affinity) operator built from a kernel matrix; it has
// the shape of eigsh.Operator.
type Laplacian struct {
	m     Matrix
	kind  int
	d     []float64 // degrees
	isqrt []float64 // D^-1/2 (normalized kinds)
	tmp   []float64
	btmp  []float64  // MulBlock's scaled input (normalized kinds), grown on demand
	mu    sync.Mutex // guards tmp and btmp
}

const (
	kindUnnormalized = iota
	kindAffinity
	kindNormalized
)

// Unnormalized is L = D - K.
func Unnormalized(m Matrix) *Laplacian { return newLaplacian(m, kindUnnormalized) }

// NormalizedAffinity is A = D^-1/2 K D^-1/2 (eigenvalues mu; those of L_sym are 1 - mu).
func NormalizedAffinity(m Matrix) *Laplacian { return newLaplacian(m, kindAffinity) }

// Normalized is L_sym = I - D^-1/2 K D^-1/2.
func Normalized(m Matrix) *Laplacian { return newLaplacian(m, kindNormalized) }

func newLaplacian(m Matrix, kind int) *Laplacian {
	l := &Laplacian{m: m, kind: kind, d: m.Degrees(), tmp: make([]float64, m.Dims())}
	if kind != kindUnnormalized {
		// Degrees include the diagonal 1, so they are >= 1 and the inverse root is finite.
		l.isqrt = make([]float64, len(l.d))
		for i, d := range l.d {
			l.isqrt[i] = 1 / math.Sqrt(d)
		}
	}
	return l
}

// Dims is the number of points.
func (l *Laplacian) Dims() int { return l.m.Dims() }

// Degrees are the degrees D = K 1 of the underlying kernel.
func (l *Laplacian) Degrees() []float64 { return l.d }

// MulVec sets dst = L src; dst and src must not overlap.
func (l *Laplacian) MulVec(dst, src []float64) {
	switch l.kind {
	case kindUnnormalized:
		l.m.MulVec(dst, src)
		for i, d := range l.d {
			dst[i] = d*src[i] - dst[i]
		}
	default:
		l.mu.Lock()
		defer l.mu.Unlock()
		for i, s := range l.isqrt {
			l.tmp[i] = s * src[i]
		}
		l.m.MulVec(dst, l.tmp)
		if l.kind == kindAffinity {
			for i, s := range l.isqrt {
				dst[i] *= s
			}
			return
		}
		for i, s := range l.isqrt {
			dst[i] = src[i] - s*dst[i]
		}
	}
}

// blockMatrix is a Matrix with a block product (the CPU and GPU operators have one).
type blockMatrix interface {
	MulBlock(dst, src []float64, b int)
}

// MulBlock sets dst = L src for n x b row-major blocks (entry (i, j) at i*b + j), with
// one pass over the kernel when the matrix has a block product (else a column loop);
// dst and src must not overlap. Each column gets the same operations as MulVec's, on
// the matrix's block product.
func (l *Laplacian) MulBlock(dst, src []float64, b int) {
	n := l.Dims()
	if b < 1 || len(dst) != n*b || len(src) != n*b {
		panic(fmt.Sprintf("kernel: Laplacian MulBlock lengths %d, %d with %d columns, want %d rows", len(dst), len(src), b, n))
	}
	switch l.kind {
	case kindUnnormalized:
		mulBlock(l.m, dst, src, b)
		for i, d := range l.d {
			row, s := dst[i*b:(i+1)*b], src[i*b:(i+1)*b]
			for j := range row {
				row[j] = d*s[j] - row[j]
			}
		}
	default:
		l.mu.Lock()
		defer l.mu.Unlock()
		if cap(l.btmp) < n*b {
			l.btmp = make([]float64, n*b)
		}
		tmp := l.btmp[:n*b]
		for i, s := range l.isqrt {
			t, x := tmp[i*b:(i+1)*b], src[i*b:(i+1)*b]
			for j := range t {
				t[j] = s * x[j]
			}
		}
		mulBlock(l.m, dst, tmp, b)
		for i, s := range l.isqrt {
			row := dst[i*b : (i+1)*b]
			if l.kind == kindAffinity {
				for j := range row {
					row[j] *= s
				}
				continue
			}
			x := src[i*b : (i+1)*b]
			for j := range row {
				row[j] = x[j] - s*row[j]
			}
		}
	}
}

// mulBlock is m's block product, or a column loop over MulVec where m has none.
func mulBlock(m Matrix, dst, src []float64, b int) {
	if bm, ok := m.(blockMatrix); ok {
		bm.MulBlock(dst, src, b)
		return
	}
	MulBlockColumns(m, dst, src, b)
}

// MulBlockColumns sets dst = m src for n x b row-major blocks one column at a time through
// MulVec: the block product of an operator whose kernel values cannot be shared across
// columns (the GPU operator's fallback, a Matrix without MulBlock).
func MulBlockColumns(m interface {
	Dims() int
	MulVec(dst, src []float64)
}, dst, src []float64, b int) {
	n := m.Dims()
	x, y := make([]float64, n), make([]float64, n)
	for j := 0; j < b; j++ {
		for i := range x {
			x[i] = src[i*b+j]
		}
		m.MulVec(y, x)
		for i, v := range y {
			dst[i*b+j] = v
		}
	}
}
