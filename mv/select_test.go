package mv_test

import (
	"math"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// threeClusters draws 300 points from three well-separated spherical
// clusters in two dimensions (centres 10 standard deviations apart).
func threeClusters(t *testing.T) *mat.Dense {
	src := mv.Model{K: 3, Covariance: mv.VII, Weights: []float64{0.3, 0.3, 0.4},
		Means: mat.NewDense(3, 2, []float64{0, 0, 10, 0, 0, 10})}
	for range 3 {
		src.Covariances = append(src.Covariances, mat.NewSymDense(2, []float64{1, 0, 0, 1}))
	}
	x, _, err := src.Sample(300, 11)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestSelectFindsK checks that Select picks K = 3 for three well-separated
// clusters, by BIC and by ICL, and that each candidate's BIC and ICL are
// computed from its log-likelihood as documented (to 1e-12 relative, the
// rounding of a few operations).
func TestSelectFindsK(t *testing.T) {
	x := threeClusters(t)
	for _, crit := range []mv.Criterion{mv.BIC, mv.ICL} {
		sel, err := mv.Select(x, &mv.SelectSettings{Ks: []int{1, 2, 3, 4, 5}, Covariances: []mv.Covariance{mv.EII, mv.VVV}, Criterion: crit})
		if err != nil {
			t.Fatal(err)
		}
		if sel.Best.K != 3 {
			t.Errorf("%v chose K = %d, want 3", crit, sel.Best.K)
		}
		if len(sel.Candidates) != 10 || sel.Candidates[0].Covariance != mv.EII || sel.Candidates[5].K != 1 {
			t.Errorf("candidates not in the order covariance, then K: %+v", sel.Candidates)
		}
		for _, c := range sel.Candidates {
			if c.Err != nil {
				continue
			}
			want := -2*c.LogLikelihood + float64(c.NumParams)*math.Log(300)
			if math.Abs(c.BIC-want) > 1e-12*math.Abs(want) {
				t.Errorf("%v K=%d: BIC %v, want %v", c.Covariance, c.K, c.BIC, want)
			}
			if c.ICL < c.BIC {
				t.Errorf("%v K=%d: ICL %v below BIC %v", c.Covariance, c.K, c.ICL, c.BIC)
			}
		}
		b, _ := sel.Best.BIC(x)
		if crit == mv.BIC && b != sel.Candidates[len(sel.Candidates)-1].BIC && b > minBIC(sel) {
			t.Errorf("the best model's BIC %v is not the lowest %v", b, minBIC(sel))
		}
	}
}

func minBIC(s *mv.Selection) float64 {
	m := math.Inf(1)
	for _, c := range s.Candidates {
		if c.Err == nil {
			m = min(m, c.BIC)
		}
	}
	return m
}

// TestSelectRecordsFailures checks that a candidate that cannot be fitted
// under maximum likelihood (VVV with more components than the data can
// fill) carries its error and cannot win, while the others are fitted.
func TestSelectRecordsFailures(t *testing.T) {
	x := mat.NewDense(8, 3, []float64{
		0, 0, 0, 1, 0.1, 0, 0, 1, 0.2, 0.3, 0, 1,
		5, 5, 5, 6, 5.2, 5, 5, 6, 5.1, 5.4, 5, 6,
	})
	sel, err := mv.Select(x, &mv.SelectSettings{Ks: []int{1, 2, 3}, Covariances: []mv.Covariance{mv.EII, mv.VVV}})
	if err != nil {
		t.Fatal(err)
	}
	var failed int
	for _, c := range sel.Candidates {
		if c.Err != nil {
			failed++
			if !math.IsNaN(c.BIC) || !strings.Contains(c.Err.Error(), "component") {
				t.Errorf("%v K=%d: BIC %v, error %v", c.Covariance, c.K, c.BIC, c.Err)
			}
		}
	}
	if failed == 0 {
		t.Error("every candidate fitted; VVV with 3 components on 8 points should not")
	}
	if sel.Best == nil || sel.Best.Validate() != nil {
		t.Error("no valid best model")
	}
}

func TestSelectErrors(t *testing.T) {
	x := threeClusters(t)
	for _, c := range []struct {
		name string
		x    mat.Matrix
		s    *mv.SelectSettings
		want string
	}{
		{"nil data", nil, nil, "nil"},
		{"K 0", x, &mv.SelectSettings{Ks: []int{0}}, "between 1"},
		{"K above n", x, &mv.SelectSettings{Ks: []int{301}}, "between 1"},
		{"bad covariance", x, &mv.SelectSettings{Covariances: []mv.Covariance{-1}}, "EII to VVV"},
		{"bad criterion", x, &mv.SelectSettings{Criterion: 7}, "criterion"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := mv.Select(c.x, c.s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestSelectDeterministic checks that Select's candidates are bit-identical
// at GOMAXPROCS 1 and 2.
func TestSelectDeterministic(t *testing.T) {
	x := threeClusters(t)
	s := &mv.SelectSettings{Ks: []int{2, 3}, Covariances: []mv.Covariance{mv.VII, mv.VEV}, Fit: &mv.Settings{Seed: 4}}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first []mv.Candidate
	for _, p := range []int{1, 2} {
		runtime.GOMAXPROCS(p)
		sel, err := mv.Select(x, s)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = sel.Candidates
			continue
		}
		for i, c := range sel.Candidates {
			if f := first[i]; c.LogLikelihood != f.LogLikelihood || c.BIC != f.BIC || c.ICL != f.ICL {
				t.Errorf("GOMAXPROCS=%d: candidate %v K=%d differs", p, c.Covariance, c.K)
			}
		}
	}
}
