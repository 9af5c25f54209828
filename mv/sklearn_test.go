package mv_test

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
)

// TestSklearnIris compares the maximum-likelihood fits of the four models
// mv shares with scikit-learn against its GaussianMixture on iris's four
// columns with K = 3 (testdata/sklearn_iris_mv.txt, from
// sklearn_iris_mv.py: tol 1e-12, no regularisation, twenty starts). Our
// log-likelihood must reach scikit-learn's, to 1e-7 (its tolerance on the
// average log-likelihood, 1e-12, times 150 points, is far below; 1e-7
// allows for our own stopping rule at Tol 1e-13). Where the two reach the
// same optimum (log-likelihoods within 1e-6), the parameters must agree to
// 1e-5: at an optimum the log-likelihood is flat, so a difference δ in
// the loss means parameters about √(2δ/curvature) apart, below 1e-5 here
// for the curvatures of iris (at least 150/0.3 per unit).
func TestSklearnIris(t *testing.T) {
	b, err := os.ReadFile("testdata/sklearn_iris_mv.txt")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	nums := func(l string) []float64 {
		var v []float64
		for _, f := range strings.Fields(l) {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatal(err)
			}
			v = append(v, x)
		}
		return v
	}
	x := irisX()
	for i := 0; i+3 < len(lines); i += 4 {
		head := strings.Fields(lines[i])
		t.Run(head[0], func(t *testing.T) {
			c, err := mv.ParseCovariance(head[0])
			if err != nil {
				t.Fatal(err)
			}
			k, _ := strconv.Atoi(head[1])
			ref, _ := strconv.ParseFloat(head[2], 64)
			w, mu, cov := nums(lines[i+1]), nums(lines[i+2]), nums(lines[i+3])
			m := mv.Model{K: k, Covariance: c}
			if _, err := m.Fit(x, &mv.Settings{Tol: 1e-13}); err != nil {
				t.Fatal(err)
			}
			ll, _ := m.LogLikelihood(x)
			if ll < ref-1e-7 {
				t.Fatalf("log-likelihood %.9f, below scikit-learn's %.9f", ll, ref)
			}
			if ll-ref > 1e-6 {
				t.Logf("a better optimum than scikit-learn's: %.9f against %.9f", ll, ref)
				return
			}
			for j := range k {
				if math.Abs(m.Weights[j]-w[j]) > 1e-5 {
					t.Errorf("weight %d: %v, scikit-learn's %v", j, m.Weights[j], w[j])
				}
				for a := range 4 {
					if math.Abs(m.Means.At(j, a)-mu[j*4+a]) > 1e-5 {
						t.Errorf("mean %d[%d]: %v, scikit-learn's %v", j, a, m.Means.At(j, a), mu[j*4+a])
					}
					for b := range 4 {
						if math.Abs(m.Covariances[j].At(a, b)-cov[j*16+a*4+b]) > 1e-5 {
							t.Errorf("covariance %d[%d,%d]: %v, scikit-learn's %v", j, a, b, m.Covariances[j].At(a, b), cov[j*16+a*4+b])
						}
					}
				}
			}
		})
	}
}

// TestOneColumn fits the iris petal lengths as one column. In one
// dimension the fourteen models reduce to mclust's two, E (one variance)
// and V (one each): the models with a Variable volume must all reach the
// same log-likelihood, and those with an Equal volume likewise (to 1e-9
// relative, the convergence of separate fits). The V fit must be
// scikit-learn's maximum-likelihood fit in the root package's reference
// file (../testdata/sklearn_iris.txt, twelve digits), to 1e-6 on the
// parameters (see TestSklearnIris for why) and 1e-8 on the log-likelihood.
func TestOneColumn(t *testing.T) {
	x := mat.NewDense(150, 1, iris.PetalLength())
	var e, v []float64
	var vfit mv.Model
	for _, c := range mv.Covariances() {
		m := mv.Model{K: 2, Covariance: c}
		if _, err := m.Fit(x, &mv.Settings{Tol: 1e-13}); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		ll, _ := m.LogLikelihood(x)
		if c.String()[0] == 'V' {
			v = append(v, ll)
			vfit = m
		} else {
			e = append(e, ll)
		}
	}
	for _, g := range [][]float64{e, v} {
		for _, ll := range g {
			if math.Abs(ll-g[0]) > 1e-9*math.Abs(g[0]) {
				t.Errorf("log-likelihoods of one group differ: %v", g)
			}
		}
	}
	b, err := os.ReadFile("../testdata/sklearn_iris.txt")
	if err != nil {
		t.Fatal(err)
	}
	var ref [][]float64
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		var row []float64
		for _, f := range strings.Fields(l) {
			x, _ := strconv.ParseFloat(f, 64)
			row = append(row, x)
		}
		ref = append(ref, row)
	}
	if math.Abs(v[0]-ref[2][0]) > 1e-8 {
		t.Errorf("log-likelihood %.10f, scikit-learn's %.10f", v[0], ref[2][0])
	}
	for k := range 2 {
		got := []float64{vfit.Weights[k], vfit.Means.At(k, 0), math.Sqrt(vfit.Covariances[k].At(0, 0))}
		for j, want := range ref[k] {
			if math.Abs(got[j]-want) > 1e-6 {
				t.Errorf("component %d, column %d: %v, scikit-learn's %v", k, j, got[j], want)
			}
		}
	}
}
