//go:build !amd64 || purego

package eigsh

var haveFMA = false

func dot4(a0, a1, a2, a3, x *float64, n int, out *[4]float64) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func axpy4(w, a0, a1, a2, a3 *float64, h *[4]float64, n int) {
	panic("eigsh: no AVX2 kernel on this platform")
}
