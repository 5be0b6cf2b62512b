// Package embed is the spectral-embedding pipeline: read a cloud, sort it into a grid,
// build the Gaussian kernel operator (CPU or GPU), form the chosen graph Laplacian, find
// its smallest eigenpairs by Lanczos on a spectral transformation, and return the
// eigenvectors in the input's point order. cmd/spectral maps flags to Options and the
// Result to files; library users call Run directly.
//
// Spectral transformation (never plain "smallest" Lanczos, which needs hundreds of times
// more products):
//   - normalized and random walk: the largest eigenvalues mu of A = D^-1/2 K D^-1/2
//     (eigenvalues in [0, 1] since K is positive definite), lambda = 1 - mu; random-walk
//     eigenvectors are D^-1/2 phi, renormalised;
//   - unnormalized: the largest eigenvalues mu of s I - L with s = 2 (max D - 1), a
//     Gershgorin bound on the spectrum of L = D - K, lambda = s - mu.
package embed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/grid"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
	"github.com/spectral-dev/spectral/pkg/neighbors"
)

// Event is a progress report: a new stage, or a Lanczos restart within "solve".
type Event struct {
	Stage       string // read, sigma, grid, kernel, solve, done
	Restart     int
	Converged   int
	K           int
	MaxResidual float64
	MatVecs     int
	// Target is the MaxResidual at which the running solver stops: Options.Tol, or when
	// that is 0 the solver's own floor (eigsh.BlockTolFloor for the multilevel solver; 0,
	// machine precision, for Lanczos).
	Target  float64
	Elapsed time.Duration // since Run started
}

// Result of Run. Vectors are in the input's point order. Params, Solution and GraphInfo
// are reported in the summary as they are (Summary embeds them too).
type Result struct {
	Cloud   *cloudio.Cloud
	Spacing *neighbors.Spacing // when sigma was chosen automatically
	Params
	Vectors [][]float64 // Vectors[j][i]: eigenvector j at input point i; unit norm
	Solution
	Kernel           kernel.Stats
	Seconds          Seconds
	Warnings         []string   // name fields as Go does ("Options.Sigma"); see NameFields
	Degrees          []float64  // D = K W 1 in input order (for the model file)
	Landmarks        *Landmarks // landmark runs: the exact part; Vectors are then nil (ExtendRows)
	LandmarkSampling string

	// The graph (pkg/embed/graph.go).
	GraphInfo
	Embedded int   // points embedded (the largest component's with "largest")
	Rows     []int // "largest", "attach": the input rows embedded, ascending; nil = all

	componentLabels []int32 // "attach": per input point, 0 = largest component
	byComponents    int     // "attach" with as many components as clusters: no vectors
}

// Run reads opt.Input and embeds it.
func Run(ctx context.Context, opt Options) (*Result, error) {
	start := time.Now()
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if err := checkDevice(opt); err != nil {
		return nil, err
	}
	report(opt, Event{Stage: "read"}, start)
	cloud, err := readContext(ctx, opt)
	if err != nil {
		return nil, err
	}
	read := time.Since(start).Seconds()
	opt.started = start
	res, err := RunCloud(ctx, cloud, opt)
	if res != nil {
		res.Seconds.Read = read
		res.Seconds.Total += read
	}
	return res, err
}

// RunCloud embeds a cloud already in memory.
func RunCloud(ctx context.Context, cloud *cloudio.Cloud, opt Options) (*Result, error) {
	start := time.Now()
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	opt.ctx = ctx
	n := cloud.N()
	want := opt.K
	if opt.DropFirst {
		want++
	}
	if opt.Landmarks > 0 && opt.Landmarks < n {
		if opt.Landmarks <= want {
			return nil, fieldError("Options.Landmarks", "{} %d: need more landmarks than {Options.K} %d", opt.Landmarks, opt.K)
		}
		return runLandmarks(ctx, cloud, opt)
	}
	if n < 2 || want >= n {
		return nil, fieldError("Options.K", "%s has %d points: need more than {} %d (plus one with {Options.DropFirst})", cloud.Source, n, opt.K)
	}
	res := &Result{Cloud: cloud, Params: Params{Sigma: opt.Sigma, Laplacian: opt.Laplacian, K: opt.K, Cutoff: opt.Cutoff}}
	if res.Cutoff == CutoffAuto {
		res.Cutoff = kernel.DefaultCutoff
	}

	// Sigma.
	t := time.Now()
	if res.Sigma == 0 && opt.Affinity == Gaussian {
		report(opt, Event{Stage: "sigma"}, start)
		if err := checkExtent(cloud); err != nil {
			return nil, err
		}
		sp, err := neighbors.Measure(cloud.Points, cloud.Dim, neighbors.Options{Threads: opt.Threads, Context: ctx})
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, fieldError("Options.Sigma", "{} auto on %s: %v", cloud.Source, strings.TrimPrefix(err.Error(), "neighbors: "))
		}
		if !(sp.SuggestedSigma > 0) {
			return nil, fieldError("Options.Sigma", "{} auto: %s has no two distinct points; give {}", cloud.Source)
		}
		res.Sigma, res.SigmaAuto, res.Spacing = sp.SuggestedSigma, true, &sp
	}
	res.Seconds.Sigma = time.Since(t).Seconds()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Values the grid cannot represent are bad input, named, before the components (whose
	// grid would fail less clearly) and the rest of the work.
	if err := checkExtent(cloud); err != nil {
		return nil, err
	}
	if res.Sigma > 0 {
		if err := checkScale(cloud, res.Sigma, res.Cutoff); err != nil {
			return nil, err
		}
	}

	// Sparse affinities and connected components, before any solve (graph.go).
	if r, err := prepareGraph(ctx, cloud, res, &opt); r != nil || err != nil {
		return r, err
	}

	// Memory: refuse before any large allocation.
	ncv := opt.NCV
	if ncv == 0 {
		ncv = defaultNCVEstimate(want)
	}
	if est, limit := EstimateMemory(n, cloud.Dim, want, ncv), opt.memoryLimit(); est > limit {
		return nil, fieldError("Options.MemoryLimit", "this run needs about %s of memory but %s is available; use fewer points (subsample), a smaller {Options.K} or {Options.NCV}",
			FormatBytes(est), FormatBytes(limit))
	}

	// Grid.
	report(opt, Event{Stage: "grid"}, start)
	t = time.Now()
	g, hint, err := buildGrid(cloud, res.Sigma, res.Cutoff, opt)
	if err != nil {
		return nil, gridError(cloud, res.Sigma, res.Cutoff, err)
	}
	res.warn(opt, hint)
	res.Seconds.Grid = time.Since(t).Seconds()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, w := range preflight(cloud, g, res.Sigma, want, opt) { // Gaussian only: see preflight
		if opt.Strict {
			return nil, fieldError("Options.Strict", "%s ({})", w)
		}
		res.warn(opt, w)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Kernel operator and degrees.
	report(opt, Event{Stage: "kernel"}, start)
	t = time.Now()
	m, g, dev, err := newMatrix(cloud, g, opt)
	if ctx.Err() != nil {
		if m != nil {
			if c, ok := m.(interface{ Close() error }); ok {
				c.Close()
			}
		}
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	if c, ok := m.(interface{ Close() error }); ok {
		defer c.Close()
	}
	res.Device, res.Threads = dev.name, dev.threads
	res.Kernel = dev.stats()
	res.Seconds.Kernel = time.Since(t).Seconds()
	// A nearly dense operator was reported by preflight, before the work.

	// Solve.
	report(opt, Event{Stage: "solve"}, start)
	t = time.Now()
	gm := graphMatrix(m, opt)
	if r := componentsAreClusters(m, gm, g, res, opt); r != nil {
		res.Seconds.Solve = time.Since(t).Seconds()
		res.Seconds.Total = time.Since(start).Seconds()
		return r, ctx.Err()
	}
	mw, deg, w, err := applyWeights(gm, g, opt.Weights, opt.Laplacian)
	if err != nil {
		return nil, err
	}
	op, back := transform(mw, mw.Degrees(), opt.Laplacian)
	var u []float64 // op's known first eigenvector, deflated by solve
	var mass []float64
	if opt.Laplacian != Unnormalized {
		mass = trivialMass(deg, w)
		u = trivialVector(mass)
	}
	// On a disconnected graph, one known vector per component for the Lanczos path
	// (deflate.go): built when Lanczos runs, and checked on op first.
	components := sync.OnceValue(func() *deflated {
		c := opt.components
		if c == nil || c.Count() < 2 || len(c.Label) != n || n < minDeflate {
			return nil
		}
		label := make([]int32, n)
		for s, i := range g.Perm {
			label[s] = c.Label[i]
		}
		// back maps op's eigenvalues to the Laplacian's and is its own inverse (1 - mu,
		// s - mu): back(0) is op's value for Laplacian 0.
		d := componentBasis(mass, label, c.Count(), back(0))
		if !d.check(op, want) {
			res.warn(opt, fmt.Sprintf("the %d components' known eigenvectors do not match the kernel's graph (residual %.2g): Lanczos may miss copies of eigenvalue 0", c.Count(), slices.Max(d.res)))
			return nil
		}
		return d
	})
	lopt := eigsh.Options{
		Which:   eigsh.LA,
		NCV:     opt.NCV,
		Tol:     opt.Tol,
		MaxIter: opt.MaxIter,
		Seed:    opt.Seed,
		Context: ctx,
		Progress: func(p eigsh.Progress) {
			if deflates(u, want) {
				p.Converged++ // the known first pair
			}
			target := opt.Tol
			if target == 0 && res.Solver == SolverMultilevel {
				target = eigsh.BlockTolFloor
			}
			report(opt, Event{Stage: "solve", Restart: p.Restart, Converged: p.Converged, K: want, MaxResidual: p.MaxResidual, MatVecs: p.MatVecs, Target: target}, start)
		},
	}
	kop, cpu := m.(*kernel.Operator)
	res.Solver = chooseSolver(opt, n, res.Kernel.PairsWithinCutoff, cpu)
	if w != nil || gm != kernel.Matrix(m) {
		// The coarse levels aggregate the kernel itself, with unit weights and its self
		// loops (multilevel.go): weighted or loop-free graphs stay on Lanczos.
		res.Solver = SolverLanczos
	}
	if c := opt.components; c != nil && c.Count() >= want && res.Solver == SolverMultilevel && components() != nil {
		// Every wanted pair is a component's: solve returns them without solving.
		if opt.Solver == SolverMultilevel {
			res.warn(opt, fmt.Sprintf("multilevel solver: the graph's %d components give every wanted pair; solved by Lanczos instead", c.Count()))
		}
		res.Solver = SolverLanczos
	}
	var sres *eigsh.Result
	var serr error
	if res.Solver == SolverMultilevel {
		sres, serr = runMultilevel(ctx, res, kop, g, deg, op, u, want, opt, lopt)
	}
	if res.Solver == SolverLanczos {
		sres, serr = solve(op, u, components(), want, lopt)
	}
	res.Seconds.Solve = time.Since(t).Seconds()
	if err := deviceErr(m); err != nil {
		return nil, fmt.Errorf("kernel product on %s: %w", dev.name, err)
	}
	var nc *eigsh.NoConvergence
	switch {
	case serr == nil:
	case errors.As(serr, &nc) && nc.Result != nil:
		sres = nc.Result
	default:
		return nil, fmt.Errorf("eigensolver: %w", serr)
	}
	res.Kernel = dev.stats()
	res.MatVecs, res.Restarts = sres.MatVecs, sres.Restarts
	res.Passes, res.Block = sres.Passes, sres.Block
	if res.Solver == SolverLanczos {
		res.Passes = sres.MatVecs
	}
	res.collect(sres, g, trivialMass(deg, w), w, back, opt)
	res.Degrees = make([]float64, n)
	g.ToInput(res.Degrees, deg)
	if opt.DropFirst && len(res.Eigenvalues) > 0 {
		res.Eigenvalues, res.Vectors, res.Residuals = res.Eigenvalues[1:], res.Vectors[1:], res.Residuals[1:]
	}
	res.Converged = len(res.Eigenvalues)
	res.warnDisconnected(opt.DropFirst, opt)
	res.Seconds.Total = time.Since(start).Seconds()
	report(opt, Event{Stage: "done", Converged: res.Converged, K: want, MatVecs: res.MatVecs, Restart: res.Restarts}, start)
	if serr != nil {
		return res, fmt.Errorf("eigensolver: %w", serr)
	}
	return res, nil
}

func report(opt Options, e Event, start time.Time) {
	if opt.Progress != nil {
		if !opt.started.IsZero() { // one origin for Run, RunCloud and nested landmark runs
			start = opt.started
		}
		e.Elapsed = time.Since(start)
		opt.Progress(e)
	}
}

// transform returns the operator whose largest eigenvalues give the smallest of the
// Laplacian, and the map back from its eigenvalues mu to the Laplacian's lambda.
func transform(m kernel.Matrix, deg []float64, l Laplacian) (eigsh.Operator, func(float64) float64) {
	if l == Unnormalized {
		maxD := 0.0
		for _, d := range deg {
			maxD = math.Max(maxD, d)
		}
		// Gershgorin: row i of D - K has centre D_i - 1 and radius D_i - 1.
		s := laplacianShift(m, maxD)
		return eigsh.Shift(kernel.Unnormalized(m), s), func(mu float64) float64 { return s - mu }
	}
	return kernel.NormalizedAffinity(m), func(mu float64) float64 { return 1 - mu }
}

// collect maps eigenpairs back: Laplacian eigenvalues ascending, vectors in input order,
// random-walk vectors D^-1/2 phi, each unit norm with its largest-magnitude entry positive.
// With weights, y = (W D)^1/2 psi: the normalized vectors D^1/2 psi are y / W^1/2 and
// the random-walk ones y / (D W)^1/2 (dw is D W, or D without weights).
func (r *Result) collect(s *eigsh.Result, g *grid.Grid, dw, w []float64, back func(float64) float64, opt Options) {
	k := len(s.Values)
	idx := make([]int, k)
	lam := make([]float64, k)
	for j := range idx {
		idx[j] = j
		lam[j] = back(s.Values[j])
	}
	sort.SliceStable(idx, func(a, b int) bool { return lam[idx[a]] < lam[idx[b]] })
	n := g.N
	col := make([]float64, n)
	for _, j := range idx {
		mat.Col(col, j, s.Vectors)
		switch {
		case opt.Laplacian == RandomWalk:
			for i := range col {
				col[i] /= math.Sqrt(dw[i])
			}
		case w != nil:
			for i := range col {
				col[i] /= math.Sqrt(w[i])
			}
		}
		v := make([]float64, n)
		g.ToInput(v, col)
		normalizeSign(v)
		r.Eigenvalues = append(r.Eigenvalues, lam[j])
		r.Vectors = append(r.Vectors, v)
		if j < len(s.Residuals) {
			r.Residuals = append(r.Residuals, s.Residuals[j])
		}
	}
}

// normalizeSign scales v to unit norm with its largest-magnitude entry positive (the
// first such entry on ties), so results do not depend on the solver's start vector.
func normalizeSign(v []float64) {
	var nrm, big float64
	arg := 0
	for i, x := range v {
		nrm += x * x
		if a := math.Abs(x); a > big {
			big, arg = a, i
		}
	}
	s := 1 / math.Sqrt(nrm)
	if len(v) > 0 && v[arg] < 0 {
		s = -s
	}
	for i := range v {
		v[i] *= s
	}
}

// warnDisconnected flags several eigenvalues ~ 0: the graph falls apart into components.
func (r *Result) warnDisconnected(droppedFirst bool, opt Options) {
	if len(r.Components) > 1 {
		return // counted exactly before the solve (graph.go)
	}
	zeros := 0
	if droppedFirst {
		zeros = 1
	}
	scale := 1.0
	if r.Laplacian == Unnormalized {
		scale = 0
		for _, v := range r.Eigenvalues {
			scale = math.Max(scale, math.Abs(v))
		}
		scale = math.Max(scale, 1)
	}
	for _, v := range r.Eigenvalues {
		if math.Abs(v) < 1e-9*scale {
			zeros++
		}
	}
	if zeros > 1 {
		r.warn(opt, fmt.Sprintf("%d eigenvalues are ~0: the graph has at least %d disconnected components at sigma %g (the eigenvectors then only label components); a larger Options.Sigma connects them", zeros, zeros, r.Sigma))
	}
}
