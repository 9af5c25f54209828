package gmm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/gmm-go/gmm/internal/num"
)

// NumParams returns the number of free parameters of the mixture: K − 1
// weights, K means and K standard deviations, 3K − 1 in all, or with
// SharedSigma one standard deviation, 2K in all. These are the counts of R
// mclust's nMclustParams for its one-dimensional models "V" and "E". The
// prior does not change the count.
func (m *Model) NumParams() int {
	if m.SharedSigma {
		return 2 * m.K
	}
	return 3*m.K - 1
}

// BIC returns the Bayesian information criterion of the fitted model on the
// data x (Schwarz 1978),
//
//	BIC = −2 log L + p log n,
//
// with log L the log-likelihood (see LogLikelihood), p = NumParams() and n
// the number of points. Lower is better, as with scikit-learn's
// GaussianMixture.bic; R mclust reports −BIC, for which higher is better.
// With a prior, log L is the likelihood at the fitted (MAP) parameters, as
// mclust's BIC with a prior is. It returns an error if x is empty or not
// finite, or m is not a valid fitted model.
func (m *Model) BIC(x []float64) (float64, error) {
	ll, err := m.LogLikelihood(x)
	if err != nil {
		return 0, err
	}
	return m.bic(ll, float64(len(x))), nil
}

// bic returns the BIC of log-likelihood ll on n points (or total weight).
func (m *Model) bic(ll, n float64) float64 {
	return -2*ll + float64(m.NumParams())*math.Log(n)
}

// ICL returns the integrated completed likelihood criterion of the fitted
// model on the data x in its BIC approximation (Biernacki, Celeux & Govaert
// 2000),
//
//	ICL = BIC + 2 Σ_i −log max_k r_ik,
//
// with r_ik the responsibilities (see Responsibilities): the added term is
// −2 times the log-probability, under the fit, of the most probable
// labels, as R mclust computes it (Biernacki et al. also give a form with
// the entropy −Σ_i Σ_k r_ik log r_ik in its place). It penalises
// components that overlap, so ICL prefers well-separated clusters where
// BIC may use several components for one skewed cluster. Lower is better
// (mclust's icl is −ICL). It returns an error if x is empty or not finite, or m is
// not a valid fitted model.
func (m *Model) ICL(x []float64) (float64, error) {
	bic, err := m.BIC(x)
	if err != nil {
		return 0, err
	}
	return bic + 2*m.labelCost(x, nil), nil
}

// labelCost returns Σ_i v_i (−log max_k r_ik), the term ICL adds to BIC
// (halved), for x weighted by w (nil: all 1).
func (m *Model) labelCost(x, w []float64) float64 {
	t := m.terms()
	var ent float64
	for i, v := range x {
		if w != nil && w[i] == 0 {
			continue
		}
		mx := t.dominant(v)
		// log max_k r_ik = max_k l_ik − log Σ_k exp(l_ik).
		e := num.LogSumExp(t.l) - mx
		if w != nil {
			e *= w[i]
		}
		ent += e
	}
	return ent
}

// Criterion is the information criterion by which Select picks a model.
type Criterion int

const (
	// BIC is the Bayesian information criterion; see Model.BIC.
	BIC Criterion = iota
	// ICL is the integrated completed likelihood; see Model.ICL.
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
	// Ks are the numbers of components to try, each at least 1 and none
	// twice. If nil, 1 to 9.
	Ks []int

	// Criterion picks the best candidate: BIC (the default) or ICL.
	Criterion Criterion

	// Prior is the prior every candidate is fitted with. The zero Prior,
	// the default, means maximum likelihood, as in R mclust's Mclust and
	// scikit-learn's GaussianMixture.
	Prior Prior

	// Fit tunes each candidate's fit; nil means Fit's defaults. Its
	// Progress function is not called, and Warm, Fixed and Online must
	// not be set. Its Weights weigh the points in the fits and in the
	// criteria alike: log L is Σ_i v_i log p(x_i), n in BIC's p log n is
	// Σ_i v_i and ICL's term Σ_i v_i (−log max_k r_ik), so that integer
	// weights select as the points written that many times would.
	Fit *Settings
}

// Candidate is one model that Select tried.
type Candidate struct {
	// K is the number of components, and SharedSigma whether they share
	// one standard deviation (R mclust's model "E") or not ("V").
	K           int
	SharedSigma bool

	// LogLikelihood is the fitted model's log-likelihood, NumParams its
	// number of free parameters, and BIC and ICL its criteria (see
	// Model.BIC and Model.ICL; lower is better). They are NaN if Err is
	// not nil.
	LogLikelihood float64
	NumParams     int
	BIC, ICL      float64

	// Err says why the candidate could not be fitted, for instance
	// because every run of its fit collapsed (see Select); R mclust shows
	// such a cell as NA.
	Err error
}

// Model returns the name R mclust gives the candidate's model: "E" for a
// shared standard deviation and "V" otherwise.
func (c *Candidate) Model() string { return modelName(c.SharedSigma) }

func modelName(shared bool) string {
	if shared {
		return "E"
	}
	return "V"
}

// Selection is the result of Select: the best model and every candidate
// tried.
type Selection struct {
	// Best is the fitted model of the best candidate.
	Best *Model
	// Candidates holds every candidate, in the order of SelectSettings.Ks,
	// with "E" before "V" for each K.
	Candidates []Candidate
	// Criterion is the criterion Best was picked by.
	Criterion Criterion
}

// String returns the table of the criterion by K (rows) and model
// (columns "E" and "V"), as R mclust prints its BIC table but in this
// package's sign (lower is better), with NA for candidates that could not
// be fitted, and a last line naming the best.
func (s *Selection) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%3s %12s %12s\n", s.Criterion, "E", "V")
	var ks []int
	for _, c := range s.Candidates {
		if !slices.Contains(ks, c.K) {
			ks = append(ks, c.K)
		}
	}
	for _, k := range ks {
		fmt.Fprintf(&b, "%3d", k)
		for _, shared := range []bool{true, false} {
			cell := "NA"
			for _, c := range s.Candidates {
				if c.K == k && c.SharedSigma == shared && c.Err == nil {
					cell = fmt.Sprintf("%.3f", c.criterion(s.Criterion))
				}
			}
			fmt.Fprintf(&b, " %12s", cell)
		}
		b.WriteByte('\n')
	}
	if s.Best != nil {
		fmt.Fprintf(&b, "best: %s with K = %d\n", modelName(s.Best.SharedSigma), s.Best.K)
	}
	return b.String()
}

func (c *Candidate) criterion(cr Criterion) float64 {
	if cr == ICL {
		return c.ICL
	}
	return c.BIC
}

// Select fits a mixture for every K in s.Ks, each with a standard
// deviation per component (R mclust's model "V") and with one shared by
// all ("E"), and returns every candidate with the best by s.Criterion. With
// nil settings it tries K = 1 to 9, both models, by maximum likelihood, and
// picks by BIC, as R mclust's Mclust does for one column.
//
// Each candidate is fitted by Fit with s.Fit, so with all of Fit's
// starting points, and K − 1 more, which share the work across K: for each
// model the Ks are fitted in increasing order, and the fit with K − 1
// components, each of its components in turn split in two with the same
// mean and variance, starts a second search for K. The better of the two
// searches is kept, so a candidate's likelihood is never below that of Fit
// with the same settings, and often above it: on the six data sets of
// testdata/realdata, at two seeds, 31 of 216 candidates fit better (some
// where every run of Fit collapses). The two models' chains run in
// parallel, as do the runs within each fit; the result is the same, bit
// for bit, at any GOMAXPROCS.
//
// Under maximum likelihood the likelihood is unbounded: a component can
// collapse onto a single value, and a fit that found such a spurious
// maximum would win any table. Fit keeps the best of its runs that does
// not collapse, and returns an error when all of them do; Select records
// such a candidate with that error, as R mclust shows NA, and it never
// wins. Candidates that Fit cannot fit for other reasons, such as a K
// above the number of distinct values, are likewise recorded with Fit's
// error. With a prior no component collapses.
//
// Select returns an error, and no Selection, if x is empty or not finite,
// if a K is below 1 or given twice, if the criterion, the prior or the fit
// settings are invalid, or if no candidate could be fitted. It never
// modifies x.
func Select(x []float64, s *SelectSettings) (*Selection, error) {
	return SelectContext(context.Background(), x, s)
}

// SelectContext is Select with a context. If ctx is cancelled while it
// runs, SelectContext returns ctx.Err().
func SelectContext(ctx context.Context, x []float64, s *SelectSettings) (*Selection, error) {
	var cfg SelectSettings
	if s != nil {
		cfg = *s
	}
	fit, err := cfg.check(x)
	if err != nil {
		return nil, err
	}
	cands := make([]Candidate, 0, 2*len(cfg.Ks))
	for _, k := range cfg.Ks {
		cands = append(cands, Candidate{K: k, SharedSigma: true}, Candidate{K: k})
	}
	models := fitCandidates(ctx, x, cfg.Prior, fit, cands)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	best := -1
	for i := range cands {
		if cands[i].Err != nil {
			continue
		}
		if best < 0 || cands[i].criterion(cfg.Criterion) < cands[best].criterion(cfg.Criterion) {
			best = i
		}
	}
	if best < 0 {
		return nil, noneFitted(cands)
	}
	return &Selection{Best: models[best], Candidates: cands, Criterion: cfg.Criterion}, nil
}

// noneFitted returns the error of a Select whose every candidate failed:
// each distinct reason, in the order of the candidates.
func noneFitted(cands []Candidate) error {
	var why []string
	for _, c := range cands {
		if e := strings.TrimPrefix(c.Err.Error(), "gmm: "); !slices.Contains(why, e) {
			why = append(why, e)
		}
	}
	return fmt.Errorf("gmm: no candidate could be fitted: %s", strings.Join(why, "; "))
}

// check fills in the defaults and returns the fit settings, or an error if
// the settings or the data are invalid.
func (s *SelectSettings) check(x []float64) (*Settings, error) {
	if s.Ks == nil {
		s.Ks = []int{1, 2, 3, 4, 5, 6, 7, 8, 9}
	}
	if len(s.Ks) == 0 {
		return nil, errors.New("gmm: SelectSettings.Ks is empty; list the numbers of components to try, or leave it nil for 1 to 9")
	}
	for i, k := range s.Ks {
		if k < 1 {
			return nil, fmt.Errorf("gmm: SelectSettings.Ks holds %d; every K must be at least 1", k)
		}
		if slices.Contains(s.Ks[:i], k) {
			return nil, fmt.Errorf("gmm: SelectSettings.Ks holds %d twice; list each K once", k)
		}
	}
	switch s.Criterion {
	case BIC, ICL:
	default:
		return nil, fmt.Errorf("gmm: unknown Criterion %d; use gmm.BIC or gmm.ICL", int(s.Criterion))
	}
	if err := s.Prior.Validate(); err != nil {
		return nil, err
	}
	var fit Settings
	if s.Fit != nil {
		fit = *s.Fit
	}
	fit.Progress = nil
	probe := fit
	if err := probe.fill(); err != nil {
		return nil, err
	}
	if err := checkData(x); err != nil {
		return nil, err
	}
	if _, err := checkWeights(fit.Weights, len(x), true); err != nil {
		return nil, err
	}
	if fit.Warm || fit.Fixed.any() || fit.Online {
		return nil, errors.New("gmm: Select fits new models; SelectSettings.Fit cannot set Warm, Fixed or Online")
	}
	return &fit, nil
}

// fitCandidates fits every candidate, filling in its fields, and returns
// the fitted models (nil where Err is set). The candidates of each model
// ("E" and "V") form a chain, fitted in increasing order of K, so that the
// fit with K − 1 components, each of its components split in turn, also
// starts the fit with K (see splitAt and fitFrom);
// the two chains run in parallel. Each candidate is written by one
// goroutine only, so the result does not depend on the order in which
// they finish.
func fitCandidates(ctx context.Context, x []float64, pr Prior, fit *Settings, cands []Candidate) []*Model {
	models := make([]*Model, len(cands))
	var chains [2][]int
	for i, c := range cands {
		if c.SharedSigma {
			chains[0] = append(chains[0], i)
		} else {
			chains[1] = append(chains[1], i)
		}
	}
	var wg sync.WaitGroup
	for _, chain := range chains {
		slices.SortStableFunc(chain, func(a, b int) int { return cmp.Compare(cands[a].K, cands[b].K) })
		wg.Add(1)
		go func() {
			defer wg.Done()
			var prev *Model
			for _, i := range chain {
				var from []*Model
				if prev != nil && prev.K == cands[i].K-1 {
					for l := range prev.K {
						from = append(from, splitAt(prev, l))
					}
				}
				models[i] = fitCandidate(ctx, x, pr, fit, &cands[i], from)
				prev = models[i]
			}
		}()
	}
	wg.Wait()
	return models
}

// splitAt returns m with one more component: component l replaced by two
// with half its weight, means μ_l ± σ_l/2 and standard deviation σ_l √3/2,
// which together have the mean and variance of the component they
// replace. With SharedSigma the fit pools the standard deviations of the
// start.
func splitAt(m *Model, l int) *Model {
	w := append(slices.Clone(m.Weights), m.Weights[l]/2)
	mu := append(slices.Clone(m.Means), m.Means[l]-m.Sigmas[l]/2)
	sd := append(slices.Clone(m.Sigmas), m.Sigmas[l]*math.Sqrt(3)/2)
	w[l] /= 2
	mu[l] += m.Sigmas[l] / 2
	sd[l] = sd[m.K]
	return &Model{K: m.K + 1, Weights: w, Means: mu, Sigmas: sd, SharedSigma: m.SharedSigma, Prior: m.Prior}
}

// fitCandidate fits one candidate, with from as an extra starting point if
// it is not nil, and fills in its fields; it returns the model, or nil with
// c.Err set.
func fitCandidate(ctx context.Context, x []float64, pr Prior, fit *Settings, c *Candidate, from []*Model) *Model {
	nan := math.NaN()
	c.LogLikelihood, c.BIC, c.ICL = nan, nan, nan
	m := &Model{K: c.K, Prior: pr, SharedSigma: c.SharedSigma}
	c.NumParams = m.NumParams()
	if _, err := m.fitFrom(ctx, x, fit, from); err != nil {
		c.Err = err
		return nil
	}
	w := fit.Weights
	ll := m.logLik(x, w)
	c.BIC = m.bic(ll, totalWeight(x, w))
	c.ICL = c.BIC + 2*m.labelCost(x, w)
	if !isFinite(ll) || !isFinite(c.BIC) || !isFinite(c.ICL) {
		c.Err = fmt.Errorf("gmm: K = %d, model %s: the log-likelihood is not finite; scale the data", c.K, c.Model())
		c.LogLikelihood, c.BIC, c.ICL = nan, nan, nan
		return nil
	}
	c.LogLikelihood = ll
	return m
}
