package gmm

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestPriorLogDensity checks the prior's log density against the sum of
// gonum's Normal and InverseGamma log densities and, for the weights, its
// Beta densities by stick-breaking (Dirichlet(α, α, α) at w is
// Beta(w1; α, 2α) · Beta(w2/(1 − w1); α, α)/(1 − w1)), on either form of
// the prior and with an empty component at α = 1. The terms are of order 10 and the two sums add them in
// different orders, so they agree to a few ulp of the largest; 1e-12
// relative leaves room for that and no more.
func TestPriorLogDensity(t *testing.T) {
	for _, tt := range []struct {
		name  string
		p     Prior
		w     []float64
		mu    []float64
		sigma []float64
	}{
		{"notebook, K=2", NotebookPrior(), []float64{0.3, 0.7}, []float64{-1, 4}, []float64{0.5, 2}},
		{"sparse Dirichlet, K=3", Prior{Concentration: 0.5, MeanLoc: 2, MeanScale: 3, SigmaShape: 2, SigmaScale: 0.7},
			[]float64{0.2, 0.5, 0.3}, []float64{-3, 2.5, 9}, []float64{0.1, 1, 6}},
		{"on variance, K=3", Prior{Concentration: 3, MeanLoc: -1, MeanScale: 0.4, SigmaShape: 0.01, SigmaScale: 0.02, OnVariance: true},
			[]float64{0.25, 0.25, 0.5}, []float64{-1, 0, 1}, []float64{0.3, 1.5, 40}},
		{"empty component at α = 1", Prior{Concentration: 1, MeanLoc: 0, MeanScale: 10, SigmaShape: 1, SigmaScale: 1},
			[]float64{0, 1}, []float64{0, 1}, []float64{1, 1}},
	} {
		K := len(tt.w)
		logW := make([]float64, K)
		for k, w := range tt.w {
			logW[k] = math.Log(w)
		}
		var want float64
		if tt.p.Concentration == 1 {
			// The flat Dirichlet's density is Γ(K) everywhere on the simplex,
			// on its boundary as well, where gonum's formula meets 0·log 0.
			want, _ = math.Lgamma(float64(K))
		} else {
			want = stickBreaking(tt.p.Concentration, tt.w)
		}
		mn := distuv.Normal{Mu: tt.p.MeanLoc, Sigma: tt.p.MeanScale}
		ig := distuv.InverseGamma{Alpha: tt.p.SigmaShape, Beta: tt.p.SigmaScale}
		for k := range K {
			want += mn.LogProb(tt.mu[k])
			s := tt.sigma[k]
			if tt.p.OnVariance {
				s *= s
			}
			want += ig.LogProb(s)
		}
		got := tt.p.logDensity(logW, tt.mu, tt.sigma)
		if math.Abs(got-want) > 1e-12*math.Abs(want) || math.IsNaN(got) {
			t.Errorf("%s: log density %v, want %v", tt.name, got, want)
		}
	}
	if got := (Prior{}).logDensity([]float64{0}, []float64{5}, []float64{1}); got != 0 {
		t.Errorf("zero Prior: log density %v, want 0", got)
	}
}

// stickBreaking returns the log density of Dirichlet(α, …, α) at w, with
// K = 2 or 3, as a product of Beta densities.
func stickBreaking(alpha float64, w []float64) float64 {
	lp := distuv.Beta{Alpha: alpha, Beta: float64(len(w)-1) * alpha}.LogProb(w[0])
	if len(w) == 3 {
		rest := 1 - w[0]
		lp += distuv.Beta{Alpha: alpha, Beta: alpha}.LogProb(w[1]/rest) - math.Log(rest)
	}
	return lp
}

// TestGibbsLogPriorShared checks the prior's density as the Gibbs sampler
// is given it: with shared σ the K equal σs count once, as in logDensity
// of the one σ, and otherwise each counts.
func TestGibbsLogPriorShared(t *testing.T) {
	lw := []float64{math.Log(0.5), math.Log(0.5)}
	mu := []float64{0, 1}
	for _, onVar := range []bool{false, true} {
		p := Prior{Concentration: 1, MeanScale: 3, SigmaShape: 2, SigmaScale: 1, OnVariance: onVar}
		once := p.logDensity(lw, mu, []float64{0.7})
		if got := p.logPrior(true)(lw, mu, []float64{0.7, 0.7}); got != once {
			t.Errorf("OnVariance %v: shared log density %v, want %v, the σ counted once", onVar, got, once)
		}
		twice := p.logDensity(lw, mu, []float64{0.7, 0.7})
		if got := p.logPrior(false)(lw, mu, []float64{0.7, 0.7}); got != twice || got == once {
			t.Errorf("OnVariance %v: log density with two σs %v, want %v (once: %v)", onVar, got, twice, once)
		}
	}
}
