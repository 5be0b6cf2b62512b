package figure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/plot/cmpimg"
)

// Golden images: the figures of the reference eigenvectors (testdata/reference) as
// PNGs in testdata/*_golden.png. To rewrite them after a deliberate change, run
//
//	go test ./pkg/figure -run Golden -regen     (cmpimg's flag)
//	FIGURE_REGEN=1 go test ./pkg/figure -run Golden
//
// and look at every rewritten file before committing it. The figures are
// deterministic (fixed data, fixed subsample seed, pure-Go fonts and rasteriser), so
// on one platform they match exactly; goldenDelta leaves room for the last bits of
// floating point on others (FMA on arm64 moves a disc's rim coverage by a fraction
// of a grey level), not for a changed layout.
const goldenDelta = 0.05

func regenGolden() bool { return *cmpimg.GenerateTestData || os.Getenv("FIGURE_REGEN") != "" }

// checkGolden compares a PNG with testdata/<name>_golden.png; on a mismatch it writes
// what it got and the difference next to the test's temporary files and names them.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+"_golden.png")
	if regenGolden() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with FIGURE_REGEN=1 to create it)", err)
	}
	ok, err := cmpimg.EqualApprox("png", got, want, goldenDelta)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		return
	}
	dir := t.TempDir()
	if d := os.Getenv("FIGURE_PNG_DIR"); d != "" {
		dir = d
	}
	gotPath := filepath.Join(dir, name+"_got.png")
	_ = os.WriteFile(gotPath, got, 0o644)
	gi, err1 := png.Decode(bytes.NewReader(got))
	wi, err2 := png.Decode(bytes.NewReader(want))
	if err1 == nil && err2 == nil && gi.Bounds() == wi.Bounds() {
		diff := image.NewRGBA(gi.Bounds())
		cmpimg.Diff(diff, gi, wi)
		var buf bytes.Buffer
		if png.Encode(&buf, diff) == nil {
			_ = os.WriteFile(filepath.Join(dir, name+"_diff.png"), buf.Bytes(), 0o644)
		}
	}
	t.Errorf("%s differs from %s beyond delta %v: see %s and its _diff.png", name, path, goldenDelta, gotPath)
}

// reference reads a reference cloud, its eigenvectors 2, 3, 4 of L_norm and their
// eigenvalues.
func reference(t *testing.T, name string, dim int) (coords []float64, vecs [][]float64, vals []float64) {
	t.Helper()
	pts := readColumns(t, name+"_points.csv")
	vecs = readColumns(t, name+"_L_norm_eigvecs123.csv")
	raw, err := os.ReadFile(filepath.Join(refDir, name+"_eigen.json"))
	if err != nil {
		t.Fatal(err)
	}
	var eig struct {
		LNorm struct {
			Eigh []float64 `json:"eigh_float64"`
		} `json:"L_norm"`
	}
	if err := json.Unmarshal(raw, &eig); err != nil {
		t.Fatal(err)
	}
	n := len(pts[0])
	for i := range n {
		for d := range dim {
			coords = append(coords, pts[d][i])
		}
	}
	return coords, vecs, eig.LNorm.Eigh[1:4]
}

func drawPNG(t *testing.T, draw func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := draw(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGolden2D: the spiral's eigenvectors 2-4, small (text scaled up for 800x400).
func TestGolden2D(t *testing.T) {
	coords, vecs, vals := reference(t, "spiral_n1000_s0.05", 2)
	titles := Titles(vals, 2)
	panels := []Panel{{vecs[0], titles[0]}, {vecs[1], titles[1]}, {vecs[2], titles[2]}}
	opt := Options{Width: 800, Height: 400, Title: "spiral_n1000 · n = 1000 · σ = 0.05 · normalized Laplacian"}
	checkGolden(t, "spiral2d", drawPNG(t, func(b *bytes.Buffer) error { return Draw(b, coords, 2, panels, opt) }))
}

// TestGolden3D: the swiss roll's eigenvectors 2-4 from matplotlib's default view.
func TestGolden3D(t *testing.T) {
	coords, vecs, vals := reference(t, "swissroll_n1000_s0.1", 3)
	titles := Titles(vals, 2)
	panels := []Panel{{vecs[0], titles[0]}, {vecs[1], titles[1]}, {vecs[2], titles[2]}}
	opt := Options{Width: 900, Height: 400, Title: "swissroll_n1000 · σ = 0.1", Azimuth: -60, Elevation: 20}
	checkGolden(t, "swissroll3d", drawPNG(t, func(b *bytes.Buffer) error { return Draw(b, coords, 3, panels, opt) }))
}

// TestGoldenEmbedding: φ2 against φ3 of the spiral, coloured by φ4 (colour bar) and
// by labels (legend, "-1" grey): the spiral's parameter cut in four arcs, the ends
// of two arcs labelled noise.
func TestGoldenEmbedding(t *testing.T) {
	_, vecs, vals := reference(t, "spiral_n1000_s0.05", 2)
	x := fmt.Sprintf("φ2   (λ2 = %s)", FormatEigenvalue(vals[0]))
	y := fmt.Sprintf("φ3   (λ3 = %s)", FormatEigenvalue(vals[1]))
	e := Embedding{X: vecs[0], Y: vecs[1], XLabel: x, YLabel: y, Values: vecs[2], ColorLabel: "φ4"}
	opt := Options{Width: 600, Height: 450, Title: "spiral_n1000: embedding"}
	checkGolden(t, "embedding_values", drawPNG(t, func(b *bytes.Buffer) error { return DrawEmbedding(b, e, opt) }))

	n := len(vecs[0])
	labels := make([]string, n)
	for i := range labels {
		labels[i] = strconv.Itoa(4 * i / n)
		if i%250 > 235 {
			labels[i] = "-1"
		}
	}
	e.Values, e.Labels, e.ColorLabel = nil, labels, "cluster"
	checkGolden(t, "embedding_labels", drawPNG(t, func(b *bytes.Buffer) error { return DrawEmbedding(b, e, opt) }))
}

// TestGoldenIsDeterministic: two draws give the same bytes, so the goldens compare
// the code and not chance.
func TestGoldenIsDeterministic(t *testing.T) {
	coords, vecs, _ := reference(t, "swissroll_n1000_s0.1", 3)
	draw := func() []byte {
		return drawPNG(t, func(b *bytes.Buffer) error {
			return Draw(b, coords, 3, []Panel{{Values: vecs[0]}}, Options{Width: 300, Height: 200, MaxPoints: 500})
		})
	}
	if a, b := draw(), draw(); !bytes.Equal(a, b) {
		t.Error("two draws of the same figure differ")
	}
}
