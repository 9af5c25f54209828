package gmm

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

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

// TestCurvatureBoundsHessian checks Curvature's diagonal h against the
// Hessian H of the loss by central finite differences at the optimum of
// overlapping components, for each kind of prior: h⁻¹H (computed as the
// symmetric h^(−1/2) H h^(−1/2)) has its eigenvalues in [0, 1], the bound
// that Adam's start matched to the curvature relies on, and its largest
// near 1, so that the bound is not so loose as to slow the steps.
func TestCurvatureBoundsHessian(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	u := make([]float64, 600)
	for i := range u {
		u[i] = rng.NormFloat64()*(1+0.5*float64(i%3)) + 1.5*float64(i%3)
	}
	def := DefaultPrior(u)
	conj := def
	conj.OnVariance = true
	conc := def
	conc.Concentration = 3.5
	tests := []struct {
		name   string
		prior  Prior
		floor  float64
		shared bool
	}{
		{"zero prior", Prior{}, 1e-3, false},
		{"default prior", def, 0, false},
		{"default prior on the variance", conj, 0, false},
		{"concentration 3.5", conc, 0, false},
		{"shared σ, default prior", def, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, K := range []int{2, 3} {
				obj := &objective{prior: tt.prior, floor: tt.floor, scale: 1, shared: tt.shared}
				q := newProblem(kernel.NewEngine(u, 0, 1, K), obj, K, float64(len(u)))
				theta := make([]float64, 3*K)
				for k := range K {
					theta[k] = -math.Log(float64(K))
					theta[K+k] = 1.5 * float64(k)
				}
				q.Project(theta)
				// EM to the optimum: 20000 steps at a rate no worse than
				// about 0.99 a step on these data leave nothing visible.
				for range 20000 {
					if _, err := q.Eval(context.Background(), theta); err != nil {
						t.Fatal(err)
					}
					q.Map(theta)
				}
				at := make([]float64, 3*K)
				loss := func(x []float64) float64 {
					copy(at, x)
					q.Project(at)
					L, err := q.Eval(context.Background(), at)
					if err != nil {
						t.Fatal(err)
					}
					return L
				}
				H := mat.NewSymDense(3*K, nil)
				fd.Hessian(H, loss, theta, &fd.Settings{Formula: fd.Central, Step: 1e-4})
				loss(theta)
				h := make([]float64, 3*K)
				q.Curvature(h)
				M := mat.NewSymDense(3*K, nil)
				for i := range 3 * K {
					for j := i; j < 3*K; j++ {
						M.SetSym(i, j, H.At(i, j)/math.Sqrt(h[i]*h[j]))
					}
				}
				var eig mat.EigenSym
				if !eig.Factorize(M, false) {
					t.Fatal("no eigenvalues")
				}
				ev := eig.Values(nil)
				// Central second differences with step 1e-4 err by about
				// ε·|L|/step² ≈ 1e-16·1500/1e-8 ≈ 2e-5 in H, whose entries
				// are some 100 to 1000; divided by h, 1e-7. Rounding of the
				// optimum adds less.
				const fdErr = 1e-6
				lo, hi := slices.Min(ev), slices.Max(ev)
				if lo < -fdErr || hi > 1+fdErr || hi < 0.5 {
					t.Errorf("K=%d: eigenvalues of h⁻¹H %v, want them in [0, 1] and the largest above 0.5", K, ev)
				}
				t.Logf("K=%d: eigenvalues of h⁻¹H from %.3g to %.3g", K, lo, hi)
			}
		})
	}
}
