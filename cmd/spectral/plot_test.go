package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/figure"
)

// embedReference runs embed on a reference cloud and returns the eigenvectors CSV,
// the summary and its eigenvalues.
func embedReference(t *testing.T, dir, name, sigma string) (csv, sum string, eig []float64) {
	t.Helper()
	csv, sum = filepath.Join(dir, name+".csv"), filepath.Join(dir, name+".json")
	mustRun(t, nil, "embed", "--sigma", sigma, "--cutoff", "4", "-k", "5", "-q",
		filepath.Join(refDir, name+"_points.csv"), "-o", csv, "--summary", sum)
	b, err := os.ReadFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Eigenvalues []float64 `json:"eigenvalues"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return csv, sum, s.Eigenvalues
}

// TestPlotFormats: the output's extension decides the format; any other is exit 2
// with nothing written. The SVG carries the title from the summary and each panel's
// eigenvalue as text.
func TestPlotFormats(t *testing.T) {
	dir := t.TempDir()
	csv, sum, eig := embedReference(t, dir, "spiral_n1000_s0.05", "0.05")
	svg := filepath.Join(dir, "fig.svg")
	mustRun(t, nil, "plot", csv, "--summary", sum, "-o", svg, "--width", "800", "--height", "400")
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.HasPrefix(text, "<?xml") || !strings.Contains(text, "<svg") {
		t.Fatalf("%s is not SVG: %.40q", svg, text)
	}
	for _, want := range []string{
		">spiral_n1000_s0.05_points.csv · n = 1000 · σ = 0.05 · normalized Laplacian<",
		">φ2, λ2 = " + figure.FormatEigenvalue(eig[1]) + "<",
		">φ5, λ5 = " + figure.FormatEigenvalue(eig[4]) + "<",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}

	pdf := filepath.Join(dir, "FIG.PDF")
	mustRun(t, nil, "plot", csv, "-o", pdf, "--width", "300", "--height", "200")
	if b, _ := os.ReadFile(pdf); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("%s is not a PDF: %.10q", pdf, b)
	}
	png := filepath.Join(dir, "fig.png")
	mustRun(t, nil, "plot", csv, "-o", png, "--width", "300", "--height", "200")
	if b := decodePNG(t, png).Bounds(); b.Dx() != 300 || b.Dy() != 200 {
		t.Errorf("PNG %v, want 300x200", b)
	}

	before := dirNames(t, dir)
	for _, out := range []string{"fig.jpg", "fig", "fig.svgz"} {
		r := spectral(t, nil, "plot", csv, "-o", filepath.Join(dir, out))
		if r.code != 2 || !strings.Contains(r.stderr, ".png, .svg or .pdf") {
			t.Errorf("-o %s: exit %d %q, want 2 naming the formats", out, r.code, r.stderr)
		}
	}
	if got := dirNames(t, dir); !slices.Equal(got, before) {
		t.Errorf("refused outputs left files: %v, before %v", got, before)
	}
}

// TestPlotView: --view turns the 3D picture; bad views, --up values and the mix of
// --view with the deprecated --azimuth/--elevation are usage errors.
func TestPlotView(t *testing.T) {
	dir := t.TempDir()
	csv, _, _ := embedReference(t, dir, "swissroll_n1000_s0.1", "0.1")
	draw := func(args ...string) []byte {
		out := filepath.Join(dir, "v.png")
		mustRun(t, nil, append([]string{"plot", csv, "-o", out, "--width", "300", "--height", "200"}, args...)...)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	def := draw()
	if !bytes.Equal(def, draw("--view", fmt.Sprintf("%d,%d", defaultAzimuth, defaultElevation))) {
		t.Error("the default view is not --view -60,30")
	}
	if !bytes.Equal(def, draw("--azimuth", "-60", "--elevation", "30")) {
		t.Error("the deprecated --azimuth/--elevation no longer give the same view")
	}
	turned := draw("--view", "20,15")
	if bytes.Equal(def, turned) {
		t.Error("--view 20,15 draws the default view")
	}
	if bytes.Equal(turned, draw("--view", "20,15", "--up", "y")) {
		t.Error("--up y changes nothing")
	}
	if !bytes.Equal(draw("--view", "0,0"), draw("--view", "360,0")) {
		t.Error("--view 0,0 is not the view along x")
	}
	for _, args := range [][]string{
		{"--view", "abc"}, {"--view", "10"}, {"--view", "0,95"}, {"--view", "nan,0"},
		{"--view", "0,10", "--azimuth", "5"}, {"--up", "w"},
	} {
		r := spectral(t, nil, append([]string{"plot", csv, "-o", filepath.Join(dir, "bad.png")}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, args[0]) {
			t.Errorf("%v: exit %d %q, want 2 naming %s", args, r.code, r.stderr, args[0])
		}
	}
}

// TestPlotEmbedding: --embedding draws phi2 against phi3 coloured by phi4, or by a
// label column with a legend when the CSV has one.
func TestPlotEmbedding(t *testing.T) {
	dir := t.TempDir()
	csv, sum, eig := embedReference(t, dir, "spiral_n1000_s0.05", "0.05")
	svgText := func(args ...string) string {
		out := filepath.Join(dir, "e.svg")
		mustRun(t, nil, append([]string{"plot", "--embedding", "-o", out, "--width", "500", "--height", "400"}, args...)...)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	text := svgText(csv, "--summary", sum)
	for _, want := range []string{
		">φ2   (λ2 = " + figure.FormatEigenvalue(eig[1]) + ")<",
		">φ3   (λ3 = " + figure.FormatEigenvalue(eig[2]) + ")<",
		">φ4<", // the colour bar's title
	} {
		if !strings.Contains(text, want) {
			t.Errorf("embedding SVG lacks %q", want)
		}
	}
	text = svgText(csv, "--axes", "3,5", "--color-by", "phi2")
	for _, want := range []string{">φ3<", ">φ5<", ">φ2<"} {
		if !strings.Contains(text, want) {
			t.Errorf("--axes 3,5 --color-by phi2: SVG lacks %q", want)
		}
	}

	// A label column (as a clustering step would add): thirds of the cloud, the
	// first ten points noise (-1).
	b, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var sb strings.Builder
	sb.WriteString(lines[0] + ",label\n")
	for i, l := range lines[1:] {
		lab := 7 + 3*i/(len(lines)-1) // 7, 8, 9: numbers no tick label shows
		if i < 10 {
			lab = -1
		}
		fmt.Fprintf(&sb, "%s,%d\n", l, lab)
	}
	labelled := filepath.Join(dir, "labelled.csv")
	writeFile(t, labelled, []byte(sb.String()))
	text = svgText(labelled)
	for _, want := range []string{">label<", ">-1<", ">7<", ">8<", ">9<"} {
		if !strings.Contains(text, want) {
			t.Errorf("labelled embedding SVG lacks the legend entry %q", want)
		}
	}
	if strings.Contains(text, ">φ4<") {
		t.Error("labelled embedding still coloured by phi4")
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--axes", "2,9"}, "phi9"},
		{[]string{"--axes", "2"}, "--axes"},
		{[]string{"--axes", "0,1"}, "--axes"},
		{[]string{"--color-by", "nosuch"}, "nosuch"},
	} {
		r := spectral(t, nil, append([]string{"plot", csv, "--embedding", "-o", filepath.Join(dir, "bad.png")}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q, want 2 naming %s", c.args, r.code, r.stderr, c.want)
		}
	}
}

// panelColours counts distinct colours in each cell of a rows x cols grid of the image.
func panelColours(img image.Image, rows, cols int) []int {
	b := img.Bounds()
	var counts []int
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			seen := map[[3]uint32]bool{}
			for y := b.Min.Y + r*b.Dy()/rows; y < b.Min.Y+(r+1)*b.Dy()/rows; y++ {
				for x := b.Min.X + c*b.Dx()/cols; x < b.Min.X+(c+1)*b.Dx()/cols; x++ {
					cr, cg, cb, _ := img.At(x, y).RGBA()
					seen[[3]uint32{cr >> 8, cg >> 8, cb >> 8}] = true
				}
			}
			counts = append(counts, len(seen))
		}
	}
	return counts
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func TestPlot(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, sigma string
	}{
		{"spiral_n1000_s0.05", "0.05"},
		{"swissroll_n1000_s0.1", "0.1"},
	} {
		vecs, sum := filepath.Join(dir, c.name+".csv"), filepath.Join(dir, c.name+".json")
		mustRun(t, nil, "embed", "--sigma", c.sigma, "--cutoff", "4", "-k", "7", "-q",
			filepath.Join(refDir, c.name+"_points.csv"), "-o", vecs, "--summary", sum)
		mustRun(t, nil, "plot", vecs, "--width", "600", "--height", "400")
		def := filepath.Join(dir, c.name+".png") // default: the input's name with .png
		img := decodePNG(t, def)
		if b := img.Bounds(); b.Dx() != 600 || b.Dy() != 400 {
			t.Errorf("%s: %dx%d, want 600x400", c.name, b.Dx(), b.Dy())
		}
		// phi2..phi7 in a 2 x 3 grid, each panel coloured by its eigenvector.
		for i, n := range panelColours(img, 2, 3) {
			if n < 30 {
				t.Errorf("%s: panel %d has %d distinct colours, want a coloured cloud", c.name, i+1, n)
			}
		}
		titled := filepath.Join(dir, c.name+"_titled.png")
		mustRun(t, nil, "plot", vecs, "--summary", sum, "-o", titled, "--width", "600", "--height", "400",
			"--azimuth", "-60", "--elevation", "30", "--max-points", "500")
		a, _ := os.ReadFile(def)
		b, _ := os.ReadFile(titled)
		if bytes.Equal(a, b) {
			t.Errorf("%s: --summary titles and --max-points change nothing in the PNG", c.name)
		}
		// "-" reads the stdin given to run().
		csv, err := os.ReadFile(vecs)
		if err != nil {
			t.Fatal(err)
		}
		piped := filepath.Join(dir, c.name+"_stdin.png")
		if r := spectral(t, csv, "plot", "-", "-o", piped, "--width", "600", "--height", "400"); r.code != 0 {
			t.Errorf("%s: plot from stdin: exit %d: %s", c.name, r.code, r.stderr)
		} else if a, b := decodePNG(t, def).Bounds(), decodePNG(t, piped).Bounds(); a != b {
			t.Errorf("%s: plot from stdin %v, from the file %v", c.name, b, a)
		}
		two := filepath.Join(dir, c.name+"_two.png")
		mustRun(t, nil, "plot", vecs, "--columns", "phi2,phi3", "-o", two, "--width", "300", "--height", "200")
		if b := decodePNG(t, two).Bounds(); b.Dx() != 300 || b.Dy() != 200 {
			t.Errorf("%s --columns phi2,phi3: %dx%d, want 300x200", c.name, b.Dx(), b.Dy())
		}
	}
	// embed --plot draws the same kind of picture.
	png := filepath.Join(dir, "embed.png")
	mustRun(t, nil, "embed", "--sigma", "0.1", "--cutoff", "4", "-k", "4", "-q",
		filepath.Join(refDir, "swissroll_n1000_s0.1_points.csv"), "-o", filepath.Join(dir, "e.csv"), "--plot", png)
	if b := decodePNG(t, png).Bounds(); b.Dx() < 64 || b.Dy() < 64 {
		t.Errorf("embed --plot: %v", b)
	}
}

func TestPlotBadInput(t *testing.T) {
	dir := t.TempDir()
	pts := filepath.Join(dir, "points.csv")
	b, err := os.ReadFile(filepath.Join(refDir, "spiral_n1000_s0.05_points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, pts, b)
	out := filepath.Join(dir, "p.png")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plot", pts, "-o", out}, "phi"},
		{[]string{"plot", pts, "-o", out, "--columns", "phi9"}, "phi9"},
		{[]string{"plot", pts, "-o", out, "--width", "10"}, "--width"},
		{[]string{"plot", pts, "-o", out, "--max-points", "0"}, "--max-points"},
		{[]string{"plot", filepath.Join(dir, "nothere.csv"), "-o", out}, "nothere.csv"},
	} {
		r := spectral(t, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args[2:], r.code, r.stderr, c.want)
		}
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"points.csv"}) {
		t.Errorf("failed plots left %v", got)
	}
}

// plotRun is what plot's runner is handed.
type plotRun struct {
	o   *plotOptions
	opt figure.Options
}

// TestPlotFlags: plot's defaults (size, view, the output named after the input) and bad
// values refused before anything is read.
func TestPlotFlags(t *testing.T) {
	checkFlags(t, func(ran func(plotRun)) *cobra.Command {
		return newPlotCmd(func(_ *cobra.Command, o *plotOptions, _ string, opt figure.Options) error {
			ran(plotRun{o, opt})
			return nil
		})
	}, []flagCase[plotRun]{
		{[]string{"e.eigvecs.csv"}, func(r plotRun) bool {
			d := plotDefaults()
			return r.o.output == "e.eigvecs.png" && r.opt.Format == figure.PNG && r.opt.Width == d.Width && r.opt.Height == d.Height &&
				r.opt.Azimuth == d.Azimuth && r.opt.Elevation == d.Elevation && r.opt.Up == "z" && r.opt.MaxPoints == d.MaxPoints
		}, ""},
		{[]string{"-", "-o", "f.pdf", "--view", "20,15", "--up", "Y", "--width", "800", "--title", "t"}, func(r plotRun) bool {
			return r.o.output == "f.pdf" && r.opt.Format == figure.PDF && r.opt.Azimuth == 20 && r.opt.Elevation == 15 &&
				r.opt.Up == "y" && r.opt.Width == 800 && r.opt.Title == "t"
		}, ""},
		{[]string{"e.csv", "--view", "0,0"}, func(r plotRun) bool { return r.opt.Azimuth == 360 && r.opt.Elevation == 0 }, ""},
		{[]string{"e.csv", "--azimuth", "10", "--elevation", "5"}, func(r plotRun) bool { return r.opt.Azimuth == 10 && r.opt.Elevation == 5 }, ""},
		{[]string{"-"}, nil, "-o"},
		{[]string{"e.csv", "-o", "f.gif"}, nil, "f.gif"},
		{[]string{"e.csv", "--width", "10"}, nil, "--width"},
		{[]string{"e.csv", "--max-points", "0"}, nil, "--max-points"},
		{[]string{"e.csv", "--view", "10"}, nil, "--view"},
		{[]string{"e.csv", "--view", "10,95"}, nil, "--view"},
		{[]string{"e.csv", "--view", "10,5", "--azimuth", "3"}, nil, "--view"},
		{[]string{"e.csv", "--up", "w"}, nil, "--up"},
	})
}
