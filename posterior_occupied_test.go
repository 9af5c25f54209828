package gmm_test

import (
	"math"
	"testing"

	"github.com/gmm-go/gmm"
)

// TestOccupiedFindsKnownClusters fits a sparse finite mixture, K = 10 with
// α = 0.01, to data with a known number of clusters 10σ apart, and checks
// that the posterior of the number of occupied components puts most of its
// mass on that number, while α = 1 does not. Two data sets with different numbers give the test
// its power: a sampler that always occupied the same number of components
// would fail one.
func TestOccupiedFindsKnownClusters(t *testing.T) {
	for _, tt := range []struct {
		name  string
		means []float64
	}{
		{"two clusters", []float64{0, 10}},
		{"three clusters", []float64{0, 10, 20}},
	} {
		x := separated(100, tt.means...)
		p := gmm.DefaultPrior(x)
		p.Concentration = 0.01
		m := &gmm.Model{K: 10, Prior: p}
		post, err := m.Posterior(x, &gmm.PosteriorSettings{Seed: 1, Draws: 500, Warmup: 500})
		if err != nil {
			t.Fatal(err)
		}
		occ := post.Occupied()
		if len(occ) != m.K+1 || occ[0] != 0 {
			t.Fatalf("%s: Occupied is %v; want K + 1 = %d probabilities with the first 0", tt.name, occ, m.K+1)
		}
		var sum float64
		for _, v := range occ {
			sum += v
		}
		// The fractions of 2000 draws sum to 1 within a few roundings.
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("%s: Occupied sums to %v", tt.name, sum)
		}
		// Each draw's labels put every one of the clusters, 10σ apart, in
		// components of its own, so at least that many are occupied;
		// above it, an extra component holds a point or two now and then,
		// and a chain can linger there for a while. Over seeds 1 to 6,
		// P(true number) ranged from 0.67 to 0.95, the rest on one more;
		// the test asks for a majority, which makes the true number the
		// mode.
		want := len(tt.means)
		if occ[want] <= 0.5 {
			t.Errorf("%s: P(%d occupied) = %.3f, want more than 0.5; Occupied %.3f", tt.name, want, occ[want], occ)
		}
		for j := 1; j < want; j++ {
			if occ[j] != 0 {
				t.Errorf("%s: P(%d occupied) = %v, want 0: a component spanning clusters 10σ apart has negligible posterior probability", tt.name, j, occ[j])
			}
		}

		// With α = 1 the superfluous components are not emptied, as the
		// documentation says: on these data (seed 1) the posterior puts
		// less than 0.01 on the true number and its mass on 7 to 10.
		// 0.2 is far from both.
		p.Concentration = 1
		m.Prior = p
		post, err = m.Posterior(x, &gmm.PosteriorSettings{Seed: 1, Draws: 500, Warmup: 500})
		if err != nil {
			t.Fatal(err)
		}
		if occ := post.Occupied(); occ[want] > 0.2 {
			t.Errorf("%s, α = 1: P(%d occupied) = %.3f, want below 0.2; Occupied %.3f", tt.name, want, occ[want], occ)
		}
	}
}

func TestOccupiedNilForVB(t *testing.T) {
	x := separated(50, 0, 10)
	m := &gmm.Model{K: 3, Prior: gmm.DefaultPrior(x)}
	post, err := m.Posterior(x, &gmm.PosteriorSettings{Method: gmm.VB})
	if err != nil {
		t.Fatal(err)
	}
	if occ := post.Occupied(); occ != nil {
		t.Errorf("VB's Occupied is %v, want nil", occ)
	}
}
