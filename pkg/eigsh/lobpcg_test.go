package eigsh

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// diagOp is a diagonal operator with a known spectrum.
type diagOp []float64

func (d diagOp) Dims() int { return len(d) }
func (d diagOp) MulVec(dst, src []float64) {
	for i, v := range d {
		dst[i] = v * src[i]
	}
}

func TestLOBPCGDiagonal(t *testing.T) {
	n := 2000
	d := make(diagOp, n)
	for i := range d {
		d[i] = math.Exp(-float64(i) / 50)
	}
	res, err := LOBPCG(d, 5, BlockOptions{Block: 8, Tol: 1e-8, MaxIter: 2000})
	if err != nil {
		t.Fatal(err)
	}
	for j, v := range res.Values {
		want := d[4-j]
		if math.Abs(v-want) > 1e-10 {
			t.Errorf("value %d: %.15g want %.15g", j, v, want)
		}
	}
	t.Logf("passes %d", res.Passes)
}

func TestLOBPCGDenseAgainstEigen(t *testing.T) {
	a := randSym(300, 3)
	res, err := LOBPCG(Dense{a}, 4, BlockOptions{Block: 7, Tol: 1e-9, MaxIter: 3000})
	if err != nil {
		t.Fatal(err)
	}
	all := denseEigen(t, a)
	want := wanted(LA, all, 4)
	for j := range want {
		if math.Abs(res.Values[j]-want[j]) > 1e-8*math.Abs(want[j]) {
			t.Errorf("value %d: %.15g want %.15g", j, res.Values[j], want[j])
		}
	}
	_ = mat.NewDense
	t.Logf("passes %d", res.Passes)
}

// A path graph's normalized affinity with two coarse levels of pairs: a small
// multilevel problem whose answer the dense solver knows.
func pathLevels(n int) (Operator, []Level, *mat.SymDense) {
	// K: weights exp(-1/2) between neighbours, 1 on the diagonal; A = D^-1/2 K D^-1/2.
	w := math.Exp(-0.5)
	d := make([]float64, n)
	for i := range d {
		d[i] = 1
		if i > 0 {
			d[i] += w
		}
		if i < n-1 {
			d[i] += w
		}
	}
	cols := make([][]int32, n)
	vals := make([][]float64, n)
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := max(i-1, 0); j <= min(i+1, n-1); j++ {
			k := 1.0
			if j != i {
				k = w
			}
			v := k / math.Sqrt(d[i]*d[j])
			cols[i] = append(cols[i], int32(j))
			vals[i] = append(vals[i], v)
			a.SetSym(i, j, v)
		}
	}
	fine, _ := NewSparse(n, cols, vals)
	var levels []Level
	cur, dc := fine, d
	for cur.N > 40 {
		m := (cur.N + 3) / 4
		lab := make([]int32, cur.N)
		d2 := make([]float64, m)
		for i := range lab {
			lab[i] = int32(i / 4)
			d2[i/4] += dc[i]
		}
		wt := make([]float64, cur.N)
		coords := make([]float64, m)
		for i := range wt {
			wt[i] = math.Sqrt(dc[i] / d2[lab[i]])
		}
		for c := range coords {
			coords[c] = float64(c)
		}
		co := cur.Galerkin(lab, wt, m)
		levels = append(levels, Level{Labels: lab, Weights: wt, A: co, Coords: coords, Dim: 1})
		cur, dc = co, d2
	}
	return fine, levels, a
}

func TestSolveMultilevelPath(t *testing.T) {
	op, levels, a := pathLevels(800)
	if len(levels) < 2 {
		t.Fatalf("%d levels", len(levels))
	}
	res, err := SolveMultilevel(op, 5, levels, MultilevelOptions{Tol: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	var eig mat.EigenSym
	if !eig.Factorize(a, false) {
		t.Fatal("dense eigen failed")
	}
	all := eig.Values(nil) // ascending
	for j := 0; j < 5; j++ {
		want := all[len(all)-5+j]
		if math.Abs(res.Values[j]-want) > 1e-12 {
			t.Errorf("value %d: %.15g want %.15g", j, res.Values[j], want)
		}
	}
	checkPairs(t, op, res, 1e-9*1.0001, 1e-8)
	if len(res.Levels) != len(levels)+1 || res.Passes == 0 || res.Block != DefaultBlock(5) {
		t.Errorf("levels %v passes %d block %d", res.Levels, res.Passes, res.Block)
	}
}

// Same bits for any GOMAXPROCS.
func TestSolveMultilevelDeterministic(t *testing.T) {
	op, levels, _ := pathLevels(20000)
	run := func(procs int) *Result {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		res, err := SolveMultilevel(op, 4, levels, MultilevelOptions{Tol: 1e-8})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	r1, r2 := run(1), run(3)
	for j := range r1.Values {
		if r1.Values[j] != r2.Values[j] || r1.Residuals[j] != r2.Residuals[j] {
			t.Fatalf("pair %d differs: %v/%v vs %v/%v", j, r1.Values[j], r1.Residuals[j], r2.Values[j], r2.Residuals[j])
		}
	}
	if !mat.Equal(r1.Vectors, r2.Vectors) || r1.Passes != r2.Passes {
		t.Fatal("vectors or passes depend on GOMAXPROCS")
	}
}

// Too few iterations: *NoConvergence with only converged pairs, each verified.
func TestLOBPCGNoConvergence(t *testing.T) {
	d := make(diagOp, 3000)
	for i := range d {
		d[i] = math.Exp(-float64(i) / 400)
	}
	_, err := LOBPCG(d, 6, BlockOptions{Block: 8, Tol: 1e-10, MaxIter: 6})
	var nc *NoConvergence
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v, want *NoConvergence", err)
	}
	if nc.Converged != len(nc.Result.Values) || nc.Converged >= 6 {
		t.Fatalf("converged %d, values %d", nc.Converged, len(nc.Result.Values))
	}
	for j, v := range nc.Result.Values {
		if nc.Result.Residuals[j] > 1e-10*math.Abs(v) {
			t.Errorf("returned pair %d has residual %g", j, nc.Result.Residuals[j])
		}
	}
}

func TestLOBPCGCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := LOBPCG(diagOp(make([]float64, 500)), 3, BlockOptions{Context: ctx})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// The sparse Cholesky in nested-dissection order solves (shift I - A) z = g.
func TestCholeskySolve(t *testing.T) {
	_, levels, _ := pathLevels(3000)
	lv := levels[0]
	a := lv.A
	perm := ndOrder(a, lv.Coords, lv.Dim)
	seen := make([]bool, a.N)
	for _, p := range perm {
		if seen[p] {
			t.Fatal("ndOrder is not a permutation")
		}
		seen[p] = true
	}
	c, ok := newCholesky(a.permuted(perm), 1.01, 1<<30)
	if !ok {
		t.Fatal("factorisation failed")
	}
	c.perm = perm
	b := 3
	g := randBlock(a.N, b, 9)
	z := append([]float64(nil), g...)
	c.solveBlock(z, b)
	az := make([]float64, len(z))
	a.MulBlock(az, z, b)
	for i := range z {
		if r := 1.01*z[i] - az[i] - g[i]; math.Abs(r) > 1e-10 {
			t.Fatalf("residual %g at %d", r, i)
		}
	}
}
