package grid

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randomCloud(n, dim int, scale float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	p := make([]float64, n*dim)
	for i := range p {
		p[i] = scale * r.Float64()
	}
	return p
}

// checkGrid verifies the invariants every consumer (pkg/kernel, pkg/gpu) relies on.
func checkGrid(t *testing.T, name string, pts []float64, dim int, sigma, cutoff float64, opt Options) *Grid {
	t.Helper()
	g, err := Build(pts, dim, sigma, cutoff, opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	n := len(pts) / dim
	if g.N != n || g.Dim != dim || len(g.Points) != n*dim || len(g.Perm) != n {
		t.Fatalf("%s: sizes N=%d Dim=%d points=%d perm=%d", name, g.N, g.Dim, len(g.Points), len(g.Perm))
	}
	// Perm is a permutation and Points are the scaled input points.
	seen := make([]bool, n)
	for s, i := range g.Perm {
		if seen[i] {
			t.Fatalf("%s: Perm repeats %d", name, i)
		}
		seen[i] = true
		for a := 0; a < dim; a++ {
			want := float32((pts[i*dim+a] - g.Center[a]) / sigma)
			if g.Points[s*dim+a] != want {
				t.Fatalf("%s: point %d axis %d = %g, want %g", name, s, a, g.Points[s*dim+a], want)
			}
		}
	}
	// Cells tile [0, N) in order; boxes and centroids describe their points; Morton order.
	if len(g.Cells) == 0 || len(g.Cells) > n {
		t.Fatalf("%s: %d cells for %d points", name, len(g.Cells), n)
	}
	pos := 0
	for c, cell := range g.Cells {
		if cell.Start != pos || cell.End <= cell.Start {
			t.Fatalf("%s: cell %d = [%d,%d), expected start %d", name, c, cell.Start, cell.End, pos)
		}
		pos = cell.End
		for a := 0; a < dim; a++ {
			sum := 0.0
			for s := cell.Start; s < cell.End; s++ {
				v := g.Points[s*dim+a]
				if v < cell.Min[a] || v > cell.Max[a] {
					t.Fatalf("%s: point %d outside box of cell %d", name, s, c)
				}
				sum += float64(v)
			}
			if math.Abs(sum/float64(cell.End-cell.Start)-cell.Centroid[a]) > 1e-9*(1+math.Abs(cell.Centroid[a])) {
				t.Fatalf("%s: centroid of cell %d axis %d", name, c, a)
			}
		}
	}
	if pos != n {
		t.Fatalf("%s: cells cover %d of %d points", name, pos, n)
	}
	// Neighbour lists: ascending, include self, symmetric; ranges = merged union.
	if len(g.NbrPtr) != len(g.Cells)+1 || len(g.RangePtr) != len(g.Cells)+1 {
		t.Fatalf("%s: pointer arrays", name)
	}
	nbr := func(i int) []int32 { return g.NbrCells[g.NbrPtr[i]:g.NbrPtr[i+1]] }
	for i := range g.Cells {
		list := nbr(i)
		if !slices.IsSorted(list) {
			t.Fatalf("%s: neighbours of %d not sorted", name, i)
		}
		if _, ok := slices.BinarySearch(list, int32(i)); !ok {
			t.Fatalf("%s: cell %d not its own neighbour", name, i)
		}
		for _, j := range list {
			if _, ok := slices.BinarySearch(nbr(int(j)), int32(i)); !ok {
				t.Fatalf("%s: %d lists %d but not back", name, i, j)
			}
		}
		var want [][2]int32
		for _, j := range list {
			c := g.Cells[j]
			if k := len(want) - 1; k >= 0 && int(want[k][1]) == c.Start {
				want[k][1] = int32(c.End)
			} else {
				want = append(want, [2]int32{int32(c.Start), int32(c.End)})
			}
		}
		got := g.Ranges[g.RangePtr[i]:g.RangePtr[i+1]]
		if !slices.Equal(got, want) {
			t.Fatalf("%s: ranges of cell %d = %v, want %v", name, i, got, want)
		}
		for k := 1; k < len(got); k++ {
			if got[k][0] <= got[k-1][1] {
				t.Fatalf("%s: ranges of cell %d not disjoint and merged: %v", name, i, got)
			}
		}
	}
	// Exact pruning: every pair kept by the float32 rule lies in a listed cell pair.
	if n <= 3000 {
		cellOf := make([]int32, n)
		for c, cell := range g.Cells {
			for s := cell.Start; s < cell.End; s++ {
				cellOf[s] = int32(c)
			}
		}
		c2 := float32(cutoff * cutoff)
		for p := 0; p < n; p++ {
			for q := 0; q < n; q++ {
				var d2 float32
				for a := 0; a < dim; a++ {
					e := g.Points[p*dim+a] - g.Points[q*dim+a]
					d2 = float32(d2 + float32(e*e))
				}
				if cutoff != 0 && d2 > c2 {
					continue
				}
				if _, ok := slices.BinarySearch(nbr(int(cellOf[p])), cellOf[q]); !ok {
					t.Fatalf("%s: pair (%d,%d) at d2 %g <= %g missed", name, p, q, d2, c2)
				}
			}
		}
	}
	// Round trip of the permutation.
	in := make([]float64, n)
	for i := range in {
		in[i] = float64(i)*1.5 + 1
	}
	srt, back := make([]float64, n), make([]float64, n)
	g.ToSorted(srt, in)
	g.ToInput(back, srt)
	if !slices.Equal(in, back) {
		t.Fatalf("%s: ToSorted/ToInput do not round-trip", name)
	}
	return g
}

func TestBuildInvariants(t *testing.T) {
	for _, tc := range []struct {
		name          string
		pts           []float64
		dim           int
		sigma, cutoff float64
		opt           Options
	}{
		{"random2d", randomCloud(2000, 2, 1, 1), 2, 0.02, 5.77, Options{}},
		{"random3d", randomCloud(2000, 3, 1, 2), 3, 0.04, 4, Options{}},
		{"random3d_edge_cutoff", randomCloud(1500, 3, 1, 3), 3, 0.04, 4, Options{CellSize: 4.0}},
		{"random3d_small_cells", randomCloud(1500, 3, 1, 4), 3, 0.04, 4, Options{CellSize: 1.1}},
		{"random2d_big_cells", randomCloud(1500, 2, 1, 5), 2, 0.01, 3, Options{CellSize: 20}},
		{"allpairs", randomCloud(700, 3, 1, 6), 3, 0.1, 0, Options{}},
		{"allpairs_cells", randomCloud(700, 2, 1, 7), 2, 0.1, 0, Options{CellSize: 0.7}},
		{"line1d", randomCloud(500, 1, 1, 8), 1, 0.01, 5.77, Options{}},
		{"utm", func() []float64 {
			p := randomCloud(800, 3, 80, 9)
			for i := 0; i < len(p); i += 3 {
				p[i] += 665171
				p[i+1] += 5648300
			}
			return p
		}(), 3, 2, 5.77, Options{}},
	} {
		checkGrid(t, tc.name, tc.pts, tc.dim, tc.sigma, tc.cutoff, tc.opt)
	}
}

func TestDegenerate(t *testing.T) {
	one := checkGrid(t, "one", []float64{3, 4, 5}, 3, 0.1, 5.77, Options{})
	if len(one.Cells) != 1 || one.NbrPtr[1] != 1 || one.Ranges[0] != [2]int32{0, 1} {
		t.Fatalf("one point: %+v", one)
	}
	same := make([]float64, 3*500)
	for i := range same {
		same[i] = 7
	}
	g := checkGrid(t, "identical", same, 3, 0.1, 5.77, Options{})
	if len(g.Cells) != 1 {
		t.Fatalf("identical points in %d cells", len(g.Cells))
	}
	checkGrid(t, "identical_allpairs", same, 3, 0.1, 0, Options{})
	line := make([]float64, 0, 2*1000)
	for i := 0; i < 1000; i++ {
		line = append(line, float64(i)*0.01, -3+float64(i)*0.005)
	}
	checkGrid(t, "collinear", line, 2, 0.05, 5.77, Options{})
	// Extent 10^6 sigma: clumps at both ends, a sparse row of points between.
	r := rand.New(rand.NewPCG(3, 3))
	var far []float64
	for i := 0; i < 1200; i++ {
		x := r.Float64() * 5
		if i%2 == 1 {
			x += 1e6
		}
		if i%20 == 0 {
			x = r.Float64() * 1e6
		}
		far = append(far, x, r.Float64()*5, r.Float64())
	}
	g = checkGrid(t, "extent1e6", far, 3, 1, 5.77, Options{})
	if len(g.Cells) > 200 {
		t.Fatalf("extent 1e6: %d cells", len(g.Cells))
	}
	// Extent 10^9 sigma and a cell size of 10^-3 sigma in 2-D: still only occupied cells.
	huge := []float64{0, 0, 1e9, 0, 0, 1e9, 5e8, 5e8, 0.001, 0}
	checkGrid(t, "extent1e9", huge, 2, 1, 0.002, Options{CellSize: 0.001})
}

// Cells follow the Z curve: for a regular lattice, consecutive cells are adjacent most
// of the time and the order interleaves axes (checked against bit interleaving).
func TestMortonOrder(t *testing.T) {
	var pts []float64
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			pts = append(pts, float64(x)+0.5, float64(y)+0.5)
		}
	}
	g, err := Build(pts, 2, 1, 0.9, Options{CellSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	for c, cell := range g.Cells {
		p := g.Perm[cell.Start]
		x, y := uint(pts[2*p]), uint(pts[2*p+1])
		var code uint
		for b := 0; b < 4; b++ {
			code |= (x>>b&1)<<(2*b) | (y>>b&1)<<(2*b+1)
		}
		if int(code) != c {
			t.Fatalf("cell (%d,%d) at position %d, Morton code %d", x, y, c, code)
		}
	}
	if got := mortonCmp(cellKey{1 << 62, 0, 0}, cellKey{0, 1 << 62, 0}, cellKey{}, 2); got != -1 {
		t.Fatalf("high bits: %d", got)
	}
}

func TestBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		name          string
		pts           []float64
		dim           int
		sigma, cutoff float64
		opt           Options
	}{
		{"empty", nil, 3, 1, 4, Options{}},
		{"ragged", []float64{1, 2, 3, 4}, 3, 1, 4, Options{}},
		{"dim4", []float64{1, 2, 3, 4}, 4, 1, 4, Options{}},
		{"nan", []float64{1, math.NaN()}, 2, 1, 4, Options{}},
		{"inf", []float64{1, math.Inf(1)}, 2, 1, 4, Options{}},
		{"sigma0", []float64{1, 2}, 2, 0, 4, Options{}},
		{"sigmaNaN", []float64{1, 2}, 2, math.NaN(), 4, Options{}},
		{"cutoffNeg", []float64{1, 2}, 2, 1, -1, Options{}},
		{"cellNeg", []float64{1, 2}, 2, 1, 4, Options{CellSize: -1}},
		{"cellTiny", []float64{1, 2, 3, 4}, 2, 1, 4, Options{CellSize: 1e-3}},
		{"extent", []float64{-1e300, 0, 1e300, 0}, 2, 1e-10, 4, Options{}},
	} {
		if _, err := Build(tc.pts, tc.dim, tc.sigma, tc.cutoff, tc.opt); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
