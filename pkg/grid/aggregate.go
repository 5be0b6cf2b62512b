package grid

import (
	"fmt"
	"math"
)

// Aggregation groups points into boxes of edge H: the coarse nodes of the multilevel
// eigensolver. Labels[i] is point i's aggregate; aggregates are numbered in the order
// their first point appears, so for the grid's sorted points they follow its Morton order
// (neighbouring aggregates get nearby numbers, which keeps a coarse factorisation lean).
type Aggregation struct {
	Labels    []int32
	M         int
	Counts    []int     // points per aggregate
	Centroids []float64 // M x Dim, mean of the members
	Dim       int
	H         float64
}

// Aggregate bins the n x dim points into boxes of edge h (same units as the points),
// through a hash map of integer box coordinates (cellIndex), so any extent works.
func Aggregate(points []float64, dim int, h float64) (*Aggregation, error) {
	if dim < 1 || dim > 3 || len(points)%dim != 0 {
		return nil, fmt.Errorf("grid: aggregate: %d coordinates in dimension %d", len(points), dim)
	}
	if !(h > 0) || math.IsInf(h, 0) {
		return nil, fmt.Errorf("grid: aggregate: box edge %g", h)
	}
	n := len(points) / dim
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("grid: aggregate: %d points", n)
	}
	ag := &Aggregation{Labels: make([]int32, n), Dim: dim, H: h}
	keys := make([]cellKey, n)
	var lo, hi cellKey
	for a := 0; a < dim; a++ {
		lo[a], hi[a] = math.MaxInt64, math.MinInt64
	}
	for i := range keys {
		for a := 0; a < dim; a++ {
			v := math.Floor(points[i*dim+a] / h)
			if math.IsNaN(v) || math.Abs(v) > 1<<62 {
				return nil, fmt.Errorf("grid: aggregate: point %d coordinate %g outside the box range", i, points[i*dim+a])
			}
			keys[i][a] = int64(v)
			lo[a], hi[a] = min(lo[a], keys[i][a]), max(hi[a], keys[i][a])
		}
	}
	index := newCellIndex(lo, hi, dim) // cellindex.go
	for i, k := range keys {
		ag.Labels[i], _ = index.add(k)
	}
	ag.M = index.len()
	ag.centroids(func(i, d int) float64 { return points[i*dim+d] })
	return ag, nil
}

// centroids sets Counts and Centroids from Labels, M and the coordinates coord(i, d).
func (ag *Aggregation) centroids(coord func(i, d int) float64) {
	ag.Counts = make([]int, ag.M)
	ag.Centroids = make([]float64, ag.M*ag.Dim)
	for i, a := range ag.Labels {
		ag.Counts[a]++
		for d := 0; d < ag.Dim; d++ {
			ag.Centroids[int(a)*ag.Dim+d] += coord(i, d)
		}
	}
	for a, c := range ag.Counts {
		for d := 0; d < ag.Dim; d++ {
			ag.Centroids[a*ag.Dim+d] /= float64(c)
		}
	}
}

// AggregateSorted aggregates the grid's sorted points into boxes of edge h sigma.
func (g *Grid) AggregateSorted(h float64) (*Aggregation, error) {
	p := make([]float64, len(g.Points))
	for i, v := range g.Points {
		p[i] = float64(v)
	}
	return Aggregate(p, g.Dim, h)
}

// Isolate returns the aggregation with the points of each group in an aggregate of
// their own: group[i] is point i's group, 0..G-1 (compact), or -1 for none. The other
// points keep their aggregates (renumbered in order, those left empty dropped), and the
// groups follow them. coord(i, d) is point i's coordinate d, for the new centroids. The
// multilevel solver isolates weakly joined groups of points: an eigenvector localized on
// a few of them (noise off a scanned surface) lies in no box aggregate's span, so boxes
// alone can neither start nor precondition it (docs/bench/multilevel.md, "Weakly joined
// points").
func (ag *Aggregation) Isolate(group []int32, coord func(i, d int) float64) *Aggregation {
	remap := make([]int32, ag.M)
	for a := range remap {
		remap[a] = -1
	}
	groups := int32(0)
	for i, a := range ag.Labels {
		if group[i] < 0 {
			remap[a] = 0
		} else {
			groups = max(groups, group[i]+1)
		}
	}
	if groups == 0 {
		return ag
	}
	m := int32(0)
	for a, r := range remap {
		if r == 0 {
			remap[a] = m
			m++
		}
	}
	out := &Aggregation{Labels: make([]int32, len(ag.Labels)), M: int(m + groups), Dim: ag.Dim, H: ag.H}
	for i, a := range ag.Labels {
		out.Labels[i] = remap[a]
		if group[i] >= 0 {
			out.Labels[i] = m + group[i]
		}
	}
	out.centroids(coord)
	return out
}
