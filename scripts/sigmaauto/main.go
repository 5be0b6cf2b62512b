// Command sigmaauto measures whether --sigma auto gives a connected Gaussian graph: for
// each cloud, the sigma the rule picks, the connected components at that sigma (default
// cutoff), and the smallest multiple of the rule's sigma (to 2%) that connects the cloud
// or its part of at least 99% of the points. Used to choose how far --sigma auto may
// widen the spacing rule to connect the graph (embed.MaxSigmaRaise, docs/bench/cluster.md).
//
//	go run ./scripts/sigmaauto testdata/data/*.ply ... [-gen]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spectral-dev/spectral/pkg/generate"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
	"github.com/spectral-dev/spectral/pkg/neighbors"
)

func main() {
	gen := flag.Bool("gen", false, "also the tutorial's spiral (10^4) and Swiss roll (10^5)")
	flag.Parse()
	type cloud struct {
		name string
		pts  []float64
		dim  int
	}
	var clouds []cloud
	for _, f := range flag.Args() {
		var ro cloudio.ReadOptions
		switch filepath.Base(f) {
		case "spiral.txt": // x, y, then the label
			ro.Columns = []string{"1", "2"}
		case "quakes.csv":
			ro.Columns = []string{"long", "lat"}
		}
		c, err := cloudio.ReadFile(f, ro)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			continue
		}
		clouds = append(clouds, cloud{f, c.Points, c.Dim})
	}
	if *gen {
		s := generate.Spiral(10000, 0.01, 0)
		clouds = append(clouds, cloud{"spiral (generate, 10^4)", s, 2})
		r := generate.SwissRoll(100000, 0.01, 0)
		clouds = append(clouds, cloud{"swissroll (generate, 10^5)", r, 3})
	}
	fmt.Println("| cloud | n | rule sigma | components at the rule | sizes | multiple to connect all | multiple to connect 99% |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, c := range clouds {
		sp, err := neighbors.Measure(c.pts, c.dim, neighbors.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, c.name, err)
			continue
		}
		s := sp.SuggestedSigma
		comps, err := kernel.Components(c.pts, c.dim, s, kernel.DefaultCutoff)
		if err != nil {
			fmt.Fprintln(os.Stderr, c.name, err)
			continue
		}
		sizes := comps.Sizes
		if len(sizes) > 5 {
			sizes = sizes[:5]
		}
		n := len(c.pts) / c.dim
		all := multiple(c.pts, c.dim, s, func(sz []int) bool { return len(sz) == 1 })
		most := multiple(c.pts, c.dim, s, func(sz []int) bool { return float64(sz[0]) >= 0.99*float64(n) })
		fmt.Printf("| %s | %d | %.4g | %d | %v | %.2f | %.2f |\n", c.name, n, s, comps.Count(), sizes, all, most)
	}
}

// multiple is the smallest m (within 2%, up to 64) with ok(components at m sigma).
func multiple(pts []float64, dim int, s float64, ok func([]int) bool) float64 {
	test := func(m float64) bool {
		c, err := kernel.Components(pts, dim, m*s, kernel.DefaultCutoff)
		return err == nil && ok(c.Sizes)
	}
	if test(1) {
		return 1
	}
	lo, hi := 1.0, 2.0
	for !test(hi) {
		lo, hi = hi, 2*hi
		if hi > 64 {
			return hi
		}
	}
	for hi/lo > 1.02 {
		mid := (lo + hi) / 2
		if test(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}
