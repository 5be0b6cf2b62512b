package figure

import (
	"math"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// Layout constants, in points (1/72 inch) at the figure's resolution.
const (
	baseDPI      = 100 // the tutorial's matplotlib default
	outerPad     = 6 * vg.Millimeter
	panelGap     = 5 * vg.Millimeter
	titleSize    = 12
	figTitleSize = 15
	margin       = 0.04 // fraction of the data extent left free around the cloud
)

// titleFont is a sans-serif face, as in matplotlib's figures; gonum/plot registers
// the Liberation family, whose default variant is a serif.
var titleFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// radius returns the glyph radius in points: the requested size, or one that lets
// the drawn points roughly cover the area the cloud occupies on screen (w x h points).
func (f *figure) radius(w, h float64, pxl vg.Length) vg.Length {
	if f.opt.PointSize > 0 {
		return vg.Length(f.opt.PointSize/2) * pxl
	}
	n := float64(len(f.x))
	// A 2D cloud lies on a curve or a thin band rather than filling its box, hence
	// the small factor. A 3D surface wraps over itself in projection, and its points
	// must overlap for the painter's order to hide what is behind, hence the larger
	// one. Clamped so that sparse clouds do not turn into blobs and dense ones stay
	// visible.
	fill := 0.5
	if f.dim == 3 {
		fill = 1.1
	}
	d := fill * math.Sqrt(w*h/n) / float64(pxl) // diameter in pixels
	d = math.Max(2, math.Min(7, d))
	return vg.Length(d/2) * pxl
}

// layout returns the grid shape: the requested number of columns, or the one that
// draws a cloud of extent dx x dy largest in an area of w x h, preferring fewer
// empty cells on ties.
func (f *figure) layout(w, h, dx, dy float64) (cols, rows int) {
	n := len(f.colors)
	if f.opt.Cols > 0 {
		cols = min(f.opt.Cols, n)
		return cols, (n + cols - 1) / cols
	}
	best, bestScale := 1, -1.0
	for c := 1; c <= n; c++ {
		r := (n + c - 1) / c
		s := math.Min(w/float64(c)/dx, h/float64(r)/dy)
		if s > bestScale*(1+1e-9) {
			best, bestScale = c, s
		}
	}
	return best, (n + best - 1) / best
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}
