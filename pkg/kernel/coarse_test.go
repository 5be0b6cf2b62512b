package kernel

import (
	"math"
	"testing"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// Coarsen against P^T K P built column by column from products with the aggregates'
// indicators (the operator's own values), in both modes, 2D and 3D, and its row sums
// against P^T D.
func TestCoarsenMatchesProducts(t *testing.T) {
	clouds := []cloud{
		{name: "roll3d", dim: 3, pts: swissRoll(1500, 3), sigma: 0.03},
		{name: "spiral2d", dim: 2, pts: spiralCloud(1200, 4), sigma: 0.02},
	}
	for _, c := range clouds {
		for _, md := range modes {
			g := mustGrid(t, c, 4, grid.Options{})
			op := mustOp(t, g, md.opt)
			ag, err := g.AggregateSorted(2)
			if err != nil {
				t.Fatal(err)
			}
			if ag.M < 10 || ag.M > g.N/3 {
				t.Fatalf("%s: %d aggregates of %d points", c.name, ag.M, g.N)
			}
			kc, err := op.Coarsen(ag.Labels, ag.M)
			if err != nil {
				t.Fatal(err)
			}
			dense := make([]float64, ag.M*ag.M)
			ind := make([]float64, g.N)
			kv := make([]float64, g.N)
			for col := 0; col < ag.M; col++ {
				for i, a := range ag.Labels {
					ind[i] = 0
					if int(a) == col {
						ind[i] = 1
					}
				}
				op.MulVec(kv, ind)
				for i, a := range ag.Labels {
					dense[int(a)*ag.M+col] += kv[i]
				}
			}
			got := make([]float64, ag.M*ag.M)
			for a := 0; a < ag.M; a++ {
				for p := kc.Ptr[a]; p < kc.Ptr[a+1]; p++ {
					if p > kc.Ptr[a] && kc.Col[p] <= kc.Col[p-1] {
						t.Fatalf("%s %s: row %d columns not ascending", c.name, md.name, a)
					}
					got[a*ag.M+int(kc.Col[p])] = kc.Val[p]
				}
			}
			deg := op.Degrees()
			for a := 0; a < ag.M; a++ {
				var rowSum, dc float64
				for b := 0; b < ag.M; b++ {
					w, h := dense[a*ag.M+b], got[a*ag.M+b]
					if math.Abs(w-h) > 1e-12*math.Max(1, math.Abs(w)) {
						t.Fatalf("%s %s: Kc[%d][%d] = %.17g, products give %.17g", c.name, md.name, a, b, h, w)
					}
					if got[b*ag.M+a] != h && math.Abs(got[b*ag.M+a]-h) > 1e-12*math.Abs(h) {
						t.Fatalf("%s %s: Kc not symmetric at (%d, %d)", c.name, md.name, a, b)
					}
					rowSum += h
				}
				for i, l := range ag.Labels {
					if int(l) == a {
						dc += deg[i]
					}
				}
				if math.Abs(rowSum-dc) > 1e-12*dc {
					t.Fatalf("%s %s: row %d sums to %.17g, P^T D = %.17g", c.name, md.name, a, rowSum, dc)
				}
			}
		}
	}
}

func spiralCloud(n int, seed uint64) []float64 {
	pts := make([]float64, 0, 2*n)
	for i := 0; i < n; i++ {
		t := 2 * math.Pi * float64(i) / float64(n)
		pts = append(pts, 0.4+0.4*(t/7)*math.Cos(t)+0.002*math.Sin(float64(i*int(seed))), 0.5+0.3*math.Sin(t))
	}
	return pts
}
