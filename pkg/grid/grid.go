// Package grid sorts a point cloud into cells for the block-sparse kernel: it centres the
// points in float64, scales them by 1/sigma, bins them into cells ordered along a Morton
// curve, counting-sorts the points so each cell is one contiguous range, and lists the
// pairs of cells whose bounding boxes come within the cutoff (a CSR over cells).
//
// Data enters as float64 points in input order and leaves as float32 points in sorted
// order, with the permutation that maps results back to input order.
//
// The grid only decides which pairs of points are worth looking at; it never changes
// which pairs the kernel keeps (that is decided per pair from the distance), so any cell
// size gives the same operator. Cells are found through a hash map, never a dense array,
// so clouds of any extent work (10^6 sigma and beyond) without aliasing.
package grid

import (
	"fmt"
	"math"
	"slices"
)

// Options tune the grid; zero values mean defaults.
type Options struct {
	CellSize float64 // cell edge in units of sigma; 0 = default (chosen by measurement)
}

// DefaultCellFraction is the default cell edge as a fraction of the cutoff radius, chosen
// by measurement (BENCHMARKS.md, Swiss roll and spiral, n = 10^4 and 10^5): edges of
// cutoff/2 (5^d neighbour offsets) look at 2.0-2.4x the pairs kept on the Swiss roll
// (1.4x on the spiral) against 3.0-3.3x for edges of cutoff, and were the fastest or within
// 10% of it on the fly; edges of cutoff/3 prune to 1.6-1.9x but leave ~12 points per cell
// on sparse clouds, which made the cached product 1.6-2x slower.
const DefaultCellFraction = 0.5

// cellMargin widens cells slightly beyond cutoff/m so that m rings of neighbours cover
// every pair that the float32 distance rule can keep (its rounding is ~1e-7 relative).
const cellMargin = 1 + 1e-4

// pruneSlack is the relative slack on the squared cutoff in the box test: the kernel
// decides in float32, whose squared distance may be a few ulps below the exact one, so
// the box test errs on the side of keeping a cell pair.
const pruneSlack = 1e-5

// maxRingCells bounds the neighbour offsets visited per cell (a cell size far below the
// cutoff would make neighbour enumeration the bottleneck).
const maxRingCells = 1 << 16

// Cell is one occupied grid cell: the sorted points [Start, End).
type Cell struct {
	Start, End int
	Centroid   [3]float64 // mean of its points, scaled coordinates (unused axes 0)
	Min, Max   [3]float32 // bounding box of its points, scaled coordinates (unused axes 0)
}

// Grid is a sorted cloud with its block-sparsity pattern.
//
// Pattern semantics (shared with pkg/gpu): for target cell i, every source point j with
// float32 |xi-xj|^2 <= float32(Cutoff^2) lies in one of the cells NbrCells[NbrPtr[i]:NbrPtr[i+1]],
// equivalently in one of the sorted-point ranges Ranges[RangePtr[i]:RangePtr[i+1]]. The
// neighbour lists are symmetric (j lists i when i lists j), ascending, and include i itself;
// a pair of cells is listed when the minimum distance between their bounding boxes is
// within the cutoff (with a 1e-5 relative slack on the squared cutoff for float32
// rounding). The ranges are the neighbour cells' [Start, End) with abutting ones merged,
// ascending and disjoint. With Cutoff == 0 every cell lists every cell, and the ranges of
// every cell are the single range [0, N).
//
// Inside a cell, points follow a finer Z curve (16 sub-cells per axis, input order among
// equals), so consecutive points are close: consumers may prune per block of targets.
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

	// CellEdge is the cell edge used, in units of sigma.
	CellEdge float64
}

type cellKey [3]int64

// Build sorts points (N x dim, row-major, input order) for a kernel of width sigma (input
// units) truncated at cutoff*sigma (0 = no truncation).
func Build(points []float64, dim int, sigma, cutoff float64, opt Options) (*Grid, error) {
	if dim < 1 || dim > 3 {
		return nil, fmt.Errorf("grid: dimension %d not supported (1, 2 or 3)", dim)
	}
	if len(points) == 0 || len(points)%dim != 0 {
		return nil, fmt.Errorf("grid: %d coordinates do not make whole %d-D points", len(points), dim)
	}
	n := len(points) / dim
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("grid: %d points exceed the limit of %d", n, math.MaxInt32)
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("grid: sigma must be positive and finite, got %g", sigma)
	}
	if !(cutoff >= 0) || math.IsInf(cutoff, 0) {
		return nil, fmt.Errorf("grid: cutoff must be >= 0 and finite, got %g", cutoff)
	}
	if !(opt.CellSize >= 0) || math.IsInf(opt.CellSize, 0) {
		return nil, fmt.Errorf("grid: cell size must be >= 0 and finite, got %g", opt.CellSize)
	}

	// Centre on the bounding-box centre in float64, then scale: float32 keeps ~7 digits of
	// the offsets instead of the absolute (e.g. UTM) coordinates.
	var lo, hi [3]float64
	for a := 0; a < dim; a++ {
		lo[a], hi[a] = math.Inf(1), math.Inf(-1)
	}
	for i := 0; i < n; i++ {
		for a := 0; a < dim; a++ {
			v := points[i*dim+a]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("grid: point %d coordinate %d is %g", i, a, v)
			}
			lo[a] = math.Min(lo[a], v)
			hi[a] = math.Max(hi[a], v)
		}
	}
	g := &Grid{Dim: dim, N: n, Sigma: sigma, Cutoff: cutoff}
	extent := 0.0 // largest scaled extent
	for a := 0; a < dim; a++ {
		g.Center[a] = lo[a] + (hi[a]-lo[a])/2
		extent = math.Max(extent, (hi[a]-lo[a])/sigma)
	}
	if extent > 1e30 {
		return nil, fmt.Errorf("grid: extent %g sigma too large for float32 coordinates", extent)
	}
	scaled := make([]float32, n*dim)
	for i := 0; i < n; i++ {
		for a := 0; a < dim; a++ {
			scaled[i*dim+a] = float32((points[i*dim+a] - g.Center[a]) / sigma)
		}
	}

	// Cell edge and number of neighbour rings.
	rings := 1
	var edge float64
	switch {
	case cutoff > 0 && opt.CellSize > 0:
		edge = opt.CellSize
		r := cutoff * (1 + 2*pruneSlack)
		rings = int(math.Ceil(r / edge))
		side := 2*rings + 1
		cnt := 1
		for a := 0; a < dim; a++ {
			cnt *= side
			if cnt > maxRingCells {
				return nil, fmt.Errorf("grid: cell size %g is too small for cutoff %g", edge, cutoff)
			}
		}
	case cutoff > 0:
		rings = int(math.Round(1 / DefaultCellFraction))
		edge = cutoff * cellMargin / float64(rings)
	case opt.CellSize > 0:
		edge = opt.CellSize
	default:
		// All pairs: cells only split the work; aim for ~64 points per cell.
		cells := math.Max(1, float64(n)/64)
		perAxis := math.Max(1, math.Ceil(math.Pow(cells, 1/float64(dim))))
		edge = math.Max(extent/perAxis, 1e-30) * (1 + 1e-6)
	}
	if extent/edge > 1<<60 {
		return nil, fmt.Errorf("grid: cell size %g too small for extent %g sigma", edge, extent)
	}
	g.CellEdge = edge

	// Integer cell coordinates (int64, no aliasing) and the occupied cells via a hash map
	// (cellindex.go); firstID is each point's cell in order of first appearance.
	keys := make([]cellKey, n)
	var kmin, kmax cellKey
	for a := 0; a < dim; a++ {
		kmin[a], kmax[a] = math.MaxInt64, math.MinInt64
	}
	for i := 0; i < n; i++ {
		var k cellKey
		for a := 0; a < dim; a++ {
			k[a] = int64(math.Floor(float64(scaled[i*dim+a]) / edge))
			kmin[a], kmax[a] = min(kmin[a], k[a]), max(kmax[a], k[a])
		}
		keys[i] = k
	}
	index := newCellIndex(kmin, kmax, dim)
	var uniq []cellKey
	firstID := make([]int32, n)
	for i, k := range keys {
		id, added := index.add(k)
		if added {
			uniq = append(uniq, k)
		}
		firstID[i] = id
	}
	// Morton order of the occupied cells, compared without interleaving bits (so any
	// coordinate range works): offsets from the minimum are non-negative, and the axis
	// whose coordinates differ in the highest bit decides.
	order := make([]int32, len(uniq))
	for c := range order {
		order[c] = int32(c)
	}
	slices.SortFunc(order, func(p, q int32) int {
		return mortonCmp(uniq[p], uniq[q], kmin, dim)
	})
	rank := make([]int32, len(uniq)) // first-seen id -> Morton rank
	for r, c := range order {
		rank[c] = int32(r)
	}

	// Counting sort of the points (stable: input order within a cell).
	nc := len(uniq)
	count := make([]int, nc+1)
	cellOf := make([]int32, n)
	for i := 0; i < n; i++ {
		c := rank[firstID[i]]
		cellOf[i] = c
		count[c+1]++
	}
	for c := 0; c < nc; c++ {
		count[c+1] += count[c]
	}
	g.Cells = make([]Cell, nc)
	for c := 0; c < nc; c++ {
		g.Cells[c].Start, g.Cells[c].End = count[c], count[c+1]
	}
	g.Perm = make([]int, n)
	g.Points = make([]float32, n*dim)
	next := count[:nc]
	for i := 0; i < n; i++ {
		c := cellOf[i]
		s := next[c]
		next[c]++
		g.Perm[s] = i
		copy(g.Points[s*dim:(s+1)*dim], scaled[i*dim:(i+1)*dim])
	}
	for c := range g.Cells {
		cell := &g.Cells[c]
		var sum [3]float64
		for a := 0; a < dim; a++ {
			cell.Min[a], cell.Max[a] = float32(math.Inf(1)), float32(math.Inf(-1))
		}
		for s := cell.Start; s < cell.End; s++ {
			for a := 0; a < dim; a++ {
				v := g.Points[s*dim+a]
				sum[a] += float64(v)
				cell.Min[a] = min(cell.Min[a], v)
				cell.Max[a] = max(cell.Max[a], v)
			}
		}
		for a := 0; a < dim; a++ {
			cell.Centroid[a] = sum[a] / float64(cell.End-cell.Start)
		}
	}
	sortedKeys := make([]cellKey, nc)
	for c, k := range uniq {
		sortedKeys[rank[c]] = k
	}
	g.subCellOrder(sortedKeys, edge)

	if cutoff == 0 {
		g.allPairs()
	} else {
		g.neighbours(sortedKeys, index, rank, rings)
	}
	return g, nil
}

// subCellOrder sorts the points inside each cell along a Morton curve of 16 sub-cells
// per axis (stably, so equal codes keep input order). Consecutive points of a cell are
// then close together, so the kernel can prune per block of targets, not only per cell.
func (g *Grid) subCellOrder(keys []cellKey, edge float64) {
	dim := g.Dim
	type item struct {
		code uint16
		perm int
		pt   [3]float32
	}
	var buf []item
	for c := range g.Cells {
		cell := g.Cells[c]
		if cell.End-cell.Start <= 8 {
			continue
		}
		buf = buf[:0]
		for s := cell.Start; s < cell.End; s++ {
			it := item{perm: g.Perm[s]}
			for a := 0; a < dim; a++ {
				v := g.Points[s*dim+a]
				it.pt[a] = v
				q := int((float64(v) - float64(keys[c][a])*edge) / edge * 16)
				q = min(max(q, 0), 15)
				for b := 0; b < 4; b++ {
					it.code |= uint16(q>>b&1) << (b*dim + a)
				}
			}
			buf = append(buf, it)
		}
		slices.SortStableFunc(buf, func(p, q item) int { return int(p.code) - int(q.code) })
		for k, it := range buf {
			s := cell.Start + k
			g.Perm[s] = it.perm
			copy(g.Points[s*dim:(s+1)*dim], it.pt[:dim])
		}
	}
}

// mortonCmp orders cell coordinates along the Z curve by the "less most significant
// bit" comparison (Chan 2002), which needs no bit interleaving and so no width limit.
func mortonCmp(p, q, kmin cellKey, dim int) int {
	best := 0
	var bx uint64
	for a := dim - 1; a >= 0; a-- {
		x := uint64(p[a]-kmin[a]) ^ uint64(q[a]-kmin[a])
		if bx < x && bx < bx^x {
			best, bx = a, x
		}
	}
	pa, qa := uint64(p[best]-kmin[best]), uint64(q[best]-kmin[best])
	switch {
	case pa < qa:
		return -1
	case pa > qa:
		return 1
	}
	return 0
}

// allPairs makes every cell a neighbour of every cell (cutoff 0).
func (g *Grid) allPairs() {
	nc := len(g.Cells)
	g.NbrPtr = make([]int, nc+1)
	g.NbrCells = make([]int32, 0, nc*nc)
	g.RangePtr = make([]int, nc+1)
	g.Ranges = make([][2]int32, nc)
	for i := 0; i < nc; i++ {
		for j := 0; j < nc; j++ {
			g.NbrCells = append(g.NbrCells, int32(j))
		}
		g.NbrPtr[i+1] = len(g.NbrCells)
		g.Ranges[i] = [2]int32{0, int32(g.N)}
		g.RangePtr[i+1] = i + 1
	}
}

// neighbours lists, for each cell, the cells within rings offsets per axis whose boxes
// come within the cutoff, and merges their point ranges.
func (g *Grid) neighbours(keys []cellKey, index *cellIndex, rank []int32, rings int) {
	nc := len(g.Cells)
	dim := g.Dim
	c2 := float64(float32(g.Cutoff*g.Cutoff)) * (1 + pruneSlack)
	side := 2*rings + 1
	noff := 1
	for a := 0; a < dim; a++ {
		noff *= side
	}
	g.NbrPtr = make([]int, nc+1)
	g.RangePtr = make([]int, nc+1)
	g.NbrCells = make([]int32, 0, nc*min(noff, 27))
	g.Ranges = make([][2]int32, 0, nc*4)
	var rows *cellRows
	if index.packed != nil && !hashNeighbours {
		rows = newCellRows(keys, index, dim)
	} else {
		index.renumber(rank) // the hash lookups below then give cell numbers
	}
	var list []int32
	for i := 0; i < nc; i++ {
		list = list[:0]
		ci := &g.Cells[i]
		if rows != nil {
			list = rows.within(list, keys[i], rings, func(j int32) bool { return boxDist2(ci, &g.Cells[j], dim) <= c2 })
		} else {
			for o := 0; o < noff; o++ {
				k := keys[i]
				r := o
				for a := 0; a < dim; a++ {
					k[a] += int64(r%side - rings)
					r /= side
				}
				j, ok := index.get(k)
				if !ok {
					continue
				}
				if boxDist2(ci, &g.Cells[j], dim) <= c2 {
					list = append(list, j)
				}
			}
		}
		slices.Sort(list)
		g.NbrCells = append(g.NbrCells, list...)
		g.NbrPtr[i+1] = len(g.NbrCells)
		for _, j := range list {
			cj := &g.Cells[j]
			last := len(g.Ranges) - 1
			if last >= g.RangePtr[i] && int(g.Ranges[last][1]) == cj.Start {
				g.Ranges[last][1] = int32(cj.End)
			} else {
				g.Ranges = append(g.Ranges, [2]int32{int32(cj.Start), int32(cj.End)})
			}
		}
		g.RangePtr[i+1] = len(g.Ranges)
	}
}

// boxDist2 is the squared minimum distance between two cells' bounding boxes, in float64
// from the float32 bounds (symmetric in its arguments, so the pattern is symmetric).
func boxDist2(p, q *Cell, dim int) float64 {
	d2 := 0.0
	for a := 0; a < dim; a++ {
		gap := max(0, float64(q.Min[a])-float64(p.Max[a]), float64(p.Min[a])-float64(q.Max[a])) // builtin max: math.Max is not inlined
		d2 += gap * gap
	}
	return d2
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
