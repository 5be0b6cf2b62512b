//go:build unix && !linux

package kernel

// adviseHuge: transparent huge pages are Linux's (offheap_linux.go).
func adviseHuge([]byte) {}
