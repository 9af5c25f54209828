package gmm_test

import (
	"math"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

// The MAP of the notebook's model on the iris petal lengths, from
// ../shared/DESIGN.md: found by BFGS from 200 random starts, and matching
// what the notebook printed to 4 decimals.
var (
	mapWeights = []float64{0.33315, 0.66685}
	mapMeans   = []float64{1.46179, 4.90484}
	mapSigmas  = []float64{0.17827, 0.81969}
	mapLoss    = 210.2063
)

func TestFitIrisMAPEverySeed(t *testing.T) {
	x := iris.PetalLength()
	for _, method := range []gmm.Method{gmm.Adam, gmm.EM} {
		for seed := range uint64(20) {
			m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
			res, err := m.Fit(x, &gmm.Settings{Method: method, Seed: seed})
			if err != nil {
				t.Fatalf("%v seed %d: %v", method, seed, err)
			}
			if !res.Converged {
				t.Errorf("%v seed %d: did not converge in %d steps", method, seed, res.Steps)
			}
			// 1e-3 is the bar; the reference values carry 5 decimals.
			for k := range 2 {
				if d := math.Abs(m.Weights[k] - mapWeights[k]); d > 1e-3 {
					t.Errorf("%v seed %d: weight %d = %v, want %v", method, seed, k, m.Weights[k], mapWeights[k])
				}
				if d := math.Abs(m.Means[k] - mapMeans[k]); d > 1e-3 {
					t.Errorf("%v seed %d: mean %d = %v, want %v", method, seed, k, m.Means[k], mapMeans[k])
				}
				if d := math.Abs(m.Sigmas[k] - mapSigmas[k]); d > 1e-3 {
					t.Errorf("%v seed %d: sigma %d = %v, want %v", method, seed, k, m.Sigmas[k], mapSigmas[k])
				}
			}
			// 1e-2 is the bar; the reference loss carries 4 decimals.
			if l := res.Loss[len(res.Loss)-1]; math.Abs(l-mapLoss) > 1e-2 {
				t.Errorf("%v seed %d: final loss %v, want %v", method, seed, l, mapLoss)
			}
		}
	}
}
