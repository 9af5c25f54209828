package mv_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// bruteMarginal returns log Σ_k w_k N(x_o | μ_o, Σ_oo) over the observed
// coordinates o of row x (NaN marks a missing one), each component's
// marginal a normal density on the observed rows and columns of its mean
// and covariance, computed with gonum's Cholesky factorisation, and the largest log w_k N(x_o | μ_o, Σ_oo) less that;
// ok is false if the row has no observed coordinate.
func bruteMarginal(t *testing.T, m *mv.Model, x []float64) (lse, hard float64, ok bool) {
	var obs []int
	for j, v := range x {
		if !math.IsNaN(v) {
			obs = append(obs, j)
		}
	}
	if len(obs) == 0 {
		return 0, 0, false
	}
	lw := make([]float64, m.K)
	xo := make([]float64, len(obs))
	for a, j := range obs {
		xo[a] = x[j]
	}
	best := math.Inf(-1)
	for k := range m.K {
		mu := make([]float64, len(obs))
		cov := mat.NewSymDense(len(obs), nil)
		for a, ja := range obs {
			mu[a] = m.Means.At(k, ja)
			for b, jb := range obs {
				cov.SetSym(a, b, m.Covariances[k].At(ja, jb))
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(cov) {
			t.Fatalf("component %d's marginal covariance is not positive definite", k)
		}
		dev := mat.NewVecDense(len(obs), nil)
		for a := range obs {
			dev.SetVec(a, xo[a]-mu[a])
		}
		var sol mat.VecDense
		if err := ch.SolveVecTo(&sol, dev); err != nil {
			t.Fatal(err)
		}
		maha := mat.Dot(dev, &sol)
		logN := -0.5 * (float64(len(obs))*math.Log(2*math.Pi) + ch.LogDet() + maha)
		lw[k] = math.Log(m.Weights[k]) + logN
		best = max(best, lw[k])
	}
	var s float64
	for _, v := range lw {
		s += math.Exp(v - best)
	}
	lse = best + math.Log(s)
	return lse, lse - best, true
}

// TestMeasuresWithMissing checks LogLikelihood, BIC and ICL on rows with
// missing coordinates against the marginal densities computed apart, by
// gonum's Cholesky factorisation of the observed rows and columns of each
// component's covariance: the log-likelihood sums them, a row missing every coordinate
// adds nothing and does not count in BIC's n, and ICL's classification
// cost is that of the responsibilities given the observed coordinates.
// The sums run over 150 terms of size about 5 computed in another order
// and by other factorisations: 1e-10 relative.
func TestMeasuresWithMissing(t *testing.T) {
	x := irisX()
	m := mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	y := mat.DenseCopyOf(x)
	for i := range 150 {
		switch i % 5 {
		case 1:
			y.Set(i, i%4, math.NaN())
		case 2:
			y.Set(i, 0, math.NaN())
			y.Set(i, 3, math.NaN())
		}
	}
	for j := range 4 {
		y.Set(149, j, math.NaN())
	}
	var ll, hard, n float64
	for i := range 150 {
		l, h, ok := bruteMarginal(t, &m, y.RawRowView(i))
		if ok {
			ll, hard, n = ll+l, hard+h, n+1
		}
	}
	p := float64(m.NumParams())
	gotLL, err := m.LogLikelihood(y)
	if err != nil {
		t.Fatal(err)
	}
	bic, _ := m.BIC(y)
	icl, _ := m.ICL(y)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"log-likelihood", gotLL, ll},
		{"BIC", bic, -2*ll + p*math.Log(n)},
		{"ICL", icl, -2*ll + p*math.Log(n) + 2*hard},
	} {
		if math.Abs(c.got-c.want) > 1e-10*math.Abs(c.want) {
			t.Errorf("%s = %.15g, the marginals give %.15g", c.name, c.got, c.want)
		}
	}
	// LogDensity reads the rows alike.
	var sum float64
	for i, v := range m.LogDensity(y) {
		if i != 149 {
			sum += v
		}
	}
	if math.Abs(sum-gotLL) > 1e-10*math.Abs(gotLL) {
		t.Errorf("LogDensity sums to %.15g, LogLikelihood %.15g", sum, gotLL)
	}
	all := mat.NewDense(2, 4, nil)
	for j := range 4 {
		all.Set(0, j, math.NaN())
		all.Set(1, j, math.NaN())
	}
	if _, err := m.LogLikelihood(all); err == nil {
		t.Error("LogLikelihood of rows missing every coordinate: no error")
	}
	inf := mat.DenseCopyOf(y)
	inf.Set(0, 0, math.Inf(1))
	if _, err := m.BIC(inf); err == nil {
		t.Error("BIC with +Inf: no error")
	}
}
