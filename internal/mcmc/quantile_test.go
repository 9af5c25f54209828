package mcmc

import (
	"math"
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
