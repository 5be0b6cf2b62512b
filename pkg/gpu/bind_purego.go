//go:build !nogpu

package gpu

import (
	"fmt"
	"runtime"

	"github.com/ebitengine/purego"
)

// Binding says whether this build can load a CUDA driver (false with -tags nogpu).
const Binding = true

// bind opens the driver library with purego (no cgo) and binds its functions. Importing
// purego makes even a CGO_ENABLED=0 binary load libc dynamically; build with -tags nogpu
// for a fully static binary without GPU support.
func bind(path string) (*Driver, error) {
	// dlerror's message is per thread: keep Dlopen and its dlerror on one.
	runtime.LockOSThread()
	lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	runtime.UnlockOSThread()
	if err != nil {
		return nil, fmt.Errorf("%w: cannot load %s (is the NVIDIA driver installed?): %v", ErrNoDriver, path, err)
	}
	d := &Driver{Path: path}
	for _, s := range d.symbols() {
		var sym uintptr
		for _, name := range s.names {
			if sym, err = purego.Dlsym(lib, name); err == nil {
				break
			}
		}
		if sym == 0 {
			purego.Dlclose(lib)
			return nil, fmt.Errorf("%w: %s lacks %s (driver too old?)", ErrNoDriver, path, s.names[0])
		}
		purego.RegisterFunc(s.fn, sym)
	}
	return d, nil
}
