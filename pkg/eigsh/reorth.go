package eigsh

import (
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Reorthogonalisation is two matrix-vector products with the basis per pass, O(n ncv)
// each: at n = 10^4..10^5 it costs a third of a cheap kernel product. It is split into
// column chunks that depend only on n and worked on by all cores; the chunks' partial dot
// products are added in chunk order, so results are the same bits for any GOMAXPROCS.
// gonum's Gemv is single-threaded, hence this hand-written split (and gemv.go's
// four-row kernels). Workers live for one
// Solve and take no allocation per step.
//
// One job does, per chunk of columns c and in this order: w[c] -= S[:, c]^T s (a
// subtraction), the partial sum of squares of w[c], and partial dot products P[:, c] w[c]
// (a projection). Columns are independent, so a subtraction followed by the next
// projection and the norm in between cost one pass over w and one hand-off.

const (
	minChunk  = 2048 // columns; below this a goroutine hand-off costs more than it saves
	maxChunks = 16
)

// chunker splits n columns into fixed chunks and runs jobs on them in parallel.
type chunker struct {
	n, size, count int
	width          int       // ncv+2, the stride of partial: ncv+1 dot products, then the sum of squares
	partial        []float64 // count x width

	// The current job, set before the workers are woken.
	sub   blas64.General // rows > 0: w -= sub^T subH
	subH  []float64
	proj  blas64.General // rows > 0: partial dot products proj w
	w     []float64
	rotYT blas64.General // rows > 0: a rotation job, B[:q] = Y^T B (see rotate); holds Y^T
	rotB  blas64.General
	yt    []float64 // ncv x ncv, Y^T
	ws    []float64 // count x ncv*chunkCols, per-chunk workspace of the rotation
	next  atomic.Int64
	wg    sync.WaitGroup

	wake    chan struct{}
	workers int // helpers besides the caller
}

func newChunker(n, ncv int) *chunker {
	count := max(min(maxChunks, (n+minChunk-1)/minChunk), 1)
	size := (n + count - 1) / count
	count = (n + size - 1) / size
	c := &chunker{n: n, size: size, count: count, width: ncv + 2, partial: make([]float64, count*(ncv+2)),
		yt: make([]float64, ncv*ncv), ws: make([]float64, count*ncv*min(chunkCols, size))}
	if count > 1 {
		c.workers = min(runtime.GOMAXPROCS(0), count) - 1
		if c.workers > 0 {
			c.wake = make(chan struct{})
			for w := 0; w < c.workers; w++ {
				go c.work()
			}
		}
	}
	return c
}

// close stops the workers.
func (c *chunker) close() {
	if c.wake != nil {
		close(c.wake)
		c.wake = nil
	}
}

func (c *chunker) work() {
	for range c.wake {
		c.drain()
		c.wg.Done()
	}
}

// cols returns columns lo..hi-1 of a.
func cols(a blas64.General, lo, hi int) blas64.General {
	return blas64.General{Rows: a.Rows, Cols: hi - lo, Stride: a.Stride, Data: a.Data[lo:]}
}

// drain processes chunks until none is left.
func (c *chunker) drain() {
	for {
		k := int(c.next.Add(1)) - 1
		if k >= c.count {
			return
		}
		lo := k * c.size
		hi := min(lo+c.size, c.n)
		if c.rotYT.Rows > 0 {
			c.rotateChunk(k, lo, hi)
			continue
		}
		w := vec(c.w[lo:hi])
		p := c.partial[k*c.width : (k+1)*c.width]
		if c.sub.Rows > 0 {
			subtractRows(c.sub, lo, hi, c.subH, c.w[lo:hi])
		}
		p[c.width-1] = blas64.Dot(w, w)
		if c.proj.Rows > 0 {
			projectRows(c.proj, lo, hi, c.w[lo:hi], p[:c.proj.Rows])
		}
	}
}

// dispatch runs the current job on every chunk, the caller working too.
func (c *chunker) dispatch() {
	c.next.Store(0)
	if c.workers > 0 {
		c.wg.Add(c.workers)
		for i := 0; i < c.workers; i++ {
			c.wake <- struct{}{}
		}
	}
	c.drain()
	if c.workers > 0 {
		c.wg.Wait()
	}
}

// rotateChunk rotates columns lo..hi-1 of the basis, a block of chunkCols columns at a
// time through the chunk's workspace. Row i of the result is B^T y_i, a GemvT that
// updates the output once per four rows of B; gonum's Gemm does the same product as
// q*ma separate Axpy and takes about 1.3 times as long (BenchmarkRotate).
func (c *chunker) rotateChunk(k, lo, hi int) {
	YT, B := c.rotYT, c.rotB
	q, ma := YT.Rows, YT.Cols
	step := min(chunkCols, c.size)
	per := len(c.ws) / c.count
	ws := c.ws[k*per : (k+1)*per]
	for c0 := lo; c0 < hi; c0 += step {
		cw := min(step, hi-c0)
		blk := cols(B, c0, c0+cw)
		for i := 0; i < q; i++ {
			blas64.Gemv(blas.Trans, 1, blk, vec(YT.Data[i*ma:(i+1)*ma]), 0, vec(ws[i*cw:(i+1)*cw]))
		}
		for i := 0; i < q; i++ {
			copy(B.Data[i*B.Stride+c0:i*B.Stride+c0+cw], ws[i*cw:(i+1)*cw])
		}
	}
}

// rotate sets the first q rows of B (ma x n) to Y^T B, Y ma x q with q <= ma, on all
// cores: the thick-restart compression of the basis. Columns are independent, so each
// one's bits do not depend on the chunking.
func (c *chunker) rotate(Y, B blas64.General) {
	q, ma := Y.Cols, Y.Rows
	for i := 0; i < q; i++ {
		for l := 0; l < ma; l++ {
			c.yt[i*ma+l] = Y.Data[l*Y.Stride+i]
		}
	}
	c.rotYT, c.rotB = blas64.General{Rows: q, Cols: ma, Stride: ma, Data: c.yt[:q*ma]}, B
	c.dispatch()
	c.rotYT, c.rotB = blas64.General{}, blas64.General{}
}

// run does one job on all chunks: w -= sub^T subH (when sub has rows), then h = proj w
// (when proj has rows; h has proj.Rows elements). It returns the squared norm of w
// after the subtraction, summed in chunk order.
func (c *chunker) run(sub blas64.General, subH []float64, proj blas64.General, w, h []float64) float64 {
	c.sub, c.subH, c.proj, c.w = sub, subH, proj, w
	c.dispatch()
	c.sub, c.subH, c.proj, c.w = blas64.General{}, nil, blas64.General{}, nil
	r := proj.Rows
	copy(h[:r], c.partial[:r])
	ss := c.partial[c.width-1]
	for k := 1; k < c.count; k++ {
		p := c.partial[k*c.width : (k+1)*c.width]
		for i, x := range p[:r] {
			h[i] += x
		}
		ss += p[c.width-1]
	}
	return ss
}
