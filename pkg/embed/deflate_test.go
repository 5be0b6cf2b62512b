package embed

import (
	"math"
	"testing"

	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/generate"
	"github.com/spectral-dev/spectral/pkg/grid"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// solve with the known first eigenvector deflated against the plain solve: the same
// eigenvalues (the first exactly 1) and vectors, fewer products; and, when the wanted
// pairs reach down to the deflated direction's 0 (k close to n), the plain answer.
func TestDeflatedSolve(t *testing.T) {
	pts := generate.SwissRoll(400, 0.01, 0)
	g, err := grid.Build(pts, 3, 0.05, 4, grid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := kernel.New(g, kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	op, _ := transform(m, m.Degrees(), Normalized)
	u := trivialVector(m.Degrees())
	for _, k := range []int{7, 300} {
		plain, err := eigsh.Solve(op, k, eigsh.Options{Which: eigsh.LA})
		if err != nil {
			t.Fatal(err)
		}
		got, err := solve(op, u, k, eigsh.Options{Which: eigsh.LA})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Values) != k {
			t.Fatalf("k=%d: %d values", k, len(got.Values))
		}
		for i := range got.Values {
			if math.Abs(got.Values[i]-plain.Values[i]) > 1e-9 {
				t.Errorf("k=%d: value %d = %.15g, plain %.15g", k, i, got.Values[i], plain.Values[i])
			}
		}
		if k == 300 && (got.Values[0] >= 0.25 || got.MatVecs <= plain.MatVecs) {
			t.Errorf("k=300: smallest %.3g, products %d (plain %d): the fallback did not run", got.Values[0], got.MatVecs, plain.MatVecs)
		}
		if k == 7 {
			if got.Values[k-1] != 1 || got.MatVecs >= plain.MatVecs {
				t.Errorf("k=7: last value %.17g, products %d (plain %d)", got.Values[k-1], got.MatVecs, plain.MatVecs)
			}
			for j := 1; j < 4; j++ { // vectors 2-4 (the last columns)
				var c float64
				for i := 0; i < g.N; i++ {
					c += got.Vectors.At(i, k-1-j) * plain.Vectors.At(i, k-1-j)
				}
				if math.Abs(math.Abs(c)-1) > 1e-8 {
					t.Errorf("k=7: vector %d |cos| = %.12f against the plain solve", j+1, math.Abs(c))
				}
			}
		}
	}
}
