package embed

import (
	"testing"

	"github.com/spectral-dev/spectral/pkg/kernel"
)

// TestMeasuredRates: the calibration's rates are per thread and in the units of the
// reference constants (a unit slip, such as per process instead of per thread or
// nonzeros against evaluated pairs, would put them orders of magnitude off). The bounds
// are two orders of magnitude wide: the rates are timings, and a loaded machine is slow.
func TestMeasuredRates(t *testing.T) {
	for _, threads := range []int{1, 2} {
		otf, cached := measuredRates(threads)
		if !(otf > kernel.OnTheFlyPairsPerSecondPerCore/100 && otf < kernel.OnTheFlyPairsPerSecondPerCore*100) {
			t.Errorf("%d threads: on the fly %.3g pairs/s per thread, reference %.3g", threads, otf, kernel.OnTheFlyPairsPerSecondPerCore)
		}
		if !(cached > kernel.CachedProductsPerSecondPerCore/100 && cached < kernel.CachedProductsPerSecondPerCore*100) {
			t.Errorf("%d threads: cached %.3g nonzeros/s per thread, reference %.3g", threads, cached, kernel.CachedProductsPerSecondPerCore)
		}
	}
}

// A first level capped at maxFirstEdge is estimated at the passes it was measured to
// take (multilevelPassesNarrow), not the ~20 of a wide kernel.
func TestSolveEstimateNarrow(t *testing.T) {
	wide, ws, _ := solveEstimate(SolverMultilevel, 1e6, 7, 0.1, 2, false, false)
	narrow, ns, _ := solveEstimate(SolverMultilevel, 1e6, 7, 0.1, 2, false, true)
	if narrow != multilevelPassesNarrow || wide >= narrow || !(ns > 3*ws) {
		t.Errorf("passes %d (%.3g s) wide, %d (%.3g s) narrow", wide, ws, narrow, ns)
	}
}
