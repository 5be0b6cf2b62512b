package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
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
			checkCoarse(t, c.name+" "+md.name, op, ag.Labels, ag.M)
		}
	}
}

// Labels that are not boxes: random, interleaved within every cell, with unused ids
// and aggregates spread over the whole cloud.
func TestCoarsenScatteredLabels(t *testing.T) {
	c := cloud{name: "roll3d", dim: 3, pts: swissRoll(1500, 5), sigma: 0.03}
	g := mustGrid(t, c, 4, grid.Options{})
	r := rand.New(rand.NewPCG(3, 4))
	const m = 60
	labels := make([]int32, g.N)
	for i := range labels {
		labels[i] = int32(2 * r.IntN(m/2)) // odd ids unused
	}
	for _, md := range modes {
		checkCoarse(t, "scattered "+md.name, mustOp(t, g, md.opt), labels, m)
	}
}

// checkCoarse compares Coarsen with P^T K P from products with the indicators of the
// aggregates, and its row sums with P^T D.
func checkCoarse(t *testing.T, name string, op *Operator, labels []int32, m int) {
	t.Helper()
	n := op.Dims()
	kc, err := op.Coarsen(labels, m)
	if err != nil {
		t.Fatal(err)
	}
	dense := make([]float64, m*m)
	ind := make([]float64, n)
	kv := make([]float64, n)
	for col := 0; col < m; col++ {
		for i, a := range labels {
			ind[i] = 0
			if int(a) == col {
				ind[i] = 1
			}
		}
		op.MulVec(kv, ind)
		for i, a := range labels {
			dense[int(a)*m+col] += kv[i]
		}
	}
	got := make([]float64, m*m)
	for a := 0; a < m; a++ {
		for p := kc.Ptr[a]; p < kc.Ptr[a+1]; p++ {
			if p > kc.Ptr[a] && kc.Col[p] <= kc.Col[p-1] {
				t.Fatalf("%s: row %d columns not ascending", name, a)
			}
			got[a*m+int(kc.Col[p])] = kc.Val[p]
		}
	}
	deg := op.Degrees()
	for a := 0; a < m; a++ {
		var rowSum, dc float64
		for b := 0; b < m; b++ {
			w, h := dense[a*m+b], got[a*m+b]
			if math.Abs(w-h) > 1e-12*math.Max(1, math.Abs(w)) {
				t.Fatalf("%s: Kc[%d][%d] = %.17g, products give %.17g", name, a, b, h, w)
			}
			if got[b*m+a] != h && math.Abs(got[b*m+a]-h) > 1e-12*math.Abs(h) {
				t.Fatalf("%s: Kc not symmetric at (%d, %d)", name, a, b)
			}
			rowSum += h
		}
		for i, l := range labels {
			if int(l) == a {
				dc += deg[i]
			}
		}
		if math.Abs(rowSum-dc) > 1e-12*math.Max(dc, 1) {
			t.Fatalf("%s: row %d sums to %.17g, P^T D = %.17g", name, a, rowSum, dc)
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

// Coarsen's sums do not depend on the thread count: each aggregate's row is summed by
// one worker in an order fixed by the data.
func TestCoarsenThreadsBitIdentical(t *testing.T) {
	c := cloud{name: "roll3d", dim: 3, pts: swissRoll(3000, 6), sigma: 0.03}
	g := mustGrid(t, c, 4, grid.Options{})
	ag, err := g.AggregateSorted(1.5)
	if err != nil {
		t.Fatal(err)
	}
	var ref *Coarse
	for _, th := range []int{1, 2, 3, 8} {
		cs, err := mustOp(t, g, Options{CacheBudget: -1, Threads: th}).Coarsen(ag.Labels, ag.M)
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = cs
			continue
		}
		if !slices.Equal(cs.Ptr, ref.Ptr) || !slices.Equal(cs.Col, ref.Col) || !slices.Equal(cs.Val, ref.Val) {
			t.Errorf("threads %d: coarse kernel differs from 1 thread's", th)
		}
	}
}
