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
	if g.Cutoff > 0 && float64(g.N) < kernel.SparseCellPoints*float64(len(g.Cells)) && kernel.EstimateCost(g, kopt).Cached {
		// Sparse cells make small tiles: cached products run 2-2.6x faster on cells of
		// one cutoff (kernel.CachedCellFraction). Dense cells (the spiral at sigma 0.05,
		// hundreds of points per cell) are faster as they are. Re-sorting costs little
		// next to building the cache.
		g2, err := grid.Build(c.Points, c.Dim, g.Sigma, g.Cutoff, grid.Options{CellSize: kernel.CachedCellFraction * g.Cutoff})
		if err == nil && kernel.EstimateCost(g2, kopt).Cached {
			g = g2
		}
	}
	op, err := kernel.New(g, kopt)
	if err != nil {
		return nil, nil, device{}, err
	}
	return op, g, device{name: "cpu", threads: threads, stats: op.Stats}, nil
}
