// Package parallel runs loops of independent items on a fixed number of goroutines: the
// one work-sharing loop the kernel and neighbour packages both need.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Each runs f(i) for i in [0, n) on threads goroutines (0 = GOMAXPROCS), one index at a
// time from a shared counter: for items that are each a large piece of work, so the
// faster workers take more of them. f must be safe to call concurrently.
func Each(n, threads int, f func(i int)) {
	Chunks(n, threads, 1, func() func(int) { return f })
}

// Chunks runs work(i) for i in [0, n) on threads goroutines (0 = GOMAXPROCS), each with
// its own work function from newWorker (its scratch state), taking chunk consecutive
// indices at a time from a shared counter. With one goroutine it runs on the caller's.
func Chunks(n, threads, chunk int, newWorker func() func(i int)) {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	chunk = max(chunk, 1)
	threads = max(1, min(threads, (n+chunk-1)/chunk))
	if threads == 1 {
		work := newWorker()
		for i := range n {
			work(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWorker()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					work(i)
				}
			}
		}()
	}
	wg.Wait()
}

// Range runs f(lo, hi) over [0, n) cut into ranges of chunk consecutive indices, on
// threads goroutines (0 = GOMAXPROCS) taking the next range from a shared counter;
// with one goroutine it is f(0, n). For loops whose items are small and write disjoint
// results.
func Range(n, threads, chunk int, f func(lo, hi int)) {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	chunk = max(chunk, 1)
	nch := (n + chunk - 1) / chunk
	if min(threads, nch) <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	Each(nch, threads, func(c int) { f(c*chunk, min((c+1)*chunk, n)) })
}
