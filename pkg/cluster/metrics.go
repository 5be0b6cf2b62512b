package cluster

import "fmt"

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
// Laplacian (ascending, the trivial 0 included): the n in [2, len(values)-1] with the
// largest relative gap values[n] / values[n-1] (eigenvalues below EigengapFloor count as
// EigengapFloor), the smallest n on ties. Relative, not von Luxburg's absolute
// values[n] - values[n-1]: on graphs of curves and surfaces the eigenvalues grow like
// n^2, so the absolute gap is largest at the end of any list (it chose 8-10 clusters on
// all four sets of scripts/cluster_vs_sklearn.py, docs/bench/cluster.md), while the
// ratio of that growth falls with n and a real cluster structure stands out.
func Eigengap(values []float64) (int, error) {
	if len(values) < 3 {
		return 0, fmt.Errorf("cluster: eigengap needs at least 3 eigenvalues, got %d", len(values))
	}
	best, bn := -1.0, 0
	for n := 2; n < len(values); n++ {
		if g := max(values[n], EigengapFloor) / max(values[n-1], EigengapFloor); g > best {
			best, bn = g, n
		}
	}
	return bn, nil
}

// EigengapFloor is where an eigenvalue of a normalized Laplacian (at most 2) counts as
// 0: well above the solver's rounding (about 1e-15), well below any eigenvalue of a
// connected graph of up to 10^7 points.
const EigengapFloor = 1e-10
