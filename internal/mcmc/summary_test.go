package mcmc

import (
	"math"
	"strings"
	"testing"
)

// TestQuantileSorted checks type-7 quantiles against NumPy's
// numpy.quantile (linear interpolation, its default) on the same draws.
func TestQuantileSorted(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		name string
		s    []float64
		q    float64
		want float64
	}{
		{"minimum", []float64{1, 2, 3, 4}, 0, 1},
		{"between the first two", []float64{1, 2, 3, 4}, 0.1, 1.3},
		{"median of an even count", []float64{1, 2, 3, 4}, 0.5, 2.5},
		{"between the last two", []float64{1, 2, 3, 4}, 0.9, 3.7},
		{"maximum", []float64{1, 2, 3, 4}, 1, 4},
		{"on a tie", []float64{-1, 2, 2, 3.5, 7}, 0.25, 2},
		{"after a tie", []float64{-1, 2, 2, 3.5, 7}, 0.6, 2.6},
		{"one draw", []float64{5}, 0.3, 5},
		{"between two infinite draws", []float64{1, inf, inf}, 0.75, inf},
		{"towards an infinite draw", []float64{1, inf}, 0.5, inf},
	} {
		// NumPy's values are exact to one rounding of the interpolation.
		if got := QuantileSorted(tc.s, tc.q); got != tc.want && math.Abs(got-tc.want) > 1e-15*math.Abs(tc.want) {
			t.Errorf("%s: QuantileSorted(%v, %v) = %v, want %v", tc.name, tc.s, tc.q, got, tc.want)
		}
	}
}

// TestSinglePeak checks the fraction of draws with a pair forming a
// single peak, counted once per draw however many pairs do, and that the
// criterion is asked draw by draw in increasing order.
func TestSinglePeak(t *testing.T) {
	// Draw 0: no pair; draw 1: pairs (0, 2) and (1, 2); draw 2: pair (0, 1);
	// draw 3: no pair.
	peaks := map[[3]int]bool{{1, 0, 2}: true, {1, 1, 2}: true, {2, 0, 1}: true}
	last := -1
	f, what := SinglePeak(4, 3, func(tt, j, k int) bool {
		if tt < last || j >= k {
			t.Fatalf("asked draw %d pair (%d, %d) after draw %d", tt, j, k, last)
		}
		last = tt
		return peaks[[3]int{tt, j, k}]
	}, "a rule")()
	if f != 0.5 {
		t.Errorf("fraction %v, want 2 of 4 draws", f)
	}
	if want := "form a single peak (a rule)"; !strings.Contains(what, want) {
		t.Errorf("words %q do not hold %q", what, want)
	}
}
