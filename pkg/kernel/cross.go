package kernel

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// Cross is the rectangular block of the kernel between new points (targets, not in the
// grid) and a grid's sorted points (sources): the Nyström extension's operator. It uses
// the operator's float32 values and per-pair cutoff rule, with the targets scaled exactly
// as the grid scales its points, so a target that coincides with a grid point gets that
// point's row of K bit for bit (up to the order of the float64 sums).
//
// Targets are bucketed into the grid's cells; each bucket finds its neighbour cells once
// (bounding boxes within the cutoff), then every target sweeps their points (crossRow:
// generated Go with gauss inlined; extension is one pass, so it has no assembly).
type Cross struct {
	g       *grid.Grid
	threads int
	c2      float32 // value rule (as Operator.c2)
	prune   float64 // squared cutoff with slack for the box tests; +Inf = every pair
	rings   int64
	cells   map[[3]int64]int32 // cell key -> index in g.Cells
}

// NewCross prepares the extension operator on g; threads 0 = one per core.
func NewCross(g *grid.Grid, threads int) (*Cross, error) {
	if g == nil || g.N == 0 || len(g.Cells) == 0 {
		return nil, fmt.Errorf("kernel: empty grid")
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	c := &Cross{g: g, threads: threads, c2: min(cutoff2(g), underflowD2), prune: math.Inf(1)}
	if g.Cutoff > 0 {
		c.prune = float64(float32(g.Cutoff*g.Cutoff)) * (1 + 1e-5)
		// Any source within the cutoff lies within ceil(cutoff/edge) cells on each axis.
		c.rings = int64(math.Ceil(g.Cutoff * (1 + 1e-4) / g.CellEdge))
		c.cells = make(map[[3]int64]int32, len(g.Cells))
		for i, cell := range g.Cells {
			c.cells[c.key(g.Points[cell.Start*g.Dim:])] = int32(i)
		}
	}
	return c, nil
}

// key is the grid's integer cell coordinate of a scaled point (grid.Build's formula).
func (c *Cross) key(p []float32) [3]int64 {
	var k [3]int64
	for a := 0; a < c.g.Dim; a++ {
		k[a] = int64(math.Floor(float64(p[a]) / c.g.CellEdge))
	}
	return k
}

// Scale maps points in input units (m x dim, row-major) to the grid's float32 scaled
// coordinates, with grid.Build's exact expression.
func (c *Cross) Scale(points []float64) []float32 {
	g := c.g
	out := make([]float32, len(points))
	for i := 0; i < len(points)/g.Dim; i++ {
		for a := 0; a < g.Dim; a++ {
			out[i*g.Dim+a] = float32((points[i*g.Dim+a] - g.Center[a]) / g.Sigma)
		}
	}
	return out
}

// Apply sets, for each target t (points in input units, m x dim row-major),
// deg[t] = sum_s K(t, s) and out[t*b+j] = sum_s K(t, s) V[s*b+j], where V is N x b
// row-major in the grid's sorted order. Each target is summed by one worker in a fixed
// order, so the bits do not depend on the number of threads. It returns the context's
// error when cancelled (outputs are then incomplete).
func (c *Cross) Apply(ctx context.Context, points []float64, v []float64, b int, out, deg []float64) error {
	g := c.g
	m := len(points) / g.Dim
	if len(points) != m*g.Dim || len(v) != g.N*b || len(out) != m*b || len(deg) != m {
		return fmt.Errorf("kernel: Cross.Apply sizes: %d coordinates, V %d, out %d, deg %d for N=%d, b=%d",
			len(points), len(v), len(out), len(deg), g.N, b)
	}
	for i, x := range points {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("kernel: new point %d coordinate %d is %g", i/g.Dim, i%g.Dim, x)
		}
	}
	t := c.Scale(points)
	buckets := c.bucket(t, m)
	var next atomic.Int64
	var stop atomic.Bool
	work := func() {
		var nbr []int32
		var w []float32
		for !stop.Load() {
			k := int(next.Add(1)) - 1
			if k >= len(buckets) {
				return
			}
			if k%64 == 0 && ctx.Err() != nil {
				stop.Store(true)
				return
			}
			bk := &buckets[k]
			nbr = c.neighbours(nbr[:0], bk)
			for _, ti := range bk.targets {
				c.row(t[int(ti)*g.Dim:int(ti+1)*g.Dim], nbr, v, b, out[int(ti)*b:int(ti+1)*b], &deg[ti], &w)
			}
		}
	}
	onWorkers(c.threads, work)
	return ctx.Err()
}

// targetBucket is the targets that fall in one cell, with their bounding box.
type targetBucket struct {
	key      [3]int64
	min, max [3]float32
	targets  []int32
}

func (c *Cross) bucket(t []float32, m int) []targetBucket {
	dim := c.g.Dim
	if c.cells == nil { // every pair: one bucket of small runs so the workers share it
		var bs []targetBucket
		for lo := 0; lo < m; lo += 256 {
			b := targetBucket{}
			for i := lo; i < min(lo+256, m); i++ {
				b.targets = append(b.targets, int32(i))
			}
			bs = append(bs, b)
		}
		return bs
	}
	index := make(map[[3]int64]int32)
	var bs []targetBucket
	for i := 0; i < m; i++ {
		p := t[i*dim : (i+1)*dim]
		k := c.key(p)
		j, ok := index[k]
		if !ok {
			j = int32(len(bs))
			index[k] = j
			nb := targetBucket{key: k}
			for a := 0; a < dim; a++ {
				nb.min[a], nb.max[a] = p[a], p[a]
			}
			bs = append(bs, nb)
		}
		bk := &bs[j]
		for a := 0; a < dim; a++ {
			bk.min[a] = min(bk.min[a], p[a])
			bk.max[a] = max(bk.max[a], p[a])
		}
		bk.targets = append(bk.targets, int32(i))
	}
	return bs
}

// neighbours appends the grid cells whose boxes come within the cutoff of the bucket's box.
func (c *Cross) neighbours(dst []int32, bk *targetBucket) []int32 {
	g := c.g
	if c.cells == nil {
		for i := range g.Cells {
			dst = append(dst, int32(i))
		}
		return dst
	}
	side := 2*c.rings + 1
	noff := int64(1)
	for a := 0; a < g.Dim; a++ {
		noff *= side
	}
	for o := int64(0); o < noff; o++ {
		k := bk.key
		r := o
		for a := 0; a < g.Dim; a++ {
			k[a] += r%side - c.rings
			r /= side
		}
		j, ok := c.cells[k]
		if !ok {
			continue
		}
		cell := &g.Cells[j]
		d2 := 0.0
		for a := 0; a < g.Dim; a++ {
			gap := math.Max(0, math.Max(float64(cell.Min[a])-float64(bk.max[a]), float64(bk.min[a])-float64(cell.Max[a])))
			d2 += gap * gap
		}
		if d2 <= c.prune {
			dst = append(dst, j)
		}
	}
	return dst
}

// row sums one target against the neighbour cells' points: per cell, the kernel values
// into w (crossRow, generated with gauss inlined: the products' float32 expression and
// value), then one pass adding them to the b sums.
func (c *Cross) row(p []float32, nbr []int32, v []float64, b int, out []float64, deg *float64, wbuf *[]float32) {
	g := c.g
	dim := g.Dim
	var tx, ty, tz float32
	tx = p[0]
	if dim > 1 {
		ty = p[1]
	}
	if dim > 2 {
		tz = p[2]
	}
	clear(out)
	sum := 0.0
	for _, j := range nbr {
		cell := &g.Cells[j]
		if c.cells != nil { // skip cells whose box is beyond the cutoff from this target
			d2 := 0.0
			for a := 0; a < dim; a++ {
				gap := math.Max(0, math.Max(float64(cell.Min[a])-float64(p[a]), float64(p[a])-float64(cell.Max[a])))
				d2 += gap * gap
			}
			if d2 > c.prune {
				continue
			}
		}
		m := cell.End - cell.Start
		if cap(*wbuf) < m {
			*wbuf = make([]float32, m+m/4)
		}
		w := (*wbuf)[:m]
		pts := g.Points[cell.Start*dim : cell.End*dim]
		switch dim {
		case 3:
			crossRow3(w, tx, ty, tz, pts, c.c2)
		case 2:
			crossRow2(w, tx, ty, pts, c.c2)
		default:
			for i := range w {
				d := tx - pts[i]
				w[i] = gauss(float32(d*d), c.c2)
			}
		}
		for i, wi := range w {
			if wi == 0 {
				continue
			}
			wf := float64(wi)
			sum += wf
			s := cell.Start + i
			vs := v[s*b : (s+1)*b]
			for k := range out {
				out[k] += wf * vs[k]
			}
		}
	}
	*deg = sum
}
