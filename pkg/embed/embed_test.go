package embed

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/spectral-dev/spectral/internal/testref"
	"github.com/spectral-dev/spectral/pkg/generate"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// Every Laplacian against numpy's dense float64 eigh on the reference clouds (dense kernel).
func TestEigenvaluesMatchReference(t *testing.T) {
	cases := []struct {
		name  string
		sigma float64
	}{
		{"spiral_n1000_s0.05", 0.05},
		{"swissroll_n1000_s0.1", 0.1},
	}
	for _, c := range cases {
		l, lnorm := testref.Eigen(t, c.name)
		for _, lap := range []Laplacian{Normalized, Unnormalized, RandomWalk} {
			res, err := Run(context.Background(), Options{
				Input: "../../testdata/reference/" + c.name + "_points.csv",
				Sigma: c.sigma, Cutoff: 0, K: 7, Laplacian: lap, Device: "cpu",
			})
			if err != nil {
				t.Fatalf("%s %s: %v", c.name, lap, err)
			}
			want := lnorm
			if lap == Unnormalized {
				want = l
			}
			for j, w := range want {
				got := res.Eigenvalues[j]
				if math.Abs(got-w) > 1e-6*math.Abs(w) && math.Abs(got-w) > 1e-9 {
					t.Errorf("%s %s eigenvalue %d = %.12g, want %.12g (numpy eigh)", c.name, lap, j, got, w)
				}
			}
		}
	}
}

// denseKernel is the definition in float64: K_ij = exp(-|xi-xj|^2 / 2 sigma^2).
func denseKernel(pts []float64, dim int, sigma float64) [][]float64 {
	n := len(pts) / dim
	k := make([][]float64, n)
	for i := range k {
		k[i] = make([]float64, n)
		for j := range k[i] {
			d2 := 0.0
			for d := 0; d < dim; d++ {
				x := pts[i*dim+d] - pts[j*dim+d]
				d2 += x * x
			}
			k[i][j] = math.Exp(-d2 / (2 * sigma * sigma))
		}
	}
	return k
}

// Random-walk eigenvectors solve K v = (1 - lambda) D v, in input order.
func TestRandomWalkVectors(t *testing.T) {
	pts := generate.Spiral(400, 0.01, 3)
	cloud := &cloudio.Cloud{Points: pts, Dim: 2, Names: []string{"x", "y"}, Source: "spiral"}
	sigma := 0.05
	res, err := RunCloud(context.Background(), cloud, Options{Sigma: sigma, Cutoff: 0, K: 4, Laplacian: RandomWalk, Device: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	k := denseKernel(pts, 2, sigma)
	n := len(k)
	deg := make([]float64, n)
	for i := range k {
		for _, v := range k[i] {
			deg[i] += v
		}
	}
	for j, v := range res.Vectors {
		lam := res.Eigenvalues[j]
		var rn, dn float64
		for i := 0; i < n; i++ {
			kv := 0.0
			for m := 0; m < n; m++ {
				kv += k[i][m] * v[m]
			}
			r := kv - (1-lam)*deg[i]*v[i]
			rn += r * r
			dn += deg[i] * v[i] * deg[i] * v[i]
		}
		if rel := math.Sqrt(rn / dn); rel > 1e-5 {
			t.Errorf("vector %d: ||K v - (1-lambda) D v|| / ||D v|| = %.2e", j, rel)
		}
	}
}

func TestDropFirstAndShape(t *testing.T) {
	pts := generate.SwissRoll(600, 0.01, 1)
	cloud := &cloudio.Cloud{Points: pts, Dim: 3, Names: []string{"x", "y", "z"}, Source: "roll"}
	all, err := RunCloud(context.Background(), cloud, Options{Sigma: 0.1, Cutoff: 4, K: 4, Device: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	drop, err := RunCloud(context.Background(), cloud, Options{Sigma: 0.1, Cutoff: 4, K: 3, DropFirst: true, Device: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	if len(drop.Eigenvalues) != 3 || len(drop.Vectors) != 3 {
		t.Fatalf("--drop-first with k=3 gave %d values", len(drop.Eigenvalues))
	}
	for j := range drop.Eigenvalues {
		if d := math.Abs(drop.Eigenvalues[j] - all.Eigenvalues[j+1]); d > 1e-9 {
			t.Errorf("dropped run value %d = %g, full run %g", j, drop.Eigenvalues[j], all.Eigenvalues[j+1])
		}
	}
	for j, v := range all.Vectors {
		if len(v) != 600 {
			t.Fatalf("vector %d has %d entries", j, len(v))
		}
		var nrm, big float64
		for _, x := range v {
			nrm += x * x
			if math.Abs(x) > math.Abs(big) {
				big = x
			}
		}
		if math.Abs(nrm-1) > 1e-9 || big < 0 {
			t.Errorf("vector %d: norm^2 %g, largest entry %g", j, nrm, big)
		}
	}
}

func TestBadInput(t *testing.T) {
	cloud := &cloudio.Cloud{Points: generate.Spiral(5, 0.01, 0), Dim: 2, Names: []string{"x", "y"}, Source: "five"}
	for _, o := range []Options{
		{Sigma: 0.1, K: 5},
		{Sigma: 0.1, K: 4, DropFirst: true},
		{Sigma: -1},
		{Sigma: math.NaN()},
		{Sigma: 0.1, Cutoff: -2},
		{Sigma: 0.1, Laplacian: "bogus"},
		{Sigma: 0.1, K: 2, Device: "tpu"},
		{Sigma: 0.1, K: 2, MemoryLimit: 1000},
	} {
		if _, err := RunCloud(context.Background(), cloud, o); !errors.Is(err, ErrBadInput) {
			t.Errorf("%+v: error %v, want ErrBadInput", o, err)
		}
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cloud := &cloudio.Cloud{Points: generate.Spiral(2000, 0.01, 0), Dim: 2, Names: []string{"x", "y"}, Source: "s"}
	if _, err := RunCloud(ctx, cloud, Options{Sigma: 0.05, Cutoff: 4, Device: "cpu"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}
