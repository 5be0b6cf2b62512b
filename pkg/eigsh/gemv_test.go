package eigsh

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// The four-row kernels against gonum's Gemv, with the SIMD path and without, over row
// counts that leave 0-3 rows for the last group and chunk widths with 0-7 tail columns.
func TestGemvKernels(t *testing.T) {
	defer func(f bool) { haveFMA = f }(haveFMA)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, simd := range []bool{true, false} {
		if simd && !haveFMA {
			continue
		}
		haveFMA = simd
		for _, rows := range []int{1, 3, 4, 5, 8, 50} {
			for _, lo := range []int{0, 3} {
				for _, width := range []int{1, 7, 8, 9, 64, 203} {
					stride := lo + width + 5
					a := blas64.General{Rows: rows, Cols: stride, Stride: stride, Data: make([]float64, rows*stride)}
					for i := range a.Data {
						a.Data[i] = rng.NormFloat64()
					}
					w := make([]float64, width)
					h := make([]float64, rows)
					for i := range w {
						w[i] = rng.NormFloat64()
					}
					for i := range h {
						h[i] = rng.NormFloat64()
					}
					sub := blas64.General{Rows: rows, Cols: width, Stride: stride, Data: a.Data[lo:]}
					got := make([]float64, rows)
					projectRows(a, lo, lo+width, w, got)
					want := make([]float64, rows)
					blas64.Gemv(blas.NoTrans, 1, sub, blas64.Vector{N: width, Inc: 1, Data: w}, 0, blas64.Vector{N: rows, Inc: 1, Data: want})
					for i := range got {
						if math.Abs(got[i]-want[i]) > 1e-13*(1+math.Abs(want[i])) {
							t.Fatalf("simd %v rows %d lo %d width %d: projection %d = %.17g, gonum %.17g", simd, rows, lo, width, i, got[i], want[i])
						}
					}
					gw := append([]float64(nil), w...)
					subtractRows(a, lo, lo+width, h, gw)
					ww := append([]float64(nil), w...)
					blas64.Gemv(blas.Trans, -1, sub, blas64.Vector{N: rows, Inc: 1, Data: h}, 1, blas64.Vector{N: width, Inc: 1, Data: ww})
					for i := range gw {
						if math.Abs(gw[i]-ww[i]) > 1e-13*(1+math.Abs(ww[i])) {
							t.Fatalf("simd %v rows %d lo %d width %d: subtraction %d = %.17g, gonum %.17g", simd, rows, lo, width, i, gw[i], ww[i])
						}
					}
				}
			}
		}
	}
}

// BenchmarkGemv compares the kernels with gonum's Gemv on one chunk of the Swiss roll
// n = 10^4 solve: 35 basis rows, 2000 columns.
func BenchmarkGemv(b *testing.B) {
	const rows, n = 35, 2000
	a := blas64.General{Rows: rows, Cols: n, Stride: n, Data: make([]float64, rows*n)}
	for i := range a.Data {
		a.Data[i] = float64(i%13) - 6
	}
	w := make([]float64, n)
	h := make([]float64, rows)
	for i := range w {
		w[i] = float64(i%7) - 3
	}
	b.Run("kernels", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			projectRows(a, 0, n, w, h)
			subtractRows(a, 0, n, h, w)
		}
	})
	b.Run("gonum", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: n, Inc: 1, Data: w}, 0, blas64.Vector{N: rows, Inc: 1, Data: h})
			blas64.Gemv(blas.Trans, -1, a, blas64.Vector{N: rows, Inc: 1, Data: h}, 1, blas64.Vector{N: n, Inc: 1, Data: w})
		}
	})
}
