package embed

import (
	"runtime"

	"github.com/spectral-dev/spectral/pkg/grid"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// device describes the operator that was built.
type device struct {
	name    string
	threads int
	stats   func() kernel.Stats
}

// newMatrix builds the kernel operator on the device the options ask for.
func newMatrix(g *grid.Grid, opt Options) (kernel.Matrix, device, error) {
	threads := opt.Threads
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	if opt.Device != "cpu" {
		m, dev, err := newGPUMatrix(g, opt)
		switch {
		case err == nil:
			return m, dev, nil
		case opt.Device == "gpu":
			return nil, device{}, err
		}
		// auto: fall back to the CPU silently; the summary says which device ran.
	}
	op, err := kernel.New(g, kernel.Options{Threads: threads, CacheBudget: opt.CacheMemory})
	if err != nil {
		return nil, device{}, err
	}
	return op, device{name: "cpu", threads: threads, stats: op.Stats}, nil
}
