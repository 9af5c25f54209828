package gmm

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/gmm-go/gmm/internal/kernel"
)

// TestGradientFiniteDifference checks the hand-derived gradient of the loss
// with respect to θ = (η, μ, log σ) against central finite differences at
// random points, for each kind of prior.
func TestGradientFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 0))
	u := make([]float64, 60)
	for i := range u {
		u[i] = rng.NormFloat64() + float64(i%3)*2
	}
	notebook := NotebookPrior().standardised(0, 1)
	def := DefaultPrior(u)
	conj := def
	conj.OnVariance = true
	conc := def
	conc.Concentration = 3.5
	tests := []struct {
		name  string
		prior Prior
		floor float64
	}{
		{"notebook prior", notebook, 0},
		{"default prior", def, 0},
		{"default prior on the variance", conj, 0},
		{"concentration 3.5", conc, 0},
		{"zero prior with the σ floor", Prior{}, 1e-3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, K := range []int{1, 2, 3} {
				obj := &objective{prior: tt.prior, floor: tt.floor, scale: 1}
				q := newProblem(kernel.NewEngine(u, 0, 1, K), obj, K, float64(len(u)))
				at := make([]float64, 3*K)
				loss := func(theta []float64) float64 {
					copy(at, theta)
					q.Project(at)
					L, err := q.Eval(context.Background(), at)
					if err != nil {
						t.Fatal(err)
					}
					return L
				}
				g := make([]float64, 3*K)
				for trial := range 5 {
					theta := make([]float64, 3*K)
					for k := range K {
						theta[k] = rng.NormFloat64()
						theta[K+k] = 2 * rng.NormFloat64()
						theta[2*K+k] = 0.5 * rng.NormFloat64()
					}
					want := fd.Gradient(nil, loss, theta, &fd.Settings{Formula: fd.Central, Step: 1e-5})
					loss(theta)
					q.Gradient(g)
					for j := range theta {
						// Central differences with step h have truncation error
						// O(h²·f''') and rounding error O(ε·|f|/h) ≈ 1e-11·|f|·1e5;
						// with |f| of a few hundred that is about 1e-6 absolute.
						tol := 1e-6 * max(1, math.Abs(want[j]))
						if d := math.Abs(g[j] - want[j]); d > tol {
							t.Errorf("K=%d trial %d: ∂L/∂θ[%d] = %.10g, finite differences give %.10g", K, trial, j, g[j], want[j])
						}
					}
				}
			}
		})
	}
}
