package main

import (
	"strconv"
	"strings"

	"github.com/spectral-dev/spectral/pkg/embed"
)

// The parsers here turn flag text into embed.Options values; the ranges are checked once,
// by Options.Validate and ClusterOptions.Validate, whose errors name the fields that
// withFlagNames (errors.go) words as flags. What the parsers refuse themselves is text
// that is no number, and a typed value that embed reads as "the default" (sigma 0 is
// auto, cutoff -1 is auto, k 0 is 7, ...): passed on, it would silently become the
// default instead of an error (refuseDefault).

// parseSigma reads --sigma: a number, or "auto" (returned as 0, the pipeline's "choose
// from the spacing").
func parseSigma(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, usageErrorf("--sigma is required: a kernel width in the input's units, or auto")
	case "auto":
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v == 0 {
		return 0, usageErrorf("--sigma %q: must be a positive number or auto", s)
	}
	return v, nil
}

// parseCutoff reads --cutoff: a number (0 = every pair), or "auto" (returned as
// embed.CutoffAuto).
func parseCutoff(s string) (float64, error) {
	if c := strings.ToLower(s); c == "auto" || c == "" {
		return embed.CutoffAuto, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v == embed.CutoffAuto {
		return 0, usageErrorf("--cutoff %q: must be >= 0 (0 = every pair) or auto", s)
	}
	return v, nil
}

// refuseDefault refuses a typed 0 for an int flag whose 0 embed reads as its default.
func refuseDefault(flag string, v int, why string) error {
	if v == 0 {
		return usageErrorf("%s 0: %s", flag, why)
	}
	return nil
}
