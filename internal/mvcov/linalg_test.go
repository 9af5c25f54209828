package mvcov

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestMul checks mul and mulTrans against gonum's mat.Mul, for sizes on
// both sides of smallMul. Each entry is a sum of d products, so it may
// differ from the reference by at most about 2d·ε·Σ_l |a_il||b_lj|
// (Higham 2002, "Accuracy and Stability of Numerical Algorithms", §3.1:
// |fl(xᵀy) − xᵀy| ≤ γ_d |x|ᵀ|y|, for each of the two computations).
func TestMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range []int{1, 2, 4, 7, smallMul, smallMul + 1} {
		a, b := make([]float64, d*d), make([]float64, d*d)
		for i := range a {
			a[i], b[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		am, bm := mat.NewDense(d, d, a), mat.NewDense(d, d, b)
		for _, tt := range []struct {
			name string
			f    func(c, a, b []float64, d int)
			am   mat.Matrix
		}{
			{"mul", mul, am},
			{"mulTrans", mulTrans, am.T()},
		} {
			var want, abs mat.Dense
			want.Mul(tt.am, bm)
			abs.Mul(absDense(tt.am), absDense(bm))
			got := make([]float64, d*d)
			tt.f(got, a, b, d)
			for i := range d {
				for j := range d {
					bound := 2 * float64(d) * 0x1p-52 * abs.At(i, j)
					if e := math.Abs(got[i*d+j] - want.At(i, j)); e > bound {
						t.Errorf("%s d=%d: entry (%d,%d) is %v, want %v (error %.3g above %.3g)", tt.name, d, i, j, got[i*d+j], want.At(i, j), e, bound)
					}
				}
			}
		}
	}
}

func absDense(a mat.Matrix) *mat.Dense {
	r, c := a.Dims()
	out := mat.NewDense(r, c, nil)
	out.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, a)
	return out
}

// TestEigenBound checks that eigenBound is at least the largest eigenvalue,
// as the first MM step of EVE and VVE needs, and at most √d times it, on
// both sides of smallEig. The eigenvalues come from gonum's EigenSym,
// accurate to a few ε·‖a‖ (Higham 2002, §4 of "Accuracy and Stability of
// Numerical Algorithms" for symmetric QR), and the norm's sum of d² squares
// to about d²·ε relative: the slack 1e-12 relative covers both for d ≤ 12.
func TestEigenBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tt := range []struct {
		name string
		d    int
		vals func(i int) float64 // the eigenvalues
	}{
		{"isotropic, d=4", 4, func(int) float64 { return 2 }},
		{"elongated, d=4", 4, func(i int) float64 { return math.Pow(10, -float64(i)) }},
		{"spread, d=8", 8, func(i int) float64 { return 1 + float64(i) }},
		{"spread, d=12", 12, func(i int) float64 { return 1 + float64(i) }},
	} {
		d := tt.d
		// a = Q diag(vals) Qᵀ for a random orthogonal Q.
		g := mat.NewDense(d, d, nil)
		for i := range d {
			for j := range d {
				g.Set(i, j, rng.NormFloat64())
			}
		}
		var qr mat.QR
		qr.Factorize(g)
		var q mat.Dense
		qr.QTo(&q)
		a := make([]float64, d*d)
		for m := range d {
			v := tt.vals(m)
			for i := range d {
				for j := range d {
					a[i*d+j] += q.At(i, m) * v * q.At(j, m)
				}
			}
		}
		var eig mat.EigenSym
		if !eig.Factorize(mat.NewSymDense(d, a), false) {
			t.Fatalf("%s: no eigendecomposition", tt.name)
		}
		ev := eig.Values(nil)
		lmax := ev[d-1]
		b := NewWorkspace(1, d).eigenBound(a)
		if b < lmax*(1-1e-12) || b > math.Sqrt(float64(d))*lmax*(1+1e-12) {
			t.Errorf("%s: bound %v, want between λ_max %v and √d·λ_max %v", tt.name, b, lmax, math.Sqrt(float64(d))*lmax)
		}
	}
}

// TestInverse checks inverse against the identity a·a⁻¹ = I, on both
// sides of smallEig, for random positive definite matrices a = BBᵀ + I
// with condition numbers κ up to a few hundred. An inverse computed by a
// backward-stable Cholesky factorisation has a residual ‖a·X − I‖ of order
// c·d·ε·κ (Higham 2002, "Accuracy and Stability of Numerical Algorithms",
// §14.3); the bound 100·d·ε·κ, with κ from gonum's condition estimate,
// leaves that constant c room up to 100 and is still thousands of times
// below the residual of an inverse with one wrong entry of size 1e-10.
func TestInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range []int{1, 2, 3, 4, smallEig, smallEig + 2} {
		b := mat.NewDense(d, d, nil)
		for i := range d {
			for j := range d {
				b.Set(i, j, 2*rng.NormFloat64())
			}
		}
		a := mat.NewSymDense(d, nil)
		a.SymOuterK(1, b)
		for i := range d {
			a.SetSym(i, i, a.At(i, i)+1)
		}
		var ch mat.Cholesky
		if !ch.Factorize(a) {
			t.Fatalf("d=%d: not positive definite", d)
		}
		kappa := ch.Cond()
		ws := NewWorkspace(1, d)
		full := make([]float64, d*d)
		for i := range d {
			for j := range d {
				full[i*d+j] = a.At(i, j)
			}
		}
		inv := make([]float64, d*d)
		logdet, ok := ws.inverse(inv, full)
		if !ok {
			t.Fatalf("d=%d: inverse failed", d)
		}
		// logdet sums the logarithms of the factor's d diagonal entries,
		// each accurate to about d·ε·κ relative (Higham 2002, §10.1) in
		// both computations: 10·d²·ε·κ leaves a factor 5 to spare.
		if want := ch.LogDet(); math.Abs(logdet-want) > 10*float64(d*d)*0x1p-52*kappa {
			t.Errorf("d=%d: log det %v, want %v", d, logdet, want)
		}
		var r mat.Dense
		r.Mul(a, mat.NewDense(d, d, inv))
		bound := 100 * float64(d) * 0x1p-52 * kappa
		for i := range d {
			for j := range d {
				want := 0.0
				if i == j {
					want = 1
				}
				if e := math.Abs(r.At(i, j) - want); e > bound {
					t.Errorf("d=%d: (a·a⁻¹)[%d,%d] = %v, want %v (error %.3g above %.3g)", d, i, j, r.At(i, j), want, e, bound)
				}
			}
		}
	}
}

// TestGeomean checks geomean, which takes the root of the product where
// the partial products stay well inside the range of normal numbers, against
// geomeanLog, through logarithms, on labelled rows on both sides of that
// range. The root of the product is within about 2ε relative of the exact
// mean (d roundings of the product, divided by d under the root, and the
// root's own); the logarithms' rounding, about ε·|log v| each, makes the
// other within about 750ε for values near the ends of the range: 1e-12
// relative, about 4500ε, bounds both.
func TestGeomean(t *testing.T) {
	for _, c := range []struct {
		name string
		v    []float64
		want float64 // 0: compare with geomeanLog only
	}{
		{"ones", []float64{1, 1, 1, 1}, 1},
		{"powers of two", []float64{2, 8, 0.5, 2}, 2},
		{"d = 3", []float64{1, 3, 9}, 3},
		{"one value", []float64{7.5}, 7.5},
		{"spread", []float64{1e-5, 3, 2e4, 0.7}, 0},
		{"partial product overflows", []float64{1e200, 1e200, 1e-200, 1e-200}, 1},
		{"partial product underflows", []float64{1e-300, 1e-300, 1e300, 1e300}, 1},
		{"product too large", []float64{1e250, 1e250, 1e250, 1e250}, 1e250},
		{"product too small", []float64{1e-250, 1e-250, 1e-250}, 1e-250},
		{"subnormal partial product", []float64{1e-310, 1e300, 1, 1}, 0},
	} {
		got, ref := geomean(c.v), geomeanLog(c.v)
		want := c.want
		if want == 0 {
			want = ref
		}
		if math.Abs(got-want) > 1e-12*want || math.Abs(ref-want) > 1e-12*want {
			t.Errorf("%s: geomean %v, through logarithms %v, want %v", c.name, got, ref, want)
		}
	}
}

// TestAllFinite checks allFinite, on which MStep's test of its statistics
// rests, on labelled rows with and without a value that is not finite.
func TestAllFinite(t *testing.T) {
	for _, c := range []struct {
		name string
		v    []float64
		want bool
	}{
		{"empty", nil, true},
		{"finite", []float64{1, -2, 0, 1e-310}, true},
		{"largest values", []float64{math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64}, true},
		{"NaN", []float64{1, math.NaN(), 2}, false},
		{"+Inf", []float64{math.Inf(1)}, false},
		{"-Inf last", []float64{3, 4, math.Inf(-1)}, false},
		{"+Inf and -Inf", []float64{math.Inf(1), math.Inf(-1)}, false},
	} {
		if got := allFinite(c.v); got != c.want {
			t.Errorf("%s: allFinite(%v) = %v, want %v", c.name, c.v, got, c.want)
		}
	}
}
