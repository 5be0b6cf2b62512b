package embed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spectral-dev/spectral/pkg/graph"
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
	return "", fieldError("Options.Laplacian", "{} %q: want normalized, unnormalized or randomwalk", s)
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
	CacheMemory int64  // bytes for cached kernel values; 0 = half the available memory less the rest of the run (cacheBudget), <0 = never
	MemoryLimit int64  // refuse runs whose estimate exceeds this; 0 = available memory

	Solver  Solver  // "" or auto, lanczos, multilevel
	Tol     float64 // eigsh tolerance; 0 = machine precision (multilevel: eigsh.BlockTolFloor)
	NCV     int     // Krylov basis size; 0 = eigsh's default
	MaxIter int     // restarts; 0 = eigsh's default
	Seed    uint64  // start vector seed

	// Landmarks > 0 embeds a uniform sample of that many points exactly and extends the
	// eigenvectors to the others (Nyström; landmarks.go): Result.Landmarks, ExtendRows.
	Landmarks        int
	LandmarkSampling string // SampleCells ("" = default) or SampleUniform
	// Weights (input order; nil = all 1) give each point a mass: the embedding of a
	// weighted sample of a larger cloud (weights.go). Normalized and random walk only.
	Weights []float64

	Progress func(Event) // optional; called from the solving goroutine
	started  time.Time   // Run's start: the origin of every Event.Elapsed (set by Run)
	// Warn, when set, gets each warning as soon as it is known (the pre-flight ones before
	// the kernel is built), whatever Progress is; Result.Warnings lists them all too.
	// Warnings name fields as Go does (NameFields rewords them).
	Warn func(string)
	// ctx is Run's context, for the stages that take one in their options (set by
	// RunCloud).
	ctx context.Context
	// Strict turns the pre-flight warnings (a graph that will fall apart, a nearly dense
	// operator at large n) into ErrBadInput before any kernel work.
	Strict bool

	// The graph (pkg/embed/graph.go).
	Affinity      Affinity // "" = Gaussian
	Neighbors     int      // knn: k, the point itself included (0 = DefaultNeighbors)
	ScaleNeighbor int      // self-tuning: sigma_i is the distance to this neighbour (0 = 7)
	Component     string   // "all" ("") or "largest"
	NoSelfLoops   bool     // solve the Laplacian of K - K(i,i) I (spectral cluster; graph.go)

	clusters     int            // spectral cluster: the clusters wanted (0 = auto or embed)
	attachSubset bool           // a runSubset of ComponentAttach (componentsAreClusters applies)
	scales       []float64      // self-tuning sigma_i when already known
	sparse       *kernel.Sparse // the sparse affinity, once built
	// components of a disconnected graph embedded whole (input order; prepareGraph): the
	// Lanczos path deflates each one's trivial vector (deflate.go).
	components *graph.Components
}

// Validate fills the defaults and rejects impossible settings before any work (Run and
// RunCloud call it; a front end may call it first to refuse bad values early). A bad
// value is a *FieldError naming the field.
func (o *Options) Validate() error {
	if o.K == 0 {
		o.K = 7
	}
	if o.K < 1 {
		return fieldError("Options.K", "{} %d: need at least one eigenpair", o.K)
	}
	if math.IsNaN(o.Sigma) || math.IsInf(o.Sigma, 0) || o.Sigma < 0 {
		return fieldError("Options.Sigma", "{} %v: must be a positive number or auto", o.Sigma)
	}
	if math.IsNaN(o.Cutoff) || math.IsInf(o.Cutoff, 0) || (o.Cutoff < 0 && o.Cutoff != CutoffAuto) {
		return fieldError("Options.Cutoff", "{} %v: must be >= 0 (0 = every pair) or auto", o.Cutoff)
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
		return fieldError("Options.Device", "{} %q: want auto, cpu or gpu", o.Device)
	}
	if o.Threads < 0 {
		return fieldError("Options.Threads", "{} %d: must be >= 0", o.Threads)
	}
	sv, err := ParseSolver(string(o.Solver))
	if err != nil {
		return err
	}
	o.Solver = sv
	if o.Tol < 0 || math.IsNaN(o.Tol) {
		return fieldError("Options.Tol", "{} %v: must be >= 0", o.Tol)
	}
	switch o.LandmarkSampling {
	case "":
		o.LandmarkSampling = SampleCells
	case SampleCells, SampleUniform:
	default:
		return fieldError("Options.LandmarkSampling", "{} %q: want cells or uniform", o.LandmarkSampling)
	}
	if o.Landmarks > 0 && ((o.Affinity != "" && o.Affinity != Gaussian) || o.Component == "largest") {
		return fieldError("Options.Landmarks", "{} extends a Gaussian embedding of the whole cloud: not with {Options.Affinity} %s or {Options.Component} largest", o.Affinity)
	}
	if o.Landmarks < 0 {
		return fieldError("Options.Landmarks", "{} %d: must be >= 0 (0 = embed every point)", o.Landmarks)
	}
	if o.NCV < 0 {
		return fieldError("Options.NCV", "{} %d: must be >= 0", o.NCV)
	}
	if o.MaxIter < 0 {
		return fieldError("Options.MaxIter", "{} %d: must be >= 0", o.MaxIter)
	}
	// The solver needs a basis larger than the pairs it returns; the known first pair is
	// deflated, but the fallback without deflation needs them all (solve), so the rule is
	// stated in the user's k.
	if o.NCV > 0 && o.NCV <= o.K {
		return fieldError("Options.NCV", "{} %d: must be larger than {Options.K} %d (the basis holds more vectors than the pairs it finds)", o.NCV, o.K)
	}
	if o.NCV > 0 && o.DropFirst && o.NCV <= o.K+1 {
		return fieldError("Options.NCV", "{} %d: must be larger than {Options.K} %d + 1 with {Options.DropFirst} (the basis holds more vectors than the pairs it finds)", o.NCV, o.K)
	}
	return o.validateGraph()
}
