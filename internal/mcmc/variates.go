// Package mcmc holds the samplers behind gmm's posterior: random variates,
// a slice sampler, an exact sampler for log-concave densities, the Gibbs
// sweep of the mixture, the relabelling of its draws and the convergence
// diagnostics.
//
// Every function takes its randomness from a *rand.Rand that the caller
// owns, so each goroutine can have its own stream.
package mcmc

import (
	"math"
	"math/rand/v2"

	"github.com/gmm-go/gmm/internal/num"
)

// LogGamma returns the logarithm of a Gamma(shape, 1) variate, for
// shape > 0. It uses the squeeze method of Marsaglia & Tsang (2000) for
// shape ≥ 1 and, for shape < 1, the boost G_a = G_{a+1}·U^{1/a} of the same
// paper, kept in logarithms so that it neither underflows nor loses
// precision when shape is tiny (a Gamma(0.01) variate is often below 1e-300).
func LogGamma(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return math.Log(gamma1(rng, shape+1)) + math.Log(rng.Float64())/shape
	}
	return math.Log(gamma1(rng, shape))
}

// Gamma returns a Gamma(shape, 1) variate, for shape > 0, by the method of
// LogGamma. Divide by a rate to get Gamma(shape, rate). For shape < 1 it is
// exp(LogGamma), except that a variate below the smallest normal float64,
// 2^−1022, is 0 rather than a subnormal number that keeps few of its
// digits: where that matters, as when dividing by it, use LogGamma and stay
// in logarithms.
func Gamma(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		if l := LogGamma(rng, shape); l >= minNormalLog {
			return math.Exp(l)
		}
		return 0
	}
	return gamma1(rng, shape)
}

// LogInvGamma returns the logarithm of an InverseGamma(shape, scale)
// variate, log scale − log G for G ~ Gamma(shape, 1), for shape > 0 and
// scale > 0. It stays finite when the variate itself would overflow, as it
// does for tiny shapes: with shape 1e-3, half the variates exceed
// scale·e^693.
func LogInvGamma(rng *rand.Rand, shape, scale float64) float64 {
	return math.Log(scale) - LogGamma(rng, shape)
}

// minNormalLog is log 2^−1022, the logarithm of the smallest normal float64.
const minNormalLog = -1022 * math.Ln2

// gamma1 is Marsaglia & Tsang's (2000) sampler for shape ≥ 1: with
// d = a − 1/3 and c = 1/√(9d), it proposes v = (1 + c·x)³ for a standard
// normal x and accepts d·v with the squeeze u < 1 − 0.0331 x⁴ or the exact
// test log u < x²/2 + d(1 − v + log v).
func gamma1(rng *rand.Rand, a float64) float64 {
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for range maxProposals { // a valid shape is accepted at the first try 95% of the time
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		x2 := x * x
		if u < 1-0.0331*x2*x2 {
			return d * v
		}
		if math.Log(u) < 0.5*x2+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
	return d // only for a NaN shape, which no caller passes
}

// LogDirichlet sets logW to the logarithms of a Dirichlet(alpha) variate:
// log G_k − log Σ_j G_j for independent G_k ~ Gamma(alpha_k, 1). Working in
// logarithms keeps every weight positive and finite however small alpha is.
// All alpha must be positive.
func LogDirichlet(rng *rand.Rand, alpha, logW []float64) {
	for k, a := range alpha {
		logW[k] = LogGamma(rng, a)
	}
	lse := num.LogSumExp(logW)
	for k := range logW {
		logW[k] -= lse
	}
}
