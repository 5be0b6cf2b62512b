// Package generate makes the KeOps tutorial's synthetic clouds: a noisy 2D spiral and a
// noisy 3D Swiss roll.
//
// The formulas and the random stream are those of the reference data
// (numpy.random.RandomState(seed), t = linspace(0, 2 pi, N+1)[:-1]), so that
// Spiral(1000, 0.01, 0) reproduces testdata/reference/spiral_n1000_s0.05_points.csv.
// Points are rounded to float32, as in the tutorial, and returned as float64.
package generate

import "math"

// Spiral returns n points (n x 2, row-major):
// x = 0.4 + 0.4 (t/7) cos t, y = 0.5 + 0.3 sin t, plus noise*N(0,1) per coordinate.
func Spiral(n int, noise float64, seed int64) []float64 {
	rng := newLegacyRNG(uint32(seed))
	pts := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		t := param(i, n)
		pts[2*i] = 0.4*(t/7)*math.Cos(t) + 0.4
		pts[2*i+1] = 0.3*math.Sin(t) + 0.5
	}
	addNoise(pts, noise, rng)
	return pts
}

// SwissRoll returns n points (n x 3, row-major): u ~ U(0,1) drawn first, then
// x = 0.4 + 0.4 (t/7) cos 1.5t, y = 0.1 + 0.8 u, z = 0.5 + 0.3 (t/7) sin 1.5t,
// plus noise*N(0,1) per coordinate.
func SwissRoll(n int, noise float64, seed int64) []float64 {
	rng := newLegacyRNG(uint32(seed))
	u := make([]float64, n)
	for i := range u {
		u[i] = rng.float64()
	}
	pts := make([]float64, 3*n)
	for i := 0; i < n; i++ {
		t := param(i, n)
		pts[3*i] = 0.4*(t/7)*math.Cos(1.5*t) + 0.4
		pts[3*i+1] = 0.8*u[i] + 0.1
		pts[3*i+2] = 0.3*(t/7)*math.Sin(1.5*t) + 0.5
	}
	addNoise(pts, noise, rng)
	return pts
}

// param is numpy's linspace(0, 2 pi, n+1)[i]: i * step with step = 2 pi / n.
func param(i, n int) float64 {
	return float64(i) * (2 * math.Pi / float64(n))
}

// addNoise adds noise*N(0,1) in row-major order, then rounds to float32.
func addNoise(pts []float64, noise float64, rng *legacyRNG) {
	for i := range pts {
		pts[i] = float64(float32(pts[i] + noise*rng.gauss()))
	}
}
