package neighbors

import (
	"fmt"
	"math"

	"github.com/spectral-dev/spectral/internal/parallel"
)

// Graph is the exact k-nearest-neighbour lists of a cloud: point i's neighbours are
// Idx[i*K:(i+1)*K] (input indices, nearest first, the point itself excluded, copies of
// its position included at distance 0), at squared distances D2[i*K:(i+1)*K].
type Graph struct {
	N, K int
	Idx  []int32
	D2   []float64
}

// KNN finds every point's k nearest other points (points N x dim, dim 2 or 3, input
// order), with the hash grid and the ring search that Measure uses, all points as
// queries, on threads goroutines (0 = GOMAXPROCS). Ties in distance keep the point met
// first in the grid's fixed order, so the result does not depend on threads.
func KNN(points []float64, dim, k, threads int) (*Graph, error) {
	n, err := checkCloud(points, dim)
	if err != nil {
		return nil, err
	}
	if k < 1 || k >= n {
		return nil, fmt.Errorf("neighbors: %d neighbours of %d points: need 1 <= k < N", k, n)
	}
	g := buildGrid(points, dim, identity(n), threads)
	out := &Graph{N: n, K: k, Idx: make([]int32, n*k), D2: make([]float64, n*k)}
	parallel.Chunks(n, threads, 512, func() func(i int) {
		s := newSearcher(g, k)
		s.ids = make([]int32, 0, k)
		return func(q int) {
			// Queries in slot order: consecutive ones share cells, which stay in cache.
			slot := int32(q)
			i := int(g.ids[slot])
			s.query(slot)
			for r, t := range s.ids {
				out.Idx[i*k+r] = g.ids[t]
				out.D2[i*k+r] = s.best[r]
			}
		}
	})
	return out, nil
}

// Within calls visit(i, j, d2) for every ordered pair of distinct points with
// |xi - xj| <= radius[i] (input units), exactly, from threads goroutines (0 =
// GOMAXPROCS): calls for one i come from one goroutine, in a fixed order.
func Within(points []float64, dim int, radius []float64, threads int, visit func(i, j int, d2 float64)) error {
	n, err := checkCloud(points, dim)
	if err != nil {
		return err
	}
	if len(radius) != n {
		return fmt.Errorf("neighbors: %d radii for %d points", len(radius), n)
	}
	g := buildGrid(points, dim, identity(n), threads)
	nc := int64(len(g.cc) / 3)
	parallel.Chunks(n, threads, 512, func() func(i int) {
		return func(sq int) {
			slot := int32(sq) // slot order, as in KNN
			i := int(g.ids[slot])
			q := g.pts[3*slot : 3*slot+3]
			r := radius[i]
			r2 := r * r
			cell := g.cellOf[slot]
			c := g.cc[3*cell : 3*cell+3]
			m := int64(math.Ceil((r+g.slack)/g.h)) + 1
			var lo, hi [3]int64
			box := int64(1)
			for a := range 3 {
				lo[a] = max(c[a]-m, 0)
				hi[a] = min(c[a]+m, g.ncell[a]-1)
				box *= hi[a] - lo[a] + 1
			}
			cellDo := func(cl int32) {
				for t := g.start[cl]; t < g.start[cl+1]; t++ {
					if t == slot {
						continue
					}
					p := g.pts[3*t : 3*t+3]
					dx, dy, dz := p[0]-q[0], p[1]-q[1], p[2]-q[2]
					if d2 := dx*dx + dy*dy + dz*dz; d2 <= r2 {
						visit(i, int(g.ids[t]), d2)
					}
				}
			}
			if box > nc {
				// A radius wider than the occupied cells: walk those instead.
				for cl := range int32(nc) {
					k := g.cc[3*cl : 3*cl+3]
					if k[0] >= lo[0] && k[0] <= hi[0] && k[1] >= lo[1] && k[1] <= hi[1] && k[2] >= lo[2] && k[2] <= hi[2] {
						cellDo(cl)
					}
				}
				return
			}
			for x := lo[0]; x <= hi[0]; x++ {
				for y := lo[1]; y <= hi[1]; y++ {
					for z := lo[2]; z <= hi[2]; z++ {
						if cl := g.find(x, y, z); cl >= 0 {
							cellDo(cl)
						}
					}
				}
			}
		}
	})
	return nil
}

func checkCloud(points []float64, dim int) (int, error) {
	if dim != 2 && dim != 3 {
		return 0, fmt.Errorf("neighbors: dimension %d, want 2 or 3", dim)
	}
	if len(points)%dim != 0 || len(points) == 0 {
		return 0, fmt.Errorf("neighbors: %d coordinates do not make whole %d-D points", len(points), dim)
	}
	n := len(points) / dim
	if n > maxPoints {
		return 0, fmt.Errorf("neighbors: %d points, at most %d supported", n, maxPoints)
	}
	for i, v := range points {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("neighbors: point %d coordinate %d is %v", i/dim, i%dim, v)
		}
	}
	return n, nil
}

func identity(n int) []int32 {
	rep := make([]int32, n)
	for i := range rep {
		rep[i] = int32(i)
	}
	return rep
}

// rangeChunk is the points a worker takes at a time in the per-point loops (parallel.Range):
// each index is in exactly one call, so disjoint writes need no locks.
const rangeChunk = 1 << 14
