package kernel

import (
	"math"
	"os"
	"testing"
)

// TestGaussExhaustive checks gauss against math.Exp at every float32 d2 in [0, 173]
// (1.1e9 values, about a minute): the source of ExpMaxRelErr. Opt-in because of its
// length: SPECTRAL_EXHAUSTIVE=1 go test -run GaussExhaustive ./pkg/kernel/
func TestGaussExhaustive(t *testing.T) {
	if os.Getenv("SPECTRAL_EXHAUSTIVE") == "" {
		t.Skip("set SPECTRAL_EXHAUSTIVE=1")
	}
	worst, at := 0.0, float32(0)
	end := math.Float32bits(underflowD2)
	for b := uint32(0); b <= end; b++ {
		d2 := math.Float32frombits(b)
		got := float64(gauss(d2, underflowD2))
		want := math.Exp(-float64(d2) / 2)
		if e := math.Abs(got-want) / want; e > worst {
			worst, at = e, d2
		}
	}
	t.Logf("max relative error %.4g at d2 = %g", worst, at)
	if worst > ExpMaxRelErr {
		t.Errorf("max relative error %.4g at d2 = %g > %g", worst, at, ExpMaxRelErr)
	}
}
