package eigsh

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/spectral-dev/spectral/internal/testref"
	"gonum.org/v1/gonum/mat"
)

// randSym returns a seeded random symmetric matrix with entries N(0,1).
func randSym(n int, seed uint64) *mat.SymDense {
	r := rand.New(rand.NewPCG(seed, 1))
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a.SetSym(i, j, r.NormFloat64())
		}
	}
	return a
}

// denseEigen returns all eigenvalues of a ascending (gonum mat.EigenSym).
func denseEigen(t *testing.T, a mat.Symmetric) []float64 {
	t.Helper()
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		t.Fatal("EigenSym failed")
	}
	return es.Values(nil)
}

// wanted returns the k eigenvalues (ascending) that which selects from all (ascending).
func wanted(which Which, all []float64, k int) []float64 {
	idx, tmp := make([]int, len(all)), make([]int, len(all))
	rank(which, all, idx, tmp)
	out := make([]float64, k)
	for i, j := range idx[:k] {
		out[i] = all[j]
	}
	sort.Float64s(out)
	return out
}

// checkPairs asserts residual ||A v - lambda v|| <= bound and orthonormality of the vectors.
func checkPairs(t *testing.T, op Operator, res *Result, resBound, orthoBound float64) {
	t.Helper()
	n := op.Dims()
	k := len(res.Values)
	r, c := res.Vectors.Dims()
	if r != n || c != k {
		t.Fatalf("vectors %dx%d, want %dx%d", r, c, n, k)
	}
	v := make([]float64, n)
	av := make([]float64, n)
	for j := 0; j < k; j++ {
		mat.Col(v, j, res.Vectors)
		op.MulVec(av, v)
		var s float64
		for i := range v {
			d := av[i] - res.Values[j]*v[i]
			s += d * d
		}
		if rr := math.Sqrt(s); rr > resBound {
			t.Errorf("pair %d (lambda %g): residual %g > %g", j, res.Values[j], rr, resBound)
		}
		big, at := 0.0, 0
		for i, x := range v {
			if math.Abs(x) > big {
				big, at = math.Abs(x), i
			}
		}
		if v[at] < 0 {
			t.Errorf("pair %d: largest-magnitude entry negative", j)
		}
	}
	var g mat.Dense
	g.Mul(res.Vectors.T(), res.Vectors)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			if d := math.Abs(g.At(i, j) - want); d > orthoBound {
				t.Errorf("V^T V [%d,%d] off by %g > %g", i, j, d, orthoBound)
			}
		}
	}
	for j := 1; j < k; j++ {
		if res.Values[j] < res.Values[j-1] {
			t.Errorf("values not ascending: %v", res.Values)
			break
		}
	}
}

// refCase is one case of testdata/reference.
type refCase struct {
	name        string
	sigma       float64
	points      [][]float64
	eigL, eigLN []float64 // numpy's dense eigh of L and L_norm
}

func loadRef(t testing.TB, name string, sigma float64) *refCase {
	t.Helper()
	c := &refCase{name: name, sigma: sigma, points: testref.Points(t, name+"_points.csv")}
	c.eigL, c.eigLN = testref.Eigen(t, name)
	return c
}

// kernel returns the dense Gaussian kernel K (K_ii = 1) and the degrees D = K 1, as the
// reference README defines them.
func (c *refCase) kernel() (*mat.SymDense, []float64) {
	n := len(c.points)
	k := mat.NewSymDense(n, nil)
	d := make([]float64, n)
	g := 1 / (2 * c.sigma * c.sigma)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			var s float64
			for a := range c.points[i] {
				x := c.points[i][a] - c.points[j][a]
				s += x * x
			}
			k.SetSym(i, j, math.Exp(-s*g))
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			d[i] += k.At(i, j)
		}
	}
	return k, d
}

// normalizedA returns A = D^-1/2 K D^-1/2 (eigenvalues 1 - lambda(L_norm)).
func normalizedA(k *mat.SymDense, d []float64) *mat.SymDense {
	n := len(d)
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a.SetSym(i, j, k.At(i, j)/math.Sqrt(d[i]*d[j]))
		}
	}
	return a
}

// laplacian returns L = D - K.
func laplacian(k *mat.SymDense, d []float64) *mat.SymDense {
	n := len(d)
	l := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := -k.At(i, j)
			if i == j {
				v += d[i]
			}
			l.SetSym(i, j, v)
		}
	}
	return l
}

// counter counts products.
type counter struct {
	Operator
	n int
}

func (c *counter) MulVec(dst, src []float64) { c.n++; c.Operator.MulVec(dst, src) }
