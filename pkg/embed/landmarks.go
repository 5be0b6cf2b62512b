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
func landmarkSample(n, m int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0x6c616e64))
	idx := make([]int, 0, m)
	for i := 0; i < n && len(idx) < m; i++ {
		if r.IntN(n-i) < m-len(idx) {
			idx = append(idx, i)
		}
	}
	return idx
}

// runLandmarks embeds the landmarks of cloud and prepares the extension to all points.
func runLandmarks(ctx context.Context, cloud *cloudio.Cloud, opt Options) (*Result, error) {
	start := time.Now()
	n, dim, m := cloud.N(), cloud.Dim, opt.Landmarks
	idx := landmarkSample(n, m, opt.Seed)
	sub := &cloudio.Cloud{Dim: dim, Names: cloud.Names, Format: cloud.Format,
		Source: fmt.Sprintf("%s (%d landmarks)", cloud.Source, m), Points: make([]float64, 0, m*dim)}
	for _, i := range idx {
		sub.Points = append(sub.Points, cloud.Points[i*dim:(i+1)*dim]...)
	}
	lopt := opt
	lopt.Landmarks = 0
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
	ext, err := NewExtender(res.Model(names), opt.Threads)
	if err != nil {
		return nil, err
	}
	res.Seconds.Extend = time.Since(t).Seconds()
	res.Landmarks = &Landmarks{Cloud: sub, Index: idx, Vectors: res.Vectors, extender: ext,
		scale: math.Sqrt(float64(m) / float64(n))}
	res.Cloud, res.Vectors, res.Degrees = cloud, nil, nil
	res.Warnings = append(res.Warnings, fmt.Sprintf(
		"approximation: %d of %d points (uniform landmarks) embedded exactly at sigma %g, the rest by the Nyström extension",
		m, n, res.Sigma))
	return res, solveErr
}

// Landmarks is the exact part of a landmark run.
type Landmarks struct {
	Cloud     *cloudio.Cloud // the landmarks, in input order
	Index     []int          // their rows in the full cloud, ascending
	Vectors   [][]float64    // their eigenvectors, exact (unit norm over the landmarks)
	Unreached int            // points with no landmark within the cutoff so far (NaN rows)
	extender  *Extender
	scale     float64 // sqrt(M/n): extended vectors have unit norm in expectation
}

// ExtendRows sets dst[j][i-lo] to eigenvector j at input point i, for lo <= i < hi, and
// counts the points no landmark reaches (their values are NaN). The vectors are scaled
// by sqrt(M/n), so that their norm over all n points is 1 in expectation (exactly 1 over
// the M landmarks before scaling).
func (r *Result) ExtendRows(ctx context.Context, lo, hi int, dst [][]float64) error {
	l := r.Landmarks
	if l == nil {
		return fmt.Errorf("extend: not a landmark run")
	}
	c := r.Cloud
	t := time.Now()
	u, err := l.extender.Extend(ctx, c.Points[lo*c.Dim:hi*c.Dim], dst)
	l.Unreached += u
	for _, v := range dst {
		for i := range v[:hi-lo] {
			v[i] *= l.scale
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
