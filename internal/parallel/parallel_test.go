package parallel

import (
	"sync/atomic"
	"testing"
)

// TestEach: Each and Chunks visit every index exactly once, for any thread count and
// chunk, n = 0 included.
func TestEach(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		for _, threads := range []int{0, 1, 3, 64} {
			seen := make([]atomic.Int32, n)
			Each(n, threads, func(i int) { seen[i].Add(1) })
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("Each n %d threads %d: index %d visited %d times", n, threads, i, c)
				}
				seen[i].Store(0)
			}
			Chunks(n, threads, 5, func() func(int) { return func(i int) { seen[i].Add(1) } })
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("n %d threads %d: index %d visited %d times", n, threads, i, c)
				}
			}
		}
	}
}

// TestRange: Range's ranges cover [0, n) exactly once, none longer than chunk, and one
// thread gets the whole range in one call.
func TestRange(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		for _, threads := range []int{0, 1, 3, 64} {
			seen := make([]atomic.Int32, n)
			var calls atomic.Int32
			Range(n, threads, 64, func(lo, hi int) {
				calls.Add(1)
				if hi-lo > 64 && threads != 1 {
					t.Errorf("n %d threads %d: range [%d, %d) over the chunk", n, threads, lo, hi)
				}
				for i := lo; i < hi; i++ {
					seen[i].Add(1)
				}
			})
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("n %d threads %d: index %d visited %d times", n, threads, i, c)
				}
			}
			if threads == 1 && n > 0 && calls.Load() != 1 {
				t.Errorf("n %d, one thread: %d calls, want 1", n, calls.Load())
			}
		}
	}
}
