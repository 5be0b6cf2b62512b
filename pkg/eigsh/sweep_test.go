package eigsh

import (
	"fmt"
	"os"
	"testing"
)

// TestNCVSweep prints products against ncv and the restart rule on the dense reference
// kernels (BENCHMARKS.md). Set EIGSH_SWEEP=1.
func TestNCVSweep(t *testing.T) {
	if os.Getenv("EIGSH_SWEEP") == "" {
		t.Skip("EIGSH_SWEEP not set")
	}
	defer func(f func(k, ncv, nconv int) int) { keepRule = f }(keepRule)
	for _, c := range []struct {
		name  string
		sigma float64
	}{{"spiral_n1000_s0.05", 0.05}, {"swissroll_n1000_s0.1", 0.1}} {
		rc := loadRef(t, c.name, c.sigma)
		k, d := rc.kernel()
		a := Dense{normalizedA(k, d)}
		for _, tol := range []float64{0, 1e-8} {
			for _, rule := range []struct {
				name string
				f    func(k, ncv, nconv int) int
			}{{"ARPACK nev+min(nconv,np/2)", keepARPACK}, {"k+(ncv-k)/2", keepHalf}, {"k+np/3+min(nconv,np/3) (ours)", keepThirds}} {
				keepRule = rule.f
				line := fmt.Sprintf("| %s | %g | %s |", c.name, tol, rule.name)
				for _, ncv := range []int{15, 20, 25, 30, 40, 50, 60} {
					res, err := Solve(a, 7, Options{NCV: ncv, Tol: tol, Seed: 1})
					if err != nil {
						t.Fatal(err)
					}
					line += fmt.Sprintf(" %d |", res.MatVecs)
				}
				t.Log(line)
			}
		}
	}
}

// TestMatVecEconomy pins the products on the reference kernels (k=7, LA of
// D^-1/2 K D^-1/2, tol 0, default ncv) against ARPACK's on the same matrices
// (scripts/eigsh_vs_arpack.py, scipy 1.10: spiral 56, swiss roll 65, median of 5 start
// vectors): at most 0.7x on the spiral; on the swiss roll at most what unrestarted
// Lanczos needs (47-49, the Krylov floor for a random start).
func TestMatVecEconomy(t *testing.T) {
	for _, c := range []struct {
		name   string
		sigma  float64
		arpack int
		limit  int
	}{{"spiral_n1000_s0.05", 0.05, 56, 39}, {"swissroll_n1000_s0.1", 0.1, 65, 49}} {
		rc := loadRef(t, c.name, c.sigma)
		k, d := rc.kernel()
		a := &counter{Operator: Dense{normalizedA(k, d)}}
		for seed := uint64(1); seed <= 3; seed++ {
			a.n = 0
			res, err := Solve(a, 7, Options{Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			if res.MatVecs != a.n {
				t.Errorf("%s: MatVecs %d, operator called %d times", c.name, res.MatVecs, a.n)
			}
			if res.MatVecs > c.limit {
				t.Errorf("%s seed %d: %d products > %d (ARPACK %d)", c.name, seed, res.MatVecs, c.limit, c.arpack)
			}
		}
	}
}
