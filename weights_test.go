package gmm_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
)

// replicate returns x with each point written w[i] times, for integer w.
func replicate(x, w []float64) []float64 {
	var out []float64
	for i, v := range x {
		for range int(w[i]) {
			out = append(out, v)
		}
	}
	return out
}

// TestWeightsMatchReplication fits points with integer weights 0 to 3 and
// the same points written that many times. From the same warm start the
// two runs are the same iteration on sums that differ by rounding only;
// from new starting points both converge on the same optimum.
func TestWeightsMatchReplication(t *testing.T) {
	x, _, err := mixture3.Sample(600, 4)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, len(x))
	for i := range w {
		w[i] = float64(i % 4)
	}
	rep := replicate(x, w)
	start := gmm.Model{K: 3, Weights: []float64{0.3, 0.4, 0.3}, Means: []float64{-1, 0, 4}, Sigmas: []float64{1, 1, 1}}
	for _, method := range []gmm.Method{gmm.EM, gmm.Adam} {
		for _, prior := range []gmm.Prior{{}, gmm.NotebookPrior()} {
			for _, warm := range []bool{true, false} {
				label := method.String() + " " + prior.String()
				if warm {
					label += " warm"
				}
				a, b := start, start
				a.Prior, b.Prior = prior, prior
				s := gmm.Settings{Method: method, Warm: warm, Tol: 1e-13, MaxSteps: 100000}
				if _, err := b.Fit(rep, &s); err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				s.Weights = w
				if _, err := a.Fit(x, &s); err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				// Warm, by Adam: the same steps on sums that differ by the
				// rounding of 900 terms summed in another order (≈ 900·ε
				// ≈ 2e-13 relative), which the iteration carries but does
				// not grow: 1e-9 leaves room for a run that stops one step
				// apart. Cold, and warm by EM: EM's accelerated steps
				// (Anderson mixing, and over-relaxation after a refused
				// mixed point) extrapolate, and so grow, differences of
				// rounding, and its test that keeps a mixed point, whose
				// loss must be no higher, can go either way on two nearly
				// equal losses, so the runs can part. Each run stops where a step
				// lowers the loss by at most Tol·(|L| + n) ≈ 1e-13·3000;
				// the loss is quadratic about the optimum, with curvature
				// about n/σ² ≈ 1e3 per parameter, so each parameter lies
				// within about √(2·3e-10/1e3) ≈ 1e-6 of it, for each run:
				// 1e-5 allows both.
				tol := 1e-9
				if !warm || method == gmm.EM {
					tol = 1e-5
				}
				for k := range 3 {
					for _, c := range []struct {
						name      string
						got, want float64
					}{{"weight", a.Weights[k], b.Weights[k]}, {"mean", a.Means[k], b.Means[k]}, {"sigma", a.Sigmas[k], b.Sigmas[k]}} {
						if d := math.Abs(c.got - c.want); !(d <= tol*max(1, math.Abs(c.want))) {
							t.Errorf("%s: %s %d = %.12g weighted, %.12g replicated (difference %.3g)", label, c.name, k, c.got, c.want, d)
						}
					}
				}
			}
		}
	}
}

// TestZeroWeightIsAbsence checks that points of weight 0 (and the others
// of weight 1) give the fit of the data without them, bit for bit.
func TestZeroWeightIsAbsence(t *testing.T) {
	x, _, err := mixture3.Sample(3000, 9)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, len(x))
	var kept []float64
	for i := range w {
		if i%5 != 0 {
			w[i] = 1
			kept = append(kept, x[i])
		}
	}
	for _, method := range []gmm.Method{gmm.EM, gmm.Adam} {
		a, b := &gmm.Model{K: 3}, &gmm.Model{K: 3}
		ra, err := a.Fit(x, &gmm.Settings{Method: method, Weights: w})
		if err != nil {
			t.Fatal(err)
		}
		rb, err := b.Fit(kept, &gmm.Settings{Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Weights, b.Weights) || !slices.Equal(a.Means, b.Means) || !slices.Equal(a.Sigmas, b.Sigmas) || !slices.Equal(ra.Loss, rb.Loss) {
			t.Errorf("%v: weight 0 gives %v, without the points %v", method, a, b)
		}
	}
}

// TestWeightsInSubsamples fits data large enough to be searched on a
// subsample and refined on larger ones: points in two clusters, the second
// given weight 3, against the same data with the second cluster written
// three times. Each subsample keeps its points' weights, so both fits find
// the weights 1/4 and 3/4.
func TestWeightsInSubsamples(t *testing.T) {
	two := gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 10}, Sigmas: []float64{1, 1}}
	x, z, err := two.Sample(400000, 3)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, len(x))
	for i := range w {
		w[i] = float64(1 + 2*z[i])
	}
	m := &gmm.Model{K: 2}
	if _, err := m.Fit(x, &gmm.Settings{Method: gmm.EM, Weights: w}); err != nil {
		t.Fatal(err)
	}
	// The clusters are 10 σ apart: only points near the midpoint, 5 σ from
	// both means, a share of about Φ(−5) ≈ 3e-7 of each cluster, split
	// their responsibilities, so the fitted weights are the clusters'
	// shares of the total weight to within 1e-6. A subsample that dropped
	// the weights would give the heavy cluster 1/2 instead of 3/4 at
	// every stage before the last.
	var heavy float64
	for _, v := range z {
		heavy += float64(v)
	}
	want := 3 * heavy / (3*heavy + float64(len(z)) - heavy)
	if math.Abs(m.Weights[1]-want) > 1e-6 {
		t.Errorf("weight of the heavy cluster = %v, want its share of the total weight %v", m.Weights[1], want)
	}
}

func TestWeightsErrors(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	for _, tt := range []struct {
		name string
		w    []float64
		want string
	}{
		{"length", []float64{1, 2}, "one weight per point"},
		{"negative", []float64{1, 1, -1, 1, 1, 1}, "non-negative"},
		{"NaN", []float64{1, 1, math.NaN(), 1, 1, 1}, "non-negative"},
		{"Inf", []float64{1, 1, math.Inf(1), 1, 1, 1}, "finite"},
		{"all zero", make([]float64, 6), "every weight is zero"},
		{"overflow", []float64{1e308, 1e308, 1, 1, 1, 1}, "divide them"},
	} {
		m := &gmm.Model{K: 2}
		w := slices.Clone(tt.w)
		_, err := m.Fit(x, &gmm.Settings{Weights: w})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
		if m.Weights != nil || !slices.Equal(w, tt.w) && !slices.ContainsFunc(tt.w, math.IsNaN) {
			t.Errorf("%s: the failed fit changed the model or the weights", tt.name)
		}
		if _, err := gmm.Select(x, &gmm.SelectSettings{Ks: []int{1, 2}, Fit: &gmm.Settings{Weights: w}}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Select %s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}

// TestSelectWeights checks that Select with integer weights chooses and
// scores as on the replicated data: the criteria sum the same terms.
func TestSelectWeights(t *testing.T) {
	x, _, err := mixtures[1].m.Sample(300, 5)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, len(x))
	for i := range w {
		w[i] = float64(1 + i%3)
	}
	a, err := gmm.Select(x, &gmm.SelectSettings{Ks: []int{1, 2, 3}, Fit: &gmm.Settings{Method: gmm.EM, Weights: w, Tol: 1e-13}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := gmm.Select(replicate(x, w), &gmm.SelectSettings{Ks: []int{1, 2, 3}, Fit: &gmm.Settings{Method: gmm.EM, Tol: 1e-13}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Best.K != b.Best.K || a.Best.SharedSigma != b.Best.SharedSigma {
		t.Errorf("weighted Select chose K = %d, replicated K = %d", a.Best.K, b.Best.K)
	}
	for i := range a.Candidates {
		ca, cb := a.Candidates[i], b.Candidates[i]
		// Both fits stop within about 1e-13·(|L| + n) ≈ 1e-10 of the
		// optimum's log-likelihood, and the criteria add exact terms:
		// 1e-6 absolute is far above both and far below any difference
		// between candidates.
		if (ca.Err == nil) != (cb.Err == nil) || ca.Err == nil && math.Abs(ca.BIC-cb.BIC) > 1e-6 {
			t.Errorf("candidate K = %d %s: BIC %v weighted, %v replicated (errors %v, %v)", ca.K, ca.Model(), ca.BIC, cb.BIC, ca.Err, cb.Err)
		}
	}
}

// TestFixedUnchanged fits with each combination of fixed parameters and
// checks that those are the model's bit for bit, and that the free ones
// are a fixed point of the M-step given them (so they were fitted).
func TestFixedUnchanged(t *testing.T) {
	x, _, err := mixture3.Sample(5000, 6)
	if err != nil {
		t.Fatal(err)
	}
	start := gmm.Model{K: 3, Weights: []float64{0.2, 0.5, 0.3}, Means: []float64{-2.3, 1.2, 4.4}, Sigmas: []float64{0.9, 0.8, 1.4}}
	for _, fix := range []gmm.Fixed{{Weights: true}, {Means: true}, {Sigmas: true}, {Weights: true, Sigmas: true}, {Means: true, Sigmas: true}} {
		for _, method := range []gmm.Method{gmm.EM, gmm.Adam} {
			for _, warm := range []bool{false, true} {
				m := start
				m.Weights, m.Means, m.Sigmas = slices.Clone(start.Weights), slices.Clone(start.Means), slices.Clone(start.Sigmas)
				if _, err := m.Fit(x, &gmm.Settings{Method: method, Fixed: fix, Warm: warm, Tol: 1e-13, MaxSteps: 200000}); err != nil {
					t.Fatalf("%+v %v: %v", fix, method, err)
				}
				for k := range 3 {
					if fix.Weights && math.Float64bits(m.Weights[k]) != math.Float64bits(start.Weights[k]) ||
						fix.Means && math.Float64bits(m.Means[k]) != math.Float64bits(start.Means[k]) ||
						fix.Sigmas && math.Float64bits(m.Sigmas[k]) != math.Float64bits(start.Sigmas[k]) {
						t.Errorf("%+v %v warm %v: component %d is %v %v %v, started at %v %v %v", fix, method, warm, k,
							m.Weights[k], m.Means[k], m.Sigmas[k], start.Weights[k], start.Means[k], start.Sigmas[k])
					}
				}
				// One more M-step, with the fixed parameters put back,
				// moves the free ones by no more than the fit's tolerance
				// allows: converged EM moves them by ~√(Tol) relative at
				// most, 3e-7; Adam stops on its Newton decrease, about as
				// close. 1e-4 is far below the distance from the start.
				st := &gmm.Stats{}
				if err := m.Accumulate(st, x, nil); err != nil {
					t.Fatal(err)
				}
				u := m
				u.Weights, u.Means, u.Sigmas = slices.Clone(m.Weights), slices.Clone(m.Means), slices.Clone(m.Sigmas)
				if err := u.Update(st); err != nil {
					t.Fatal(err)
				}
				for k := range 3 {
					if !fix.Weights && math.Abs(u.Weights[k]-m.Weights[k]) > 1e-4 ||
						!fix.Means && math.Abs(u.Means[k]-m.Means[k]) > 1e-4 && !fix.Sigmas ||
						!fix.Sigmas && !fix.Means && math.Abs(u.Sigmas[k]-m.Sigmas[k]) > 1e-4 {
						t.Errorf("%+v %v warm %v: component %d moves from %v %v %v to %v %v %v in one more step", fix, method, warm, k,
							m.Weights[k], m.Means[k], m.Sigmas[k], u.Weights[k], u.Means[k], u.Sigmas[k])
					}
				}
			}
		}
	}
}

func TestFixedAndWarmErrors(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7}
	for _, tt := range []struct {
		name string
		m    gmm.Model
		s    gmm.Settings
		want string
	}{
		{"fixed means missing", gmm.Model{K: 2}, gmm.Settings{Fixed: gmm.Fixed{Means: true}}, "set Model.Means"},
		{"fixed weights missing", gmm.Model{K: 2, Means: []float64{1, 2}}, gmm.Settings{Fixed: gmm.Fixed{Weights: true, Means: true}}, "set Model.Weights"},
		{"fixed sigmas missing", gmm.Model{K: 2}, gmm.Settings{Fixed: gmm.Fixed{Sigmas: true}}, "set Model.Sigmas"},
		{"fixed weights not summing to 1", gmm.Model{K: 2, Weights: []float64{0.5, 0.6}}, gmm.Settings{Fixed: gmm.Fixed{Weights: true}}, "sum to 1"},
		{"fixed sigma zero", gmm.Model{K: 2, Sigmas: []float64{1, 0}}, gmm.Settings{Fixed: gmm.Fixed{Sigmas: true}}, "positive"},
		{"warm unfitted", gmm.Model{K: 2}, gmm.Settings{Warm: true}, "warm start"},
	} {
		m := tt.m
		_, err := m.Fit(x, &tt.s)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
		if tt.s.Warm && !errors.Is(err, gmm.ErrNotFitted) {
			t.Errorf("%s: error %v does not wrap ErrNotFitted", tt.name, err)
		}
	}
}
