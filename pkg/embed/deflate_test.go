package embed

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/generate"
	"github.com/spectral-dev/spectral/pkg/grid"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
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
		got, err := solve(op, u, nil, k, eigsh.Options{Which: eigsh.LA})
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

// A graph of five components (blobs of different sizes, far apart): for each Laplacian
// the Lanczos path returns five zero eigenvalues, then the two smallest nonzero ones of
// the blobs, each solved on its own (a connected graph); with k at most the components,
// the vectors of the largest components, at once. Before the components were deflated,
// k = 4 gave 0.086 (random walk) and 1.26 (unnormalized) in a zero's place.
func TestLanczosComponents(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	sizes := []int{700, 600, 500, 400, 300}
	var all []float64
	var blobs [][]float64
	for b, m := range sizes {
		p := blob(rng, m, 3, []float64{float64(3 * b), float64(b % 2), 0}, 0.5)
		blobs = append(blobs, p)
		all = append(all, p...)
	}
	cloud := &cloudio.Cloud{Points: all, Dim: 3, Source: "blobs"}
	for _, lap := range []Laplacian{Normalized, RandomWalk, Unnormalized} {
		opt := Options{Sigma: 0.12, Cutoff: 4, Solver: SolverLanczos, Laplacian: lap}
		var want []float64
		for b, p := range blobs {
			o := opt
			o.K = 3
			r, err := RunCloud(context.Background(), &cloudio.Cloud{Points: p, Dim: 3, Source: "blob"}, o)
			if err != nil || len(r.Components) != 1 {
				t.Fatalf("%s blob %d: %v, components %v", lap, b, err, r.Components)
			}
			want = append(want, r.Eigenvalues[1:]...)
		}
		slices.Sort(want)
		want = append([]float64{0, 0, 0, 0, 0}, want[:2]...)
		o := opt
		o.K = 7
		r, err := RunCloud(context.Background(), cloud, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Components) != 5 || r.Solver != SolverLanczos {
			t.Fatalf("%s: components %v, solver %s", lap, r.Components, r.Solver)
		}
		// 1e-6: each run rounds its coordinates to float32 from its own grid's origin.
		for j, w := range want {
			if d := math.Abs(r.Eigenvalues[j] - w); d > 1e-6*w && d > 1e-12 {
				t.Errorf("%s: eigenvalue %d = %.15g, the blobs' own %.15g", lap, j, r.Eigenvalues[j], w)
			}
		}
		// k = 4 < 5 components: the four largest components, each vector nonzero on its
		// component only.
		o.K = 4
		r, err = RunCloud(context.Background(), cloud, o)
		if err != nil {
			t.Fatal(err)
		}
		if r.MatVecs != 1 {
			t.Errorf("%s k = 4: %d products, want the one that checks the components", lap, r.MatVecs)
		}
		for j, v := range r.Vectors {
			if math.Abs(r.Eigenvalues[j]) > 1e-12 {
				t.Errorf("%s k = 4: eigenvalue %d = %g", lap, j, r.Eigenvalues[j])
			}
			off := 0
			for b := range sizes {
				nz := 0
				for i := off; i < off+sizes[b]; i++ {
					if v[i] != 0 {
						nz++
					}
				}
				if b == j && nz != sizes[b] || b != j && nz != 0 {
					t.Errorf("%s k = 4: vector %d has %d nonzeros on blob %d (%d points)", lap, j, nz, b, sizes[b])
				}
				off += sizes[b]
			}
		}
	}
}

// check accepts the components' vectors only where they are eigenvectors of the
// operator: splitting a connected blob into two "components" fails it.
func TestComponentCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	pts := append(blob(rng, 400, 3, []float64{0, 0, 0}, 0.5), blob(rng, 300, 3, []float64{4, 0, 0}, 0.5)...)
	g, err := grid.Build(pts, 3, 0.12, 4, grid.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := kernel.New(g, kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	op, back := transform(m, m.Degrees(), Normalized)
	right, split := make([]int32, g.N), make([]int32, g.N)
	for s, i := range g.Perm {
		if i >= 400 {
			right[s], split[s] = 1, 1
		} else if i%2 == 0 {
			split[s] = 2
		}
	}
	if d := componentBasis(m.Degrees(), right, 2, back(0)); !d.check(op, 7) || slices.Max(d.res) > 1e-13 {
		t.Errorf("true components rejected: residuals %v", d.res)
	}
	if d := componentBasis(m.Degrees(), split, 3, back(0)); d.check(op, 7) {
		t.Errorf("a split blob accepted: residuals %v", d.res)
	}
}
