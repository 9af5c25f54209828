// Package vb fits a mean-field variational approximation to the posterior
// of a normal mixture by coordinate ascent (CAVI; Bishop 2006, ch. 10.2;
// Blei, Kucukelbir & McAuliffe 2017).
//
// The approximation is q(z) q(w) Π_k q(μ_k) q(σ_k), with
//
//	q(z_i)  = Categorical(r_i·)
//	q(w)    = Dirichlet(α'_1, …, α'_K)
//	q(μ_k)  = Normal(m_k, √v_k)
//	q(σ_k²) = InverseGamma(a_k, b_k)                       InverseGamma prior on σ²
//	q(σ_k)  ∝ σ^(−c_k−1) exp(−T_k/(2σ²) − b0/σ)             InverseGamma prior on σ
//
// Each factor is the optimum given the others: with N_k = Σ_i r_ik and
// T_k = Σ_i r_ik ((x_i − m_k)² + v_k),
//
//	log r_ik = E[log w_k] − ½ log 2π − E[log σ_k] − ½ E[σ_k⁻²]((x_i − m_k)² + v_k) + const
//	α'_k     = α + N_k
//	1/v_k    = 1/s0² + N_k E[σ_k⁻²],   m_k = v_k (μ0/s0² + E[σ_k⁻²] Σ_i r_ik x_i)
//	a_k      = a0 + N_k/2,             b_k = b0 + T_k/2
//	c_k      = a0 + N_k
//
// so the evidence lower bound (ELBO) never decreases. In the notebook's
// form the optimal q(σ_k) is not a standard family; it is log-concave in
// log σ, and its normaliser and the expectations E[σ⁻²], E[σ⁻¹] and
// E[log σ] are computed by the trapezoid rule on log σ, which converges
// geometrically for such smooth, fast-decaying integrands (Trefethen &
// Weideman 2014).
package vb

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/mcmc"
	"gonum.org/v1/gonum/mathext"
)

// Fit is a fitted approximation.
type Fit struct {
	pr mcmc.Prior

	// Alpha holds α', M and V the means and variances of q(μ), and A and B
	// the parameters of q(σ): a_k and b_k for the variance form, c_k and
	// T_k for the notebook's form.
	Alpha, M, V, A, B []float64

	// ELBO holds the ELBO after each step; Converged reports whether the
	// last step met the tolerance.
	ELBO      []float64
	Converged bool

	// Expectations under q(σ_k): E[σ⁻²], E[σ⁻¹], E[log σ], and for the
	// notebook's form the mode of log τ = −log σ and the log normaliser.
	eIS2, eIS, eLogS []float64
	mode, logZ       []float64

	n, s1, s2 []float64
	elogw     []float64
	eng       *kernel.Engine
	p         *kernel.Params
	st        *kernel.Stats
}

// Run fits the approximation to the data x from the starting point w0, mu0,
// sigma0: the first step's labels have the responsibilities of that point.
// It stops when the ELBO changes by at most tol·(|ELBO| + n), after
// maxSteps steps, or when ctx is cancelled.
func Run(ctx context.Context, x []float64, pr mcmc.Prior, w0, mu0, sigma0 []float64, maxSteps int, tol float64) *Fit {
	K := len(w0)
	f := &Fit{
		pr:    pr,
		Alpha: make([]float64, K), M: make([]float64, K), V: make([]float64, K),
		A: make([]float64, K), B: make([]float64, K),
		eIS2: make([]float64, K), eIS: make([]float64, K), eLogS: make([]float64, K),
		mode: make([]float64, K), logZ: make([]float64, K),
		n: make([]float64, K), s1: make([]float64, K), s2: make([]float64, K),
		elogw: make([]float64, K),
		eng:   kernel.NewEngine(x, 0, 1, K), p: kernel.NewParams(K), st: kernel.NewStats(K),
	}
	// The plug-in responsibilities of the starting point are the first
	// q(z), and q(μ_k) starts as a point mass at μ_k.
	for k := range K {
		f.elogw[k] = math.Log(w0[k])
		f.M[k] = mu0[k]
		f.eLogS[k] = math.Log(sigma0[k])
		f.eIS2[k] = 1 / (sigma0[k] * sigma0[k])
	}
	f.pass()
	prev := math.NaN()
	for t := range maxSteps {
		if t%16 == 0 && ctx.Err() != nil {
			break
		}
		f.update()
		lz := f.pass()
		L := lz + f.klTerms()
		f.ELBO = append(f.ELBO, L)
		if t > 0 && math.Abs(L-prev) <= tol*(math.Abs(L)+float64(len(x))) {
			f.Converged = true
			break
		}
		prev = L
	}
	return f
}

// update sets q(w), then q(σ), then q(μ), from the current q(z).
func (f *Fit) update() {
	pr := &f.pr
	K := len(f.M)
	var sa float64
	for k := range K {
		f.Alpha[k] = pr.Alpha + f.n[k]
		sa += f.Alpha[k]
	}
	ps := mathext.Digamma(sa)
	for k := range K {
		f.elogw[k] = mathext.Digamma(f.Alpha[k]) - ps
	}
	ips := 1 / (pr.S0 * pr.S0)
	for k := range K {
		N := f.n[k]
		T := f.s2[k] + N*f.V[k]
		if pr.OnVariance {
			a, b := pr.A0+N/2, pr.B0+T/2
			f.A[k], f.B[k] = a, b
			f.eIS2[k] = a / b
			f.eLogS[k] = 0.5 * (math.Log(b) - mathext.Digamma(a))
		} else {
			c := pr.A0 + N
			f.A[k], f.B[k] = c, T
			f.mode[k], f.logZ[k], f.eIS2[k], f.eIS[k], f.eLogS[k] = sigmaFactor(c, T, pr.B0)
		}
		lam := ips + N*f.eIS2[k]
		m := f.M[k] + (f.eIS2[k]*f.s1[k]+(pr.Mu0-f.M[k])*ips)/lam
		f.M[k], f.V[k] = m, 1/lam
	}
}

// pass sets q(z) from the other factors, accumulates N_k, Σ r d and Σ r d²
// with d = x_i − m_k, and returns Σ_i log Σ_k ρ_ik, where ρ_ik is r_ik before
// normalisation. With q(z) optimal, this is the part of the ELBO that
// involves z and x: E[log p(x | z, μ, σ)] + E[log p(z | w)] − E[log q(z)].
//
// log ρ_ik = c_k − (x_i − m_k)²/(2 s_k²) is the log density of a weighted
// normal with s_k² = 1/E[σ_k⁻²] and log weight
// c_k + log s_k + ½ log 2π, so the pass is the fused kernel's, split
// across cores for large data.
func (f *Fit) pass() float64 {
	for k := range f.M {
		s := 1 / math.Sqrt(f.eIS2[k])
		f.p.Sigma[k] = s
		f.p.Mu[k] = f.M[k]
		f.p.LogW[k] = f.elogw[k] - f.eLogS[k] - 0.5*f.eIS2[k]*f.V[k] + math.Log(s)
	}
	f.eng.Pass(f.p, f.st)
	copy(f.n, f.st.N)
	copy(f.s1, f.st.S1)
	copy(f.s2, f.st.S2)
	return f.st.LogLik
}

// klTerms returns the rest of the ELBO: Σ over w, μ_k and σ_k of
// E[log p(θ)] − E[log q(θ)], that is minus their Kullback–Leibler
// divergences from the prior.
func (f *Fit) klTerms() float64 {
	pr := &f.pr
	K := len(f.M)
	fk := float64(K)
	var sa float64
	for _, a := range f.Alpha {
		sa += a
	}
	lg := func(v float64) float64 { r, _ := math.Lgamma(v); return r }
	L := lg(fk*pr.Alpha) - fk*lg(pr.Alpha) - lg(sa)
	for k := range K {
		L += lg(f.Alpha[k]) + (pr.Alpha-f.Alpha[k])*f.elogw[k]
	}
	ips := 1 / (pr.S0 * pr.S0)
	for k := range K {
		dm := f.M[k] - pr.Mu0
		// E[log N(μ | μ0, s0)] + ½ log(2πe v).
		L += -math.Log(pr.S0) - 0.5*(dm*dm+f.V[k])*ips + 0.5*math.Log(f.V[k]) + 0.5
	}
	pc := pr.A0*math.Log(pr.B0) - lg(pr.A0)
	for k := range K {
		if pr.OnVariance {
			a, b := f.A[k], f.B[k]
			elv := 2 * f.eLogS[k]
			// E[log IG(σ² | a0, b0)] − E[log IG(σ² | a, b)].
			L += pc - (pr.A0+1)*elv - pr.B0*f.eIS2[k]
			L -= a*math.Log(b) - lg(a) - (a+1)*elv - b*f.eIS2[k]
		} else {
			c, T := f.A[k], f.B[k]
			els := f.eLogS[k]
			L += pc - (pr.A0+1)*els - pr.B0*f.eIS[k]
			L -= -(c+1)*els - 0.5*T*f.eIS2[k] - pr.B0*f.eIS[k] - f.logZ[k]
		}
	}
	return L
}

// Draw sets w, mu and sigma to one draw from q(w) q(μ) q(σ).
func (f *Fit) Draw(rng *rand.Rand, w, mu, sigma []float64) {
	mcmc.LogDirichlet(rng, f.Alpha, w)
	for k := range w {
		w[k] = math.Exp(w[k])
		mu[k] = f.M[k] + math.Sqrt(f.V[k])*rng.NormFloat64()
		if f.pr.OnVariance {
			sigma[k] = math.Sqrt(f.B[k] / mcmc.Gamma(rng, f.A[k]))
		} else {
			c, T, b := f.A[k], f.B[k], f.pr.B0
			h := func(t float64) float64 { e := math.Exp(t); return c*t - 0.5*T*e*e - b*e }
			sigma[k] = math.Exp(-mcmc.LogConcave(rng, h, f.mode[k], f.logZ[k]))
		}
	}
}

// sigmaFactor integrates the optimal q(σ) of the notebook's form. On
// t = log τ, τ = 1/σ, its unnormalised density is
//
//	exp(h(t)),  h(t) = c t − T e^(2t)/2 − b e^t,
//
// concave, with its mode where T y² + b y = c for y = e^t. The trapezoid
// rule with a step of a quarter of the width at the mode (and at most 0.1)
// runs from the mode outwards until h has fallen 45 below its peak, so the
// truncated tails weigh less than e^(−45)·(tail length)/step relative to
// the total. It returns the mode, log Z = log ∫ exp(h), and E[σ⁻²] = E[τ²],
// E[σ⁻¹] = E[τ] and E[log σ] = −E[t].
func sigmaFactor(c, T, b float64) (mode, logZ, eIS2, eIS, eLogS float64) {
	y := 2 * c / (b + math.Sqrt(b*b+4*T*c))
	mode = math.Log(y)
	sd := 1 / math.Sqrt(2*T*y*y+b*y)
	step := min(sd/4, 0.1)
	h := func(t float64) float64 { e := math.Exp(t); return c*t - 0.5*T*e*e - b*e }
	hm := h(mode)
	var s0, s1, s2, sl float64
	add := func(t float64) bool {
		d := h(t) - hm
		if d < -45 {
			return false
		}
		p := math.Exp(d)
		e := math.Exp(t)
		s0 += p
		s1 += p * e
		s2 += p * e * e
		sl += p * t
		return true
	}
	add(mode)
	for i := 1; add(mode + float64(i)*step); i++ {
	}
	for i := 1; add(mode - float64(i)*step); i++ {
	}
	logZ = hm + math.Log(s0*step)
	return mode, logZ, s2 / s0, s1 / s0, -sl / s0
}
