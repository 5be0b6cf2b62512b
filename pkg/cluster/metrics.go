package cluster

import (
	"fmt"
	"math"
)

// ARI is the adjusted Rand index of two labelings of the same points (Hubert & Arabie):
// 1 for identical partitions, about 0 for independent ones; labels are any ints.
// Degenerate cases follow scikit-learn's adjusted_rand_score: 1 whenever the two
// partitions are the same (one cluster each, or singletons each).
func ARI(a, b []int) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("cluster: %d and %d labels", len(a), len(b))
	}
	n := len(a)
	type pair struct{ x, y int }
	cont := map[pair]int{}
	ra, rb := map[int]int{}, map[int]int{}
	for i := range a {
		cont[pair{a[i], b[i]}]++
		ra[a[i]]++
		rb[b[i]]++
	}
	c2 := func(m int) float64 { return float64(m) * float64(m-1) / 2 }
	var index, sa, sb float64
	for _, m := range cont {
		index += c2(m)
	}
	for _, m := range ra {
		sa += c2(m)
	}
	for _, m := range rb {
		sb += c2(m)
	}
	// In pairs of points (scikit-learn's pair-confusion form, equal to Hubert & Arabie's
	// (index - expected) / (max - expected) and defined for the degenerate cases).
	tp := index
	fn, fp := sa-index, sb-index
	tn := c2(n) - tp - fn - fp
	if fn == 0 && fp == 0 {
		return 1, nil
	}
	return 2 * (tp*tn - fn*fp) / ((tp+fn)*(fn+tn) + (tp+fp)*(fp+tn)), nil
}

// Eigengap picks a number of clusters from the smallest eigenvalues of a normalized
// Laplacian (ascending, the trivial 0 included) by the relative gap, the step
// log(values[n] / values[n-1]), n in [2, len(values)-1] (eigenvalues below EigengapFloor
// count as EigengapFloor): the largest n whose step is at least EigengapTie times the
// largest step.
//
// Relative, not von Luxburg's absolute values[n] - values[n-1]: on graphs of curves and
// surfaces the eigenvalues grow like n^2, so the absolute gap is largest at the end of any
// list (it chose 8-10 clusters on all four sets of scripts/cluster_vs_sklearn.py,
// docs/bench/cluster.md), while the ratio of that growth falls with n and a real cluster
// structure stands out. The largest n among near-equal gaps, not the largest gap alone:
// groups at two scales (two blobs close together, a third apart) give two gaps of
// about the same size, and the coarser one merges clusters the finer one separates (the
// varied blobs: gaps 3.97 at 2 and 3.83 at 3, truth 3).
func Eigengap(values []float64) (int, error) {
	if len(values) < 3 {
		return 0, fmt.Errorf("cluster: eigengap needs at least 3 eigenvalues, got %d", len(values))
	}
	gap := func(n int) float64 { return math.Log(max(values[n], EigengapFloor) / max(values[n-1], EigengapFloor)) }
	best := math.Inf(-1)
	for n := 2; n < len(values); n++ {
		best = max(best, gap(n))
	}
	bn := 2
	for n := 2; n < len(values); n++ {
		if g := gap(n); g >= EigengapTie*best && g > 0 {
			bn = n
		}
	}
	return bn, nil
}

// EigengapTie is how close to the largest step (in log eigenvalue) a step at a larger n
// must be to win. Chosen on the labelled sets of scripts/cluster_vs_sklearn.py (kNN
// graph, 10 neighbours; docs/bench/cluster.md): any value in (0.893, 0.973) finds the
// true count on all four; the varied blobs need it below ln 3.825 / ln 3.967 = 0.973
// (else 2 clusters, truth 3), the spirals of spiral.txt above ln 2.171 / ln 2.384 =
// 0.893 (else 4, truth 3); 0.93 is the middle. A fitted constant with margins of about
// 0.04: --clusters N is the way to be sure.
const EigengapTie = 0.93

// EigengapFloor is where an eigenvalue of a normalized Laplacian (at most 2) counts as
// 0: well above the solver's rounding (about 1e-15), well below any eigenvalue of a
// connected graph of up to 10^7 points.
const EigengapFloor = 1e-10
