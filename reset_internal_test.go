package gmm

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/internal/kernel"
)

// TestProblemReset checks that a problem reset after a run takes the same
// EM steps as a new one, bit for bit, under each kind of prior: the engine
// reuses problems from run to run on that promise (engine.Resetter).
func TestProblemReset(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	u := make([]float64, 90)
	for i := range u {
		u[i] = rng.NormFloat64() + float64(i%3)*2
	}
	const K = 3
	first := []float64{-1.2, -1.0, -1.1, -1, 0.5, 3, 0, -0.3, 0.2}
	start := []float64{-0.9, -1.5, -1.0, 0, 2, 4, -0.5, 0.1, 0}
	for _, tt := range []struct {
		name  string
		prior Prior
		floor float64
	}{
		{"zero prior", Prior{}, 0},
		{"notebook prior", NotebookPrior().standardised(0, 1), 0},
		{"default prior", DefaultPrior(u), 0},
		{"zero prior with the σ floor", Prior{}, 1e-3},
	} {
		obj := &objective{prior: tt.prior, floor: tt.floor, scale: 1}
		steps := func(q *problem, theta []float64) []float64 {
			t0 := slices.Clone(theta)
			q.Project(t0)
			e := engine.NewEMStepper(context.Background(), q, t0, 1e-12)
			var losses []float64
			for range 300 {
				L, st, err := e.Step()
				if err != nil {
					t.Fatal(err)
				}
				losses = append(losses, L)
				if st != engine.Running {
					break
				}
			}
			return append(losses, e.Theta()...)
		}
		want := steps(newProblem(kernel.NewEngine(u, 0, 1, K), obj, K, float64(len(u))), start)
		// The statistics of a pass at the start made ready, as fitPasses
		// leaves them, go stale in the run from the other point: Reset
		// must forget them.
		q := newProblem(kernel.NewEngine(u, 0, 1, K), obj, K, float64(len(u)))
		a := slices.Clone(start)
		q.Project(a)
		if _, err := q.Eval(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		q.ready = a
		steps(q, first)
		q.Reset()
		if got := steps(q, start); !slices.Equal(got, want) {
			t.Errorf("%s: after a run and Reset, the losses and θ are %v, from a new problem %v", tt.name, got, want)
		}
	}
}
