package grid

import "testing"

// TestCellIndexModes: the packed and the wide index give the same ids, and keys just
// outside the packed range are absent rather than aliased onto another cell.
func TestCellIndexModes(t *testing.T) {
	keys := []cellKey{{0, 0, 0}, {5, -3, 2}, {-7, 4, 1}, {5, -3, 2}, {1<<packBits - 8, 0, 0}}
	lo, hi := cellKey{-7, -3, 0}, cellKey{1<<packBits - 8, 4, 2}
	packed := newCellIndex(lo, hi, 3)
	wideHi := hi
	wideHi[0] = lo[0] + 1<<packBits // one cell too many to pack
	wide := newCellIndex(lo, wideHi, 3)
	if packed.packed == nil || wide.wide == nil {
		t.Fatalf("modes: packed %v, wide %v", packed.packed != nil, wide.wide != nil)
	}
	for i, k := range keys {
		a, addA := packed.add(k)
		b, addB := wide.add(k)
		if a != b || addA != addB {
			t.Errorf("key %d %v: packed (%d, %v), wide (%d, %v)", i, k, a, addA, b, addB)
		}
	}
	if packed.len() != 4 || wide.len() != 4 {
		t.Errorf("len %d and %d, want 4", packed.len(), wide.len())
	}
	for _, k := range []cellKey{{-8, 0, 0}, {0, 5, 0}, {0, 0, 3}, {1<<packBits - 7, 0, 0}} {
		if id, ok := packed.get(k); ok {
			t.Errorf("key %v outside the range found as %d", k, id)
		}
	}
	packed.renumber([]int32{3, 2, 1, 0})
	wide.renumber([]int32{3, 2, 1, 0})
	for _, k := range keys {
		a, okA := packed.get(k)
		b, okB := wide.get(k)
		if a != b || !okA || !okB {
			t.Errorf("after renumber %v: %d/%v and %d/%v", k, a, okA, b, okB)
		}
	}
	if id, _ := packed.get(cellKey{0, 0, 0}); id != 3 {
		t.Errorf("renumbered id %d, want 3", id)
	}
}
