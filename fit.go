package gmm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/gmm-go/gmm/internal/kernel"
)

// Method selects the optimiser Fit uses.
type Method int

const (
	// Adam is gradient ascent with the Adam update (Kingma & Ba 2015) on
	// unconstrained coordinates: the softmax logits of the weights, the
	// means and the logarithms of the standard deviations. The gradients
	// are derived by hand through the log-sum-exp over the components.
	Adam Method = iota
	// EM is expectation conditional maximisation (Meng & Rubin 1993): the
	// weights, the means and the standard deviations are updated in turn in
	// closed form, and the loss never increases. The iteration is
	// accelerated by Anderson mixing of the last few updates (Walker & Ni
	// 2011); a mixed point is kept only if its loss is no higher, and the
	// tolerance is tested on plain ECM steps only.
	EM
)

// String returns "adam" or "em".
func (m Method) String() string {
	switch m {
	case Adam:
		return "adam"
	case EM:
		return "em"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Settings tune Fit. The zero value, and a nil *Settings, mean defaults.
type Settings struct {
	// Method is the optimiser: Adam (the default) or EM.
	Method Method

	// Seed seeds the starting points. The same seed gives the same fit,
	// bit for bit, at any GOMAXPROCS on one kernel (see Fit).
	Seed uint64

	// Restarts is the number of starting points drawn; the fit with the
	// lowest loss wins. One starts from the data's quantiles, the others
	// from k-means++ seeding; a starting point equal to one before it
	// (k-means++ seeds often lead to the same clustering) is not run twice,
	// so fewer may run: Result.Restarts says how many did. If zero, 4 are
	// drawn.
	Restarts int

	// MaxSteps bounds the steps of each run: Adam steps or EM iterations.
	// If zero, Adam takes at most 20000 and EM at most 5000.
	MaxSteps int

	// Tol is the convergence tolerance, relative to the loss. With L the
	// loss on the internally standardised data (so that the test does not
	// depend on the data's units) and n the number of points, EM stops when
	// a plain ECM step lowers the loss by at most Tol·(|L| + n) (the
	// accelerated steps in between are not tested; see EM), and Adam stops
	// when the decrease a Newton step would still bring, estimated from the
	// gradient and the diagonal of the Fisher information, is at most
	// Tol·(|L| + n). The n keeps the test meaningful where L is near zero.
	// If zero, 1e-10 is used.
	Tol float64

	// LearningRate is Adam's initial step size, in units of the
	// standardised data; at step t it is LearningRate/sqrt(1 + t/500). If
	// zero, 0.05 is used. EM ignores it.
	LearningRate float64

	// SigmaFloor applies to maximum likelihood (the zero Prior) only: each
	// σ_k is kept at or above SigmaFloor times the data's robust spread
	// (see Fit), so that no component can collapse onto a single point, as
	// scikit-learn's reg_covar does; a few far outliers do not raise the
	// floor. If zero, 1e-3 is used (a floor of 1e-6 on the variance of
	// standardised data).
	SigmaFloor float64

	// Progress, if not nil, is called after every step of every run with
	// the run's index, the step and that step's loss. Calls never overlap.
	Progress func(run, step int, loss float64)
}

// Result reports how a fit went.
type Result struct {
	// Method is the optimiser used.
	Method Method
	// Loss holds the loss at every step of the winning run: the negative
	// log joint −log p(x, w, μ, σ), all normalising constants included,
	// the same quantity as Pyro's TraceEnum_ELBO loss with an AutoDelta
	// guide. The last entry is the loss of the fitted parameters exactly,
	// −LogJoint(x) of the fitted model, computed on x in its own units
	// after the fit (so it may differ from the loss the run reached on the
	// standardised data by rounding, and by the floor on σ; see Fit). When the
	// data are larger than the screening sample (see Fit), Loss holds the
	// final run on all the data, started from the best screened run as
	// refined on the larger subsamples.
	Loss []float64
	// Converged reports whether the winning run met the tolerance before
	// MaxSteps. A fit that did not converge still sets the parameters.
	Converged bool
	// Steps is the number of steps the winning run took.
	Steps int
	// Restarts is the number of distinct starting points run, and Best the
	// index of the one that won: 0 for the quantiles, r for the k-means++
	// seeding of stream r.
	Restarts, Best int
	// Warnings says when the fit is dominated by its prior rather than by
	// the data, with what to do; it is empty when there is nothing to
	// report, and always under the zero Prior. With x̃ the data's median, s
	// their robust spread (as Fit standardises them: see Fit) and min and
	// max their range, a warning is given when
	//   - |x̃ − MeanLoc| > 5·MeanScale: the data lie where the prior on the
	//     means has fallen below 4e-6 of its peak;
	//   - the prior's mode of σ (SigmaScale/(SigmaShape + 1), or its square
	//     root with OnVariance) is more than 100 times s or less than s/100;
	//   - a component with weight at least 1/n has its mean outside
	//     [min, max], where no weighted mean of the data can lie, by more
	//     than (max − min)/100, or its σ above max − min, twice the
	//     largest standard deviation of data in that range.
	// DefaultPrior(x) never triggers them.
	Warnings []string
}

const (
	defaultRestarts   = 4
	defaultAdamSteps  = 20000
	defaultEMSteps    = 5000
	defaultTol        = 1e-10
	defaultLR         = 0.05
	defaultSigmaFloor = 1e-3
	// screenSize is the largest data set that every restart runs on in
	// full. Larger data are screened on a random subsample of this size.
	screenSize = kernel.ChunkSize
	lloydIters = 10
	// growthFactor is the ratio of the sizes of successive subsamples in
	// stage two, and stageStream the first random stream that draws them.
	growthFactor = 16
	stageStream  = 1 << 32
)

// screenTol returns the tolerance for a run on a subsample of m points:
// Tol, or, if larger, one that stops the run once a step changes the
// subsample's loss by less than about 0.01·(1 + |L|/m), a few hundredths of
// a nat. Parameters fitted to m points differ from those fitted to all n by
// sampling error, which costs about (3K − 1)/2 nats of the subsample's loss
// (that of 3K − 1 free parameters fitted by maximum likelihood), far more, so
// converging further on the subsample would not bring the next stage's
// starting point closer to the optimum.
func screenTol(tol float64, m int) float64 {
	return max(tol, 0.01/float64(m))
}

// Fit finds the maximum a posteriori parameters of the mixture for the data
// x, that is the maximiser of the log joint
//
//	log p(x, w, μ, σ) = Σ_i log Σ_k w_k N(x_i | μ_k, σ_k) + log p(w, μ, σ),
//
// with the cluster labels summed out by log-sum-exp and log p(w, μ, σ) the
// log density of m.Prior in the constrained space, with no Jacobian (as
// Pyro's AutoDelta guide has it). With the zero Prior it maximises the
// likelihood, with each σ_k held above a floor (Settings.SigmaFloor).
//
// Fit standardises the data internally, u = (x − c)/s, so the fit does not
// depend on the data's units and offset: c is the median and s the robust
// spread, the interquartile range over 1.349 (the standard deviation for
// normal data), taken on the screening sample described below. Where more
// than half the values tie, so that this is zero, s is a wider quantile
// range instead: (q(1 − p) − q(p))/(2Φ⁻¹(1 − p)) for the first p of 1/8,
// 1/16, … that gives a positive value, and last the range. No value is
// subtracted from a far one before the scale is known, so a few far values
// move neither c nor s, and the bulk of the data keeps its resolution.
//
// A far value, one that lies many spreads from the median, may get a
// component of its own (with no prior, a spike on it at the σ floor) or be
// absorbed by a wide component of small weight (with a prior, whose
// Normal on μ makes a component far out costly). Either way the components
// that hold the bulk of the data come out as they would without it, their
// weights times n/(n + f) for f far values among n + f points. With no
// more components than the bulk has clusters, the far value still takes
// one, and the clusters it leaves share the others.
//
// So that the starting points see far values, the screening sample and
// every larger subsample also hold each point more than twice as far from
// the median as both the farthest point drawn and the spread; if there are
// more than 512, the distance doubles until at most 512 remain, the
// farthest. Fit returns an error naming the farthest value if a value lies
// more than 2^400 ≈ 2.6e120 spreads from the median: beyond that the
// squares a fit forms overflow.
//
// Each fitted σ_k is at least 4 ulps of its mean μ_k (in the data's
// units), so that the component is representable around its mean; this
// binds only for a component on a single value far from zero, and then
// Result.Loss is the loss with that σ_k.
//
// It runs every starting point in parallel; when x
// has more than 8192 points they run on a random subsample of that size, and
// the best is then refined on random subsamples 16 times larger in turn,
// while they hold at most a quarter of x, and last on all of x. The runs on
// subsamples stop at a looser tolerance where that of the full data would
// be wasted: once a step changes a subsample's loss by less than a few
// hundredths, far below the sampling error of its optimum. On success it
// sets m.Weights, m.Means and m.Sigmas, with the components in increasing
// order of mean.
//
// With a prior, K may exceed the number of points or of distinct values:
// the components the data do not need follow the prior (with Concentration
// 1 their weight is 0, their mean the prior's μ0 and their σ the prior's
// mode). Constant data can be fitted only with a prior. With no prior the
// likelihood is unbounded as a σ_k goes to zero, so the σ floor applies, and
// x must have at least K distinct values.
//
// Adam and EM are local optimisers. Where the posterior has several modes,
// for instance data with many exactly equal values, which a component can
// cover with a tiny σ, they can stop at different ones; Fit keeps the best
// of its restarts.
//
// For a given seed the fit is bit-identical at any GOMAXPROCS on one kernel
// (the AVX2 one on amd64 processors that have it, the portable Go one
// elsewhere or with the noasm build tag). The two kernels round
// differently, and a fit carries that forward: across kernels the final
// losses agree to 1e-8 relative, and the parameters to 1e-6, where the
// optimum determines them. On a flat optimum, as with heavily overlapping
// components, a run stops wherever its convergence test is first met, and
// the two kernels' runs can stop at different points: their losses then
// differ by as much as the runs fall short of the optimum (Adam on three
// components overlapping by their whole width, 1.5e-5 relative), and the
// parameters as much as the near-optimal fits do.
//
// Fit returns an error, and leaves m unchanged, if x is empty or holds NaN
// or ±Inf, if m.K < 1, if m.Prior is invalid or has Concentration < 1 (its
// MAP then lies on the edge of the simplex, where the density is infinite),
// or, with the zero Prior, if x has fewer than m.K distinct values or all
// its values are equal; if a value lies too far from the rest (see above);
// or if x spans more than the float64 range, which dividing x by 4 (exact,
// as for any power of two) brings within it. It never modifies x. A fit
// that runs out of steps is not an error: it sets the parameters and
// reports Converged false.
func (m *Model) Fit(x []float64, s *Settings) (*Result, error) {
	return m.FitContext(context.Background(), x, s)
}

// FitContext is Fit with a context. If ctx is cancelled during the fit,
// FitContext returns ctx.Err() and leaves m unchanged.
func (m *Model) FitContext(ctx context.Context, x []float64, s *Settings) (*Result, error) {
	var cfg Settings
	if s != nil {
		cfg = *s
	}
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	if err := m.checkFit(x); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	K := m.K
	z, err := standardise(x, screenSize, m.Prior.sigmaMode(), rand.New(rand.NewPCG(cfg.Seed, 0)))
	if err != nil {
		return nil, err
	}
	c, scale, inv, sample, sorted := z.c, z.scale, z.inv, z.sample, z.sorted
	// The smallest σ a starting point gets, in units of the standardised
	// data: small enough for tight clusters, large enough that Adam does not
	// start on a needle. Constant data (which only a prior can fit, as
	// checkFit saw to) are scaled by the prior's σ.
	initFloor := 1e-2
	if z.constant {
		initFloor = 1
	}

	pu := m.Prior.standardised(c, scale)
	if !pu.IsZero() && !sameScale(pu) {
		return nil, errors.New("gmm: the prior's scale and the data's are more than 1e100 apart; rescale the data or the prior")
	}
	floor := 0.0
	if pu.IsZero() {
		floor = cfg.SigmaFloor
	}
	obj := objective{prior: pu, floor: floor, tol: cfg.Tol}
	initFloor = max(initFloor, 2*floor)

	runs := make([]run, 0, cfg.Restarts)
	labels := make([]int, len(sample))
	for r := range cfg.Restarts {
		p := kernel.NewParams(K)
		w := make([]float64, K)
		if r == 0 {
			kernel.Quantiles(sorted, w, p.Mu, p.Sigma, initFloor)
		} else {
			rr := rand.New(rand.NewPCG(cfg.Seed, uint64(r)))
			kernel.KMeansPP(sample, rr, lloydIters, w, p.Mu, p.Sigma, initFloor, labels)
		}
		for k := range w {
			p.LogW[k] = math.Log(w[k])
		}
		// k-means++ seeds often lead Lloyd's iterations to the same
		// clustering; a starting point already tried is not run again.
		if !slices.ContainsFunc(runs, func(q run) bool { return q.p.Equal(p) }) {
			runs = append(runs, run{index: r, p: p})
		}
	}

	var mu sync.Mutex
	progress := func(int, int, float64) {}
	if cfg.Progress != nil {
		progress = func(r, t int, l float64) {
			mu.Lock()
			defer mu.Unlock()
			cfg.Progress(r, t, l)
		}
	}

	// Stage one: every starting point on the sample.
	offset := obj.lossOffset(len(sample), K, scale)
	screen := obj
	if len(sample) < len(x) {
		screen.tol = screenTol(cfg.Tol, len(sample))
	}
	var wg sync.WaitGroup
	for r := range runs {
		wg.Add(1)
		go func(rn *run) {
			defer wg.Done()
			eng := kernel.NewEngine(sample, 0, 1, K)
			rn.optimise(ctx, eng, &screen, &cfg, offset, progress)
		}(&runs[r])
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	best := 0
	for r := range runs {
		if runs[r].loss < runs[best].loss || math.IsNaN(runs[best].loss) {
			best = r
		}
	}
	win := &runs[best]

	// Stage two: refine the best on random subsamples, each growthFactor
	// times larger than the last while that is at most a quarter of the
	// data, and then on all the data.
	for j, size := 0, growthFactor*len(sample); size <= len(x)/4; j, size = j+1, size*growthFactor {
		u := bernoulli(x, c, inv, size, z.far, rand.New(rand.NewPCG(cfg.Seed, stageStream+uint64(j))))
		eng := kernel.NewEngine(u, 0, 1, K)
		screen.tol = screenTol(cfg.Tol, len(u))
		win.optimise(ctx, eng, &screen, &cfg, obj.lossOffset(len(u), K, scale), progress)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if len(sample) < len(x) {
		eng := kernel.NewEngine(x, c, inv, K)
		win.optimise(ctx, eng, &obj, &cfg, obj.lossOffset(len(x), K, scale), progress)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}

	w, means, sigmas := make([]float64, K), make([]float64, K), make([]float64, K)
	for k := range K {
		w[k] = math.Exp(win.p.LogW[k])
		means[k] = c + scale*win.p.Mu[k]
		sigmas[k] = scale * win.p.Sigma[k]
	}
	normalise(w)
	sortByMean(w, means, sigmas)
	for k := range K {
		if !isFinite(w[k]) || !isFinite(means[k]) || !(sigmas[k] > 0) || !isFinite(sigmas[k]) {
			return nil, errors.New("gmm: the fit broke down numerically (a fitted parameter is not finite), which Fit is meant to prevent; please report the data as a bug")
		}
	}
	loss, err := m.finalLoss(x, w, means, sigmas)
	if err != nil {
		return nil, err
	}
	win.losses[len(win.losses)-1] = loss
	m.Weights, m.Means, m.Sigmas = w, means, sigmas
	return &Result{
		Method:    cfg.Method,
		Loss:      win.losses,
		Converged: win.converged,
		Steps:     win.steps,
		Restarts:  len(runs),
		Best:      win.index,
		Warnings:  priorWarnings(m.Prior, m, x, c, spreadOf(z)),
	}, nil
}

func (s *Settings) fill() error {
	switch s.Method {
	case Adam, EM:
	default:
		return fmt.Errorf("gmm: unknown Method %d; use gmm.Adam or gmm.EM", int(s.Method))
	}
	if s.Restarts < 0 || s.MaxSteps < 0 || s.Tol < 0 || s.LearningRate < 0 || s.SigmaFloor < 0 ||
		math.IsNaN(s.Tol) || math.IsNaN(s.LearningRate) || math.IsNaN(s.SigmaFloor) ||
		math.IsInf(s.Tol, 0) || math.IsInf(s.LearningRate, 0) || math.IsInf(s.SigmaFloor, 0) {
		return errors.New("gmm: Settings must not be negative, NaN or infinite; use zero for a default")
	}
	if s.Restarts == 0 {
		s.Restarts = defaultRestarts
	}
	if s.MaxSteps == 0 {
		s.MaxSteps = defaultAdamSteps
		if s.Method == EM {
			s.MaxSteps = defaultEMSteps
		}
	}
	if s.Tol == 0 {
		s.Tol = defaultTol
	}
	if s.LearningRate == 0 {
		s.LearningRate = defaultLR
	}
	if s.SigmaFloor == 0 {
		s.SigmaFloor = defaultSigmaFloor
	}
	return nil
}

// checkFit returns an error if m and x cannot be fitted.
func (m *Model) checkFit(x []float64) error {
	if m.K < 1 {
		return fmt.Errorf("gmm: K is %d; set the number of components to 1 or more", m.K)
	}
	if err := m.Prior.Validate(); err != nil {
		return err
	}
	if !m.Prior.IsZero() && m.Prior.Concentration < 1 {
		return fmt.Errorf("gmm: prior Concentration is %v; the MAP needs 1 or more (below 1 the density is infinite at the edge of the simplex); use Posterior for smaller values", m.Prior.Concentration)
	}
	if err := checkData(x); err != nil {
		return err
	}
	if m.Prior.IsZero() {
		if d := distinct(x, max(m.K, 2)); d < 2 {
			return errors.New("gmm: all the data are equal, and maximum likelihood then puts σ at zero; use a prior (DefaultPrior) to fit constant data")
		} else if d < m.K {
			return fmt.Errorf("gmm: the data have %d distinct values, fewer than K = %d; maximum likelihood needs at least K: use fewer components or a prior (DefaultPrior)", d, m.K)
		}
	}
	return nil
}

// checkData returns an error if x is empty or holds a non-finite value.
func checkData(x []float64) error {
	if len(x) == 0 {
		return errors.New("gmm: no data; pass at least one value")
	}
	// v·0 is 0 for a finite v and NaN for ±Inf and NaN; four sums of them
	// make a fast first look.
	var a, b, c, d float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a += x[i] * 0
		b += x[i+1] * 0
		c += x[i+2] * 0
		d += x[i+3] * 0
	}
	for _, v := range x[i:] {
		a += v * 0
	}
	if a+b+c+d == 0 {
		return nil
	}
	for i, v := range x {
		if !isFinite(v) {
			return fmt.Errorf("gmm: x[%d] is %v; remove or impute non-finite values before fitting", i, v)
		}
	}
	return nil
}

// distinct returns the number of distinct values in x, counting no further
// than k.
func distinct(x []float64, k int) int {
	seen := make([]float64, 0, k)
	for _, v := range x {
		if !slices.Contains(seen, v) {
			seen = append(seen, v)
			if len(seen) >= k {
				break
			}
		}
	}
	return len(seen)
}

// bernoulli returns the standardised values u = (x − c)·inv of a random
// subsample of x, in order, that keeps each point with probability m/len(x),
// so about m points, followed by those of the points whose indices are in
// far (sorted), each once whether drawn or not. The gaps between kept points
// are geometric, the integer parts of exponential variates of rate
// −log(1 − m/len(x)), so the cost is that of the points kept.
func bernoulli(x []float64, c, inv float64, m int, far []int, rng *rand.Rand) []float64 {
	rate := -math.Log1p(-float64(m) / float64(len(x)))
	u := make([]float64, 0, m+4*int(math.Sqrt(float64(m)))+16+len(far))
	f := 0
	for i := -1; ; {
		i += 1 + int(rng.ExpFloat64()/rate)
		if i >= len(x) || i < 0 {
			break
		}
		for f < len(far) && far[f] < i {
			f++
		}
		if f < len(far) && far[f] == i {
			continue
		}
		u = append(u, (x[i]-c)*inv)
	}
	for _, i := range far {
		u = append(u, (x[i]-c)*inv)
	}
	return u
}

// checkScale returns an error if the data's spread is so small that its
// inverse, inv, overflows.
func checkScale(inv float64) error {
	if math.IsInf(inv, 0) {
		return errors.New("gmm: the data's spread is too small to scale in float64 (below 1e-308); multiply the data by a large power of ten")
	}
	return nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func normalise(w []float64) {
	var t float64
	for _, v := range w {
		t += v
	}
	for k := range w {
		w[k] /= t
	}
}

// sortByMean orders the components by increasing mean.
func sortByMean(w, mu, sigma []float64) {
	idx := make([]int, len(mu))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case mu[a] < mu[b]:
			return -1
		case mu[a] > mu[b]:
			return 1
		}
		return 0
	})
	ow, om, os := slices.Clone(w), slices.Clone(mu), slices.Clone(sigma)
	for i, j := range idx {
		w[i], mu[i], sigma[i] = ow[j], om[j], os[j]
	}
}
