package mv_test

import (
	"encoding/csv"
	"os"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// faithful returns R's faithful data, 272 eruptions of Old Faithful: their
// duration and the waiting time before them, in minutes (Härdle 1991).
func faithful(tb testing.TB) *mat.Dense {
	tb.Helper()
	f, err := os.Open("testdata/faithful.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	x := mat.NewDense(len(recs)-1, 2, nil)
	for i, r := range recs[1:] {
		for j, s := range r {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				tb.Fatal(err)
			}
			x.Set(i, j, v)
		}
	}
	return x
}

func TestPosteriorSmoke(t *testing.T) {
	x := faithful(t)
	for _, c := range []mv.Covariance{mv.Full, mv.Tied, mv.Diagonal, mv.Spherical} {
		for _, meth := range []mv.Inference{mv.Gibbs, mv.VB} {
			m := &mv.Model{K: 2, Covariance: c, Prior: mv.DefaultPrior(x, 2)}
			p, err := m.Posterior(x, &mv.PosteriorSettings{Method: meth, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			mean := p.Mean()
			t.Logf("%v %v w %.3f mu %.3f cov %.3f ess %.0f warn %v", c, meth, mean.Weights, mean.Means, mean.Covariances[0], p.ESS().Means, p.Warnings)
		}
	}
}
