package kernel

import (
	"fmt"
	"math"

	"github.com/spectral-dev/spectral/pkg/graph"
	"github.com/spectral-dev/spectral/pkg/grid"
)

// Components returns the connected components of the Gaussian kernel's graph on points
// (N x dim, input order): i and j are joined when K(i,j) > 0 under the operator's own
// float32 rule, |xi-xj|^2 <= min(cutoff, sqrt(underflowD2))^2 in units of sigma (cutoff 0
// = every pair, whose values beyond underflowD2 are flushed to 0 all the same). Labels are
// in input order, 0 for the largest component.
//
// It sorts the points into its own grid of cells of edge cutoff/2, whose diagonal is below
// the cutoff in 2D and 3D: every cell is then a clique and the union-find runs over cells.
// Two neighbouring cells are joined at once when their boxes' farthest points are within
// the cutoff, and otherwise by the first pair found within it, so most cell pairs cost
// one Find and the pass costs far less than one kernel product. Sequential, and the
// result does not depend on the order of the unions (graph.UnionFind.Labels).
func Components(points []float64, dim int, sigma, cutoff float64) (*graph.Components, error) {
	c := cutoff
	if c == 0 || c*c > underflowD2 {
		c = math.Sqrt(underflowD2)
	}
	g, err := grid.Build(points, dim, sigma, c, grid.Options{})
	if err != nil {
		return nil, fmt.Errorf("components: %w", err)
	}
	c2 := float32(c * c)
	// Slack so that a box test never claims a pair the float32 rule would drop.
	safe := float64(c2) * (1 - 1e-5)
	nc := len(g.Cells)
	boxes := make([]bbox, nc)
	whole := make([]bool, nc)
	for i, cell := range g.Cells {
		boxes[i] = pointsBox(g.Points, dim, cell.Start, cell.End)
		whole[i] = far2(&boxes[i], &boxes[i]) <= safe
	}
	u := graph.NewUnionFind(g.N)
	pt := func(s int) []float32 { return g.Points[s*dim : (s+1)*dim] }
	for i, ci := range g.Cells {
		if whole[i] {
			for s := ci.Start + 1; s < ci.End; s++ {
				u.Union(int32(ci.Start), int32(s))
			}
		} else {
			for t := ci.Start; t < ci.End; t++ {
				for s := t + 1; s < ci.End; s++ {
					if dist2(pt(t), pt(s)) <= c2 {
						u.Union(int32(t), int32(s))
					}
				}
			}
		}
	}
	for i, ci := range g.Cells {
		for _, j32 := range g.NbrCells[g.NbrPtr[i]:g.NbrPtr[i+1]] {
			j := int(j32)
			if j <= i {
				continue
			}
			cj := g.Cells[j]
			both := whole[i] && whole[j]
			if both {
				if u.Find(int32(ci.Start)) == u.Find(int32(cj.Start)) {
					continue
				}
				if far2(&boxes[i], &boxes[j]) <= safe {
					u.Union(int32(ci.Start), int32(cj.Start))
					continue
				}
			}
		scan:
			for t := ci.Start; t < ci.End; t++ {
				for s := cj.Start; s < cj.End; s++ {
					if dist2(pt(t), pt(s)) <= c2 {
						u.Union(int32(t), int32(s))
						if both {
							break scan // cliques: one pair joins them all
						}
					}
				}
			}
		}
	}
	sorted := u.Labels()
	// Back to input order; renumbering is unchanged (sizes and smallest members are
	// per set, and the smallest sorted index maps to some member: recompute on input).
	in := graph.NewUnionFind(g.N)
	first := make([]int32, len(sorted.Sizes))
	for l := range first {
		first[l] = -1
	}
	for s, l := range sorted.Label {
		i := int32(g.Perm[s])
		if first[l] < 0 {
			first[l] = i
		} else {
			in.Union(first[l], i)
		}
	}
	return in.Labels(), nil
}
