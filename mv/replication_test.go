package mv

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
)

// writtenOutIris returns the iris measurements with integer weights 0 to
// 3, and the same rows written out in their places with, for each row
// written out, the row of the weighted data it copies.
func writtenOutIris() (x *mat.Dense, w []float64, rep *mat.Dense, of []int) {
	x = mat.NewDense(150, 4, iris.Measurements())
	w = make([]float64, 150)
	var rows []float64
	kept := 0
	for i := range w {
		w[i] = float64((i * 7) % 4)
		for range int(w[i]) {
			rows = append(rows, x.RawRowView(i)...)
			of = append(of, kept)
		}
		if w[i] > 0 {
			kept++
		}
	}
	return x, w, mat.NewDense(len(rows)/4, 4, rows), of
}

// TestWeightedPartitionsAreWrittenOut checks that the starting partitions
// of rows with integer weights, the agglomerations' and the k-means++
// ones, are those of the rows written out: each row written out is where
// its weighted row is. Ward's agglomeration of the rows written out first
// joins the copies of a row, at no cost, into the group that the weighted
// row starts as; the k-means++ draws are the same positions on the line of
// the weights.
func TestWeightedPartitionsAreWrittenOut(t *testing.T) {
	x, w, rep, of := writtenOutIris()
	for _, k := range []int{2, 3, 4} {
		m := &Model{K: k, Covariance: VVV}
		parts := func(x mat.Matrix, w []float64) *partitions {
			cfg := (&Settings{Weights: w}).withDefaults()
			data, _, err := m.checkFit(x, &cfg)
			if err != nil {
				t.Fatal(err)
			}
			f := newFitter(m, data, &cfg)
			return f.partitions(data)
		}
		a, b := parts(x, w), parts(rep, nil)
		if len(a.z) != len(b.z) {
			t.Fatalf("K = %d: %d partitions weighted, %d written out", k, len(a.z), len(b.z))
		}
		for i := range a.z {
			exp := make([]int, len(of))
			for r, j := range of {
				exp[r] = a.z[i][j]
			}
			if !samePartition(exp, b.z[i]) {
				t.Errorf("K = %d: partition %d of the weighted rows differs from that of the rows written out", k, i)
			}
		}
	}
}

// TestWeightedFitIsWrittenOut fits iris with integer weights 0 to 3 cold,
// and the rows written out. The search is the same (the partitions above,
// and statistics that differ by the rounding of sums adding a row's weight
// at once), so the fits agree to the stopping rule: each run stops when an
// EM step lowers the loss by at most δ = Tol·(|L| + W); allowing the
// descent left to be 10 times the last step (a linear rate up to 0.9),
// the two losses lie within 20δ of each other, and the log-likelihoods,
// which differ from them by the prior's terms at nearly the same
// parameters, to within the same.
func TestWeightedFitIsWrittenOut(t *testing.T) {
	x, w, rep, _ := writtenOutIris()
	var W float64
	for _, v := range w {
		W += v
	}
	for _, cov := range []Covariance{VVV, EEE, VII} {
		for _, k := range []int{2, 3} {
			label := fmt.Sprintf("%v, K = %d", cov, k)
			a, b := &Model{K: k, Covariance: cov}, &Model{K: k, Covariance: cov}
			_, err := a.Fit(x, &Settings{Weights: w})
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			_, err = b.Fit(rep, nil)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			la, _ := a.LogLikelihood(rep)
			lb, _ := b.LogLikelihood(rep)
			delta := defaultTol * (math.Abs(lb) + W)
			if d := math.Abs(la - lb); !(d <= 20*delta) {
				t.Errorf("%s: log-likelihood %.17g weighted, %.17g written out", label, la, lb)
			}
		}
	}
}

// TestZeroWeightIsAbsence checks that rows of weight 0, the others of
// weight 1, give the fit of the other rows alone, bit for bit.
func TestZeroWeightIsAbsence(t *testing.T) {
	x := mat.NewDense(150, 4, iris.Measurements())
	w := make([]float64, 150)
	var rows []float64
	for i := range w {
		if i%3 != 0 {
			w[i] = 1
			rows = append(rows, x.RawRowView(i)...)
		}
	}
	kept := mat.NewDense(len(rows)/4, 4, rows)
	for _, cov := range []Covariance{VVV, VII} {
		a, b := &Model{K: 3, Covariance: cov}, &Model{K: 3, Covariance: cov}
		if _, err := a.Fit(x, &Settings{Weights: w}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Fit(kept, nil); err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(a.Means, b.Means) || fmt.Sprint(a.Weights) != fmt.Sprint(b.Weights) {
			t.Errorf("%v: weight 0 gives weights %v, without the rows %v", cov, a.Weights, b.Weights)
		}
		for k := range a.Covariances {
			if !mat.Equal(a.Covariances[k], b.Covariances[k]) {
				t.Errorf("%v: covariance %d differs", cov, k)
			}
		}
	}
}

// vbTol bounds the difference of VB on rows with integer weights and on
// the rows written out, from one start: the starting partition is the
// same (see TestWeightedPartitionsAreWrittenOut, which the k-means++
// starts share), and each step's sums differ by the rounding of adding a
// row's weight at once rather than a copy at a time, relative
// N·ε ≈ 230·1.1e-16 ≈ 3e-14 for the N ≈ 230 rows written out. The
// coordinate ascent contracts towards its fixed point; the test checks
// that both take the same steps, and 1e-11 allows the rounding of each of
// up to 300 steps to add up.
const vbTol = 1e-11

// TestWeightedVBIsWrittenOut checks that VB with integer weights 0 to 3
// gives the ELBO and the draws of VB on the rows written out, from one
// start, and that Gibbs refuses such weights with advice that works.
func TestWeightedVBIsWrittenOut(t *testing.T) {
	x, w, rep, _ := writtenOutIris()
	for _, cov := range []Covariance{Full, Diagonal} {
		m := &Model{K: 3, Covariance: cov, Prior: DefaultPrior(rep, 3)}
		a, err := m.Posterior(x, &PosteriorSettings{Method: VB, Weights: w, Chains: 1, Draws: 20})
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Posterior(rep, &PosteriorSettings{Method: VB, Chains: 1, Draws: 20})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.ELBO) != len(b.ELBO) {
			t.Fatalf("%v: %d steps weighted, %d written out", cov, len(a.ELBO), len(b.ELBO))
		}
		la, lb := a.ELBO[len(a.ELBO)-1], b.ELBO[len(b.ELBO)-1]
		if d := math.Abs(la - lb); !(d <= vbTol*math.Abs(lb)) {
			t.Errorf("%v: ELBO %.17g weighted, %.17g written out", cov, la, lb)
		}
		for i := range a.Weights {
			for k := range 3 {
				if d := math.Abs(a.Weights[i][k] - b.Weights[i][k]); !(d <= vbTol) {
					t.Fatalf("%v: draw %d, weight %d: %v weighted, %v written out", cov, i, k, a.Weights[i][k], b.Weights[i][k])
				}
				for j := range 4 {
					ma, mb := a.Means[i][k][j], b.Means[i][k][j]
					if d := math.Abs(ma - mb); !(d <= vbTol*(1+math.Abs(mb))) {
						t.Fatalf("%v: draw %d, mean %d,%d: %v weighted, %v written out", cov, i, k, j, ma, mb)
					}
				}
			}
		}
		_, err = m.Posterior(x, &PosteriorSettings{Weights: w, Chains: 1, Draws: 20})
		if err == nil || !strings.Contains(err.Error(), "VB") {
			t.Errorf("%v: Gibbs with weights of 2 and 3: error %v, want one advising VB", cov, err)
		}
	}
}

// TestVVVGroups checks the number of groups the VVV-criterion agglomeration
// starts from: weights raise the points' count, but never the groups above
// the points there are (11 points of total weight 125 in 4 columns asked
// for 12 groups, and the cut of 11 points into 12 panicked; found by
// FuzzFitWeights).
func TestVVVGroups(t *testing.T) {
	heavy := make([]float64, 11)
	for i := range heavy {
		heavy[i] = 125.0 / 11
	}
	for _, tt := range []struct {
		name    string
		v       []float64
		m, d, k int
		want    int
	}{
		{"iris", nil, 150, 4, 3, 15},
		{"few points, k groups", nil, 20, 4, 3, 3},
		{"many points, capped at 4k + 10", nil, 5000, 4, 3, 22},
		{"heavy weights, capped at the points", heavy, 11, 4, 3, 11},
		{"as many points as components", heavy, 3, 4, 3, 3},
	} {
		if got := vvvGroups(tt.v, tt.m, tt.d, tt.k); got != tt.want {
			t.Errorf("%s: vvvGroups = %d, want %d", tt.name, got, tt.want)
		}
	}
}
