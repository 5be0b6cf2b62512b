package neighbors

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/spectral-dev/spectral/pkg/generate"
)

func randomCloud(rng *rand.Rand, n, dim int) []float64 {
	pts := make([]float64, n*dim)
	for i := range pts {
		pts[i] = rng.NormFloat64()
	}
	// A few exact copies: they are neighbours at distance 0.
	for i := 0; i < 5; i++ {
		copy(pts[(n-1-i)*dim:(n-i)*dim], pts[i*dim:(i+1)*dim])
	}
	return pts
}

func bruteKNN(pts []float64, dim, k int) ([]int32, []float64) {
	n := len(pts) / dim
	idx := make([]int32, 0, n*k)
	dd := make([]float64, 0, n*k)
	for i := range n {
		type nb struct {
			j  int
			d2 float64
		}
		var all []nb
		for j := range n {
			if j == i {
				continue
			}
			d2 := 0.0
			for a := range dim {
				d := pts[i*dim+a] - pts[j*dim+a]
				d2 += d * d
			}
			all = append(all, nb{j, d2})
		}
		sort.SliceStable(all, func(a, b int) bool { return all[a].d2 < all[b].d2 })
		for _, x := range all[:k] {
			idx = append(idx, int32(x.j))
			dd = append(dd, x.d2)
		}
	}
	return idx, dd
}

func TestKNNAgainstBruteForce(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, dim := range []int{2, 3} {
		pts := randomCloud(rng, 1000, dim)
		const kmax = 30
		allIdx, allD2 := bruteKNN(pts, dim, kmax)
		for _, k := range []int{1, 9, kmax} {
			g, err := KNN(pts, dim, k, 2)
			if err != nil {
				t.Fatal(err)
			}
			var idx []int32
			var d2 []float64
			for i := range g.N {
				idx = append(idx, allIdx[i*kmax:i*kmax+k]...)
				d2 = append(d2, allD2[i*kmax:i*kmax+k]...)
			}
			if !slices.Equal(g.D2, d2) {
				t.Fatalf("%dD k=%d: distances differ", dim, k)
			}
			// Indices agree except where distances tie (the copies at distance 0).
			for i := range g.N {
				a := slices.Clone(g.Idx[i*k : (i+1)*k])
				b := slices.Clone(idx[i*k : (i+1)*k])
				slices.Sort(a)
				slices.Sort(b)
				if !slices.Equal(a, b) {
					t.Fatalf("%dD k=%d point %d: neighbours %v, brute force %v", dim, k, i, a, b)
				}
			}
			one, _ := KNN(pts, dim, k, 1)
			if !slices.Equal(one.Idx, g.Idx) {
				t.Errorf("%dD k=%d: 1 thread and 2 threads differ", dim, k)
			}
		}
	}
	if _, err := KNN([]float64{0, 0, 1, 1}, 2, 2, 1); err == nil {
		t.Error("k >= N accepted")
	}
}

func TestWithinAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, dim := range []int{2, 3} {
		pts := randomCloud(rng, 800, dim)
		n := len(pts) / dim
		radius := make([]float64, n)
		for i := range radius {
			radius[i] = 0.1 + 0.6*rng.Float64()
		}
		radius[3] = 100 // wider than the cloud
		got := make([][]int, n)
		if err := Within(pts, dim, radius, 2, func(i, j int, d2 float64) { got[i] = append(got[i], j) }); err != nil {
			t.Fatal(err)
		}
		total := 0
		for i := range n {
			var want []int
			for j := range n {
				d2 := 0.0
				for a := range dim {
					d := pts[i*dim+a] - pts[j*dim+a]
					d2 += d * d
				}
				if j != i && d2 <= radius[i]*radius[i] {
					want = append(want, j)
				}
			}
			slices.Sort(got[i])
			if !slices.Equal(got[i], want) {
				t.Fatalf("%dD point %d: %d pairs, brute force %d", dim, i, len(got[i]), len(want))
			}
			total += len(want)
		}
		if len(got[3]) != n-1 || total < 5*n {
			t.Errorf("%dD: %d pairs in all, %d for the wide point: the case tests little", dim, total, len(got[3]))
		}
	}
}

// BenchmarkKNN1M is the k = 10 neighbour lists of 10^6 points of the Swiss-roll-like
// surface, the size issue 12 asks to build in under 5 s on 2 cores (docs/bench/cluster.md).
func BenchmarkKNN1M(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 1_000_000
	pts := make([]float64, 3*n)
	for i := range n {
		t := 1.5 * 3.14159 * (1 + 2*rng.Float64())
		pts[3*i], pts[3*i+1], pts[3*i+2] = t*cosf(t), 21*rng.Float64(), t*sinf(t)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := KNN(pts, 3, 9, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func cosf(t float64) float64 { return math.Cos(t) }
func sinf(t float64) float64 { return math.Sin(t) }

// The grid is the same for any number of threads, and numbers its cells in the order of
// their first position, as a sequential insertion does; KNN's lists are bit-identical.
func TestGridAndKNNThreadsBitIdentical(t *testing.T) {
	pts := generate.SwissRoll(100000, 0.01, 3)
	// A few exact copies and a far point: shared cells, a sparse grid.
	copy(pts[3*99990:], pts[:30])
	pts[3*99999] = 1e6
	n := len(pts) / 3
	ref := buildGrid(pts, 3, identity(n), 1)
	// Sequential first-appearance numbering of the cells, by a map.
	first := map[[3]int64]int32{}
	inv := 1 / ref.h
	for d := range n {
		var c [3]int64
		for a := range 3 {
			c[a] = min(max(int64(math.Floor((pts[3*d+a]-ref.centre[a]-ref.lo[a])*inv)), 0), ref.ncell[a]-1)
		}
		id, ok := first[c]
		if !ok {
			id = int32(len(first))
			first[c] = id
		}
		if got := ref.cellOf[ref.slotOf[d]]; got != id {
			t.Fatalf("position %d: cell %d, first-appearance order %d", d, got, id)
		}
	}
	if len(first) != len(ref.cc)/3 {
		t.Fatalf("%d cells, want %d", len(ref.cc)/3, len(first))
	}
	refKNN, err := KNN(pts, 3, 9, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range []int{2, 3, 8} {
		g := buildGrid(pts, 3, identity(n), th)
		if g.h != ref.h || !slices.Equal(g.cc, ref.cc) || !slices.Equal(g.start, ref.start) || !slices.Equal(g.ids, ref.ids) ||
			!slices.Equal(g.cellOf, ref.cellOf) || !slices.Equal(g.pts, ref.pts) {
			t.Fatalf("%d threads: the grid differs from one thread's", th)
		}
		for cl := range int32(len(g.cc) / 3) {
			if got := g.find(g.cc[3*cl], g.cc[3*cl+1], g.cc[3*cl+2]); got != cl {
				t.Fatalf("%d threads: find cell %d gives %d", th, cl, got)
			}
		}
		k, err := KNN(pts, 3, 9, th)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(k.Idx, refKNN.Idx) || !slices.Equal(k.D2, refKNN.D2) {
			t.Fatalf("%d threads: KNN differs from one thread's", th)
		}
	}
}
