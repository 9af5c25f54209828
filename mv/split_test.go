package mv

import (
	"math"
	"math/rand/v2"
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

// TestDraw checks that draw returns m distinct indices below n in
// increasing order, and that each index is drawn with probability m/n:
// over 20000 draws of 3 of 10 each count is 6000 with standard deviation
// √(20000·0.3·0.7) ≈ 65, so a band of ±400 (six standard deviations) fails
// a correct draw with probability below 1e-8 per index.
func TestDraw(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ n, m int }{{1, 1}, {10, 0}, {10, 10}, {130, 64}, {1000, 7}} {
		idx := draw(c.n, c.m, rng)
		if len(idx) != c.m {
			t.Fatalf("draw(%d, %d): %d indices", c.n, c.m, len(idx))
		}
		for i, v := range idx {
			if v < 0 || v >= c.n || i > 0 && v <= idx[i-1] {
				t.Fatalf("draw(%d, %d) = %v: not increasing indices below n", c.n, c.m, idx)
			}
		}
	}
	count := make([]int, 10)
	for range 20000 {
		for _, v := range draw(10, 3, rng) {
			count[v]++
		}
	}
	for i, c := range count {
		if c < 5600 || c > 6400 {
			t.Errorf("index %d drawn %d times in 20000, want 6000 ± 400", i, c)
		}
	}
}
