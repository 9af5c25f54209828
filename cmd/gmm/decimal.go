package main

import (
	"math"
	"math/bits"
)

// parseDecimal parses the common form of a number in a CSV file, an
// optional sign, digits with an optional decimal point and an optional
// exponent (-1.575292947050324, 3e-5, .5, 7.), into the float64 nearest
// to it, ties to even: exactly what strconv.ParseFloat returns. It reports
// false, leaving the cell to strconv, for anything else: other syntax, more
// than 19 significant digits, or a value m·10^e (m the digits as an
// integer) with e outside [−27, 19]. Within those bounds the value is
// rounded once, from the exact integer product m·10^e or from the quotient
// m/10^−e to at least 65 significant bits with a sticky bit for the
// remainder, which decide the rounding exactly (see round128).
//
// It takes about half the CPU time of strconv.ParseFloat on values written
// in their shortest round-trip form, most of them with 16 or 17
// significant digits (BenchmarkParseDecimal).
func parseDecimal(s []byte) (float64, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var mant uint64
	digits, sig, exp := 0, 0, 0
	point := false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if point {
				return 0, false
			}
			point = true
			continue
		}
		d := c - '0'
		if d > 9 {
			break
		}
		digits++
		if point {
			exp--
		}
		if mant == 0 && d == 0 {
			// A leading zero is not significant.
			continue
		}
		if sig == 19 {
			return 0, false
		}
		sig++
		mant = 10*mant + uint64(d)
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return 0, false
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return 0, false
		}
		e := 0
		for ; i < len(s); i++ {
			d := s[i] - '0'
			if d > 9 || e > 1000 {
				return 0, false
			}
			e = 10*e + int(d)
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	var v float64
	switch {
	case mant == 0:
		v = 0
	case exp >= 0:
		if exp > 19 {
			return 0, false
		}
		hi, lo := bits.Mul64(mant, pow10[exp])
		v = round128(hi, lo, false, 0)
	default:
		if exp < -27 {
			return 0, false
		}
		// mant/10^k = mant/(5^k 2^k). With mant shifted left by z so that
		// its top bit is set, the quotient by 5^k < 2^63 has an integer
		// part q1 of at least 2^63/5^27 > 1 and 64 bits of fraction q2.
		k := -exp
		if mant <= 1<<53 && k <= 22 {
			// Both are exact doubles, and IEEE division rounds their
			// quotient correctly (Clinger 1990, "How to read floating
			// point numbers accurately", PLDI).
			v = float64(mant) / float10[k]
			break
		}
		d := pow5[k]
		z := bits.LeadingZeros64(mant)
		q1, r := bits.Div64(0, mant<<z, d)
		q2, r := bits.Div64(r, 0, d)
		v = round128(q1, q2, r != 0, -64-z-k)
	}
	if neg {
		v = -v
	}
	return v, true
}

// round128 returns (hi·2^64 + lo)·2^e rounded to the nearest float64, ties
// to even, where sticky reports that the exact value is a little above
// hi·2^64 + lo (a nonzero remainder was dropped below lo). The result must
// be a normal number, as every value parseDecimal passes is: between
// 10^−27 and 10^38.
func round128(hi, lo uint64, sticky bool, e int) float64 {
	n := 128 - bits.LeadingZeros64(hi)
	if hi == 0 {
		n = 64 - bits.LeadingZeros64(lo)
	}
	if n <= 53 {
		// Exact, and sticky is false here: a quotient has at least 65
		// bits.
		return float64(lo) * pow2(e)
	}
	// Keep the top 53 bits in m; half is the first bit dropped, and rest
	// whether any bit below it (or the sticky bit) is set.
	shift := uint(n - 53)
	var m uint64
	var half, rest bool
	switch {
	case shift < 64:
		// shift ≥ 1, since n > 53; a shift by 64 gives 0.
		m = lo>>shift | hi<<(64-shift)
		half = lo>>(shift-1)&1 == 1
		rest = lo<<(65-shift) != 0
	default:
		s := shift - 64
		m = hi >> s
		if s == 0 {
			half = lo>>63 == 1
			rest = lo<<1 != 0
		} else {
			half = hi>>(s-1)&1 == 1
			rest = hi<<(65-s) != 0 || lo != 0
		}
	}
	rest = rest || sticky
	if half && (rest || m&1 == 1) {
		m++
	}
	return float64(m) * pow2(e+int(shift))
}

// pow2 returns 2^e for a normal power, −1022 ≤ e ≤ 1023.
func pow2(e int) float64 {
	return math.Float64frombits(uint64(1023+e) << 52)
}

// float10[i] is 10^i, an exact double.
var float10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// pow10[i] is 10^i, exact, for i ≤ 19; pow5[i] is 5^i, for i ≤ 27.
var pow10, pow5 [28]uint64

func init() {
	pow10[0], pow5[0] = 1, 1
	for i := 1; i < len(pow5); i++ {
		pow5[i] = 5 * pow5[i-1]
		if i < 20 {
			pow10[i] = 10 * pow10[i-1]
		}
	}
}
