// Package cluster assigns labels to points given their spectral coordinates: k-means with
// k-means++ seeding and several starts (as scikit-learn's KMeans), the eigengap rule that
// picks a number of clusters from the Laplacian's eigenvalues, and the adjusted Rand
// index to score labels against a ground truth.
//
// Written by hand: gonum has no k-means. The loops are short (n x k x d with k and d
// about 10) and run one start per goroutine, so a result depends on the seed only, never
// on the number of threads.
package cluster

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Options of KMeans; zero values mean defaults.
type Options struct {
	NInit   int     // starts, the best inertia kept (0 = 10, scikit-learn's n_init)
	MaxIter int     // Lloyd iterations per start (0 = 300, scikit-learn's)
	Tol     float64 // stop when the centres move less than Tol x the mean variance of the data (0 = 1e-4, scikit-learn's)
	Seed    uint64  // start r draws from PCG(Seed, r)
	Threads int     // starts run in parallel (0 = GOMAXPROCS)
}

// Result of KMeans.
type Result struct {
	Labels  []int     // per point, 0..K-1, numbered by first appearance in point order
	Centers []float64 // K x d, row-major, in label order
	Sizes   []int     // points per label
	Inertia float64   // sum of squared distances to the assigned centres
	Iter    int       // Lloyd iterations of the kept start
	Start   int       // which start was kept
}

// ErrTooFew is returned when there are fewer distinct rows than clusters wanted.
var ErrTooFew = errors.New("fewer distinct points than clusters")

// KMeans clusters the n rows of x (n x d, row-major) into k clusters.
func KMeans(x []float64, d, k int, opt Options) (*Result, error) {
	if d < 1 || len(x)%d != 0 {
		return nil, fmt.Errorf("cluster: %d values do not make rows of %d", len(x), d)
	}
	n := len(x) / d
	if k < 1 || k > n {
		return nil, fmt.Errorf("cluster: %d clusters of %d points", k, n)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("cluster: row %d has a value %v", i/d, v)
		}
	}
	if opt.NInit <= 0 {
		opt.NInit = 10
	}
	if opt.MaxIter <= 0 {
		opt.MaxIter = 300
	}
	if opt.Tol <= 0 {
		opt.Tol = 1e-4
	}
	threads := opt.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	tol := opt.Tol * meanVariance(x, d)
	runs := make([]*Result, opt.NInit)
	errs := make([]error, opt.NInit)
	var wg sync.WaitGroup
	sem := make(chan struct{}, threads)
	for r := range opt.NInit {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rng := rand.New(rand.NewPCG(opt.Seed, uint64(r)))
			c, err := seedPlusPlus(x, d, k, rng)
			if err != nil {
				errs[r] = err
				return
			}
			runs[r] = lloyd(x, d, k, c, opt.MaxIter, tol)
			runs[r].Start = r
		}()
	}
	wg.Wait()
	var best *Result
	for r, res := range runs {
		if errs[r] != nil {
			return nil, errs[r]
		}
		if best == nil || res.Inertia < best.Inertia {
			best = res
		}
	}
	best.relabel(d, k)
	return best, nil
}

func meanVariance(x []float64, d int) float64 {
	n := len(x) / d
	v := 0.0
	for a := range d {
		mean := 0.0
		for i := range n {
			mean += x[i*d+a]
		}
		mean /= float64(n)
		s := 0.0
		for i := range n {
			e := x[i*d+a] - mean
			s += e * e
		}
		v += s / float64(n)
	}
	return v / float64(d)
}

func dist2(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		e := a[i] - b[i]
		s += e * e
	}
	return s
}

// seedPlusPlus is greedy k-means++ (Arthur & Vassilvitskii, with scikit-learn's
// 2 + ln k candidates per centre, the one lowering the potential most kept).
func seedPlusPlus(x []float64, d, k int, rng *rand.Rand) ([]float64, error) {
	n := len(x) / d
	trials := 2 + int(math.Log(float64(k)))
	c := make([]float64, 0, k*d)
	first := rng.IntN(n)
	c = append(c, x[first*d:(first+1)*d]...)
	closest := make([]float64, n)
	pot := 0.0
	for i := range n {
		closest[i] = dist2(x[i*d:(i+1)*d], c[:d])
		pot += closest[i]
	}
	cand := make([]float64, n)
	bestD := make([]float64, n)
	for len(c) < k*d {
		if !(pot > 0) {
			return nil, fmt.Errorf("cluster: %d clusters: %w", k, ErrTooFew)
		}
		bestPot, bestIdx := math.Inf(1), -1
		for range trials {
			// Sample a point with probability closest[i] / pot.
			u := rng.Float64() * pot
			idx := n - 1
			acc := 0.0
			for i, v := range closest {
				acc += v
				if acc > u {
					idx = i
					break
				}
			}
			for closest[idx] == 0 && idx > 0 { // rounding landed on a centre
				idx--
			}
			p := x[idx*d : (idx+1)*d]
			s := 0.0
			for i := range n {
				cand[i] = min(closest[i], dist2(x[i*d:(i+1)*d], p))
				s += cand[i]
			}
			if s < bestPot {
				bestPot, bestIdx = s, idx
				copy(bestD, cand)
			}
		}
		if closest[bestIdx] == 0 {
			return nil, fmt.Errorf("cluster: %d clusters: %w", k, ErrTooFew)
		}
		c = append(c, x[bestIdx*d:(bestIdx+1)*d]...)
		copy(closest, bestD)
		pot = bestPot
	}
	return c, nil
}

// lloyd iterates assignment and mean updates from centres c until the centres move
// less than tol (squared, summed) or maxIter; an emptied cluster takes the point
// farthest from its centre.
func lloyd(x []float64, d, k int, c []float64, maxIter int, tol float64) *Result {
	n := len(x) / d
	labels := make([]int, n)
	sums := make([]float64, k*d)
	counts := make([]int, k)
	r := &Result{Labels: labels, Centers: c}
	for it := 1; ; it++ {
		assign(x, d, k, c, labels)
		clear(sums)
		clear(counts)
		for i, l := range labels {
			counts[l]++
			row := x[i*d : (i+1)*d]
			s := sums[l*d : (l+1)*d]
			for a := range s {
				s[a] += row[a]
			}
		}
		for l := range k {
			if counts[l] == 0 {
				// Farthest point from its own centre (first on ties) becomes this centre.
				far, fd := 0, -1.0
				for i, li := range labels {
					if dd := dist2(x[i*d:(i+1)*d], c[li*d:(li+1)*d]); dd > fd {
						far, fd = i, dd
					}
				}
				counts[labels[far]]--
				s := sums[labels[far]*d : (labels[far]+1)*d]
				for a := range s {
					s[a] -= x[far*d+a]
				}
				labels[far] = l
				counts[l] = 1
				copy(sums[l*d:(l+1)*d], x[far*d:(far+1)*d])
			}
		}
		shift := 0.0
		for l := range k {
			for a := range d {
				v := sums[l*d+a] / float64(counts[l])
				e := v - c[l*d+a]
				shift += e * e
				c[l*d+a] = v
			}
		}
		r.Iter = it
		if shift <= tol || it >= maxIter {
			break
		}
	}
	assign(x, d, k, c, labels)
	r.Inertia = 0
	for i, l := range labels {
		r.Inertia += dist2(x[i*d:(i+1)*d], c[l*d:(l+1)*d])
	}
	return r
}

// assign sets each label to its nearest centre (the lowest label on ties).
func assign(x []float64, d, k int, c []float64, labels []int) {
	for i := range labels {
		row := x[i*d : (i+1)*d]
		best, bl := math.Inf(1), 0
		for l := range k {
			if dd := dist2(row, c[l*d:(l+1)*d]); dd < best {
				best, bl = dd, l
			}
		}
		labels[i] = bl
	}
}

// relabel numbers clusters by first appearance in point order, so labels do not depend
// on which start won, and counts sizes.
func (r *Result) relabel(d, k int) {
	perm := make([]int, k)
	for l := range perm {
		perm[l] = -1
	}
	next := 0
	for _, l := range r.Labels {
		if perm[l] < 0 {
			perm[l] = next
			next++
		}
	}
	for l := range perm {
		if perm[l] < 0 { // cannot happen after lloyd's empty-cluster repair
			perm[l] = next
			next++
		}
	}
	c := make([]float64, k*d)
	r.Sizes = make([]int, k)
	for l := range k {
		copy(c[perm[l]*d:(perm[l]+1)*d], r.Centers[l*d:(l+1)*d])
	}
	for i, l := range r.Labels {
		r.Labels[i] = perm[l]
		r.Sizes[perm[l]]++
	}
	r.Centers = c
}
