package gpu

import (
	"math"
	"math/rand"
	"sort"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// handGrid builds a grid the way pkg/grid does, independently of it: points scaled by
// 1/sigma, binned into cubic cells of edge cell (sigma units), cells sorted by their
// integer coordinates, the points counting-sorted, and for each cell the neighbour cells
// whose bounding boxes come within the cutoff (all cells for cutoff 0), merged into
// ranges where they abut.
func handGrid(points []float64, dim int, sigma, cutoff, cell float64) *grid.Grid {
	n := len(points) / dim
	g := &grid.Grid{Dim: dim, N: n, Sigma: sigma, Cutoff: cutoff}
	type key [3]int
	keyOf := func(i int) key {
		var k key
		for d := 0; d < dim; d++ {
			k[d] = int(math.Floor(points[i*dim+d] / sigma / cell))
		}
		return k
	}
	groups := map[key][]int{}
	var keys []key
	for i := 0; i < n; i++ {
		k := keyOf(i)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	sort.Slice(keys, func(a, b int) bool {
		for d := 0; d < 3; d++ {
			if keys[a][d] != keys[b][d] {
				return keys[a][d] < keys[b][d]
			}
		}
		return false
	})
	for _, k := range keys {
		c := grid.Cell{Start: len(g.Perm)}
		for d := range c.Min {
			c.Min[d], c.Max[d] = float32(math.Inf(1)), float32(math.Inf(-1))
		}
		for _, i := range groups[k] {
			g.Perm = append(g.Perm, i)
			for d := 0; d < dim; d++ {
				x := float32(points[i*dim+d] / sigma)
				g.Points = append(g.Points, x)
				c.Min[d] = min(c.Min[d], x)
				c.Max[d] = max(c.Max[d], x)
			}
		}
		c.End = len(g.Perm)
		g.Cells = append(g.Cells, c)
	}
	g.RangePtr = append(g.RangePtr, 0)
	for _, a := range g.Cells {
		var rs [][2]int32
		for _, b := range g.Cells {
			gap := 0.0
			for d := 0; d < dim; d++ {
				s := math.Max(0, math.Max(float64(b.Min[d]-a.Max[d]), float64(a.Min[d]-b.Max[d])))
				gap += s * s
			}
			if cutoff > 0 && gap > cutoff*cutoff {
				continue
			}
			if len(rs) > 0 && rs[len(rs)-1][1] == int32(b.Start) {
				rs[len(rs)-1][1] = int32(b.End)
			} else {
				rs = append(rs, [2]int32{int32(b.Start), int32(b.End)})
			}
		}
		g.Ranges = append(g.Ranges, rs...)
		g.RangePtr = append(g.RangePtr, len(g.Ranges))
	}
	return g
}

// randomCloud is n points uniform in [0, side)^dim.
func randomCloud(n, dim int, side float64, seed int64) []float64 {
	r := rand.New(rand.NewSource(seed))
	p := make([]float64, n*dim)
	for i := range p {
		p[i] = side * r.Float64()
	}
	return p
}

// underflowD2 is the squared distance beyond which kernel values are flushed to 0.
const underflowD2 = 173

// sqdist32 is the float32 squared distance of the cutoff rule, in the kernels' order.
func sqdist32(a, b []float32) float32 {
	var d2 float32
	for d := range a {
		e := a[d] - b[d]
		d2 = float32(d2 + float32(e*e))
	}
	return d2
}

// bruteKv is K v over all pairs of the grid's sorted points with the float32 cutoff rule,
// kernel values exp(-d2/2) rounded to float32, float64 sums; v == nil gives the degrees.
func bruteKv(g *grid.Grid, v []float64) (y []float64, within int64) {
	c2 := float32(math.Inf(1))
	if g.Cutoff > 0 {
		c2 = float32(g.Cutoff * g.Cutoff)
	}
	y = make([]float64, g.N)
	for i := 0; i < g.N; i++ {
		pi := g.Points[i*g.Dim : (i+1)*g.Dim]
		for j := 0; j < g.N; j++ {
			d2 := sqdist32(pi, g.Points[j*g.Dim:(j+1)*g.Dim])
			if d2 > c2 {
				continue
			}
			within++
			if d2 > underflowD2 {
				continue // flushed to 0, as kernel.Operator and the kernels do
			}
			k := float64(float32(math.Exp(-0.5 * float64(d2))))
			if v == nil {
				y[i] += k
			} else {
				y[i] += k * v[j]
			}
		}
	}
	return y, within
}

// maxRelDiff is max_i |a_i - b_i| / max_i |b_i|.
func maxRelDiff(a, b []float64) float64 {
	var num, den float64
	for i := range a {
		num = math.Max(num, math.Abs(a[i]-b[i]))
		den = math.Max(den, math.Abs(b[i]))
	}
	if den == 0 {
		return num
	}
	return num / den
}
