package figure

import (
	"math"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// Layout constants, in points (1/72 inch) at the figure's resolution: text and
// spacing keep these sizes relative to each other, and resolution decides how many
// pixels a point is.
const (
	baseDPI      = 100 // the tutorial's matplotlib default, at DefaultWidth x DefaultHeight
	outerPad     = 4 * vg.Millimeter
	panelGap     = 5 * vg.Millimeter
	figTitleSize = 14
	titleSize    = 12
	labelSize    = 10 // axis labels, colour bar and legend titles
	tickSize     = 8.5
	barWidth     = 3 * vg.Millimeter // colour bar
	barGap       = 2 * vg.Millimeter // between the data area and its colour bar or legend
	tickLength   = 1.2 * vg.Millimeter
	margin       = 0.04 // fraction of the data extent left free around the cloud
)

// textFont is a sans-serif face, as in matplotlib's figures; gonum/plot registers
// the Liberation family (whose default variant is a serif), which has the Greek
// letters of φ and λ.
var textFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

func face(size vg.Length) font.Font {
	f := textFont
	f.Size = size
	return f
}

// resolution returns the figure's dots per inch. At and above the default size it
// grows with the image's linear size, so a 2400 x 1600 figure is a 2x copy of the
// 1200 x 800 one, as a print would be; below, only with the square root of that, so
// that text in a small figure stays readable instead of shrinking with it: at
// 800 x 400 it is 76 dpi and a 12 pt title is 13 pixels high (at 58 dpi, plain
// proportional scaling, it was 10 and unreadable).
func resolution(w, h int) int {
	s := math.Sqrt(float64(w) * float64(h) / (DefaultWidth * DefaultHeight))
	if s < 1 {
		s = math.Sqrt(s)
	}
	return max(int(math.Round(baseDPI*s)), 20)
}

// radius returns the glyph radius in points: the requested size, or one that lets
// the drawn points roughly cover the area the cloud occupies on screen (w x h points).
func (f *figure) radius(w, h float64, pxl vg.Length) vg.Length {
	if f.opt.PointSize > 0 {
		return vg.Length(f.opt.PointSize/2) * pxl
	}
	n := float64(len(f.x))
	// A 2D cloud (or an embedding) lies on a curve or a thin band rather than filling
	// its box, hence the small factor. A 3D surface wraps over itself in projection,
	// and its points must overlap for the painter's order to hide what is behind,
	// hence the larger one. Clamped so that sparse clouds do not turn into blobs and
	// dense ones stay visible.
	fill := 0.5
	switch f.dim {
	case 0:
		fill = 0.3 // an embedding draws curves: 0.5 made blobs of the spiral's
	case 3:
		fill = 1.5 // at 1.1 the far side of the bunny showed through its gaps
	}
	d := fill * math.Sqrt(w*h/n) / float64(pxl) // diameter in pixels
	d = math.Max(2, math.Min(7, d))
	return vg.Length(d/2) * pxl
}

// layout returns the grid shape: the requested number of columns, or the one that
// draws a cloud of extent dx x dy largest in an area of w x h where each panel
// loses ox x oy to its title, axes and colour bar, preferring fewer empty cells on
// ties.
func (f *figure) layout(w, h, ox, oy, dx, dy float64) (cols, rows int) {
	n := len(f.panels)
	if f.opt.Cols > 0 {
		cols = min(f.opt.Cols, n)
		return cols, (n + cols - 1) / cols
	}
	best, bestScale := 1, math.Inf(-1)
	for c := 1; c <= n; c++ {
		r := (n + c - 1) / c
		s := math.Min((w/float64(c)-ox)/dx, (h/float64(r)-oy)/dy)
		if c == 1 || s > bestScale+1e-9*math.Abs(bestScale) {
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
