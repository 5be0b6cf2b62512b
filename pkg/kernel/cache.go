package kernel

import (
	"sync"
	"sync/atomic"
)

// tileCache holds the kernel values of every kept pair of cells (i, j), j >= i, once:
// target rows go in pairs (2p, 2p+1), each pair trimmed to the union [lo, hi) of the two
// rows' nonzero spans (the grid's in-cell Z order makes the spans tight: a little over
// half the dense tile on the Swiss roll), packed float32, row 2p then row 2p+1. The tile of (i, j) also serves (j, i),
// transposed, so K is stored once per unordered pair (symmetric storage).
//
// A product reads each tile once: the owner of cell i applies tile (i, j>i) both ways,
// adding T v_j to its own targets and writing T^T v_i into a small per-tile buffer (ybuf);
// a second pass adds, for each cell j, the buffers of its tiles (i<j, j) in ascending i.
// Every output entry is thus summed in an order fixed by the data, whatever the threads.
type tileCache struct {
	mu    sync.Mutex // one product at a time: ybuf is per product
	vals  []float32
	off   []int64    // per entry k (cell i, neighbour j >= i): offset of the tile's values
	roff  []int64    // per entry k (j >= i): index of the tile's first row pair in spans
	spans [][2]int32 // per stored row pair: nonzero span [lo, hi) within the source cell
	yoff  []int64    // per entry k: offset in ybuf of the |max(i,j)| buffer of tile (min, max)
	ybuf  []float64
}

// bytes is the memory the built cache holds.
func (c *tileCache) bytes() int64 {
	return 4*int64(len(c.vals)) + 8*int64(len(c.spans)) + 8*int64(len(c.ybuf)) +
		8*int64(len(c.off)+len(c.roff)+len(c.yoff))
}

// buildCache evaluates every stored tile (in parallel; tiles are disjoint) and counts the
// pairs within the cutoff on the way: a first pass finds the spans from the cutoff rule,
// a second fills the values.
func (o *Operator) buildCache() {
	g := o.g
	nc := len(g.Cells)
	ne := len(g.NbrCells)
	c := &tileCache{off: make([]int64, ne), roff: make([]int64, ne), yoff: make([]int64, ne)}
	var rows, ypos int64
	for i := 0; i < nc; i++ {
		ni := int64(g.Cells[i].End - g.Cells[i].Start)
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j >= i {
				c.roff[k] = rows
				rows += (ni + 1) / 2
			}
			if j > i {
				c.yoff[k] = ypos
				ypos += int64(g.Cells[j].End - g.Cells[j].Start)
			}
		}
	}
	c.ybuf = make([]float64, ypos)
	// Entries with j < i find the buffer of tile (j, i) at j's entry for i.
	for i := 0; i < nc; i++ {
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j >= i {
				break
			}
			c.yoff[k] = c.yoff[findNbr(g.NbrCells[g.NbrPtr[j]:g.NbrPtr[j+1]], int32(i))+g.NbrPtr[j]]
		}
	}
	c2 := cutoff2(g)
	c.spans = make([][2]int32, rows)
	var within atomic.Int64
	o.parallel(func(_ []float64, i int) {
		ci := g.Cells[i]
		var n int64 // pairs within the cutoff: tile (i,i) once, tiles (i,j>i) count twice
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			cj := g.Cells[j]
			var m int64
			for t := ci.Start; t < ci.End; t += 2 {
				sp, cnt := o.rowSpan(t, cj.Start, cj.End, c2)
				m += cnt
				if t+1 < ci.End {
					sp1, cnt1 := o.rowSpan(t+1, cj.Start, cj.End, c2)
					m += cnt1
					sp = unionSpan(sp, sp1)
				}
				c.spans[c.roff[k]+int64(t-ci.Start)/2] = sp
			}
			if j == i {
				n += m
			} else {
				n += 2 * m
			}
		}
		within.Add(n)
	})
	var pos int64
	for i := 0; i < nc; i++ {
		ni := int64(g.Cells[i].End - g.Cells[i].Start)
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			if int(g.NbrCells[k]) >= i {
				c.off[k] = pos
				pos += packedLen(c.spans[c.roff[k]:c.roff[k]+(ni+1)/2], ni)
			}
		}
	}
	c.vals = make([]float32, pos+8) // padding: a tile's slice is never empty
	o.parallel(func(_ []float64, i int) {
		ci := g.Cells[i]
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			a := g.Cells[j].Start
			p := c.off[k]
			for t := ci.Start; t < ci.End; t++ {
				sp := c.spans[c.roff[k]+int64(t-ci.Start)/2]
				w := int64(sp[1] - sp[0])
				o.tileRow(c.vals[p:p+w], t, a+int(sp[0]))
				p += w
			}
		}
	})
	o.cache = c
	// Pairs looked at per product: every stored value, twice off the diagonal tiles.
	var stored int64
	for i := 0; i < nc; i++ {
		ni := int64(g.Cells[i].End - g.Cells[i].Start)
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			if j := int(g.NbrCells[k]); j >= i {
				m := packedLen(c.spans[c.roff[k]:c.roff[k]+(ni+1)/2], ni)
				if j > i {
					m *= 2
				}
				stored += m
			}
		}
	}
	o.stats.PairsEvaluated = stored
	o.stats.PairsWithinCutoff = within.Load()
	if g.Cutoff == 0 {
		o.stats.PairsWithinCutoff = int64(g.N) * int64(g.N)
	}
}

// unionSpan is the smallest span holding both (an empty span [0,0) holds nothing).
func unionSpan(a, b [2]int32) [2]int32 {
	switch {
	case a[1] == a[0]:
		return b
	case b[1] == b[0]:
		return a
	}
	return [2]int32{min(a[0], b[0]), max(a[1], b[1])}
}

// packedLen is the number of values stored for ni rows under the pair spans.
func packedLen(spans [][2]int32, ni int64) int64 {
	var n int64
	for p, sp := range spans {
		rows := min(2, ni-2*int64(p))
		n += rows * int64(sp[1]-sp[0])
	}
	return n
}

// rowSpan is the span [lo, hi) (relative to a) of the sources a..b-1 whose kernel value
// for target t is nonzero (float32 d2 <= o.c2, the rule of gauss), and the count of those
// within the cutoff c2.
func (o *Operator) rowSpan(t, a, b int, c2 float32) ([2]int32, int64) {
	lo, hi := -1, -1
	var n int64
	xt, yt := o.x[t], o.y[t]
	for s := a; s < b; s++ {
		d, e := xt-o.x[s], yt-o.y[s]
		d2 := float32(d*d) + float32(e*e)
		if o.z != nil {
			f := o.z[t] - o.z[s]
			d2 = float32(d2) + float32(f*f)
		}
		if d2 <= c2 {
			n++
		}
		if d2 <= o.c2 {
			if lo < 0 {
				lo = s - a
			}
			hi = s - a + 1
		}
	}
	if lo < 0 {
		return [2]int32{}, n
	}
	return [2]int32{int32(lo), int32(hi)}, n
}

// findNbr is the position of j in the ascending list (present by symmetry).
func findNbr(list []int32, j int32) int {
	lo, hi := 0, len(list)
	for lo < hi {
		m := (lo + hi) / 2
		if list[m] < j {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// tileRow fills row with K(t, s) for the sources s = a, a+1, ... (the same float32
// expressions as the on-the-fly sweep).
func (o *Operator) tileRow(row []float32, t, a int) {
	xt, yt := o.x[t], o.y[t]
	xs, ys := o.x[a:a+len(row)], o.y[a:a+len(row)]
	if o.z == nil {
		for s := range row {
			d, e := xt-xs[s], yt-ys[s]
			row[s] = gauss(float32(d*d)+float32(e*e), o.c2)
		}
		return
	}
	zt := o.z[t]
	zs := o.z[a : a+len(row)]
	for s := range row {
		d, e, f := xt-xs[s], yt-ys[s], zt-zs[s]
		row[s] = gauss(float32(float32(d*d)+float32(e*e))+float32(f*f), o.c2)
	}
}

// cachedProduct is dst = K src from the stored tiles, in two parallel passes (see
// tileCache). The AVX2+FMA tile loops and the pure-Go ones add the same terms in the
// same order; only FMA rounding differs.
func (o *Operator) cachedProduct(dst, src []float64) {
	g := o.g
	c := o.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	o.parallel(func(acc []float64, i int) {
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		acc = acc[:ni]
		clear(acc)
		vi := src[ci.Start:ci.End]
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			cj := g.Cells[j]
			nj := cj.End - cj.Start
			w := c.vals[c.off[k]:]
			spans := c.spans[c.roff[k] : c.roff[k]+int64(ni+1)/2]
			vj := src[cj.Start:cj.End]
			if j == i {
				if haveFMA {
					tileDotSpan(&acc[0], &w[0], &vj[0], &spans[0], ni)
				} else {
					tileDotSpanGo(acc, w, vj, spans)
				}
				continue
			}
			y := c.ybuf[c.yoff[k] : c.yoff[k]+int64(nj)]
			clear(y)
			if haveFMA {
				tileSymSpan(&acc[0], &y[0], &w[0], &vj[0], &vi[0], &spans[0], ni)
			} else {
				tileSymSpanGo(acc, y, w, vj, vi, spans)
			}
		}
		copy(dst[ci.Start:ci.End], acc)
	})
	o.parallel(func(_ []float64, j int) {
		cj := g.Cells[j]
		out := dst[cj.Start:cj.End]
		for k := g.NbrPtr[j]; k < g.NbrPtr[j+1]; k++ {
			i := int(g.NbrCells[k])
			if i >= j {
				break
			}
			y := c.ybuf[c.yoff[k] : c.yoff[k]+int64(len(out))]
			for t := range out {
				out[t] += y[t]
			}
		}
	})
}

// tileDotSpanGo is acc[t] += sum over the row pair's span of w v (packed rows).
func tileDotSpanGo(acc []float64, w []float32, v []float64, spans [][2]int32) {
	p := 0
	for t := range acc {
		sp := spans[t/2]
		lo, hi := int(sp[0]), int(sp[1])
		acc[t] += dot(w[p:p+hi-lo], v[lo:hi])
		p += hi - lo
	}
}

// tileSymSpanGo applies a packed tile both ways: acc[t] += row_t . vj and
// y += row_t vi[t] (t ascending).
func tileSymSpanGo(acc, y []float64, w []float32, vj, vi []float64, spans [][2]int32) {
	p := 0
	for t := range acc {
		sp := spans[t/2]
		lo, hi := int(sp[0]), int(sp[1])
		row := w[p : p+hi-lo]
		p += hi - lo
		acc[t] += dot(row, vj[lo:hi])
		axpy(y[lo:hi], row, vi[t])
	}
}

// dot is sum w[s] v[s] in float64 with four interleaved partial sums.
func dot(w []float32, v []float64) float64 {
	v = v[:len(w)]
	var s0, s1, s2, s3 float64
	s := 0
	for ; s+4 <= len(w); s += 4 {
		s0 += float64(w[s]) * v[s]
		s1 += float64(w[s+1]) * v[s+1]
		s2 += float64(w[s+2]) * v[s+2]
		s3 += float64(w[s+3]) * v[s+3]
	}
	for ; s < len(w); s++ {
		s0 += float64(w[s]) * v[s]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy is acc += w vs.
func axpy(acc []float64, w []float32, vs float64) {
	w = w[:len(acc)]
	for t := range acc {
		acc[t] += float64(w[t]) * vs
	}
}
