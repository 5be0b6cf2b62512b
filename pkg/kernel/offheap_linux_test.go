package kernel

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// Cache mappings ask for transparent huge pages (adviseHuge): /proc/self/smaps lists the
// madvise as the "hg" flag of the mapping, whatever the machine's THP mode.
func TestOffHeapHugePages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage"); err != nil {
		t.Skipf("no transparent huge pages on this kernel: %v", err) // madvise fails there
	}
	owner := &tileCache{}
	v, release := offHeap[float32](owner, offHeapMin/4)
	defer release()
	addr := uintptr(unsafe.Pointer(&v[0]))
	flags, err := vmFlags(addr)
	if err != nil {
		t.Skipf("no mapping flags to read: %v", err)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the mapping at %#x has flags %q, without hg (MADV_HUGEPAGE)", addr, flags)
	}
}

// vmFlags reads the VmFlags of the mapping holding addr from /proc/self/smaps.
func vmFlags(addr uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 {
			in = lo <= addr && addr < hi
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			return strings.TrimSpace(rest), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no VmFlags line for %#x", addr)
}
