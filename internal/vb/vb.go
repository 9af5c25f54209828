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
// so the evidence lower bound (ELBO) never decreases. With a shared σ
// (Prior.SharedSigma) the approximation has one factor q(σ), whose optimum
// is that of a single component holding all the points: the same formulas
// with N = Σ_k N_k and T = Σ_k T_k in place of N_k and T_k. In the notebook's
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
	"github.com/gmm-go/gmm/internal/num"
	"gonum.org/v1/gonum/mathext"
)

// Fit is a fitted approximation.
type Fit struct {
	pr mcmc.Prior

	// Alpha holds α', M and V the means and variances of q(μ), and A and B
	// the parameters of q(σ): a_k and b_k for the variance form, c_k and
	// T_k for the notebook's form. With SharedSigma every k holds those of
	// the one q(σ).
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

// Run fits the approximation to the data x, weighted by v (nil for all 1),
// from the starting point w0, mu0, sigma0: the first step's labels have the
// responsibilities of that point. It stops when the ELBO changes by at
// most tol·(|ELBO| + n), with n the points' total weight, after maxSteps
// steps, or when ctx is cancelled.
//
// A point of weight v counts as v points in every sum (N_k, Σ r x, T_k and
// the ELBO's Σ_i log Σ_k ρ_ik): copies of a point have the same optimal
// q(z_i), so this is the coordinate ascent on the points written out, up
// to the rounding of the sums.
func Run(ctx context.Context, x, v []float64, pr mcmc.Prior, w0, mu0, sigma0 []float64, maxSteps int, tol float64) *Fit {
	K := len(w0)
	n := float64(len(x))
	if v != nil {
		n = 0
		for _, vi := range v {
			n += vi
		}
	}
	f := &Fit{
		pr:    pr,
		Alpha: make([]float64, K), M: make([]float64, K), V: make([]float64, K),
		A: make([]float64, K), B: make([]float64, K),
		eIS2: make([]float64, K), eIS: make([]float64, K), eLogS: make([]float64, K),
		mode: make([]float64, K), logZ: make([]float64, K),
		n: make([]float64, K), s1: make([]float64, K), s2: make([]float64, K),
		elogw: make([]float64, K),
		eng:   kernel.NewWeightedEngine(x, v, 0, 1, K), p: kernel.NewParams(K), st: kernel.NewStats(K),
	}
	// The plug-in responsibilities of the starting point are the first
	// q(z), and q(μ_k) starts as a point mass at μ_k.
	for k := range K {
		f.elogw[k] = math.Log(w0[k])
		f.M[k] = mu0[k]
		f.eLogS[k] = math.Log(sigma0[k])
		f.eIS2[k] = 1 / (sigma0[k] * sigma0[k])
	}
	if pr.SharedSigma {
		// One σ: the standard deviation within the starting components.
		var v, tw float64
		for k := range K {
			v += w0[k] * sigma0[k] * sigma0[k]
			tw += w0[k]
		}
		for k := range K {
			f.eLogS[k] = 0.5 * math.Log(v/tw)
			f.eIS2[k] = tw / v
		}
	}
	f.pass()
	prev := math.NaN()
	for t := range maxSteps {
		// A step is one pass over the data: checking before each stops
		// the fit within one pass of a cancellation.
		if ctx.Err() != nil {
			break
		}
		f.update()
		lz := f.pass()
		L := lz + f.klTerms()
		f.ELBO = append(f.ELBO, L)
		if t > 0 && math.Abs(L-prev) <= tol*(math.Abs(L)+n) {
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
	if pr.SharedSigma {
		var N, T float64
		for k := range K {
			N += f.n[k]
			T += f.s2[k] + f.n[k]*f.V[k]
		}
		f.sigmaFactor(0, N, T)
		for k := 1; k < K; k++ {
			f.A[k], f.B[k], f.mode[k], f.logZ[k] = f.A[0], f.B[0], f.mode[0], f.logZ[0]
			f.eIS2[k], f.eIS[k], f.eLogS[k] = f.eIS2[0], f.eIS[0], f.eLogS[0]
		}
	}
	for k := range K {
		N := f.n[k]
		if !pr.SharedSigma {
			f.sigmaFactor(k, N, f.s2[k]+N*f.V[k])
		}
		lam := ips + N*f.eIS2[k]
		m := f.M[k] + (f.eIS2[k]*f.s1[k]+(pr.Mu0-f.M[k])*ips)/lam
		f.M[k], f.V[k] = m, 1/lam
	}
}

// sigmaFactor sets q(σ_k) to its optimum for N points with T = T_k, and
// the expectations under it.
func (f *Fit) sigmaFactor(k int, N, T float64) {
	pr := &f.pr
	if pr.OnVariance {
		a, b := pr.A0+N/2, pr.B0+T/2
		f.A[k], f.B[k] = a, b
		f.eIS2[k] = a / b
		f.eLogS[k] = 0.5 * (math.Log(b) - mathext.Digamma(a))
		return
	}
	c := pr.A0 + N
	f.A[k], f.B[k] = c, T
	f.mode[k], f.logZ[k], f.eIS2[k], f.eIS[k], f.eLogS[k] = sigmaFactor(c, T, pr.B0)
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
	nsig := K
	if pr.SharedSigma {
		nsig = 1 // one factor q(σ), stored in every k
	}
	for k := range nsig {
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
		if f.pr.SharedSigma && k > 0 {
			sigma[k] = sigma[0]
			continue
		}
		// σ is drawn in logarithms: under a vague prior q(σ) of a nearly
		// empty component is nearly the prior, whose variates can exceed
		// the float64 range; such a draw is +Inf.
		if f.pr.OnVariance {
			sigma[k] = math.Exp(0.5 * mcmc.LogInvGamma(rng, f.A[k], f.B[k]))
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
//	exp(h(t)),  h(t) = c t − g(t),  g(t) = T e^(2t)/2 + b e^t,
//
// concave, with its mode where T y² + b y = c for y = e^t. It returns the
// mode, log Z = log ∫ exp(h), and E[σ⁻²] = E[τ²], E[σ⁻¹] = E[τ] and
// E[log σ] = −E[t], by the trapezoid rule on t with a step of a quarter of
// the width at the mode (and at most 0.1), which converges geometrically
// for such analytic, fast-decaying integrands (Trefethen & Weideman 2014).
//
// To the right of the mode h falls like a double exponential, and the sum
// stops once h is 45 below its peak (a truncated tail weighs less than
// e^(−45) of the total). To the left it falls only like c·t, so a grid
// that ran until h had fallen by 45 would need 45/(c·step) points, which
// grows without bound as a0 → 0 for an empty component. Instead the sum
// stops where g(t) < 2^(−60), beyond which exp(h) = e^(ct)·e^(−g) equals
// e^(ct) to double precision, and adds the rest of the grid in closed form:
// with r = e^(−c·step) the remaining points' weights form a geometric
// series, and their moments the series Σ r^j e^(m·t_j) and Σ r^j t_j. The
// cost is then about 40 + |log c|/step points however small c is.
func sigmaFactor(c, T, b float64) (mode, logZ, eIS2, eIS, eLogS float64) {
	if !(c > 0) || !(T >= 0) || math.IsInf(c, 0) || math.IsInf(T, 0) {
		// Sums beyond the float64 range (weights near its top): no
		// factor, and NaN for the caller to see, rather than a grid
		// that never ends.
		nan := math.NaN()
		return nan, nan, nan, nan, nan
	}
	// √(b² + 4Tc), with T and c each up to the float64 range.
	y := 2 * c / (b + math.Hypot(b, 2*math.Sqrt(T)*math.Sqrt(c)))
	mode = math.Log(y)
	sd := 1 / math.Sqrt(2*T*y*y+b*y)
	step := min(sd/4, 0.1)
	hm := c*mode - (0.5*T*y+b)*y
	var s0, s1, s2, sl float64
	// add adds the point t to the sums unless h(t) is 45 below its peak,
	// and returns g(t), or −1 if the point was left out.
	add := func(t float64) float64 {
		e := math.Exp(t)
		g := (0.5*T*e + b) * e
		d := c*t - g - hm
		if d < -45 {
			return -1
		}
		p := math.Exp(d)
		s0 += p
		s1 += p * e
		s2 += p * e * e
		sl += p * t
		return g
	}
	add(mode)
	for i := 1; add(mode+float64(i)*step) >= 0; i++ {
	}
	const gNegligible = 0x1p-60
	last := mode // the leftmost point summed
	for i := 1; ; i++ {
		t := mode - float64(i)*step
		g := add(t)
		if g < 0 {
			return finishFactor(mode, hm, step, s0, s1, s2, sl)
		}
		last = t
		if g < gNegligible {
			break
		}
	}
	return addTail(mode, hm, c, step, last, s0, s1, s2, sl)
}

// finishFactor turns the trapezoid sums of sigmaFactor into its results.
func finishFactor(mode, hm, step, s0, s1, s2, sl float64) (_, logZ, eIS2, eIS, eLogS float64) {
	return mode, hm + math.Log(s0*step), s2 / s0, s1 / s0, -sl / s0
}

// addTail completes sigmaFactor's sums with the grid points t_j = last − j·step,
// j ≥ 1, where the integrand is e^(c·t_j − hm). With P = e^(c·last − hm) and
// E = e^(c·step) − 1, the tail's weight is W = Σ_j P e^(−c j step) = P/E, and
//
//	Σ_j P e^(−c j step) e^(m t_j) = P e^(m·last)/(e^((c+m)step) − 1)   for m = 1, 2,
//	Σ_j P e^(−c j step) t_j       = W·(last − step·(1 + E)/E).
//
// W can exceed the float64 range when c is tiny, so the tail enters through
// its log weight and its share of the total.
func addTail(mode, hm, c, step, last, s0, s1, s2, sl float64) (_, logZ, eIS2, eIS, eLogS float64) {
	cs := c * step
	E := math.Expm1(cs)
	logE := math.Log(E)
	if cs < 1e-10 {
		logE = math.Log(c) + math.Log(step) + math.Log1p(cs/2) // E = cs(1 + cs/2 + …)
	}
	logP := c*last - hm
	logW := logP - logE
	logA := num.LogSumExp([]float64{math.Log(s0), logW}) // log of the total weight A
	fw := math.Exp(logW - logA)                          // the tail's share of A
	fb := math.Exp(-logA)                                // 1/A, for the summed points
	P := math.Exp(logP - logA)
	e := math.Exp(last)
	t1 := P * e / math.Expm1((c+1)*step)
	t2 := P * e * e / math.Expm1((c+2)*step)
	// E[t] over the tail: last − step(1 + E)/E, with step/E → 1/c.
	tailT := last - step*(1+E)/E
	if cs < 1e-10 {
		tailT = last - 1/c - step/2
	}
	eIS = s1*fb + t1
	eIS2 = s2*fb + t2
	eLogS = -(sl*fb + fw*tailT)
	return mode, hm + logA + math.Log(step), eIS2, eIS, eLogS
}
