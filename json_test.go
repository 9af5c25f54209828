package gmm_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

// grid returns n evenly spaced points on [lo, hi].
func grid(lo, hi float64, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return x
}

// checkRoundTrip marshals m, reads it back, and checks that the copy is
// equal to m and assigns the points x exactly as m does.
func checkRoundTrip(t *testing.T, m *gmm.Model, x []float64) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var back gmm.Model
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal(%s): %v", b, err)
	}
	if !reflect.DeepEqual(&back, m) {
		t.Fatalf("read back %+v, wrote %+v", back, *m)
	}
	if a, b := back.Assign(x), m.Assign(x); !slices.Equal(a, b) {
		t.Errorf("model read back assigns %v, the one written %v", a, b)
	}
	// Equal models compute the same, and for finite x never NaN, even
	// where every component's density underflows.
	ra, rb := back.Responsibilities(x), m.Responsibilities(x)
	for i := range ra {
		if !slices.Equal(ra[i], rb[i]) || slices.ContainsFunc(ra[i], math.IsNaN) {
			t.Fatalf("x = %v: responsibilities read back %v, written %v", x[i], ra[i], rb[i])
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	x := iris.PetalLength()
	probe := append(grid(-2, 10, 601), x...)
	for _, tc := range []struct {
		name   string
		prior  gmm.Prior
		k      int
		method gmm.Method
	}{
		{"notebook prior, K=2", gmm.NotebookPrior(), 2, gmm.Adam},
		{"no prior, K=3", gmm.Prior{}, 3, gmm.EM},
		{"default prior, K=1", gmm.DefaultPrior(x), 1, gmm.EM},
		{"prior on the variance, K=2", gmm.Prior{Concentration: 2, MeanLoc: 3, MeanScale: 5, SigmaShape: 2, SigmaScale: 0.5, OnVariance: true}, 2, gmm.EM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &gmm.Model{K: tc.k, Prior: tc.prior}
			if _, err := m.Fit(x, &gmm.Settings{Method: tc.method}); err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, m, probe)
		})
	}
	// A zero Prior with OnVariance set has no effect on the fit, but it
	// reads back as itself.
	m := &gmm.Model{K: 1, Prior: gmm.Prior{OnVariance: true}, Weights: []float64{1}, Means: []float64{math.Copysign(0, -1)}, Sigmas: []float64{math.SmallestNonzeroFloat64}}
	checkRoundTrip(t, m, probe)
}

func TestMarshalJSONInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    gmm.Model
		want string
	}{
		{"not fitted", gmm.Model{K: 2, Prior: gmm.NotebookPrior()}, "fit it first"},
		{"NaN mean", gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{math.NaN()}, Sigmas: []float64{1}}, "mean 0 is NaN"},
		{"bad prior", gmm.Model{K: 1, Prior: gmm.Prior{Concentration: 1}, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{1}}, "MeanScale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := json.Marshal(tc.m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Marshal: error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestUnmarshalJSON(t *testing.T) {
	const nb = `"prior": {"concentration": 1, "mean_loc": 0, "mean_scale": 10, "sigma_shape": 1, "sigma_scale": 1, "on_variance": false}`
	for _, tc := range []struct {
		name string
		in   string
		want string // a part of the error; empty for success
	}{
		{"notebook", `{"k": 2, "weights": [0.25, 0.75], "means": [1, 5], "sigmas": [0.2, 0.8], ` + nb + `}`, ""},
		{"no prior", `{"k": 1, "weights": [1], "means": [1], "sigmas": [1], "prior": null}`, ""},
		{"fit summary ignored", `{"k": 1, "weights": [1], "means": [1], "sigmas": [1], "prior": null, "loss": 3.5, "converged": true}`, ""},
		{"not an object", `[1, 2]`, "cannot unmarshal array"},
		{"null", `null`, "got null"},
		{"not JSON", `{"k": 1,`, "unexpected end"},
		{"missing prior", `{"k": 1, "weights": [1], "means": [1], "sigmas": [1]}`, `"prior" is missing; write "prior": null`},
		{"missing sigmas", `{"k": 1, "weights": [1], "means": [1], "prior": null}`, `"sigmas" is missing`},
		{"k null", `{"k": null, "weights": [1], "means": [1], "sigmas": [1], "prior": null}`, "k is null"},
		{"k not an integer", `{"k": 1.5, "weights": [1], "means": [1], "sigmas": [1], "prior": null}`, "k:"},
		{"k zero", `{"k": 0, "weights": [], "means": [], "sigmas": [], "prior": null}`, "K is 0"},
		{"k negative", `{"k": -1, "weights": [], "means": [], "sigmas": [], "prior": null}`, "k is -1"},
		{"short weights", `{"k": 2, "weights": [1], "means": [1, 2], "sigmas": [1, 1], "prior": null}`, "1 weights, 2 means and 2 sigmas"},
		{"weights null", `{"k": 1, "weights": null, "means": [1], "sigmas": [1], "prior": null}`, "weights: null"},
		{"null weight", `{"k": 2, "weights": [null, 1], "means": [1, 2], "sigmas": [1, 1], "prior": null}`, "element 0 is null"},
		{"string weight", `{"k": 1, "weights": ["1"], "means": [1], "sigmas": [1], "prior": null}`, "weights:"},
		{"weights do not sum to 1", `{"k": 2, "weights": [0.5, 0.6], "means": [1, 2], "sigmas": [1, 1], "prior": null}`, "sum to 1.1"},
		{"negative weight", `{"k": 2, "weights": [-0.5, 1.5], "means": [1, 2], "sigmas": [1, 1], "prior": null}`, "weight 0 is -0.5"},
		{"zero sigma", `{"k": 1, "weights": [1], "means": [1], "sigmas": [0], "prior": null}`, "sigma 0 is 0"},
		{"negative sigma", `{"k": 1, "weights": [1], "means": [1], "sigmas": [-1], "prior": null}`, "sigma 0 is -1"},
		{"overflowing mean", `{"k": 1, "weights": [1], "means": [1e999], "sigmas": [1], "prior": null}`, "means:"},
		{"misspelt prior key", `{"k": 1, "weights": [1], "means": [1], "sigmas": [1], "prior": {"concentration": 1, "mean_loc": 0, "mean_scale": 10, "sigma_shape": 1, "sigma_scale": 1, "on_varience": true}}`, `"on_variance" is missing`},
		{"extra prior key", `{"k": 1, "weights": [1], "means": [1], "sigmas": [1], "prior": {"concentration": 1, "mean_loc": 0, "mean_scale": 10, "sigma_shape": 1, "sigma_scale": 1, "on_variance": true, "df": 3}}`, `unknown key "df"`},
		{"null prior value", `{"k": 1, "weights": [1], "means": [1], "sigmas": [1], "prior": {"concentration": 1, "mean_loc": null, "mean_scale": 10, "sigma_shape": 1, "sigma_scale": 1, "on_variance": true}}`, "null value"},
		{"invalid prior", `{"k": 1, "weights": [1], "means": [1], "sigmas": [1], "prior": {"concentration": 1, "mean_loc": 0, "mean_scale": -10, "sigma_shape": 1, "sigma_scale": 1, "on_variance": false}}`, "MeanScale is -10"},
		{"prior not an object", `{"k": 1, "weights": [1], "means": [1], "sigmas": [1], "prior": "notebook"}`, "prior:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := gmm.Model{K: 7}
			err := json.Unmarshal([]byte(tc.in), &m)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Unmarshal: %v", err)
				}
				if err := m.Validate(); err != nil {
					t.Errorf("accepted a model that does not validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Unmarshal: error %v, want one containing %q", err, tc.want)
			}
			if !reflect.DeepEqual(m, gmm.Model{K: 7}) {
				t.Errorf("Unmarshal changed the model on error: %+v", m)
			}
		})
	}
}

func ExampleModel_MarshalJSON() {
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	if _, err := m.Fit(iris.PetalLength(), &gmm.Settings{Method: gmm.EM}); err != nil {
		fmt.Println(err)
		return
	}
	b, err := json.Marshal(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	var back gmm.Model
	if err := json.Unmarshal(b, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reflect.DeepEqual(&back, m))
	fmt.Printf("%.5f %.5f %.5f\n", back.Weights, back.Means, back.Sigmas)
	// Output:
	// true
	// [0.33315 0.66685] [1.46179 4.90484] [0.17827 0.81969]
}

func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range []string{
		`{"k": 2, "weights": [0.25, 0.75], "means": [1, 5], "sigmas": [0.2, 0.8], "prior": {"concentration": 1, "mean_loc": 0, "mean_scale": 10, "sigma_shape": 1, "sigma_scale": 1, "on_variance": false}}`,
		`{"k": 1, "weights": [1], "means": [-0], "sigmas": [5e-324], "prior": null, "loss": 1}`,
		`{"k": 3, "weights": [0.2, 0.3, 0.5], "means": [1e300, -1e300, 0], "sigmas": [1, 2, 3], "prior": {"concentration": 0, "mean_loc": 0, "mean_scale": 0, "sigma_shape": 0, "sigma_scale": 0, "on_variance": true}}`,
		`{"k": 2, "weights": [0.5, 0.6], "means": [1, 2], "sigmas": [1, 1], "prior": null}`,
		`{"k": 1, "weights": [1], "means": [1], "sigmas": [1]}`,
		`{"k": -1}`, `null`, `[]`, `{"k": 1e9}`, ``,
	} {
		f.Add([]byte(s))
	}
	probe := grid(-10, 10, 41)
	f.Fuzz(func(t *testing.T, data []byte) {
		var m gmm.Model
		if err := json.Unmarshal(data, &m); err != nil {
			if !reflect.DeepEqual(m, gmm.Model{}) {
				t.Fatalf("Unmarshal changed the model on error: %+v", m)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted %q, which does not validate: %v", data, err)
		}
		checkRoundTrip(t, &m, append(probe, m.Means...))
	})
}
