package kernel

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// bigExp returns e^x to 256 bits: the Taylor series of e^(x/2^m), with m
// chosen so that |x/2^m| < 2^−8, squared m times. Squaring m ≤ 20 times
// magnifies the series' relative error by 2^m, which leaves more than 200
// correct bits.
func bigExp(x float64) *big.Float {
	const prec = 256
	m := 0
	for a := math.Abs(x); a >= 0x1p-8; a /= 2 {
		m++
	}
	y := new(big.Float).SetPrec(prec).SetFloat64(math.Ldexp(x, -m))
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := int64(1); i < 40; i++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(i))
		sum.Add(sum, term)
	}
	for range m {
		sum.Mul(sum, sum)
	}
	return sum
}

// ulpErr returns |got − want| in units of the last place of got's binade,
// for a positive normal want.
func ulpErr(got float64, want *big.Float) float64 {
	w, _ := want.Float64()
	ulp := math.Nextafter(w, math.Inf(1)) - w
	d := new(big.Float).SetPrec(256).SetFloat64(got)
	d.Sub(d, want)
	f, _ := d.Float64()
	return math.Abs(f) / ulp
}

func ulpDiff(a, b float64) int64 {
	d := int64(math.Float64bits(a)) - int64(math.Float64bits(b))
	if d < 0 {
		d = -d
	}
	return d
}

func TestExpAccuracy(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 2000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	args := []float64{0, 0x1p-60, -0x1p-60, 1, -1, 0.5 * math.Ln2 / 128, -0.5 * math.Ln2 / 128,
		math.Ln2, -math.Ln2, 10, -10, -693, -693.1, 700, 709, 709.78}
	for range n {
		switch rng.IntN(3) {
		case 0: // the kernel's range
			args = append(args, -40*rng.Float64())
		case 1: // anywhere exp returns a normal number
			args = append(args, -693+1402.7*rng.Float64())
		default: // small arguments, where r is x itself
			args = append(args, (2*rng.Float64()-1)*math.Ldexp(1, -rng.IntN(40)))
		}
	}
	var worst, worstX float64
	for _, x := range args {
		got := Exp(x)
		// The bound of exp's doc comment, 0.51 ulp, is what the
		// construction gives; 1 ulp is the requirement.
		e := ulpErr(got, bigExp(x))
		if e > worst {
			worst, worstX = e, x
		}
		if e > 1 {
			t.Errorf("exp(%v) = %v, %.3f ulp from e^x", x, got, e)
		}
		// Go's math.Exp for amd64, in assembly, is off by up to 1.57 ulp
		// (measured against bigExp on these arguments), so with exp's
		// 0.51 the two can be 2 ulp apart; elsewhere math.Exp is within
		// 1 ulp. It overflows early, near 709.57, so the largest
		// arguments are left out.
		if d := ulpDiff(got, math.Exp(x)); d > 2 && x < 709 {
			t.Errorf("exp(%v) = %v, math.Exp gives %v: %d ulp apart", x, got, math.Exp(x), d)
		}
	}
	t.Logf("largest error %.4f ulp, at x = %v, over %d arguments", worst, worstX, len(args))
	if worst > 0.52 {
		t.Errorf("largest error %.4f ulp, more than the 0.51 ulp of the construction", worst)
	}
}

func TestExpEdges(t *testing.T) {
	tests := []struct {
		name string
		x    float64
		want float64
	}{
		{"zero", 0, 1},
		{"flushed below 2^−1000", -693.2, 0},
		{"far below the clamp", -1e300, 0},
		{"-Inf", math.Inf(-1), 0},
		{"NaN with its sign bit set", math.Copysign(math.NaN(), -1), 0},
		{"overflow", 709.79, math.Inf(1)},
		{"huge", 1e300, math.Inf(1)},
		{"+Inf", math.Inf(1), math.Inf(1)},
	}
	for _, tt := range tests {
		if got := Exp(tt.x); got != tt.want {
			t.Errorf("%s: exp(%v) = %v, want %v", tt.name, tt.x, got, tt.want)
		}
	}
	if got := Exp(math.NaN()); got != 0 {
		t.Errorf("exp(NaN) = %v, want 0, as documented and as in the AVX2 kernel", got)
	}
	// Every result is 0 or a normal number: below the flush point, nothing
	// subnormal comes out.
	for x := -700.0; x < -690; x += 0.001 {
		if got := Exp(x); got != 0 && got < 0x1p-1001 {
			t.Fatalf("exp(%v) = %v, a number below the flush point", x, got)
		}
	}
}

// TestExpTable recomputes the table from 2^(1/128) to 256 bits.
func TestExpTable(t *testing.T) {
	root := new(big.Float).SetPrec(256).SetInt64(2)
	for range 7 {
		root.Sqrt(root)
	}
	v := new(big.Float).SetPrec(256).SetInt64(1)
	for j := range expN {
		hi, _ := v.Float64()
		if got := math.Float64frombits(expTab[j].bits); got != hi {
			t.Errorf("t_%d = %v, want %v", j, got, hi)
		}
		d := new(big.Float).SetPrec(256).Sub(v, new(big.Float).SetFloat64(hi))
		d.Quo(d, new(big.Float).SetFloat64(hi))
		if want, _ := d.Float64(); expTab[j].delta != want {
			t.Errorf("δ_%d = %v, want %v", j, expTab[j].delta, want)
		}
		v.Mul(v, root)
	}
}

// TestTermsIsExp checks that the copy of exp written out in termsGo
// computes the same bits as exp.
func TestTermsIsExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	u := make([]float64, 1000)
	for i := range u {
		u[i] = 30 * rng.NormFloat64()
	}
	u[0], u[1] = math.Inf(1), math.NaN()
	for _, p := range []struct{ lc, a, mu float64 }{
		{-1.2, 0.5, 0.3},
		{3, 1e3, 1},
		{-700, 0.1, -2},
		{math.Inf(-1), 0.5, 0},
		{math.NaN(), 0.5, 0},
		{math.Copysign(math.NaN(), -1), 0.5, 0},
	} {
		e := make([]float64, len(u))
		s := make([]float64, len(u))
		termsGo(e, s, u, p.lc, p.a, p.mu)
		for i, ui := range u {
			d := (ui - p.mu) * p.a
			want := Exp(p.lc - d*d)
			if math.Float64bits(e[i]) != math.Float64bits(want) || math.Float64bits(s[i]) != math.Float64bits(want) {
				t.Fatalf("terms with %+v at u = %v gives %v (sum %v), exp gives %v", p, ui, e[i], s[i], want)
			}
		}
	}
}

// TestAVX2Exp checks the exp inside termsAVX2 against e^x, with lanes that
// take different table entries.
func TestAVX2Exp(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 and FMA on this processor")
	}
	n := 10000
	if testing.Short() {
		n = 2000
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var worst, worstX float64
	e, s, u := make([]float64, 4), make([]float64, 4), make([]float64, 4)
	check := func(x, got float64) {
		if x < -693 {
			// Flushed to zero below −693, where 2^−1000 ≈ e^−693.15 is
			// the smallest result.
			if got != 0 {
				t.Errorf("exp(%v) = %v, want 0 below the flush point", x, got)
			}
			return
		}
		err := ulpErr(got, bigExp(x))
		if err > worst {
			worst, worstX = err, x
		}
		if err > 1 {
			t.Errorf("exp(%v) = %v, %.3f ulp from e^x", x, got, err)
		}
	}
	// With h = 0 the argument is lc exactly: four different ones a call.
	for range n / 4 {
		var xs [4]float64
		for l := range xs {
			xs[l] = -700 + 1409.7*rng.Float64()
			if rng.IntN(2) == 0 {
				xs[l] = -40 * rng.Float64()
			}
		}
		// lc is shared by the lanes, so each lane gets its own call; the
		// grid below varies the lanes within one call.
		for l, x := range xs {
			clear(s)
			termsAVX2(&e[0], &s[0], &u[0], 4, x, 0, 0)
			check(x, e[l%4])
		}
	}
	// x = −i²/1024 = −(i/32)² is exact in the kernel's arithmetic for
	// integers i, and consecutive i take different table entries; with
	// lc = 709.5 the arguments climb from 709.5 down through 0.
	for i := 0; i < 860; i += 4 {
		for l := range 4 {
			u[l] = float64(i + l)
		}
		for _, lc := range []float64{0, 709.5} {
			clear(s)
			termsAVX2(&e[0], &s[0], &u[0], 4, lc, 1.0/32, 0)
			for l := range 4 {
				d := u[l] / 32
				check(lc-d*d, e[l])
				if s[l] != e[l] {
					t.Errorf("s[%d] = %v, want the term %v", l, s[l], e[l])
				}
			}
		}
	}
	t.Logf("largest error %.4f ulp, at x = %v", worst, worstX)
	// 0.7 ulp is the bound argued in simd_amd64.go.
	if worst > 0.7 {
		t.Errorf("largest error %.4f ulp, more than the 0.7 ulp of the construction", worst)
	}
}

// extremeU returns a block of standardised points, normal with standard
// deviation 30 from the random stream (seed, stream), so that the terms
// reach the clamps and every table entry, with +Inf, NaN, −Inf and 0 among
// them.
func extremeU(seed, stream uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, stream))
	u := make([]float64, block)
	for i := range u {
		u[i] = 30 * rng.NormFloat64()
	}
	u[0], u[1], u[9], u[14] = math.Inf(1), math.NaN(), math.Inf(-1), 0
	return u
}

// TestAVX2TermsPairs checks that termsAVX2, which takes eight points at a
// time as two interleaved groups of four and the last four alone, gives
// each point the bits it gets when the points go four at a time, through
// the single group's code, for every length and with arguments that reach
// the clamps, the flush to zero, NaN and every table entry.
func TestAVX2TermsPairs(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 and FMA on this processor")
	}
	u := extremeU(7, 8)
	for _, p := range []struct{ lc, a, mu float64 }{
		{-1.2, 0.5, 0.3},
		{3, 1e3, 1},
		{-700, 0.1, -2},
		{709.5, 1.0 / 32, 0},
		{math.Inf(-1), 0.5, 0},
		{math.NaN(), 0.5, 0},
	} {
		for n := 4; n <= block; n += 4 {
			e, s := make([]float64, n), make([]float64, n)
			e4, s4 := make([]float64, n), make([]float64, n)
			for i := range s {
				s[i] = float64(i) / 8
				s4[i] = s[i]
			}
			termsAVX2(&e[0], &s[0], &u[0], n, p.lc, p.a, p.mu)
			for i := 0; i < n; i += 4 {
				termsAVX2(&e4[i], &s4[i], &u[i], 4, p.lc, p.a, p.mu)
			}
			for i := range n {
				if math.Float64bits(e[i]) != math.Float64bits(e4[i]) || math.Float64bits(s[i]) != math.Float64bits(s4[i]) {
					t.Fatalf("%+v, n = %d, point %d (u = %v): term %v and sum %v, four at a time %v and %v",
						p, n, i, u[i], e[i], s[i], e4[i], s4[i])
				}
			}
		}
	}
}

// TestAVX512TermsSameBits checks that termsAVX512 gives every point the
// bits termsAVX2 gives it, for every length up to a block, with arguments
// that reach the clamps, the flush to zero on either side of it, NaN and
// every table entry.
func TestAVX512TermsSameBits(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this processor")
	}
	u := extremeU(9, 10)
	// Around the flush point: with lc = −693 and a = 1, x = −693 − u².
	grid := make([]float64, block)
	for i := range grid {
		grid[i] = float64(i) * 0x1p-9
	}
	for _, c := range []struct {
		u         []float64
		lc, a, mu float64
	}{
		{u, -1.2, 0.5, 0.3},
		{u, 3, 1e3, 1},
		{u, -700, 0.1, -2},
		{u, 709.5, 1.0 / 32, 0},
		{u, math.Inf(-1), 0.5, 0},
		{u, math.NaN(), 0.5, 0},
		{grid, -693, 1, 0},
		{grid, -692.99, 1, 0},
		{grid, 709.5, 4, 0},
		{grid, 0, 0.25, 0.1},
	} {
		for n := 4; n <= block; n += 4 {
			e, s := make([]float64, n), make([]float64, n)
			e2, s2 := make([]float64, n), make([]float64, n)
			for i := range s {
				s[i] = float64(i) / 8
				s2[i] = s[i]
			}
			termsAVX512(&e[0], &s[0], &c.u[0], n, c.lc, c.a, c.mu)
			termsAVX2(&e2[0], &s2[0], &c.u[0], n, c.lc, c.a, c.mu)
			for i := range n {
				if math.Float64bits(e[i]) != math.Float64bits(e2[i]) || math.Float64bits(s[i]) != math.Float64bits(s2[i]) {
					t.Fatalf("lc %v, a %v, mu %v, n = %d, point %d (u = %v): AVX-512 term %v and sum %v, AVX2 %v and %v",
						c.lc, c.a, c.mu, n, i, c.u[i], e[i], s[i], e2[i], s2[i])
				}
			}
		}
	}
}

var sink float64

func BenchmarkExp(b *testing.B) {
	x := make([]float64, 1024)
	for i := range x {
		x[i] = -20 * float64(i) / float64(len(x))
	}
	b.Run("kernel", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, v := range x {
				s += Exp(v)
			}
		}
		sink = s
	})
	b.Run("math", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, v := range x {
				s += math.Exp(v)
			}
		}
		sink = s
	})
}

// TestExpTo checks ExpTo against e^x, by the AVX2 kernel and by Exp, on
// lengths that leave a tail of 0 to 3 values after the groups of four:
// within 1 ulp (the kernel's bound is 0.7 ulp, Exp's 0.51), 0 below −693.2
// where both flush, and the edges of Exp.
func TestExpTo(t *testing.T) {
	defer SetAccelerated(SetAccelerated(true))
	rng := rand.New(rand.NewPCG(7, 8))
	for _, avx := range []bool{false, true} {
		if avx && !hasAVX2 {
			continue
		}
		SetAccelerated(avx)
		for _, n := range []int{0, 1, 3, 4, 7, 1001} {
			x := make([]float64, n)
			for i := range x {
				x[i] = -700 + 1409.7*rng.Float64()
				if i%2 == 0 {
					x[i] = -40 * rng.Float64()
				}
			}
			got := slices.Clone(x)
			ExpTo(got)
			for i, xi := range x {
				if e := ulpErr(got[i], bigExp(xi)); xi > -693 && e > 1 {
					t.Errorf("avx2 %v, n %d: exp(%v) = %v, %.3f ulp from e^x", avx, n, xi, got[i], e)
				}
			}
		}
		edges := []float64{math.Inf(-1), -1e300, -693.2, math.NaN(), 0, 709.79, math.Inf(1)}
		want := []float64{0, 0, 0, 0, 1, math.Inf(1), math.Inf(1)}
		got := slices.Clone(edges)
		ExpTo(got)
		for i := range edges {
			if got[i] != want[i] {
				t.Errorf("avx2 %v: exp(%v) = %v, want %v", avx, edges[i], got[i], want[i])
			}
		}
	}
}

// TestSoftmax checks Softmax on both kernels against the formula written
// out with math.Exp, on columns of finite values, with components of
// weight zero (−Inf), with a NaN, and on widths that leave a tail after
// the groups of four. The responsibilities and sums must agree to 1e-14
// relative: a few roundings of values at most K = 7, and the exp's 1 ulp.
func TestSoftmax(t *testing.T) {
	defer SetAccelerated(SetAccelerated(true))
	const k, stride = 7, 16
	rng := rand.New(rand.NewPCG(9, 10))
	for _, avx := range []bool{false, true} {
		if avx && !hasAVX2 {
			continue
		}
		SetAccelerated(avx)
		for _, n := range []int{1, 4, 6, 13} {
			l := make([]float64, k*stride)
			for i := range l {
				l[i] = -30 * rng.Float64()
			}
			l[2*stride] = math.Inf(-1) // a component of weight 0 in column 0
			l[3*stride+n-1] = math.NaN()
			r := make([]float64, k*stride)
			mx, s, bad := make([]float64, n), make([]float64, n), make([]uint64, n)
			Softmax(r, l, k, stride, n, mx, s, bad)
			for c := range n {
				if (bad[c] != 0) != (c == n-1) {
					t.Errorf("avx2 %v, n %d, column %d: bad %x", avx, n, c, bad[c])
				}
				if c == n-1 {
					continue
				}
				m := math.Inf(-1)
				for j := range k {
					m = max(m, l[j*stride+c])
				}
				var sum float64
				for j := range k {
					sum += math.Exp(l[j*stride+c] - m)
				}
				if mx[c] != m || math.Abs(s[c]-sum) > 1e-14*sum {
					t.Errorf("avx2 %v, n %d, column %d: max %v sum %v, want %v and %v", avx, n, c, mx[c], s[c], m, sum)
				}
				for j := range k {
					want := math.Exp(l[j*stride+c]-m) / sum
					if got := r[j*stride+c]; math.Abs(got-want) > 1e-14 {
						t.Errorf("avx2 %v, n %d, column %d, row %d: %v, want %v", avx, n, c, j, got, want)
					}
				}
			}
		}
	}
}
