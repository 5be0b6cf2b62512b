package kernel

import (
	"fmt"
	"slices"
	"sync/atomic"
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

// Coarsen sums the kernel over pairs of aggregates in one pass over half the pairs within the
// cutoff (pruned by chunk boxes), with the operator's own float32 values (the cutoff rule and exp of the products,
// so Kc is exact for this K up to float64 summation), float64 sums. labels[i] is sorted
// point i's aggregate in 0..m-1. Each aggregate's row is summed by one worker, targets
// ascending, sources in range order: the bits do not depend on the thread count. A
// cancelled Options.Context stops it (its error is returned).
func (o *Operator) Coarsen(labels []int32, m int) (*Coarse, error) {
	g := o.g
	if len(labels) != g.N {
		return nil, fmt.Errorf("kernel: coarsen: %d labels for %d points", len(labels), g.N)
	}
	start := make([]int, m+1)
	for _, a := range labels {
		if a < 0 || int(a) >= m {
			return nil, fmt.Errorf("kernel: coarsen: label %d outside 0..%d", a, m-1)
		}
		start[a+1]++
	}
	for a := 0; a < m; a++ {
		start[a+1] += start[a]
	}
	members := make([]int32, g.N)
	next := slices.Clone(start[:m])
	for i, a := range labels {
		members[next[a]] = int32(i)
		next[a]++
	}
	cellOf := make([]int32, g.N)
	for c, cell := range g.Cells {
		for s := cell.Start; s < cell.End; s++ {
			cellOf[s] = int32(c)
		}
	}
	rows := make([][]int32, m)
	vals := make([][]float64, m)
	// Sources are visited in chunks of coarseChunk sorted points with bounding boxes;
	// a chunk farther than the cutoff from the box of a cell's members of an aggregate
	// holds no pair within the cutoff of any of them. The cached mode's cells are 1.5
	// cutoffs wide, so without this most pairs looked at would be beyond the cutoff.
	first, boxes := chunkBoxes(g, coarseChunk)
	lim := float64(o.c2) * (1 + 1e-5)
	// By symmetry only the entries (a, c >= a) are summed, each from the pairs (t in a,
	// s in c), and mirrored afterwards; chunks whose largest label is below a are skipped.
	maxLab := make([]int32, len(boxes))
	for j, cell := range g.Cells {
		for k, s := first[j], cell.Start; s < cell.End; k, s = k+1, s+coarseChunk {
			mx := int32(-1)
			for _, l := range labels[s:min(s+coarseChunk, cell.End)] {
				mx = max(mx, l)
			}
			maxLab[k] = mx
		}
	}
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
				mem := members[start[a]:start[a+1]]
				for len(mem) > 0 {
					// The members in one grid cell (sorted points are cell-contiguous).
					ci := int(cellOf[mem[0]])
					end := 1
					for end < len(mem) && int(cellOf[mem[end]]) == ci {
						end++
					}
					group := mem[:end]
					mem = mem[end:]
					gb := o.membersBox(group)
					spans = spans[:0]
					for _, nb := range g.NbrCells[g.NbrPtr[ci]:g.NbrPtr[ci+1]] {
						cell := g.Cells[nb]
						for k := first[nb]; k < first[nb+1]; k++ {
							if maxLab[k] < int32(a) || gap2(&gb, &boxes[k]) > lim {
								continue
							}
							lo := cell.Start + (k-first[nb])*coarseChunk
							hi := min(lo+coarseChunk, cell.End)
							if len(spans) > 0 && spans[len(spans)-1][1] == lo {
								spans[len(spans)-1][1] = hi
							} else {
								spans = append(spans, [2]int{lo, hi})
							}
						}
					}
					for _, t := range group {
						for _, r := range spans {
							lo, hi := r[0], r[1]
							if cap(out) < hi-lo+8 {
								out = make([]float32, 0, 2*(hi-lo)+8)
							}
							out = out[:hi-lo]
							o.gaussRow(out, int(t), lo)
							for k, v := range out {
								if v == 0 {
									continue
								}
								b := labels[lo+k]
								if b < int32(a) {
									continue
								}
								if !mark[b] {
									mark[b] = true
									touched = append(touched, b)
								}
								acc[b] += float64(v)
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
	// Mirror the upper triangle: row c gets (c, a) = (a, c) for a < c, before its own
	// entries (columns ascending since a < c <= its own columns).
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
	return cs, nil
}

// coarseChunk is the source chunk of Coarsen's pruning.
const coarseChunk = 32

// membersBox is the bounding box of the sorted points ts.
func (o *Operator) membersBox(ts []int32) bbox {
	var lo, hi [3]float32
	d := o.g.Dim
	for a := 0; a < d; a++ {
		lo[a], hi[a] = o.g.Points[int(ts[0])*d+a], o.g.Points[int(ts[0])*d+a]
	}
	for _, t := range ts[1:] {
		for a := 0; a < d; a++ {
			v := o.g.Points[int(t)*d+a]
			lo[a], hi[a] = min(lo[a], v), max(hi[a], v)
		}
	}
	return makeBox(&lo, &hi)
}

// gaussRow sets out[l] = K(t, s+l) for the len(out) sources from s, with the AVX2 row
// loop of the cache build when there is one (it reads whole groups of 8: the coordinate
// slices have 8 spare values) and gauss otherwise; both give the products' values.
func (o *Operator) gaussRow(out []float32, t, s int) {
	n := len(out)
	if haveAVX2 && n >= 8 {
		full := n &^ 7
		o.rowGauss(out[:full], t, s)
		for l := full; l < n; l++ {
			out[l] = gauss(o.pairDist2(t, s+l), o.c2)
		}
		return
	}
	for l := 0; l < n; l++ {
		out[l] = gauss(o.pairDist2(t, s+l), o.c2)
	}
}
