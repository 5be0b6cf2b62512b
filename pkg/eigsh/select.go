package eigsh

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// rank fills idx with 0..len(vals)-1 ordered most wanted first under which. tmp has
// len(vals) elements of scratch. It sorts by insertion (the lists are at most ncv long)
// and is stable, so ties keep their order and results are reproducible.
func rank(which Which, vals []float64, idx, tmp []int) {
	for i := range idx {
		idx[i] = i
	}
	key := func(v float64) float64 {
		switch which {
		case LA:
			return -v
		case LM:
			return -math.Abs(v)
		case SM:
			return math.Abs(v)
		}
		return v // SA, and BE sorts ascending first
	}
	for i := 1; i < len(idx); i++ {
		x := idx[i]
		kx := key(vals[x])
		j := i - 1
		for ; j >= 0 && key(vals[idx[j]]) > kx; j-- {
			idx[j+1] = idx[j]
		}
		idx[j+1] = x
	}
	if which == BE {
		// Interleave from the ends, high end first: the first k then hold ceil(k/2)
		// largest and floor(k/2) smallest, ARPACK's split for "BE".
		copy(tmp, idx)
		lo, hi := 0, len(idx)-1
		for i := range idx {
			if i%2 == 0 {
				idx[i] = tmp[hi]
				hi--
			} else {
				idx[i] = tmp[lo]
				lo++
			}
		}
	}
}

// converged is ARPACK's dsconv test.
func converged(res, theta, tol float64) bool {
	return res <= tol*math.Max(eps23, math.Abs(theta))
}

var eps23 = math.Pow(eps, 2.0/3.0)

// finish builds a Result from k pairs given in any order: it sorts them ascending,
// normalises each vector and makes its largest-magnitude entry positive.
func finish(vals []float64, vecs *mat.Dense, res []float64, matvecs, restarts int) *Result {
	k := len(vals)
	perm := make([]int, k)
	for i := range perm {
		perm[i] = i
	}
	for i := 1; i < k; i++ {
		x := perm[i]
		j := i - 1
		for ; j >= 0 && vals[perm[j]] > vals[x]; j-- {
			perm[j+1] = perm[j]
		}
		perm[j+1] = x
	}
	out := &Result{
		Values:    make([]float64, k),
		Residuals: make([]float64, k),
		MatVecs:   matvecs,
		Restarts:  restarts,
	}
	if k == 0 {
		return out
	}
	n, _ := vecs.Dims()
	out.Vectors = mat.NewDense(n, k, nil)
	col := make([]float64, n)
	for j, p := range perm {
		out.Values[j] = vals[p]
		out.Residuals[j] = res[p]
		mat.Col(col, p, vecs)
		var nrm float64
		big, at := -1.0, 0
		for i, x := range col {
			nrm += x * x
			if a := math.Abs(x); a > big {
				big, at = a, i
			}
		}
		s := 1 / math.Sqrt(nrm)
		if col[at] < 0 {
			s = -s
		}
		for i := range col {
			col[i] *= s
		}
		out.Vectors.SetCol(j, col)
	}
	return out
}
