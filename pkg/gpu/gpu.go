// Package gpu runs the block-sparse Gaussian kernel on an NVIDIA GPU through the CUDA
// driver API, loaded at run time (no cgo, no CUDA toolkit at build time), from PTX kernels
// embedded in the binary.
//
// Data enters as a *grid.Grid (sorted float32 points, cells and their merged source
// ranges), which New copies to the GPU once with a host-built work table; vectors enter
// and leave MulVec as float64 in the grid's sorted order, like kernel.Operator.
//
// The driver library (libcuda.so.1, or $SPECTRAL_LIBCUDA) is opened with purego, so the
// binary builds with CGO_ENABLED=0 and runs unchanged on machines without a GPU, where
// Probe and New return errors wrapping ErrNoDriver or ErrNoDevice. The binding is a small
// API shaped like gorgonia.org/cu's (Context, Module, Function.Launch, MemAlloc,
// MemcpyHtoD/DtoH); gorgonia/cu itself needs cuda.h and libcuda at build time (cgo).
//
// purego makes even a CGO_ENABLED=0 binary dynamically linked against glibc (libc.so.6,
// libdl.so.2, libpthread.so.0). Building with -tags nogpu leaves purego out: a fully
// static binary (musl, scratch containers) in which Probe and New report ErrNoDriver.
package gpu
