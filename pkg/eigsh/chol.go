package eigsh

import (
	"math"
	"runtime"
	"sync"
)

// cholesky is a sparse Cholesky factor L L^T of shift I - A for a symmetric Sparse A, in
// the up-looking form of Davis's CSparse (cs_chol: each row of L from a sparse triangular
// solve whose pattern is a walk up the elimination tree). It is written here because
// gonum has no sparse factorisation; coarse levels are 10^3-10^5 nodes, where this takes
// well under a second when the fill stays moderate, which newCholesky checks (symbolic
// counts) before the numeric work. Rows stay in the given order, a Morton order of the
// aggregates, which keeps neighbours close.
type cholesky struct {
	n      int
	perm   []int32 // perm[new] = old; nil = identity
	lp     []int   // column j: li[lp[j]:lp[j+1]], diagonal first
	li     []int32
	lx     []float64
	parent []int32
}

func (c *cholesky) nnz() int { return c.lp[c.n] }

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
	c := &cholesky{n: n, lp: make([]int, n+1), parent: parent}
	for j := 0; j < n; j++ {
		c.lp[j+1] = c.lp[j] + count[j]
	}
	c.li = make([]int32, total)
	c.lx = make([]float64, total)
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
		if !(d > 0) || math.IsInf(d, 0) {
			return nil, false
		}
		p := next[k]
		next[k]++
		c.li[p], c.lx[p] = int32(k), math.Sqrt(d)
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
	for j := 0; j < c.n; j++ {
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
	for j := c.n - 1; j >= 0; j-- {
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
