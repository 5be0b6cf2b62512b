package main

import (
	"math"
	"strconv"
	"strings"

	"github.com/spectral-dev/spectral/pkg/embed"
)

// parseSigma reads --sigma: a positive number, or "auto" (returned as 0, the pipeline's
// "choose from the spacing").
func parseSigma(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, usageErrorf("--sigma is required: a kernel width in the input's units, or auto")
	case "auto":
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, usageErrorf("--sigma %q: must be a positive number or auto", s)
	}
	return v, nil
}

// parseCutoff reads --cutoff: a number >= 0 (0 = every pair), or "auto" (returned as
// embed.CutoffAuto).
func parseCutoff(s string) (float64, error) {
	if c := strings.ToLower(s); c == "auto" || c == "" {
		return embed.CutoffAuto, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, usageErrorf("--cutoff %q: must be >= 0 (0 = every pair) or auto", s)
	}
	return v, nil
}
