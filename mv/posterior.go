package mv

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mcmc"
	"github.com/gmm-go/gmm/internal/mvkernel"
	"github.com/gmm-go/gmm/internal/mvpost"
)

// Inference selects how Posterior explores the posterior.
type Inference int

const (
	// Gibbs is Markov chain Monte Carlo by Gibbs sampling, with the labels
	// as auxiliary variables: exact in the limit of many draws.
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

	// StickBreaking replaces the Dirichlet prior on the weights by the
	// truncated stick-breaking prior of a Dirichlet process with
	// concentration α = Prior.Concentration (Ishwaran & James 2001; Blei &
	// Jordan 2006), as scikit-learn's BayesianGaussianMixture offers with
	// weight_concentration_prior_type='dirichlet_process':
	//
	//	w_k = v_k Π_{j<k} (1 − v_j),   v_k ~ Beta(1, α) for k < K,   v_K = 1.
	//
	// A small α leaves the later components nearly empty. It applies to
	// Gibbs and VB alike.
	StickBreaking bool

	// Weights are the rows' sample weights, one per row, each finite and
	// non-negative, not all zero; nil means all 1. Rows of weight 0 are
	// removed first, so they give the posterior without them, bit for
	// bit. VB counts a row of weight v as v rows in every sum, and its
	// starting partitions weigh the rows (see Settings.Weights): the
	// copies of a row share one optimal q(z), so for integer weights,
	// from each start, the approximation is that of the rows written out,
	// up to the rounding of the sums (with several Chains, two starts
	// that reach one optimum with the components in another order tie up
	// to that rounding, and which is kept can differ). Gibbs takes no
	// other weights than 0 and 1: it draws one label per row, and a row of
	// weight 2 is not two rows each with its own label, so there is no
	// exact weighted sampler; Posterior returns an error for it, saying to
	// use VB or to write the rows out.
	Weights []float64
}

const (
	defaultChains  = 4
	defaultDraws   = 1000
	defaultWarmup  = 1000
	minDraws       = 10
	defaultVBSteps = 5000
	// maxPosteriorWeight bounds the total weight Posterior takes: 2^53,
	// beyond which a sum of the weights no longer changes by 1.
	maxPosteriorWeight = 1 << 53
	defaultVBTol       = 1e-12
	maxPosteriorLen    = 1 << 28
	// maxScaleCond bounds the condition number of the prior's Scale: a
	// matrix beyond it keeps fewer than 4 of float64's 16 digits in its
	// smallest direction, and covariances drawn about it can be singular
	// to rounding.
	maxScaleCond = 1e12
)

// Posterior holds draws from the posterior of a mixture's parameters given
// the data, p(w, μ, Σ | x), with the labels z summed out, or for VB from its
// variational approximation.
//
// Weights, Means and Covariances are indexed [draw][component]: the draws
// of each chain in turn, Draws of them per chain, Chains × Draws in all.
// Labels are consistent across draws and chains (see Model.Posterior), and
// the components are numbered in increasing order of their posterior mean
// of μ, compared column by column. Under the Tied model the covariances of
// a draw are one matrix, shared by its components.
type Posterior struct {
	// Method is the inference used, Covariance the model, Prior the prior
	// and StickBreaking its weights' form.
	Method        Inference
	Covariance    Covariance
	Prior         Prior
	StickBreaking bool
	// Chains and Draws are the number of chains and of draws per chain.
	Chains, Draws int

	Weights     [][]float64       // [draw][k]
	Means       [][][]float64     // [draw][k][j]
	Covariances [][]*mat.SymDense // [draw][k]

	// ELBO holds, for VB, the evidence lower bound
	// log p(x) − KL(q ‖ p(w, μ, Σ, z | x)) after each step of the coordinate
	// ascent that was kept; it never decreases. It is nil for Gibbs.
	ELBO []float64

	// Warnings says what to distrust: a parameter whose R̂ exceeds 1.01 or
	// whose bulk ESS is below 400 (Vehtari et al. 2021), or a VB fit that
	// ran out of steps. As in the root package, it says that K may be
	// larger than the data need, rather than that the chains should run
	// longer, when a component is nearly empty in many draws (less than
	// one point's worth of weight, n·w_k < 1, in more than 10% of them),
	// when Gibbs chains sit in different modes (the means of a parameter
	// in two chains differ by more than 4 of its standard deviations), or
	// when, with R̂ or ESS out of bounds, two components form a single
	// peak in more than 10% of the draws: each mean within Mahalanobis
	// distance 2 of the other under both covariances,
	// (μ_j − μ_k)ᵀ Σ⁻¹ (μ_j − μ_k) ≤ 4 for Σ = Σ_j and Σ_k, which is
	// Behboodian's (1970) |μ_j − μ_k| ≤ 2·min(σ_j, σ_k) in one dimension. It
	// is empty when there is nothing to report.
	Warnings []string

	rhat, ess Params
	occupied  []int32 // for Gibbs, the components holding data in each draw
}

// Params holds one number for each parameter of a K-component mixture in d
// dimensions: Weights[k], Means[k][j] and Covariances[k][i][j] (symmetric,
// so [k][i][j] and [k][j][i] are the same number).
type Params struct {
	Weights     []float64
	Means       [][]float64
	Covariances [][][]float64
}

// Posterior samples the posterior distribution of the mixture's weights,
// means and covariances given the rows of x, under m.Prior with m.K
// components and the covariance model m.Covariance, by Gibbs sampling (the
// default) or variational Bayes. It needs only K, Covariance and a proper
// Prior: m need not be fitted, and is not changed.
//
// The prior is the conjugate one of Prior's doc comment (Fraley & Raftery
// 2007), with the InverseWishart density
//
//	IW(Σ; ν0, Λ0) ∝ |Σ|^(−(ν0+d+1)/2) exp(−tr(Λ0 Σ⁻¹)/2),   so E[Σ] = Λ0/(ν0 − d − 1),
//
// for the four covariance models that scikit-learn also has: Full (VVV),
// an InverseWishart on each Σ_k; Tied (EEE), one on the shared Σ; Diagonal
// (VVI), an InverseGamma(ν0/2, ζ/2) on each variance σ_kj²; Spherical
// (VII), one on each σ_k² with Σ_k = σ_k² I; ζ = tr(Λ0)/d. In every model
// μ_k | Σ_k ~ Normal(μ0, Σ_k/κ0). A Gibbs sweep (Diebolt & Robert 1994)
// draws
//
//	z_i | w, μ, Σ     P(z_i = k) ∝ w_k N(x_i | μ_k, Σ_k)
//	w | z             Dirichlet(α + n_1, …, α + n_K)
//	Σ_k | z           InverseWishart(ν0 + n_k, Λ0 + C_k)          (Full; the others likewise)
//	μ_k | Σ_k, z      Normal(m_k, Σ_k/κ_k)
//
// with n_k the points labelled k, x̄_k their mean and W_k their scatter
// about it, κ_k = κ0 + n_k, m_k = (κ0 μ0 + n_k x̄_k)/κ_k and
// C_k = W_k + κ0 n_k/κ_k (x̄_k − μ0)(x̄_k − μ0)ᵀ; InverseWishart variates are
// drawn by Bartlett's decomposition. s.Chains chains run in parallel, each
// with its own random stream, for s.Warmup sweeps that are discarded and
// s.Draws that are kept. Each starts from the best, by log p(x, z) with
// the parameters integrated out, of 10 k-means++ partitions of the
// whitened data.
//
// As in the root package, the draws are relabelled by the
// equivalence-classes representatives (ECR) algorithm of Papastamoulis &
// Iliopoulos (2010) against the allocation of highest posterior density
// found in warm-up, and the components are then numbered by their
// posterior mean.
//
// VB is mean-field coordinate ascent (Bishop 2006, ch. 10) on
// q(z) q(w) Π_k q(μ_k, Σ_k), each factor set in turn to its optimum given
// the others, so the evidence lower bound never decreases; every factor
// is conjugate. It runs from s.Chains starting points in parallel and
// keeps the fit with the highest ELBO; Chains·Draws independent draws from
// it fill the result. Mean-field VB understates the posterior spread when
// the labels are uncertain, as they are when components overlap.
//
// The data are centred on their column means inside, and the prior's
// μ0 with them, which leaves the posterior unchanged and the sums
// accurate.
//
// Posterior returns an error if x is empty or has a value that is not
// finite, if m.K < 1, if the Covariance is not one of the four, if the
// prior is invalid for x's columns, if it is the zero Prior or has
// Shrinkage 0 (the posterior is then improper: an empty component's mean
// has no distribution; set one, for example DefaultPrior(x, K)), for
// a Scale whose condition number exceeds 1e12, negative settings, fewer
// than 10 draws per chain or more draws than memory can hold, invalid
// weights (negative, NaN or infinite, all zero, not one per row, or
// summing to more than 2^53) or
// weights other than 0 and 1 for Gibbs (see PosteriorSettings.Weights),
// and if a draw of a covariance overflows (a prior far wider than the
// data). It modifies neither m nor x nor the weights. Unlike Fit, it
// accepts a Concentration below 1.
func (m *Model) Posterior(x mat.Matrix, s *PosteriorSettings) (*Posterior, error) {
	return m.PosteriorContext(context.Background(), x, s)
}

// PosteriorContext is Posterior with a context. If ctx is cancelled while
// it runs, PosteriorContext returns ctx.Err(); every chain, and every VB
// fit, checks ctx before each sweep or step, one pass over the data, so it
// stops within about one pass.
func (m *Model) PosteriorContext(ctx context.Context, x mat.Matrix, s *PosteriorSettings) (*Posterior, error) {
	var cfg PosteriorSettings
	if s != nil {
		cfg = *s
	}
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	if m.K < 1 {
		return nil, fmt.Errorf("mv: K is %d; set the number of components to 1 or more", m.K)
	}
	form, err := formOf(m.Covariance)
	if err != nil {
		return nil, err
	}
	data, err := checkData(x)
	if err != nil {
		return nil, err
	}
	if err := checkWeights(cfg.Weights, data.N); err != nil {
		return nil, err
	}
	var total float64
	for _, v := range cfg.Weights {
		total += v
	}
	if total > maxPosteriorWeight {
		return nil, fmt.Errorf("mv: the weights sum to %.3g, more than 2^53 (%.3g): the posterior's sums cannot then tell a row of weight 1 from none; give weights of a smaller total (dividing every weight by the same factor gives the posterior of proportionally less data)", total, float64(maxPosteriorWeight))
	}
	data.V = cfg.Weights
	data = dropUnweighted(data)
	if data.V != nil && cfg.Method == Gibbs {
		return nil, errors.New("mv: Gibbs sampling takes no weights other than 0 and 1: it draws one label per row, so a row of weight v is not v rows to it; use Method: mv.VB, which counts a weight as copies exactly, or write each row out v times (for integer weights)")
	}
	n, d := standsFor(data.V, data.N), data.D
	if err := m.Prior.Validate(d); err != nil {
		return nil, err
	}
	if !m.Prior.hasNIW() || m.Prior.Shrinkage == 0 {
		return nil, errors.New("mv: the posterior needs a proper prior, with Scale, DoF and a positive Shrinkage: without them an empty component's mean and covariance have no distribution; set Model.Prior, for example to DefaultPrior(x, K)")
	}
	var sc mat.Cholesky
	if ok := sc.Factorize(m.Prior.Scale); !ok || !(sc.Cond() <= maxScaleCond) {
		cond := math.Inf(1)
		if ok {
			cond = sc.Cond()
		}
		return nil, fmt.Errorf("mv: the prior's Scale is nearly singular (condition number %.3g, above %g), as DefaultPrior's is for data with fewer rows than columns or collinear columns, and the covariances drawn from it would be too: give a well-conditioned Scale, such as a diagonal one", cond, maxScaleCond)
	}
	if lim := maxPosteriorLen / (m.K * (1 + d + d*d)); cfg.Chains > lim || cfg.Draws > lim/cfg.Chains {
		return nil, fmt.Errorf("mv: %d chains of %d draws of %d components in %d dimensions are too many to hold; ask for fewer draws", cfg.Chains, cfg.Draws, m.K, d)
	}
	u, centre := centred(data)
	pr := internalPrior(&m.Prior, form, d, centre, cfg.StickBreaking)

	K := m.K
	T := cfg.Chains * cfg.Draws
	dr := &draws{k: K, d: d, w: make([]float64, T*K), mu: make([]float64, T*K*d), cov: make([]float64, T*K*d*d)}
	p := &Posterior{Method: cfg.Method, Covariance: m.Covariance, Prior: m.Prior.clone(), StickBreaking: cfg.StickBreaking, Chains: cfg.Chains, Draws: cfg.Draws}
	starts := startLabels(data, u, pr, K)
	var ok bool
	switch cfg.Method {
	case VB:
		var warn []string
		p.ELBO, warn, ok = runVB(ctx, u, data.V, pr, &cfg, starts, dr)
		p.Warnings = append(p.Warnings, warn...)
	default:
		p.occupied = make([]int32, T)
		ok = runGibbs(ctx, u, pr, &cfg, starts, dr, p.occupied)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("mv: a draw of a covariance is not a finite positive-definite matrix: the prior's Scale is far from the data's spread; use a prior scaled to the data, such as DefaultPrior(x, K)")
	}
	dr.fill(p, centre)
	p.orderByMean()
	p.diagnose(n)
	return p, nil
}

// formOf returns the conjugate form of the four models that have one.
func formOf(c Covariance) (mvpost.Form, error) {
	switch c {
	case Full:
		return mvpost.Full, nil
	case Tied:
		return mvpost.Tied, nil
	case Diagonal:
		return mvpost.Diagonal, nil
	case Spherical:
		return mvpost.Spherical, nil
	}
	return 0, fmt.Errorf("mv: Posterior samples the covariance models VVV (Full), EEE (Tied), VVI (Diagonal) and VII (Spherical), whose priors are conjugate; %v is not one of them: use one of these four", c)
}

// centred returns the rows of x less their column means (weighted by x.V),
// as an n×d row-major copy, and the means.
func centred(x mvkernel.Data) ([]float64, []float64) {
	n, d := x.N, x.D
	c := make([]float64, d)
	var tw float64
	for i := range n {
		wi := weight(x, i)
		tw += wi
		for j, v := range x.X[i*x.Stride : i*x.Stride+d] {
			c[j] += wi * (v - c[j]) / tw
		}
	}
	u := make([]float64, n*d)
	for i := range n {
		for j, v := range x.X[i*x.Stride : i*x.Stride+d] {
			u[i*d+j] = v - c[j]
		}
	}
	return u, c
}

// posteriorFault is zero except while a test of the calibration check
// makes a conditional deliberately wrong (see mvpost.Fault and
// SetPosteriorFault in export_test.go).
var posteriorFault mvpost.Fault

// internalPrior returns the prior p for data centred on centre.
func internalPrior(p *Prior, form mvpost.Form, d int, centre []float64, stick bool) *mvpost.Prior {
	mu0 := make([]float64, d)
	for j := range d {
		mu0[j] = p.MeanLoc[j] - centre[j]
	}
	lam := make([]float64, d*d)
	for a := range d {
		for b := range d {
			lam[a*d+b] = p.Scale.At(a, b)
		}
	}
	q := &mvpost.Prior{Form: form, D: d, Alpha: p.alpha(), StickBreaking: stick, Mu0: mu0, Kappa0: p.Shrinkage, Nu0: p.DoF, Lambda0: lam, Fault: posteriorFault}
	q.Init() // Validate has checked that Λ0 is positive definite
	return q
}

// startTries is the number of k-means++ partitions each chain tries
// before it starts from the best of them.
const startTries = 10

// startLabels returns a function that gives a chain's starting partition:
// of startTries partitions by k-means++ seeding and Lloyd's iterations on
// the whitened data, drawn from the chain's own stream, the one with the
// highest log p(x, z) under the prior with the parameters integrated out
// (mvpost.LogJoint). One k-means run can split the data far from any
// good mode (on iris's petals, setosa and versicolor against virginica),
// where a Gibbs chain may stay for thousands of sweeps.
func startLabels(x mvkernel.Data, u []float64, pr *mvpost.Prior, k int) func(rng *rand.Rand) []int {
	y := whiten(x, colVar(x))
	return func(rng *rand.Rand) []int {
		var best []int
		bl := math.Inf(-1)
		for range startTries {
			z := kmeans(y, x.V, x.N, x.D, k, lloydIters, rng)
			if l := mvpost.LogJoint(u, x.V, x.D, pr, k, z); l > bl || best == nil {
				best, bl = z, l
			}
		}
		return best
	}
}

// draws holds the draws in flat arrays while the chains write them: T×K
// weights, T×K×d means and T×K×d×d covariances.
type draws struct {
	k, d       int
	w, mu, cov []float64
}

// chain returns the part of the draws that chain c of draws per chain
// writes.
func (dr *draws) chain(c, per int) (w, mu, cov []float64) {
	K, d := dr.k, dr.d
	a, b := c*per*K, (c+1)*per*K
	return dr.w[a:b], dr.mu[a*d : b*d], dr.cov[a*d*d : b*d*d]
}

// fill sets p's Weights, Means and Covariances from the draws, adding the
// centre back to the means.
func (dr *draws) fill(p *Posterior, centre []float64) {
	K, d := dr.k, dr.d
	T := len(dr.w) / K
	p.Weights = make([][]float64, T)
	p.Means = make([][][]float64, T)
	p.Covariances = make([][]*mat.SymDense, T)
	for t := range T {
		p.Weights[t] = dr.w[t*K : (t+1)*K : (t+1)*K]
		p.Means[t] = make([][]float64, K)
		p.Covariances[t] = make([]*mat.SymDense, K)
		for k := range K {
			r := t*K + k
			mu := dr.mu[r*d : (r+1)*d : (r+1)*d]
			for j := range mu {
				mu[j] += centre[j]
			}
			p.Means[t][k] = mu
			p.Covariances[t][k] = mat.NewSymDense(d, dr.cov[r*d*d:(r+1)*d*d:(r+1)*d*d])
		}
	}
}

// runGibbs runs the Gibbs chains (see mcmc.RunGibbs) and reports whether
// every draw was valid.
func runGibbs(ctx context.Context, u []float64, pr *mvpost.Prior, cfg *PosteriorSettings, starts func(*rand.Rand) []int, dr *draws, occ []int32) bool {
	chains := make([]*mvpost.Chain, cfg.Chains)
	run := mcmc.GibbsRun{Seed: cfg.Seed, Chains: cfg.Chains, Warmup: cfg.Warmup, Draws: cfg.Draws, N: len(u) / pr.D, K: dr.k}
	mcmc.RunGibbs(ctx, run, func(c int, rng *rand.Rand) mcmc.Sampler {
		w, mu, cov := dr.chain(c, cfg.Draws)
		chains[c] = mvpost.NewChain(u, pr.D, pr, dr.k, rng, starts(rng), w, mu, cov)
		return chains[c]
	}, occ)
	for _, ch := range chains {
		if ch != nil && ch.Failed {
			return false
		}
	}
	return true
}

// runVB fits the variational approximation from cfg.Chains starting
// partitions in parallel, keeps the fit with the highest final ELBO (the
// first wins ties), and writes cfg.Chains·cfg.Draws independent draws from
// it. It returns the kept fit's ELBO trace, a warning if it ran out of
// steps, and whether every draw was valid.
func runVB(ctx context.Context, u, v []float64, pr *mvpost.Prior, cfg *PosteriorSettings, starts func(*rand.Rand) []int, dr *draws) ([]float64, []string, bool) {
	fits := make([]*mvpost.Fit, cfg.Chains)
	mcmc.ForEach(cfg.Chains, cfg.Seed, func(c int, rng *rand.Rand) {
		fits[c] = mvpost.RunVB(ctx, u, v, pr.D, pr, dr.k, starts(rng), defaultVBSteps, defaultVBTol)
	})
	if ctx.Err() != nil {
		return nil, nil, false
	}
	best := fits[0]
	for _, f := range fits[1:] {
		if f.ELBO[len(f.ELBO)-1] > best.ELBO[len(best.ELBO)-1] {
			best = f
		}
	}
	// The draws have a stream of their own, after the chains'.
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(cfg.Chains)))
	K, d := dr.k, dr.d
	logW, scratch := make([]float64, K), make([]float64, K)
	cov := make([][]float64, K)
	ws := mvpost.NewWorkspace(d)
	for t := range cfg.Chains * cfg.Draws {
		r := t * K
		for k := range K {
			cov[k] = dr.cov[(r+k)*d*d : (r+k+1)*d*d]
		}
		if !best.Draw(rng, logW, dr.mu[r*d:(r+K)*d], cov, ws, scratch) {
			return nil, nil, false
		}
		for k, l := range logW {
			dr.w[r+k] = math.Exp(l)
		}
	}
	var warn []string
	if !best.Converged {
		warn = append(warn, fmt.Sprintf("VB did not converge in %d steps; its approximation may be poor", len(best.ELBO)))
	}
	return append([]float64(nil), best.ELBO...), warn, true
}

func (s *PosteriorSettings) fill() error {
	switch s.Method {
	case Gibbs, VB:
	default:
		return fmt.Errorf("mv: unknown posterior Method %d; use mv.Gibbs or mv.VB", int(s.Method))
	}
	if s.Chains < 0 || s.Draws < 0 || s.Warmup < 0 {
		return errors.New("mv: PosteriorSettings must not be negative; use zero for a default")
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
		return fmt.Errorf("mv: Draws is %d; the diagnostics need at least %d draws per chain", s.Draws, minDraws)
	}
	return nil
}

// orderByMean permutes the components of every draw alike, so that their
// posterior means of μ increase, compared column by column.
func (p *Posterior) orderByMean() {
	K := p.K()
	mean := p.Mean().Means
	idx := make([]int, K)
	for k := range idx {
		idx[k] = k
	}
	slices.SortStableFunc(idx, func(a, b int) int { return slices.Compare(mean[a], mean[b]) })
	w := make([]float64, K)
	mu := make([][]float64, K)
	cov := make([]*mat.SymDense, K)
	for t := range p.Weights {
		for k, j := range idx {
			w[k], mu[k], cov[k] = p.Weights[t][j], p.Means[t][j], p.Covariances[t][j]
		}
		copy(p.Weights[t], w)
		copy(p.Means[t], mu)
		copy(p.Covariances[t], cov)
	}
}

// K returns the number of components, or 0 if p has no draws, as the zero
// Posterior has none. A Posterior without draws has empty Params from
// Mean, SD, Quantile, Interval, RHat and ESS, and nil from Occupied.
func (p *Posterior) K() int {
	if len(p.Weights) == 0 {
		return 0
	}
	return len(p.Weights[0])
}

// dim returns the number of columns, or 0 if p has no draws.
func (p *Posterior) dim() int {
	if p.K() == 0 {
		return 0
	}
	return len(p.Means[0][0])
}

// each returns the Params with f applied to the draws of every parameter.
func (p *Posterior) each(f func(draws []float64) float64) Params {
	K, d := p.K(), p.dim()
	out := zeroParams(K, d)
	col := make([]float64, len(p.Weights))
	for k := range K {
		for t, w := range p.Weights {
			col[t] = w[k]
		}
		out.Weights[k] = f(col)
		for j := range d {
			for t, mu := range p.Means {
				col[t] = mu[k][j]
			}
			out.Means[k][j] = f(col)
			for i := range j + 1 {
				for t, c := range p.Covariances {
					col[t] = c[k].At(i, j)
				}
				v := f(col)
				out.Covariances[k][i][j], out.Covariances[k][j][i] = v, v
			}
		}
	}
	return out
}

func zeroParams(K, d int) Params {
	q := Params{Weights: make([]float64, K), Means: make([][]float64, K), Covariances: make([][][]float64, K)}
	for k := range K {
		q.Means[k] = make([]float64, d)
		q.Covariances[k] = make([][]float64, d)
		for i := range d {
			q.Covariances[k][i] = make([]float64, d)
		}
	}
	return q
}

// Mean returns the posterior mean of each parameter, the average of its
// draws.
func (p *Posterior) Mean() Params {
	return p.each(func(d []float64) float64 {
		var m float64
		for i, v := range d {
			m += (v - m) / float64(i+1)
		}
		return m
	})
}

// SD returns the posterior standard deviation of each parameter, the
// standard deviation of its draws (divided by the number of draws less
// one).
func (p *Posterior) SD() Params {
	return p.each(func(d []float64) float64 {
		var m, ss float64
		for i, v := range d {
			m += (v - m) / float64(i+1)
		}
		for _, v := range d {
			ss += (v - m) * (v - m)
		}
		return math.Sqrt(ss / float64(len(d)-1))
	})
}

// Quantile returns the q-quantile of each parameter's draws, as the root
// package's gmm.Posterior.Quantile: the weights, every coordinate of the
// means and every entry of the covariances (symmetric, as in Params),
// interpolating linearly between order statistics (type 7 of Hyndman &
// Fan 1996, the default of R and NumPy). It returns an error if q is not
// in [0, 1].
func (p *Posterior) Quantile(q float64) (Params, error) {
	if !(q >= 0 && q <= 1) {
		return Params{}, fmt.Errorf("mv: quantile %v is not in [0, 1]; for the median pass 0.5", q)
	}
	return p.each(func(d []float64) float64 {
		slices.Sort(d)
		return mcmc.QuantileSorted(d, q)
	}), nil
}

// Interval returns the central credible interval of each parameter at the
// given level, as the root package's gmm.Posterior.Interval: the
// (1 − level)/2 and (1 + level)/2 quantiles of its draws. A 90% interval
// is Interval(0.9). The interval of each entry is marginal: the matrices
// of lo and hi need not be covariances. It returns an error if level is
// not in (0, 1).
func (p *Posterior) Interval(level float64) (lo, hi Params, err error) {
	if !(level > 0 && level < 1) {
		return Params{}, Params{}, fmt.Errorf("mv: credible level %v is not in (0, 1); for a 90%% interval pass 0.9", level)
	}
	lo, _ = p.Quantile((1 - level) / 2)
	hi, _ = p.Quantile((1 + level) / 2)
	return lo, hi, nil
}

// diagnose computes R̂ and the bulk ESS of every parameter and fills
// Warnings (see mcmc.Diagnose), for data of n points. The off-diagonal
// covariances are diagnosed once, above the diagonal.
func (p *Posterior) diagnose(n int) {
	K, d := p.K(), p.dim()
	var params []mcmc.Param
	col := func(f func(t int) float64) []float64 {
		c := make([]float64, len(p.Weights))
		for t := range c {
			c[t] = f(t)
		}
		return c
	}
	for k := range K {
		params = append(params, mcmc.Param{Label: fmt.Sprintf("weight %d", k), Draws: col(func(t int) float64 { return p.Weights[t][k] })})
	}
	for k := range K {
		for j := range d {
			params = append(params, mcmc.Param{Label: fmt.Sprintf("mean %d[%d]", k, j), Draws: col(func(t int) float64 { return p.Means[t][k][j] })})
		}
	}
	for k := range K {
		for i := range d {
			for j := i; j < d; j++ {
				params = append(params, mcmc.Param{Label: fmt.Sprintf("covariance %d[%d,%d]", k, i, j), Draws: col(func(t int) float64 { return p.Covariances[t][k].At(i, j) })})
			}
		}
	}
	rep := mcmc.Report{Chains: p.Chains, Draws: p.Draws, Gibbs: p.Method == Gibbs, N: n, Weights: p.Weights, Overlap: p.singlePeak()}
	rh, es, warn := mcmc.Diagnose(rep, params)
	p.Warnings = append(p.Warnings, warn...)
	p.rhat, p.ess = zeroParams(K, d), zeroParams(K, d)
	i := 0
	for _, q := range []struct {
		dst Params
		src []float64
	}{{p.rhat, rh}, {p.ess, es}} {
		i = 0
		for k := range K {
			q.dst.Weights[k] = q.src[i]
			i++
		}
		for k := range K {
			for j := range d {
				q.dst.Means[k][j] = q.src[i]
				i++
			}
		}
		for k := range K {
			for a := range d {
				for b := a; b < d; b++ {
					q.dst.Covariances[k][a][b], q.dst.Covariances[k][b][a] = q.src[i], q.src[i]
					i++
				}
			}
		}
	}
}

// singlePeak returns the Overlap of p's Report: the fraction of draws in
// which two components form a single peak by the rule that is
// Behboodian's (1970) in one dimension, |μ_j − μ_k| ≤ 2·min(σ_j, σ_k) as
// in the root package: each mean lies within Mahalanobis distance 2 of
// the other under both covariances,
//
//	(μ_j − μ_k)ᵀ Σ⁻¹ (μ_j − μ_k) ≤ 4   for Σ = Σ_j and Σ = Σ_k.
//
// With a shared covariance (Tied) the pair's density, in coordinates where
// Σ = I, is a mixture of two unit normals at most 2 apart along the line
// through the means, unimodal whatever the weights (Behboodian 1970),
// times a normal across it, so the pair has one mode. With unequal
// covariances the rule is a guide: the modes of a pair lie on its
// ridgeline, and can number more than two (Ray & Lindsay 2005).
func (p *Posterior) singlePeak() func() (float64, string) {
	K, d := p.K(), p.dim()
	chol := make([]float64, K*d*d) // the lower Cholesky factors of draw last
	ok := make([]bool, K)
	a, delta, y := make([]float64, d*d), make([]float64, d), make([]float64, d)
	last := -1
	within2 := func(l []float64) bool {
		// |L⁻¹δ|² by forward substitution.
		var q float64
		for i := range d {
			s := delta[i]
			for m := range i {
				s -= l[i*d+m] * y[m]
			}
			y[i] = s / l[i*d+i]
			q += y[i] * y[i]
		}
		return q <= 4
	}
	onePeak := func(t, j, k int) bool {
		if t != last {
			for c := range K {
				for i := range d {
					for m := range d {
						a[i*d+m] = p.Covariances[t][c].At(i, m)
					}
				}
				_, ok[c] = mvkernel.Cholesky(chol[c*d*d:(c+1)*d*d], a, d)
			}
			last = t
		}
		if !ok[j] || !ok[k] {
			return false
		}
		for i := range d {
			delta[i] = p.Means[t][j][i] - p.Means[t][k][i]
		}
		return within2(chol[j*d*d:(j+1)*d*d]) && within2(chol[k*d*d:(k+1)*d*d])
	}
	return mcmc.SinglePeak(len(p.Weights), K, onePeak, "each mean within Mahalanobis distance 2 of the other, (μ_j − μ_k)ᵀ Σ⁻¹ (μ_j − μ_k) ≤ 4 under both Σ_j and Σ_k, after Behboodian 1970")
}

// RHat returns the rank-normalised split-R̂ of each parameter (Vehtari et
// al. 2021), the larger of the bulk and the folded R̂, computed when the
// draws were made, as the root package's. Values above 1.01 mean the
// chains have not mixed. For VB, whose draws are independent, it is near 1
// by construction and says nothing about the approximation. A covariance
// entry that is 0 in every draw (off the diagonal of the Diagonal and
// Spherical models) has R̂ 1.
func (p *Posterior) RHat() Params { return p.rhat.clone() }

// ESS returns the bulk effective sample size of each parameter (Vehtari et
// al. 2021), computed when the draws were made: the number of independent
// draws that would estimate its posterior mean and quantiles near the
// centre as well as these draws do. A covariance entry that is 0 in every
// draw has the number of draws.
func (p *Posterior) ESS() Params { return p.ess.clone() }

func (q Params) clone() Params {
	c := Params{Weights: slices.Clone(q.Weights), Means: make([][]float64, len(q.Means)), Covariances: make([][][]float64, len(q.Covariances))}
	for k := range q.Means {
		c.Means[k] = slices.Clone(q.Means[k])
	}
	for k := range q.Covariances {
		c.Covariances[k] = make([][]float64, len(q.Covariances[k]))
		for i := range q.Covariances[k] {
			c.Covariances[k][i] = slices.Clone(q.Covariances[k][i])
		}
	}
	return c
}

// Occupied returns the posterior distribution of the number of occupied
// components, those to which at least one point is allocated: element j is
// the posterior probability that exactly j of the K components hold data,
// estimated by the fraction of Gibbs draws whose labels occupy j
// components. It has length K + 1, and its element 0 is 0. It returns nil
// for VB, which has no labels to count.
//
// As in the root package (see gmm.Posterior.Occupied), this is the sparse
// finite mixture's answer to "how many clusters?" (Malsiner-Walli,
// Frühwirth-Schnatter & Grün 2016): fit more components than the data can
// need with a small Concentration, so that the prior empties those the
// data do not call for. Superfluous components empty when α < r/2, with r
// the number of parameters of a component (Rousseau & Mengersen 2011):
// r = d + d(d+1)/2 for Full, so the bound is looser in more dimensions;
// Malsiner-Walli et al. recommend α = 0.01 with K = 10.
func (p *Posterior) Occupied() []float64 {
	return mcmc.Occupied(p.occupied, p.K())
}
