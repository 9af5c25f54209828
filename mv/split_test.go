package mv

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
)

// TestSplitKeepsMoments checks that split keeps the mixture's mean and
// covariance, Σ_k w_k μ_k and Σ_k w_k (Σ_k + μ_k μ_kᵀ) − μμᵀ, to 1e-12
// relative (a few roundings of numbers of order 10), and adds a component.
func TestSplitKeepsMoments(t *testing.T) {
	x := mat.NewDense(150, 4, iris.Measurements())
	m := Model{K: 2, Covariance: VVV}
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	p := m.paramsOf()
	q := split(p)
	if q == nil || q.k != 3 {
		t.Fatal("split did not add a component")
	}
	moments := func(p *params) ([]float64, []float64) {
		d := p.d
		mean := make([]float64, d)
		second := make([]float64, d*d)
		for j := range p.k {
			for a := range d {
				mean[a] += p.w[j] * p.mean[j*d+a]
				for b := range d {
					second[a*d+b] += p.w[j] * (p.cov[j][a*d+b] + p.mean[j*d+a]*p.mean[j*d+b])
				}
			}
		}
		return mean, second
	}
	m1, s1 := moments(p)
	m2, s2 := moments(q)
	for i := range m1 {
		if math.Abs(m1[i]-m2[i]) > 1e-12*math.Abs(m1[i]) {
			t.Errorf("mean[%d]: %v before, %v after", i, m1[i], m2[i])
		}
	}
	for i := range s1 {
		if math.Abs(s1[i]-s2[i]) > 1e-12*(1+math.Abs(s1[i])) {
			t.Errorf("second moment[%d]: %v before, %v after", i, s1[i], s2[i])
		}
	}
	var w float64
	for _, v := range q.w {
		w += v
	}
	if math.Abs(w-1) > 1e-15 {
		t.Errorf("weights sum to %v", w)
	}
}
