package embed

import (
	"runtime"

	"github.com/spectral-dev/spectral/pkg/eigsh"

	"github.com/spectral-dev/spectral/pkg/grid"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// Costs is what an embedding would cost, estimated before any kernel evaluation (the grid
// is built, which is cheap): `spectral info --sigma`.
type Costs struct {
	Sigma             float64 `json:"sigma"`
	Cutoff            float64 `json:"cutoff"`
	PairsWithinCutoff int64   `json:"pairs_within_cutoff"`
	PairsEvaluated    int64   `json:"pairs_evaluated_per_product"`
	MemoryBytes       int64   `json:"memory_bytes"`
	CacheBytes        int64   `json:"cache_bytes"`
	CacheFits         bool    `json:"cache_fits"`
	// SuggestCacheMemory is a --cache-memory value that would cache the kernel when the
	// default budget (half the available memory) is too small but the machine is not;
	// empty otherwise.
	SuggestCacheMemory      string  `json:"suggest_cache_memory,omitempty"`
	SecondsPerProduct       float64 `json:"seconds_per_product_on_the_fly"`
	SecondsPerCachedProduct float64 `json:"seconds_per_product_cached"`
	SecondsPerProductUsed   float64 `json:"seconds_per_product"`
	Threads                 int     `json:"threads"`
	// Solver is what --solver would run (auto: its pick for the normalized Laplacian on
	// the CPU), with a rough
	// estimate of the passes over the kernel and the solve's seconds
	// (docs/bench/multilevel.md has measured figures).
	Solver       Solver  `json:"solver"`
	SolvePasses  int     `json:"solve_passes_estimate"`
	SolveSeconds float64 `json:"solve_seconds_estimate"`
	SolveMemory  int64   `json:"solve_memory_bytes_estimate"`
}

// EstimateCosts estimates the pairs, memory and time per product of embedding c with
// sigma (input units) and cutoff (sigmas; CutoffAuto allowed; 0 = every pair).
func EstimateCosts(c *cloudio.Cloud, sigma, cutoff float64, k, threads int) (*Costs, error) {
	return EstimateCostsFor(c, sigma, cutoff, k, threads, SolverAuto)
}

// EstimateCostsFor is EstimateCosts for the given --solver (auto: the one auto would pick).
func EstimateCostsFor(c *cloudio.Cloud, sigma, cutoff float64, k, threads int, solver Solver) (*Costs, error) {
	if cutoff == CutoffAuto {
		cutoff = kernel.DefaultCutoff
	}
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	if err := checkScale(c, sigma, cutoff); err != nil {
		return nil, err
	}
	g, err := grid.Build(c.Points, c.Dim, sigma, cutoff, grid.Options{})
	if err != nil {
		return nil, gridError(c, sigma, cutoff, err)
	}
	kopt := kernel.Options{Threads: threads}
	est := kernel.EstimateCost(g, kopt)
	// The cached mode runs on cachedCells where they are not crowded: its memory from
	// those.
	cache := est
	if cutoff > 0 {
		g2, err := cachedCells(c, sigma, cutoff)
		if err != nil {
			return nil, gridError(c, sigma, cutoff, err)
		}
		if g2 != nil {
			cache = kernel.EstimateCost(g2, kopt)
		}
	}
	// Both modes' times from the estimates (each EstimateCost walks the whole grid).
	otf := float64(est.PairsEvaluated) / (kernel.OnTheFlyPairsPerSecondPerCore * float64(threads))
	cached := float64(est.PairsWithinCutoff) / (kernel.CachedProductsPerSecondPerCore * float64(threads))
	used := otf
	if cache.Cached {
		used = cached
	}
	mem := EstimateMemory(c.N(), c.Dim, k, defaultNCVEstimate(k))
	suggest := ""
	if !cache.Cached && cutoff > 0 {
		suggest = cacheMemoryFlag(cache.CacheBytes)
	}
	solver = chooseSolver(Options{Solver: solver, Laplacian: Normalized, Cutoff: cutoff}, c.N(), est.PairsWithinCutoff, true)
	passes, secs, smem := solveEstimate(solver, c.N(), k, used, threads)
	return &Costs{
		Solver: solver, SolvePasses: passes, SolveSeconds: secs, SolveMemory: smem,
		Sigma: sigma, Cutoff: cutoff,
		PairsWithinCutoff: est.PairsWithinCutoff, PairsEvaluated: est.PairsEvaluated,
		MemoryBytes: mem,
		CacheBytes:  cache.CacheBytes, CacheFits: cache.Cached, SuggestCacheMemory: suggest,
		SecondsPerProduct: otf, SecondsPerCachedProduct: cached,
		SecondsPerProductUsed: used, Threads: threads,
	}, nil
}

// Rough per-solver figures, from docs/bench/multilevel.md (Swiss rolls, tol 1e-6): Lanczos
// needs ~200-550 products; the multilevel solver ~15-25 block passes of DefaultBlock(k-1)
// columns, a block pass costing about blockPassCost single products, plus ~2300
// multiply-adds per point and iteration of dense block work (~1e9 per second per core)
// and one pass to build the coarse level.
const (
	lanczosProductsEstimate  = 400
	multilevelPassesEstimate = 20
	blockPassCost            = 3.0
)

func solveEstimate(s Solver, n, k int, perProduct float64, threads int) (passes int, seconds float64, mem int64) {
	if s == SolverLanczos {
		return lanczosProductsEstimate, lanczosProductsEstimate * perProduct, 0
	}
	b := eigsh.DefaultBlock(max(k-1, 1))
	dense := float64(n) * 2300 * float64(b*b) / 81 / (1e9 * float64(threads))
	p := multilevelPassesEstimate
	seconds = float64(p)*(blockPassCost*perProduct+dense) + perProduct
	mem = int64(n) * int64(b) * 8 * 12 // X, AX, W, AW, P, AP and the temporaries
	return p, seconds, mem
}
