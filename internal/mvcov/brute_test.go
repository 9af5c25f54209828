package mvcov

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// golden returns the minimiser of f on [a, b] by golden-section search,
// to an interval of width tol.
func golden(f func(float64) float64, a, b, tol float64) float64 {
	r := (math.Sqrt(5) - 1) / 2
	c, d := b-r*(b-a), a+r*(b-a)
	fc, fd := f(c), f(d)
	for b-a > tol {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - r*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + r*(b-a)
			fd = f(d)
		}
	}
	return (a + b) / 2
}

// scanMin returns the minimiser of f over [lo, hi) from a grid of n points
// refined by golden-section search around the best.
func scanMin(f func(float64) float64, lo, hi float64, n int) float64 {
	h := (hi - lo) / float64(n)
	best, fb := lo, f(lo)
	for i := 1; i < n; i++ {
		if v := f(lo + float64(i)*h); v < fb {
			best, fb = lo+float64(i)*h, v
		}
	}
	return golden(f, best-h, best+h, 1e-14)
}

// rotation returns the 2×2 rotation by theta.
func rotation(theta float64) *mat.Dense {
	s, c := math.Sincos(theta)
	return mat.NewDense(2, 2, []float64{c, -s, s, c})
}

// TestMStepBruteForce checks the iterative M-steps against a search over
// all their parameters in two dimensions, where an orientation is one angle:
// the profiled criterion of EVE and VVE over θ, and of VEE over θ and the
// shape, minimised on a fine grid and refined by golden sections, with
// Old Faithful's statistics by maximum likelihood and with the prior.
func TestMStepBruteForce(t *testing.T) {
	for _, sc := range refStats(t)[2:] {
		k, d := sc.mean.Dims()
		if d != 2 {
			t.Fatal("want two dimensions")
		}
		// The counts c_k and scatters T_k of model m's M-step.
		ts := func(m Model) ([]float64, []*mat.SymDense) {
			ws := NewWorkspace(k, d)
			if err := ws.stats(m, sc.prior, sc.N, sc.mean, sc.scatter); err != nil {
				t.Fatal(err)
			}
			T := make([]*mat.SymDense, k)
			for j := range k {
				T[j] = mat.NewSymDense(d, append([]float64(nil), ws.block(ws.t, j)...))
			}
			return append([]float64(nil), ws.c...), T
		}
		// diag returns the diagonal of Rᵀ T R.
		diag := func(r *mat.Dense, T *mat.SymDense) (float64, float64) {
			var m mat.Dense
			m.Product(r.T(), T, r)
			return m.At(0, 0), m.At(1, 1)
		}
		for _, m := range []Model{EVE, VVE, VEE} {
			c, T := ts(m)
			var total float64
			for _, v := range c {
				total += v
			}
			var want []*mat.SymDense
			switch m {
			case EVE, VVE:
				crit := func(theta float64) float64 {
					r := rotation(theta)
					var f float64
					for j := range k {
						a, b := diag(r, T[j])
						if m == EVE {
							f += math.Sqrt(a * b)
						} else {
							f += c[j] * (math.Log(a) + math.Log(b))
						}
					}
					return f
				}
				theta := scanMin(crit, 0, math.Pi/2, 20000)
				r := rotation(theta)
				var lambda float64
				for j := range k {
					a, b := diag(r, T[j])
					lambda += math.Sqrt(a*b) / total
				}
				for j := range k {
					a, b := diag(r, T[j])
					s := []float64{a / c[j], b / c[j]}
					if m == EVE {
						g := math.Sqrt(a * b)
						s = []float64{lambda * a / g, lambda * b / g}
					}
					var sig mat.Dense
					sig.Product(r, mat.NewDiagDense(2, s), r.T())
					want = append(want, mat.NewSymDense(2, sig.RawMatrix().Data))
				}
			case VEE:
				shape := func(theta, la float64) *mat.SymDense {
					r := rotation(theta)
					var cm mat.Dense
					cm.Product(r, mat.NewDiagDense(2, []float64{math.Exp(la), math.Exp(-la)}), r.T())
					return mat.NewSymDense(2, cm.RawMatrix().Data)
				}
				crit := func(theta, la float64) float64 {
					var inv mat.Dense
					if err := inv.Inverse(shape(theta, la)); err != nil {
						return math.Inf(1)
					}
					var f float64
					for j := range k {
						var p mat.Dense
						p.Mul(T[j], &inv)
						f += c[j] * math.Log(mat.Trace(&p))
					}
					return f
				}
				// A grid over θ ∈ [0, π) and log a ∈ [0, 6], then
				// alternating golden sections.
				theta, la, fb := 0.0, 0.0, math.Inf(1)
				for i := range 300 {
					for l := range 300 {
						th, a := math.Pi*float64(i)/300, 6*float64(l)/300
						if v := crit(th, a); v < fb {
							theta, la, fb = th, a, v
						}
					}
				}
				for range 60 {
					theta = golden(func(x float64) float64 { return crit(x, la) }, theta-0.02, theta+0.02, 1e-14)
					la = golden(func(x float64) float64 { return crit(theta, x) }, la-0.03, la+0.03, 1e-14)
				}
				cm := shape(theta, la)
				var inv mat.Dense
				if err := inv.Inverse(cm); err != nil {
					t.Fatal(err)
				}
				for j := range k {
					var p mat.Dense
					p.Mul(T[j], &inv)
					s := mat.NewSymDense(2, nil)
					s.ScaleSym(mat.Trace(&p)/(2*c[j]), cm)
					want = append(want, s)
				}
			}
			means, covs := mat.NewDense(k, d, nil), newCovs(k, d)
			if err := MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, covs, NewWorkspace(k, d)); err != nil {
				t.Fatal(err)
			}
			got, best := objective(m, sc.prior, sc.N, sc.mean, sc.scatter, means, covs),
				objective(m, sc.prior, sc.N, sc.mean, sc.scatter, means, want)
			// The search's optimum is exact to about 1e-14 in its
			// parameters, so the objectives agree to rounding: 1e-12.
			if got < best-1e-12*math.Abs(best) {
				t.Errorf("%s/%v: objective %.15g below the search's %.15g", sc.name, m, got, best)
			}
			for j := range k {
				// Near the optimum the objective is flat to second order,
				// so its rounding (1e-16) leaves the search's parameters
				// uncertain to about 1e-8: 1e-7.
				if e := maxRelDiff(covs[j], want[j]); e > 1e-7 {
					t.Errorf("%s/%v: Σ_%d differs from the search's by %.3g", sc.name, m, j, e)
				}
			}
			t.Logf("%s/%v: objective %.15g, search %.15g", sc.name, m, got, best)
		}
	}
}
