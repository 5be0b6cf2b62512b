package embed

import (
	"fmt"

	"github.com/spectral-dev/spectral/pkg/gpu"
	"github.com/spectral-dev/spectral/pkg/grid"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// newGPUMatrix builds the kernel operator on the first GPU, or says why it cannot (no
// libcuda.so.1, no device, a PTX load failure with the driver's log).
func newGPUMatrix(g *grid.Grid, _ Options) (kernel.Matrix, device, error) {
	op, err := gpu.New(g, gpu.Options{})
	if err != nil {
		return nil, device{}, fmt.Errorf("%w: --device gpu: %v", ErrBadInput, err)
	}
	return op, device{name: "gpu: " + op.Info().String(), threads: 1, stats: op.Stats}, nil
}

// deviceErr is a failure the operator kept while its MulVec could not return one.
func deviceErr(m kernel.Matrix) error {
	if e, ok := m.(interface{ Err() error }); ok {
		return e.Err()
	}
	return nil
}

// gpuDriverPresent says whether a CUDA driver library loads (cheap: no device is
// touched), i.e. whether --device auto may run on a GPU.
func gpuDriverPresent() bool {
	_, err := gpu.Load()
	return err == nil
}
