package gmm_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

// fitBoth fits x with each method and fails the test on an error or an
// invalid model.
func fitBoth(t *testing.T, label string, x []float64, k int, prior gmm.Prior) [2]*gmm.Model {
	t.Helper()
	var out [2]*gmm.Model
	for i, method := range methods {
		orig := slices.Clone(x)
		m := &gmm.Model{K: k, Prior: prior}
		res, err := m.Fit(x, &gmm.Settings{Method: method})
		if err != nil {
			t.Fatalf("%s, %v: %v", label, method, err)
		}
		if !res.Converged {
			t.Errorf("%s, %v: did not converge in %d steps", label, method, res.Steps)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("%s, %v: %v", label, method, err)
		}
		if !slices.Equal(x, orig) {
			t.Errorf("%s, %v: Fit changed the data", label, method)
		}
		out[i] = m
	}
	return out
}

func TestFitDegenerateData(t *testing.T) {
	nb := gmm.NotebookPrior()
	t.Run("constant data with the notebook prior", func(t *testing.T) {
		for _, m := range fitBoth(t, "K=1", []float64{3, 3, 3}, 1, nb) {
			// With n = 3 points at 3 the MAP has μ = 3·(1 − ε) with
			// ε = σ²/(σ² + n·s0²) ≈ 1.3e-4, and σ the root of
			// (a0+1+n)σ² − b0σ − S = 0 with S = n(3 − μ)² ≈ 5e-7, so
			// σ = b0/(a0+1+n) = 0.2 to within about S/b0 ≈ 5e-7 (5e-5
			// leaves room for the stopping tolerance).
			if math.Abs(m.Sigmas[0]-0.2) > 5e-5 || math.Abs(m.Means[0]-3) > 1e-3 {
				t.Errorf("μ = %v, σ = %v; want 3 and 0.2", m.Means[0], m.Sigmas[0])
			}
		}
	})
	t.Run("constant data with a default prior", func(t *testing.T) {
		x := []float64{1e12, 1e12, 1e12, 1e12}
		for _, m := range fitBoth(t, "K=2", x, 2, gmm.DefaultPrior(x)) {
			// The component that holds the data sits on them: its mean is
			// pulled by the prior centred on the data, so exactly there.
			k := slices.Index(m.Weights, slices.Max(m.Weights))
			if m.Means[k] != 1e12 {
				t.Errorf("mean %v, want 1e12", m.Means[k])
			}
		}
	})
	t.Run("a single point", func(t *testing.T) {
		x := []float64{4}
		for _, m := range fitBoth(t, "K=3", x, 3, nb) {
			// One point needs one component; with α = 1 the others get
			// weight 0 and sit at the prior's mode, μ0 = 0 and
			// σ = b0/(a0+1) = 0.5, which beats the symmetric stationary
			// point with all three on the point. The tolerance is the
			// rounding of standardising the data (a few ulps).
			if m.Weights[2] != 1 || math.Abs(m.Means[2]-4) > 0.01 {
				t.Errorf("weights %v, means %v; want one component on the point", m.Weights, m.Means)
			}
			for k := range 2 {
				if m.Weights[k] != 0 || math.Abs(m.Means[k]) > 1e-12 || math.Abs(m.Sigmas[k]-0.5) > 1e-12 {
					t.Errorf("component %d: weight %v, mean %v, σ %v; want 0, 0 and 0.5", k, m.Weights[k], m.Means[k], m.Sigmas[k])
				}
			}
			sym := &gmm.Model{K: 3, Prior: nb, Weights: []float64{1. / 3, 1. / 3, 1. / 3},
				Means: []float64{4, 4, 4}, Sigmas: slices.Repeat([]float64{m.Sigmas[2]}, 3)}
			lj, err := m.LogJoint(x)
			if err != nil {
				t.Fatal(err)
			}
			ls, err := sym.LogJoint(x)
			if err != nil {
				t.Fatal(err)
			}
			if !(lj > ls) {
				t.Errorf("log joint %v, not above the symmetric point's %v", lj, ls)
			}
		}
	})
	t.Run("two points, K=2, no prior", func(t *testing.T) {
		for _, method := range methods {
			// Each component can only sit on a point with σ at the floor:
			// a spurious maximum of the likelihood, so every run is
			// disqualified and Fit says so.
			m := &gmm.Model{K: 2}
			_, err := m.Fit([]float64{1, 2}, &gmm.Settings{Method: method})
			if err == nil || !strings.Contains(err.Error(), "collapses onto fewer than 2 distinct values") ||
				!strings.Contains(err.Error(), "prior") || m.Weights != nil {
				t.Errorf("%v: err %v, weights %v; want an error advising a prior, and m unchanged", method, err, m.Weights)
			}
		}
	})
	t.Run("many duplicates", func(t *testing.T) {
		x := make([]float64, 1000)
		for i := range x {
			x[i] = 5
			if i >= 900 {
				x[i] = float64(i-900) / 10
			}
		}
		em := fitBoth(t, "K=2", x, 2, gmm.DefaultPrior(x))[1]
		// 900 equal values are a point mass: the MAP puts a component on
		// it with σ far below the data's spread of 1.3 and weight 0.9 or
		// more (the other 100 points spread over [0, 10) add their share).
		k := slices.Index(em.Weights, slices.Max(em.Weights))
		if em.Means[k] != 5 && math.Abs(em.Means[k]-5) > 1e-9 || em.Sigmas[k] > 1e-3 || em.Weights[k] < 0.9 {
			t.Errorf("EM: weights %v, means %v, sigmas %v; want a spike at 5", em.Weights, em.Means, em.Sigmas)
		}
	})
	t.Run("more components than points", func(t *testing.T) {
		x := []float64{1, 2, 3}
		em := fitBoth(t, "K=5", x, 5, nb)[1]
		// The components the data do not need are left to the prior: zero
		// weight (the Dirichlet's α = 1 puts no mass on them), the prior's
		// mean μ0 = 0 and the prior's mode of σ, b0/(a0+1) = 0.5. The
		// mean is the prior's up to the rounding of standardising the data
		// (a few ulps of the data's scale).
		empty := 0
		for k := range 5 {
			if em.Weights[k] == 0 {
				empty++
				if math.Abs(em.Means[k]) > 1e-12 || math.Abs(em.Sigmas[k]-0.5) > 1e-12 {
					t.Errorf("empty component %d: mean %v, sigma %v; want 0 and 0.5", k, em.Means[k], em.Sigmas[k])
				}
			}
		}
		if empty == 0 {
			t.Errorf("no component was left empty: weights %v", em.Weights)
		}
	})
}

// TestFitEquivariant fits the iris petal lengths and affine maps of them,
// each with its own default prior, and checks that the clusters are the
// same and the parameters map accordingly.
func TestFitEquivariant(t *testing.T) {
	x := iris.PetalLength()
	tests := []struct {
		name string
		a, b float64
		tol  float64 // on the parameters mapped back to x's units
	}{
		// Both fits stop within about 1e-10·(|L|+n) of the optimum,
		// which leaves about 1e-4 in the parameters (see TestEMAndAdamAgree).
		{"millimetres", 10, 0, 1e-4},
		{"an offset of 1e9", 1, 1e9, 1e-4},
		// Near 1e12 float64 values are 1.2e-4 apart, so the data themselves
		// move by up to 6e-5 when shifted; the fitted parameters by as much.
		{"an offset of 1e12", 1, 1e12, 2e-4},
		{"a spread of 1e-9", 1e-9, 0, 1e-4},
		{"a spread of 1e-9 offset by 1", 1e-9, 1, 1e-4},
		{"km/s around 20,000, reversed", -1000, 20000, 1e-4},
	}
	ref := fitBoth(t, "iris", x, 2, gmm.DefaultPrior(x))
	for _, tt := range tests {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = tt.a*v + tt.b
		}
		fits := fitBoth(t, tt.name, y, 2, gmm.DefaultPrior(y))
		for i, m := range fits {
			r := ref[i]
			zr, zm := r.Assign(x), m.Assign(y)
			for k := range 2 {
				j := k
				if tt.a < 0 {
					j = 1 - k // a negative a reverses the order of the means
				}
				mu := (m.Means[j] - tt.b) / tt.a
				s := m.Sigmas[j] / math.Abs(tt.a)
				if math.Abs(m.Weights[j]-r.Weights[k]) > tt.tol || math.Abs(mu-r.Means[k]) > tt.tol || math.Abs(s-r.Sigmas[k]) > tt.tol {
					t.Errorf("%s, %v: component %d maps back to %v %v %v, want %v %v %v", tt.name, methods[i], j,
						m.Weights[j], mu, s, r.Weights[k], r.Means[k], r.Sigmas[k])
				}
			}
			for n := range zr {
				want := zr[n]
				if tt.a < 0 {
					want = 1 - want
				}
				if zm[n] != want {
					t.Errorf("%s, %v: point %d is in cluster %d, want %d", tt.name, methods[i], n, zm[n], want)
				}
			}
		}
	}
}

// TestFitLargeUnits fits velocities in km/s, sampled from a known mixture
// around 20,000, with the default prior.
func TestFitLargeUnits(t *testing.T) {
	truth := gmm.Model{K: 3, Weights: []float64{0.2, 0.5, 0.3}, Means: []float64{9700, 19800, 22900}, Sigmas: []float64{400, 900, 600}}
	const n = 2000
	x, _, err := truth.Sample(n, 21)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range fitBoth(t, "km/s", x, 3, gmm.DefaultPrior(x)) {
		for k := range 3 {
			// Five standard errors of a mean estimated from n·w_k points.
			se := truth.Sigmas[k] / math.Sqrt(n*truth.Weights[k])
			if math.Abs(m.Means[k]-truth.Means[k]) > 5*se {
				t.Errorf("mean %d = %v, true %v", k, m.Means[k], truth.Means[k])
			}
		}
	}
}

// TestNoPanics calls every exported method of Model on models that are
// broken in every way the fields allow, and on awkward inputs.
func TestNoPanics(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	models := []struct {
		name string
		m    gmm.Model
	}{
		{"zero model", gmm.Model{}},
		{"unfitted", gmm.Model{K: 2, Prior: gmm.NotebookPrior()}},
		{"short weights", gmm.Model{K: 2, Weights: []float64{1}, Means: []float64{0, 1}, Sigmas: []float64{1, 1}}},
		{"NaN weight", gmm.Model{K: 2, Weights: []float64{nan, 1}, Means: []float64{0, 1}, Sigmas: []float64{1, 1}}},
		{"negative weight", gmm.Model{K: 2, Weights: []float64{-0.5, 1.5}, Means: []float64{0, 1}, Sigmas: []float64{1, 1}}},
		{"weights not summing to 1", gmm.Model{K: 2, Weights: []float64{0.5, 0.6}, Means: []float64{0, 1}, Sigmas: []float64{1, 1}}},
		{"infinite mean", gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{inf}, Sigmas: []float64{1}}},
		{"zero sigma", gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{0}}},
		{"bad prior", gmm.Model{K: 1, Prior: gmm.Prior{Concentration: -1}, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{1}}},
	}
	inputs := [][]float64{nil, {}, {nan}, {inf, -inf}, {1, 2, 3}}
	for _, tt := range models {
		m := tt.m
		if err := m.Validate(); err == nil {
			t.Errorf("%s: Validate accepted it", tt.name)
		}
		for _, x := range inputs {
			if z := m.Assign(x); z != nil {
				t.Errorf("%s: Assign returned %v, want nil", tt.name, z)
			}
			if z := m.AssignTo(make([]int, len(x)), x); z != nil {
				t.Errorf("%s: AssignTo returned %v, want nil", tt.name, z)
			}
			if r := m.Responsibilities(x); r != nil {
				t.Errorf("%s: Responsibilities returned %v, want nil", tt.name, r)
			}
			if z := m.SampleLabels(x, 1); z != nil {
				t.Errorf("%s: SampleLabels returned %v, want nil", tt.name, z)
			}
			if _, err := m.LogJoint(x); err == nil {
				t.Errorf("%s: LogJoint gave no error", tt.name)
			}
			if _, err := m.LogLikelihood(x); err == nil {
				t.Errorf("%s: LogLikelihood gave no error", tt.name)
			}
		}
		if v := m.LogDensity(1); !math.IsNaN(v) {
			t.Errorf("%s: LogDensity = %v, want NaN", tt.name, v)
		}
		if _, _, err := m.Sample(3, 1); err == nil {
			t.Errorf("%s: Sample gave no error", tt.name)
		}
	}

	// Far out, where every density underflows, the nearer mean wins.
	good := gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 1e300}, Sigmas: []float64{1, 1}}
	x := []float64{0, nan, inf, -inf, 1e308, -1e308, 5}
	if z := good.Assign(x); !slices.Equal(z, []int{0, -1, -1, -1, 1, 0, 0}) {
		t.Errorf("Assign of awkward values = %v", z)
	}
	if z := good.AssignTo(make([]int, 2), x); z != nil {
		t.Errorf("AssignTo with a short dst returned %v, want nil", z)
	}
	for i, r := range good.Responsibilities(x) {
		finite := !math.IsNaN(x[i]) && !math.IsInf(x[i], 0)
		if s := r[0] + r[1]; finite && math.Abs(s-1) > 1e-15 {
			t.Errorf("responsibilities of %v sum to %v", x[i], s)
		} else if !finite && !math.IsNaN(s) {
			t.Errorf("responsibilities of %v = %v, want NaN", x[i], r)
		}
	}
	tiny := gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 1}, Sigmas: []float64{5e-324, 5e-324}}
	if r := tiny.Responsibilities([]float64{0.7}); r[0][0] != 0 || r[0][1] != 1 {
		t.Errorf("responsibilities where every density underflows = %v, want [0 1]", r[0])
	}
	if v := good.LogDensity(inf); !math.IsInf(v, -1) {
		t.Errorf("LogDensity(+Inf) = %v, want -Inf", v)
	}
	if v := good.LogDensity(1e308); math.IsNaN(v) || v > 0 {
		t.Errorf("LogDensity(1e308) = %v, want a finite or -Inf value", v)
	}
	if _, _, err := good.Sample(-1, 1); err == nil {
		t.Errorf("Sample(-1) gave no error")
	}
	for _, x := range [][]float64{nil, {}, {nan, inf}, {5}, {1e308, -1e308}} {
		if err := gmm.DefaultPrior(x).Validate(); err != nil {
			t.Errorf("DefaultPrior(%v) is invalid: %v", x, err)
		}
	}
	if _, err := (&gmm.Model{K: 2, Prior: gmm.DefaultPrior(nil)}).Fit([]float64{1.7e308, -1.7e308}, nil); err == nil {
		t.Errorf("Fit of data spanning more than the float64 range gave no error")
	}
}

func TestDefaultPrior(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		x    []float64
		want gmm.Prior
	}{
		// Midrange 2, range 2, population sd sqrt(2/3).
		{"small", []float64{1, 2, 3}, gmm.Prior{Concentration: 1, MeanLoc: 2, MeanScale: 2, SigmaShape: 1, SigmaScale: math.Sqrt(2.0/3) / 10}},
		{"non-finite values ignored", []float64{1, nan, 2, math.Inf(1), 3}, gmm.Prior{Concentration: 1, MeanLoc: 2, MeanScale: 2, SigmaShape: 1, SigmaScale: math.Sqrt(2.0/3) / 10}},
		{"near 1e200", []float64{1e200, 2e200, 3e200}, gmm.Prior{Concentration: 1, MeanLoc: 2e200, MeanScale: 2e200, SigmaShape: 1, SigmaScale: math.Sqrt(2.0/3) * 1e199}},
		{"near 1e-170", []float64{1e-170, 2e-170, 3e-170}, gmm.Prior{Concentration: 1, MeanLoc: 2e-170, MeanScale: 2e-170, SigmaShape: 1, SigmaScale: math.Sqrt(2.0/3) * 1e-171}},
		{"constant", []float64{5, 5}, gmm.Prior{Concentration: 1, MeanLoc: 5, MeanScale: 1, SigmaShape: 1, SigmaScale: 0.1}},
		{"empty", nil, gmm.Prior{Concentration: 1, MeanLoc: 0, MeanScale: 1, SigmaShape: 1, SigmaScale: 0.1}},
	}
	for _, tt := range tests {
		got := gmm.DefaultPrior(tt.x)
		g := []float64{got.Concentration, got.MeanLoc, got.MeanScale, got.SigmaShape, got.SigmaScale}
		w := []float64{tt.want.Concentration, tt.want.MeanLoc, tt.want.MeanScale, tt.want.SigmaShape, tt.want.SigmaScale}
		for i := range g {
			// A handful of roundings in the mean and the sum of squares.
			if math.Abs(g[i]-w[i]) > 1e-14*math.Abs(w[i]) {
				t.Errorf("%s: DefaultPrior = %+v, want %+v", tt.name, got, tt.want)
				break
			}
		}
		if err := got.Validate(); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// TestFitWithOutliers fits three components plus two far outliers with K =
// 4 and no prior: the fourth component takes the outliers and the other
// three recover the mixture, whose σ must not be held up by a floor set from
// the outliers' spread.
func TestFitWithOutliers(t *testing.T) {
	const n = 20000
	truth := mixtures[2].m
	x, _, _ := truth.Sample(n, 4)
	x = append(x, 1e6, -3e5)
	m := &gmm.Model{K: 4}
	res, err := m.Fit(x, &gmm.Settings{Method: gmm.EM})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Errorf("did not converge")
	}
	// The components come in order of mean; the outliers' mean lies
	// between theirs, far above the others.
	for k := range 3 {
		nk := n * truth.Weights[k]
		s := truth.Sigmas[k]
		// Five standard errors, as in TestFitRecoversKnownMixtures.
		if math.Abs(m.Means[k]-truth.Means[k]) > 5*s/math.Sqrt(nk) || math.Abs(m.Sigmas[k]-s) > 5*s/math.Sqrt(2*nk) {
			t.Errorf("component %d: mean %v sigma %v, true %v %v", k, m.Means[k], m.Sigmas[k], truth.Means[k], s)
		}
	}
	if m.Means[3] < 1e5 {
		t.Errorf("the fourth component, mean %v, does not hold the outliers", m.Means[3])
	}
}
