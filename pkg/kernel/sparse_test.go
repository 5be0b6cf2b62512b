package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func identityPerm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

func randomPoints(rng *rand.Rand, n, dim int) []float64 {
	p := make([]float64, n*dim)
	for i := range p {
		p[i] = rng.NormFloat64()
		if i%dim == 0 && (i/dim)%3 == 0 {
			p[i] += 6 // a second, sparser group: scales vary
			p[i] *= 1.5
		}
	}
	return p
}

func d2of(p []float64, dim, i, j int) float64 {
	s := 0.0
	for a := range dim {
		d := p[i*dim+a] - p[j*dim+a]
		s += d * d
	}
	return s
}

// denseInput expands a Sparse to a dense matrix in input order, diagonal included.
func denseInput(s *Sparse) [][]float64 {
	m := make([][]float64, s.n)
	for i := range m {
		m[i] = make([]float64, s.n)
		m[i][i] = s.Diag
	}
	for r := range s.n {
		for p := s.Ptr[r]; p < s.Ptr[r+1]; p++ {
			m[s.input(r)][s.input(int(s.Idx[p]))] = s.Val[p]
		}
	}
	return m
}

// denseOf expands a Sparse to a dense matrix in row order, diagonal included.
func denseOf(s *Sparse) [][]float64 {
	m := make([][]float64, s.n)
	for i := range m {
		m[i] = make([]float64, s.n)
		m[i][i] = s.Diag
		for p := s.Ptr[i]; p < s.Ptr[i+1]; p++ {
			m[i][s.Idx[p]] = s.Val[p]
		}
	}
	return m
}

func TestKNNAffinityBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dim := range []int{2, 3} {
		n, k := 300, 10
		pts := randomPoints(rng, n, dim)
		for _, sigma := range []float64{0, 0.7} {
			s, err := KNNAffinity(pts, dim, k, sigma, 2)
			if err != nil {
				t.Fatal(err)
			}
			// Brute force: A[i][j] = w for the k-1 nearest others, W = (A + A^T)/2.
			a := make([][]float64, n)
			for i := range n {
				a[i] = make([]float64, n)
				ord := make([]int, 0, n-1)
				for j := range n {
					if j != i {
						ord = append(ord, j)
					}
				}
				sort.Slice(ord, func(x, y int) bool { return d2of(pts, dim, i, ord[x]) < d2of(pts, dim, i, ord[y]) })
				for _, j := range ord[:k-1] {
					w := 1.0
					if sigma > 0 {
						w = math.Exp(-d2of(pts, dim, i, j) / (2 * sigma * sigma))
					}
					a[i][j] = w
				}
			}
			got := denseInput(s)
			for i := range n {
				deg := 0.0
				for j := range n {
					want := (a[i][j] + a[j][i]) / 2
					if math.Abs(got[i][j]-want) > 1e-15 {
						t.Fatalf("%dD sigma %g: W[%d][%d] = %g, want %g", dim, sigma, i, j, got[i][j], want)
					}
					deg += want
				}
				if r := slices.Index(s.Perm, i); math.Abs(s.Degrees()[r]-deg) > 1e-12 {
					t.Fatalf("degree %d: %g, want %g", i, s.Degrees()[i], deg)
				}
			}
			checkProducts(t, s, rng)
		}
	}
}

func TestSelfTuningBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, dim := range []int{2, 3} {
		n := 400
		pts := randomPoints(rng, n, dim)
		scales, err := LocalScales(pts, dim, 7, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			var d []float64
			for j := range n {
				if j != i {
					d = append(d, math.Sqrt(d2of(pts, dim, i, j)))
				}
			}
			sort.Float64s(d)
			if scales[i] != d[6] {
				t.Fatalf("scale %d: %g, want %g", i, scales[i], d[6])
			}
		}
		for _, cut := range []float64{DefaultCutoff, 2} {
			s, err := SelfTuningAffinity(pts, dim, scales, cut, 2)
			if err != nil {
				t.Fatal(err)
			}
			got := denseInput(s)
			kept := 0
			for i := range n {
				for j := range n {
					want := 1.0
					if i != j {
						x := d2of(pts, dim, i, j) / (scales[i] * scales[j])
						want = 0
						if x <= cut*cut/2 {
							want = math.Exp(-x)
							kept++
						}
					}
					if math.Abs(got[i][j]-want) > 1e-15 {
						t.Fatalf("%dD cutoff %g: K[%d][%d] = %g, want %g", dim, cut, i, j, got[i][j], want)
					}
				}
			}
			if kept == n*(n-1) || kept < 10*n {
				t.Errorf("%dD cutoff %g: %d pairs kept: the case tests no truncation", dim, cut, kept)
			}
			checkProducts(t, s, rng)
		}
	}
}

// checkProducts compares MulVec and MulBlock with the dense product, and Sub with the
// dense submatrix.
func checkProducts(t *testing.T, s *Sparse, rng *rand.Rand) {
	t.Helper()
	m := denseOf(s)
	n, b := s.n, 3
	src := make([]float64, n*b)
	for i := range src {
		src[i] = rng.NormFloat64()
	}
	blk := make([]float64, n*b)
	s.MulBlock(blk, src, b)
	x, y := make([]float64, n), make([]float64, n)
	for c := range b {
		for i := range n {
			x[i] = src[i*b+c]
		}
		s.MulVec(y, x)
		for i := range n {
			want := 0.0
			for j := range n {
				want += m[i][j] * x[j]
			}
			if math.Abs(y[i]-want) > 1e-12 || math.Abs(blk[i*b+c]-want) > 1e-12 {
				t.Fatalf("product row %d: MulVec %g, MulBlock %g, dense %g", i, y[i], blk[i*b+c], want)
			}
		}
	}
	keep := []int{0, 2, 3, 7, 11, n - 1}
	sub, err := s.Sub(keep)
	if err != nil {
		t.Fatal(err)
	}
	sm, full := denseInput(sub), denseInput(s)
	for a, i := range keep {
		for c, j := range keep {
			if sm[a][c] != full[i][j] {
				t.Fatalf("Sub[%d][%d] = %g, want %g", a, c, sm[a][c], full[i][j])
			}
		}
	}
	if slices.Equal(s.Perm, identityPerm(n)) {
		t.Error("rows in input order: the spatial order is not tested")
	}
}

// The parallel assembly gives the same matrix for any number of threads.
func TestSparseDeterministic(t *testing.T) {
	// More points than one chunk of the parallel grid binning (2^14).
	pts := randomPoints(rand.New(rand.NewPCG(9, 9)), 40000, 3)
	a, _ := KNNAffinity(pts, 3, 10, 0.5, 1)
	for _, th := range []int{2, 3, 4} {
		b, _ := KNNAffinity(pts, 3, 10, 0.5, th)
		if !slices.Equal(a.Ptr, b.Ptr) || !slices.Equal(a.Idx, b.Idx) || !slices.Equal(a.Val, b.Val) || !slices.Equal(a.Perm, b.Perm) {
			t.Errorf("knn affinity: %d threads differ from one", th)
		}
	}
	pts = pts[:3*4000]
	sc, _ := LocalScales(pts, 3, 7, 2)
	c, _ := SelfTuningAffinity(pts, 3, sc, DefaultCutoff, 1)
	d, _ := SelfTuningAffinity(pts, 3, sc, DefaultCutoff, 3)
	if !slices.Equal(c.Idx, d.Idx) || !slices.Equal(c.Val, d.Val) {
		t.Error("self-tuning affinity depends on the thread count")
	}
}

// The parallel Morton sort (runs of 2^16 merged in pairs) is one sequential sort of
// (code, input index) for any number of threads, copies (equal codes) in input order.
func TestSpatialOrderThreads(t *testing.T) {
	pts := randomPoints(rand.New(rand.NewPCG(4, 4)), 300000, 2)
	copy(pts[2*299000:], pts[:2000]) // 1000 copies: equal codes
	keys := mortonKeys(pts, 2, 1)
	slices.SortFunc(keys, cmpKey)
	for _, th := range []int{1, 2, 3, 8} {
		perm, inv := spatialOrder(pts, 2, th)
		for r, i := range perm {
			if i != int(keys[r].i) || inv[i] != int32(r) {
				t.Fatalf("%d threads: row %d is point %d, the sequential sort's %d", th, r, i, keys[r].i)
			}
		}
	}
}
