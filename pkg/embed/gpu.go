package embed

import (
	"fmt"

	"github.com/spectral-dev/spectral/pkg/grid"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// newGPUMatrix builds the kernel operator on a GPU, or says why it cannot.
func newGPUMatrix(g *grid.Grid, opt Options) (kernel.Matrix, device, error) {
	return nil, device{}, fmt.Errorf("%w: --device gpu: GPU support is not built yet", ErrBadInput)
}
