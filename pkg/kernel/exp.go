package kernel

import "math"

// DefaultCutoff is the default truncation radius in units of sigma: sqrt(2 ln 2^24) ~ 5.77,
// where exp(-r^2/2) = 2^-24, below float32 resolution relative to the diagonal (1). The
// operator truncated there is the full Gaussian kernel to float32 precision (DESIGN.md).
// (A constant: math.Sqrt(2*24*math.Ln2) rounded to float64; TestDefaultCutoff checks it.)
const DefaultCutoff = 5.768107546403532

// ExpMaxRelErr bounds the relative error of the float32 kernel value gauss against
// math.Exp(-d2/2) over every float32 d2 in [0, 173] (the whole range used; beyond it values
// are flushed to 0). Measured exhaustively (TestGaussExhaustive, opt-in): 8.13e-8, at
// d2 = 119.9; TestGaussAccuracy checks every 37th value and the range ends.
const ExpMaxRelErr = 1e-7

// underflowD2 is the squared distance beyond which kernel values are flushed to 0:
// exp(-173/2) ~ 2.7e-38 is the smallest value the scaling by 2^n below keeps normal.
const underflowD2 = 173.0

// Constants of the float32 exp (Cephes expf): exp(x) = 2^n exp(r), with x = n ln2 + r,
// |r| <= ln2/2, ln2 split in two parts so n*ln2hi is exact, and exp(r) = 1 + r + r^2 P(r).
const (
	expLog2e     = 1.44269504088896341
	expLn2Hi     = 0.693359375
	expLn2Lo     = -2.12194440e-4
	expMagic     = 12582912.0 // 1.5 * 2^23: adding it rounds to an integer in the low bits
	expMagicBits = 0x4B400000
	expP0        = 1.9875691500e-4
	expP1        = 1.3981999507e-3
	expP2        = 8.3334519073e-3
	expP3        = 4.1665795894e-2
	expP4        = 1.6666665459e-1
	expP5        = 5.0000001201e-1
)

// gauss is the kernel value exp(-d2/2) in float32 for a squared scaled distance d2 >= 0,
// and 0 when d2 > c2 (the cutoff rule, decided on the float32 values exactly like
// everywhere else in this package). gauss(0, c2) is exactly 1.
//
// It is branch-free (the cutoff becomes a bit mask, since about half the pairs a sweep
// looks at are beyond the cutoff and a branch would mispredict) and small enough to be
// inlined into the hot loops. The explicit float32 conversions forbid fused multiply-adds,
// so every inlined copy rounds identically and the matrix stays exactly symmetric.
func gauss(d2, c2 float32) float32 {
	x := d2 * -0.5
	fx := float32(x*expLog2e) + expMagic
	fn := fx - expMagic
	r := x - float32(fn*expLn2Hi) - float32(fn*expLn2Lo)
	p := float32(expP0*r) + expP1
	p = float32(p*r) + expP2
	p = float32(p*r) + expP3
	p = float32(p*r) + expP4
	p = float32(p*r) + expP5
	y := float32(p*float32(r*r)) + r + 1
	drop := uint32(int32(math.Float32bits(c2-d2)) >> 31)
	return math.Float32frombits((math.Float32bits(y) + (math.Float32bits(fx)-expMagicBits)<<23) &^ drop)
}
