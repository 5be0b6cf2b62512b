package kernel

import (
	"math"
	"math/bits"
)

// The cached mode's product (layout: tileCache in cache.go).

// cachedProduct is dst = K src from the stored tiles, in two parallel passes (see
// tileCache), or dst += the stored tiles' part of it when add is set (a partial cache:
// the rows of cells past cachedCells are left as they are). The AVX-512 tile loop and
// the pure-Go one add the same terms in the same order with the same fused
// multiply-adds, so they give the same bits.
func (o *Operator) cachedProduct(dst, src []float64, add bool) {
	g := o.g
	c := o.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	copy(c.vpad, src) // the loops read whole groups, up to 7 past the last point
	src = c.vpad
	o.parallelScratch(9*(o.maxCell+8), func(scratch []float64, i int) {
		if i >= o.cachedCells {
			return
		}
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		// acc: the sums the diagonal tile's transposed half adds (+8: its loops store
		// whole groups); acc8: 8 lanes per row (one row more for an odd last pair), the
		// row sums of all tiles, reduced once at the end.
		acc := scratch[: ni : o.maxCell+8]
		acc8 := scratch[o.maxCell+8 : o.maxCell+8+8*(ni+1)]
		clear(acc)
		clear(acc8)
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
				y = c.ybuf[c.yoff[k] : c.yoff[k]+(wd+7)&^7]
				clear(y)
			}
			switch c.simd {
			case loopAVX512:
				tileMask(&acc8[0], &y[0], &w[0], &m[0], &vj[0], &vi[0], &pairs[0], ni)
			case loopAVX2:
				tileMask2(&acc8[0], &y[0], &w[0], &m[0], &vj[0], &vi[0], &pairs[0], ni)
			default:
				tileMaskGo(acc8, y, w, m, vj, vi, pairs, ni)
			}
		}
		out := dst[ci.Start:ci.End]
		for t := range out {
			v := (hsum8((*[8]float64)(acc8[8*t:])) + acc[t]) + vi[t]
			if add {
				v += out[t]
			}
			out[t] = v
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

// tileMaskGo applies a stored tile both ways, lane by lane as the assembly does: lane
// l of acc8[8r:8r+8] += (row r)[l::8] . vj and y += (row r) vi[r] for the rows r of each
// pair (the second row of a last odd pair is absent: its masks are 0, its vi is taken
// as 0, and its lanes go to the spare row of acc8).
func tileMaskGo(acc8, y []float64, w []float32, m []uint16, vj, vi []float64, pairs [][2]uint16, rows int) {
	for p, pr := range pairs {
		a, b := 2*p, 2*p+1
		va, vb := vi[a], 0.0
		if b < rows {
			vb = vi[b]
		}
		lo, ng := int(pr[0]), int(pr[1])
		sa, sb := (*[8]float64)(acc8[8*a:]), (*[8]float64)(acc8[8*b:])
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

// hsum8 adds eight lanes as halves, quarters, then the last two.
func hsum8(s *[8]float64) float64 {
	t0, t1, t2, t3 := s[0]+s[4], s[1]+s[5], s[2]+s[6], s[3]+s[7]
	return (t0 + t2) + (t1 + t3)
}
