package mv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/internal/mvcov"
	"github.com/gmm-go/gmm/internal/mvkernel"
)

// Settings tune Fit. The zero value, and a nil *Settings, mean defaults.
type Settings struct {
	// Seed seeds the starting points and subsamples. The same seed gives
	// the same fit, bit for bit, at any GOMAXPROCS.
	Seed uint64

	// Restarts is the number of k-means++ starting points run besides the
	// hierarchical ones (see Fit). If zero, 10 are used; if negative, none.
	Restarts int

	// MaxSteps bounds the EM iterations of each run. If zero, 2000.
	MaxSteps int

	// Tol is the convergence tolerance: a run stops when an EM step lowers
	// the loss L by at most Tol·(|L| + n), with n the data's total weight.
	// The n keeps the test meaningful where L is near zero. If zero, 1e-9.
	Tol float64

	// Weights, if not nil, holds one finite non-negative weight per point,
	// not all zero: a point with weight v counts as v points in every sum
	// of the fit, and the starting partitions read it as v points in its
	// place: the agglomerations start it as a group of size v, k-means++
	// draws positions on the line of the weights (num.Line: whole
	// positions for the first centre, weight times squared distance for
	// the others) and Lloyd's iterations and the whitening weigh the
	// rows. Rows of weight 0 are removed first, so a weight of 0 gives
	// the fit without the point, bit for bit. For integer weights, against
	// the rows written out in their places when these are at most 1000
	// (so that neither agglomerates a sample of the rows) and 8192 (so
	// that neither screens on one): the same starting partitions, the same
	// statistics at the same parameters up to the rounding of sums that
	// add a row's weight at once, and so the same search, whose fits agree
	// to the stopping rule's tolerance (not bit for bit: a run can stop a
	// step apart, or two runs reaching one optimum swap places). Larger
	// data draw rows, each keeping its weight, where the rows written out
	// would draw copies, and the two fits agree as fits from two seeds
	// do. FitStream and FitPasses take the weights from their source
	// instead.
	Weights []float64

	// Warm starts the fit from the model's current parameters, which must
	// be set (a fitted model, or Weights, Means and Covariances given):
	// one run of EM on all the data, with no other starting points, for
	// refitting as data arrive. The components keep their order. The
	// degeneracy test then measures the covariances against the model's
	// own column variances (the mixture's), so that Fit, FitStream and
	// FitPasses from the same model on the same data agree.
	Warm bool

	// Fixed names the parameters the fit leaves as they are, bit for bit:
	// they must be set in the model. The others are fitted given them.
	// With any parameter fixed the components keep their order.
	Fixed Fixed

	// Columns is the number of values in a row of FitStream's chunks. If
	// zero, the model's Means give it.
	Columns int

	// Online makes FitStream fit in a single pass over the data, by
	// stepwise EM (Cappé & Moulines 2009, "On-line expectation-maximization
	// algorithm for latent data models", J. R. Statist. Soc. B 71(3)), for
	// data that can be read only once. The first 8192 rows (of positive
	// weight) are fitted as Fit would fit them, unless Warm is set; then,
	// for each further block of 8192 rows, their statistics at the current
	// parameters, per unit weight, are blended into running ones,
	// s ← (1 − γ_t) s + γ_t s_t with γ_t = (t + 1)^−0.6, and the
	// parameters are updated from s scaled to the weight seen so far (the
	// M-step of Model.Update). It is an approximation: its estimates follow
	// the data with the noise of a few blocks, where the fit by passes
	// converges on all of them; on 10⁶ rows of three overlapping components
	// in 3 dimensions its log-likelihood is within 3e-4 per row of the
	// full fit's and its means within 0.02 standard deviations (measured
	// 8.9e-5 and 0.009; TestFitStreamOnline). With Fixed, the fixed
	// parameters, which the model must hold, stay as they are bit for bit
	// through the first block's fit and every step, and the others are
	// updated given them. Fit ignores it.
	Online bool

	// AllowMissing lets a NaN in the data mark a missing coordinate,
	// missing at random; without it a NaN is an error. The E-step then
	// uses each row's observed coordinates and the M-step the conditional
	// expectations of the missing ones and of their second moments
	// (Ghahramani & Jordan 1994), which every covariance model's M-step
	// takes unchanged: the fit maximises the likelihood (or posterior) of
	// the observed values. Rows that miss every coordinate carry no
	// information: they are left out and counted in Result.EmptyRows.
	// Starting points are computed with each missing value replaced by
	// its column's mean.
	AllowMissing bool
}

// Result reports how a fit went.
type Result struct {
	// Loss holds the loss at every step of the winning run: the negative
	// log joint density −log p(x, w, μ, Σ), all normalising constants
	// included (under maximum likelihood, the negative log-likelihood). The
	// last entry is the loss of the fitted parameters. For data larger than
	// the screening sample, Loss is that of the final run on all the data.
	Loss []float64
	// Converged reports whether the winning run met the tolerance before
	// MaxSteps. A fit that did not converge still sets the parameters.
	Converged bool
	// Steps is the number of EM steps the winning run took.
	Steps int
	// Restarts is the number of distinct starting points run, and Best the
	// one that won: 0 for the agglomeration under the VVV criterion, 1 for
	// Ward's, 1 + r for the k-means++ start of stream r, and −1 for the
	// start Select makes from the fit with one component fewer. A warm fit
	// has one start, 0.
	Restarts, Best int
	// EmptyRows is the number of rows left out because every coordinate
	// is missing (Settings.AllowMissing).
	EmptyRows int
	// Warnings says in words what the fit left out, if anything.
	Warnings []string
}

const (
	defaultRestarts = 10
	defaultMaxSteps = 2000
	defaultTol      = 1e-9
	// screenSize is the largest data set every start runs on in full;
	// larger data are screened on a random subsample of this size, and the
	// best screened run is then refined on all the data.
	screenSize = 8192
	// hcSize is the largest sample the hierarchical start agglomerates: its
	// cost grows as the square of the sample.
	hcSize     = 1000
	lloydIters = 10
	// hcStream is the random stream that draws the hierarchical sample; the
	// engine's streams draw the subsamples (0 for the screening sample).
	hcStream = 1<<32 - 1
)

func (s *Settings) withDefaults() Settings {
	var c Settings
	if s != nil {
		c = *s
	}
	switch {
	case c.Restarts == 0:
		c.Restarts = defaultRestarts
	case c.Restarts < 0:
		c.Restarts = 0
	}
	if c.MaxSteps == 0 {
		c.MaxSteps = defaultMaxSteps
	}
	if c.Tol == 0 {
		c.Tol = defaultTol
	}
	return c
}

// Fit is FitContext with a background context.
func (m *Model) Fit(x mat.Matrix, s *Settings) (*Result, error) {
	return m.FitContext(context.Background(), x, s)
}

// FitContext fits the model to the rows of x by EM (Dempster, Laird &
// Rubin 1977) with the covariance model's M-step (Celeux & Govaert 1995),
// maximising the likelihood for the zero Prior and the posterior density
// otherwise (Fraley & Raftery 2007), and sets m.Weights, m.Means and
// m.Covariances. x is read, never written; a *mat.Dense is read without a
// copy.
//
// Each fit runs EM from several starting points and keeps the best
// (internal/engine drives the runs, with Anderson acceleration): two
// hierarchical agglomerations in the manner of mclust (Fraley 1998), on a
// random sample of at most 1000 rows in mclust's scaled SVD coordinates —
// Ward's, which is model-based agglomeration under EII, and one under the
// VVV criterion Σ_g n_g log det(W_g/n_g), continued from Ward's partition
// into small groups (Select's, on small data, is mclust's own, from single
// rows) — and Restarts partitions of the whitened data by
// k-means++ seeding and Lloyd's iterations, one per random stream. Each
// partition gives a start by one M-step; a partition that repeats an
// earlier one is not run twice. Data of more than 8192 rows are screened
// on a random subsample of that size, and the best screened run is refined
// on growing subsamples and then on all the rows.
//
// Under maximum likelihood the likelihood is unbounded: a component can
// collapse onto fewer points than it has dimensions, onto a subspace or
// onto repeated rows. A run whose covariance becomes singular, or nearly so
// (an eigenvalue below 1e-10 once the data's columns are scaled to unit
// variance), is disqualified, and the best remaining run wins. If every
// run is disqualified, FitContext returns the first run's error, which
// names the component and says what to do.
//
// Settings.Weights, Warm, Fixed and AllowMissing change the fit as their
// documentation says: a warm fit is one run from the model's parameters,
// fixed parameters stay as they are, and with AllowMissing a NaN is a
// missing coordinate.
//
// FitContext returns an error, leaving m unchanged, if x is empty, has a
// value that is not finite (NaN is allowed with AllowMissing), or has fewer
// rows than K; if m.K < 1, the Covariance is unknown, or the Prior is
// invalid or has a Concentration below 1 (the MAP does not exist then); if
// the weights are invalid; if Warm or Fixed needs parameters the model does
// not have; if every run fails; or if ctx is cancelled.
func (m *Model) FitContext(ctx context.Context, x mat.Matrix, s *Settings) (*Result, error) {
	return m.fitFrom(ctx, x, s, nil, nil)
}

// fitFrom is FitContext with one more starting point, from, if not nil: a
// valid model with the same K and covariance model, such as Select's split
// of the fit with one component fewer; sel, if not nil, holds what the fits
// of one Select share.
func (m *Model) fitFrom(ctx context.Context, x mat.Matrix, s *Settings, from *params, sel *selectShared) (*Result, error) {
	cfg := s.withDefaults()
	data, empty, err := m.checkFit(x, &cfg)
	if err != nil {
		return nil, err
	}
	f := newFitter(m, data, &cfg)
	f.from = from
	f.sel = sel
	if err := f.setup(m); err != nil {
		return nil, err
	}
	p, res, err := f.fit(ctx)
	if err != nil {
		return nil, err
	}
	res.report(empty)
	m.set(p)
	return res, nil
}

// report records the rows left out for missing every coordinate.
func (r *Result) report(empty int) {
	r.EmptyRows = empty
	if empty > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d rows miss every coordinate and were left out of the fit", empty))
	}
}

// checkFit checks the model, the data and the settings, and returns the
// data, without the rows that miss every coordinate if missing values are
// allowed, and the number of such rows.
func (m *Model) checkFit(x mat.Matrix, s *Settings) (mvkernel.Data, int, error) {
	if m.K < 1 {
		return mvkernel.Data{}, 0, fmt.Errorf("mv: K is %d; it must be at least 1", m.K)
	}
	if !m.Covariance.valid() {
		return mvkernel.Data{}, 0, fmt.Errorf("mv: %v is not a covariance model; use one of EII … VVV (see ParseCovariance)", m.Covariance)
	}
	data, err := checkDataMissing(x, s.AllowMissing)
	if err != nil {
		return data, 0, err
	}
	if err := m.Prior.Validate(data.D); err != nil {
		return data, 0, err
	}
	if !m.Prior.IsZero() && m.Prior.alpha() < 1 {
		return data, 0, fmt.Errorf("mv: prior Concentration is %v; the MAP needs 1 or more (below 1 the density is infinite at the edge of the simplex)", m.Prior.Concentration)
	}
	if err := checkWeights(s.Weights, data.N); err != nil {
		return data, 0, err
	}
	if s.MaxSteps < 0 || !(s.Tol > 0) || math.IsInf(s.Tol, 0) {
		return data, 0, fmt.Errorf("mv: Settings.MaxSteps is %d and Tol %v; give MaxSteps ≥ 0 and a positive finite Tol (0 for the defaults)", s.MaxSteps, s.Tol)
	}
	data.V = s.Weights
	data = dropUnweighted(data)
	n := data.N
	empty := 0
	if s.AllowMissing {
		data, empty = dropEmpty(data)
		if data.N == 0 {
			return data, empty, errors.New("mv: every row misses every coordinate; give rows with some values")
		}
		if data.V != nil {
			if err := checkWeights(data.V, data.N); err != nil {
				return data, empty, fmt.Errorf("mv: the rows with some values observed have no weight; give them positive weights")
			}
		}
	}
	if data.N < m.K {
		return data, empty, fmt.Errorf("mv: %d points cannot be split into K = %d components; use fewer components", n-empty, m.K)
	}
	return data, empty, nil
}

// fitter holds what the runs of one fit share; it is the engine's Source.
type fitter struct {
	k     int
	cov   Covariance
	prior *mvcov.Prior
	alpha float64
	s     *Settings
	all   mvkernel.Data // the data
	scale []float64     // the data's column variances
	tiny  float64       // the degeneracy test's threshold
	from  *params       // an extra starting point, or nil
	sel   *selectShared // what the fits of one Select share, or nil

	// n is the number of rows the engine sees (Len). If big is not nil, it
	// makes the passes over all the data (a stream, or the caller's
	// function), whose total weight is points (0 if the first pass is to
	// tell), and all holds only the screening sample; a warm fit there has
	// n = 1, so that the engine's screening "sample" is all the data.
	n      int
	big    func() passer
	points float64
	warm   *params // the warm start, or nil
	theta0 []float64
	fx     *fixing
	ctx    context.Context
	// missing reports whether the rows may miss coordinates (NaN).
	missing bool

	mu   sync.Mutex
	subs map[[2]uint64]mvkernel.Data // subsamples drawn, by size and stream
}

func newFitter(m *Model, data mvkernel.Data, s *Settings) *fitter {
	f := &fitter{k: m.K, cov: m.Covariance, alpha: m.Prior.alpha(), s: s, all: data, n: data.N, subs: map[[2]uint64]mvkernel.Data{}}
	f.missing = s.AllowMissing && hasNaN(data)
	if m.Prior.hasNIW() {
		q := m.Prior.clone()
		f.prior = q.niw()
	}
	f.scale = colVar(data)
	f.tiny = threshold(f.sample(screenSize, 0), f.scale)
	return f
}

// setup reads the settings that need the model: the fixed parameters and
// the warm start, whose column variances then replace the data's.
func (f *fitter) setup(m *Model) error {
	d := f.all.D
	fx, err := m.fixedParams(f.s.Fixed, d)
	if err != nil {
		return err
	}
	f.fx = fx
	if !f.s.Warm {
		return nil
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("mv: Settings.Warm needs the model's parameters (%w)", err)
	}
	if m.dim() != d {
		return fmt.Errorf("mv: Settings.Warm: the model has %d columns and the data %d", m.dim(), d)
	}
	f.warm = m.paramsOf()
	fx.apply(f.warm)
	f.scale = mixtureVar(f.warm)
	f.tiny = degenerateTol
	return nil
}

// mixtureVar returns the column variances of the mixture p,
// Σ_k w_k (Σ_k,jj + μ_kj²) − (Σ_k w_k μ_kj)².
func mixtureVar(p *params) []float64 {
	d := p.d
	v := make([]float64, d)
	for j := range d {
		var m, s float64
		for k, w := range p.w {
			mu := p.mean[k*d+j]
			m += w * mu
			s += w * (p.cov[k][j*d+j] + mu*mu)
		}
		v[j] = max(s-m*m, 0)
		if !(v[j] > 0) {
			// The means agree and the variances are tiny: the covariances'
			// own scale then.
			for k, w := range p.w {
				v[j] += w * p.cov[k][j*d+j]
			}
		}
	}
	return v
}

// Len returns the number of rows the engine sees (see fitter.n).
func (f *fitter) Len() int { return f.n }

// Problem returns a problem on all the rows if m ≥ Len, and otherwise on m
// rows drawn without replacement from the random stream stream (for a
// stream, on the screening sample whatever m).
func (f *fitter) Problem(m int, stream uint64) engine.Problem {
	if f.big != nil && m >= f.n {
		d := f.all.D
		pr := newProblem(f.k, f.cov, mvkernel.Data{D: d, Stride: d}, f.prior, f.alpha, f.scale, f.tiny)
		pr.src, pr.fx = f.big(), f.fx
		f.mu.Lock()
		defer f.mu.Unlock()
		if theta := f.theta0; theta != nil {
			// The warm start's first pass: it tells the data's total
			// weight, and the run's first Eval uses its statistics.
			f.theta0 = nil
			pr.primeErr = pr.prime(f.ctx, theta)
			if f.points == 0 {
				f.points = pr.st.Total
			}
		}
		pr.points = f.points
		return pr
	}
	x := f.sample(m, stream)
	pr := newProblem(f.k, f.cov, x, f.prior, f.alpha, f.scale, f.tiny)
	pr.fx = f.fx
	if f.sel != nil {
		pr.mapIters = selectMapIters
	}
	if f.missing {
		pr.src = newMissPass(x, f.k)
	}
	return pr
}

// sample returns the subsample of m rows from stream, drawing it once.
func (f *fitter) sample(m int, stream uint64) mvkernel.Data {
	if m >= f.all.N {
		return f.all
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := [2]uint64{uint64(m), stream}
	if x, ok := f.subs[key]; ok {
		return x
	}
	x := subsample(f.all, m, rand.New(rand.NewPCG(f.s.Seed, stream)))
	f.subs[key] = x
	return x
}

// colVar returns the weighted variances of the columns, each over its
// observed values (NaN marks a missing one).
func colVar(x mvkernel.Data) []float64 {
	d := x.D
	mean := make([]float64, d)
	v := make([]float64, d)
	w := make([]float64, d)
	for i := range x.N {
		wi := weight(x, i)
		for j, xv := range x.X[i*x.Stride : i*x.Stride+d] {
			if !math.IsNaN(xv) {
				w[j] += wi
				mean[j] += wi * xv
			}
		}
	}
	for j := range mean {
		mean[j] /= w[j]
	}
	for i := range x.N {
		wi := weight(x, i)
		for j, xv := range x.X[i*x.Stride : i*x.Stride+d] {
			if !math.IsNaN(xv) {
				v[j] += wi * (xv - mean[j]) * (xv - mean[j])
			}
		}
	}
	for j := range v {
		v[j] /= w[j]
	}
	return v
}

// subsample returns a copy of m rows of x drawn without replacement, in
// their order in x, with their weights.
func subsample(x mvkernel.Data, m int, rng *rand.Rand) mvkernel.Data {
	idx := draw(x.N, m, rng)
	d := x.D
	out := mvkernel.Data{X: make([]float64, m*d), N: m, D: d, Stride: d}
	if x.V != nil {
		out.V = make([]float64, m)
	}
	for i, r := range idx {
		copy(out.X[i*d:(i+1)*d], x.X[r*x.Stride:r*x.Stride+d])
		if x.V != nil {
			out.V[i] = x.V[r]
		}
	}
	return out
}

// draw returns m of the indices 0..n−1 drawn without replacement, in
// increasing order, by Floyd's algorithm (Bentley & Floyd 1987,
// "Programming pearls: a sample of brilliance", Commun. ACM 30(9)): for
// j = n−m … n−1, draw t uniformly from 0..j and take t, or j if t is taken
// already, which makes every m-subset equally likely. The taken indices are
// marked in a bitmap of n bits and read off it in order, so that the draw
// costs m random numbers and n/64 words, with no permutation of n indices
// to fill and no sort.
func draw(n, m int, rng *rand.Rand) []int {
	taken := make([]uint64, (n+63)/64)
	for j := n - m; j < n; j++ {
		t := rng.IntN(j + 1)
		if taken[t/64]&(1<<(t%64)) != 0 {
			t = j
		}
		taken[t/64] |= 1 << (t % 64)
	}
	idx := make([]int, 0, m)
	for w, word := range taken {
		for word != 0 {
			idx = append(idx, w*64+bits.TrailingZeros64(word))
			word &= word - 1
		}
	}
	return idx
}

// fit runs the engine from the starting points and returns the winner's
// parameters.
func (f *fitter) fit(ctx context.Context) (*params, *Result, error) {
	f.ctx = ctx
	if f.warm != nil {
		return f.fitWarm(ctx)
	}
	if f.prior == nil {
		for j, v := range f.scale {
			if math.IsNaN(v) {
				return nil, nil, fmt.Errorf("mv: column %d has no observed value; drop the column", j)
			}
			if !(v > 0) {
				return nil, nil, fmt.Errorf("mv: column %d is constant, so every covariance is singular under maximum likelihood; drop the column, or use a prior", j)
			}
		}
	}
	screen := f.Problem(screenSize, 0).(*problem)
	starts, ids, err := f.starts(screen)
	if err != nil && f.from == nil {
		return nil, nil, err
	}
	if f.from != nil {
		theta := make([]float64, screen.Dim())
		screen.encode(f.from, theta)
		if screen.project(theta, true) {
			starts, ids = append(starts, theta), append(ids, -1)
		}
	}
	if len(starts) == 0 {
		return nil, nil, err
	}
	es := &engine.Settings{MaxSteps: f.s.MaxSteps, Tol: f.s.Tol, ScreenSize: screenSize, FullRuns: len(starts)}
	if f.sel != nil && f.sel.full > 0 {
		es.FullRuns, es.Screen = min(f.sel.full, len(starts)), true
		es.SearchTol = selectSearchTol
		if ids[0] == 0 {
			// mclust's start (see vvvMerges) always runs in full, so
			// that each candidate reaches at least the optimum EM
			// reaches from it.
			es.KeptStarts = 1
		}
	}
	r, err := engine.Fit(ctx, f, starts, es)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		var de *engine.DegenerateError
		if errors.As(err, &de) {
			return nil, nil, de.Err
		}
		return nil, nil, err
	}
	p := newParams(f.k, f.all.D)
	screen.decode(r.Theta, p)
	f.fx.apply(p)
	if f.fx == nil {
		p.sort()
	}
	res := &Result{Loss: r.Losses, Converged: r.Converged, Steps: r.Steps, Restarts: len(starts), Best: -1}
	if r.Best < len(ids) {
		res.Best = ids[r.Best]
	}
	return p, res, nil
}

// fitWarm runs the engine from the warm start alone, on all the data from
// the first step.
func (f *fitter) fitWarm(ctx context.Context) (*params, *Result, error) {
	d := f.all.D
	scratch := newProblem(f.k, f.cov, mvkernel.Data{D: d, Stride: d}, f.prior, f.alpha, f.scale, f.tiny)
	theta := make([]float64, scratch.Dim())
	scratch.encode(f.warm, theta)
	if f.big != nil {
		f.theta0 = theta
	}
	es := &engine.Settings{MaxSteps: f.s.MaxSteps, Tol: f.s.Tol, ScreenSize: f.n, FullRuns: 1}
	r, err := engine.Fit(ctx, f, [][]float64{theta}, es)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		var de *engine.DegenerateError
		if errors.As(err, &de) {
			return nil, nil, de.Err
		}
		return nil, nil, err
	}
	p := newParams(f.k, d)
	scratch.decode(r.Theta, p)
	f.fx.apply(p)
	return p, &Result{Loss: r.Losses, Converged: r.Converged, Steps: r.Steps, Restarts: 1, Best: 0}, nil
}

// starts returns the starting points as θ, computed on the screening
// problem's rows: the VVV-criterion agglomeration, Ward's, and the
// k-means++ partitions, each partition once.
func (f *fitter) starts(pr *problem) (thetas [][]float64, ids []int, err error) {
	x := pr.x
	if f.missing {
		x = imputed(x)
	}
	var ps *partitions
	if f.sel != nil && f.sel.parts != nil {
		ps = f.sel.parts.get(f.k, func() *partitions { return f.partitions(x) })
	} else {
		ps = f.partitions(x)
	}
	var firstErr error
	for i := range ps.z {
		theta := make([]float64, pr.Dim())
		if err := f.startTheta(pr, ps.st[i], theta); err != nil {
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		thetas = append(thetas, theta)
		ids = append(ids, ps.ids[i])
	}
	if len(thetas) == 0 {
		return nil, nil, firstErr
	}
	return thetas, ids, nil
}

// partitions are the hard partitions that start a fit, which depend on the
// data, the seed, K and the number of restarts but not on the covariance
// model: the first hc label the rows (of x) listed in rows, or every row if
// rows is nil; the others label every row. ids are their Result.Best
// numbers, and st their statistics (mvkernel.HardStats), which the fits of
// Select's covariance models share as they share the partitions.
type partitions struct {
	z    [][]int
	ids  []int
	rows []int
	hc   int
	st   []*mvkernel.Stats
}

// partitions returns the agglomerations' and the k-means++ partitions of
// the rows of x, each partition once.
//
// The agglomerations see only rows of positive weight (a sample of the
// data read from a stream can hold rows of weight 0, which would join any
// group at no cost).
func (f *fitter) partitions(x mvkernel.Data) *partitions {
	d := x.D
	weighted := positiveRows(x)
	n := x.N
	if weighted != nil {
		n = len(weighted)
	}
	m := min(n, hcSize)
	ps := &partitions{}
	hx := x
	if m < x.N {
		rng := rand.New(rand.NewPCG(f.s.Seed, hcStream))
		ps.rows = rng.Perm(n)[:m]
		if weighted != nil {
			for i, r := range ps.rows {
				ps.rows[i] = weighted[r]
			}
		}
		slices.Sort(ps.rows)
		hx = mvkernel.Data{X: make([]float64, m*d), N: m, D: d, Stride: d}
		if x.V != nil {
			hx.V = make([]float64, m)
		}
		for i, r := range ps.rows {
			copy(hx.X[i*d:(i+1)*d], x.X[r*x.Stride:r*x.Stride+d])
			if x.V != nil {
				hx.V[i] = x.V[r]
			}
		}
	}
	// The agglomerations (job 0) and the k-means++ restarts (job r, from
	// stream r) run in parallel, each with its own random stream, and are
	// collected in order.
	y := whiten(x, f.scale)
	var hc [][]int
	km := make([][]int, f.s.Restarts+1)
	parallel(f.s.Restarts+1, func(r int) {
		if r > 0 {
			rng := rand.New(rand.NewPCG(f.s.Seed, uint64(r)))
			km[r] = kmeans(y, x.V, x.N, d, f.k, lloydIters, rng)
			return
		}
		if f.k <= m {
			// In Select on a small sample the VVV agglomeration starts
			// from single points, as mclust's; otherwise from Ward's
			// partition into small groups, which costs far less. Ward's
			// cut into K groups is the second start.
			t := f.trees(hx)
			if t.vvv != nil {
				hc = append(hc, cut(t.vvv, m, f.k))
			} else {
				hc = append(hc, agglomerateVVV(t.hy, hx.V, m, d, cut(t.ward, m, vvvGroups(hx.V, m, d, f.k)), f.k))
			}
			if z := cut(t.ward, m, f.k); !samePartition(z, hc[0]) {
				hc = append(hc, z)
			}
		}
	})
	ps.z = hc
	ps.hc = len(ps.z)
	ps.ids = []int{0, 1}[:ps.hc]
	// A k-means partition that repeats an agglomeration's (of the same
	// rows: with K = 1, always) or an earlier one would start the same run
	// again.
	seen := slices.Clone(hc)
	for r := 1; r <= f.s.Restarts; r++ {
		z := km[r]
		if slices.ContainsFunc(seen, func(s []int) bool { return samePartition(s, z) }) {
			continue
		}
		seen = append(seen, z)
		ps.z = append(ps.z, z)
		ps.ids = append(ps.ids, r+1)
	}
	ps.st = make([]*mvkernel.Stats, len(ps.z))
	for i, z := range ps.z {
		rows := ps.rows
		if i >= ps.hc {
			rows = nil
		}
		ps.st[i] = mvkernel.NewStats(f.k, d)
		mvkernel.HardStats(x, rows, z, ps.st[i])
	}
	return ps
}

// hcTrees are the agglomerations' sample in mclust's scaled SVD
// coordinates, Ward's merge tree of it and, for Select on a small sample
// (see vvvFromPoints), the merges of the VVV agglomeration from single
// points, none of which depend on K.
type hcTrees struct {
	hy        []float64
	ward, vvv []merge
}

// trees returns the hcTrees of the agglomerations' sample hx, which the
// fits of one Select compute once.
func (f *fitter) trees(hx mvkernel.Data) *hcTrees {
	compute := func() *hcTrees {
		t := &hcTrees{hy: scaledSVD(hx, f.scale)}
		t.ward = wardTree(t.hy, hx.V, hx.N, hx.D)
		if f.sel != nil && vvvFromPoints(hx.N, hx.D) {
			t.vvv = vvvMerges(mclustCoordinates(t.hy, hx.V, hx.N), hx.V, hx.N, hx.D)
		}
		return t
	}
	if f.sel == nil || f.sel.parts == nil {
		return compute()
	}
	c := f.sel.parts
	c.once.Do(func() { c.trees = compute() })
	return c.trees
}

// positiveRows returns the indices of the rows of x of positive weight if
// some weight is 0, and nil otherwise.
func positiveRows(x mvkernel.Data) []int {
	if !slices.Contains(x.V, 0) {
		return nil
	}
	var rows []int
	for i, v := range x.V {
		if v > 0 {
			rows = append(rows, i)
		}
	}
	return rows
}

// partCache shares the starting partitions of one K between the fits of
// Select's covariance models, which compute them alike.
type partCache struct {
	mu  sync.Mutex
	byK map[int]*partEntry

	// The agglomerations' trees, shared by every K (see fitter.trees).
	once  sync.Once
	trees *hcTrees
}

type partEntry struct {
	once sync.Once
	ps   *partitions
}

// get returns the partitions for K = k, computing them by compute once.
func (c *partCache) get(k int, compute func() *partitions) *partitions {
	c.mu.Lock()
	if c.byK == nil {
		c.byK = map[int]*partEntry{}
	}
	e := c.byK[k]
	if e == nil {
		e = &partEntry{}
		c.byK[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.ps = compute() })
	return e.ps
}

// samePartition reports whether two labellings split the points alike.
func samePartition(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	ab := map[int]int{}
	for i, v := range a {
		if w, ok := ab[v]; ok && w != b[i] {
			return false
		}
		ab[v] = b[i]
	}
	seen := map[int]bool{}
	for _, w := range ab {
		if seen[w] {
			return false
		}
		seen[w] = true
	}
	return true
}

// startTheta sets θ to one M-step from a hard partition, given its
// statistics hard (mvkernel.HardStats), which it reads only.
// Where the M-step's covariance is singular (a group with fewer points than
// dimensions under maximum likelihood), a ridge of 1e-3 of each column's
// variance is added to the groups' scatters, once; this shapes only the
// start. If the M-step still fails, so does the start.
func (f *fitter) startTheta(pr *problem, hard *mvkernel.Stats, theta []float64) error {
	k, d := f.k, hard.D
	// The screening problem's scratch, which no run uses: its statistics
	// and parameters for projections.
	st, cur, next := pr.projSt, pr.proj, pr.next
	cur.clear()
	copyStats(st, hard)
	for j := range k {
		if !(st.W[j] > 0) {
			return fmt.Errorf("mv: start leaves component %d empty; use fewer components", j)
		}
	}
	for j := range k {
		cur.w[j] = st.W[j] / st.Total
		copy(cur.mean[j*d:(j+1)*d], st.Mean[j*d:(j+1)*d])
		for a := range d {
			cur.cov[j][a*d+a] = f.scale[a]
		}
	}
	pr.mapErr = nil
	pr.mstep(st, cur, next)
	if pr.mapErr != nil || !pr.allPD(next) {
		for j := range k {
			for a := range d {
				st.M2[j*d*d+a*d+a] += 1e-3 * st.W[j] * f.scale[a]
			}
		}
		pr.mapErr = nil
		pr.mstep(st, cur, next)
	}
	if err := pr.mapErr; err != nil {
		pr.mapErr = nil
		return err
	}
	pr.encode(next, theta)
	return nil
}

// copyStats sets dst to src, which have the same K and D.
func copyStats(dst, src *mvkernel.Stats) {
	dst.Total, dst.LogLik, dst.Hard = src.Total, src.LogLik, src.Hard
	copy(dst.W, src.W)
	copy(dst.Mean, src.Mean)
	copy(dst.M2, src.M2)
}
