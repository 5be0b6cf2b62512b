package generate

import "math"

// legacyRNG is numpy's legacy RandomState stream: MT19937 seeded by init_genrand,
// random_sample from two 32-bit draws (53 bits), and standard_normal by the Marsaglia
// polar method keeping the second value for the next call. Written by hand because the
// reference data and the tutorial's clouds come from this exact stream.
type legacyRNG struct {
	mt       [624]uint32
	pos      int
	hasGauss bool
	saved    float64
}

func newLegacyRNG(seed uint32) *legacyRNG {
	r := &legacyRNG{pos: 624}
	s := seed
	for i := range r.mt {
		r.mt[i] = s
		s = 1812433253*(s^(s>>30)) + uint32(i) + 1
	}
	return r
}

func (r *legacyRNG) next32() uint32 {
	const upper, lower = 0x80000000, 0x7fffffff
	if r.pos >= 624 {
		for i := 0; i < 624; i++ {
			y := r.mt[i]&upper | r.mt[(i+1)%624]&lower
			v := r.mt[(i+397)%624] ^ y>>1
			if y&1 != 0 {
				v ^= 0x9908b0df
			}
			r.mt[i] = v
		}
		r.pos = 0
	}
	y := r.mt[r.pos]
	r.pos++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

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
