package gmm

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/gmm-go/gmm/internal/kernel"
)

// TestSharedGradientFiniteDifference checks the gradient of the loss of a
// SharedSigma fit against central finite differences in the free
// coordinates (η, μ, log σ), 2K + 1 of them, with the one log σ standing
// for all K of θ's, for each kind of prior.
func TestSharedGradientFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 0))
	u := make([]float64, 60)
	for i := range u {
		u[i] = rng.NormFloat64() + float64(i%3)*2
	}
	def := DefaultPrior(u)
	conj := def
	conj.OnVariance = true
	for _, tt := range []struct {
		name  string
		prior Prior
		floor float64
	}{
		{"notebook prior", NotebookPrior(), 0},
		{"default prior", def, 0},
		{"default prior on the variance", conj, 0},
		{"zero prior with the σ floor", Prior{}, 1e-3},
	} {
		for _, K := range []int{1, 2, 3} {
			obj := &objective{prior: tt.prior, floor: tt.floor, scale: 1, shared: true}
			q := newProblem(kernel.NewEngine(u, 0, 1, K), obj, K, float64(len(u)))
			full := func(free []float64) []float64 {
				theta := make([]float64, 3*K)
				copy(theta, free[:2*K])
				for k := range K {
					theta[2*K+k] = free[2*K]
				}
				q.Project(theta)
				return theta
			}
			loss := func(free []float64) float64 {
				L, err := q.Eval(context.Background(), full(free))
				if err != nil {
					t.Fatal(err)
				}
				return L
			}
			g := make([]float64, 3*K)
			for trial := range 5 {
				free := make([]float64, 2*K+1)
				for k := range K {
					free[k] = rng.NormFloat64()
					free[K+k] = 2 * rng.NormFloat64()
				}
				free[2*K] = 0.5 * rng.NormFloat64()
				want := fd.Gradient(nil, loss, free, &fd.Settings{Formula: fd.Central, Step: 1e-5})
				loss(free)
				q.Gradient(g)
				for j := range free {
					got := g[j]
					if j == 2*K {
						got = g[2*K]
						for k := range K {
							if g[2*K+k] != got {
								t.Errorf("%s K=%d: the log σ coordinates' gradients differ: %v", tt.name, K, g[2*K:])
							}
						}
					}
					// As in TestGradientFiniteDifference: truncation
					// O(h²) and rounding O(ε|f|/h), about 1e-6 absolute for
					// |f| of a few hundred.
					if d := math.Abs(got - want[j]); d > 1e-6*max(1, math.Abs(want[j])) {
						t.Errorf("%s K=%d trial %d: ∂L/∂θ[%d] = %.10g, finite differences give %.10g", tt.name, K, trial, j, got, want[j])
					}
				}
			}
		}
	}
}

// TestSharedUpdateMaximises checks the shared σ's M-step against the
// maximiser of the expected log posterior it solves for, found by golden
// section search, for both prior forms and none.
func TestSharedUpdateMaximises(t *testing.T) {
	const S, n = 37.5, 42.0
	conj := NotebookPrior()
	conj.OnVariance = true
	for _, tt := range []struct {
		name  string
		prior Prior
	}{
		{"no prior", Prior{}},
		{"prior on σ", NotebookPrior()},
		{"prior on σ²", conj},
	} {
		// The terms in σ: −n log σ − S/(2σ²) and the prior's one
		// InverseGamma log density.
		f := func(s float64) float64 {
			return -n*math.Log(s) - S/(2*s*s) + tt.prior.logDensity([]float64{0}, []float64{0}, []float64{s})
		}
		a, b := 0.1, 10.0
		const phi = 0.6180339887498949
		for range 200 {
			c, d := b-phi*(b-a), a+phi*(b-a)
			if f(c) > f(d) {
				b = d
			} else {
				a = c
			}
		}
		got := tt.prior.sharedUpdate(S, n, 0)
		// Golden section narrows the bracket to 1e-40 of its width after
		// 200 steps, but a maximum is flat: f's values near it agree to
		// rounding (1e-16 relative) within about √1e-16 = 1e-8 of it, so
		// 1e-7 relative.
		if math.Abs(got-(a+b)/2) > 1e-7*got {
			t.Errorf("%s: sharedUpdate gives σ = %.12g; the maximiser is %.12g", tt.name, got, (a+b)/2)
		}
	}
}
