package gmm_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/gmm-go/gmm"
)

// countingContext is a context whose Err counts its calls and reports
// cancellation from call after+1 on.
type countingContext struct {
	context.Context
	after int64
	calls atomic.Int64
}

func (c *countingContext) Err() error {
	if c.calls.Add(1) > c.after {
		return context.Canceled
	}
	return nil
}

// TestPosteriorCancelWithinOnePass counts passes over a large input, not
// seconds. A Gibbs sweep and a VB step are each one pass over the data.
// First, with a context that is never cancelled, the sampler must check it
// at least once per sweep of every chain: Chains·(Warmup + Draws) times.
// Then, with a context cancelled from its fifth check on, the chains must
// stop at their next check: at most one more check each, since a chain
// that sees the cancellation returns.
func TestPosteriorCancelWithinOnePass(t *testing.T) {
	n := 200000
	if raceEnabled {
		n = 20000
	}
	x, _, err := mixtures[1].m.Sample(n, 21)
	if err != nil {
		t.Fatal(err)
	}
	const chains, warmup, draws = 2, 12, 10
	s := &gmm.PosteriorSettings{Chains: chains, Warmup: warmup, Draws: draws}
	m := &gmm.Model{K: 2, Prior: gmm.DefaultPrior(x)}

	never := &countingContext{Context: context.Background(), after: 1 << 62}
	if _, err := m.PosteriorContext(never, x, s); err != nil {
		t.Fatal(err)
	}
	if got, want := never.calls.Load(), int64(chains*(warmup+draws)); got < want {
		t.Errorf("Gibbs checked the context %d times in %d sweeps", got, want)
	}

	const after = 5
	soon := &countingContext{Context: context.Background(), after: after}
	if _, err := m.PosteriorContext(soon, x, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("Gibbs: err = %v, want context.Canceled", err)
	}
	// Each chain sees the cancellation once and returns; PosteriorContext
	// checks a few more times before it returns the error.
	if got := soon.calls.Load() - after; got > chains+3 {
		t.Errorf("Gibbs: %d checks after the cancellation, want at most %d", got, chains+3)
	}

	s.Method = gmm.VB
	soon = &countingContext{Context: context.Background(), after: after}
	if _, err := m.PosteriorContext(soon, x, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("VB: err = %v, want context.Canceled", err)
	}
	if got := soon.calls.Load() - after; got > chains+3 {
		t.Errorf("VB: %d checks after the cancellation, want at most %d", got, chains+3)
	}
}
