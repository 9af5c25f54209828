package mv_test

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

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
