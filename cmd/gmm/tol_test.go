package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/mv"
)

// TestParseTol checks which tolerances -tol takes, and that every one it
// takes is one both libraries accept.
func TestParseTol(t *testing.T) {
	x := []float64{1, 1.2, 0.9, 5, 5.3, 4.8}
	rows := mat.NewDense(6, 2, []float64{1, 0, 1.2, 0.3, 0.9, -0.2, 5, 4, 5.3, 4.4, 4.8, 3.7})
	for _, tc := range []struct {
		name string
		in   string
		want float64 // 0: rejected
	}{
		{"advice", "1e-4", 1e-4},
		{"spaces", " 1e-3 ", 1e-3},
		{"decimal", "0.01", 0.01},
		{"just below 1", "0.999", 0.999},
		{"smallest subnormal", "5e-324", 5e-324},
		{"hexadecimal", "0x1p-20", 0x1p-20},
		{"one", "1", 0},
		{"above one", "2.5", 0},
		{"zero", "0", 0},
		{"negative zero", "-0", 0},
		{"negative", "-1e-4", 0},
		{"NaN", "NaN", 0},
		{"Inf", "+Inf", 0},
		{"minus Inf", "-Inf", 0},
		{"overflow", "1e400", 0},
		{"underflow to zero", "1e-400", 0},
		{"text", "loose", 0},
		{"empty", "", 0},
		{"comma decimal", "0,001", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTol(tc.in)
			if tc.want == 0 {
				if err == nil || !strings.Contains(err.Error(), "give a positive tolerance below 1, such as 1e-4") {
					t.Fatalf("parseTol(%q) = %v, %v; want an error that says what to give", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseTol(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			// MaxSteps 2 keeps the tiny tolerances from running long:
			// only whether the library takes the value is tested.
			m := &gmm.Model{K: 2}
			if _, err := m.Fit(x, &gmm.Settings{Method: gmm.EM, Tol: got, MaxSteps: 2}); err != nil {
				t.Errorf("gmm rejects Tol %v: %v", got, err)
			}
			mm := &mv.Model{K: 2, Covariance: mv.Spherical}
			if _, err := mm.Fit(rows, &mv.Settings{Tol: got, MaxSteps: 2}); err != nil {
				t.Errorf("mv rejects Tol %v: %v", got, err)
			}
		})
	}
}

// tolSummary is what TestTolReachesFit reads of -json's output.
type tolSummary struct {
	Loss      float64 `json:"loss"`
	Converged *bool   `json:"converged"`
	Steps     *int    `json:"steps"`
	Selection []struct {
		K          int     `json:"k"`
		Covariance string  `json:"covariance"`
		LogLik     float64 `json:"loglik"`
	} `json:"selection"`
}

// runJSON runs the command with args and -json, and returns its output
// and what it says of the fit.
func runJSON(t *testing.T, args ...string) ([]byte, tolSummary) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{"-json", "-out", filepath.Join(t.TempDir(), "out")}, args...)
	if err := run(args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("gmm %s: %v", strings.Join(args, " "), err)
	}
	var s tolSummary
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	if s.Steps == nil || s.Converged == nil || !*s.Converged {
		t.Fatalf("gmm %s: steps %v, converged %v; want a converged fit of known steps", strings.Join(args, " "), s.Steps, s.Converged)
	}
	return stdout.Bytes(), s
}

// tolCase is a fit the command makes, with the default tolerance of its
// library.
type tolCase struct {
	name string
	args []string
	tol  float64
}

// tolDefault returns the default tolerance -tol's usage gives for one
// column or for several.
func tolDefault(t *testing.T, several bool) float64 {
	t.Helper()
	var one, sev float64
	if _, err := fmt.Sscanf(tolDefaults, "%g for one column, %g for several", &one, &sev); err != nil {
		t.Fatalf("tolDefaults %q: %v", tolDefaults, err)
	}
	if several {
		return sev
	}
	return one
}

// checkTol runs each case at the default tolerance, at -tol set to the
// default the usage names, and at -tol 1e-3. The second must print the
// same fit, to the bit, as the first: the usage names the library's
// default. The third must take fewer steps in the fit the command reports
// and, for a selection, change the table: a fit is bit-identical for a
// seed, so an ignored -tol would give the default's steps and table.
func checkTol(t *testing.T, cases []tolCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def, ds := runJSON(t, tc.args...)
			named, _ := runJSON(t, append([]string{"-tol", fmt.Sprint(tc.tol)}, tc.args...)...)
			if !bytes.Equal(def, named) {
				t.Errorf("-tol %g, the default the usage names, prints another fit than no -tol", tc.tol)
			}
			_, ls := runJSON(t, append([]string{"-tol", "1e-3"}, tc.args...)...)
			t.Logf("steps: %d at the default, %d at -tol 1e-3", *ds.Steps, *ls.Steps)
			if *ls.Steps >= *ds.Steps {
				t.Errorf("%d steps at -tol 1e-3, %d at the default; want fewer", *ls.Steps, *ds.Steps)
			}
			if len(ds.Selection) != len(ls.Selection) {
				t.Fatalf("%d candidates at the default, %d at -tol 1e-3", len(ds.Selection), len(ls.Selection))
			}
			changed := len(ds.Selection) == 0
			for i, c := range ds.Selection {
				changed = changed || c.LogLik != ls.Selection[i].LogLik
			}
			if !changed {
				t.Errorf("the selection's log-likelihoods are the same at -tol 1e-3 as at the default")
			}
		})
	}
}

// TestTolOneColumn checks -tol in the fits of one column: one K (main.go's
// one) and a range of K (choose.go's Select and refit).
func TestTolOneColumn(t *testing.T) {
	tol := tolDefault(t, false)
	checkTol(t, []tolCase{
		{"one K, em", []string{"-method", "em", "-k", "4", "-prior", "none"}, tol},
		{"one K, adam", []string{"-k", "4", "-prior", "none"}, tol},
		{"range of K", []string{"-k", "3:4"}, tol},
	})
}

// TestTolSeveralColumns checks -tol in the fits of several columns
// (several.go): one model, and a selection.
func TestTolSeveralColumns(t *testing.T) {
	tol := tolDefault(t, true)
	checkTol(t, []tolCase{
		{"one model", []string{"-csv", "testdata/faithful.csv", "-columns", "all", "-k", "3", "-covariance", "VVV"}, tol},
		{"selection", []string{"-csv", "testdata/faithful.csv", "-columns", "all", "-k", "2:3", "-covariance", "VVV,EEE"}, tol},
	})
}

// TestTolDefaultsDiscriminate checks that checkTol's comparison with the
// named default can fail: on its fits, which converge slowly, a tolerance
// ten times the default prints another fit than no -tol.
func TestTolDefaultsDiscriminate(t *testing.T) {
	for _, tc := range []tolCase{
		{"one column", []string{"-method", "em", "-k", "4", "-prior", "none"}, tolDefault(t, false)},
		{"several columns", []string{"-csv", "testdata/faithful.csv", "-columns", "all", "-k", "3", "-covariance", "VVV"}, tolDefault(t, true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def, _ := runJSON(t, tc.args...)
			other, _ := runJSON(t, append([]string{"-tol", fmt.Sprint(10 * tc.tol)}, tc.args...)...)
			if bytes.Equal(def, other) {
				t.Errorf("-tol %g prints the same fit as no -tol", 10*tc.tol)
			}
		})
	}
}
