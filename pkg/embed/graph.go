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
	"github.com/spectral-dev/spectral/pkg/neighbors"
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
	return "", fieldError("Options.Affinity", "{} %q: want gaussian, knn or self-tuning", s)
}

// Component modes: embed every point, or the largest connected component only.
const (
	ComponentAll     = "all"
	ComponentLargest = "largest"
	// ComponentAttach (spectral cluster's default) embeds the components of at least
	// MinorComponent of the points and labels the points of smaller ones (outliers) by
	// their nearest embedded point; when there are at least as many such components as
	// clusters wanted, the components are the clusters and nothing is solved.
	ComponentAttach = "attach"
)

// MinorComponent is the fraction of the points under which a component counts as
// outliers for ComponentAttach: too small to be a cluster of its own at the cluster
// counts --clusters auto considers (at most DefaultMaxClusters), and each would cost a
// zero eigenvalue whose multiplicity the Lanczos solver resolves only slowly.
const MinorComponent = 0.01

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
		return fieldError("Options.Neighbors", "{} %d: need at least 2 (the point itself counts as one, as in scikit-learn)", o.Neighbors)
	}
	if o.ScaleNeighbor < 1 {
		return fieldError("Options.ScaleNeighbor", "{} %d: need at least 1", o.ScaleNeighbor)
	}
	if o.Affinity == SelfTuning && o.Sigma != 0 && o.scales == nil {
		return fieldError("Options.Sigma", "{} %g: the self-tuning affinity sets one scale per point ({Options.ScaleNeighbor}); leave {} out", o.Sigma)
	}
	switch o.Component {
	case "":
		o.Component = ComponentAll
	case ComponentAll, ComponentLargest, ComponentAttach:
	default:
		return fieldError("Options.Component", "{} %q: want all, largest or attach", o.Component)
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
			return nil, fieldError("Options.Affinity", "%v: {} %s: %v", ErrBadInput, opt.Affinity, err)
		}
	}
	var comps *graph.Components
	var err error
	if opt.sparse != nil {
		comps = graph.OfCSR(opt.sparse.Ptr, opt.sparse.Idx).InOrder(opt.sparse.Perm)
	} else if comps, err = kernel.Components(cloud.Points, cloud.Dim, res.Sigma, res.Cutoff); err != nil {
		return nil, fmt.Errorf("components: %w", err)
	} else if res.SigmaAuto && comps.Count() > 1 {
		if comps, err = raiseSigma(cloud, res, *opt, comps); err != nil {
			return nil, err
		}
	}
	res.Seconds.Graph = time.Since(t).Seconds()
	res.Components = comps.Sizes
	res.Embedded = cloud.N()
	if comps.Count() == 1 {
		return nil, ctx.Err()
	}
	res.warn(*opt, componentsWarning(comps, res, opt)) // now, before the solve, which may take long
	switch opt.Component {
	case ComponentLargest:
		return runSubset(ctx, cloud, comps.Largest(), comps, res, *opt)
	case ComponentAttach:
		major := majorComponents(comps, cloud.N())
		if major == 0 {
			return nil, fieldError("Options.Component", "no connected component holds %g%% of the points (the largest has %d of %d): a larger {Options.Sigma} or {Options.Neighbors} connects them", 100*MinorComponent, comps.Sizes[0], cloud.N())
		}
		res.componentLabels = comps.Label
		if opt.clusters > 0 && major >= opt.clusters {
			// The components are the clusters: label by component, nothing to solve.
			byComponents(res, comps, opt.clusters)
			return res, ctx.Err()
		}
		if major == comps.Count() {
			opt.components = comps
			return nil, ctx.Err()
		}
		var keep []int
		for i, l := range comps.Label {
			if int(l) < major {
				keep = append(keep, i)
			}
		}
		r, err := runSubset(ctx, cloud, keep, comps, res, *opt)
		if r != nil && r.byComponents == 0 {
			r.componentLabels = comps.Label
		}
		return r, err
	}
	opt.components = comps
	return nil, ctx.Err()
}

// MaxSigmaRaise bounds how far --sigma auto widens the spacing rule's sigma to connect
// the graph. Measured on the real clouds of testdata/data (docs/bench/cluster.md, go run
// ./scripts/sigmaauto): featuretype.ply connects at 1.56x, cycloidal.ply at 2.03x,
// lille_street_small.ply at 3.19x and points_cloudcompare.xyz at 4.69x, the last two
// for a handful of far points. 2x connects the clouds that are one object with strays
// and costs at most ~4x the neighbours per point on a surface; beyond, a single far
// outlier would make the operator dense, and reporting the components (with
// --component largest, or --affinity knn) serves better.
const MaxSigmaRaise = 2.0

// AutoSigma is the sigma that --sigma auto gives a Gaussian embedding of cloud at cutoff
// (units of sigma, CutoffAuto for the default), from the cloud's spacing sp: the spacing
// rule's sp.SuggestedSigma, widened as embed widens it to connect the graph (raiseSigma).
// It returns that sigma, the factor applied (1 when the rule's sigma is kept) and the
// sizes of the connected components at it, largest first; `spectral info` reports them
// so that its sigma is the one embed uses.
func AutoSigma(cloud *cloudio.Cloud, sp neighbors.Spacing, cutoff float64) (sigma, raise float64, components []int, err error) {
	if !(sp.SuggestedSigma > 0) {
		return 0, 0, nil, fieldError("Options.Sigma", "{} auto: %s has no two distinct points", cloud.Source)
	}
	if cutoff == CutoffAuto {
		cutoff = kernel.DefaultCutoff
	}
	if err := checkScale(cloud, sp.SuggestedSigma, cutoff); err != nil {
		return 0, 0, nil, err
	}
	res := &Result{Params: Params{Sigma: sp.SuggestedSigma, Cutoff: cutoff, SigmaAuto: true}}
	comps, err := kernel.Components(cloud.Points, cloud.Dim, res.Sigma, cutoff)
	if err == nil && comps.Count() > 1 {
		comps, err = raiseSigma(cloud, res, Options{}, comps)
	}
	if err != nil {
		return 0, 0, nil, fmt.Errorf("components: %w", err)
	}
	return res.Sigma, res.Sigma / sp.SuggestedSigma, comps.Sizes, nil
}

// raiseSigma widens an automatic sigma, up to MaxSigmaRaise times, to the smallest
// multiple (within 2%) that connects the graph, when one does; otherwise it keeps sigma.
func raiseSigma(cloud *cloudio.Cloud, res *Result, opt Options, comps *graph.Components) (*graph.Components, error) {
	at := func(m float64) (*graph.Components, error) {
		return kernel.Components(cloud.Points, cloud.Dim, m*res.Sigma, res.Cutoff)
	}
	top, err := at(MaxSigmaRaise)
	if err != nil || top.Count() > 1 {
		return comps, err
	}
	lo, hi := 1.0, MaxSigmaRaise
	for hi/lo > 1.02 {
		mid := (lo + hi) / 2
		c, err := at(mid)
		if err != nil {
			return nil, err
		}
		if c.Count() == 1 {
			hi, top = mid, c
		} else {
			lo = mid
		}
	}
	res.warn(opt, fmt.Sprintf("sigma auto: %.6g (the spacing rule) leaves %d connected components; raised %.2fx to %.6g, which connects the graph", res.Sigma, comps.Count(), hi, hi*res.Sigma))
	res.Sigma *= hi
	return top, nil
}

func componentsWarning(c *graph.Components, res *Result, opt *Options) string {
	what := fmt.Sprintf("sigma %.6g", res.Sigma)
	fix := "a larger Options.Sigma, Options.Affinity knn or self-tuning, or Options.Component largest"
	switch opt.Affinity {
	case KNN:
		what, fix = fmt.Sprintf("%d neighbours", opt.Neighbors), "more Options.Neighbors, or Options.Component largest"
	case SelfTuning:
		what, fix = fmt.Sprintf("scale neighbour %d", opt.ScaleNeighbor), "a larger Options.ScaleNeighbor, or Options.Component largest"
	}
	msg := fmt.Sprintf("the %s graph at %s is disconnected: %d connected components, of sizes %s", opt.Affinity, what, c.Count(), FormatSizes(c.Sizes))
	switch opt.Component {
	case ComponentLargest:
		return msg + fmt.Sprintf("; embedding the largest (%d points) only, the other rows are NaN", c.Sizes[0])
	case ComponentAttach:
		return msg + fmt.Sprintf("; components under %g%% of the points are labelled by their nearest embedded point", 100*MinorComponent)
	}
	return msg + "; each adds an eigenvalue 0 whose eigenvectors only label components: " + fix
}

// runSubset embeds the components keep (ascending rows) with the same graph: the
// Gaussian kernel between their points does not depend on the others (sigma stays the
// one chosen for the whole cloud); a sparse affinity is restricted to them, which is
// exact since no edge leaves a component.
func runSubset(ctx context.Context, cloud *cloudio.Cloud, keep []int, comps *graph.Components, res *Result, opt Options) (*Result, error) {
	if want := opt.K + btoi(opt.DropFirst); len(keep) <= want {
		return nil, badInput("the embedded components have %d points: need more than k = %d", len(keep), want)
	}
	sub := &cloudio.Cloud{Points: make([]float64, 0, len(keep)*cloud.Dim), Dim: cloud.Dim, Names: cloud.Names, Format: cloud.Format, Source: cloud.Source}
	for _, i := range keep {
		sub.Points = append(sub.Points, cloud.Points[i*cloud.Dim:(i+1)*cloud.Dim]...)
	}
	sopt := opt
	sopt.Component = ComponentAll
	sopt.attachSubset = opt.Component == ComponentAttach
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
	r.Warnings = append(append([]string{}, res.Warnings...), r.Warnings...)
	r.Seconds.Sigma, r.Seconds.Graph = res.Seconds.Sigma, res.Seconds.Graph+r.Seconds.Graph
	if r.byComponents > 0 {
		// The subset's numerically connected components are the clusters
		// (componentsAreClusters): its rows and labels back to the whole cloud's.
		lab := make([]int32, cloud.N())
		for k, s := range r.Rows {
			r.Rows[k] = keep[s]
		}
		for s, l := range r.componentLabels {
			lab[keep[s]] = l
		}
		r.componentLabels, r.Component = lab, opt.Component
		return r, err
	}
	r.Components, r.Component, r.Embedded = res.Components, opt.Component, len(keep)
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

// sparseGrid stands in for the grid of a sparse affinity: collect maps vectors back to
// input order through its permutation, the affinity's row order.
func sparseGrid(s *kernel.Sparse) *grid.Grid {
	n := s.Dims()
	g := &grid.Grid{N: n, Perm: s.Perm}
	if g.Perm == nil {
		g.Perm = make([]int, n)
		for i := range g.Perm {
			g.Perm[i] = i
		}
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

// noSelfLoops is K - kii I: the graph without its self loops, as scikit-learn's
// spectral_clustering sees it (scipy's csgraph.laplacian ignores the diagonal). `spectral
// cluster` uses it: with K(i,i) = 1 in the degrees, a point far from all others (an
// outlier, or the edge of a sparse blob) gets an eigenvalue near 0 of its own and k-means
// spends a cluster on it (measured: 0 against scikit-learn's 0.95 ARI on the varied blobs
// at gamma 10, docs/bench/cluster.md).
//
// The product is K's less kii x, which cancels where a point's other weights are tiny
// (~1e-16 kii absolute error): rows whose weight off the diagonal is below exactRow x kii
// are summed again from their own entries (rowSource), so that a point whose nearest
// neighbour is far keeps its tiny weights exactly, as scikit-learn's float64 kernel does:
// its conductance is still 1 and it follows its neighbours in the eigenvectors instead of
// taking a cluster (the stray point of the varied blobs at gamma 10 has weight 1.2e-13,
// docs/bench/cluster.md). Only a point with no nonzero weight at all (float32 underflow,
// which kernel.Components counts as a component of its own) is isolated: it keeps its
// self loop, so its degree stays kii (finite normalized operators), its Laplacian
// eigenvalue is 0, as scipy makes it, and D^1/2 1 stays an exact eigenvector for the
// deflation. A matrix without rowSource (the GPU operator) falls back to calling rows
// below isolatedDegree x kii isolated.
type noSelfLoops struct {
	m     kernel.Matrix
	kii   float64
	deg   []float64
	keep  []bool // isolated: self loop kept
	exact []exactRow
	maxD  float64
}

// rowSource gives one row of a matrix without its diagonal (kernel.Operator,
// kernel.Sparse).
type rowSource interface {
	OffDiagonalRow(i int, idx []int32, val []float64) ([]int32, []float64)
}

type exactRow struct {
	i   int
	idx []int32
	val []float64
}

// exactRowBelow is the weight off the diagonal, relative to kii, under which a row is
// summed from its entries: there the cancellation error of K x - kii x exceeds 1e-12 of
// the row's weight.
const exactRowBelow = 1e-4

// isolatedDegree, for matrices without rowSource only, bounds the cancellation error to
// 1e-4 of a row's weight. Measured: 1e-6 made two stray points of the varied blobs (rbf
// gamma 10) isolated, each an eigenvalue 0 and a cluster (ARI 0.000 against
// scikit-learn's 0.953).
const isolatedDegree = 1e-12

func withoutSelfLoops(m kernel.Matrix) *noSelfLoops {
	kii := 1.0 // the Gaussian kernel's exp(0), exact in its float32 exp
	if s, ok := m.(*kernel.Sparse); ok {
		kii = s.Diag
	}
	w := &noSelfLoops{m: m, kii: kii, deg: make([]float64, m.Dims()), keep: make([]bool, m.Dims())}
	rs, exact := m.(rowSource)
	for i, d := range m.Degrees() {
		w.deg[i] = d - kii
		if exact && kii != 0 && w.deg[i] < exactRowBelow*kii {
			r := exactRow{i: i}
			r.idx, r.val = rs.OffDiagonalRow(i, nil, nil)
			w.deg[i] = 0
			for _, v := range r.val {
				w.deg[i] += v
			}
			if len(r.idx) > 0 {
				w.exact = append(w.exact, r)
			}
		}
		if w.deg[i] == 0 || (!exact && !(w.deg[i] > isolatedDegree*kii)) {
			w.deg[i], w.keep[i] = d, true
		}
		w.maxD = math.Max(w.maxD, w.deg[i])
	}
	return w
}

func (w *noSelfLoops) Dims() int          { return w.m.Dims() }
func (w *noSelfLoops) Degrees() []float64 { return w.deg }

// LaplacianBound: row i of D - W has centre and radius D_i.
func (w *noSelfLoops) LaplacianBound() float64 { return 2 * w.maxD }

func (w *noSelfLoops) MulVec(dst, src []float64) {
	w.m.MulVec(dst, src)
	if w.kii == 0 {
		return
	}
	for i, x := range src {
		if !w.keep[i] {
			dst[i] -= w.kii * x
		}
	}
	for _, r := range w.exact {
		s := 0.0
		for p, j := range r.idx {
			s += r.val[p] * src[j]
		}
		dst[r.i] = s
	}
}

// weakLink is the weight, relative to the smaller degree of its two ends, under which an
// edge of the loop-free graph counts as cut for spectral cluster's components. The
// eigenvalues such links make (the conductance of the cut) are near machine precision,
// so the solver sees the pieces as one multiple eigenvalue 0 and cannot resolve it:
// scripts/cluster_vs_sklearn.py's varied blobs at rbf gamma 100 (no float32 weight is 0
// between the three blobs, but their links are ~1e-15 of the degrees) did not converge
// in 300 restarts, and scikit-learn's float64 solve of the same graph scores ARI 0.000
// there; cut at 1e-12 the graph has three components of 1% or more, the blobs
// (docs/bench/cluster.md). Relative to the smaller degree, so a stray point, all of
// whose weights are tiny, stays linked to its neighbours (noSelfLoops).
const weakLink = 1e-12

// numericalComponents are the components of w's graph with its weak links cut (weakLink),
// in input order, or nil when m cannot give rows (rowSource) or, for a Gaussian cutoff,
// no kept kernel value is that small next to the largest degree.
func numericalComponents(m kernel.Matrix, w *noSelfLoops, g *grid.Grid, cutoff float64) *graph.Components {
	rs, ok := m.(rowSource)
	if !ok {
		return nil
	}
	if _, gauss := m.(*kernel.Operator); gauss && cutoff > 0 && math.Exp(-cutoff*cutoff/2) > weakLink*w.maxD {
		return nil
	}
	n := m.Dims()
	u := graph.NewUnionFind(n)
	var idx []int32
	var val []float64
	for i := range n {
		idx, val = rs.OffDiagonalRow(i, idx[:0], val[:0])
		for p, j := range idx {
			if int(j) > i && val[p] > weakLink*min(w.deg[i], w.deg[j]) {
				u.Union(int32(i), j)
			}
		}
	}
	return u.Labels().InOrder(g.Perm)
}

// componentsAreClusters labels spectral cluster's run by the numerically connected
// components of its graph (numericalComponents) when at least as many of them as clusters
// hold MinorComponent of the points each, as prepareGraph does with the exact components:
// it returns res ready for clusterResult, or nil to solve as usual.
func componentsAreClusters(m kernel.Matrix, gm kernel.Matrix, g *grid.Grid, res *Result, opt Options) *Result {
	w, ok := gm.(*noSelfLoops)
	if !ok || (opt.Component != ComponentAttach && !opt.attachSubset) || opt.clusters == 0 {
		return nil
	}
	comps := numericalComponents(m, w, g, res.Cutoff)
	if comps == nil || comps.Count() <= max(len(res.Components), 1) {
		return nil
	}
	if majorComponents(comps, g.N) < opt.clusters {
		return nil
	}
	res.warn(opt, fmt.Sprintf("the graph's links between %d parts are below %g of their ends' degrees, beyond what the solver resolves: %d numerically connected components, of sizes %s", comps.Count(), weakLink, comps.Count(), FormatSizes(comps.Sizes)))
	res.Components = comps.Sizes
	byComponents(res, comps, opt.clusters)
	return res
}

// majorComponents is how many components hold at least MinorComponent of the n points
// (comps.Sizes are descending, so they are the first ones).
func majorComponents(comps *graph.Components, n int) int {
	major := 0
	for l, s := range comps.Sizes {
		if float64(s) >= MinorComponent*float64(n) {
			major = l + 1
		}
	}
	return major
}

// byComponents sets res up for clusterResult when the largest clusters components are
// the clusters: their points are the rows, labelled by component; nothing is solved.
func byComponents(res *Result, comps *graph.Components, clusters int) {
	var keep []int
	for i, l := range comps.Label {
		if int(l) < clusters {
			keep = append(keep, i)
		}
	}
	res.componentLabels = comps.Label
	res.Rows, res.Embedded, res.byComponents = keep, len(keep), clusters
}

// FormatSizes lists component sizes, the first five and then how many more.
func FormatSizes(sizes []int) string {
	out := make([]string, 0, 6)
	for l, s := range sizes {
		if l == 5 {
			out = append(out, fmt.Sprintf("... (%d more)", len(sizes)-5))
			break
		}
		out = append(out, fmt.Sprint(s))
	}
	return strings.Join(out, ", ")
}

// graphMatrix is the matrix whose Laplacian is solved: m, or m without its self loops.
func graphMatrix(m kernel.Matrix, opt Options) kernel.Matrix {
	if opt.NoSelfLoops {
		return withoutSelfLoops(m)
	}
	return m
}
