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
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = max(1, min(threads, n))
	if threads == 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}
