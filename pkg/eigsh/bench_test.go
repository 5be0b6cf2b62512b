package eigsh

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// BenchmarkDiagonal1e6 measures the solver's own cost: a free operator (a diagonal
// matrix, n = 10^6, eigenvalues i/n: the top ones 1e-6 apart, so it never converges)
// with MaxIter restarts, k = 7, default ncv. Time per restart is the basis work
// (orthogonalisation, restart rotation), and allocations do not grow with MaxIter.
func BenchmarkDiagonal1e6(b *testing.B) {
	const n = 1_000_000
	d := make([]float64, n)
	for i := range d {
		d[i] = float64(i) / n
	}
	op := funcOp{n, func(dst, src []float64) {
		for i, x := range src {
			dst[i] = d[i] * x
		}
	}}
	for _, maxIter := range []int{2, 6} {
		b.Run(fmt.Sprintf("restarts=%d", maxIter), func(b *testing.B) {
			b.ReportAllocs()
			var restarts, products int
			var el time.Duration
			for b.Loop() {
				t0 := time.Now()
				_, err := Solve(op, 7, Options{MaxIter: maxIter})
				el += time.Since(t0)
				var nc *NoConvergence
				if !errors.As(err, &nc) {
					b.Fatal(err)
				}
				restarts += nc.Result.Restarts
				products += nc.Result.MatVecs
			}
			// Per cycle of ncv - kept products after the first full basis.
			b.ReportMetric(float64(el.Nanoseconds())/float64(products)/1e6, "ms/product")
			b.ReportMetric(float64(products)/float64(b.N), "products/op")
		})
	}
}

// BenchmarkDenseVsLanczos finds where the dense path (n products + dsyev) stops being
// faster than Lanczos, with a dense operator (the most expensive per product for its n).
func BenchmarkDenseVsLanczos(b *testing.B) {
	for _, n := range []int{30, 60, 100, 200, 400} {
		a := Dense{randSym(n, uint64(n))}
		b.Run(fmt.Sprintf("n=%d/dense", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := solveDense(a, 7, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/lanczos", n), func(b *testing.B) {
			var products int
			for b.Loop() {
				res, err := solveLanczos(a, 7, min(DefaultNCV(7), n-1), Options{})
				if err != nil {
					b.Fatal(err)
				}
				products += res.MatVecs
			}
			b.ReportMetric(float64(products)/float64(b.N), "products/op")
		})
	}
}

// BenchmarkStep1e4 measures the solver's own cost per product at the size of the
// swiss roll n=10^4 benchmark: a free diagonal operator with its wanted eigenvalues
// near 1 (nearOne, the regime of the normalized kernel operators), k = 7, default ncv,
// a fixed number of restarts.
func BenchmarkStep1e4(b *testing.B) {
	op := nearOne(10_000)
	var products, passes2 int
	var el time.Duration
	solveHook = func(l *lanczos) { passes2 += l.passes2 }
	defer func() { solveHook = nil }()
	for b.Loop() {
		t0 := time.Now()
		res, err := Solve(op, 7, Options{Which: LA, MaxIter: 4})
		el += time.Since(t0)
		var nc *NoConvergence
		if errors.As(err, &nc) {
			res = nc.Result
		} else if err != nil {
			b.Fatal(err)
		}
		products += res.MatVecs
	}
	b.ReportMetric(float64(el.Nanoseconds())/float64(products)/1e6, "ms/product")
	b.ReportMetric(float64(products)/float64(b.N), "products/op")
	b.ReportMetric(float64(passes2)/float64(products), "second-passes/product")
}

// BenchmarkCheck compares a convergence check's eigensolve of the projected matrix
// (ncv = 50, thick-restart shape: 20 kept Ritz values, an arrow, tridiagonal after):
// gonum's Syev (blocked reduction) and syevVectors (unblocked) with all eigenvectors,
// and syevLast (values and last components only).
func BenchmarkCheck(b *testing.B) {
	const n, p = 50, 20
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		a[i*n+i] = 1 - 0.01*float64(i)/n
		if i < p {
			a[i*n+p], a[p*n+i] = 1e-3/float64(i+1), 1e-3/float64(i+1)
		} else if i+1 < n {
			a[i*n+i+1], a[(i+1)*n+i] = 1e-2, 1e-2
		}
	}
	work := []float64{0}
	y, w, z, rot := make([]float64, n*n), make([]float64, n), make([]float64, n), make([]float64, 2*n)
	lapack64.Syev(lapack.EVCompute, blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: y}, w, work, -1)
	work = make([]float64, int(work[0]))
	b.Run("Syev", func(b *testing.B) {
		for b.Loop() {
			copy(y, a)
			lapack64.Syev(lapack.EVCompute, blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: y}, w, work, len(work))
		}
	})
	b.Run("syevVectors", func(b *testing.B) {
		for b.Loop() {
			copy(y, a)
			syevVectors(n, y, n, w, work, len(work))
		}
	})
	b.Run("syevLast", func(b *testing.B) {
		for b.Loop() {
			copy(y, a)
			syevLast(n, y, n, w, z, work, rot)
		}
	})
}

// BenchmarkRotate is the thick-restart rotation at n = 10^4, ncv = 50, 30 Ritz vectors
// kept: the chunker's GemvT per kept row against gonum's Gemm on blocks of 128 columns
// (the previous code), both on one core.
func BenchmarkRotate(b *testing.B) {
	const n, ma, q = 10_000, 50, 30
	v := make([]float64, ma*n)
	y := make([]float64, ma*q)
	for i := range v {
		v[i] = float64(i%97) / 97
	}
	for i := range y {
		y[i] = (1 + float64(i%13)/13) / (1.5 * ma) // the values stay near their size
	}
	Y := blas64.General{Rows: ma, Cols: q, Stride: q, Data: y}
	B := blas64.General{Rows: ma, Cols: n, Stride: n, Data: v}
	b.Run("GemvT", func(b *testing.B) {
		c := newChunker(n, ma)
		c.workers = 0
		for b.Loop() {
			c.rotate(Y, B)
		}
	})
	b.Run("Gemm", func(b *testing.B) {
		const blk = 128
		ws := make([]float64, q*blk)
		for b.Loop() {
			for c0 := 0; c0 < n; c0 += blk {
				cw := min(blk, n-c0)
				C := blas64.General{Rows: q, Cols: cw, Stride: cw, Data: ws[:q*cw]}
				blas64.Gemm(blas.Trans, blas.NoTrans, 1, Y, cols(B, c0, c0+cw), 0, C)
				for i := 0; i < q; i++ {
					copy(v[i*n+c0:i*n+c0+cw], C.Data[i*cw:(i+1)*cw])
				}
			}
		}
	})
}
