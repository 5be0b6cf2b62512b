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
// A tile's columns start at its base, the first source column any of its rows reaches.
// Its target rows go in pairs (2p, 2p+1); each pair covers ng groups of 8 columns from
// lo, a multiple of 8 (all pairs of a tile on one grid, so that consecutive pairs load
// and store the same y addresses). Per group one uint16 says which of the 8 values of
// row 2p (low byte) and row 2p+1 (high byte) are nonzero, and only those values are
// stored, packed, row 2p's then row 2p+1's. So memory is 4 bytes per stored nonzero plus
// one bit per looked-at pair and the per-tile offsets and buffers: 2.1-2.4 bytes per
// nonzero of K against scipy's 12, while the product still works on whole 8-lane groups
// (an AVX-512 expand-load, or VPERMPS from a table in AVX2, puts the packed values back
// in their lanes).
//
// A product reads each tile once: the owner of cell i applies tile (i, j>i) both ways,
// adding T v_j to its own targets and T^T v_i into a small per-tile buffer (ybuf); the
// diagonal tile adds both directions into the cell's own sums. A second pass adds, for
// each cell j, the buffers of its tiles (i<j, j) in ascending i. Every output entry is
// thus summed in an order fixed by the data, whatever the threads.
type tileCache struct {
	mu    sync.Mutex  // one product at a time: ybuf and vpad are per product
	simd  simdLoop    // the tile loop, chosen when the cache is built
	vpad  []float64   // the product's input and 8 zeros: the loops read whole groups
	vals  []float32   // packed nonzero values
	masks []uint16    // per row pair and group: nonzero lanes of row 2p | row 2p+1 << 8
	pairs [][2]uint16 // per stored row pair: first column lo (from the tile's base), groups ng
	base  []int32     // per entry k: first source column any row of tile (min, max) reaches
	width []int32     // per entry k: columns from base to the last one reached (0: empty tile)
	voff  []int64     // per entry k (cell i, neighbour j >= i): offset of the tile's values
	moff  []int64     // per entry k (j >= i): offset of the tile's masks
	poff  []int64     // per entry k (j >= i): index of the tile's first row pair
	yoff  []int64     // per entry k: offset in ybuf of the width-long buffer of tile (min, max)
	ybuf  []float64
}

// simdLoop names the tile loop in use.
type simdLoop int

const (
	loopGo simdLoop = iota
	loopAVX2
	loopAVX512
)

// bytes is the memory the built cache holds.
func (c *tileCache) bytes() int64 {
	return 4*int64(len(c.vals)) + 2*int64(len(c.masks)) + 4*int64(len(c.pairs)) +
		8*int64(len(c.ybuf)+len(c.vpad)) + 8*int64(len(c.voff)+len(c.moff)+len(c.poff)+len(c.yoff)) +
		4*int64(len(c.base)+len(c.width))
}

// CacheBytesFor bounds the memory the cached mode needs for g, before any kernel
// evaluation: every pair of the grid's pattern stored as if nonzero (each unordered pair
// once, the diagonal tiles' strict upper triangles), a mask per row pair and group of 8,
// the row pairs' spans, four offsets, a base and a width per entry of the neighbour lists, and a float64 per
// point of j for each tile (i, j>i) (the transposed products), and the AVX2 loop's padding. The built cache stores
// only the nonzeros (Stats.CacheBytes: about half of this bound on the Swiss roll).
func CacheBytesFor(g *grid.Grid) int64 {
	p, ok := patternSizes(g)
	if !ok {
		return math.MaxInt64 // row pairs index their columns with 16 bits
	}
	return 4*(p.vals+8) + 2*p.masks + 4*p.pairs + 8*(p.y+int64(g.N)+8) + 40*int64(len(g.NbrCells))
}

// patternCounts are the sizes of a cache that stored every pair of the cell pattern.
type patternCounts struct {
	vals, masks, pairs, y int64
}

// patternSizes counts the cache's parts over g's stored tiles (i, j >= i); false when a
// cell has more points than 16-bit spans can index.
func patternSizes(g *grid.Grid) (patternCounts, bool) {
	var p patternCounts
	for i := range g.Cells {
		ni := int64(g.Cells[i].End - g.Cells[i].Start)
		if ni > math.MaxUint16 {
			return p, false
		}
		for _, j := range g.NbrCells[g.NbrPtr[i]:g.NbrPtr[i+1]] {
			nj := int64(g.Cells[j].End - g.Cells[j].Start)
			switch {
			case int(j) == i:
				p.vals += ni * (ni - 1) / 2
			case int(j) > i:
				p.vals += ni * nj
				p.y += nj + 7 // the loops' padding
			default:
				continue
			}
			p.pairs += (ni + 1) / 2
			p.masks += (ni + 1) / 2 * ((nj + 7) / 8)
		}
	}
	return p, true
}

// CachedCellFraction is the cell edge, as a fraction of the cutoff, that suits the cached
// mode. Measured one thread per product on the Swiss roll (n = 10^4, sigma 0.02 and
// n = 10^5, sigma 0.01; cutoff 4 and 5.77): edges of 1.5 cutoffs ran 0.60/21.3 ms at
// cutoff 4 against 0.71/22.3 ms for one cutoff, 1.2 ms and 39 ms at 5.77 for both,
// within 5% up to 2.5 cutoffs, and the spiral (hundreds of points per cell) takes the
// same time for edges of 0.5-1.5 cutoffs. Larger cells also mean fewer tiles, whose
// per-tile buffers and offsets are most of the memory beyond the values (2.41 against
// 2.60 bytes per nonzero on the roll n = 10^4 at cutoff 4).
const CachedCellFraction = 1.5

// CachedCellMaxPoints is the mean number of points per cell of CachedCellFraction
// cutoffs above which the cached mode keeps the grid's default cells: products are
// split over the threads by cells, and a dense cloud's few large cells leave a core
// idle. The spiral n = 10^4, sigma 0.05 (1,429 points per such cell, 7 cells) took
// 6.7-7.1 ms per product on 2 threads against 1.9-3.5 ms on cells of cutoff/2 (385
// points); the Swiss roll n = 10^4, sigma 0.02 (65 points) is fastest on the larger.
const CachedCellMaxPoints = 256

// WouldCache says whether New would cache the kernel of g under opt: whether the
// budget (opt.CacheBudget; 0 = half of the available memory, < 0 = never) holds
// cacheNeed(g).
func WouldCache(g *grid.Grid, opt Options) bool {
	budget := cacheBudget(opt)
	return budget > 0 && cacheNeed(g, budget) <= budget
}

// cacheBudget is opt's cache budget in bytes (<= 0: no cache).
func cacheBudget(opt Options) int64 {
	if opt.CacheBudget == 0 {
		return defaultBudget()
	}
	return opt.CacheBudget
}

// cacheNeed is the memory the cache is taken to need: the bound CacheBytesFor when that
// fits the budget, else the smaller of the bound and an estimate from the sampled count
// of pairs within the cutoff (cacheBytesEstimate, plus 10%), so that a cloud whose
// dense-tile bound is far above its real need (the 10^6-point Swiss roll: ~4x) can
// still be cached. The sampling is skipped when the bound decides.
func cacheNeed(g *grid.Grid, budget int64) int64 {
	bound := CacheBytesFor(g)
	if bound <= budget || bound == math.MaxInt64 {
		return bound
	}
	_, within := EstimatePairs(g)
	return min(bound, cacheBytesEstimate(g, within)*11/10)
}

// cacheBytesEstimate is CacheBytesFor with the stored values counted from an estimate of
// the pairs within the cutoff instead of every pair of the pattern (the values are
// ~85% of the cache; masks, spans and buffers keep their bounds).
func cacheBytesEstimate(g *grid.Grid, within int64) int64 {
	p, _ := patternSizes(g)
	nonzero := max(within-int64(g.N), 0) / 2
	return CacheBytesFor(g) - 4*(p.vals-min(p.vals, nonzero))
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
	var within, looked atomic.Int64
	var scratch sync.Pool
	o.parallel(func(_ []float64, i int) {
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		n := int64(ni) // the diagonal K(t, t)
		var seen int64 // pairs in the stored groups, per direction
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
			var vals, groups int64
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
					vals += int64(bits8(ma) + bits8(mb))
				}
				for r := 2 * p; r < min(2*p+2, ni); r++ {
					first := pl
					if j == i {
						first = max(first, r+1)
					}
					seen += int64(max(0, min(pl+8*ng, nj)-first))
				}
			}
			counts[k] = tileCount{vals, groups}
			scratch.Put(bp)
		}
		cellMasks[i] = masks
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
	c.vals = make([]float32, vpos+8) // the AVX2 loop loads 8 values at a time
	c.masks = make([]uint16, mpos)
	// Pass 2: the values under the masks, row 2p's then row 2p+1's in each group.
	o.parallel(func(_ []float64, i int) {
		var row []float32
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		cm := cellMasks[i]
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i || counts[k].groups == 0 {
				continue
			}
			src := g.Cells[j].Start + int(c.base[k])
			copy(c.masks[c.moff[k]:], cm[:counts[k].groups])
			w := c.vals[c.voff[k]:]
			for p, pr := range c.pairs[c.poff[k] : c.poff[k]+int64(ni+1)/2] {
				col := src + int(pr[0])
				ng := int(pr[1])
				if c.simd != loopGo && ng > 0 {
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
							if c.simd != loopGo {
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
	o.stats.PairsEvaluated = 2*looked.Load() + int64(g.N)
	o.stats.PairsWithinCutoff = within.Load()
	if g.Cutoff == 0 {
		o.stats.PairsWithinCutoff = int64(g.N) * int64(g.N)
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
func (o *Operator) pairDist2(t, s int) float32 {
	d, e := o.x[t]-o.x[s], o.y[t]-o.y[s]
	d2 := float32(d*d) + float32(e*e)
	if o.z != nil {
		f := o.z[t] - o.z[s]
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

func bits8(m uint8) int { return bits.OnesCount8(m) }

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
	copy(c.vpad, src) // the loops read whole groups, up to 7 past the last point
	src = c.vpad
	o.parallel(func(scratch []float64, i int) {
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
			out[t] = (hsum8((*[8]float64)(acc8[8*t:])) + acc[t]) + vi[t]
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
