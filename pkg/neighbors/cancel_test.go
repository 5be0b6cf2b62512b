package neighbors

import (
	"context"
	"errors"
	"testing"
)

func TestMeasureCancelled(t *testing.T) {
	pts := make([]float64, 0, 2*5000)
	for i := 0; i < 5000; i++ {
		pts = append(pts, float64(i%71)*0.3, float64(i/71)*0.2)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Measure(pts, 2, Options{Context: ctx}); !errors.Is(err, context.Canceled) {
		t.Errorf("%v, want context.Canceled", err)
	}
	sp, err := Measure(pts, 2, Options{Context: context.Background()})
	if err != nil || !(sp.SuggestedSigma > 0) {
		t.Errorf("not cancelled: %v %v", sp.SuggestedSigma, err)
	}
}
