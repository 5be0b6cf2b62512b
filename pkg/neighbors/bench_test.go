package neighbors

import (
	"sync"
	"testing"

	"github.com/spectral-dev/spectral/pkg/generate"
)

var benchRoll = sync.OnceValue(func() []float64 { return generate.SwissRoll(1000000, 0.01, 0) })

// BenchmarkMeasure1M: the tutorial's Swiss roll, n = 10^6, default options (50,000
// sampled queries against all points, GOMAXPROCS threads).
func BenchmarkMeasure1M(b *testing.B) {
	p := benchRoll()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Measure(p, 3, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMeasure1MFull queries all 10^6 points (MaxQueries < 0).
func BenchmarkMeasure1MFull(b *testing.B) {
	p := benchRoll()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Measure(p, 3, Options{MaxQueries: -1}); err != nil {
			b.Fatal(err)
		}
	}
}
