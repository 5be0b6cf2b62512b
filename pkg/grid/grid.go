// Package grid sorts a point cloud into cells for the block-sparse kernel: it centres the
// points in float64, scales them by 1/sigma, bins them into cells ordered along a Morton
// curve, counting-sorts the points so each cell is one contiguous range, and lists the
// pairs of cells whose bounding boxes come within the cutoff (a CSR over cells).
//
// Data enters as float64 points in input order and leaves as float32 points in sorted
// order, with the permutation that maps results back to input order.
package grid

import "fmt"

// Options tune the grid; zero values mean defaults.
type Options struct {
	CellSize float64 // cell edge in units of sigma; 0 = default (chosen by measurement)
}

// Cell is one occupied grid cell: the sorted points [Start, End).
type Cell struct {
	Start, End int
	Centroid   [3]float64
	Min, Max   [3]float32 // bounding box of its points, scaled coordinates
}

// Grid is a sorted cloud with its block-sparsity pattern.
type Grid struct {
	Dim    int
	N      int
	Sigma  float64    // in input units
	Cutoff float64    // in units of sigma; 0 = every pair
	Center [3]float64 // subtracted before scaling, input units
	Points []float32  // N x Dim, sorted, (x - Center) / Sigma
	Perm   []int      // Perm[s] = input index of sorted point s
	Cells  []Cell

	// Neighbour cells of cell i (boxes within the cutoff, i itself included), ascending:
	// NbrCells[NbrPtr[i]:NbrPtr[i+1]].
	NbrPtr   []int
	NbrCells []int32
	// The same as merged sorted-point ranges [Start, End) for one sweep each:
	// Ranges[RangePtr[i]:RangePtr[i+1]].
	RangePtr []int
	Ranges   [][2]int32
}

// Build sorts points (N x dim, row-major, input order) for a kernel of width sigma (input
// units) truncated at cutoff*sigma (0 = no truncation).
func Build(points []float64, dim int, sigma, cutoff float64, opt Options) (*Grid, error) {
	return nil, fmt.Errorf("grid.Build: not implemented")
}

// ToInput writes sorted-order values src into dst in input order.
func (g *Grid) ToInput(dst, src []float64) {
	for s, i := range g.Perm {
		dst[i] = src[s]
	}
}

// ToSorted writes input-order values src into dst in sorted order.
func (g *Grid) ToSorted(dst, src []float64) {
	for s, i := range g.Perm {
		dst[s] = src[i]
	}
}
