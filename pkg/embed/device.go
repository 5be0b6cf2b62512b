package embed

import (
	"fmt"
	"runtime"

	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/grid"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// device describes the operator that was built.
type device struct {
	name    string
	threads int
	stats   func() kernel.Stats
}

// buildGrid sorts the cloud into cells for the device that will run: the CPU's cached
// mode on cachedCells where those are not crowded, the on-the-fly mode and the GPU on the
// grid's default cells. Where a GPU may be used (auto with a CUDA driver present) the
// default cells are built, and newMatrix re-sorts if the CPU runs after all. hint is a
// warning for the summary when the cache is over the budget but would fit the machine.
func buildGrid(c *cloudio.Cloud, sigma, cutoff float64, opt Options) (g *grid.Grid, hint string, err error) {
	if opt.sparse != nil {
		return sparseGrid(opt.sparse), "", nil
	}
	cpu := cutoff > 0 && (opt.Device == "cpu" || !gpuDriverPresent())
	kopt := cpuKernelOptions(opt, c.N(), c.Dim)
	var cached *grid.Grid
	if cpu {
		if cached, err = cachedCells(c, sigma, cutoff); err != nil {
			return nil, "", err
		}
		if cached != nil {
			switch kernel.CacheModeFor(cached, kopt) {
			case kernel.WholeCache:
				return cached, "", nil
			case kernel.PartCache:
				if opt.CacheMemory >= 0 {
					hint = budgetHint(kernel.EstimateCost(cached, kopt))
				}
				return cached, hint, nil
			}
		}
	}
	g, err = grid.Build(c.Points, c.Dim, sigma, cutoff, grid.Options{})
	if err == nil && cpu && opt.CacheMemory >= 0 {
		cg := cached // the cells the cache would use
		if cg == nil {
			cg = g
		}
		if e := kernel.EstimateCost(cg, kopt); !e.Cached {
			hint = budgetHint(e)
		}
	}
	return g, hint, err
}

// budgetHint is the warning for a cache over the budget (estimate e): part of it cached,
// or none.
func budgetHint(e kernel.Estimate) string {
	if e.CacheFraction > 0 {
		return partialCacheHint(e.CacheBytes, e.CacheFraction)
	}
	return cacheHint(e.CacheBytes)
}

// cachedCells sorts the cloud into the cached mode's cells (kernel.CachedCellFraction
// cutoffs), or returns nil when those would be crowded (more than
// kernel.CachedCellMaxPoints points each on average) and the cache is better off on the
// default cells: the 10^6-point Swiss roll took 0.95 s per product on those against 1.08
// s on the larger ones.
func cachedCells(c *cloudio.Cloud, sigma, cutoff float64) (*grid.Grid, error) {
	g, err := grid.Build(c.Points, c.Dim, sigma, cutoff, grid.Options{CellSize: kernel.CachedCellFraction * cutoff})
	if err != nil || g.N > kernel.CachedCellMaxPoints*len(g.Cells) {
		return nil, err
	}
	return g, nil
}

// cacheHint says how to cache a kernel of the given size when that fits the machine
// (cacheMemoryFlag); empty otherwise.
func cacheHint(bytes int64) string {
	flag := cacheMemoryFlag(bytes)
	if flag == "" {
		return ""
	}
	return fmt.Sprintf("the kernel cache (~%s) is over the cache budget, so products are evaluated on the fly (several times slower); Options.CacheMemory %s would cache it",
		FormatBytes(bytes), flag)
}

// partialCacheHint says that only part of a cache of the given size fits the budget, and
// how to cache it all when that fits the machine.
func partialCacheHint(bytes int64, frac float64) string {
	all := ""
	if flag := cacheMemoryFlag(bytes); flag != "" {
		all = "; Options.CacheMemory " + flag + " would cache it all"
	}
	return fmt.Sprintf("the kernel cache (~%s) is over the cache budget: ~%.0f%% of it is cached, the rest evaluated on the fly (several times slower)%s",
		FormatBytes(bytes), 100*frac, all)
}

// cacheMemoryFlag is a --cache-memory value that holds a cache of the given size, or
// empty when that is over 80% of the available memory: cached products were ~5x faster
// than on the fly on the 10^6-point Swiss roll, worth raising the default budget (half
// the available memory) for, but not worth swapping.
func cacheMemoryFlag(bytes int64) string {
	switch {
	case bytes <= 0 || float64(bytes) > 0.8*float64(kernel.AvailableMemory()):
		return ""
	case bytes < 1<<30:
		return fmt.Sprintf("%dMiB", (bytes+1<<20-1)>>20)
	}
	return fmt.Sprintf("%dGiB", (bytes+1<<30-1)>>30)
}

// cpuKernelOptions are the CPU operator's options for opt and a cloud of n points.
func cpuKernelOptions(opt Options, n, dim int) kernel.Options {
	threads := opt.Threads
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	return kernel.Options{Threads: threads, CacheBudget: cacheBudget(opt, n, dim), Context: opt.ctx}
}

// cacheBudget is the kernel cache's budget: Options.CacheMemory, or by default half the
// available memory less what the rest of the run takes, so that the whole run stays within
// half the memory. The rest is the estimate of memory.go (EstimateMemory and the
// multilevel solver's blocks) times restOfRunFactor.
func cacheBudget(opt Options, n, dim int) int64 {
	if opt.CacheMemory != 0 {
		return opt.CacheMemory
	}
	k := opt.K
	if k == 0 {
		k = 7
	}
	b := eigsh.DefaultBlock(max(k-1, 1))
	rest := EstimateMemory(n, dim, k, defaultNCVEstimate(k)) + int64(n)*int64(b)*8*12
	budget := kernel.AvailableMemory()/2 - int64(restOfRunFactor*float64(rest))
	if budget <= 0 {
		return -1
	}
	return budget
}

// restOfRunFactor scales the run's memory estimate to its peak resident memory besides the
// cache: the collector lets the heap reach about twice what is live, and the estimate
// leaves out the coarse levels. The 10^6-point roll (sigma 0.01, cutoff 4, on the fly)
// peaked at 2.8-2.9 GB against an estimate of 1.2 GB.
const restOfRunFactor = 2.5

// newMatrix builds the kernel operator on the device the options ask for. The CPU's
// cached mode may sort the cloud again with larger cells (after a GPU was tried), so the
// grid the operator uses is returned.
func newMatrix(c *cloudio.Cloud, g *grid.Grid, opt Options) (kernel.Matrix, *grid.Grid, device, error) {
	if opt.sparse != nil {
		return opt.sparse, g, sparseDevice(opt.sparse, opt), nil
	}
	if opt.Device != "cpu" {
		m, dev, err := newGPUMatrix(g, opt)
		switch {
		case err == nil:
			return m, g, dev, nil
		case opt.Device == "gpu":
			return nil, nil, device{}, err
		}
		// auto: fall back to the CPU silently; the summary says which device ran.
	}
	kopt := cpuKernelOptions(opt, c.N(), c.Dim)
	if g.Cutoff > 0 && g.CellEdge != kernel.CachedCellFraction*g.Cutoff && kernel.CacheModeFor(g, kopt) != kernel.NoCache {
		// Cached products run fastest on cachedCells; re-sorting costs little next to
		// building the cache.
		if g2, err := cachedCells(c, g.Sigma, g.Cutoff); err == nil && g2 != nil && kernel.CacheModeFor(g2, kopt) != kernel.NoCache {
			g = g2
		}
	}
	op, err := kernel.New(g, kopt)
	if err != nil {
		return nil, nil, device{}, err
	}
	return op, g, device{name: "cpu", threads: kopt.Threads, stats: op.Stats}, nil
}
