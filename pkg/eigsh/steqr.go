// Adapted from gonum's Dsteqr and Dsyev (gonum.org/v1/gonum/lapack/gonum), Copyright
// ©2016 The Gonum Authors, used under its BSD-style license: the code that computes
// the eigenvalues is unchanged; the rotations are applied to one row of Z instead of n.

package eigsh

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// A convergence check needs the Ritz values and only the last components of the
// eigenvectors of the projected matrix (the residual estimates beta |y_last|), as
// ARPACK's dstqrb provides; the full eigenvectors are needed only at a restart or at the
// end. syevLast computes those as syevVectors would, the same bits: with uplo = Upper,
// the last row of the tridiagonalising Q is e_n exactly (Dorgtr sets it so), and the
// QL/QR rotations act on each row of Z separately, so the last row of the eigenvector
// matrix is e_n^T rotated by the same rotations. Dorgtr and the O(n^3) eigenvector part
// of Dsteqr are skipped. Both use the unblocked Dsytd2: at n <= 100 or so it is about
// twice as fast as Dsytrd's blocked path (BenchmarkCheck).

var impl gonum.Implementation

// tridiag reduces the upper triangle of a to tridiagonal form (d, e; reflectors in a
// and tau), or returns false when Syev would scale the matrix first.
func tridiag(n int, a []float64, lda int, d, e, tau []float64) bool {
	const safmin = 0x1p-1022 // dlamchS
	const epsP = 0x1p-52     // dlamchP
	smlnum := safmin / epsP
	rmin, rmax := math.Sqrt(smlnum), math.Sqrt(1/smlnum)
	anrm := impl.Dlansy(lapack.MaxAbs, blas.Upper, n, a, lda, e)
	if (anrm > 0 && anrm < rmin) || anrm > rmax {
		return false
	}
	impl.Dsytd2(blas.Upper, n, a, lda, d, e, tau)
	return true
}

// syevVectors is Syev (upper triangle, eigenvectors into a, eigenvalues ascending into
// w) with the unblocked reduction. work has lwork >= 3n elements.
func syevVectors(n int, a []float64, lda int, w, work []float64, lwork int) bool {
	if n == 1 {
		w[0], a[0] = a[0], 1
		return true
	}
	e, tau := work[:n], work[n:2*n]
	if !tridiag(n, a, lda, w, e, tau) {
		return lapack64.Syev(lapack.EVCompute, blas64.Symmetric{N: n, Stride: lda, Uplo: blas.Upper, Data: a}, w, work, lwork)
	}
	impl.Dorgtr(blas.Upper, n, a, lda, tau, work[2*n:], lwork-2*n)
	return impl.Dsteqr(lapack.EVOrig, n, w, e, a, lda, work[n:])
}

// syevLast puts the eigenvalues of the upper triangle of a (overwritten) in ascending
// order into w and the last components of the corresponding unit eigenvectors into
// zlast, the same bits as syevVectors. work has 3n elements, rot 2n. It returns false
// when the matrix needs scaling or the iteration did not converge: the caller then
// falls back to syevVectors.
func syevLast(n int, a []float64, lda int, w, zlast, work []float64, rot []float64) bool {
	if n == 1 {
		w[0], zlast[0] = a[0], 1
		return true
	}
	e, tau := work[:n], work[n:2*n]
	if !tridiag(n, a, lda, w, e, tau) {
		return false
	}
	clear(zlast[:n])
	zlast[n-1] = 1
	return steqrLast(n, w, e, zlast, rot)
}

// steqrLast is Dsteqr with compz = EVOrig applied to a single row z of Z.
func steqrLast(n int, d, e, z, work []float64) bool {
	const (
		eps    = 0x1p-53   // dlamchE
		safmin = 0x1p-1022 // dlamchS
	)
	eps2 := eps * eps
	safmax := 1 / safmin
	ssfmax := math.Sqrt(safmax) / 3
	ssfmin := math.Sqrt(safmin) / eps2
	const maxit = 30
	nmaxit := n * maxit
	jtot := 0
	ldz := n
	l1 := 0
	nm1 := n - 1

	type scaletype int
	const (
		down scaletype = iota + 1
		up
	)
	var iscale scaletype

	for {
		if l1 > n-1 {
			// Order eigenvalues and eigenvectors.
			for ii := 1; ii < n; ii++ {
				i := ii - 1
				k := i
				p := d[i]
				for j := ii; j < n; j++ {
					if d[j] < p {
						k = j
						p = d[j]
					}
				}
				if k != i {
					d[k] = d[i]
					d[i] = p
					z[i], z[k] = z[k], z[i]
				}
			}
			return true
		}
		if l1 > 0 {
			e[l1-1] = 0
		}
		var m int
		if l1 <= nm1 {
			for m = l1; m < nm1; m++ {
				test := math.Abs(e[m])
				if test == 0 {
					break
				}
				if test <= (math.Sqrt(math.Abs(d[m]))*math.Sqrt(math.Abs(d[m+1])))*eps {
					e[m] = 0
					break
				}
			}
		}
		l := l1
		lsv := l
		lend := m
		lendsv := lend
		l1 = m + 1
		if lend == l {
			continue
		}

		// Scale submatrix in rows and columns L to Lend
		anorm := impl.Dlanst(lapack.MaxAbs, lend-l+1, d[l:], e[l:])
		switch {
		case anorm == 0:
			continue
		case anorm > ssfmax:
			iscale = down
			impl.Dlascl(lapack.General, 0, 0, anorm, ssfmax, lend-l+1, 1, d[l:], 1)
			impl.Dlascl(lapack.General, 0, 0, anorm, ssfmax, lend-l, 1, e[l:], 1)
		case anorm < ssfmin:
			iscale = up
			impl.Dlascl(lapack.General, 0, 0, anorm, ssfmin, lend-l+1, 1, d[l:], 1)
			impl.Dlascl(lapack.General, 0, 0, anorm, ssfmin, lend-l, 1, e[l:], 1)
		}

		// Choose between QL and QR.
		if math.Abs(d[lend]) < math.Abs(d[l]) {
			lend = lsv
			l = lendsv
		}
		if lend > l {
			// QL Iteration. Look for small subdiagonal element.
			for {
				if l != lend {
					for m = l; m < lend; m++ {
						v := math.Abs(e[m])
						if v*v <= (eps2*math.Abs(d[m]))*math.Abs(d[m+1])+safmin {
							break
						}
					}
				} else {
					m = lend
				}
				if m < lend {
					e[m] = 0
				}
				p := d[l]
				if m == l {
					// Eigenvalue found.
					l++
					if l > lend {
						break
					}
					continue
				}

				// If remaining matrix is 2×2, use Dlae2 to compute its eigensystem.
				if m == l+1 {
					d[l], d[l+1], work[l], work[n-1+l] = impl.Dlaev2(d[l], e[l], d[l+1])
					impl.Dlasr(blas.Right, lapack.Variable, lapack.Backward,
						1, 2, work[l:], work[n-1+l:], z[l:], ldz)
					e[l] = 0
					l += 2
					if l > lend {
						break
					}
					continue
				}

				if jtot == nmaxit {
					break
				}
				jtot++

				// Form shift
				g := (d[l+1] - p) / (2 * e[l])
				r := impl.Dlapy2(g, 1)
				g = d[m] - p + e[l]/(g+math.Copysign(r, g))
				s := 1.0
				c := 1.0
				p = 0.0

				// Inner loop
				for i := m - 1; i >= l; i-- {
					f := s * e[i]
					b := c * e[i]
					c, s, r = impl.Dlartg(g, f)
					if i != m-1 {
						e[i+1] = r
					}
					g = d[i+1] - p
					r = (d[i]-g)*s + 2*c*b
					p = s * r
					d[i+1] = g + p
					g = c*r - b
					work[i] = c
					work[n-1+i] = -s
				}
				mm := m - l + 1
				impl.Dlasr(blas.Right, lapack.Variable, lapack.Backward,
					1, mm, work[l:], work[n-1+l:], z[l:], ldz)
				d[l] -= p
				e[l] = g
			}
		} else {
			// QR Iteration.
			// Look for small superdiagonal element.
			for {
				if l != lend {
					for m = l; m > lend; m-- {
						v := math.Abs(e[m-1])
						if v*v <= (eps2*math.Abs(d[m])*math.Abs(d[m-1]) + safmin) {
							break
						}
					}
				} else {
					m = lend
				}
				if m > lend {
					e[m-1] = 0
				}
				p := d[l]
				if m == l {
					// Eigenvalue found
					l--
					if l < lend {
						break
					}
					continue
				}

				// If remaining matrix is 2×2, use Dlae2 to compute its eigenvalues.
				if m == l-1 {
					d[l-1], d[l], work[m], work[n-1+m] = impl.Dlaev2(d[l-1], e[l-1], d[l])
					impl.Dlasr(blas.Right, lapack.Variable, lapack.Forward,
						1, 2, work[m:], work[n-1+m:], z[l-1:], ldz)
					e[l-1] = 0
					l -= 2
					if l < lend {
						break
					}
					continue
				}
				if jtot == nmaxit {
					break
				}
				jtot++

				// Form shift.
				g := (d[l-1] - p) / (2 * e[l-1])
				r := impl.Dlapy2(g, 1)
				g = d[m] - p + (e[l-1])/(g+math.Copysign(r, g))
				s := 1.0
				c := 1.0
				p = 0.0

				// Inner loop.
				for i := m; i < l; i++ {
					f := s * e[i]
					b := c * e[i]
					c, s, r = impl.Dlartg(g, f)
					if i != m {
						e[i-1] = r
					}
					g = d[i] - p
					r = (d[i+1]-g)*s + 2*c*b
					p = s * r
					d[i] = g + p
					g = c*r - b
					work[i] = c
					work[n-1+i] = s
				}

				mm := l - m + 1
				impl.Dlasr(blas.Right, lapack.Variable, lapack.Forward,
					1, mm, work[m:], work[n-1+m:], z[m:], ldz)
				d[l] -= p
				e[l-1] = g
			}
		}

		// Undo scaling if necessary.
		switch iscale {
		case down:
			impl.Dlascl(lapack.General, 0, 0, ssfmax, anorm, lendsv-lsv+1, 1, d[lsv:], 1)
			impl.Dlascl(lapack.General, 0, 0, ssfmax, anorm, lendsv-lsv, 1, e[lsv:], 1)
		case up:
			impl.Dlascl(lapack.General, 0, 0, ssfmin, anorm, lendsv-lsv+1, 1, d[lsv:], 1)
			impl.Dlascl(lapack.General, 0, 0, ssfmin, anorm, lendsv-lsv, 1, e[lsv:], 1)
		}

		// Check for no convergence to an eigenvalue after a total of n*maxit iterations.
		if jtot >= nmaxit {
			break
		}
	}
	for i := 0; i < n-1; i++ {
		if e[i] != 0 {
			return false
		}
	}
	return true
}
