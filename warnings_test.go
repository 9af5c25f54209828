package gmm_test

import (
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

// speeds returns n values in two groups around 20,000 and 20,500, as a
// file of speeds in km/s might hold.
func speeds(n int) []float64 {
	gen := &gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{20000, 20500}, Sigmas: []float64{60, 80}}
	x, _, err := gen.Sample(n, 3)
	if err != nil {
		panic(err)
	}
	return x
}

func TestFitWarnings(t *testing.T) {
	tiny := make([]float64, 200) // widths in km of parts a few mm wide
	for i := range tiny {
		tiny[i] = 0.004 + 1e-4*float64(i%17)
	}
	for _, tc := range []struct {
		name  string
		x     []float64
		k     int
		prior gmm.Prior
		want  []string // parts of the warnings, one per warning, in order
	}{
		{"iris, the notebook's prior", iris.PetalLength(), 2, gmm.NotebookPrior(), nil},
		{"iris, no prior", iris.PetalLength(), 2, gmm.Prior{}, nil},
		{"iris, the default prior", iris.PetalLength(), 2, gmm.DefaultPrior(iris.PetalLength()), nil},
		// The example: the means sit 2000 prior sds from the
		// data, and the prior's σ of 0.5 is far below the data's 260.
		{"speeds, the notebook's prior", speeds(1000), 2, gmm.NotebookPrior(), []string{
			"lies 2.03e+03 prior standard deviations from the prior's centre",
			"the prior's most probable σ, 0.5, is 0.00", "times the data's robust spread",
			"lies outside the data's range",
		}},
		{"speeds, the default prior", speeds(1000), 2, gmm.DefaultPrior(speeds(1000)), nil},
		{"speeds, no prior", speeds(1000), 2, gmm.Prior{}, nil},
		// σ's prior mode 0.5 is 100 times the spread of millimetres
		// written in kilometres: the prior sets σ.
		{"millimetres in km, the notebook's prior", tiny, 1, gmm.NotebookPrior(), []string{
			"the prior's most probable σ, 0.5, is", "σ, 0.", "exceeds the data's whole range",
		}},
		{"millimetres in km, the default prior", tiny, 1, gmm.DefaultPrior(tiny), nil},
		// Two values and one component: σ's MAP, 0.255, exceeds the
		// range of 0.1, though the scales are only 10 apart.
		{"two points", []float64{0, 0.1}, 1, gmm.NotebookPrior(), []string{"exceeds the data's whole range, 0.1"}},
		{"two points, the default prior", []float64{0, 0.1}, 1, gmm.DefaultPrior([]float64{0, 0.1}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &gmm.Model{K: tc.k, Prior: tc.prior}
			res, err := m.Fit(tc.x, &gmm.Settings{Method: gmm.EM})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(res.Warnings, "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("warnings lack %q:\n%s", w, got)
				}
			}
			if tc.want == nil && len(res.Warnings) > 0 {
				t.Errorf("warnings on a fit the data dominate:\n%s", got)
			}
			for _, w := range res.Warnings {
				if !strings.Contains(w, "DefaultPrior(x)") {
					t.Errorf("warning %q does not say what to do", w)
				}
			}
		})
	}
}

// TestDefaultPriorNeverWarns fits data of many shapes and scales with
// their default prior: the advice the warnings give must clear them.
func TestDefaultPriorNeverWarns(t *testing.T) {
	for seed := range uint64(40) {
		k := 1 + int(seed%4)
		gen := &gmm.Model{K: 3, Weights: []float64{0.6, 0.3, 0.1},
			Means:  []float64{-3e5 * float64(seed), 1e-3 * float64(seed), 7 + float64(seed)},
			Sigmas: []float64{1e-2 * float64(seed+1), 2, 0.5}}
		x, _, err := gen.Sample(5+int(seed)*13, seed)
		if err != nil {
			t.Fatal(err)
		}
		m := &gmm.Model{K: k, Prior: gmm.DefaultPrior(x)}
		res, err := m.Fit(x, &gmm.Settings{Seed: seed, Method: gmm.Method(seed % 2)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) > 0 {
			t.Errorf("seed %d, K = %d, %d values: %q", seed, k, len(x), res.Warnings)
		}
	}
}
