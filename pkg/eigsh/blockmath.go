package eigsh

import (
	"math"

	"github.com/spectral-dev/spectral/internal/parallel"
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
	parallel.Each((n+blockRows-1)/blockRows, 0, func(c int) { f(c, c*blockRows, min(n, (c+1)*blockRows)) })
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
	cp := padPanels(c, p, q)
	parChunks(n, func(_, lo, hi int) {
		mulChunk(dst[lo*q:hi*q], q, x[lo*p:hi*p], p, cp, beta)
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

// selectColsTo copies the columns cols of the n x b block x into out (n x len(cols)),
// which it returns.
func selectColsTo(out []float64, n int, x []float64, b int, cols []int) []float64 {
	q := len(cols)
	parChunks(n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			for c, j := range cols {
				out[i*q+c] = x[i*b+j]
			}
		}
	})
	return out
}

// gramChunk adds x^T y to out (p x q) over the rows of one chunk: per panel of up to
// panelWidth columns of y and group of up to 4 columns of x, one pass over the rows with
// the group's sums held in registers (the AVX2 loops of blockmath_amd64.s, or
// gramPanelGo with the same fused multiply-adds in the same order). Hand-written:
// gonum's Gemm runs these thin shapes as one short Axpy call per row and column of x,
// whose call overhead dominates at q of 5-40 (BenchmarkBlockMath).
func gramChunk(out, x []float64, p int, y []float64, q int) {
	rows := len(x) / p
	if rows == 0 {
		return
	}
	var tmp [4 * panelWidth]float64
	for c0 := 0; c0 < q; c0 += panelWidth {
		qw := min(panelWidth, q-c0)
		nv := (qw + 3) / 4
		group := 4 // columns of x per pass: the sums of group x nv registers fill 12
		if nv == 4 {
			group = 3
		}
		// The loop loads whole registers, up to 3 values past the panel: the next row's,
		// or past the end of y's memory on its last row, which Go then does.
		simd := 0
		if haveFMA {
			simd = rows
			if (rows-1)*q+c0+4*nv > cap(y) {
				simd = rows - 1
			}
		}
		for a := 0; a < p; a += group {
			var cols [4]int
			var off [4]int
			for c := range cols {
				cols[c] = min(a+c, p-1) // short last groups repeat a column, dropped below
				off[c] = 8 * (cols[c] - a)
			}
			if simd > 0 {
				switch nv {
				case 1:
					gramPanel1(&tmp, &x[a], &off, p, &y[c0], q, simd)
				case 2:
					gramPanel2(&tmp, &x[a], &off, p, &y[c0], q, simd)
				case 3:
					gramPanel3(&tmp, &x[a], &off, p, &y[c0], q, simd)
				default:
					gramPanel4(&tmp, &x[a], &off, p, &y[c0], q, simd)
				}
			} else {
				tmp = [4 * panelWidth]float64{}
			}
			gramPanelGo(&tmp, x, p, &cols, group, y[c0:], q, simd, rows, qw)
			for c := 0; c < group && a+c < p; c++ {
				o := out[(a+c)*q+c0 : (a+c)*q+c0+qw]
				for j := range o {
					o[j] += tmp[c*panelWidth+j]
				}
			}
		}
	}
}

// panelWidth is the most columns of y or c one loop call holds in registers (4 ymm of 4
// float64).
const panelWidth = 16

// laneMasks[l] enables the first l+1 lanes of a panel's last register (mulPanel's loads
// and stores of dst).
var laneMasks = [4][4]int64{{-1}, {-1, -1}, {-1, -1, -1}, {-1, -1, -1, -1}}

// gramPanelGo continues gramPanel's sums over rows r0..r1-1: tmp[16c+j] += x[r*xs +
// cols[c]] y[r*ys+j] for the group's columns c and j < qw, by fused multiply-adds.
func gramPanelGo(tmp *[4 * panelWidth]float64, x []float64, xs int, cols *[4]int, group int, y []float64, ys, r0, r1, qw int) {
	for r := r0; r < r1; r++ {
		yr := y[r*ys : r*ys+qw]
		for c := 0; c < group; c++ {
			a := x[r*xs+cols[c]]
			t := tmp[c*panelWidth : c*panelWidth+qw]
			for j, v := range yr {
				t[j] = math.FMA(a, v, t[j])
			}
		}
	}
}

// padPanels copies c (p x q) into panels of panelWidth columns, zero-padded: panel k
// holds columns 16k.. at [k*p*16 + a*16 + j].
func padPanels(c []float64, p, q int) []float64 {
	np := (q + panelWidth - 1) / panelWidth
	out := make([]float64, np*p*panelWidth)
	for k := 0; k < np; k++ {
		c0 := k * panelWidth
		qw := min(panelWidth, q-c0)
		for a := 0; a < p; a++ {
			copy(out[(k*p+a)*panelWidth:], c[a*q+c0:a*q+c0+qw])
		}
	}
	return out
}

// mulChunk sets dst = beta dst + x c over the rows of one chunk, with cp = padPanels(c):
// per panel, each output is beta dst (when beta != 0) plus the terms x[r, a] c[a, j] in
// ascending a, by fused multiply-adds (two rows per call of the AVX2 loop, the odd last
// one by mulPanelGo, which adds the same terms in the same order).
func mulChunk(dst []float64, q int, x []float64, p int, cp []float64, beta float64) {
	rows := len(x) / p
	if rows == 0 {
		return
	}
	scale := 0
	if beta != 0 {
		scale = 1
	}
	for c0 := 0; c0 < q; c0 += panelWidth {
		qw := min(panelWidth, q-c0)
		panel := cp[(c0/panelWidth)*p*panelWidth : (c0/panelWidth+1)*p*panelWidth]
		even := 0
		if haveFMA {
			even = rows &^ 1
			if even > 0 {
				m := &laneMasks[(qw-1)&3]
				switch (qw + 3) / 4 {
				case 1:
					mulPanel1(&dst[c0], q, &x[0], p, p, &panel[0], even, beta, scale, m)
				case 2:
					mulPanel2(&dst[c0], q, &x[0], p, p, &panel[0], even, beta, scale, m)
				case 3:
					mulPanel3(&dst[c0], q, &x[0], p, p, &panel[0], even, beta, scale, m)
				default:
					mulPanel4(&dst[c0], q, &x[0], p, p, &panel[0], even, beta, scale, m)
				}
			}
		}
		if even < rows {
			mulPanelGo(dst[even*q+c0:], q, x[even*p:], p, panel, rows-even, beta, scale != 0, qw)
		}
	}
}

// mulPanelGo is one panel of mulChunk in Go.
func mulPanelGo(dst []float64, ds int, x []float64, p int, panel []float64, rows int, beta float64, scale bool, qw int) {
	for r := 0; r < rows; r++ {
		xr := x[r*p : r*p+p]
		for j := 0; j < qw; j++ {
			acc := 0.0
			if scale {
				acc = beta * dst[r*ds+j]
			}
			for a, v := range xr {
				acc = math.FMA(v, panel[a*panelWidth+j], acc)
			}
			dst[r*ds+j] = acc
		}
	}
}
