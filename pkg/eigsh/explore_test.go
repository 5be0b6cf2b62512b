package eigsh

import (
	"os"
	"testing"
)

func TestExplore(t *testing.T) {
	if os.Getenv("EIGSH_EXPLORE") == "" {
		t.Skip()
	}
	for _, c := range []struct {
		name  string
		sigma float64
	}{{"spiral_n1000_s0.05", 0.05}, {"swissroll_n1000_s0.1", 0.1}} {
		rc := loadRef(t, c.name, c.sigma)
		k, d := rc.kernel()
		a := normalizedA(k, d)
		for _, rule := range []struct {
			name string
			f    func(k, ncv, nconv int) int
		}{{"arpack", keepARPACK}, {"half", keepHalf}} {
			keepRule = rule.f
			for _, ncv := range []int{15, 20, 25, 30, 40, 50, 60} {
				for _, tol := range []float64{0, 1e-8} {
					res, err := Solve(Dense{a}, 7, Options{NCV: ncv, Tol: tol, Seed: 1})
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%s %s ncv=%d tol=%g matvecs=%d restarts=%d top=%.15f", c.name, rule.name, ncv, tol, res.MatVecs, res.Restarts, res.Values[6])
				}
			}
		}
	}
}
