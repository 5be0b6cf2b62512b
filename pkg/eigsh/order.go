package eigsh

import (
	"math"
	"slices"
)

// ndOrder is a geometric nested-dissection ordering of the nodes of a (coarse) graph
// with coordinates: split at the median of the widest axis, take as separator the nodes
// of the first half with a neighbour in the second, order both halves recursively and
// the separator last. For the meshes that aggregation produces it keeps the Cholesky
// factor's fill near that of a planar separator ordering (O(m log m) in 2D), where the
// Morton order alone fills like a band. It returns perm with perm[new] = old.
func ndOrder(a *Sparse, coords []float64, dim int) []int32 {
	m := a.N
	perm := make([]int32, 0, m)
	tag := make([]int32, m) // (call id << 1) | half, for the nodes of the current call
	nodes := make([]int32, m)
	for i := range nodes {
		nodes[i] = int32(i)
	}
	var call int32
	var rec func(nodes []int32)
	rec = func(nodes []int32) {
		if len(nodes) <= 64 {
			slices.Sort(nodes)
			perm = append(perm, nodes...)
			return
		}
		call++
		id := call
		lo := [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
		hi := [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
		for _, v := range nodes {
			for d := 0; d < dim; d++ {
				x := coords[int(v)*dim+d]
				lo[d], hi[d] = math.Min(lo[d], x), math.Max(hi[d], x)
			}
		}
		ax := 0
		for d := 1; d < dim; d++ {
			if hi[d]-lo[d] > hi[ax]-lo[ax] {
				ax = d
			}
		}
		slices.SortStableFunc(nodes, func(p, q int32) int {
			x, y := coords[int(p)*dim+ax], coords[int(q)*dim+ax]
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return int(p - q)
		})
		mid := len(nodes) / 2
		for k, v := range nodes {
			h := int32(0)
			if k >= mid {
				h = 1
			}
			tag[v] = id<<1 | h
		}
		var left, sep []int32
		for _, v := range nodes[:mid] {
			cut := false
			for p := a.Ptr[v]; p < a.Ptr[v+1]; p++ {
				if tag[a.Col[p]] == id<<1|1 {
					cut = true
					break
				}
			}
			if cut {
				sep = append(sep, v)
			} else {
				left = append(left, v)
			}
		}
		right := slices.Clone(nodes[mid:])
		rec(left)
		rec(right)
		slices.Sort(sep)
		perm = append(perm, sep...)
	}
	rec(nodes)
	return perm
}

// permuted returns P A P^T for perm[new] = old.
func (s *Sparse) permuted(perm []int32) *Sparse {
	m := s.N
	inv := make([]int32, m)
	for nw, old := range perm {
		inv[old] = int32(nw)
	}
	out := &Sparse{N: m, Ptr: make([]int, m+1), Col: make([]int32, len(s.Col)), Val: make([]float64, len(s.Val))}
	for nw, old := range perm {
		out.Ptr[nw+1] = out.Ptr[nw] + s.Ptr[old+1] - s.Ptr[old]
	}
	type ent struct {
		c int32
		v float64
	}
	var row []ent
	for nw, old := range perm {
		row = row[:0]
		for p := s.Ptr[old]; p < s.Ptr[old+1]; p++ {
			row = append(row, ent{inv[s.Col[p]], s.Val[p]})
		}
		slices.SortFunc(row, func(x, y ent) int { return int(x.c - y.c) })
		for k, e := range row {
			out.Col[out.Ptr[nw]+k], out.Val[out.Ptr[nw]+k] = e.c, e.v
		}
	}
	return out
}
