package kernel

import (
	"fmt"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
)

// Block products Y = K V for V of b columns (n x b, row-major: point s's b values are
// contiguous), the seam of the block eigensolvers (eigsh.BlockOperator): each kernel
// value is evaluated (on the fly) or read from the cache once for all b columns, so a
// block costs far less than b products. Each output row is summed by one worker in an
// order fixed by the data, so the bits do not depend on the thread count; each column's
// terms are added with fused multiply-adds in ascending source order, zero kernel values
// skipped (the pure-Go and SIMD loops give the same bits).

// MulBlock sets dst = K src for n x b row-major blocks (entry (i, j) at i*b + j; sorted
// order); dst and src must not overlap. It panics if b < 1 or the lengths are not
// Dims()*b. Concurrent calls are safe (cached products run one at a time).
func (o *Operator) MulBlock(dst, src []float64, b int) {
	n := o.g.N
	if b < 1 || len(dst) != n*b || len(src) != n*b {
		panic(fmt.Sprintf("kernel: MulBlock lengths %d, %d with %d columns, want %d rows", len(dst), len(src), b, n))
	}
	if o.cache != nil {
		o.cachedBlock(dst, src, b)
		return
	}
	parallelState(o, func() *blockWork { return &blockWork{acc: make([]float64, b)} },
		func(w *blockWork, i int) { o.sweepBlockCell(w, i, dst, src, b) })
}

// blockWork is one worker's scratch for on-the-fly block products.
type blockWork struct {
	acc []float64 // one target's b sums
	w   []float32 // one target's kernel values over one source range, padded to whole groups of 8
}

// parallelState is parallelScratch with a per-worker state made by mk.
func parallelState[S any](o *Operator, mk func() S, f func(S, int)) {
	var next atomic.Int64
	work := func() {
		st := mk()
		for {
			k := int(next.Add(1)) - 1
			if k >= len(o.chunks)-1 {
				return
			}
			for i := o.chunks[k]; i < o.chunks[k+1]; i++ {
				f(st, i)
			}
		}
	}
	if o.threads == 1 || len(o.chunks) <= 2 {
		work()
		return
	}
	var wg sync.WaitGroup
	for t := 1; t < o.threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// sweepBlockCell sets the rows of target cell i of dst. Per target, the kernel values of
// each source range are evaluated once into w (the AVX2 row loop where there is one,
// the same bits as gauss), then added to all b columns.
func (o *Operator) sweepBlockCell(st *blockWork, i int, dst, src []float64, b int) {
	c := o.g.Cells[i]
	acc := st.acc
	for t0 := c.Start; t0 < c.End; t0 += blockSize {
		ranges := o.sourceRanges(i, t0)
		for t := t0; t < min(t0+blockSize, c.End); t++ {
			clear(acc)
			for _, r := range ranges {
				a, e := int(r[0]), int(r[1])
				w := o.gaussRange(st, t, a, e)
				blockAcc(acc, w, src[a*b:], b)
			}
			copy(dst[t*b:(t+1)*b], acc)
		}
	}
}

// gaussRange returns the kernel values K(t, s) for s in [a, e), padded with zeros to a
// multiple of 8.
func (o *Operator) gaussRange(st *blockWork, t, a, e int) []float32 {
	n := (e - a + 7) &^ 7
	if cap(st.w) < n {
		st.w = make([]float32, n+64)
	}
	w := st.w[:n]
	if haveAVX2 {
		// Reads up to 7 sources past e (the coordinate slices have 8 spare values);
		// their values are dropped below.
		o.rowGauss(w, t, a)
	} else {
		for s := a; s < e; s++ {
			w[s-a] = gauss(o.pairDist2(t, s), o.c2)
		}
	}
	clear(w[e-a:])
	return w
}

// blockAcc adds, for each nonzero w[s], w[s] times row s of v (b columns, row-major)
// to acc, one fused multiply-add per column, s ascending. len(w) is a multiple of 8.
func blockAcc(acc []float64, w []float32, v []float64, b int) {
	for s, ws := range w {
		if ws == 0 {
			continue
		}
		wf := float64(ws)
		row := v[s*b : s*b+b]
		for j := range acc {
			acc[j] = math.FMA(wf, row[j], acc[j])
		}
	}
}

// cachedBlock is MulBlock from the stored tiles, in the two passes of cachedProduct: the
// owner of cell i applies each tile (i, j >= i) both ways, into its own rows and into
// the tile's b-column buffer (yblk), then each cell adds the buffers of its tiles
// (i < j, j) in ascending i.
func (o *Operator) cachedBlock(dst, src []float64, b int) {
	g := o.g
	c := o.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if need := len(c.ybuf) * b; cap(c.yblk) < need {
		c.yblk = nil // let the old one go before allocating the larger
		c.yblk = make([]float64, need)
	}
	yblk := c.yblk[:len(c.ybuf)*b]
	// Per worker: the cell's direct sums (acc) and the diagonal tile's transposed ones
	// (tacc), which must not alias the direct rows a loop holds in registers.
	stride := o.maxCell * b
	o.parallelScratch(2*stride, func(scratch []float64, i int) {
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		acc := scratch[:ni*b]
		tacc := scratch[stride : stride+ni*b]
		clear(acc)
		clear(tacc)
		vi := src[ci.Start*b : ci.End*b]
		np := int64(ni+1) / 2
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			base, wd := int(c.base[k]), int(c.width[k])
			if wd == 0 {
				continue
			}
			pairs := c.pairs[c.poff[k] : c.poff[k]+np]
			w := c.vals[c.voff[k]:]
			m := c.masks[c.moff[k]:]
			vj := src[(g.Cells[j].Start+base)*b : g.Cells[j].End*b]
			var y []float64
			if j == i {
				y = tacc[base*b:]
			} else {
				y = yblk[c.yoff[k]*int64(b) : (c.yoff[k]+int64(wd))*int64(b)]
				clear(y)
			}
			tileBlockGo(acc, y, w, m, vj, vi, pairs, ni, b)
		}
		out := dst[ci.Start*b : ci.End*b]
		for t := range out {
			out[t] = (acc[t] + tacc[t]) + vi[t]
		}
	})
	o.parallel(func(_ []float64, j int) {
		cj := g.Cells[j]
		out := dst[cj.Start*b : cj.End*b]
		for k := g.NbrPtr[j]; k < g.NbrPtr[j+1]; k++ {
			i := int(g.NbrCells[k])
			if i >= j {
				break
			}
			y := yblk[c.yoff[k]*int64(b) : (c.yoff[k]+int64(c.width[k]))*int64(b)]
			o := out[int(c.base[k])*b:]
			for t := range y {
				o[t] += y[t]
			}
		}
	})
}

// tileBlockGo applies a stored tile to b-column blocks both ways: row r of acc += (row r
// of T) vj and y += T^T vi, one stored value at a time (rows of a pair in turn within each
// group, columns ascending), each used for all b columns.
func tileBlockGo(acc, y []float64, w []float32, m []uint16, vj, vi []float64, pairs [][2]uint16, rows, b int) {
	for p, pr := range pairs {
		lo, ng := int(pr[0]), int(pr[1])
		for gr := 0; gr < ng; gr++ {
			mm := m[0]
			m = m[1:]
			for r := 0; r < 2; r++ {
				row := 2*p + r
				mk := uint8(mm >> (8 * r))
				if mk == 0 || row >= rows {
					continue
				}
				ar := acc[row*b : row*b+b]
				vr := vi[row*b : row*b+b]
				for ; mk != 0; mk &= mk - 1 {
					col := lo + 8*gr + bits.TrailingZeros8(mk)
					wf := float64(w[0])
					w = w[1:]
					vc := vj[col*b : col*b+b]
					yc := y[col*b : col*b+b]
					for k := range ar {
						ar[k] = math.FMA(wf, vc[k], ar[k])
						yc[k] = math.FMA(wf, vr[k], yc[k])
					}
				}
			}
		}
	}
}
