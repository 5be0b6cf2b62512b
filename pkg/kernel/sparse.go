package kernel

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/spectral-dev/spectral/internal/parallel"
)

// Sparse is a symmetric affinity matrix in CSR form (input order), for the adaptive
// affinities (kNN graph, self-tuning): it has Dims, MulVec, Degrees and MulBlock, so the
// Laplacian wrappers and the solvers use it as they use the Gaussian Operator. Values are
// float64: these graphs have tens of nonzeros per row, so memory is not the constraint
// that pushed the Gaussian cache to float32. Diag is a constant on the diagonal, kept out
// of the CSR (1 for kernels with K(i,i) = 1, 0 for graphs without self loops).
//
// Products are written by hand (gonum has no sparse type): rows are split into fixed
// chunks, each row summed by one worker in CSR order, so results are bit-identical for
// any number of threads.
//
// Rows are in a spatial (Morton) order, not the input's: Perm[r] is the input index of
// row r (nil = input order). On a cloud in random order (the generated Swiss roll) input
// order makes every x[j] of a product a cache miss: 10^6 points, knn, measured 1.5 s per
// product against tens of milliseconds in Morton order (docs/bench/cluster.md).
type Sparse struct {
	n       int
	Ptr     []int64
	Idx     []int32
	Val     []float64
	Diag    float64
	Perm    []int
	deg     []float64
	threads int
}

// NewSparse checks a CSR pattern (symmetric, no diagonal entries, columns ascending) and
// computes the degrees.
func NewSparse(ptr []int64, idx []int32, val []float64, diag float64, threads int) (*Sparse, error) {
	n := len(ptr) - 1
	if n < 1 || ptr[0] != 0 || ptr[n] != int64(len(idx)) || len(idx) != len(val) {
		return nil, fmt.Errorf("kernel: inconsistent CSR (%d rows, %d indices, %d values)", n, len(idx), len(val))
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	s := &Sparse{n: n, Ptr: ptr, Idx: idx, Val: val, Diag: diag, threads: threads}
	s.deg = make([]float64, n)
	for i := range n {
		d := diag
		for p := ptr[i]; p < ptr[i+1]; p++ {
			if j := idx[p]; j < 0 || int(j) >= n || int(j) == i || (p > ptr[i] && idx[p-1] >= j) {
				return nil, fmt.Errorf("kernel: CSR row %d: bad column %d", i, j)
			}
			d += val[p]
		}
		s.deg[i] = d
	}
	return s, nil
}

// Dims is the number of points.
func (s *Sparse) Dims() int { return s.n }

// Degrees are the row sums, Diag included.
func (s *Sparse) Degrees() []float64 { return s.deg }

// NNZ is the number of stored off-diagonal nonzeros (each pair twice).
func (s *Sparse) NNZ() int64 { return int64(len(s.Idx)) }

// LaplacianBound is a Gershgorin bound on the eigenvalues of D - K: row i has centre and
// radius D_i - Diag.
func (s *Sparse) LaplacianBound() float64 {
	m := 0.0
	for _, d := range s.deg {
		m = math.Max(m, d-s.Diag)
	}
	return 2 * m
}

// rows runs f over fixed row ranges on the operator's workers.
func (s *Sparse) rows(f func(lo, hi int)) { parallel.Range(s.n, s.threads, sparseRows, f) }

// sparseRows is the rows a worker takes at a time in the sparse loops.
const sparseRows = 4096

// MulVec sets dst = K src.
func (s *Sparse) MulVec(dst, src []float64) {
	s.rows(func(lo, hi int) {
		for i := lo; i < hi; i++ {
			acc := s.Diag * src[i]
			for p := s.Ptr[i]; p < s.Ptr[i+1]; p++ {
				acc += s.Val[p] * src[s.Idx[p]]
			}
			dst[i] = acc
		}
	})
}

// MulBlock sets dst = K src for n x b row-major blocks (eigsh.BlockOperator).
func (s *Sparse) MulBlock(dst, src []float64, b int) {
	s.rows(func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out := dst[i*b : (i+1)*b]
			in := src[i*b : (i+1)*b]
			for c := range out {
				out[c] = s.Diag * in[c]
			}
			for p := s.Ptr[i]; p < s.Ptr[i+1]; p++ {
				v := s.Val[p]
				x := src[int(s.Idx[p])*b : int(s.Idx[p])*b+b]
				for c := range out {
					out[c] += v * x[c]
				}
			}
		}
	})
}

// Sub is the principal submatrix on the points keep (ascending input indices), for the
// cloud of those points alone: its Perm maps to positions in keep.
func (s *Sparse) Sub(keep []int) (*Sparse, error) {
	pos := make([]int32, s.n) // input index -> position in keep + 1
	for k, i := range keep {
		pos[i] = int32(k) + 1
	}
	newID := make([]int32, s.n) // row -> new row, -1 dropped
	var perm []int
	for r := range s.n {
		newID[r] = -1
		if p := pos[s.input(r)]; p > 0 {
			newID[r] = int32(len(perm))
			perm = append(perm, int(p-1))
		}
	}
	ptr := make([]int64, len(perm)+1)
	var idx []int32
	var val []float64
	k := 0
	for r := range s.n {
		if newID[r] < 0 {
			continue
		}
		for p := s.Ptr[r]; p < s.Ptr[r+1]; p++ {
			if j := newID[s.Idx[p]]; j >= 0 {
				idx = append(idx, j)
				val = append(val, s.Val[p])
			}
		}
		k++
		ptr[k] = int64(len(idx))
	}
	sub, err := NewSparse(ptr, idx, val, s.Diag, s.threads)
	if err == nil {
		sub.Perm = perm
	}
	return sub, err
}

// input is the input index of row r.
func (s *Sparse) input(r int) int {
	if s.Perm == nil {
		return r
	}
	return s.Perm[r]
}

// spatialOrder returns the points (N x dim) sorted along a Morton curve of 2^21 cells
// per axis over their bounding box (ties: input order), and its inverse. The codes and
// the sort run on threads workers (0 = GOMAXPROCS): fixed chunks sorted in parallel, then
// merged pairwise; the keys are distinct (code, input index), so the order is the same
// for any number of threads.
func spatialOrder(points []float64, dim, threads int) (perm []int, inv []int32) {
	n := len(points) / dim
	keys := sortKeys(mortonKeys(points, dim, threads), threads)
	perm = make([]int, n)
	inv = make([]int32, n)
	parallel.Range(n, threads, sparseRows, func(l, h int) {
		for r := l; r < h; r++ {
			k := keys[r]
			perm[r] = int(k.i)
			inv[k.i] = int32(r)
		}
	})
	return perm, inv
}

// mortonKeys are the points' Morton codes with their input indices, unsorted.
func mortonKeys(points []float64, dim, threads int) []mortonKey {
	n := len(points) / dim
	var lo, hi [3]float64
	for a := range dim {
		lo[a], hi[a] = math.Inf(1), math.Inf(-1)
	}
	for i := range n {
		for a := range dim {
			lo[a] = math.Min(lo[a], points[i*dim+a])
			hi[a] = math.Max(hi[a], points[i*dim+a])
		}
	}
	ext := 0.0
	for a := range dim {
		ext = math.Max(ext, hi[a]-lo[a])
	}
	scale := 0.0
	if ext > 0 {
		scale = float64(1<<21-1) / ext
	}
	keys := make([]mortonKey, n)
	parallel.Range(n, threads, sparseRows, func(l, h int) {
		for i := l; i < h; i++ {
			var code uint64
			for a := range dim {
				q := uint64((points[i*dim+a] - lo[a]) * scale)
				for b := range 21 {
					code |= (q >> b & 1) << (uint(b)*uint(dim) + uint(a))
				}
			}
			keys[i] = mortonKey{code, int32(i)}
		}
	})
	return keys
}

type mortonKey struct {
	code uint64
	i    int32
}

func cmpKey(x, y mortonKey) int {
	if x.code != y.code {
		if x.code < y.code {
			return -1
		}
		return 1
	}
	return int(x.i - y.i)
}

// sortKeys sorts distinct keys: runs of sortRun sorted in parallel, then merged in
// pairs of runs, each merge of a level in parallel (a ping-pong buffer).
func sortKeys(keys []mortonKey, threads int) []mortonKey {
	const sortRun = 1 << 16
	n := len(keys)
	nr := (n + sortRun - 1) / sortRun
	parallel.Each(nr, threads, func(r int) {
		slices.SortFunc(keys[r*sortRun:min((r+1)*sortRun, n)], cmpKey)
	})
	buf := make([]mortonKey, n)
	for w := sortRun; w < n; w *= 2 {
		pairs := (n + 2*w - 1) / (2 * w)
		src, dst := keys, buf
		parallel.Each(pairs, threads, func(p int) {
			a0, a1, b1 := p*2*w, min(p*2*w+w, n), min(p*2*w+2*w, n)
			i, j, o := a0, a1, a0
			for i < a1 && j < b1 {
				if cmpKey(src[j], src[i]) < 0 {
					dst[o] = src[j]
					j++
				} else {
					dst[o] = src[i]
					i++
				}
				o++
			}
			o += copy(dst[o:], src[i:a1])
			copy(dst[o:], src[j:b1])
		})
		keys, buf = buf, keys
	}
	return keys
}

// permuteRows renumbers rows (indexed and pointing by input index) to the order perm,
// in parallel (rows are disjoint).
func permuteRows(rows [][]edge, perm []int, inv []int32, threads int) [][]edge {
	out := make([][]edge, len(rows))
	parallel.Range(len(rows), threads, sparseRows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			out[r] = rows[perm[r]]
			for q := range out[r] {
				out[r][q].j = inv[out[r][q].j]
			}
		}
	})
	return out
}

// edge is one directed entry of a matrix under construction.
type edge struct {
	j int32
	w float64
}

// symmetricCSR adds every directed entry (i, j, w) of rows and its transpose (j, i, w),
// sums entries that meet, and sorts columns. Callers give each directed (i, j) at most
// once, so at most two entries meet and their sum does not depend on the order in which
// the parallel scatter placed them: the result is deterministic.
func symmetricCSR(rows [][]edge, threads int) (ptr []int64, idx []int32, val []float64) {
	n := len(rows)
	cnt := make([]int64, n+1)
	parallel.Range(n, threads, sparseRows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			atomic.AddInt64(&cnt[i+1], int64(len(rows[i])))
			for _, e := range rows[i] {
				atomic.AddInt64(&cnt[e.j+1], 1)
			}
		}
	})
	for i := range n {
		cnt[i+1] += cnt[i]
	}
	all := make([]edge, cnt[n])
	fill := slices.Clone(cnt[:n])
	parallel.Range(n, threads, sparseRows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for _, e := range rows[i] {
				all[atomic.AddInt64(&fill[i], 1)-1] = e
				all[atomic.AddInt64(&fill[e.j], 1)-1] = edge{int32(i), e.w}
			}
		}
	})
	// Sort and merge each row; rows are independent.
	kept := make([]int64, n)
	parallel.Range(n, threads, sparseRows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := all[cnt[i]:cnt[i+1]]
			sortEdges(r)
			m := 0
			for _, e := range r {
				if m > 0 && r[m-1].j == e.j {
					r[m-1].w += e.w
				} else {
					r[m] = e
					m++
				}
			}
			kept[i] = int64(m)
		}
	})
	ptr = make([]int64, n+1)
	for i := range n {
		ptr[i+1] = ptr[i] + kept[i]
	}
	idx = make([]int32, ptr[n])
	val = make([]float64, ptr[n])
	parallel.Range(n, threads, sparseRows, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for k, e := range all[cnt[i] : cnt[i]+kept[i]] {
				idx[ptr[i]+int64(k)] = e.j
				val[ptr[i]+int64(k)] = e.w
			}
		}
	})
	return ptr, idx, val
}

// sortEdges sorts a row by column: by insertion for the short rows of knn graphs (about
// 2k entries; written out, it costs half of slices.SortFunc's calls to a comparison,
// measured with scripts/knnbuild), slices.SortFunc beyond.
func sortEdges(r []edge) {
	if len(r) > 48 {
		slices.SortFunc(r, func(a, b edge) int { return int(a.j - b.j) })
		return
	}
	for i := 1; i < len(r); i++ {
		e := r[i]
		k := i
		for k > 0 && r[k-1].j > e.j {
			r[k] = r[k-1]
			k--
		}
		r[k] = e
	}
}

// OffDiagonalRow appends row i's stored entries (row order) to idx and val, as
// Operator.OffDiagonalRow does for the Gaussian kernel.
func (s *Sparse) OffDiagonalRow(i int, idx []int32, val []float64) ([]int32, []float64) {
	return append(idx, s.Idx[s.Ptr[i]:s.Ptr[i+1]]...), append(val, s.Val[s.Ptr[i]:s.Ptr[i+1]]...)
}
