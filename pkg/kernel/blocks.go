package kernel

import (
	"math"
	"math/bits"

	"github.com/spectral-dev/spectral/internal/parallel"
	"github.com/spectral-dev/spectral/pkg/grid"
)

// blockPattern refines the grid's per-cell ranges for the on-the-fly mode, on both sides:
// targets go in blocks of blockSize (aligned at each cell's start), sources in chunks of
// sourceChunk consecutive points (aligned at each cell's start, never crossing a cell);
// the grid orders points inside cells along a Z curve, so both are compact. A block
// sweeps a source chunk only when the chunk's bounding box comes within the cutoff of the
// block's box, and adjacent kept chunks merge into one range. Still exact: the box test
// is in float64 with a relative slack of 1e-5 on the squared cutoff, far above the
// float32 rounding of the pair rule, so every skipped pair is beyond the cutoff and would
// have added exactly 0 (products are bit-identical to sweeping whole cells).
type blockPattern struct {
	first  []int // per cell: index of its first block
	ptr    []int // per block b: ranges[ptr[b]:ptr[b+1]]
	ranges [][2]int32
}

// blockSize is the number of targets per block (the AVX2 loop's lanes).
const blockSize = 8

// sourceChunk is the number of consecutive sources per bounding box (0: whole cells).
// Measured on the 8 cases of docs/bench/pruning.md, pairs looked at per pair within the
// cutoff, worst case: whole cells 2.18, chunks of 16 2.08, 8 1.97, 4 1.83 (with
// mergeGap 4: 1.86); products 7-35% faster than whole cells, the sparse Swiss roll
// (few points per cell) needing the small chunks.
const sourceChunk = 4

// mergeGap: kept ranges of one block and one cell separated by at most this many
// skipped sources are swept as one: fewer ranges to store, for a few more pairs looked at.
const mergeGap = 4

// bytes is the memory of the pattern.
func (bp *blockPattern) bytes() int64 {
	return int64(8*len(bp.first) + 8*len(bp.ptr) + 8*len(bp.ranges))
}

// bbox is a bounding box in float64 as its centre then its half extents (unused axes 0),
// so that the gap tests below need no data-dependent branch. Every value is exact (sums
// and halves of float32 coordinates), the tests' rounding is ~1e-16 relative.
type bbox [6]float64

func makeBox(lo, hi *[3]float32) bbox {
	var b bbox
	for a := 0; a < 3; a++ {
		b[a] = (float64(lo[a]) + float64(hi[a])) / 2
		b[3+a] = (float64(hi[a]) - float64(lo[a])) / 2
	}
	return b
}

// gap2 is the squared distance between boxes a and b.
func gap2(a, b *bbox) float64 {
	x := math.Abs(a[0]-b[0]) - (a[3] + b[3])
	y := math.Abs(a[1]-b[1]) - (a[4] + b[4])
	z := math.Abs(a[2]-b[2]) - (a[5] + b[5])
	x, y, z = (x+math.Abs(x))/2, (y+math.Abs(y))/2, (z+math.Abs(z))/2 // max(., 0)
	return x*x + y*y + z*z
}

// far2 is the squared largest distance between points of boxes a and b.
func far2(a, b *bbox) float64 {
	d2 := 0.0
	for k := 0; k < 3; k++ {
		d := math.Abs(a[k]-b[k]) + (a[3+k] + b[3+k])
		d2 += d * d
	}
	return d2
}

// pointsBox is the bounding box of sorted points [p0, p1).
func pointsBox(pts []float32, dim, p0, p1 int) bbox {
	var lo, hi [3]float32
	for a := 0; a < dim; a++ {
		lo[a], hi[a] = pts[p0*dim+a], pts[p0*dim+a]
		for p := p0 + 1; p < p1; p++ {
			lo[a] = min(lo[a], pts[p*dim+a])
			hi[a] = max(hi[a], pts[p*dim+a])
		}
	}
	return makeBox(&lo, &hi)
}

// chunkBoxes are, per cell j, the boxes of its chunks of size points:
// boxes[first[j]+k] for [Start+k*size, min(Start+(k+1)*size, End)); nil for size <= 0.
func chunkBoxes(g *grid.Grid, size int) (first []int, boxes []bbox) {
	if size <= 0 {
		return nil, nil
	}
	first = make([]int, len(g.Cells)+1)
	n := 0
	for j, c := range g.Cells {
		first[j] = n
		n += (c.End - c.Start + size - 1) / size
	}
	first[len(g.Cells)] = n
	boxes = make([]bbox, n)
	for j, c := range g.Cells {
		for k, s := first[j], c.Start; s < c.End; k, s = k+1, s+size {
			boxes[k] = pointsBox(g.Points, g.Dim, s, min(s+size, c.End))
		}
	}
	return first, boxes
}

// blockPart is the pattern of the blocks of a run of cells, built by one worker.
type blockPart struct {
	count     []int // ranges per block
	ranges    [][2]int32
	evaluated int64
}

// blockPrep is what building the pattern of any run of cells needs: the cutoff, with and
// without slack, and the boxes of every cell and of every source chunk.
type blockPrep struct {
	g          *grid.Grid
	chunk, gap int
	skip       int // target cells below skip leave out the source cells below it (cached)
	c2, slack  float64
	cellBox    []bbox
	chunkFirst []int
	chunkBox   []bbox
}

func newBlockPrep(g *grid.Grid, chunk, gap int) *blockPrep {
	p := &blockPrep{g: g, chunk: chunk, gap: gap, c2: float64(cutoff2(g))}
	p.slack = p.c2 * (1 + 1e-5)
	p.cellBox = make([]bbox, len(g.Cells))
	for j := range g.Cells {
		p.cellBox[j] = makeBox(&g.Cells[j].Min, &g.Cells[j].Max)
	}
	p.chunkFirst, p.chunkBox = chunkBoxes(g, chunk)
	return p
}

// build appends the pattern of the blocks of cells [cells0, cells1) to part.
func (p *blockPrep) build(cells0, cells1 int, part *blockPart) {
	g, chunk, gap, c2, slack := p.g, p.chunk, p.gap, p.c2, p.slack
	cellBox, chunkFirst, chunkBox := p.cellBox, p.chunkFirst, p.chunkBox
	var boxes []bbox
	var lists [][][2]int32 // per block of the cell: its ranges so far
	// keep adds [a, e) of the cell starting at cs to block b's ranges; gaps of at most
	// gap sources are swept too, but only inside one cell, so that the ranges stay in
	// the grid's pattern.
	keep := func(b, cs, a, e int) {
		l := lists[b]
		if n := len(l); n > 0 && (int(l[n-1][1]) == a || (int(l[n-1][1]) > cs && a-int(l[n-1][1]) <= gap)) {
			l[n-1][1] = int32(e)
		} else {
			lists[b] = append(l, [2]int32{int32(a), int32(e)})
		}
	}
	for i := cells0; i < cells1; i++ {
		c := g.Cells[i]
		nb := (c.End - c.Start + blockSize - 1) / blockSize
		boxes = boxes[:0]
		for t0 := c.Start; t0 < c.End; t0 += blockSize {
			boxes = append(boxes, pointsBox(g.Points, g.Dim, t0, min(t0+blockSize, c.End)))
		}
		for len(lists) < nb {
			lists = append(lists, nil)
		}
		for b := range nb {
			lists[b] = lists[b][:0]
		}
		cb := &cellBox[i]
		for _, j := range g.NbrCells[g.NbrPtr[i]:g.NbrPtr[i+1]] {
			if i < p.skip && int(j) < p.skip {
				continue // a pair among the cached cells
			}
			cj := &g.Cells[j]
			if chunk == 0 || far2(cb, &cellBox[j]) <= c2 {
				for b := range nb {
					if gap2(&boxes[b], &cellBox[j]) <= slack {
						keep(b, cj.Start, cj.Start, cj.End)
					}
				}
				continue
			}
			// Per block, the kept chunks of cell j as bit masks of 64 chunks, built
			// without data-dependent branches (the compiler makes the select a CMOV),
			// then swept as runs of consecutive chunks.
			for b := range nb {
				tb := &boxes[b]
				if gap2(tb, &cellBox[j]) > slack {
					continue
				}
				if far2(tb, &cellBox[j]) <= c2 {
					keep(b, cj.Start, cj.Start, cj.End)
					continue
				}
				for w0 := chunkFirst[j]; w0 < chunkFirst[j+1]; w0 += 64 {
					var mask uint64
					for k := w0; k < min(w0+64, chunkFirst[j+1]); k++ {
						var bit uint64
						if gap2(tb, &chunkBox[k]) <= slack {
							bit = 1
						}
						mask |= bit << (k - w0)
					}
					s0 := cj.Start + (w0-chunkFirst[j])*chunk
					for mask != 0 {
						k0 := bits.TrailingZeros64(mask)
						run := bits.TrailingZeros64(^(mask >> k0))
						keep(b, cj.Start, s0+k0*chunk, min(s0+(k0+run)*chunk, cj.End))
						mask &^= (uint64(1)<<run - 1) << k0
					}
				}
			}
		}
		for b := range nb {
			var src int64
			for _, r := range lists[b] {
				src += int64(r[1] - r[0])
			}
			part.ranges = append(part.ranges, lists[b]...)
			part.count = append(part.count, len(lists[b]))
			part.evaluated += int64(min(blockSize, c.End-c.Start-b*blockSize)) * src
		}
	}
}

// buildBlocks sets o.blocks and the evaluated-pairs count for source chunks of chunk
// points (0: whole neighbour cells), merging kept ranges at most gap sources apart; with
// a partial cache, only for the pairs the cache does not hold.
// Work items of cells are built in parallel and concatenated in order.
func (o *Operator) buildBlocks(chunk, gap int) {
	g := o.g
	prep := newBlockPrep(g, chunk, gap)
	if o.partial() {
		prep.skip = o.cachedCells
	}
	parts := make([]blockPart, len(o.chunks)-1)
	parallel.Each(len(parts), o.threads, func(k int) { prep.build(o.chunks[k], o.chunks[k+1], &parts[k]) })
	nblocks, nranges := 0, 0
	for k := range parts {
		nblocks += len(parts[k].count)
		nranges += len(parts[k].ranges)
	}
	bp := &blockPattern{first: make([]int, len(g.Cells)+1), ptr: make([]int, 1, nblocks+1), ranges: make([][2]int32, 0, nranges)}
	var evaluated int64
	for k := range parts {
		for _, n := range parts[k].count {
			bp.ptr = append(bp.ptr, bp.ptr[len(bp.ptr)-1]+n)
		}
		bp.ranges = append(bp.ranges, parts[k].ranges...)
		evaluated += parts[k].evaluated
	}
	b := 0
	for i, c := range g.Cells {
		bp.first[i] = b
		b += (c.End - c.Start + blockSize - 1) / blockSize
	}
	bp.first[len(g.Cells)] = b
	o.blocks = bp
	o.stats.PairsEvaluated = evaluated
}

// estimateTargets is about how many targets estimateBlockPairs samples.
const estimateTargets = 8192

// estimateBlockPairs estimates, without evaluating the kernel, the ordered pairs an
// on-the-fly product looks at: the block pattern of every step-th cell (about
// estimateTargets targets, and at least 128 cells), scaled by the number of targets;
// exact up to estimateTargets points; 0.955-1.053 of the exact count on the 8 cases of
// docs/bench/pruning.md.
func estimateBlockPairs(g *grid.Grid) int64 {
	if g.Cutoff == 0 {
		return int64(g.N) * int64(g.N)
	}
	prep := newBlockPrep(g, sourceChunk, mergeGap)
	step := max(1, min((g.N+estimateTargets-1)/estimateTargets, len(g.Cells)/128))
	var part blockPart
	var targets int64
	for i := 0; i < len(g.Cells); i += step {
		prep.build(i, i+1, &part)
		part.count, part.ranges = part.count[:0], part.ranges[:0]
		targets += int64(g.Cells[i].End - g.Cells[i].Start)
	}
	if step == 1 {
		return part.evaluated
	}
	return int64(math.Round(float64(part.evaluated) * float64(g.N) / float64(targets)))
}

// sourceRanges are the source ranges swept for the block of targets starting at t in cell i.
func (o *Operator) sourceRanges(i, t int) [][2]int32 {
	g := o.g
	if o.blocks == nil {
		return g.Ranges[g.RangePtr[i]:g.RangePtr[i+1]]
	}
	b := o.blocks.first[i] + (t-g.Cells[i].Start)/blockSize
	return o.blocks.ranges[o.blocks.ptr[b]:o.blocks.ptr[b+1]]
}
