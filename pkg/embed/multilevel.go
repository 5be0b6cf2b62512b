package embed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/spectral-dev/spectral/internal/parallel"
	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/graph"
	"github.com/spectral-dev/spectral/pkg/grid"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// Solver names the eigensolver: Lanczos on the fine operator, or the multilevel cascade
// (aggregation coarse levels, LOBPCG on the fine operator preconditioned by the coarse
// level; pkg/eigsh multilevel.go).
type Solver string

const (
	SolverAuto       Solver = "auto"
	SolverLanczos    Solver = "lanczos"
	SolverMultilevel Solver = "multilevel"
)

// ParseSolver accepts the CLI spellings.
func ParseSolver(s string) (Solver, error) {
	switch v := Solver(strings.ToLower(s)); v {
	case "", SolverAuto:
		return SolverAuto, nil
	case SolverLanczos, SolverMultilevel:
		return v, nil
	}
	return "", fieldError("Options.Solver", "{} %q: want auto, lanczos or multilevel", s)
}

// AggregateEdge is the edge of the first coarse level's aggregates in units of sigma in
// the prototype (docs/bench/multilevel.md): boxes of 2 sigma gave the fewest fine passes
// for the cost of an exact coarse factor. The ladder below starts finer, at 1 sigma, for
// operators on the fly, whose coarse system can be solved inexactly; boxes finer than
// this one are skipped for cached operators and where they hold fewer than
// minCoarsening points on average.
const AggregateEdge = 2.0

// aggregateEdges is the ladder of first-level edges, in sigmas: the first level takes the
// smallest that leaves at most coarseMax aggregates. Smaller boxes make a larger coarse
// level, a better preconditioner and fewer fine passes (the 10^6 roll: 27 passes with
// boxes of 2 sigma, 22 with 1.5, 20 with 1; the 10^5 roll: 19 with 3 sigma, 14 with 2), at
// the cost of the coarse solves (docs/bench/multilevel.md, "Session 6").
var aggregateEdges = []float64{1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32}

// maxFirstEdge is the largest first-level box, in sigmas: where coarseMax would need
// larger boxes, the first level keeps these and exceeds coarseMax (its coarse systems
// then solved by conjugate gradients, or factored where those prove dear). With larger
// boxes the coarse start can be so poor that LOBPCG converges towards a wrong set: on a 10^6-point roll at sigma 0.0036 (378
// pairs a point), boxes of 12 sigma gave a start without the 6th wanted eigenvector, and
// blocks of 8 and 12 converged towards interior pairs for 50-100 passes, where boxes of
// 3 and 4 sigma found the right set (docs/bench/multilevel.md, "Small sigma"; that
// eigenvector, it turned out, lies on two noise points: "Weakly joined points").
const maxFirstEdge = 4.0

// coarseMax is the most nodes the first level may have: a larger level pays only where
// the fine passes it saves cost more than its coarse solves. Cached products are cheap,
// so there it is 5,000 nodes, up to 20,000 at one per 250,000 kernel pairs (an exact
// factor; docs/bench/multilevel.md, "Aggregate size at 10^6"). On the fly a fine pass
// costs ~3x more and the coarse system, when too large to factor, is solved by
// conjugate gradients (eigsh.MultilevelOptions.ExactMaxNNZ): one node per 50,000 pairs,
// up to 100,000.
func coarseMax(pairs int64, fly bool) int {
	if fly {
		return int(max(5000, min(100000, pairs/50000)))
	}
	return int(max(5000, min(20000, pairs/250000)))
}

// dearPasses says whether fine passes cost enough that the first level should follow
// the on-the-fly rule (finer boxes, a larger level solved inexactly; coarseMax): on the
// fly, with a partial cache (cacheFraction < 1), and with a whole cache where the points
// have many pairs each. Measured with a whole cache: the 10^5 roll (505 pairs a point,
// ~0.08 s a pass) took 19 passes with the cached rule's 3-sigma boxes against 14 with
// 2 sigma, the coarse work costing more than the 5 passes; the 10^6 roll (5,046 pairs a
// point, ~5.6 s a pass) took 27 passes with 2 sigma against 20 with 1 sigma, its solve
// 191 s against 165 s (docs/bench/multilevel.md, "Session 7").
func dearPasses(pairs int64, n int, cacheFraction float64) bool {
	return cacheFraction < 1 || float64(pairs) >= dearPairsPerPoint*float64(n)
}

// dearPairsPerPoint is where dearPasses switches for a whole cache: between the two
// rolls measured, near their geometric mean.
const dearPairsPerPoint = 1500

// coarsestMax is the size at which the cascade stops adding levels: its Lanczos solve
// and the coarse factorisation are then cheap next to a fine pass.
const coarsestMax = 2500

// minCoarsening is the smallest n / m of the first level worth a multilevel solve: with
// fewer points per aggregate the coarse problem is nearly as large as the fine one.
const minCoarsening = 4.0

// Auto's crossover (docs/bench/multilevel.md): below it Lanczos is as fast.
const (
	autoMinN           = 20000
	autoMinPairsPerPnt = 30
)

// Level describes one level of a multilevel solve, finest first.
type Level struct {
	N         int `json:"n"`
	Passes    int `json:"passes"`
	MatVecs   int `json:"matvecs"`
	FactorNNZ int `json:"factor_nnz,omitempty"`
	CGSteps   int `json:"cg_steps,omitempty"` // conjugate-gradient steps of inexact coarse solves
}

// chooseSolver is auto's rule: multilevel for normalized and random-walk Laplacians on
// the CPU operator with enough points and pairs per point.
func chooseSolver(opt Options, n int, pairs int64, cpu bool) Solver {
	if opt.Solver != SolverAuto {
		return opt.Solver
	}
	if !cpu || opt.Laplacian == Unnormalized || n < autoMinN || opt.Cutoff == 0 {
		return SolverLanczos
	}
	if float64(pairs)/float64(n) < autoMinPairsPerPnt {
		return SolverLanczos
	}
	return SolverMultilevel
}

// errNoCoarsening says the aggregation does not reduce the problem enough.
var errNoCoarsening = errors.New("aggregation barely coarsens")

// buildLevels builds the cascade's coarse levels for A = D^-1/2 K D^-1/2: level 1 from
// the smallest boxes of aggregateEdges that leave at most coarseMax aggregates (at most
// maxFirstEdge: firstLevel), with
// Kc = P^T K P summed exactly over the kernel's pairs,
// then boxes twice as large on the aggregates' centroids (Galerkin on the sparse coarse
// affinity) until the coarsest has at most coarsestMax nodes. Weakly joined groups of
// points (weakGroups), and coarse nodes of low conductance (weakNodes), are kept out of
// the boxes as nodes of their own on every level.
func buildLevels(op *kernel.Operator, g *grid.Grid, deg []float64, want int) ([]eigsh.Level, error) {
	st := op.Stats()
	ag, h, err := firstLevel(g, st.PairsWithinCutoff, dearPasses(st.PairsWithinCutoff, g.N, st.CacheFraction))
	if err != nil {
		return nil, err
	}
	if group, ng := weakGroups(op, deg); ng > 0 {
		ag = ag.Isolate(group, func(i, d int) float64 { return float64(g.Points[i*g.Dim+d]) })
		if eigsh.Trace != nil {
			fmt.Fprintf(eigsh.Trace, "multilevel: %d weakly joined groups isolated\n", ng)
		}
		if float64(g.N)/float64(ag.M) < minCoarsening {
			return nil, fmt.Errorf("%w: %d points into %d aggregates, %d of them weakly joined groups", errNoCoarsening, g.N, ag.M, ng)
		}
	}
	kc, err := op.Coarsen(ag.Labels, ag.M)
	if err != nil {
		return nil, err
	}
	dc, w := aggregateDegrees(ag.Labels, deg, ag.M)
	cols := make([][]int32, ag.M)
	vals := make([][]float64, ag.M)
	for a := 0; a < ag.M; a++ {
		cols[a] = kc.Col[kc.Ptr[a]:kc.Ptr[a+1]]
		vals[a] = make([]float64, len(cols[a]))
		for p, c := range cols[a] {
			vals[a][p] = kc.Val[kc.Ptr[a]+p] / math.Sqrt(dc[a]*dc[c])
		}
	}
	ac, err := eigsh.NewSparse(ag.M, cols, vals)
	if err != nil {
		return nil, fmt.Errorf("coarse level: %w", err)
	}
	levels := []eigsh.Level{{Labels: ag.Labels, Weights: w, A: ac, Coords: ag.Centroids, Dim: g.Dim}}
	cent := ag.Centroids
	points := ag.Counts // fine points per node of the current level
	for ac.N > coarsestMax && len(levels) < 8 {
		h *= 2
		ag2, err := grid.Aggregate(cent, g.Dim, h)
		if err != nil {
			return nil, err
		}
		if group, ng := weakNodes(ac, points); ng > 0 {
			c := cent
			ag2 = ag2.Isolate(group, func(a, d int) float64 { return c[a*g.Dim+d] })
		}
		if float64(ac.N)/float64(ag2.M) < 2 {
			break
		}
		dc2, w2 := aggregateDegrees(ag2.Labels, dc, ag2.M)
		ac2 := ac.Galerkin(ag2.Labels, w2, ag2.M)
		levels = append(levels, eigsh.Level{Labels: ag2.Labels, Weights: w2, A: ac2, Coords: ag2.Centroids, Dim: g.Dim})
		ac, dc, cent = ac2, dc2, ag2.Centroids
		p2 := make([]int, ag2.M)
		for a, b := range ag2.Labels {
			p2[b] += points[a]
		}
		points = p2
	}
	if ac.N <= eigsh.DefaultBlock(want)+2 {
		return nil, fmt.Errorf("%w: the coarsest level has %d nodes", errNoCoarsening, ac.N)
	}
	return levels, nil
}

// firstLevel is the first level's aggregation: boxes of the smallest edge of
// aggregateEdges that leaves at most coarseMax(pairs, fly) aggregates, or of maxFirstEdge
// where that edge would be larger (a level over coarseMax, whose coarse systems are
// solved by conjugate gradients), if the boxes hold minCoarsening points on average
// (errNoCoarsening).
func firstLevel(g *grid.Grid, pairs int64, fly bool) (*grid.Aggregation, float64, error) {
	limit := coarseMax(pairs, fly)
	var ag, capped *grid.Aggregation
	var h float64
	for _, h = range aggregateEdges {
		// Boxes finer than the prototype's: only on the fly (cached passes are too cheap
		// for their coarse solves) and where they coarsen.
		if h < AggregateEdge && !fly {
			continue
		}
		if h > maxFirstEdge && capped != nil {
			ag, h = capped, maxFirstEdge
			break
		}
		var err error
		if ag, err = g.AggregateSorted(h); err != nil {
			return nil, 0, err
		}
		if h == maxFirstEdge {
			capped = ag
		}
		if h < AggregateEdge && float64(g.N) < minCoarsening*float64(ag.M) {
			continue
		}
		if ag.M <= limit {
			break
		}
	}
	if float64(g.N)/float64(ag.M) < minCoarsening {
		return nil, 0, fmt.Errorf("%w: %d points into %d aggregates of %g sigma", errNoCoarsening, g.N, ag.M, h)
	}
	return ag, h, nil
}

// aggregateDegrees sums the finer level's degrees d into the m aggregates of labels and
// returns them with Q's weights sqrt(d_i / dc_a), which make Q's columns unit vectors.
func aggregateDegrees(labels []int32, d []float64, m int) (dc, w []float64) {
	dc = make([]float64, m)
	for i, a := range labels {
		dc[a] += d[i]
	}
	w = make([]float64, len(labels))
	for i, a := range labels {
		w[i] = math.Sqrt(d[i] / dc[a])
	}
	return dc, w
}

// solveMultilevel is solve for the multilevel cascade: the deflated operator's want-1
// largest pairs plus the known (1, u).
func solveMultilevel(op eigsh.Operator, u []float64, want int, levels []eigsh.Level, o eigsh.MultilevelOptions) (*eigsh.Result, error) {
	if u == nil || want < 2 {
		return eigsh.SolveMultilevel(op, want, levels, o)
	}
	o.Deflate = u
	s, err := eigsh.SolveMultilevel(&deflated{op: op, u: u, value: 1}, want-1, levels, o)
	var nc *eigsh.NoConvergence
	switch {
	case err == nil:
	case errors.As(err, &nc) && nc.Result != nil:
		r := withTrivial(nc.Result, op, &deflated{u: u, value: 1})
		r.Passes, r.Block, r.Levels = nc.Result.Passes+1, nc.Result.Block, nc.Result.Levels
		nc.Result = r
		nc.Converged, nc.K = len(r.Values), want
		return r, nc
	default:
		return nil, err
	}
	r := withTrivial(s, op, &deflated{u: u, value: 1})
	r.Passes, r.Block, r.Levels = s.Passes+1, s.Block, s.Levels
	return r, nil
}

// runMultilevel builds the levels and runs the cascade; when the operator is not the
// CPU kernel, the Laplacian is unnormalized, the aggregation barely coarsens or the
// cascade does not converge, it falls back to Lanczos (res.Solver says which ran, and a
// warning says why).
func runMultilevel(ctx context.Context, res *Result, kop *kernel.Operator, g *grid.Grid, deg []float64,
	op eigsh.Operator, u []float64, want int, opt Options, lopt eigsh.Options) (*eigsh.Result, error) {
	fallback := func(why string) (*eigsh.Result, error) {
		res.warn(opt, "multilevel solver: "+why+"; solved by Lanczos instead")
		res.Solver, res.Levels = SolverLanczos, nil
		return nil, nil
	}
	switch {
	case kop == nil:
		return fallback("needs the CPU kernel operator")
	case opt.Laplacian == Unnormalized:
		return fallback("supports the normalized and random-walk Laplacians only")
	}
	t0 := time.Now()
	levels, err := buildLevels(kop, g, deg, want)
	if eigsh.Trace != nil {
		fmt.Fprintf(eigsh.Trace, "multilevel: levels built in %v\n", time.Since(t0))
	}
	if err != nil {
		if errors.Is(err, errNoCoarsening) {
			return fallback(err.Error())
		}
		return nil, fmt.Errorf("multilevel: %w", err)
	}
	for _, lv := range levels {
		res.Levels = append(res.Levels, Level{N: lv.A.N})
	}
	// A's diagonal, for the preconditioner's Jacobi term: K(i,i) = 1, so A_ii = 1/d_i.
	diag := make([]float64, len(deg))
	for i, d := range deg {
		diag[i] = 1 / d
	}
	s, err := solveMultilevel(op, u, want, levels, eigsh.MultilevelOptions{
		Tol: opt.Tol, MaxIter: opt.MaxIter, Seed: opt.Seed, Context: ctx, Progress: lopt.Progress,
		Diag: diag,
	})
	var nc *eigsh.NoConvergence
	if s != nil && s.Levels != nil {
		res.Levels = res.Levels[:0]
		for _, ls := range s.Levels {
			res.Levels = append(res.Levels, Level{N: ls.N, Passes: ls.Passes, MatVecs: ls.MatVecs, FactorNNZ: ls.FactorNNZ, CGSteps: ls.CGSteps})
		}
	}
	switch {
	case err == nil:
		s.Passes++ // the coarse level's build (Coarsen): one more pass over the pairs
		return s, nil
	case errors.As(err, &nc):
		spent := 0
		if nc.Result != nil {
			spent = nc.Result.Passes
		}
		r, err := fallback(fmt.Sprintf("%d of %d pairs converged after %d passes", nc.Converged, nc.K, spent))
		return r, err
	case ctx.Err() != nil:
		return nil, err
	default:
		return nil, fmt.Errorf("multilevel: %w", err)
	}
}

// Weakly joined points. Noise off a surface leaves points, and small groups of points,
// joined to the rest by little weight: each such group S carries an eigenvector of
// I - A localized on it with an eigenvalue near its conductance cut(S) / vol(S), which
// can fall among the wanted ones at a small sigma (a 10^6 roll at sigma 0.0036: 4 of the
// 12 smallest, each on one or two points). No box aggregate spans such a vector, so
// the coarse start lacks it and the preconditioner barely reaches it: the groups get
// aggregates of their own (docs/bench/multilevel.md, "Weakly joined points").
var (
	weakDegree      = 8.0  // candidates: degree under this many self weights
	weakConductance = 0.05 // isolated: conductance under this
	weakMaxGroup    = 64   // larger connected sets of candidates are left in their boxes
	weakStrong      = 0.25 // candidates are joined by a pair carrying this share of a degree
)

// weakGroups finds the fine level's weakly joined groups: the sets of candidate points
// (degree under weakDegree, the kernel's self weight being 1) connected by strong pairs
// (a kernel value of at least weakStrong of either point's degree; weaker pairs would
// chain the whole fringe of a noisy surface into one set) of at most weakMaxGroup
// points whose conductance (the weight leaving the set over its degrees) is under
// weakConductance. group[i] is i's group (0..count-1) or -1.
func weakGroups(op *kernel.Operator, deg []float64) (group []int32, count int) {
	// A strong pair needs an end of degree at most 1/weakStrong (kernel values are at
	// most 1), and so does a group of one (its conductance is 1 - 1/degree): only those
	// rows are read (on a sparse cloud, where every point is a candidate, reading them
	// all would cost a whole product). Pairs between two unread candidates, never
	// strong, are left out of the conductance: it can only come out high.
	strongDeg := 1 / weakStrong
	pos := make([]int32, len(deg)) // candidate i's position in cands, or -1
	var cands []int32
	for i, d := range deg {
		pos[i] = -1
		if d < weakDegree {
			pos[i] = int32(len(cands))
			cands = append(cands, int32(i))
		}
	}
	if len(cands) == 0 {
		return nil, 0
	}
	sets := graph.NewUnionFind(len(cands))
	// The rows are read in parallel, in chunks whose pairs are joined in chunk order, so
	// the groups do not depend on the thread count.
	type edge struct {
		a, b   int32 // positions in cands
		w      float64
		strong bool
	}
	var rows []int32
	for _, i := range cands {
		if deg[i] <= strongDeg {
			rows = append(rows, i)
		}
	}
	const chunk = 2048
	chunks := make([][]edge, (len(rows)+chunk-1)/chunk)
	parallel.Chunks(len(chunks), 0, 1, func() func(int) {
		var idx []int32
		var val []float64
		return func(c int) {
			for _, i := range rows[c*chunk : min(len(rows), (c+1)*chunk)] {
				idx, val = op.OffDiagonalRow(int(i), idx[:0], val[:0])
				for p, j := range idx {
					// Each pair once: from its lower end, or from the read end where
					// the other's row is not read.
					if pos[j] < 0 || (j < i && deg[j] <= strongDeg) {
						continue
					}
					strong := val[p] >= weakStrong*min(deg[i], deg[j])
					chunks[c] = append(chunks[c], edge{pos[i], pos[j], val[p], strong})
				}
			}
		}
	})
	for _, c := range chunks {
		for _, e := range c {
			if e.strong {
				sets.Union(e.a, e.b)
			}
		}
	}
	intra := make([]float64, len(cands)) // by root: weight within the set, both ways
	vol := make([]float64, len(cands))
	size := make([]int32, len(cands))
	for c, i := range cands {
		r := sets.Find(int32(c))
		intra[r] += 1
		vol[r] += deg[i]
		size[r]++
	}
	for _, c := range chunks {
		for _, e := range c {
			if r := sets.Find(e.a); r == sets.Find(e.b) {
				intra[r] += 2 * e.w
			}
		}
	}
	id := make([]int32, len(cands))
	for c := range id {
		id[c] = -1
	}
	group = make([]int32, len(deg))
	for i := range group {
		group[i] = -1
	}
	for c, i := range cands {
		r := sets.Find(int32(c))
		if size[r] > int32(weakMaxGroup) || 1-intra[r]/vol[r] >= weakConductance {
			continue
		}
		if id[r] < 0 {
			id[r] = int32(count)
			count++
		}
		group[i] = id[r]
	}
	return group, count
}

// weakNodes marks the coarse nodes of at most weakMaxGroup fine points (points[a])
// whose conductance, 1 - A[a,a], is under weakConductance, each as a group of its own.
// The size bound keeps large boxes, whose conductance falls with their edge (~1.6/edge
// in sigmas on a sheet), from stalling the coarsening.
func weakNodes(a *eigsh.Sparse, points []int) (group []int32, count int) {
	group = make([]int32, a.N)
	for r := 0; r < a.N; r++ {
		group[r] = -1
		if points[r] > weakMaxGroup {
			continue
		}
		for p := a.Ptr[r]; p < a.Ptr[r+1]; p++ {
			if int(a.Col[p]) == r && 1-a.Val[p] < weakConductance {
				group[r] = int32(count)
				count++
			}
		}
	}
	return group, count
}
