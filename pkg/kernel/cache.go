package kernel

import (
	"sync"
	"sync/atomic"
)

// tileCache holds the kernel values of every kept pair of cells (i, j), j >= i, once:
// a dense row-major |i| x |j| float32 tile. The tile of (i, j) also serves (j, i),
// transposed, so K is stored once per unordered pair (symmetric storage).
//
// A product reads each tile once: the owner of cell i applies tile (i, j>i) both ways,
// adding T v_j to its own targets and writing T^T v_i into a small per-tile buffer (ybuf);
// a second pass adds, for each cell j, the buffers of its tiles (i<j, j) in ascending i.
// Every output entry is thus summed in an order fixed by the data, whatever the threads.
type tileCache struct {
	mu   sync.Mutex // one product at a time: ybuf is per product
	vals []float32
	off  []int64 // per neighbour-list entry k (cell i, neighbour j): offset of tile (min, max)
	yoff []int64 // per entry k: offset in ybuf of the |max(i,j)| buffer of tile (min, max)
	ybuf []float64
}

// buildCache evaluates every stored tile (in parallel; tiles are disjoint) and counts the
// pairs within the cutoff on the way.
func (o *Operator) buildCache() {
	g := o.g
	nc := len(g.Cells)
	off := make([]int64, len(g.NbrCells))
	var pos int64
	for i := 0; i < nc; i++ {
		ni := int64(g.Cells[i].End - g.Cells[i].Start)
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			if j := int(g.NbrCells[k]); j >= i {
				off[k] = pos
				pos += ni * int64(g.Cells[j].End-g.Cells[j].Start)
			}
		}
	}
	// Entries with j < i point at the tile stored under (j, i).
	for i := 0; i < nc; i++ {
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j >= i {
				break
			}
			off[k] = off[findNbr(g.NbrCells[g.NbrPtr[j]:g.NbrPtr[j+1]], int32(i))+g.NbrPtr[j]]
		}
	}
	c := &tileCache{vals: make([]float32, pos), off: off, yoff: make([]int64, len(g.NbrCells))}
	var ypos int64
	for i := 0; i < nc; i++ {
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			if j := int(g.NbrCells[k]); j > i {
				c.yoff[k] = ypos
				ypos += int64(g.Cells[j].End - g.Cells[j].Start)
			}
		}
	}
	c.ybuf = make([]float64, ypos)
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
			w := int(cj.End - cj.Start)
			tile := c.vals[off[k] : off[k]+int64((ci.End-ci.Start)*w)]
			var m int64
			for t := ci.Start; t < ci.End; t++ {
				row := tile[(t-ci.Start)*w : (t-ci.Start+1)*w]
				m += o.tileRow(row, t, cj.Start, c2)
			}
			if j == i {
				n += m
			} else {
				n += 2 * m
			}
		}
		within.Add(n)
	})
	o.cache = c
	o.stats.PairsWithinCutoff = within.Load()
	if g.Cutoff == 0 {
		o.stats.PairsWithinCutoff = int64(g.N) * int64(g.N)
	}
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

// tileRow fills row with K(t, s) for the sources s = a, a+1, ... and counts those within
// the cutoff c2 (the same float32 expressions as the on-the-fly sweep).
func (o *Operator) tileRow(row []float32, t, a int, c2 float32) int64 {
	var n int64
	xt, yt := o.x[t], o.y[t]
	xs, ys := o.x[a:a+len(row)], o.y[a:a+len(row)]
	if o.z == nil {
		for s := range row {
			d, e := xt-xs[s], yt-ys[s]
			d2 := float32(d*d) + float32(e*e)
			row[s] = gauss(d2, o.c2)
			if d2 <= c2 {
				n++
			}
		}
		return n
	}
	zt := o.z[t]
	zs := o.z[a : a+len(row)]
	for s := range row {
		d, e, f := xt-xs[s], yt-ys[s], zt-zs[s]
		d2 := float32(float32(d*d)+float32(e*e)) + float32(f*f)
		row[s] = gauss(d2, o.c2)
		if d2 <= c2 {
			n++
		}
	}
	return n
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
			tile := c.vals[c.off[k] : c.off[k]+int64(ni*nj)]
			vj := src[cj.Start:cj.End]
			if j == i {
				if haveFMA {
					tileDot(&acc[0], &tile[0], &vj[0], ni, nj)
				} else {
					tileDotGo(acc, tile, vj)
				}
				continue
			}
			y := c.ybuf[c.yoff[k] : c.yoff[k]+int64(nj)]
			clear(y)
			if haveFMA {
				tileSym(&acc[0], &y[0], &tile[0], &vj[0], &vi[0], ni, nj)
			} else {
				tileSymGo(acc, y, tile, vj, vi)
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

// tileDotGo is acc[t] += sum_s tile[t*nj+s] v[s].
func tileDotGo(acc []float64, tile []float32, v []float64) {
	nj := len(v)
	for t := range acc {
		acc[t] += dot(tile[t*nj:(t+1)*nj], v)
	}
}

// tileSymGo applies a tile both ways: acc[t] += sum_s T[t][s] vj[s] and
// y[s] += sum_t T[t][s] vi[t] (t ascending).
func tileSymGo(acc, y []float64, tile []float32, vj, vi []float64) {
	nj := len(vj)
	for t := range acc {
		row := tile[t*nj : (t+1)*nj]
		acc[t] += dot(row, vj)
		axpy(y, row, vi[t])
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
