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
	// bit for bit, at any GOMAXPROCS.
	Seed uint64

	// Restarts is the number of starting points; the fit with the lowest
	// loss wins. One starts from the data's quantiles, the others from
	// k-means++ seeding; a starting point equal to one before it (k-means++
	// seeds often lead to the same clustering) is not run twice. If zero, 4
	// are used.
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
	// σ_k is kept at or above SigmaFloor times the data's spread, so that
	// no component can collapse onto a single point, as scikit-learn's
	// reg_covar does. The spread is the smaller of the data's standard
	// deviation and their interquartile range over 1.349 (taken on the
	// screening sample), so that a few far outliers do not raise the floor.
	// If zero, 1e-3 is used (a floor of 1e-6 on the variance of
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
	// guide. The last entry is the loss of the fitted parameters. When the
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
// Fit standardises the data internally, so the fit does not depend on the
// data's units and offset. It runs every starting point in parallel; when x
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
// Fit returns an error, and leaves m unchanged, if x is empty or holds NaN
// or ±Inf, if m.K < 1, if m.Prior is invalid or has Concentration < 1 (its
// MAP then lies on the edge of the simplex, where the density is infinite),
// or, with the zero Prior, if x has fewer than m.K distinct values or all
// its values are equal, or if x spans more than the float64 range. It
// never modifies x. A fit that runs out of steps is not an error: it sets
// the parameters and reports Converged false.
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
	c, sd := location(x)
	if math.IsInf(sd, 0) {
		return nil, errors.New("gmm: the data span more than the float64 range; rescale them")
	}
	scale := sd
	// The smallest σ a starting point gets, in units of the standardised
	// data: small enough for tight clusters, large enough that Adam does not
	// start on a needle.
	initFloor := 1e-2
	if sd == 0 {
		// Constant data: only a prior can be fitted (checkFit saw to it),
		// and the prior's σ sets the scale.
		scale = m.Prior.sigmaMode()
		initFloor = 1
	}
	inv := 1 / scale
	if err := checkScale(inv); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	sample := subsample(x, c, inv, rng)
	sorted := kernel.Sorted(sample)
	if r := robustSpread(sorted); r > 0 && r < 1 && farthest(x, c)*inv/r <= 1e300 {
		// A few far outliers inflate the standard deviation; the bulk of
		// the data sets the scale instead, unless the outliers would then
		// lie beyond the float64 range.
		scale *= r
		inv = 1 / scale
		for i := range sample {
			sample[i] /= r
			sorted[i] /= r
		}
	}

	pu := m.Prior.standardised(c, scale)
	if pu.Validate() != nil || (!pu.IsZero() && !(pu.MeanScale > 0 && pu.SigmaScale > 0)) {
		return nil, errors.New("gmm: the prior's scale and the data's are too far apart to fit; rescale the data or the prior")
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
		u := bernoulli(x, c, inv, size, rand.New(rand.NewPCG(cfg.Seed, stageStream+uint64(j))))
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
			return nil, errors.New("gmm: the fit broke down numerically; scale the data, or use a prior")
		}
	}
	m.Weights, m.Means, m.Sigmas = w, means, sigmas
	return &Result{
		Method:    cfg.Method,
		Loss:      win.losses,
		Converged: win.converged,
		Steps:     win.steps,
		Restarts:  len(runs),
		Best:      win.index,
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
	if m.SharedSigma {
		return errors.New("gmm: Fit cannot yet fit a shared sigma; clear SharedSigma to give each component its own")
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

// farthest returns the largest |x_i − c|.
func farthest(x []float64, c float64) float64 {
	return max(slices.Max(x)-c, c-slices.Min(x))
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
