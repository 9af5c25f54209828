// Package num holds small numerical routines that every part of gmm shares.
package num

import "math"

// LogSumExp returns log Σ_i exp(v_i), computed relative to the largest v_i
// so that it neither overflows nor underflows where the result is finite.
// It returns −Inf for an empty v or one whose values are all −Inf, +Inf if
// any v_i is +Inf, and NaN if any is NaN.
func LogSumExp(v []float64) float64 {
	mx := math.Inf(-1)
	for _, x := range v {
		if math.IsNaN(x) {
			return x
		}
		mx = max(mx, x)
	}
	if math.IsInf(mx, 0) {
		return mx
	}
	var s float64
	for _, x := range v {
		s += math.Exp(x - mx)
	}
	return mx + math.Log(s)
}
