package mv

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// pass runs one pass of a valid model over x, writing what out asks for.
func (m *Model) pass(x mvkernel.Data, out mvkernel.Out) error {
	kp, err := m.paramsOf().kernelParams()
	if err != nil {
		return err
	}
	if x.N > 0 {
		mvkernel.NewPass(m.K, m.dim()).Run(x, kp, out)
	}
	return nil
}

// readPass runs a pass for the reading methods over x's good rows, and the
// marginal E-step over its rows that miss some coordinates; the bad rows'
// outputs are left for the caller to overwrite.
func (m *Model) readPass(x mat.Matrix, out mvkernel.Out) (bad []bool, ok bool) {
	data, bad, partial, orig, ok := readable(x, m.dim())
	if !ok {
		return nil, false
	}
	if m.pass(data, out) != nil {
		return nil, false
	}
	if len(partial) > 0 {
		if !missingPass(orig, patterns(orig, partial), m.paramsOf(), nil, out) {
			return nil, false
		}
	}
	return bad, true
}

// Assign returns each point's most probable component,
//
//	z_i = argmax_k w_k N(x_i | μ_k, Σ_k),
//
// ties going to the lower index. A NaN marks a missing coordinate: the
// row is assigned by the density of its observed coordinates, the marginal
// w_k N(x_o | μ_o, Σ_oo). A row with an infinite value, or with every
// coordinate missing, gets −1. Assign returns nil if m is not a valid
// fitted model (see Validate) or x does not have the model's d columns.
func (m *Model) Assign(x mat.Matrix) []int {
	if m.Validate() != nil || x == nil {
		return nil
	}
	n, _ := x.Dims()
	z := make([]int, n)
	bad, ok := m.readPass(x, mvkernel.Out{Assign: z})
	if !ok {
		return nil
	}
	for i, b := range bad {
		if b {
			z[i] = -1
		}
	}
	return z
}

// Responsibilities returns each point's posterior probability of belonging
// to each component given the fitted parameters,
//
//	r_ik = w_k N(x_i | μ_k, Σ_k) / Σ_j w_j N(x_i | μ_j, Σ_j),
//
// computed by log-sum-exp, as an n×K matrix. A NaN marks a missing
// coordinate: the row's responsibilities are those of its observed
// coordinates, with N(x_o | μ_o, Σ_oo) in place of the densities. A row of
// x with an infinite value, or with every coordinate missing, gets a row of
// NaN. It returns nil if m is not a valid fitted model or x does not have
// the model's d columns.
func (m *Model) Responsibilities(x mat.Matrix) *mat.Dense {
	if m.Validate() != nil || x == nil {
		return nil
	}
	n, _ := x.Dims()
	if n == 0 {
		return nil
	}
	r := make([]float64, n*m.K)
	bad, ok := m.readPass(x, mvkernel.Out{Resp: r})
	if !ok {
		return nil
	}
	for i, b := range bad {
		if b {
			for k := range m.K {
				r[i*m.K+k] = math.NaN()
			}
		}
	}
	return mat.NewDense(n, m.K, r)
}

// LogDensity returns the log density of the fitted mixture at each row of
// x,
//
//	log p(x_i) = log Σ_k w_k N(x_i | μ_k, Σ_k),
//
// computed by log-sum-exp. A NaN marks a missing coordinate: the row gets
// the log density of its observed coordinates, the marginal
// log Σ_k w_k N(x_o | μ_o, Σ_oo). A row with an infinite value, or with
// every coordinate missing, gets NaN. It returns nil if m is not a valid
// fitted model or x does not have the model's d columns.
func (m *Model) LogDensity(x mat.Matrix) []float64 {
	if m.Validate() != nil || x == nil {
		return nil
	}
	n, _ := x.Dims()
	lp := make([]float64, n)
	bad, ok := m.readPass(x, mvkernel.Out{LogP: lp})
	if !ok {
		return nil
	}
	for i, b := range bad {
		if b {
			lp[i] = math.NaN()
		}
	}
	return lp
}

// stats returns a pass's statistics over checked data, for the measures of
// fit. A NaN marks a missing coordinate: a row with some gives the
// statistics of its observed ones (their marginal), and a row missing
// every coordinate is left out, so that Total counts the rows that have
// an observed value.
func (m *Model) stats(x mat.Matrix) (*mvkernel.Stats, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	data, err := checkDataMissing(x, true)
	if err != nil {
		return nil, err
	}
	if data.D != m.dim() {
		return nil, fmt.Errorf("mv: the data have %d columns and the model %d", data.D, m.dim())
	}
	st := mvkernel.NewStats(m.K, data.D)
	if !hasNaN(data) {
		if err := m.pass(data, mvkernel.Out{Stats: st}); err != nil {
			return nil, err
		}
		return st, nil
	}
	p := m.paramsOf()
	kp, err := p.kernelParams()
	if err != nil {
		return nil, err
	}
	if err := newMissPass(data, m.K).run(context.Background(), p, kp, st); err != nil {
		return nil, err
	}
	if st.Total == 0 {
		return nil, errors.New("mv: every row misses every coordinate; give rows with some values")
	}
	return st, nil
}

// fitStats returns a pass's statistics over the data of a fit with the
// settings s: with their weights, and with NaN as a missing value if s
// allows it, so that the log-likelihood is that of the observed values and
// Total the weight of the rows that have any.
func (m *Model) fitStats(x mat.Matrix, s *Settings) (*mvkernel.Stats, error) {
	var c Settings
	if s != nil {
		c = *s
	}
	data, err := checkDataMissing(x, c.AllowMissing)
	if err != nil {
		return nil, err
	}
	data.V = c.Weights
	st := NewStats(m.K, data.D)
	if hasNaN(data) {
		p := m.paramsOf()
		kp, err := p.kernelParams()
		if err != nil {
			return nil, err
		}
		err = newMissPass(data, m.K).run(context.Background(), p, kp, st.kernel())
		return st.kernel(), err
	}
	err = m.pass(data, mvkernel.Out{Stats: st.kernel()})
	return st.kernel(), err
}

// LogLikelihood returns Σ_i log p(x_i), the log-likelihood of the data
// under the fitted mixture. A NaN marks a missing coordinate, as for Assign
// and LogDensity and as Fit with Settings.AllowMissing reads it: a row
// with some contributes the log density of its observed coordinates, the
// marginal log Σ_k w_k N(x_o | μ_o, Σ_oo), and a row missing every
// coordinate contributes nothing (the density of no coordinates is 1). It
// returns an error if x is empty, has an infinite value, misses every
// coordinate of every row, or does not have the model's d columns, or m is
// not a valid fitted model.
func (m *Model) LogLikelihood(x mat.Matrix) (float64, error) {
	st, err := m.stats(x)
	if err != nil {
		return 0, err
	}
	return st.LogLik, nil
}

// LogJoint returns the log joint density of the data and the fitted
// parameters with the labels summed out,
//
//	log p(x, w, μ, Σ) = Σ_i log Σ_k w_k N(x_i | μ_k, Σ_k) + log p(w) + log p(μ, Σ),
//
// with the Dirichlet's density (omitted when it is flat, α = 1) and the
// Normal-InverseWishart's restricted to the covariance model (see Prior),
// every normalising constant included. Its negative is the loss Fit
// minimises; for the zero Prior it is the log-likelihood. It returns the
// errors of LogLikelihood.
func (m *Model) LogJoint(x mat.Matrix) (float64, error) {
	ll, err := m.LogLikelihood(x)
	if err != nil {
		return 0, err
	}
	pr := &problem{k: m.K, d: m.dim(), cov: m.Covariance, alpha: m.Prior.alpha()}
	if m.Prior.hasNIW() {
		pr.prior = m.Prior.niw()
		pr.means = mat.NewDense(m.K, m.dim(), nil)
		for range m.K {
			pr.covs = append(pr.covs, mat.NewSymDense(m.dim(), nil))
		}
	}
	return ll + pr.logPrior(m.paramsOf()), nil
}

// BIC returns the Bayesian information criterion (Schwarz 1978)
//
//	BIC = −2 log L + p log n,
//
// with p = NumParams and n the number of rows: lower is better, as
// scikit-learn's bic. mclust reports the negative of this value. With
// missing coordinates (NaN) log L is LogLikelihood's, of the observed
// values, and n counts the rows that have any. It returns the errors of
// LogLikelihood.
func (m *Model) BIC(x mat.Matrix) (float64, error) {
	st, err := m.stats(x)
	if err != nil {
		return 0, err
	}
	return -2*st.LogLik + float64(m.NumParams())*math.Log(st.Total), nil
}

// ICL returns the integrated completed likelihood criterion of Biernacki,
// Celeux & Govaert (2000) in BIC's form, as mclust computes it,
//
//	ICL = BIC + 2 Σ_i −log max_k r_ik,
//
// which adds to BIC the cost of classifying each point by its most
// probable component: lower is better. With missing coordinates (NaN),
// r_ik are the responsibilities given the observed ones (as
// Responsibilities gives them), and the rest is BIC's. It returns the
// errors of LogLikelihood.
func (m *Model) ICL(x mat.Matrix) (float64, error) {
	st, err := m.stats(x)
	if err != nil {
		return 0, err
	}
	return -2*st.LogLik + float64(m.NumParams())*math.Log(st.Total) + 2*st.Hard, nil
}

// Sample draws n points from the fitted mixture, one per row, and returns
// them with the component each came from: z_i ~ Categorical(w), then
// x_i = μ_z + L_z ε with L_z the Cholesky factor of Σ_z and ε standard
// normal. The same seed gives the same draws. It returns an error if n is
// negative or m is not a valid fitted model.
func (m *Model) Sample(n int, seed uint64) (*mat.Dense, []int, error) {
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	if n < 0 {
		return nil, nil, errors.New("mv: cannot draw a negative number of points")
	}
	p := m.paramsOf()
	d := p.d
	chol := make([][]float64, m.K)
	for k := range chol {
		chol[k] = make([]float64, d*d)
		if _, ok := mvkernel.Cholesky(chol[k], p.cov[k], d); !ok {
			return nil, nil, fmt.Errorf("mv: covariance %d is not positive definite", k)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	z := make([]int, n)
	buf := make([]float64, max(n, 1)*d)
	eps := make([]float64, d)
	for i := range n {
		k := categorical(rng, p.w)
		z[i] = k
		for j := range eps {
			eps[j] = rng.NormFloat64()
		}
		row := buf[i*d : (i+1)*d]
		for j := range d {
			s := p.mean[k*d+j]
			for l := 0; l <= j; l++ {
				s += chol[k][j*d+l] * eps[l]
			}
			row[j] = s
		}
	}
	if n == 0 {
		return &mat.Dense{}, z, nil
	}
	return mat.NewDense(n, d, buf), z, nil
}

// categorical draws an index with probabilities p, which sum to 1 up to
// rounding.
func categorical(rng *rand.Rand, p []float64) int {
	t := rng.Float64()
	var acc float64
	last := 0
	for k, v := range p {
		if v > 0 {
			last = k
		}
		acc += v
		if t < acc {
			return k
		}
	}
	return last
}
