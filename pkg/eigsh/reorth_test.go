package eigsh

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// nearOne is a diagonal operator whose wanted (largest) eigenvalues sit just below 1,
// like D^-1/2 K D^-1/2 of a kernel graph: alpha ~ ||A v|| and beta small at every step.
// n spans several reorthogonalisation chunks.
func nearOne(n int) funcOp {
	d := make([]float64, n)
	for i := range d {
		d[i] = 1 - 0.2*math.Sqrt(float64(i)/float64(n))
	}
	return funcOp{n, func(dst, src []float64) {
		for i, x := range src {
			dst[i] = d[i] * x
		}
	}}
}

// stats runs f and returns the last Lanczos solve's second passes and the orthogonality
// of its final basis, max |V^T V - I| over the complete rows.
func stats(t testing.TB, f func()) (passes2, steps int, orth float64) {
	solveHook = func(l *lanczos) {
		passes2 = l.passes2
		steps = l.matvecs
		m := l.m + 1 // row m is the unit residual direction, orthogonal to the rest
		if l.beta == 0 {
			m = l.m
		}
		g := make([]float64, m*m)
		V := l.basis(0, m)
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, V, V, 0, blas64.General{Rows: m, Cols: m, Stride: m, Data: g})
		for i := 0; i < m; i++ {
			g[i*m+i]--
		}
		for _, x := range g {
			orth = math.Max(orth, math.Abs(x))
		}
	}
	defer func() { solveHook = nil }()
	f()
	return
}

// TestLocalReorth: on an operator whose eigenvalues are near its norm, the local step
// makes the second orthogonalisation pass rare (before it, it ran at nearly every step),
// and the basis stays orthogonal to working precision, with the right eigenvalues.
func TestLocalReorth(t *testing.T) {
	const n = 6000
	op := nearOne(n)
	var res *Result
	p2, steps, orth := stats(t, func() {
		var err error
		res, err = Solve(op, 7, Options{Which: LA, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%d products, %d second passes, orthogonality %.2g", steps, p2, orth)
	if steps != res.MatVecs {
		t.Fatalf("hook saw %d products, result says %d", steps, res.MatVecs)
	}
	if p2 > steps/4 {
		t.Errorf("%d second passes in %d steps", p2, steps)
	}
	if orth > 1e-13 {
		t.Errorf("basis orthogonality %.3g", orth)
	}
	for i, v := range res.Values {
		want := 1 - 0.2*math.Sqrt(float64(len(res.Values)-1-i)/n)
		if math.Abs(v-want) > 1e-13 {
			t.Errorf("value %d = %.16g, want %.16g", i, v, want)
		}
	}
}

// TestDeterministicChunks: same bits for any GOMAXPROCS when the basis work is split
// into several chunks (TestDeterministic's n fits one).
func TestDeterministicChunks(t *testing.T) {
	op := nearOne(3*minChunk + 100)
	run := func() *Result {
		res, err := Solve(op, 5, Options{Which: LA, NCV: 20, Seed: 7, MaxIter: 3})
		if res == nil {
			t.Fatal(err)
		}
		return res
	}
	r1 := run()
	if r1.Restarts == 0 {
		t.Fatal("want a case that restarts (the rotation is chunked too)")
	}
	prev := runtime.GOMAXPROCS(1)
	r2 := run()
	runtime.GOMAXPROCS(max(prev, 4))
	r3 := run()
	runtime.GOMAXPROCS(prev)
	for _, r := range []*Result{r2, r3} {
		if r.MatVecs != r1.MatVecs || len(r.Values) != len(r1.Values) {
			t.Fatalf("products %d vs %d, %d vs %d values", r.MatVecs, r1.MatVecs, len(r.Values), len(r1.Values))
		}
		for i := range r1.Values {
			if math.Float64bits(r.Values[i]) != math.Float64bits(r1.Values[i]) {
				t.Errorf("value %d: %v vs %v", i, r.Values[i], r1.Values[i])
			}
		}
		for i := 0; i < op.n; i++ {
			for j := range r1.Values {
				if math.Float64bits(r.Vectors.At(i, j)) != math.Float64bits(r1.Vectors.At(i, j)) {
					t.Fatalf("vector %d differs at row %d", j, i)
				}
			}
		}
	}
}

// TestReorthTable prints products and second passes on scripts/eigsh_vs_arpack.py's
// matrices (EIGSH_BENCH_DIR), k=7, LA, seed 1, for docs/bench/eigsh-reorth.md.
func TestReorthTable(t *testing.T) {
	dir := os.Getenv("EIGSH_BENCH_DIR")
	if dir == "" {
		t.Skip("EIGSH_BENCH_DIR not set (see scripts/eigsh_vs_arpack.py)")
	}
	for _, name := range []string{"spiral_n1000", "swissroll_n1000", "swissroll_n10000"} {
		a, err := readMatrix(filepath.Join(dir, name+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		for _, ncv := range []int{20, 0} {
			for _, tol := range []float64{0, 1e-8} {
				var res *Result
				p2, _, orth := stats(t, func() {
					res, err = Solve(a, 7, Options{Which: LA, NCV: ncv, Tol: tol, Seed: 1})
				})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Printf("| %s | %d | %g | %d | %d | %.1g | %.15g |\n", name, ncv, tol, res.MatVecs, p2, orth, res.Values[0])
			}
		}
	}
}

// TestStepSecondPass drives step by hand where the full pass matters: the basis is
// e_0, e_1, e_2 (t couples rows 1 and 2, as Lanczos would), and A e_2 = e_0 + 1e-3 e_5
// has a large component along e_0 that t knows nothing about (lost orthogonality, in
// the extreme). The local step leaves norm ~1, the full pass leaves 1e-3: the DGKS
// second pass must run, and the new vector is e_5 with beta = 1e-3. With A e_2 = e_0
// exactly, w vanishes: an invariant subspace, and the new vector is a random one
// orthogonal to the basis, with beta = 0.
func TestStepSecondPass(t *testing.T) {
	const n, ncv = 3*minChunk + 7, 8
	for _, small := range []float64{1e-3, 0} {
		op := funcOp{n, func(dst, src []float64) {
			clear(dst)
			dst[0] = src[2]
			dst[5] = small * src[2]
		}}
		l := newLanczos(op, 2, ncv, Options{Seed: 1})
		for i := 0; i < 3; i++ {
			l.row(i)[i] = 1
		}
		l.t[1*ncv+2], l.t[2*ncv+1] = 0.5, 0.5
		l.m = 2
		err := l.step()
		l.chunks.close()
		if err != nil {
			t.Fatal(err)
		}
		if l.passes2 != 1 && small != 0 {
			t.Errorf("small=%g: %d second passes, want 1", small, l.passes2)
		}
		if l.m != 3 || l.beta != small || l.t[2*ncv+2] != 0 || l.t[3*ncv+2] != small {
			t.Errorf("small=%g: m=%d beta=%g alpha=%g t[3,2]=%g", small, l.m, l.beta, l.t[2*ncv+2], l.t[3*ncv+2])
		}
		w := l.row(3)
		if nrm := blas64.Nrm2(vec(w)); math.Abs(nrm-1) > 1e-15 {
			t.Errorf("small=%g: new vector has norm %v", small, nrm)
		}
		for i := 0; i < 3; i++ {
			if d := blas64.Dot(vec(w), vec(l.row(i))); math.Abs(d) > 1e-15 {
				t.Errorf("small=%g: new vector . v_%d = %g", small, i, d)
			}
		}
		if small != 0 && w[5] != 1 {
			t.Errorf("small=%g: new vector is not e_5 (w[5] = %v)", small, w[5])
		}
	}
}
