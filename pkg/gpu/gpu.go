// Package gpu runs the block-sparse Gaussian kernel on an NVIDIA GPU through the CUDA
// driver API, loaded at run time (no cgo, no CUDA toolkit at build time), from PTX kernels
// embedded in the binary.
package gpu
