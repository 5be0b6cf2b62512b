package figure

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Colours of the figure's lines and text.
var (
	ink      = color.Gray{Y: 0x20}
	axisGrey = color.Gray{Y: 0x60}
	lightBox = color.Gray{Y: 0xc8}
)

// write renders the figure in its format, then writes it: nothing is written when
// the figure cannot be drawn.
func (f *figure) write(w io.Writer) error {
	c, err := f.render()
	if err != nil {
		return err
	}
	if f.opt.Format == SVG {
		// vgsvg labels its embedded PNGs image/jpg; browsers sniff the bytes, but
		// librsvg (and so Inkscape's import, GNOME) draws nothing for them.
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return fmt.Errorf("figure: writing svg: %w", err)
		}
		b := bytes.ReplaceAll(buf.Bytes(), []byte(`"data:image/jpg;base64,`), []byte(`"data:image/png;base64,`))
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("figure: writing svg: %w", err)
		}
		return nil
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("figure: writing %s: %w", f.opt.Format, err)
	}
	return nil
}

// pdfText spells out what vgpdf cannot write: it encodes text as Windows-1252, which
// has no Greek, and passes the UTF-8 bytes through, so "φ" came out as "Ï†".
var pdfText = strings.NewReplacer("φ", "phi", "λ", "lambda", "σ", "sigma", " · ", ", ", "·", ",")

// plainText rewrites the figure's text for its format (see pdfText).
func (f *figure) plainText() {
	if f.opt.Format != PDF {
		return
	}
	r := pdfText.Replace
	f.opt.Title, f.xLabel, f.yLabel = r(f.opt.Title), r(f.xLabel), r(f.yLabel)
	for i := range f.panels {
		p := &f.panels[i]
		p.title, p.barLabel = r(p.title), r(p.barLabel)
		for j := range p.legend {
			p.legend[j].label = r(p.legend[j].label)
		}
	}
}

// newCanvas returns a canvas of w x h pixels at dpi in the format: the PNG's pixels,
// or an SVG or PDF page of the size that PNG would print at, white in every format.
func newCanvas(format Format, w, h, dpi int) (vg.CanvasWriterTo, draw.Canvas) {
	if format == PNG {
		c := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, w, h))), vgimg.UseDPI(dpi))
		return vgimg.PngCanvas{Canvas: c}, draw.New(c)
	}
	wp := vg.Length(w) * vg.Inch / vg.Length(dpi)
	hp := vg.Length(h) * vg.Inch / vg.Length(dpi)
	var c vg.CanvasWriterTo
	if format == SVG {
		// Fonts are named, not embedded (embedding adds ~0.4 MB per face); viewers
		// substitute a sans-serif when Liberation Sans is missing.
		c = vgsvg.New(wp, hp)
	} else {
		c = vgpdf.New(wp, hp) // embeds its fonts: PDF has no Greek otherwise
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	return c, dc
}

// render draws the figure on a new canvas of exactly Width x Height pixels.
func (f *figure) render() (vg.CanvasWriterTo, error) {
	W, H := f.opt.Width, f.opt.Height
	dpi := resolution(W, H)
	out, dc := newCanvas(f.opt.Format, W, H, dpi)
	pxl := vg.Length(72.0 / float64(dpi)) // one pixel in points

	area := draw.Crop(dc, outerPad, -outerPad, outerPad, -outerPad)
	if f.opt.Title != "" {
		sty := textStyle(figTitleSize)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		area.FillText(sty, vg.Point{X: area.Center().X, Y: area.Max.Y}, f.opt.Title)
		area.Max.Y -= sty.Rectangle(f.opt.Title).Size().Y + panelGap/2
	}

	xmin, xmax := minMax(f.x)
	ymin, ymax := minMax(f.y)
	dx, dy := (xmax-xmin)*(1+2*margin), (ymax-ymin)*(1+2*margin)
	if dx == 0 {
		dx = math.Max(dy, 1)
	}
	if dy == 0 { // a single point, or all points on a horizontal line
		dy = dx
	}
	xc, yc := (xmin+xmax)/2, (ymin+ymax)/2
	xr := [2]float64{xc - dx/2, xc + dx/2}
	yr := [2]float64{yc - dy/2, yc + dy/2}

	// What a panel loses to its title, axes and colour bar, measured on the whole
	// area, decides the grid.
	strip := f.stripWidth()
	proto := f.newPlot(0, xr, yr)
	pd := proto.DataCanvas(area)
	ox := float64(area.Size().X-pd.Size().X) + float64(strip)
	oy := float64(area.Size().Y - pd.Size().Y)
	cols, rows := f.layout(float64(area.Size().X), float64(area.Size().Y), ox, oy, dx, dy)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: panelGap, PadY: panelGap}
	for p := range f.panels {
		tile := tiles.At(area, p%cols, p/cols)
		main := tile
		main.Max.X -= strip
		pl := f.newPlot(p, xr, yr)
		data := pl.DataCanvas(main)
		if data.Size().X < 8*pxl || data.Size().Y < 8*pxl {
			return nil, badInput("%dx%d pixels is too small for %d panels in %d columns", W, H, len(f.panels), cols)
		}
		// Equal aspect: one data unit spans the same length on both axes, the cloud
		// centred in the panel. The ranges change the tick labels, and short axes
		// get fewer labels (thinTicks: "0.20.40.6" ran together at 300 x 200); the
		// labels' widths change the data area: a few rounds settle it. data stays
		// the area these settings draw, for the colour bar beside it.
		for range 4 {
			if f.dim != 3 {
				pl.X.Tick.Marker = thinTicks{room: data.Size().X, style: pl.X.Tick.Label, across: true}
				pl.Y.Tick.Marker = thinTicks{room: data.Size().Y, style: pl.Y.Tick.Label}
			}
			if f.equal {
				cw, ch := float64(data.Size().X), float64(data.Size().Y)
				scale := math.Max(dx/cw, dy/ch) // data units per point
				pl.X.Min, pl.X.Max = xc-scale*cw/2, xc+scale*cw/2
				pl.Y.Min, pl.Y.Max = yc-scale*ch/2, yc+scale*ch/2
			}
			next := pl.DataCanvas(main)
			if next.Rectangle == data.Rectangle {
				break
			}
			data = next
		}
		wpt := float64(data.Size().X) * dx / (pl.X.Max - pl.X.Min)
		hpt := float64(data.Size().Y) * dy / (pl.Y.Max - pl.Y.Min)
		// Neither plotter reports a DataRange, so Add keeps the ranges set above.
		pl.Add(boxFrame{grey: f.dim == 3}, &discs{
			x: f.x, y: f.y, colors: f.panels[p].colors,
			radius:    f.radius(wpt, hpt, pxl),
			rasterDPI: min(2*float64(dpi), 300),
		})
		pl.Draw(main)
		f.dataAreas = append(f.dataAreas, data.Rectangle)

		side := vg.Rectangle{
			Min: vg.Point{X: data.Max.X + barGap, Y: data.Min.Y},
			Max: vg.Point{X: tile.Max.X, Y: data.Max.Y},
		}
		f.drawSide(tile, side, p)
	}
	return out, nil
}

func textStyle(size vg.Length) draw.TextStyle {
	return draw.TextStyle{Color: ink, Font: face(size), Handler: plot.DefaultTextHandler}
}

// newPlot returns panel p's plot with its title, sans-serif axes (hidden for a 3D
// cloud, whose projected units mean nothing) and the ranges xr, yr.
func (f *figure) newPlot(p int, xr, yr [2]float64) *plot.Plot {
	pl := plot.New()
	pl.BackgroundColor = nil // the canvas is already white; SVG and PDF stay lean
	pl.Title.Text = f.panels[p].title
	pl.Title.TextStyle.Font, pl.Title.TextStyle.Color = face(titleSize), ink
	pl.Title.Padding = 2 * vg.Millimeter
	pl.X.Min, pl.X.Max = xr[0], xr[1]
	pl.Y.Min, pl.Y.Max = yr[0], yr[1]
	if f.dim == 3 {
		pl.HideAxes()
		return pl
	}
	// Only fonts, colours and lengths change: gonum/plot's alignments and the
	// rotation of the y label stay.
	for _, a := range []*plot.Axis{&pl.X, &pl.Y} {
		a.Padding = 0
		a.LineStyle.Color, a.LineStyle.Width = axisGrey, vg.Points(0.6)
		a.Tick.LineStyle.Color, a.Tick.LineStyle.Width = axisGrey, vg.Points(0.6)
		a.Tick.Length = tickLength
		a.Tick.Label.Font, a.Tick.Label.Color = face(tickSize), ink
		a.Label.TextStyle.Font, a.Label.TextStyle.Color = face(labelSize), ink
		a.Label.Padding = vg.Millimeter
	}
	pl.X.Label.Text, pl.Y.Label.Text = f.xLabel, f.yLabel
	return pl
}

// thinTicks is gonum/plot's tick choice with every other label dropped (the tick
// stays, unlabelled) until the labels fit along an axis of length room with a gap of
// one em between them. across is for the x axis, whose labels sit side by side.
type thinTicks struct {
	room   vg.Length
	style  draw.TextStyle
	across bool
}

func (t thinTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for {
		var need vg.Length
		var labelled []int
		for i, tk := range ts {
			if tk.Label == "" {
				continue
			}
			labelled = append(labelled, i)
			if t.across {
				need += t.style.Width(tk.Label)
			} else {
				need += t.style.Height(tk.Label)
			}
			need += t.style.Font.Size
		}
		if need <= t.room || len(labelled) <= 2 {
			return ts
		}
		for k, i := range labelled {
			if k%2 == 1 {
				ts[i].Label = ""
			}
		}
	}
}

// boxFrame outlines a panel's data area: light grey around a 3D projection, the
// axes' grey (closing the box the axes start) around 2D data.
type boxFrame struct{ grey bool }

func (b boxFrame) Plot(c draw.Canvas, _ *plot.Plot) {
	col := color.Color(axisGrey)
	if b.grey {
		col = lightBox
	}
	c.SetLineStyle(draw.LineStyle{Color: col, Width: vg.Points(0.6)})
	c.Stroke(c.Rectangle.Path())
}

// barTicks returns the labelled ticks of a colour bar from -scale to scale: 0 and a
// few round values (gonum/plot's tick choice), or 0 alone for an all-zero panel.
func barTicks(scale float64) []plot.Tick {
	if !(scale > 0) {
		return []plot.Tick{{Value: 0, Label: "0"}}
	}
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(-scale, scale) {
		if t.Label != "" {
			out = append(out, t)
		}
	}
	return out
}

// stripWidth is the width right of every panel's data area that its colour bar
// (with tick labels) or legend needs, the same for all panels so they align.
func (f *figure) stripWidth() vg.Length {
	lab := textStyle(tickSize)
	w := vg.Length(0)
	for _, p := range f.panels {
		switch {
		case p.colorBar:
			tw := vg.Length(0)
			for _, t := range barTicks(p.scale) {
				tw = max(tw, lab.Width(t.Label))
			}
			w = max(w, barWidth+tickLength/2+vg.Millimeter+tw)
			if p.barLabel != "" {
				w = max(w, textStyle(labelSize).Width(p.barLabel))
			}
		case p.legend != nil:
			w = max(w, legendWidth(p))
		}
	}
	if f.dim == 3 {
		w = max(w, triadSize)
	}
	if w == 0 {
		return 0
	}
	return barGap + w + vg.Millimeter
}

// triadSize is the width and height of the 3D view's axis triad.
const triadSize = 16 * vg.Millimeter

// drawSide draws panel p's colour bar or legend in side, the strip right of its data
// area, with the 3D triad at its foot.
func (f *figure) drawSide(c draw.Canvas, side vg.Rectangle, p int) {
	pan := f.panels[p]
	if f.dim == 3 {
		t := vg.Rectangle{Min: side.Min, Max: vg.Point{X: side.Min.X + triadSize, Y: side.Min.Y + triadSize}}
		f.drawTriad(c, t)
		side.Min.Y += triadSize + 2*vg.Millimeter
	}
	switch {
	case pan.colorBar:
		drawColorBar(c, side, pan.scale, pan.barLabel)
	case pan.legend != nil:
		drawLegend(c, side, pan)
	}
}

// drawColorBar draws the Spectral colormap from -scale (bottom) to +scale (top) as a
// bar in the left part of r, ticks and labels right of it, the label above it.
func drawColorBar(c draw.Canvas, r vg.Rectangle, scale float64, label string) {
	if r.Size().Y <= 0 {
		return
	}
	bar := vg.Rectangle{Min: r.Min, Max: vg.Point{X: r.Min.X + barWidth, Y: r.Max.Y}}
	// Bands of the colormap, each reaching into the next so that anti-aliasing
	// leaves no seams.
	const bands = 128
	h := bar.Size().Y
	for i := range bands {
		t := -1 + 2*(float64(i)+0.5)/bands
		y0 := bar.Min.Y + h*vg.Length(i)/bands
		y1 := min(bar.Min.Y+h*vg.Length(i+1)/bands+h/bands/2, bar.Max.Y)
		c.SetColor(SpectralColor(t))
		c.Fill(vg.Rectangle{Min: vg.Point{X: bar.Min.X, Y: y0}, Max: vg.Point{X: bar.Max.X, Y: y1}}.Path())
	}
	c.SetLineStyle(draw.LineStyle{Color: axisGrey, Width: vg.Points(0.6)})
	c.Stroke(bar.Path())
	lab := textStyle(tickSize)
	lab.XAlign, lab.YAlign = draw.XLeft, draw.YCenter
	for _, t := range barTicks(scale) {
		y := bar.Min.Y + h/2
		if scale > 0 {
			y = bar.Min.Y + h*vg.Length((t.Value+scale)/(2*scale))
		}
		c.StrokeLine2(draw.LineStyle{Color: axisGrey, Width: vg.Points(0.6)},
			bar.Max.X, y, bar.Max.X+tickLength/2, y)
		c.FillText(lab, vg.Point{X: bar.Max.X + tickLength/2 + vg.Millimeter/2, Y: y}, t.Label)
	}
	if label != "" {
		ls := textStyle(labelSize)
		ls.XAlign, ls.YAlign = draw.XLeft, draw.YBottom
		c.FillText(ls, vg.Point{X: bar.Min.X, Y: bar.Max.Y + vg.Millimeter}, label)
	}
}

// Legend geometry: one row per label, a disc and the label.
const (
	legendDot = 1.2 * vg.Millimeter // radius
	legendRow = 4.5 * vg.Millimeter
)

func legendWidth(p panel) vg.Length {
	lab := textStyle(tickSize)
	w := textStyle(labelSize).Width(p.barLabel)
	for _, e := range p.legend {
		w = max(w, 2*legendDot+vg.Millimeter+lab.Width(e.label))
	}
	return w
}

// drawLegend lists the panel's labels with their colours from the top of r, under
// the legend's title; rows that do not fit are summarised as "+n more".
func drawLegend(c draw.Canvas, r vg.Rectangle, p panel) {
	y := r.Max.Y
	if p.barLabel != "" {
		ls := textStyle(labelSize)
		ls.XAlign, ls.YAlign = draw.XLeft, draw.YTop
		c.FillText(ls, vg.Point{X: r.Min.X, Y: y}, p.barLabel)
		y -= ls.Height(p.barLabel) + vg.Millimeter
	}
	lab := textStyle(tickSize)
	lab.XAlign, lab.YAlign = draw.XLeft, draw.YCenter
	for i, e := range p.legend {
		y -= legendRow / 2
		if y-legendRow < r.Min.Y && i < len(p.legend)-1 {
			c.FillText(lab, vg.Point{X: r.Min.X, Y: y}, fmt.Sprintf("+%d more", len(p.legend)-i))
			return
		}
		c.DrawGlyph(draw.GlyphStyle{Color: e.color, Radius: legendDot, Shape: draw.CircleGlyph{}},
			vg.Point{X: r.Min.X + legendDot, Y: y})
		c.FillText(lab, vg.Point{X: r.Min.X + 2*legendDot + vg.Millimeter, Y: y}, e.label)
		y -= legendRow / 2
	}
}

// drawTriad draws the cloud's x, y and z axes as seen from the view, from the
// centre of r: an axis pointing at the eye shrinks to a dot.
func (f *figure) drawTriad(c draw.Canvas, r vg.Rectangle) {
	o := vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}
	lab := textStyle(tickSize)
	lab.XAlign, lab.YAlign = draw.XCenter, draw.YCenter
	arm := r.Size().X/2 - lab.Width("x") - vg.Millimeter
	ls := draw.LineStyle{Color: axisGrey, Width: vg.Points(0.8)}
	for k, name := range []string{"x", "y", "z"} {
		dx, dy := vg.Length(f.right[k]), vg.Length(f.up[k])
		c.StrokeLine2(ls, o.X, o.Y, o.X+arm*dx, o.Y+arm*dy)
		l := arm + lab.Width("x")
		c.FillText(lab, vg.Point{X: o.X + l*dx, Y: o.Y + l*dy}, name)
	}
}

// discs draws the points as anti-aliased filled discs, in order, one colour each.
//
// It writes straight into the pixels of a vgimg canvas: plotter.Scatter's vector
// path per point (through gg's rasterizer) was 70% of the time of a 20k-point,
// 6-panel figure, and the stamp is ~14x cheaper (BenchmarkDiscs). On other canvases
// (SVG, PDF) the same stamps go into one image of the data area (raster).
type discs struct {
	x, y   []float64
	colors []color.RGBA
	radius vg.Length
	// rasterDPI is the resolution of the image the points become on SVG and PDF
	// canvases.
	rasterDPI float64
}

func (d *discs) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	vc, ok := imageCanvas(c.Canvas)
	if !ok {
		d.raster(c, trX, trY)
		return
	}
	img, ok := vc.Image().(*image.RGBA)
	if !ok {
		return // vgimg always draws on an *image.RGBA
	}
	dpi := vc.DPI()
	_, hgt := vc.Size()
	h := hgt.Dots(dpi)
	// Pixel (i, j) covers [i, i+1) x [j, j+1) with j counted down from the top.
	clip := image.Rect(
		int(math.Floor(c.Min.X.Dots(dpi))), int(math.Floor(h-c.Max.Y.Dots(dpi))),
		int(math.Ceil(c.Max.X.Dots(dpi))), int(math.Ceil(h-c.Min.Y.Dots(dpi))),
	).Intersect(img.Rect)
	r := d.radius.Dots(dpi)
	for k := range d.x {
		stamp(img, clip, trX(d.x[k]).Dots(dpi), h-trY(d.y[k]).Dots(dpi), r, d.colors[k])
	}
}

// raster stamps the discs on a transparent image covering c at d.rasterDPI and
// places it on c: one image instead of thousands of vector circles, as matplotlib's
// rasterized=True does, while the text and axes around it stay vectors.
func (d *discs) raster(c draw.Canvas, trX, trY func(float64) vg.Length) {
	dpi := d.rasterDPI
	if !(dpi > 0) {
		dpi = baseDPI
	}
	w := int(math.Ceil(c.Size().X.Dots(dpi)))
	h := int(math.Ceil(c.Size().Y.Dots(dpi)))
	if w <= 0 || h <= 0 {
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := d.radius.Dots(dpi)
	for k := range d.x {
		stamp(img, img.Rect, (trX(d.x[k]) - c.Min.X).Dots(dpi), float64(h)-(trY(d.y[k])-c.Min.Y).Dots(dpi), r, d.colors[k])
	}
	if isPDF(c.Canvas) {
		flipRows(img) // vgpdf places images upside down (its y axis is flipped under them)
	}
	size := vg.Point{X: vg.Length(w) * vg.Inch / vg.Length(dpi), Y: vg.Length(h) * vg.Inch / vg.Length(dpi)}
	c.DrawImage(vg.Rectangle{Min: c.Min, Max: c.Min.Add(size)}, img)
}

// flipRows turns img upside down in place.
func flipRows(img *image.RGBA) {
	h := img.Rect.Dy()
	row := make([]uint8, img.Stride)
	for j := range h / 2 {
		a, b := img.Pix[j*img.Stride:(j+1)*img.Stride], img.Pix[(h-1-j)*img.Stride:(h-j)*img.Stride]
		copy(row, a)
		copy(a, b)
		copy(b, row)
	}
}

// isPDF reports whether c draws on a vgpdf canvas, under the draw.Canvas wrappers.
func isPDF(c vg.Canvas) bool {
	for {
		switch v := c.(type) {
		case *vgpdf.Canvas:
			return true
		case draw.Canvas:
			c = v.Canvas
		case *draw.Canvas:
			c = v.Canvas
		default:
			return false
		}
	}
}

// imageCanvas finds the vgimg canvas under the draw.Canvas wrappers that tiles and
// crops add (they pass drawing calls through unchanged).
func imageCanvas(c vg.Canvas) (*vgimg.Canvas, bool) {
	for {
		switch v := c.(type) {
		case *vgimg.Canvas:
			return v, true
		case draw.Canvas:
			c = v.Canvas
		case *draw.Canvas:
			c = v.Canvas
		default:
			return nil, false
		}
	}
}

// stamp blends a disc of radius r pixels centred at (cx, cy) onto img within clip,
// each pixel weighted by its approximate coverage (1 inside, 0 outside, linear over
// the pixel on the rim).
func stamp(img *image.RGBA, clip image.Rectangle, cx, cy, r float64, col color.RGBA) {
	x0 := max(int(math.Floor(cx-r-0.5)), clip.Min.X)
	x1 := min(int(math.Ceil(cx+r+0.5)), clip.Max.X)
	y0 := max(int(math.Floor(cy-r-0.5)), clip.Min.Y)
	y1 := min(int(math.Ceil(cy+r+0.5)), clip.Max.Y)
	for j := y0; j < y1; j++ {
		dy := float64(j) + 0.5 - cy
		for i := x0; i < x1; i++ {
			dx := float64(i) + 0.5 - cx
			a := r + 0.5 - math.Sqrt(dx*dx+dy*dy)
			if a <= 0 {
				continue
			}
			o := img.PixOffset(i, j)
			p := img.Pix[o : o+4 : o+4]
			if a >= 1 {
				p[0], p[1], p[2], p[3] = col.R, col.G, col.B, 0xff
				continue
			}
			// Source over, premultiplied: the disc's colour is opaque.
			b := 1 - a
			p[0] = uint8(a*float64(col.R) + b*float64(p[0]) + 0.5)
			p[1] = uint8(a*float64(col.G) + b*float64(p[1]) + 0.5)
			p[2] = uint8(a*float64(col.B) + b*float64(p[2]) + 0.5)
			p[3] = uint8(a*255 + b*float64(p[3]) + 0.5)
		}
	}
}
