package neighbors

import "math"

// searcher finds the k nearest distinct neighbours of one grid slot at a time. It keeps
// its scratch space between queries; one per goroutine.
type searcher struct {
	g    *grid
	k    int
	best []float64 // the smallest squared distances so far, ascending, at most k
	ids  []int32   // their slots, when the caller wants them (KNN); nil for Measure

	// near[27] caches the cells at offsets -1..1 per axis around nearCell (index
	// (dx+1)*9 + (dy+1)*3 + dz+1; -1 = empty): queries go in slot order, so consecutive
	// ones share their cell and the 27 hash look-ups of shells 0 and 1 are made once per
	// cell instead of once per query (find was a tenth of the knn build's time).
	near     [27]int32
	nearCell int32

	// the current query
	slot   int32
	q      [3]float64
	c      [3]int64
	fl, fh [3]float64 // distance from q to its cell's lower and upper face, per axis
}

func newSearcher(g *grid, k int) *searcher {
	return &searcher{g: g, k: k, best: make([]float64, 0, k), nearCell: -1}
}

// query returns the squared distances from slot to its nearest and its k-th nearest
// distinct neighbour, exactly.
//
// It visits the shells of cells at Chebyshev distance r = 0, 1, 2, ... around the query's
// cell and stops once the k-th best distance is no larger than the nearest any point of
// the next shell can be (r cell edges plus the distance to the query cell's nearest face).
// Cells whose box is farther than the current k-th best are skipped without a look-up.
// When a shell would cost more look-ups than there are occupied cells (an isolated point
// in a sparse cloud), the rest of the search walks the occupied cells directly instead.
func (s *searcher) query(slot int32) (nn2, kth2 float64) {
	g := s.g
	s.slot = slot
	s.best = s.best[:0]
	if s.ids != nil {
		s.ids = s.ids[:0]
	}
	copy(s.q[:], g.pts[3*slot:3*slot+3])
	cell := g.cellOf[slot]
	copy(s.c[:], g.cc[3*cell:3*cell+3])
	if cell != s.nearCell {
		s.nearCell = cell
		for i := range s.near {
			s.near[i] = -2 // not looked up yet
		}
	}
	for a := range 3 {
		off := (s.q[a] - g.centre[a]) - g.lo[a] - float64(s.c[a])*g.h // centred, as in grid.bin
		s.fl[a] = min(max(off, 0), g.h)
		s.fh[a] = min(max(g.h-off, 0), g.h)
	}
	nc := int64(len(g.cc) / 3)
	looked := int64(0)
	for r := int64(0); ; r++ {
		var lo, hi [3]int64
		box, inner := int64(1), int64(1)
		for a := range 3 {
			lo[a] = max(s.c[a]-r, 0)
			hi[a] = min(s.c[a]+r, g.ncell[a]-1)
			box *= hi[a] - lo[a] + 1
			inner *= max(0, min(s.c[a]+r-1, g.ncell[a]-1)-max(s.c[a]-r+1, 0)+1)
		}
		if r == 0 {
			inner = 0
		}
		if r > 1 && looked+box-inner > nc/8+64 {
			s.scanCells(r - 1)
			break
		}
		looked += box - inner
		s.shell(r, lo, hi)

		// Nearest possible distance of any point beyond this shell.
		bound, covered := math.Inf(1), true
		rh := float64(r) * g.h
		for a := range 3 {
			if s.c[a]-r > 0 {
				bound, covered = min(bound, rh+s.fl[a]), false
			}
			if s.c[a]+r < g.ncell[a]-1 {
				bound, covered = min(bound, rh+s.fh[a]), false
			}
		}
		bound = max(bound-g.slack, 0)
		if covered || (len(s.best) == s.k && s.best[s.k-1] <= bound*bound) {
			break
		}
	}
	return s.best[0], s.best[len(s.best)-1]
}

// worst is the squared distance a point must beat to enter the k best.
func (s *searcher) worst() float64 {
	if len(s.best) < s.k {
		return math.Inf(1)
	}
	return s.best[s.k-1]
}

// gap is the smallest distance along one axis from the query to a cell d cells away, less
// the rounding allowance.
func (s *searcher) gap(a int, d int64) float64 {
	switch {
	case d > 0:
		return max(float64(d-1)*s.g.h+s.fh[a]-s.g.slack, 0)
	case d < 0:
		return max(float64(-d-1)*s.g.h+s.fl[a]-s.g.slack, 0)
	}
	return 0
}

// shell visits the cells at Chebyshev distance exactly r from the query's cell, clipped
// to the grid's extent [lo, hi].
func (s *searcher) shell(r int64, lo, hi [3]int64) {
	c := s.c
	for x := lo[0]; x <= hi[0]; x++ {
		dx := x - c[0]
		gx := s.gap(0, dx)
		gx *= gx
		if gx > s.worst() {
			continue
		}
		edgeX := dx == r || dx == -r
		for y := lo[1]; y <= hi[1]; y++ {
			dy := y - c[1]
			gy := s.gap(1, dy)
			gxy := gx + gy*gy
			if gxy > s.worst() {
				continue
			}
			if edgeX || dy == r || dy == -r {
				for z := lo[2]; z <= hi[2]; z++ {
					gz := s.gap(2, z-c[2])
					if gxy+gz*gz <= s.worst() {
						s.visit(g3(x, y, z))
					}
				}
				continue
			}
			// Inside the shell's x-y square only the two z faces belong to the shell.
			for _, z := range [2]int64{c[2] - r, c[2] + r} {
				if z >= lo[2] && z <= hi[2] {
					gz := s.gap(2, z-c[2])
					if gxy+gz*gz <= s.worst() {
						s.visit(g3(x, y, z))
					}
				}
			}
		}
	}
}

func g3(x, y, z int64) [3]int64 { return [3]int64{x, y, z} }

// scanCells finishes a search by walking every occupied cell beyond the shells 0..done
// already visited, skipping those whose box is farther than the current k-th best.
func (s *searcher) scanCells(done int64) {
	g := s.g
	for cell := range len(g.cc) / 3 {
		k := g.cc[3*cell : 3*cell+3]
		cheb := int64(0)
		d2 := 0.0
		for a := range 3 {
			d := k[a] - s.c[a]
			cheb = max(cheb, d, -d)
			ga := s.gap(a, d)
			d2 += ga * ga
		}
		if cheb > done && d2 <= s.worst() {
			s.visitCell(int32(cell))
		}
	}
}

func (s *searcher) visit(c [3]int64) {
	dx, dy, dz := c[0]-s.c[0], c[1]-s.c[1], c[2]-s.c[2]
	if dx < -1 || dx > 1 || dy < -1 || dy > 1 || dz < -1 || dz > 1 {
		if cell := s.g.find(c[0], c[1], c[2]); cell >= 0 {
			s.visitCell(cell)
		}
		return
	}
	p := &s.near[(dx+1)*9+(dy+1)*3+dz+1]
	if *p == -2 {
		*p = s.g.find(c[0], c[1], c[2])
	}
	if *p >= 0 {
		s.visitCell(*p)
	}
}

// visitCell offers every position of a cell except the query's own to the k best.
func (s *searcher) visitCell(cell int32) {
	g := s.g
	for t := g.start[cell]; t < g.start[cell+1]; t++ {
		if t == s.slot {
			continue
		}
		p := g.pts[3*t : 3*t+3]
		dx, dy, dz := p[0]-s.q[0], p[1]-s.q[1], p[2]-s.q[2]
		d2 := dx*dx + dy*dy + dz*dz
		b := s.best
		if len(b) < s.k {
			b = append(b, d2)
			if s.ids != nil {
				s.ids = append(s.ids, t)
			}
		} else if d2 < b[s.k-1] {
			b[s.k-1] = d2
			if s.ids != nil {
				s.ids[s.k-1] = t
			}
		} else {
			continue
		}
		for i := len(b) - 1; i > 0 && b[i] < b[i-1]; i-- {
			b[i], b[i-1] = b[i-1], b[i]
			if s.ids != nil {
				s.ids[i], s.ids[i-1] = s.ids[i-1], s.ids[i]
			}
		}
		s.best = b
	}
}
