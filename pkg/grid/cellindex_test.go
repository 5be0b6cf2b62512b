package grid

import (
	"slices"
	"testing"
)

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

// TestNeighboursRowsMatchHash: the sorted-rows neighbour search finds exactly the cells
// the hash lookups find, on 1-, 2- and 3-D clouds with the default cells and with cells
// a quarter of the cutoff (several rings).
func TestNeighboursRowsMatchHash(t *testing.T) {
	r := uint64(11)
	next := func() float64 {
		r = r*6364136223846793005 + 1442695040888963407
		return float64(r>>11) / (1 << 53)
	}
	for _, dim := range []int{1, 2, 3} {
		pts := make([]float64, 3000*dim)
		for i := range pts {
			pts[i] = 40 * next() * next() // denser near 0: empty and full cells
		}
		for _, opt := range []Options{{}, {CellSize: 1}} {
			build := func(hash bool) *Grid {
				defer func(h bool) { hashNeighbours = h }(hashNeighbours)
				hashNeighbours = hash
				g, err := Build(pts, dim, 1, 4, opt)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			a, b := build(false), build(true)
			if !slices.Equal(a.NbrPtr, b.NbrPtr) || !slices.Equal(a.NbrCells, b.NbrCells) ||
				!slices.Equal(a.RangePtr, b.RangePtr) || !slices.Equal(a.Ranges, b.Ranges) {
				t.Errorf("dim %d cell size %g: rows and hash neighbours differ (%d and %d neighbour entries)", dim, opt.CellSize, len(a.NbrCells), len(b.NbrCells))
			}
			if len(a.NbrCells) <= len(a.Cells) {
				t.Errorf("dim %d: only %d neighbour entries for %d cells", dim, len(a.NbrCells), len(a.Cells))
			}
		}
	}
}
