package mv_test

import (
	"math"
	"slices"
	"testing"

	"github.com/gmm-go/gmm/mv"
)

// drawsOf returns the draws of every parameter, in the order of flat:
// the weights, the means and the covariance entries.
func drawsOf(p *mv.Posterior) [][]float64 {
	var cols [][]float64
	K, d := p.K(), len(p.Means[0][0])
	col := func(f func(t int) float64) {
		c := make([]float64, len(p.Weights))
		for t := range c {
			c[t] = f(t)
		}
		cols = append(cols, c)
	}
	for k := range K {
		col(func(t int) float64 { return p.Weights[t][k] })
	}
	for k := range K {
		for j := range d {
			col(func(t int) float64 { return p.Means[t][k][j] })
		}
	}
	for k := range K {
		for i := range d {
			for j := range d {
				col(func(t int) float64 { return p.Covariances[t][k].At(i, j) })
			}
		}
	}
	return cols
}

// TestPosteriorQuantile checks Quantile and Interval against a direct
// computation on each parameter's draws: the order statistic at rank
// q·(T − 1), 0-based, where that rank is a whole number, and the share of
// draws inside the central interval.
func TestPosteriorQuantile(t *testing.T) {
	x := separated(t, 200, 3)
	for _, c := range []mv.Covariance{mv.Full, mv.Diagonal} {
		m := &mv.Model{K: 2, Covariance: c, Prior: mv.DefaultPrior(x, 2)}
		// 2 chains of 101 draws: T − 1 = 201 = 3·67, so the quantiles
		// at 1/3 and 2/3 fall on draws 67 and 134 of the sorted 202.
		p, err := m.Posterior(x, &mv.PosteriorSettings{Seed: 4, Chains: 2, Draws: 101, Warmup: 50})
		if err != nil {
			t.Fatal(err)
		}
		cols := drawsOf(p)
		T := len(p.Weights)
		for _, tc := range []struct {
			q    float64
			rank int
		}{{0, 0}, {1.0 / 3, 67}, {2.0 / 3, 134}, {1, T - 1}} {
			got, err := p.Quantile(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range flat(got) {
				s := slices.Sorted(slices.Values(cols[i]))
				// q·201 is within a rounding of 67 or 134, so the
				// interpolation adds at most a rounding's share of
				// the gap to the next draw.
				if want := s[tc.rank]; math.Abs(v-want) > 1e-12*(math.Abs(want)+math.Abs(s[min(tc.rank+1, T-1)])) {
					t.Errorf("%v: parameter %d: Quantile(%.3f) = %v, want draw %d of the sorted, %v", c, i, tc.q, v, tc.rank, want)
				}
			}
		}
		lo, hi, err := p.Interval(0.8)
		if err != nil {
			t.Fatal(err)
		}
		fl, fh := flat(lo), flat(hi)
		for i, col := range cols {
			var in int
			for _, v := range col {
				if v >= fl[i] && v <= fh[i] {
					in++
				}
			}
			if fl[i] == fh[i] { // an entry that is 0 in every draw
				continue
			}
			// Type-7 quantiles at 0.1 and 0.9 of 202 draws lie between
			// the order statistics at ranks 20.1 and 180.9: draws 21 to
			// 180 are inside, 160 of them, and at most draws 20 and 181
			// besides.
			if in < 160 || in > 162 {
				t.Errorf("%v: parameter %d: %d of %d draws inside the 80%% interval [%v, %v], want 160 to 162", c, i, in, T, fl[i], fh[i])
			}
		}
	}
}

func TestPosteriorQuantileErrors(t *testing.T) {
	x := separated(t, 100, 3)
	m := &mv.Model{K: 2, Covariance: mv.Full, Prior: mv.DefaultPrior(x, 2)}
	p, err := m.Posterior(x, &mv.PosteriorSettings{Chains: 1, Draws: 10, Warmup: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []float64{-0.1, 1.1, math.NaN()} {
		if _, err := p.Quantile(q); err == nil {
			t.Errorf("Quantile(%v) gave no error", q)
		}
	}
	for _, l := range []float64{0, 1, -1, math.NaN()} {
		if _, _, err := p.Interval(l); err == nil {
			t.Errorf("Interval(%v) gave no error", l)
		}
	}
	var empty mv.Posterior
	if q, err := empty.Quantile(0.5); err != nil || len(q.Weights) != 0 {
		t.Errorf("a Posterior without draws: Quantile gave %v, %v; want empty Params", q, err)
	}
	if lo, hi, err := empty.Interval(0.9); err != nil || len(lo.Weights)+len(hi.Weights) != 0 {
		t.Errorf("a Posterior without draws: Interval gave %v, %v, %v; want empty Params", lo, hi, err)
	}
}
