package embed

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/spectral-dev/spectral/pkg/graph"
	"github.com/spectral-dev/spectral/pkg/grid"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// Affinity names the graph whose Laplacian is embedded.
type Affinity string

const (
	// Gaussian is exp(-|xi-xj|^2 / 2 sigma^2), one sigma for the whole cloud.
	Gaussian Affinity = "gaussian"
	// KNN is scikit-learn's affinity="nearest_neighbors": the symmetrised
	// k-nearest-neighbour graph, the point itself counted among its k (weights 1, or
	// Gaussian with a given sigma).
	KNN Affinity = "knn"
	// SelfTuning is Zelnik-Manor & Perona's exp(-d^2 / (sigma_i sigma_j)), sigma_i the
	// distance to the ScaleNeighbor-th nearest neighbour.
	SelfTuning Affinity = "self-tuning"
)

// DefaultNeighbors is --neighbors, scikit-learn's n_neighbors default.
const DefaultNeighbors = 10

// DefaultScaleNeighbor is --scale-neighbor, the 7th neighbour of Zelnik-Manor & Perona.
const DefaultScaleNeighbor = 7

// ParseAffinity accepts the CLI spellings.
func ParseAffinity(s string) (Affinity, error) {
	switch a := Affinity(strings.ToLower(s)); a {
	case Gaussian, KNN, SelfTuning:
		return a, nil
	case "nearest_neighbors", "nearest-neighbors":
		return KNN, nil
	case "selftuning", "self_tuning", "local":
		return SelfTuning, nil
	}
	return "", badInput("--affinity %q: want gaussian, knn or self-tuning", s)
}

// Component modes: embed every point, or the largest connected component only.
const (
	ComponentAll     = "all"
	ComponentLargest = "largest"
)

// validateGraph fills the affinity and component defaults.
func (o *Options) validateGraph() error {
	if o.Affinity == "" {
		o.Affinity = Gaussian
	}
	if _, err := ParseAffinity(string(o.Affinity)); err != nil {
		return err
	}
	if o.Neighbors == 0 {
		o.Neighbors = DefaultNeighbors
	}
	if o.ScaleNeighbor == 0 {
		o.ScaleNeighbor = DefaultScaleNeighbor
	}
	if o.Neighbors < 2 {
		return badInput("--neighbors %d: need at least 2 (the point itself counts as one, as in scikit-learn)", o.Neighbors)
	}
	if o.ScaleNeighbor < 1 {
		return badInput("--scale-neighbor %d: need at least 1", o.ScaleNeighbor)
	}
	if o.Affinity == SelfTuning && o.Sigma != 0 && o.scales == nil {
		return badInput("--sigma %g: the self-tuning affinity sets one scale per point (--scale-neighbor); leave --sigma out", o.Sigma)
	}
	switch o.Component {
	case "":
		o.Component = ComponentAll
	case ComponentAll, ComponentLargest:
	default:
		return badInput("--component %q: want all or largest", o.Component)
	}
	return nil
}

// prepareGraph runs after sigma is known and before the grid: it builds the sparse
// affinity (knn, self-tuning) into opt.sparse, counts the graph's connected components
// and reports them as a warning before any solve. With --component largest on a
// disconnected graph it embeds the largest component alone and returns that result, in
// which the other points' rows are NaN (see expandRows); otherwise it returns nil.
func prepareGraph(ctx context.Context, cloud *cloudio.Cloud, res *Result, opt *Options) (*Result, error) {
	res.Affinity, res.Component = opt.Affinity, opt.Component
	if opt.Affinity != Gaussian {
		res.Neighbors, res.ScaleNeighbor = opt.Neighbors, opt.ScaleNeighbor
	}
	t := time.Now()
	if opt.sparse == nil && opt.Affinity != Gaussian {
		if opt.Neighbors >= cloud.N() || opt.ScaleNeighbor >= cloud.N() {
			return nil, badInput("%s has %d points: too few for %d neighbours", cloud.Source, cloud.N(), max(opt.Neighbors, opt.ScaleNeighbor))
		}
		var err error
		switch opt.Affinity {
		case KNN:
			opt.sparse, err = kernel.KNNAffinity(cloud.Points, cloud.Dim, opt.Neighbors, opt.Sigma, opt.Threads)
		case SelfTuning:
			if opt.scales == nil {
				opt.scales, err = kernel.LocalScales(cloud.Points, cloud.Dim, opt.ScaleNeighbor, opt.Threads)
			}
			if err == nil {
				opt.sparse, err = kernel.SelfTuningAffinity(cloud.Points, cloud.Dim, opt.scales, res.Cutoff, opt.Threads)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%w: --affinity %s: %v", ErrBadInput, opt.Affinity, err)
		}
	}
	var comps *graph.Components
	var err error
	if opt.sparse != nil {
		comps = graph.OfCSR(opt.sparse.Ptr, opt.sparse.Idx)
	} else if comps, err = kernel.Components(cloud.Points, cloud.Dim, res.Sigma, res.Cutoff); err != nil {
		return nil, fmt.Errorf("components: %w", err)
	}
	res.Seconds.Graph = time.Since(t).Seconds()
	res.Components = comps.Sizes
	res.Embedded = cloud.N()
	if comps.Count() == 1 {
		return nil, ctx.Err()
	}
	res.Warnings = append(res.Warnings, componentsWarning(comps, res, opt))
	if opt.Progress != nil { // before the solve, which may take long
		opt.Progress(Event{Stage: "warning", Warning: res.Warnings[len(res.Warnings)-1]})
	}
	if opt.Component != ComponentLargest {
		return nil, ctx.Err()
	}
	return runLargest(ctx, cloud, comps, res, *opt)
}

func componentsWarning(c *graph.Components, res *Result, opt *Options) string {
	sizes := make([]string, 0, 6)
	for l, s := range c.Sizes {
		if l == 5 {
			sizes = append(sizes, fmt.Sprintf("... (%d more)", len(c.Sizes)-5))
			break
		}
		sizes = append(sizes, fmt.Sprint(s))
	}
	what := fmt.Sprintf("sigma %.6g", res.Sigma)
	fix := "a larger --sigma, --affinity knn or self-tuning, or --component largest"
	switch opt.Affinity {
	case KNN:
		what, fix = fmt.Sprintf("%d neighbours", opt.Neighbors), "more --neighbors, or --component largest"
	case SelfTuning:
		what, fix = fmt.Sprintf("scale neighbour %d", opt.ScaleNeighbor), "a larger --scale-neighbor, or --component largest"
	}
	msg := fmt.Sprintf("the %s graph at %s is disconnected: %d connected components, of sizes %s", opt.Affinity, what, c.Count(), strings.Join(sizes, ", "))
	if opt.Component == ComponentLargest {
		return msg + fmt.Sprintf("; embedding the largest (%d points) only, the other rows are NaN", c.Sizes[0])
	}
	return msg + "; each adds an eigenvalue 0 whose eigenvectors only label components: " + fix
}

// runLargest embeds the largest component with the same graph: the Gaussian kernel
// between its points does not depend on the others (sigma stays the one chosen for the
// whole cloud); a sparse affinity is restricted to it, which is exact since no edge
// leaves a component.
func runLargest(ctx context.Context, cloud *cloudio.Cloud, comps *graph.Components, res *Result, opt Options) (*Result, error) {
	keep := comps.Largest()
	if want := opt.K + btoi(opt.DropFirst); len(keep) <= want {
		return nil, badInput("the largest connected component has %d points: need more than k = %d", len(keep), want)
	}
	sub := &cloudio.Cloud{Points: make([]float64, 0, len(keep)*cloud.Dim), Dim: cloud.Dim, Names: cloud.Names, Format: cloud.Format, Source: cloud.Source}
	for _, i := range keep {
		sub.Points = append(sub.Points, cloud.Points[i*cloud.Dim:(i+1)*cloud.Dim]...)
	}
	sopt := opt
	sopt.Component = ComponentAll
	sopt.Sigma = res.Sigma
	if opt.sparse != nil {
		var err error
		if sopt.sparse, err = opt.sparse.Sub(keep); err != nil {
			return nil, err
		}
	}
	r, err := RunCloud(ctx, sub, sopt)
	if r == nil {
		return nil, err
	}
	r.Cloud, r.SigmaAuto, r.Spacing = cloud, res.SigmaAuto, res.Spacing
	r.Components, r.Component, r.Embedded = res.Components, ComponentLargest, len(keep)
	r.Warnings = append(append([]string{}, res.Warnings...), r.Warnings...)
	r.Seconds.Sigma, r.Seconds.Graph = res.Seconds.Sigma, res.Seconds.Graph+r.Seconds.Graph
	r.Rows = keep
	for j, v := range r.Vectors {
		r.Vectors[j] = expandRows(v, keep, cloud.N())
	}
	return r, err
}

// expandRows puts the values of the rows keep back at their input positions, NaN
// elsewhere. NaN rows keep the output aligned with the input line for line (no index
// column is needed to join them back), and every reader of CSV or PLY (numpy, pandas,
// CloudCompare) takes NaN as "no value" rather than as a coordinate near 0.
func expandRows(v []float64, keep []int, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	for k, i := range keep {
		out[i] = v[k]
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// identityGrid stands in for the grid of a sparse affinity, whose rows are in input
// order already: collect maps vectors back through its identity permutation.
func identityGrid(n int) *grid.Grid {
	g := &grid.Grid{N: n, Perm: make([]int, n)}
	for i := range g.Perm {
		g.Perm[i] = i
	}
	return g
}

// sparseDevice describes a sparse affinity as the device that runs it: the CPU.
func sparseDevice(s *kernel.Sparse, opt Options) device {
	th := opt.Threads
	if th <= 0 {
		th = runtime.GOMAXPROCS(0)
	}
	st := kernel.Stats{PairsEvaluated: s.NNZ(), PairsWithinCutoff: s.NNZ()}
	if s.Diag != 0 {
		st.PairsWithinCutoff += int64(s.Dims())
	}
	return device{name: "cpu", threads: th, stats: func() kernel.Stats { return st }}
}

// laplacianShift is the Gershgorin bound on D - K: the operator's own when it knows
// its diagonal (a sparse affinity may have none), else 2 (max D - 1) for K(i,i) = 1.
func laplacianShift(m kernel.Matrix, maxD float64) float64 {
	if b, ok := m.(interface{ LaplacianBound() float64 }); ok {
		return math.Max(b.LaplacianBound(), 1)
	}
	return math.Max(2*(maxD-1), 1)
}
