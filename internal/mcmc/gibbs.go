package mcmc

import (
	"math"
	"math/rand/v2"

	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/num"
)

const halfLog2Pi = 0.91893853320467274178032973640561763986139747363778341

// Prior holds the hyperparameters of a K-component mixture in the units of
// the data the chain runs on:
//
//	w   ~ Dirichlet(Alpha, …, Alpha)
//	μ_k ~ Normal(Mu0, S0)                        S0 a standard deviation
//	σ_k ~ InverseGamma(A0, B0)                   or σ_k² ~ InverseGamma(A0, B0) when OnVariance
//
// with the InverseGamma density b^a/Γ(a) · t^(−a−1) · exp(−b/t). All of
// Alpha, S0, A0 and B0 must be positive. With SharedSigma the components
// share one σ, σ_1 = … = σ_K = σ, which has the InverseGamma prior once.
type Prior struct {
	Alpha       float64
	Mu0, S0     float64
	A0, B0      float64
	OnVariance  bool
	SharedSigma bool
}

// LogPrior returns log p(w, μ, σ), the prior's log density with every
// normalising constant, at a K-component mixture's parameters given the
// logarithms of its weights, with sigma holding all K standard deviations
// (equal ones under SharedSigma, whose one σ the density must count once).
// The chain evaluates it and leaves its formula to the caller, whose prior
// it is.
type LogPrior func(logW, mu, sigma []float64) float64

// Chain is one Gibbs sampler for the posterior of a K-component normal
// mixture (Diebolt & Robert 1994), with the labels z as auxiliary
// variables. A sweep draws in turn
//
//	z_i | w, μ, σ       Categorical(r_i·), r_ik ∝ w_k N(x_i | μ_k, σ_k)
//	w | z               Dirichlet(α + n_1, …, α + n_K)
//	μ_k | z, σ_k        Normal(m_k, 1/√λ_k), λ_k = n_k/σ_k² + 1/s0²,
//	                    m_k = (Σ_{z_i=k} x_i/σ_k² + μ0/s0²)/λ_k
//	σ_k | z, μ_k        see below
//
// with n_k the number of points labelled k and S_k = Σ_{z_i=k} (x_i − μ_k)².
// When the InverseGamma prior is on the variance, σ_k² | z, μ_k is
// InverseGamma(a0 + n_k/2, b0 + S_k/2). When it is on σ_k (the notebook's
// form) the conditional is not conjugate: on τ = log σ_k its density is
//
//	p(τ) ∝ exp(−(n_k + a0)τ − S_k e^(−2τ)/2 − b0 e^(−τ)),
//
// σ_k^(−n_k−a0−1) exp(−S_k/(2σ_k²) − b0/σ_k) times the Jacobian dσ/dτ = σ.
// It is log-concave, and is updated by slice sampling (Neal 2003) with the
// interval width set from its curvature at the mode. Empty components are
// drawn from their prior.
//
// With a shared σ (Prior.SharedSigma) the sweep draws every μ_k given σ,
// as above, and then the one σ given z and all the means: its conditional
// is that of a single component holding all n points, with
// S = Σ_k S_k the squared deviations of every point from its component's
// new mean, so InverseGamma(a0 + n/2, b0 + S/2) on σ² in the variance form
// and the slice-sampled density above, with n and S, in the notebook's.
//
// A Chain is for one goroutine at a time; it allocates nothing per sweep.
type Chain struct {
	x        []float64
	pr       Prior
	logPrior LogPrior
	rng      *rand.Rand

	// The current parameters.
	LogW, Mu, Sigma []float64
	// Z holds the labels drawn by the last sweep.
	Z []int32
	// LogPost is log p(x, z, w, μ, σ), with every constant, for the labels
	// of the last sweep and the parameters they were drawn from.
	LogPost float64

	n, s1, s2 []float64 // n_k and Σ d, Σ d² with d = x_i − μ_k before the update
	alpha     []float64
	logc, h   []float64
	l         []float64
	slice     sigmaSlice
}

// NewChain returns a chain on the data x (which it keeps and never
// modifies) under the prior pr, whose log density logPrior is, started
// from the weights w, means mu and standard deviations sigma, all of
// length K and valid.
func NewChain(x []float64, pr Prior, logPrior LogPrior, rng *rand.Rand, w, mu, sigma []float64) *Chain {
	K := len(w)
	c := &Chain{
		x: x, pr: pr, logPrior: logPrior, rng: rng,
		LogW: make([]float64, K), Mu: make([]float64, K), Sigma: make([]float64, K),
		Z: make([]int32, len(x)),
		n: make([]float64, K), s1: make([]float64, K), s2: make([]float64, K),
		alpha: make([]float64, K), logc: make([]float64, K), h: make([]float64, K),
		l: make([]float64, K),
	}
	for k := range K {
		c.LogW[k] = math.Log(w[k])
	}
	copy(c.Mu, mu)
	copy(c.Sigma, sigma)
	if pr.SharedSigma {
		pool(w, c.Sigma)
	}
	c.slice.b = pr.B0
	return c
}

// pool sets every σ_k to √(Σ_k w_k σ_k² / Σ_k w_k), the standard deviation
// within components of a mixture with weights w.
func pool(w, sigma []float64) {
	var v, tw float64
	for k, s := range sigma {
		v += w[k] * s * s
		tw += w[k]
	}
	s := math.Sqrt(v / tw)
	for k := range sigma {
		sigma[k] = s
	}
}

// Sweep runs one sweep of the sampler.
func (c *Chain) Sweep() {
	lp := c.logPrior(c.LogW, c.Mu, c.Sigma)
	for k, s := range c.Sigma {
		c.logc[k] = c.LogW[k] - math.Log(s) - halfLog2Pi
		c.h[k] = -0.5 / (s * s)
	}
	clear(c.n)
	clear(c.s1)
	clear(c.s2)
	if len(c.Mu) == 2 {
		lp += c.labels2()
	} else {
		lp += c.labels()
	}
	c.LogPost = lp

	K := len(c.Mu)
	for k := range K {
		c.alpha[k] = c.pr.Alpha + c.n[k]
	}
	LogDirichlet(c.rng, c.alpha, c.LogW)

	ps := 1 / (c.pr.S0 * c.pr.S0)
	for k := range K {
		n, mu := c.n[k], c.Mu[k]
		is2 := 1 / (c.Sigma[k] * c.Sigma[k])
		prec := n*is2 + ps
		// The conditional mean, centred on the current μ_k.
		m := mu + (c.s1[k]*is2+(c.pr.Mu0-mu)*ps)/prec
		nu := m + c.rng.NormFloat64()/math.Sqrt(prec)
		d := nu - mu
		S := max(c.s2[k]-2*d*c.s1[k]+n*d*d, 0)
		c.Mu[k] = nu
		if c.pr.SharedSigma {
			c.n[k], c.s2[k] = n, S // kept for the shared draw below
			continue
		}
		c.Sigma[k] = c.drawSigma(n, S, c.Sigma[k])
	}
	if c.pr.SharedSigma {
		var n, S float64
		for k := range K {
			n += c.n[k]
			S += c.s2[k]
		}
		s := c.drawSigma(n, S, c.Sigma[0])
		for k := range K {
			c.Sigma[k] = s
		}
	}
}

// drawSigma returns a draw of σ_k from its conditional given n_k points
// with S_k = S about μ_k, and the current σ_k. The InverseGamma variates
// are drawn in logarithms: under a vague prior (a0 of 1e-3, say) an empty
// component's σ follows the prior, whose variates exceed 1e300 half the
// time. A draw beyond the largest float64 is +Inf, which the sweeps carry
// as a component with no density anywhere.
func (c *Chain) drawSigma(n, S, sigma float64) float64 {
	if c.pr.OnVariance {
		return math.Exp(0.5 * LogInvGamma(c.rng, c.pr.A0+n/2, c.pr.B0+S/2))
	}
	if n == 0 {
		// With no points the conditional is the prior, InverseGamma(a0, b0)
		// on σ, drawn exactly: its density on log σ decays like e^(−a0·τ),
		// too slowly for the slice sampler's steps when a0 is tiny.
		return math.Exp(LogInvGamma(c.rng, c.pr.A0, c.pr.B0))
	}
	return c.slice.draw(c.rng, n+c.pr.A0, S, sigma)
}

// labels2 draws the labels for K = 2, accumulates the statistics and
// returns Σ_i log(w_{z_i} N(x_i | μ_{z_i}, σ_{z_i})).
func (c *Chain) labels2() float64 {
	c0, c1 := c.logc[0], c.logc[1]
	h0, h1 := c.h[0], c.h[1]
	m0, m1 := c.Mu[0], c.Mu[1]
	var ll, n0, n1, a0, a1, b0, b1 float64
	z := c.Z[:len(c.x)]
	rng := c.rng
	for i, u := range c.x {
		d0 := u - m0
		d1 := u - m1
		l0 := c0 + h0*d0*d0
		l1 := c1 + h1*d1*d1
		// P(z_i = 1) = 1/(1 + e^(l0 − l1)). When |l0 − l1| > 40 the
		// smaller probability is below e^(−40) ≈ 4e-18, finer than the
		// 2^(−53) resolution of a uniform variate, and the exp is skipped.
		dl := l0 - l1
		one := dl < -40
		if dl >= -40 && dl <= 40 {
			one = rng.Float64()*(1+kernel.Exp(dl)) < 1
		}
		if one {
			z[i] = 1
			ll += l1
			n1++
			a1 += d1
			b1 += d1 * d1
		} else {
			z[i] = 0
			ll += l0
			n0++
			a0 += d0
			b0 += d0 * d0
		}
	}
	c.n[0], c.n[1] = n0, n1
	c.s1[0], c.s1[1] = a0, a1
	c.s2[0], c.s2[1] = b0, b1
	return ll
}

// labels is labels2 for any K.
func (c *Chain) labels() float64 {
	l := c.l
	K := len(l)
	var ll float64
	for i, u := range c.x {
		mx := math.Inf(-1)
		for k := range K {
			d := u - c.Mu[k]
			l[k] = c.logc[k] + c.h[k]*d*d
			mx = max(mx, l[k])
		}
		// e^(l_k − max) is dropped below e^(−40), as in labels2.
		var tot float64
		for k := range K {
			var e float64
			if d := l[k] - mx; d >= -40 {
				e = kernel.Exp(d)
			}
			tot += e
			l[k] = e
		}
		t := c.rng.Float64() * tot
		pick := K - 1
		var acc float64
		for k := range K {
			acc += l[k]
			if t < acc {
				pick = k
				break
			}
		}
		c.Z[i] = int32(pick)
		d := u - c.Mu[pick]
		ll += c.logc[pick] + c.h[pick]*d*d
		c.n[pick]++
		c.s1[pick] += d
		c.s2[pick] += d * d
	}
	return ll
}

// Contingency sets conf (K×K, by rows) to the counts of the labels of the
// last sweep against pivot: conf[j·K + k] = #{i : z_i = j, pivot_i = k}.
func (c *Chain) Contingency(pivot []int32, conf []int) {
	K := int32(len(c.Mu))
	clear(conf)
	for i, z := range c.Z {
		conf[z*K+pivot[i]]++
	}
}

// sigmaSlice updates σ under the non-conjugate conditional of the
// notebook's form by slice sampling on τ = log σ.
type sigmaSlice struct {
	b    float64 // b0
	c, S float64 // n_k + a0 and S_k
	f    func(float64) float64
}

// logDensity is log p(τ) up to a constant.
func (s *sigmaSlice) logDensity(t float64) float64 {
	e := math.Exp(-t)
	return -s.c*t - 0.5*s.S*e*e - s.b*e
}

// draw returns the next σ given the current one, for p(τ) with c = n_k + a0
// and S = S_k.
func (s *sigmaSlice) draw(rng *rand.Rand, c, S, sigma float64) float64 {
	if s.f == nil {
		s.f = s.logDensity
	}
	s.c, s.S = c, S
	// The mode solves S y² + b y − c = 0 for y = e^(−τ), and there
	// −p''/p = 2S y² + b y.
	y := 2 * c / (s.b + math.Sqrt(s.b*s.b+4*S*c))
	sd := 1 / math.Sqrt(2*S*y*y+s.b*y)
	t0 := math.Log(sigma)
	if math.IsInf(t0, 0) {
		t0 = -math.Log(y) // start from the mode rather than from an overflowed σ
	}
	t, _ := Slice(rng, s.f, t0, s.f(t0), 3*sd, 32)
	return math.Exp(t)
}

// LogMarginal returns log p(x, w, μ, σ) at the current parameters, with
// the labels summed out: Σ_i log Σ_k w_k N(x_i | μ_k, σ_k) + log p(w, μ, σ).
func (c *Chain) LogMarginal() float64 {
	lp := c.logPrior(c.LogW, c.Mu, c.Sigma)
	for k, s := range c.Sigma {
		c.logc[k] = c.LogW[k] - math.Log(s) - halfLog2Pi
		c.h[k] = -0.5 / (s * s)
	}
	for _, u := range c.x {
		for k := range c.l {
			d := u - c.Mu[k]
			c.l[k] = c.logc[k] + c.h[k]*d*d
		}
		lp += num.LogSumExp(c.l)
	}
	return lp
}

// Allocate sets z_i to the most probable label of x_i under the weights
// exp(logW), means mu and standard deviations sigma: argmax_k w_k N(x_i | μ_k, σ_k).
func Allocate(x, logW, mu, sigma []float64, z []int32) {
	for i, u := range x {
		best, bl := 0, math.Inf(-1)
		for k := range mu {
			d := (u - mu[k]) / sigma[k]
			if l := logW[k] - math.Log(sigma[k]) - 0.5*d*d; l > bl {
				best, bl = k, l
			}
		}
		z[i] = int32(best)
	}
}
