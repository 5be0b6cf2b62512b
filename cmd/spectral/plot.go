package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/figure"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

type plotOptions struct {
	output, columns, summary string
	width, height, maxPoints int
	azimuth, elevation       float64
}

func plotDefaults() figure.Options {
	return figure.Options{Width: 1200, Height: 800, Azimuth: -60, Elevation: 30, MaxPoints: 20000}
}

func newPlotCmd() *cobra.Command {
	d := plotDefaults()
	o := &plotOptions{}
	cmd := &cobra.Command{
		Use:   "plot EIGVECS",
		Short: "PNG of the cloud coloured by each eigenvector",
		Long: `Plot reads an eigenvectors CSV written by 'spectral embed' (coordinates x,y[,z] and the
columns phi1..phiK, found by name; --columns picks others) and draws a grid of scatter
plots, one per eigenvector (the trivial phi1 is left out when there are more), coloured
with ColorBrewer's Spectral diverging map centred at 0, with equal aspect. 3D clouds are
drawn in an orthographic projection (--azimuth, --elevation), far points first. Large
clouds are subsampled for display (--max-points, fixed seed). Titles read
"Eigenvalue i = ..." when --summary gives the JSON summary of the run, else "phi i".
` + exitStatusHelp,
		Example: `  spectral embed --sigma 0.05 spiral.csv --summary run.json
  spectral plot eigvecs.csv --summary run.json          # -> eigvecs.png
  spectral plot eigvecs.csv --columns phi2,phi3 -o two.png --width 800 --height 400`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlot(cmd, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "PNG to write (default: the input's name with .png)")
	f.StringVar(&o.columns, "columns", "", "eigenvector columns to draw, by name or 1-based index (default: phi2..phi7)")
	f.StringVar(&o.summary, "summary", "", "JSON summary of the run, for eigenvalues in the titles")
	f.IntVar(&o.width, "width", d.Width, "image width in pixels")
	f.IntVar(&o.height, "height", d.Height, "image height in pixels")
	f.IntVar(&o.maxPoints, "max-points", d.MaxPoints, "subsample larger clouds to this many points for display")
	f.Float64Var(&o.azimuth, "azimuth", d.Azimuth, "3D view: azimuth in degrees")
	f.Float64Var(&o.elevation, "elevation", d.Elevation, "3D view: elevation in degrees")
	return cmd
}

func runPlot(cmd *cobra.Command, o *plotOptions, input string) error {
	if o.width < 64 || o.height < 64 || o.width > 20000 || o.height > 20000 {
		return usageErrorf("--width/--height %dx%d: must be within 64..20000", o.width, o.height)
	}
	if o.maxPoints < 1 {
		return usageErrorf("--max-points %d: must be >= 1", o.maxPoints)
	}
	out := o.output
	if out == "" {
		if input == "-" {
			return usageErrorf("reading stdin: give -o FILE.png")
		}
		out = strings.TrimSuffix(input, filepath.Ext(input)) + ".png"
	}
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
	coords, dim, err := tableCoords(t, input)
	if err != nil {
		return err
	}
	sel, err := selectPhi(t, o.columns, input)
	if err != nil {
		return err
	}
	var eig map[int]float64
	if o.summary != "" {
		if eig, err = summaryEigenvalues(o.summary); err != nil {
			return err
		}
	}
	panels := make([]figure.Panel, len(sel))
	for i, j := range sel {
		name := t.Names[j]
		title := name
		if r, ok := phiRank(name); ok {
			title = fmt.Sprintf("phi %d", r)
			if v, ok := eig[r]; ok {
				title = figure.Titles([]float64{v}, r)[0]
			}
		}
		panels[i] = figure.Panel{Values: t.Columns[j], Title: title}
	}
	opt := figure.Options{Width: o.width, Height: o.height, Azimuth: o.azimuth, Elevation: o.elevation, MaxPoints: o.maxPoints}
	err = writeOutput(cmd, out, func(w io.Writer) error { return figure.Draw(w, coords, dim, panels, opt) })
	if err != nil {
		return fmt.Errorf("plot %s: %w", out, err)
	}
	return nil
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

// summaryEigenvalues reads eigenvalues by rank from an embed JSON summary.
func summaryEigenvalues(path string) (map[int]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &cloudio.InputError{Source: path, Offset: -1, Msg: "cannot read summary", Err: err}
	}
	var s struct {
		Eigenvalues []float64 `json:"eigenvalues"`
		DropFirst   bool      `json:"drop_first"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, &cloudio.InputError{Source: path, Offset: -1, Msg: "not a JSON summary of spectral embed", Err: err}
	}
	first := 1
	if s.DropFirst {
		first = 2
	}
	m := make(map[int]float64, len(s.Eigenvalues))
	for i, v := range s.Eigenvalues {
		m[first+i] = v
	}
	return m, nil
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
