package gpu

import (
	"math"
	"strings"
	"testing"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// emulate runs the kernels' loop structure on the host: each work entry's rows sweep the
// entry's ranges, tile by tile, as thread blocks do.
func emulate(g *grid.Grid, work []Work, block int, v []float64) []float64 {
	c2 := float32(math.Inf(1))
	if g.Cutoff > 0 {
		c2 = float32(g.Cutoff * g.Cutoff)
	}
	y := make([]float64, g.N)
	for i := range y {
		y[i] = math.NaN() // rows no block writes stay NaN
	}
	for _, w := range work {
		for row := int(w.Row0); row < int(w.Row1); row++ {
			var acc float64
			x := g.Points[row*g.Dim : (row+1)*g.Dim]
			for _, r := range g.Ranges[w.Range0:w.Range1] {
				for t0 := int(r[0]); t0 < int(r[1]); t0 += block {
					for j := t0; j < min(t0+block, int(r[1])); j++ {
						d2 := sqdist32(x, g.Points[j*g.Dim:(j+1)*g.Dim])
						if d2 <= c2 && d2 <= underflowD2 {
							acc += float64(float32(math.Exp(-0.5*float64(d2)))) * v[j]
						}
					}
				}
			}
			y[row] = acc
		}
	}
	return y
}

func TestWorkTableCoversEveryRowOnce(t *testing.T) {
	cases := []struct {
		name          string
		n, dim        int
		side, cutoff  float64
		cell          float64
		block         int
		wantSplitCell bool // some cell is bigger than a block
	}{
		{"2d cutoff 3", 3000, 2, 20, 3, 3, 32, true},
		{"3d cutoff 4", 2000, 3, 12, 4, 4, 32, true},
		{"1d cutoff 2", 500, 1, 50, 2, 1, 32, false},
		{"2d all pairs", 700, 2, 10, 0, 2.5, 128, false},
		{"3d one big cell", 600, 3, 1, 4, 10, 256, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := handGrid(randomCloud(tc.n, tc.dim, tc.side, 1), tc.dim, 1, tc.cutoff, tc.cell)
			work, pairs, err := WorkTable(g, tc.block)
			if err != nil {
				t.Fatal(err)
			}
			cellOf := make([]int, g.N)
			for i, c := range g.Cells {
				for s := c.Start; s < c.End; s++ {
					cellOf[s] = i
				}
			}
			hits := make([]int, g.N)
			var sum int64
			split := false
			for k, w := range work {
				rows := int(w.Row1 - w.Row0)
				if rows < 1 || rows > tc.block {
					t.Fatalf("entry %d has %d rows, block %d", k, rows, tc.block)
				}
				c := cellOf[w.Row0]
				if cellOf[w.Row1-1] != c {
					t.Fatalf("entry %d rows [%d,%d) span cells %d and %d", k, w.Row0, w.Row1, c, cellOf[w.Row1-1])
				}
				if int(w.Range0) != g.RangePtr[c] || int(w.Range1) != g.RangePtr[c+1] {
					t.Fatalf("entry %d ranges [%d,%d), cell %d has [%d,%d)", k, w.Range0, w.Range1, c, g.RangePtr[c], g.RangePtr[c+1])
				}
				if g.Cells[c].End-g.Cells[c].Start > tc.block {
					split = true
				}
				for s := w.Row0; s < w.Row1; s++ {
					hits[s]++
				}
				var src int64
				for _, r := range g.Ranges[w.Range0:w.Range1] {
					src += int64(r[1] - r[0])
				}
				cost := int64(rows) * src
				sum += cost
				if k > 0 {
					p := work[k-1]
					var psrc int64
					for _, r := range g.Ranges[p.Range0:p.Range1] {
						psrc += int64(r[1] - r[0])
					}
					if int64(p.Row1-p.Row0)*psrc < cost {
						t.Fatalf("entry %d costs more than entry %d: not in decreasing cost order", k, k-1)
					}
				}
			}
			for s, h := range hits {
				if h != 1 {
					t.Fatalf("row %d covered %d times", s, h)
				}
			}
			if sum != pairs {
				t.Errorf("pairs = %d, entries sum to %d", pairs, sum)
			}
			if tc.cutoff == 0 && pairs != int64(g.N)*int64(g.N) {
				t.Errorf("all-pairs grid evaluates %d pairs, want N^2 = %d", pairs, g.N*g.N)
			}
			if split != tc.wantSplitCell {
				t.Errorf("split cells = %v, want %v (test case no longer exercises what it says)", split, tc.wantSplitCell)
			}

			// The kernels' loop over this table gives brute-force K v.
			v := make([]float64, g.N)
			for i := range v {
				v[i] = math.Sin(float64(i)) + 0.5
			}
			got := emulate(g, work, tc.block, v)
			want, _ := bruteKv(g, v)
			if d := maxRelDiff(got, want); !(d < 1e-12) {
				t.Errorf("emulated kernel vs brute force: max rel diff %g", d)
			}
		})
	}
}

func TestWorkTableRejects(t *testing.T) {
	good := func() *grid.Grid { return handGrid(randomCloud(200, 2, 5, 2), 2, 1, 2, 1) }
	for _, b := range []int{0, 16, 48, 512} {
		if _, _, err := WorkTable(good(), b); err == nil {
			t.Errorf("block size %d accepted", b)
		}
	}
	cases := []struct {
		name   string
		break_ func(g *grid.Grid)
		want   string
	}{
		{"range past N", func(g *grid.Grid) { g.Ranges[3][1] = int32(g.N + 1) }, "outside"},
		{"negative range", func(g *grid.Grid) { g.Ranges[0][0] = -1 }, "outside"},
		{"row in two cells", func(g *grid.Grid) { g.Cells[1].Start-- }, "two cells"},
		{"uncovered row", func(g *grid.Grid) { g.Cells[len(g.Cells)-1].End-- }, "cover"},
		{"short points", func(g *grid.Grid) { g.Points = g.Points[1:] }, "coordinates"},
		{"range pointers", func(g *grid.Grid) { g.RangePtr = g.RangePtr[1:] }, "range pointers"},
		{"dimension 4", func(g *grid.Grid) { g.Dim = 4 }, "dimension"},
	}
	for _, tc := range cases {
		g := good()
		tc.break_(g)
		_, _, err := WorkTable(g, 64)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
	if _, _, err := WorkTable(nil, 64); err == nil {
		t.Error("nil grid accepted")
	}
}

func TestWorkTableEmptyGrid(t *testing.T) {
	g := &grid.Grid{Dim: 3, RangePtr: []int{0}}
	work, pairs, err := WorkTable(g, 128)
	if err != nil || len(work) != 0 || pairs != 0 {
		t.Fatalf("empty grid: %d entries, %d pairs, err %v", len(work), pairs, err)
	}
}
