package eigsh

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// funcOp is an Operator from a function (free operators: diagonal, graph Laplacians).
type funcOp struct {
	n int
	f func(dst, src []float64)
}

func (o funcOp) Dims() int                 { return o.n }
func (o funcOp) MulVec(dst, src []float64) { o.f(dst, src) }

// rotatedDiag returns H_r...H_1 diag(d) H_1...H_r for r random Householder reflections:
// a dense symmetric matrix with exactly known eigenvalues d, built in O(r n^2).
func rotatedDiag(d []float64, seed uint64, r int) *mat.SymDense {
	n := len(d)
	a := make([]float64, n*n)
	for i, x := range d {
		a[i*n+i] = x
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	u, w := make([]float64, n), make([]float64, n)
	for ; r > 0; r-- {
		var nrm float64
		for i := range u {
			u[i] = rng.NormFloat64()
			nrm += u[i] * u[i]
		}
		nrm = math.Sqrt(nrm)
		for i := range u {
			u[i] /= nrm
		}
		// H A H = A - 2 u w^T - 2 w u^T + 4 (u^T w) u u^T with w = A u.
		var uw float64
		for i := 0; i < n; i++ {
			var s float64
			for j := 0; j < n; j++ {
				s += a[i*n+j] * u[j]
			}
			w[i] = s
			uw += u[i] * s
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				a[i*n+j] += -2*u[i]*w[j] - 2*w[i]*u[j] + 4*uw*u[i]*u[j]
			}
		}
	}
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			s.SetSym(i, j, 0.5*(a[i*n+j]+a[j*n+i]))
		}
	}
	return s
}

func normOf(vals []float64) float64 {
	var m float64
	for _, v := range vals {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

func checkValues(t *testing.T, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values, want %d", len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); d > tol || math.IsNaN(got[i]) {
			t.Errorf("value %d: got %.17g, want %.17g (diff %.3g > %.3g)", i, got[i], want[i], d, tol)
		}
	}
}

var allWhich = []Which{LA, SA, LM, SM, BE}

// TestRandomVsEigenSym compares Solve (Lanczos path) with gonum's dense mat.EigenSym on
// seeded random symmetric matrices with N(0,1) entries, for every Which and k.
func TestRandomVsEigenSym(t *testing.T) {
	defer func(m int) { denseMaxN = m }(denseMaxN)
	denseMaxN = 0
	for _, n := range []int{50, 200, 500} {
		a := randSym(n, uint64(n))
		all := denseEigen(t, a)
		nrm := normOf(all)
		for _, which := range allWhich {
			if which == SM && n > 50 {
				continue // interior eigenvalues of a semicircle: see TestKnownSpectrum
			}
			for _, k := range []int{1, 2, 7, 20} {
				ncv := min(DefaultNCV(k), n*3/4)
				t.Run(fmt.Sprintf("n=%d/%v/k=%d", n, which, k), func(t *testing.T) {
					res, err := Solve(Dense{a}, k, Options{Which: which, NCV: ncv, Seed: 7})
					if err != nil {
						t.Fatal(err)
					}
					checkValues(t, res.Values, wanted(which, all, k), 1e-11*nrm)
					checkPairs(t, Dense{a}, res, 1e-10*nrm, 1e-10)
				})
			}
		}
	}
}

// TestKnownSpectrum uses rotated diagonal matrices whose eigenvalues are known exactly,
// with a spectrum shaped so that every Which, SM included, converges; n=300 is also
// checked against mat.EigenSym, n=2000 against the construction.
func TestKnownSpectrum(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	for _, n := range []int{300, 2000} {
		d := make([]float64, n)
		r := rand.New(rand.NewPCG(uint64(n), 3))
		for i := range d {
			// Two bands [-10,-2] and [2,10] with 24 eigenvalues near zero for SM: 0.25j
			// and -(0.25j+0.1), so that no two have the same magnitude.
			if i < 24 {
				d[i] = float64(i/2+1) * 0.25
				if i%2 == 1 {
					d[i] = -d[i] - 0.1
				}
				continue
			}
			d[i] = 2 + 8*r.Float64()
			if i%2 == 1 {
				d[i] = -d[i]
			}
		}
		a := rotatedDiag(d, uint64(n), 3)
		all := append([]float64(nil), d...)
		sort.Float64s(all)
		if n == 300 {
			checkValues(t, denseEigen(t, a), all, 1e-12)
		}
		for _, which := range allWhich {
			ks := []int{1, 2, 7, 20}
			if n == 2000 {
				if which != SM && which != BE {
					continue // a few big ones: the interior and both ends
				}
				ks = []int{7}
			}
			for _, k := range ks {
				t.Run(fmt.Sprintf("n=%d/%v/k=%d", n, which, k), func(t *testing.T) {
					res, err := Solve(Dense{a}, k, Options{Which: which, Seed: 3})
					if err != nil {
						t.Fatal(err)
					}
					checkValues(t, res.Values, wanted(which, all, k), 1e-11*10)
					checkPairs(t, Dense{a}, res, 1e-10*10, 1e-10)
				})
			}
		}
	}
}

// laplacianOp applies the Laplacian of an undirected weighted graph given by edges.
type edge struct {
	i, j int
	w    float64
}

func graphLaplacian(n int, edges []edge) (funcOp, float64) {
	deg := make([]float64, n)
	for _, e := range edges {
		deg[e.i] += e.w
		deg[e.j] += e.w
	}
	return funcOp{n, func(dst, src []float64) {
		for i := range dst {
			dst[i] = deg[i] * src[i]
		}
		for _, e := range edges {
			dst[e.i] -= e.w * src[e.j]
			dst[e.j] -= e.w * src[e.i]
		}
	}}, 2 * normOf(deg)
}

func pathEdges(off, n int) []edge {
	var e []edge
	for i := off; i < off+n-1; i++ {
		e = append(e, edge{i, i + 1, 1})
	}
	return e
}

func pathValues(n int) []float64 {
	v := make([]float64, n)
	for j := range v {
		v[j] = 2 - 2*math.Cos(math.Pi*float64(j)/float64(n))
	}
	return v
}

// TestPathLaplacian: eigenvalues 2 - 2cos(pi j/n) of the path graph, both ends.
func TestPathLaplacian(t *testing.T) {
	const n = 200
	op, bound := graphLaplacian(n, pathEdges(0, n))
	want := pathValues(n)
	res, err := Smallest(op, 7, bound, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkValues(t, res.Values, want[:7], 1e-12)
	checkPairs(t, op, res, 1e-12, 1e-10)
	res, err = Solve(op, 7, Options{Which: LA})
	if err != nil {
		t.Fatal(err)
	}
	checkValues(t, res.Values, want[n-7:], 1e-12)
	checkPairs(t, op, res, 1e-12, 1e-10)
}

// TestGridLaplacian: the 2D grid graph's eigenvalues are sums of two path spectra.
func TestGridLaplacian(t *testing.T) {
	const nx, ny = 23, 17 // coprime sizes: no repeated sums among the smallest
	var edges []edge
	id := func(x, y int) int { return y*nx + x }
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			if x+1 < nx {
				edges = append(edges, edge{id(x, y), id(x+1, y), 1})
			}
			if y+1 < ny {
				edges = append(edges, edge{id(x, y), id(x, y+1), 1})
			}
		}
	}
	op, bound := graphLaplacian(nx*ny, edges)
	var want []float64
	for _, a := range pathValues(nx) {
		for _, b := range pathValues(ny) {
			want = append(want, a+b)
		}
	}
	sort.Float64s(want)
	res, err := Smallest(op, 7, bound, Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	checkValues(t, res.Values, want[:7], 1e-12)
	checkPairs(t, op, res, 1e-11, 1e-10)
}

// TestRepeatedZero: a graph of three components has eigenvalue 0 three times. A Krylov
// space from one start vector holds only one vector of that eigenspace; here each
// component is a weighted complete graph with few distinct eigenvalues, so the Lanczos
// process breaks down (an invariant subspace) and must continue with fresh random
// vectors orthogonal to the basis to find the other two.
func TestRepeatedZero(t *testing.T) {
	sizes := []int{30, 45, 38}
	var edges []edge
	off := 0
	for b, s := range sizes {
		w := 1 + 0.3*float64(b)
		for i := off; i < off+s; i++ {
			for j := i + 1; j < off+s; j++ {
				edges = append(edges, edge{i, j, w})
			}
		}
		off += s
	}
	op, bound := graphLaplacian(off, edges)
	// Reference: the dense spectrum.
	a := mat.NewSymDense(off, nil)
	col, e := make([]float64, off), make([]float64, off)
	for i := 0; i < off; i++ {
		e[i] = 1
		op.MulVec(col, e)
		e[i] = 0
		for j := i; j < off; j++ {
			a.SetSym(i, j, col[j])
		}
	}
	all := denseEigen(t, a)
	for _, ncv := range []int{0, 12} {
		res, err := Smallest(op, 5, bound, Options{NCV: ncv})
		if err != nil {
			t.Fatal(err)
		}
		checkValues(t, res.Values, all[:5], 1e-12)
		checkPairs(t, op, res, 1e-11, 1e-10)
		for i := 0; i < 3; i++ {
			if math.Abs(res.Values[i]) > 1e-12 {
				t.Errorf("ncv=%d: eigenvalue %d = %g, want 0 (multiplicity 3)", ncv, i, res.Values[i])
			}
		}
	}
}

// TestCluster: three eigenvalues 1e-10 apart at the top must come back distinct.
func TestCluster(t *testing.T) {
	const n = 400
	d := make([]float64, n)
	r := rand.New(rand.NewPCG(4, 4))
	for i := range d {
		d[i] = 0.5 * r.Float64()
	}
	d[0], d[1], d[2] = 1, 1+1e-10, 1+2e-10
	a := rotatedDiag(d, 11, 3)
	res, err := Solve(Dense{a}, 4, Options{Which: LA})
	if err != nil {
		t.Fatal(err)
	}
	all := append([]float64(nil), d...)
	sort.Float64s(all)
	checkValues(t, res.Values, all[n-4:], 2e-14)
	checkPairs(t, Dense{a}, res, 1e-13, 1e-10)
}

// TestReference solves the Laplacians of testdata/reference through the spectral
// transformations: L_norm as 1 - mu for the largest mu of A = D^-1/2 K D^-1/2, L as
// s - mu for the largest mu of s I - L with s = 2 max degree (Gershgorin). It compares
// with gonum's dense mat.EigenSym of the same matrices (1e-10 relative or 1e-12
// absolute) and with eigh_float64 of the JSON files. The latter only to 1e-8 relative:
// numpy's own eigh of the matrices built as the README says (this machine, Debian
// numpy) differs from the JSON by up to 4.2e-9 (L, spiral n=1000) and 2.2e-10 (L_norm),
// and so does ours: the files were made from slightly different matrices.
func TestReference(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	cases := []struct {
		name  string
		sigma float64
	}{{"spiral_n1000_s0.05", 0.05}, {"swissroll_n1000_s0.1", 0.1}, {"spiral_n5000_s0.03", 0.03}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			big := c.name == "spiral_n5000_s0.03"
			if testing.Short() && big {
				t.Skip("dense n=5000 kernel in -short")
			}
			rc := loadRef(t, c.name, c.sigma)
			k, d := rc.kernel()
			close := func(what string, got, want []float64, rel float64) {
				t.Helper()
				for i := range want {
					diff := math.Abs(got[i] - want[i])
					if diff > 1e-12 && diff > rel*math.Abs(want[i]) {
						t.Errorf("%s: lambda_%d = %.17g, want %.17g (diff %.3g)", what, i, got[i], want[i], diff)
					}
				}
			}
			a := normalizedA(k, d)
			res, err := Solve(Dense{a}, 7, Options{Which: LA})
			if err != nil {
				t.Fatal(err)
			}
			lnorm := make([]float64, 7)
			for i, mu := range res.Values {
				lnorm[6-i] = 1 - mu
			}
			if !big {
				all := denseEigen(t, a)
				want := make([]float64, 7)
				for i := range want {
					want[i] = 1 - all[len(all)-1-i]
				}
				close("L_norm vs EigenSym", lnorm, want, 1e-10)
			}
			close("L_norm vs eigh JSON", lnorm, rc.eigLN, 1e-8)
			t.Logf("L_norm via A: %d products", res.MatVecs)
			a = nil
			l := laplacian(k, d)
			k = nil
			res, err = Smallest(Dense{l}, 7, 2*normOf(d), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !big {
				close("L vs EigenSym", res.Values, denseEigen(t, l)[:7], 1e-10)
			}
			close("L vs eigh JSON", res.Values, rc.eigL, 1e-8)
			t.Logf("L via 2 max(D) I - L: %d products", res.MatVecs)
		})
	}
}

// TestDeterministic: same seed, same bits, whatever GOMAXPROCS.
func TestDeterministic(t *testing.T) {
	a := randSym(300, 1)
	run := func() *Result {
		res, err := Solve(Dense{a}, 7, Options{Which: LA, NCV: 20, Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	r1 := run()
	prev := runtime.GOMAXPROCS(1)
	r2 := run()
	runtime.GOMAXPROCS(prev)
	if r1.MatVecs != r2.MatVecs || r1.Restarts != r2.Restarts {
		t.Errorf("products %d vs %d, restarts %d vs %d", r1.MatVecs, r2.MatVecs, r1.Restarts, r2.Restarts)
	}
	for i := range r1.Values {
		if math.Float64bits(r1.Values[i]) != math.Float64bits(r2.Values[i]) {
			t.Errorf("value %d: %v vs %v", i, r1.Values[i], r2.Values[i])
		}
	}
	if !mat.Equal(r1.Vectors, r2.Vectors) {
		t.Error("vectors differ between runs")
	}
	if r1.Restarts == 0 {
		t.Error("want a case that restarts")
	}
}

func TestErrors(t *testing.T) {
	a := Dense{randSym(150, 5)}
	nan := funcOp{150, func(dst, src []float64) {
		copy(dst, src)
		dst[3] = math.NaN()
	}}
	inf := funcOp{150, func(dst, src []float64) {
		copy(dst, src)
		dst[5] = math.Inf(-1)
	}}
	small := funcOp{20, func(dst, src []float64) { dst[0] = math.NaN() }}
	cases := []struct {
		name string
		op   Operator
		k    int
		opt  Options
		want error
	}{
		{"k=0", a, 0, Options{}, ErrInvalidK},
		{"k<0", a, -3, Options{}, ErrInvalidK},
		{"k=n", a, 150, Options{}, ErrInvalidK},
		{"ncv=k", a, 7, Options{NCV: 7}, ErrInvalidNCV},
		{"ncv>n", a, 7, Options{NCV: 151}, ErrInvalidNCV},
		{"ncv<0", a, 7, Options{NCV: -1}, ErrInvalidNCV},
		{"which", a, 7, Options{Which: Which(9)}, ErrInvalidOptions},
		{"tol<0", a, 7, Options{Tol: -1}, ErrInvalidOptions},
		{"tol NaN", a, 7, Options{Tol: math.NaN()}, ErrInvalidOptions},
		{"maxiter<0", a, 7, Options{MaxIter: -1}, ErrInvalidOptions},
		{"v0 length", a, 7, Options{V0: make([]float64, 149)}, ErrInvalidOptions},
		{"v0 zero", a, 7, Options{V0: make([]float64, 150)}, ErrInvalidOptions},
		{"nil op", nil, 1, Options{}, ErrInvalidOptions},
		{"NaN", nan, 3, Options{}, ErrNotFinite},
		{"Inf", inf, 3, Options{}, ErrNotFinite},
		{"NaN dense", small, 3, Options{}, ErrNotFinite},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Solve(c.op, c.k, c.opt)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if res != nil {
				t.Errorf("result %v with error", res)
			}
		})
	}
}

// TestNoConvergence: two well separated eigenvalues converge in one cycle, the
// clustered rest cannot; the error carries the two.
func TestNoConvergence(t *testing.T) {
	const n = 300
	d := make([]float64, n)
	for i := range d {
		d[i] = 1 + 1e-3*float64(i)/n // a tight cluster
	}
	d[n-1], d[n-2] = 10, 8
	op := funcOp{n, func(dst, src []float64) {
		for i, x := range src {
			dst[i] = d[i] * x
		}
	}}
	var reports []Progress
	res, err := Solve(op, 6, Options{NCV: 14, MaxIter: 1, Progress: func(p Progress) { reports = append(reports, p) }})
	var nc *NoConvergence
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v, want *NoConvergence", err)
	}
	if nc.Converged != 2 || len(nc.Result.Values) != 2 || res != nc.Result {
		t.Fatalf("converged %d, values %v", nc.Converged, nc.Result.Values)
	}
	checkValues(t, nc.Result.Values, []float64{8, 10}, 1e-14)
	checkPairs(t, op, nc.Result, 1e-13, 1e-10)
	if nc.Result.Restarts != 1 || nc.Result.MatVecs != 14+14-keepRule(6, 14, 2) {
		t.Errorf("restarts %d, products %d", nc.Result.Restarts, nc.Result.MatVecs)
	}
	if len(reports) != 1 || reports[0].Converged != 2 || reports[0].K != 6 || reports[0].MatVecs != 14 {
		t.Errorf("progress reports %+v", reports)
	}
}

func TestCancel(t *testing.T) {
	a := Dense{randSym(300, 8)}
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Solve(a, 7, Options{NCV: 10, Context: ctx, Progress: func(p Progress) {
		if p.Restart == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	_, err = Solve(a, 7, Options{Context: ctx})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestDensePath: n <= DenseMaxN is solved by n products and LAPACK.
func TestDensePath(t *testing.T) {
	a := randSym(DenseMaxN, 2)
	all := denseEigen(t, a)
	for _, which := range allWhich {
		res, err := Solve(Dense{a}, 5, Options{Which: which})
		if err != nil {
			t.Fatal(err)
		}
		if res.MatVecs != DenseMaxN {
			t.Errorf("%v: %d products, want %d", which, res.MatVecs, DenseMaxN)
		}
		checkValues(t, res.Values, wanted(which, all, 5), 1e-12*normOf(all))
		checkPairs(t, Dense{a}, res, 1e-12*normOf(all), 1e-12)
	}
}

// TestV0 starts from a given vector; an eigenvector start converges at once.
func TestV0(t *testing.T) {
	const n = 150
	d := make([]float64, n)
	for i := range d {
		d[i] = float64(i)
	}
	op := funcOp{n, func(dst, src []float64) {
		for i, x := range src {
			dst[i] = d[i] * x
		}
	}}
	v0 := make([]float64, n)
	v0[n-1] = -3
	res, err := Solve(op, 1, Options{V0: v0, NCV: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Values[0] != n-1 || res.MatVecs > 2 || res.Vectors.At(n-1, 0) != 1 {
		t.Errorf("value %v after %d products, vector entry %v", res.Values, res.MatVecs, res.Vectors.At(n-1, 0))
	}
}

func TestAffine(t *testing.T) {
	a := Dense{randSym(60, 3)}
	sh := Affine{Op: a, Scale: 2, Shift: -1}
	x := make([]float64, 60)
	for i := range x {
		x[i] = float64(i % 7)
	}
	y, z := make([]float64, 60), make([]float64, 60)
	a.MulVec(y, x)
	sh.MulVec(z, x)
	for i := range z {
		if math.Abs(z[i]-(2*y[i]-x[i])) > 1e-12 {
			t.Fatalf("Affine.MulVec[%d] = %v, want %v", i, z[i], 2*y[i]-x[i])
		}
	}
	if got := sh.Original(5); got != 3 {
		t.Errorf("Original(5) = %v, want 3", got)
	}
	if s := Shift(a, 4); s.Original(1) != 3 {
		t.Errorf("Shift Original(1) = %v, want 3", s.Original(1))
	}
}

// TestNoAllocsInLoop: allocations do not grow with the number of products and
// restarts, so the Lanczos step and the restart allocate nothing.
func TestNoAllocsInLoop(t *testing.T) {
	const n = 2000
	op := funcOp{n, func(dst, src []float64) {
		for i, x := range src {
			dst[i] = float64(i) * x
		}
	}}
	allocs := func(maxIter int) float64 {
		return testing.AllocsPerRun(2, func() {
			_, err := Solve(op, 7, Options{MaxIter: maxIter})
			var nc *NoConvergence
			if !errors.As(err, &nc) {
				t.Fatalf("want NoConvergence, got %v", err)
			}
		})
	}
	if a1, a5 := allocs(1), allocs(5); a1 != a5 {
		t.Errorf("allocations: %v with 1 restart, %v with 5", a1, a5)
	}
}
