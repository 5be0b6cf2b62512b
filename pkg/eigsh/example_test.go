package eigsh_test

import (
	"fmt"
	"math"

	"github.com/spectral-dev/spectral/pkg/eigsh"
	"gonum.org/v1/gonum/mat"
)

// pathLaplacian is the Laplacian of the path graph 0-1-...-(n-1), applied without a matrix.
type pathLaplacian int

func (p pathLaplacian) Dims() int { return int(p) }

func (p pathLaplacian) MulVec(dst, src []float64) {
	n := int(p)
	for i := range dst {
		v := 0.0
		if i > 0 {
			v += src[i] - src[i-1]
		}
		if i < n-1 {
			v += src[i] - src[i+1]
		}
		dst[i] = v
	}
}

// The smallest eigenvalues of a graph Laplacian, as the largest of s*I - L with s = 2 max
// degree = 4 (Gershgorin); they are 2 - 2cos(pi j/n).
func ExampleSmallest() {
	const n = 500
	res, err := eigsh.Smallest(pathLaplacian(n), 3, 4, eigsh.Options{})
	if err != nil {
		panic(err)
	}
	for j, v := range res.Values {
		// The zero eigenvalue comes back as 4 - 4(1 +- eps): clamp its sign, as L >= 0.
		fmt.Printf("%.12f %.12f\n", max(v, 0), 2-2*math.Cos(math.Pi*float64(j)/n))
	}
	// Output:
	// 0.000000000000 0.000000000000
	// 0.000039478288 0.000039478288
	// 0.000157911592 0.000157911592
}

// The largest eigenvalues of a dense symmetric matrix through the Dense adapter.
func ExampleSolve() {
	const n = 300
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		a.SetSym(i, i, float64(i+1)) // eigenvalues 1..n
		if i+1 < n {
			a.SetSym(i, i+1, 1e-3)
		}
	}
	res, err := eigsh.Solve(eigsh.Dense{A: a}, 2, eigsh.Options{Which: eigsh.LA})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f %.4f, residuals below 1e-12: %v\n", res.Values[0], res.Values[1],
		res.Residuals[0] < 1e-12 && res.Residuals[1] < 1e-12)
	// Output:
	// 299.0000 300.0000, residuals below 1e-12: true
}
