package figure

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// subsampleSeed fixes the display subset, so that repeated plots of the same cloud
// show the same points.
const subsampleSeed = 20241129

// Subsample returns the indices of the points drawn from a cloud of n points: all of
// them when n <= max, otherwise max distinct indices chosen at random with a fixed
// seed, in increasing order. The choice depends only on n and max.
func Subsample(n, max int) []int {
	if max < 0 || n <= max {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	// Partial Fisher-Yates: the first max entries of a random permutation.
	rng := rand.New(rand.NewPCG(subsampleSeed, 0))
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	for i := 0; i < max; i++ {
		j := i + rng.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	idx := make([]int, max)
	for i := range idx {
		idx[i] = int(perm[i])
	}
	slices.Sort(idx)
	return idx
}

// upOrder maps Options.Up to the cloud axes taken as the view's x, y and z: for a
// y-up model (the Stanford bunny, most meshes) the view's z is the cloud's y.
var upOrder = map[string][3]int{"": {0, 1, 2}, "z": {0, 1, 2}, "y": {2, 0, 1}, "x": {1, 2, 0}}

// project fills f.x, f.y with the orthographic projection of the points idx of a 3D
// cloud and returns idx reordered far to near (painter's order), the order in which
// f.x, f.y are stored.
func (f *figure) project(coords []float64, idx []int) []int {
	az := f.opt.Azimuth * math.Pi / 180
	el := f.opt.Elevation * math.Pi / 180
	sa, ca := math.Sincos(az)
	se, ce := math.Sincos(el)
	// The eye looks from direction e towards the origin; r and u span the screen.
	// In the frame whose third axis is the cloud's up axis, then scattered back to the
	// cloud's axes: frame axis m is cloud axis order[m], a cyclic order, so the frame
	// stays right-handed and the picture is not mirrored.
	order := upOrder[f.opt.Up]
	var e, r, u [3]float64
	fe := [3]float64{ce * ca, ce * sa, se}
	fr := [3]float64{-sa, ca, 0}
	fu := [3]float64{-se * ca, -se * sa, ce}
	for m, k := range order {
		e[k], r[k], u[k] = fe[m], fr[m], fu[m]
	}
	f.right, f.up = r, u
	type pt struct {
		i       int
		x, y, d float64
	}
	pts := make([]pt, len(idx))
	for k, i := range idx {
		p := coords[3*i : 3*i+3]
		pts[k] = pt{
			i: i,
			x: r[0]*p[0] + r[1]*p[1] + r[2]*p[2],
			y: u[0]*p[0] + u[1]*p[1] + u[2]*p[2],
			d: e[0]*p[0] + e[1]*p[1] + e[2]*p[2],
		}
	}
	// Smaller depth is farther from the eye: draw those first. Ties keep index order,
	// so the picture is deterministic.
	slices.SortStableFunc(pts, func(a, b pt) int { return cmp.Compare(a.d, b.d) })
	out := make([]int, len(pts))
	for k, p := range pts {
		out[k], f.x[k], f.y[k] = p.i, p.x, p.y
	}
	return out
}
