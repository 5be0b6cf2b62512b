package embed

import (
	"runtime"

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

// newMatrix builds the kernel operator on the device the options ask for. The CPU's
// cached mode may sort the cloud again with larger cells, so the grid the operator uses
// is returned.
func newMatrix(c *cloudio.Cloud, g *grid.Grid, opt Options) (kernel.Matrix, *grid.Grid, device, error) {
	threads := opt.Threads
	if threads == 0 {
		threads = runtime.NumCPU()
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
	kopt := kernel.Options{Threads: threads, CacheBudget: opt.CacheMemory}
	if g.Cutoff > 0 && kernel.EstimateCost(g, kopt).Cached {
		// Cached products run on fuller tiles with larger cells (kernel.CachedCellFraction);
		// re-sorting costs a small fraction of building the cache.
		if g2, err := grid.Build(c.Points, c.Dim, g.Sigma, g.Cutoff, grid.Options{CellSize: kernel.CachedCellFraction * g.Cutoff}); err == nil &&
			kernel.EstimateCost(g2, kopt).Cached {
			g = g2
		}
	}
	op, err := kernel.New(g, kopt)
	if err != nil {
		return nil, nil, device{}, err
	}
	return op, g, device{name: "cpu", threads: threads, stats: op.Stats}, nil
}
