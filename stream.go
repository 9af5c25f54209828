package gmm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/internal/kernel"
)

// FitPasses fits m from a source of statistics instead of data in memory:
// pass is called once per step with the current parameters, a valid
// model in the data's units with m's K, Prior and SharedSigma that pass
// may read only during the call, and returns the statistics of all the
// data at those parameters (what Accumulate over every point gives, or
// Merge of the Stats of the data's parts), for instance from a cluster.
// The fit is the warm fit of Fit (Settings.Warm): it starts from m's
// parameters and makes one run of Settings.Method with the same steps,
// acceleration and stopping rule, standardised by the model, so that on
// the same data FitPasses and Fit with Warm agree to the rounding of the
// statistics' sums. Settings.Weights must be nil: the pass carries the
// weights (Accumulate's w). The first pass, at m's parameters, gives the
// total weight the stopping rule reads.
//
// Result.Loss holds the loss of every step as the passes give it (the
// last is that of the fitted parameters); Restarts is 1. The components
// keep m's order. FitPasses returns an error, and leaves m unchanged, if m
// is not fitted (wrapping ErrNotFitted), the settings are invalid, pass
// returns an error (wrapped, so errors.Is sees it) or invalid or empty
// statistics, or ctx is cancelled (checked before every pass).
func (m *Model) FitPasses(ctx context.Context, pass func(ctx context.Context, at *Model) (*Stats, error), s *Settings) (*Result, error) {
	cfg, err := settings(s, 0, m.K)
	if err != nil {
		return nil, err
	}
	if cfg.Weights != nil {
		return nil, errors.New("gmm: FitPasses takes no Settings.Weights; the pass gives each point its weight (Accumulate's w)")
	}
	cfg.Warm = true
	if err := m.checkFit(nil, &cfg); err != nil {
		return nil, err
	}
	z, err := m.warmScale()
	if err != nil {
		return nil, err
	}
	obj, err := m.objective(z, &cfg)
	if err != nil {
		return nil, err
	}
	K := m.K
	at := &Model{K: K, Prior: m.Prior, SharedSigma: m.SharedSigma,
		Weights: make([]float64, K), Means: make([]float64, K), Sigmas: make([]float64, K)}
	up := func(ctx context.Context, p *kernel.Params, st *Stats) error {
		for k := range K {
			at.Weights[k] = math.Exp(p.LogW[k])
			at.Means[k] = z.c + z.scale*p.Mu[k]
			at.Sigmas[k] = z.scale * p.Sigma[k]
		}
		normalise(at.Weights)
		got, err := pass(ctx, at)
		if err != nil {
			return fmt.Errorf("gmm: the pass failed: %w", err)
		}
		if got == nil {
			return errors.New("gmm: the pass returned no Stats; return the merged Stats of all the data")
		}
		if err := got.check(K); err != nil {
			return err
		}
		if !(got.Total > 0) {
			return errors.New("gmm: the pass returned Stats with no weight; accumulate all the data in every pass")
		}
		st.standardise(got, z)
		return nil
	}
	return m.fitPasses(ctx, newPassProblem(up, obj, K, 0), z, obj, &cfg)
}

// fitPasses runs the warm fit of m on the problem q, whose passes give
// the statistics of all the data: it makes the first pass to learn their
// total weight, runs the engine from m's parameters and sets m to the
// result.
func (m *Model) fitPasses(ctx context.Context, q *problem, z *standard, obj *objective, cfg *Settings) (*Result, error) {
	theta := m.theta(z)
	q.Project(theta)
	if _, err := q.Eval(ctx, theta); err != nil {
		return nil, err
	}
	q.total = q.st.Total
	q.ready = slices.Clone(theta)
	res, err := engine.Run(ctx, q, theta, engineSettings(cfg, obj, m.K))
	if err != nil {
		return nil, err
	}
	f, err := m.fromTheta(res.Theta, obj, cfg)
	if err != nil {
		return nil, err
	}
	out := m.result(res, obj, cfg.Method, q.total)
	m.Weights, m.Means, m.Sigmas = f.Weights, f.Means, f.Sigmas
	return out, nil
}

// standardise sets st to the statistics o, in the data's units, carried to
// the units of the data standardised by z, u = (x − c)/scale: the means
// map as the data do, M2 scales by 1/scale², and each point's log density
// gains log scale.
func (st *Stats) standardise(o *Stats, z *standard) {
	st.Total = o.Total
	st.LogLik = o.LogLik + o.Total*math.Log(z.scale)
	for k := range st.W {
		st.W[k] = o.W[k]
		st.Mean[k] = (o.Mean[k] - z.c) * z.inv
		st.M2[k] = o.M2[k] * z.inv * z.inv
	}
}

// streamBlock is the number of points a streaming pass gathers before it
// runs the kernel on them: a multiple of kernel.ChunkSize, so that its sums
// are those of a pass over the data in memory, bit for bit, and large
// enough for the kernel's chunks to run in parallel.
const streamBlock = 16 * kernel.ChunkSize

// FitStream fits m to data too large to hold in memory. src is called once
// per pass over the data and yields chunks of points with their weights (w
// nil: all 1; otherwise one finite, non-negative weight per point, as
// Settings.Weights); every call must yield the same points in the same
// order. FitStream holds one chunk of src's and a block of 131072 points at
// a time, besides a sample of 8192 points.
//
// The first pass checks the data, counts them and draws a uniform sample
// of 8192 points (a reservoir sample, Vitter 1985, each point keeping its
// weight). Without Settings.Warm, the starting points, the search and the
// standardisation come from that sample, as Fit's do from its screening
// sample (if the data hold no more points than the sample, FitStream is
// Fit on them); the winner is then refined by Settings.Method on all the
// data, one pass per step. The refinements on growing subsamples that Fit
// makes are skipped (each would cost a pass over all the data), and values
// far from the rest join the sample only if drawn. With Settings.Warm,
// FitStream starts from m's parameters as Fit does, and the two are one
// computation: every pass adds the kernel's sums over the same chunks of
// 8192 points in the same order, so FitStream with Warm gives Fit's
// result with Warm on the same data bit for bit.
//
// With Settings.Online, FitStream makes one pass only, by stepwise EM (see
// Settings.Online). Settings.Weights must be nil (the source carries the
// weights). Result.Loss holds the loss of every step of the last run as
// the passes give it. FitStream returns an error, and leaves m unchanged,
// if a chunk holds a non-finite value or an invalid weight, the weights
// are all zero or there are no points, a later pass yields a different
// number of points than the first, or for the reasons Fit gives.
func (m *Model) FitStream(ctx context.Context, src iter.Seq2[[]float64, []float64], s *Settings) (*Result, error) {
	cfg, err := settings(s, 0, m.K)
	if err != nil {
		return nil, err
	}
	if cfg.Weights != nil {
		return nil, errors.New("gmm: FitStream takes no Settings.Weights; yield each chunk's weights with its points")
	}
	var user Settings // the caller's settings, defaults not filled in
	if s != nil {
		user = *s
	}
	if cfg.Online {
		return m.fitOnline(ctx, src, &cfg, user)
	}
	first, err := scan(ctx, src, screenSize, max(m.K+1, 2), cfg.Seed)
	if err != nil {
		return nil, err
	}
	if first.n <= screenSize {
		// The sample is all the data.
		user.Weights = first.sw
		return m.FitContext(ctx, first.sample, &user)
	}
	if cfg, err = settings(s, first.n, m.K); err != nil {
		return nil, err
	}
	if err := m.checkFit(first.sample, &cfg); err != nil {
		return nil, err
	}
	if m.Prior.IsZero() && !cfg.Warm && first.distinct < 2 {
		return nil, errors.New("gmm: all the data are equal, and maximum likelihood then puts σ at zero; use a prior (DefaultPrior) to fit constant data")
	}
	var z *standard
	if cfg.Warm {
		z, err = m.warmScale()
	} else {
		z, err = standardise(first.sample, first.sw, screenSize, m.Prior.sigmaMode(), nil)
	}
	if err != nil {
		return nil, err
	}
	if err := checkFar([]float64{first.lo, first.hi}, z.c, z.scale); err != nil {
		return nil, err
	}
	obj, err := m.objective(z, &cfg)
	if err != nil {
		return nil, err
	}
	sp := &streamPass{src: src, n: first.n, weighted: first.weighted, c: z.c, inv: z.inv,
		eng: kernel.NewEngine(nil, z.c, z.inv, m.K), raw: kernel.NewStats(m.K)}
	if cfg.Warm {
		return m.fitPasses(ctx, newPassProblem(sp.pass, obj, m.K, first.total), z, obj, &cfg)
	}
	ss := &streamSource{pass: sp, obj: obj, total: first.total, n: first.n, sample: &source{
		x: z.sample, w: first.sw, total: totalWeight(z.sample, first.sw),
		c: 0, inv: 1, sample: z.sample, sw: first.sw, sorted: z.sorted, obj: obj, k: m.K,
	}}
	es := engineSettings(&cfg, obj, m.K)
	es.SkipStages = true
	res, err := engine.Fit(ctx, ss, m.starts(z, obj, &cfg, nil, nil), es)
	if err != nil {
		return nil, err
	}
	f, err := m.fromTheta(res.Theta, obj, &cfg)
	if err != nil {
		return nil, err
	}
	out := m.result(res, obj, cfg.Method, first.total)
	m.Weights, m.Means, m.Sigmas = f.Weights, f.Means, f.Sigmas
	out.Warnings = priorWarnings(m.Prior, m, first.sample, z.c, spreadOf(z))
	return out, nil
}

// streamSource gives the engine the sample, in memory, for the search, and
// the stream for the last stage.
type streamSource struct {
	pass   *streamPass
	obj    *objective
	total  float64 // the data's total weight
	n      int
	sample *source // the sample as data in memory, standardised
}

func (s *streamSource) Len() int { return s.n }

// Problem returns a problem on all the data, which reads the stream, for
// m ≥ n, and otherwise the one on the sample. The problems on all the data
// are the engine's to run side by side (the rescue of a degenerate run
// does); their passes take turns.
func (s *streamSource) Problem(m int, stream uint64) engine.Problem {
	if m >= s.n {
		return newPassProblem(s.pass.pass, s.obj, s.sample.k, s.total)
	}
	return s.sample.Problem(len(s.sample.x), 0)
}

// streamPass makes passes over a stream: it gathers the points of
// positive weight into blocks of streamBlock and adds each block's sums to
// one total, as the kernel would over all the points in memory.
type streamPass struct {
	src      iter.Seq2[[]float64, []float64]
	n        int  // the points of positive weight, as the first pass counted them
	weighted bool // some positive weight is not 1
	c, inv   float64
	eng      *kernel.Engine
	raw      *kernel.Stats
	x, w     []float64 // the block
	// mu makes the passes of problems run side by side take turns over
	// the stream and the buffers above.
	mu sync.Mutex
}

// pass sets st to the statistics of the stream at p.
func (sp *streamPass) pass(ctx context.Context, p *kernel.Params, st *Stats) error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.raw.LogLik = 0
	clear(sp.raw.N)
	clear(sp.raw.S1)
	clear(sp.raw.S2)
	if sp.x == nil {
		sp.x = make([]float64, 0, streamBlock)
		if sp.weighted {
			sp.w = make([]float64, 0, streamBlock)
		}
	}
	sp.x, sp.w = sp.x[:0], sp.w[:0]
	var count int
	var total float64
	flush := func() {
		var w []float64
		if sp.weighted {
			w = sp.w
		}
		sp.eng.Reset(sp.x, w)
		sp.eng.Add(p, sp.raw)
		sp.x, sp.w = sp.x[:0], sp.w[:0]
	}
	for x, w := range sp.src {
		if err := ctx.Err(); err != nil {
			return err
		}
		if w != nil && len(w) != len(x) {
			return fmt.Errorf("gmm: a chunk has %d points and %d weights; give one weight per point, or nil for all 1", len(x), len(w))
		}
		for i, v := range x {
			wi := 1.0
			if w != nil {
				wi = w[i]
			}
			if !(wi > 0) {
				continue
			}
			sp.x = append(sp.x, v)
			if sp.weighted {
				sp.w = append(sp.w, wi)
			}
			count++
			total += wi
			if len(sp.x) == streamBlock {
				flush()
			}
		}
	}
	if len(sp.x) > 0 {
		flush()
	}
	if count != sp.n {
		return fmt.Errorf("gmm: the source yielded %d points of positive weight in a pass and %d in the first; it must yield the same data in every pass", count, sp.n)
	}
	st.setRaw(sp.raw, p.Mu, total)
	if math.IsNaN(st.LogLik) {
		return errors.New("gmm: the data hold a non-finite value; the source must yield the same data in every pass")
	}
	return nil
}

// firstPass is what the first pass over a stream learns.
type firstPass struct {
	n          int     // the points of positive weight
	total      float64 // their total weight
	weighted   bool    // some positive weight is not 1
	lo, hi     float64 // the smallest and largest value
	distinct   int     // the distinct values, counted up to a bound
	sample, sw []float64
}

// scan makes the first pass over src: it checks every chunk, counts the
// points of positive weight and their total weight, and draws a uniform
// sample of size of them with their weights by reservoir sampling
// (Algorithm R; Vitter 1985, ACM Trans. Math. Softw. 11(1)), from the
// seed's stream 0. sw is nil if every weight is 1. It counts distinct
// values up to dmax.
func scan(ctx context.Context, src iter.Seq2[[]float64, []float64], size, dmax int, seed uint64) (*firstPass, error) {
	rng := rand.New(rand.NewPCG(seed, 0))
	f := &firstPass{lo: math.Inf(1), hi: math.Inf(-1)}
	var sw []float64
	seen := make([]float64, 0, dmax)
	offset := 0
	for x, w := range src {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := checkChunk(x, offset); err != nil {
			return nil, err
		}
		if _, err := checkWeights(w, len(x), false); err != nil {
			return nil, fmt.Errorf("%w (in the chunk from point %d of the stream)", err, offset)
		}
		offset += len(x)
		for i, v := range x {
			wi := 1.0
			if w != nil {
				wi = w[i]
			}
			if !(wi > 0) {
				continue
			}
			if wi != 1 {
				f.weighted = true
			}
			f.total += wi
			f.lo, f.hi = min(f.lo, v), max(f.hi, v)
			if len(seen) < dmax && !slices.Contains(seen, v) {
				seen = append(seen, v)
			}
			if f.n < size {
				f.sample = append(f.sample, v)
				sw = append(sw, wi)
			} else if j := rng.IntN(f.n + 1); j < size {
				f.sample[j], sw[j] = v, wi
			}
			f.n++
		}
	}
	switch {
	case f.n == 0 && offset == 0:
		return nil, errors.New("gmm: the source yielded no data; yield at least one value")
	case f.n == 0:
		return nil, errors.New("gmm: every weight is zero; give at least one point a positive weight")
	case math.IsInf(f.total, 0):
		return nil, errors.New("gmm: the weights sum to more than the float64 range; divide them all by the same large number")
	}
	f.distinct = len(seen)
	if f.weighted {
		f.sw = sw
	}
	return f, nil
}

// checkChunk returns an error naming the first non-finite value of the
// chunk x, which starts at point offset of the stream.
func checkChunk(x []float64, offset int) error {
	if len(x) == 0 || checkData(x) == nil {
		return nil
	}
	i := slices.IndexFunc(x, func(v float64) bool { return !isFinite(v) })
	return fmt.Errorf("gmm: value %d of the stream is %v; remove or impute non-finite values before fitting", offset+i, x[i])
}
