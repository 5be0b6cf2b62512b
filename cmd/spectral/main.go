// Command spectral computes spectral coordinates of point clouds: the eigenvectors of a
// Gaussian-kernel graph Laplacian. See README.md and docs/CLI.md.
package main

import (
	"os"
	"runtime/debug"

	"github.com/spectral-dev/spectral/internal/sysmem"
)

func main() {
	avail, known := sysmem.AvailableKnown()
	if !known {
		avail = 0 // a guessed figure would make a limit that throttles large runs
	}
	if limit, ok := memoryLimit(os.Getenv("GOMEMLIMIT"), avail); ok {
		debug.SetMemoryLimit(limit)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// memoryLimit is the soft memory limit the process sets for Go's garbage collector: 85%
// of the memory available at start, unless GOMEMLIMIT is set (then the runtime has read
// it already) or the figure is unknown (0). Without one the collector lets the heap grow to
// twice what was live at the last collection: with a cached kernel of 11.7 GiB live, the
// solver's per-iteration garbage took the 10^6 roll to 21 GB of a 23 GiB machine
// (docs/bench/multilevel.md, "with the cache"). The limit is soft: near it the collector
// works harder (at most half the CPU), and an allocation never fails because of it.
func memoryLimit(env string, available int64) (int64, bool) {
	if env != "" || available <= 0 {
		return 0, false
	}
	return available / 100 * 85, true
}
