package neighbors

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync/atomic"

	"github.com/spectral-dev/spectral/internal/parallel"
)

// targetPerCell is the mean number of distinct positions per occupied cell the grid aims
// at. Measured with BenchmarkMeasure1M (BENCHMARKS.md): fewer points per cell
// mean more hash look-ups per query, more mean more distances per query.
const targetPerCell = 4

// maxCellsPerAxis keeps cell indices far from int64 overflow (and exact in float64) on
// clouds whose extent is many orders of magnitude above their spacing (a far outlier).
const maxCellsPerAxis = 1 << 50

// maxRefine bounds the binning passes spent choosing the cell edge.
const maxRefine = 12

// grid is a uniform hash grid over the distinct positions of a cloud, stored with stride 3
// (z = 0 in 2D) and grouped by cell: cell c holds the slots start[c] to start[c+1]-1.
// Cells are computed from centred coordinates (the bounding-box centre subtracted, so
// UTM-sized offsets cost no precision in the cell arithmetic), while pts keeps the input
// coordinates, whose differences are the most accurate distances (one rounding).
type grid struct {
	h      float64    // cell edge
	centre [3]float64 // bounding-box centre
	lo     [3]float64 // lower corner of cell (0,0,0), centred coordinates
	ext    [3]float64 // extent of the bounding box per axis
	slack  float64    // absolute rounding allowance of the cell arithmetic
	ncell  [3]int64   // cells per axis (1 on unused or flat axes)
	pts    []float64  // 3 input coordinates per slot
	start  []int32    // per cell, then one past the end
	cc     []int64    // 3 cell coordinates per cell
	cellOf []int32    // slot -> cell
	ids    []int32    // slot -> distinct position
	slotOf []int32    // distinct position -> slot
	table  []int32    // open addressing over cells: cell + 1, 0 = empty
	mask   uint64
}

// buildGrid bins the distinct positions rep (indices into points) into cells of about
// targetPerCell positions each, binning on threads goroutines (0 = GOMAXPROCS); the grid
// (cell numbers, slot order) does not depend on threads.
//
// The first cell edge comes from the bounding-box volume, over the axes on which the cloud
// is wider than one cell (a flat or collinear cloud is binned in 2D or 1D). Clouds that
// fill little of their box (surfaces and curves in 3D, clusters) then have crowded cells;
// the edge is adjusted until the mean occupancy is within 2x of the target: two O(N)
// passes on the Swiss roll, up to maxRefine on pathological clouds.
func buildGrid(points []float64, dim int, rep []int32, threads int) *grid {
	nd := len(rep)
	var bmin, bmax [3]float64
	for a := range dim {
		bmin[a], bmax[a] = math.Inf(1), math.Inf(-1)
	}
	for _, i := range rep {
		for a := range dim {
			v := points[int(i)*dim+a]
			bmin[a] = min(bmin[a], v)
			bmax[a] = max(bmax[a], v)
		}
	}
	g := &grid{pts: make([]float64, 3*nd)}
	var centre, ext [3]float64
	maxExt := 0.0
	for a := range dim {
		centre[a] = bmin[a] + (bmax[a]-bmin[a])/2
		g.lo[a] = bmin[a] - centre[a]
		ext[a] = (bmax[a] - centre[a]) - g.lo[a]
		maxExt = max(maxExt, ext[a])
	}
	g.ext = ext
	g.centre = centre
	// Centred coordinates in distinct order for now; laid out by cell below.
	xc := make([]float64, 3*nd)
	parallel.Range(nd, threads, rangeChunk, func(lo, hi int) {
		for d := lo; d < hi; d++ {
			i := int(rep[d])
			for a := range dim {
				xc[3*d+a] = points[i*dim+a] - centre[a]
			}
		}
	})

	// Cell edge from the volume over the axes wider than a cell (logs: no overflow).
	active := [3]bool{}
	for a := range dim {
		active[a] = ext[a] > 0
	}
	h := maxExt
	for {
		logVol, n := 0.0, 0
		for a := range dim {
			if active[a] {
				logVol += math.Log(ext[a])
				n++
			}
		}
		if n == 0 {
			break
		}
		h = math.Exp((logVol + math.Log(targetPerCell/float64(nd))) / float64(n))
		dropped := false
		for a := range dim {
			if active[a] && ext[a] < h {
				active[a] = false
				dropped = true
			}
		}
		if !dropped {
			break
		}
	}
	hMin := maxExt / maxCellsPerAxis
	h = max(h, hMin)
	// The cell arithmetic is exact to a few ulps of the extent; searches widen their
	// bounds by this much so that rounding never hides a neighbour.
	g.slack = 4 * maxExt * 0x1p-52

	size := 1
	for size < 2*nd {
		size <<= 1
	}
	g.table = make([]int32, size)
	g.mask = uint64(size - 1)
	cellOf := make([]int32, nd)
	b := binner{keys: make([]int64, 3*nd), at: make([]int32, nd), threads: threads}
	// Occupancy falls as the edge shrinks, as h^m with m between 1 (a curve, or clusters
	// that stay inside one cell) and the number of axes wider than a cell (a filled box).
	// Each step assumes the m seen over the last step (the box's on the first), clamped to
	// that range, and bisects (in log h) once the target is bracketed and a step overshoots.
	hLo, hHi := 0.0, math.Inf(1)
	hPrev, occPrev := 0.0, 0.0
	for iter := 0; ; iter++ {
		occ := float64(nd) / float64(g.bin(xc, h, cellOf, &b))
		switch {
		case occ > 2*targetPerCell && h > hMin:
			hHi = h
		case occ < targetPerCell/2:
			hLo = h
		default:
			iter = maxRefine
		}
		if iter >= maxRefine || hHi/hLo < 1.1 {
			break
		}
		axes := 0
		for a := range dim {
			if ext[a] > h {
				axes++
			}
		}
		m := float64(max(axes, 1))
		if hPrev > 0 {
			slope := math.Log(occ/occPrev) / math.Log(h/hPrev)
			if slope > 1 { // also false for NaN
				m = min(slope, m)
			} else {
				m = 1
			}
		}
		next := h * math.Pow(targetPerCell/occ, 1/m)
		if next <= hLo || next >= hHi {
			next = math.Sqrt(hLo * hHi)
		}
		hPrev, occPrev = h, occ
		h = max(hMin, next)
	}

	// Counting sort of the positions by cell.
	nc := len(g.cc) / 3
	g.start = make([]int32, nc+1)
	for _, c := range cellOf {
		g.start[c+1]++
	}
	for c := range nc {
		g.start[c+1] += g.start[c]
	}
	fill := slices.Clone(g.start[:nc])
	g.cellOf = make([]int32, nd)
	g.ids = make([]int32, nd)
	g.slotOf = make([]int32, nd)
	for d, c := range cellOf {
		s := fill[c]
		fill[c]++
		g.cellOf[s] = c
		g.ids[s] = int32(d)
		g.slotOf[d] = s
		i := int(rep[d]) * dim
		copy(g.pts[3*int(s):3*int(s)+dim], points[i:i+dim])
	}
	return g
}

// binner is the scratch of bin: each position's cell coordinates and table slot.
type binner struct {
	keys    []int64 // 3 per position
	at      []int32 // table slot of the position's cell
	slot    []int32 // table slot of each cell
	threads int
}

// bin sets the cell edge to h, assigns every position its cell and rebuilds the cell
// table; it returns the number of occupied cells.
//
// In parallel, and numbered as a sequential pass would: cells are numbered in the order
// of their first position (as inserting positions one by one would), whatever the
// threads. The positions claim table slots with compare-and-swap (a slot then holds a
// position + 1, and keys[that position] tells its cell), a second pass lowers every slot
// to its cell's first position (atomic minimum), and a prefix count over those first
// positions numbers the cells. Only the table's layout (which slot a colliding cell
// probes to) depends on the threads' timing, and find gives the same cells for any
// layout. Binning was the sequential part of the knn graph build (BenchmarkKNN1M,
// docs/bench/cluster.md).
func (g *grid) bin(xc []float64, h float64, cellOf []int32, b *binner) int {
	g.h = h
	inv := 1 / h
	for a := range 3 {
		g.ncell[a] = int64(g.ext[a]*inv) + 1
	}
	clear(g.table)
	nd := len(cellOf)
	parallel.Range(nd, b.threads, rangeChunk, func(lo, hi int) {
		for d := lo; d < hi; d++ {
			k := b.keys[3*d : 3*d+3]
			for a := range 3 {
				k[a] = min(max(int64(math.Floor((xc[3*d+a]-g.lo[a])*inv)), 0), g.ncell[a]-1)
			}
			b.at[d] = g.claim(b.keys, int32(d))
		}
	})
	parallel.Range(nd, b.threads, rangeChunk, func(lo, hi int) {
		for d := lo; d < hi; d++ {
			p := &g.table[b.at[d]]
			for {
				t := atomic.LoadInt32(p)
				if int32(d)+1 >= t || atomic.CompareAndSwapInt32(p, t, int32(d)+1) {
					break
				}
			}
		}
	})
	// Number the first positions in order: counts per fixed chunk, then offsets.
	const chunk = 1 << 14
	nch := (nd + chunk - 1) / chunk
	base := make([]int32, nch+1)
	parallel.Each(nch, b.threads, func(c int) {
		for d := c * chunk; d < min((c+1)*chunk, nd); d++ {
			if g.table[b.at[d]] == int32(d)+1 {
				base[c+1]++
			}
		}
	})
	for c := range nch {
		base[c+1] += base[c]
	}
	nc := int(base[nch])
	g.cc = slices.Grow(g.cc[:0], 3*nc)[:3*nc]
	b.slot = slices.Grow(b.slot[:0], nc)[:nc]
	parallel.Each(nch, b.threads, func(c int) {
		id := base[c]
		for d := c * chunk; d < min((c+1)*chunk, nd); d++ {
			if j := b.at[d]; g.table[j] == int32(d)+1 {
				cellOf[d], b.slot[id] = id, j
				copy(g.cc[3*id:3*id+3], b.keys[3*d:3*d+3])
				id++
			}
		}
	})
	parallel.Range(nd, b.threads, rangeChunk, func(lo, hi int) {
		for d := lo; d < hi; d++ {
			if f := g.table[b.at[d]] - 1; f != int32(d) {
				cellOf[d] = cellOf[f]
			}
		}
	})
	parallel.Range(nc, b.threads, rangeChunk, func(lo, hi int) {
		for id := lo; id < hi; id++ {
			g.table[b.slot[id]] = int32(id) + 1 // cell + 1, 0 = empty
		}
	})
	return nc
}

// claim returns the table slot of the cell keys[3d:3d+3], taking an empty one for it if
// the cell has none yet; safe for concurrent callers, each for its own d.
func (g *grid) claim(keys []int64, d int32) int32 {
	c := keys[3*d : 3*d+3]
	for j := hashCell([3]int64{c[0], c[1], c[2]}) & g.mask; ; j = (j + 1) & g.mask {
		p := &g.table[j]
		t := atomic.LoadInt32(p)
		if t == 0 {
			if atomic.CompareAndSwapInt32(p, 0, d+1) {
				return int32(j)
			}
			t = atomic.LoadInt32(p)
		}
		k := keys[3*(t-1) : 3*t]
		if k[0] == c[0] && k[1] == c[1] && k[2] == c[2] {
			return int32(j)
		}
	}
}

// hashCell mixes the x and y cell coordinates and adds z unmixed, so the cells of a
// column (x, y, z..z+2), which a ring search looks up one after another, sit in adjacent
// table slots (a cache line or two) instead of scattered ones.
func hashCell(c [3]int64) uint64 {
	return mix(uint64(c[0])*0x9e3779b97f4a7c15^uint64(c[1])*0xc2b2ae3d27d4eb4f) + uint64(c[2])
}

// find returns the index of cell (x, y, z), or -1 when it holds no point.
func (g *grid) find(x, y, z int64) int32 {
	c := [3]int64{x, y, z}
	for j := hashCell(c) & g.mask; ; j = (j + 1) & g.mask {
		t := g.table[j]
		if t == 0 {
			return -1
		}
		k := g.cc[3*(t-1) : 3*t]
		if k[0] == x && k[1] == y && k[2] == z {
			return t - 1
		}
	}
}

// sampleSlots draws m of the n points without replacement (Floyd's algorithm, fixed seed)
// and returns the grid slots of their positions, ascending (so consecutive queries touch
// nearby memory), with how many sampled points sit at each.
func sampleSlots(n, m int, of, slotOf []int32) (slots, weight []int32) {
	rng := rand.New(rand.NewPCG(sampleSeed, 0))
	chosen := make([]uint64, (n+63)/64)
	picked := make([]int32, 0, m)
	for j := n - m; j < n; j++ {
		t := rng.IntN(j + 1)
		if chosen[t/64]&(1<<(t%64)) != 0 {
			t = j
		}
		chosen[t/64] |= 1 << (t % 64)
		picked = append(picked, slotOf[of[t]])
	}
	slices.Sort(picked)
	for i, s := range picked {
		if i > 0 && s == picked[i-1] {
			weight[len(weight)-1]++
			continue
		}
		slots = append(slots, s)
		weight = append(weight, 1)
	}
	return slots, weight
}
