package embed

import (
	"fmt"
	"math"
	"strings"

	"github.com/spectral-dev/spectral/pkg/grid"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
	"github.com/spectral-dev/spectral/pkg/neighbors"
)

// Pre-flight checks: what the cheap estimates of `spectral info` (the grid, the pair
// estimate of kernel.EstimateCost, the neighbour spacing) already say about a run before
// its first product. A hopeless run is reported before the work, not in the summary.

// sparsePairsPerPoint: with fewer pairs per point within the cutoff than this (the point
// itself included), most points have at most one neighbour and the graph falls apart into
// many components, whose indicator vectors are then all the eigenvectors found.
const sparsePairsPerPoint = 3

// denseFraction and denseMinN: an operator with more than this fraction of all n^2 pairs
// within the cutoff is nearly dense, each product O(n^2); past denseMinN points that is
// worth a warning with the time it will take.
const (
	denseFraction = 0.5
	denseMinN     = 2000
)

// typicalProducts is a product count for the time estimate of a dense run: the solves of
// BENCHMARKS.md ("Products") take from about 100 to 500 at k = 7.
const typicalProducts = 300

// checkScale refuses, naming the value, a sigma or cutoff that the grid cannot represent
// for this cloud: an extent that overflows float64 (coordinates of +-1e308), more than
// 1e30 sigmas across (--sigma 5e-324), cells too small for the extent (--cutoff 1e-300).
func checkScale(c *cloudio.Cloud, sigma, cutoff float64) error {
	for d := 0; d < c.Dim; d++ {
		name, lo, hi := axis(c, d)
		ext := hi - lo
		if math.IsInf(ext, 0) {
			return badInput("%s: coordinate %s spans %g to %g, an extent beyond the float64 range; rescale or recentre the cloud", c.Source, name, lo, hi)
		}
		if ext/sigma > 1e30 {
			return fieldError("Options.Sigma", "{} %g: too small for %s, whose coordinate %s spans %.6g (%.3g sigmas; at most 1e30)", sigma, c.Source, name, ext, ext/sigma)
		}
		if cutoff > 0 && ext/(sigma*cutoff) > 1<<50 {
			return fieldError("Options.Cutoff", "{} %g: too small for %s at sigma %g (coordinate %s spans %.6g, %.3g cutoffs; at most 2^50); use 0 for every pair or a cutoff of a few sigmas", cutoff, c.Source, sigma, name, ext, ext/(sigma*cutoff))
		}
	}
	return nil
}

// checkExtent is the part of checkScale that needs no sigma, for --sigma auto.
func checkExtent(c *cloudio.Cloud) error {
	for d := 0; d < c.Dim; d++ {
		if name, lo, hi := axis(c, d); math.IsInf(hi-lo, 0) {
			return badInput("%s: coordinate %s spans %g to %g, an extent beyond the float64 range; rescale or recentre the cloud", c.Source, name, lo, hi)
		}
	}
	return nil
}

// axis is the name and range of coordinate d.
func axis(c *cloudio.Cloud, d int) (name string, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for i := d; i < len(c.Points); i += c.Dim {
		lo, hi = math.Min(lo, c.Points[i]), math.Max(hi, c.Points[i])
	}
	name = "xyz"[d : d+1]
	if d < len(c.Names) {
		name = c.Names[d]
	}
	return name, lo, hi
}

// gridError makes an error of grid.Build, on a cloud and values that passed checkScale,
// bad input naming the values (and drops the grid package's prefix: one per message).
func gridError(c *cloudio.Cloud, sigma, cutoff float64, err error) error {
	msg := strings.TrimPrefix(err.Error(), "grid: ")
	return fieldError("Options.Cutoff", "%s with {Options.Sigma} %g and {} %g: %s", c.Source, sigma, cutoff, msg)
}

// preflight returns the warnings of a run on g before any kernel evaluation: a graph that
// will fall apart, or a nearly dense operator at large n (with its time and memory).
func preflight(c *cloudio.Cloud, g *grid.Grid, sigma float64, want int, opt Options) []string {
	if opt.sparse != nil { // knn and self-tuning graphs: their own rules (graph.go)
		return nil
	}
	n := g.N
	// The pair estimate samples 2048 targets against their cells' sources: milliseconds on
	// a sparse grid, about a second of CPU on a dense one of 2*10^5 points (whose solve
	// would take hours).
	_, within := kernel.EstimatePairs(g, opt.Threads)
	ppp := float64(within) / float64(n)
	var warns []string
	if g.Cutoff > 0 && ppp < sparsePairsPerPoint && n > want+1 {
		better := ""
		if sp, err := neighbors.Measure(c.Points, c.Dim, neighbors.Options{Threads: opt.Threads, Context: opt.ctx}); err == nil && sp.SuggestedSigma > sigma {
			better = fmt.Sprintf("; Options.Sigma %.3g (what Options.Sigma auto picks) would connect it", sp.SuggestedSigma)
		} else {
			better = "; a larger Options.Sigma or Options.Cutoff connects it"
		}
		warns = append(warns, fmt.Sprintf("sigma %g leaves ~%.1f pairs per point within the cutoff (the point itself included): the graph will fall apart into many components and the eigenvectors will only label them%s", sigma, ppp, better))
	}
	if frac := float64(within) / (float64(n) * float64(n)); frac > denseFraction && n > denseMinN {
		// Nearly dense: every pair of the pattern is within the cutoff, so the pairs
		// evaluated on the fly are the pairs within; the time per product follows from
		// kernel's fixed throughputs (spectral info measures this machine's instead,
		// measuredRates: a warning should not spend the ~0.3 s that takes).
		kopt := cpuKernelOptions(opt, n, c.Dim)
		ncv := opt.NCV
		if ncv == 0 {
			ncv = defaultNCVEstimate(want)
		}
		mem := EstimateMemory(n, c.Dim, want, ncv)
		rate, cache := kernel.OnTheFlyPairsPerSecondPerCore, "not cached: products evaluated on the fly"
		if kernel.WouldCache(g, kopt) {
			rate, cache = kernel.CachedProductsPerSecondPerCore, "kernel cached"
		}
		perProduct := float64(within) / (rate * float64(kopt.Threads))
		warns = append(warns, fmt.Sprintf("sigma %g makes the operator nearly dense (%.0f%% of all pairs within the cutoff, ~%.3g per product): estimated %s per product, ~%s for a typical %d-product solve, memory ~%s (%s); a smaller Options.Sigma or Options.Cutoff is much faster",
			sigma, 100*frac, float64(within), FormatSeconds(perProduct), FormatSeconds(typicalProducts*perProduct), typicalProducts, FormatBytes(mem), cache))
	}
	return warns
}

// FormatSeconds prints a duration estimate for people: seconds, minutes or hours.
func FormatSeconds(s float64) string {
	switch {
	case s < 1:
		return fmt.Sprintf("%.2g s", s)
	case s < 120:
		return fmt.Sprintf("%.0f s", s)
	case s < 7200:
		return fmt.Sprintf("%.0f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}

// warn records a warning and hands it to opt.Warn at once.
func (r *Result) warn(opt Options, msg string) {
	if msg == "" {
		return
	}
	r.Warnings = append(r.Warnings, msg)
	if opt.Warn != nil {
		opt.Warn(msg)
	}
}
