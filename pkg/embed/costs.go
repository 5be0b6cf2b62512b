package embed

import (
	"errors"
	"math"
	"runtime"
	"time"

	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/generate"

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
	// CacheFraction is the share of the cache the budget holds where it holds only part
	// (a partial cache, the rest on the fly); 0 otherwise.
	CacheFraction float64 `json:"cache_fraction"`
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
	// The whole run's time: the read as the caller measured it, the grid as built here,
	// the kernel stage (degrees, components, the cache) at kernelStageProducts on-the-fly
	// products, the solve, and writing a CSV of the points and k eigenvectors.
	ReadSeconds   float64 `json:"read_seconds"`
	GridSeconds   float64 `json:"grid_seconds"`
	KernelSeconds float64 `json:"kernel_seconds_estimate"`
	WriteSeconds  float64 `json:"write_seconds_estimate"`
	RunSeconds    float64 `json:"run_seconds_estimate"`
}

// kernelStageProducts is the kernel stage's time in info's single on-the-fly products,
// and csvBytesPerSecond the output's writing speed (a value is ~21 bytes of CSV): on the
// Swiss rolls at sigma 0.01, the stage took 0.37 s at 10^5 and 30 s at 10^6 (with a
// cache) where info timed a product at 0.144 s and 10.9 s; 10^6 points wrote in 1.3-1.6 s
// (docs/bench/multilevel.md, "Session 10").
const (
	kernelStageProducts = 3.0
	csvBytesPerSecond   = 150e6
)

// EstimateCosts estimates the pairs, memory and time per product of embedding c with
// sigma (input units) and cutoff (sigmas; CutoffAuto allowed; 0 = every pair).
func EstimateCosts(c *cloudio.Cloud, sigma, cutoff float64, k, threads int) (*Costs, error) {
	return EstimateCostsFor(c, sigma, cutoff, k, threads, SolverAuto, 0)
}

// EstimateCostsFor is EstimateCosts for the given --solver (auto: the one auto would
// pick), with the time the caller took to read c (0: not counted).
func EstimateCostsFor(c *cloudio.Cloud, sigma, cutoff float64, k, threads int, solver Solver, read time.Duration) (*Costs, error) {
	if cutoff == CutoffAuto {
		cutoff = kernel.DefaultCutoff
	}
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	if err := checkScale(c, sigma, cutoff); err != nil {
		return nil, err
	}
	t0 := time.Now()
	g, err := grid.Build(c.Points, c.Dim, sigma, cutoff, grid.Options{})
	if err != nil {
		return nil, gridError(c, sigma, cutoff, err)
	}
	gridSecs := time.Since(t0).Seconds()
	kopt := kernel.Options{Threads: threads, CacheBudget: cacheBudget(Options{K: k}, c.N(), c.Dim)}
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
	// Both modes' times from the estimates (each EstimateCost walks the whole grid) at this
	// machine's measured speed.
	rOtf, rCached := measuredRates(threads)
	otf := float64(est.PairsEvaluated) / (rOtf * float64(threads))
	cached := float64(est.PairsWithinCutoff) / (rCached * float64(threads))
	used := otf
	switch {
	case cache.Cached:
		used = cached
	case cache.CacheFraction > 0:
		used = cache.CacheFraction*cached + (1-cache.CacheFraction)*otf
	}
	mem := EstimateMemory(c.N(), c.Dim, k, defaultNCVEstimate(k))
	suggest := ""
	if !cache.Cached && cutoff > 0 {
		suggest = cacheMemoryFlag(cache.CacheBytes)
	}
	solver = chooseSolver(Options{Solver: solver, Laplacian: Normalized, Cutoff: cutoff}, c.N(), est.PairsWithinCutoff, true)
	frac := cache.CacheFraction // 0: on the fly, or a whole cache (then 1)
	if cache.Cached {
		frac = 1
	}
	fly := dearPasses(est.PairsWithinCutoff, c.N(), frac) // the on-the-fly rule's levels
	narrow := false
	if solver == SolverMultilevel {
		// The run falls back to Lanczos where the first level would barely coarsen
		// (runMultilevel; also where its weakly joined groups leave it so, which this
		// does not foresee).
		ag, _, err := firstLevel(g, est.PairsWithinCutoff, fly)
		switch {
		case errors.Is(err, errNoCoarsening):
			solver = SolverLanczos
		case err == nil && ag.M > coarseMax(est.PairsWithinCutoff, fly):
			narrow = true // boxes capped at maxFirstEdge: sigma narrow for the cloud
		}
	}
	passes, secs, smem := solveEstimate(solver, c.N(), k, used, threads, cache.Cached && !fly, narrow)
	kernelSecs := kernelStageProducts * otf
	writeSecs := float64(c.N()*(c.Dim+max(k, 1))) * 21 / csvBytesPerSecond
	return &Costs{
		Solver: solver, SolvePasses: passes, SolveSeconds: secs, SolveMemory: smem,
		ReadSeconds: read.Seconds(), GridSeconds: gridSecs, KernelSeconds: kernelSecs, WriteSeconds: writeSecs,
		RunSeconds: read.Seconds() + gridSecs + kernelSecs + secs + writeSecs,
		Sigma:      sigma, Cutoff: cutoff,
		PairsWithinCutoff: est.PairsWithinCutoff, PairsEvaluated: est.PairsEvaluated,
		MemoryBytes: mem,
		CacheBytes:  cache.CacheBytes, CacheFits: cache.Cached, CacheFraction: cache.CacheFraction, SuggestCacheMemory: suggest,
		SecondsPerProduct: otf, SecondsPerCachedProduct: cached,
		SecondsPerProductUsed: used, Threads: threads,
	}, nil
}

// Rough per-solver figures, from docs/bench/multilevel.md (Swiss rolls): Lanczos needs
// ~200-550 products; the multilevel solver ~18 (tol 1e-6) to ~25 (the default tol, 1e-10
// for it) block passes of DefaultBlock(k-1) columns, ~20 on the fly (where its first level
// is finer: the 10^6 roll, session 6), a block pass costing about
// blockPassCost single products (docs/bench/block.md: less on the fly, where evaluating
// the kernel dominates, than cached), plus ~2300 multiply-adds per point and iteration of
// dense block work at block 9 (~3e9 per second per core with the AVX2 panel loops,
// BenchmarkBlockMath) and one pass to build the coarse level.
const (
	lanczosProductsEstimate       = 400
	multilevelPassesEstimate      = 25
	multilevelPassesEstimateOnFly = 20
	blockPassCostOnTheFly         = 2.3
	blockPassCostCached           = 4.0
	// A first level capped at maxFirstEdge (sigma narrow for the cloud) converges more
	// slowly: 75 passes on the 10^6 roll at sigma 0.0036 (docs/bench/multilevel.md,
	// "Session 9"; 98 before Jacobi's term).
	multilevelPassesNarrow = 75
)

func solveEstimate(s Solver, n, k int, perProduct float64, threads int, cached, narrow bool) (passes int, seconds float64, mem int64) {
	if s == SolverLanczos {
		return lanczosProductsEstimate, lanczosProductsEstimate * perProduct, 0
	}
	b := eigsh.DefaultBlock(max(k-1, 1))
	dense := float64(n) * 2300 * float64(b*b) / 81 / (3e9 * float64(threads))
	p, pass := multilevelPassesEstimateOnFly, blockPassCostOnTheFly
	if cached {
		p, pass = multilevelPassesEstimate, blockPassCostCached
	}
	if narrow {
		p = multilevelPassesNarrow
	}
	seconds = float64(p)*(pass*perProduct+dense) + perProduct
	// LOBPCG's nine n x b blocks (X, AX, R, W, AW, P, AP and two for the next P and AP)
	// and one a Rayleigh-Ritz on a drift takes for a moment.
	mem = int64(n) * int64(b) * 8 * 10
	return p, seconds, mem
}

// measuredRates times products on a small Swiss roll (10,000 points, sigma 0.05, cutoff 4:
// ~1,300 pairs a point, between the benchmarks' densities) on this machine, on the fly and
// cached, best of 3 each (a few tenths of a second in all), and returns evaluated pairs
// and nonzeros per second and thread. Estimates then follow the machine they run on: the
// constants (kernel.OnTheFlyPairsPerSecondPerCore) were measured on an AVX-512 Xeon and
// were 3x fast for a Zen 1 (docs/bench/multilevel.md, session 4). They stay the fallback.
func measuredRates(threads int) (onTheFly, cached float64) {
	onTheFly, cached = kernel.OnTheFlyPairsPerSecondPerCore, kernel.CachedProductsPerSecondPerCore
	pts := generate.SwissRoll(10000, 0.01, 1)
	g, err := grid.Build(pts, 3, 0.05, 4, grid.Options{})
	if err != nil {
		return
	}
	// The cached mode runs on its own cells, as a run does (cachedCells).
	gc, err := grid.Build(pts, 3, 0.05, 4, grid.Options{CellSize: kernel.CachedCellFraction * 4})
	if err != nil {
		return
	}
	v := make([]float64, g.N)
	for i := range v {
		v[i] = 1
	}
	dst := make([]float64, g.N)
	best := func(op *kernel.Operator) float64 {
		b := math.Inf(1)
		for range 3 {
			t := time.Now()
			op.MulVec(dst, v)
			b = min(b, time.Since(t).Seconds())
		}
		return b
	}
	if op, err := kernel.New(g, kernel.Options{Threads: threads, CacheBudget: -1}); err == nil {
		if s := best(op); s > 0 {
			onTheFly = float64(op.Stats().PairsEvaluated) / (s * float64(threads))
		}
	}
	if op, err := kernel.New(gc, kernel.Options{Threads: threads, CacheBudget: 1 << 30}); err == nil && op.Stats().Cached {
		if s := best(op); s > 0 {
			cached = float64(op.Stats().PairsWithinCutoff) / (s * float64(threads))
		}
	}
	return
}
