package kernel

import (
	"fmt"
	"math"
	"math/bits"
	"sync"
)

// Block products Y = K V for V of b columns (n x b, row-major: point s's b values are
// contiguous), the seam of the block eigensolvers (eigsh.BlockOperator): each kernel
// value is evaluated (on the fly) or read from the cache once for all b columns, so a
// block costs far less than b products. Each output row is summed by one worker in an
// order fixed by the data, so the bits do not depend on the thread count; each column's
// terms are added with fused multiply-adds in ascending source order (into interleaved
// sets of sums, added at the end; the on-the-fly loops add the zero kernel values of a
// group's lanes too, the cached ones store and visit only nonzeros); the pure-Go and
// SIMD loops give the same bits. Results agree with b MulVec calls to rounding, not
// bit for bit (MulVec sums in another order).
//
// The loops are hand-written (sweep_amd64.s, from scripts/kernel_gen_asm.py): Go does
// not vectorise, and the b-wide accumulations are what a block costs beyond one product.
// They work on rows padded to whole ymm registers (padWidth), up to blockChunk columns
// held in registers per call; wider blocks go in chunks of columns.

// MulBlock sets dst = K src for n x b row-major blocks (entry (i, j) at i*b + j; sorted
// order); dst and src must not overlap. It panics if b < 1 or the lengths are not
// Dims()*b. b = 1 is MulVec. Concurrent calls are safe (cached products run one at a
// time).
func (o *Operator) MulBlock(dst, src []float64, b int) {
	n := o.g.N
	if b < 1 || len(dst) != n*b || len(src) != n*b {
		panic(fmt.Sprintf("kernel: MulBlock lengths %d, %d with %d columns, want %d rows", len(dst), len(src), b, n))
	}
	if b == 1 {
		o.MulVec(dst, src)
		return
	}
	bp := padWidth(b)
	vp := src
	// The on-the-fly loops read all 8 rows of a group of sources, up to 7 past the last
	// point: they get a copy with 8 spare zero rows (as the cached mode when b pads).
	spare := 0
	if o.cache == nil || o.partial() {
		spare = 8
	}
	if bp != b || spare > 0 {
		pp := padPool.Get().(*[]float64)
		defer padPool.Put(pp)
		m := (n + spare) * bp
		if cap(*pp) < m {
			*pp = make([]float64, m)
		}
		vp = (*pp)[:m]
		if bp == b {
			copy(vp, src)
		} else {
			for i := 0; i < n; i++ {
				row := vp[i*bp : (i+1)*bp]
				copy(row, src[i*b:(i+1)*b])
				clear(row[b:])
			}
		}
		clear(vp[n*bp:])
	}
	if o.cache == nil || o.partial() {
		parallelState(o, func() *blockWork { return &blockWork{acc: make([]float64, bp), tmp: make([]float64, 3*bp)} },
			func(w *blockWork, i int) { o.sweepBlockCell(w, i, dst, vp, b, bp) })
	}
	if o.cache != nil && (o.ctx == nil || o.ctx.Err() == nil) {
		o.cachedBlock(dst, vp, b, bp, o.partial())
	}
}

// padWidth is b rounded up to whole ymm registers of 4 float64.
func padWidth(b int) int { return (b + 3) &^ 3 }

// blockChunk is the most columns a loop call holds in registers (4 ymm).
const blockChunk = 16

// padPool holds the padded copies of inputs whose b is not a multiple of 4.
var padPool = sync.Pool{New: func() any { return new([]float64) }}

// blockWork is one worker's scratch for on-the-fly block products.
type blockWork struct {
	acc    []float64 // one target's sums (padded width)
	tmp    []float64 // the pure-Go loop's further sets of sums (see blockAccGo)
	w      []float32 // one target's kernel values over the block's source groups
	groups []int64   // the block's source groups (see sourceGroups)
}

// sweepBlockCell sets the rows of target cell i of dst from vp (src with rows padded to
// bp). Per block of targets, its source ranges are cut into groups of 8 (sourceGroups);
// per target, the kernel values of all groups are evaluated once into w (the AVX2 loop
// where there is one, the same bits as gauss), then added to all columns: two calls per
// target and column chunk rather than two per source range (ranges average 20-30
// sources on the Swiss rolls).
func (o *Operator) sweepBlockCell(st *blockWork, i int, dst, vp []float64, b, bp int) {
	c := o.g.Cells[i]
	acc := st.acc
	for t0 := c.Start; t0 < c.End; t0 += blockSize {
		st.groups = sourceGroups(st.groups[:0], o.sourceRanges(i, t0))
		ng := len(st.groups)
		if cap(st.w) < 8*ng {
			st.w = make([]float32, 8*ng+64)
		}
		w := st.w[:8*ng]
		for t := t0; t < min(t0+blockSize, c.End); t++ {
			clear(acc)
			if ng > 0 {
				o.gaussGroups(w, t, st.groups)
				blockAcc(acc, st.tmp, w, vp, st.groups, bp)
			}
			copy(dst[t*b:(t+1)*b], acc)
		}
	}
}

// sourceGroups appends the groups of 8 consecutive sources that cover ranges: per
// group, its first source in the low 32 bits and the mask of its lanes that are sources
// (all 8 but in a range's last group) in bits 32-39.
func sourceGroups(groups []int64, ranges [][2]int32) []int64 {
	for _, r := range ranges {
		for s := int64(r[0]); s < int64(r[1]); s += 8 {
			lanes := min(int64(r[1])-s, 8)
			groups = append(groups, s|(1<<lanes-1)<<32)
		}
	}
	return groups
}

// gaussGroups sets w[8q+l] = K(t, s0+l) for each group q (s0 its first source; 0 in lanes
// that are not sources).
func (o *Operator) gaussGroups(w []float32, t int, groups []int64) {
	if haveAVX2 {
		// Reads whole groups of coordinates (the slices have 8 spare values).
		if o.z != nil {
			gaussGroups3(&w[0], o.x[t], o.y[t], o.z[t], &o.x[0], &o.y[0], &o.z[0], &groups[0], len(groups), o.c2)
		} else {
			gaussGroups2(&w[0], o.x[t], o.y[t], &o.x[0], &o.y[0], &groups[0], len(groups), o.c2)
		}
		return
	}
	for q, gr := range groups {
		s0, lanes := int(uint32(gr)), uint8(gr>>32)
		for l := 0; l < 8; l++ {
			var v float32
			if lanes>>l&1 != 0 {
				v = gauss(o.pairDist2(t, s0+l), o.c2)
			}
			w[8*q+l] = v
		}
	}
}

// blockAcc adds, for each weight w[8q+l], that weight times row s0+l of v (s0 group q's
// first source; rows of bp = len(acc) values) to acc: one fused multiply-add per column
// and lane, zero weights included (no branch per lane: v has 8 spare zero rows), groups
// in order and lanes ascending, lane l into set l % flySets of sums (set 0 is acc, the
// others in tmp; added pairwise at the end), which shortens the FMA latency chains.
func blockAcc(acc, tmp []float64, w []float32, v []float64, groups []int64, bp int) {
	if !haveBlockSIMD {
		blockAccGo(acc, tmp, w, v, groups, bp)
		return
	}
	for c0 := 0; c0 < bp; c0 += blockChunk {
		a, vv := &acc[c0], &v[c0]
		switch min(bp-c0, blockChunk) / 4 {
		case 1:
			blockAcc1(a, &w[0], vv, &groups[0], len(groups), 8*bp)
		case 2:
			blockAcc2(a, &w[0], vv, &groups[0], len(groups), 8*bp)
		case 3:
			blockAcc3(a, &w[0], vv, &groups[0], len(groups), 8*bp)
		default:
			blockAcc4(a, &w[0], vv, &groups[0], len(groups), 8*bp)
		}
	}
}

// flySets is the number of sets of sums blockAcc keeps for a chunk of width columns
// (scripts/kernel_gen_asm.py, fly_sets): 4 up to 12 columns, 2 for 16.
func flySets(width int) int {
	if width <= 12 {
		return 4
	}
	return 2
}

// blockAccGo is blockAcc in Go (the same terms, order and FMAs as blockAcc1-4); tmp
// holds 3 bp values.
func blockAccGo(acc, tmp []float64, w []float32, v []float64, groups []int64, bp int) {
	for c0 := 0; c0 < bp; c0 += blockChunk {
		width := min(bp-c0, blockChunk)
		ns := flySets(width)
		var sets [4][]float64
		sets[0] = acc[c0 : c0+width]
		for k := 1; k < ns; k++ {
			sets[k] = tmp[(k-1)*bp+c0 : (k-1)*bp+c0+width]
			clear(sets[k])
		}
		for q, gr := range groups {
			s0 := int(uint32(gr))
			for l := 0; l < 8; l++ {
				wf := float64(w[8*q+l])
				row := v[(s0+l)*bp+c0 : (s0+l)*bp+c0+width]
				sums := sets[l%ns]
				for j := range sums {
					sums[j] = math.FMA(wf, row[j], sums[j])
				}
			}
		}
		for j := 0; j < width; j++ {
			if ns == 4 {
				sets[0][j] = (sets[0][j] + sets[1][j]) + (sets[2][j] + sets[3][j])
			} else {
				sets[0][j] += sets[1][j]
			}
		}
	}
}

// cachedBlock is MulBlock from the stored tiles, in the two passes of cachedProduct: the
// owner of cell i applies each tile (i, j >= i) both ways, into its own rows and into
// the tile's buffer of padded rows (yblk), then each cell adds the buffers of its tiles
// (i < j, j) in ascending i. vp is src with rows padded to bp.
func (o *Operator) cachedBlock(dst, vp []float64, b, bp int, add bool) {
	g := o.g
	c := o.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if need := len(c.ybuf) * bp; cap(c.yblk) < need {
		c.releaseYblk() // let the old one go before allocating the larger
		c.yblk, c.releaseYblk = offHeap[float64](c, need)
	}
	yblk := c.yblk[:len(c.ybuf)*bp]
	// Per worker: the cell's direct sums (acc) and the diagonal tile's transposed ones
	// (tacc), which must not alias the direct rows the loops hold in registers.
	stride := o.maxCell * bp
	o.parallelScratch(2*stride+bp, func(scratch []float64, i int) {
		if i >= o.cachedCells {
			return
		}
		ci := g.Cells[i]
		ni := ci.End - ci.Start
		acc := scratch[:ni*bp]
		tacc := scratch[stride : stride+ni*bp]
		tmp := scratch[2*stride:]
		clear(acc)
		clear(tacc)
		vi := vp[ci.Start*bp : ci.End*bp]
		np := int64(ni+1) / 2
		for k := g.NbrPtr[i]; k < g.NbrPtr[i+1]; k++ {
			j := int(g.NbrCells[k])
			if j < i {
				continue
			}
			base, wd := int(c.base[k]), int(c.width[k])
			if wd == 0 {
				continue
			}
			w := c.vals[c.voff[k]:]
			m := c.masks[c.moff[k]:]
			vj := vp[(g.Cells[j].Start+base)*bp : g.Cells[j].End*bp]
			var y []float64
			if j == i {
				y = tacc[base*bp:]
			} else {
				y = yblk[c.yoff[k]*int64(bp) : (c.yoff[k]+int64(wd))*int64(bp)]
				clear(y)
			}
			tileBlock(acc, y, tmp, w, m, vj, vi, c.pairs[c.poff[k]:c.poff[k]+np], ni, bp)
		}
		for t := 0; t < ni; t++ {
			out := dst[(ci.Start+t)*b : (ci.Start+t+1)*b]
			a, ta, v := acc[t*bp:], tacc[t*bp:], vi[t*bp:]
			for q := range out {
				s := (a[q] + ta[q]) + v[q]
				if add {
					s += out[q]
				}
				out[q] = s
			}
		}
	})
	o.parallel(func(_ []float64, j int) {
		cj := g.Cells[j]
		for k := g.NbrPtr[j]; k < g.NbrPtr[j+1]; k++ {
			i := int(g.NbrCells[k])
			if i >= j {
				break
			}
			wd := int(c.width[k])
			y := yblk[c.yoff[k]*int64(bp) : (c.yoff[k]+int64(wd))*int64(bp)]
			out := dst[(cj.Start+int(c.base[k]))*b:]
			for t := 0; t < wd; t++ {
				row, yt := out[t*b:(t+1)*b], y[t*bp:]
				for q := range row {
					row[q] += yt[q]
				}
			}
		}
	})
}

// tileBlock applies a stored tile of rows rows both ways: acc += T vj and y += T^T vi,
// acc, vi rows of the target cell, vj and y rows from the tile's first column, all rows
// of bp values; tmp (bp values) is the pure-Go loop's scratch.
func tileBlock(acc, y, tmp []float64, w []float32, m []uint16, vj, vi []float64, pairs [][2]uint16, rows, bp int) {
	if !haveBlockSIMD {
		tileBlockGo(acc, y, tmp, w, m, vj, vi, pairs, rows, bp)
		return
	}
	for c0 := 0; c0 < bp; c0 += blockChunk {
		a, yy, vv, vr, w0, m0, p0 := &acc[c0], &y[c0], &vj[c0], &vi[c0], &w[0], &m[0], &pairs[0]
		switch min(bp-c0, blockChunk) / 4 {
		case 1:
			tileBlock1(a, yy, w0, m0, vv, vr, p0, rows, 8*bp)
		case 2:
			tileBlock2(a, yy, w0, m0, vv, vr, p0, rows, 8*bp)
		case 3:
			tileBlock3(a, yy, w0, m0, vv, vr, p0, rows, 8*bp)
		default:
			tileBlock4(a, yy, w0, m0, vv, vr, p0, rows, 8*bp)
		}
	}
}

// tileBlockGo is tileBlock in Go (the same terms, order and FMAs as tileBlock1-4): per
// row pair, row 2p over the pair's groups, then row 2p+1; per row, columns ascending.
func tileBlockGo(acc, y, tmp []float64, w []float32, m []uint16, vj, vi []float64, pairs [][2]uint16, rows, bp int) {
	for p, pr := range pairs {
		lo, ng := int(pr[0]), int(pr[1])
		if ng == 0 {
			continue
		}
		for r := 0; r < 2 && 2*p+r < rows; r++ {
			row := (2*p + r) * bp
			tileRowGo(acc[row:row+bp], y[lo*bp:], tmp, w, m[:ng], vj[lo*bp:], vi[row:row+bp], bp, r)
		}
		nv := 0
		for _, mm := range m[:ng] {
			nv += bits.OnesCount16(mm)
		}
		w, m = w[nv:], m[ng:]
	}
}

// tileRowGo applies one row of a stored row pair (hi = 0: row 2p, 1: row 2p+1) over its
// ng = len(m) groups both ways: acc += (the row) vj and y += (the row)^T vt, with vj and
// y rows of bp values from the pair's first column, w the pair's packed values (per
// group, row 2p's values first). The row's sums go in two sets as in blockAccGo (tmp
// holds the second).
func tileRowGo(acc, y, tmp []float64, w []float32, m []uint16, vj, vt []float64, bp, hi int) {
	tmp = tmp[:bp]
	clear(tmp)
	for gr, mm := range m {
		mk := uint8(mm)
		ww := w
		if hi == 1 {
			ww = w[bits.OnesCount8(mk):]
			mk = uint8(mm >> 8)
		}
		for rank := 0; mk != 0; mk, rank = mk&(mk-1), rank+1 {
			col := (8*gr + bits.TrailingZeros8(mk)) * bp
			wf := float64(ww[rank])
			sums := acc
			if rank&1 == 1 {
				sums = tmp
			}
			vc, yc := vj[col:col+bp], y[col:col+bp]
			for q := range vt {
				sums[q] = math.FMA(wf, vc[q], sums[q])
				yc[q] = math.FMA(wf, vt[q], yc[q])
			}
		}
		w = w[bits.OnesCount16(mm):]
	}
	for q := range acc {
		acc[q] += tmp[q]
	}
}
