package gpu

import (
	"testing"

	"github.com/spectral-dev/spectral/pkg/generate"
	"github.com/spectral-dev/spectral/pkg/grid"
)

// BenchmarkWorkTableTutorial is the host-side setup of a GPU product for the tutorial's
// Swiss roll (n = 10^6, sigma 0.01, cutoff 4): checking the grid and building the table.
func BenchmarkWorkTableTutorial(b *testing.B) {
	g, err := grid.Build(generate.SwissRoll(1_000_000, 0.01, 0), 3, 0.01, 4, grid.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		work, pairs, err := WorkTable(g, DefaultBlockSize)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(work)), "blocks")
		b.ReportMetric(float64(pairs), "pairs/product")
	}
}
