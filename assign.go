package gmm

import (
	"math/rand/v2"
)

// Assign returns each point's most probable component,
//
//	z_i = argmax_k w_k N(x_i | μ_k, σ_k),
//
// the counterpart of Pyro's infer_discrete at temperature 0. Components are
// numbered as in m.Means, in increasing order of mean after Fit; ties go to
// the lower index.
//
// A NaN or infinite x_i gets the label −1, which is not a component: check
// for it before using a label as an index, or remove such values first.
// Assign returns nil if m is not fitted (see ErrNotFitted).
func (m *Model) Assign(x []float64) []int {
	if !m.fitted() {
		return nil
	}
	return m.AssignTo(make([]int, len(x)), x)
}

// AssignTo is Assign writing into dst, which must have the length of x. As
// with Assign, a NaN or infinite x_i gets the label −1. It returns dst, or
// nil, leaving dst as it was, if the lengths differ or m is not fitted (see
// ErrNotFitted).
func (m *Model) AssignTo(dst []int, x []float64) []int {
	if len(dst) != len(x) || !m.fitted() {
		return nil
	}
	t := m.terms()
	for i, v := range x {
		if !isFinite(v) {
			dst[i] = -1
			continue
		}
		t.dominant(v)
		best := 0
		for k, lk := range t.l {
			if lk > t.l[best] {
				best = k
			}
		}
		dst[i] = best
	}
	return dst
}

// Responsibilities returns each point's posterior probability of belonging
// to each component given the fitted parameters,
//
//	r_ik = w_k N(x_i | μ_k, σ_k) / Σ_j w_j N(x_i | μ_j, σ_j),
//
// computed by log-sum-exp, as an n×K matrix whose rows share one backing
// array. A NaN or infinite x_i gets a row of NaN. It returns nil if m is not
// fitted (see ErrNotFitted). For large data, ResponsibilitiesTo fills a
// buffer of the caller's instead.
func (m *Model) Responsibilities(x []float64) [][]float64 {
	if !m.fitted() {
		return nil
	}
	flat := m.ResponsibilitiesTo(make([]float64, len(x)*m.K), x)
	r := make([][]float64, len(x))
	for i := range r {
		r[i] = flat[i*m.K : (i+1)*m.K : (i+1)*m.K]
	}
	return r
}

// ResponsibilitiesTo is Responsibilities writing into dst, a flat n×K
// buffer in row-major order: r_ik is dst[i*K+k]. dst must have length
// len(x)·K. It returns dst, or nil, leaving dst as it was, if the length
// differs or m is not fitted (see ErrNotFitted). A NaN or infinite x_i gets
// a row of NaN.
func (m *Model) ResponsibilitiesTo(dst []float64, x []float64) []float64 {
	if !m.fitted() || len(dst) != len(x)*m.K {
		return nil
	}
	t := m.terms()
	for i, v := range x {
		t.responsibilities(v, dst[i*m.K:(i+1)*m.K])
	}
	return dst
}

// SampleLabels draws each point's label from its responsibilities, the
// counterpart of Pyro's infer_discrete at temperature 1. The same seed gives
// the same labels. A NaN or infinite x_i gets the label −1, which is not a
// component (see Assign). It returns nil if m is not fitted (see
// ErrNotFitted).
func (m *Model) SampleLabels(x []float64, seed uint64) []int {
	if !m.fitted() {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	z := make([]int, len(x))
	r := make([]float64, m.K)
	t := m.terms()
	for i, v := range x {
		if !isFinite(v) {
			z[i] = -1
			continue
		}
		t.responsibilities(v, r)
		z[i] = categorical(rng, r)
	}
	return z
}
