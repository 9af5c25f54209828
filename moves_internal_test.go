package gmm

import (
	"math"
	"slices"
	"testing"
)

// TestWorstFittedTiedRuns checks worstFitted's runs of 4 points and its
// widened runs on values rounded to a grid: distinct values every 0.25
// from 40 to 70, and a group of 7 values of 53 and 9 of 54 in the gap
// they leave from 52.5 to 54.5, fitted by one normal component over the
// whole range. No run of 4 points, whichever it starts at, has more than
// its mass (the group's share spread over four points is less than the
// component's mass over their cells), so the group is found only by a
// run widened to its whole groups of ties.
func TestWorstFittedTiedRuns(t *testing.T) {
	var x []float64
	for v := 40.0; v <= 70; v += 0.25 {
		if v < 52.5 || v > 54.5 {
			x = append(x, v)
		}
	}
	for range 7 {
		x = append(x, 53)
	}
	for range 9 {
		x = append(x, 54)
	}
	n := float64(len(x))
	var mean, v float64
	for _, u := range x {
		mean += u / n
	}
	for _, u := range x {
		v += (u - mean) * (u - mean) / n
	}
	q := &problem{k: 2, obj: &objective{floor: 1e-3, scale: 1}, sorted: sortedLine(x, nil)}
	// One component carries all the weight; the other is empty.
	theta := []float64{0, math.Inf(-1), mean, 0, 0.5 * math.Log(v), 0}
	group := window{w: 16 / n, mu: (7*53 + 9*54) / 16.0}
	group.sigma = math.Sqrt((7*(53-group.mu)*(53-group.mu) + 9*(54-group.mu)*(54-group.mu)) / 16)
	for _, tt := range []struct {
		name         string
		places, tied int
		wantGroup    bool
	}{
		{"no runs", 0, 0, false},
		{"runs of 4 only", 4, 0, false},
		{"widened runs", 1, 4, true},
	} {
		_, tight, tied := q.worstFitted(theta, tt.places, tt.tied)
		if len(tight) > tt.places || len(tied) > tt.tied {
			t.Errorf("%s: %d runs of 4 and %d widened, want at most %d and %d", tt.name, len(tight), len(tied), tt.places, tt.tied)
		}
		for _, c := range tight {
			if c.mu >= 53 && c.mu <= 54 {
				t.Errorf("%s: a run of 4 points of the group (mean %v) has more than its mass", tt.name, c.mu)
			}
			if c.w != 4/n {
				t.Errorf("%s: a run of 4 points has weight %v, want %v", tt.name, c.w, 4/n)
			}
		}
		found := false
		for _, c := range append(tight, tied...) {
			if c.w > 4/n && c.w != group.w && !slices.Contains(tied, c) {
				t.Errorf("%s: a run of 4 points has weight %v", tt.name, c.w)
			}
			// The moments are sums of 16 terms: 1e-12 relative
			// allows for their rounding.
			if c.w == group.w && math.Abs(c.mu-group.mu) <= 1e-12*group.mu && math.Abs(c.sigma-group.sigma) <= 1e-12*group.mu {
				found = true
			}
		}
		if found != tt.wantGroup {
			t.Errorf("%s: the run of the 16 values of 53 and 54 found %v, want %v", tt.name, found, tt.wantGroup)
		}
	}
}
