// Package kernel is the block-sparse Gaussian kernel operator on the CPU:
// K(i,j) = exp(-|xi-xj|^2 / 2 sigma^2) for |xi-xj| <= cutoff*sigma (K(i,i) = 1), applied
// to vectors in the grid's sorted order, with the degrees D = K 1 and the graph
// Laplacians built from them.
//
// The cutoff rule is decided per pair in float32 on the grid's scaled points:
// keep (i,j) when float32 d2 <= float32(cutoff^2), with d2 = dx*dx + dy*dy (+ dz*dz) in
// that order. It is the same in products, degrees, counts and the cache, so K is exactly
// symmetric. Kernel values are float32 (max relative error ExpMaxRelErr against math.Exp;
// values below ~2.7e-38 flush to 0, which matters only for cutoffs above 13); sums are float64.
//
// Two modes, chosen by New: on the fly (each product evaluates the kernel; no memory
// beyond the points) and cached (New stores each kept tile once per unordered pair of
// cells as float32, and products only multiply). Both are parallel over target cells and
// give bit-identical results for any number of threads: each output entry is summed by one
// worker in an order fixed by the data.
package kernel

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/spectral-dev/spectral/internal/parallel"
	"github.com/spectral-dev/spectral/internal/sysmem"
	"github.com/spectral-dev/spectral/pkg/grid"
)

// Options tune the operator; zero values mean defaults.
type Options struct {
	Threads     int   // workers; 0 = one per core
	CacheBudget int64 // bytes for cached kernel values; 0 = half the available memory, <0 = never cache
	// Context, when set, stops the cache build, the pair count and the degrees between
	// target cells (New then returns its error), and a product between cells (its result
	// is then incomplete; callers check the context after each product).
	Context context.Context
}

// Stats describe the operator's work.
type Stats struct {
	PairsEvaluated    int64 // ordered pairs (i,j) looked at per product (cached: stored, per direction)
	PairsWithinCutoff int64 // ordered pairs with |xi-xj| <= cutoff*sigma, i == j included
	Cached            bool
	CacheBytes        int64
	// CacheFraction is the share of the pairs within the cutoff whose values the cache
	// holds: 1 cached, 0 on the fly, in between for a partial cache (the budget held
	// the tiles of the grid's first cells only; the rest is evaluated on the fly).
	CacheFraction float64
}

// Operator is y = K v on the grid's sorted points.
type Operator struct {
	g       *grid.Grid
	threads int
	ctx     context.Context // nil: never cancelled
	x, y, z []float32       // sorted points as separate coordinate arrays (SoA) for the hot loop
	c2      float32         // squared cutoff used for values (flushed at underflowD2)
	chunks  []int           // target cells [chunks[k], chunks[k+1]) form work item k
	maxCell int
	deg     []float64
	stats   Stats
	cache   *tileCache
	blocks  *blockPattern // on the fly: per-block source ranges (nil: per-cell ranges)
	// cachedCells: the cache holds the tiles among cells [0, cachedCells); with a partial
	// cache (cachedCells < len(Cells)) the on-the-fly pattern (blocks) covers every
	// other pair, and products add the two.
	cachedCells int
}

// New builds the operator and computes the degrees.
func New(g *grid.Grid, opt Options) (*Operator, error) {
	if g == nil || g.N == 0 || len(g.Cells) == 0 {
		return nil, fmt.Errorf("kernel: empty grid")
	}
	if len(g.Points) != g.N*g.Dim || len(g.NbrPtr) != len(g.Cells)+1 || len(g.RangePtr) != len(g.Cells)+1 {
		return nil, fmt.Errorf("kernel: inconsistent grid (%d points, %d cells)", g.N, len(g.Cells))
	}
	o := &Operator{g: g, threads: opt.Threads, ctx: opt.Context}
	if o.threads <= 0 {
		o.threads = runtime.GOMAXPROCS(0)
	}
	o.x = make([]float32, g.N, g.N+8) // +8: the cache fill reads whole groups
	o.y = make([]float32, g.N, g.N+8) // +8: the cache fill reads whole groups
	if g.Dim == 3 {
		o.z = make([]float32, g.N, g.N+8) // +8: the cache fill reads whole groups
	}
	for s := 0; s < g.N; s++ {
		p := g.Points[s*g.Dim : (s+1)*g.Dim]
		o.x[s] = p[0]
		if g.Dim > 1 {
			o.y[s] = p[1]
		}
		if g.Dim > 2 {
			o.z[s] = p[2]
		}
	}
	c2 := cutoff2(g)
	o.c2 = min(c2, underflowD2)
	for _, c := range g.Cells {
		o.maxCell = max(o.maxCell, c.End-c.Start)
	}
	o.stats.PairsEvaluated = evaluated(g)
	o.chunks = splitWork(g, o.threads)

	switch mode, budget, _ := cachePlan(g, opt); mode {
	case WholeCache:
		o.buildCache(0) // the estimate holds it all: no prefix
	case PartCache:
		o.buildCache(budget) // no cache where the part that fits is too small to pay
	}
	switch {
	case o.cache != nil:
		o.stats.Cached = true
		o.stats.CacheBytes = o.cache.bytes()
		if o.partial() {
			cached := o.stats.PairsEvaluated
			o.buildBlocks(sourceChunk, mergeGap)
			o.stats.PairsEvaluated += cached
		}
	default:
		if g.Cutoff > 0 {
			o.buildBlocks(sourceChunk, mergeGap)
		}
		if o.stats.PairsWithinCutoff == 0 { // not counted by a cache build
			o.stats.PairsWithinCutoff = o.countWithin(c2)
		}
	}
	o.deg = make([]float64, g.N)
	ones := make([]float64, g.N)
	for i := range ones {
		ones[i] = 1
	}
	o.MulVec(o.deg, ones)
	if o.ctx != nil && o.ctx.Err() != nil {
		return nil, o.ctx.Err()
	}
	return o, nil
}

// cutoff2 is the squared cutoff of the float32 rule; cutoff 0 keeps every pair.
func cutoff2(g *grid.Grid) float32 {
	if g.Cutoff == 0 {
		return float32(math.Inf(1))
	}
	return float32(g.Cutoff * g.Cutoff)
}

// Dims is the number of points.
func (o *Operator) Dims() int { return o.g.N }

// Grid is the grid the operator works on.
func (o *Operator) Grid() *grid.Grid { return o.g }

// MulVec sets dst = K src (sorted order); dst and src must not overlap. It panics if the
// lengths are not Dims(). Concurrent calls are safe (cached products run one at a time).
func (o *Operator) MulVec(dst, src []float64) {
	if len(dst) != o.g.N || len(src) != o.g.N {
		panic(fmt.Sprintf("kernel: MulVec lengths %d, %d, want %d", len(dst), len(src), o.g.N))
	}
	if o.cache == nil || o.partial() {
		o.parallel(func(_ []float64, i int) { o.sweepCell(i, dst, src) })
	}
	if o.cache != nil && (o.ctx == nil || o.ctx.Err() == nil) {
		o.cachedProduct(dst, src, o.partial())
	}
}

// partial says whether the cache holds only part of the kernel (cachedCells).
func (o *Operator) partial() bool { return o.cache != nil && o.cachedCells < len(o.g.Cells) }

// Degrees returns D = K 1 (sorted order), from the same kernel values as MulVec.
func (o *Operator) Degrees() []float64 { return o.deg }

// Stats reports the work per product.
func (o *Operator) Stats() Stats { return o.stats }

// parallel runs f on every target cell, with o.threads workers taking contiguous chunks
// of cells in turn. Which worker does a cell does not change its result.
func (o *Operator) parallel(f func(acc []float64, cell int)) { o.parallelScratch(0, f) }

// parallelScratch is parallel with a scratch slice of the given length per worker.
func (o *Operator) parallelScratch(scratch int, f func(acc []float64, cell int)) {
	parallelState(o, func() []float64 {
		if scratch > 0 {
			return make([]float64, scratch)
		}
		return nil
	}, f)
}

// parallelState runs f on every target cell with a per-worker state made by mk, o.threads
// workers taking contiguous chunks of cells in turn. Which worker does a cell does not
// change its result. A cancelled context stops the workers between cells (every few ms
// of work), leaving the product incomplete: callers check the context after it.
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
				if o.ctx != nil && o.ctx.Err() != nil {
					return
				}
				f(st, i)
			}
		}
	}
	if o.threads == 1 || len(o.chunks) <= 2 {
		work()
		return
	}
	onWorkers(o.threads, work)
}

// cellCost is the work of target cell i: the pairs it evaluates plus a per-target overhead.
func cellCost(g *grid.Grid, i int) int64 {
	c := g.Cells[i]
	var src int64
	for _, r := range g.Ranges[g.RangePtr[i]:g.RangePtr[i+1]] {
		src += int64(r[1] - r[0])
	}
	return int64(c.End-c.Start) * (src + 16)
}

// splitWork cuts the cells into contiguous chunks of about equal cost, several per
// worker so that uneven cells still balance.
func splitWork(g *grid.Grid, threads int) []int {
	nc := len(g.Cells)
	var total int64
	for i := 0; i < nc; i++ {
		total += cellCost(g, i)
	}
	pieces := int64(threads * 8)
	if threads == 1 {
		pieces = 1
	}
	target := max(total/pieces, 1)
	chunks := []int{0}
	var acc int64
	for i := 0; i < nc; i++ {
		acc += cellCost(g, i)
		if acc >= target && i+1 < nc {
			chunks = append(chunks, i+1)
			acc = 0
		}
	}
	return append(chunks, nc)
}

// evaluated counts the ordered pairs a product looks at.
func evaluated(g *grid.Grid) int64 {
	var n int64
	for i := range g.Cells {
		n += cellCost(g, i) - 16*int64(g.Cells[i].End-g.Cells[i].Start)
	}
	return n
}

// EstimatePairs gives, before any kernel evaluation, the ordered pairs in the grid's
// pattern (what the cached mode stores, per direction, and an upper bound of what the
// on-the-fly mode evaluates after its per-block pruning) and an estimate of the pairs
// within the cutoff (exact count for up to 2048 sampled targets against up to
// maxEstimateSources of their sources each, scaled up; exact when N <= 2048), on threads
// goroutines (0 = GOMAXPROCS).
func EstimatePairs(g *grid.Grid, threads int) (evaluatedPairs, withinEstimate int64) {
	evaluatedPairs = evaluated(g)
	if g.Cutoff == 0 {
		return evaluatedPairs, int64(g.N) * int64(g.N)
	}
	c2 := cutoff2(g)
	step := max(1, g.N/2048)
	samples := (g.N + step - 1) / step
	// The sampled targets on threads goroutines (at 10^4 points with the cached mode's
	// coarse cells, this was ~30 ms of one core before each solve); integer counts, so the
	// estimate does not depend on the thread count.
	var hits atomic.Int64
	parallel.Chunks(samples, threads, 64, func() func(int) {
		return func(k int) {
			t := k * step
			cell := sort.Search(len(g.Cells), func(c int) bool { return g.Cells[c].End > t })
			ranges := g.Ranges[g.RangePtr[cell]:g.RangePtr[cell+1]]
			sources := 0
			for _, r := range ranges {
				sources += int(r[1] - r[0])
			}
			// Every stride-th source of the target's pattern, counted stride times: a
			// nearly dense grid of 2*10^5 points took seconds for 2048 targets x every
			// source.
			stride := max(1, sources/maxEstimateSources)
			pt := g.Points[t*g.Dim : (t+1)*g.Dim]
			var h int64
			off := 0
			for _, r := range ranges {
				s := int(r[0]) + off
				for ; s < int(r[1]); s += stride {
					ps := g.Points[s*g.Dim : (s+1)*g.Dim]
					if dist2(pt, ps) <= c2 {
						h++
					}
				}
				off = s - int(r[1])
			}
			hits.Add(h * int64(stride))
		}
	})
	return evaluatedPairs, int64(math.Round(float64(hits.Load()) * float64(g.N) / float64(samples)))
}

// maxEstimateSources is the most sources EstimatePairs examines per sampled target.
const maxEstimateSources = 8192

// dist2 is the float32 squared distance of the cutoff rule (the hot loops compute the
// same expression on the SoA copies).
func dist2(p, q []float32) float32 {
	d := p[0] - q[0]
	d2 := d * d
	for a := 1; a < len(p); a++ {
		d = p[a] - q[a]
		d2 = float32(d2 + float32(d*d))
	}
	return d2
}

// Estimate is what a product will cost, known before building the operator.
type Estimate struct {
	PairsEvaluated    int64   // ordered pairs looked at per on-the-fly product (sampled cells; exact up to 8192 points)
	PairsWithinCutoff int64   // estimated nonzeros of K
	CacheBytes        int64   // memory of the cached mode (an upper bound, or an estimate where that bound is over budget)
	Cached            bool    // whether New would cache under opt
	CacheFraction     float64 // share of the cache a partial cache would hold (0: none or all, see Cached)
	SecondsPerProduct float64 // from the throughputs measured on a 2-core x86_64 VM
	SecondsFirstBuild float64 // extra time of New (cache fill or counting, and the degrees)
}

// Throughputs measured on the project's 2-core x86_64 VM with both cores free
// (BENCHMARKS.md), per core; used only for estimates. On the fly: the 10^6-point Swiss
// roll (sigma 0.01, cutoff 4) ran at 1.86e9 evaluated pairs/s on 2 cores; cached (masked
// tiles, AVX-512): 2.1e9-5.9e9 nonzeros/s on 2 cores over the benchmark cases, and ~1 s
// per product for the 5.06e9 nonzeros of that roll, Lanczos step included. A loaded
// machine, or one without AVX-512, gives less.
const (
	OnTheFlyPairsPerSecondPerCore  = 9.0e8
	CachedProductsPerSecondPerCore = 2.0e9
)

// EstimateCost predicts the work of an operator on g under opt without evaluating the
// kernel (for `spectral info`).
func EstimateCost(g *grid.Grid, opt Options) Estimate {
	cellPairs, within := EstimatePairs(g, opt.Threads)
	ev := estimateBlockPairs(g)
	e := Estimate{PairsEvaluated: ev, PairsWithinCutoff: within}
	threads := opt.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	mode, budget, need := cachePlan(g, opt)
	e.CacheBytes = need
	e.Cached = mode == WholeCache
	otf := float64(ev) / (OnTheFlyPairsPerSecondPerCore * float64(threads))
	if mode == PartCache {
		e.CacheFraction = float64(budget) / float64(need)
	}
	if e.Cached || e.CacheFraction > 0 {
		f := 1.0
		if !e.Cached {
			f = e.CacheFraction
		}
		cached := float64(within) / (CachedProductsPerSecondPerCore * float64(threads))
		e.SecondsPerProduct = f*cached + (1-f)*otf
		// The cache fill evaluates the grid's pattern once per unordered pair of cells.
		e.SecondsFirstBuild = float64(cellPairs)/(2*OnTheFlyPairsPerSecondPerCore*float64(threads)) + e.SecondsPerProduct
	} else {
		e.SecondsPerProduct = otf
		e.SecondsFirstBuild = 1.3 * otf
	}
	return e
}

// defaultBudget is half of the available memory.
func defaultBudget() int64 { return AvailableMemory() / 2 }

// AvailableMemory is MemAvailable from /proc/meminfo, or 2 GiB where that is unknown.
func AvailableMemory() int64 { return sysmem.Available() }

// countWithin counts the ordered pairs with float32 d2 <= c2 (the exact nonzero count),
// over the sources the products sweep (the block pattern where there is one), so that a
// pair the pattern missed would show in the count.
func (o *Operator) countWithin(c2 float32) int64 {
	g := o.g
	if g.Cutoff == 0 {
		return int64(g.N) * int64(g.N)
	}
	var total atomic.Int64
	o.parallel(func(_ []float64, i int) {
		c := g.Cells[i]
		var n int64
		var bits []uint8
		for t := c.Start; t < c.End; t++ {
			for _, r := range o.sourceRanges(i, t) {
				nj := int(r[1] - r[0])
				if nj < 32 { // too short for the scan to pay (10^7 roll: most ranges)
					for s := int(r[0]); s < int(r[1]); s++ {
						if o.pairDist2(t, s) <= c2 {
							n++
						}
					}
					continue
				}
				if need := (nj + 7) >> 3; cap(bits) < need {
					bits = make([]uint8, need+64)
				}
				row := bits[:(nj+7)>>3]
				clear(row)
				// rowBits is the cache build's scan (AVX2 where there is one, the
				// products' float32 expression): it counts within c2 as it sets bits.
				n += o.rowBits(row, t, int(r[0]), 0, nj, c2)
			}
		}
		total.Add(n)
	})
	return total.Load()
}

// onWorkers runs work on n goroutines and waits for them; the caller is one of the
// workers, one goroutine fewer to start and wake per call (which counts at hundreds of
// small products a second). work takes its items from a shared counter.
func onWorkers(n int, work func()) {
	var wg sync.WaitGroup
	for t := 1; t < n; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// OffDiagonalRow appends to idx and val the sources s != t (sorted order, ascending) of
// row t with a nonzero kernel value, and those values: the float32 values every product
// sums, so a row rebuilt from them is the operator's own. It is for the few rows whose
// weight off the diagonal is so small that K v - K(t,t) v loses it to cancellation
// (embed's loop-free graph of spectral cluster); one row costs a sweep of t's
// neighbour cells.
func (o *Operator) OffDiagonalRow(t int, idx []int32, val []float64) ([]int32, []float64) {
	g := o.g
	c := sort.Search(len(g.Cells), func(i int) bool { return g.Cells[i].End > t })
	var buf []float32
	for _, r := range g.Ranges[g.RangePtr[c]:g.RangePtr[c+1]] {
		lo, hi := int(r[0]), int(r[1])
		buf = slices.Grow(buf[:0], hi-lo)[:hi-lo]
		o.gaussRow(buf, t, lo)
		for l, w := range buf {
			if w != 0 && lo+l != t {
				idx, val = append(idx, int32(lo+l)), append(val, float64(w))
			}
		}
	}
	return idx, val
}
