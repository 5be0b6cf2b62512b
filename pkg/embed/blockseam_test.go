package embed

import (
	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/gpu"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// Every operator at the solver seam has a block product (kernel and gpu cannot import
// eigsh, so their methods meet the interface structurally; this fails to compile if one
// drifts).
var (
	_ eigsh.BlockOperator = (*kernel.Operator)(nil)
	_ eigsh.BlockOperator = (*kernel.Laplacian)(nil)
	_ eigsh.BlockOperator = (*gpu.Operator)(nil)
	_ eigsh.BlockOperator = eigsh.Affine{}
	_ eigsh.BlockOperator = (*deflated)(nil)
	_ eigsh.BlockOperator = weightedMatrix{}
)
