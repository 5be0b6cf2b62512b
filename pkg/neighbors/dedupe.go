package neighbors

import "math"

// distinct lists the distinct positions of a cloud.
type distinct struct {
	rep  []int32 // rep[d]: index of the first point at distinct position d
	mult []int32 // mult[d]: number of points at position d
	of   []int32 // of[i]: distinct position of point i
}

// dedupe groups points by exact equality of all coordinates (-0 equals +0) with an
// open-addressing hash table over the coordinate bits: O(N), no sort. Each slot keeps the
// hash's upper half beside the position, so a probe reads a point's coordinates only
// when the hashes agree (a duplicate, or a rare collision), not at every occupied slot.
func dedupe(points []float64, dim int) distinct {
	n := len(points) / dim
	u := distinct{of: make([]int32, n)}
	size := 1
	for size < 2*n {
		size <<= 1
	}
	mask := uint64(size - 1)
	table := make([]uint64, size) // hash>>32 << 32 | (distinct id + 1); 0 = empty
	for i := range n {
		p := points[i*dim : i*dim+dim]
		var h uint64 = 0x9e3779b97f4a7c15
		for _, v := range p {
			h = mix(h ^ math.Float64bits(v+0)) // v+0 maps -0 to +0
		}
		tag := h &^ 0xffffffff
		for j := h & mask; ; j = (j + 1) & mask {
			t := table[j]
			if t == 0 {
				d := int32(len(u.rep))
				table[j] = tag | uint64(d+1)
				u.rep = append(u.rep, int32(i))
				u.mult = append(u.mult, 1)
				u.of[i] = d
				break
			}
			if t&^0xffffffff != tag {
				continue
			}
			d := int32(t&0xffffffff) - 1
			if equal(p, points[int(u.rep[d])*dim:]) {
				u.mult[d]++
				u.of[i] = d
				break
			}
		}
	}
	return u
}

func equal(p, q []float64) bool {
	for a := range p {
		if p[a] != q[a] {
			return false
		}
	}
	return true
}

// mix is the 64-bit finaliser of MurmurHash3: it spreads every input bit over the output,
// so nearby coordinates and cell indices land in unrelated slots.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
