package eigsh

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestMulBlockColumnLoop checks the fallback column loop against gonum's dense product.
func TestMulBlockColumnLoop(t *testing.T) {
	const n, b = 37, 5
	r := rand.New(rand.NewPCG(1, 2))
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a.SetSym(i, j, r.NormFloat64())
		}
	}
	src := make([]float64, n*b)
	for i := range src {
		src[i] = r.NormFloat64()
	}
	dst := make([]float64, n*b)
	MulBlock(Dense{a}, dst, src, b)
	var want mat.Dense
	want.Mul(a, mat.NewDense(n, b, src))
	for i := 0; i < n; i++ {
		for j := 0; j < b; j++ {
			if d := dst[i*b+j] - want.At(i, j); d > 1e-12 || d < -1e-12 {
				t.Fatalf("(%d,%d): got %g, want %g", i, j, dst[i*b+j], want.At(i, j))
			}
		}
	}
}
