package kernel

import (
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
	mu    sync.Mutex // guards tmp
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
