package mv

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// Model is a mixture of K d-dimensional normal distributions whose
// covariances follow one of mclust's fourteen models, with a prior on its
// parameters. Set K, Covariance and Prior, then call Fit, which sets
// Weights, Means and Covariances: the mixing weights (length K), the
// component means (the rows of a K×d matrix) and the K covariance matrices,
// equal where the model says so. Fit numbers the components in increasing
// order of their means, compared column by column.
type Model struct {
	K          int
	Covariance Covariance
	Prior      Prior

	Weights     []float64       // set by Fit
	Means       *mat.Dense      // K×d
	Covariances []*mat.SymDense // K matrices d×d, equal where the model says so
}

// dim returns the number of columns of a fitted model, or 0 if Means is
// not set.
func (m *Model) dim() int {
	if m.Means == nil || m.Means.IsEmpty() {
		return 0
	}
	_, d := m.Means.Dims()
	return d
}

// Validate returns nil if m is a valid fitted model: K ≥ 1, a known
// Covariance, a valid Prior, K weights, non-negative and summing to 1
// (within 1e-9), a K×d matrix of finite means, and K finite symmetric
// positive definite d×d covariances. The covariances must have the
// model's simplest constraints exactly: zero off the diagonal for the
// models ending in I, a multiple of the identity for EII and VII, and all
// equal for EII, EEI and EEE. (The other constraints, such as the shared
// shape of VEI, are not checked.)
func (m *Model) Validate() error {
	if m.K < 1 {
		return fmt.Errorf("mv: K is %d; it must be at least 1", m.K)
	}
	if !m.Covariance.valid() {
		return fmt.Errorf("mv: %v is not a covariance model; use one of EII … VVV (see ParseCovariance)", m.Covariance)
	}
	d := m.dim()
	if len(m.Weights) != m.K || d == 0 || len(m.Covariances) != m.K {
		return fmt.Errorf("mv: model has %d weights, %s means and %d covariances for K = %d; fit it first, or give K of each",
			len(m.Weights), rowsOf(m.Means), len(m.Covariances), m.K)
	}
	if r, _ := m.Means.Dims(); r != m.K {
		return fmt.Errorf("mv: Means has %d rows for K = %d; it must be K×d", r, m.K)
	}
	if err := m.Prior.Validate(d); err != nil {
		return err
	}
	var sum float64
	for k, w := range m.Weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("mv: weight %d is %v; weights must be non-negative and finite", k, w)
		}
		sum += w
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("mv: weights sum to %v; they must sum to 1", sum)
	}
	for k := range m.K {
		for j := range d {
			if v := m.Means.At(k, j); !finite(v) {
				return fmt.Errorf("mv: mean %d has %v in column %d; means must be finite", k, v, j)
			}
		}
		if err := m.checkCov(k, d); err != nil {
			return err
		}
	}
	return nil
}

// checkCov checks covariance k.
func (m *Model) checkCov(k, d int) error {
	c := m.Covariances[k]
	if c == nil || c.SymmetricDim() != d {
		return fmt.Errorf("mv: covariance %d is %s; it must be %d×%d", k, symDims(c), d, d)
	}
	if !finiteSym(c) {
		return fmt.Errorf("mv: covariance %d has a value that is not finite", k)
	}
	var ch mat.Cholesky
	if !ch.Factorize(c) {
		return fmt.Errorf("mv: covariance %d is not positive definite", k)
	}
	vol, shape, orient := m.Covariance.letters()
	for i := range d {
		for j := i + 1; j < d; j++ {
			if orient == 'I' && c.At(i, j) != 0 {
				return fmt.Errorf("mv: covariance %d has %v off the diagonal; model %v needs diagonal covariances", k, c.At(i, j), m.Covariance)
			}
		}
		if shape == 'I' && c.At(i, i) != c.At(0, 0) {
			return fmt.Errorf("mv: covariance %d has unequal variances; model %v needs multiples of the identity", k, m.Covariance)
		}
	}
	if vol == 'E' && shape != 'V' && orient != 'V' && k > 0 && !mat.Equal(c, m.Covariances[0]) {
		return fmt.Errorf("mv: covariance %d differs from covariance 0; model %v needs them all equal", k, m.Covariance)
	}
	return nil
}

func rowsOf(a *mat.Dense) string {
	if a == nil || a.IsEmpty() {
		return "no"
	}
	r, _ := a.Dims()
	return fmt.Sprint(r)
}

func symDims(s *mat.SymDense) string {
	if s == nil {
		return "nil"
	}
	n := s.SymmetricDim()
	return fmt.Sprintf("%d×%d", n, n)
}

// NumParams returns the number of free parameters, as mclust's
// nMclustParams counts them: K − 1 weights, K·d means and the covariance
// model's own count (for example d(d+1)/2 for EEE and K·d(d+1)/2 for VVV;
// see Covariance). It returns 0 if m is not a valid fitted model.
func (m *Model) NumParams() int {
	if m.Validate() != nil {
		return 0
	}
	d := m.dim()
	return m.K - 1 + m.K*d + m.Covariance.numCovParams(m.K, d)
}

// params is a model's parameters in flat row-major form.
type params struct {
	k, d int
	w    []float64   // K
	mean []float64   // K×d
	cov  [][]float64 // K matrices d×d
}

func newParams(k, d int) *params {
	v := make([]float64, k+k*d+k*d*d)
	p := &params{k: k, d: d, w: v[:k:k], mean: v[k : k+k*d : k+k*d], cov: make([][]float64, k)}
	for i := range p.cov {
		lo := k + k*d + i*d*d
		p.cov[i] = v[lo : lo+d*d : lo+d*d]
	}
	return p
}

// clear sets every parameter of p to 0.
func (p *params) clear() {
	clear(p.w)
	clear(p.mean)
	for _, c := range p.cov {
		clear(c)
	}
}

// sort puts the components in increasing order of their means, compared
// column by column.
func (p *params) sort() {
	d := p.d
	idx := make([]int, p.k)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return slices.Compare(p.mean[a*d:(a+1)*d], p.mean[b*d:(b+1)*d])
	})
	q := newParams(p.k, d)
	q.copyFrom(p)
	for i, j := range idx {
		p.w[i] = q.w[j]
		copy(p.mean[i*d:(i+1)*d], q.mean[j*d:(j+1)*d])
		copy(p.cov[i], q.cov[j])
	}
}

func (p *params) copyFrom(q *params) {
	copy(p.w, q.w)
	copy(p.mean, q.mean)
	for k := range p.cov {
		copy(p.cov[k], q.cov[k])
	}
}

// paramsOf returns a valid model's parameters.
func (m *Model) paramsOf() *params {
	d := m.dim()
	p := newParams(m.K, d)
	copy(p.w, m.Weights)
	for k := range m.K {
		for j := range d {
			p.mean[k*d+j] = m.Means.At(k, j)
			for l := range d {
				p.cov[k][j*d+l] = m.Covariances[k].At(j, l)
			}
		}
	}
	return p
}

// set writes p into m's Weights, Means and Covariances, as new values.
func (m *Model) set(p *params) {
	m.Weights = append([]float64(nil), p.w...)
	m.Means = mat.NewDense(p.k, p.d, append([]float64(nil), p.mean...))
	m.Covariances = make([]*mat.SymDense, p.k)
	for k := range p.k {
		m.Covariances[k] = mat.NewSymDense(p.d, append([]float64(nil), p.cov[k]...))
	}
}

// kernelParams returns p in the form of a pass, or an error naming a
// component whose covariance is not positive definite.
func (p *params) kernelParams() (*mvkernel.Params, error) {
	kp := mvkernel.NewParams(p.k, p.d)
	if err := kp.Set(p.w, p.mean, p.cov); err != nil {
		return nil, err
	}
	return kp, nil
}
