package kernel

import (
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// Building the cached mode's tiles (layout: tileCache in cache.go).

// tileCount is what the first pass finds for one stored tile.
type tileCount struct {
	vals, groups int64
	seen         int64 // pairs in the stored groups, per direction
}

// buildCache evaluates the stored tiles (in parallel; tiles are disjoint) and counts the
// pairs within the cutoff on the way: a first pass finds each row pair's span and the
// tiles' exact sizes, a second fills the masks and values. When the whole cache is over
// budget (> 0) and the grid has a cutoff, only the tiles among the first cells that fit
// are kept (a partial cache, cachedPrefix); the products evaluate the rest on the fly.
func (o *Operator) buildCache(budget int64) {
	g := o.g
	nc := len(g.Cells)
	ne := len(g.NbrCells)
	c := &tileCache{releaseYblk: func() {}, voff: make([]int64, ne), moff: make([]int64, ne), poff: make([]int64, ne),
		yoff: make([]int64, ne), base: make([]int32, ne), width: make([]int32, ne)}
	switch {
	case haveAVX512:
		c.simd = loopAVX512
	case haveFMA:
		c.simd = loopAVX2
	}
	c.vpad = make([]float64, g.N+8)
	var npairs int64
	for i := 0; i < nc; i++ {
		ni := int64(g.Cells[i].End - g.Cells[i].Start)
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			if int(g.NbrCells[k]) >= i {
				c.poff[k] = npairs
				npairs += (ni + 1) / 2
			}
		}
	}
	c2 := cutoff2(g)
	c.pairs = make([][2]uint16, npairs)
	counts := make([]tileCount, ne)
	cellMasks := make([][]uint16, nc) // pass 1's masks, per cell, its tiles in turn
	var within atomic.Int64
	var scratch sync.Pool
	o.parallel(func(_ []float64, i int) {
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		n := int64(ni) // the diagonal K(t, t)
		var masks []uint16
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			cj := g.Cells[j]
			nj := cj.End - cj.Start
			// One bit per source and row: nonzero kernel value; the pairs within the
			// cutoff c2 are counted on the way.
			nb := (nj + 7) / 8
			bp, _ := scratch.Get().(*[]uint8)
			if bp == nil {
				bp = new([]uint8)
			}
			if cap(*bp) < ni*nb {
				*bp = make([]uint8, ni*nb)
			}
			rb := (*bp)[:ni*nb]
			clear(rb)
			for r := 0; r < ni; r++ {
				first := 0
				if j == i {
					first = r + 1
				}
				n += 2 * o.rowBits(rb[r*nb:(r+1)*nb], ci.Start+r, cj.Start, first, nj, c2)
			}
			lo, hi := 8*nb, 0
			for r := 0; r < ni; r++ {
				l, h := spanBits(rb[r*nb:(r+1)*nb], nil)
				if h > l {
					lo, hi = min(lo, l), max(hi, h)
				}
			}
			pairs := c.pairs[c.poff[k] : c.poff[k]+int64(ni+1)/2]
			if hi <= lo {
				scratch.Put(bp)
				continue
			}
			// Rebase the tile on the first column it reaches, so that its transposed
			// buffer covers only the columns it touches, and put every row pair's groups
			// on the same 8-column grid: consecutive pairs then load and store y at the
			// same addresses, which store-to-load forwarding needs.
			c.base[k], c.width[k] = int32(lo), int32(hi-lo)
			var vals, groups, tileSeen int64
			for p := range pairs {
				a := rb[2*p*nb : (2*p+1)*nb]
				var b []uint8
				if 2*p+1 < ni {
					b = rb[(2*p+1)*nb : (2*p+2)*nb]
				}
				pl, ph := spanBits(a, b)
				if ph <= pl {
					continue
				}
				pl = lo + (pl-lo)&^7
				ng := (ph - pl + 7) / 8
				pairs[p] = [2]uint16{uint16(pl - lo), uint16(ng)}
				groups += int64(ng)
				for gr := 0; gr < ng; gr++ {
					ma, mb := byteAt(a, pl+8*gr), byteAt(b, pl+8*gr)
					masks = append(masks, uint16(ma)|uint16(mb)<<8)
					vals += int64(bits.OnesCount8(ma) + bits.OnesCount8(mb))
				}
				for r := 2 * p; r < min(2*p+2, ni); r++ {
					first := pl
					if j == i {
						first = max(first, r+1)
					}
					tileSeen += int64(max(0, min(pl+8*ng, nj)-first))
				}
			}
			counts[k] = tileCount{vals, groups, tileSeen}
			scratch.Put(bp)
		}
		cellMasks[i] = masks
		within.Add(n)
	})
	o.cachedCells = nc
	if budget > 0 && g.Cutoff > 0 {
		fixed := 4*npairs + 40*int64(ne) + 8*int64(g.N+8) + 32 // as tileCache.bytes counts them
		o.cachedCells = cachedPrefix(g, counts, c.width, budget-fixed)
	}
	// Drop the tiles (i, j >= keep): the products skip tiles of width 0.
	keep := o.cachedCells
	clear(cellMasks[keep:])
	var keptSeen, keptVals int64
	for i := 0; i < nc; i++ {
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			switch {
			case j < i:
			case j >= keep:
				counts[k], c.base[k], c.width[k] = tileCount{}, 0, 0
			default:
				keptSeen += counts[k].seen
				keptVals += counts[k].vals
			}
		}
	}
	diag := int64(g.N)
	if keep < nc {
		diag = int64(g.Cells[keep].Start)
	}
	within2 := within.Load()
	if g.Cutoff == 0 {
		within2 = int64(g.N) * int64(g.N)
	}
	frac := float64(2*keptVals+diag) / float64(max(within2, 1))
	if keep < nc && frac < minPartialCache {
		// Too little fits to pay for the cached mode: no cache (New evaluates on the fly).
		o.cachedCells = 0
		o.stats.PairsWithinCutoff = within2
		return
	}
	var vpos, mpos, ypos int64
	for i := 0; i < nc; i++ {
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j >= i {
				c.voff[k], c.moff[k] = vpos, mpos
				vpos += counts[k].vals
				mpos += counts[k].groups
			}
			if j > i {
				c.yoff[k] = ypos
				ypos += int64(c.width[k]+7) &^ 7 // whole groups
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
			kk := findNbr(g.NbrCells[g.NbrPtr[j]:g.NbrPtr[j+1]], int32(i)) + g.NbrPtr[j]
			c.yoff[k], c.base[k], c.width[k] = c.yoff[kk], c.base[kk], c.width[kk]
		}
	}
	c.vals, _ = offHeap[float32](c, int(vpos+8)) // +8: the AVX2 loop loads 8 values at a time
	c.masks, _ = offHeap[uint16](c, int(mpos))
	// Pass 2: the values under the masks, row 2p's then row 2p+1's in each group.
	simd := c.simd != loopGo // the values 8 at a time (rowGauss), else one by one
	o.parallel(func(_ []float64, i int) {
		if i >= keep {
			return
		}
		var row []float32
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		cm := cellMasks[i]
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i || counts[k].groups == 0 {
				continue
			}
			// cm holds pass 1's masks of all of cell i's tiles in turn; the dropped ones
			// (j >= keep) come last, neighbour lists being ascending.
			src := g.Cells[j].Start + int(c.base[k])
			copy(c.masks[c.moff[k]:], cm[:counts[k].groups])
			w := c.vals[c.voff[k]:]
			for p, pr := range c.pairs[c.poff[k] : c.poff[k]+int64(ni+1)/2] {
				col := src + int(pr[0])
				ng := int(pr[1])
				if simd && ng > 0 {
					// Both rows' values over the pair's groups, 8 at a time, then
					// packed under the masks.
					if cap(row) < 16*ng {
						row = make([]float32, 16*ng)
					}
					row = row[:16*ng]
					for r := 0; r < 2 && 2*p+r < ni; r++ {
						o.rowGauss(row[r*8*ng:(r+1)*8*ng], ci.Start+2*p+r, col)
					}
				}
				for gr := 0; gr < ng; gr++ {
					mm := cm[0]
					cm = cm[1:]
					for r := 0; r < 2; r++ {
						t := ci.Start + 2*p + r
						for m := uint8(mm >> (8 * r)); m != 0; m &= m - 1 {
							l := 8*gr + bits.TrailingZeros8(m)
							if simd {
								w[0] = row[r*8*ng+l]
							} else {
								w[0] = gauss(o.pairDist2(t, col+l), o.c2)
							}
							w = w[1:]
						}
					}
				}
			}
		}
	})
	o.cache = c
	// Pairs looked at per product: the stored groups' pairs (lanes past a cell's end or on
	// or below a diagonal tile's diagonal are not pairs), both directions, and the diagonal.
	o.stats.PairsEvaluated = 2*keptSeen + diag
	o.stats.PairsWithinCutoff = within2
	o.stats.CacheFraction = 1
	if keep < nc {
		o.stats.CacheFraction = frac
	}
}

// rowGauss sets out[l] = gauss(d2(t, s+l), o.c2) for the len(out) sources from s (a
// multiple of 8; the coordinate slices have 8 spare values past the last point), with
// the AVX2 loop.
func (o *Operator) rowGauss(out []float32, t, s int) {
	if o.z != nil {
		rowGauss3(&out[0], o.x[t], o.y[t], o.z[t], &o.x[s : s+1][0], &o.y[s : s+1][0], &o.z[s : s+1][0], len(out), o.c2)
		return
	}
	rowGauss2(&out[0], o.x[t], o.y[t], &o.x[s : s+1][0], &o.y[s : s+1][0], len(out), o.c2)
}

// pairDist2 is the float32 squared distance between sorted points t and s, the same
// expression as the hot loops'.
func (o *Operator) pairDist2(t, s int) float32 { return dist2On(o.x, o.y, o.z, t, s) }

// dist2On is pairDist2 on the coordinates x, y, z (z nil in 2D).
func dist2On(x, y, z []float32, t, s int) float32 {
	d, e := x[t]-x[s], y[t]-y[s]
	d2 := float32(d*d) + float32(e*e)
	if z != nil {
		f := z[t] - z[s]
		d2 = float32(d2) + float32(f*f)
	}
	return d2
}

// rowBits sets in row the bits of the sources a+first..a+nj-1 whose kernel value for
// target t is nonzero (float32 d2 <= o.c2, the rule of gauss), bit s for source a+s,
// and returns the number of sources within the cutoff c2. Whole bytes go to the AVX2
// scan where there is one; the same float32 expressions either way.
func (o *Operator) rowBits(row []uint8, t, a, first, nj int, c2 float32) (within int64) {
	s := first
	end := min(nj, (first+7)&^7) // up to the next whole byte one by one
	within += o.rowBitsGo(row, t, a, s, end, c2)
	s = end
	if full := (nj - s) &^ 7; haveAVX2 && full > 0 {
		if o.z != nil {
			within += int64(scanBits3(&row[s>>3], o.x[t], o.y[t], o.z[t], &o.x[a+s], &o.y[a+s], &o.z[a+s], full, c2, o.c2))
		} else {
			within += int64(scanBits2(&row[s>>3], o.x[t], o.y[t], &o.x[a+s], &o.y[a+s], full, c2, o.c2))
		}
		s += full
	}
	return within + o.rowBitsGo(row, t, a, s, nj, c2)
}

// rowBitsGo is rowBits over the sources a+from..a+to-1, one at a time.
func (o *Operator) rowBitsGo(row []uint8, t, a, from, to int, c2 float32) (within int64) {
	for s := from; s < to; s++ {
		d2 := o.pairDist2(t, a+s)
		if d2 <= c2 {
			within++
		}
		if d2 <= o.c2 {
			row[s>>3] |= 1 << (s & 7)
		}
	}
	return within
}

// spanBits is the span [lo, hi) of the bits set in a or b (b may be nil); empty when
// none is.
func spanBits(a, b []uint8) (lo, hi int) {
	lo, hi = len(a)*8, 0
	for q := range a {
		x := a[q]
		if b != nil {
			x |= b[q]
		}
		if x != 0 {
			lo = min(lo, 8*q+bits.TrailingZeros8(x))
			hi = max(hi, 8*q+8-bits.LeadingZeros8(x))
		}
	}
	return lo, hi
}

// byteAt is the 8 bits of row from bit s (0 past its end; row may be nil).
func byteAt(row []uint8, s int) uint8 {
	q, r := s>>3, s&7
	if row == nil || q >= len(row) {
		return 0
	}
	x := row[q] >> r
	if r > 0 && q+1 < len(row) {
		x |= row[q+1] << (8 - r)
	}
	return x
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

// cachedPrefix is the largest number of leading cells c whose tiles among themselves (i <=
// j < c), with their masks and transposed buffers (those of block products too), fit in
// budget bytes. Cells follow the grid's Morton order, so the first c cells are a compact
// part of the cloud and few of their pairs cross into the rest.
func cachedPrefix(g *grid.Grid, counts []tileCount, width []int32, budget int64) int {
	need := make([]int64, len(g.Cells)) // per cell j, the tiles (i <= j, j)
	for i := range g.Cells {
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			need[j] += 4*counts[k].vals + 2*counts[k].groups
			if j > i {
				// The transposed buffer, and its copy per column of a block
				// product (yblk) for blocks of up to 8 columns.
				need[j] += (8 + 8*8) * (int64(width[k]+7) &^ 7)
			}
		}
	}
	var used int64
	for j, b := range need {
		if used+b > budget {
			return j
		}
		used += b
	}
	return len(g.Cells)
}
