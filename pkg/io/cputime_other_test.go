//go:build !unix

package cloudio

import "time"

// cpuTime is not measured here; cpu-MB/s then reads +Inf.
func cpuTime() time.Duration { return 0 }
