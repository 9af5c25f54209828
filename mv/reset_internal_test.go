package mv

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/iris"
)

// TestProblemReset checks that a problem reset after a run, one that left
// an M-step's error and a failed Eval behind, takes the same EM steps as a
// new one, bit for bit, and judges the fit alike: the engine reuses
// problems from run to run on that promise (engine.Resetter). The rows
// cover models whose mixed points Project leaves alone and ones it
// projects, with and without a prior.
func TestProblemReset(t *testing.T) {
	x := mat.NewDense(150, 4, iris.Measurements())
	for _, tt := range []struct {
		name  string
		cov   Covariance
		prior bool
	}{
		{"VVV", VVV, false},
		{"EVE", EVE, false},
		{"VEV", VEV, false},
		{"VVE with the default prior", VVE, true},
	} {
		m := &Model{K: 3, Covariance: tt.cov}
		if tt.prior {
			m.Prior = DefaultPrior(x, 3)
		}
		cfg := (&Settings{}).withDefaults()
		data, _, err := m.checkFit(x, &cfg)
		if err != nil {
			t.Fatal(err)
		}
		f := newFitter(m, data, &cfg)
		if err := f.setup(m); err != nil {
			t.Fatal(err)
		}
		starts, _, err := f.starts(f.Problem(screenSize, 0).(*problem))
		if err != nil || len(starts) < 2 {
			t.Fatalf("%s: %d starts, error %v", tt.name, len(starts), err)
		}
		steps := func(pr *problem, theta []float64) ([]float64, error) {
			e := engine.NewEMStepper(context.Background(), pr, theta, 1e-12)
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
			return append(losses, e.Theta()...), pr.Degenerate(e.Theta())
		}
		want, wantErr := steps(f.Problem(screenSize, 0).(*problem), starts[0])
		pr := f.Problem(screenSize, 0).(*problem)
		steps(pr, starts[1])
		pr.mapErr, pr.failed = errors.New("mv: a covariance is singular"), true
		pr.Reset()
		got, gotErr := steps(pr, starts[0])
		if !slices.Equal(got, want) || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("%s: after a run and Reset, losses and θ %v and error %v; from a new problem %v and %v", tt.name, got, gotErr, want, wantErr)
		}
	}
}
