package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// TestEstimatePairsStrided: where targets see more than maxEstimateSources sources (nearly
// dense runs, the pre-flight check of issue 11), EstimatePairs examines every stride-th
// source. Its estimate must stay within 2% of the count over every source for the same
// sampled targets (brute force here), and be n^2 when every pair is within the cutoff.
func TestEstimatePairsStrided(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	const n = 24000
	pts := make([]float64, 2*n)
	for i := range pts {
		pts[i] = r.Float64()
	}
	for _, sigma := range []float64{1, 0.2} { // every pair within; a part
		g, err := grid.Build(pts, 2, sigma, DefaultCutoff, grid.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, est := EstimatePairs(g, 0)
		c2 := cutoff2(g)
		step := max(1, g.N/2048)
		var hits, samples, maxSources int64
		cell := 0
		for tg := 0; tg < g.N; tg += step {
			for g.Cells[cell].End <= tg {
				cell++
			}
			samples++
			var sources int64
			for _, rg := range g.Ranges[g.RangePtr[cell]:g.RangePtr[cell+1]] {
				sources += int64(rg[1] - rg[0])
				for s := int(rg[0]); s < int(rg[1]); s++ {
					if dist2(g.Points[tg*2:tg*2+2], g.Points[s*2:s*2+2]) <= c2 {
						hits++
					}
				}
			}
			maxSources = max(maxSources, sources)
		}
		if maxSources < 2*maxEstimateSources {
			t.Fatalf("sigma %g: at most %d sources per target: the stride is not exercised", sigma, maxSources)
		}
		want := math.Round(float64(hits) * float64(g.N) / float64(samples))
		if rel := math.Abs(float64(est)-want) / want; rel > 0.02 {
			t.Errorf("sigma %g: strided estimate %d, every source %.0f (%.2f%% off)", sigma, est, want, 100*rel)
		}
		if sigma == 1 && want != n*n {
			t.Errorf("sigma 1: %.0f pairs within, want every pair %d", want, n*n)
		}
	}
}
