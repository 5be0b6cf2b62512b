package embed

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// ErrBadInput marks errors in the options or the data that the user must fix (the CLI
// maps it to exit status 2). Wrapped with the details.
var ErrBadInput = errors.New("bad input")

func badInput(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, a...))
}

// Laplacian names the graph Laplacian whose smallest eigenpairs are wanted.
type Laplacian string

const (
	Normalized   Laplacian = "normalized"   // I - D^-1/2 K D^-1/2
	Unnormalized Laplacian = "unnormalized" // D - K
	RandomWalk   Laplacian = "randomwalk"   // I - D^-1 K: eigenvalues of Normalized, vectors D^-1/2 phi
)

// ParseLaplacian accepts the CLI spellings.
func ParseLaplacian(s string) (Laplacian, error) {
	switch l := Laplacian(strings.ToLower(s)); l {
	case Normalized, Unnormalized, RandomWalk:
		return l, nil
	case "sym", "symmetric":
		return Normalized, nil
	case "rw", "random-walk":
		return RandomWalk, nil
	}
	return "", badInput("--laplacian %q: want normalized, unnormalized or randomwalk", s)
}

// CutoffAuto asks for the cutoff where the kernel drops below float32 resolution.
const CutoffAuto = -1

// Options of Run; zero values mean defaults where a default exists.
type Options struct {
	Input string              // path or "-" (Run only)
	Stdin io.Reader           // what "-" reads; nil = os.Stdin
	Read  cloudio.ReadOptions // format and columns

	Sigma     float64   // kernel width in input units; 0 = auto from the nearest-neighbour spacing
	Cutoff    float64   // in units of sigma; CutoffAuto (-1) = ~5.77; 0 = every pair
	K         int       // eigenpairs wanted, smallest first (0 = 7)
	Laplacian Laplacian // "" = Normalized
	DropFirst bool      // leave out the trivial pair (K are still returned)

	Device      string // "auto" (""), "cpu", "gpu"
	Threads     int    // CPU workers; 0 = all cores
	CacheMemory int64  // bytes for cached kernel values; 0 = half the available memory, <0 = never
	MemoryLimit int64  // refuse runs whose estimate exceeds this; 0 = available memory

	Tol     float64 // eigsh tolerance; 0 = machine precision
	NCV     int     // Krylov basis size; 0 = eigsh's default
	MaxIter int     // restarts; 0 = eigsh's default
	Seed    uint64  // start vector seed

	Progress func(Event) // optional; called from the solving goroutine

	// The graph (pkg/embed/graph.go).
	Affinity      Affinity // "" = Gaussian
	Neighbors     int      // knn: k, the point itself included (0 = DefaultNeighbors)
	ScaleNeighbor int      // self-tuning: sigma_i is the distance to this neighbour (0 = 7)
	Component     string   // "all" ("") or "largest"
	NoSelfLoops   bool     // solve the Laplacian of K - K(i,i) I (spectral cluster; graph.go)

	clusters int            // spectral cluster: the clusters wanted (0 = auto or embed)
	scales   []float64      // self-tuning sigma_i when already known
	sparse   *kernel.Sparse // the sparse affinity, once built
}

// validate fills defaults and rejects impossible settings before any work.
func (o *Options) validate() error {
	if o.K == 0 {
		o.K = 7
	}
	if o.K < 1 {
		return badInput("-k %d: need at least one eigenpair", o.K)
	}
	if math.IsNaN(o.Sigma) || math.IsInf(o.Sigma, 0) || o.Sigma < 0 {
		return badInput("--sigma %v: must be a positive number or auto", o.Sigma)
	}
	if math.IsNaN(o.Cutoff) || math.IsInf(o.Cutoff, 0) || (o.Cutoff < 0 && o.Cutoff != CutoffAuto) {
		return badInput("--cutoff %v: must be >= 0 (0 = every pair) or auto", o.Cutoff)
	}
	if o.Laplacian == "" {
		o.Laplacian = Normalized
	}
	if _, err := ParseLaplacian(string(o.Laplacian)); err != nil {
		return err
	}
	switch o.Device {
	case "":
		o.Device = "auto"
	case "auto", "cpu", "gpu":
	default:
		return badInput("--device %q: want auto, cpu or gpu", o.Device)
	}
	if o.Threads < 0 {
		return badInput("--threads %d: must be >= 0", o.Threads)
	}
	if o.Tol < 0 || math.IsNaN(o.Tol) {
		return badInput("--tol %v: must be >= 0", o.Tol)
	}
	if o.NCV < 0 || o.MaxIter < 0 {
		return badInput("--ncv and --maxiter must be >= 0")
	}
	return o.validateGraph()
}
