package eigsh

import (
	"math"
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

// countingBlock is a Dense operator with a block product that counts its calls.
type countingBlock struct {
	Dense
	calls int
}

func (c *countingBlock) MulBlock(dst, src []float64, b int) {
	c.calls++
	var y mat.Dense
	n := c.Dims()
	y.Mul(c.A, mat.NewDense(n, b, src))
	copy(dst, y.RawMatrix().Data)
}

// Affine's block product is its MulVec column by column (bit for bit over a column
// loop), and it hands the whole block to an operator that has a block product.
func TestAffineMulBlock(t *testing.T) {
	const n, b = 41, 3
	a := Dense{randSym(n, 5)}
	src := make([]float64, n*b)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range src {
		src[i] = r.NormFloat64()
	}
	for _, op := range []BlockOperator{Affine{Op: a, Scale: 2, Shift: -1}, Shift(a, 4)} {
		dst := make([]float64, n*b)
		op.MulBlock(dst, src, b)
		x, y := make([]float64, n), make([]float64, n)
		for j := 0; j < b; j++ {
			for i := range x {
				x[i] = src[i*b+j]
			}
			op.MulVec(y, x)
			for i := range y {
				if dst[i*b+j] != y[i] {
					t.Fatalf("%+v: (%d,%d) = %v, MulVec %v", op, i, j, dst[i*b+j], y[i])
				}
			}
		}
	}
	cb := &countingBlock{Dense: a}
	dst, ref := make([]float64, n*b), make([]float64, n*b)
	Shift(cb, 4).MulBlock(dst, src, b)
	Shift(a, 4).MulBlock(ref, src, b)
	if cb.calls != 1 {
		t.Fatalf("%d block products, want 1", cb.calls)
	}
	for i := range dst {
		if math.Abs(dst[i]-ref[i]) > 1e-12 {
			t.Fatalf("entry %d: %v through the block product, %v through columns", i, dst[i], ref[i])
		}
	}
}
