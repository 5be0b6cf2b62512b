//go:build unix

package kernel

import (
	"runtime"
	"syscall"
	"unsafe"
)

// offHeapMin is the smallest allocation mapped outside the Go heap.
const offHeapMin = 64 << 20

// offHeap returns n zeroed values of T for owner's cache, mapped outside the Go heap when
// large, and a release that unmaps them at once (else they are unmapped once owner is
// unreachable). The collector sets its next heap target at twice the live heap
// (GOGC=100): a 10 GiB cache on the heap let the 10^6-point run grow to ~20 GB before a
// collection. Outside the heap the cache counts once, and the target follows the rest of
// the run. Only for plain values (no pointers).
func offHeap[T any](owner *tileCache, n int) ([]T, func()) {
	var zero T
	size := n * int(unsafe.Sizeof(zero))
	if size < offHeapMin {
		return make([]T, n), func() {}
	}
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]T, n), func() {} // the heap may still have it
	}
	cl := runtime.AddCleanup(owner, func(m []byte) { syscall.Munmap(m) }, mem)
	release := func() {
		cl.Stop()
		syscall.Munmap(mem)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(mem))), n), release
}
