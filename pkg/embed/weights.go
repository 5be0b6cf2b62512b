package embed

import (
	"fmt"
	"math"

	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/grid"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// Point weights (Options.Weights) make each point stand for a mass w_i of the cloud, as
// the landmarks of a landmark run stand for the points of their cells. The random walk
// becomes D^-1 K W with D = K W 1 (row-stochastic), whose eigenvectors psi are found as
// those of the symmetric S = (W/D)^1/2 K (W/D)^1/2, y = (W D)^1/2 psi; the normalized
// Laplacian's vectors are D^1/2 psi as without weights. With every w_i = 1 it is the
// unweighted problem exactly.

// weightedMatrix is K with degrees D/W, so that kernel.NormalizedAffinity builds S.
type weightedMatrix struct {
	kernel.Matrix
	degOverW []float64
}

func (w weightedMatrix) Degrees() []float64 { return w.degOverW }

// MulBlock is the kernel's block product (eigsh.MulBlock: a column loop where the
// kernel has none); the weights only change the degrees.
func (w weightedMatrix) MulBlock(dst, src []float64, b int) { eigsh.MulBlock(w.Matrix, dst, src, b) }

// applyWeights returns the matrix the solver's transformation is built from, the
// degrees D = K W 1 (sorted order) and the sorted weights (nil without weights).
func applyWeights(m kernel.Matrix, g *grid.Grid, weights []float64, l Laplacian) (kernel.Matrix, []float64, []float64, error) {
	if weights == nil {
		return m, m.Degrees(), nil, nil
	}
	if len(weights) != g.N {
		return nil, nil, nil, fmt.Errorf("%d weights for %d points", len(weights), g.N)
	}
	if l == Unnormalized {
		return nil, nil, nil, badInput("point weights need the normalized or random-walk Laplacian")
	}
	w := make([]float64, g.N)
	g.ToSorted(w, weights)
	for i, x := range w {
		if !(x > 0) || math.IsInf(x, 0) {
			return nil, nil, nil, badInput("weight of point %d is %g: need positive weights", g.Perm[i]+1, x)
		}
	}
	deg := make([]float64, g.N)
	m.MulVec(deg, w)
	dw := make([]float64, g.N)
	for i := range dw {
		dw[i] = deg[i] / w[i]
	}
	return weightedMatrix{m, dw}, deg, w, nil
}

// trivialMass is what trivialVector takes the square root of: D, or D W with weights.
func trivialMass(deg, w []float64) []float64 {
	if w == nil {
		return deg
	}
	dw := make([]float64, len(deg))
	for i := range dw {
		dw[i] = deg[i] * w[i]
	}
	return dw
}
