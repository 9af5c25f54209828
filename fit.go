package gmm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/gmm-go/gmm/internal/engine"
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
	// Method is the optimiser of the final runs: Adam (the default) or
	// EM. The search among starting points is by EM either way (see Fit).
	Method Method

	// Seed seeds the starting points. The same seed gives the same fit,
	// bit for bit, at any GOMAXPROCS.
	Seed uint64

	// Restarts is the number of starting points. One is the data's
	// quantiles; the others are, in turn, greedy k-means++ seedings and
	// random partitions of the sorted data, each from its own random
	// stream. A starting point equal to one before it is drawn again as a
	// random partition. If zero, 4 are used, or 4K up to 16 when the
	// number of points times K is at most 4096, where runs cost little.
	Restarts int

	// MaxSteps bounds the steps of each run: Adam steps or EM iterations.
	// If zero, Adam takes at most 20000 and EM at most 5000. The search's
	// short runs take at most 10 EM steps.
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
	// σ_k is kept at or above SigmaFloor times the data's spread, so that
	// no component can collapse onto a single point, as scikit-learn's
	// reg_covar does. The spread is the smaller of the data's standard
	// deviation and their interquartile range over 1.349 (taken on the
	// screening sample), so that a few far outliers do not raise the floor.
	// If zero, 1e-3 is used (a floor of 1e-6 on the variance of
	// standardised data).
	SigmaFloor float64

	// Progress, if not nil, is called after every step of every run with
	// the run's index (see Result.Best), the step and that step's loss, on
	// the data or subsample the run is on. Calls never overlap.
	Progress func(run, step int, loss float64)
}

// Result reports how a fit went.
type Result struct {
	// Method is the optimiser used.
	Method Method
	// Loss holds the loss at every step of the winning run: the negative
	// log joint −log p(x, w, μ, σ), all normalising constants included,
	// the same quantity as Pyro's TraceEnum_ELBO loss with an AutoDelta
	// guide. The last entry is the loss of the fitted parameters. For data
	// no larger than the screening sample (see Fit), Loss is the winning
	// run's whole path from its starting point: its EM steps in the search,
	// then, with Adam, Adam's. For larger data it is the final run on all
	// the data, started from the search's winner as refined on the larger
	// subsamples.
	Loss []float64
	// Converged reports whether the winning run's last phase met the
	// tolerance before MaxSteps. A fit that did not converge still sets the
	// parameters.
	Converged bool
	// Steps is the number of steps in Loss.
	Steps int
	// Restarts is the number of runs: one per starting point and one per
	// move tried (see Fit). Best is the index of the run that won: r <
	// Settings.Restarts for starting point r (0 for the quantiles), and
	// the moves follow in the order they were tried.
	Restarts, Best int
}

const (
	defaultRestarts = 4
	// smallRestarts bounds the default number of starting points, 4K, for
	// data of at most smallFit points times components, whose runs cost
	// little.
	smallRestarts     = 16
	smallFit          = 4096
	defaultAdamSteps  = 20000
	defaultEMSteps    = 5000
	defaultTol        = 1e-10
	defaultLR         = 0.05
	defaultSigmaFloor = 1e-3
	// screenSize is the largest data set that every restart runs on in
	// full. Larger data are screened on a random subsample of this size.
	screenSize = kernel.ChunkSize
	lloydIters = 10
)

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
// Fit standardises the data internally, so the fit does not depend on the
// data's units and offset. It then searches for the best optimum on a
// screening sample: all of x if it has at most 8192 points, and otherwise a
// random subsample of that size. The search is by EM, whatever the Method,
// since EM needs no step size and so stays in narrow basins that Adam's
// first steps can jump out of:
//
//  1. short runs of 10 EM steps from every starting point (Settings.Restarts),
//     the "small EM" of Biernacki, Celeux & Govaert (2003, Comput. Statist.
//     Data Anal. 41);
//  2. the three most promising, skipping any whose loss equals that of one
//     already chosen, run to convergence (all of them when the sample has
//     at most 2^14/(3K) points, where runs cost little);
//  3. moves from the best: free a component, by merging a pair or, under
//     maximum likelihood, taking one that collapsed onto the σ floor, and
//     use it to split one of the two widest components, or to cover the
//     run of points the mixture fits worst (see below), or, with a prior,
//     the single point it fits worst; the moves are run short, the two most
//     promising (or, on small samples, all) to convergence, and the best is
//     kept if it lowers the loss or replaces a collapsed run; repeated up
//     to four times (sixteen on small samples) while one is kept.
//
// The winner is refined by Method on random subsamples 16 times larger in
// turn, while they hold at most a quarter of x, and last on all of x (for
// small data, Adam runs once more on all of x; EM's run is already there).
// The runs on subsamples stop at a looser tolerance where that of the full
// data would be wasted: once a step changes a subsample's loss by less than
// a few hundredths, far below the sampling error of its optimum. Every run
// is independent and draws nothing at random, so the fit is the same, bit
// for bit, at any GOMAXPROCS. On success Fit sets m.Weights, m.Means and
// m.Sigmas, with the components in increasing order of mean.
//
// The worst-fitted run of points is found by a scan statistic: among runs
// of 4, 8, 16, … consecutive sorted points, the one whose share of the
// points most exceeds the mixture's mass over it, tied values counting as
// the cell they stand for.
//
// Under maximum likelihood a run that ends with a component's σ at the
// floor is degenerate: that component sits on fewer than 2 distinct values,
// or on values so close that only the floor holds it, a spurious maximum
// with no limit as σ shrinks. Degenerate runs do not win; Fit returns an
// error naming the component only if every run degenerates.
//
// With a prior, K may exceed the number of points or of distinct values:
// the components the data do not need follow the prior (with Concentration
// 1 their weight is 0, their mean the prior's μ0 and their σ the prior's
// mode). Constant data can be fitted only with a prior. With no prior the
// likelihood is unbounded as a σ_k goes to zero, so the σ floor applies, and
// x must have at least K distinct values.
//
// Adam and EM are local optimisers; the search makes the best optimum
// likely, not certain. Where the posterior has several modes, for instance
// data with many exactly equal values, which a component can cover with a
// tiny σ, Fit keeps the best it finds.
//
// Fit returns an error, and leaves m unchanged, if x is empty or holds NaN
// or ±Inf, if m.K < 1, if m.Prior is invalid or has Concentration < 1 (its
// MAP then lies on the edge of the simplex, where the density is infinite),
// or, with the zero Prior, if x has fewer than m.K distinct values or all
// its values are equal or every run degenerates, or if x spans more than
// the float64 range. It
// never modifies x. A fit that runs out of steps is not an error: it sets
// the parameters and reports Converged false.
func (m *Model) Fit(x []float64, s *Settings) (*Result, error) {
	return m.FitContext(context.Background(), x, s)
}

// FitContext is Fit with a context. If ctx is cancelled during the fit,
// FitContext returns ctx.Err() within about one pass over the data, and
// leaves m unchanged.
func (m *Model) FitContext(ctx context.Context, x []float64, s *Settings) (*Result, error) {
	cfg, err := settings(s, len(x), m.K)
	if err != nil {
		return nil, err
	}
	lo, hi, err := m.checkFit(x)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sc, err := m.standardise(x, lo, hi, cfg.Seed)
	if err != nil {
		return nil, err
	}
	obj, err := m.objective(sc, &cfg)
	if err != nil {
		return nil, err
	}
	starts := startingPoints(sc.sample, sc.sorted, m.K, cfg.Restarts, cfg.Seed, max(sc.initFloor, 2*obj.floor))
	src := &source{x: x, c: sc.c, inv: 1 / sc.scale, sample: sc.sample, sorted: sc.sorted, obj: obj, k: m.K, seed: cfg.Seed}
	res, err := engine.Fit(ctx, src, starts, engineSettings(&cfg, obj, m.K))
	if err != nil {
		return nil, err
	}
	return m.finish(res, obj, len(x), cfg.Method)
}

// scaled is the data standardised: u = (x − c)/scale, with a screening
// sample of u (all of it for small data), sorted, and the smallest σ a
// starting point gets, in units of u.
type scaled struct {
	c, scale       float64
	sample, sorted []float64
	initFloor      float64
}

// standardise centres x on its mean and scales it by its standard
// deviation, or by the interquartile range of the screening sample over
// 1.349 when a few far outliers inflate the standard deviation; lo and hi
// are the smallest and largest values of x. Constant data take the scale
// of the prior's σ. It draws the screening sample from the seed's stream 0.
func (m *Model) standardise(x []float64, lo, hi float64, seed uint64) (*scaled, error) {
	c, sd := location(x)
	if math.IsInf(sd, 0) {
		return nil, errors.New("gmm: the data span more than the float64 range; rescale them")
	}
	sc := &scaled{c: c, scale: sd}
	// The smallest σ a starting point gets, in units of the standardised
	// data: small enough for tight clusters, large enough that Adam does not
	// start on a needle.
	sc.initFloor = 1e-2
	if sd == 0 {
		// Constant data: only a prior can be fitted (checkFit saw to it),
		// and the prior's σ sets the scale.
		sc.scale = m.Prior.sigmaMode()
		sc.initFloor = 1
	}
	inv := 1 / sc.scale
	if err := checkScale(inv); err != nil {
		return nil, err
	}
	sc.sample = subsample(x, c, inv, rand.New(rand.NewPCG(seed, 0)))
	sc.sorted = slices.Sorted(slices.Values(sc.sample))
	far := max(hi-c, c-lo)
	if r := robustSpread(sc.sorted); r > 0 && r < 1 && far*inv/r <= 1e300 {
		// A few far outliers inflate the standard deviation; the bulk of
		// the data sets the scale instead, unless the outliers would then
		// lie beyond the float64 range.
		sc.scale *= r
		for i := range sc.sample {
			sc.sample[i] /= r
			sc.sorted[i] /= r
		}
	}
	return sc, nil
}

// objective returns the loss of the fit on the standardised data: the
// prior carried to their units, and the σ floor under maximum likelihood.
func (m *Model) objective(sc *scaled, cfg *Settings) (*objective, error) {
	pu := m.Prior.standardised(sc.c, sc.scale)
	if pu.Validate() != nil || (!pu.IsZero() && !(pu.MeanScale > 0 && pu.SigmaScale > 0)) {
		return nil, errors.New("gmm: the prior's scale and the data's are too far apart to fit; rescale the data or the prior")
	}
	obj := &objective{prior: pu, c: sc.c, scale: sc.scale}
	if pu.IsZero() {
		obj.floor = cfg.SigmaFloor
	}
	return obj, nil
}

// engineSettings returns the engine's settings for cfg, with the progress
// callback carried to the data's units and serialised.
func engineSettings(cfg *Settings, obj *objective, K int) *engine.Settings {
	es := &engine.Settings{
		Method:       engine.EM,
		MaxSteps:     cfg.MaxSteps,
		Tol:          cfg.Tol,
		LearningRate: cfg.LearningRate,
		ScreenSize:   screenSize,
	}
	if cfg.Method == Adam {
		es.Method = engine.Adam
	}
	if cfg.Progress != nil {
		var mu sync.Mutex
		es.Progress = func(r, t int, l, n float64) {
			mu.Lock()
			defer mu.Unlock()
			cfg.Progress(r, t, l+obj.lossOffset(n, K))
		}
	}
	return es
}

// finish sets m's parameters from the engine's result, in the data's units
// and in increasing order of mean, and returns the Result.
func (m *Model) finish(res *engine.Result, obj *objective, n int, method Method) (*Result, error) {
	K := m.K
	w, means, sigmas := make([]float64, K), make([]float64, K), make([]float64, K)
	for k := range K {
		w[k] = math.Exp(res.Theta[k])
		means[k] = obj.c + obj.scale*res.Theta[K+k]
		sigmas[k] = obj.scale * math.Exp(res.Theta[2*K+k])
	}
	normalise(w)
	sortByMean(w, means, sigmas)
	for k := range K {
		if !isFinite(w[k]) || !isFinite(means[k]) || !(sigmas[k] > 0) || !isFinite(sigmas[k]) {
			return nil, errors.New("gmm: the fit broke down numerically; scale the data, or use a prior")
		}
	}
	off := obj.lossOffset(float64(n), K)
	loss := make([]float64, len(res.Losses))
	for i, l := range res.Losses {
		loss[i] = l + off
	}
	m.Weights, m.Means, m.Sigmas = w, means, sigmas
	return &Result{
		Method:    method,
		Loss:      loss,
		Converged: res.Converged,
		Steps:     res.Steps,
		Restarts:  res.Runs,
		Best:      res.Best,
	}, nil
}

// settings returns a copy of *s, or of the zero Settings if s is nil, with
// the defaults filled in for n points and K components.
func settings(s *Settings, n, K int) (Settings, error) {
	var cfg Settings
	if s != nil {
		cfg = *s
	}
	if cfg.Restarts == 0 {
		cfg.Restarts = defaultRestarts
		if K >= 1 && n*K <= smallFit {
			cfg.Restarts = min(smallRestarts, 4*K)
		}
	}
	return cfg, cfg.fill()
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

// checkFit returns an error if m and x cannot be fitted, and otherwise the
// smallest and largest values of x.
func (m *Model) checkFit(x []float64) (lo, hi float64, err error) {
	if m.K < 1 {
		return 0, 0, fmt.Errorf("gmm: K is %d; set the number of components to 1 or more", m.K)
	}
	if err := m.Prior.Validate(); err != nil {
		return 0, 0, err
	}
	if !m.Prior.IsZero() && m.Prior.Concentration < 1 {
		return 0, 0, fmt.Errorf("gmm: prior Concentration is %v; the MAP needs 1 or more (below 1 the density is infinite at the edge of the simplex); use Posterior for smaller values", m.Prior.Concentration)
	}
	if lo, hi, err = checkRange(x); err != nil {
		return 0, 0, err
	}
	if m.Prior.IsZero() {
		if d := distinct(x, max(m.K, 2)); d < 2 {
			return 0, 0, errors.New("gmm: all the data are equal, and maximum likelihood then puts σ at zero; use a prior (DefaultPrior) to fit constant data")
		} else if d < m.K {
			return 0, 0, fmt.Errorf("gmm: the data have %d distinct values, fewer than K = %d; maximum likelihood needs at least K: use fewer components or a prior (DefaultPrior)", d, m.K)
		}
	}
	return lo, hi, nil
}

// checkData returns an error if x is empty or holds a non-finite value.
func checkData(x []float64) error {
	_, _, err := checkRange(x)
	return err
}

// checkRange returns an error if x is empty or holds a non-finite value, and
// otherwise the smallest and largest values of x.
func checkRange(x []float64) (lo, hi float64, err error) {
	if len(x) == 0 {
		return 0, 0, errors.New("gmm: no data; pass at least one value")
	}
	// v·0 is 0 for a finite v and NaN for ±Inf and NaN; four sums of them
	// make a fast first look, and four lanes of minima and maxima ride
	// along.
	var a, b, c, d float64
	l0, l1, l2, l3 := x[0], x[0], x[0], x[0]
	h0, h1, h2, h3 := x[0], x[0], x[0], x[0]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v0, v1, v2, v3 := x[i], x[i+1], x[i+2], x[i+3]
		a += v0 * 0
		b += v1 * 0
		c += v2 * 0
		d += v3 * 0
		if v0 < l0 {
			l0 = v0
		}
		if v1 < l1 {
			l1 = v1
		}
		if v2 < l2 {
			l2 = v2
		}
		if v3 < l3 {
			l3 = v3
		}
		if v0 > h0 {
			h0 = v0
		}
		if v1 > h1 {
			h1 = v1
		}
		if v2 > h2 {
			h2 = v2
		}
		if v3 > h3 {
			h3 = v3
		}
	}
	for _, v := range x[i:] {
		a += v * 0
		l0, h0 = min(l0, v), max(h0, v)
	}
	if a+b+c+d == 0 {
		return min(l0, l1, l2, l3), max(h0, h1, h2, h3), nil
	}
	for i, v := range x {
		if !isFinite(v) {
			return 0, 0, fmt.Errorf("gmm: x[%d] is %v; remove or impute non-finite values before fitting", i, v)
		}
	}
	return 0, 0, errors.New("gmm: x holds a non-finite value; remove or impute non-finite values before fitting")
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

// location returns the mean and the population standard deviation of the
// finite, non-empty x. It sums in blocks, with four partial sums in each. If
// a sum overflows, as it can for values near the largest float64, or if the
// standard deviation is so small beside the mean that the rounding of the
// mean would show in it, it falls back to a running mean and deviations
// scaled by the largest, which are slower but exact enough in both cases.
func location(x []float64) (mean, sd float64) {
	n := float64(len(x))
	mean = deviations(x, 0, false) / n
	if isFinite(mean) {
		ss := deviations(x, mean, true)
		// The blocked mean errs by at most (1024 + n/4096)·2^−53 times
		// the mean of |x_i| ≤ |mean| + sd (Higham 2002, Accuracy and
		// Stability of Numerical Algorithms, §4.2), below
		// 3e-11·(|mean| + sd) for n ≤ 10^9; when sd > 1e-8·|mean| that
		// changes sd by less than 1e-5 of itself.
		if sd = math.Sqrt(ss / n); isFinite(sd) && sd > 1e-8*math.Abs(mean) {
			return mean, sd
		}
	}
	return locationScaled(x)
}

// deviations returns Σ (x_i − c), or Σ (x_i − c)² if sq, summing blocks of
// 4096 values, each in four partial sums.
func deviations(x []float64, c float64, sq bool) float64 {
	const size = 4096
	var tot float64
	for lo := 0; lo < len(x); lo += size {
		b := x[lo:min(lo+size, len(x))]
		var s0, s1, s2, s3 float64
		i := 0
		if sq {
			for ; i+4 <= len(b); i += 4 {
				d0, d1, d2, d3 := b[i]-c, b[i+1]-c, b[i+2]-c, b[i+3]-c
				s0 += d0 * d0
				s1 += d1 * d1
				s2 += d2 * d2
				s3 += d3 * d3
			}
			for _, v := range b[i:] {
				s0 += (v - c) * (v - c)
			}
		} else {
			for ; i+4 <= len(b); i += 4 {
				s0 += b[i] - c
				s1 += b[i+1] - c
				s2 += b[i+2] - c
				s3 += b[i+3] - c
			}
			for _, v := range b[i:] {
				s0 += v - c
			}
		}
		tot += (s0 + s1) + (s2 + s3)
	}
	return tot
}

// locationScaled is location computed so that neither overflows for values
// near the largest float64.
func locationScaled(x []float64) (mean, sd float64) {
	for i, v := range x {
		mean += (v - mean) / float64(i+1)
	}
	var big float64
	for _, v := range x {
		big = max(big, math.Abs(v-mean))
	}
	if big == 0 || math.IsInf(big, 0) {
		return mean, big
	}
	var ss float64
	for _, v := range x {
		d := (v - mean) / big
		ss += d * d
	}
	return mean, big * math.Sqrt(ss/float64(len(x)))
}

// bernoulli returns the standardised values u = (x − c)·inv of a random
// subsample of x, in order, that keeps each point with probability m/len(x),
// so about m points. The gaps between kept points are geometric, the
// integer parts of exponential variates of rate −log(1 − m/len(x)), so the
// cost is that of the points kept.
func bernoulli(x []float64, c, inv float64, m int, rng *rand.Rand) []float64 {
	rate := -math.Log1p(-float64(m) / float64(len(x)))
	u := make([]float64, 0, m+4*int(math.Sqrt(float64(m)))+16)
	for i := -1; ; {
		i += 1 + int(rng.ExpFloat64()/rate)
		if i >= len(x) || i < 0 {
			return u
		}
		u = append(u, (x[i]-c)*inv)
	}
}

// checkScale returns an error if the data's spread is so small that its
// inverse, inv, overflows.
func checkScale(inv float64) error {
	if math.IsInf(inv, 0) {
		return errors.New("gmm: the data's spread is too small to scale in float64 (below 1e-308); multiply the data by a large power of ten")
	}
	return nil
}

// robustSpread returns the interquartile range of the sorted values over
// 1.349, the ratio of a normal distribution's interquartile range to its
// standard deviation.
func robustSpread(sorted []float64) float64 {
	n := len(sorted)
	return (sorted[(3*n)/4] - sorted[n/4]) / 1.349
}

// subsample returns the standardised values u = (x − c)·inv of all of x if
// it has at most screenSize points, and otherwise of screenSize points drawn
// without replacement.
func subsample(x []float64, c, inv float64, rng *rand.Rand) []float64 {
	n := len(x)
	if n <= screenSize {
		u := make([]float64, n)
		for i, v := range x {
			u[i] = (v - c) * inv
		}
		return u
	}
	// Floyd's algorithm draws the indices; sorting them keeps the reads in
	// order.
	set := make(map[int]struct{}, screenSize)
	idx := make([]int, 0, screenSize)
	for j := n - screenSize; j < n; j++ {
		t := rng.IntN(j + 1)
		if _, ok := set[t]; ok {
			t = j
		}
		set[t] = struct{}{}
		idx = append(idx, t)
	}
	slices.Sort(idx)
	u := make([]float64, screenSize)
	for i, j := range idx {
		u[i] = (x[j] - c) * inv
	}
	return u
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
