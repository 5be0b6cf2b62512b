package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/spectral-dev/spectral/pkg/embed"
)

// graphFlags are the affinity and component flags shared by embed and cluster.
type graphFlags struct {
	affinity, component      string
	neighbors, scaleNeighbor int
}

func (g *graphFlags) add(f *pflag.FlagSet) {
	f.StringVar(&g.affinity, "affinity", "gaussian", "gaussian (one --sigma), knn (symmetrised k-nearest-neighbour graph, as scikit-learn's nearest_neighbors) or self-tuning (Zelnik-Manor & Perona local scaling)")
	f.IntVar(&g.neighbors, "neighbors", embed.DefaultNeighbors, "knn: neighbours per point, the point itself included (scikit-learn's n_neighbors)")
	f.IntVar(&g.scaleNeighbor, "scale-neighbor", embed.DefaultScaleNeighbor, "self-tuning: sigma_i is the distance from point i to this nearest neighbour")
	f.StringVar(&g.component, "component", "all", "all, or largest: embed the largest connected component only (other rows NaN)")
}

// apply sets the graph options (Options.Validate checks them) and returns sigma: required (a width or auto) for the
// Gaussian affinity; for knn optional (given: Gaussian weights on the kNN edges; left
// out or auto: weights 1); for self-tuning not used.
func (g *graphFlags) apply(opt *embed.Options, sigma string) (float64, error) {
	a, err := embed.ParseAffinity(g.affinity)
	if err != nil {
		return 0, withFlagNames(err)
	}
	opt.Affinity, opt.Neighbors, opt.ScaleNeighbor, opt.Component = a, g.neighbors, g.scaleNeighbor, g.component
	if a != embed.Gaussian && (sigma == "" || sigma == "auto") {
		return 0, nil
	}
	return parseSigma(sigma)
}

// graphString describes the graph for the human summary.
func graphString(s *embed.Summary) string {
	var g string
	switch s.Affinity {
	case embed.KNN:
		g = fmt.Sprintf("knn graph (%d neighbours, weights 1)", s.Neighbors)
		if s.Sigma > 0 {
			g = fmt.Sprintf("knn graph (%d neighbours, Gaussian weights sigma %.6g)", s.Neighbors, s.Sigma)
		}
	case embed.SelfTuning:
		g = fmt.Sprintf("self-tuning kernel (scale neighbour %d), cutoff %s", s.ScaleNeighbor, cutoffString(s.Cutoff))
	default:
		g = fmt.Sprintf("sigma %.6g, cutoff %s", s.Sigma, cutoffString(s.Cutoff))
	}
	if len(s.Components) > 1 {
		g += fmt.Sprintf(", %d components", len(s.Components))
		if s.Component == embed.ComponentLargest {
			g += fmt.Sprintf(" (embedded the largest: %d points)", s.EmbeddedPoints)
		}
	}
	return g
}

// embeddedRows are the points and eigenvector values of the rows that were embedded
// (all, or the component's with --component largest), for the plot.
func embeddedRows(res *embed.Result) ([]float64, [][]float64) {
	c := res.Cloud
	if res.Rows == nil {
		return c.Points, res.Vectors
	}
	pts := make([]float64, 0, len(res.Rows)*c.Dim)
	for _, i := range res.Rows {
		pts = append(pts, c.Points[i*c.Dim:(i+1)*c.Dim]...)
	}
	vecs := make([][]float64, len(res.Vectors))
	for j, v := range res.Vectors {
		vecs[j] = make([]float64, len(res.Rows))
		for k, i := range res.Rows {
			vecs[j][k] = v[i]
		}
	}
	return pts, vecs
}
