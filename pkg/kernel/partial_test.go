package kernel

import (
	"math"
	"slices"
	"testing"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// A partial cache (the budget holds the tiles among the first cells only) adds those
// tiles to on-the-fly products of every other pair: the products of the whole cache to
// rounding, for vectors and blocks, with the same degrees and pair count, within its
// budget, and the same bits for any thread count.
func TestPartialCache(t *testing.T) {
	defer mapEverything()()
	for _, c := range []cloud{
		{"swissroll", 3, swissRoll(3000, 41), 0.02},
		{"spiral", 2, spiral(3000, 42), 0.01},
	} {
		g := mustGrid(t, c, 4, grid.Options{CellSize: CachedCellFraction * 4})
		full := mustOp(t, g, Options{CacheBudget: 1 << 40})
		whole := full.Stats().CacheBytes
		fly := mustOp(t, g, Options{CacheBudget: -1})
		for _, frac := range []float64{0.7, 0.85, 0.95} {
			budget := int64(frac * float64(whole))
			op := mustOp(t, g, Options{CacheBudget: budget, Threads: 2})
			st := op.Stats()
			if !st.Cached || st.CacheBytes > budget || !(st.CacheFraction > 0 && st.CacheFraction < 1) ||
				op.cachedCells == 0 || op.cachedCells == len(g.Cells) {
				t.Fatalf("%s %.1f: %+v, %d of %d cells cached, want a partial cache within %d bytes", c.name, frac, st, op.cachedCells, len(g.Cells), budget)
			}
			t.Logf("%s, budget %.2f of the whole cache: %d of %d cells, %.2f of the pairs", c.name, frac, op.cachedCells, len(g.Cells), st.CacheFraction)
			if st.PairsWithinCutoff != full.Stats().PairsWithinCutoff {
				t.Errorf("%s %.1f: %d pairs within the cutoff, whole cache %d", c.name, frac, st.PairsWithinCutoff, full.Stats().PairsWithinCutoff)
			}
			// Each entry within rounding of its terms: |K| |v| summed is the degree for |v| <= 1.
			deg := full.Degrees()
			near := func(what string, got, want []float64, b int) {
				t.Helper()
				for i := range want {
					if math.Abs(got[i]-want[i]) > 1e-13*deg[i/b] {
						t.Fatalf("%s %.1f %s: entry %d = %.17g, whole cache %.17g", c.name, frac, what, i, got[i], want[i])
					}
				}
			}
			near("degrees", op.Degrees(), deg, 1)
			v := signedVec(g.N, 5)
			y, want, yf := make([]float64, g.N), make([]float64, g.N), make([]float64, g.N)
			op.MulVec(y, v)
			full.MulVec(want, v)
			fly.MulVec(yf, v)
			near("MulVec", y, want, 1)
			near("MulVec (on the fly)", y, yf, 1)
			y1 := make([]float64, g.N)
			mustOp(t, g, Options{CacheBudget: budget, Threads: 1}).MulVec(y1, v)
			if !slices.Equal(y1, y) {
				t.Fatalf("%s %.1f: MulVec depends on the thread count", c.name, frac)
			}
			for _, b := range []int{3, 8, 16} {
				vb := blockOf(g.N, b, uint64(b))
				yb, wb := make([]float64, g.N*b), make([]float64, g.N*b)
				op.MulBlock(yb, vb, b)
				full.MulBlock(wb, vb, b)
				near("MulBlock", yb, wb, b)
				one := mustOp(t, g, Options{CacheBudget: budget, Threads: 1})
				three := mustOp(t, g, Options{CacheBudget: budget, Threads: 3})
				y1, y3 := make([]float64, g.N*b), make([]float64, g.N*b)
				one.MulBlock(y1, vb, b)
				three.MulBlock(y3, vb, b)
				if !slices.Equal(y1, yb) || !slices.Equal(y3, yb) {
					t.Fatalf("%s %.1f: block of %d depends on the thread count", c.name, frac, b)
				}
			}
		}
	}
}
