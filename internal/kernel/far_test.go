package kernel

import (
	"math"
	"testing"
)

// TestPassFarPoint passes points so far from every mean that every term
// w_k N(u | μ_k, σ_k) underflows, some so far that (u − μ_k)² overflows:
// each point goes whole to the component with the smallest |u − μ_k|/σ_k,
// the widest in both tails, and the statistics are its exact moments (S2
// overflows with (u − μ_k)²), never NaN.
func TestPassFarPoint(t *testing.T) {
	w := []float64{0.25, 0.5, 0.25}
	mu := []float64{-1, 0, 1}
	sd := []float64{1, 0.5, 2}
	tests := []struct {
		name string
		u    float64
		want int // the component that takes the point
	}{
		// (u − μ)²/(2σ²) ≈ 1e198, so every term underflows but the
		// squares are finite.
		{"at 1e99", 1e99, 2},
		{"at -1e99", -1e99, 2},
		// (u − μ)² overflows to +Inf: every log term is −Inf.
		{"at 1e200", 1e200, 2},
		{"at -1e300", -1e300, 2},
	}
	for _, tt := range tests {
		p := NewParams(3)
		p.Set(w, mu, sd)
		st := NewStats(3)
		NewEngine([]float64{tt.u}, 0, 1, 3).Pass(p, st)
		k := tt.want
		d := tt.u - mu[k]
		for j := range 3 {
			wantN, wantS1, wantS2 := 0.0, 0.0, 0.0
			if j == k {
				wantN, wantS1, wantS2 = 1, d, d*d
			}
			if st.N[j] != wantN || st.S1[j] != wantS1 || st.S2[j] != wantS2 {
				t.Errorf("%s: component %d has N, S1, S2 = %v, %v, %v; want %v, %v, %v",
					tt.name, j, st.N[j], st.S1[j], st.S2[j], wantN, wantS1, wantS2)
			}
		}
		// The log-likelihood is that component's log term, −Inf where
		// ((u − μ)/σ)² overflows.
		z := d / sd[k]
		want := math.Log(w[k]) - math.Log(sd[k]) - halfLog2Pi - 0.5*z*z
		if st.LogLik != want && !(math.Abs(st.LogLik-want) <= 1e-15*math.Abs(want)) {
			t.Errorf("%s: LogLik = %v, want %v", tt.name, st.LogLik, want)
		}
		if math.IsNaN(st.LogLik) {
			t.Errorf("%s: LogLik is NaN", tt.name)
		}
	}
}
