//go:build amd64 && !purego

package kernel

import "golang.org/x/sys/cpu"

// haveAVX2 selects the AVX2 hot loop (sweep_amd64.s); tests switch it off to compare
// with the pure-Go loop.
var haveAVX2 = cpu.X86.HasAVX2

//go:noescape
func sweep3x8(acc *[8]float64, tx, ty, tz *[8]float32, xs, ys, zs *float32, v *float64, n int, c2 float32)

//go:noescape
func sweep2x8(acc *[8]float64, tx, ty *[8]float32, xs, ys *float32, v *float64, n int, c2 float32)
