package sysmem

import (
	"os"
	"testing"
)

// TestAvailableKnown: where /proc/meminfo exists the figure is read from it (known, positive,
// at most the total); elsewhere it is the fallback and says so.
func TestAvailableKnown(t *testing.T) {
	b, known := AvailableKnown()
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		if known || b != Fallback {
			t.Errorf("no /proc/meminfo: got %d, known %v", b, known)
		}
		return
	}
	if !known || b <= 0 || b > Total() {
		t.Errorf("available %d (known %v), total %d", b, known, Total())
	}
	if _, err := meminfoKnown("NoSuchKey:"); err == nil {
		t.Error("a missing key read without an error")
	}
}
