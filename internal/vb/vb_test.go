package vb

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmm-go/gmm/internal/mcmc"
	"gonum.org/v1/gonum/mathext"
)

// TestSigmaFactorGamma checks the quadrature where it has a closed form:
// with T = 0, τ = 1/σ is Gamma(c, b), so E[τ] = c/b, E[τ²] = c(c+1)/b²,
// E[log τ] = ψ(c) − log b and log Z = log Γ(c) − c log b.
const log2Pi = 1.8378770664093454835606594728112352797227949472755668

func TestSigmaFactorGamma(t *testing.T) {
	for _, tc := range []struct {
		name string
		c, b float64
	}{
		{"prior only", 1, 1},
		{"small shape", 0.3, 2},
		{"sharp", 400, 0.01},
		// A vague prior's empty component: the density on log τ decays like
		// e^(c·t) to the left, and the grid's tail is summed in closed form.
		{"vague 1e-2", 1e-2, 1e-2},
		{"vague 1e-3", 1e-3, 1e-3},
		{"vague 1e-10", 1e-10, 1},
		{"vague 1e-300", 1e-300, 1e-300},
	} {
		_, logZ, eIS2, eIS, eLogS := sigmaFactor(tc.c, 0, tc.b)
		lg, _ := math.Lgamma(tc.c)
		want := []float64{lg - tc.c*math.Log(tc.b), tc.c * (tc.c + 1) / (tc.b * tc.b), tc.c / tc.b, -(mathext.Digamma(tc.c) - math.Log(tc.b))}
		got := []float64{logZ, eIS2, eIS, eLogS}
		for i := range got {
			// The trapezoid rule on an analytic, fast-decaying integrand
			// is accurate to rounding; 1e-10 relative leaves room for the
			// sums of a few hundred terms and for mathext.Digamma.
			if math.Abs(got[i]-want[i]) > 1e-10*max(1, math.Abs(want[i])) {
				t.Errorf("%s: moment %d = %v, want %v", tc.name, i, got[i], want[i])
			}
		}
	}
}

// TestSigmaFactorHalfNormal checks the quadrature with b → 0, where τ² is
// Gamma(c/2, T/2): E[τ²] = c/T and log Z = log Γ(c/2) − (c/2) log(T/2) − log 2.
func TestSigmaFactorHalfNormal(t *testing.T) {
	c, T, b := 7.0, 3.0, 1e-13
	_, logZ, eIS2, _, _ := sigmaFactor(c, T, b)
	lg, _ := math.Lgamma(c / 2)
	// b = 1e-13 perturbs the moments by about b·E[τ] ≈ 1e-13 relative.
	if math.Abs(eIS2-c/T) > 1e-10 {
		t.Errorf("E[σ⁻²] = %v, want %v", eIS2, c/T)
	}
	if want := lg - c/2*math.Log(T/2) - math.Log(2); math.Abs(logZ-want) > 1e-10 {
		t.Errorf("log Z = %v, want %v", logZ, want)
	}
}

// TestSigmaFactorVagueAgainstLongGrid checks the closed-form tail of the
// quadrature with data (T > 0) and a tiny c, against the plain trapezoid
// rule run over the whole range where the integrand exceeds e^(−60) of its
// peak, a million-point grid with no tail formula.
func TestSigmaFactorVagueAgainstLongGrid(t *testing.T) {
	for _, tc := range []struct {
		name    string
		c, T, b float64
	}{
		{"c 1e-2", 1e-2, 2.5, 0.7},
		{"c 1e-3", 1e-3, 0.04, 1e-3},
		{"c 0.5", 0.5, 3, 0.01},
	} {
		_, logZ, eIS2, eIS, eLogS := sigmaFactor(tc.c, tc.T, tc.b)
		want := longGrid(tc.c, tc.T, tc.b)
		got := []float64{logZ, eIS2, eIS, eLogS}
		for i := range got {
			// Both are trapezoid sums accurate to rounding; the long grid
			// adds a million terms, whose rounding reaches about 1e-12
			// relative.
			if math.Abs(got[i]-want[i]) > 1e-10*max(1, math.Abs(want[i])) {
				t.Errorf("%s: moment %d = %v, want %v", tc.name, i, got[i], want[i])
			}
		}
	}
}

// longGrid returns log Z, E[τ²], E[τ] and −E[log τ] for the density
// exp(c t − T e^(2t)/2 − b e^t) on t = log τ by the trapezoid rule on a grid
// of 10⁶ points spanning 60/c to the left of the mode and 10 to its right.
func longGrid(c, T, b float64) []float64 {
	y := 2 * c / (b + math.Sqrt(b*b+4*T*c))
	m := math.Log(y)
	h := func(t float64) float64 { e := math.Exp(t); return c*t - 0.5*T*e*e - b*e }
	lo, hi := m-60/c, m+10
	const n = 1000000
	dt := (hi - lo) / n
	hm := h(m)
	var s0, s1, s2, sl float64
	for i := range n + 1 {
		x := lo + float64(i)*dt
		p := math.Exp(h(x) - hm)
		s0 += p
		s1 += p * math.Exp(x)
		s2 += p * math.Exp(2*x)
		sl += p * x
	}
	return []float64{hm + math.Log(s0*dt), s2 / s0, s1 / s0, -sl / s0}
}

func mixture(rng *rand.Rand, n int, w, mu, sigma []float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		t := rng.Float64()
		k := 0
		for acc := w[0]; t > acc && k < len(w)-1; acc += w[k] {
			k++
		}
		x[i] = mu[k] + sigma[k]*rng.NormFloat64()
	}
	return x
}

func TestELBONeverDecreases(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sep := mixture(rng, 300, []float64{0.3, 0.7}, []float64{-2, 1}, []float64{0.3, 0.8})
	over := mixture(rng, 300, []float64{0.5, 0.5}, []float64{0, 0.3}, []float64{0.5, 2})
	three := mixture(rng, 500, []float64{0.2, 0.3, 0.5}, []float64{-3, 0, 2}, []float64{0.5, 0.5, 1})
	small := mixture(rng, 12, []float64{0.5, 0.5}, []float64{-1, 1}, []float64{0.4, 0.4})
	for _, tc := range []struct {
		name string
		x    []float64
		K    int
		pr   mcmc.Prior
	}{
		{"separated, on sigma", sep, 2, mcmc.Prior{Alpha: 1, S0: 10, A0: 1, B0: 1}},
		{"separated, on variance", sep, 2, mcmc.Prior{Alpha: 1, S0: 10, A0: 1, B0: 1, OnVariance: true}},
		{"overlapping, on sigma", over, 2, mcmc.Prior{Alpha: 1, S0: 3, A0: 2, B0: 0.5}},
		{"overlapping, on variance", over, 2, mcmc.Prior{Alpha: 0.5, S0: 3, A0: 2, B0: 0.5, OnVariance: true}},
		{"three, on sigma", three, 3, mcmc.Prior{Alpha: 1, Mu0: 0.5, S0: 5, A0: 1, B0: 0.1}},
		{"too many, on variance", three, 5, mcmc.Prior{Alpha: 0.1, S0: 5, A0: 1, B0: 0.1, OnVariance: true}},
		{"few points, on sigma", small, 2, mcmc.Prior{Alpha: 1, S0: 2, A0: 1, B0: 1}},
		// Vague priors, with more components than the data need, so that
		// some q(σ) are nearly the prior and need the quadrature's tail.
		{"vague, too many, on sigma", sep, 4, mcmc.Prior{Alpha: 1, S0: 10, A0: 1e-3, B0: 1e-3}},
		{"vague, too many, on variance", sep, 4, mcmc.Prior{Alpha: 1, S0: 10, A0: 1e-3, B0: 1e-3, OnVariance: true}},
		// One σ shared by every component.
		{"shared, separated, on sigma", sep, 2, mcmc.Prior{Alpha: 1, S0: 10, A0: 1, B0: 1, SharedSigma: true}},
		{"shared, overlapping, on variance", over, 2, mcmc.Prior{Alpha: 0.5, S0: 3, A0: 2, B0: 0.5, OnVariance: true, SharedSigma: true}},
		{"shared, vague, too many, on sigma", sep, 4, mcmc.Prior{Alpha: 1, S0: 10, A0: 1e-3, B0: 1e-3, SharedSigma: true}},
	} {
		K := tc.K
		w, mu, s := make([]float64, K), make([]float64, K), make([]float64, K)
		for k := range K {
			// A poor start, so that the ascent has a long way to go.
			w[k], mu[k], s[k] = 1/float64(K), tc.x[k], 3
		}
		f := Run(context.Background(), tc.x, nil, tc.pr, w, mu, s, 2000, 1e-12)
		if len(f.ELBO) < 3 {
			t.Errorf("%s: only %d steps", tc.name, len(f.ELBO))
		}
		for i := 1; i < len(f.ELBO); i++ {
			// Each step is a coordinate maximisation, so the ELBO can only
			// fall by rounding: sums of a few hundred terms of size |ELBO|
			// carry errors of about 1e-13 relative.
			if d := f.ELBO[i] - f.ELBO[i-1]; d < -1e-12*math.Abs(f.ELBO[i]) {
				t.Errorf("%s: ELBO fell by %v at step %d", tc.name, -d, i)
			}
		}
		for _, v := range f.ELBO {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: ELBO %v", tc.name, v)
			}
		}
	}
}

// TestELBOBelowEvidence checks the bound itself for one component, where
// the log evidence log p(x) = log ∫∫ p(x | μ, σ) p(μ) p(σ) dμ dσ is a
// two-dimensional integral: the ELBO must lie below it, and close, since
// for K = 1 the only approximation is the independence of μ and σ.
func TestELBOBelowEvidence(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := mixture(rng, 20, []float64{1}, []float64{0.5}, []float64{0.7})
	for _, onVar := range []bool{false, true} {
		pr := mcmc.Prior{Alpha: 1, Mu0: 0, S0: 2, A0: 2, B0: 1, OnVariance: onVar}
		f := Run(context.Background(), x, nil, pr, []float64{1}, []float64{0}, []float64{1}, 1000, 1e-14)
		elbo := f.ELBO[len(f.ELBO)-1]
		// Quadrature over μ and τ = log σ on a fine grid; the integrand
		// is smooth and its tails fall below e^(−40) of the peak within
		// the box.
		var n, sx, sxx float64
		for _, v := range x {
			n++
			sx += v
			sxx += v * v
		}
		logf := func(mu, tau float64) float64 {
			s := math.Exp(tau)
			ss := sxx - 2*mu*sx + n*mu*mu
			l := -n*0.5*log2Pi - n*tau - ss/(2*s*s)
			l += -0.5*log2Pi - math.Log(pr.S0) - (mu-pr.Mu0)*(mu-pr.Mu0)/(2*pr.S0*pr.S0)
			lg, _ := math.Lgamma(pr.A0)
			if onVar {
				v := s * s // density on σ², with dσ²/dτ = 2σ²
				l += pr.A0*math.Log(pr.B0) - lg - (pr.A0+1)*math.Log(v) - pr.B0/v + math.Log(2*v)
			} else {
				l += pr.A0*math.Log(pr.B0) - lg - (pr.A0+1)*tau - pr.B0/s + tau
			}
			return l
		}
		const h = 0.005
		peak := math.Inf(-1)
		for mu := -3.0; mu < 4; mu += 0.05 {
			for tau := -3.0; tau < 2; tau += 0.05 {
				peak = max(peak, logf(mu, tau))
			}
		}
		var z float64
		for mu := -3.0; mu < 4; mu += h {
			for tau := -3.0; tau < 2; tau += h {
				z += math.Exp(logf(mu, tau) - peak)
			}
		}
		logEv := peak + math.Log(z*h*h)
		if elbo > logEv+1e-6 {
			t.Errorf("OnVariance %v: ELBO %v above the log evidence %v", onVar, elbo, logEv)
		}
		// The mean-field gap for one Gaussian with 20 points is the
		// mutual information between μ and σ under the posterior, which
		// is small; 0.05 nats bounds it here.
		if elbo < logEv-0.05 {
			t.Errorf("OnVariance %v: ELBO %v more than 0.05 below the log evidence %v", onVar, elbo, logEv)
		}
		t.Logf("OnVariance %v: ELBO %.6f, log evidence %.6f", onVar, elbo, logEv)
	}
}

func TestDrawsMatchFactors(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := mixture(rng, 200, []float64{0.4, 0.6}, []float64{-1, 1.5}, []float64{0.3, 0.6})
	for _, onVar := range []bool{false, true} {
		pr := mcmc.Prior{Alpha: 1, S0: 5, A0: 1, B0: 0.5, OnVariance: onVar}
		f := Run(context.Background(), x, nil, pr, []float64{0.5, 0.5}, []float64{-1, 1}, []float64{1, 1}, 1000, 1e-12)
		const n = 100000
		w, mu, s := make([]float64, 2), make([]float64, 2), make([]float64, 2)
		var is2 [2]float64
		for range n {
			f.Draw(rng, w, mu, s)
			for k := range 2 {
				is2[k] += 1 / (s[k] * s[k]) / n
			}
		}
		for k := range 2 {
			// E[σ⁻²] has a relative sd of about √(1/a) ≈ 0.1 per draw
			// (a ≈ N_k/2), so 5 standard errors of the mean of 1e5 draws
			// is 0.0016 relative; 0.003 leaves room.
			if d := math.Abs(is2[k]/f.eIS2[k] - 1); d > 0.003 {
				t.Errorf("OnVariance %v: mean σ⁻² of draws %v, factor's %v", onVar, is2[k], f.eIS2[k])
			}
		}
	}
}

// BenchmarkSigmaFactor times the quadrature of q(σ) for an empty
// component (T = 0) under InverseGamma(c, c), c from 1 down to 1e-3, and
// for a component with data.
func BenchmarkSigmaFactor(b *testing.B) {
	for _, tc := range []struct {
		name    string
		c, T, b float64
	}{
		{"empty/c=1", 1, 0, 1}, {"empty/c=1e-2", 1e-2, 0, 1e-2}, {"empty/c=1e-3", 1e-3, 0, 1e-3},
		{"n=150", 150, 140, 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				sigmaFactor(tc.c, tc.T, tc.b)
			}
		})
	}
}

// countingContext is a context whose Err counts its calls.
type countingContext struct {
	context.Context
	calls int
}

func (c *countingContext) Err() error { c.calls++; return nil }

// TestRunChecksContextEveryStep checks that Run consults its context before
// every step, each one pass over the data, so that a cancellation stops it
// within one pass.
func TestRunChecksContextEveryStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := mixture(rng, 5000, []float64{0.4, 0.6}, []float64{-1, 1}, []float64{0.7, 0.7})
	pr := mcmc.Prior{Alpha: 1, Mu0: 0, S0: 3, A0: 1, B0: 0.1}
	ctx := &countingContext{Context: context.Background()}
	f := Run(ctx, x, nil, pr, []float64{0.5, 0.5}, []float64{-0.5, 0.5}, []float64{1, 1}, 200, 1e-12)
	if ctx.calls < len(f.ELBO) {
		t.Errorf("%d checks of the context in %d steps", ctx.calls, len(f.ELBO))
	}
}

// TestSharedSigmaOneComponent checks that with one component a shared σ is
// the component's own: the fits agree to the last bit, and a fit with two
// components keeps one q(σ) in both.
func TestSharedSigmaOneComponent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := mixture(rng, 200, []float64{0.4, 0.6}, []float64{-1, 2}, []float64{0.5, 0.7})
	for _, onVar := range []bool{false, true} {
		pr := mcmc.Prior{Alpha: 1, S0: 5, A0: 2, B0: 1, OnVariance: onVar}
		one := Run(context.Background(), x, nil, pr, []float64{1}, []float64{0}, []float64{1}, 500, 1e-12)
		pr.SharedSigma = true
		sh := Run(context.Background(), x, nil, pr, []float64{1}, []float64{0}, []float64{1}, 500, 1e-12)
		if len(one.ELBO) != len(sh.ELBO) || one.ELBO[len(one.ELBO)-1] != sh.ELBO[len(sh.ELBO)-1] || one.A[0] != sh.A[0] || one.B[0] != sh.B[0] {
			t.Errorf("OnVariance %v: K = 1 shared fit differs: ELBO %v vs %v", onVar, sh.ELBO[len(sh.ELBO)-1], one.ELBO[len(one.ELBO)-1])
		}
		two := Run(context.Background(), x, nil, pr, []float64{0.5, 0.5}, []float64{-1, 2}, []float64{0.3, 1}, 500, 1e-12)
		if two.A[0] != two.A[1] || two.B[0] != two.B[1] {
			t.Errorf("OnVariance %v: shared q(σ) differs between components: %v %v, %v %v", onVar, two.A[0], two.B[0], two.A[1], two.B[1])
		}
		// The one q(σ) holds all the points: c = a0 + n, or a = a0 + n/2,
		// with n the sum of the responsibilities, exact but for the
		// rounding of 200 terms (about 1e-14 relative); 1e-9 allows it.
		want := pr.A0 + float64(len(x))
		if onVar {
			want = pr.A0 + float64(len(x))/2
		}
		if math.Abs(two.A[0]-want) > 1e-9*want {
			t.Errorf("OnVariance %v: shared q(σ) has shape %v, want %v", onVar, two.A[0], want)
		}
	}
}
