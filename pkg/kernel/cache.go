package kernel

import (
	"math"
	"sync"

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
	yblk  []float64 // MulBlock's tile buffers: ybuf's layout, b values per entry (grown on demand)
	// releaseYblk unmaps yblk when it lies outside the heap (offHeap).
	releaseYblk func()
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
// the row pairs' spans, four offsets, a base and a width per entry of the neighbour
// lists, a float64 per point of j for each tile (i, j>i) (the transposed products), and
// the loops' padding. The built cache stores only the nonzeros (Stats.CacheBytes: about
// half of this bound on the Swiss roll).
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

// CacheMode is what New would keep of the kernel's cache.
type CacheMode int

const (
	NoCache    CacheMode = iota // evaluated on the fly
	PartCache                   // the tiles among the first cells (Stats.CacheFraction)
	WholeCache                  // every tile
)

// CacheModeFor is what New would cache of g's kernel under opt: all of it where the budget
// (opt.CacheBudget; 0 = half of the available memory, < 0 = never) holds cacheNeed(g);
// part of it where the budget holds at least minPartialCache of that (and the grid has a
// cutoff): the cached tiles of the first cells then serve, and products evaluate the
// other pairs on the fly; none otherwise.
func CacheModeFor(g *grid.Grid, opt Options) CacheMode {
	m, _, _ := cachePlan(g, opt)
	return m
}

// cachePlan is CacheModeFor with the budget and cacheNeed it was decided from.
func cachePlan(g *grid.Grid, opt Options) (m CacheMode, budget, need int64) {
	budget = cacheBudget(opt)
	need = cacheNeed(g, budget, opt.Threads)
	switch {
	case budget <= 0:
	case need <= budget:
		return WholeCache, budget, need
	case g.Cutoff > 0 && need != math.MaxInt64 && float64(budget) >= minPartialCache*float64(need):
		return PartCache, budget, need
	}
	return NoCache, budget, need
}

// WouldCache says whether New would cache the whole kernel of g under opt.
func WouldCache(g *grid.Grid, opt Options) bool { return CacheModeFor(g, opt) == WholeCache }

// WouldCachePart says whether New would cache part of the kernel of g under opt.
func WouldCachePart(g *grid.Grid, opt Options) bool { return CacheModeFor(g, opt) == PartCache }

// minPartialCache is the least share of the cache worth holding: the cached mode's cells
// make on-the-fly products ~15% dearer (more pairs looked at), and a cached pair costs
// about a third of one on the fly (10^5 roll, sigma 0.01, blocks of 8: 110 ms cached
// against 275 ms on the fly on the default cells and 315 ms on the cached mode's), so
// a partial cache pays from about a fifth of the pairs.
const minPartialCache = 0.25

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
func cacheNeed(g *grid.Grid, budget int64, threads int) int64 {
	bound := CacheBytesFor(g)
	if bound <= budget || bound == math.MaxInt64 {
		return bound
	}
	_, within := EstimatePairs(g, threads)
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
