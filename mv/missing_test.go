package mv_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// tiny is a two-component model in 3 dimensions and six rows, four of
// which miss coordinates.
func tiny() (mv.Model, *mat.Dense) {
	nan := math.NaN()
	m := mv.Model{K: 2, Covariance: mv.VVV,
		Weights: []float64{0.4, 0.6},
		Means:   mat.NewDense(2, 3, []float64{0, 0, 0, 2, 1, -1}),
		Covariances: []*mat.SymDense{
			mat.NewSymDense(3, []float64{1, 0.5, 0.2, 0.5, 2, -0.3, 0.2, -0.3, 1.5}),
			mat.NewSymDense(3, []float64{0.8, -0.2, 0.1, -0.2, 1, 0.4, 0.1, 0.4, 1.2}),
		}}
	x := mat.NewDense(6, 3, []float64{
		0.3, -0.5, 0.4,
		nan, 1.2, -0.8,
		1.9, nan, nan,
		-0.7, 0.2, nan,
		2.5, 1.5, -1.2,
		nan, nan, 0.9,
	})
	return m, x
}

// gauss is a normal distribution for brute: its marginals and
// conditionals by gonum's dense linear algebra.
type gauss struct {
	mu  []float64
	cov *mat.SymDense
}

// sub returns the block of cov with rows r and columns c.
func (g gauss) sub(r, c []int) *mat.Dense {
	out := mat.NewDense(len(r), len(c), nil)
	for a, i := range r {
		for b, j := range c {
			out.Set(a, b, g.cov.At(i, j))
		}
	}
	return out
}

// logMarginal returns log N(vals | μ_o, Σ_oo).
func (g gauss) logMarginal(t *testing.T, obs []int, vals []float64) float64 {
	var ch mat.Cholesky
	soo := mat.NewSymDense(len(obs), nil)
	soo.CopySym(mat.NewSymDense(len(obs), g.sub(obs, obs).RawMatrix().Data))
	if !ch.Factorize(soo) {
		t.Fatal("Σ_oo is not positive definite")
	}
	z := mat.NewVecDense(len(obs), nil)
	for a, j := range obs {
		z.SetVec(a, vals[a]-g.mu[j])
	}
	var s mat.VecDense
	if err := ch.SolveVecTo(&s, z); err != nil {
		t.Fatal(err)
	}
	return -0.5*mat.Dot(z, &s) - 0.5*ch.LogDet() - 0.5*float64(len(obs))*math.Log(2*math.Pi)
}

// conditional returns the mean and covariance of the coordinates hid given
// the others at vals: μ_h + Σ_ho Σ_oo⁻¹ (x_o − μ_o) and
// Σ_hh − Σ_ho Σ_oo⁻¹ Σ_oh.
func (g gauss) conditional(t *testing.T, obs, hid []int, vals []float64) ([]float64, *mat.Dense) {
	z := mat.NewDense(len(obs), 1, nil)
	for a, j := range obs {
		z.Set(a, 0, vals[a]-g.mu[j])
	}
	var sol, proj mat.Dense
	if err := sol.Solve(g.sub(obs, obs), z); err != nil {
		t.Fatal(err)
	}
	var cm mat.Dense
	cm.Mul(g.sub(hid, obs), &sol)
	mean := make([]float64, len(hid))
	for a, j := range hid {
		mean[a] = g.mu[j] + cm.At(a, 0)
	}
	if err := proj.Solve(g.sub(obs, obs), g.sub(obs, hid)); err != nil {
		t.Fatal(err)
	}
	var c mat.Dense
	c.Mul(g.sub(hid, obs), &proj)
	c.Sub(g.sub(hid, hid), &c)
	return mean, &c
}

// brute returns, by gonum's dense linear algebra, the marginal log density
// of each row's observed coordinates and one EM step of VVV under maximum
// likelihood from m: responsibilities from the marginals, then each row
// completed by its conditional mean under each component, with the
// conditional covariance added to the second moments (Ghahramani & Jordan
// 1994).
func brute(t *testing.T, m mv.Model, x *mat.Dense) (logp []float64, next mv.Model) {
	t.Helper()
	n, d := x.Dims()
	comps := make([]gauss, m.K)
	for k := range m.K {
		comps[k] = gauss{mat.Row(nil, k, m.Means), m.Covariances[k]}
	}
	W := make([]float64, m.K)
	sx := mat.NewDense(m.K, d, nil)
	sxx := make([]*mat.SymDense, m.K)
	for k := range sxx {
		sxx[k] = mat.NewSymDense(d, nil)
	}
	for i := range n {
		row := mat.Row(nil, i, x)
		var obs, hid []int
		var vals []float64
		for j, v := range row {
			if math.IsNaN(v) {
				hid = append(hid, j)
			} else {
				obs = append(obs, j)
				vals = append(vals, v)
			}
		}
		l := make([]float64, m.K)
		for k, c := range comps {
			l[k] = math.Log(m.Weights[k]) + c.logMarginal(t, obs, vals)
		}
		mx := slices.Max(l)
		var s float64
		for _, v := range l {
			s += math.Exp(v - mx)
		}
		lse := mx + math.Log(s)
		logp = append(logp, lse)
		for k, c := range comps {
			r := math.Exp(l[k] - lse)
			W[k] += r
			full := slices.Clone(row)
			cc := mat.NewSymDense(d, nil)
			if len(hid) > 0 {
				mu, cv := c.conditional(t, obs, hid, vals)
				for a, ja := range hid {
					full[ja] = mu[a]
					for b, jb := range hid {
						cc.SetSym(ja, jb, cv.At(a, b))
					}
				}
			}
			for a := range d {
				sx.Set(k, a, sx.At(k, a)+r*full[a])
				for b := a; b < d; b++ {
					sxx[k].SetSym(a, b, sxx[k].At(a, b)+r*(full[a]*full[b]+cc.At(a, b)))
				}
			}
		}
	}
	next = mv.Model{K: m.K, Covariance: mv.VVV, Means: mat.NewDense(m.K, d, nil)}
	var total float64
	for _, w := range W {
		total += w
	}
	for k := range m.K {
		next.Weights = append(next.Weights, W[k]/total)
		c := mat.NewSymDense(d, nil)
		for a := range d {
			next.Means.Set(k, a, sx.At(k, a)/W[k])
		}
		for a := range d {
			for b := a; b < d; b++ {
				c.SetSym(a, b, sxx[k].At(a, b)/W[k]-next.Means.At(k, a)*next.Means.At(k, b))
			}
		}
		next.Covariances = append(next.Covariances, c)
	}
	return logp, next
}

// TestMissingAgainstBrute checks the marginal densities, the assignments
// and one EM step (Accumulate and Update, which Fit iterates) with missing
// coordinates against the brute computation: the two differ in the order
// of a few dozen operations on numbers of order 1, so 1e-12.
func TestMissingAgainstBrute(t *testing.T) {
	m, x := tiny()
	wantLP, want := brute(t, m, x)
	lp := m.LogDensity(x)
	for i := range lp {
		if math.Abs(lp[i]-wantLP[i]) > 1e-12*math.Abs(wantLP[i]) {
			t.Errorf("row %d: log density %.15g, want %.15g", i, lp[i], wantLP[i])
		}
	}
	r := m.Responsibilities(x)
	z := m.Assign(x)
	for i := range 6 {
		if r.At(i, z[i]) < r.At(i, 1-z[i]) {
			t.Errorf("row %d assigned to %d, responsibilities %v", i, z[i], mat.Row(nil, i, r))
		}
	}
	got := clone(m)
	st := mv.NewStats(2, 3)
	if err := got.Accumulate(st, x, nil); err != nil {
		t.Fatal(err)
	}
	if err := got.Update(st); err != nil {
		t.Fatal(err)
	}
	if d := relDiff(got, want); d > 1e-12 {
		t.Errorf("one EM step differs from the brute one by %.3g relative:\n%v\n%v", d, mat.Formatted(got.Means), mat.Formatted(want.Means))
	}
}

// mcar returns a copy of x with each value removed (NaN) with probability
// p, independently of everything (missing completely at random).
func mcar(x *mat.Dense, p float64, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 9))
	y := mat.DenseCopyOf(x)
	y.Apply(func(_, _ int, v float64) float64 {
		if rng.Float64() < p {
			return math.NaN()
		}
		return v
	}, y)
	return y
}

// TestMissingNearComplete fits 4000 points from a known mixture, then the
// same points with 20% of their values removed at random. The two
// estimators are nested (the complete-data one uses more), so their
// difference has about the variance of the incomplete one minus that of
// the complete one: for a mean with a fraction f of its column missing,
// σ²/n_k · (1/(1−f) − 1) = σ²/(4 n_k) at f = 0.2, a standard deviation of
// σ/(2√n_k); a covariance entry's, √((σ_aa σ_bb + σ_ab²)/n_k)/2 by the same
// count. Each difference must lie within 5 of these standard deviations
// (a miss has probability 6e-7 per entry under normality). The fit with
// missing values must also have the larger observed-data log-likelihood,
// which it maximises.
func TestMissingNearComplete(t *testing.T) {
	x, _, _ := bigSample(t, 4000)
	full := mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := full.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	y := mcar(x, 0.2, 1)
	part := mv.Model{K: 3, Covariance: mv.VVV}
	res, err := part.Fit(y, &mv.Settings{AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Error("the fit with missing values did not converge")
	}
	for k := range 3 {
		nk := full.Weights[k] * 4000
		for a := range 3 {
			sa := full.Covariances[k].At(a, a)
			if d := math.Abs(part.Means.At(k, a) - full.Means.At(k, a)); d > 5*math.Sqrt(sa/nk)/2 {
				t.Errorf("component %d mean %d: %.4f with missing values, %.4f without (bound %.4f)", k, a, part.Means.At(k, a), full.Means.At(k, a), 5*math.Sqrt(sa/nk)/2)
			}
			for b := range 3 {
				sb, sab := full.Covariances[k].At(b, b), full.Covariances[k].At(a, b)
				bound := 5 * math.Sqrt((sa*sb+sab*sab)/nk) / 2
				if d := math.Abs(part.Covariances[k].At(a, b) - sab); d > bound {
					t.Errorf("component %d covariance (%d,%d): %.4f with missing values, %.4f without (bound %.4f)", k, a, b, part.Covariances[k].At(a, b), sab, bound)
				}
			}
		}
	}
	sum := func(m mv.Model) float64 {
		var s float64
		for _, v := range m.LogDensity(y) {
			s += v
		}
		return s
	}
	if lp, lf := sum(part), sum(full); lp < lf {
		t.Errorf("observed-data log-likelihood %.6f at the fit with missing values, below %.6f at the complete-data fit", lp, lf)
	}
}

// TestMissingEveryModel fits every covariance model, with and without a
// prior, to iris with 10% of its values missing: each fit must succeed or
// fail with the error of the complete data, and its parameters be valid.
func TestMissingEveryModel(t *testing.T) {
	x := irisX()
	y := mcar(x, 0.1, 2)
	for _, c := range mv.Covariances() {
		for _, prior := range []bool{false, true} {
			m := mv.Model{K: 2, Covariance: c}
			if prior {
				m.Prior = mv.DefaultPrior(x, 2)
			}
			res, err := m.Fit(y, &mv.Settings{AllowMissing: true, Restarts: 2})
			if err != nil {
				t.Errorf("%v prior=%v: %v", c, prior, err)
				continue
			}
			if err := m.Validate(); err != nil {
				t.Errorf("%v prior=%v: %v", c, prior, err)
			}
			for i := 1; i < len(res.Loss); i++ {
				if res.Loss[i] > res.Loss[i-1]+1e-9*math.Abs(res.Loss[i-1]) {
					t.Errorf("%v prior=%v: the loss rose at step %d", c, prior, i)
					break
				}
			}
		}
	}
}

// TestMissingRowsReported checks that rows missing every coordinate are
// left out and reported, that the fit equals the one without them, bit for
// bit, and that without AllowMissing a NaN is still an error that names
// the setting.
func TestMissingRowsReported(t *testing.T) {
	x := irisX()
	nan := math.NaN()
	rows := mat.DenseCopyOf(x)
	y := mat.NewDense(152, 4, nil)
	y.Stack(rows, mat.NewDense(2, 4, []float64{nan, nan, nan, nan, nan, nan, nan, nan}))
	a := mv.Model{K: 2, Covariance: mv.VEV}
	res, err := a.Fit(y, &mv.Settings{AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.EmptyRows != 2 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "2 rows miss every coordinate") {
		t.Errorf("EmptyRows %d, Warnings %q", res.EmptyRows, res.Warnings)
	}
	b := mv.Model{K: 2, Covariance: mv.VEV}
	if _, err := b.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	if relDiff(a, b) != 0 {
		t.Error("the empty rows changed the fit")
	}
	c := mv.Model{K: 2, Covariance: mv.VEV}
	if _, err := c.Fit(y, nil); err == nil || !strings.Contains(err.Error(), "AllowMissing") {
		t.Errorf("without AllowMissing: %v", err)
	}
	e := mv.Model{K: 2}
	if _, err := e.Fit(mat.NewDense(2, 2, []float64{nan, nan, nan, nan}), &mv.Settings{AllowMissing: true}); err == nil {
		t.Error("a fit to nothing but missing values succeeded")
	}
}

// TestFitStreamMissing checks that FitStream with missing values agrees
// with Fit: bit for bit on 150 rows (fitted in memory), and a warm run on
// 20000 rows to 1e-8 relative (the sums differ only in order), with the
// empty rows counted both ways.
func TestFitStreamMissing(t *testing.T) {
	ctx := context.Background()
	y := mcar(irisX(), 0.1, 3)
	y.SetRow(5, []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()})
	a := mv.Model{K: 2, Covariance: mv.VVV}
	ra, err := a.Fit(y, &mv.Settings{AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	b := mv.Model{K: 2, Covariance: mv.VVV}
	rb, err := b.FitStream(ctx, chunks(y, nil, 32), &mv.Settings{AllowMissing: true, Columns: 4})
	if err != nil {
		t.Fatal(err)
	}
	if relDiff(a, b) != 0 || ra.EmptyRows != 1 || rb.EmptyRows != 1 {
		t.Errorf("on 150 rows FitStream differs from Fit (%.3g), empty rows %d and %d", relDiff(a, b), ra.EmptyRows, rb.EmptyRows)
	}

	x, w, _ := bigSample(t, 20000)
	z := mcar(x, 0.15, 4)
	start := mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := start.Fit(x.Slice(0, 2000, 0, 3), nil); err != nil {
		t.Fatal(err)
	}
	c, e := clone(start), clone(start)
	rc, err := c.Fit(z, &mv.Settings{AllowMissing: true, Warm: true, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	re, err := e.FitStream(ctx, chunks(z, w, 3000), &mv.Settings{AllowMissing: true, Warm: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := relDiff(c, e); !(d <= 1e-8) {
		t.Errorf("warm FitStream with missing values differs from Fit by %.3g", d)
	}
	if re.EmptyRows != rc.EmptyRows || re.EmptyRows == 0 {
		t.Errorf("EmptyRows: Fit %d, FitStream %d", rc.EmptyRows, re.EmptyRows)
	}
}

// FuzzFitMissing fits models to small data with missing values: every
// outcome must be an error that leaves the model and the data as they
// were, or a valid model; Assign and LogDensity must then answer every
// row that has an observed value.
func FuzzFitMissing(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 0xfe, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0xfe, 15, 16, 17}, uint8(2), uint8(13), uint8(2), false)
	f.Add([]byte{0xfe, 0xfe, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, uint8(1), uint8(0), uint8(3), true)
	f.Fuzz(func(t *testing.T, raw []byte, k, cov, dim uint8, prior bool) {
		d := int(dim%3) + 1
		x := fuzzRows(raw, d, 0xfe, math.NaN())
		if x == nil {
			return
		}
		n, _ := x.Dims()
		before := slices.Clone(x.RawMatrix().Data)
		m := mv.Model{K: int(k%4) + 1, Covariance: mv.Covariance(cov % 14)}
		if prior {
			filled := mat.DenseCopyOf(x)
			filled.Apply(func(_, _ int, v float64) float64 {
				if math.IsNaN(v) {
					return 0
				}
				return v
			}, filled)
			m.Prior = mv.DefaultPrior(filled, m.K)
		}
		_, err := m.Fit(x, &mv.Settings{Restarts: 1, MaxSteps: 100, AllowMissing: true})
		if !slices.EqualFunc(before, x.RawMatrix().Data, func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }) {
			t.Fatal("Fit changed the data")
		}
		if err != nil {
			if m.Weights != nil || m.Means != nil {
				t.Fatalf("a failed fit changed the model: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("fit gives an invalid model: %v", err)
		}
		z, lp := m.Assign(x), m.LogDensity(x)
		for i := range n {
			empty := true
			for j := range d {
				empty = empty && math.IsNaN(x.At(i, j))
			}
			if empty != (z[i] == -1) || empty != math.IsNaN(lp[i]) {
				t.Fatalf("row %d (empty %v): assigned %d, log density %v", i, empty, z[i], lp[i])
			}
		}
	})
}

// FuzzFitWeights fits iris's first rows with arbitrary weights, invalid
// ones included: every outcome must be an error that leaves the model, the
// data and the weights as they were, or a valid model; a weight of 0 on
// every row but K must still fit or fail cleanly.
func FuzzFitWeights(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0, 0, 5, 255, 7}, uint8(2), uint8(13))
	f.Add([]byte{0, 0, 0, 0}, uint8(1), uint8(0))
	f.Add([]byte{0xff, 0xf0, 1}, uint8(3), uint8(6))
	x := irisX()
	f.Fuzz(func(t *testing.T, raw []byte, k, cov uint8) {
		n := min(len(raw), 40)
		if n == 0 {
			return
		}
		y := mat.DenseCopyOf(x.Slice(0, n, 0, 4))
		w := make([]float64, n)
		for i, b := range raw[:n] {
			switch b {
			case 0xff:
				w[i] = math.NaN()
			case 0xfe:
				w[i] = math.Inf(1)
			case 0xfd:
				w[i] = -1
			default:
				w[i] = float64(b) / 16
			}
		}
		wb := slices.Clone(w)
		before := slices.Clone(y.RawMatrix().Data)
		m := mv.Model{K: int(k%3) + 1, Covariance: mv.Covariance(cov % 14)}
		_, err := m.Fit(y, &mv.Settings{Weights: w, Restarts: 1, MaxSteps: 100})
		if !slices.Equal(before, y.RawMatrix().Data) || !slices.EqualFunc(wb, w, func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }) {
			t.Fatal("Fit changed the data or the weights")
		}
		if err != nil {
			if m.Weights != nil || m.Means != nil {
				t.Fatalf("a failed fit changed the model: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("fit gives an invalid model: %v", err)
		}
	})
}
