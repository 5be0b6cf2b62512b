package embed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/spectral-dev/spectral/pkg/eigsh"
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

// maxFirstEdge is the largest first-level box, in sigmas, the solver trusts. With larger
// boxes the coarse eigenvectors can be so poor a start that LOBPCG converges to a wrong
// set: on a 10^6-point roll at sigma 0.0036 (378 pairs a point), boxes of 12 sigma gave
// a start without the 6th wanted eigenvector, and blocks of 8 and 12 both converged
// towards interior pairs for 50-100 passes, where boxes of 3 and 4 sigma found the right
// set (docs/bench/multilevel.md, "Small sigma"). Beyond it the solve falls back to Lanczos.
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

// errTooCoarse says the first level would need boxes over maxFirstEdge.
var errTooCoarse = errors.New("the coarse level would be too coarse for the kernel width")

// buildLevels builds the cascade's coarse levels for A = D^-1/2 K D^-1/2: level 1 from
// the smallest boxes of aggregateEdges that leave at most coarseMax aggregates, with
// Kc = P^T K P summed exactly over the kernel's pairs,
// then boxes twice as large on the aggregates' centroids (Galerkin on the sparse coarse
// affinity) until the coarsest has at most coarsestMax nodes.
func buildLevels(op *kernel.Operator, g *grid.Grid, deg []float64, want int) ([]eigsh.Level, error) {
	st := op.Stats()
	ag, h, err := firstLevel(g, st.PairsWithinCutoff, dearPasses(st.PairsWithinCutoff, g.N, st.CacheFraction))
	if err != nil {
		return nil, err
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
	for ac.N > coarsestMax && len(levels) < 8 {
		h *= 2
		ag2, err := grid.Aggregate(cent, g.Dim, h)
		if err != nil {
			return nil, err
		}
		if float64(ac.N)/float64(ag2.M) < 2 {
			break
		}
		dc2, w2 := aggregateDegrees(ag2.Labels, dc, ag2.M)
		ac2 := ac.Galerkin(ag2.Labels, w2, ag2.M)
		levels = append(levels, eigsh.Level{Labels: ag2.Labels, Weights: w2, A: ac2, Coords: ag2.Centroids, Dim: g.Dim})
		ac, dc, cent = ac2, dc2, ag2.Centroids
	}
	if ac.N <= eigsh.DefaultBlock(want)+2 {
		return nil, fmt.Errorf("%w: the coarsest level has %d nodes", errNoCoarsening, ac.N)
	}
	return levels, nil
}

// firstLevel is the first level's aggregation: boxes of the smallest edge of
// aggregateEdges that leaves at most coarseMax(pairs, fly) aggregates, if that edge is
// at most maxFirstEdge (errTooCoarse) and the boxes hold minCoarsening points on
// average (errNoCoarsening).
func firstLevel(g *grid.Grid, pairs int64, fly bool) (*grid.Aggregation, float64, error) {
	limit := coarseMax(pairs, fly)
	var ag *grid.Aggregation
	var h float64
	for _, h = range aggregateEdges {
		// Boxes finer than the prototype's: only on the fly (cached passes are too cheap
		// for their coarse solves) and where they coarsen.
		if h < AggregateEdge && !fly {
			continue
		}
		var err error
		if ag, err = g.AggregateSorted(h); err != nil {
			return nil, 0, err
		}
		if h < AggregateEdge && float64(g.N) < minCoarsening*float64(ag.M) {
			continue
		}
		if ag.M <= limit {
			break
		}
	}
	if h > maxFirstEdge {
		return nil, 0, fmt.Errorf("%w: at most %d aggregates need boxes of %g sigma (over %g, the coarse start can miss eigenpairs)", errTooCoarse, limit, h, maxFirstEdge)
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
	s, err := eigsh.SolveMultilevel(&deflated{op, u}, want-1, levels, o)
	var nc *eigsh.NoConvergence
	switch {
	case err == nil:
	case errors.As(err, &nc) && nc.Result != nil:
		r := withTrivial(nc.Result, op, u)
		r.Passes, r.Block, r.Levels = nc.Result.Passes+1, nc.Result.Block, nc.Result.Levels
		nc.Result = r
		nc.Converged, nc.K = len(r.Values), want
		return r, nc
	default:
		return nil, err
	}
	r := withTrivial(s, op, u)
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
		if errors.Is(err, errNoCoarsening) || errors.Is(err, errTooCoarse) {
			return fallback(err.Error())
		}
		return nil, fmt.Errorf("multilevel: %w", err)
	}
	for _, lv := range levels {
		res.Levels = append(res.Levels, Level{N: lv.A.N})
	}
	s, err := solveMultilevel(op, u, want, levels, eigsh.MultilevelOptions{
		Tol: opt.Tol, MaxIter: opt.MaxIter, Seed: opt.Seed, Context: ctx, Progress: lopt.Progress,
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
