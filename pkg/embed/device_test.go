package embed

import (
	"testing"

	"github.com/spectral-dev/spectral/pkg/generate"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// buildGrid's choice of cells: the cached mode's larger cells for a sparse cloud whose
// cache fits, the default cells when those would be crowded (a dense spiral), when the
// cache does not fit, and for every pair (cutoff 0).
func TestBuildGridCells(t *testing.T) {
	roll := &cloudio.Cloud{Points: generate.SwissRoll(3000, 0.01, 0), Dim: 3}
	spiral := &cloudio.Cloud{Points: generate.Spiral(3000, 0.01, 0), Dim: 2}
	whole, err := cachedCells(roll, 0.02, 4)
	if err != nil || whole == nil {
		t.Fatalf("cached cells: %v", err)
	}
	op, err := kernel.New(whole, kernel.Options{CacheBudget: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	part := op.Stats().CacheBytes * 6 / 10 // over the whole cache's estimate: a partial one
	for _, c := range []struct {
		name          string
		cloud         *cloudio.Cloud
		sigma, cutoff float64
		cache         int64
		cached        bool // want cells of kernel.CachedCellFraction cutoffs
	}{
		{"sparse roll", roll, 0.02, 4, 0, true},
		{"roll, no cache", roll, 0.02, 4, -1, false},
		{"roll, cache over budget", roll, 0.02, 4, 1000, false},
		{"roll, partial cache", roll, 0.02, 4, part, true},
		{"dense spiral", spiral, 0.2, 4, 0, false},
		{"every pair", roll, 0.02, 0, 0, false},
	} {
		opt := Options{Device: "cpu", CacheMemory: c.cache}
		g, hint, err := buildGrid(c.cloud, c.sigma, c.cutoff, opt)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		larger := c.cutoff > 0 && g.CellEdge == kernel.CachedCellFraction*c.cutoff
		if larger != c.cached {
			t.Errorf("%s: cell edge %g (cutoff %g, %.0f points per cell), want the cached cells: %v",
				c.name, g.CellEdge, c.cutoff, float64(g.N)/float64(len(g.Cells)), c.cached)
		}
		// Only the over-budget cache that fits the machine gets a hint.
		if (hint != "") != (c.name == "roll, cache over budget" || c.name == "roll, partial cache") {
			t.Errorf("%s: hint %q", c.name, hint)
		}
		if c.cached && float64(g.N) > kernel.CachedCellMaxPoints*float64(len(g.Cells)) {
			t.Errorf("%s: %d points in %d cells", c.name, g.N, len(g.Cells))
		}
	}
}
