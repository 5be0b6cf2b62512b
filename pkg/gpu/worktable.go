package gpu

import (
	"fmt"
	"math"
	"sort"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// Work is one thread block's share of a product, laid out as the kernel's struct Work:
// target rows [Row0, Row1) of one cell (at most one block's worth), and that cell's merged
// source ranges Ranges[Range0:Range1] of the grid.
type Work struct {
	Row0, Row1     int32
	Range0, Range1 int32
}

// MaxBlockSize is the largest block the kernels' shared-memory tiles are sized for.
const MaxBlockSize = 256

// WorkTable splits the grid's cells into blocks of at most blockSize target rows (big cells
// span several blocks, all sweeping the cell's source ranges) and orders the blocks by
// decreasing cost so the longest ones start first and the short ones fill the tail. It
// checks the grid's indices, since the kernels trust them, and returns the ordered pairs
// the kernels evaluate per product.
func WorkTable(g *grid.Grid, blockSize int) ([]Work, int64, error) {
	if blockSize < 32 || blockSize > MaxBlockSize || blockSize%32 != 0 {
		return nil, 0, fmt.Errorf("gpu: block size %d: want a multiple of 32 in [32, %d]", blockSize, MaxBlockSize)
	}
	if err := checkGrid(g); err != nil {
		return nil, 0, err
	}
	type costed struct {
		w    Work
		cost int64
	}
	var blocks []costed
	var pairs int64
	for i, c := range g.Cells {
		r0, r1 := g.RangePtr[i], g.RangePtr[i+1]
		var sources int64
		for _, r := range g.Ranges[r0:r1] {
			sources += int64(r[1] - r[0])
		}
		for row := c.Start; row < c.End; row += blockSize {
			end := min(row+blockSize, c.End)
			cost := int64(end-row) * sources
			pairs += cost
			blocks = append(blocks, costed{Work{int32(row), int32(end), int32(r0), int32(r1)}, cost})
		}
	}
	if len(blocks) > math.MaxInt32 {
		return nil, 0, fmt.Errorf("grid needs %d thread blocks, more than a launch allows", len(blocks))
	}
	sort.SliceStable(blocks, func(a, b int) bool { return blocks[a].cost > blocks[b].cost })
	work := make([]Work, len(blocks))
	for i, b := range blocks {
		work[i] = b.w
	}
	return work, pairs, nil
}

// checkGrid verifies what the kernels index by: the points' length, every sorted row in
// exactly one cell, and the source ranges inside [0, N).
func checkGrid(g *grid.Grid) error {
	if g == nil {
		return fmt.Errorf("gpu: nil grid")
	}
	if g.Dim < 1 || g.Dim > 3 {
		return fmt.Errorf("gpu: dimension %d not supported (1 to 3)", g.Dim)
	}
	if g.N < 0 || g.N > math.MaxInt32 || len(g.Points) != g.N*g.Dim {
		return fmt.Errorf("gpu: grid has N=%d, dim %d but %d coordinates", g.N, g.Dim, len(g.Points))
	}
	if g.Cutoff < 0 || math.IsNaN(g.Cutoff) {
		return fmt.Errorf("gpu: bad cutoff %v", g.Cutoff)
	}
	if len(g.RangePtr) != len(g.Cells)+1 || (len(g.Cells) > 0 && g.RangePtr[0] != 0) ||
		g.RangePtr[len(g.Cells)] != len(g.Ranges) {
		return fmt.Errorf("gpu: grid has %d cells but %d range pointers for %d ranges", len(g.Cells), len(g.RangePtr), len(g.Ranges))
	}
	if len(g.Ranges) > math.MaxInt32 {
		return fmt.Errorf("gpu: %d source ranges, more than the kernels index", len(g.Ranges))
	}
	covered := make([]bool, g.N)
	seen := 0
	for i, c := range g.Cells {
		if c.Start < 0 || c.End > g.N || c.Start > c.End {
			return fmt.Errorf("gpu: cell %d has rows [%d, %d) outside [0, %d)", i, c.Start, c.End, g.N)
		}
		for s := c.Start; s < c.End; s++ {
			if covered[s] {
				return fmt.Errorf("gpu: row %d is in two cells (cell %d)", s, i)
			}
			covered[s] = true
		}
		seen += c.End - c.Start
		if g.RangePtr[i+1] < g.RangePtr[i] {
			return fmt.Errorf("gpu: range pointers decrease at cell %d", i)
		}
	}
	if seen != g.N {
		return fmt.Errorf("gpu: cells cover %d of %d rows", seen, g.N)
	}
	for k, r := range g.Ranges {
		if r[0] < 0 || r[1] < r[0] || int(r[1]) > g.N {
			return fmt.Errorf("gpu: source range %d [%d, %d) outside [0, %d)", k, r[0], r[1], g.N)
		}
	}
	return nil
}
