package eigsh

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// cholesky is a sparse Cholesky factor L L^T of shift I - A for a symmetric Sparse A, in
// the up-looking form of Davis's CSparse (cs_chol: each row of L from a sparse triangular
// solve whose pattern is a walk up the elimination tree). It is written here because
// gonum has no sparse factorisation; coarse levels are 10^3-10^5 nodes, where this takes
// well under a second when the fill stays moderate, which newCholesky checks (symbolic
// counts) before the numeric work. Rows stay in the given order (nested dissection).
//
// In that order the last columns, the top separators, fill in almost completely, and
// there the scalar up-looking loop spends most of its time (a 22M-nonzero factor of the
// 10^6 roll's 1.5-sigma level took a minute). So the trailing columns from k0 on, when
// they are at least denseTailDensity full, are factored as one dense block: the
// up-looking rows k >= k0 stop after the columns below k0, which leaves the Schur
// complement's row k in the work vector, and gonum's blocked Potrf factors the
// complement (docs/bench/multilevel.md, "Session 6").
type cholesky struct {
	n      int
	perm   []int32 // perm[new] = old; nil = identity
	lp     []int   // column j < k0: li[lp[j]:lp[j+1]], diagonal first
	li     []int32
	lx     []float64
	parent []int32
	k0     int       // first column of the dense tail (n: none)
	tail   []float64 // (n-k0) x (n-k0) lower factor of the tail, row-major
}

func (c *cholesky) nnz() int { n2 := c.n - c.k0; return c.lp[c.k0] + n2*(n2+1)/2 }

// denseTailDensity is the fill above which the trailing columns are factored dense, and
// denseTailMin, denseTailMax the tail sizes considered (the largest is 288 MB).
var (
	denseTailDensity = 0.4
	denseTailMin     = 64
	denseTailMax     = 6000
)

// denseTail returns the first column of the largest trailing block, of denseTailMin to
// denseTailMax columns, whose symbolic fill (column counts) is at least denseTailDensity
// of a full lower triangle; n when there is none.
func denseTail(count []int) int {
	n := len(count)
	k0 := n
	tail := 0
	for k := n - 1; k >= 0 && n-k <= denseTailMax; k-- {
		tail += count[k]
		n2 := n - k
		if n2 >= denseTailMin && float64(tail) >= denseTailDensity*float64(n2*(n2+1)/2) {
			k0 = k
		}
	}
	return k0
}

// newCholesky factors shift I - a, or returns ok = false when the factor would have more
// than maxNNZ nonzeros or the matrix is not numerically positive definite.
func newCholesky(a *Sparse, shift float64, maxNNZ int) (*cholesky, bool) {
	n := a.N
	parent := make([]int32, n)
	anc := make([]int32, n)
	for k := 0; k < n; k++ {
		parent[k], anc[k] = -1, -1
		for p := a.Ptr[k]; p < a.Ptr[k+1]; p++ {
			i := a.Col[p]
			for i != -1 && int(i) < k {
				next := anc[i]
				anc[i] = int32(k)
				if next == -1 {
					parent[i] = int32(k)
				}
				i = next
			}
		}
	}
	w := make([]int32, n)
	for i := range w {
		w[i] = -1
	}
	s := make([]int32, n)
	ereach := func(k int) int {
		top := n
		w[k] = int32(k)
		for p := a.Ptr[k]; p < a.Ptr[k+1]; p++ {
			i := a.Col[p]
			if int(i) >= k {
				continue
			}
			ln := 0
			for w[i] != int32(k) {
				s[ln] = i
				ln++
				w[i] = int32(k)
				i = parent[i]
			}
			for ln > 0 {
				top--
				ln--
				s[top] = s[ln]
			}
		}
		return top
	}
	// Symbolic: column counts from the row patterns.
	count := make([]int, n)
	total := 0
	for k := 0; k < n; k++ {
		count[k]++
		top := ereach(k)
		for _, i := range s[top:] {
			count[i]++
		}
		total += n - top + 1
		if total > maxNNZ {
			return nil, false
		}
	}
	k0 := denseTail(count)
	n2 := n - k0
	if Trace != nil {
		tailNNZ := 0
		for _, c := range count[k0:] {
			tailNNZ += c
		}
		fmt.Fprintf(Trace, "cholesky: n %d, %d nonzeros, dense tail %d columns (%d nonzeros)\n", n, total, n2, tailNNZ)
	}
	c := &cholesky{n: n, lp: make([]int, n+1), parent: parent, k0: k0}
	for j := 0; j < n; j++ {
		c.lp[j+1] = c.lp[j]
		if j < k0 {
			c.lp[j+1] += count[j]
		}
	}
	c.li = make([]int32, c.lp[n])
	c.lx = make([]float64, c.lp[n])
	if n2 > 0 {
		c.tail = make([]float64, n2*n2)
	}
	next := make([]int, n)
	copy(next, c.lp[:n])
	for i := range w {
		w[i] = -1
	}
	x := make([]float64, n)
	for k := 0; k < n; k++ {
		top := ereach(k)
		x[k] = 0
		for p := a.Ptr[k]; p < a.Ptr[k+1]; p++ {
			if i := int(a.Col[p]); i <= k {
				x[i] = -a.Val[p]
			}
		}
		x[k] += shift
		d := x[k]
		x[k] = 0
		for ; top < n; top++ {
			i := s[top]
			if int(i) >= k0 {
				continue // a tail column (rows k >= k0 only): its entry stays in x
			}
			lki := x[i] / c.lx[c.lp[i]]
			x[i] = 0
			for p := c.lp[i] + 1; p < next[i]; p++ {
				x[c.li[p]] -= c.lx[p] * lki
			}
			d -= lki * lki
			p := next[i]
			next[i]++
			c.li[p], c.lx[p] = int32(k), lki
		}
		if k >= k0 {
			// Row k of the Schur complement: what the columns below k0 left in x.
			row := c.tail[(k-k0)*n2:]
			for j := k0; j < k; j++ {
				row[j-k0], x[j] = x[j], 0
			}
			row[k-k0] = d
			continue
		}
		if !(d > 0) || math.IsInf(d, 0) {
			return nil, false
		}
		p := next[k]
		next[k]++
		c.li[p], c.lx[p] = int32(k), math.Sqrt(d)
	}
	if n2 > 0 {
		t, ok := lapack64.Potrf(blas64.Symmetric{N: n2, Stride: n2, Data: c.tail, Uplo: blas.Lower})
		if !ok {
			return nil, false
		}
		c.tail = t.Data
	}
	return c, true
}

// solveBlock overwrites the n x b block z with (shift I - A)^-1 z.
func (c *cholesky) solveBlock(z []float64, b int) {
	if c.perm == nil {
		c.solveCols(z, b)
		return
	}
	y := make([]float64, len(z))
	for nw, old := range c.perm {
		copy(y[nw*b:(nw+1)*b], z[int(old)*b:int(old)*b+b])
	}
	c.solveCols(y, b)
	for nw, old := range c.perm {
		copy(z[int(old)*b:int(old)*b+b], y[nw*b:(nw+1)*b])
	}
}

// solveCols runs solveLLt on two halves of the columns in parallel when the block is
// wide enough (each column's arithmetic is the same either way, so the bits are too).
func (c *cholesky) solveCols(z []float64, b int) {
	if b < 4 || runtime.GOMAXPROCS(0) < 2 {
		c.solveLLt(z, b, 0, b)
		return
	}
	h := b / 2
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.solveLLt(z, b, h, b)
	}()
	c.solveLLt(z, b, 0, h)
	wg.Wait()
}

// solveLLt overwrites columns [c0, c1) of the n x b block z with (L L^T)^-1 z.
func (c *cholesky) solveLLt(z []float64, b, c0, c1 int) {
	for j := 0; j < c.k0; j++ {
		zj := z[j*b+c0 : j*b+c1]
		inv := 1 / c.lx[c.lp[j]]
		for t := range zj {
			zj[t] *= inv
		}
		for p := c.lp[j] + 1; p < c.lp[j+1]; p++ {
			v := c.lx[p]
			zi := z[int(c.li[p])*b+c0 : int(c.li[p])*b+c1]
			zi = zi[:len(zj)]
			for t, u := range zj {
				zi[t] -= v * u
			}
		}
	}
	if n2 := c.n - c.k0; n2 > 0 {
		l := blas64.Triangular{N: n2, Stride: n2, Data: c.tail, Uplo: blas.Lower, Diag: blas.NonUnit}
		zt := blas64.General{Rows: n2, Cols: c1 - c0, Stride: b, Data: z[c.k0*b+c0:]}
		blas64.Trsm(blas.Left, blas.NoTrans, 1, l, zt)
		blas64.Trsm(blas.Left, blas.Trans, 1, l, zt)
	}
	for j := c.k0 - 1; j >= 0; j-- {
		zj := z[j*b+c0 : j*b+c1]
		for p := c.lp[j] + 1; p < c.lp[j+1]; p++ {
			v := c.lx[p]
			zi := z[int(c.li[p])*b+c0 : int(c.li[p])*b+c1]
			zi = zi[:len(zj)]
			for t, u := range zi {
				zj[t] -= v * u
			}
		}
		inv := 1 / c.lx[c.lp[j]]
		for t := range zj {
			zj[t] *= inv
		}
	}
}
