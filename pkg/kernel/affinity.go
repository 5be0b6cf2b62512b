package kernel

import (
	"fmt"
	"math"

	"github.com/spectral-dev/spectral/internal/parallel"
	"github.com/spectral-dev/spectral/pkg/neighbors"
)

// KNNAffinity is the symmetrised k-nearest-neighbour graph of scikit-learn's
// SpectralClustering(affinity="nearest_neighbors"): kneighbors_graph(include_self=True)
// gives each point itself and its k-1 nearest other points, W = (A + A^T)/2, and the
// Laplacian ignores W's diagonal (scipy.sparse.csgraph.laplacian subtracts it from the
// degrees), so the self loops are left out here (Diag 0). Each directed edge weighs 1,
// or exp(-d^2 / 2 sigma^2) when sigma > 0. Points N x dim, input order.
func KNNAffinity(points []float64, dim, k int, sigma float64, threads int) (*Sparse, error) {
	if k < 2 {
		return nil, fmt.Errorf("kernel: %d neighbours: need at least 2 (the point itself counts as one)", k)
	}
	nb, err := neighbors.KNN(points, dim, k-1, threads)
	if err != nil {
		return nil, err
	}
	// Rows built at once in the spatial order (row r is point perm[r], columns renumbered
	// through inv): one pass over the edges instead of building then permuting them.
	perm, inv := spatialOrder(points, dim, threads)
	rows := make([][]edge, nb.N)
	flat := make([]edge, nb.N*nb.K)
	parallel.Range(nb.N, threads, sparseRows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			i := perm[r]
			row := flat[r*nb.K : (r+1)*nb.K]
			for q := range row {
				w := 1.0
				if sigma > 0 {
					w = math.Exp(-nb.D2[i*nb.K+q] / (2 * sigma * sigma))
				}
				row[q] = edge{inv[nb.Idx[i*nb.K+q]], w / 2}
			}
			rows[r] = row
		}
	})
	ptr, idx, val := symmetricCSR(rows, threads)
	s, err := NewSparse(ptr, idx, val, 0, threads)
	if s != nil {
		s.Perm = perm
	}
	return s, err
}

// LocalScales are Zelnik-Manor & Perona's sigma_i: the distance from each point to its
// m-th nearest other point. Zeros (more than m-1 copies of a position) are raised to the
// smallest positive scale so the kernel stays defined.
func LocalScales(points []float64, dim, m, threads int) ([]float64, error) {
	if m < 1 {
		return nil, fmt.Errorf("kernel: scale neighbour %d: need at least 1", m)
	}
	nb, err := neighbors.KNN(points, dim, m, threads)
	if err != nil {
		return nil, err
	}
	s := make([]float64, nb.N)
	low := math.Inf(1)
	for i := range s {
		s[i] = math.Sqrt(nb.D2[i*m+m-1])
		if s[i] > 0 {
			low = min(low, s[i])
		}
	}
	if math.IsInf(low, 1) {
		return nil, fmt.Errorf("kernel: every point has %d or more copies of its position: no local scale", m)
	}
	for i := range s {
		if s[i] == 0 {
			s[i] = low
		}
	}
	return s, nil
}

// SelfTuningAffinity is Zelnik-Manor & Perona's locally scaled kernel
// K(i,j) = exp(-d^2 / (sigma_i sigma_j)) with K(i,i) = 1, truncated the way the Gaussian
// operator is: a pair is kept when d^2 / (sigma_i sigma_j) <= cutoff^2 / 2, the same
// exponent bound as |d| <= cutoff sigma for exp(-d^2 / 2 sigma^2), so the default cutoff
// (DefaultCutoff) drops only values below float32 resolution; cutoff 0 keeps every value
// above float32's underflow. A kept pair has d <= cutoff/sqrt(2) max(sigma_i, sigma_j),
// so each point searches that radius around itself with its own scale, and a pair is
// recorded by its endpoint of larger scale only.
func SelfTuningAffinity(points []float64, dim int, scales []float64, cutoff float64, threads int) (*Sparse, error) {
	n := len(scales)
	if n*dim != len(points) {
		return nil, fmt.Errorf("kernel: %d scales for %d points", n, len(points)/dim)
	}
	e2 := cutoff * cutoff / 2
	if cutoff == 0 || e2 > underflowD2/2 {
		e2 = underflowD2 / 2
	}
	radius := make([]float64, n)
	for i, s := range scales {
		radius[i] = math.Sqrt(e2) * s * (1 + 1e-12)
	}
	rows := make([][]edge, n)
	err := neighbors.Within(points, dim, radius, threads, func(i, j int, d2 float64) {
		si, sj := scales[i], scales[j]
		if sj > si || (sj == si && j < i) {
			return // recorded from j
		}
		if x := d2 / (si * sj); x <= e2 {
			rows[i] = append(rows[i], edge{int32(j), math.Exp(-x)})
		}
	})
	if err != nil {
		return nil, err
	}
	perm, inv := spatialOrder(points, dim, threads)
	ptr, idx, val := symmetricCSR(permuteRows(rows, perm, inv, threads), threads)
	s, err := NewSparse(ptr, idx, val, 1, threads)
	if s != nil {
		s.Perm = perm
	}
	return s, err
}
