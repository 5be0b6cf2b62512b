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
