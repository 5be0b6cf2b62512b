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
// gonum's Gemv is single-threaded, hence this hand-written split. Workers live for one
// Solve and take no allocation per step.

const (
	minChunk  = 2048 // columns; below this a goroutine hand-off costs more than it saves
	maxChunks = 16
)

type chunkOp int

const (
	opProject  chunkOp = iota // partial[k] = V[:, chunk] w[chunk]
	opSubtract                // w[chunk] -= V[:, chunk]^T h
)

// chunker splits n columns into fixed chunks and runs Gemv on them in parallel.
type chunker struct {
	n, size, count int
	width          int       // ncv+1, the stride of partial
	partial        []float64 // count x width

	// The current job, set before the workers are woken.
	op   chunkOp
	V    blas64.General
	x, y []float64
	next atomic.Int64
	wg   sync.WaitGroup

	wake    chan struct{}
	workers int // helpers besides the caller
}

func newChunker(n, ncv int) *chunker {
	count := max(min(maxChunks, (n+minChunk-1)/minChunk), 1)
	size := (n + count - 1) / count
	count = (n + size - 1) / size
	c := &chunker{n: n, size: size, count: count, width: ncv + 1, partial: make([]float64, count*(ncv+1))}
	if count > 1 {
		c.workers = min(runtime.GOMAXPROCS(0), count) - 1
		c.wake = make(chan struct{})
		for w := 0; w < c.workers; w++ {
			go c.work()
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

// drain processes chunks until none is left.
func (c *chunker) drain() {
	for {
		k := int(c.next.Add(1)) - 1
		if k >= c.count {
			return
		}
		lo := k * c.size
		hi := min(lo+c.size, c.n)
		sub := blas64.General{Rows: c.V.Rows, Cols: hi - lo, Stride: c.V.Stride, Data: c.V.Data[lo:]}
		switch c.op {
		case opProject:
			blas64.Gemv(blas.NoTrans, 1, sub, vec(c.x[lo:hi]), 0, vec(c.partial[k*c.width:k*c.width+c.V.Rows]))
		case opSubtract:
			blas64.Gemv(blas.Trans, -1, sub, vec(c.x), 1, vec(c.y[lo:hi]))
		}
	}
}

// run executes the current job on every chunk.
func (c *chunker) run() {
	c.next.Store(0)
	c.wg.Add(c.workers)
	for w := 0; w < c.workers; w++ {
		c.wake <- struct{}{}
	}
	c.drain()
	c.wg.Wait()
}

// project sets h = V w.
func (c *chunker) project(V blas64.General, w, h []float64) {
	if c.count == 1 {
		blas64.Gemv(blas.NoTrans, 1, V, vec(w), 0, vec(h))
		return
	}
	c.op, c.V, c.x = opProject, V, w
	c.run()
	r := V.Rows
	copy(h[:r], c.partial[:r])
	for k := 1; k < c.count; k++ {
		p := c.partial[k*c.width : k*c.width+r]
		for i := range p {
			h[i] += p[i]
		}
	}
}

// subtract sets w -= V^T h.
func (c *chunker) subtract(V blas64.General, h, w []float64) {
	if c.count == 1 {
		blas64.Gemv(blas.Trans, -1, V, vec(h), 1, vec(w))
		return
	}
	c.op, c.V, c.x, c.y = opSubtract, V, h, w
	c.run()
}
