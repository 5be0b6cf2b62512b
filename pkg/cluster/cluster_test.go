package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Hand-computed from the contingency tables (pairs together in both / in either).
func TestARIHandComputed(t *testing.T) {
	cases := []struct {
		a, b []int
		want float64
	}{
		{[]int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 1},
		{[]int{0, 0, 1, 1}, []int{5, 5, 3, 3}, 1},                   // names do not matter
		{[]int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},                // index 0, expected 2/3, max 2
		{[]int{0, 0, 0, 1, 1, 1}, []int{0, 0, 1, 1, 2, 2}, 8. / 33}, // index 2, expected 6*3/15, max 4.5
		{[]int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 4. / 7},              // index 1, expected 1*2/6, max 1.5
		{[]int{0, 1, 2, 3}, []int{0, 0, 0, 0}, 0},                   // expected = index = 0
		{[]int{0, 1, 2, 3}, []int{3, 2, 1, 0}, 1},                   // singletons both
	}
	for _, c := range cases {
		got, err := ARI(c.a, c.b)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-15 {
			t.Errorf("ARI(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if _, err := ARI([]int{0}, []int{0, 1}); err == nil {
		t.Error("different lengths accepted")
	}
}

// blobs: k Gaussian blobs of different sizes and spreads in d dimensions.
func blobs(seed uint64, d int, sizes []int, spread []float64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 0))
	var x []float64
	var truth []int
	for c, m := range sizes {
		centre := make([]float64, d)
		for a := range centre {
			centre[a] = 10 * float64((c+a)%len(sizes))
		}
		centre[0] = 10 * float64(c)
		for range m {
			for a := range d {
				x = append(x, centre[a]+spread[c]*rng.NormFloat64())
			}
			truth = append(truth, c)
		}
	}
	// Interleave the blobs.
	n := len(truth)
	for i := n - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		truth[i], truth[j] = truth[j], truth[i]
		for a := range d {
			x[i*d+a], x[j*d+a] = x[j*d+a], x[i*d+a]
		}
	}
	return x, truth
}

func TestKMeansBlobs(t *testing.T) {
	for _, d := range []int{2, 5} {
		x, truth := blobs(uint64(d), d, []int{300, 50, 120, 10}, []float64{1, 0.3, 2, 0.5})
		r, err := KMeans(x, d, 4, Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if ari, _ := ARI(r.Labels, truth); ari != 1 {
			t.Errorf("d=%d: ARI %v, want 1", d, ari)
		}
		sizes := slices.Clone(r.Sizes)
		slices.Sort(sizes)
		if !slices.Equal(sizes, []int{10, 50, 120, 300}) {
			t.Errorf("d=%d: sizes %v", d, r.Sizes)
		}
		if r.Labels[0] != 0 {
			t.Errorf("labels not numbered by first appearance: %v...", r.Labels[:5])
		}
		// Inertia and centres are those of the labels.
		in := 0.0
		for l := range 4 {
			for a := range d {
				m, cnt := 0.0, 0
				for i, li := range r.Labels {
					if li == l {
						m += x[i*d+a]
						cnt++
					}
				}
				if m /= float64(cnt); math.Abs(m-r.Centers[l*d+a]) > 1e-9 {
					t.Fatalf("centre %d axis %d: %g, mean of its points %g", l, a, r.Centers[l*d+a], m)
				}
			}
		}
		for i, l := range r.Labels {
			in += dist2(x[i*d:(i+1)*d], r.Centers[l*d:(l+1)*d])
		}
		if math.Abs(in-r.Inertia) > 1e-9*in {
			t.Errorf("inertia %g, recomputed %g", r.Inertia, in)
		}
	}
}

// Several starts keep the best: never worse than any single start, and the same
// result for any number of threads.
func TestKMeansStartsAndDeterminism(t *testing.T) {
	x, _ := blobs(9, 2, []int{200, 200, 200, 200, 200, 200}, []float64{3, 3, 3, 3, 3, 3})
	ref, err := KMeans(x, 2, 6, Options{Seed: 4, NInit: 10, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range []int{2, 7} {
		r, _ := KMeans(x, 2, 6, Options{Seed: 4, NInit: 10, Threads: th})
		if !slices.Equal(r.Labels, ref.Labels) || r.Inertia != ref.Inertia {
			t.Errorf("threads %d: a different result", th)
		}
	}
	worst := 0.0
	for s := range uint64(10) {
		one, _ := KMeans(x, 2, 6, Options{Seed: s, NInit: 1})
		if one.Inertia < ref.Inertia*(1-1e-12) && s == 4 {
			t.Errorf("start 0 of seed 4 has inertia %g below the kept %g", one.Inertia, ref.Inertia)
		}
		worst = max(worst, one.Inertia)
	}
	if !(ref.Inertia <= worst) {
		t.Errorf("kept inertia %g above the worst single start %g", ref.Inertia, worst)
	}
}

func TestKMeansErrors(t *testing.T) {
	x := []float64{0, 0, 0, 0, 1, 1}
	if _, err := KMeans(x, 2, 3, Options{}); err == nil {
		t.Error("3 clusters of 2 distinct points accepted")
	}
	if _, err := KMeans([]float64{0, math.NaN()}, 2, 1, Options{}); err == nil {
		t.Error("NaN accepted")
	}
}

func TestEigengap(t *testing.T) {
	n, err := Eigengap([]float64{0, 0.001, 0.002, 0.3, 0.31, 0.5})
	if err != nil || n != 3 {
		t.Errorf("got %d %v, want 3", n, err)
	}
	// The first gap (0 to the second value) never counts: at least 2 clusters.
	if n, _ := Eigengap([]float64{0, 0.9, 0.95, 0.96}); n != 2 {
		t.Errorf("got %d, want 2", n)
	}
	// Two components (two zeros, one at rounding level) then n^2 growth, whose absolute
	// gaps grow: the zeros decide.
	if n, _ := Eigengap([]float64{0, 5e-16, 1e-3, 4e-3, 9e-3, 16e-3, 25e-3}); n != 2 {
		t.Errorf("got %d, want 2", n)
	}
	// Groups at two scales: two near-equal steps, the finer partition wins (the varied
	// blobs of scripts/cluster_vs_sklearn.py, kNN 10: 3 clusters).
	if n, _ := Eigengap([]float64{0, 0.00092, 0.00365, 0.01396, 0.01597, 0.0163, 0.01731}); n != 3 {
		t.Errorf("got %d, want 3", n)
	}
	// A clearly smaller step later does not (the spirals of spiral.txt: 3, not 4).
	if n, _ := Eigengap([]float64{0, 0.0022, 0.0025, 0.00596, 0.01294, 0.01385, 0.02901}); n != 3 {
		t.Errorf("got %d, want 3", n)
	}
	// Growth n^2 with a jump after the 4th.
	if n, _ := Eigengap([]float64{0, 1e-4, 4e-4, 9e-4, 2e-2, 2.5e-2, 3.6e-2}); n != 4 {
		t.Errorf("got %d, want 4", n)
	}
}
