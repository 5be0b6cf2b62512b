// Block-sparse Gaussian kernel products on the GPU: y = K v and the degrees D = K 1, with
// K(i,j) = exp(-|xi - xj|^2 / 2) on points already scaled by 1/sigma, K(i,j) = 0 where the
// float32 squared distance exceeds cutoff^2 (cutoff 0: the host passes +Inf), K(i,i) = 1.
//
// Built to PTX by scripts/build-ptx.sh with clang-14 and no CUDA toolkit: -nocudainc and
// -nocudalib, so this file defines the attribute macros itself and uses NVVM builtins
// (__nvvm_ex2_approx_f for exp, since expf needs libdevice).
//
// Work split (as KeOps' block reductions): one thread per target row. The host builds a
// work table with one entry per thread block: {first row, end row, first range, end range},
// where the rows are a slice of one grid cell (cells bigger than a block are split over
// several blocks) and the ranges index the grid's merged source ranges of that cell. Each
// block sweeps its ranges in tiles of blockDim source points staged in shared memory
// (one 16-byte Tile per point, read by all threads at once: a broadcast).
//
// Accuracy: kernel values are float32, like the CPU operator's; the squared
// distance is computed with explicitly rounded float32 operations in the CPU's order,
// ((dx*dx + dy*dy) + dz*dz) without fused multiply-adds (as Go computes it on amd64), so that the cutoff test and the
// kernel argument match the CPU bit for bit. Two accumulation modes:
//   *_f64:   v is read as double, each term (double)k * v[j] is accumulated in double
//            (the default: the same arithmetic as the CPU operator; on data-centre GPUs
//            double FMA costs about what the float32 product plus a conversion would);
//   *_kahan: v is rounded to float per tile, terms k * v[j] are float32 and summed with
//            Kahan compensation in float32 (for GPUs with slow double arithmetic);
//   *_f64bits: *_f64 with k widened to double by integer operations (same results).
// The degree kernels also count the ordered pairs within the cutoff.

// pkg/gpu's tests also compile this file for the host, with these and the NVVM builtins
// defined by pkg/gpu/testdata/hostcuda.h, and run it one OS thread per CUDA thread.
#ifndef SPECTRAL_HOST_EMULATION
#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __shared__ __attribute__((shared))
#define __forceinline__ __attribute__((always_inline)) inline
#endif

// MAX_BLOCK is the largest block size the host may launch; the tiles are sized for it.
#define MAX_BLOCK 256

// Explicitly rounded float32 operations. LLVM canonicalises these builtins to plain
// operations, so build-ptx.sh compiles with -ffp-contract=off to keep them unfused; the
// accumulations below use explicit FMAs instead.
__device__ __forceinline__ float sub_rn(float a, float b) { return __nvvm_add_rn_f(a, -b); }
#define add_rn __nvvm_add_rn_f
#define mul_rn __nvvm_mul_rn_f

struct Work {
  int row0, row1;     // target rows [row0, row1), inside one cell
  int range0, range1; // source ranges [range0, range1) of that cell
};

// Tile is one staged source point: coordinates (unused ones 0) and, for MODE 1, v as a
// float, so that each pair reads shared memory with one 128-bit broadcast load (plus one
// 64-bit load of v for the double modes).
struct __attribute__((aligned(16))) Tile {
  float c[3];
  float vf;
};

template <int DIM>
__device__ __forceinline__ float sqdist(const float *a, const Tile &b) {
  float dx = sub_rn(a[0], b.c[0]);
  float d2 = mul_rn(dx, dx);
  if (DIM > 1) {
    float dy = sub_rn(a[1], b.c[1]);
    d2 = add_rn(d2, mul_rn(dy, dy));
  }
  if (DIM > 2) {
    float dz = sub_rn(a[2], b.c[2]);
    d2 = add_rn(d2, mul_rn(dz, dz));
  }
  return d2;
}

// kval is the float32 kernel value exp(-d2/2), 0 beyond the cutoff. The exponent
// d2 * (-log2(e)/2) is carried with its rounding error e (two FMAs, the constant split in
// two floats), so only ex2.approx's own error (~2 ulp) remains: 2^(a+e) ~ 2^a (1 + e ln2).
// Like the CPU operator, values with d2 > 173 (below ~2.7e-38, where float32 turns
// subnormal) are flushed to 0; the pair still counts as within the cutoff.
#define NEG_HALF_LOG2E_HI (-7.213475108e-01f)
#define NEG_HALF_LOG2E_LO (-9.629815168e-09f)
#define LN2F (6.931471825e-01f)
#define UNDERFLOW_D2 173.0f
__device__ __forceinline__ float kval(float d2, float c2v) {
  const float a = mul_rn(d2, NEG_HALF_LOG2E_HI);
  const float e = __nvvm_fma_rn_f(d2, NEG_HALF_LOG2E_LO, __nvvm_fma_rn_f(d2, NEG_HALF_LOG2E_HI, -a));
  const float p = __nvvm_ex2_approx_f(a);
  const float k = __nvvm_fma_rn_f(p, mul_rn(e, LN2F), p);
  return d2 <= c2v ? k : 0.0f;
}

// widen converts a kernel value (0, or a normal float in [2^-125, 1]) to double exactly
// with integer operations instead of the float-to-double conversion instruction, which
// runs at the rate of ex2 on recent GPUs (MODE 3; which is faster is measured).
__device__ __forceinline__ double widen(float k) {
  const unsigned b = (unsigned)__nvvm_bitcast_f2i(k);
  const unsigned hi = b != 0 ? (b >> 3) + (896u << 20) : 0u; // rebias 127 -> 1023
  return __nvvm_lohi_i2d((int)(b << 29), (int)hi);
}

// MODE 0: y = K v, double accumulation. MODE 1: y = K v, compensated float32.
// MODE 2: degrees y = K 1 (double accumulation) and pairs within the cutoff into *count.
// MODE 3: MODE 0 with the kernel value widened by widen().
// The tiles (tile: points, svd: v) are declared in each entry below rather than here:
// static __shared__ variables of a template get weak linkage in PTX (.weak .shared), which
// is better avoided in a module loaded on its own.
template <int DIM, int MODE>
__device__ __forceinline__ void sweep(const float *__restrict__ pts,
                                      const Work *__restrict__ work,
                                      const int *__restrict__ ranges, float c2,
                                      const double *__restrict__ v,
                                      double *__restrict__ y,
                                      unsigned long long *__restrict__ count,
                                      Tile *tile, double *svd) {
  const float c2v = c2 < UNDERFLOW_D2 ? c2 : UNDERFLOW_D2;
  const int tid = __nvvm_read_ptx_sreg_tid_x();
  const int nt = __nvvm_read_ptx_sreg_ntid_x();
  const Work w = work[__nvvm_read_ptx_sreg_ctaid_x()];
  const int row = w.row0 + tid;
  const bool active = row < w.row1;

  float x[DIM];
  for (int d = 0; d < DIM; d++)
    x[d] = active ? pts[(long long)row * DIM + d] : 0.0f;

  double acc = 0.0;
  float sum = 0.0f, comp = 0.0f; // MODE 1: Kahan sum and its compensation
  unsigned long long within = 0;

  for (int r = w.range0; r < w.range1; r++) {
    const int s0 = ranges[2 * r], s1 = ranges[2 * r + 1];
    for (int t0 = s0; t0 < s1; t0 += nt) {
      const int m = s1 - t0 < nt ? s1 - t0 : nt;
      if (tid < m) {
        const int j = t0 + tid;
        Tile t;
        for (int d = 0; d < 3; d++)
          t.c[d] = d < DIM ? pts[(long long)j * DIM + d] : 0.0f;
        t.vf = MODE == 1 ? (float)v[j] : 0.0f;
        tile[tid] = t;
        if (MODE == 0 || MODE == 3)
          svd[tid] = v[j];
      }
      __syncthreads();
      if (active) {
#pragma unroll 4
        for (int q = 0; q < m; q++) {
          const Tile t = tile[q];
          const float d2 = sqdist<DIM>(x, t);
          const float k = kval(d2, c2v);
          if (MODE == 0) {
            acc = __nvvm_fma_rn_d((double)k, svd[q], acc);
          } else if (MODE == 3) {
            acc = __nvvm_fma_rn_d(widen(k), svd[q], acc);
          } else if (MODE == 1) {
            const float term = __nvvm_fma_rn_f(k, t.vf, -comp);
            const float t = add_rn(sum, term);
            comp = sub_rn(sub_rn(t, sum), term);
            sum = t;
          } else {
            acc += (double)k;
            within += d2 <= c2 ? 1 : 0;
          }
        }
      }
      __syncthreads();
    }
  }
  if (active) {
    if (MODE == 1)
      y[row] = (double)sum - (double)comp;
    else
      y[row] = acc;
    if (MODE == 2)
      __nvvm_atom_add_gen_ll((long long *)count, (long long)within);
  }
}

#define ENTRY(NAME, D, MODE, VTYPE, OUT, OUTTYPE, VARG, COUNT)                 \
  extern "C" __global__ void NAME##_d##D(const float *pts, const Work *work,     \
                                         const int *ranges, float c2, VTYPE,     \
                                         OUTTYPE OUT) {                          \
    __shared__ Tile tile[MAX_BLOCK];                                             \
    __shared__ double svd[MODE == 0 || MODE == 3 ? MAX_BLOCK : 1];               \
    sweep<D, MODE>(pts, work, ranges, c2, VARG, y, COUNT, tile, svd);            \
  }

// Parameters: points, work table, ranges, c^2, then v and y (products) or y and the
// pair counter (degrees).
#define ENTRIES(D)                                                               \
  ENTRY(gaussian_matvec_f64, D, 0, const double *v, y, double *, v, 0)           \
  ENTRY(gaussian_matvec_kahan, D, 1, const double *v, y, double *, v, 0)         \
  ENTRY(gaussian_matvec_f64bits, D, 3, const double *v, y, double *, v, 0)       \
  ENTRY(gaussian_degrees, D, 2, double *y, count, unsigned long long *, 0, count)

ENTRIES(1)
ENTRIES(2)
ENTRIES(3)
