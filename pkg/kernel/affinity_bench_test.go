package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spectral-dev/spectral/pkg/generate"
)

// rollPoints is a Swiss-roll-like surface of n points (input order random).
func rollPoints(n int) []float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	pts := make([]float64, 3*n)
	for i := range n {
		t := 1.5 * math.Pi * (1 + 2*rng.Float64())
		pts[3*i], pts[3*i+1], pts[3*i+2] = t*math.Cos(t), 21*rng.Float64(), t*math.Sin(t)
	}
	return pts
}

// BenchmarkKNNAffinity1M is the whole knn graph of issue 12's size: the 10 nearest
// neighbours (the point included) of 10^6 points and the symmetrised CSR, on all cores
// (goal: under 5 s on 2 cores; docs/bench/cluster.md).
func BenchmarkKNNAffinity1M(b *testing.B) {
	pts := rollPoints(1_000_000)
	b.ResetTimer()
	for range b.N {
		s, err := KNNAffinity(pts, 3, 10, 0, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(s.NNZ())/1e6, "Mnnz")
	}
}

// BenchmarkKNNAffinityTutorialRoll1M is the same build on the tutorial's Swiss roll as
// `spectral generate swissroll -n 1000000` writes it (points in curve order); with
// -cpu 1,2 it shows what the threads buy (scripts/knnbuild times it from a file, with
// CPU seconds).
func BenchmarkKNNAffinityTutorialRoll1M(b *testing.B) {
	pts := generate.SwissRoll(1_000_000, 0.01, 0)
	b.ResetTimer()
	for range b.N {
		if _, err := KNNAffinity(pts, 3, 10, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSparseMulVec1M is one product with that graph.
func BenchmarkSparseMulVec1M(b *testing.B) {
	s, err := KNNAffinity(rollPoints(1_000_000), 3, 10, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, s.Dims())
	y := make([]float64, s.Dims())
	for i := range x {
		x[i] = 1
	}
	b.ResetTimer()
	for range b.N {
		s.MulVec(y, x)
	}
}
