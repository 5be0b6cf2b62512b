package kernel

import "testing"

func BenchmarkSweepMicro(b *testing.B) {
	n := 512
	pts := uniform(n, 3, 1)
	x, y, z := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := 0; i < n; i++ {
		x[i], y[i], z[i] = float32(pts[3*i]*8), float32(pts[3*i+1]*8), float32(pts[3*i+2]*8)
	}
	v := signedVec(n, 1)
	b.Run("3x4", func(b *testing.B) {
		var acc [4]float64
		c0 := cpuSeconds()
		for i := 0; i < b.N; i++ {
			tt := [4]int{i % n, (i + 1) % n, (i + 2) % n, (i + 3) % n}
			sweep3x4(&acc, x, y, z, &tt, x, y, z, v, 33)
		}
		b.ReportMetric((cpuSeconds()-c0)*1e9/float64(b.N*4*n), "cpu-ns/pair")
	})
	b.Run("3x8avx2", func(b *testing.B) {
		var acc [8]float64
		c0 := cpuSeconds()
		var tx, ty, tz [8]float32
		for i := 0; i < b.N; i++ {
			for k := range tx {
				tx[k], ty[k], tz[k] = x[(i+k)%n], y[(i+k)%n], z[(i+k)%n]
			}
			sweep3x8(&acc, &tx, &ty, &tz, &x[0], &y[0], &z[0], &v[0], n, 33)
		}
		b.ReportMetric((cpuSeconds()-c0)*1e9/float64(b.N*8*n), "cpu-ns/pair")
	})
	b.Run("2x4", func(b *testing.B) {
		var acc [4]float64
		c0 := cpuSeconds()
		for i := 0; i < b.N; i++ {
			tt := [4]int{i % n, (i + 1) % n, (i + 2) % n, (i + 3) % n}
			sweep2x4(&acc, x, y, &tt, x, y, v, 33)
		}
		b.ReportMetric((cpuSeconds()-c0)*1e9/float64(b.N*4*n), "cpu-ns/pair")
	})
}

// BenchmarkGaussGroups times the on-the-fly block products' kernel evaluation alone: one
// target against 1,024 full groups of 8 sources (scripts/kernel_gen_asm.py interleaves two
// groups a step: 16.4 against 19.7 ns a group on the project's Zen 1 box, one thread).
func BenchmarkGaussGroups(b *testing.B) {
	if !haveAVX2 {
		b.Skip("no AVX2")
	}
	n := 8192
	xs, ys, zs := make([]float32, n+8), make([]float32, n+8), make([]float32, n+8)
	for i := range xs {
		xs[i], ys[i], zs[i] = float32(i%97)*0.001, float32(i%89)*0.001, float32(i%83)*0.001
	}
	ng := n / 8
	groups := make([]int64, ng)
	for q := range groups {
		groups[q] = int64(8*q) | 0xff<<32
	}
	out := make([]float32, n)
	for i := 0; i < b.N; i++ {
		gaussGroups3(&out[0], 0.05, 0.05, 0.05, &xs[0], &ys[0], &zs[0], &groups[0], ng, 0.01)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*ng), "ns/group")
}
