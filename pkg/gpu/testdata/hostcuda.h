// Host emulation of the CUDA builtins kernels/gaussian.cu uses, so the kernel source itself
// can run in pkg/gpu's tests without a GPU: one OS thread per CUDA thread of a block, a
// pthread barrier for __syncthreads, function-local statics for __shared__ arrays (shared
// by the block's threads; blocks run one after another). Float operations round as on the
// GPU when compiled with -ffp-contract=off; ex2.approx is emulated by exp2f.
#ifndef HOSTCUDA_H
#define HOSTCUDA_H

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define SPECTRAL_HOST_EMULATION 1
#define __global__
#define __device__
#define __shared__ static
#define __forceinline__ inline

static __thread int hc_tid, hc_ctaid;
static int hc_ntid;
static pthread_barrier_t hc_barrier;

static inline int __nvvm_read_ptx_sreg_tid_x(void) { return hc_tid; }
static inline int __nvvm_read_ptx_sreg_ntid_x(void) { return hc_ntid; }
static inline int __nvvm_read_ptx_sreg_ctaid_x(void) { return hc_ctaid; }
static inline void __syncthreads(void) { pthread_barrier_wait(&hc_barrier); }

static inline float __nvvm_add_rn_f(float a, float b) { return a + b; }
static inline float __nvvm_mul_rn_f(float a, float b) { return a * b; }
static inline float __nvvm_fma_rn_f(float a, float b, float c) { return fmaf(a, b, c); }
static inline double __nvvm_fma_rn_d(double a, double b, double c) { return fma(a, b, c); }
static inline float __nvvm_ex2_approx_f(float a) { return exp2f(a); }
static inline int __nvvm_bitcast_f2i(float f) {
  int i;
  memcpy(&i, &f, 4);
  return i;
}
static inline double __nvvm_lohi_i2d(int lo, int hi) {
  uint64_t b = ((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo;
  double d;
  memcpy(&d, &b, 8);
  return d;
}
static inline long long __nvvm_atom_add_gen_ll(long long *p, long long v) {
  return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

#endif
