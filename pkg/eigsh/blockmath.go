package eigsh

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas/blas64"
)

// Dense n x b block arithmetic for the block solvers, on all cores and with bits that do
// not depend on GOMAXPROCS: rows are cut into chunks of blockRows (a function of n only),
// each chunk is one gonum Gemm, and reductions over rows add the chunks' partial results
// in chunk order. gonum's Gemm is single-threaded for the thin shapes used here (n x b
// times b x b, or b x n times n x b with b <= ~40), which at n = 10^6 would cost more
// than the kernel's block product.

// blockRows is the row chunk: 2048 rows of 36 float64 (590 KB) stay in L2 while a chunk's
// Gemm reads them.
const blockRows = 2048

// parChunks runs f on the row chunks [lo, hi) of an n-row block, on GOMAXPROCS workers.
func parChunks(n int, f func(c, lo, hi int)) {
	nc := (n + blockRows - 1) / blockRows
	workers := min(runtime.GOMAXPROCS(0), nc)
	if workers <= 1 {
		for c := 0; c < nc; c++ {
			f(c, c*blockRows, min(n, (c+1)*blockRows))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= nc {
					return
				}
				f(c, c*blockRows, min(n, (c+1)*blockRows))
			}
		}()
	}
	wg.Wait()
}

func gen(rows, cols int, data []float64) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: max(cols, 1), Data: data}
}

// gramTN returns X^T Y (p x q, row-major) for X n x p and Y n x q.
func gramTN(n int, x []float64, p int, y []float64, q int) []float64 {
	out := make([]float64, p*q)
	if p == 0 || q == 0 || n == 0 {
		return out
	}
	nc := (n + blockRows - 1) / blockRows
	part := make([]float64, nc*p*q)
	parChunks(n, func(c, lo, hi int) {
		gramChunk(part[c*p*q:(c+1)*p*q], x[lo*p:hi*p], p, y[lo*q:hi*q], q)
	})
	for c := 0; c < nc; c++ {
		for i, v := range part[c*p*q : (c+1)*p*q] {
			out[i] += v
		}
	}
	return out
}

// mulNN sets dst = beta dst + X C for X n x p, C p x q, dst n x q.
func mulNN(n int, dst []float64, q int, x []float64, p int, c []float64, beta float64) {
	if q == 0 {
		return
	}
	if p == 0 {
		if beta != 1 {
			for i := range dst[:n*q] {
				dst[i] *= beta
			}
		}
		return
	}
	ct := make([]float64, q*p) // c transposed: each output entry is a dot product
	for a := 0; a < p; a++ {
		for j := 0; j < q; j++ {
			ct[j*p+a] = c[a*q+j]
		}
	}
	parChunks(n, func(_, lo, hi int) {
		mulChunk(dst[lo*q:hi*q], q, x[lo*p:hi*p], p, ct, beta)
	})
}

// colNorms returns the Euclidean norm of each of the b columns of an n x b block.
func colNorms(n int, x []float64, b int) []float64 {
	nc := (n + blockRows - 1) / blockRows
	part := make([]float64, nc*b)
	parChunks(n, func(c, lo, hi int) {
		s := part[c*b : (c+1)*b]
		for i := lo; i < hi; i++ {
			for j, v := range x[i*b : (i+1)*b] {
				s[j] += v * v
			}
		}
	})
	out := make([]float64, b)
	for c := 0; c < nc; c++ {
		for j := range out {
			out[j] += part[c*b+j]
		}
	}
	for j := range out {
		out[j] = math.Sqrt(out[j])
	}
	return out
}

// selectCols copies the columns cols of the n x b block x into a new n x len(cols) block.
func selectCols(n int, x []float64, b int, cols []int) []float64 {
	q := len(cols)
	out := make([]float64, n*q)
	parChunks(n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			for c, j := range cols {
				out[i*q+c] = x[i*b+j]
			}
		}
	})
	return out
}

// gramChunk adds x^T y to out (p x q) over the rows of one chunk, four rows at a time so
// each pass over a row of out serves four rows of x and y. Hand-written: gonum's Gemm
// runs these thin shapes as one short Axpy call per row and column of x, whose call
// overhead dominates at q of 5-40 (BenchmarkBlockMath).
func gramChunk(out, x []float64, p int, y []float64, q int) {
	rows := len(x) / p
	i := 0
	for ; i+4 <= rows; i += 4 {
		x0, x1, x2, x3 := x[i*p:i*p+p], x[(i+1)*p:(i+1)*p+p], x[(i+2)*p:(i+2)*p+p], x[(i+3)*p:(i+3)*p+p]
		y0, y1, y2, y3 := y[i*q:i*q+q], y[(i+1)*q:(i+1)*q+q], y[(i+2)*q:(i+2)*q+q], y[(i+3)*q:(i+3)*q+q]
		y1, y2, y3 = y1[:len(y0)], y2[:len(y0)], y3[:len(y0)]
		for a := 0; a < p; a++ {
			a0, a1, a2, a3 := x0[a], x1[a], x2[a], x3[a]
			o := out[a*q : a*q+q]
			o = o[:len(y0)]
			for j, v := range y0 {
				o[j] += a0*v + a1*y1[j] + a2*y2[j] + a3*y3[j]
			}
		}
	}
	for ; i < rows; i++ {
		xi, yi := x[i*p:i*p+p], y[i*q:i*q+q]
		for a, xa := range xi {
			o := out[a*q : a*q+q]
			o = o[:len(yi)]
			for j, v := range yi {
				o[j] += xa * v
			}
		}
	}
}

// mulChunk sets dst = beta dst + x c over the rows of one chunk, with ct = c^T (q x p):
// each entry is a dot product of a row of x with a row of ct, four rows at a time.
func mulChunk(dst []float64, q int, x []float64, p int, ct []float64, beta float64) {
	rows := len(x) / p
	i := 0
	for ; i+4 <= rows; i += 4 {
		x0, x1, x2, x3 := x[i*p:i*p+p], x[(i+1)*p:(i+1)*p+p], x[(i+2)*p:(i+2)*p+p], x[(i+3)*p:(i+3)*p+p]
		x1, x2, x3 = x1[:len(x0)], x2[:len(x0)], x3[:len(x0)]
		for j := 0; j < q; j++ {
			cj := ct[j*p : j*p+p]
			cj = cj[:len(x0)]
			var s0, s1, s2, s3 float64
			for a, v := range cj {
				s0 += x0[a] * v
				s1 += x1[a] * v
				s2 += x2[a] * v
				s3 += x3[a] * v
			}
			if beta == 0 {
				dst[i*q+j], dst[(i+1)*q+j], dst[(i+2)*q+j], dst[(i+3)*q+j] = s0, s1, s2, s3
			} else {
				dst[i*q+j] = beta*dst[i*q+j] + s0
				dst[(i+1)*q+j] = beta*dst[(i+1)*q+j] + s1
				dst[(i+2)*q+j] = beta*dst[(i+2)*q+j] + s2
				dst[(i+3)*q+j] = beta*dst[(i+3)*q+j] + s3
			}
		}
	}
	for ; i < rows; i++ {
		xi := x[i*p : i*p+p]
		for j := 0; j < q; j++ {
			cj := ct[j*p : j*p+p]
			cj = cj[:len(xi)]
			var s float64
			for a, v := range cj {
				s += xi[a] * v
			}
			if beta == 0 {
				dst[i*q+j] = s
			} else {
				dst[i*q+j] = beta*dst[i*q+j] + s
			}
		}
	}
}
