package figure

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
)

// spectral holds ColorBrewer's 11-class "Spectral" palette, low (red) to high
// (purple-blue), the stops of matplotlib's Spectral colormap.
var spectral = [11]color.RGBA{
	{0x9e, 0x01, 0x42, 0xff},
	{0xd5, 0x3e, 0x4f, 0xff},
	{0xf4, 0x6d, 0x43, 0xff},
	{0xfd, 0xae, 0x61, 0xff},
	{0xfe, 0xe0, 0x8b, 0xff},
	{0xff, 0xff, 0xbf, 0xff}, // the light middle colour, for 0
	{0xe6, 0xf5, 0x98, 0xff},
	{0xab, 0xdd, 0xa4, 0xff},
	{0x66, 0xc2, 0xa5, 0xff},
	{0x32, 0x88, 0xbd, 0xff},
	{0x5e, 0x4f, 0xa2, 0xff},
}

// SpectralColor maps t in [-1, 1] to the Spectral colormap, interpolating linearly
// between the palette's stops: -1 is dark red, 0 the light middle colour, +1
// purple-blue. Values outside [-1, 1] are clamped; NaN gives the middle colour.
func SpectralColor(t float64) color.RGBA {
	if math.IsNaN(t) {
		t = 0
	}
	t = math.Max(-1, math.Min(1, t))
	pos := (t + 1) / 2 * float64(len(spectral)-1)
	i := int(pos)
	if i >= len(spectral)-1 {
		return spectral[len(spectral)-1]
	}
	f := pos - float64(i)
	a, b := spectral[i], spectral[i+1]
	mix := func(x, y uint8) uint8 {
		return uint8(math.Round(float64(x) + f*(float64(y)-float64(x))))
	}
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// Colors maps values to the Spectral colormap symmetrically about 0: each value is
// divided by the largest magnitude, so 0 is the middle colour and +-max|v| the two
// ends. All-zero values all get the middle colour; NaN the middle colour and
// infinities the ends, without changing the scale of the others.
func Colors(values []float64) []color.RGBA {
	m := 0.0
	for _, v := range values {
		if a := math.Abs(v); a > m && a <= math.MaxFloat64 {
			m = a
		}
	}
	c := make([]color.RGBA, len(values))
	for i, v := range values {
		if m > 0 {
			v /= m
		}
		c[i] = SpectralColor(v)
	}
	return c
}

// maxAbs returns the largest magnitude in values, or an error naming the first
// value that is NaN or infinite.
func maxAbs(values []float64) (float64, error) {
	m := 0.0
	for i, v := range values {
		a := math.Abs(v)
		if !(a <= math.MaxFloat64) { // NaN or Inf
			return 0, fmt.Errorf("value of point %d is %v", i+1, v)
		}
		if a > m {
			m = a
		}
	}
	return m, nil
}

// categorical is the palette of labels: matplotlib's tab10 (Tableau 10, what
// scikit-learn users see), then the lighter tab20 partners of the same hues, so that
// the first ten labels get the ten most distinct colours.
var categorical = [...]color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0xd6, 0x27, 0x28, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff}, {0xbc, 0xbd, 0x22, 0xff},
	{0x17, 0xbe, 0xcf, 0xff},
	{0xae, 0xc7, 0xe8, 0xff}, {0xff, 0xbb, 0x78, 0xff}, {0x98, 0xdf, 0x8a, 0xff},
	{0xff, 0x98, 0x96, 0xff}, {0xc5, 0xb0, 0xd5, 0xff}, {0xc4, 0x9c, 0x94, 0xff},
	{0xf7, 0xb6, 0xd2, 0xff}, {0xc7, 0xc7, 0xc7, 0xff}, {0xdb, 0xdb, 0x8d, 0xff},
	{0x9e, 0xda, 0xe5, 0xff},
}

// MaxLabels is the largest number of distinct labels an embedding can be coloured by
// (plus the noise label): beyond the palette's 20 colours, categories could not be told apart.
const MaxLabels = len(categorical)

// noiseLabel is the label scikit-learn's DBSCAN and HDBSCAN give to noise points,
// drawn in noiseColor, a light grey that recedes behind the clusters.
const noiseLabel = "-1"

var noiseColor = color.RGBA{0xb0, 0xb0, 0xb0, 0xff}

// single is the colour of an embedding's points when nothing colours them (tab10's blue).
var single = categorical[0]

// sortedLabels returns the distinct labels, numerically sorted when they all parse
// as numbers (so "10" comes after "9"), else in string order.
func sortedLabels(labels []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range labels {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	num := make(map[string]float64, len(out))
	for _, l := range out {
		v, err := strconv.ParseFloat(l, 64)
		if err != nil {
			slices.Sort(out)
			return out
		}
		num[l] = v
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(num[a], num[b]) })
	return out
}
