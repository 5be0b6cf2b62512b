package figure

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

const refDir = "../../testdata/reference"

// readColumns reads a CSV with a header row into columns of float64.
func readColumns(t *testing.T, name string) [][]float64 {
	t.Helper()
	fh, err := os.Open(filepath.Join(refDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := make([][]float64, len(rows[0]))
	for _, row := range rows[1:] {
		for j, s := range row {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cols[j] = append(cols[j], v)
		}
	}
	return cols
}

// TestDrawReferenceEigenvectors draws the reference eigenvectors 2..4 of L_norm
// (numpy eigh) on their clouds, with the reference eigenvalues in the titles.
func TestDrawReferenceEigenvectors(t *testing.T) {
	for _, c := range []struct {
		name string
		dim  int
	}{{"spiral_n1000_s0.05", 2}, {"swissroll_n1000_s0.1", 3}} {
		t.Run(c.name, func(t *testing.T) {
			pts := readColumns(t, c.name+"_points.csv")
			vecs := readColumns(t, c.name+"_L_norm_eigvecs123.csv")
			raw, err := os.ReadFile(filepath.Join(refDir, c.name+"_eigen.json"))
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
			coords := make([]float64, 0, n*c.dim)
			for i := range n {
				for d := range c.dim {
					coords = append(coords, pts[d][i])
				}
			}
			titles := Titles(eig.LNorm.Eigh[1:4], 2)
			panels := make([]Panel, 3)
			for p := range panels {
				panels[p] = Panel{Values: vecs[p], Title: titles[p]}
			}
			img := render(t, c.name, coords, c.dim, panels, Options{Width: 1200, Height: 450})
			checkPanels(t, img, 1200, 450, 3, 1, 3)
		})
	}
}
