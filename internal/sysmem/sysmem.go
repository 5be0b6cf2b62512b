// Package sysmem reads how much memory the machine has, for the guards that refuse or
// shrink a run before it allocates more than the machine can give (a Go "out of memory"
// is a fatal error, not an error value).
package sysmem

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Fallback is what Available and Total return where /proc/meminfo is unreadable.
const Fallback = 2 << 30

// Available is MemAvailable from /proc/meminfo (what can be allocated without swapping),
// or Fallback where that is unknown.
func Available() int64 { return meminfo("MemAvailable:") }

// Total is MemTotal from /proc/meminfo, or Fallback where that is unknown.
func Total() int64 { return meminfo("MemTotal:") }

func meminfo(key string) int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return Fallback
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == key {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil || kb <= 0 || kb > 1<<53 {
				return Fallback
			}
			return kb * 1024
		}
	}
	return Fallback
}

// FormatBytes prints a byte count for people: 1.5 GiB.
func FormatBytes(b int64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := int64(unit), 0
	for n := b / unit; n >= unit; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(b)/float64(div), "KMGTPE"[exp])
}
