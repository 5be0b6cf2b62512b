package kernel

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// tileCache holds the nonzero kernel values of every kept pair of cells (i, j), j >= i,
// once (symmetric storage): the tile of (i, j) also serves (j, i), transposed, and the
// diagonal tile (i, i) keeps only its strict upper triangle (K(t, t) = exp(0) = 1).
//
// A tile's target rows go in pairs (2p, 2p+1). Each pair covers ng groups of 8 source
// columns from its first nonzero column lo; per group one uint16 says which of the 8
// values of row 2p (low byte) and row 2p+1 (high byte) are nonzero, and only those
// values are stored, packed, row 2p's then row 2p+1's. So memory is 4 bytes per stored
// nonzero plus one bit per looked-at pair: about 2.1 bytes per nonzero of K against
// scipy's 12, while the product still works on whole 8-lane groups (an AVX-512
// expand-load puts the packed values back in their lanes).
//
// A product reads each tile once: the owner of cell i applies tile (i, j>i) both ways,
// adding T v_j to its own targets and T^T v_i into a small per-tile buffer (ybuf); the
// diagonal tile adds both directions into the cell's own sums. A second pass adds, for
// each cell j, the buffers of its tiles (i<j, j) in ascending i. Every output entry is
// thus summed in an order fixed by the data, whatever the threads.
type tileCache struct {
	mu    sync.Mutex // one product at a time: ybuf is per product
	vals  []float32  // packed nonzero values
	masks []uint16   // per row pair and group: nonzero lanes of row 2p | row 2p+1 << 8
	pairs [][2]int32 // per stored row pair: first column lo (from the tile's base), groups ng
	base  []int32    // per entry k: first source column any row of tile (min, max) reaches
	width []int32    // per entry k: columns from base to the last one reached (0: empty tile)
	voff  []int64    // per entry k (cell i, neighbour j >= i): offset of the tile's values
	moff  []int64    // per entry k (j >= i): offset of the tile's masks
	poff  []int64    // per entry k (j >= i): index of the tile's first row pair
	yoff  []int64    // per entry k: offset in ybuf of the width-long buffer of tile (min, max)
	ybuf  []float64
}

// bytes is the memory the built cache holds.
func (c *tileCache) bytes() int64 {
	return 4*int64(len(c.vals)) + 2*int64(len(c.masks)) + 8*int64(len(c.pairs)) +
		8*int64(len(c.ybuf)) + 8*int64(len(c.voff)+len(c.moff)+len(c.poff)+len(c.yoff)) +
		4*int64(len(c.base)+len(c.width))
}

// CacheBytesFor bounds the memory the cached mode needs for g, before any kernel
// evaluation: every pair of the grid's pattern stored as if nonzero (each unordered pair
// once, the diagonal tiles' strict upper triangles), a mask per row pair and group of 8,
// the row pairs' spans, four offsets, a base and a width per entry of the neighbour lists, and a float64 per
// point of j for each tile (i, j>i) (the transposed products). The built cache stores
// only the nonzeros (Stats.CacheBytes: about half of this bound on the Swiss roll).
func CacheBytesFor(g *grid.Grid) int64 {
	var vals, masks, pairs, y int64
	for i := range g.Cells {
		ni := int64(g.Cells[i].End - g.Cells[i].Start)
		for _, j := range g.NbrCells[g.NbrPtr[i]:g.NbrPtr[i+1]] {
			nj := int64(g.Cells[j].End - g.Cells[j].Start)
			switch {
			case int(j) == i:
				vals += ni * (ni - 1) / 2
			case int(j) > i:
				vals += ni * nj
				y += nj
			default:
				continue
			}
			pairs += (ni + 1) / 2
			masks += (ni + 1) / 2 * ((nj + 7) / 8)
		}
	}
	return 4*vals + 2*masks + 8*pairs + 8*y + 40*int64(len(g.NbrCells))
}

// tileCount is what the first pass finds for one stored tile.
type tileCount struct {
	vals, groups int64
}

// buildCache evaluates every stored tile (in parallel; tiles are disjoint) and counts the
// pairs within the cutoff on the way: a first pass finds each row pair's span and the
// tile sizes, a second fills the masks and values.
func (o *Operator) buildCache() {
	g := o.g
	nc := len(g.Cells)
	ne := len(g.NbrCells)
	c := &tileCache{voff: make([]int64, ne), moff: make([]int64, ne), poff: make([]int64, ne),
		yoff: make([]int64, ne), base: make([]int32, ne), width: make([]int32, ne)}
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
	c.pairs = make([][2]int32, npairs)
	counts := make([]tileCount, ne)
	var within, looked atomic.Int64
	o.parallel(func(_ []float64, i int) {
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		n := int64(ni) // the diagonal K(t, t)
		var seen int64 // pairs in the stored groups, per direction
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			cj := g.Cells[j]
			var m, vals, groups int64
			for p := 0; 2*p < ni; p++ {
				lo, hi := int32(math.MaxInt32), int32(-1)
				for r := 2 * p; r < min(2*p+2, ni); r++ {
					first := 0
					if j == i {
						first = r + 1
					}
					l, h, nz, cnt := o.rowScan(ci.Start+r, cj.Start+first, cj.End, c2)
					m += cnt
					vals += nz
					if nz > 0 {
						lo, hi = min(lo, int32(first+l)), max(hi, int32(first+h))
					}
				}
				pr := [2]int32{}
				if hi >= 0 {
					pr = [2]int32{lo, (hi - lo + 7) / 8}
				}
				c.pairs[c.poff[k]+int64(p)] = pr
				groups += int64(pr[1])
				for r := 2 * p; r < min(2*p+2, ni) && pr[1] > 0; r++ {
					first := int(pr[0])
					if j == i {
						first = max(first, r+1)
					}
					seen += int64(max(0, min(int(pr[0]+8*pr[1]), cj.End-cj.Start)-first))
				}
			}
			// Rebase the tile on the first column it reaches, so that its transposed
			// buffer covers only the columns it touches.
			pairs := c.pairs[c.poff[k] : c.poff[k]+int64(ni+1)/2]
			b, e := int32(math.MaxInt32), int32(0)
			for _, pr := range pairs {
				if pr[1] > 0 {
					b, e = min(b, pr[0]), max(e, min(pr[0]+8*pr[1], int32(cj.End-cj.Start)))
				}
			}
			if e > 0 {
				for q := range pairs {
					if pairs[q][1] > 0 {
						pairs[q][0] -= b
					}
				}
				c.base[k], c.width[k] = b, e-b
			}
			counts[k] = tileCount{vals, groups}
			n += 2 * m
		}
		within.Add(n)
		looked.Add(seen)
	})
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
				ypos += int64(c.width[k])
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
	c.vals = make([]float32, vpos)
	c.masks = make([]uint16, mpos)
	o.parallel(func(_ []float64, i int) {
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			cj := g.Cells[j]
			vp, mp := c.voff[k], c.moff[k]
			for p := 0; 2*p < ni; p++ {
				pr := c.pairs[c.poff[k]+int64(p)]
				for gr := int32(0); gr < pr[1]; gr++ {
					var mask uint16
					var buf [16]float32
					nb := 0
					for r := 0; r < 2 && 2*p+r < ni; r++ {
						t := ci.Start + 2*p + r
						for l := int32(0); l < 8; l++ {
							col := int(c.base[k] + pr[0] + 8*gr + l)
							if col >= cj.End-cj.Start || (j == i && col <= 2*p+r) {
								continue
							}
							d2 := o.pairDist2(t, cj.Start+col)
							if d2 <= o.c2 {
								mask |= 1 << (8*r + int(l))
								buf[nb] = gauss(d2, o.c2)
								nb++
							}
						}
					}
					c.masks[mp] = mask
					copy(c.vals[vp:vp+int64(nb)], buf[:nb])
					mp++
					vp += int64(nb)
				}
			}
		}
	})
	o.cache = c
	// Pairs looked at per product: the stored groups' pairs (lanes past a cell's end or on
	// or below a diagonal tile's diagonal are not pairs), both directions, and the diagonal.
	o.stats.PairsEvaluated = 2*looked.Load() + int64(g.N)
	o.stats.PairsWithinCutoff = within.Load()
	if g.Cutoff == 0 {
		o.stats.PairsWithinCutoff = int64(g.N) * int64(g.N)
	}
}

// pairDist2 is the float32 squared distance between sorted points t and s, the same
// expression as the hot loops'.
func (o *Operator) pairDist2(t, s int) float32 {
	d, e := o.x[t]-o.x[s], o.y[t]-o.y[s]
	d2 := float32(d*d) + float32(e*e)
	if o.z != nil {
		f := o.z[t] - o.z[s]
		d2 = float32(d2) + float32(f*f)
	}
	return d2
}

// rowScan looks at the sources a..b-1 for target t: the span [lo, hi) (relative to a) of
// those whose kernel value is nonzero (float32 d2 <= o.c2, the rule of gauss), their
// number, and the number within the cutoff c2.
func (o *Operator) rowScan(t, a, b int, c2 float32) (lo, hi int, nonzero, within int64) {
	lo = -1
	for s := a; s < b; s++ {
		d2 := o.pairDist2(t, s)
		if d2 <= c2 {
			within++
		}
		if d2 <= o.c2 {
			if lo < 0 {
				lo = s - a
			}
			hi = s - a + 1
			nonzero++
		}
	}
	if lo < 0 {
		return 0, 0, 0, within
	}
	return lo, hi, nonzero, within
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

// cachedProduct is dst = K src from the stored tiles, in two parallel passes (see
// tileCache). The AVX-512 tile loop and the pure-Go one add the same terms in the same
// order with the same fused multiply-adds, so they give the same bits.
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
		np := int64(ni+1) / 2
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			b, wd := int(c.base[k]), int64(c.width[k])
			if wd == 0 {
				continue
			}
			pairs := c.pairs[c.poff[k] : c.poff[k]+np]
			w := c.vals[c.voff[k]:]
			m := c.masks[c.moff[k]:]
			vj := src[g.Cells[j].Start+b:]
			// The diagonal tile's transposed half lands in the cell's own sums.
			var y []float64
			if j == i {
				y = acc[b:]
			} else {
				y = c.ybuf[c.yoff[k] : c.yoff[k]+wd]
				clear(y)
			}
			if haveAVX512 {
				tileMask(&acc[0], &y[0], &w[0], &m[0], &vj[0], &vi[0], &pairs[0], ni)
			} else {
				tileMaskGo(acc, y, w, m, vj, vi, pairs, ni)
			}
		}
		out := dst[ci.Start:ci.End]
		for t := range out {
			out[t] = acc[t] + vi[t]
		}
	})
	o.parallel(func(_ []float64, j int) {
		cj := g.Cells[j]
		out := dst[cj.Start:cj.End]
		for k := g.NbrPtr[j]; k < g.NbrPtr[j+1]; k++ {
			i := int(g.NbrCells[k])
			if i >= j {
				break
			}
			y := c.ybuf[c.yoff[k] : c.yoff[k]+int64(c.width[k])]
			o := out[c.base[k]:]
			for t := range y {
				o[t] += y[t]
			}
		}
	})
}

// tileMaskGo applies a stored tile both ways, lane by lane as the assembly does:
// acc[r] += (row r) . vj and y += (row r) vi[r] for the rows r of each pair (the second
// row of a last odd pair is absent: its masks are 0 and its vi is taken as 0).
func tileMaskGo(acc, y []float64, w []float32, m []uint16, vj, vi []float64, pairs [][2]int32, rows int) {
	for p, pr := range pairs {
		a, b := 2*p, 2*p+1
		va, vb := vi[a], 0.0
		if b < rows {
			vb = vi[b]
		}
		lo, ng := int(pr[0]), int(pr[1])
		var sa, sb [8]float64
		for gr := 0; gr < ng; gr++ {
			mm := m[0]
			m = m[1:]
			var wa, wb [8]float64
			na := bits.OnesCount8(uint8(mm))
			expand(&wa, w[:na], uint8(mm))
			nb := bits.OnesCount8(uint8(mm >> 8))
			expand(&wb, w[na:na+nb], uint8(mm>>8))
			w = w[na+nb:]
			u := uint8(mm) | uint8(mm>>8)
			base := lo + 8*gr
			for l := 0; l < 8; l++ {
				if u>>l&1 == 0 {
					continue // the assembly neither loads nor stores this lane
				}
				v := vj[base+l]
				sa[l] = math.FMA(wa[l], v, sa[l])
				sb[l] = math.FMA(wb[l], v, sb[l])
				yl := math.FMA(wa[l], va, y[base+l])
				y[base+l] = math.FMA(wb[l], vb, yl)
			}
		}
		acc[a] += hsum8(&sa)
		if b < rows {
			acc[b] += hsum8(&sb)
		}
	}
}

// expand puts the packed values in the lanes whose mask bit is set (AVX-512 vexpandps).
func expand(dst *[8]float64, packed []float32, mask uint8) {
	k := 0
	for l := 0; l < 8; l++ {
		if mask>>l&1 != 0 {
			dst[l] = float64(packed[k])
			k++
		}
	}
}

// hsum8 adds eight lanes in the assembly's order: halves, quarters, then the last two.
func hsum8(s *[8]float64) float64 {
	t0, t1, t2, t3 := s[0]+s[4], s[1]+s[5], s[2]+s[6], s[3]+s[7]
	return (t0 + t2) + (t1 + t3)
}
