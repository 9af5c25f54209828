package kernel

import "math"

//go:generate go run gen_exptab.go

// The constants of exp. With N = 128 and x = (128e + j)·ln2/N + r, where
// 128e + j is x·N/ln2 rounded to the nearest integer, 0 ≤ j < 128 and
// |r| ≤ ln2/(2N),
//
//	e^x = 2^e · 2^(j/N) · e^r.
const (
	expN     = 128
	expShift = 0x1.8p52 // adding 1.5·2^52 rounds a float64 below 2^51 in magnitude to an integer
	expInvL  = expN / math.Ln2
	// ln2/N split in two: expL1 has 33 significant bits, so k·expL1 is exact
	// for |k| < 2^20 (here |k| < 2^18), and expL1 + expL2 is ln2/N to within
	// 2^−88 relative, an error below 2^−70 in r.
	expL1 = 0x1.62e42fefp-8
	expL2 = 0x1.473de6af278edp-41 // ln2/N − expL1, rounded
	// exp clamps its argument to [expFloor, expCeil]: e^−1000 is flushed to
	// 0 and e^710 overflows to +Inf, and in between k stays far from the
	// limits of the rounding by expShift and of the exactness of k·expL1.
	expFloor = -1000
	expCeil  = 710
	// expFlush is the smallest binary exponent exp returns; a result below
	// 2^−1000 ≈ e^−693.1 is flushed to zero, so exp never returns a
	// subnormal number.
	expFlush = -1000
)

var (
	expShiftBits = math.Float64bits(expShift)
	expFloorBits = math.Float64bits(expFloor)
	expCeilBits  = int64(math.Float64bits(expCeil))
	posInfBits   = math.Float64bits(math.Inf(1))
)

// ExpTo sets each x[i] to e^x[i]: on processors with AVX2 and FMA (see
// Accelerated), four at a time by the AVX2 kernels' exp, which is within
// 0.7 ulp of e^x and flushes to 0 below −693 rather than below
// 2^−1000 ≈ e^−693.15; otherwise, and for the last len(x) mod 4, by Exp.
func ExpTo(x []float64) {
	n := 0
	if useAVX2 {
		n = len(x) &^ 3
		if n > 0 {
			expAVX2(&x[0], n)
		}
	}
	for i, v := range x[n:] {
		x[n+i] = Exp(v)
	}
}

// Softmax normalises the columns t < n of the k rows of l, row j at
// l[j·stride:], into r, laid out alike: with m_t the column's largest
// value, it sets mx[t] = m_t, r[j·stride+t] = e^(l_jt − m_t)/s_t and
// s[t] = s_t = Σ_j e^(l_jt − m_t), by ExpTo's exponential, and bad[t] to a
// non-zero value if a value of the column is NaN, to 0 otherwise. A column
// whose largest value is finite and that has no NaN has s_t ≥ 1; for the
// others (bad, all −Inf, or +Inf) r and s are not meaningful. On
// processors with AVX2 and FMA (see Accelerated) four columns go at a
// time.
func Softmax(r, l []float64, k, stride, n int, mx, s []float64, bad []uint64) {
	if n == 0 {
		return
	}
	_ = l[(k-1)*stride+n-1]
	_ = r[(k-1)*stride+n-1]
	_, _, _ = mx[n-1], s[n-1], bad[n-1]
	t0 := 0
	if useAVX2 {
		t0 = n &^ 3
		if t0 > 0 {
			softmaxAVX2(&r[0], &l[0], k, stride, t0, &mx[0], &s[0], &bad[0])
		}
	}
	for t := t0; t < n; t++ {
		m := l[t]
		for j := 1; j < k; j++ {
			m = max(m, l[j*stride+t])
		}
		var sum float64
		bad[t] = 0
		for j := range k {
			v := l[j*stride+t]
			if v != v {
				bad[t] = ^uint64(0)
			}
			e := Exp(v - m)
			r[j*stride+t] = e
			sum += e
		}
		inv := 1 / sum
		for j := range k {
			r[j*stride+t] *= inv
		}
		mx[t], s[t] = m, sum
	}
}

// Exp returns e^x to within 1 ulp (0.51 ulp by construction, see below)
// for −693.1 < x < 709.78, 0 for smaller x, including −Inf, and +Inf for
// larger x. It never returns a subnormal number. A NaN gives 0, as in the
// AVX2 kernel, whose clamp to [−1000, 710] maps a NaN to −1000.
//
// With k the integer nearest x·N/ln2, r = x − k·ln2/N is computed exactly
// up to the rounding of its last subtraction, |r| ≤ ln2/256 < 0.0028, and
// e^r − 1 is its Taylor polynomial of degree 5, whose truncation error is
// below r^6/720 < 2^−60. With k = 128e + j, t_j the float64 nearest
// 2^(j/128) and δ_j its relative error (both tabulated),
//
//	e^x ≈ 2^e·t_j + 2^e·t_j·(p(r) + δ_j),
//
// where the second term is below 0.004·2^e·t_j, so its rounding errors are
// below 0.005 ulp of the result and the final addition's rounding, 0.5 ulp,
// dominates. This is the table-driven scheme of Tang (1989), "Table-driven
// implementation of the exponential function in IEEE floating-point
// arithmetic", ACM TOMS 15(2), with a table of 128 entries.
func Exp(x float64) float64 {
	// As unsigned integers, the bits of the negative numbers grow with
	// their magnitude; as signed ones, those of the positive numbers do,
	// and all the negative numbers come first.
	// The clamps see a NaN as a number beyond one end of the range, the
	// lower end if its sign bit is set; one with the sign bit clear is
	// sent to the lower end by the second test, on the rare path.
	b := math.Float64bits(x)
	if b > expFloorBits {
		b = expFloorBits
	}
	if int64(b) > expCeilBits {
		b = uint64(expCeilBits)
		if math.Float64bits(x) > posInfBits {
			b = expFloorBits
		}
	}
	x = math.Float64frombits(b)
	z := x*expInvL + expShift
	k := int64(math.Float64bits(z) - expShiftBits)
	kf := z - expShift
	r := (x - kf*expL1) - kf*expL2
	t := &expTab[k&(expN-1)]
	e := k >> 7
	// sc = 2^(e−1)·t_j, a normal number for −1000 ≤ e ≤ 1024; the final
	// doubling is exact, or overflows to +Inf as it should.
	s := t.bits + uint64(e-1)<<52
	if e < expFlush {
		s = 0
	}
	sc := math.Float64frombits(s)
	p := r + r*r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120))))
	return (sc + sc*(p+t.delta)) * 2
}
