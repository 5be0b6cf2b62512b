//go:build !amd64 || purego

package eigsh

var haveFMA = false

func dot4(a0, a1, a2, a3, x *float64, n int, out *[4]float64) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func axpy4(w, a0, a1, a2, a3 *float64, h *[4]float64, n int) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func gramPanel1(out *[64]float64, x *float64, off *[4]int, xs int, y *float64, ys int, rows int) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func mulPanel1(dst *float64, ds int, x *float64, xs int, p int, c *float64, rows int, beta float64, scale int, mask *[4]int64) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func gramPanel2(out *[64]float64, x *float64, off *[4]int, xs int, y *float64, ys int, rows int) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func mulPanel2(dst *float64, ds int, x *float64, xs int, p int, c *float64, rows int, beta float64, scale int, mask *[4]int64) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func gramPanel3(out *[64]float64, x *float64, off *[4]int, xs int, y *float64, ys int, rows int) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func mulPanel3(dst *float64, ds int, x *float64, xs int, p int, c *float64, rows int, beta float64, scale int, mask *[4]int64) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func gramPanel4(out *[64]float64, x *float64, off *[4]int, xs int, y *float64, ys int, rows int) {
	panic("eigsh: no AVX2 kernel on this platform")
}

func mulPanel4(dst *float64, ds int, x *float64, xs int, p int, c *float64, rows int, beta float64, scale int, mask *[4]int64) {
	panic("eigsh: no AVX2 kernel on this platform")
}
