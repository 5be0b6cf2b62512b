package kernel

import (
	"context"
	"errors"
	"testing"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// TestNewCancelled: a cancelled context stops the cache build and the degrees (checked
// between cells) and New returns its error, in both modes.
func TestNewCancelled(t *testing.T) {
	g := cancelGrid(t)
	for _, budget := range []int64{0, -1, partialBudget(t, g)} { // cached, on the fly, partial
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := New(g, Options{Threads: 2, CacheBudget: budget, Context: ctx}); !errors.Is(err, context.Canceled) {
			t.Errorf("budget %d: %v, want context.Canceled", budget, err)
		}
		op, err := New(g, Options{Threads: 2, CacheBudget: budget, Context: context.Background()})
		if err != nil || len(op.Degrees()) != 4000 || !(op.Degrees()[0] >= 1) {
			t.Errorf("budget %d, not cancelled: %v", budget, err)
		}
	}
}

// TestProductsCancelled: once the operator's context is cancelled, an on-the-fly block
// product stops between cells (here before the first: dst keeps its sentinel) and
// Coarsen returns the context's error; a 10^6-point pass takes ~20 s, far over the
// second Ctrl-C is allowed.
func TestProductsCancelled(t *testing.T) {
	g := cancelGrid(t)
	for _, budget := range []int64{-1, partialBudget(t, g)} { // on the fly, partial
		ctx, cancel := context.WithCancel(context.Background())
		op, err := New(g, Options{Threads: 2, CacheBudget: budget, Context: ctx})
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		const b = 8
		src, dst := make([]float64, g.N*b), make([]float64, g.N*b)
		for i := range dst {
			dst[i] = -1
		}
		op.MulBlock(dst, src, b)
		for i, v := range dst {
			if v != -1 {
				t.Fatalf("budget %d: entry %d written after cancellation", budget, i)
			}
		}
		labels := make([]int32, g.N)
		if _, err := op.Coarsen(labels, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("budget %d: Coarsen: %v, want context.Canceled", budget, err)
		}
	}
}

// partialBudget is a cache budget that makes g's operator a partial cache.
func partialBudget(t *testing.T, g *grid.Grid) int64 {
	t.Helper()
	whole := mustOp(t, g, Options{CacheBudget: 1 << 40}).Stats().CacheBytes
	budget := whole * 9 / 10
	if st := mustOp(t, g, Options{CacheBudget: budget}).Stats(); !st.Cached || st.CacheFraction >= 1 {
		t.Fatalf("budget %d of %d: %+v, want a partial cache", budget, whole, st)
	}
	return budget
}

// cancelGrid is a 4000-point lattice's grid (sigma 1, cutoff 4).
func cancelGrid(t *testing.T) *grid.Grid {
	t.Helper()
	pts := make([]float64, 0, 2*4000)
	for i := 0; i < 4000; i++ {
		pts = append(pts, float64(i%63)*0.37, float64(i/63)*0.41)
	}
	g, err := grid.Build(pts, 2, 1, 4, grid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}
