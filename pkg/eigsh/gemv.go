package eigsh

import "gonum.org/v1/gonum/blas/blas64"

// The reorthogonalisation's two products with a chunk of the basis, by hand: gonum's
// Gemv runs one row at a time with SSE2 kernels, reading w once per row; these take
// four rows per pass over w with AVX2+FMA (gemv_amd64.s) and were about 3x faster on
// the Swiss roll n = 10^4 (BenchmarkGemv). Each output is summed in an order fixed by
// the chunk, so results still do not depend on GOMAXPROCS.

// projectRows sets h[i] = a[i, lo:hi] . w for the rows of a (w = the chunk of w).
func projectRows(a blas64.General, lo, hi int, w, h []float64) {
	n := hi - lo
	full := 0 // columns done by the SIMD kernel, a multiple of 8
	if haveFMA {
		full = n &^ 7
	}
	for i := 0; i < a.Rows; i += 4 {
		var r [4][]float64
		for q := range r {
			row := min(i+q, a.Rows-1) // a short last group repeats its last row
			r[q] = a.Data[row*a.Stride+lo : row*a.Stride+hi]
		}
		var out [4]float64
		if full > 0 {
			dot4(&r[0][0], &r[1][0], &r[2][0], &r[3][0], &w[0], full, &out)
		}
		for q := 0; q < 4 && i+q < a.Rows; q++ {
			s := out[q]
			for c := full; c < n; c++ {
				s += r[q][c] * w[c]
			}
			h[i+q] = s
		}
	}
}

// subtractRows sets w -= sum_i h[i] a[i, lo:hi] (w = the chunk of w).
func subtractRows(a blas64.General, lo, hi int, h, w []float64) {
	n := hi - lo
	full := 0
	if haveFMA {
		full = n &^ 7
	}
	for i := 0; i < a.Rows; i += 4 {
		var r [4][]float64
		var c4 [4]float64
		for q := range r {
			row := min(i+q, a.Rows-1)
			r[q] = a.Data[row*a.Stride+lo : row*a.Stride+hi]
			if i+q < a.Rows {
				c4[q] = h[i+q] // a repeated row gets 0
			}
		}
		if full > 0 {
			axpy4(&w[0], &r[0][0], &r[1][0], &r[2][0], &r[3][0], &c4, full)
		}
		for c := full; c < n; c++ {
			w[c] -= c4[0]*r[0][c] + c4[1]*r[1][c] + c4[2]*r[2][c] + c4[3]*r[3][c]
		}
	}
}
