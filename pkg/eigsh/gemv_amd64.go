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
