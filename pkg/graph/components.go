// Package graph finds the connected components of the graphs behind the spectral
// operators (the Gaussian kernel's pairs within the cutoff, or a sparse affinity), so a
// run can say before it solves whether the graph falls apart, and restrict itself to one
// component. A disconnected graph has one zero eigenvalue per component and its first
// eigenvectors only label the components, which is rarely what a user wants to see.
package graph

import "slices"

// UnionFind is a disjoint-set forest over 0..n-1 with path halving and union by size.
// Written by hand: gonum's graph/topo works on graph.Graph values (an object per node),
// far too heavy for 10^6 points and 10^8 pairs.
type UnionFind struct {
	parent []int32
	size   []int32
}

// NewUnionFind makes n singletons.
func NewUnionFind(n int) *UnionFind {
	u := &UnionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

// Find returns the root of i's set.
func (u *UnionFind) Find(i int32) int32 {
	p := u.parent
	for p[i] != i {
		p[i] = p[p[i]]
		i = p[i]
	}
	return i
}

// Union merges the sets of i and j and reports whether they were apart.
func (u *UnionFind) Union(i, j int32) bool {
	a, b := u.Find(i), u.Find(j)
	if a == b {
		return false
	}
	if u.size[a] < u.size[b] || (u.size[a] == u.size[b] && a > b) {
		a, b = b, a
	}
	u.parent[b] = a
	u.size[a] += u.size[b]
	return true
}

// Components labels every node with its component, numbered by decreasing size (ties:
// by smallest member), so label 0 is the largest component whatever the union order.
type Components struct {
	Label []int32 // per node, 0 = largest
	Sizes []int   // per label, decreasing
}

// Count is the number of components.
func (c *Components) Count() int { return len(c.Sizes) }

// Largest returns the nodes of component 0, ascending.
func (c *Components) Largest() []int {
	return c.Members(0)
}

// Members returns the nodes of component l, ascending.
func (c *Components) Members(l int32) []int {
	out := make([]int, 0, c.Sizes[l])
	for i, x := range c.Label {
		if x == l {
			out = append(out, i)
		}
	}
	return out
}

// Labels turns the sets of u into Components. The result depends only on the
// partition, not on the order of the unions.
func (u *UnionFind) Labels() *Components {
	n := len(u.parent)
	first := make([]int32, n) // root -> smallest member + 1 (0 = unseen)
	type comp struct {
		root, first int32
		size        int
	}
	var comps []comp
	for i := range n {
		r := u.Find(int32(i))
		if first[r] == 0 {
			first[r] = int32(i) + 1
			comps = append(comps, comp{r, int32(i), int(u.size[r])})
		}
	}
	slices.SortFunc(comps, func(a, b comp) int {
		if a.size != b.size {
			return b.size - a.size
		}
		return int(a.first - b.first)
	})
	lab := make([]int32, n) // root -> label, reused below
	for l, c := range comps {
		lab[c.root] = int32(l)
	}
	c := &Components{Label: make([]int32, n), Sizes: make([]int, len(comps))}
	for l, x := range comps {
		c.Sizes[l] = x.size
	}
	for i := range n {
		c.Label[i] = lab[u.Find(int32(i))]
	}
	return c
}

// OfCSR returns the components of the symmetric sparse pattern ptr/idx (row i's
// neighbours are idx[ptr[i]:ptr[i+1]]).
func OfCSR(ptr []int64, idx []int32) *Components {
	n := len(ptr) - 1
	u := NewUnionFind(n)
	for i := range n {
		for _, j := range idx[ptr[i]:ptr[i+1]] {
			if j > int32(i) {
				u.Union(int32(i), j)
			}
		}
	}
	return u.Labels()
}

// InOrder returns the components with node r renamed perm[r] (e.g. from an operator's
// row order to input order), numbered again by size then smallest member (nil perm: c).
func (c *Components) InOrder(perm []int) *Components {
	if perm == nil {
		return c
	}
	u := NewUnionFind(len(perm))
	first := make([]int32, len(c.Sizes))
	for l := range first {
		first[l] = -1
	}
	for r, l := range c.Label {
		if i := int32(perm[r]); first[l] < 0 {
			first[l] = i
		} else {
			u.Union(first[l], i)
		}
	}
	return u.Labels()
}
