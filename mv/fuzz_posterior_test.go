package mv_test

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// FuzzPosterior samples the posterior of arbitrary small data sets under
// their default prior: every outcome must be an error, or Chains × Draws
// draws of weights that are non-negative and sum to 1 (within 1e-12,
// rounding in the sum of K logarithm-space weights), finite means, and
// symmetric positive-definite covariances; the data must be left as they
// were.
func FuzzPosterior(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, uint8(2), uint8(0), uint8(1), false, false)
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, uint8(1), uint8(3), uint8(2), true, true)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, uint8(3), uint8(1), uint8(2), false, true)
	f.Add([]byte{0xfe, 0x7f, 0, 0x80, 3, 0, 9, 0, 0xfe, 0x7f, 0, 0x80, 0, 0, 1, 0}, uint8(2), uint8(2), uint8(1), true, false)
	covs := []mv.Covariance{mv.Full, mv.Tied, mv.Diagonal, mv.Spherical}
	f.Fuzz(func(t *testing.T, raw []byte, k, cov, dim uint8, vb, stick bool) {
		d := int(dim%3) + 1
		x := fuzzRows(raw, d, 0xff, math.Inf(1))
		if x == nil {
			return
		}
		before := slices.Clone(x.RawMatrix().Data)
		m := mv.Model{K: int(k%4) + 1, Covariance: covs[cov%4], Prior: mv.DefaultPrior(x, int(k%4)+1)}
		s := &mv.PosteriorSettings{Chains: 2, Draws: 10, Warmup: 10, StickBreaking: stick}
		if vb {
			s.Method = mv.VB
		}
		p, err := m.Posterior(x, s)
		if !slices.EqualFunc(before, x.RawMatrix().Data, func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }) {
			t.Fatal("Posterior changed the data")
		}
		if err != nil {
			return
		}
		if len(p.Weights) != 20 || p.K() != m.K {
			t.Fatalf("%d draws of %d components", len(p.Weights), p.K())
		}
		for i := range p.Weights {
			var sum float64
			for k, w := range p.Weights[i] {
				if !(w >= 0) {
					t.Fatalf("draw %d: weight %d is %v", i, k, w)
				}
				sum += w
				for _, v := range p.Means[i][k] {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("draw %d: mean %d is %v", i, k, p.Means[i][k])
					}
				}
				var ch mat.Cholesky
				if c := p.Covariances[i][k]; !ch.Factorize(c) {
					t.Fatalf("draw %d: covariance %d is not positive definite: %v", i, k, mat.Formatted(c))
				}
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Fatalf("draw %d: weights sum to %v", i, sum)
			}
		}
	})
}
