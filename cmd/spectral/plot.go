package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/figure"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

type plotOptions struct {
	output, columns, summary, title string
	width, height, maxPoints        int
	azimuth, elevation              float64
	view, up                        string
	embedding                       bool
	axes, colorBy                   string
}

// The default 3D view, in degrees: matplotlib's, which users of mplot3d know and
// which shows all three axes of a z-up cloud (LiDAR, the tutorial's swiss roll)
// at once. No view of a z-up frame shows a y-up mesh upright: --up y does (the
// Stanford bunny reads best with --up y --view 20,15, its side; docs/CLI.md).
const (
	defaultAzimuth   = -60
	defaultElevation = 30
)

func plotDefaults() figure.Options {
	return figure.Options{Width: 1200, Height: 800, Azimuth: defaultAzimuth, Elevation: defaultElevation, MaxPoints: 20000}
}

// plotRunner draws once plot's flags are validated: o.output holds the figure's path
// (the default filled in) and opt the figure's options but for the title; newPlotCmd(nil)
// uses runPlot, tests pass their own (as newEmbedCmd).
type plotRunner func(cmd *cobra.Command, o *plotOptions, input string, opt figure.Options) error

func newPlotCmd(runF plotRunner) *cobra.Command {
	d := plotDefaults()
	o := &plotOptions{}
	cmd := &cobra.Command{
		Use:   "plot EIGVECS",
		Short: "Figure (PNG, SVG, PDF) of the cloud coloured by each eigenvector, or of the embedding",
		Long: `Plot reads an eigenvectors CSV written by 'spectral embed' (coordinates x,y[,z] and the
columns phi1..phiK, found by name; --columns picks others) and draws a grid of scatter
plots, one per eigenvector (the trivial phi1 is left out when there are more), coloured
with ColorBrewer's Spectral diverging map centred at 0, each with a colour bar. 2D clouds
get axes with ticks and an equal aspect; 3D clouds are drawn in an orthographic
projection (--view AZIMUTH,ELEVATION in degrees, matplotlib's convention: azimuth about
the vertical axis, elevation above the horizontal plane; --up names the cloud's vertical
axis, z by default, y for most meshes), far points first, with a small x-y-z triad
showing the view. Large clouds are subsampled for display (--max-points, fixed seed).

--embedding draws the spectral embedding instead: phi_i against phi_j (--axes, default
2,3), coloured by a categorical column named label or cluster when the CSV has one (with
a legend; -1 is drawn grey, as DBSCAN's noise), else by the next phi, or by --color-by.

The format follows the output's extension: .png, .svg or .pdf (any other is an error).
In SVG and PDF the text and axes are vectors and each panel's points one image.

With --summary (the JSON of 'embed --summary') the title names the input, n, sigma and
the Laplacian, and each panel its eigenvalue with 4 significant digits ("phi2,
lambda2 = 0.001235"; a value that would round to 1 is written "1 - 4.2e-05").
` + exitStatusHelp,
		Example: `  spectral embed --sigma 0.05 spiral.csv -o spiral.eigvecs.csv --summary run.json
  spectral plot spiral.eigvecs.csv --summary run.json            # -> spiral.eigvecs.png
  spectral plot spiral.eigvecs.csv --summary run.json -o fig.pdf --width 800 --height 400
  spectral plot spiral.eigvecs.csv --embedding -o embedding.svg  # phi2 vs phi3, coloured by phi4
  spectral plot spiral.eigvecs.csv --embedding --axes 2,4 --color-by phi3
  spectral plot bunny.eigvecs.csv --up y --view 20,15 --columns phi2,phi3,phi4  # y-up mesh, from the side`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt, err := o.options(cmd, args[0])
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd, o, args[0], opt)
			}
			return runPlot(cmd, o, args[0], opt)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "figure to write, .png, .svg or .pdf (default: the input's name with .png)")
	f.StringVar(&o.columns, "columns", "", "eigenvector columns to draw, by name or 1-based index (default: phi2..phi7)")
	f.StringVar(&o.summary, "summary", "", "JSON summary of the run, for the title and the eigenvalues")
	f.StringVar(&o.title, "title", "", "figure title (default: the input, n, sigma and Laplacian from --summary, else the CSV's name and n)")
	f.IntVar(&o.width, "width", d.Width, "image width in pixels (SVG/PDF: the page the PNG would print at)")
	f.IntVar(&o.height, "height", d.Height, "image height in pixels")
	f.IntVar(&o.maxPoints, "max-points", d.MaxPoints, "subsample larger clouds to this many points for display")
	f.StringVar(&o.view, "view", fmt.Sprintf("%g,%g", d.Azimuth, d.Elevation), "3D view: AZIMUTH,ELEVATION in degrees (about the --up axis; elevation in [-90, 90])")
	f.StringVar(&o.up, "up", "z", "3D view: the cloud axis drawn vertical, x, y or z (y for most meshes, e.g. the Stanford bunny)")
	f.BoolVar(&o.embedding, "embedding", false, "draw phi_i against phi_j (--axes) instead of the cloud")
	f.StringVar(&o.axes, "axes", "2,3", "--embedding: the ranks i,j of the phi columns on the x and y axes")
	f.StringVar(&o.colorBy, "color-by", "", "--embedding: column colouring the points (default: label or cluster if present, else the next phi)")
	// The former view flags keep working, for scripts that used them.
	f.Float64Var(&o.azimuth, "azimuth", d.Azimuth, "3D view: azimuth in degrees")
	f.Float64Var(&o.elevation, "elevation", d.Elevation, "3D view: elevation in degrees")
	_ = f.MarkDeprecated("azimuth", "use --view AZIMUTH,ELEVATION")
	_ = f.MarkDeprecated("elevation", "use --view AZIMUTH,ELEVATION")
	return cmd
}

// options validates the flags before anything is read, and names the output after the
// input when -o is not given.
func (o *plotOptions) options(cmd *cobra.Command, input string) (figure.Options, error) {
	if o.width < figure.MinSize || o.height < figure.MinSize || o.width > figure.MaxSize || o.height > figure.MaxSize {
		return figure.Options{}, usageErrorf("--width/--height %dx%d: must be within %d..%d", o.width, o.height, figure.MinSize, figure.MaxSize)
	}
	if o.maxPoints < 1 {
		return figure.Options{}, usageErrorf("--max-points %d: must be >= 1", o.maxPoints)
	}
	az, el, err := parseView(cmd, o)
	if err != nil {
		return figure.Options{}, err
	}
	switch strings.ToLower(o.up) {
	case "x", "y", "z":
	default:
		return figure.Options{}, usageErrorf("--up %q: want x, y or z", o.up)
	}
	if o.output == "" {
		if input == "-" {
			return figure.Options{}, usageErrorf("reading stdin: give -o FILE.png (or .svg, .pdf)")
		}
		o.output = strings.TrimSuffix(input, filepath.Ext(input)) + ".png"
	}
	format := figure.PNG
	if o.output != "-" {
		if format, err = figure.FormatOf(o.output); err != nil {
			return figure.Options{}, usageErrorf("-o %s: the extension decides the format: .png, .svg or .pdf", o.output)
		}
	}
	return figure.Options{Width: o.width, Height: o.height, Format: format, Azimuth: az, Elevation: el,
		Up: strings.ToLower(o.up), MaxPoints: o.maxPoints, Title: o.title}, nil
}

// runPlot reads the table (and the summary) and draws opt's figure to o.output.
func runPlot(cmd *cobra.Command, o *plotOptions, input string, opt figure.Options) error {
	out := o.output
	if err := cloudio.CheckPaths([]cloudio.NamedPath{{Flag: "input", Path: input}, {Flag: "--summary", Path: o.summary}},
		[]cloudio.NamedPath{{Flag: "-o", Path: out}}, cmd.InOrStdin()); err != nil {
		return err
	}
	var t *cloudio.Table
	var err error
	if input == "-" {
		t, err = cloudio.ReadTableFrom(cmd.InOrStdin(), "<stdin>")
	} else {
		t, err = cloudio.ReadTable(input)
	}
	if err != nil {
		return err
	}
	var sum *runSummary
	if o.summary != "" {
		if sum, err = readRunSummary(o.summary); err != nil {
			return err
		}
	}
	if opt.Title == "" {
		opt.Title = figureTitle(sum, input, t)
	}
	var draw func(io.Writer) error
	if o.embedding {
		e, err := embeddingOf(t, o, sum, input)
		if err != nil {
			return err
		}
		draw = func(w io.Writer) error { return figure.DrawEmbedding(w, e, opt) }
	} else {
		coords, dim, err := tableCoords(t, input)
		if err != nil {
			return err
		}
		sel, err := selectPhi(t, o.columns, input)
		if err != nil {
			return err
		}
		panels := make([]figure.Panel, len(sel))
		for i, j := range sel {
			panels[i] = figure.Panel{Values: t.Columns[j], Title: phiTitle(t.Names[j], sum)}
		}
		draw = func(w io.Writer) error { return figure.Draw(w, coords, dim, panels, opt) }
	}
	if err := writeOutput(cmd, out, draw); err != nil {
		return fmt.Errorf("plot %s: %w", out, err)
	}
	return nil
}

// parseView reads --view, or the deprecated --azimuth/--elevation when they are given.
func parseView(cmd *cobra.Command, o *plotOptions) (az, el float64, err error) {
	fl := cmd.Flags()
	if fl.Changed("azimuth") || fl.Changed("elevation") {
		if fl.Changed("view") {
			return 0, 0, usageErrorf("--view and --azimuth/--elevation: give only --view")
		}
		az, el = o.azimuth, o.elevation
	} else {
		a, e, ok := strings.Cut(o.view, ",")
		var err1, err2 error
		az, err1 = strconv.ParseFloat(strings.TrimSpace(a), 64)
		el, err2 = strconv.ParseFloat(strings.TrimSpace(e), 64)
		if !ok || err1 != nil || err2 != nil {
			return 0, 0, usageErrorf("--view %q: want AZIMUTH,ELEVATION in degrees, e.g. --view -60,30", o.view)
		}
	}
	if math.IsNaN(az) || math.IsInf(az, 0) || !(el >= -90 && el <= 90) {
		return 0, 0, usageErrorf("--view %g,%g: the azimuth must be finite and the elevation within -90..90", az, el)
	}
	if az == 0 && el == 0 {
		az = 360 // figure.Options reads 0,0 as "the default view"; 360 is the same direction
	}
	return az, el, nil
}

// phiTitle is a panel's title: "φ7, λ7 = ..." when the summary has the eigenvalue,
// "φ7" without it, the column's name for columns that are not phi.
func phiTitle(name string, sum *runSummary) string {
	r, ok := phiRank(name)
	if !ok {
		return name
	}
	if v, ok := sum.eigenvalue(r); ok {
		return figure.Titles([]float64{v}, r)[0]
	}
	return fmt.Sprintf("φ%d", r)
}

// figureTitle names the data: the summary's input, n, sigma and Laplacian, else the
// eigenvectors file and its number of rows.
func figureTitle(sum *runSummary, input string, t *cloudio.Table) string {
	n := 0
	if len(t.Columns) > 0 {
		n = len(t.Columns[0])
	}
	if sum == nil {
		name := filepath.Base(input)
		if input == "-" {
			name = "stdin"
		}
		return fmt.Sprintf("%s · n = %d", name, n)
	}
	parts := []string{}
	if sum.Input != "" {
		parts = append(parts, filepath.Base(sum.Input))
	}
	if sum.N > 0 {
		n = sum.N
	}
	parts = append(parts, fmt.Sprintf("n = %d", n))
	if sum.Sigma > 0 {
		s := fmt.Sprintf("σ = %.4g", sum.Sigma)
		if sum.SigmaAuto {
			s += " (auto)"
		}
		parts = append(parts, s)
	}
	if sum.Laplacian != "" {
		parts = append(parts, sum.Laplacian+" Laplacian")
	}
	return strings.Join(parts, " · ")
}

// embeddingOf picks --axes and the colouring of --embedding from the table.
func embeddingOf(t *cloudio.Table, o *plotOptions, sum *runSummary, src string) (figure.Embedding, error) {
	var e figure.Embedding
	a, b, ok := strings.Cut(o.axes, ",")
	ri, err1 := strconv.Atoi(strings.TrimSpace(a))
	rj, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || ri < 1 || rj < 1 {
		return e, usageErrorf("--axes %q: want two phi ranks I,J, e.g. --axes 2,3", o.axes)
	}
	phiCol := func(r int) int {
		for j, n := range t.Names {
			if k, ok := phiRank(n); ok && k == r {
				return j
			}
		}
		return -1
	}
	ci, cj := phiCol(ri), phiCol(rj)
	for _, c := range [][2]int{{ci, ri}, {cj, rj}} {
		if c[0] < 0 {
			return e, &cloudio.InputError{Source: src, Offset: -1, Msg: fmt.Sprintf("--axes %d,%d: no column phi%d among %s",
				ri, rj, c[1], strings.Join(t.Names, ", "))}
		}
	}
	axisLabel := func(r int) string {
		if v, ok := sum.eigenvalue(r); ok {
			return fmt.Sprintf("φ%d   (λ%d = %s)", r, r, figure.FormatEigenvalue(v))
		}
		return fmt.Sprintf("φ%d", r)
	}
	e.X, e.Y = t.Columns[ci], t.Columns[cj]
	e.XLabel, e.YLabel = axisLabel(ri), axisLabel(rj)

	cc := -1
	if o.colorBy != "" {
		for j, n := range t.Names {
			if strings.EqualFold(n, o.colorBy) {
				cc = j
				break
			}
		}
		if cc < 0 {
			return e, usageErrorf("--color-by: no column %q in %s (it has %s)", o.colorBy, src, strings.Join(t.Names, ", "))
		}
	} else {
		for j, n := range t.Names {
			if isLabelColumn(n) {
				cc = j
				break
			}
		}
		// Else the first phi beyond both axes (phi4 for 2,3): the next finer
		// coordinate, which a 2D picture of the embedding cannot show by position.
		for r := max(ri, rj) + 1; cc < 0 && r <= max(ri, rj)+len(t.Names); r++ {
			cc = phiCol(r)
		}
	}
	if cc < 0 {
		return e, nil // one colour
	}
	name := t.Names[cc]
	if isLabelColumn(name) {
		e.Labels = make([]string, len(t.Columns[cc]))
		for i, v := range t.Columns[cc] {
			e.Labels[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		e.ColorLabel = name
		return e, nil
	}
	e.Values = t.Columns[cc]
	e.ColorLabel = name
	if r, ok := phiRank(name); ok {
		e.ColorLabel = fmt.Sprintf("φ%d", r)
	}
	return e, nil
}

// isLabelColumn reports a column of categories (cluster numbers), coloured by a
// categorical palette rather than the diverging map.
func isLabelColumn(name string) bool {
	switch strings.ToLower(name) {
	case "label", "labels", "cluster", "clusters":
		return true
	}
	return false
}

// tableCoords finds x,y[,z] (case-insensitive) in an eigenvectors table.
func tableCoords(t *cloudio.Table, src string) ([]float64, int, error) {
	idx := []int{}
	for _, want := range []string{"x", "y", "z"} {
		for j, n := range t.Names {
			if strings.EqualFold(n, want) {
				idx = append(idx, j)
				break
			}
		}
	}
	if len(idx) < 2 {
		// Fall back to the first columns that are not phi columns.
		idx = idx[:0]
		for j, n := range t.Names {
			if _, ok := phiRank(n); !ok && len(idx) < 3 {
				idx = append(idx, j)
			}
		}
		if len(idx) < 2 {
			return nil, 0, &cloudio.InputError{Source: src, Offset: -1, Msg: fmt.Sprintf("no coordinate columns (x, y[, z]) among %s", strings.Join(t.Names, ", "))}
		}
	}
	dim := len(idx)
	n := len(t.Columns[idx[0]])
	pts := make([]float64, n*dim)
	for d, j := range idx {
		for i, v := range t.Columns[j] {
			pts[i*dim+d] = v
		}
	}
	return pts, dim, nil
}

// phiRank parses "phi7" -> 7.
func phiRank(name string) (int, bool) {
	s, ok := strings.CutPrefix(strings.ToLower(name), "phi")
	if !ok {
		return 0, false
	}
	r, err := strconv.Atoi(s)
	return r, err == nil && r > 0
}

// selectPhi picks the columns to draw: --columns, or the phi columns without phi1 when
// there are others (it is constant, or D^1/2), at most six as in the tutorial.
func selectPhi(t *cloudio.Table, columns, src string) ([]int, error) {
	var sel []int
	if columns != "" {
		for _, c := range strings.Split(columns, ",") {
			c = strings.TrimSpace(c)
			j := -1
			if k, err := strconv.Atoi(c); err == nil {
				if k >= 1 && k <= len(t.Names) {
					j = k - 1
				}
			} else {
				for jj, n := range t.Names {
					if strings.EqualFold(n, c) {
						j = jj
						break
					}
				}
			}
			if j < 0 {
				return nil, usageErrorf("--columns: no column %q in %s (it has %s)", c, src, strings.Join(t.Names, ", "))
			}
			sel = append(sel, j)
		}
		return sel, nil
	}
	for j, n := range t.Names {
		if r, ok := phiRank(n); ok && r > 1 {
			sel = append(sel, j)
		}
	}
	if len(sel) == 0 {
		for j, n := range t.Names {
			if _, ok := phiRank(n); ok {
				sel = append(sel, j)
			}
		}
	}
	if len(sel) == 0 {
		return nil, &cloudio.InputError{Source: src, Offset: -1, Msg: fmt.Sprintf("no phi columns among %s; pick some with --columns", strings.Join(t.Names, ", "))}
	}
	if len(sel) > 6 {
		sel = sel[:6]
	}
	return sel, nil
}

// runSummary is what plot reads of an embed JSON summary.
type runSummary struct {
	Input       string    `json:"input"`
	N           int       `json:"n"`
	Sigma       float64   `json:"sigma"`
	SigmaAuto   bool      `json:"sigma_auto"`
	Laplacian   string    `json:"laplacian"`
	Eigenvalues []float64 `json:"eigenvalues"`
	DropFirst   bool      `json:"drop_first"`
}

// eigenvalue returns the eigenvalue of phi rank r (phi1 is the first eigenvector,
// also when --drop-first left it out of the file); a nil summary has none.
func (s *runSummary) eigenvalue(r int) (float64, bool) {
	if s == nil {
		return 0, false
	}
	i := r - 1
	if s.DropFirst {
		i = r - 2
	}
	if i < 0 || i >= len(s.Eigenvalues) {
		return 0, false
	}
	return s.Eigenvalues[i], true
}

// readRunSummary reads an embed JSON summary.
func readRunSummary(path string) (*runSummary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &cloudio.InputError{Source: path, Offset: -1, Msg: "cannot read summary", Err: err}
	}
	var s runSummary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, &cloudio.InputError{Source: path, Offset: -1, Msg: "not a JSON summary of spectral embed", Err: err}
	}
	return &s, nil
}

// drawEigenvectors is embed --plot: the non-trivial eigenvectors (at most six).
func drawEigenvectors(w io.Writer, pts []float64, dim int, vecs [][]float64, vals []float64, dropFirst bool, opt figure.Options) error {
	first := 1
	if dropFirst {
		first = 2
	}
	var panels []figure.Panel
	for j, v := range vecs {
		r := first + j
		if r == 1 && len(vecs) > 1 {
			continue
		}
		if len(panels) == 6 {
			break
		}
		panels = append(panels, figure.Panel{Values: v, Title: figure.Titles(vals[j:j+1], r)[0]})
	}
	return figure.Draw(w, pts, dim, panels, opt)
}
