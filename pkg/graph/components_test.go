package graph

import (
	"slices"
	"testing"
)

func TestComponentsOfCSR(t *testing.T) {
	// 0-1-2 path, 3 alone, 4-5 pair, 6-7-8 triangle; symmetric pattern.
	adj := map[int][]int32{0: {1}, 1: {0, 2}, 2: {1}, 4: {5}, 5: {4}, 6: {7, 8}, 7: {6, 8}, 8: {6, 7}}
	n := 9
	ptr := make([]int64, n+1)
	var idx []int32
	for i := range n {
		idx = append(idx, adj[i]...)
		ptr[i+1] = int64(len(idx))
	}
	c := OfCSR(ptr, idx)
	if c.Count() != 4 {
		t.Fatalf("count %d, want 4", c.Count())
	}
	if want := []int{3, 3, 2, 1}; !slices.Equal(c.Sizes, want) {
		t.Errorf("sizes %v, want %v", c.Sizes, want)
	}
	// Equal sizes: the component with the smaller first member comes first.
	if want := []int32{0, 0, 0, 3, 2, 2, 1, 1, 1}; !slices.Equal(c.Label, want) {
		t.Errorf("labels %v, want %v", c.Label, want)
	}
	if got := c.Largest(); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("largest %v", got)
	}
}

func TestLabelsIndependentOfUnionOrder(t *testing.T) {
	pairs := [][2]int32{{0, 5}, {5, 9}, {2, 3}, {7, 8}, {8, 1}, {1, 4}}
	a := NewUnionFind(10)
	for _, p := range pairs {
		a.Union(p[0], p[1])
	}
	b := NewUnionFind(10)
	for k := len(pairs) - 1; k >= 0; k-- {
		b.Union(pairs[k][1], pairs[k][0])
	}
	la, lb := a.Labels(), b.Labels()
	if !slices.Equal(la.Label, lb.Label) || !slices.Equal(la.Sizes, lb.Sizes) {
		t.Errorf("order changed labels: %v %v vs %v %v", la.Label, la.Sizes, lb.Label, lb.Sizes)
	}
	if want := []int{4, 3, 2, 1}; !slices.Equal(la.Sizes, want) {
		t.Errorf("sizes %v, want %v", la.Sizes, want)
	}
	if la.Label[7] != 0 || la.Label[0] != 1 || la.Label[2] != 2 || la.Label[6] != 3 {
		t.Errorf("labels %v", la.Label)
	}
}

func TestInOrder(t *testing.T) {
	u := NewUnionFind(5)
	u.Union(0, 1) // rows {0,1}, {2}, {3,4}
	u.Union(3, 4)
	c := u.Labels()
	// Rows 0..4 are input points 4, 2, 0, 1, 3: {4,2}, {0}, {1,3}; equal sizes: {1,3}
	// (smallest member 1) is 0, {2,4} is 1.
	got := c.InOrder([]int{4, 2, 0, 1, 3})
	if want := []int32{2, 0, 1, 0, 1}; !slices.Equal(got.Label, want) || !slices.Equal(got.Sizes, []int{2, 2, 1}) {
		t.Errorf("labels %v sizes %v, want %v [2 2 1]", got.Label, got.Sizes, want)
	}
}
