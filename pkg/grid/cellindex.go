package grid

import (
	"cmp"
	"slices"
)

// cellIndex maps the integer coordinates of occupied cells (or aggregation boxes) to
// ids. A Go map keyed by three int64 hashes and compares 24 bytes per lookup, which was
// most of Build's time at 10^7 points (profile of the 10^7 roll: runtime.mapaccess and
// memeqbody); where every axis spans fewer than 2^21 cells, the coordinates' offsets
// from the minimum are packed into one uint64 key instead, and the wide map serves only
// clouds whose extent in cells is larger than that.
type cellIndex struct {
	packed map[uint64]int32
	wide   map[cellKey]int32
	lo, hi cellKey // the coordinate range that packs
}

// packBits is the width of one axis in a packed key.
const packBits = 21

// newCellIndex makes an index for keys between lo and hi (per axis, inclusive).
func newCellIndex(lo, hi cellKey, dim int) *cellIndex {
	x := &cellIndex{lo: lo, hi: hi}
	for a := 0; a < dim; a++ {
		if hi[a]-lo[a] >= 1<<packBits || hi[a] < lo[a] {
			x.wide = make(map[cellKey]int32)
			return x
		}
	}
	x.packed = make(map[uint64]int32)
	return x
}

// pack is k's packed key; false when k lies outside the range (then it is in no cell).
func (x *cellIndex) pack(k cellKey) (uint64, bool) {
	var p uint64
	for a := 2; a >= 0; a-- {
		if k[a] < x.lo[a] || k[a] > x.hi[a] {
			return 0, false
		}
		p = p<<packBits | uint64(k[a]-x.lo[a])
	}
	return p, true
}

// get is k's id.
func (x *cellIndex) get(k cellKey) (int32, bool) {
	if x.wide != nil {
		id, ok := x.wide[k]
		return id, ok
	}
	p, ok := x.pack(k)
	if !ok {
		return 0, false
	}
	id, ok := x.packed[p]
	return id, ok
}

// add returns k's id, giving it the next id (len) if it had none; added says which.
func (x *cellIndex) add(k cellKey) (id int32, added bool) {
	if x.wide != nil {
		if id, ok := x.wide[k]; ok {
			return id, false
		}
		id = int32(len(x.wide))
		x.wide[k] = id
		return id, true
	}
	p, _ := x.pack(k) // add is only called with keys inside the range
	if id, ok := x.packed[p]; ok {
		return id, false
	}
	id = int32(len(x.packed))
	x.packed[p] = id
	return id, true
}

// renumber replaces every id c by to[c].
func (x *cellIndex) renumber(to []int32) {
	for k, c := range x.packed {
		x.packed[k] = to[c]
	}
	for k, c := range x.wide {
		x.wide[k] = to[c]
	}
}

// len is the number of keys.
func (x *cellIndex) len() int { return len(x.packed) + len(x.wide) }

// hashNeighbours makes neighbours look every offset up in the hash map, as it does for
// clouds too wide to pack; tests set it to compare the two ways.
var hashNeighbours = false

// cellRows finds a cell's neighbours without hashing: the occupied cells' packed keys
// sorted (z, then y, then x), so the cells of one row of offsets (fixed y and z, x from
// x-r to x+r) are consecutive and one binary search finds them. At 10^7 points the
// (2r+1)^dim map lookups per cell, at random places in a map of a million cells, were most
// of Build's time; this does (2r+1)^(dim-1) searches per cell and reads the rest in order.
type cellRows struct {
	keys []uint64 // packed, ascending
	ids  []int32  // the cell of keys[p]
	x    *cellIndex
	dim  int
}

// newCellRows sorts the cells' packed keys; keys[c] is cell c's key (Build's sorted
// cells, no map lookups: the map's ids are in order of first appearance, not cells).
func newCellRows(keys []cellKey, x *cellIndex, dim int) *cellRows {
	type entry struct {
		p  uint64
		id int32
	}
	e := make([]entry, len(keys))
	for c, k := range keys {
		p, _ := x.pack(k)
		e[c] = entry{p, int32(c)}
	}
	slices.SortFunc(e, func(a, b entry) int { return cmp.Compare(a.p, b.p) })
	r := &cellRows{x: x, dim: dim, keys: make([]uint64, len(e)), ids: make([]int32, len(e))}
	for i, v := range e {
		r.keys[i], r.ids[i] = v.p, v.id
	}
	return r
}

// within appends to list the cells within rings offsets per axis of cell k that keep
// says to keep (in key order; the caller sorts).
func (r *cellRows) within(list []int32, k cellKey, rings int, keep func(int32) bool) []int32 {
	side := 2*rings + 1
	nrows := 1
	for a := 1; a < r.dim; a++ {
		nrows *= side
	}
	for o := 0; o < nrows; o++ {
		lo, hi := k, k
		q := o
		for a := 1; a < r.dim; a++ {
			d := int64(q%side - rings)
			lo[a] += d
			hi[a] += d
			q /= side
		}
		lo[0] -= int64(rings)
		hi[0] += int64(rings)
		// Clamp the row to the packed range; a row outside it holds no cell.
		out := false
		for a := 0; a < 3; a++ {
			lo[a] = max(lo[a], r.x.lo[a])
			hi[a] = min(hi[a], r.x.hi[a])
			out = out || lo[a] > hi[a]
		}
		if out {
			continue
		}
		plo, _ := r.x.pack(lo)
		phi, _ := r.x.pack(hi)
		for p, _ := slices.BinarySearch(r.keys, plo); p < len(r.keys) && r.keys[p] <= phi; p++ {
			if j := r.ids[p]; keep(j) {
				list = append(list, j)
			}
		}
	}
	return list
}
