//go:build nogpu

package gpu

import "fmt"

// Binding says whether this build can load a CUDA driver (false with -tags nogpu).
const Binding = false

// bind: this binary was built with -tags nogpu (fully static, no purego), so no driver can
// be loaded.
func bind(path string) (*Driver, error) {
	return nil, fmt.Errorf("%w: this spectral was built without GPU support (-tags nogpu)", ErrNoDriver)
}
