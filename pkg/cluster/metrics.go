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

// Eigengap picks a number of clusters from the smallest Laplacian eigenvalues (ascending,
// the trivial 0 included): the n in [2, len(values)-1] before the largest gap
// values[n] - values[n-1] (von Luxburg's eigengap heuristic), the smallest n on ties.
func Eigengap(values []float64) (int, error) {
	if len(values) < 3 {
		return 0, fmt.Errorf("cluster: eigengap needs at least 3 eigenvalues, got %d", len(values))
	}
	best, bn := -1.0, 0
	for n := 2; n < len(values); n++ {
		if g := values[n] - values[n-1]; g > best {
			best, bn = g, n
		}
	}
	return bn, nil
}
