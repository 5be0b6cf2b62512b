package eigsh

import (
	"fmt"
	"slices"
)

// Sparse is a symmetric matrix in compressed sparse row form (both triangles stored,
// columns ascending in each row): the coarse levels of the multilevel solver. Products
// are parallel over rows, each row summed by one worker in column order, so the bits do
// not depend on GOMAXPROCS.
type Sparse struct {
	N   int
	Ptr []int   // row i is Col[Ptr[i]:Ptr[i+1]], Val[Ptr[i]:Ptr[i+1]]
	Col []int32 // ascending within a row
	Val []float64
}

// Dims is the order of the matrix.
func (s *Sparse) Dims() int { return s.N }

// MulVec sets dst = S src.
func (s *Sparse) MulVec(dst, src []float64) { s.MulBlock(dst, src, 1) }

// MulBlock sets dst = S src for n x b row-major blocks.
func (s *Sparse) MulBlock(dst, src []float64, b int) {
	if b == 1 {
		// One column (the coarsest level's Lanczos): a plain dot product per row, which
		// the b-wide loop below ran ~5x slower (its per-entry slicing).
		parChunks(s.N, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				var y float64
				for p := s.Ptr[i]; p < s.Ptr[i+1]; p++ {
					y += s.Val[p] * src[s.Col[p]]
				}
				dst[i] = y
			}
		})
		return
	}
	parChunks(s.N, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			y := dst[i*b : (i+1)*b]
			clear(y)
			for p := s.Ptr[i]; p < s.Ptr[i+1]; p++ {
				v := s.Val[p]
				x := src[int(s.Col[p])*b : int(s.Col[p])*b+b]
				for j := range y {
					y[j] += v * x[j]
				}
			}
		}
	})
}

// Check reports a malformed matrix: pointers, column range and order, and symmetry of
// the pattern and values.
func (s *Sparse) Check() error {
	if len(s.Ptr) != s.N+1 || s.Ptr[0] != 0 || s.Ptr[s.N] != len(s.Col) || len(s.Col) != len(s.Val) {
		return fmt.Errorf("eigsh: sparse matrix of order %d has inconsistent arrays", s.N)
	}
	for i := 0; i < s.N; i++ {
		for p := s.Ptr[i]; p < s.Ptr[i+1]; p++ {
			j := int(s.Col[p])
			if j < 0 || j >= s.N || (p > s.Ptr[i] && s.Col[p-1] >= s.Col[p]) {
				return fmt.Errorf("eigsh: sparse row %d: column %d out of order or range", i, j)
			}
			if q, ok := s.find(j, int32(i)); !ok || s.Val[q] != s.Val[p] {
				return fmt.Errorf("eigsh: sparse matrix not symmetric at (%d, %d)", i, j)
			}
		}
	}
	return nil
}

func (s *Sparse) find(i int, j int32) (int, bool) {
	row := s.Col[s.Ptr[i]:s.Ptr[i+1]]
	k, ok := slices.BinarySearch(row, j)
	return s.Ptr[i] + k, ok
}

// Galerkin returns Q^T S Q for the n x m matrix Q with one nonzero per row,
// Q[i, labels[i]] = w[i]: the coarse operator of an aggregation. Entry (a, c) sums
// w[i] S[i,j] w[j] over i in aggregate a and j in c, rows in ascending order, so the
// result is exactly symmetric up to the order of the additions (it is symmetrised).
func (s *Sparse) Galerkin(labels []int32, w []float64, m int) *Sparse {
	// Rows of each aggregate, in ascending order.
	start := make([]int, m+1)
	for _, a := range labels {
		start[a+1]++
	}
	for a := 0; a < m; a++ {
		start[a+1] += start[a]
	}
	members := make([]int32, len(labels))
	next := slices.Clone(start[:m])
	for i, a := range labels {
		members[next[a]] = int32(i)
		next[a]++
	}
	rows := make([][]int32, m)
	vals := make([][]float64, m)
	const chunk = 256
	nch := (m + chunk - 1) / chunk
	parChunksN(nch, func(c int) {
		acc := make([]float64, m)
		mark := make([]bool, m)
		var touched []int32
		for a := c * chunk; a < min(m, (c+1)*chunk); a++ {
			touched = touched[:0]
			for _, i := range members[start[a]:start[a+1]] {
				wi := w[i]
				for p := s.Ptr[i]; p < s.Ptr[i+1]; p++ {
					j := s.Col[p]
					b := labels[j]
					if !mark[b] {
						mark[b] = true
						touched = append(touched, b)
					}
					acc[b] += wi * s.Val[p] * w[j]
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
	})
	return assemble(m, rows, vals)
}

// assemble builds a Sparse from rows given as ascending columns and values, making the
// values exactly symmetric by averaging each pair (a, c), (c, a).
func assemble(m int, rows [][]int32, vals [][]float64) *Sparse {
	out := &Sparse{N: m, Ptr: make([]int, m+1)}
	for a := 0; a < m; a++ {
		out.Ptr[a+1] = out.Ptr[a] + len(rows[a])
	}
	out.Col = make([]int32, out.Ptr[m])
	out.Val = make([]float64, out.Ptr[m])
	for a := 0; a < m; a++ {
		copy(out.Col[out.Ptr[a]:], rows[a])
		copy(out.Val[out.Ptr[a]:], vals[a])
	}
	for a := 0; a < m; a++ {
		for p := out.Ptr[a]; p < out.Ptr[a+1]; p++ {
			c := int(out.Col[p])
			if c <= a {
				continue
			}
			if q, ok := out.find(c, int32(a)); ok {
				v := 0.5 * (out.Val[p] + out.Val[q])
				out.Val[p], out.Val[q] = v, v
			}
		}
	}
	return out
}

// NewSparse builds a symmetric Sparse matrix from rows of ascending columns and values
// (row a is cols[a], vals[a]); pairs (a, c) and (c, a) are averaged so the result is
// exactly symmetric. It returns an error when a column is out of range or out of order,
// or the pattern is not symmetric.
func NewSparse(m int, cols [][]int32, vals [][]float64) (*Sparse, error) {
	if len(cols) != m || len(vals) != m {
		return nil, fmt.Errorf("eigsh: NewSparse: %d rows of columns and %d of values, want %d", len(cols), len(vals), m)
	}
	for a := range cols {
		if len(cols[a]) != len(vals[a]) {
			return nil, fmt.Errorf("eigsh: NewSparse: row %d has %d columns and %d values", a, len(cols[a]), len(vals[a]))
		}
	}
	s := assemble(m, cols, vals)
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

// parChunksN runs f(0..nch-1) on GOMAXPROCS workers.
func parChunksN(nch int, f func(c int)) {
	parChunks(nch*blockRows, func(c, _, _ int) { f(c) })
}
