package embed

import (
	"errors"

	"github.com/spectral-dev/spectral/pkg/gpu"
	"github.com/spectral-dev/spectral/pkg/grid"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// ErrDevice marks a GPU that --device gpu asked for but that is missing or failed: a
// run-time failure of the machine, not of the input (the CLI maps it to exit status 1,
// like other run-time failures).
var ErrDevice = errors.New("GPU failure")

// checkDevice fails before any work when --device gpu is asked for on a machine without
// a CUDA driver.
func checkDevice(opt Options) error {
	if opt.Device != "gpu" {
		return nil
	}
	if _, err := gpu.Load(); err != nil {
		return fieldErrorOf(ErrDevice, "Options.Device", "%v: {} gpu: %v (use {} auto or cpu)", ErrDevice, err)
	}
	return nil
}

// newGPUMatrix builds the kernel operator on the first GPU, or says why it cannot (no
// libcuda.so.1, no device, a PTX load failure with the driver's log).
func newGPUMatrix(g *grid.Grid, _ Options) (kernel.Matrix, device, error) {
	op, err := gpu.New(g, gpu.Options{})
	if err != nil {
		return nil, device{}, fieldErrorOf(ErrDevice, "Options.Device", "%v: {} gpu: %v", ErrDevice, err)
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
