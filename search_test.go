package gmm_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/gmm-go/gmm"
)

// TestFitContextStopsWithinAPass cancels fits of 2·10^6 points from their
// progress callback, once on the first step of the search and once on the
// first step of the final run on all the data, and counts the steps
// reported after the cancel. Every pass checks the context before it
// starts, and a step reports after its passes, so the final run, alone,
// reports none; in the search, each run that another goroutine has in the
// middle of a step may finish it, so at most GOMAXPROCS − 1 follow.
func TestFitContextStopsWithinAPass(t *testing.T) {
	n := 2000000
	if testing.Short() {
		n = 300000
	}
	x, _, err := mixture3.Sample(n, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range methods {
		for _, tt := range []struct {
			name  string
			when  func(loss float64) bool
			extra int
		}{
			// The loss of the screening sample, 8192 points, is about
			// 2·10^4; that of all the data about 2.2·n.
			{"in the search", func(float64) bool { return true }, runtime.GOMAXPROCS(0) - 1},
			{"in the final run", func(l float64) bool { return l > float64(n) }, 0},
		} {
			ctx, cancel := context.WithCancel(context.Background())
			calls, after := 0, -1
			s := &gmm.Settings{Method: method, Progress: func(run, step int, loss float64) {
				calls++
				if after < 0 && tt.when(loss) {
					cancel()
					after = calls
				}
			}}
			m := &gmm.Model{K: 3}
			_, err := m.FitContext(ctx, x, s)
			cancel()
			if !errors.Is(err, context.Canceled) || m.Weights != nil {
				t.Errorf("%v, %s: err %v, weights %v; want context.Canceled and m unchanged", method, tt.name, err, m.Weights)
			}
			if after < 0 || calls-after > tt.extra {
				t.Errorf("%v, %s: %d steps reported after the cancel, want at most %d", method, tt.name, calls-after, tt.extra)
			}
		}
	}
}
