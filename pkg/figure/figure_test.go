package figure

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
	"rsc.io/pdf"
)

// spiral returns the tutorial's 2D spiral (testdata/reference/README.md) with its
// parameter t, noise from a seeded generator.
func spiral(n int) (coords, t []float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	coords = make([]float64, 2*n)
	t = make([]float64, n)
	for i := range n {
		t[i] = 2 * math.Pi * float64(i) / float64(n)
		coords[2*i] = 0.4 + 0.4*(t[i]/7)*math.Cos(t[i]) + 0.01*rng.NormFloat64()
		coords[2*i+1] = 0.5 + 0.3*math.Sin(t[i]) + 0.01*rng.NormFloat64()
	}
	return coords, t
}

// swissRoll returns the tutorial's 3D swiss roll with its parameters t and u.
func swissRoll(n int) (coords, t, u []float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	coords = make([]float64, 3*n)
	t = make([]float64, n)
	u = make([]float64, n)
	for i := range n {
		t[i] = 2 * math.Pi * float64(i) / float64(n)
		u[i] = rng.Float64()
		coords[3*i] = 0.4 + 0.4*(t[i]/7)*math.Cos(1.5*t[i]) + 0.01*rng.NormFloat64()
		coords[3*i+1] = 0.1 + 0.8*u[i] + 0.01*rng.NormFloat64()
		coords[3*i+2] = 0.5 + 0.3*(t[i]/7)*math.Sin(1.5*t[i]) + 0.01*rng.NormFloat64()
	}
	return coords, t, u
}

// panelsOf builds one panel per function of the point index.
func panelsOf(n int, fs ...func(i int) float64) []Panel {
	ps := make([]Panel, len(fs))
	vals := make([]float64, len(fs))
	for p, fn := range fs {
		v := make([]float64, n)
		for i := range v {
			v[i] = fn(i)
		}
		ps[p] = Panel{Values: v}
		vals[p] = float64(p) * 0.0123
	}
	for p, title := range Titles(vals, 1) {
		ps[p].Title = title
	}
	return ps
}

// render draws and decodes, keeping a copy under $FIGURE_PNG_DIR for a human to look at.
func render(t *testing.T, name string, coords []float64, dim int, panels []Panel, opt Options) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := Draw(&buf, coords, dim, panels, opt); err != nil {
		t.Fatalf("Draw: %v", err)
	}
	if dir := os.Getenv("FIGURE_PNG_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	return img
}

// distinctColours counts the distinct colours in a rectangle of img.
func distinctColours(img image.Image, r image.Rectangle) int {
	seen := map[color.RGBA]bool{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			seen[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)] = true
		}
	}
	return len(seen)
}

// checkPanels asserts the image size and that every cell of a cols x rows grid
// holds a coloured cloud: many distinct colours, and both ends of the colormap
// (within a tolerance, for anti-aliasing) where the panel's values reach them.
func checkPanels(t *testing.T, img image.Image, w, h, cols, rows, panels int) {
	t.Helper()
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("image is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
	for p := range cols * rows {
		cx, cy := p%cols, p/cols
		r := image.Rect(cx*w/cols, cy*h/rows, (cx+1)*w/cols, (cy+1)*h/rows)
		got := distinctColours(img, r)
		if p < panels && got < 50 {
			t.Errorf("panel %d (%v): only %d distinct colours", p+1, r, got)
		}
		if p >= panels && got > 1 {
			t.Errorf("empty cell %d (%v): %d colours, want plain background", p+1, r, got)
		}
	}
}

func TestDraw2DSpiral(t *testing.T) {
	const n = 2000
	coords, tt := spiral(n)
	panels := panelsOf(n,
		func(i int) float64 { return 1 },
		func(i int) float64 { return math.Cos(tt[i]) },
		func(i int) float64 { return math.Sin(2 * tt[i]) },
		func(i int) float64 { return math.Cos(3 * tt[i]) },
		func(i int) float64 { return math.Sin(4 * tt[i]) },
		func(i int) float64 { return tt[i] - math.Pi },
	)
	img := render(t, "spiral2d", coords, 2, panels, Options{})
	// Panel 1 is constant: a single colour (the +max end) plus anti-aliasing.
	checkPanels(t, img, DefaultWidth, DefaultHeight, 3, 2, 6)
	want := SpectralColor(1)
	if !hasColour(img, image.Rect(0, 0, 400, 400), want) {
		t.Errorf("constant panel does not show the colormap's +max colour %v", want)
	}
}

func TestDraw3DSwissRoll(t *testing.T) {
	const n = 30000 // above DefaultMaxPoints, so the display subset is used
	coords, tt, u := swissRoll(n)
	panels := panelsOf(n,
		func(i int) float64 { return math.Cos(tt[i] / 2) },
		func(i int) float64 { return u[i] - 0.5 },
		func(i int) float64 { return math.Cos(1.5 * tt[i]) },
		func(i int) float64 { return math.Cos(tt[i]) * (u[i] - 0.5) },
	)
	img := render(t, "swissroll3d", coords, 3, panels, Options{Width: 900, Height: 700, Title: "swiss roll"})
	checkPanels(t, img, 900, 700, 2, 2, 4)
}

func TestDrawColumnsAndEmptyCells(t *testing.T) {
	coords, tt := spiral(500)
	panels := panelsOf(500,
		func(i int) float64 { return math.Cos(tt[i]) },
		func(i int) float64 { return math.Sin(tt[i]) },
		func(i int) float64 { return math.Sin(3 * tt[i]) },
	)
	img := render(t, "cols2", coords, 2, panels, Options{Width: 600, Height: 640, Cols: 2})
	checkPanels(t, img, 600, 640, 2, 2, 3)
}

func hasColour(img image.Image, r image.Rectangle, want color.RGBA) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == want {
				return true
			}
		}
	}
	return false
}

func TestSpectralColorCentred(t *testing.T) {
	mid := color.RGBA{0xff, 0xff, 0xbf, 0xff} // ColorBrewer Spectral-11, class H
	lo := color.RGBA{0x9e, 0x01, 0x42, 0xff}  // class A
	hi := color.RGBA{0x5e, 0x4f, 0xa2, 0xff}  // class O
	cases := []struct {
		t    float64
		want color.RGBA
	}{
		{0, mid}, {-1, lo}, {1, hi}, {-7, lo}, {7, hi}, {math.NaN(), mid},
		{0.2, color.RGBA{0xe6, 0xf5, 0x98, 0xff}},  // exactly the next stop
		{-0.1, color.RGBA{0xff, 0xf0, 0xa5, 0xff}}, // halfway between G and H
	}
	for _, c := range cases {
		if got := SpectralColor(c.t); got != c.want {
			t.Errorf("SpectralColor(%v) = %v, want %v", c.t, got, c.want)
		}
	}
	// Symmetric scaling: the largest magnitude sets both ends, whatever the sign.
	got := Colors([]float64{0, 2, -1, -2, 1e-300})
	want := []color.RGBA{mid, hi, SpectralColor(-0.5), lo, mid}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Colors[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if c := Colors([]float64{0, 0}); c[0] != mid || c[1] != mid {
		t.Errorf("all-zero values: %v, want the middle colour", c)
	}
}

func TestSubsample(t *testing.T) {
	a, b := Subsample(100000, 20000), Subsample(100000, 20000)
	if len(a) != 20000 {
		t.Fatalf("len = %d, want 20000", len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("not deterministic at %d: %d vs %d", i, a[i], b[i])
		}
		if i > 0 && a[i] <= a[i-1] {
			t.Fatalf("not strictly increasing at %d: %d after %d", i, a[i], a[i-1])
		}
	}
	if a[0] < 0 || a[len(a)-1] >= 100000 {
		t.Fatalf("out of range: %d..%d", a[0], a[len(a)-1])
	}
	// A random subset, not a prefix or a stride: each tenth of the cloud gets about
	// a tenth of the points (binomial sd ~ 42).
	var bins [10]int
	for _, i := range a {
		bins[i/10000]++
	}
	for k, c := range bins {
		if c < 1800 || c > 2200 {
			t.Errorf("bin %d has %d points, want ~2000", k, c)
		}
	}
	if all := Subsample(50, 100); len(all) != 50 || all[49] != 49 {
		t.Errorf("n <= max must keep every point, got %d", len(all))
	}
	if all := Subsample(50, -1); len(all) != 50 {
		t.Errorf("negative max must keep every point, got %d", len(all))
	}
}

func TestProjectionPainterOrder(t *testing.T) {
	// Looking from azimuth 0, elevation 0 (Azimuth 360 selects it exactly) the eye is
	// on +x: screen x is y, screen y is z, and points with larger x are nearer, so
	// they must be drawn later.
	coords := []float64{
		5, 1, 2, // near
		-5, 3, 4, // far
		0, 5, 6,
	}
	f, err := newFigure(coords, 3, []Panel{{Values: []float64{1, 2, 3}}}, Options{Azimuth: 360})
	if err != nil {
		t.Fatal(err)
	}
	wantX, wantY := []float64{3, 5, 1}, []float64{4, 6, 2}
	for k := range wantX {
		if math.Abs(f.x[k]-wantX[k]) > 1e-12 || math.Abs(f.y[k]-wantY[k]) > 1e-12 {
			t.Errorf("drawn point %d at (%v, %v), want (%v, %v)", k, f.x[k], f.y[k], wantX[k], wantY[k])
		}
	}
	// Colours follow their points into drawing order: values 2, 3, 1 scaled by 3.
	for k, v := range []float64{2, 3, 1} {
		if got, want := f.panels[0].colors[k], SpectralColor(v/3); got != want {
			t.Errorf("colour %d = %v, want %v", k, got, want)
		}
	}
	// Default view (-60, 30): the eye direction is (cos30 cos-60, cos30 sin-60, sin30).
	f, err = newFigure([]float64{0, 0, 0, 1, -1, 1}, 3, []Panel{{Values: []float64{0, 1}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Point 2 has depth 0.433+0.75+0.5 > 0, nearer than the origin: drawn last.
	if f.x[0] != 0 || f.y[0] != 0 || f.panels[0].colors[1] != SpectralColor(1) {
		t.Errorf("default view: drawing order (%v,%v) first, colours %v", f.x[0], f.y[0], f.panels[0].colors)
	}
}

func TestTitles(t *testing.T) {
	got := Titles([]float64{1.2e-16, 0.00123456, 0.05}, 1)
	want := []string{"φ1, λ1 = 1.2e-16", "φ2, λ2 = 0.001235", "φ3, λ3 = 0.05"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("title %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestFormatEigenvalue: 4 significant digits, and never a bare "1" (or other whole
// number) for a value that is not one.
func TestFormatEigenvalue(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{0.00123456, "0.001235"},
		{0.99996, "1 - 4e-05"},
		{0.999958, "1 - 4.2e-05"},
		{1.0000123, "1 + 1.2e-05"},
		{1, "1"},
		{2, "2"},
		{0.9995, "0.9995"},
		{1.99999, "2 - 1e-05"},
		{0, "0"},
		{-3e-17, "-3e-17"},
		{12.34567, "12.35"},
	} {
		if got := FormatEigenvalue(c.v); got != c.want {
			t.Errorf("FormatEigenvalue(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]Format{"a.png": PNG, "dir.x/B.SVG": SVG, "c.Pdf": PDF} {
		if got, err := FormatOf(path); err != nil || got != want {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, path := range []string{"x.jpg", "x", "x.png.gz"} {
		if _, err := FormatOf(path); !errors.Is(err, ErrBadInput) {
			t.Errorf("FormatOf(%q): err = %v, want ErrBadInput", path, err)
		}
	}
}

func TestDrawErrors(t *testing.T) {
	ok2 := []float64{0, 0, 1, 1, 2, 0}
	vals := []float64{1, 2, 3}
	panel := []Panel{{Values: vals}}
	cases := []struct {
		name   string
		coords []float64
		dim    int
		panels []Panel
		opt    Options
		want   string
	}{
		{"dim 1", ok2, 1, panel, Options{}, "dimension 1"},
		{"dim 4", make([]float64, 12), 4, panel, Options{}, "dimension 4"},
		{"ragged", ok2[:5], 2, panel, Options{}, "whole number"},
		{"no points", nil, 2, panel, Options{}, "no points"},
		{"no panels", ok2, 2, nil, Options{}, "no panels"},
		{"panel length", ok2, 2, []Panel{{Values: vals}, {Values: vals[:2]}}, Options{}, "panel 2 has 2 values for 3 points"},
		{"NaN value", ok2, 2, []Panel{{Values: []float64{1, math.NaN(), 3}}}, Options{}, "point 2 is NaN"},
		{"Inf coordinate", []float64{0, 0, 1, math.Inf(1), 2, 0}, 2, panel, Options{}, "coordinate 2 of point 2"},
		{"too narrow", ok2, 2, panel, Options{Width: 10}, "image size"},
		{"too tall", ok2, 2, panel, Options{Height: MaxSize + 1}, "image size"},
		{"negative width", ok2, 2, panel, Options{Width: -5}, "image size"},
		{"elevation", ok2, 2, panel, Options{Elevation: 91}, "elevation"},
		{"cols", ok2, 2, panel, Options{Cols: -1}, "columns"},
		{"point size", ok2, 2, panel, Options{PointSize: math.NaN()}, "point size"},
		{"too many panels", ok2, 2, make12(vals), Options{Width: 64, Height: 64, Cols: 12}, "too small"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Draw(&buf, c.coords, c.dim, c.panels, c.opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, c.want)
			}
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("err = %v does not wrap ErrBadInput", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

func make12(v []float64) []Panel {
	p := make([]Panel, 12)
	for i := range p {
		p[i] = Panel{Values: v, Title: fmt.Sprint("phi ", i+1)}
	}
	return p
}

func BenchmarkDraw(b *testing.B) {
	for _, c := range []struct {
		name string
		dim  int
		n    int
	}{{"2D_20k", 2, 20000}, {"3D_20k", 3, 20000}, {"3D_1M", 3, 1000000}} {
		b.Run(c.name+"_x6", func(b *testing.B) {
			n := c.n
			var coords, tt []float64
			if c.dim == 2 {
				coords, tt = spiral(n)
			} else {
				coords, tt, _ = swissRoll(n)
			}
			panels := panelsOf(n,
				func(i int) float64 { return math.Cos(tt[i]) },
				func(i int) float64 { return math.Sin(tt[i]) },
				func(i int) float64 { return math.Cos(2 * tt[i]) },
				func(i int) float64 { return math.Sin(2 * tt[i]) },
				func(i int) float64 { return math.Cos(3 * tt[i]) },
				func(i int) float64 { return math.Sin(3 * tt[i]) },
			)
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := Draw(&buf, coords, c.dim, panels, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestStampCoverage(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	red := color.RGBA{200, 10, 20, 255}
	const r = 5.0
	stamp(img, img.Rect, 20.3, 19.6, r, red)
	if got := img.RGBAAt(20, 19); got != red {
		t.Errorf("centre pixel %v, want %v", got, red)
	}
	// Coverage summed over the pixels is the disc's area, pi r^2 ~ 78.5, to within
	// the rim's linear approximation.
	area := 0.0
	for y := range 40 {
		for x := range 40 {
			c := img.RGBAAt(x, y)
			area += float64(255-c.G) / (255 - 10)
			dx, dy := float64(x)+0.5-20.3, float64(y)+0.5-19.6
			if d := math.Hypot(dx, dy); d > r+0.5 && c != (color.RGBA{255, 255, 255, 255}) {
				t.Errorf("pixel (%d,%d) at distance %.2f painted %v", x, y, d, c)
			}
		}
	}
	if math.Abs(area-math.Pi*r*r) > 1.5 {
		t.Errorf("painted area %.2f pixels, want %.2f", area, math.Pi*r*r)
	}
	// Clipping: nothing outside the clip rectangle changes.
	stamp(img, image.Rect(0, 0, 10, 10), 10, 10, r, color.RGBA{0, 0, 0, 255})
	if c := img.RGBAAt(10, 10); c != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("pixel outside the clip painted %v", c)
	}
	if c := img.RGBAAt(9, 9); c.R != 0 {
		t.Errorf("pixel inside the clip not painted: %v", c)
	}
}

// hiddenCanvas hides the vgimg canvas type, so discs takes the path of SVG and PDF
// canvases (raster).
type hiddenCanvas struct{ *vgimg.Canvas }

// glyphs draws the discs as gonum/plot's vector circles (plotter.Scatter's way), the
// reference for the stamp.
type glyphs struct{ *discs }

func (g glyphs) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for k := range g.x {
		c.DrawGlyph(draw.GlyphStyle{Color: g.colors[k], Radius: g.radius, Shape: draw.CircleGlyph{}},
			vg.Point{X: trX(g.x[k]), Y: trY(g.y[k])})
	}
}

// TestDiscsMatchVectorGlyphs checks the pixel stamp against gonum/plot's own circle
// glyphs (same places, same colours, about the same painted area), and the raster
// image that SVG and PDF get against the direct stamp.
func TestDiscsMatchVectorGlyphs(t *testing.T) {
	coords, tt := spiral(300)
	x, y := make([]float64, 300), make([]float64, 300)
	for i := range x {
		x[i], y[i] = coords[2*i], coords[2*i+1]
	}
	vals := make([]float64, 300)
	for i := range vals {
		vals[i] = math.Cos(tt[i])
	}
	d := &discs{x: x, y: y, colors: Colors(vals), radius: 2 * vg.Points(72.0/100), rasterDPI: 100}
	draw1 := func(mode string) *image.RGBA {
		c := vgimg.NewWith(vgimg.UseWH(4*vg.Inch, 4*vg.Inch), vgimg.UseDPI(100))
		var vc vg.CanvasSizer = c
		var pl plot.Plotter = d
		switch mode {
		case "raster":
			vc = hiddenCanvas{c}
		case "glyph":
			pl = glyphs{d}
		}
		p := plot.New()
		p.HideAxes()
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		p.Add(pl)
		p.Draw(draw.New(vc))
		return c.Image().(*image.RGBA)
	}
	fast, ref, rast := draw1("stamp"), draw1("glyph"), draw1("raster")
	painted := func(img *image.RGBA) int {
		n := 0
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i] != 0xff || img.Pix[i+1] != 0xff || img.Pix[i+2] != 0xff {
				n++
			}
		}
		return n
	}
	meanDiff := func(a, b *image.RGBA, n int) float64 {
		diff := 0.0
		for i := range a.Pix {
			diff += math.Abs(float64(a.Pix[i]) - float64(b.Pix[i]))
		}
		return diff / float64(n*3)
	}
	nf, nr := painted(fast), painted(ref)
	if nr < 1000 || math.Abs(float64(nf-nr)) > 0.1*float64(nr) {
		t.Errorf("painted pixels: stamp %d, vector glyphs %d", nf, nr)
	}
	if mean := meanDiff(fast, ref, nr); mean > 10 {
		t.Errorf("stamp against glyphs: mean channel difference over painted pixels %.1f, want small", mean)
	}
	// vgimg resamples the placed image, which spreads faint rims: count the pixels
	// clearly painted.
	clearly := func(img *image.RGBA) int {
		n := 0
		for i := 0; i < len(img.Pix); i += 4 {
			if min(img.Pix[i], img.Pix[i+1], img.Pix[i+2]) < 0xc0 {
				n++
			}
		}
		return n
	}
	if nz, nf := clearly(rast), clearly(fast); nf < 1000 || math.Abs(float64(nz-nf)) > 0.1*float64(nf) {
		t.Errorf("clearly painted pixels: raster %d, stamp %d", nz, nf)
	}
	if mean := meanDiff(rast, fast, nf); mean > 10 {
		t.Errorf("raster against stamp: mean channel difference over painted pixels %.1f, want small", mean)
	}
}

// dataAreaPixels renders a figure and returns its PNG image and each panel's data
// area in pixels (y down), as render placed them.
func dataAreaPixels(t *testing.T, coords []float64, dim int, panels []Panel, opt Options) (*image.RGBA, []image.Rectangle) {
	t.Helper()
	f, err := newFigure(coords, dim, panels, opt)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.render()
	if err != nil {
		t.Fatal(err)
	}
	img := c.(vgimg.PngCanvas).Image().(*image.RGBA)
	k := float64(resolution(f.opt.Width, f.opt.Height)) / 72
	var rs []image.Rectangle
	for _, a := range f.dataAreas {
		rs = append(rs, image.Rect(
			int(math.Round(float64(a.Min.X)*k)), f.opt.Height-int(math.Round(float64(a.Max.Y)*k)),
			int(math.Round(float64(a.Max.X)*k)), f.opt.Height-int(math.Round(float64(a.Min.Y)*k))))
	}
	return img, rs
}

// TestEqualAspect draws the outline of a 3 x 1 rectangle in a square, a tall and a
// wide image: the painted box must keep the 3:1 shape in all, and fill its panel's
// data area in one direction.
func TestEqualAspect(t *testing.T) {
	var coords []float64
	for i := range 300 {
		s := float64(i) / 300
		coords = append(coords, 3*s, 0, 3*s, 1, 0, s, 3, s)
	}
	n := len(coords) / 2
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = float64(i%7) - 3
	}
	for _, size := range [][2]int{{600, 600}, {300, 900}, {900, 200}} {
		img, areas := dataAreaPixels(t, coords, 2, []Panel{{Values: vals}}, Options{Width: size[0], Height: size[1], PointSize: 2})
		// Bounding box of the points' colours within the data area (the frame is
		// grey, the background white, the colour bar outside).
		box := image.Rectangle{Min: image.Pt(1<<30, 1<<30)}
		b := areas[0]
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := img.RGBAAt(x, y)
				if c.R != c.G || c.G != c.B { // not white or grey
					box.Min.X, box.Min.Y = min(box.Min.X, x), min(box.Min.Y, y)
					box.Max.X, box.Max.Y = max(box.Max.X, x+1), max(box.Max.Y, y+1)
				}
			}
		}
		// Subtract one point diameter (2 px) from each side to get the centres' extent.
		w, h := float64(box.Dx()-2), float64(box.Dy()-2)
		if math.Abs(w/h-3) > 0.06 {
			t.Errorf("%dx%d image: cloud drawn %vx%v pixels, aspect %.3f, want 3", size[0], size[1], w, h, w/h)
		}
		// The cloud spans 1/(1+2 margin) of the data area in its tight direction.
		if w < 0.9*float64(b.Dx()) && h < 0.9*float64(b.Dy()) {
			t.Errorf("%dx%d image: cloud drawn only %vx%v pixels in a data area of %v", size[0], size[1], w, h, b.Size())
		}
	}
}

// TestDrawDegenerateClouds: a single point, and points on a vertical line, still
// give a picture of the requested size.
func TestDrawDegenerateClouds(t *testing.T) {
	for _, c := range []struct {
		name   string
		coords []float64
		dim    int
	}{
		{"one point", []float64{1, 2}, 2},
		{"vertical line", []float64{1, 0, 1, 1, 1, 2, 1, 3}, 2},
		{"one point 3D", []float64{1, 2, 3}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := len(c.coords) / c.dim
			vals := make([]float64, n)
			for i := range vals {
				vals[i] = float64(i) + 1
			}
			img := render(t, "degenerate "+c.name, c.coords, c.dim, []Panel{{Values: vals, Title: "x"}}, Options{Width: 200, Height: 150, PointSize: 6})
			if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 150 {
				t.Fatalf("size %v", b)
			}
			if !hasColour(img, img.Bounds(), SpectralColor(1)) {
				t.Errorf("the point of largest value is not drawn in the +max colour")
			}
		})
	}
}

// BenchmarkDiscs compares the pixel stamp with gonum/plot's vector circles (the
// path plotter.Scatter takes) on one 20k-point panel.
func BenchmarkDiscs(b *testing.B) {
	coords, tt := spiral(20000)
	x, y := make([]float64, 20000), make([]float64, 20000)
	vals := make([]float64, 20000)
	for i := range x {
		x[i], y[i], vals[i] = coords[2*i], coords[2*i+1], math.Cos(tt[i])
	}
	d := &discs{x: x, y: y, colors: Colors(vals), radius: vg.Points(1.5), rasterDPI: 200}
	for _, c := range []struct {
		name string
		pl   plot.Plotter
		hide bool
	}{{"stamp", d, false}, {"vector", glyphs{d}, false}, {"raster", d, true}} {
		b.Run(c.name, func(b *testing.B) {
			cv := vgimg.NewWith(vgimg.UseWH(4*vg.Inch, 4*vg.Inch), vgimg.UseDPI(100))
			var vc vg.CanvasSizer = cv
			if c.hide {
				vc = hiddenCanvas{cv}
			}
			p := plot.New()
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
			dc := draw.New(vc)
			for b.Loop() {
				c.pl.Plot(dc, p)
			}
		})
	}
}

func TestColorsNonFinite(t *testing.T) {
	got := Colors([]float64{math.NaN(), 1, -0.5, math.Inf(-1)})
	want := []color.RGBA{SpectralColor(0), SpectralColor(1), SpectralColor(-0.5), SpectralColor(-1)}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Colors[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestDisplaySubset: a cloud above MaxPoints is drawn through Subsample's points,
// the same for every panel, each point keeping its own value's colour.
func TestDisplaySubset(t *testing.T) {
	coords, tt := spiral(1000)
	panels := panelsOf(1000,
		func(i int) float64 { return math.Cos(tt[i]) },
		func(i int) float64 { return float64(i) },
	)
	f, err := newFigure(coords, 2, panels, Options{MaxPoints: 50})
	if err != nil {
		t.Fatal(err)
	}
	idx := Subsample(1000, 50)
	if len(f.x) != 50 {
		t.Fatalf("%d points drawn, want 50", len(f.x))
	}
	for k, i := range idx {
		if f.x[k] != coords[2*i] || f.y[k] != coords[2*i+1] {
			t.Errorf("drawn point %d is not input point %d", k, i)
		}
		// Scaled by the whole cloud's max |v|, not the subset's.
		if got, want := f.panels[1].colors[k], SpectralColor(float64(i)/999); got != want {
			t.Errorf("panel 2, drawn point %d (input %d): colour %v, want %v", k, i, got, want)
		}
	}
	if f, _ := newFigure(coords, 2, panels, Options{MaxPoints: -1}); len(f.x) != 1000 {
		t.Errorf("MaxPoints -1 drew %d points, want all 1000", len(f.x))
	}
	if f, _ := newFigure(coords, 2, panels, Options{}); len(f.x) != 1000 {
		t.Errorf("default MaxPoints drew %d of 1000 points", len(f.x))
	}
}

// TestVectorFormats: SVG and PDF pages of the PNG's size at the figure's resolution,
// one embedded image of points per panel, the text as text.
func TestVectorFormats(t *testing.T) {
	coords, tt := spiral(500)
	panels := panelsOf(500,
		func(i int) float64 { return math.Cos(tt[i]) },
		func(i int) float64 { return math.Sin(tt[i]) },
	)
	opt := Options{Width: 800, Height: 400, Title: "spiral · σ = 0.05"}
	wantW, wantH := 800*72/float64(resolution(800, 400)), 400*72/float64(resolution(800, 400))

	opt.Format = SVG
	var buf bytes.Buffer
	if err := Draw(&buf, coords, 2, panels, opt); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("SVG does not parse: %v", err)
	}
	w, _ := strconv.ParseFloat(strings.TrimSuffix(doc.Width, "pt"), 64)
	h, _ := strconv.ParseFloat(strings.TrimSuffix(doc.Height, "pt"), 64)
	if math.Abs(w-wantW) > 0.1 || math.Abs(h-wantH) > 0.1 {
		t.Errorf("SVG page %sx%s, want %.2fx%.2f pt", doc.Width, doc.Height, wantW, wantH)
	}
	svg := buf.String()
	if n := strings.Count(svg, `xlink:href="data:image/png;base64,`); n != 2 {
		t.Errorf("SVG has %d PNG images, want one per panel (2)", n)
	}
	if strings.Contains(svg, "image/jpg") {
		t.Error("SVG still labels its PNGs image/jpg")
	}
	for _, s := range []string{"spiral · σ = 0.05", "φ1, λ1 = 0", "φ2, λ2 = 0.0123"} {
		if !strings.Contains(svg, s) {
			t.Errorf("SVG lacks the text %q", s)
		}
	}

	opt.Format = PDF
	buf.Reset()
	if err := Draw(&buf, coords, 2, panels, opt); err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("PDF does not parse: %v", err)
	}
	if r.NumPage() != 1 {
		t.Fatalf("PDF has %d pages", r.NumPage())
	}
	page := r.Page(1)
	box := page.V.Key("MediaBox")
	if box.IsNull() { // inherited from the page tree
		box = r.Trailer().Key("Root").Key("Pages").Key("MediaBox")
	}
	if pw, ph := box.Index(2).Float64(), box.Index(3).Float64(); math.Abs(pw-wantW) > 0.1 || math.Abs(ph-wantH) > 0.1 {
		t.Errorf("PDF page %vx%v, want %.2fx%.2f pt", pw, ph, wantW, wantH)
	}
	var text strings.Builder
	for _, s := range page.Content().Text {
		text.WriteString(s.S)
	}
	for _, s := range []string{"spiral, sigma = 0.05", "phi2, lambda2 = 0.0123"} {
		if !strings.Contains(strings.ReplaceAll(text.String(), " ", ""), strings.ReplaceAll(s, " ", "")) {
			t.Errorf("PDF text %q lacks %q", text.String(), s)
		}
	}
}

// TestPDFImageUpright: vgpdf draws images upside down, so raster hands it flipped
// ones (and only it). Checked by eye with pdftoppm on the CLI's output too.
func TestPDFImageUpright(t *testing.T) {
	if !isPDF(draw.New(vgpdf.New(100, 100))) || !isPDF(draw.Crop(draw.New(vgpdf.New(100, 100)), 1, -1, 1, -1)) {
		t.Error("a vgpdf canvas under draw.Canvas wrappers is not recognised")
	}
	if isPDF(draw.New(vgsvg.New(100, 100))) || isPDF(draw.New(vgimg.New(100, 100))) {
		t.Error("SVG or PNG canvases taken for PDF")
	}
	img := image.NewRGBA(image.Rect(0, 0, 3, 3))
	for j := range 3 {
		img.SetRGBA(0, j, color.RGBA{uint8(j), 0, 0, 255})
	}
	flipRows(img)
	for j := range 3 {
		if got := img.RGBAAt(0, j).R; int(got) != 2-j {
			t.Errorf("row %d holds row %d after flipRows, want %d", j, got, 2-j)
		}
	}
}

func TestEmbedding(t *testing.T) {
	n := 40
	x, y, v := make([]float64, n), make([]float64, n), make([]float64, n)
	labels := make([]string, n)
	for i := range n {
		x[i], y[i], v[i] = float64(i), math.Sin(float64(i)), float64(i-20)
		labels[i] = []string{"10", "9", "-1", "2"}[i%4]
	}
	f, err := newEmbedding(Embedding{X: x, Y: y, Labels: labels, ColorLabel: "cluster"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := f.panels[0]
	// Numeric order, noise grey, the others from the palette in that order.
	want := []legendEntry{{"-1", noiseColor}, {"2", categorical[0]}, {"9", categorical[1]}, {"10", categorical[2]}}
	if fmt.Sprint(p.legend) != fmt.Sprint(want) {
		t.Errorf("legend %v, want %v", p.legend, want)
	}
	// The 10 noise points (i%4 == 2) are drawn first, then the others in order.
	if p.colorBar || p.colors[0] != noiseColor || p.colors[9] != noiseColor || p.colors[10] != categorical[2] {
		t.Errorf("label colours: bar %v, drawn 1st %v, 10th %v, 11th %v", p.colorBar, p.colors[0], p.colors[9], p.colors[10])
	}
	if f.x[0] != 2 || f.x[10] != 0 || f.x[12] != 3 || f.y[12] != math.Sin(3) || f.equal {
		t.Errorf("embedding drawing order x %v, equal aspect %v", f.x[:13], f.equal)
	}
	f, err = newEmbedding(Embedding{X: x, Y: y, Values: v}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p := f.panels[0]; !p.colorBar || p.scale != 20 || p.colors[0] != SpectralColor(-1) || p.colors[20] != SpectralColor(0) {
		t.Errorf("value colours: bar %v scale %v, %v %v", p.colorBar, p.scale, p.colors[0], p.colors[20])
	}
	f, err = newEmbedding(Embedding{X: x, Y: y}, Options{})
	if err != nil || f.panels[0].colors[7] != single || f.panels[0].colorBar {
		t.Errorf("uncoloured embedding: %v", err)
	}

	many := make([]string, n)
	for i := range many {
		many[i] = strconv.Itoa(i % (MaxLabels + 1))
	}
	for _, c := range []struct {
		e    Embedding
		want string
	}{
		{Embedding{}, "no points"},
		{Embedding{X: x, Y: y[:3]}, "40 x values and 3 y values"},
		{Embedding{X: x, Y: y, Values: v, Labels: labels}, "both"},
		{Embedding{X: x, Y: y, Values: v[:2]}, "2 colour values"},
		{Embedding{X: x, Y: y, Labels: labels[:2]}, "2 labels"},
		{Embedding{X: x, Y: append([]float64{math.NaN()}, y[1:]...)}, "NaN"},
		{Embedding{X: x, Y: y, Labels: many}, "21 distinct labels"},
	} {
		err := DrawEmbedding(io.Discard, c.e, Options{})
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want ErrBadInput mentioning %q", err, c.want)
		}
	}
	// Twenty labels and noise fit.
	for i := range many {
		many[i] = strconv.Itoa(i%MaxLabels - 1)
	}
	if err := DrawEmbedding(io.Discard, Embedding{X: x, Y: y, Labels: many}, Options{Width: 300, Height: 300}); err != nil {
		t.Errorf("%d labels and noise: %v", MaxLabels, err)
	}
}

// TestUpAxis: with Up "y" the cloud's y axis is the view's vertical and the
// picture is not mirrored (x, y, z stay right-handed on screen).
func TestUpAxis(t *testing.T) {
	// Looking along the view's x axis (azimuth 0, elevation 0) with y up: the
	// view's x is the cloud's z (the eye on +z), screen right is the cloud's x,
	// screen up its y, as a y-up model is drawn front-on.
	coords := []float64{1, 2, 3}
	f, err := newFigure(coords, 3, []Panel{{Values: []float64{1}}}, Options{Azimuth: 360, Up: "y"})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.x[0]-1) > 1e-12 || math.Abs(f.y[0]-2) > 1e-12 {
		t.Errorf("point (1,2,3) drawn at (%v, %v), want (1, 2)", f.x[0], f.y[0])
	}
	if math.Abs(f.right[0]-1) > 1e-12 || math.Abs(f.up[1]-1) > 1e-12 {
		t.Errorf("triad right %v up %v", f.right, f.up)
	}
	if _, err := newFigure(coords, 3, []Panel{{Values: []float64{1}}}, Options{Up: "w"}); !errors.Is(err, ErrBadInput) {
		t.Errorf("Up w: err = %v", err)
	}
}

// TestResolution: text keeps its size relative to the figure above the default
// size, and shrinks only with the square root of that below it.
func TestResolution(t *testing.T) {
	for _, c := range []struct{ w, h, dpi int }{
		{1200, 800, 100}, {2400, 1600, 200}, {800, 400, 76}, {600, 400, 71}, {64, 64, 26},
	} {
		if got := resolution(c.w, c.h); got != c.dpi {
			t.Errorf("resolution(%d, %d) = %d dpi, want %d", c.w, c.h, got, c.dpi)
		}
	}
	// A 12 pt title at 800 x 400 is at least 12 pixels high.
	if px := titleSize * float64(resolution(800, 400)) / 72; px < 12 {
		t.Errorf("title %.1f pixels high at 800x400", px)
	}
}

// BenchmarkDrawFormats draws the 20k-point, 6-panel spiral in each format and
// reports the file size (bytes/file).
func BenchmarkDrawFormats(b *testing.B) {
	coords, tt := spiral(20000)
	var fs []func(int) float64
	for k := range 6 {
		fs = append(fs, func(i int) float64 { return math.Cos(float64(k+1) * tt[i]) })
	}
	panels := panelsOf(20000, fs...)
	for _, f := range []Format{PNG, SVG, PDF} {
		b.Run(string(f), func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := Draw(&buf, coords, 2, panels, Options{Format: f}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/file")
		})
	}
}

// TestThinTicks: a short axis keeps every other label until they fit; a long one
// keeps gonum/plot's.
func TestThinTicks(t *testing.T) {
	sty := textStyle(tickSize)
	labels := func(ts []plot.Tick) (l []string) {
		for _, tk := range ts {
			if tk.Label != "" {
				l = append(l, tk.Label)
			}
		}
		return l
	}
	full := labels(plot.DefaultTicks{}.Ticks(0.15, 0.95))
	if got := labels(thinTicks{room: 1000, style: sty, across: true}.Ticks(0.15, 0.95)); fmt.Sprint(got) != fmt.Sprint(full) {
		t.Errorf("long axis: %v, want gonum's %v", got, full)
	}
	short := thinTicks{room: 40, style: sty, across: true}.Ticks(0.15, 0.95)
	got := labels(short)
	need := vg.Length(0)
	for _, l := range got {
		need += sty.Width(l) + sty.Font.Size
	}
	if len(got) < 2 || len(got) >= len(full) || (need > 40 && len(got) > 2) {
		t.Errorf("short axis: labels %v (need %v of 40 pt), gonum's %v", got, need, full)
	}
	if len(short) != len(plot.DefaultTicks{}.Ticks(0.15, 0.95)) {
		t.Errorf("thinning dropped ticks, not only labels")
	}
}
