package mv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Criterion is a model-choice criterion: lower is better.
type Criterion int

const (
	// BIC is −2 log L + p log n (Schwarz 1978), as Model.BIC.
	BIC Criterion = iota
	// ICL is BIC plus twice the entropy of the hard classification
	// (Biernacki, Celeux & Govaert 2000), as Model.ICL.
	ICL
)

// String returns "BIC" or "ICL".
func (c Criterion) String() string {
	switch c {
	case BIC:
		return "BIC"
	case ICL:
		return "ICL"
	}
	return fmt.Sprintf("Criterion(%d)", int(c))
}

// SelectSettings tune Select. The zero value, and a nil *SelectSettings,
// mean defaults.
type SelectSettings struct {
	// Ks are the numbers of components to try. If nil, 1..9.
	Ks []int
	// Covariances are the covariance models to try. If nil, all fourteen.
	Covariances []Covariance
	// Criterion chooses the best candidate: BIC (the default) or ICL.
	Criterion Criterion
	// Fit tunes each candidate's fit; nil means Fit's defaults. Its
	// Weights and AllowMissing apply to the scores too: the
	// log-likelihood is Σ_i v_i log p(x_i) over the observed values, and
	// BIC's n is the total weight of the rows that have any.
	Fit *Settings
	// UsePrior fits each candidate under DefaultPrior(x, K), as mclust's
	// mclustBIC(x, prior = priorControl()) does. If false, by maximum
	// likelihood.
	UsePrior bool
}

// Candidate is one model tried by Select.
type Candidate struct {
	K             int
	Covariance    Covariance
	LogLikelihood float64 // NaN if Err is not nil
	NumParams     int     // as Model.NumParams
	BIC, ICL      float64 // NaN if Err is not nil
	Err           error   // why this candidate could not be fitted
}

// Selection is the outcome of Select: the best model and every candidate,
// ordered by covariance model (in the order given) and then by K.
type Selection struct {
	Best       *Model
	Candidates []Candidate
}

// Select fits every combination of K and covariance model to the rows of x
// and returns the one with the lowest criterion, as mclust's mclustBIC and
// Mclust do (mclust maximises the negative of our BIC). Each candidate is
// fitted by Fit, with all its starting points and one more: for each
// covariance model the Ks are fitted in increasing order, and the fit with
// K − 1 components, its widest component split in two along its main axis
// (see split), also starts the fit with K. Every start gets ten EM steps,
// and the five most promising then run to convergence, with the start
// from the VVV agglomeration whatever its promise: on data of up to 512
// rows in up to eight columns (fewer rows with more columns) that is
// mclust's start (see Fit), so that one of each candidate's runs is EM
// from mclust's start. (On data of up to 8192 rows Fit runs
// every start to convergence.) The runs are ranked at a
// looser tolerance, after which the best runs on to Fit's (see
// selectSearchTol): each candidate is converged as Fit converges. Under
// maximum likelihood a candidate whose every run degenerates (a singular
// covariance: too few points for its components, collinear columns,
// repeated rows) is recorded with its error, as mclust records NA, and
// cannot win. The covariance models are fitted in parallel; the result is
// the same at any GOMAXPROCS.
// A tie goes to the earlier candidate.
//
// Select returns an error if x is empty or not finite, if a K is below 1
// or above the number of rows, if a covariance model is unknown, if the
// settings are invalid, or if no candidate can be fitted (with the first
// candidate's error).
func Select(x mat.Matrix, s *SelectSettings) (*Selection, error) {
	return SelectContext(context.Background(), x, s)
}

// SelectContext is Select with a context: if ctx is cancelled, it returns
// ctx.Err().
func SelectContext(ctx context.Context, x mat.Matrix, s *SelectSettings) (*Selection, error) {
	cfg, d, err := selectSettings(x, s)
	if err != nil {
		return nil, err
	}
	nk := len(cfg.Ks)
	cands := make([]Candidate, len(cfg.Covariances)*nk)
	models := make([]*Model, len(cands))
	order := make([]int, nk)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cfg.Ks[a], cfg.Ks[b]) })
	sh := &selectShared{full: selectFullRuns, parts: &partCache{}}
	// Each covariance model's Ks run in increasing order, so that the fit
	// with K − 1 components, one of them split, starts the fit with K.
	parallel(len(cfg.Covariances), func(ci int) {
		var prev *Model
		for _, ki := range order {
			k := cfg.Ks[ki]
			var from *params
			if prev != nil && prev.K == k-1 {
				from = split(prev.paramsOf())
			}
			i := ci*nk + ki
			cands[i], models[i] = candidate(ctx, x, d, cfg.Covariances[ci], k, &cfg, from, sh)
			prev = models[i]
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	best := -1
	for i, c := range cands {
		if c.Err == nil && (best < 0 || c.score(cfg.Criterion) < cands[best].score(cfg.Criterion)) {
			best = i
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("mv: no candidate could be fitted; the first failed with: %w", cands[0].Err)
	}
	return &Selection{Best: models[best], Candidates: cands}, nil
}

// selectSettings returns s with its defaults, and the data's number of
// columns, or an error for invalid data or settings.
func selectSettings(x mat.Matrix, s *SelectSettings) (SelectSettings, int, error) {
	cfg := SelectSettings{Criterion: BIC}
	if s != nil {
		cfg = *s
	}
	if cfg.Ks == nil {
		cfg.Ks = []int{1, 2, 3, 4, 5, 6, 7, 8, 9}
	}
	if cfg.Covariances == nil {
		cfg.Covariances = Covariances()
	}
	data, err := checkDataMissing(x, cfg.Fit != nil && cfg.Fit.AllowMissing)
	if err != nil {
		return cfg, 0, err
	}
	if f := cfg.Fit; f != nil && (f.Warm || f.Fixed.any() || f.Online) {
		return cfg, 0, errors.New("mv: Select fits new models; SelectSettings.Fit cannot set Warm, Fixed or Online")
	}
	if cfg.Criterion != BIC && cfg.Criterion != ICL {
		return cfg, 0, fmt.Errorf("mv: %v is not a criterion; use BIC or ICL", cfg.Criterion)
	}
	for _, k := range cfg.Ks {
		if k < 1 || k > data.N {
			return cfg, 0, fmt.Errorf("mv: SelectSettings.Ks has %d; each K must be between 1 and the %d rows", k, data.N)
		}
	}
	for _, c := range cfg.Covariances {
		if !c.valid() {
			return cfg, 0, fmt.Errorf("mv: SelectSettings.Covariances has %v; use models from EII to VVV", c)
		}
	}
	return cfg, data.D, nil
}

// parallel calls f(0), …, f(n−1) on up to GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
	)
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// score returns the candidate's criterion c.
func (c Candidate) score(crit Criterion) float64 {
	if crit == ICL {
		return c.ICL
	}
	return c.BIC
}

// selectShared is what the fits of one Select share: the number of starts
// each runs to convergence (all if zero) and the starting partitions, which
// do not depend on the covariance model.
type selectShared struct {
	full  int
	parts *partCache
}

// selectFullRuns is the number of each candidate's starts that Select runs
// to convergence, the most promising after ten EM steps from each (Fit
// runs all of them on data of up to 8192 rows). On iris's four columns it
// halves the EM steps of the table (from about 24,000 to 12,500) and keeps
// every candidate at or above mclust's log-likelihood
// (TestMclustBICTable); with three, VEV with eight components ends 1.26
// below it.
const selectFullRuns = 5

// selectSearchTol is the tolerance at which Select's full runs are ranked
// (engine.Settings.SearchTol) on data of up to 8192 rows; the winner of
// each candidate then runs on to Fit's tolerance, so that every
// candidate's fit and log-likelihood are converged as Fit's. A step then
// lowers the loss by at most 1e-6·(|L| + n), about 3e-4 nats on iris,
// and mclust stops at a relative change of 1e-5. On iris's four columns it
// cuts the table's EM steps from about 22,600 to 20,200 and leaves every
// candidate's log-likelihood where it was (to 1.1e-6); at 1e-5 three
// candidates end at another optimum, 1.7 to 4.0 lower.
const selectSearchTol = 1e-6

// selectMapIters bounds the inner iterations (the MM steps and the sweep
// of plane rotations for the common orientation) of EVE's and VVE's
// M-step in the EM steps of Select's fits, which are then generalised EM
// steps (Dempster, Laird & Rubin 1977, section 3): each still raises the
// expected log-likelihood, from the orientation of the current
// covariances, and the runs converge where the iteration no longer moves
// the orientation, to fixed points of the exact M-step. The exact
// M-step takes four to six iterations in most EM steps of the table. On
// iris's four columns one iteration leaves every candidate's
// log-likelihood where the exact M-step puts it (to 3e-7, about one step's
// tolerance), in as many EM steps to within 0.3%, and cuts the EVE and VVE
// candidates' CPU time by about a third.
//
// That one iteration, in the EM steps and in the projections after
// accelerated steps, is the sweep of plane rotations alone
// (mvcov.Workspace.SweepsOnly): the MM steps' two polar factors cost about
// as much as the sweep, which does most of the work. This cut the EVE and VVE
// candidates' CPU time by a further sixth (medians of seven selections,
// three rounds side by side: 157, 168, 152 ms against 132, 145, 124 ms),
// in as many EM steps to within 0.2%, with every log-likelihood within
// 1e-6 of the exact M-step's. The starting points' M-steps stay exact.
//
// It bounds VEE's inner iterations too (mvcov.Workspace.VolumeIters), in
// the EM steps and the projections alike: the alternating updates of the
// volumes and of the shared C, an inverse of C each, took about nine
// iterations an M-step in the table (26,500 in all). With one (4,600, the
// starting points' exact M-steps included) every candidate's
// log-likelihood stays within 6e-10 relative of the exact M-steps' and
// the VEE candidates take about a fifth less CPU time.
const selectMapIters = 1

// candidate fits one candidate, with from as an extra start if not nil.
func candidate(ctx context.Context, x mat.Matrix, d int, c Covariance, k int, s *SelectSettings, from *params, sh *selectShared) (Candidate, *Model) {
	nan := math.NaN()
	cand := Candidate{K: k, Covariance: c, LogLikelihood: nan, BIC: nan, ICL: nan,
		NumParams: k - 1 + k*d + c.numCovParams(k, d)}
	m := &Model{K: k, Covariance: c}
	if s.UsePrior {
		m.Prior = DefaultPrior(x, k)
	}
	if _, err := m.fitFrom(ctx, x, s.Fit, from, sh); err != nil {
		cand.Err = err
		return cand, nil
	}
	st, err := m.fitStats(x, s.Fit)
	if err != nil {
		cand.Err = err
		return cand, nil
	}
	cand.LogLikelihood = st.LogLik
	cand.BIC = -2*st.LogLik + float64(cand.NumParams)*math.Log(st.Total)
	cand.ICL = cand.BIC + 2*st.Hard
	return cand, m
}

// split returns p with one more component: the component l with the
// largest w_l λ_l, λ_l the largest eigenvalue of Σ_l with eigenvector v,
// replaced by two with half its weight, means μ_l ± ½√λ_l v and covariance
// Σ_l − ¼λ_l vvᵀ, so that the pair has the mean and covariance of the
// component it replaces.
func split(p *params) *params {
	d := p.d
	best, bl := 0, -1.0
	var bv []float64
	var eig mat.EigenSym
	for j := range p.k {
		if !eig.Factorize(mat.NewSymDense(d, slices.Clone(p.cov[j])), true) {
			continue
		}
		vals := eig.Values(nil)
		if l := vals[d-1]; p.w[j] > 0 && p.w[j]*l > bl {
			var vec mat.Dense
			eig.VectorsTo(&vec)
			best, bl, bv = j, p.w[j]*l, mat.Col(nil, d-1, &vec)
		}
	}
	q := newParams(p.k+1, d)
	copy(q.w, p.w)
	copy(q.mean, p.mean)
	for j := range p.k {
		copy(q.cov[j], p.cov[j])
	}
	if bv == nil {
		return nil
	}
	lam := bl / p.w[best]
	q.w[best] /= 2
	q.w[p.k] = q.w[best]
	h := 0.5 * math.Sqrt(lam)
	for a := range d {
		q.mean[p.k*d+a] = p.mean[best*d+a] - h*bv[a]
		q.mean[best*d+a] = p.mean[best*d+a] + h*bv[a]
		for b := range d {
			v := p.cov[best][a*d+b] - 0.25*lam*bv[a]*bv[b]
			q.cov[best][a*d+b], q.cov[p.k][a*d+b] = v, v
		}
	}
	return q
}
