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

// solveCols runs solveLLt on two parts of the columns in parallel when the block is
// wide enough (each column's arithmetic is the same however the columns are grouped, so
// the bits are too: TestCholeskyFourColumns).
func (c *cholesky) solveCols(z []float64, b int) {
	if b <= 4 || runtime.GOMAXPROCS(0) < 2 {
		c.solveLLt(z, b, 0, b)
		return
	}
	// A multiple of 4, so that both parts run the 4-column sweeps where they can (b = 12:
	// 4 and 8 columns; 5-7: 4 and the rest, as LOBPCG's active block shrinks).
	h := max(4, (b/2)&^3)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.solveLLt(z, b, h, b)
	}()
	c.solveLLt(z, b, 0, h)
	wg.Wait()
}

// solveLLt overwrites columns [c0, c1) of the n x b block z with (L L^T)^-1 z, 4 at a time
// where it can.
func (c *cholesky) solveLLt(z []float64, b, c0, c1 int) {
	for ; c0+4 <= c1; c0 += 4 {
		c.forward4(z, b, c0)
		c.tail4(z, b, c0)
		c.backward4(z, b, c0)
	}
	if c0 == c1 {
		return
	}
	c.forward(z, b, c0, c1)
	c.tailCols(z, b, c0, c1)
	c.backward(z, b, c0, c1)
}

// tailCols solves the dense tail's L L^T x = y in columns [c0, c1), each column with tail4's
// operations in tail4's order, so a column's bits do not depend on how solveCols groups
// the columns (nor on the thread count).
func (c *cholesky) tailCols(z []float64, b, c0, c1 int) {
	n2 := c.n - c.k0
	zt := z[c.k0*b:]
	for i := 0; i < n2; i++ {
		row := c.tail[i*n2 : i*n2+i+1]
		inv := 1 / row[i]
		for j := c0; j < c1; j++ {
			s := zt[i*b+j]
			for k, v := range row[:i] {
				s -= v * zt[k*b+j]
			}
			zt[i*b+j] = s * inv
		}
	}
	for i := n2 - 1; i >= 0; i-- {
		row := c.tail[i*n2 : i*n2+i+1]
		inv := 1 / row[i]
		for j := c0; j < c1; j++ {
			u := zt[i*b+j] * inv
			zt[i*b+j] = u
			for k, v := range row[:i] {
				zt[k*b+j] -= v * u
			}
		}
	}
}

// forward solves the sparse part of L y = z in columns [c0, c1).
func (c *cholesky) forward(z []float64, b, c0, c1 int) {
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
}

// backward solves the sparse part of L^T x = y in columns [c0, c1).
func (c *cholesky) backward(z []float64, b, c0, c1 int) {
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

// forward4 and backward4 are forward and backward for 4 columns, the width solveCols
// gives each thread for the default block of 8: the same operations in the same order
// (so the same bits), with the pivot row's values held in registers and no bounds checks
// in the inner loop. With tail4 they cut the coarse solves' CPU time on the 10^5 roll
// (~7% of the solve's before) by about 2.5x.
func (c *cholesky) forward4(z []float64, b, c0 int) {
	for j := 0; j < c.k0; j++ {
		zj := z[j*b+c0 : j*b+c0+4 : j*b+c0+4]
		inv := 1 / c.lx[c.lp[j]]
		u0, u1, u2, u3 := zj[0]*inv, zj[1]*inv, zj[2]*inv, zj[3]*inv
		zj[0], zj[1], zj[2], zj[3] = u0, u1, u2, u3
		lo, hi := c.lp[j]+1, c.lp[j+1]
		for p, v := range c.lx[lo:hi] {
			subScaled4(z, int(c.li[lo+p])*b+c0, v, u0, u1, u2, u3)
		}
	}
}

// tail4 solves the dense tail's L L^T x = y in 4 columns: row-oriented both ways, so the
// factor is read along its rows (gonum's Trsm, used before, walked 4 columns one at a
// time).
func (c *cholesky) tail4(z []float64, b, c0 int) {
	n2 := c.n - c.k0
	if n2 == 0 {
		return
	}
	zt := z[c.k0*b:]
	for i := 0; i < n2; i++ { // L y = z
		row := c.tail[i*n2 : i*n2+i+1 : i*n2+i+1]
		o := i*b + c0
		zi := zt[o : o+4 : o+4]
		s0, s1, s2, s3 := zi[0], zi[1], zi[2], zi[3]
		for k, v := range row[:i] {
			s0, s1, s2, s3 = minusScaled4(s0, s1, s2, s3, v, zt, k*b+c0)
		}
		inv := 1 / row[i]
		zi[0], zi[1], zi[2], zi[3] = s0*inv, s1*inv, s2*inv, s3*inv
	}
	for i := n2 - 1; i >= 0; i-- { // L^T x = y: x_i final, then out of the rows above
		row := c.tail[i*n2 : i*n2+i+1 : i*n2+i+1]
		o := i*b + c0
		zi := zt[o : o+4 : o+4]
		inv := 1 / row[i]
		u0, u1, u2, u3 := zi[0]*inv, zi[1]*inv, zi[2]*inv, zi[3]*inv
		zi[0], zi[1], zi[2], zi[3] = u0, u1, u2, u3
		for k, v := range row[:i] {
			subScaled4(zt, k*b+c0, v, u0, u1, u2, u3)
		}
	}
}

func (c *cholesky) backward4(z []float64, b, c0 int) {
	for j := c.k0 - 1; j >= 0; j-- {
		zj := z[j*b+c0 : j*b+c0+4 : j*b+c0+4]
		s0, s1, s2, s3 := zj[0], zj[1], zj[2], zj[3]
		lo, hi := c.lp[j]+1, c.lp[j+1]
		for p, v := range c.lx[lo:hi] {
			s0, s1, s2, s3 = minusScaled4(s0, s1, s2, s3, v, z, int(c.li[lo+p])*b+c0)
		}
		inv := 1 / c.lx[c.lp[j]]
		zj[0], zj[1], zj[2], zj[3] = s0*inv, s1*inv, s2*inv, s3*inv
	}
}

// subScaled4 sets z[o:o+4] -= v * (u0, u1, u2, u3): the 4-column sweeps' scatter step
// (small enough to be inlined, so the loops keep the u's in registers).
func subScaled4(z []float64, o int, v, u0, u1, u2, u3 float64) {
	z = z[o : o+4 : o+4]
	z[0] -= v * u0
	z[1] -= v * u1
	z[2] -= v * u2
	z[3] -= v * u3
}

// minusScaled4 returns (s0, s1, s2, s3) - v * z[o:o+4]: the 4-column sweeps' gather step.
func minusScaled4(s0, s1, s2, s3, v float64, z []float64, o int) (float64, float64, float64, float64) {
	z = z[o : o+4 : o+4]
	return s0 - v*z[0], s1 - v*z[1], s2 - v*z[2], s3 - v*z[3]
}
