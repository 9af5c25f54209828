package gmm

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/gmm-go/gmm/internal/mcmc"
)

// Prior holds the hyperparameters of the mixture's priors:
//
//	w   ~ Dirichlet(α, …, α)          α = Concentration
//	μ_k ~ Normal(μ0, s0)              μ0 = MeanLoc, s0 = MeanScale (a standard deviation)
//	σ_k ~ InverseGamma(a0, b0)        a0 = SigmaShape, b0 = SigmaScale (a scale, not a rate)
//
// The InverseGamma density is b^a / Γ(a) · t^(−a−1) · exp(−b/t). When
// OnVariance is false (the zero value, and the notebook's form) it is placed
// on the standard deviation, t = σ_k. When OnVariance is true it is placed on
// the variance, t = σ_k², the conjugate form. The two forms are different
// models: on the iris petal lengths the small cluster's MAP σ is 0.178 in the
// first and 0.254 in the second.
//
// The zero Prior{} (with either OnVariance) means no prior at all: Fit then
// maximises the likelihood. Any other Prior must have a positive finite
// Concentration, MeanScale, SigmaShape and SigmaScale and a finite MeanLoc;
// Validate says which field is wrong.
type Prior struct {
	Concentration float64
	MeanLoc       float64
	MeanScale     float64
	SigmaShape    float64
	SigmaScale    float64
	OnVariance    bool
}

// NotebookPrior returns the prior the notebook passed to Pyro:
// Dirichlet(1, …, 1), Normal(0, 10) on each mean and InverseGamma(1, 1) on
// each standard deviation.
func NotebookPrior() Prior {
	return Prior{Concentration: 1, MeanLoc: 0, MeanScale: 10, SigmaShape: 1, SigmaScale: 1}
}

// DefaultPrior returns a weakly informative prior scaled to x, in the spirit
// of Richardson & Green (1997) and Fraley & Raftery (2007), but centred and
// scaled by robust statistics, so that a few far values do not move it:
//
//	Concentration = 1
//	MeanLoc       = median(x)
//	MeanScale     = 3·s
//	SigmaShape    = 1
//	SigmaScale    = s / 10
//
// where s is the robust spread of x, its interquartile range over 1.349 (the
// ratio of a normal distribution's interquartile range to its standard
// deviation), or, where more than half the values tie so that this is
// zero, the median absolute deviation over 0.674 or a wider quantile range
// (see Fit). For normal data s is the standard deviation; for two equal,
// well separated clusters the means lie within half a MeanScale of MeanLoc.
//
// The prior moves with the data: for y = a·x + b (a ≠ 0, of either sign) the
// prior of y is the prior of x carried through the same map, so fitting x and
// y with their own default priors gives the same clusters, with the
// parameters transformed accordingly.
//
// Non-finite values are ignored. If x has no finite values, or all of them
// are equal, s = 1 is used. If 3·s overflows, MeanScale is the largest
// float64.
//
// The InverseGamma is on σ. For the conjugate form, on σ², square the
// scale as well: p.OnVariance, p.SigmaScale = true, p.SigmaScale*p.SigmaScale
// keeps the prior moving with the data.
func DefaultPrior(x []float64) Prior {
	finite := slices.DeleteFunc(slices.Clone(x), func(v float64) bool { return !isFinite(v) })
	if len(finite) == 0 {
		return Prior{Concentration: 1, MeanLoc: 0, MeanScale: 3, SigmaShape: 1, SigmaScale: 0.1}
	}
	slices.Sort(finite)
	med, s := medianSpread(finite)
	if !(s > 0) || math.IsInf(s, 0) {
		s = 1
	}
	return Prior{Concentration: 1, MeanLoc: med, MeanScale: min(3*s, math.MaxFloat64), SigmaShape: 1, SigmaScale: s / 10}
}

// IsZero reports whether p is the zero Prior, which means no prior.
func (p Prior) IsZero() bool {
	return p.Concentration == 0 && p.MeanLoc == 0 && p.MeanScale == 0 &&
		p.SigmaShape == 0 && p.SigmaScale == 0
}

// Validate returns nil if p is the zero Prior or a proper prior, and
// otherwise an error naming the first invalid field.
func (p Prior) Validate() error {
	if p.IsZero() {
		return nil
	}
	pos := []struct {
		name string
		v    float64
	}{
		{"Concentration", p.Concentration},
		{"MeanScale", p.MeanScale},
		{"SigmaShape", p.SigmaShape},
		{"SigmaScale", p.SigmaScale},
	}
	for _, f := range pos {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("gmm: prior %s is %v; it must be positive and finite (or use the zero Prior{} for no prior)", f.name, f.v)
		}
	}
	if math.IsNaN(p.MeanLoc) || math.IsInf(p.MeanLoc, 0) {
		return fmt.Errorf("gmm: prior MeanLoc is %v; it must be finite", p.MeanLoc)
	}
	return nil
}

// String names the model p defines, for example
// "w ~ Dirichlet(1), μ ~ Normal(0, 10), σ ~ InverseGamma(1, 1)", with σ²
// in place of σ when OnVariance is set, or "no prior (maximum likelihood)".
func (p Prior) String() string {
	if p.IsZero() {
		return "no prior (maximum likelihood)"
	}
	t := "σ"
	if p.OnVariance {
		t = "σ²"
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	return fmt.Sprintf("w ~ Dirichlet(%s), μ ~ Normal(%s, %s), %s ~ InverseGamma(%s, %s)",
		g(p.Concentration), g(p.MeanLoc), g(p.MeanScale), t, g(p.SigmaShape), g(p.SigmaScale))
}

// logDensity returns log p(w, μ, σ) for the parameters of a K-component
// mixture, given the logarithms of the weights, with every normalising
// constant, taken in the constrained space with no Jacobian:
//
//	log p = log Γ(Kα) − K log Γ(α) + (α − 1) Σ_k log w_k
//	      + Σ_k [−(μ_k − μ0)²/(2 s0²) − log s0 − ½ log 2π]
//	      + Σ_k [a0 log b0 − log Γ(a0) − (a0 + 1) log t_k − b0/t_k]
//
// with t_k = σ_k, or t_k = σ_k² when OnVariance is set: the Dirichlet, Normal
// and InverseGamma densities of the type's comment. At α = 1 the weights'
// term is skipped rather than summed, since an empty component's
// log w_k = −Inf would make its zero a NaN. It returns 0 for the zero Prior.
// The Gibbs sampler evaluates it through logPrior.
func (p Prior) logDensity(logW, mu, sigma []float64) float64 {
	if p.IsZero() {
		return 0
	}
	return p.logDensityWith(p.constants(len(logW)), logW, mu, sigma)
}

// priorConstants are the terms of the log density (see logDensity) that
// depend only on the prior and K: log Γ(Kα) − K log Γ(α), log s0, and
// a0 log b0 − log Γ(a0).
type priorConstants struct {
	head, logMeanScale, sigma float64
}

// constants returns the constant terms of p's log density for K
// components, p not the zero Prior.
func (p Prior) constants(K int) priorConstants {
	lg1, _ := math.Lgamma(float64(K) * p.Concentration)
	lg2, _ := math.Lgamma(p.Concentration)
	lga, _ := math.Lgamma(p.SigmaShape)
	return priorConstants{
		head:         lg1 - float64(K)*lg2,
		logMeanScale: math.Log(p.MeanScale),
		sigma:        p.SigmaShape*math.Log(p.SigmaScale) - lga,
	}
}

// logDensityWith is logDensity for p not the zero Prior, given its
// constants for len(logW) components, so that a fit, which evaluates it at
// every step, computes them once.
func (p Prior) logDensityWith(c priorConstants, logW, mu, sigma []float64) float64 {
	lp := c.head
	if p.Concentration != 1 {
		for _, l := range logW {
			lp += (p.Concentration - 1) * l
		}
	}
	for _, m := range mu {
		z := (m - p.MeanLoc) / p.MeanScale
		lp += -0.5*z*z - c.logMeanScale - 0.5*log2Pi
	}
	for _, s := range sigma {
		t := s
		if p.OnVariance {
			t = s * s
		}
		lp += c.sigma - (p.SigmaShape+1)*math.Log(t) - p.SigmaScale/t
	}
	return lp
}

// logPrior returns p's log density as the Gibbs sampler evaluates it, on
// the parameters with all K standard deviations, which with shared set are
// equal and counted once (see priorSigmas).
func (p Prior) logPrior(shared bool) mcmc.LogPrior {
	return func(logW, mu, sigma []float64) float64 {
		return p.logDensity(logW, mu, priorSigmas(sigma, shared))
	}
}

// hyper returns p's hyperparameters in the form the samplers take.
func (p Prior) hyper() mcmc.Prior {
	return mcmc.Prior{
		Alpha: p.Concentration, Mu0: p.MeanLoc, S0: p.MeanScale,
		A0: p.SigmaShape, B0: p.SigmaScale, OnVariance: p.OnVariance,
	}
}

// sigmaMode returns the mode of the prior's σ: b0/(a0 + 1) on σ, or the
// square root of b0/(a0 + 1) on σ². It must not be called on the zero Prior.
func (p Prior) sigmaMode() float64 {
	m := p.SigmaScale / (p.SigmaShape + 1)
	if p.OnVariance {
		return math.Sqrt(m)
	}
	return m
}

// spikeSigma returns the σ of the MAP of a component that holds c equal
// points alone: the mode of the posterior of σ given them, b0/(a0 + 1 + c)
// with the prior on σ, and √(b0/(a0 + 1 + c/2)) with the prior on the
// variance.
func (p Prior) spikeSigma(c float64) float64 {
	if p.OnVariance {
		return math.Sqrt(p.SigmaScale / (p.SigmaShape + 1 + c/2))
	}
	return p.SigmaScale / (p.SigmaShape + 1 + c)
}

// standardised returns the prior of the parameters of u = (x − c)/s when p
// is the prior of the parameters of x. Every family involved is closed under
// the map: μ_u ~ Normal((μ0 − c)/s, s0/s), σ_u ~ InverseGamma(a0, b0/s), or on
// the variance σ_u² ~ InverseGamma(a0, b0/s²).
func (p Prior) standardised(c, s float64) Prior {
	if p.IsZero() {
		return p
	}
	q := p
	q.MeanLoc = (p.MeanLoc - c) / s
	q.MeanScale = p.MeanScale / s
	if p.OnVariance {
		q.SigmaScale = p.SigmaScale / s / s // s² can overflow where the quotient does not
	} else {
		q.SigmaScale = p.SigmaScale / s
	}
	return q
}

const log2Pi = 1.8378770664093454835606594728112352797227949472755668

// tiny keeps an empty component's statistics from dividing by zero, as
// scikit-learn does with 10 machine epsilons.
const tiny = 10 * 2.220446049250313e-16

// gradient returns the prior's terms in the gradient of the log joint of a
// K-component mixture with respect to one component's softmax logit η,
// mean μ and log σ, given its weight w = softmax(η)_k, and their curvatures
// (the negated second derivatives, or positive bounds on them) for the mean
// and log σ:
//
//	∂/∂η     log p = (α − 1)(1 − K w)
//	∂/∂μ     log p = −(μ − μ0)/s0²,                  curvature 1/s0²
//	∂/∂log σ log p = −(a0 + 1) + b0/σ                 curvature b0/σ       prior on σ
//	∂/∂log σ log p = −2(a0 + 1) + 2 b0/σ²             curvature 4 b0/σ²    prior on σ²
//
// All are zero for the zero Prior.
func (p Prior) gradient(w, mu, sigma float64, K int) (ge, gm, gs, hm, hs float64) {
	if p.IsZero() {
		return 0, 0, 0, 0, 0
	}
	ge = (p.Concentration - 1) * (1 - float64(K)*w)
	hm = 1 / (p.MeanScale * p.MeanScale)
	gm = -(mu - p.MeanLoc) * hm
	if p.OnVariance {
		is2 := 1 / (sigma * sigma)
		gs = -2*(p.SigmaShape+1) + 2*p.SigmaScale*is2
		hs = 4 * p.SigmaScale * is2
	} else {
		gs = -(p.SigmaShape + 1) + p.SigmaScale/sigma
		hs = p.SigmaScale / sigma
	}
	return ge, gm, gs, hm, hs
}

// sharedUpdate returns the ECM update of the one standard deviation that
// all K components share (Model.SharedSigma), on n points, given
// S = Σ_k S_k, the responsibility-weighted squared deviations of all the
// points about their components' new means. The expected log posterior's
// terms in σ are −n log σ − S/(2σ²) and the prior's one InverseGamma
// density, so the derivation of update carries over with N replaced by n:
//
//	σ = (b0 + √(b0² + 4 c S)) / (2c),  c = a0 + 1 + n       prior on σ
//	σ² = (S + 2 b0) / (n + 2 a0 + 2)                       prior on σ²
//
// (setting to zero the derivative −(n + a0 + 1)/σ + S/σ³ + b0/σ², or in
// v = σ², −(n/2 + a0 + 1)/v + (S/2 + b0)/v²). With the zero Prior it is
// σ = max(√(S/n), floor), the pooled maximum-likelihood estimate of R
// mclust's model "E".
func (p Prior) sharedUpdate(S, n, floor float64) float64 {
	switch {
	case p.IsZero():
		return max(math.Sqrt(S/n), floor)
	case p.OnVariance:
		return math.Sqrt((S + 2*p.SigmaScale) / (n + 2*p.SigmaShape + 2))
	default:
		c, b := p.SigmaShape+1+n, p.SigmaScale
		return (b + math.Sqrt(b*b+4*c*S)) / (2 * c)
	}
}
