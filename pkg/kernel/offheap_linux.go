package kernel

import "syscall"

// adviseHuge asks for transparent huge pages on a cache mapping: 512 times fewer pages to
// fault in, map and free. Freeing a 12 GB run's 4 KiB pages made its exit after Ctrl-C
// take over a second (docs/bench/multilevel.md, "Session 9"). Advice only: an error
// (a kernel without THP, or THP off) changes nothing.
func adviseHuge(mem []byte) { _ = syscall.Madvise(mem, syscall.MADV_HUGEPAGE) }
