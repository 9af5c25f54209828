package mvcov

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Prior is the conjugate Normal-InverseWishart prior of Fraley & Raftery
// (2007), restricted to each covariance model as mclust's priorControl and
// defaultPrior restrict it. Its zero value means no prior: maximum
// likelihood.
//
// For the models with a full covariance (EEE … VVV) the covariance prior is
// built on the InverseWishart density
//
//	IW(Σ; ν0, Λ0) = |Λ0|^(ν0/2) / (2^(ν0 d/2) Γ_d(ν0/2)) · |Σ|^(−(ν0+d+1)/2) exp(−tr(Λ0 Σ⁻¹)/2),
//
// for the spherical and diagonal models (EII … VVI) on the inverse-gamma
// density of each variance,
//
//	IG(σ²; ν0/2, ζ/2) = (ζ/2)^(ν0/2) / Γ(ν0/2) · (σ²)^(−ν0/2−1) exp(−ζ/(2σ²)),
//
// with the number ζ = tr(Λ0)/d (for Λ0 = cov(x)/K^(2/d), this is mclust's
// default scale for those models). When κ0 > 0 each mean has the prior
// μ_k | Σ_k ~ N(μ0, Σ_k/κ0), except under EEV, where mclust's M-step drops
// the prior on the means.
//
// With a prior, MStep is the maximum-likelihood M-step of the model applied
// to the counts c_k = N_k + e and the scatters
//
//	T_k = W_k + κ0 N_k/(N_k+κ0) (x̄_k−μ0)(x̄_k−μ0)ᵀ + f·P,
//
// with P = Λ0 (ζI for EII … VVI), s = 1 if κ0 > 0 (else 0, and always 0 for
// EEV), and e, f from mclust 6's Fortran M-steps (mseiip … msvvvp), spread
// evenly over the components where only their sum matters:
//
//	EII  e = (ν0+2)/(dK) + s   f = 1/(dK)     EEE  e = (ν0+d+1)/K + s   f = 1/K
//	VII  e = (ν0+2)/d + s      f = 1/d        EEV  e = (ν0+d+1)/K       f = 1
//	EEI  e = (ν0+2)/K + s      f = 1/K        VEV  e = 0                f = 1
//	VEI  e = (ν0+2+s)/d        f = 1          VVV  e = ν0+d+1+s         f = 1
//	EVI  e = (ν0+2)/K + s      f = 1
//	VVI  e = ν0+2+s            f = 1
//
// mclust has no prior for VEE, EVE, VVE and EVV; they get VVV's, an
// independent Normal-InverseWishart for each component evaluated at the
// constrained Σ_k. LogPrior gives the density that these updates maximise.
//
// Three of mclust 6.0.0's M-steps are not the maximisers of their
// objective, and MStep differs from them: with a prior, EII ignores the
// scale ζ and takes the scatter about the posterior mean rather than x̄_k
// (mseiip), and EEI leaves the means at x̄_k while its covariance counts
// the prior on the means (mseeip); VVE's orientation step leaves out the
// volumes (msvve).
type Prior struct {
	MeanLoc   []float64     // μ0, length d; needed when Shrinkage > 0
	Shrinkage float64       // κ0 ≥ 0; 0 leaves the means at the data's
	DoF       float64       // ν0 > d−1
	Scale     *mat.SymDense // Λ0, d×d, positive definite
}

// IsZero reports whether p is nil or the zero Prior (maximum likelihood).
func (p *Prior) IsZero() bool {
	return p == nil || (p.MeanLoc == nil && p.Shrinkage == 0 && p.DoF == 0 && p.Scale == nil)
}

// Check returns an error saying what to change if p is not a usable prior
// for d-dimensional data. The zero Prior is usable.
func (p *Prior) Check(d int) error {
	if p.IsZero() {
		return nil
	}
	return p.check(NewWorkspace(1, d))
}

// check is Check for ws.d dimensions, with ws's memory.
func (p *Prior) check(ws *Workspace) error {
	d := ws.d
	if p.IsZero() {
		return nil
	}
	if p.Scale == nil {
		return fmt.Errorf("mvcov: the prior has no Scale: set Scale (Λ0), or use the zero Prior for maximum likelihood")
	}
	if r, _ := p.Scale.Dims(); r != d {
		return fmt.Errorf("mvcov: the prior's Scale is %d×%d but the data have %d columns: give a %d×%d Scale", r, r, d, d, d)
	}
	for i := range d {
		for j := i; j < d; j++ {
			if v := p.Scale.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("mvcov: the prior's Scale has a non-finite entry at (%d,%d): give finite values", i, j)
			}
		}
	}
	ws.loadSym(ws.pd, p.Scale)
	if !correlation(ws.pd, d) {
		return fmt.Errorf("mvcov: the prior's Scale is not positive definite: give a positive definite Scale, such as the data's covariance")
	}
	_, rc, ok := ws.cholesky(ws.pd)
	if !ok {
		return fmt.Errorf("mvcov: the prior's Scale is not positive definite: give a positive definite Scale, such as the data's covariance")
	}
	if !(rc > singularRatio) {
		// Singular up to rounding: the scatter of collinear columns, whose
		// factorisation succeeds or fails by the order of its roundings.
		return fmt.Errorf("mvcov: the prior's Scale is singular or nearly so (the squared ratio of the smallest to the largest diagonal entry of its correlations' Cholesky factor is %.3g), as DefaultPrior's is for data with collinear columns or fewer rows than columns: give a positive definite Scale, such as a diagonal one", rc)
	}
	if !(p.DoF > float64(d-1)) || math.IsInf(p.DoF, 0) {
		return fmt.Errorf("mvcov: the prior's DoF is %v: give a finite DoF above d−1 = %d (mclust uses d+2)", p.DoF, d-1)
	}
	if !(p.Shrinkage >= 0) || math.IsInf(p.Shrinkage, 0) {
		return fmt.Errorf("mvcov: the prior's Shrinkage is %v: give a finite Shrinkage ≥ 0 (mclust uses 0.01)", p.Shrinkage)
	}
	if p.Shrinkage > 0 {
		if len(p.MeanLoc) != d {
			return fmt.Errorf("mvcov: the prior's MeanLoc has %d values but the data have %d columns: give one per column", len(p.MeanLoc), d)
		}
		for j, v := range p.MeanLoc {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("mvcov: the prior's MeanLoc[%d] is %v: give finite values", j, v)
			}
		}
	}
	return nil
}

// MeanShrinkage returns the κ0 that model m uses: p.Shrinkage, except for
// EEV, whose mclust M-step sets it to 0 (mseevp: "if (pshrnk .gt. zero)
// pshrnk = zero"), so that EEV's prior is on the covariances alone.
func (p *Prior) MeanShrinkage(m Model) float64 {
	if m == EEV {
		return 0
	}
	return p.Shrinkage
}

// spherical reports whether the model's prior is on variances (EII … VVI)
// rather than on covariance matrices.
func (m Model) spherical() bool { return m.orientation() == 'I' }

// priorShare returns, for a model with k components in d dimensions, the
// amounts that the prior adds to the count and to the scatter of each
// component in the M-step: the maximiser of the expected complete-data log
// posterior is the maximum-likelihood M-step of the model applied to
//
//	c_k = N_k + e,   T_k = W_k + B_k + f·P,
//
// where W_k is the scatter about x̄_k, B_k = κ0 N_k/(N_k+κ0) (x̄_k−μ0)(x̄_k−μ0)ᵀ,
// P is Λ0 (ζI for EII … VVI), and s is 1 when κ0 > 0, else 0. The values
// are those of mclust 6's Fortran M-steps with a prior (mseiip … msvvvp),
// spread evenly over the components where only their sum matters; mclust
// has no prior for VEE, EVE, VVE and EVV, which get VVV's (an independent
// Normal-InverseWishart for each component, evaluated at the constrained Σ_k).
func priorShare(m Model, k, d int, nu float64, s float64) (e, f float64) {
	K, D := float64(k), float64(d)
	switch m {
	case EII: // one IG on σ²: d Σc = dN + ν0 + 2 + s·dK, Σ tr P = ζ
		return (nu+2)/(D*K) + s, 1 / (D * K)
	case VII: // IG on each σ_k²: d c_k = dN_k + ν0 + 2 + s·d
		return (nu+2)/D + s, 1 / D
	case EEI: // IG on each diagonal entry of one Σ: Σc = N + ν0 + 2 + sK
		return (nu+2)/K + s, 1 / K
	case VEI: // mclust's msveip: d c_k = dN_k + ν0 + 2 + s
		return (nu + 2 + s) / D, 1
	case EVI: // mclust's msevip: Σc = N + ν0 + 2 + sK, ζ in every T_k
		return (nu+2)/K + s, 1
	case VVI: // IG on each diagonal entry of each Σ_k
		return nu + 2 + s, 1
	case EEE: // one IW: Σc = N + ν0 + d + 1 + sK
		return (nu+D+1)/K + s, 1 / K
	case EEV: // mclust's mseevp: Σc = N + ν0 + d + 1 (s = 0), Λ0 in every T_k
		return (nu + D + 1 + s) / K, 1
	case VEV: // mclust's msvevp: c_k = N_k, Λ0 in every T_k
		return 0, 1
	}
	// VVV, and VEE, EVE, VVE, EVV: an IW for each component.
	return nu + D + 1 + s, 1
}

// LogPrior returns the log density of the prior p at (means, covs) for model
// m, with every normalising constant: the sum over the components of
//
//	s·log N(μ_k; μ0, Σ_k/κ0) − (e − s)/2 · log|Σ_k| − f/2 · tr(P Σ_k⁻¹),
//
// plus the constants of the standard densities of Prior's doc comment that
// make up the covariance prior, where s = 1 if κ0 > 0 (else 0), P is Λ0 or
// ζI, and e, f are the model's shares of the prior (priorShare). For EII,
// VII, EEI, VVI, EEE, VVV (and VEE, EVE, VVE, EVV) this is exactly a product
// of those densities: one inverse gamma on σ² for EII, one on each σ_k² for
// VII, on each diagonal entry of Σ for EEI or of each Σ_k for VVI, one
// InverseWishart on Σ for EEE and one on each Σ_k for the others. For VEI,
// EVI, EEV and VEV, whose mclust M-steps maximise a density that is not such
// a product, the constant is that of the inverse gammas on each diagonal
// entry of each Σ_k (VEI, EVI) or of an InverseWishart on each Σ_k (EEV,
// VEV). MStep maximises the expected complete-data log-likelihood plus this,
// so EM with it never decreases the log-likelihood plus LogPrior.
//
// It returns 0 for the zero Prior, NaN for a prior that Check rejects or
// arguments whose dimensions do not match, and −Inf if a covariance is not
// positive definite.
func LogPrior(m Model, p *Prior, means *mat.Dense, covs []*mat.SymDense) float64 {
	if p.IsZero() {
		return 0
	}
	k, d := means.Dims()
	if !m.Valid() || len(covs) != k || p.Check(d) != nil {
		return math.NaN()
	}
	var s float64
	kappa := p.MeanShrinkage(m)
	if kappa > 0 {
		s = 1
	}
	e, f := priorShare(m, k, d, p.DoF, s)
	P := mat.NewSymDense(d, nil)
	P.CopySym(p.Scale)
	if m.spherical() {
		z := mat.Trace(p.Scale) / float64(d)
		P = mat.NewSymDense(d, nil)
		for a := range d {
			P.SetSym(a, a, z)
		}
	}
	D := float64(d)
	lp := priorConst(m, p, k, d)
	var ch mat.Cholesky
	var inv mat.SymDense
	diff := mat.NewVecDense(d, nil)
	for j := range k {
		if covs[j] == nil || covs[j].SymmetricDim() != d {
			return math.NaN()
		}
		if !ch.Factorize(covs[j]) {
			return math.Inf(-1)
		}
		logdet := ch.LogDet()
		if err := ch.InverseTo(&inv); err != nil {
			return math.Inf(-1)
		}
		lp += -(e-s)/2*logdet - f/2*trProdSym(P, &inv)
		if s == 1 {
			for a := range d {
				diff.SetVec(a, means.At(j, a)-p.MeanLoc[a])
			}
			q := mat.Inner(diff, &inv, diff)
			lp += -D/2*math.Log(2*math.Pi) + D/2*math.Log(kappa) - logdet/2 - kappa*q/2
		}
	}
	return lp
}

// trProdSym returns tr(a·b) for symmetric a and b.
func trProdSym(a, b *mat.SymDense) float64 {
	n := a.SymmetricDim()
	var s float64
	for i := range n {
		for j := range n {
			s += a.At(i, j) * b.At(j, i)
		}
	}
	return s
}

// correlation scales the symmetric d×d matrix a in place to its
// correlations, a_ij/√(a_ii a_jj), so that a test of its Cholesky factor
// does not depend on the columns' units, and reports whether its diagonal
// is positive.
func correlation(a []float64, d int) bool {
	for i := range d {
		if !(a[i*d+i] > 0) {
			return false
		}
	}
	for i := range d {
		for j := range d {
			if i != j {
				a[i*d+j] /= math.Sqrt(a[i*d+i]) * math.Sqrt(a[j*d+j])
			}
		}
	}
	for i := range d {
		a[i*d+i] = 1
	}
	return true
}

// priorConst returns the normalising constants of LogPrior: copies of
// log((ζ/2)^(ν0/2)/Γ(ν0/2)) for the inverse gammas, or of
// log(|Λ0|^(ν0/2) / (2^(ν0 d/2) Γ_d(ν0/2))) for the InverseWisharts.
func priorConst(m Model, p *Prior, k, d int) float64 {
	nu, D := p.DoF, float64(d)
	if m.spherical() {
		zeta := mat.Trace(p.Scale) / D
		lg, _ := math.Lgamma(nu / 2)
		c := nu/2*math.Log(zeta/2) - lg
		copies := map[Model]int{EII: 1, VII: k, EEI: d}[m]
		if copies == 0 { // VEI, EVI, VVI
			copies = k * d
		}
		return float64(copies) * c
	}
	var ch mat.Cholesky
	if !ch.Factorize(p.Scale) {
		return math.NaN()
	}
	c := nu/2*ch.LogDet() - nu*D/2*math.Ln2 - lmvgamma(d, nu/2)
	if m == EEE {
		return c
	}
	return float64(k) * c
}

// lmvgamma returns log Γ_d(a) = d(d−1)/4 log π + Σ_{j=1..d} log Γ(a + (1−j)/2).
func lmvgamma(d int, a float64) float64 {
	s := float64(d*(d-1)) / 4 * math.Log(math.Pi)
	for j := 1; j <= d; j++ {
		lg, _ := math.Lgamma(a + float64(1-j)/2)
		s += lg
	}
	return s
}
