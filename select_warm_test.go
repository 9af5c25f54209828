package gmm

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestSelectSharesWorkAcrossK checks, on the real data sets, that the
// starting point Select adds to each candidate (the fit with one
// component fewer, split) never leaves a candidate's log-likelihood below
// that of an independent Fit with the same settings, and reports how often
// it is strictly above.
func TestSelectSharesWorkAcrossK(t *testing.T) {
	if testing.Short() {
		t.Skip("fits 6 data sets × 18 candidates twice per seed")
	}
	files := []string{"faithful_eruptions.csv", "faithful_waiting.csv", "galaxies.csv",
		"geyser_waiting.csv", "iris_petal_length.csv", "nile.csv"}
	// The search is by EM whatever the method, so EM alone tests the
	// starts; GMM_REALDATA=all adds Adam and more seeds.
	seeds, methods := []uint64{1, 2}, []Method{EM}
	if os.Getenv("GMM_REALDATA") == "all" {
		seeds, methods = []uint64{1, 2, 3, 4, 5, 6, 7, 8}, []Method{EM, Adam}
	}
	var better, same, total int
	for _, f := range files {
		x, err := readColumn(filepath.Join("testdata", "realdata", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, method := range methods {
			for _, seed := range seeds {
				fit := &Settings{Seed: seed, Method: method}
				sel, err := Select(x, &SelectSettings{Fit: fit})
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				for _, c := range sel.Candidates {
					m := &Model{K: c.K, SharedSigma: c.SharedSigma}
					_, ferr := m.Fit(x, fit)
					ll := math.NaN()
					if ferr == nil {
						ll, _ = m.LogLikelihood(x)
					}
					// Two runs that reach one optimum stop where a step
					// lowers the loss by at most Tol·(|L| + n) = 1e-10·(|L| + n);
					// EM converging as slowly as 1 − 1e-3 per step leaves a
					// gap up to 1e3 times that, so differences below
					// 1e-7·(|L| + n) are the same optimum.
					tol := 1e-7 * (math.Abs(ll) + float64(len(x)))
					total++
					switch {
					case c.Err != nil && ferr == nil:
						t.Errorf("%s %v seed %d: K = %d %s: Select failed (%v), Fit found %.6f", f, method, seed, c.K, c.Model(), c.Err, ll)
					case c.Err != nil:
						same++
					case ferr != nil || c.LogLikelihood > ll+tol:
						better++
						t.Logf("%s %v seed %d: K = %d %s: Select %.6f, Fit %.6f", f, method, seed, c.K, c.Model(), c.LogLikelihood, ll)
					case c.LogLikelihood < ll-tol:
						t.Errorf("%s %v seed %d: K = %d %s: Select %.6f below Fit %.6f", f, method, seed, c.K, c.Model(), c.LogLikelihood, ll)
					default:
						same++
					}
				}
			}
		}
	}
	t.Logf("%d candidates: %d strictly better than independent fits, %d the same", total, better, same)
}

// TestSplitAtKeepsMoments checks that the two halves of a split component
// have the weight, mean and variance of the component they replace, and
// that the others are unchanged.
func TestSplitAtKeepsMoments(t *testing.T) {
	m := &Model{K: 3, Weights: []float64{0.2, 0.5, 0.3}, Means: []float64{-4, 1, 7}, Sigmas: []float64{0.5, 2, 1}}
	for l := range m.K {
		s := splitAt(m, l)
		if s.K != m.K+1 {
			t.Fatalf("l = %d: K = %d, want %d", l, s.K, m.K+1)
		}
		a, b := l, m.K
		w := s.Weights[a] + s.Weights[b]
		mean := (s.Weights[a]*s.Means[a] + s.Weights[b]*s.Means[b]) / w
		v := (s.Weights[a]*(s.Sigmas[a]*s.Sigmas[a]+s.Means[a]*s.Means[a]) +
			s.Weights[b]*(s.Sigmas[b]*s.Sigmas[b]+s.Means[b]*s.Means[b])) / w
		v -= mean * mean
		// A few roundings of numbers of order 50 (μ² + σ²): 1e-12.
		const tol = 1e-12
		sd := m.Sigmas[l]
		if math.Abs(w-m.Weights[l]) > tol || math.Abs(mean-m.Means[l]) > tol || math.Abs(v-sd*sd) > tol*50 {
			t.Errorf("l = %d: halves have w %v mean %v var %v, want %v %v %v", l, w, mean, v, m.Weights[l], m.Means[l], sd*sd)
		}
		if s.Means[a] == s.Means[b] {
			t.Errorf("l = %d: the halves have one mean, %v", l, s.Means[a])
		}
		for k := range m.K {
			if k != l && (s.Weights[k] != m.Weights[k] || s.Means[k] != m.Means[k] || s.Sigmas[k] != m.Sigmas[k]) {
				t.Errorf("l = %d: component %d changed", l, k)
			}
		}
	}
	if m.K != 3 || m.Weights[0] != 0.2 || m.Sigmas[1] != 2 {
		t.Error("splitAt modified its argument")
	}
}
