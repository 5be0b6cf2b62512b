package main

import "testing"

// TestMemoryLimit: 85% of the available memory, and nothing when GOMEMLIMIT is set or the
// available memory is unknown.
func TestMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		env   string
		avail int64
		want  int64
		ok    bool
	}{
		{"", 20 << 30, 20 << 30 / 100 * 85, true},
		{"", 1000, 850, true},
		{"8GiB", 20 << 30, 0, false},
		{"", 0, 0, false},
		{"", -1, 0, false},
	} {
		if got, ok := memoryLimit(c.env, c.avail); got != c.want || ok != c.ok {
			t.Errorf("memoryLimit(%q, %d) = %d, %v; want %d, %v", c.env, c.avail, got, ok, c.want, c.ok)
		}
	}
}
