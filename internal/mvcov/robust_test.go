package mvcov

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestMStepRobust feeds MStep random statistics, singular and badly scaled
// ones among them, random priors and unusable previous covariances, and
// checks that it never panics, never changes its inputs, and either returns
// an error or finite positive definite covariances and finite means.
func TestMStepRobust(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const cases = 400
	errs := 0
	for it := range cases {
		k, d := 1+rng.IntN(4), 1+rng.IntN(5)
		m := Model(rng.IntN(14))
		N := make([]float64, k)
		mean := mat.NewDense(k, d, nil)
		scatter := make([]*mat.SymDense, k)
		for j := range k {
			switch rng.IntN(6) {
			case 0:
				N[j] = 0
			case 1:
				N[j] = 1e-9
			default:
				N[j] = math.Exp(4 * rng.Float64())
			}
			scale := math.Pow(10, float64(rng.IntN(17)-8))
			rank := rng.IntN(d + 2)
			g := mat.NewDense(max(rank, 1), d, nil)
			for r := range rank {
				for a := range d {
					g.Set(r, a, scale*rng.NormFloat64())
				}
			}
			s := mat.NewSymDense(d, nil)
			s.SymOuterK(1, g.T())
			scatter[j] = s
			for a := range d {
				mean.Set(j, a, scale*rng.NormFloat64())
			}
		}
		var p *Prior
		if rng.IntN(2) == 0 {
			sc := mat.NewSymDense(d, nil)
			for a := range d {
				sc.SetSym(a, a, math.Exp(rng.NormFloat64()))
			}
			p = &Prior{MeanLoc: make([]float64, d), Shrinkage: 0.01 * float64(rng.IntN(2)), DoF: float64(d + 2), Scale: sc}
		}
		var prev []*mat.SymDense
		switch rng.IntN(3) {
		case 1:
			prev = newCovs(k, d)
		case 2:
			prev = newCovs(k, d)
			prev[0].SetSym(0, 0, math.NaN())
		}
		name := fmt.Sprintf("case %d: %v k=%d d=%d prior=%v", it, m, k, d, p != nil)
		wantN, wantMean, wantScatter := append([]float64(nil), N...), mat.DenseCopyOf(mean), make([]*mat.SymDense, k)
		for j := range k {
			wantScatter[j] = mat.NewSymDense(d, nil)
			wantScatter[j].CopySym(scatter[j])
		}
		means, covs := mat.NewDense(k, d, nil), newCovs(k, d)
		err := MStep(m, p, N, mean, scatter, prev, means, covs, NewWorkspace(k, d))
		for j := range k {
			if N[j] != wantN[j] && !math.IsNaN(N[j]) || !mat.Equal(scatter[j], wantScatter[j]) {
				t.Fatalf("%s: the inputs changed", name)
			}
		}
		if !mat.Equal(mean, wantMean) {
			t.Fatalf("%s: the means given changed", name)
		}
		if err != nil {
			errs++
			continue
		}
		for j := range k {
			var ch mat.Cholesky
			if !ch.Factorize(covs[j]) {
				t.Errorf("%s: Σ_%d is not positive definite: %v", name, j, mat.Formatted(covs[j]))
			}
			for a := range d {
				if v := means.At(j, a); math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s: mean %d is not finite", name, j)
				}
			}
		}
	}
	// The draws must exercise both outcomes.
	if errs == 0 || errs == cases {
		t.Errorf("%d of %d cases gave an error", errs, cases)
	}
	t.Logf("%d of %d cases gave an error", errs, cases)
}
