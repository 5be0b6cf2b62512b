package grid

import (
	"slices"
	"testing"
)

// Isolate moves each group to an aggregate of its own after the others, drops the
// aggregates it empties and recomputes the centroids.
func TestIsolate(t *testing.T) {
	// 1D points 0..5 in boxes of 2: {0,1} {2,3} {4,5}.
	pts := []float64{0, 1, 2, 3, 4, 5}
	ag, err := Aggregate(pts, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if ag.M != 3 {
		t.Fatalf("%d aggregates, want 3", ag.M)
	}
	coord := func(i, _ int) float64 { return pts[i] }
	// Group 0: points 2 and 3 (emptying their box); group 1: point 5.
	out := ag.Isolate([]int32{-1, -1, 0, 0, -1, 1}, coord)
	if out.M != 4 {
		t.Fatalf("%d aggregates, want 4", out.M)
	}
	box := func(i int) int32 { return out.Labels[i] }
	if box(0) != box(1) || box(2) != box(3) || box(4) == box(5) || box(4) == box(0) {
		t.Fatalf("labels %v", out.Labels)
	}
	if box(2) < box(4) || box(5) < box(4) || box(5) == box(2) {
		t.Errorf("labels %v: the groups should follow the remaining boxes", out.Labels)
	}
	wantCount := map[int32]int{box(0): 2, box(2): 2, box(4): 1, box(5): 1}
	wantCent := map[int32]float64{box(0): 0.5, box(2): 2.5, box(4): 4, box(5): 5}
	for a, c := range wantCount {
		if out.Counts[a] != c || out.Centroids[a] != wantCent[a] {
			t.Errorf("aggregate %d: count %d centroid %g, want %d and %g", a, out.Counts[a], out.Centroids[a], c, wantCent[a])
		}
	}
	if !slices.Equal(ag.Labels, []int32{0, 0, 1, 1, 2, 2}) {
		t.Errorf("the input aggregation changed: %v", ag.Labels)
	}
	if same := ag.Isolate(make([]int32, 6), coord); same.M != 1 {
		t.Errorf("one group of every point: %d aggregates, want 1", same.M)
	}
	none := []int32{-1, -1, -1, -1, -1, -1}
	if same := ag.Isolate(none, coord); same != ag {
		t.Errorf("no groups: a new aggregation")
	}
}
