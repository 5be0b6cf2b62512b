package embed

import (
	"context"
	"math"
	"testing"

	"github.com/spectral-dev/spectral/internal/testref"
	"github.com/spectral-dev/spectral/pkg/generate"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

func cloudOf(pts []float64, dim int, name string) *cloudio.Cloud {
	names := []string{"x", "y", "z"}[:dim]
	return &cloudio.Cloud{Points: pts, Dim: dim, Names: names, Source: name}
}

func newVectors(k, n int) [][]float64 {
	v := make([][]float64, k)
	for j := range v {
		v[j] = make([]float64, n)
	}
	return v
}

// TestExtendReproducesModel: extending a model's own points gives its eigenvectors back
// to 1e-10 relative, for every Laplacian, cutoff and --drop-first.
func TestExtendReproducesModel(t *testing.T) {
	ctx := context.Background()
	clouds := []struct {
		c     *cloudio.Cloud
		sigma float64
	}{
		{cloudOf(generate.Spiral(1500, 0.01, 3), 2, "spiral"), 0.03},
		{cloudOf(generate.SwissRoll(1200, 0.01, 4), 3, "roll"), 0.08},
	}
	for _, c := range clouds {
		for _, lap := range []Laplacian{Normalized, RandomWalk, Unnormalized} {
			for _, cutoff := range []float64{CutoffAuto, 4} {
				opt := Options{Sigma: c.sigma, Cutoff: cutoff, K: 5, Laplacian: lap, Device: "cpu", DropFirst: lap == RandomWalk}
				res, err := RunCloud(ctx, c.c, opt)
				if err != nil {
					t.Fatal(err)
				}
				ext, err := NewExtender(res.Model(phiNamesForTest(len(res.Vectors))), 2)
				if err != nil {
					t.Fatal(err)
				}
				got := newVectors(len(res.Vectors), c.c.N())
				unreached, err := ext.Extend(ctx, c.c.Points, got)
				if err != nil || unreached != 0 {
					t.Fatalf("extend: %v, %d unreached", err, unreached)
				}
				for j, want := range res.Vectors {
					big, diff := 0.0, 0.0
					for i := range want {
						big = math.Max(big, math.Abs(want[i]))
						diff = math.Max(diff, math.Abs(got[j][i]-want[i]))
					}
					if diff > 1e-10*big {
						t.Errorf("%s %s cutoff %g vector %d: extension differs by %.3g (max entry %.3g)", c.c.Source, lap, cutoff, j, diff, big)
					}
				}
			}
		}
	}
}

func phiNamesForTest(k int) []string {
	names := make([]string, k)
	for j := range names {
		names[j] = "phi" + string(rune('1'+j))
	}
	return names
}

// TestExtendHeldOut: embed 90% of a spiral, extend to the other 10%, and compare with
// the exact embedding of all points there (the spiral's eigenvalues are well separated,
// so vectors compare one by one): correlation above 0.999 for phi2..phi5.
func TestExtendHeldOut(t *testing.T) {
	ctx := context.Background()
	const n = 4000
	all := cloudOf(generate.Spiral(n, 0.01, 5), 2, "spiral")
	opt := Options{Sigma: 0.02, Cutoff: 4, K: 5, Device: "cpu"}
	exact, err := RunCloud(ctx, all, opt)
	if err != nil {
		t.Fatal(err)
	}
	var train, test []float64
	var testIdx []int
	for i := 0; i < n; i++ {
		p := all.Points[2*i : 2*i+2]
		if i%10 == 7 {
			test = append(test, p...)
			testIdx = append(testIdx, i)
		} else {
			train = append(train, p...)
		}
	}
	part, err := RunCloud(ctx, cloudOf(train, 2, "train"), opt)
	if err != nil {
		t.Fatal(err)
	}
	ext, err := NewExtender(part.Model(phiNamesForTest(5)), 2)
	if err != nil {
		t.Fatal(err)
	}
	got := newVectors(5, len(testIdx))
	if _, err := ext.Extend(ctx, test, got); err != nil {
		t.Fatal(err)
	}
	for j := 1; j < 5; j++ {
		want := make([]float64, len(testIdx))
		for k, i := range testIdx {
			want[k] = exact.Vectors[j][i]
		}
		if c := testref.Correlation(got[j], want); c < 0.999 {
			t.Errorf("phi%d: held-out correlation %.6f, want > 0.999", j+1, c)
		}
	}
}

// TestLandmarks: a landmark run extends to every point (input order kept), reproduces the
// landmarks' own rows (uniform sampling), its weights count every point (cells), and it
// approximates the exact embedding; points beyond the cutoff of every landmark are NaN
// and counted.
func TestLandmarks(t *testing.T) {
	ctx := context.Background()
	const n, m = 12000, 3000
	pts := generate.Spiral(n, 0.01, 6)
	all := cloudOf(pts, 2, "spiral")
	exact, err := RunCloud(ctx, all, Options{Sigma: 0.02, Cutoff: 4, K: 4, Device: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sampling string
		minCorr  float64
	}{{SampleUniform, 0.98}, {SampleCells, 0.999}} {
		opt := Options{Sigma: 0.02, Cutoff: 4, K: 4, Device: "cpu", Landmarks: m, LandmarkSampling: c.sampling}
		res, err := RunCloud(ctx, all, opt)
		if err != nil {
			t.Fatal(err)
		}
		l := res.Landmarks
		if l == nil || res.Vectors != nil || len(l.Vectors) != 4 {
			t.Fatalf("%s: not a landmark result", c.sampling)
		}
		if err := res.ExtendAll(ctx); err != nil {
			t.Fatal(err)
		}
		if l.Unreached != 0 {
			t.Fatalf("%s: %d points unreached, want 0", c.sampling, l.Unreached)
		}
		switch c.sampling {
		case SampleUniform:
			if len(l.Index) != m || l.Weights != nil {
				t.Fatalf("uniform: %d landmarks, weights %v", len(l.Index), l.Weights != nil)
			}
			for k, i := range l.Index {
				for j := range res.Vectors {
					if d := math.Abs(res.Vectors[j][i] - l.scale[j]*l.Vectors[j][k]); d > 1e-10 {
						t.Fatalf("landmark %d vector %d: extension differs from the exact value by %g", i, j, d)
					}
				}
			}
		case SampleCells:
			total := 0.0
			for _, w := range l.Weights {
				total += w
			}
			if total != n || len(l.Weights) < m/2 || len(l.Weights) > 2*m {
				t.Fatalf("cells: %d landmarks with weights summing to %g, want about %d and %d", len(l.Weights), total, m, n)
			}
		}
		for j := 1; j < 4; j++ {
			if cc := testref.Correlation(res.Vectors[j], exact.Vectors[j]); cc < c.minCorr {
				t.Errorf("%s phi%d: correlation with the exact embedding %.5f, want > %g", c.sampling, j+1, cc, c.minCorr)
			}
		}
		far := newVectors(4, 2)
		if u, err := l.extender.Extend(ctx, []float64{50, 50, pts[0], pts[1]}, far); err != nil || u != 1 || !math.IsNaN(far[1][0]) || math.IsNaN(far[1][1]) {
			t.Fatalf("%s far point: %d unreached (%v), values %g %g: want 1, NaN, a number", c.sampling, u, err, far[1][0], far[1][1])
		}
	}
}

// TestWeightsAreMultiplicities: weights equal to integer multiplicities give the
// eigenpairs of the cloud with each point repeated that many times.
func TestWeightsAreMultiplicities(t *testing.T) {
	ctx := context.Background()
	base := generate.Spiral(600, 0.01, 9)
	w := make([]float64, 600)
	var rep []float64
	var first []int
	for i := range w {
		w[i] = float64(1 + i%3)
		first = append(first, len(rep)/2)
		for c := 0; c < int(w[i]); c++ {
			rep = append(rep, base[2*i], base[2*i+1])
		}
	}
	for _, lap := range []Laplacian{Normalized, RandomWalk} {
		opt := Options{Sigma: 0.03, K: 5, Device: "cpu", Laplacian: lap}
		dup, err := RunCloud(ctx, cloudOf(rep, 2, "repeated"), opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.Weights = w
		wt, err := RunCloud(ctx, cloudOf(base, 2, "weighted"), opt)
		if err != nil {
			t.Fatal(err)
		}
		for j := range wt.Eigenvalues {
			if d := math.Abs(wt.Eigenvalues[j] - dup.Eigenvalues[j]); d > 1e-9 {
				t.Errorf("%s eigenvalue %d: weighted %.12g, repeated %.12g", lap, j, wt.Eigenvalues[j], dup.Eigenvalues[j])
			}
			d := make([]float64, len(first))
			for k, i := range first {
				d[k] = dup.Vectors[j][i]
			}
			if c := testref.Correlation(d, wt.Vectors[j]); c < 1-1e-9 {
				t.Errorf("%s vector %d: correlation %.12f with the repeated cloud's", lap, j, c)
			}
		}
	}
}
