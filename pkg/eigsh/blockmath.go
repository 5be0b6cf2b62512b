package eigsh

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
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
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, gen(hi-lo, p, x[lo*p:hi*p]), gen(hi-lo, q, y[lo*q:hi*q]),
			0, gen(p, q, part[c*p*q:(c+1)*p*q]))
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
	parChunks(n, func(_, lo, hi int) {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, gen(hi-lo, p, x[lo*p:hi*p]), gen(p, q, c),
			beta, gen(hi-lo, q, dst[lo*q:hi*q]))
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

// hcat places blocks of widths ws side by side: an n x sum(ws) block.
func hcat(n int, blocks [][]float64, ws []int) []float64 {
	s := 0
	for _, w := range ws {
		s += w
	}
	out := make([]float64, n*s)
	parChunks(n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			off := i * s
			for k, bl := range blocks {
				w := ws[k]
				copy(out[off:off+w], bl[i*w:(i+1)*w])
				off += w
			}
		}
	})
	return out
}
