// A fake libcuda.so.1 for pkg/gpu's tests: it implements the driver calls the package
// binds, keeps "device" memory in host memory, records every call in $FAKE_CUDA_LOG (one
// line each), and runs the kernels of kernels/gaussian.cu compiled for the host
// (hostkernels.cc), so the kernel source and the Go side (work table, argument
// marshalling, copies) are checked end to end without a GPU; only the PTX is not run. Knobs: FAKE_CUDA_DEVICES (count, default 1), FAKE_CUDA_INIT_ERROR (a
// CUresult for cuInit), FAKE_CUDA_PTX_ERROR (text for the JIT error log; the load fails),
// FAKE_CUDA_CC (compute capability as major*10+minor, default 90).
//
// Build: gcc -shared -fPIC -O1 -ffp-contract=off -Wno-unknown-pragmas -pthread \
//          -o libcuda.so.1 fakecuda.c hostkernels.cc -lm
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;

static void logf_(const char *fmt, ...) {
  const char *path = getenv("FAKE_CUDA_LOG");
  if (!path) return;
  FILE *f = fopen(path, "a");
  if (!f) return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fputc('\n', f);
  fclose(f);
}

static int envint(const char *name, int def) {
  const char *v = getenv(name);
  return v && *v ? atoi(v) : def;
}

CUresult cuInit(unsigned flags) {
  logf_("cuInit %u", flags);
  return envint("FAKE_CUDA_INIT_ERROR", 0);
}
CUresult cuDriverGetVersion(int *v) { *v = 13000; return 0; }
CUresult cuDeviceGetCount(int *n) { *n = envint("FAKE_CUDA_DEVICES", 1); return 0; }
CUresult cuDeviceGet(int *dev, int ordinal) {
  if (ordinal < 0 || ordinal >= envint("FAKE_CUDA_DEVICES", 1)) return 101;
  *dev = ordinal;
  return 0;
}
CUresult cuDeviceGetName(char *name, int len, int dev) {
  snprintf(name, len, "Fake GPU %d", dev);
  return 0;
}
CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
  int cc = envint("FAKE_CUDA_CC", 90);
  switch (attr) {
  case 1: *v = 1024; return 0;
  case 13: *v = 1000000; return 0;
  case 16: *v = 4; return 0;
  case 75: *v = cc / 10; return 0;
  case 76: *v = cc % 10; return 0;
  }
  return 1;
}
CUresult cuDeviceTotalMem_v2(size_t *b, int dev) { *b = (size_t)1 << 30; return 0; }
static int ctx_token = 42;
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) {
  logf_("cuDevicePrimaryCtxRetain %d", dev);
  *ctx = &ctx_token;
  return 0;
}
CUresult cuDevicePrimaryCtxRelease_v2(int dev) { logf_("cuDevicePrimaryCtxRelease %d", dev); return 0; }
CUresult cuCtxSetCurrent(void *ctx) { return ctx == &ctx_token ? 0 : 201; }
CUresult cuCtxSynchronize(void) { logf_("cuCtxSynchronize"); return 0; }

// Modules: the PTX text is kept so cuModuleGetFunction can count an entry's parameters.
struct fn { char name[128]; int nparams; };
static char *ptx;
static struct fn fns[64];
static int nfns;

CUresult cuModuleLoadDataEx(void **mod, const void *image, unsigned n, int *opts, void **vals) {
  const char *fail = getenv("FAKE_CUDA_PTX_ERROR");
  logf_("cuModuleLoadDataEx options=%u bytes=%zu", n, strlen((const char *)image));
  for (unsigned i = 0; i < n; i++) {
    if (opts[i] == 6 && fail && *fail) { // error log size: write the log into option 5's buffer
      for (unsigned j = 0; j < n; j++)
        if (opts[j] == 5) {
          size_t cap = (size_t)(uintptr_t)vals[i];
          snprintf((char *)vals[j], cap, "%s", fail);
          vals[i] = (void *)(uintptr_t)(strlen(fail) + 1);
        }
    }
  }
  if (fail && *fail) return 218; // CUDA_ERROR_INVALID_PTX
  free(ptx);
  ptx = strdup((const char *)image);
  *mod = ptx;
  return 0;
}
CUresult cuModuleUnload(void *mod) { logf_("cuModuleUnload"); return 0; }
CUresult cuModuleGetFunction(void **f, void *mod, const char *name) {
  char key[160];
  snprintf(key, sizeof key, ".entry %s(", name);
  const char *p = strstr((const char *)mod, key);
  if (!p) return 500; // CUDA_ERROR_NOT_FOUND
  const char *end = strchr(p, ')');
  int np = 0;
  for (const char *q = strstr(p, ".param"); q && q < end; q = strstr(q + 1, ".param")) np++;
  struct fn *fn = &fns[nfns++ % 64];
  snprintf(fn->name, sizeof fn->name, "%s", name);
  fn->nparams = np;
  logf_("cuModuleGetFunction %s params=%d", name, np);
  *f = fn;
  return 0;
}

CUresult cuMemAlloc_v2(uint64_t *p, size_t n) {
  void *m = calloc(1, n);
  if (!m) return 2;
  *p = (uint64_t)(uintptr_t)m;
  logf_("cuMemAlloc %zu", n);
  return 0;
}
CUresult cuMemFree_v2(uint64_t p) { free((void *)(uintptr_t)p); logf_("cuMemFree"); return 0; }
CUresult cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t n) {
  memcpy((void *)(uintptr_t)dst, src, n);
  logf_("cuMemcpyHtoD %zu", n);
  return 0;
}
CUresult cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t n) {
  memcpy(dst, (const void *)(uintptr_t)src, n);
  logf_("cuMemcpyDtoH %zu", n);
  return 0;
}

// hostcuda_launch (hostkernels.cc) runs kernels/gaussian.cu itself on the host.
int hostcuda_launch(const char *name, int grid, int block, const uint64_t *args);

CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                        unsigned bz, unsigned shared, void *stream, void **params, void **extra) {
  struct fn *fn = (struct fn *)f;
  char line[4096];
  int off = snprintf(line, sizeof line, "cuLaunchKernel %s grid=%u,%u,%u block=%u,%u,%u shared=%u params=",
                     fn->name, gx, gy, gz, bx, by, bz, shared);
  uint64_t a[32] = {0};
  for (int i = 0; i < fn->nparams && i < 32; i++) {
    memcpy(&a[i], params[i], 8); // the Go side passes 8-byte slots
    off += snprintf(line + off, sizeof line - off, "%s%llx", i ? "," : "", (unsigned long long)a[i]);
  }
  logf_("%s", line);
  if (extra != NULL || gy != 1 || gz != 1 || by != 1 || bz != 1) return 1;
  return hostcuda_launch(fn->name, (int)gx, (int)bx, a) == 0 ? 0 : 1;
}

static const char *names[][2] = {
    {"CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {"CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {"CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {"CUDA_ERROR_UNKNOWN", "unknown error"},
};
static int nameidx(int code) {
  switch (code) {
  case 1: return 0;
  case 100: return 1;
  case 218: return 2;
  }
  return 3;
}
CUresult cuGetErrorName(int code, const char **s) { *s = names[nameidx(code)][0]; return 0; }
CUresult cuGetErrorString(int code, const char **s) { *s = names[nameidx(code)][1]; return 0; }
