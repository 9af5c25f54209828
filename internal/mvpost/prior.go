// Package mvpost holds the samplers behind mv's posterior: the conjugate
// updates of the Normal-InverseWishart prior restricted to four covariance
// forms, a Gibbs sweep, and mean-field variational Bayes. What does not
// depend on the dimension (running the chains, relabelling, diagnostics)
// is in internal/mcmc.
//
// Every function takes its randomness from a *rand.Rand that the caller
// owns, so each goroutine can have its own stream.
package mvpost

import (
	"math"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// Form is a covariance model with a conjugate prior.
type Form int

const (
	// Full gives each component its own covariance (mclust's VVV), with
	// an InverseWishart(ν0, Λ0) prior on each.
	Full Form = iota
	// Tied shares one covariance (EEE), with an InverseWishart(ν0, Λ0)
	// prior.
	Tied
	// Diagonal gives each component its own diagonal covariance (VVI),
	// with an InverseGamma(ν0/2, ζ/2) prior on each variance.
	Diagonal
	// Spherical gives each component its own multiple of the identity,
	// σ_k² I (VII), with an InverseGamma(ν0/2, ζ/2) prior on σ_k².
	Spherical
)

// Prior is the conjugate prior of a K-component mixture in d dimensions,
// Fraley & Raftery's (2007) restricted to the Form:
//
//	w           ~ Dirichlet(α, …, α), or truncated stick-breaking (see StickBreaking)
//	μ_k | Σ_k   ~ Normal_d(μ0, Σ_k/κ0)
//	Σ_k         ~ InverseWishart(ν0, Λ0)            Full, Tied (one Σ)
//	σ_kj²       ~ InverseGamma(ν0/2, ζ/2)           Diagonal: Σ_k = diag(σ_k1², …)
//	σ_k²        ~ InverseGamma(ν0/2, ζ/2)           Spherical: Σ_k = σ_k² I
//
// with the InverseWishart density
// |Λ0|^(ν0/2) / (2^(ν0 d/2) Γ_d(ν0/2)) · |Σ|^(−(ν0+d+1)/2) exp(−tr(Λ0 Σ⁻¹)/2),
// so that E[Σ] = Λ0/(ν0 − d − 1), the InverseGamma density
// b^a/Γ(a) · t^(−a−1) exp(−b/t), and ζ = tr(Λ0)/d. All of α, κ0 must be
// positive, ν0 > d − 1 and Λ0 positive definite.
type Prior struct {
	Form  Form
	D     int
	Alpha float64
	// StickBreaking replaces the Dirichlet by the truncated stick-breaking
	// prior of a Dirichlet process with concentration α (Ishwaran & James
	// 2001): w_k = v_k Π_{j<k} (1 − v_j), v_k ~ Beta(1, α) for k < K and
	// v_K = 1.
	StickBreaking bool
	Mu0           []float64
	Kappa0, Nu0   float64
	Lambda0       []float64 // d×d, row-major
	Zeta          float64

	// Fault, if not zero, makes one conditional of the posterior
	// deliberately wrong (see Fault). It is for the tests that show the
	// calibration check can fail; every other caller leaves it zero.
	Fault Fault

	logDetL0 float64
}

// Fault names a deliberate mistake in the conjugate posterior (see Post),
// of the kind a slip in the algebra makes, for tests that show that
// simulation-based calibration detects it. The zero Fault is none.
type Fault int

const (
	// NoFault is the correct posterior.
	NoFault Fault = iota
	// FaultDoF takes one degree of freedom too few in the covariance's
	// conditional: ν0 + N_k − 1 for ν0 + N_k (Full, Diagonal), and
	// likewise for Tied and Spherical.
	FaultDoF
	// FaultMeanSpread leaves the count out of the mean's conditional
	// covariance: μ_k | Σ_k ~ Normal(m_k, Σ_k/κ0) for Σ_k/(κ0 + N_k).
	FaultMeanSpread
)

// Init sets the quantities that Prior derives from its fields: ζ and
// log|Λ0|. It reports false if Λ0 is not positive definite.
func (p *Prior) Init() bool {
	d := p.D
	l := make([]float64, d*d)
	ld, ok := mvkernel.Cholesky(l, p.Lambda0, d)
	p.logDetL0 = ld
	var tr float64
	for j := range d {
		tr += p.Lambda0[j*d+j]
	}
	p.Zeta = tr / float64(d)
	return ok
}

const (
	log2Pi = 1.8378770664093454835606594728112352797227949472755668
	logPi  = 1.1447298858494001741434273513530587116472948129153115
)

// lmvgamma returns log Γ_d(a) = d(d−1)/4 log π + Σ_{j=1..d} log Γ(a + (1−j)/2).
func lmvgamma(d int, a float64) float64 {
	s := float64(d*(d-1)) / 4 * logPi
	for j := 1; j <= d; j++ {
		lg, _ := math.Lgamma(a + float64(1-j)/2)
		s += lg
	}
	return s
}

func lgamma(a float64) float64 {
	v, _ := math.Lgamma(a)
	return v
}

// logInvWishart returns log IW(Σ; ν, Λ) for Σ with lower Cholesky factor
// l and log|Σ| = logDet, and Λ with log|Λ| = logDetL, in d dimensions:
// ν/2 log|Λ| − νd/2 log 2 − log Γ_d(ν/2) − (ν+d+1)/2 log|Σ| − tr(Λ Σ⁻¹)/2.
// inv must hold d×d values of scratch.
func logInvWishart(l, lam []float64, logDet, nu, logDetL float64, d int, inv []float64) float64 {
	mvkernel.InvertLower(inv, l, d)
	// tr(Λ Σ⁻¹) = tr(L⁻¹ Λ L⁻ᵀ) = Σ_a (L⁻¹ Λ L⁻ᵀ)_aa.
	var tr float64
	for a := range d {
		for b := 0; b <= a; b++ {
			for c := 0; c <= a; c++ {
				tr += inv[a*d+b] * lam[b*d+c] * inv[a*d+c]
			}
		}
	}
	D := float64(d)
	return nu/2*logDetL - nu*D/2*math.Ln2 - lmvgamma(d, nu/2) - (nu+D+1)/2*logDet - tr/2
}

// logInvGamma returns log IG(t; a, b).
func logInvGamma(t, a, b float64) float64 {
	return a*math.Log(b) - lgamma(a) - (a+1)*math.Log(t) - b/t
}

// LogPrior returns log p(μ, Σ) of the prior's covariance and mean parts,
// with every constant, at the means mu (K×d) and the covariances cov (K
// matrices d×d, row-major; for Tied all equal, and only the first is read).
// It returns −Inf if a covariance is not positive definite.
func (p *Prior) LogPrior(mu []float64, cov [][]float64) float64 {
	d, K := p.D, len(cov)
	D := float64(d)
	l := make([]float64, d*d)
	inv := make([]float64, d*d)
	var lp float64
	for k := range K {
		c := cov[k]
		if p.Form == Tied {
			c = cov[0]
		}
		logDet, ok := mvkernel.Cholesky(l, c, d)
		if !ok {
			return math.Inf(-1)
		}
		switch p.Form {
		case Full:
			lp += logInvWishart(l, p.Lambda0, logDet, p.Nu0, p.logDetL0, d, inv)
		case Tied:
			if k == 0 {
				lp += logInvWishart(l, p.Lambda0, logDet, p.Nu0, p.logDetL0, d, inv)
			}
		case Diagonal:
			for j := range d {
				lp += logInvGamma(c[j*d+j], p.Nu0/2, p.Zeta/2)
			}
		case Spherical:
			lp += logInvGamma(c[0], p.Nu0/2, p.Zeta/2)
		}
		// μ_k ~ N(μ0, Σ_k/κ0): |L⁻¹(μ_k − μ0)|² κ0.
		mvkernel.InvertLower(inv, l, d)
		var q float64
		for a := range d {
			var s float64
			for b := 0; b <= a; b++ {
				s += inv[a*d+b] * (mu[k*d+b] - p.Mu0[b])
			}
			q += s * s
		}
		lp += -D/2*log2Pi + D/2*math.Log(p.Kappa0) - logDet/2 - p.Kappa0*q/2
	}
	return lp
}

// LogWeightPrior returns the log density of the weights' prior at
// exp(logW): the Dirichlet's, or, under StickBreaking, the density of the
// sticks v_k = w_k/(1 − Σ_{j<k} w_j), Π_{k<K} α (1 − v_k)^(α−1).
func (p *Prior) LogWeightPrior(logW []float64) float64 {
	K := float64(len(logW))
	a := p.Alpha
	if !p.StickBreaking {
		lp := lgamma(K*a) - K*lgamma(a)
		if a != 1 {
			for _, l := range logW {
				lp += (a - 1) * l
			}
		}
		return lp
	}
	var lp, left float64 = 0, 1
	for k := range len(logW) - 1 {
		w := math.Exp(logW[k])
		rest := max(left-w, 0)
		lp += math.Log(a)
		if a != 1 {
			lp += (a - 1) * (math.Log(rest) - math.Log(left))
		}
		left = rest
	}
	return lp
}
