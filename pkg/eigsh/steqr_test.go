package eigsh

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// TestSyevLast: the Ritz values and last eigenvector components of the convergence
// checks are the same bits as syevVectors', on random symmetric matrices and on the
// arrowhead-plus-tridiagonal matrices of a thick restart, including ones with
// converged (tiny) couplings; and syevVectors agrees with gonum's Syev (values to
// 1e-14 relative, A y = theta y to 1e-14, Y orthonormal).
func TestSyevLast(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const ncv = 50
	work := []float64{0}
	lapack64.Syev(lapack.EVCompute, blas64.Symmetric{N: ncv, Stride: ncv, Uplo: blas.Upper, Data: make([]float64, ncv*ncv)}, make([]float64, ncv), work, -1)
	lwork := int(work[0])
	work = make([]float64, lwork)
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.IntN(ncv)
		a := make([]float64, n*n)
		switch trial % 3 {
		case 0: // dense
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					a[i*n+j] = rng.NormFloat64()
					a[j*n+i] = a[i*n+j]
				}
			}
		default: // thick restart: diagonal block, arrow at row p, tridiagonal after
			p := rng.IntN(n)
			for i := 0; i < n; i++ {
				a[i*n+i] = 1 - 0.01*rng.Float64()
			}
			for i := 0; i < p; i++ {
				c := 1e-3 * rng.NormFloat64()
				if trial%3 == 2 && i%2 == 0 {
					c *= 1e-15 // converged pairs
				}
				a[i*n+p], a[p*n+i] = c, c
			}
			for i := p; i+1 < n; i++ {
				c := 1e-2 * rng.Float64()
				a[i*n+i+1], a[(i+1)*n+i] = c, c
			}
		}
		want := append([]float64(nil), a...)
		wv := make([]float64, n)
		if !syevVectors(n, want, n, wv, work, lwork) {
			t.Fatal("syevVectors failed")
		}
		ref := append([]float64(nil), a...)
		rv := make([]float64, n)
		if !lapack64.Syev(lapack.EVCompute, blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: ref}, rv, work, lwork) {
			t.Fatal("Syev failed")
		}
		anorm := math.Max(math.Abs(rv[0]), math.Abs(rv[n-1]))
		for i := 0; i < n; i++ {
			if d := math.Abs(wv[i] - rv[i]); d > 1e-14*anorm {
				t.Fatalf("trial %d n=%d: value %d = %v, Syev %v", trial, n, i, wv[i], rv[i])
			}
		}
		// Residuals and orthonormality of syevVectors' eigenvectors (columns of want).
		for j := 0; j < n; j++ {
			for i := 0; i < n; i++ {
				r := -wv[j] * want[i*n+j]
				g := 0.0
				for l := 0; l < n; l++ {
					r += a[i*n+l] * want[l*n+j]
					g += want[l*n+i] * want[l*n+j]
				}
				if i == j {
					g--
				}
				if math.Abs(r) > 1e-14*math.Max(anorm, 1) || math.Abs(g) > 1e-14 {
					t.Fatalf("trial %d n=%d: pair %d: residual %g, orthogonality %g", trial, n, j, r, g)
				}
			}
		}
		got, z := make([]float64, n), make([]float64, n)
		if !syevLast(n, a, n, got, z, work, make([]float64, 2*n)) {
			t.Fatalf("trial %d: syevLast failed", trial)
		}
		for i := 0; i < n; i++ {
			if math.Float64bits(got[i]) != math.Float64bits(wv[i]) {
				t.Fatalf("trial %d n=%d: value %d = %v, syevVectors %v", trial, n, i, got[i], wv[i])
			}
			if zw := want[(n-1)*n+i]; math.Float64bits(z[i]) != math.Float64bits(zw) {
				t.Fatalf("trial %d n=%d: last component %d = %v, syevVectors %v", trial, n, i, z[i], zw)
			}
		}
	}
}
