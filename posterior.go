package gmm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/gmm-go/gmm/internal/mcmc"
	"github.com/gmm-go/gmm/internal/num"
)

// Inference selects how Posterior explores the posterior.
type Inference int

const (
	// Gibbs is Markov chain Monte Carlo by Gibbs sampling, with the labels
	// as auxiliary variables: exact in the limit of many draws, for both
	// prior forms.
	Gibbs Inference = iota
	// VB is mean-field variational Bayes by coordinate ascent: a fast
	// deterministic approximation, whose draws are independent.
	VB
)

// String returns "gibbs" or "vb".
func (m Inference) String() string {
	switch m {
	case Gibbs:
		return "gibbs"
	case VB:
		return "vb"
	}
	return fmt.Sprintf("Inference(%d)", int(m))
}

// PosteriorSettings tune Posterior. The zero value, and a nil
// *PosteriorSettings, mean defaults.
type PosteriorSettings struct {
	// Method is Gibbs (the default) or VB.
	Method Inference

	// Seed seeds the chains. The same seed gives the same draws, bit for
	// bit, at any GOMAXPROCS.
	Seed uint64

	// Chains is the number of chains, run in parallel. For VB it is the
	// number of starting points of the coordinate ascent; the fit with the
	// highest ELBO is kept. If zero, 4 are used.
	Chains int

	// Draws is the number of draws kept from each chain, at least 10. For
	// VB, Chains·Draws independent draws are taken from the fit. If zero,
	// 1000 are used.
	Draws int

	// Warmup is the number of sweeps each Gibbs chain runs, and discards,
	// before its draws. VB ignores it. If zero, 1000 are used.
	Warmup int

	// Weights are the points' sample weights, one per point, each finite
	// and non-negative, not all zero; nil means all 1. Points of weight 0
	// are removed first, so they give the posterior without them, bit for
	// bit. VB counts a point of weight v as v points in every sum: the
	// copies of a point share one optimal q(z), so the approximation is
	// that of the points written out: for integer weights, from each
	// k-means++ start the same draws and the same fit, up to the rounding
	// of the sums (with several Chains, two starts that reach one optimum
	// with the components in another order tie up to that rounding, and
	// which is kept, and so the order the draws follow, can differ). The
	// diagnostics count the points as their total weight where it is
	// larger (a component is nearly empty below one unit). Gibbs takes no
	// other weights than 0 and 1: it draws one label per point, and a
	// point of weight 2 is not two points each with its own label, so
	// there is no exact weighted sampler; Posterior returns an error for
	// it, saying to use VB or to write the points out.
	Weights []float64
}

const (
	defaultChains   = 4
	defaultDraws    = 1000
	defaultWarmup   = 1000
	minDraws        = 10
	defaultVBSteps  = 5000
	defaultVBTol    = 1e-10
	initSigmaFloor  = 1e-3
	maxPosteriorLen = 1 << 28
	// maxPosteriorWeight bounds the total weight Posterior takes: 2^53,
	// beyond which a sum of the weights no longer changes by 1.
	maxPosteriorWeight = 1 << 53
)

// Posterior holds draws from the posterior of a mixture's parameters given
// the data, p(w, μ, σ | x), with the labels z summed out, or for VB from its
// variational approximation.
//
// Weights, Means and Sigmas are indexed [draw][component]: the draws of
// each chain in turn, Draws of them per chain. Labels are consistent across
// draws and chains (see Model.Posterior), and the components are numbered
// in increasing order of their posterior mean of μ.
type Posterior struct {
	// Method is the inference used, and Prior the prior (with its form).
	Method Inference
	Prior  Prior
	// Chains and Draws are the number of chains and of draws per chain.
	Chains, Draws int

	// A draw of σ beyond the largest float64 is +Inf. That happens only
	// under a very vague prior (SigmaShape below about 0.01), for a
	// component that holds no points in that draw, whose σ then follows
	// the prior; Warnings says how often.
	Weights [][]float64
	Means   [][]float64
	Sigmas  [][]float64

	// ELBO holds, for VB, the evidence lower bound
	// log p(x) − KL(q ‖ p(w, μ, σ, z | x)) after each step of the coordinate
	// ascent that was kept, on the data's own scale; it never decreases. It
	// is nil for Gibbs.
	ELBO []float64

	// Warnings says what to distrust: a parameter whose R̂ exceeds 1.01 or
	// whose bulk ESS is below 400 (Vehtari et al. 2021), or a VB fit that
	// ran out of steps. It says that K may be larger than the data need,
	// rather than that the chains should run longer, when a component is
	// nearly empty in many draws (less than one point's worth of weight,
	// n·w_k < 1, in more than 10% of them), when Gibbs chains sit in
	// different modes (the means of a parameter in two chains differ by
	// more than 4 of its standard deviations), or when, with R̂ or ESS out
	// of bounds, two components form a single peak in more than 10% of the
	// draws (|μ_j − μ_k| ≤ 2·min(σ_j, σ_k), Behboodian 1970). It is empty
	// when there is nothing to report.
	Warnings []string

	rhat, ess Params // computed once, from the draws as drawn

	// occupied holds, for Gibbs, the number of components that hold data
	// in each draw.
	occupied []int32
}

// Params holds one number for each parameter of a K-component mixture: the
// K weights, the K means and the K standard deviations. Its JSON form has
// the keys of the model's: "weights", "means" and "sigmas".
type Params struct {
	Weights, Means, Sigmas []float64
}

// Posterior samples the posterior distribution of the mixture's weights,
// means and standard deviations given the data x, under m.Prior with m.K
// components, by Gibbs sampling (the default) or variational Bayes.
//
// Gibbs (Diebolt & Robert 1994) runs s.Chains chains in parallel
// goroutines, each from its own k-means++ starting point and random
// stream, for s.Warmup sweeps that are discarded and s.Draws that are
// kept. With n_k the points labelled k and S_k = Σ_{z_i=k} (x_i − μ_k)², a
// sweep draws
//
//	z_i | w, μ, σ    with P(z_i = k) ∝ w_k N(x_i | μ_k, σ_k)
//	w | z            Dirichlet(α + n_1, …, α + n_K)
//	μ_k | z, σ_k     Normal(m_k, 1/√λ_k),  λ_k = n_k/σ_k² + 1/s0²,  m_k = (Σ_{z_i=k} x_i/σ_k² + μ0/s0²)/λ_k
//	σ_k² | z, μ_k    InverseGamma(a0 + n_k/2, b0 + S_k/2)                 (OnVariance)
//	log σ_k | z, μ_k density ∝ exp(−(n_k + a0)τ − S_k e^(−2τ)/2 − b0 e^(−τ))  (the notebook's form)
//
// The last is the conditional σ^(−n_k−a0−1) exp(−S_k/(2σ²) − b0/σ) of the
// InverseGamma prior on σ, carried to τ = log σ with its Jacobian σ; it is
// log-concave and is updated by slice sampling (Neal 2003), with the width
// set from its curvature at the mode. With m.SharedSigma (one σ, with the
// prior's InverseGamma on it once) the sweep draws every μ_k given σ and
// then σ given z and the new means from the same conditionals with
// n = Σ_k n_k and S = Σ_k S_k in place of n_k and S_k: pooled over the
// components, as if one held all the points.
//
// A mixture's likelihood does not change when its components are permuted,
// so a sampler's labels can switch within a chain, and differ between
// chains. Posterior relabels every Gibbs draw by the equivalence-classes
// representatives (ECR) algorithm of Papastamoulis & Iliopoulos (2010):
// each draw's labels are permuted so that its allocation z agrees with a
// pivot allocation z* on as many points as possible, an assignment problem
// solved by the Hungarian method. The pivot is the most probable
// allocation, argmax_k w_k N(x_i | μ_k, σ_k), at the parameters of highest
// posterior density log p(x, w, μ, σ) found in the second half of warm-up.
// Unlike ordering by mean, this works when components overlap or share a
// mean. The components are then numbered in increasing order of their
// posterior mean of μ.
//
// VB is mean-field coordinate ascent (Bishop 2006, sec. 10.2) on
// q(z) q(w) Π_k q(μ_k) q(σ_k), each factor set in turn to its optimum given
// the others, so the evidence lower bound (ELBO) never decreases. In the
// variance form every factor is conjugate: Categorical, Dirichlet, Normal
// and InverseGamma on σ_k². In the notebook's form the optimal q(σ_k) is
// the density ∝ σ^(−c−1) exp(−T/(2σ²) − b0/σ), which is not a standard
// family; its normaliser and moments are computed by quadrature and its
// draws by an exact rejection sampler for log-concave densities (Devroye
// 1984). With m.SharedSigma there is one factor q(σ), the optimum for all
// the points pooled. VB runs from s.Chains starting points in parallel and keeps the
// fit with the highest ELBO; Chains·Draws independent draws from it fill
// the result. Mean-field VB tends to understate posterior spread when
// parameters are correlated, as they are when components overlap.
//
// Posterior standardises the data internally, as Fit does (see Fit), so the
// draws do not depend on the data's units, and a few far values take a
// component of their own without disturbing the others. Its warnings (see
// Posterior.Warnings) flag parameters with R̂ above 1.01 or bulk ESS below
// 400 (Vehtari et al. 2021), components that are nearly empty in many
// draws, and a VB fit that ran out of steps; a problem of convergence is
// not an error.
//
// Under a very vague prior (SigmaShape below about 0.01) a component that
// holds no points in a draw takes its σ from the prior, and a draw beyond
// the largest float64 is +Inf, with a warning (see Posterior.Sigmas).
//
// Posterior returns an error if x is empty or not finite, if m.K < 1, if the
// prior is invalid, or if it is the zero Prior: without a prior the
// posterior is improper (an empty component's mean and σ have no
// distribution), so set one, for example DefaultPrior(x) or
// NotebookPrior(). It also returns an error for negative settings, fewer
// than 10 draws per chain, more draws than memory can hold, data whose
// spread is too small to scale (below 1e-308) or spans more than the
// float64 range, a prior whose scale is more than 1e100 from the data's,
// or a prior MeanScale so wide that a mean's draw overflows; and if a
// weight is negative, NaN or infinite, the weights are all zero or not one
// per point or sum to more than 2^53, or a weight other than 0 and 1 is
// given to Gibbs (see PosteriorSettings.Weights). It modifies neither m nor x nor the weights. Unlike Fit, it accepts a Concentration below 1.
func (m *Model) Posterior(x []float64, s *PosteriorSettings) (*Posterior, error) {
	return m.PosteriorContext(context.Background(), x, s)
}

// PosteriorContext is Posterior with a context. If ctx is cancelled while
// it runs, PosteriorContext returns ctx.Err(); every chain, and every VB
// fit, checks ctx before each sweep or step, one pass over the data, so it
// stops within about one pass.
func (m *Model) PosteriorContext(ctx context.Context, x []float64, s *PosteriorSettings) (*Posterior, error) {
	var cfg PosteriorSettings
	if s != nil {
		cfg = *s
	}
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	if m.K < 1 {
		return nil, fmt.Errorf("gmm: K is %d; set the number of components to 1 or more", m.K)
	}
	if err := m.Prior.Validate(); err != nil {
		return nil, err
	}
	if m.Prior.IsZero() {
		return nil, errors.New("gmm: the posterior needs a prior: with the zero Prior it is improper; set Model.Prior, for example to DefaultPrior(x) or NotebookPrior()")
	}
	if err := checkData(x); err != nil {
		return nil, err
	}
	if lim := maxPosteriorLen / (3 * m.K); cfg.Chains > lim || cfg.Draws > lim/cfg.Chains {
		return nil, fmt.Errorf("gmm: %d chains of %d draws of %d components are too many to hold; ask for fewer draws", cfg.Chains, cfg.Draws, m.K)
	}
	total, err := checkWeights(cfg.Weights, len(x), true)
	if err != nil {
		return nil, err
	}
	if total > maxPosteriorWeight {
		return nil, fmt.Errorf("gmm: the weights sum to %.3g, more than 2^53 (%.3g): the posterior's sums cannot then tell a point of weight 1 from none; give weights of a smaller total (dividing every weight by the same factor gives the posterior of proportionally less data)", total, float64(maxPosteriorWeight))
	}
	x, w := positive(x, cfg.Weights)
	if w != nil && cfg.Method == Gibbs {
		return nil, errors.New("gmm: Gibbs sampling takes no weights other than 0 and 1: it draws one label per point, so a point of weight v is not v points to it; use Method: gmm.VB, which counts a weight as copies exactly, or write each point out v times (for integer weights)")
	}
	z, err := standardise(x, w, len(x), 1, nil)
	if err != nil {
		return nil, err
	}
	c, scale := z.c, z.scale
	pu := m.Prior.standardised(c, scale)
	if !sameScale(pu) {
		return nil, errors.New("gmm: the prior's scale and the data's are more than 1e100 apart; rescale the data or the prior")
	}
	u := z.sample
	mp := pu.hyper()
	mp.SharedSigma = m.SharedSigma

	p := &Posterior{Method: cfg.Method, Prior: m.Prior, Chains: cfg.Chains, Draws: cfg.Draws}
	T := cfg.Chains * cfg.Draws
	K := m.K
	flatW, flatM, flatS := make([]float64, T*K), make([]float64, T*K), make([]float64, T*K)
	switch cfg.Method {
	case VB:
		elbo, warn := runVB(ctx, u, z.sw, K, mp, &cfg, flatW, flatM, flatS)
		// The ELBO on x differs from that on u by the Jacobian of the
		// data, −n log scale with n the total weight; the parameters'
		// Jacobians cancel.
		off := -total * math.Log(scale)
		for i := range elbo {
			elbo[i] += off
		}
		p.ELBO = elbo
		p.Warnings = append(p.Warnings, warn...)
	default:
		p.occupied = make([]int32, T)
		runGibbs(ctx, u, K, mp, pu.logPrior(m.SharedSigma), &cfg, flatW, flatM, flatS, p.occupied)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := toDataUnits(flatW, flatM, flatS, K, c, scale, m.Prior); err != nil {
		return nil, err
	}
	p.Weights = rows(flatW, K)
	p.Means = rows(flatM, K)
	p.Sigmas = rows(flatS, K)
	p.orderByMean()
	p.warnInfinite()
	p.diagnose(num.StandsFor(len(x), total))
	return p, nil
}

// toDataUnits carries the draws from the standardised data back to the
// data's units, μ = c + scale·μ_u and σ = scale·σ_u, and checks them. A σ
// beyond the largest float64 stays +Inf (see Posterior.Sigmas); anything
// else that is not a valid parameter is an error.
func toDataUnits(w, mu, sigma []float64, K int, c, scale float64, pr Prior) error {
	for i := range mu {
		mu[i] = c + scale*mu[i]
		sigma[i] = scale * sigma[i]
		k := i % K
		switch {
		case math.IsInf(mu[i], 0):
			return fmt.Errorf("gmm: a draw of component %d's mean overflows the float64 range: the prior's MeanScale %g is too wide for data on this scale; reduce it", k, pr.MeanScale)
		case !(w[i] >= 0) || math.IsNaN(mu[i]) || !(sigma[i] > 0):
			return fmt.Errorf("gmm: the sampler produced an invalid draw (component %d: weight %v, mean %v, σ %v); this is a bug: please report it with the data and settings", k, w[i], mu[i], sigma[i])
		}
	}
	return nil
}

// warnInfinite adds a warning for each component some of whose σ draws are
// +Inf.
func (p *Posterior) warnInfinite() {
	for k := range p.K() {
		var n int
		for _, d := range p.Sigmas {
			if math.IsInf(d[k], 1) {
				n++
			}
		}
		if n > 0 {
			p.Warnings = append(p.Warnings, fmt.Sprintf("sigma %d: %d of %d draws exceed the largest float64 and are +Inf: there the component holds no points (for VB, almost none) and its σ follows the prior, whose variates at SigmaShape %g are too large to represent; its Mean and SD are +Inf and its quantiles exact. A SigmaShape of 0.1 or more makes this vanishingly rare, as do fewer components", k, n, len(p.Sigmas), p.Prior.SigmaShape))
		}
	}
}

// sameScale reports whether the prior p of the standardised data has the
// data's scale within a factor of 1e100: its MeanLoc, MeanScale and the
// scale of σ it implies (SigmaScale, or its square root for the variance
// form). Beyond that, σ² or the prior's terms overflow in the samplers.
func sameScale(p Prior) bool {
	if p.Validate() != nil {
		return false
	}
	s := p.SigmaScale
	if p.OnVariance {
		s = math.Sqrt(s)
	}
	in := func(v float64) bool { return v >= 1e-100 && v <= 1e100 }
	return in(p.MeanScale) && in(s) && math.Abs(p.MeanLoc) <= 1e100
}

func (s *PosteriorSettings) fill() error {
	switch s.Method {
	case Gibbs, VB:
	default:
		return fmt.Errorf("gmm: unknown posterior Method %d; use gmm.Gibbs or gmm.VB", int(s.Method))
	}
	if s.Chains < 0 || s.Draws < 0 || s.Warmup < 0 {
		return errors.New("gmm: PosteriorSettings must not be negative; use zero for a default")
	}
	if s.Chains == 0 {
		s.Chains = defaultChains
	}
	if s.Draws == 0 {
		s.Draws = defaultDraws
	}
	if s.Warmup == 0 {
		s.Warmup = defaultWarmup
	}
	if s.Draws < minDraws {
		return fmt.Errorf("gmm: Draws is %d; the diagnostics need at least %d draws per chain", s.Draws, minDraws)
	}
	return nil
}

// rows cuts a flat T×K array into T rows.
func rows(flat []float64, K int) [][]float64 {
	r := make([][]float64, len(flat)/K)
	for t := range r {
		r[t] = flat[t*K : (t+1)*K : (t+1)*K]
	}
	return r
}

// orderByMean permutes the components of every draw alike, so that their
// posterior means of μ increase.
func (p *Posterior) orderByMean() {
	K := len(p.Means[0])
	mean := make([]float64, K)
	for _, d := range p.Means {
		for k, v := range d {
			mean[k] += v
		}
	}
	idx := make([]int, K)
	for k := range idx {
		idx[k] = k
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case mean[a] < mean[b]:
			return -1
		case mean[a] > mean[b]:
			return 1
		}
		return 0
	})
	tmp := make([]float64, K)
	for _, arr := range [][][]float64{p.Weights, p.Means, p.Sigmas} {
		for _, d := range arr {
			for k, j := range idx {
				tmp[k] = d[j]
			}
			copy(d, tmp)
		}
	}
}

// diagnose computes R̂ and the bulk ESS of every parameter and fills
// Warnings from them and from the weights of the draws, for data of n
// points (see mcmc.Diagnose).
func (p *Posterior) diagnose(n int) {
	K := p.K()
	names := []string{"weight", "mean", "sigma"}
	draws := [][][]float64{p.Weights, p.Means, p.Sigmas}
	params := make([]mcmc.Param, 0, 3*K)
	for j, name := range names {
		for k := range K {
			params = append(params, mcmc.Param{Label: fmt.Sprintf("%s %d", name, k), Draws: column(draws[j], k)})
		}
	}
	rep := mcmc.Report{
		Chains: p.Chains, Draws: p.Draws, Gibbs: p.Method == Gibbs, N: n, Weights: p.Weights,
		Overlap: mcmc.SinglePeak(len(p.Means), K, p.onePeak, "|μ_j − μ_k| ≤ 2·min(σ_j, σ_k), Behboodian 1970"),
	}
	rh, es, warn := mcmc.Diagnose(rep, params)
	p.Warnings = append(p.Warnings, warn...)
	p.rhat = Params{Weights: rh[:K:K], Means: rh[K : 2*K : 2*K], Sigmas: rh[2*K:]}
	p.ess = Params{Weights: es[:K:K], Means: es[K : 2*K : 2*K], Sigmas: es[2*K:]}
}

// onePeak reports whether components j and k of draw t form a single
// peak: |μ_j − μ_k| ≤ 2·min(σ_j, σ_k), under which a mixture of the two
// normals is unimodal whatever their weights (Behboodian 1970, "On the
// modes of a mixture of two normal distributions", Technometrics 12).
func (p *Posterior) onePeak(t, j, k int) bool {
	mu, sd := p.Means[t], p.Sigmas[t]
	return math.Abs(mu[j]-mu[k]) <= 2*min(sd[j], sd[k])
}

// column returns the draws of one parameter: component k of arr.
func column(arr [][]float64, k int) []float64 {
	c := make([]float64, len(arr))
	for t, d := range arr {
		c[t] = d[k]
	}
	return c
}

// each returns the Params with f applied to the draws of every parameter:
// empty ones if p has no draws.
func (p *Posterior) each(f func(draws []float64) float64) Params {
	K := p.K()
	out := Params{Weights: make([]float64, K), Means: make([]float64, K), Sigmas: make([]float64, K)}
	for k := range K {
		out.Weights[k] = f(column(p.Weights, k))
		out.Means[k] = f(column(p.Means, k))
		out.Sigmas[k] = f(column(p.Sigmas, k))
	}
	return out
}

// K returns the number of components, or 0 if p has no draws, as the zero
// Posterior has none.
//
// A Posterior without draws follows the rule for an unfitted Model (see
// ErrNotFitted): Mean, SD, Quantile, Interval, RHat and ESS return empty
// Params, Responsibilities returns nil, and Predictive and MarshalJSON
// return an error wrapping ErrNotFitted. Get a Posterior from
// Model.Posterior.
func (p *Posterior) K() int {
	if len(p.Weights) == 0 {
		return 0
	}
	return len(p.Weights[0])
}

// errNoDraws is the error of a Posterior without draws.
var errNoDraws = notFitted{"gmm: the Posterior has no draws; get one from Model.Posterior"}

// Mean returns the posterior mean of each parameter, the average of its
// draws: +Inf for a σ some of whose draws are +Inf.
func (p *Posterior) Mean() Params {
	return p.each(func(d []float64) float64 {
		var m float64
		for i, v := range d {
			if math.IsInf(v, 1) {
				return v
			}
			m += (v - m) / float64(i+1)
		}
		return m
	})
}

// SD returns the posterior standard deviation of each parameter, the
// standard deviation of its draws (divided by the number of draws less
// one): +Inf for a σ some of whose draws are +Inf.
func (p *Posterior) SD() Params {
	return p.each(func(d []float64) float64 {
		var m float64
		for i, v := range d {
			if math.IsInf(v, 1) {
				return v
			}
			m += (v - m) / float64(i+1)
		}
		var ss float64
		for _, v := range d {
			ss += (v - m) * (v - m)
		}
		return math.Sqrt(ss / float64(len(d)-1))
	})
}

// Quantile returns the q-quantile of each parameter's draws, interpolating
// linearly between order statistics (type 7 of Hyndman & Fan 1996, the
// default of R and NumPy). It returns an error if q is not in [0, 1].
func (p *Posterior) Quantile(q float64) (Params, error) {
	if !(q >= 0 && q <= 1) {
		return Params{}, fmt.Errorf("gmm: quantile %v is not in [0, 1]", q)
	}
	return p.each(func(d []float64) float64 {
		slices.Sort(d)
		return mcmc.QuantileSorted(d, q)
	}), nil
}

// Interval returns the central credible interval of each parameter at the
// given level: the (1 − level)/2 and (1 + level)/2 quantiles of its draws.
// A 90% interval is Interval(0.9). It returns an error if level is not in
// (0, 1).
func (p *Posterior) Interval(level float64) (lo, hi Params, err error) {
	if !(level > 0 && level < 1) {
		return Params{}, Params{}, fmt.Errorf("gmm: credible level %v is not in (0, 1); for a 90%% interval pass 0.9", level)
	}
	lo, _ = p.Quantile((1 - level) / 2)
	hi, _ = p.Quantile((1 + level) / 2)
	return lo, hi, nil
}

// RHat returns the rank-normalised split-R̂ of each parameter (Vehtari et
// al. 2021), the larger of the bulk and the folded R̂, computed when the
// draws were made. Values above 1.01 mean the chains have not mixed. For
// VB, whose draws are independent, it is near 1 by construction and says
// nothing about the approximation.
func (p *Posterior) RHat() Params { return p.rhat.clone() }

// ESS returns the bulk effective sample size of each parameter (Vehtari et
// al. 2021), computed when the draws were made: the number of independent
// draws that would estimate its posterior mean and quantiles near the
// centre as well as these draws do.
func (p *Posterior) ESS() Params { return p.ess.clone() }

func (q Params) clone() Params {
	return Params{Weights: slices.Clone(q.Weights), Means: slices.Clone(q.Means), Sigmas: slices.Clone(q.Sigmas)}
}

// Predictive returns the posterior predictive density at each point of x,
//
//	p(x | data) = E[Σ_k w_k N(x | μ_k, σ_k)] ≈ (1/T) Σ_t Σ_k w_k⁽ᵗ⁾ N(x | μ_k⁽ᵗ⁾, σ_k⁽ᵗ⁾),
//
// and a pointwise credible band at the given level: at each x, the
// (1 − level)/2 and (1 + level)/2 quantiles over the draws of the mixture
// density. A NaN in x gives NaN and ±Inf gives 0. It returns an error if
// level is not in (0, 1), or one wrapping ErrNotFitted if p has no draws.
func (p *Posterior) Predictive(x []float64, level float64) (density, lo, hi []float64, err error) {
	if p.K() == 0 {
		return nil, nil, nil, errNoDraws
	}
	if !(level > 0 && level < 1) {
		return nil, nil, nil, fmt.Errorf("gmm: credible level %v is not in (0, 1); for a 90%% band pass 0.9", level)
	}
	T := len(p.Weights)
	K := p.K()
	// log w_k − log σ_k − ½ log 2π and 1/σ_k of every draw.
	logc := make([]float64, T*K)
	is := make([]float64, T*K)
	for t := range T {
		for k := range K {
			logc[t*K+k] = math.Log(p.Weights[t][k]) - math.Log(p.Sigmas[t][k]) - 0.5*log2Pi
			is[t*K+k] = 1 / p.Sigmas[t][k]
		}
	}
	density, lo, hi = make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
	// Each point is independent of the others: split them across cores.
	workers := min(runtime.GOMAXPROCS(0), max(len(x)/16, 1))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := make([]float64, T)
			for i := w; i < len(x); i += workers {
				v := x[i]
				if math.IsNaN(v) {
					density[i], lo[i], hi[i] = math.NaN(), math.NaN(), math.NaN()
					continue
				}
				var mean float64
				for t := range T {
					var s float64
					for k := range K {
						z := (v - p.Means[t][k]) * is[t*K+k]
						s += math.Exp(logc[t*K+k] - 0.5*z*z)
					}
					f[t] = s
					mean += (s - mean) / float64(t+1)
				}
				slices.Sort(f)
				density[i] = mean
				lo[i] = mcmc.QuantileSorted(f, (1-level)/2)
				hi[i] = mcmc.QuantileSorted(f, (1+level)/2)
			}
		}()
	}
	wg.Wait()
	return density, lo, hi, nil
}

// Responsibilities returns each point's posterior probability of belonging
// to each component, with the parameters integrated out,
//
//	P(z_i = k | data) = E[r_ik] ≈ (1/T) Σ_t r_ik(w⁽ᵗ⁾, μ⁽ᵗ⁾, σ⁽ᵗ⁾),
//	r_ik(w, μ, σ) = w_k N(x_i | μ_k, σ_k) / Σ_j w_j N(x_i | μ_j, σ_j),
//
// a Rao–Blackwellised estimate, as an n×K matrix. For the data the
// posterior was drawn from, it is each point's posterior membership; for
// other points, the membership they would have as a new observation. A NaN
// or infinite x_i gets a row of NaN. It returns nil if p has no draws.
func (p *Posterior) Responsibilities(x []float64) [][]float64 {
	K := p.K()
	if K == 0 {
		return nil
	}
	T := len(p.Weights)
	flat := make([]float64, len(x)*K)
	r := rows(flat, K)
	l := make([]float64, K)
	d := &Model{K: K}
	for t := range T {
		d.Weights, d.Means, d.Sigmas = p.Weights[t], p.Means[t], p.Sigmas[t]
		tm := d.terms()
		for i, v := range x {
			if !isFinite(v) {
				continue
			}
			tm.responsibilities(v, l)
			for k := range K {
				r[i][k] += l[k]
			}
		}
	}
	for i, v := range x {
		for k := range K {
			if isFinite(v) {
				r[i][k] /= float64(T)
			} else {
				r[i][k] = math.NaN()
			}
		}
	}
	return r
}
