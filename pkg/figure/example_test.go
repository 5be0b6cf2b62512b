package figure_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"
	"math"

	"github.com/spectral-dev/spectral/pkg/figure"
)

// Two panels on a circle of 100 points: cos and sin of the angle, titled with
// their (here made-up) eigenvalues.
func ExampleDraw() {
	const n = 100
	coords := make([]float64, 0, 2*n)
	cos, sin := make([]float64, n), make([]float64, n)
	for i := range n {
		a := 2 * math.Pi * float64(i) / n
		coords = append(coords, math.Cos(a), math.Sin(a))
		cos[i], sin[i] = math.Cos(a), math.Sin(a)
	}
	titles := figure.Titles([]float64{0.0123, 0.0124}, 2)
	panels := []figure.Panel{{Values: cos, Title: titles[0]}, {Values: sin, Title: titles[1]}}

	var buf bytes.Buffer // or an *os.File
	if err := figure.Draw(&buf, coords, 2, panels, figure.Options{Width: 800, Height: 400}); err != nil {
		log.Fatal(err)
	}
	cfg, err := png.DecodeConfig(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(titles[0])
	fmt.Printf("%dx%d PNG\n", cfg.Width, cfg.Height)
	// Output:
	// φ2, λ2 = 0.0123
	// 800x400 PNG
}
