package embed

import (
	"os"
	"strconv"
	"strings"

	"github.com/spectral-dev/spectral/internal/sysmem"
	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// EstimateMemory is the peak memory of a run without the kernel cache (which is sized
// separately against Options.CacheMemory): the input points, their sorted float32 copy and
// permutation, the grid, the degrees, the Lanczos basis (n x ncv) and the k eigenvectors
// in two orders, plus the output table.
func EstimateMemory(n, dim, k, ncv int) int64 {
	nn := int64(n)
	b := nn * int64(dim) * 8    // input points
	b += nn*int64(dim)*4 + nn*8 // sorted float32 points, permutation
	b += nn * 64                // cells and neighbour lists, worst case one cell per point
	b += nn * 8 * 4             // degrees, D^-1/2, work vectors
	b += nn * int64(ncv+2) * 8  // Lanczos basis
	b += nn * int64(k) * 8 * 3  // eigenvectors: solver, input order, output columns
	return b + 64<<20           // runtime and binary
}

// AvailableMemory is what the machine has available (MemAvailable).
func AvailableMemory() int64 { return kernel.AvailableMemory() }

// PeakRSS is the process's peak resident set size (VmHWM), or 0 where unknown.
func PeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

func (o *Options) memoryLimit() int64 {
	if o.MemoryLimit > 0 {
		return o.MemoryLimit
	}
	return AvailableMemory()
}

// defaultNCVEstimate is the solver's default basis size, for the memory estimate.
func defaultNCVEstimate(k int) int {
	return eigsh.DefaultNCV(k)
}

// FormatBytes prints a byte count for people: 1.5 GiB.
func FormatBytes(b int64) string { return sysmem.FormatBytes(b) }
