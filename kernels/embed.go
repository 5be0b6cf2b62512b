// Package kernels holds the CUDA sources of spectral's GPU kernels and the PTX built from
// them by scripts/build-ptx.sh. The PTX is embedded here, next to the file it comes from,
// so there is one committed copy (go:embed cannot reach outside a package's directory) and
// build-ptx.sh --check has one file to compare.
package kernels

//go:generate bash ../scripts/build-ptx.sh

import _ "embed"

// GaussianPTX is kernels/gaussian.ptx: the block-sparse Gaussian matvec and degree kernels
// (entries gaussian_matvec_f64_dD, gaussian_matvec_kahan_dD, gaussian_degrees_dD, D = 1..3).
//
//go:embed gaussian.ptx
var GaussianPTX string
