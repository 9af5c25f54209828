package gmm_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

// TestErrNotFitted checks the one rule for models that are not fitted:
// methods with an error return one wrapping ErrNotFitted, the others
// their empty value, and none panics.
func TestErrNotFitted(t *testing.T) {
	x := []float64{1, 2, math.NaN()}
	for _, tc := range []struct {
		name string
		m    *gmm.Model
	}{
		{"zero", &gmm.Model{}},
		{"K only", &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}},
		{"NaN weight", &gmm.Model{K: 1, Weights: []float64{math.NaN()}, Means: []float64{0}, Sigmas: []float64{1}}},
		{"weights not summing to 1", &gmm.Model{K: 1, Weights: []float64{0.5}, Means: []float64{0}, Sigmas: []float64{1}}},
		{"bad prior", &gmm.Model{K: 1, Prior: gmm.Prior{Concentration: -1}, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			_, e1 := m.LogLikelihood(x[:2])
			_, e2 := m.LogJoint(x[:2])
			_, _, e3 := m.Sample(3, 1)
			_, e4 := json.Marshal(m)
			for i, err := range []error{m.Validate(), e1, e2, e3, e4} {
				if !errors.Is(err, gmm.ErrNotFitted) {
					t.Errorf("error %d is %v, not ErrNotFitted", i, err)
				}
			}
			dst, rdst := []int{7, 7, 7}, []float64{7}
			if m.Assign(x) != nil || m.AssignTo(dst, x) != nil || m.Responsibilities(x) != nil ||
				m.ResponsibilitiesTo(rdst, x[:1]) != nil || m.SampleLabels(x, 1) != nil {
				t.Error("a slice method returned a result")
			}
			if !slices.Equal(dst, []int{7, 7, 7}) || rdst[0] != 7 {
				t.Errorf("dst changed to %v, %v", dst, rdst)
			}
			if !math.IsNaN(m.LogDensity(1)) || !math.IsNaN(m.Density(1)) {
				t.Error("a density is not NaN")
			}
		})
	}
	// A fitted model's errors for bad data are not ErrNotFitted.
	m := &gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{1}}
	if _, err := m.LogLikelihood(nil); err == nil || errors.Is(err, gmm.ErrNotFitted) {
		t.Errorf("empty data: %v", err)
	}
}

func TestResponsibilitiesTo(t *testing.T) {
	x := append(iris.PetalLength(), math.NaN(), math.Inf(1), -40, 1e300)
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	if _, err := m.Fit(x[:150], nil); err != nil {
		t.Fatal(err)
	}
	r := m.Responsibilities(x)
	dst := make([]float64, len(x)*2)
	if got := m.ResponsibilitiesTo(dst, x); &got[0] != &dst[0] {
		t.Fatal("ResponsibilitiesTo did not return dst")
	}
	for i := range x {
		for k := range 2 {
			a, b := r[i][k], dst[i*2+k]
			if math.Float64bits(a) != math.Float64bits(b) {
				t.Fatalf("r[%d][%d] = %v, flat %v", i, k, a, b)
			}
		}
	}
	if !math.IsNaN(dst[150*2]) || !math.IsNaN(dst[151*2+1]) {
		t.Errorf("NaN and Inf rows: %v", dst[300:304])
	}
	short := make([]float64, len(x)*2-1)
	if m.ResponsibilitiesTo(short, x) != nil || slices.ContainsFunc(short, func(v float64) bool { return v != 0 }) {
		t.Error("a buffer of the wrong length was used")
	}
	// AssignTo labels NaN and Inf −1, as its documentation says; far
	// out, at −40, the wider component (σ 0.82 against 0.18) dominates.
	if z := m.AssignTo(make([]int, len(x)), x); z[150] != -1 || z[151] != -1 || z[152] != 1 {
		t.Errorf("labels of NaN, Inf, −40: %v", z[150:153])
	}
}

func TestZeroPosterior(t *testing.T) {
	var p gmm.Posterior
	if p.K() != 0 {
		t.Errorf("K = %d", p.K())
	}
	empty := func(q gmm.Params) bool { return len(q.Weights)+len(q.Means)+len(q.Sigmas) == 0 }
	q, err := p.Quantile(0.5)
	lo, hi, err2 := p.Interval(0.9)
	if !empty(p.Mean()) || !empty(p.SD()) || !empty(p.RHat()) || !empty(p.ESS()) ||
		!empty(q) || !empty(lo) || !empty(hi) || err != nil || err2 != nil {
		t.Error("summaries of no draws are not empty")
	}
	if p.Responsibilities([]float64{1}) != nil {
		t.Error("Responsibilities of no draws")
	}
	if _, _, _, err := p.Predictive([]float64{1}, 0.9); !errors.Is(err, gmm.ErrNotFitted) {
		t.Errorf("Predictive: %v", err)
	}
	if _, err := json.Marshal(&p); !errors.Is(err, gmm.ErrNotFitted) {
		t.Errorf("Marshal: %v", err)
	}
}

func TestJSONVocabulary(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"notebook prior", gmm.NotebookPrior(), `{"concentration":1,"mean_loc":0,"mean_scale":10,"sigma_shape":1,"sigma_scale":1,"on_variance":false}`},
		{"zero prior", gmm.Prior{}, `null`},
		{"adam", gmm.Adam, `"adam"`},
		{"em", gmm.EM, `"em"`},
		{"gibbs", gmm.Gibbs, `"gibbs"`},
		{"vb", gmm.VB, `"vb"`},
		{"params with NaN", gmm.Params{Weights: []float64{1}, Means: []float64{math.NaN()}, Sigmas: []float64{2}}, `{"weights":[1],"means":[null],"sigmas":[2]}`},
		{"result", gmm.Result{Method: gmm.EM, Loss: []float64{3, 2}, Converged: true, Steps: 2, Restarts: 1},
			`{"method":"em","loss":[3,2],"converged":true,"steps":2,"restarts":1,"best":0,"warnings":[]}`},
	} {
		b, err := json.Marshal(tc.v)
		if err != nil || string(b) != tc.want {
			t.Errorf("%s: %s, %v; want %s", tc.name, b, err, tc.want)
		}
	}
	// The prior reads back; misspelt keys and bad names are errors.
	var p gmm.Prior
	if err := json.Unmarshal([]byte(`{"concentration":2,"mean_loc":1,"mean_scale":3,"sigma_shape":1,"sigma_scale":0.5,"on_variance":true}`), &p); err != nil ||
		p != (gmm.Prior{Concentration: 2, MeanLoc: 1, MeanScale: 3, SigmaShape: 1, SigmaScale: 0.5, OnVariance: true}) {
		t.Errorf("prior read back as %+v, %v", p, err)
	}
	for _, bad := range []string{`{"Concentration":1}`, `{"concentration":-1,"mean_loc":0,"mean_scale":10,"sigma_shape":1,"sigma_scale":1,"on_variance":false}`} {
		if err := json.Unmarshal([]byte(bad), &p); err == nil {
			t.Errorf("%s read as %+v", bad, p)
		}
	}
	var m gmm.Method
	if err := json.Unmarshal([]byte(`"em"`), &m); err != nil || m != gmm.EM {
		t.Errorf("method %v, %v", m, err)
	}
	if err := json.Unmarshal([]byte(`"EM"`), &m); err == nil || !strings.Contains(err.Error(), `"adam" or "em"`) {
		t.Errorf("EM: %v", err)
	}
	if _, err := json.Marshal(gmm.Method(7)); err == nil {
		t.Error("Method(7) marshalled")
	}
}

func TestPosteriorJSON(t *testing.T) {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	for _, method := range []gmm.Inference{gmm.Gibbs, gmm.VB} {
		p, err := m.Posterior(x, &gmm.PosteriorSettings{Method: method, Chains: 2, Draws: 20, Warmup: 20})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(b, &keys); err != nil {
			t.Fatal(err)
		}
		if string(keys["method"]) != `"`+method.String()+`"` || !strings.Contains(string(keys["prior"]), `"mean_scale":10`) ||
			!strings.HasPrefix(string(keys["rhat"]), `{"weights":[`) || !strings.HasPrefix(string(keys["ess"]), `{"weights":[`) {
			t.Errorf("%v: %s", method, b)
		}
		var back gmm.Posterior
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.RHat(), p.RHat()) || !reflect.DeepEqual(back.ESS(), p.ESS()) ||
			!reflect.DeepEqual(back.Means, p.Means) || back.Method != p.Method || back.Prior != p.Prior ||
			!reflect.DeepEqual(back.Warnings, p.Warnings) || !reflect.DeepEqual(back.ELBO, p.ELBO) {
			t.Errorf("%v: read back differs", method)
		}
	}
	var back gmm.Posterior
	if err := json.Unmarshal([]byte(`{"method":"gibbs","prior":null,"chains":2,"draws":1,"weights":[[1]],"means":[[0]],"sigmas":[[1]],"elbo":null,"rhat":{},"ess":{},"warnings":[]}`), &back); err == nil {
		t.Error("two chains of one draw read from one draw")
	}
}

// TestPosteriorKTooLarge fits three components to two clear clusters:
// the warnings must say that K may be too large, and with K = 2, as they
// advise, there must be none.
func TestPosteriorKTooLarge(t *testing.T) {
	gen := &gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 10}, Sigmas: []float64{1, 1}}
	x, _, err := gen.Sample(200, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		k    int
		s    gmm.PosteriorSettings
		warn bool
	}{
		{"K = 3, Gibbs", 3, gmm.PosteriorSettings{}, true},
		{"K = 3, VB", 3, gmm.PosteriorSettings{Method: gmm.VB}, true},
		{"K = 2, Gibbs", 2, gmm.PosteriorSettings{}, false},
		{"K = 2, VB", 2, gmm.PosteriorSettings{Method: gmm.VB}, false},
	} {
		m := &gmm.Model{K: tc.k, Prior: gmm.DefaultPrior(x)}
		p, err := m.Posterior(x, &tc.s)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(p.Warnings, "\n")
		if tc.warn != strings.Contains(all, "K = 3 may be more components than the data need; try a smaller K") {
			t.Errorf("%s: warnings\n%s", tc.name, all)
		}
		if !tc.warn && len(p.Warnings) > 0 {
			t.Errorf("%s: warnings with the advised K:\n%s", tc.name, all)
		}
		// Where K is the cause, no warning tells the user to run longer.
		if tc.warn && (strings.Contains(all, "longer") || strings.Contains(all, "more Draws")) {
			t.Errorf("%s: advice to run longer:\n%s", tc.name, all)
		}
	}
}

// TestPosteriorJSONByValue checks that a Posterior marshals the same by
// value as through a pointer.
func TestPosteriorJSONByValue(t *testing.T) {
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	p, err := m.Posterior(iris.PetalLength(), &gmm.PosteriorSettings{Method: gmm.VB, Chains: 1, Draws: 10})
	if err != nil {
		t.Fatal(err)
	}
	a, err1 := json.Marshal(p)
	b, err2 := json.Marshal(*p)
	if err1 != nil || err2 != nil || string(a) != string(b) {
		t.Errorf("by pointer %v, by value %v: differ", err1, err2)
	}
}
