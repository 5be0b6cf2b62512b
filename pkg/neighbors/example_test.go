package neighbors_test

import (
	"fmt"

	"github.com/spectral-dev/spectral/pkg/neighbors"
)

// A 30 x 30 square lattice with spacing 0.1, every point stored twice: the nearest
// distinct neighbour is 0.1 away and the 10th is 0.2 away (4 at 0.1, 4 at 0.14, 4 at 0.2).
func ExampleMeasure() {
	var pts []float64
	for i := range 30 {
		for j := range 30 {
			x, y := 0.1*float64(i), 0.1*float64(j)
			pts = append(pts, x, y, x, y)
		}
	}
	sp, err := neighbors.Measure(pts, 2, neighbors.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("points %d, duplicates %d\n", sp.N, sp.Duplicates)
	fmt.Printf("nearest neighbour: median %.3g, 95th percentile %.3g\n", sp.NNMedian, sp.NN95)
	fmt.Printf("suggested sigma %.3g\n", sp.SuggestedSigma)
	// Output:
	// points 1800, duplicates 900
	// nearest neighbour: median 0.1, 95th percentile 0.1
	// suggested sigma 0.2
}
