// Package kernel is the block-sparse Gaussian kernel operator on the CPU:
// K(i,j) = exp(-|xi-xj|^2 / 2 sigma^2) for |xi-xj| <= cutoff*sigma (K(i,i) = 1), applied
// to vectors in the grid's sorted order, with the degrees D = K 1 and the graph
// Laplacians built from them.
package kernel

import (
	"fmt"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// Options tune the operator; zero values mean defaults.
type Options struct {
	Threads     int   // workers; 0 = one per core
	CacheBudget int64 // bytes for cached kernel values; 0 = half the available memory, <0 = never cache
}

// Stats describe the operator's work.
type Stats struct {
	PairsEvaluated    int64 // ordered pairs (i,j) looked at per product
	PairsWithinCutoff int64 // ordered pairs with |xi-xj| <= cutoff*sigma, i == j included
	Cached            bool
	CacheBytes        int64
}

// Operator is y = K v on the grid's sorted points.
type Operator struct {
	g *grid.Grid
}

// New builds the operator and computes the degrees.
func New(g *grid.Grid, opt Options) (*Operator, error) {
	return nil, fmt.Errorf("kernel.New: not implemented")
}

// Dims is the number of points.
func (o *Operator) Dims() int { return o.g.N }

// MulVec sets dst = K src (sorted order).
func (o *Operator) MulVec(dst, src []float64) { panic("not implemented") }

// Degrees returns D = K 1 (sorted order), from the same kernel values as MulVec.
func (o *Operator) Degrees() []float64 { return nil }

// Stats reports the work per product.
func (o *Operator) Stats() Stats { return Stats{} }
