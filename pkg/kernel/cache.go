package kernel

import "sync/atomic"

// tileCache holds the kernel values of every kept pair of cells (i, j), j >= i, once:
// a dense row-major |i| x |j| float32 tile. The tile of (i, j) also serves (j, i),
// transposed, so K is stored once per unordered pair (symmetric storage).
type tileCache struct {
	vals []float32
	off  []int64 // per neighbour-list entry k (cell i, neighbour j): offset of tile (min, max)
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
	c := &tileCache{vals: make([]float32, pos), off: off}
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

// cachedCell sets dst over target cell i from the stored tiles: tiles (i, j>=i) row by
// row as dot products, tiles (j<i, i) row by row scattered into the targets (AVX2+FMA
// when available: tileDot, tileAxpyT; the same order of terms either way, FMA rounding
// aside). The order of
// every target's sum is fixed by the neighbour list, so results do not depend on threads.
func (o *Operator) cachedCell(acc []float64, i int, dst, src []float64) {
	g := o.g
	ci := g.Cells[i]
	ni := ci.End - ci.Start
	acc = acc[:ni]
	clear(acc)
	vals := o.cache.vals
	for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
		j := int(g.NbrCells[k])
		cj := g.Cells[j]
		nj := cj.End - cj.Start
		tile := vals[o.cache.off[k] : o.cache.off[k]+int64(ni*nj)]
		v := src[cj.Start:cj.End]
		if haveFMA {
			if j >= i {
				tileDot(&acc[0], &tile[0], &v[0], ni, nj)
			} else {
				tileAxpyT(&acc[0], &tile[0], &v[0], ni, nj)
			}
			continue
		}
		if j >= i {
			for t := range acc {
				acc[t] += dot(tile[t*nj:(t+1)*nj], v)
			}
			continue
		}
		for s, vs := range v {
			axpy(acc, tile[s*ni:(s+1)*ni], vs)
		}
	}
	copy(dst[ci.Start:ci.End], acc)
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
