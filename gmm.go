// Package gmm fits Bayesian Gaussian mixture models to one-dimensional
// data.
//
// The model, for data x_1..x_n and K components, is
//
//	w      ~ Dirichlet(α, …, α)
//	μ_k    ~ Normal(μ0, s0)
//	σ_k    ~ InverseGamma(a0, b0)        (or σ_k² ~ InverseGamma(a0, b0))
//	z_i    ~ Categorical(w)
//	x_i|z  ~ Normal(μ_z, σ_z)
//
// A Model holds K and the Prior; Fit finds the maximum a posteriori weights,
// means and standard deviations, summing the labels z out, by Adam or by EM.
// Assign then labels each point with its most probable component, the
// counterpart of Pyro's infer_discrete, and Responsibilities gives each
// point's probabilities. With the zero Prior, Fit maximises the likelihood,
// as scikit-learn's GaussianMixture does.
//
// A fitted Model is safe for concurrent use by many goroutines as long as
// none of them changes it: Assign, Responsibilities, LogDensity, LogJoint
// and the other read-only methods only read its fields.
//
// Determinism: Fit and Posterior give bit-identical results for a seed at
// any GOMAXPROCS on one kernel. The fits' passes over the data run on an
// AVX2 kernel on amd64 processors that have AVX2 and FMA, and on a portable
// Go kernel elsewhere or when built with the noasm tag. The two round
// differently: across them a fit's final loss agrees to 1e-8 relative, and
// its parameters to 1e-6, where the optimum determines them (see Fit).
//
// # Weights, streams and statistics
//
// Settings.Weights gives each point a sample weight, Settings.Warm starts a
// fit from the model's parameters and Settings.Fixed leaves some of them as
// they are. FitStream fits data read chunk by chunk, once per pass, and
// Settings.Online in a single pass. The sums of an EM step are a type of
// their own, Stats: Accumulate adds the E-step's sums of some data, Merge
// adds two sets, Update makes the M-step, and MarshalBinary carries them
// between machines; FitPasses runs the fit's engine on the merged Stats a
// caller's pass returns, as a cluster would compute them.
//
// # Unfitted models
//
// A Model is fitted when Validate returns nil: after a successful Fit, after
// UnmarshalJSON, or with K, Weights, Means and Sigmas set by hand. On a model
// that is not, every method that returns an error returns one that wraps
// ErrNotFitted (LogLikelihood, LogJoint, Sample, MarshalJSON and Validate
// itself), and every method that returns no error returns its empty value
// and does nothing else: nil from Assign, AssignTo, Responsibilities,
// ResponsibilitiesTo and SampleLabels, NaN from LogDensity and Density. None
// of them panics. Test a model with errors.Is(m.Validate(), ErrNotFitted).
package gmm

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/num"
)

// ErrNotFitted is wrapped by every error a method returns because its Model
// is not a valid fitted model (see Validate and the package documentation):
// test for it with errors.Is. Fit the model first, or set K, Weights, Means
// and Sigmas.
var ErrNotFitted = errors.New("gmm: the model is not fitted")

// notFitted is an error of Validate: its own message, wrapping ErrNotFitted.
type notFitted struct{ msg string }

func (e notFitted) Error() string        { return e.msg }
func (e notFitted) Is(target error) bool { return target == ErrNotFitted }

// Model is a mixture of K normal distributions with a prior on its
// parameters. Set K and Prior, then call Fit, which sets Weights, Means and
// Sigmas: the mixing weights, the component means and the component
// standard deviations, each of length K, in increasing order of mean.
//
// SharedSigma constrains every component to one standard deviation,
// σ_1 = … = σ_K = σ, R mclust's one-dimensional model "E"; the default,
// false, lets each component have its own, mclust's model "V" and the
// notebook's. With SharedSigma the prior's InverseGamma is on the one σ,
// once, as Fraley & Raftery (2007) put one prior on the common variance of
// model "E"; Fit, LogJoint, BIC, JSON and Posterior support it.
// Validate requires the sigmas of a SharedSigma model to be equal.
type Model struct {
	K           int
	Prior       Prior
	SharedSigma bool

	Weights []float64
	Means   []float64
	Sigmas  []float64
}

// Validate returns nil if m is a valid fitted model: K ≥ 1, a valid Prior,
// and Weights, Means and Sigmas of length K, all finite, with the weights
// non-negative and summing to 1 (within 1e-9) and the sigmas positive.
// Every error it returns names the first problem and wraps ErrNotFitted.
func (m *Model) Validate() error {
	if err := m.validate(); err != nil {
		return notFitted{err.Error()}
	}
	return nil
}

func (m *Model) validate() error {
	if m.K < 1 {
		return fmt.Errorf("gmm: K is %d; it must be at least 1", m.K)
	}
	if err := m.Prior.Validate(); err != nil {
		return err
	}
	if len(m.Weights) != m.K || len(m.Means) != m.K || len(m.Sigmas) != m.K {
		return fmt.Errorf("gmm: model has %d weights, %d means and %d sigmas for K = %d; fit it first, or give K of each",
			len(m.Weights), len(m.Means), len(m.Sigmas), m.K)
	}
	var sum float64
	for k := range m.K {
		w, mu, s := m.Weights[k], m.Means[k], m.Sigmas[k]
		switch {
		case !(w >= 0) || math.IsInf(w, 0):
			return fmt.Errorf("gmm: weight %d is %v; weights must be non-negative and finite", k, w)
		case !isFinite(mu):
			return fmt.Errorf("gmm: mean %d is %v; means must be finite", k, mu)
		case !(s > 0) || math.IsInf(s, 0):
			return fmt.Errorf("gmm: sigma %d is %v; sigmas must be positive and finite", k, s)
		}
		sum += w
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("gmm: weights sum to %v; they must sum to 1", sum)
	}
	if m.SharedSigma {
		for k, s := range m.Sigmas {
			if s != m.Sigmas[0] {
				return fmt.Errorf("gmm: sigma %d is %v and sigma 0 is %v, but SharedSigma is set; give every component the same sigma, or clear SharedSigma", k, s, m.Sigmas[0])
			}
		}
	}
	return nil
}

// fitted reports whether m has parameters that the read-only methods can
// use.
func (m *Model) fitted() bool { return m.Validate() == nil }

// terms evaluates a valid model's components at single points, with the
// constants of each component computed once.
type terms struct {
	m    *Model
	logC []float64 // log w_k − log σ_k − ½ log 2π
	l    []float64 // scratch
}

func (m *Model) terms() *terms {
	t := &terms{m: m, logC: make([]float64, m.K), l: make([]float64, m.K)}
	for k := range t.logC {
		t.logC[k] = math.Log(m.Weights[k]) - math.Log(m.Sigmas[k]) - 0.5*log2Pi
	}
	return t
}

// components sets t.l[k] = log w_k + log N(x | μ_k, σ_k) and returns the
// maximum over k.
func (t *terms) components(x float64) float64 {
	mx := math.Inf(-1)
	for k, c := range t.logC {
		z := (x - t.m.Means[k]) / t.m.Sigmas[k]
		t.l[k] = c - 0.5*z*z
		mx = max(mx, t.l[k])
	}
	return mx
}

// dominant is components for use where only the ratios of the terms
// matter. For a finite x so far out that every term underflows to −Inf, it
// sets t.l to 0 for the component with the smallest |x − μ_k|/σ_k among
// those with weight, which dominates the others there, and −Inf for the
// rest.
func (t *terms) dominant(x float64) float64 {
	mx := t.components(x)
	if !math.IsInf(mx, -1) || !isFinite(x) {
		return mx
	}
	best, bz := -1, math.Inf(1)
	for k := range t.l {
		// log|x − μ_k| − log σ_k orders the |z_k| without overflow.
		if z := math.Log(math.Abs(x-t.m.Means[k])) - math.Log(t.m.Sigmas[k]); t.m.Weights[k] > 0 && (best < 0 || z < bz) {
			best, bz = k, z
		}
	}
	if best < 0 {
		return mx
	}
	t.l[best] = 0
	return 0
}

// logDensity returns log Σ_k w_k N(x | μ_k, σ_k).
func (t *terms) logDensity(x float64) float64 {
	t.components(x)
	return num.LogSumExp(t.l)
}

// responsibilities fills r with the responsibilities of the point x: NaN
// if x is not finite.
func (t *terms) responsibilities(x float64, r []float64) {
	if !isFinite(x) {
		for k := range r {
			r[k] = math.NaN()
		}
		return
	}
	mx := t.dominant(x)
	var s float64
	for k, v := range t.l {
		r[k] = math.Exp(v - mx)
		s += r[k]
	}
	for k := range r {
		r[k] /= s
	}
}

// LogDensity returns the log density of the fitted mixture at x,
//
//	log p(x) = log Σ_k w_k N(x | μ_k, σ_k),
//
// computed by log-sum-exp so that it is finite far in the tails. It returns
// NaN if x is NaN or m is not fitted (see ErrNotFitted), and −Inf for
// x = ±Inf.
func (m *Model) LogDensity(x float64) float64 {
	if !m.fitted() || math.IsNaN(x) {
		return math.NaN()
	}
	return m.terms().logDensity(x)
}

// Density returns exp(LogDensity(x)), the mixture's probability density at
// x: NaN if x is NaN or m is not fitted (see ErrNotFitted).
func (m *Model) Density(x float64) float64 { return math.Exp(m.LogDensity(x)) }

// LogLikelihood returns Σ_i log p(x_i), the log-likelihood of the data
// under the fitted mixture. It runs on the fits' kernel, in parallel and
// deterministically (see the package's note on determinism), so that it
// is fast on large data and Fit's final loss is its value. It returns an
// error if x is empty or not finite, or one wrapping ErrNotFitted if m is
// not fitted.
func (m *Model) LogLikelihood(x []float64) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if err := checkData(x); err != nil {
		return 0, err
	}
	return m.logLik(x, nil), nil
}

// logLik returns Σ_i v_i log p(x_i) for the valid model m, the finite x
// and the weights w (nil: all 1).
func (m *Model) logLik(x, w []float64) float64 {
	p := kernel.NewParams(m.K)
	p.Set(m.Weights, m.Means, m.Sigmas)
	st := kernel.NewStats(m.K)
	kernel.NewWeightedEngine(x, w, 0, 1, m.K).Pass(p, st)
	if !math.IsNaN(st.LogLik) {
		return st.LogLik
	}
	// The kernel takes no σ_k below about 4e-309 (a subnormal number);
	// the plain sum does.
	t := m.terms()
	var ll float64
	for i, v := range x {
		if w == nil {
			ll += t.logDensity(v)
		} else if w[i] > 0 {
			ll += w[i] * t.logDensity(v)
		}
	}
	return ll
}

// LogJoint returns the log joint density of the data and the fitted
// parameters with the labels summed out,
//
//	log p(x, w, μ, σ) = Σ_i log Σ_k w_k N(x_i | μ_k, σ_k) + log p(w, μ, σ),
//
// with every normalising constant, the prior's density taken in the
// constrained space with no Jacobian. Its negative is the loss Fit
// minimises, and Pyro's TraceEnum_ELBO loss with an AutoDelta guide. For the
// zero Prior it is the log-likelihood. It returns an error if x is empty or
// not finite, or one wrapping ErrNotFitted if m is not fitted.
func (m *Model) LogJoint(x []float64) (float64, error) {
	return m.logJoint(x, nil)
}

// logJoint is LogJoint with x weighted by w (nil: all 1).
func (m *Model) logJoint(x, w []float64) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if err := checkData(x); err != nil {
		return 0, err
	}
	ll := m.logLik(x, w)
	logW := make([]float64, m.K)
	for k, w := range m.Weights {
		logW[k] = math.Log(w)
	}
	return ll + m.Prior.logDensity(logW, m.Means, priorSigmas(m.Sigmas, m.SharedSigma)), nil
}

// Sample draws n values from the fitted mixture and returns them with the
// component each came from. The same seed gives the same draws. It returns
// an error if n is negative, or one wrapping ErrNotFitted if m is not
// fitted.
func (m *Model) Sample(n int, seed uint64) (x []float64, z []int, err error) {
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	if n < 0 {
		return nil, nil, errors.New("gmm: cannot draw a negative number of values")
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	x = make([]float64, n)
	z = make([]int, n)
	for i := range x {
		k := categorical(rng, m.Weights)
		z[i] = k
		x[i] = m.Means[k] + m.Sigmas[k]*rng.NormFloat64()
	}
	return x, z, nil
}

// categorical draws an index with probabilities p, which sum to 1 up to
// rounding.
func categorical(rng *rand.Rand, p []float64) int {
	t := rng.Float64()
	var acc float64
	last := 0
	for k, v := range p {
		if v > 0 {
			last = k
		}
		acc += v
		if t < acc {
			return k
		}
	}
	return last
}
