package cloudio

import (
	"strconv"
	"unsafe"
)

// pow10 holds the powers of ten that float64 represents exactly (10^0 .. 10^22).
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat parses a decimal number in b. Plain decimals with at most 19 significant
// digits whose mantissa fits in 53 bits and whose decimal exponent is within +-22 take
// Clinger's exact fast path (one correctly rounded multiply or divide, so the result is
// bit-identical to strconv.ParseFloat); everything else (long mantissas, big exponents,
// hex, inf, nan) goes to strconv.ParseFloat. ok is false when b is not a number.
func parseFloat(b []byte) (v float64, ok bool) {
	i, n := 0, len(b)
	if n == 0 {
		return 0, false
	}
	neg := false
	switch b[0] {
	case '-':
		neg = true
		i++
	case '+':
		i++
	}
	var mant uint64
	nd, exp := 0, 0 // significant digits, decimal exponent
	start := i
	for i < n && b[i] == '0' {
		i++
	}
	for ; i < n; i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		mant = mant*10 + uint64(c) // wraps past 19 digits; nd sends those to strconv
		nd++
	}
	sawDigit := i > start
	if i < n && b[i] == '.' {
		i++
		fstart := i
		if mant == 0 {
			for i < n && b[i] == '0' {
				i++
				exp--
			}
		}
		for ; i < n; i++ {
			c := b[i] - '0'
			if c > 9 {
				break
			}
			mant = mant*10 + uint64(c)
			nd++
			exp--
		}
		sawDigit = sawDigit || i > fstart
	}
	if nd > 19 {
		return slowFloat(b)
	}
	if !sawDigit {
		return slowFloat(b) // inf, nan, or not a number
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < n && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		if i == n {
			return 0, false
		}
		e := 0
		for ; i < n; i++ {
			c := b[i] - '0'
			if c > 9 {
				return slowFloat(b)
			}
			if e < 10000 {
				e = e*10 + int(c)
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != n {
		return slowFloat(b) // e.g. hex floats, underscores, trailing junk
	}
	if mant>>53 != 0 {
		return slowFloat(b)
	}
	f := float64(mant)
	switch {
	case mant == 0:
	case exp == 0:
	case exp > 0 && exp <= 22:
		f *= pow10[exp]
	case exp < 0 && exp >= -22:
		f /= pow10[-exp]
	default:
		return slowFloat(b)
	}
	if neg {
		f = -f
	}
	return f, true
}

// slowFloat hands b to strconv without copying: ParseFloat does not keep its argument
// (its NumError clones the string), so viewing the bytes as a string is safe.
func slowFloat(b []byte) (float64, bool) {
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil {
		// Out-of-range decimals are still numbers (ParseFloat returns +-Inf or 0 with
		// ErrRange); the caller rejects the infinities.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true
		}
		return 0, false
	}
	return v, true
}

// finite reports whether v is neither NaN nor an infinity.
func finite(v float64) bool { return v-v == 0 }
