package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spectral-dev/spectral/pkg/graph"
)

// bruteComponents joins every pair within cutoff sigmas (float64 distances; the random
// clouds below have no pair within rounding of the cutoff).
func bruteComponents(pts []float64, dim int, sigma, cutoff float64) *graph.Components {
	n := len(pts) / dim
	u := graph.NewUnionFind(n)
	r2 := cutoff * cutoff * sigma * sigma
	for i := range n {
		for j := i + 1; j < n; j++ {
			d2 := 0.0
			for a := range dim {
				d := pts[i*dim+a] - pts[j*dim+a]
				d2 += d * d
			}
			if d2 <= r2 {
				u.Union(int32(i), int32(j))
			}
		}
	}
	return u.Labels()
}

// blobs makes sizes[k] points in a disc/ball of radius 1 around centre k*spacing on x.
func blobs(rng *rand.Rand, dim int, sizes []int, spacing float64) []float64 {
	var pts []float64
	for k, m := range sizes {
		for range m {
			for a := range dim {
				v := rng.Float64()*2 - 1
				if a == 0 {
					v += float64(k) * spacing
				}
				pts = append(pts, v)
			}
		}
	}
	// Shuffle points so that components are interleaved in input order.
	n := len(pts) / dim
	for i := n - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		for a := range dim {
			pts[i*dim+a], pts[j*dim+a] = pts[j*dim+a], pts[i*dim+a]
		}
	}
	return pts
}

func TestComponentsKnownBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dim := range []int{2, 3} {
		sizes := []int{400, 250, 120, 1}
		pts := blobs(rng, dim, sizes, 4) // gaps of 2 between unit-radius boxes
		// sigma 0.1, cutoff 5.77: radius 0.577 joins each blob, never across a gap of 2.
		c, err := Components(pts, dim, 0.1, DefaultCutoff)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Sizes, sizes) {
			t.Errorf("%dD sizes %v, want %v", dim, c.Sizes, sizes)
		}
		want := bruteComponents(pts, dim, 0.1, DefaultCutoff)
		if !slices.Equal(c.Label, want.Label) {
			t.Errorf("%dD labels differ from brute force", dim)
		}
		// A width that bridges the gaps: one component.
		c, err = Components(pts, dim, 1, DefaultCutoff)
		if err != nil {
			t.Fatal(err)
		}
		if c.Count() != 1 {
			t.Errorf("%dD sigma 1: %d components, want 1", dim, c.Count())
		}
	}
}

// Sparse random clouds at a width near the connectivity threshold: many components of
// many sizes, against brute force, with cutoffs that leave cells not cliques (0: the
// underflow radius) and that do.
func TestComponentsAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, dim := range []int{2, 3} {
		n := 1500
		pts := make([]float64, n*dim)
		for i := range pts {
			pts[i] = rng.Float64() * 10
		}
		for _, tc := range []struct{ sigma, cutoff float64 }{{0.05, 4}, {0.06, DefaultCutoff}, {0.03, 0}} {
			c, err := Components(pts, dim, tc.sigma, tc.cutoff)
			if err != nil {
				t.Fatal(err)
			}
			cut := tc.cutoff
			if cut == 0 {
				cut = math.Sqrt(underflowD2)
			}
			want := bruteComponents(pts, dim, tc.sigma, cut)
			if c.Count() < 3 || c.Count() == n {
				t.Errorf("%dD %+v: %d components, the case tests nothing", dim, tc, c.Count())
			}
			if !slices.Equal(c.Label, want.Label) || !slices.Equal(c.Sizes, want.Sizes) {
				t.Errorf("%dD %+v: %d components, brute force %d", dim, tc, c.Count(), want.Count())
			}
		}
	}
}
