//go:build !unix

package kernel

// offHeap returns n zeroed values of T (on the heap where mappings are not portable).
func offHeap[T any](owner *tileCache, n int) ([]T, func()) { return make([]T, n), func() {} }
