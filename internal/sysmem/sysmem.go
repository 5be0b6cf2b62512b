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
func Available() int64 {
	b, _ := AvailableKnown()
	return b
}

// AvailableKnown is Available, and whether /proc/meminfo gave it (false: Fallback).
func AvailableKnown() (int64, bool) {
	b, err := meminfoKnown("MemAvailable:")
	if err != nil {
		return Fallback, false
	}
	return b, true
}

// Total is MemTotal from /proc/meminfo, or Fallback where that is unknown.
func Total() int64 { return meminfo("MemTotal:") }

func meminfo(key string) int64 {
	b, err := meminfoKnown(key)
	if err != nil {
		return Fallback
	}
	return b
}

// meminfoKnown is key's figure in /proc/meminfo in bytes, or an error where it is not there.
func meminfoKnown(key string) (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == key {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil || kb <= 0 || kb > 1<<53 {
				return 0, fmt.Errorf("sysmem: %s %q", key, fields[1])
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("sysmem: no %s in /proc/meminfo", key)
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
