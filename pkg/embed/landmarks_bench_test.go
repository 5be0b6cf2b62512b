package embed

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/spectral-dev/spectral/internal/testref"
	"github.com/spectral-dev/spectral/pkg/generate"
)

// BenchmarkLandmarkAccuracy compares landmark runs (uniform and cells sampling) with the
// exact embedding of the same cloud: one minus the smallest correlation of phi2..phi6 with the exact
// vectors and the largest relative eigenvalue error, as metrics (docs/bench/extend.md):
//
//	go test -run '^$' -bench LandmarkAccuracy -benchtime 1x ./pkg/embed/
func BenchmarkLandmarkAccuracy(b *testing.B) {
	ctx := context.Background()
	clouds := []struct {
		name  string
		pts   []float64
		dim   int
		sigma float64
	}{
		{"spiral12000", generate.Spiral(12000, 0.01, 6), 2, 0.02},
		{"roll20000", generate.SwissRoll(20000, 0.01, 6), 3, 0.03},
	}
	for _, cl := range clouds {
		all := cloudOf(cl.pts, cl.dim, cl.name)
		exact, err := RunCloud(ctx, all, Options{Sigma: cl.sigma, Cutoff: 4, K: 6, Device: "cpu"})
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range []int{1500, 3000, 6000} {
			for _, smp := range []string{SampleUniform, SampleCells} {
				b.Run(fmt.Sprintf("%s/m=%d/%s", cl.name, m, smp), func(b *testing.B) {
					var res *Result
					for i := 0; i < b.N; i++ {
						res, err = RunCloud(ctx, all, Options{Sigma: cl.sigma, Cutoff: 4, K: 6, Device: "cpu", Landmarks: m, LandmarkSampling: smp})
						if err != nil {
							b.Fatal(err)
						}
						if err := res.ExtendAll(ctx); err != nil {
							b.Fatal(err)
						}
					}
					minCorr, maxErr := 1.0, 0.0
					for j := 1; j < 6; j++ {
						minCorr = math.Min(minCorr, testref.Correlation(res.Vectors[j], exact.Vectors[j]))
						maxErr = math.Max(maxErr, math.Abs(res.Eigenvalues[j]-exact.Eigenvalues[j])/exact.Eigenvalues[j])
					}
					b.ReportMetric(1-minCorr, "1-min-corr")
					b.ReportMetric(maxErr, "max-eig-relerr")
					b.ReportMetric(float64(res.Landmarks.Cloud.N()), "landmarks")
				})
			}
		}
	}
}
