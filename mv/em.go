package mv

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/internal/mvcov"
	"github.com/gmm-go/gmm/internal/mvkernel"
)

// degenerateTol is the smallest relative threshold of the test for
// degenerate components: a covariance with an eigenvalue below
// degenerateTol, once the data's columns are scaled to unit variance, is
// numerically singular (a standard deviation 1e-5 of the data's in some
// direction), which under maximum likelihood means the component has
// collapsed onto fewer points than it has dimensions or onto a subspace.
//
// Data rounded to a grid (iris's measurements are in steps of 0.1) also
// let a component collapse onto points that share a value in some
// direction, with a variance far below the grid's. With δ_j the smallest
// gap between distinct values of column j (on the screening sample) and
// var_j its variance, the threshold is raised to min_j δ_j²/(resolutionDiv
// · var_j): a spread of points over at least two grid values has a variance
// of order δ²/4 or more, and one that is tied in some direction has one
// many times below δ². For data with no grid, δ_j is tiny and the
// threshold stays at degenerateTol.
const (
	degenerateTol = 1e-10
	resolutionDiv = 100
)

// threshold returns the relative eigenvalue threshold for x with column
// variances scale (see degenerateTol).
func threshold(x mvkernel.Data, scale []float64) float64 {
	t := math.Inf(1)
	col := make([]float64, 0, x.N)
	for j := range x.D {
		col = col[:0]
		for i := range x.N {
			if v := x.X[i*x.Stride+j]; !math.IsNaN(v) {
				col = append(col, v)
			}
		}
		slices.Sort(col)
		gap := math.Inf(1)
		for i := 1; i < len(col); i++ {
			if g := col[i] - col[i-1]; g > 0 {
				gap = min(gap, g)
			}
		}
		if scale[j] > 0 && !math.IsInf(gap, 1) {
			t = min(t, gap*gap/(resolutionDiv*scale[j]))
		}
	}
	if math.IsInf(t, 1) {
		return degenerateTol
	}
	return max(t, degenerateTol)
}

// problem is one EM fit of a model to data, over a flat parameter vector
//
//	θ = (log w_1..log w_K, μ_1..μ_K, L_1..L_K),
//
// where L_k is the lower Cholesky factor of Σ_k stored by rows with its
// diagonal as logarithms, so that any θ gives valid parameters (the
// weights are the softmax of the first K values). Eval runs one pass at θ
// and keeps its statistics; Map writes the EM image of the last θ
// evaluated.
type problem struct {
	k, d  int
	cov   Covariance
	x     mvkernel.Data
	prior *mvcov.Prior // nil: maximum likelihood for the means and covariances
	alpha float64      // Dirichlet concentration
	scale []float64    // the data's column variances, for the degeneracy test
	tiny  float64      // the relative eigenvalue threshold of the test

	src      passer    // where a pass's statistics come from
	fx       *fixing   // the parameters the fit leaves as they are, or nil
	primed   []float64 // a θ whose statistics st holds already, or nil
	primeErr error     // the error of the pass that primed st
	kp       *mvkernel.Params
	st       *mvkernel.Stats
	cur      *params // the parameters of the last Eval (see lazyCov for its covariances)
	next     *params
	failed   bool    // the last Eval's θ had no Cholesky factor
	covStale bool    // cur's covariances are not yet set from factors (see lazyCov)
	mapErr   error   // why an M-step of this run found a covariance singular
	points   float64 // the data's total weight
	// mapIters, if positive, bounds the inner iterations of EVE's and
	// VVE's M-step in Map, and makes them, there and in Project, the
	// rotation sweeps alone, and bounds VEE's in Map and Project (see
	// selectMapIters); if 0, Map's M-step is exact.
	mapIters int

	proj     *params         // scratch for Project and Degenerate
	projSt   *mvkernel.Stats // scratch for Project
	ridgeBuf []float64
	scaled   *mat.SymDense // scratch for degenerate: a covariance scaled
	eig      mat.EigenSym  // and its eigenvalues
	eigVals  []float64

	// M-step buffers
	nk            []float64
	mean, means   *mat.Dense
	scatter, covs []*mat.SymDense
	prev          []*mat.SymDense
	ws            *mvcov.Workspace
	chol          []float64
	factors       []float64 // the Cholesky factors of the last Eval's θ, K·d·d
	logW, logDet  []float64 // and the logarithms of its weights and determinants
}

var _ engine.Resetter = (*problem)(nil)

func newProblem(k int, c Covariance, x mvkernel.Data, prior *mvcov.Prior, alpha float64, scale []float64, tiny float64) *problem {
	d := x.D
	pr := &problem{
		k: k, d: d, cov: c, x: x, prior: prior, alpha: alpha, scale: scale, tiny: tiny,
		src: &memPass{x: x, pass: mvkernel.NewPass(k, d)}, kp: mvkernel.NewParams(k, d), st: mvkernel.NewStats(k, d),
		cur: newParams(k, d), next: newParams(k, d),
		proj: newParams(k, d), projSt: mvkernel.NewStats(k, d), ridgeBuf: make([]float64, d*d),
		scaled: mat.NewSymDense(d, nil), eigVals: make([]float64, d),
		nk: make([]float64, k), mean: mat.NewDense(k, d, nil), means: mat.NewDense(k, d, nil),
		chol: make([]float64, d*d), factors: make([]float64, k*d*d), logW: make([]float64, k), logDet: make([]float64, k), points: totalWeight(x), ws: mvcov.NewWorkspace(k, d),
	}
	for range k {
		pr.scatter = append(pr.scatter, mat.NewSymDense(d, nil))
		pr.covs = append(pr.covs, mat.NewSymDense(d, nil))
		pr.prev = append(pr.prev, mat.NewSymDense(d, nil))
	}
	return pr
}

// Reset makes pr as new for another run on the same data (see
// engine.Resetter): it forgets the last θ evaluated, the statistics it
// primed and the run's M-step error, and clears the parameters and
// statistics it keeps between calls. The scratch that every call writes
// before reading it stays as it is.
func (pr *problem) Reset() {
	pr.primed, pr.primeErr, pr.failed, pr.mapErr, pr.covStale = nil, nil, false, nil, false
	pr.st.Reset()
	pr.projSt.Reset()
	for _, p := range []*params{pr.cur, pr.next, pr.proj} {
		p.clear()
	}
}

// Dim returns the length of θ.
func (pr *problem) Dim() int { return pr.k + pr.k*pr.d + pr.k*pr.d*(pr.d+1)/2 }

// Points returns the total weight of the data.
func (pr *problem) Points() float64 { return pr.points }

func totalWeight(x mvkernel.Data) float64 {
	if x.V == nil {
		return float64(x.N)
	}
	var s float64
	for _, v := range x.V {
		s += v
	}
	return s
}

// decode sets p from θ.
func (pr *problem) decode(theta []float64, p *params) { pr.decodeTo(theta, p, nil, true) }

// decodeTo sets p from θ and, if factors is not nil, factors (K·d·d) to the
// covariances' Cholesky factors L_k, row-major at k·d·d, pr.logW to the
// logarithms of the weights, θ_j − max θ − log Σ_m e^(θ_m − max θ), and
// pr.logDet to log det Σ_k = 2 Σ_a θ_(L_k)aa, from θ's own logarithms.
// Without withCov (and with factors) it leaves p's covariances as they
// are, for covProduct to set from the factors later.
func (pr *problem) decodeTo(theta []float64, p *params, factors []float64, withCov bool) {
	k, d := pr.k, pr.d
	mx := math.Inf(-1)
	for _, v := range theta[:k] {
		mx = max(mx, v)
	}
	var s float64
	for j, v := range theta[:k] {
		p.w[j] = math.Exp(v - mx)
		s += p.w[j]
	}
	for j := range p.w {
		p.w[j] /= s
	}
	if factors != nil {
		ls := math.Log(s)
		for j, v := range theta[:k] {
			pr.logW[j] = v - mx - ls
		}
	}
	copy(p.mean, theta[k:k+k*d])
	off := k + k*d
	l := pr.chol
	for j := range k {
		var logDet float64
		if factors != nil {
			l = factors[j*d*d : (j+1)*d*d]
		}
		clear(l)
		for a := range d {
			for b := 0; b <= a; b++ {
				v := theta[off]
				if a == b {
					logDet += 2 * v
					v = math.Exp(v)
				}
				l[a*d+b] = v
				off++
			}
		}
		if factors != nil {
			pr.logDet[j] = logDet
		}
		if withCov || factors == nil {
			covProduct(p.cov[j], l, d)
		}
	}
}

// covProduct sets the d×d covariance c to L Lᵀ, for L lower triangular.
func covProduct(c, l []float64, d int) {
	for a := range d {
		for b := 0; b <= a; b++ {
			var s float64
			for m := 0; m <= b; m++ {
				s += l[a*d+m] * l[b*d+m]
			}
			c[a*d+b], c[b*d+a] = s, s
		}
	}
}

// lazyCov reports whether Eval may leave the covariances of pr.cur unset
// until an M-step needs them (curCov): where the pass reads only the
// factors (the rows in memory, all observed), no prior reads them, and
// the model's M-step does not start from the previous covariances (VEE,
// EVE and VVE do). The M-step then reads them only for an empty component
// or a failed M-step, and most steps are spared the products L_k L_kᵀ.
func (pr *problem) lazyCov() bool {
	_, mem := pr.src.(*memPass)
	return mem && pr.prior == nil && !usesPrev(pr.cov)
}

// usesPrev reports whether the M-step of c starts from the previous
// covariances.
func usesPrev(c Covariance) bool { return c == VEE || c == EVE || c == VVE }

// curCov sets the covariances of pr.cur from the factors of the last Eval,
// if Eval left them unset (see lazyCov): the products decodeTo would have
// computed, bit for bit.
func (pr *problem) curCov() {
	if !pr.covStale {
		return
	}
	d := pr.d
	for j := range pr.k {
		covProduct(pr.cur.cov[j], pr.factors[j*d*d:(j+1)*d*d], d)
	}
	pr.covStale = false
}

// encode sets θ from p. A covariance with no numerical Cholesky factor is
// given the smallest ridge, in steps of a factor 10 from 1e-14 of each
// column's variance, that makes it positive definite; so θ is always
// valid, and Degenerate sees the singular component.
func (pr *problem) encode(p *params, theta []float64) {
	k, d := pr.k, pr.d
	for j, w := range p.w {
		theta[j] = math.Log(w)
	}
	copy(theta[k:], p.mean)
	off := k + k*d
	for j := range k {
		if !mvkernel.Factor(pr.chol, p.cov[j], d) {
			pr.ridge(p.cov[j])
		}
		for a := range d {
			for b := 0; b <= a; b++ {
				v := pr.chol[a*d+b]
				if a == b {
					v = math.Log(v)
				}
				theta[off] = v
				off++
			}
		}
	}
}

// ridge sets pr.chol to the Cholesky factor of c plus the smallest ridge
// that gives one (see encode), leaving c as it is. If no ridge up to the
// column variances themselves does, it uses the diagonal of the column
// variances alone.
func (pr *problem) ridge(c []float64) {
	d := pr.d
	r := pr.ridgeBuf
	for eps := 1e-14; eps <= 1; eps *= 10 {
		copy(r, c)
		for a := range d {
			for b := range d {
				if !finite(r[a*d+b]) {
					r[a*d+b] = 0
				}
			}
			r[a*d+a] = max(r[a*d+a], 0) + eps*pr.unit(a)
		}
		if mvkernel.Factor(pr.chol, r, d) {
			return
		}
	}
	clear(r)
	for a := range d {
		r[a*d+a] = pr.unit(a)
	}
	if !mvkernel.Factor(pr.chol, r, d) {
		clear(pr.chol)
		for a := range d {
			pr.chol[a*d+a] = 1
		}
	}
}

// Eval runs one pass at θ and returns the loss, the negative log joint
// density −log p(x, θ) with every normalising constant (the negative
// log-likelihood under maximum likelihood). It returns an error if ctx is
// done or the source of the statistics fails (a stream's bad chunk). A θ
// whose covariances have no numerical Cholesky factor gets the loss NaN,
// and Map then leaves it as it is.
func (pr *problem) Eval(ctx context.Context, theta []float64) (float64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := pr.primeErr; err != nil {
		return 0, err
	}
	if err := pr.setKernel(theta); err != nil {
		pr.failed = true
		return math.NaN(), nil
	}
	pr.failed = false
	if pr.primed == nil || !slices.Equal(pr.primed, theta) {
		if err := pr.src.run(ctx, pr.cur, pr.kp, pr.st); err != nil {
			return 0, err
		}
	}
	pr.primed = nil
	return -(pr.st.LogLik + pr.logPrior(pr.cur)), nil
}

// setKernel sets pr.cur from θ, with the fixed parameters, and the pass's
// parameters pr.kp from pr.cur: from the Cholesky factors and logarithms
// θ holds, unless some parameters are fixed, which replace θ's. It returns
// the error of kp's Set (a covariance with no Cholesky factor).
func (pr *problem) setKernel(theta []float64) error {
	if pr.fx != nil {
		pr.decode(theta, pr.cur)
		pr.fx.apply(pr.cur)
		return pr.kp.Set(pr.cur.w, pr.cur.mean, pr.cur.cov)
	}
	lazy := pr.lazyCov()
	pr.decodeTo(theta, pr.cur, pr.factors, !lazy)
	pr.covStale = lazy
	return pr.kp.SetFactor(pr.logW, pr.cur.mean, pr.factors, pr.logDet)
}

// prime runs the pass at θ ahead of the first Eval, which then uses its
// statistics, and returns its error.
func (pr *problem) prime(ctx context.Context, theta []float64) error {
	if err := pr.setKernel(theta); err != nil {
		return nil
	}
	if err := pr.src.run(ctx, pr.cur, pr.kp, pr.st); err != nil {
		return err
	}
	pr.primed = slices.Clone(theta)
	return nil
}

// logPrior returns the log prior density at p: the Dirichlet's, unless it
// is flat, and the Normal-InverseWishart's, if there is one.
func (pr *problem) logPrior(p *params) float64 {
	var lp float64
	if pr.alpha != 1 {
		a, fk := pr.alpha, float64(pr.k)
		g1, _ := math.Lgamma(fk * a)
		g2, _ := math.Lgamma(a)
		lp = g1 - fk*g2
		for _, w := range p.w {
			lp += (a - 1) * math.Log(w)
		}
	}
	if pr.prior != nil {
		pr.toMat(p, pr.means, pr.covs)
		lp += mvcov.LogPrior(mvcov.Model(pr.cov), pr.prior, pr.means, pr.covs)
	}
	return lp
}

// toMat copies p's means and covariances into gonum matrices.
func (pr *problem) toMat(p *params, means *mat.Dense, covs []*mat.SymDense) {
	d := pr.d
	for j := range pr.k {
		for a := range d {
			means.Set(j, a, p.mean[j*d+a])
			for b := a; b < d; b++ {
				covs[j].SetSym(a, b, p.cov[j][a*d+b])
			}
		}
	}
}

// Map writes the EM image of the last θ evaluated into dst: the weights,
// means and covariances that maximise the expected log joint given the
// responsibilities of the last pass (Dempster, Laird & Rubin 1977; the
// prior's terms as Fraley & Raftery 2007). A component that holds no
// points keeps its mean and covariance with weight 0; a covariance that is
// singular (under maximum likelihood) gets the smallest ridge that makes
// it positive definite, so that the run goes on and Degenerate then
// disqualifies it.
func (pr *problem) Map(dst []float64) {
	if pr.failed {
		pr.curCov()
		pr.encode(pr.cur, dst)
		return
	}
	pr.ws.OrientationIters, pr.ws.SweepsOnly, pr.ws.VolumeIters = pr.mapIters, pr.mapIters > 0, pr.mapIters
	pr.mstep(pr.st, pr.cur, pr.next)
	pr.ws.OrientationIters, pr.ws.SweepsOnly, pr.ws.VolumeIters = 0, false, 0
	pr.encode(pr.next, dst)
}

// Project makes θ obey the covariance model after the engine has mixed
// several θ. The engine's mixed points are affine combinations of points
// of the model (θ' = g − ΔG γ, or θ + η(g − θ)), so they keep every
// constraint that is affine in θ's coordinates: those of the diagonal
// models EII … VVI (zero off-diagonal entries of L_k, and logarithms of
// the variances that are sums of a volume's and a shape's), EEE's (one L
// for all components), EVV's (equal volumes, det Σ_k^(1/d), whose
// logarithm is (2/d) Σ_a log L_k,aa) and VVV, which has none; for these
// Project does nothing. For the others it replaces the covariances by the
// model's maximum-likelihood fit to them, one M-step with the scatters
// N_k Σ_k. The weights are left as they are. If that M-step fails, θ is
// set to NaN, whose loss is NaN, so that the engine refuses it.
//
// EVV's projection, the volumes made equal again, only undid the
// rounding of the mixing: on iris's four columns leaving it out moves
// every EVV candidate of Select's table by at most 7e-12 relative and
// saves about a fifth of their CPU time.
func (pr *problem) Project(theta []float64) {
	if pr.cov <= VVI || pr.cov == EEE || pr.cov == VVV || pr.cov == EVV {
		return
	}
	if !pr.project(theta, false) {
		// No projection: make θ one that Eval gives the loss NaN, which
		// the engine refuses.
		for i := range theta {
			theta[i] = math.NaN()
		}
	}
}

// project replaces θ's covariances by the model's maximum-likelihood fit
// to them, one M-step with the scatters N_k Σ_k, leaving the weights and
// means as they are, and reports whether the M-step succeeded. With
// shared, the M-step pools the covariances even for the models whose
// constraints mixing keeps. For EVE and VVE the M-step's inner iterations
// stop after projectIters, and for VEE after mapIters if it is set.
func (pr *problem) project(theta []float64, shared bool) bool {
	if !shared && (pr.cov <= VVI || pr.cov == EEE || pr.cov == VVV) {
		return true
	}
	pr.decode(theta, pr.proj)
	st := pr.projSt
	st.Total = 0
	d := pr.d
	for j := range pr.k {
		st.W[j] = pr.proj.w[j] * pr.Points()
		st.Total += st.W[j]
		copy(st.Mean[j*d:(j+1)*d], pr.proj.mean[j*d:(j+1)*d])
		for i, v := range pr.proj.cov[j] {
			st.M2[j*d*d+i] = st.W[j] * v
		}
	}
	saved, savedAlpha, savedErr := pr.prior, pr.alpha, pr.mapErr
	pr.prior, pr.alpha, pr.mapErr = nil, 1, nil
	pr.ws.OrientationIters, pr.ws.SweepsOnly, pr.ws.VolumeIters = projectIters, pr.mapIters > 0, pr.mapIters
	pr.mstep(st, pr.proj, pr.proj)
	pr.ws.OrientationIters, pr.ws.SweepsOnly, pr.ws.VolumeIters = 0, false, 0
	ok := pr.mapErr == nil
	pr.prior, pr.alpha, pr.mapErr = saved, savedAlpha, savedErr
	if ok {
		pr.encode(pr.proj, theta)
	}
	return ok
}

// projectIters bounds the inner iterations of EVE's and VVE's M-step in
// project. A projected θ needs only to obey the model near the mixed θ:
// the engine keeps it only if its loss is no higher than the last one's.
// One iteration, from the orientation of the first mixed covariance, gives a
// point at a quarter of the cost of the exact M-step (about four
// iterations); on iris's four columns every candidate of Select's table
// reaches the same fit with one as with the exact M-step.
const projectIters = 1

// Degenerate returns an error naming the first component of θ that is
// empty under maximum likelihood, or whose covariance is nearly singular
// relative to the data's scale (see degenerateTol), or the error of an
// M-step of the run that found a covariance singular; otherwise nil. A
// problem serves one run, so that error belongs to it.
func (pr *problem) Degenerate(theta []float64) error {
	if pr.mapErr != nil {
		return pr.mapErr
	}
	pr.decode(theta, pr.proj)
	return pr.degenerate(pr.proj)
}

// emptyTol is the share of the data's weight below which a component
// counts as empty: its mean and covariance are then left as they are.
const emptyTol = 1e-12

// mstep sets next from the statistics st taken at the parameters cur;
// next may be cur. A component that holds (almost) no weight enters the
// model's M-step with the weight emptyTol·n, its current mean and the
// scatter of its current covariance, so that it keeps them where they are
// its own (and shares the others' where the model shares them), with
// weight (W_k + α − 1)/(n + K(α − 1)), which is 0 under maximum
// likelihood. If the model's M-step finds a covariance singular, see
// collapse.
func (pr *problem) mstep(st *mvkernel.Stats, cur, next *params) {
	k, d := pr.k, pr.d
	fk := float64(k)
	usePrev := usesPrev(pr.cov)
	if cur == pr.cur && pr.covStale && (usePrev || slices.ContainsFunc(st.W, func(w float64) bool { return !(w > emptyTol*st.Total) })) {
		pr.curCov()
	}
	// The gonum matrices are written and read through their raw data: the
	// means row by row, the symmetric matrices by their upper triangles.
	mean := pr.mean.RawMatrix()
	for j := range k {
		nk := st.W[j]
		empty := !(nk > emptyTol*st.Total)
		m2 := st.M2[j*d*d : (j+1)*d*d]
		pr.nk[j] = nk
		if empty {
			pr.nk[j] = emptyTol * st.Total
		}
		scatter, prev := pr.scatter[j].RawSymmetric(), pr.prev[j].RawSymmetric()
		for a := range d {
			m := st.Mean[j*d+a]
			if empty {
				m = cur.mean[j*d+a]
			}
			mean.Data[j*mean.Stride+a] = m
			for b := a; b < d; b++ {
				v := m2[a*d+b]
				if empty {
					v = pr.nk[j] * cur.cov[j][a*d+b]
				}
				scatter.Data[a*scatter.Stride+b] = v
				if usePrev {
					prev.Data[a*prev.Stride+b] = cur.cov[j][a*d+b]
				}
			}
		}
		next.w[j] = max(0, (max(nk, 0)+pr.alpha-1)/(st.Total+fk*(pr.alpha-1)))
	}
	if pr.fx != nil && pr.fx.Covariances {
		pr.meansGivenCovs(next)
		pr.fx.apply(next)
		return
	}
	if pr.fx != nil && pr.fx.Means {
		pr.fixMeans()
	}
	err := mvcov.MStep(mvcov.Model(pr.cov), pr.prior, pr.nk, pr.mean, pr.scatter, pr.prev, pr.means, pr.covs, pr.ws)
	if err != nil {
		pr.collapse(err, cur, next)
		return
	}
	means := pr.means.RawMatrix()
	for j := range k {
		cov := pr.covs[j].RawSymmetric()
		c := next.cov[j]
		for a := range d {
			next.mean[j*d+a] = means.Data[j*means.Stride+a]
			for b := a; b < d; b++ {
				v := cov.Data[a*cov.Stride+b]
				c[a*d+b], c[b*d+a] = v, v
			}
		}
	}
	pr.fx.apply(next)
}

// collapse sets next after an M-step that failed with err: it leaves the
// parameters as they are, so that the run stops, and records err for
// Degenerate, which disqualifies the run.
func (pr *problem) collapse(err error, cur, next *params) {
	if cur == pr.cur {
		pr.curCov()
	}
	next.copyFrom(cur)
	if pr.mapErr == nil {
		pr.mapErr = fmt.Errorf("mv: %s", strings.TrimPrefix(err.Error(), "mvcov: "))
	}
}

// unit returns the variance of column a, or 1 if it is 0.
func (pr *problem) unit(a int) float64 {
	if s := pr.scale[a]; s > 0 && !math.IsInf(s, 0) {
		return s
	}
	return 1
}

// allPD reports whether every covariance of p has a Cholesky factor.
func (pr *problem) allPD(p *params) bool {
	for _, c := range p.cov {
		if !mvkernel.Factor(pr.chol, c, pr.d) {
			return false
		}
	}
	return true
}

// clearlyRegular reports whether the covariance c, its columns scaled to
// unit variance (R = S⁻¹ c S⁻¹, S the diagonal of the columns' standard
// deviations), has its smallest eigenvalue above the degeneracy threshold
// with a margin: whether R − 2·tiny·I has a Cholesky factor. A symmetric
// matrix has one if and only if it is positive definite, and the factor's
// rounding errors, of order d·ε·‖R‖ (Higham 2002, "Accuracy and Stability
// of Numerical Algorithms", section 10.1), are far below the margin tiny ≥
// 1e-10 for the covariances of standardised data, so that a success
// proves λ_min(R) > tiny. It costs one d×d Cholesky factorisation where an
// eigendecomposition costs a few sweeps and allocations; degenerate then
// computes the eigenvalues only of a covariance it does not clear, nearly
// singular or not, so that its verdicts are those of the eigenvalues.
func (pr *problem) clearlyRegular(c []float64) bool {
	d := pr.d
	r := pr.ridgeBuf
	for a := range d {
		for b := 0; b <= a; b++ {
			r[a*d+b] = c[a*d+b] / math.Sqrt(pr.unit(a)*pr.unit(b))
		}
		r[a*d+a] -= 2 * pr.tiny
	}
	return mvkernel.Factor(pr.chol, r, d)
}

// degenerate returns an error naming the first component of p whose
// covariance is nearly singular relative to the data's scale (see
// degenerateTol), or nil.
func (pr *problem) degenerate(p *params) error {
	d := pr.d
	r, eig := pr.scaled, &pr.eig
	for j := range pr.k {
		if pr.prior == nil && !(p.w[j] > emptyTol) {
			return fmt.Errorf("mv: component %d is empty under maximum likelihood; use fewer components, or a prior (Prior: DefaultPrior(x, K))", j)
		}
		singular := !pr.clearlyRegular(p.cov[j])
		if singular {
			for a := range d {
				for b := a; b < d; b++ {
					r.SetSym(a, b, p.cov[j][a*d+b]/math.Sqrt(pr.unit(a)*pr.unit(b)))
				}
			}
			// Values panics after a failed factorisation: it is read
			// only after a successful one.
			singular = !eig.Factorize(r, false) || !(eig.Values(pr.eigVals)[0] > pr.tiny)
		}
		if singular && pr.prior != nil {
			return fmt.Errorf("mv: the covariance of component %d is numerically singular even under the prior; scale the data, or give the prior a larger Scale", j)
		} else if singular {
			return fmt.Errorf("mv: the covariance of component %d is singular under maximum likelihood (the component holds %.3g points' weight in %d dimensions, or its points lie on a line, a plane or a few repeated values); use a prior (Prior: DefaultPrior(x, K)), fewer components, or a more constrained covariance model than %v",
				j, p.w[j]*pr.Points(), d, pr.cov)
		}
	}
	return nil
}
