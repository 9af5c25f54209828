package mvcov

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// The inner iterations of VEI, VEV, VEE, EVE and VVE stop when no parameter
// changes by more than tolInner relative to its value (for an orientation
// matrix, whose entries are at most 1 in magnitude, absolutely), for EVE
// and VVE also when their criterion is flat (tolFlat), or after maxInner
// iterations. Each iteration raises the objective, so stopping
// early still leaves an M-step that raises it (a generalised EM step).
const (
	tolInner = 1e-13
	maxInner = 1000
)

// The MM iterations of EVE and VVE also stop when their criterion falls by
// no more than tolFlat relative, a few ulps: the objective can then no
// longer tell the orientations apart.
const tolFlat = 1e-15

// singularRatio is the squared ratio of the smallest to the largest
// diagonal entry of a covariance's Cholesky factor (or of the smallest to
// the largest variance of a shared shape) at or below which MStep calls the
// covariance singular. The scatter of exactly collinear columns, or of fewer
// points than dimensions, is singular up to rounding, which leaves that
// ratio at a few ulps for a handful of points and at most about n·ε for n
// points; 1e-10 catches these up to n ≈ 4·10⁵ and accepts every covariance
// whose standard deviations differ by less than a factor 10⁵ in all
// directions, far beyond what standardised data give.
const singularRatio = 1e-10

// Workspace holds the scratch memory of MStep for k components in d
// dimensions, so that MStep allocates nothing. A Workspace is for one
// goroutine at a time.
type Workspace struct {
	k, d int
	// Inner is the number of inner iterations of the last MStep (0 for
	// the closed forms).
	Inner int
	// OrientationIters, if positive, bounds the inner iterations of EVE
	// and VVE, for a caller that needs a valid covariance of the model
	// near the given one rather than the exact M-step: each iteration
	// raises the objective and ends on covariances of the model.
	OrientationIters int
	// VolumeIters, if positive, bounds the inner iterations of VEE (the
	// alternating updates of the volumes and of the shared C), for a
	// caller that, as for OrientationIters, needs a covariance of the
	// model that raises the objective rather than the exact M-step: each
	// iteration maximises it over C given the volumes and then over the
	// volumes given C.
	VolumeIters int
	// SweepsOnly, if set, makes each inner iteration of EVE and VVE the
	// sweep of plane rotations alone, without the two MM steps before it:
	// a cheaper step that still raises the objective, for a caller that
	// bounds the iterations by OrientationIters. Run to convergence, the
	// sweeps alone settle the covariances only to about 2e-9 relative.
	SweepsOnly bool

	c, t, cov, mu  []float64 // counts K, scatters K·d·d, results K·d·d, means K·d
	vec, val, amax []float64 // eigenvectors K·d·d, eigenvalues K·d, largest eigenvalues K
	sh, sh0        []float64 // shapes or variances K·d, and their previous values
	scl, scl0      []float64 // volumes K, and their previous values
	o, o0          []float64 // an orientation d·d, and its previous value
	m1, m2, u, vt  []float64 // d·d scratch
	sm             []float64 // d·d scratch of the Jacobi methods (small.go)
	sv, pd         []float64 // d scratch; the prior's scale P (d·d)
	js, jv, jw     []float64 // K scratch of the plane rotations
	work           []float64
}

// NewWorkspace returns the scratch memory of MStep for k components in d
// dimensions. It panics if k or d is below 1.
func NewWorkspace(k, d int) *Workspace {
	if k < 1 || d < 1 {
		panic(fmt.Sprintf("mvcov: NewWorkspace(%d, %d): k and d must be at least 1", k, d))
	}
	dd := d * d
	f := func(n int) []float64 { return make([]float64, n) }
	ws := &Workspace{k: k, d: d,
		c: f(k), t: f(k * dd), cov: f(k * dd), mu: f(k * d),
		vec: f(k * dd), val: f(k * d), amax: f(k),
		sh: f(k * d), sh0: f(k * d), scl: f(k), scl0: f(k),
		o: f(dd), o0: f(dd), m1: f(dd), m2: f(dd), u: f(dd), vt: f(dd), sm: f(dd),
		sv: f(d), pd: f(dd), js: f(k), jv: f(k), jw: f(k),
	}
	// Ask LAPACK for the optimal work lengths of Dsyev and Dgesvd.
	q := make([]float64, 1)
	lapack64.Syev(lapack.EVCompute, symView(ws.m1, d), ws.sv, q, -1)
	n := int(q[0])
	lapack64.Gesvd(lapack.SVDAll, lapack.SVDAll, genView(ws.m1, d), genView(ws.u, d), genView(ws.vt, d), ws.sv, q, -1)
	ws.work = f(max(n, int(q[0]), 5*d, 3*d))
	return ws
}

// SingularError reports that an M-step would give a singular covariance,
// which happens under maximum likelihood when a component holds fewer points
// than dimensions, repeated points or collinear columns.
type SingularError struct {
	Model     Model
	Component int  // the component, counting from 0; −1 when all are singular together
	Empty     bool // the component holds no weight at all
}

func (e *SingularError) Error() string {
	switch {
	case e.Empty:
		return fmt.Sprintf("mvcov: component %d holds no weight, so its mean and covariance are undefined: use fewer components, or a prior", e.Component)
	case e.Component < 0:
		return fmt.Sprintf("mvcov: the %v covariance is singular in every component (the data have too few distinct points or collinear columns): remove collinear columns, or use a prior", e.Model)
	}
	return fmt.Sprintf("mvcov: the %v covariance of component %d is singular (it holds fewer points than dimensions, repeated points or collinear columns): use a prior, fewer components, or a model that pools the components, such as %s",
		e.Model, e.Component, pooled(e.Model))
}

// pooled names a model whose covariance is shared by all components and
// keeps the form of m's: it is singular only when the whole data are.
func pooled(m Model) string {
	switch {
	case m.shape() == 'I':
		return "EII"
	case m.orientation() == 'I':
		return "EEI"
	}
	return "EEE"
}

// shared reports whether all components have the same covariance.
func (m Model) shared() bool { return m == EII || m == EEI || m == EEE }

// MStep sets means (K×d) and covs (K matrices d×d) to the maximiser of the
// expected complete-data log-likelihood plus the log prior,
//
//	Σ_k [ −N_k/2 log|Σ_k| − tr(Σ_k⁻¹ S_k(μ_k))/2 ] + LogPrior(m, p, μ, Σ),
//
// over the means and the covariances Σ_k = λ_k D_k A_k D_kᵀ of model m, where
// S_k(μ) = Σ_i r_ik (x_i − μ)(x_i − μ)ᵀ. Its inputs are the statistics of one
// E-step: N[k] = Σ_i r_ik, the row k of mean x̄_k = Σ_i r_ik x_i / N_k and
// scatter[k] = W_k = S_k(x̄_k); the N_k need not be integers.
//
// The mean is x̄_k, or under a prior with κ0 > 0 the posterior mean
// (N_k x̄_k + κ0 μ0)/(N_k + κ0). The covariances are the maximum-likelihood
// M-step of model m with counts c_k and scatters T_k (c_k = N_k and T_k = W_k
// without a prior; Prior gives them with one): Celeux & Govaert (1995) in closed form for
// EII, VII, EEI, EVI, VVI, EEE, EEV, EVV and VVV, by their fixed-point
// iterations for VEI and VEV, and for VEE; for the orientation of EVE and
// VVE by the MM algorithms of Browne & McNicholas (2014) alternated with
// sweeps of plane rotations (Flury & Gautschi 1986). prev, if it holds K
// positive definite matrices, are the previous covariances: they start the
// iterations of VEE, EVE and VVE (otherwise these start, as mclust, from unit
// volumes and shapes and the identity orientation).
//
// MStep returns a *SingularError, and leaves means and covs unchanged, when a
// covariance would be singular: Dsyev's or Dpotrf's failure, or a squared
// ratio of the smallest to the largest diagonal entry of its Cholesky factor
// at most 1e-10 (singularRatio says why). It returns an error for a
// prior that Prior.Check rejects or for negative or non-finite N. It panics
// if the dimensions of the arguments do not match ws.
func MStep(m Model, p *Prior, N []float64, mean *mat.Dense, scatter []*mat.SymDense, prev []*mat.SymDense,
	means *mat.Dense, covs []*mat.SymDense, ws *Workspace) error {
	ws.checkDims(m, N, mean, scatter, means, covs)
	if err := p.check(ws); err != nil {
		return err
	}
	ws.Inner = 0
	if err := ws.stats(m, p, N, mean, scatter); err != nil {
		return err
	}
	if err := ws.solve(m, prev); err != nil {
		return err
	}
	if err := ws.checkSingular(m); err != nil {
		return err
	}
	ws.store(means, covs)
	return nil
}

func (ws *Workspace) checkDims(m Model, N []float64, mean *mat.Dense, scatter []*mat.SymDense, means *mat.Dense, covs []*mat.SymDense) {
	k, d := ws.k, ws.d
	if !m.Valid() {
		panic(fmt.Sprintf("mvcov: invalid model %d", int(m)))
	}
	if len(N) != k || len(scatter) != k || len(covs) != k {
		panic("mvcov: N, scatter and covs must have one entry per component of the workspace")
	}
	for _, a := range []*mat.Dense{mean, means} {
		if r, c := a.Dims(); r != k || c != d {
			panic("mvcov: mean and means must be K×d")
		}
	}
	for i := range k {
		if scatter[i].SymmetricDim() != d {
			panic("mvcov: each scatter must be d×d")
		}
		if covs[i] == nil {
			panic("mvcov: covs has a nil matrix")
		}
		if !covs[i].IsEmpty() && covs[i].SymmetricDim() != d {
			panic("mvcov: each cov must be d×d or empty")
		}
	}
}

// stats sets the counts c_k, the scatters T_k and the means of the M-step.
func (ws *Workspace) stats(m Model, p *Prior, N []float64, mean *mat.Dense, scatter []*mat.SymDense) error {
	k, d, dd := ws.k, ws.d, ws.d*ws.d
	prior := !p.IsZero()
	var e, f, kappa, s float64
	if prior {
		kappa = p.MeanShrinkage(m)
		if kappa > 0 {
			s = 1
		}
		e, f = priorShare(m, k, d, p.DoF, s)
		ws.priorScale(m, p)
	}
	for j := range k {
		n := N[j]
		if !(n >= 0) || math.IsInf(n, 0) {
			return fmt.Errorf("mvcov: the weight of component %d is %v: give finite weights ≥ 0", j, n)
		}
		if n == 0 && (!prior || kappa == 0) {
			return &SingularError{Model: m, Component: j, Empty: true}
		}
		mu, t := ws.mu[j*d:(j+1)*d], ws.t[j*dd:(j+1)*dd]
		raw := scatter[j].RawSymmetric()
		for a := range d {
			for b := a; b < d; b++ {
				v := raw.Data[a*raw.Stride+b]
				t[a*d+b], t[b*d+a] = v, v
			}
		}
		if n > 0 {
			copy(mu, mean.RawRowView(j))
		}
		ws.c[j] = n
		if !prior {
			continue
		}
		ws.c[j] = n + e
		// B_k = κ0 N_k/(N_k+κ0) (x̄_k−μ0)(x̄_k−μ0)ᵀ; the mean moves to μ̃_k.
		if kappa > 0 {
			w := kappa * n / (n + kappa)
			for a := range d {
				if n == 0 {
					mu[a] = p.MeanLoc[a]
					continue
				}
				da := mu[a] - p.MeanLoc[a]
				for b := range d {
					t[a*d+b] += w * da * (mu[b] - p.MeanLoc[b])
				}
			}
			if n > 0 {
				for a := range d {
					mu[a] = (n*mu[a] + kappa*p.MeanLoc[a]) / (n + kappa)
				}
			}
		}
		for i, v := range ws.pd {
			t[i] += f * v
		}
	}
	if !allFinite(ws.t) {
		return fmt.Errorf("mvcov: a scatter matrix has a non-finite entry: give finite statistics")
	}
	if !allFinite(ws.mu) {
		return fmt.Errorf("mvcov: a mean has a non-finite entry: give finite statistics")
	}
	return nil
}

// allFinite reports whether every value of v is finite, without a branch
// per value: x·0 is 0 for a finite x and NaN for ±Inf and NaN, and a sum
// with a NaN term is NaN.
func allFinite(v []float64) bool {
	var s float64
	for _, x := range v {
		s += x * 0
	}
	return s == 0
}

// priorScale sets ws.pd to the prior's P: Λ0, or ζI with ζ = tr(Λ0)/d for
// the spherical and diagonal models.
func (ws *Workspace) priorScale(m Model, p *Prior) {
	d := ws.d
	raw := p.Scale.RawSymmetric()
	for a := range d {
		for b := a; b < d; b++ {
			v := raw.Data[a*raw.Stride+b]
			ws.pd[a*d+b], ws.pd[b*d+a] = v, v
		}
	}
	if !m.spherical() {
		return
	}
	z := trace(ws.pd, d) / float64(d)
	for i := range ws.pd {
		ws.pd[i] = 0
	}
	for a := range d {
		ws.pd[a*d+a] = z
	}
}

// checkSingular tests each covariance; it names the first singular
// component, or −1 when all are singular.
func (ws *Workspace) checkSingular(m Model) error {
	dd := ws.d * ws.d
	first, count := -1, 0
	for j := range ws.k {
		var singular bool
		if j > 0 && m.shared() {
			// The components' covariances are the first's, bit for bit.
			singular = count > 0
		} else {
			rcond, ok := ws.rcond(ws.cov[j*dd:(j+1)*dd], m.orientation() == 'I')
			singular = !ok || !(rcond > singularRatio)
		}
		if singular {
			if first < 0 {
				first = j
			}
			count++
		}
	}
	if count == 0 {
		return nil
	}
	if count == ws.k || m.shared() {
		first = -1
	}
	return &SingularError{Model: m, Component: first}
}

// store copies the means and covariances out of the workspace.
func (ws *Workspace) store(means *mat.Dense, covs []*mat.SymDense) {
	d, dd := ws.d, ws.d*ws.d
	for j := range ws.k {
		copy(means.RawRowView(j), ws.mu[j*d:(j+1)*d])
		if covs[j].IsEmpty() {
			covs[j].ReuseAsSym(d)
		}
		raw := covs[j].RawSymmetric()
		c := ws.cov[j*dd : (j+1)*dd]
		for a := range d {
			for b := a; b < d; b++ {
				raw.Data[a*raw.Stride+b] = 0.5 * (c[a*d+b] + c[b*d+a])
			}
		}
	}
}
