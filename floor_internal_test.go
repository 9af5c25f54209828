package gmm

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/internal/kernel"
)

// TestBoundedDecrease checks boundedDecrease against the maximum of the
// quadratic model g·δ − h·δ²/2 over δ ≥ −room, found on a fine grid.
func TestBoundedDecrease(t *testing.T) {
	for _, tt := range []struct {
		name        string
		g, h, room  float64
		wantAtBound bool // the maximiser is the bound
	}{
		{"upwards", 3, 2, 0, false},
		{"downwards, far from the bound", -3, 2, 10, false},
		{"downwards, the Newton step just reaches the bound", -3, 2, 1.5, false},
		{"downwards, the bound stops the step", -3, 2, 0.5, true},
		{"downwards, at the bound", -3, 2, 0, true},
		{"no bound", -3, 2, math.Inf(1), false},
	} {
		got := boundedDecrease(tt.g, tt.h, tt.room)
		// The grid's spacing, 1e-5 of the Newton step, leaves the model
		// within h·(1e-5·|g|/h)²/2 ≈ 2e-10 of its maximum.
		newton := tt.g / tt.h
		lo := max(-tt.room, -2*math.Abs(newton))
		best := math.Inf(-1)
		for i := 0; i <= 400000; i++ {
			d := lo + float64(i)*1e-5*math.Abs(newton)
			best = max(best, tt.g*d-tt.h*d*d/2)
		}
		if math.Abs(got-best) > 1e-9 {
			t.Errorf("%s: boundedDecrease(%v, %v, %v) = %v; the model's maximum is %v", tt.name, tt.g, tt.h, tt.room, got, best)
		}
		if unbounded := tt.g * tt.g / (2 * tt.h); tt.wantAtBound != (got < unbounded) {
			t.Errorf("%s: decrease %v, unconstrained ½g²/h %v: the bound should bind %v", tt.name, got, unbounded, tt.wantAtBound)
		}
	}
}

// TestGradientPinnedAtFloor checks that, under maximum likelihood, the
// stopping rule's Newton decrement ignores a σ held at the floor: at the
// constrained optimum of a bulk and one far value with a spike of its own,
// where the likelihood would still rise as that σ falls, the decrease is
// rounding and meets the tolerance, so that Adam can stop there.
func TestGradientPinnedAtFloor(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	const n, far, floor = 200, 1e6, 1e-3
	u := make([]float64, n+1)
	var mean float64
	for i := range n {
		u[i] = rng.NormFloat64()
		mean += u[i] / n
	}
	u[n] = far
	var v float64
	for _, x := range u[:n] {
		v += (x - mean) * (x - mean) / n
	}
	obj := &objective{floor: floor, scale: 1}
	q := newProblem(kernel.NewEngine(u, 0, 1, 2), obj, 2, float64(len(u)))
	// The optimum: the bulk's component has the bulk's weight, mean and
	// standard deviation (maximum likelihood), the far value's spike its
	// weight and value with σ at the floor; neither takes any of the
	// other's points (their densities there underflow).
	theta := []float64{math.Log(n / (n + 1.0)), math.Log(1 / (n + 1.0)), mean, far, 0.5 * math.Log(v), math.Log(floor)}
	q.Project(theta)
	L, err := q.Eval(context.Background(), theta)
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, len(theta))
	dec := q.Gradient(g)
	// Tol is the default, 1e-10: the bound is 1e-10·(|L| + n), 5e-8 here.
	// The free coordinates' gradients at the optimum are rounding, of
	// order 1e-13, and the pinned σ's would add ½·1²/(2·1) = 0.25 if it
	// counted.
	if !engine.Small(dec, L, q.Points(), defaultTol) {
		t.Errorf("the decrease at the optimum is %v, above the tolerance %v; gradient %v",
			dec, defaultTol*(math.Abs(L)+q.Points()), g)
	}
	if g[5] != 0 {
		t.Errorf("the pinned σ's gradient is %v, want 0", g[5])
	}
}

// TestDegenerate checks which fits Degenerate disqualifies under maximum
// likelihood: a component collapsed onto the floor inside the bulk, or
// empty, but not one on a far value, and none with a prior.
func TestDegenerate(t *testing.T) {
	const floor = 1e-3
	lf := math.Log(floor)
	half, empty := math.Log(0.5), math.Log(1e-13)
	for _, tt := range []struct {
		name   string
		prior  Prior
		theta  []float64 // (log w, μ, log σ), K = 2
		want   string    // a part of the error, or "" for none
		shared bool
	}{
		{"two components", Prior{}, []float64{half, half, -1, 1, 0, 0}, "", false},
		{"collapsed in the bulk", Prior{}, []float64{half, half, -1, 1, 0, lf}, "component 1 of 2 collapses", false},
		// exp(log floor) exceeds the floor by an ulp or two.
		{"collapsed, an ulp above the floor", Prior{}, []float64{half, half, -1, 1, 0, lf + 4e-16}, "collapses", false},
		{"just above the floor", Prior{}, []float64{half, half, -1, 1, 0, lf + 1e-6}, "", false},
		{"a spike on a far value", Prior{}, []float64{half, half, -1, 2 * farSpreads, 0, lf}, "", false},
		{"a spike just inside the far limit", Prior{}, []float64{half, half, -1, farSpreads / 2, 0, lf}, "collapses", false},
		{"empty, shared σ", Prior{}, []float64{0, empty, -1, 1, 0, 0}, "component 1 of 2 is empty", true},
		{"empty far out", Prior{}, []float64{0, empty, -1, 2 * farSpreads, 0, lf}, "is empty", false},
		{"a small weight, not empty", Prior{}, []float64{0, math.Log(1e-11), -1, 1, 0, 0}, "", true},
		{"collapsed under a prior", NotebookPrior(), []float64{half, half, -1, 1, 0, lf}, "", false},
		{"empty under a prior", NotebookPrior(), []float64{0, empty, -1, 1, 0, 0}, "", false},
	} {
		obj := &objective{prior: tt.prior, scale: 1, shared: tt.shared}
		if tt.prior.IsZero() {
			obj.floor = floor
		}
		q := newProblem(kernel.NewEngine([]float64{0}, 0, 1, 2), obj, 2, 1)
		err := q.Degenerate(tt.theta)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Degenerate gives %v; want %q", tt.name, err, tt.want)
		}
	}
}
