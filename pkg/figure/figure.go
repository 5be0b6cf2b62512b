// Package figure draws a cloud coloured by eigenvectors, and spectral embeddings, as
// publishable figures (PNG, SVG or PDF).
//
// Numbers go in (the point coordinates, one value per point for each panel) and an
// image comes out: one panel per eigenvector, laid out like the KeOps tutorial's 2 x 3
// grid, each point coloured with ColorBrewer's diverging "Spectral" colormap centred at
// 0, with a colour bar per panel. Two-dimensional clouds are drawn as they are, with
// axes, ticks and an equal aspect ratio; three-dimensional ones through an orthographic
// projection (azimuth/elevation as in matplotlib) in painter's order, far points first,
// with a small x-y-z triad showing the view instead of ticks (projected units would
// mean nothing). DrawEmbedding draws one eigenvector against another, coloured by a
// third or by categorical labels (with a legend).
//
// The files: figure.go the requests and their validation, colormap.go the colours,
// project.go the display subset and the 3D projection, layout.go sizes (text scaled to
// the figure, the grid, point sizes) and render.go the drawing on gonum/plot's canvases.
// Reading files is left to the caller (pkg/io); this package never touches the file
// system.
package figure

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"
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

// Format is an output file format.
type Format string

// The formats Draw writes. PNG is the default; in SVG and PDF the text, axes and
// colour bars are vectors and each panel's points one embedded image (thousands of
// vector discs would make files of megabytes that viewers render slowly).
const (
	PNG Format = "png"
	SVG Format = "svg"
	PDF Format = "pdf"
)

// FormatOf returns the format named by a file's extension (.png, .svg, .pdf, any
// case); any other extension is an error wrapping ErrBadInput.
func FormatOf(path string) (Format, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch f := Format(ext); f {
	case PNG, SVG, PDF:
		return f, nil
	}
	if ext == "" {
		return "", badInput("%s has no extension: name the file .png, .svg or .pdf", path)
	}
	return "", badInput("%s: unknown figure format .%s (use .png, .svg or .pdf)", path, ext)
}

// Panel is one scatter plot of the grid: the cloud coloured by Values (one per point).
type Panel struct {
	Values []float64
	Title  string // e.g. from Titles; empty means no title
}

// Options controls the figure. The zero value gives the defaults.
type Options struct {
	// Width and Height of the image in pixels; 0 means DefaultWidth x DefaultHeight.
	// SVG and PDF pages have the size the PNG would have at the figure's resolution
	// (layout.go's resolution), so the three formats look the same.
	Width, Height int
	// Format of the output; "" means PNG.
	Format Format
	// Azimuth and Elevation of the 3D view in degrees (matplotlib's convention: the
	// z axis points up, azimuth turns about it, elevation lifts the eye above the
	// x-y plane). When both are 0 the default view (-60, 30) is used; to look along
	// the x axis exactly, pass Azimuth 360. Ignored for 2D clouds.
	Azimuth, Elevation float64
	// Up names the cloud axis drawn vertical in the 3D view: "z" (or "", the
	// default, as LiDAR and matplotlib), "y" (most meshes: the Stanford bunny) or
	// "x". The view's azimuth turns about it.
	Up string
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

// Embedding is a scatter plot of one eigenvector against another (X against Y, one
// value per point each), as scikit-learn users draw a spectral embedding.
type Embedding struct {
	X, Y           []float64
	XLabel, YLabel string // axis labels, e.g. "φ2" and "φ3"
	// Values, when not nil, colour the points with the Spectral colormap centred at
	// 0 (as the cloud's panels), with a colour bar titled ColorLabel.
	Values     []float64
	ColorLabel string
	// Labels, when not nil, colour the points by category (one string per point,
	// e.g. a cluster number) from a categorical palette, with a legend titled
	// ColorLabel. At most MaxLabels distinct labels; "-1" (the noise label of
	// scikit-learn's DBSCAN and HDBSCAN) is drawn grey. Values and Labels exclude
	// each other; with neither, all points get one colour.
	Labels []string
	// Title is the panel's title (the figure's title is Options.Title).
	Title string
}

// Draw writes the figure of the cloud coords (n points of dim 2 or 3, row-major:
// point i is coords[i*dim:(i+1)*dim]) with one panel per entry of panels, in
// opt.Format.
func Draw(w io.Writer, coords []float64, dim int, panels []Panel, opt Options) error {
	f, err := newFigure(coords, dim, panels, opt)
	if err != nil {
		return err
	}
	return f.write(w)
}

// DrawEmbedding writes the figure of one embedding panel, in opt.Format. Cols,
// Azimuth and Elevation are ignored.
func DrawEmbedding(w io.Writer, e Embedding, opt Options) error {
	f, err := newEmbedding(e, opt)
	if err != nil {
		return err
	}
	return f.write(w)
}

// Titles returns the panel titles "φi, λi = v" for consecutive eigenvalues, the first
// one numbered firstIndex (1 for the trivial eigenvalue, as in the tutorial), each
// value written by FormatEigenvalue.
func Titles(eigenvalues []float64, firstIndex int) []string {
	t := make([]string, len(eigenvalues))
	for i, v := range eigenvalues {
		t[i] = fmt.Sprintf("φ%d, λ%d = %s", firstIndex+i, firstIndex+i, FormatEigenvalue(v))
	}
	return t
}

// FormatEigenvalue writes v with 4 significant digits, except that a value which
// would round to a nonzero whole number without being one is written as that number
// and the difference, with 2 digits: 0.99996 is "1 - 4e-05", not "1". Eigenvalues of
// the normalized Laplacian crowd towards 1 when sigma is small against the spacing of
// the points, and a title that reads "= 1" for all of them would hide the spectrum.
func FormatEigenvalue(v float64) string {
	s := strconv.FormatFloat(v, 'g', 4, 64)
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || r == v || r == 0 || r != math.Trunc(r) || math.IsInf(v, 0) {
		return s
	}
	d, op := v-r, "+"
	if d < 0 {
		d, op = -d, "-"
	}
	return fmt.Sprintf("%s %s %s", s, op, strconv.FormatFloat(d, 'g', 2, 64))
}

// figure is a validated request: the points in drawing order (projected for a 3D
// cloud) and each panel's colours in the same order.
type figure struct {
	opt    Options
	dim    int       // 2 or 3 for a cloud, 0 for an embedding
	x, y   []float64 // screen coordinates of the drawn points, in drawing order
	panels []panel
	// xLabel, yLabel name the axes; equal keeps one data unit the same length on both
	// (clouds, so shapes are not distorted), while an embedding fills its panel.
	xLabel, yLabel string
	equal          bool
	// view is the 3D view's screen basis (right, up) in cloud coordinates, for the
	// triad; unused in 2D.
	right, up [3]float64
	// dataAreas are the panels' data areas as drawn by render, for the tests.
	dataAreas []vg.Rectangle
}

// panel is one drawn panel: its title, its points' colours, and either a colour bar
// (scale = max |v|, the values at its ends) or a legend.
type panel struct {
	title    string
	colors   []color.RGBA
	colorBar bool
	scale    float64
	barLabel string
	legend   []legendEntry
}

type legendEntry struct {
	label string
	color color.RGBA
}

// checkOptions fills the defaults and checks what is common to both kinds of figure.
func checkOptions(opt *Options) error {
	if opt.Width == 0 {
		opt.Width = DefaultWidth
	}
	if opt.Height == 0 {
		opt.Height = DefaultHeight
	}
	if opt.Width < MinSize || opt.Width > MaxSize || opt.Height < MinSize || opt.Height > MaxSize {
		return badInput("image size %dx%d pixels: each side must be in [%d, %d]",
			opt.Width, opt.Height, MinSize, MaxSize)
	}
	switch opt.Format {
	case "":
		opt.Format = PNG
	case PNG, SVG, PDF:
	default:
		return badInput("format %q: use png, svg or pdf", opt.Format)
	}
	if opt.MaxPoints == 0 {
		opt.MaxPoints = DefaultMaxPoints
	}
	if opt.PointSize < 0 || math.IsNaN(opt.PointSize) || math.IsInf(opt.PointSize, 0) {
		return badInput("point size %v pixels", opt.PointSize)
	}
	return nil
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
	if err := checkOptions(&opt); err != nil {
		return nil, err
	}
	if opt.Azimuth == 0 && opt.Elevation == 0 {
		opt.Azimuth, opt.Elevation = DefaultAzimuth, DefaultElevation
	}
	if math.IsNaN(opt.Azimuth) || math.IsInf(opt.Azimuth, 0) ||
		math.IsNaN(opt.Elevation) || opt.Elevation < -90 || opt.Elevation > 90 {
		return nil, badInput("view azimuth %v, elevation %v: need a finite azimuth and elevation in [-90, 90] degrees",
			opt.Azimuth, opt.Elevation)
	}
	if _, ok := upOrder[opt.Up]; !ok {
		return nil, badInput("up axis %q: want x, y or z", opt.Up)
	}
	if opt.Cols < 0 {
		return nil, badInput("%d columns", opt.Cols)
	}

	idx := Subsample(n, opt.MaxPoints)
	f := &figure{opt: opt, dim: dim, x: make([]float64, len(idx)), y: make([]float64, len(idx)), equal: true}
	if dim == 2 {
		f.xLabel, f.yLabel = "x", "y"
		for k, i := range idx {
			f.x[k], f.y[k] = coords[2*i], coords[2*i+1]
		}
	} else {
		idx = f.project(coords, idx)
	}
	f.panels = make([]panel, len(panels))
	for p, pan := range panels {
		f.panels[p] = valuePanel(pan.Values, idx, pan.Title, "")
	}
	f.plainText()
	return f, nil
}

// valuePanel colours the points idx by values with a colour bar. The scale is the
// largest magnitude over the whole cloud, not only the drawn subset, so that a
// panel's colours do not depend on MaxPoints.
func valuePanel(values []float64, idx []int, title, barLabel string) panel {
	m, _ := maxAbs(values)
	c := make([]color.RGBA, len(idx))
	for k, i := range idx {
		v := values[i]
		if m > 0 {
			v /= m
		}
		c[k] = SpectralColor(v)
	}
	return panel{title: title, colors: c, colorBar: true, scale: m, barLabel: barLabel}
}

func newEmbedding(e Embedding, opt Options) (*figure, error) {
	n := len(e.X)
	if n == 0 {
		return nil, badInput("no points to draw")
	}
	if len(e.Y) != n {
		return nil, badInput("embedding has %d x values and %d y values", n, len(e.Y))
	}
	if e.Values != nil && e.Labels != nil {
		return nil, badInput("embedding coloured both by values and by labels")
	}
	if e.Values != nil && len(e.Values) != n {
		return nil, badInput("embedding has %d colour values for %d points", len(e.Values), n)
	}
	if e.Labels != nil && len(e.Labels) != n {
		return nil, badInput("embedding has %d labels for %d points", len(e.Labels), n)
	}
	for _, a := range []struct {
		v    []float64
		name string
	}{{e.X, "x"}, {e.Y, "y"}, {e.Values, "colour"}} {
		if _, err := maxAbs(a.v); err != nil {
			return nil, badInput("embedding %s %v", a.name, err)
		}
	}
	if err := checkOptions(&opt); err != nil {
		return nil, err
	}
	idx := Subsample(n, opt.MaxPoints)
	if e.Labels != nil {
		// Noise first, so that the clusters are drawn over it.
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmp.Compare(b2i(e.Labels[b] == noiseLabel), b2i(e.Labels[a] == noiseLabel))
		})
	}
	f := &figure{opt: opt, xLabel: e.XLabel, yLabel: e.YLabel, x: make([]float64, len(idx)), y: make([]float64, len(idx))}
	for k, i := range idx {
		f.x[k], f.y[k] = e.X[i], e.Y[i]
	}
	switch {
	case e.Values != nil:
		f.panels = []panel{valuePanel(e.Values, idx, e.Title, e.ColorLabel)}
	case e.Labels != nil:
		p, err := labelPanel(e.Labels, idx, e.Title, e.ColorLabel)
		if err != nil {
			return nil, err
		}
		f.panels = []panel{p}
	default:
		c := make([]color.RGBA, len(idx))
		for k := range c {
			c[k] = single
		}
		f.panels = []panel{{title: e.Title, colors: c}}
	}
	f.plainText()
	return f, nil
}

// labelPanel colours the points idx by category, in the order the labels sort
// (numerically when they are all numbers), with a legend of every label in the
// cloud (not only the drawn subset).
func labelPanel(labels []string, idx []int, title, legendTitle string) (panel, error) {
	cats := sortedLabels(labels)
	if k := len(cats) - count(cats, noiseLabel); k > MaxLabels {
		return panel{}, badInput("%d distinct labels: at most %d can be told apart by colour", k, MaxLabels)
	}
	col := make(map[string]color.RGBA, len(cats))
	p := panel{title: title, barLabel: legendTitle}
	next := 0
	for _, l := range cats {
		c := noiseColor
		if l != noiseLabel {
			c = categorical[next]
			next++
		}
		col[l] = c
		p.legend = append(p.legend, legendEntry{label: l, color: c})
	}
	p.colors = make([]color.RGBA, len(idx))
	for k, i := range idx {
		p.colors[k] = col[labels[i]]
	}
	return p, nil
}

func count(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
