// The kernels of kernels/gaussian.cu compiled for the host (see hostcuda.h), and
// hostcuda_launch, which the fake libcuda.so.1's cuLaunchKernel calls.
#include "hostcuda.h"

#include "../../../kernels/gaussian.cu"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

typedef void (*entry_fn)(const float *, const Work *, const int *, float, void *, void *);

#define E(name) {#name, (entry_fn)name}
static const struct {
  const char *name;
  entry_fn fn;
} entries[] = {
    E(gaussian_matvec_f64_d1),   E(gaussian_matvec_f64_d2),   E(gaussian_matvec_f64_d3),
    E(gaussian_matvec_kahan_d1), E(gaussian_matvec_kahan_d2), E(gaussian_matvec_kahan_d3),
    E(gaussian_matvec_f64bits_d1), E(gaussian_matvec_f64bits_d2), E(gaussian_matvec_f64bits_d3),
    E(gaussian_degrees_d1),      E(gaussian_degrees_d2),      E(gaussian_degrees_d3),
};

struct launch {
  entry_fn fn;
  int grid, tid;
  const uint64_t *a;
};

static void *thread_main(void *p) {
  struct launch *l = (struct launch *)p;
  hc_tid = l->tid;
  for (int b = 0; b < l->grid; b++) {
    hc_ctaid = b;
    float c2;
    memcpy(&c2, &l->a[3], 4);
    l->fn((const float *)(uintptr_t)l->a[0], (const Work *)(uintptr_t)l->a[1],
          (const int *)(uintptr_t)l->a[2], c2, (void *)(uintptr_t)l->a[4], (void *)(uintptr_t)l->a[5]);
    pthread_barrier_wait(&hc_barrier); // the next block reuses the shared tiles
  }
  return 0;
}

// hostcuda_launch runs entry name on grid blocks of block threads; it returns 0, or -1
// when the entry is unknown or the threads cannot be started.
extern "C" int hostcuda_launch(const char *name, int grid, int block, const uint64_t *args) {
  entry_fn fn = 0;
  for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
    if (strcmp(entries[i].name, name) == 0)
      fn = entries[i].fn;
  if (!fn || block < 1 || block > MAX_BLOCK)
    return -1;
  hc_ntid = block;
  pthread_barrier_init(&hc_barrier, 0, (unsigned)block);
  pthread_t th[MAX_BLOCK];
  struct launch ls[MAX_BLOCK];
  int started = 0, rc = 0;
  for (int t = 0; t < block; t++) {
    ls[t].fn = fn;
    ls[t].grid = grid;
    ls[t].tid = t;
    ls[t].a = args;
    if (pthread_create(&th[t], 0, thread_main, &ls[t]) != 0) {
      rc = -1; // cannot happen in practice; the started threads would wait forever
      break;
    }
    started++;
  }
  for (int t = 0; t < started; t++)
    pthread_join(th[t], 0);
  pthread_barrier_destroy(&hc_barrier);
  return rc;
}
