package embed

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/spectral-dev/spectral/pkg/cluster"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// Method names how eigenvectors become k-means coordinates.
type Method string

const (
	// NJW (Ng, Jordan & Weiss 2001): eigenvectors of the symmetric normalized Laplacian,
	// each point's row scaled to unit length. The default: it scored the higher mean ARI
	// of the two on scripts/cluster_vs_sklearn.py's sets (docs/bench/cluster.md), and row
	// normalisation puts points of low degree (cluster borders, sparse regions) on the
	// same sphere as the rest instead of near the origin between clusters.
	NJW Method = "njw"
	// ShiMalik: random-walk eigenvectors D^-1/2 phi as they are, which is what
	// scikit-learn's SpectralClustering runs k-means on.
	ShiMalik Method = "shi-malik"
)

// ParseMethod accepts the CLI spellings.
func ParseMethod(s string) (Method, error) {
	switch m := Method(strings.ToLower(s)); m {
	case NJW, ShiMalik:
		return m, nil
	case "shi_malik", "shimalik", "randomwalk", "rw":
		return ShiMalik, nil
	case "ng", "sym", "normalized":
		return NJW, nil
	}
	return "", fieldError("ClusterOptions.Method", "{} %q: want njw or shi-malik", s)
}

// DefaultMaxClusters bounds --clusters auto.
const DefaultMaxClusters = 10

// ClusterOptions of RunCluster; zero values mean defaults.
type ClusterOptions struct {
	Clusters    int    // 0 = auto: the eigengap among the first MaxClusters+1 eigenvalues
	MaxClusters int    // 0 = DefaultMaxClusters
	Method      Method // "" = NJW
	NInit       int    // k-means starts (0 = 10)
	Seed        uint64 // k-means seed
	Threads     int
}

// Clustering is the outcome of RunCluster.
type Clustering struct {
	Labels   []int // per input point; -1 for points left out (--component largest)
	Sizes    []int // per label
	Clusters int
	Auto     bool // Clusters chosen by the eigengap
	Gap      float64
	Inertia  float64
	Method   Method
}

// RunCluster reads opt.Input, embeds it and clusters the spectral coordinates.
func RunCluster(ctx context.Context, opt Options, copt ClusterOptions) (*Result, *Clustering, error) {
	if err := copt.Validate(&opt); err != nil {
		return nil, nil, err
	}
	res, err := Run(ctx, opt)
	return clusterResult(res, err, opt, copt)
}

// ClusterCloud clusters a cloud already in memory (see RunCluster).
func ClusterCloud(ctx context.Context, cloud *cloudio.Cloud, opt Options, copt ClusterOptions) (*Result, *Clustering, error) {
	if err := copt.Validate(&opt); err != nil {
		return nil, nil, err
	}
	res, err := RunCloud(ctx, cloud, opt)
	return clusterResult(res, err, opt, copt)
}

// Validate fills c's defaults, sets in opt the embedding the method needs (k
// eigenvectors, the trivial one included: it carries D^1/2 for NJW, a constant for Shi &
// Malik; of the normalized or the random-walk Laplacian) and validates both, as
// Options.Validate does. RunCluster and ClusterCloud call it.
func (c *ClusterOptions) Validate(opt *Options) error {
	if c.Method == "" {
		c.Method = NJW
	}
	if _, err := ParseMethod(string(c.Method)); err != nil {
		return err
	}
	if c.MaxClusters == 0 {
		c.MaxClusters = DefaultMaxClusters
	}
	if c.NInit == 0 {
		c.NInit = 10
	}
	if c.Clusters < 0 {
		return fieldError("ClusterOptions.Clusters", "{} %d: want a number of at least 2, or auto", c.Clusters)
	}
	if c.Clusters == 1 {
		return fieldError("ClusterOptions.Clusters", "{} 1: one cluster needs no clustering; give 2 or more, or auto")
	}
	if c.MaxClusters < 2 {
		return fieldError("ClusterOptions.MaxClusters", "{} %d: need at least 2", c.MaxClusters)
	}
	if c.NInit < 1 {
		return fieldError("ClusterOptions.NInit", "{} %d: need at least 1", c.NInit)
	}
	opt.K, opt.DropFirst, opt.NoSelfLoops, opt.clusters = c.Clusters, false, true, c.Clusters
	if opt.Component == "" {
		opt.Component = ComponentAttach
	}
	if c.Clusters == 0 {
		opt.K = c.MaxClusters + 1
	}
	opt.Laplacian = Normalized
	if c.Method == ShiMalik {
		opt.Laplacian = RandomWalk
	}
	return opt.Validate()
}

func clusterResult(res *Result, err error, opt Options, c ClusterOptions) (*Result, *Clustering, error) {
	if res == nil || err != nil {
		// Clustering unconverged eigenvectors would hide the failure: stop here.
		return res, nil, err
	}
	k := c.Clusters
	out := &Clustering{Method: c.Method, Clusters: k}
	n := res.Cloud.N()
	if res.byComponents > 0 {
		out.Labels = make([]int, n)
		out.Sizes = make([]int, k)
		for i := range out.Labels {
			out.Labels[i] = -1
		}
		for _, i := range res.Rows {
			out.Labels[i] = int(res.componentLabels[i])
		}
		res.warn(opt, fmt.Sprintf("the %d largest connected components are the %d clusters: no eigenvectors were computed", k, k))
		out.attach(res)
		return res, out, nil
	}
	if k == 0 {
		if k, err = cluster.Eigengap(res.Eigenvalues); err != nil {
			return res, nil, fieldErrorOf(err, "ClusterOptions.Clusters", "{} auto: %v", err)
		}
		out.Clusters, out.Auto, out.Gap = k, true, res.Eigenvalues[k]-res.Eigenvalues[k-1]
		res.warn(opt, fmt.Sprintf("ClusterOptions.Clusters auto: %d clusters, by the relative eigengap among the first %d eigenvalues (%.3g between lambda%d and lambda%d)", k, len(res.Eigenvalues), out.Gap, k, k+1))
	}
	if len(res.Vectors) < k {
		return res, nil, fmt.Errorf("%d eigenvectors for %d clusters", len(res.Vectors), k)
	}
	rows := res.Rows
	if rows == nil {
		rows = make([]int, n)
		for i := range rows {
			rows[i] = i
		}
	}
	x := make([]float64, len(rows)*k)
	for r, i := range rows {
		row := x[r*k : (r+1)*k]
		nrm := 0.0
		for j := range k {
			row[j] = res.Vectors[j][i]
			nrm += row[j] * row[j]
		}
		if c.Method == NJW && nrm > 0 {
			s := 1 / math.Sqrt(nrm)
			for j := range row {
				row[j] *= s
			}
		}
	}
	km, err := cluster.KMeans(x, k, k, cluster.Options{NInit: c.NInit, Seed: c.Seed, Threads: c.Threads})
	if err != nil {
		return res, nil, fmt.Errorf("%w: k-means: %v", ErrBadInput, err)
	}
	out.Labels = make([]int, n)
	for i := range out.Labels {
		out.Labels[i] = -1
	}
	for r, i := range rows {
		out.Labels[i] = km.Labels[r]
	}
	out.Sizes, out.Inertia = km.Sizes, km.Inertia
	if res.componentLabels != nil {
		out.attach(res)
	}
	return res, out, nil
}

// attach labels each point left out of the embedding (-1) with the label of its nearest
// labelled point (ComponentAttach), and counts the sizes. Brute force: the points left
// out are under MinorComponent of the cloud per component, and few in all.
func (c *Clustering) attach(res *Result) {
	cl := res.Cloud
	d := cl.Dim
	var lab []int
	for i, l := range c.Labels {
		if l >= 0 {
			lab = append(lab, i)
		}
	}
	for i, l := range c.Labels {
		if l >= 0 {
			continue
		}
		p := cl.Points[i*d : (i+1)*d]
		best, bl := math.Inf(1), 0
		for _, j := range lab {
			q := cl.Points[j*d : (j+1)*d]
			s := 0.0
			for a := range d {
				e := p[a] - q[a]
				s += e * e
			}
			if s < best {
				best, bl = s, c.Labels[j]
			}
		}
		c.Labels[i] = -2 - bl // not a source for later points: order-independent
	}
	c.Sizes = make([]int, c.Clusters)
	for i, l := range c.Labels {
		if l <= -2 {
			c.Labels[i] = -2 - l
		}
		c.Sizes[c.Labels[i]]++
	}
}

// Fill adds the clustering to a run's summary.
func (c *Clustering) Fill(s *Summary) {
	s.Clusters, s.ClustersAuto, s.ClusterSizes, s.Inertia = c.Clusters, c.Auto, c.Sizes, c.Inertia
	s.Method = c.Method
}
