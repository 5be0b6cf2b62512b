package embed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// Landmark runs (Options.Landmarks = M < n) embed a uniform random sample of M points
// exactly and extend the eigenvectors to every point by the Nyström formulas of
// extend.go: an approximation for clouds too large to embed whole. A uniform sample keeps
// the cloud's density, which the normalized and random-walk Laplacians' eigenvectors
// depend on (a sample of one point per cell would flatten it); docs/bench/extend.md
// compares the two.
//
// The extended vectors are not kept by Run: the caller asks for them a block of points
// at a time (ExtendRows), so a cloud of 10^8 points needs memory for its coordinates, the
// landmarks and one block, not for n x k vectors.

// landmarkSample returns m distinct indices of [0, n), ascending, uniformly at random
// (Knuth's selection sampling: one pass, no n-sized memory).
func landmarkSample(ctx context.Context, n, m int, seed uint64) ([]int, error) {
	r := rand.New(rand.NewPCG(seed, 0x6c616e64))
	idx := make([]int, 0, m)
	for i := 0; i < n && len(idx) < m; i++ {
		if i%(1<<20) == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if r.IntN(n-i) < m-len(idx) {
			idx = append(idx, i)
		}
	}
	return idx, nil
}

// Landmark sampling rules (Options.LandmarkSampling).
const (
	SampleCells   = "cells"   // centroids of the occupied cells of a grid sized for M, weighted by their counts
	SampleUniform = "uniform" // M input points drawn uniformly, unweighted
)

// cellLandmarks aggregates the cloud into about m cells: each landmark is the centroid
// of an occupied cell, weighted by how many points it stands for (a quadrature of the
// cloud's density, so the landmark graph keeps the density the Laplacians depend on,
// without the sampling noise of a random subset). The cell edge is found by bisection on
// a strided sample of at most 10^6 points, then one pass over all points sums the cells.
func cellLandmarks(ctx context.Context, c *cloudio.Cloud, m int) (pts, w []float64, err error) {
	dim, n := c.Dim, c.N()
	var lo, hi [3]float64
	for a := 0; a < dim; a++ {
		lo[a], hi[a] = math.Inf(1), math.Inf(-1)
	}
	for i := 0; i < n; i++ {
		for a := 0; a < dim; a++ {
			v := c.Points[i*dim+a]
			lo[a], hi[a] = math.Min(lo[a], v), math.Max(hi[a], v)
		}
	}
	extent := 0.0
	for a := 0; a < dim; a++ {
		extent = math.Max(extent, hi[a]-lo[a])
	}
	if !(extent > 0) || math.IsInf(extent, 0) {
		return nil, nil, fieldError("Options.Landmarks", "{}: %s has no extent to divide into cells", c.Source)
	}
	key := func(p []float64, h float64) [3]int64 {
		var k [3]int64
		for a := 0; a < dim; a++ {
			k[a] = int64(math.Floor((p[a] - lo[a]) / h))
		}
		return k
	}
	stride := max(1, n/1_000_000)
	occupied := func(h float64) int {
		seen := make(map[[3]int64]struct{}, 2*m)
		for i := 0; i < n; i += stride {
			seen[key(c.Points[i*dim:(i+1)*dim], h)] = struct{}{}
		}
		return len(seen)
	}
	// Occupied cells fall as the edge grows: bisect log h between a cell per point's
	// share of the extent and the whole extent.
	hLo, hHi := extent*1e-7, extent*(1+1e-9)
	for it := 0; it < 40 && hHi/hLo > 1.01; it++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		h := math.Sqrt(hLo * hHi)
		if occupied(h) > m {
			hLo = h
		} else {
			hHi = h
		}
	}
	h := hHi
	index := make(map[[3]int64]int32, 2*m)
	var sum []float64
	for i := 0; i < n; i++ {
		if i%(1<<20) == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		p := c.Points[i*dim : (i+1)*dim]
		k := key(p, h)
		j, ok := index[k]
		if !ok {
			j = int32(len(w))
			index[k] = j
			w = append(w, 0)
			sum = append(sum, make([]float64, dim)...)
		}
		w[j]++
		for a := 0; a < dim; a++ {
			sum[int(j)*dim+a] += p[a]
		}
	}
	pts = sum
	for j := range w {
		for a := 0; a < dim; a++ {
			pts[j*dim+a] /= w[j]
		}
	}
	return pts, w, nil
}

// runLandmarks embeds the landmarks of cloud and prepares the extension to all points.
func runLandmarks(ctx context.Context, cloud *cloudio.Cloud, opt Options) (*Result, error) {
	start := time.Now()
	n, dim, m := cloud.N(), cloud.Dim, opt.Landmarks
	report(opt, Event{Stage: "landmarks"}, start)
	sub := &cloudio.Cloud{Dim: dim, Names: cloud.Names, Format: cloud.Format}
	lopt := opt
	lopt.Landmarks = 0
	var idx []int
	switch opt.LandmarkSampling {
	case SampleUniform:
		var err error
		if idx, err = landmarkSample(ctx, n, m, opt.Seed); err != nil {
			return nil, err
		}
		sub.Points = make([]float64, 0, m*dim)
		for _, i := range idx {
			sub.Points = append(sub.Points, cloud.Points[i*dim:(i+1)*dim]...)
		}
	default:
		if opt.Laplacian == Unnormalized {
			return nil, fieldError("Options.LandmarkSampling", "{Options.Landmarks} with {} cells needs the normalized or random-walk Laplacian (or {} uniform)")
		}
		pts, w, err := cellLandmarks(ctx, cloud, m)
		if err != nil {
			return nil, err
		}
		sub.Points, lopt.Weights = pts, w
	}
	sub.Source = fmt.Sprintf("%s (%d landmarks, %s)", cloud.Source, sub.N(), opt.LandmarkSampling)
	res, err := RunCloud(ctx, sub, lopt)
	if res == nil {
		return nil, err
	}
	solveErr := err
	report(opt, Event{Stage: "extend"}, start)
	t := time.Now()
	names := make([]string, len(res.Vectors))
	for j := range names {
		names[j] = fmt.Sprintf("phi%d", j+1)
	}
	model := res.Model(names)
	model.Weights = lopt.Weights
	ext, err := NewExtender(model, opt.Threads)
	if err != nil {
		return nil, err
	}
	res.Seconds.Extend = time.Since(t).Seconds()
	ml := sub.N()
	res.Landmarks = &Landmarks{Cloud: sub, Index: idx, Weights: lopt.Weights, Vectors: res.Vectors, Model: model, extender: ext}
	// Each landmark stands for w_l points (n/M each when sampled uniformly), so a vector's
	// norm over the cloud is about sqrt(sum_l w_l phi_l^2): scale it to 1.
	for _, v := range res.Vectors {
		var s float64
		for l, x := range v {
			wl := float64(n) / float64(ml)
			if lopt.Weights != nil {
				wl = lopt.Weights[l]
			}
			s += wl * x * x
		}
		res.Landmarks.scale = append(res.Landmarks.scale, 1/math.Sqrt(s))
	}
	res.Cloud, res.Vectors, res.Degrees, res.LandmarkSampling = cloud, nil, nil, opt.LandmarkSampling
	res.warn(opt, fmt.Sprintf(
		"approximation: %d landmarks (%s) for %d points, embedded exactly at sigma %g, every point by the Nyström extension",
		ml, opt.LandmarkSampling, n, res.Sigma))
	return res, solveErr
}

// Landmarks is the exact part of a landmark run.
type Landmarks struct {
	Cloud     *cloudio.Cloud // the landmarks, in input order
	Index     []int          // uniform sampling: their rows in the full cloud, ascending
	Weights   []float64      // cells: how many points each landmark stands for
	Vectors   [][]float64    // their eigenvectors, exact (unit norm over the landmarks)
	Model     *cloudio.Model // the landmarks' model (embed --model writes it)
	Unreached int            // points with no landmark within the cutoff so far (NaN rows)
	extender  *Extender
	scale     []float64 // per vector: the extension has norm ~1 over the whole cloud
}

// ExtendRows sets dst[j][i-lo] to eigenvector j at input point i, for lo <= i < hi, and
// counts the points no landmark reaches (their values are NaN). The vectors are scaled
// so that their norm over all n points is about 1 (the landmarks' weighted norm).
func (r *Result) ExtendRows(ctx context.Context, lo, hi int, dst [][]float64) error {
	l := r.Landmarks
	if l == nil {
		return fmt.Errorf("extend: not a landmark run")
	}
	c := r.Cloud
	t := time.Now()
	u, err := l.extender.Extend(ctx, c.Points[lo*c.Dim:hi*c.Dim], dst)
	l.Unreached += u
	for j, v := range dst {
		for i := range v[:hi-lo] {
			v[i] *= l.scale[j]
		}
	}
	r.Seconds.Extend += time.Since(t).Seconds()
	return err
}

// ExtendAll fills r.Vectors for every point of a landmark run (n x k floats of memory;
// writers of large outputs use ExtendRows a block at a time instead).
func (r *Result) ExtendAll(ctx context.Context) error {
	if r.Landmarks == nil || r.Vectors != nil {
		return nil
	}
	n := r.Cloud.N()
	vecs := make([][]float64, len(r.Landmarks.Vectors))
	for j := range vecs {
		vecs[j] = make([]float64, n)
	}
	if err := r.ExtendRows(ctx, 0, n, vecs); err != nil {
		return err
	}
	r.Vectors = vecs
	return nil
}
