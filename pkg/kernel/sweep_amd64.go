//go:build amd64 && !purego

package kernel

import "golang.org/x/sys/cpu"

// haveAVX2 selects the on-the-fly AVX2 hot loop (sweep_amd64.s); the cached mode's
// masked tile loop uses AVX-512 where there is one, else AVX2+FMA. Tests switch them
// off to compare with the pure-Go loops.
var (
	haveAVX2   = cpu.X86.HasAVX2
	haveAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL
	haveFMA    = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasPOPCNT
)

//go:noescape
func sweep3x8(acc *[8]float64, tx, ty, tz *[8]float32, xs, ys, zs *float32, v *float64, n int, c2 float32)

//go:noescape
func sweep2x8(acc *[8]float64, tx, ty *[8]float32, xs, ys *float32, v *float64, n int, c2 float32)

//go:noescape
func sweep3x4avx(acc *[4]float64, tx, ty, tz *[4]float32, xs, ys, zs *float32, v *float64, n int, c2 float32)

//go:noescape
func sweep2x4avx(acc *[4]float64, tx, ty *[4]float32, xs, ys *float32, v *float64, n int, c2 float32)

//go:noescape
func tileMask(acc8, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows int)

//go:noescape
func tileMask2(acc8, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows int)

//go:noescape
func scanBits3(out *uint8, tx, ty, tz float32, xs, ys, zs *float32, n int, c2, oc2 float32) (within int)

//go:noescape
func scanBits2(out *uint8, tx, ty float32, xs, ys *float32, n int, c2, oc2 float32) (within int)

//go:noescape
func rowGauss3(out *float32, tx, ty, tz float32, xs, ys, zs *float32, n int, c2 float32)

//go:noescape
func rowGauss2(out *float32, tx, ty float32, xs, ys *float32, n int, c2 float32)

// haveBlockSIMD selects the block products' AVX2+FMA loops (blockAcc, tileBlock; they
// visit the nonzero lanes with TZCNT/BLSR).
var haveBlockSIMD = haveFMA && cpu.X86.HasBMI1

//go:noescape
func blockAcc1(acc *float64, w *float32, v *float64, groups *int64, ng, stride int)

//go:noescape
func blockAcc2(acc *float64, w *float32, v *float64, groups *int64, ng, stride int)

//go:noescape
func blockAcc3(acc *float64, w *float32, v *float64, groups *int64, ng, stride int)

//go:noescape
func blockAcc4(acc *float64, w *float32, v *float64, groups *int64, ng, stride int)

//go:noescape
func tileBlock1(acc, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows, stride int)

//go:noescape
func tileBlock2(acc, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows, stride int)

//go:noescape
func tileBlock3(acc, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows, stride int)

//go:noescape
func tileBlock4(acc, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows, stride int)

//go:noescape
func gaussGroups3(out *float32, tx, ty, tz float32, xs, ys, zs *float32, groups *int64, ng int, c2 float32)

//go:noescape
func gaussGroups2(out *float32, tx, ty float32, xs, ys *float32, groups *int64, ng int, c2 float32)
