package embed

import (
	"context"
	"fmt"
	"math"

	"github.com/spectral-dev/spectral/pkg/grid"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// The Nyström extension (Bengio et al. 2004) evaluates a computed eigenvector at points
// that were not in the embedding, from the eigen-equation itself: with K the kernel, D its
// degrees and d(x) = sum_j k(x, xj),
//
//	random walk   D^-1 K psi = mu psi        psi(x) = sum_j k(x,xj) psi_j / (mu d(x))
//	normalized    D^-1/2 K D^-1/2 phi = mu phi
//	              phi(x) = sum_j k(x,xj) phi_j / sqrt(D_j) / (mu sqrt(d(x)))
//	unnormalized  (D - K) v = lambda v       v(x) = sum_j k(x,xj) v_j / (d(x) - lambda)
//
// with mu = 1 - lambda. A weighted model (landmarks standing for w_j points each) has
// k(x, xj) w_j in every sum, d(x) included (weights.go). Each formula is exact at the model's own points (it is the
// eigen-equation solved for one entry), and smooth between them. A point with no model
// point within the cutoff has d(x) = 0: its values are NaN, and counted.

// sparseCellPoints: below this many model points per default cell, NewExtender uses
// cells of a whole cutoff (docs/bench/extend.md, extension throughput).
const sparseCellPoints = 8

// Extender evaluates a model's eigenvectors at new points.
type Extender struct {
	m     *cloudio.Model
	cross *kernel.Cross
	v     []float64 // N x (k+1) row-major, sorted order: what the kernel sums per vector, then the weights
}

// NewExtender prepares the extension of m (one grid build over the model's points).
func NewExtender(m *cloudio.Model, threads int) (*Extender, error) {
	if m.Affinity != "gaussian" {
		return nil, badInput("model affinity %q: only gaussian models can be extended", m.Affinity)
	}
	g, err := grid.Build(m.Points, m.Dim, m.Sigma, m.Cutoff, grid.Options{})
	if err != nil {
		return nil, badInput("model: %v", err)
	}
	// A sparse model (landmarks) leaves a point or two in each of the default cells, and
	// each new point would test 5^d of them: cells of a whole cutoff (3^d) cost less there.
	if m.Cutoff > 0 && g.N < sparseCellPoints*len(g.Cells) {
		if g, err = grid.Build(m.Points, m.Dim, m.Sigma, m.Cutoff, grid.Options{CellSize: m.Cutoff * (1 + 1e-4)}); err != nil {
			return nil, badInput("model: %v", err)
		}
	}
	cr, err := kernel.NewCross(g, threads)
	if err != nil {
		return nil, err
	}
	// One more column than vectors: the weights, whose sum is the weighted degree d(x).
	k := m.K + 1
	v := make([]float64, g.N*k)
	for s, i := range g.Perm {
		v[s*k+m.K] = 1
		if m.Weights != nil {
			v[s*k+m.K] = m.Weights[i]
		}
		for j := 0; j < m.K; j++ {
			x := m.Vectors[j][i]
			if m.Laplacian == string(Normalized) {
				x /= math.Sqrt(m.Degrees[i])
			}
			if m.Weights != nil {
				x *= m.Weights[i]
			}
			v[s*k+j] = x
		}
	}
	return &Extender{m: m, cross: cr, v: v}, nil
}

// Extend sets vectors[j][t] to eigenvector j of the model at new point t (points: m x dim,
// input units, row-major; vectors: k slices of m entries). It returns how many points had
// no model point within the cutoff (their values are NaN).
func (e *Extender) Extend(ctx context.Context, points []float64, vectors [][]float64) (unreached int, err error) {
	m := e.m
	if len(points)%m.Dim != 0 {
		return 0, fmt.Errorf("extend: %d coordinates do not make whole %d-D points", len(points), m.Dim)
	}
	n := len(points) / m.Dim
	if len(vectors) != m.K {
		return 0, fmt.Errorf("extend: %d output vectors for a model of %d", len(vectors), m.K)
	}
	k := m.K + 1
	out := make([]float64, n*k)
	if err := e.cross.Apply(ctx, points, e.v, k, out, make([]float64, n)); err != nil {
		return 0, err
	}
	for t := 0; t < n; t++ {
		d := out[t*k+m.K]
		if d == 0 {
			unreached++
		}
		for j := 0; j < m.K; j++ {
			lam := m.Eigenvalues[j]
			var den float64
			switch Laplacian(m.Laplacian) {
			case Unnormalized:
				den = d - lam
			case Normalized:
				den = (1 - lam) * math.Sqrt(d)
			default: // random walk
				den = (1 - lam) * d
			}
			x := out[t*k+j] / den
			if d == 0 {
				x = math.NaN()
			}
			vectors[j][t] = x
		}
	}
	return unreached, nil
}

// Model is the result as a model file's content, for `embed --model`; nil for results the
// extension cannot reproduce (adaptive affinities, a subset of the cloud, no self loops).
func (r *Result) Model(vectorNames []string) *cloudio.Model {
	if (r.Affinity != "" && r.Affinity != Gaussian) || r.Rows != nil || len(r.Vectors) == 0 {
		return nil
	}
	c := r.Cloud
	names := c.Names
	if len(names) != c.Dim {
		names = []string{"x", "y", "z"}[:c.Dim]
	}
	return &cloudio.Model{
		ModelHeader: cloudio.ModelHeader{
			N: c.N(), Dim: c.Dim, K: len(r.Vectors), Names: names, VectorNames: vectorNames,
			Sigma: r.Sigma, Cutoff: r.Cutoff, Affinity: "gaussian", Laplacian: string(r.Laplacian),
			Eigenvalues: r.Eigenvalues, Source: c.Source,
		},
		Points: c.Points, Degrees: r.Degrees, Vectors: r.Vectors,
	}
}
