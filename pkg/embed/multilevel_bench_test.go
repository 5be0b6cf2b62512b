package embed

import (
	"context"
	"testing"

	"github.com/spectral-dev/spectral/pkg/generate"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// BenchmarkSolvers embeds the tutorial's Swiss roll (n = 10^4, sigma 0.02; n = 10^5,
// sigma 0.01; cutoff 4, k 7, tol 1e-6) with each solver; docs/bench/multilevel.md has
// the figures and the end-to-end comparison with scipy.
func BenchmarkSolvers(b *testing.B) {
	for _, c := range []struct {
		name  string
		n     int
		sigma float64
	}{{"n=1e4", 10000, 0.02}, {"n=1e5", 100000, 0.01}} {
		cloud := &cloudio.Cloud{Points: generate.SwissRoll(c.n, 0.01, 0), Dim: 3, Source: "roll"}
		for _, s := range []Solver{SolverLanczos, SolverMultilevel} {
			b.Run(c.name+"/"+string(s), func(b *testing.B) {
				var passes int
				for i := 0; i < b.N; i++ {
					res, err := RunCloud(context.Background(), cloud, Options{Sigma: c.sigma, Cutoff: 4, Tol: 1e-6, Solver: s})
					if err != nil {
						b.Fatal(err)
					}
					passes = res.Passes
				}
				b.ReportMetric(float64(passes), "passes")
			})
		}
	}
}
