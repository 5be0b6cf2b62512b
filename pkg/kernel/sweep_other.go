//go:build !amd64 || purego

package kernel

var haveAVX2, haveAVX512, haveFMA = false, false, false

func sweep3x8(acc *[8]float64, tx, ty, tz *[8]float32, xs, ys, zs *float32, v *float64, n int, c2 float32) {
	panic("kernel: no AVX2 loop on this platform")
}

func sweep2x8(acc *[8]float64, tx, ty *[8]float32, xs, ys *float32, v *float64, n int, c2 float32) {
	panic("kernel: no AVX2 loop on this platform")
}

func sweep3x4avx(acc *[4]float64, tx, ty, tz *[4]float32, xs, ys, zs *float32, v *float64, n int, c2 float32) {
	panic("kernel: no AVX2 loop on this platform")
}

func sweep2x4avx(acc *[4]float64, tx, ty *[4]float32, xs, ys *float32, v *float64, n int, c2 float32) {
	panic("kernel: no AVX2 loop on this platform")
}

func tileMask(acc8, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows int) {
	panic("kernel: no AVX-512 loop on this platform")
}

func tileMask2(acc8, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows int) {
	panic("kernel: no AVX2 loop on this platform")
}

func scanBits3(out *uint8, tx, ty, tz float32, xs, ys, zs *float32, n int, c2, oc2 float32) (within int) {
	panic("kernel: no AVX2 loop on this platform")
}

func scanBits2(out *uint8, tx, ty float32, xs, ys *float32, n int, c2, oc2 float32) (within int) {
	panic("kernel: no AVX2 loop on this platform")
}

func rowGauss3(out *float32, tx, ty, tz float32, xs, ys, zs *float32, n int, c2 float32) {
	panic("kernel: no AVX2 loop on this platform")
}

func rowGauss2(out *float32, tx, ty float32, xs, ys *float32, n int, c2 float32) {
	panic("kernel: no AVX2 loop on this platform")
}

var haveBlockSIMD = false

func blockAcc1(acc *float64, w *float32, v *float64, groups *int64, ng, stride int) {
	panic("kernel: no AVX2 loop on this platform")
}

func blockAcc2(acc *float64, w *float32, v *float64, groups *int64, ng, stride int) {
	panic("kernel: no AVX2 loop on this platform")
}

func blockAcc3(acc *float64, w *float32, v *float64, groups *int64, ng, stride int) {
	panic("kernel: no AVX2 loop on this platform")
}

func blockAcc4(acc *float64, w *float32, v *float64, groups *int64, ng, stride int) {
	panic("kernel: no AVX2 loop on this platform")
}

func tileBlock1(acc, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows, stride int) {
	panic("kernel: no AVX2 loop on this platform")
}

func tileBlock2(acc, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows, stride int) {
	panic("kernel: no AVX2 loop on this platform")
}

func tileBlock3(acc, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows, stride int) {
	panic("kernel: no AVX2 loop on this platform")
}

func tileBlock4(acc, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows, stride int) {
	panic("kernel: no AVX2 loop on this platform")
}

func gaussGroups3(out *float32, tx, ty, tz float32, xs, ys, zs *float32, groups *int64, ng int, c2 float32) {
	panic("kernel: no AVX2 loop on this platform")
}

func gaussGroups2(out *float32, tx, ty float32, xs, ys *float32, groups *int64, ng int, c2 float32) {
	panic("kernel: no AVX2 loop on this platform")
}
