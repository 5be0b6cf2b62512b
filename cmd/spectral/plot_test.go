package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
