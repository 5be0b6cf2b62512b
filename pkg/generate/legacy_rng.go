package generate

import (
	"math"

	"gonum.org/v1/gonum/mathext/prng"
)

// legacyRNG is numpy's legacy RandomState stream: MT19937 seeded by init_genrand (gonum's
// prng.MT19937, which numpy's integer seeds match), random_sample from two 32-bit draws
// (53 bits), and standard_normal by the Marsaglia polar method keeping the second value
// for the next call. The reference data and the tutorial's clouds come from this exact
// stream (TestGenerateMatchesReference checks it bit for bit).
type legacyRNG struct {
	mt       *prng.MT19937
	hasGauss bool
	saved    float64
}

func newLegacyRNG(seed uint32) *legacyRNG {
	mt := prng.NewMT19937()
	mt.Seed(uint64(seed))
	return &legacyRNG{mt: mt}
}

func (r *legacyRNG) next32() uint32 { return r.mt.Uint32() }

// float64 is uniform on [0, 1) with 53 random bits.
func (r *legacyRNG) float64() float64 {
	a, b := r.next32()>>5, r.next32()>>6
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}

func (r *legacyRNG) gauss() float64 {
	if r.hasGauss {
		r.hasGauss = false
		return r.saved
	}
	var x1, x2, r2 float64
	for {
		x1 = 2*r.float64() - 1
		x2 = 2*r.float64() - 1
		r2 = x1*x1 + x2*x2
		if r2 < 1 && r2 != 0 {
			break
		}
	}
	f := math.Sqrt(-2 * math.Log(r2) / r2)
	r.saved = f * x1
	r.hasGauss = true
	return f * x2
}
