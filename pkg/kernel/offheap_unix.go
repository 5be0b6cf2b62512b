//go:build unix

package kernel

import (
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"unsafe"
)

// offHeapMin is the smallest allocation mapped outside the Go heap (a variable for the
// tests, which map every cache array).
var offHeapMin = 64 << 20

// offHeap returns n zeroed values of T for owner's cache, mapped outside the Go heap when
// large, and a release that unmaps them at once (else they are unmapped once owner is
// unreachable). The collector sets its next heap target at twice the live heap
// (GOGC=100): a 10 GiB cache on the heap let the 10^6-point run grow to ~20 GB before a
// collection. Outside the heap the cache counts once, and the target follows the rest of
// the run. Only for plain values (no pointers).
func offHeap[T any](owner *tileCache, n int) ([]T, func()) {
	var zero T
	size := n * int(unsafe.Sizeof(zero))
	if size < offHeapMin || size == 0 {
		return make([]T, n), func() {}
	}
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]T, n), func() {} // the heap may still have it
	}
	adviseHuge(mem)
	lowered := lowerMemoryLimit(int64(size))
	cl := runtime.AddCleanup(owner, func(m []byte) {
		syscall.Munmap(m)
		lowerMemoryLimit(-lowered)
	}, mem)
	release := func() {
		cl.Stop()
		syscall.Munmap(mem)
		lowerMemoryLimit(-lowered)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(mem))), n), release
}

// limitMu serialises the changes of the runtime's memory limit.
var limitMu sync.Mutex

// lowerMemoryLimit lowers the runtime's soft memory limit, where one is set, by up to
// size bytes (raises it for a negative size) and returns by how much it changed: the
// limit covers only the heap, and the process's (cmd/spectral: 85% of the available
// memory) must leave room for the mappings.
func lowerMemoryLimit(size int64) int64 {
	limitMu.Lock()
	defer limitMu.Unlock()
	cur := debug.SetMemoryLimit(-1)
	if cur == math.MaxInt64 || size == 0 {
		return 0
	}
	next := max(cur-size, min(cur, 256<<20)) // never below 256 MiB by lowering
	debug.SetMemoryLimit(next)
	return cur - next
}
