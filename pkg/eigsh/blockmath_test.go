package eigsh

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

func randBlock(n, b int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n*b)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

// TestBlockMathAgainstGemm checks the chunked products against one gonum Gemm, and that
// their bits do not depend on GOMAXPROCS.
func TestBlockMathAgainstGemm(t *testing.T) {
	n, p, q := 5000, 7, 5
	x, y, c := randBlock(n, p, 1), randBlock(n, q, 2), randBlock(p, q, 3)
	g := gramTN(n, x, p, y, q)
	want := make([]float64, p*q)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, gen(n, p, x), gen(n, q, y), 0, gen(p, q, want))
	for i := range g {
		if math.Abs(g[i]-want[i]) > 1e-10*math.Sqrt(float64(n)) {
			t.Fatalf("gram %d: %g want %g", i, g[i], want[i])
		}
	}
	d := randBlock(n, q, 4)
	d0 := append([]float64(nil), d...)
	mulNN(n, d, q, x, p, c, 0.5)
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, gen(n, p, x), gen(p, q, c), 0.5, gen(n, q, d0))
	for i := range d {
		if math.Abs(d[i]-d0[i]) > 1e-12 {
			t.Fatalf("mul %d: %g want %g", i, d[i], d0[i])
		}
	}
	old := runtime.GOMAXPROCS(1)
	g1 := gramTN(n, x, p, y, q)
	runtime.GOMAXPROCS(old)
	for i := range g {
		if g1[i] != g[i] {
			t.Fatalf("gram depends on GOMAXPROCS at %d: %v vs %v", i, g1[i], g[i])
		}
	}
}

// BenchmarkBlockMath compares the chunked kernels with gonum's Gemm on the shapes of one
// LOBPCG iteration at n = 10^5 (block 9, basis 27).
func BenchmarkBlockMath(b *testing.B) {
	n := 100000
	x, y := randBlock(n, 27, 1), randBlock(n, 9, 2)
	c := randBlock(27, 9, 3)
	d := make([]float64, n*9)
	out := make([]float64, 27*9)
	b.Run("gram27x9", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			gramTN(n, x, 27, y, 9)
		}
	})
	b.Run("gonum/gram27x9", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			blas64.Gemm(blas.Trans, blas.NoTrans, 1, gen(n, 27, x), gen(n, 9, y), 0, gen(27, 9, out))
		}
	})
	b.Run("mul27x9", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			mulNN(n, d, 9, x, 27, c, 0)
		}
	})
	b.Run("gonum/mul27x9", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, gen(n, 27, x), gen(27, 9, c), 0, gen(n, 9, d))
		}
	})
}

// TestBlockMathShapes runs the panel loops over widths that leave every tail of a
// 16-column panel and of a register (q, p from 1 to 37, odd and even row counts, beta 0,
// 1 and other): the AVX2 loops and the pure-Go ones give the same bits, and both agree
// with gonum's Gemm.
func TestBlockMathShapes(t *testing.T) {
	defer func(f bool) { haveFMA = f }(haveFMA)
	simd := haveFMA
	for _, n := range []int{0, 1, 6, 2051} {
		for _, p := range []int{1, 2, 3, 5, 9, 16, 17, 27, 37} {
			for _, q := range []int{1, 4, 5, 9, 12, 16, 17, 33, 37} {
				x, y, c := randBlock(n, p, uint64(p)), randBlock(n, q, uint64(q)+100), randBlock(p, q, 7)
				want := make([]float64, p*q)
				blas64.Gemm(blas.Trans, blas.NoTrans, 1, gen(n, p, x), gen(n, q, y), 0, gen(p, q, want))
				var grams [2][]float64
				var muls [2][]float64
				for k, on := range []bool{false, true} {
					if on && !simd {
						grams[k], muls[k] = grams[0], muls[0]
						continue
					}
					haveFMA = on
					grams[k] = gramTN(n, x, p, y, q)
					d := randBlock(n, q, 9)
					mulNN(n, d, q, x, p, c, 0.5)
					d2 := randBlock(n, q, 9)
					mulNN(n, d2, q, x, p, c, 0)
					muls[k] = append(d, d2...)
				}
				for i := range want {
					if grams[0][i] != grams[1][i] {
						t.Fatalf("n=%d p=%d q=%d: gram %d SIMD %v, Go %v", n, p, q, i, grams[1][i], grams[0][i])
					}
					if math.Abs(grams[0][i]-want[i]) > 1e-12*float64(n+1) {
						t.Fatalf("n=%d p=%d q=%d: gram %d = %v, Gemm %v", n, p, q, i, grams[0][i], want[i])
					}
				}
				d0, d1 := randBlock(n, q, 9), make([]float64, n*q)
				blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, gen(n, p, x), gen(p, q, c), 0.5, gen(n, q, d0))
				blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, gen(n, p, x), gen(p, q, c), 0, gen(n, q, d1))
				wantMul := append(d0, d1...)
				for i := range wantMul {
					if muls[0][i] != muls[1][i] {
						t.Fatalf("n=%d p=%d q=%d: mul %d SIMD %v, Go %v", n, p, q, i, muls[1][i], muls[0][i])
					}
					if math.Abs(muls[0][i]-wantMul[i]) > 1e-12*float64(p) {
						t.Fatalf("n=%d p=%d q=%d: mul %d = %v, Gemm %v", n, p, q, i, muls[0][i], wantMul[i])
					}
				}
			}
		}
	}
}
