package mv_test

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// TestPosteriorKTooLarge fits more components than the data have
// clusters: the warnings must say that K may be too large, for the reason
// the data give, and not advise running longer; with the right K on
// well-separated clusters there must be none. One cluster fitted by two
// components makes a pair that forms a single peak and whose chains
// disagree; two clusters fitted by three under a Concentration of 0.01,
// the sparse prior that empties what the data do not need
// (Malsiner-Walli et al. 2016), leave the third component nearly empty in
// half the draws or more; VB leaves it empty under the default prior.
// Every row gives the same verdict at seeds 1 to 6. (Under the default
// Concentration of 1 the third Gibbs component may instead split a
// cluster, the chains agreeing, and nothing is reported.)
func TestPosteriorKTooLarge(t *testing.T) {
	two := separated(t, 200, 1)
	gen := &mv.Model{K: 1, Covariance: mv.Full, Weights: []float64{1}, Means: mat.NewDense(1, 2, []float64{0, 0}),
		Covariances: []*mat.SymDense{mat.NewSymDense(2, []float64{1, 0.5, 0.5, 2})}}
	one, _, err := gen.Sample(200, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		x     *mat.Dense
		k     int
		c     mv.Covariance
		alpha float64
		vb    bool
		want  string // in the last warning; "" for no warnings at all
	}{
		{"one cluster, K = 2, Full", one, 2, mv.Full, 1, false, "form a single peak"},
		{"one cluster, K = 2, Tied", one, 2, mv.Tied, 1, false, "form a single peak"},
		{"two clusters, K = 3, α = 0.01", two, 3, mv.Full, 0.01, false, "K = 3 may be more components than the data need; try a smaller K"},
		{"two clusters, K = 3, VB", two, 3, mv.Full, 1, true, "holds less than one point's worth of weight"},
		{"two clusters, K = 2, Full", two, 2, mv.Full, 1, false, ""},
		{"two clusters, K = 2, Tied", two, 2, mv.Tied, 1, false, ""},
		{"two clusters, K = 2, Full, VB", two, 2, mv.Full, 1, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr := mv.DefaultPrior(tc.x, tc.k)
			pr.Concentration = tc.alpha
			m := &mv.Model{K: tc.k, Covariance: tc.c, Prior: pr}
			s := &mv.PosteriorSettings{Seed: 1}
			if tc.vb {
				s.Method = mv.VB
			}
			p, err := m.Posterior(tc.x, s)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(p.Warnings, "\n")
			if tc.want == "" {
				if len(p.Warnings) > 0 {
					t.Errorf("warnings with the right K:\n%s", all)
				}
				return
			}
			last := ""
			if len(p.Warnings) > 0 {
				last = p.Warnings[len(p.Warnings)-1]
			}
			if !strings.Contains(last, tc.want) || !strings.Contains(last, "may be more components than the data need") {
				t.Errorf("the last warning does not say %q and that K may be too large:\n%s", tc.want, all)
			}
			// Where K is the cause, no warning tells the user to run longer.
			if strings.Contains(all, "run the chains longer") || strings.Contains(all, "ask for more Draws") {
				t.Errorf("advice to run longer:\n%s", all)
			}
		})
	}
}
