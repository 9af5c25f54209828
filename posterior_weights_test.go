package gmm

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// vbTol bounds the difference of a VB fit to weighted points and to the
// same points written out, from one start. The start is the same draws
// (kernel.KMeansPP on the line of the weights), and each step's sums
// differ only by the rounding of adding a point's weight at once rather
// than a copy at a time: relative N·ε ≈ 800·1.1e-16 ≈ 1e-13 for the
// N ≤ 800 points written out. The coordinate ascent contracts towards its
// fixed point and does not grow such differences, and the test checks
// that both runs take the same number of steps: 1e-11 allows the rounding
// of each of up to 100 steps to add up.
const vbTol = 1e-11

// TestWeightedVBIsWrittenOut checks that VB with integer weights 0 to 3
// gives the approximation, the ELBO and the draws of VB on the points
// written out in their places, from one start. (From several, two that
// reach one optimum, with the components in another order, have ELBOs
// equal up to rounding, and the one kept, whose order the draws follow,
// can differ.)
func TestWeightedVBIsWrittenOut(t *testing.T) {
	for _, f := range []string{"faithful_eruptions.csv", "galaxies.csv"} {
		x, err := readColumn(filepath.Join("testdata", "realdata", f))
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float64, len(x))
		for i := range w {
			w[i] = float64((i * 7) % 4)
		}
		rep, _, _ := writtenOut(x, w)
		for _, prior := range []Prior{DefaultPrior(x), NotebookPrior()} {
			m := &Model{K: 3, Prior: prior}
			a, err := m.Posterior(x, &PosteriorSettings{Method: VB, Weights: w, Draws: 50, Chains: 1})
			if err != nil {
				t.Fatal(err)
			}
			b, err := m.Posterior(rep, &PosteriorSettings{Method: VB, Draws: 50, Chains: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(a.ELBO) != len(b.ELBO) {
				t.Errorf("%s, %v: %d VB steps weighted, %d written out", f, prior, len(a.ELBO), len(b.ELBO))
				continue
			}
			la, lb := a.ELBO[len(a.ELBO)-1], b.ELBO[len(b.ELBO)-1]
			if d := math.Abs(la - lb); !(d <= vbTol*math.Abs(lb)) {
				t.Errorf("%s, %v: ELBO %.17g weighted, %.17g written out", f, prior, la, lb)
			}
			var worst float64
			for d := range a.Means {
				for k := range 3 {
					worst = max(worst, math.Abs(a.Weights[d][k]-b.Weights[d][k]),
						math.Abs(a.Means[d][k]-b.Means[d][k])/math.Abs(b.Sigmas[d][k]),
						math.Abs(a.Sigmas[d][k]/b.Sigmas[d][k]-1))
				}
			}
			if !(worst <= vbTol) {
				t.Errorf("%s, %v: the draws differ by %.3g (relative to σ)", f, prior, worst)
			}
		}
	}
}

// TestGibbsRefusesWeights checks that Gibbs takes weights of 0 and 1 (0:
// the posterior without the point, bit for bit) and refuses others with
// advice that works: VB takes them.
func TestGibbsRefusesWeights(t *testing.T) {
	x, err := readColumn(filepath.Join("testdata", "realdata", "galaxies.csv"))
	if err != nil {
		t.Fatal(err)
	}
	m := &Model{K: 2, Prior: DefaultPrior(x)}
	w := make([]float64, len(x))
	var kept []float64
	for i := range w {
		if i%4 != 0 {
			w[i] = 1
			kept = append(kept, x[i])
		}
	}
	s := &PosteriorSettings{Draws: 20, Warmup: 20, Chains: 2, Weights: w}
	a, err := m.Posterior(x, s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Posterior(kept, &PosteriorSettings{Draws: 20, Warmup: 20, Chains: 2})
	if err != nil {
		t.Fatal(err)
	}
	for d := range a.Means {
		for k := range 2 {
			if a.Means[d][k] != b.Means[d][k] || a.Sigmas[d][k] != b.Sigmas[d][k] || a.Weights[d][k] != b.Weights[d][k] {
				t.Fatalf("draw %d: weight 0 gives %v, without the points %v", d, a.Means[d], b.Means[d])
			}
		}
	}
	w[3] = 2
	_, err = m.Posterior(x, s)
	if err == nil || !strings.Contains(err.Error(), "VB") {
		t.Fatalf("Gibbs with a weight of 2: error %v, want one advising VB", err)
	}
	s.Method = VB
	if _, err := m.Posterior(x, s); err != nil {
		t.Errorf("VB with the same weights: %v", err)
	}
}
