//go:build amd64 && !purego

package eigsh

import "golang.org/x/sys/cpu"

// haveFMA selects the AVX2+FMA kernels of gemv_amd64.s; tests switch it off.
var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dot4 sets out[q] = a_q[0:n] . x[0:n] for four rows (n a multiple of 8).
//
//go:noescape
func dot4(a0, a1, a2, a3, x *float64, n int, out *[4]float64)

// axpy4 sets w[0:n] -= h[0] a0 + h[1] a1 + h[2] a2 + h[3] a3 (n a multiple of 8).
//
//go:noescape
func axpy4(w, a0, a1, a2, a3 *float64, h *[4]float64, n int)

// The block arithmetic's panel loops (blockmath_amd64.s, from scripts/blockmath_gen_asm.py):
// gramPanelV and mulPanelV hold V ymm registers of a panel's columns.

//go:noescape
func gramPanel1(out *[64]float64, x *float64, off *[4]int, xs int, y *float64, ys int, rows int)

//go:noescape
func gramPanel2(out *[64]float64, x *float64, off *[4]int, xs int, y *float64, ys int, rows int)

//go:noescape
func gramPanel3(out *[64]float64, x *float64, off *[4]int, xs int, y *float64, ys int, rows int)

//go:noescape
func gramPanel4(out *[64]float64, x *float64, off *[4]int, xs int, y *float64, ys int, rows int)

//go:noescape
func mulPanel1(dst *float64, ds int, x *float64, xs int, p int, c *float64, rows int, beta float64, scale int, mask *[4]int64)

//go:noescape
func mulPanel2(dst *float64, ds int, x *float64, xs int, p int, c *float64, rows int, beta float64, scale int, mask *[4]int64)

//go:noescape
func mulPanel3(dst *float64, ds int, x *float64, xs int, p int, c *float64, rows int, beta float64, scale int, mask *[4]int64)

//go:noescape
func mulPanel4(dst *float64, ds int, x *float64, xs int, p int, c *float64, rows int, beta float64, scale int, mask *[4]int64)
