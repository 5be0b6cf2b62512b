// Package figure draws a cloud coloured by eigenvectors as a PNG grid of scatter plots.
//
// Numbers go in (the point coordinates, one value per point for each panel) and a PNG
// comes out: one panel per eigenvector, laid out like the KeOps tutorial's 2 x 3 grid,
// each point coloured with ColorBrewer's diverging "Spectral" colormap centred at 0.
// Two-dimensional clouds are drawn as they are; three-dimensional ones through an
// orthographic projection (azimuth/elevation as in matplotlib) in painter's order, far
// points first. Panels keep an equal aspect ratio, so shapes are not distorted. Reading
// files is left to the caller (pkg/io); this package never touches the file system.
package figure

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot/vg/vgimg"
)

// Defaults used when the corresponding Options field is zero.
const (
	DefaultWidth     = 1200 // pixels, the tutorial's figsize (12, 8) at 100 dpi
	DefaultHeight    = 800
	DefaultMaxPoints = 20000
	DefaultAzimuth   = -60.0 // degrees, matplotlib's default 3D view
	DefaultElevation = 30.0
)

// Limits on the image size in pixels: below MinSize nothing legible fits, and above
// MaxSize the RGBA buffer alone would take hundreds of megabytes.
const (
	MinSize = 64
	MaxSize = 8192
)

// ErrBadInput marks errors in the data or the options that the user must fix (the
// CLI maps it to exit status 2); every error of Draw except a failed write wraps it.
var ErrBadInput = errors.New("bad input")

func badInput(format string, a ...any) error {
	return fmt.Errorf("figure: %w: %s", ErrBadInput, fmt.Sprintf(format, a...))
}

// Panel is one scatter plot of the grid: the cloud coloured by Values (one per point).
type Panel struct {
	Values []float64
	Title  string // e.g. from Titles; empty means no title
}

// Options controls the figure. The zero value gives the defaults.
type Options struct {
	// Width and Height of the image in pixels; 0 means DefaultWidth x DefaultHeight.
	Width, Height int
	// Azimuth and Elevation of the 3D view in degrees (matplotlib's convention: the
	// z axis points up, azimuth turns about it, elevation lifts the eye above the
	// x-y plane). When both are 0 the default view (-60, 30) is used; to look along
	// the x axis exactly, pass Azimuth 360. Ignored for 2D clouds.
	Azimuth, Elevation float64
	// MaxPoints caps the number of points drawn: larger clouds are shown through a
	// random subset fixed by a constant seed (the same for every panel).
	// 0 means DefaultMaxPoints, a negative value draws every point.
	MaxPoints int
	// Cols is the number of panel columns; 0 picks the layout that draws the cloud
	// largest (3 x 2 for six panels of a roughly square cloud in the default image).
	Cols int
	// PointSize is the diameter of a point in pixels; 0 picks one from the panel
	// size and the number of points drawn.
	PointSize float64
	// Title, when not empty, is written above the grid.
	Title string
}

// Draw writes a PNG of the cloud coords (n points of dim 2 or 3, row-major:
// point i is coords[i*dim:(i+1)*dim]) with one panel per entry of panels.
func Draw(w io.Writer, coords []float64, dim int, panels []Panel, opt Options) error {
	f, err := newFigure(coords, dim, panels, opt)
	if err != nil {
		return err
	}
	img, err := f.render()
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("figure: writing PNG: %w", err)
	}
	return nil
}

// Titles returns the panel titles "Eigenvalue i = v" for consecutive eigenvalues,
// the first one numbered firstIndex (1 for the trivial eigenvalue, as in the tutorial).
func Titles(eigenvalues []float64, firstIndex int) []string {
	t := make([]string, len(eigenvalues))
	for i, v := range eigenvalues {
		t[i] = fmt.Sprintf("Eigenvalue %d = %.3g", firstIndex+i, v)
	}
	return t
}

// figure is a validated request: the projected points in drawing order and the
// colours of each panel in the same order.
type figure struct {
	opt    Options
	dim    int
	x, y   []float64      // screen coordinates of the drawn points, in drawing order
	colors [][]color.RGBA // per panel, per drawn point
	titles []string
}

func newFigure(coords []float64, dim int, panels []Panel, opt Options) (*figure, error) {
	if dim != 2 && dim != 3 {
		return nil, badInput("dimension %d: only 2D and 3D clouds can be drawn", dim)
	}
	if len(coords)%dim != 0 {
		return nil, badInput("%d coordinates is not a whole number of %dD points", len(coords), dim)
	}
	n := len(coords) / dim
	if n == 0 {
		return nil, badInput("no points to draw")
	}
	if len(panels) == 0 {
		return nil, badInput("no panels to draw")
	}
	for i, v := range coords {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, badInput("coordinate %d of point %d is %v", i%dim+1, i/dim+1, v)
		}
	}
	for p, pan := range panels {
		if len(pan.Values) != n {
			return nil, badInput("panel %d has %d values for %d points", p+1, len(pan.Values), n)
		}
		if _, err := maxAbs(pan.Values); err != nil {
			return nil, badInput("panel %d, %v", p+1, err)
		}
	}
	if opt.Width == 0 {
		opt.Width = DefaultWidth
	}
	if opt.Height == 0 {
		opt.Height = DefaultHeight
	}
	if opt.Width < MinSize || opt.Width > MaxSize || opt.Height < MinSize || opt.Height > MaxSize {
		return nil, badInput("image size %dx%d pixels: each side must be in [%d, %d]",
			opt.Width, opt.Height, MinSize, MaxSize)
	}
	if opt.Azimuth == 0 && opt.Elevation == 0 {
		opt.Azimuth, opt.Elevation = DefaultAzimuth, DefaultElevation
	}
	if math.IsNaN(opt.Azimuth) || math.IsInf(opt.Azimuth, 0) ||
		math.IsNaN(opt.Elevation) || opt.Elevation < -90 || opt.Elevation > 90 {
		return nil, badInput("view azimuth %v, elevation %v: need a finite azimuth and elevation in [-90, 90] degrees",
			opt.Azimuth, opt.Elevation)
	}
	if opt.MaxPoints == 0 {
		opt.MaxPoints = DefaultMaxPoints
	}
	if opt.Cols < 0 {
		return nil, badInput("%d columns", opt.Cols)
	}
	if opt.PointSize < 0 || math.IsNaN(opt.PointSize) || math.IsInf(opt.PointSize, 0) {
		return nil, badInput("point size %v pixels", opt.PointSize)
	}

	idx := Subsample(n, opt.MaxPoints)
	f := &figure{opt: opt, dim: dim, x: make([]float64, len(idx)), y: make([]float64, len(idx))}
	if dim == 2 {
		for k, i := range idx {
			f.x[k], f.y[k] = coords[2*i], coords[2*i+1]
		}
	} else {
		idx = f.project(coords, idx)
	}
	f.colors = make([][]color.RGBA, len(panels))
	f.titles = make([]string, len(panels))
	for p, pan := range panels {
		// Scale by the largest magnitude over the whole cloud, not only the drawn
		// subset, so that a panel's colours do not depend on MaxPoints.
		m, _ := maxAbs(pan.Values)
		c := make([]color.RGBA, len(idx))
		for k, i := range idx {
			v := pan.Values[i]
			if m > 0 {
				v /= m
			}
			c[k] = SpectralColor(v)
		}
		f.colors[p] = c
		f.titles[p] = pan.Title
	}
	return f, nil
}
