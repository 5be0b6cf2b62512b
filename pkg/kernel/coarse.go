package kernel

import (
	"fmt"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// Coarse is the Galerkin coarse kernel Kc = P^T K P of an aggregation (P the n x m
// indicator of each sorted point's aggregate): Kc[a][c] sums K(i, j) over i in aggregate
// a and j in c. Rows are CSR with ascending columns (the diagonal included).
type Coarse struct {
	M   int
	Ptr []int
	Col []int32
	Val []float64
}

// Coarsen sums the kernel over pairs of aggregates in one pass over half the pairs within
// the cutoff (pruned by chunk boxes), with the operator's own float32 values (the cutoff
// rule and exp of the products, so Kc is exact for this K up to float64 summation),
// float64 sums. labels[i] is sorted point i's aggregate in 0..m-1. Each aggregate's row
// is summed by one worker in an order fixed by the data, so the bits do not depend on the
// thread count. A cancelled Options.Context stops it (its error is returned).
//
// It works on its own order of the points (coarseLayout: each cell's points by label), so
// that per target the sources of one aggregate come in runs, summed before they are added
// to the aggregate's entry, and each cell's sources with labels below the target's (the
// mirrored half) are not evaluated at all.
func (o *Operator) Coarsen(labels []int32, m int) (*Coarse, error) {
	g := o.g
	if len(labels) != g.N {
		return nil, fmt.Errorf("kernel: coarsen: %d labels for %d points", len(labels), g.N)
	}
	for _, a := range labels {
		if a < 0 || int(a) >= m {
			return nil, fmt.Errorf("kernel: coarsen: label %d outside 0..%d", a, m-1)
		}
	}
	ly := o.coarseLayout(labels, m)
	rows := make([][]int32, m)
	vals := make([][]float64, m)
	lim := float64(o.c2) * (1 + 1e-5)
	const chunk = 64
	nch := (m + chunk - 1) / chunk
	var nextChunk atomic.Int64
	work := func() {
		acc := make([]float64, m)
		mark := make([]bool, m)
		var touched []int32
		var spans [][2]int
		out := make([]float32, 0, 1024)
		for {
			c := int(nextChunk.Add(1)) - 1
			if c >= nch || (o.ctx != nil && o.ctx.Err() != nil) {
				return // done, or cancelled (between chunks of 64 aggregates)
			}
			for a := c * chunk; a < min(m, (c+1)*chunk); a++ {
				touched = touched[:0]
				for _, r := range ly.runs[ly.runPtr[a]:ly.runPtr[a+1]] {
					// The members in one grid cell: positions r.lo..r.hi-1 of the layout.
					gb := ly.box(r.lo, r.hi, g.Dim)
					spans = ly.spans(spans[:0], g, r.cell, int32(a), &gb, lim)
					for t := r.lo; t < r.hi; t++ {
						for _, sp := range spans {
							lo, hi := sp[0], sp[1]
							if cap(out) < hi-lo+8 {
								out = make([]float32, 0, 2*(hi-lo)+8)
							}
							out = out[:hi-lo]
							gaussRowOn(out, ly.x, ly.y, ly.z, t, lo, o.c2)
							for k := 0; k < len(out); {
								p := lo + k
								e := min(int(ly.runEnd[p]), hi) - lo
								b := ly.lab[p]
								if b < int32(a) {
									k = e
									continue
								}
								v := sumFloat32(out[k:e])
								k = e
								if v == 0 {
									continue
								}
								if !mark[b] {
									mark[b] = true
									touched = append(touched, b)
								}
								acc[b] += v
							}
						}
					}
				}
				slices.Sort(touched)
				rows[a] = slices.Clone(touched)
				vals[a] = make([]float64, len(touched))
				for k, b := range touched {
					vals[a][k] = acc[b]
					acc[b], mark[b] = 0, false
				}
			}
		}
	}
	onWorkers(o.threads, work)
	if o.ctx != nil && o.ctx.Err() != nil {
		return nil, o.ctx.Err()
	}
	return mirrorUpper(m, rows, vals), nil
}

// mirrorUpper makes the whole symmetric CSR from the upper rows (a, c >= a): row c gets
// (c, a) = (a, c) for a < c before its own entries (columns ascending since a < c <= its
// own columns).
func mirrorUpper(m int, rows [][]int32, vals [][]float64) *Coarse {
	cs := &Coarse{M: m, Ptr: make([]int, m+1)}
	cnt := make([]int, m)
	for a := 0; a < m; a++ {
		cnt[a] += len(rows[a])
		for _, c := range rows[a] {
			if int(c) != a {
				cnt[c]++
			}
		}
	}
	for a := 0; a < m; a++ {
		cs.Ptr[a+1] = cs.Ptr[a] + cnt[a]
	}
	cs.Col = make([]int32, cs.Ptr[m])
	cs.Val = make([]float64, cs.Ptr[m])
	nxt := slices.Clone(cs.Ptr[:m])
	for a := 0; a < m; a++ { // lower parts, rows filled in ascending a
		for k, c := range rows[a] {
			if int(c) != a {
				cs.Col[nxt[c]], cs.Val[nxt[c]] = int32(a), vals[a][k]
				nxt[c]++
			}
		}
	}
	for a := 0; a < m; a++ {
		copy(cs.Col[nxt[a]:], rows[a])
		copy(cs.Val[nxt[a]:], vals[a])
	}
	return cs
}

// coarseLayout is Coarsen's order of the sorted points: within each grid cell (the same
// ranges), stably by aggregate label. Each aggregate's members in a cell are then one run
// of positions, so are the sources of one label, and a cell's sources with labels of at
// least a are a suffix of the cell.
type coarseLayout struct {
	x, y, z []float32 // coordinates in this order, 8 spare zeros (z nil in 2D)
	lab     []int32   // label of each position
	runEnd  []int32   // end of each position's run of equal labels within its cell
	runPtr  []int     // runs of aggregate a: runs[runPtr[a]:runPtr[a+1]], cells ascending
	runs    []memberRun
	first   []int // per cell, its first source chunk; chunks of coarseChunk positions
	boxes   []bbox
	minLab  []int32 // per chunk
	maxLab  []int32 // per chunk
}

// memberRun is the positions [lo, hi) of an aggregate's members in grid cell cell.
type memberRun struct {
	lo, hi int
	cell   int32
}

// coarseLayout orders the sorted points by label within each cell (a counting sort per
// cell, stable) and indexes the runs, chunks and their boxes.
func (o *Operator) coarseLayout(labels []int32, m int) *coarseLayout {
	g := o.g
	n := g.N
	ly := &coarseLayout{
		x:      make([]float32, n+8),
		y:      make([]float32, n+8),
		lab:    make([]int32, n),
		runEnd: make([]int32, n),
	}
	if o.z != nil {
		ly.z = make([]float32, n+8)
	}
	order := make([]int32, n)
	for _, cell := range g.Cells {
		ids := order[cell.Start:cell.End]
		for k := range ids {
			ids[k] = int32(cell.Start + k)
		}
		slices.SortStableFunc(ids, func(p, q int32) int { return int(labels[p]) - int(labels[q]) })
	}
	for p, q := range order {
		ly.x[p], ly.y[p] = o.x[q], o.y[q]
		if ly.z != nil {
			ly.z[p] = o.z[q]
		}
		ly.lab[p] = labels[q]
	}
	count := make([]int, m+1)
	for _, cell := range g.Cells {
		for p := cell.End - 1; p >= cell.Start; p-- {
			if p+1 < cell.End && ly.lab[p+1] == ly.lab[p] {
				ly.runEnd[p] = ly.runEnd[p+1]
			} else {
				ly.runEnd[p] = int32(p + 1)
				count[ly.lab[p]+1]++
			}
		}
	}
	for a := 0; a < m; a++ {
		count[a+1] += count[a]
	}
	ly.runPtr = slices.Clone(count)
	ly.runs = make([]memberRun, count[m])
	for ci, cell := range g.Cells {
		for p := cell.Start; p < cell.End; p = int(ly.runEnd[p]) {
			a := ly.lab[p]
			ly.runs[count[a]] = memberRun{lo: p, hi: int(ly.runEnd[p]), cell: int32(ci)}
			count[a]++
		}
	}
	ly.first = make([]int, len(g.Cells)+1)
	nc := 0
	for j, cell := range g.Cells {
		ly.first[j] = nc
		nc += (cell.End - cell.Start + coarseChunk - 1) / coarseChunk
	}
	ly.first[len(g.Cells)] = nc
	ly.boxes = make([]bbox, nc)
	ly.minLab = make([]int32, nc)
	ly.maxLab = make([]int32, nc)
	for j, cell := range g.Cells {
		for k, s := ly.first[j], cell.Start; s < cell.End; k, s = k+1, s+coarseChunk {
			e := min(s+coarseChunk, cell.End)
			ly.boxes[k] = ly.box(s, e, g.Dim)
			ly.minLab[k], ly.maxLab[k] = ly.lab[s], ly.lab[e-1] // sorted within the cell
		}
	}
	return ly
}

// box is the bounding box of positions [lo, hi).
func (ly *coarseLayout) box(lo, hi, dim int) bbox {
	var l, h [3]float32
	cs := [3][]float32{ly.x, ly.y, ly.z}
	for a := 0; a < dim; a++ {
		l[a], h[a] = cs[a][lo], cs[a][lo]
		for _, v := range cs[a][lo+1 : hi] {
			l[a], h[a] = min(l[a], v), max(h[a], v)
		}
	}
	return makeBox(&l, &h)
}

// spans appends the source ranges a run of aggregate a in cell ci (box gb) needs: the
// chunks of its neighbour cells within the cutoff of gb that hold labels of at least a,
// each from its first such position, abutting ones merged.
func (ly *coarseLayout) spans(spans [][2]int, g *grid.Grid, ci int32, a int32, gb *bbox, lim float64) [][2]int {
	for _, nb := range g.NbrCells[g.NbrPtr[ci]:g.NbrPtr[ci+1]] {
		cell := g.Cells[nb]
		for k := ly.first[nb]; k < ly.first[nb+1]; k++ {
			if ly.maxLab[k] < a || gap2(gb, &ly.boxes[k]) > lim {
				continue
			}
			lo := cell.Start + (k-ly.first[nb])*coarseChunk
			hi := min(lo+coarseChunk, cell.End)
			if ly.minLab[k] < a {
				lo += sort.Search(hi-lo, func(q int) bool { return ly.lab[lo+q] >= a })
			}
			if len(spans) > 0 && spans[len(spans)-1][1] == lo {
				spans[len(spans)-1][1] = hi
			} else {
				spans = append(spans, [2]int{lo, hi})
			}
		}
	}
	return spans
}

// sumFloat32 is the float64 sum of v, in four interleaved sums (a run is added as one
// term of its aggregate's entry).
func sumFloat32(v []float32) float64 {
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(v); k += 4 {
		s0 += float64(v[k])
		s1 += float64(v[k+1])
		s2 += float64(v[k+2])
		s3 += float64(v[k+3])
	}
	for ; k < len(v); k++ {
		s0 += float64(v[k])
	}
	return (s0 + s1) + (s2 + s3)
}

// coarseChunk is the source chunk of Coarsen's pruning.
const coarseChunk = 32

// gaussRow sets out[l] = K(t, s+l) for the len(out) sources from s (sorted order).
func (o *Operator) gaussRow(out []float32, t, s int) { gaussRowOn(out, o.x, o.y, o.z, t, s, o.c2) }

// gaussRowOn sets out[l] = K(t, s+l) for the len(out) sources from s of the coordinates
// x, y, z (z nil in 2D; 8 spare values past the last point), with the AVX2 row loop of
// the cache build when there is one (it reads whole groups of 8) and gauss otherwise;
// both give the products' values.
func gaussRowOn(out []float32, x, y, z []float32, t, s int, c2 float32) {
	n := len(out)
	full := 0
	if haveAVX2 && n >= 8 {
		full = n &^ 7
		if z != nil {
			rowGauss3(&out[0], x[t], y[t], z[t], &x[s], &y[s], &z[s], full, c2)
		} else {
			rowGauss2(&out[0], x[t], y[t], &x[s], &y[s], full, c2)
		}
	}
	for l := full; l < n; l++ {
		out[l] = gauss(dist2On(x, y, z, t, s+l), c2)
	}
}
