//go:build unix

package kernel

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// A large cache array lives outside the Go heap (so the collector's target does not
// double it), zeroed and writable; a small one stays on the heap.
func TestOffHeap(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	owner := &tileCache{}
	n := offHeapMin / 4
	// The runtime's soft limit leaves room for the mapping while it lives.
	const limit = 8 << 30
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
	v, release := offHeap[float32](owner, n)
	if len(v) != n || v[0] != 0 || v[n-1] != 0 {
		t.Fatalf("length %d, ends %g %g", len(v), v[0], v[n-1])
	}
	for i := range v {
		v[i] = float32(i)
	}
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > int64(offHeapMin/2) {
		t.Errorf("heap grew by %d bytes for a %d-byte mapping", grew, offHeapMin)
	}
	if v[n-1] != float32(n-1) {
		t.Fatal("mapping not writable")
	}
	if got := debug.SetMemoryLimit(-1); got != limit-int64(4*n) {
		t.Errorf("memory limit %d with the mapping, want %d", got, limit-int64(4*n))
	}
	release()
	if got := debug.SetMemoryLimit(-1); got != limit {
		t.Errorf("memory limit %d after the release, want %d", got, limit)
	}
	runtime.KeepAlive(owner)
	if s, _ := offHeap[uint16](owner, 10); len(s) != 10 {
		t.Fatalf("small: length %d", len(s))
	}
}

// mapEverything maps every cache array outside the heap, so that tests run the products
// on mappings; restore undoes it.
func mapEverything() (restore func()) {
	old := offHeapMin
	offHeapMin = 0
	return func() { offHeapMin = old }
}
