package mv_test

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
)

func irisX() *mat.Dense { return mat.NewDense(150, 4, iris.Measurements()) }

func TestParseCovariance(t *testing.T) {
	for _, c := range []struct {
		in   string
		want mv.Covariance
		ok   bool
	}{
		{"EII", mv.EII, true}, {"vev", mv.VEV, true}, {" VVV ", mv.VVV, true}, {"EVV", mv.EVV, true},
		{"spherical", mv.VII, true}, {"diag", mv.VVI, true}, {"tied", mv.EEE, true}, {"full", mv.VVV, true},
		{"FULL", mv.VVV, true}, {"", 0, false}, {"VVX", 0, false}, {"E", 0, false},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := mv.ParseCovariance(c.in)
			if c.ok && (err != nil || got != c.want) {
				t.Errorf("got %v, %v; want %v", got, err, c.want)
			}
			if !c.ok && err == nil {
				t.Errorf("got %v, want an error", got)
			}
		})
	}
	for _, c := range mv.Covariances() {
		if p, err := mv.ParseCovariance(c.String()); err != nil || p != c {
			t.Errorf("%v does not read back: %v, %v", c, p, err)
		}
	}
}

// TestNumParams checks the count of free parameters against mclust's
// nMclustParams, written out by hand for K = 3 components in d = 4
// dimensions: K − 1 = 2 weights, Kd = 12 means, and the covariance
// model's count.
func TestNumParams(t *testing.T) {
	want := map[mv.Covariance]int{
		mv.EII: 1, mv.VII: 3, mv.EEI: 4, mv.VEI: 3 + 3, mv.EVI: 1 + 3*3, mv.VVI: 12,
		mv.EEE: 10, mv.VEE: 3 + 3 + 6, mv.EVE: 1 + 9 + 6, mv.VVE: 3 + 9 + 6,
		mv.EEV: 1 + 3 + 18, mv.VEV: 3 + 3 + 18, mv.EVV: 1 + 9 + 18, mv.VVV: 30,
	}
	x := irisX()
	for _, c := range mv.Covariances() {
		m := mv.Model{K: 3, Covariance: c}
		if _, err := m.Fit(x, &mv.Settings{Restarts: -1}); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		if got := m.NumParams(); got != 14+want[c] {
			t.Errorf("%v: NumParams %d, want %d", c, got, 14+want[c])
		}
	}
}

// TestIrisVEV2 checks the fit mclust chooses for iris's four columns, VEV
// with two components: log-likelihood −215.726 and BIC −561.73 in mclust's
// sign (Scrucca et al. 2016, section 3.1; mclust's summary). Ours must
// reach that log-likelihood; the tolerances are the rounding of the
// published values (half a unit in the last place shown).
func TestIrisVEV2(t *testing.T) {
	x := irisX()
	m := mv.Model{K: 2, Covariance: mv.VEV}
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	ll, err := m.LogLikelihood(x)
	if err != nil {
		t.Fatal(err)
	}
	if ll < -215.726-0.0005 || ll > -215.726+0.0005 {
		t.Errorf("log-likelihood %.6f, want −215.726 ± 0.0005", ll)
	}
	bic, _ := m.BIC(x)
	if math.Abs(bic-561.73) > 0.005 {
		t.Errorf("BIC %.4f, want 561.73 ± 0.005 (mclust's −561.73)", bic)
	}
	icl, _ := m.ICL(x)
	if !(icl >= bic) || icl-bic > 2*150*math.Ln2 {
		t.Errorf("ICL %v outside [BIC, BIC + 2n log 2] = [%v, %v]", icl, bic, bic+2*150*math.Ln2)
	}
}

// TestLogDensityAgainstFormula checks LogDensity, Responsibilities and
// Assign of a fitted model against the mixture density written out with
// gonum's mat.Cholesky, independently of the package's own pass. The
// tolerance 1e-12 relative allows for sums of a few dozen terms in a
// different order.
func TestLogDensityAgainstFormula(t *testing.T) {
	x := irisX()
	m := mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	lp := m.LogDensity(x)
	r := m.Responsibilities(x)
	z := m.Assign(x)
	var chols []mat.Cholesky
	for k := range m.K {
		var c mat.Cholesky
		if !c.Factorize(m.Covariances[k]) {
			t.Fatal("covariance not positive definite")
		}
		chols = append(chols, c)
	}
	var ll float64
	for i := range 150 {
		terms := make([]float64, m.K)
		for k := range m.K {
			diff := mat.NewVecDense(4, nil)
			for j := range 4 {
				diff.SetVec(j, x.At(i, j)-m.Means.At(k, j))
			}
			var s mat.VecDense
			if err := chols[k].SolveVecTo(&s, diff); err != nil {
				t.Fatal(err)
			}
			terms[k] = math.Log(m.Weights[k]) - 0.5*mat.Dot(diff, &s) - 0.5*chols[k].LogDet() - 2*math.Log(2*math.Pi)
		}
		mx := slices.Max(terms)
		var s float64
		for _, v := range terms {
			s += math.Exp(v - mx)
		}
		want := mx + math.Log(s)
		ll += want
		if math.Abs(lp[i]-want) > 1e-12*math.Abs(want) {
			t.Errorf("row %d: LogDensity %v, want %v", i, lp[i], want)
		}
		for k := range m.K {
			if rk := math.Exp(terms[k] - want); math.Abs(r.At(i, k)-rk) > 1e-12 {
				t.Errorf("row %d: responsibility %d is %v, want %v", i, k, r.At(i, k), rk)
			}
		}
		if terms[z[i]] != mx {
			t.Errorf("row %d assigned to %d, not its most probable component", i, z[i])
		}
	}
	got, _ := m.LogLikelihood(x)
	if math.Abs(got-ll) > 1e-12*math.Abs(ll) {
		t.Errorf("LogLikelihood %v, want %v", got, ll)
	}
}

// TestStationary checks by central finite differences that the fitted
// maximum-likelihood parameters are a stationary point of the
// log-likelihood: the derivative along each mean coordinate and each
// covariance entry (kept symmetric) is near 0. The fit runs to Tol 1e-14,
// where an EM step changes the loss by at most about 1e-11; the derivative
// there is then of order 1e-4 at most (√(2·Δ·curvature), the curvature
// being n/σ² ≈ 1e4 for iris's tightest direction), and the finite
// difference with step h = 1e-6 adds a rounding error near ε·|L|/h ≈ 5e-8
// and a truncation error below 1e-6. The bound 2e-3 is far below the
// derivatives 0.01 away from the optimum, which the test also checks, so
// that it can fail.
func TestStationary(t *testing.T) {
	x := irisX()
	for _, c := range []mv.Covariance{mv.VVV, mv.EEE, mv.VVI, mv.VII} {
		t.Run(c.String(), func(t *testing.T) {
			m := mv.Model{K: 2, Covariance: c}
			if _, err := m.Fit(x, &mv.Settings{Tol: 1e-14}); err != nil {
				t.Fatal(err)
			}
			ll := func(mm *mv.Model) float64 {
				v, err := mm.LogLikelihood(x)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			const h = 1e-6
			deriv := func(set func(mm *mv.Model, e float64)) float64 {
				p, q := clone(m), clone(m)
				set(&p, h)
				set(&q, -h)
				return (ll(&p) - ll(&q)) / (2 * h)
			}
			for k := range m.K {
				for j := range 4 {
					g := deriv(func(mm *mv.Model, e float64) { mm.Means.Set(k, j, mm.Means.At(k, j)+e) })
					if math.Abs(g) > 2e-3 {
						t.Errorf("∂L/∂μ[%d][%d] = %v at the fit", k, j, g)
					}
					off := clone(m)
					off.Means.Set(k, j, off.Means.At(k, j)+0.01)
					save := m
					m = off
					g = deriv(func(mm *mv.Model, e float64) { mm.Means.Set(k, j, mm.Means.At(k, j)+e) })
					m = save
					if math.Abs(g) < 2e-2 {
						t.Errorf("∂L/∂μ[%d][%d] = %v 0.01 away from the fit; the test cannot tell", k, j, g)
					}
				}
			}
			if c == mv.VVV {
				for k := range m.K {
					for a := range 4 {
						for b := a; b < 4; b++ {
							g := deriv(func(mm *mv.Model, e float64) {
								s := mm.Covariances[k]
								s.SetSym(a, b, s.At(a, b)+e)
							})
							if math.Abs(g) > 2e-3*(1+math.Abs(1/m.Covariances[k].At(a, a))) {
								t.Errorf("∂L/∂Σ[%d][%d,%d] = %v at the fit", k, a, b, g)
							}
						}
					}
				}
			}
		})
	}
}

func clone(m mv.Model) mv.Model {
	c := m
	c.Weights = slices.Clone(m.Weights)
	c.Means = mat.DenseCopyOf(m.Means)
	c.Covariances = nil
	for _, s := range m.Covariances {
		n := s.SymmetricDim()
		cs := mat.NewSymDense(n, nil)
		cs.CopySym(s)
		c.Covariances = append(c.Covariances, cs)
	}
	return c
}

// TestMAPTendsToML checks that the MAP fit under DefaultPrior approaches
// the maximum-likelihood fit as the data outweigh the prior: with every
// point given weight v (as if repeated v times) the prior's share of the
// M-step falls as 1/v, and so does the distance between the two fits.
// Going from v = 10 to v = 100 must shrink it by a factor between 7 and 13
// (10 up to the O(1/v²) terms, which at v = 10 are about a tenth of the
// leading one).
func TestMAPTendsToML(t *testing.T) {
	x := irisX()
	dist := func(v float64) float64 {
		w := make([]float64, 150)
		for i := range w {
			w[i] = v
		}
		ml := mv.Model{K: 2, Covariance: mv.VVV}
		if _, err := ml.Fit(x, &mv.Settings{Weights: w, Tol: 1e-13}); err != nil {
			t.Fatal(err)
		}
		mp := mv.Model{K: 2, Covariance: mv.VVV, Prior: mv.DefaultPrior(x, 2)}
		if _, err := mp.Fit(x, &mv.Settings{Weights: w, Tol: 1e-13}); err != nil {
			t.Fatal(err)
		}
		var s float64
		for k := range 2 {
			for j := range 4 {
				s = max(s, math.Abs(ml.Means.At(k, j)-mp.Means.At(k, j)))
				for l := range 4 {
					s = max(s, math.Abs(ml.Covariances[k].At(j, l)-mp.Covariances[k].At(j, l)))
				}
			}
		}
		return s
	}
	d10, d100 := dist(10), dist(100)
	if r := d10 / d100; !(r > 7 && r < 13) {
		t.Errorf("distance MAP–ML %.3g at v = 10 and %.3g at v = 100: ratio %.3g, want about 10", d10, d100, r)
	}
}

// TestWeightTwoIsRepeat checks that a weight of 2 gives the fit of the
// point written twice, and a weight of 0 the fit without it, to the
// tolerance of two fits that converge separately (1e-6 relative on the
// parameters at Tol 1e-13).
func TestWeightTwoIsRepeat(t *testing.T) {
	x := irisX()
	w := make([]float64, 150)
	var rows []float64
	for i := range 150 {
		w[i] = float64(i % 3)
		for range i % 3 {
			rows = append(rows, mat.Row(nil, i, x)...)
		}
	}
	y := mat.NewDense(len(rows)/4, 4, rows)
	a := mv.Model{K: 2, Covariance: mv.VVV}
	if _, err := a.Fit(x, &mv.Settings{Weights: w, Tol: 1e-13}); err != nil {
		t.Fatal(err)
	}
	b := mv.Model{K: 2, Covariance: mv.VVV}
	if _, err := b.Fit(y, &mv.Settings{Tol: 1e-13}); err != nil {
		t.Fatal(err)
	}
	la, _ := a.LogLikelihood(y)
	lb, _ := b.LogLikelihood(y)
	if math.Abs(la-lb) > 1e-6*math.Abs(lb) {
		t.Errorf("weighted fit's log-likelihood %v, repeated rows' %v", la, lb)
	}
}

// TestErrors checks that bad input gets an error saying what to do, that
// neither the model nor the data change, and that nothing panics.
func TestErrors(t *testing.T) {
	x := irisX()
	col := mat.NewDense(20, 3, nil)
	for i := range 20 {
		col.Set(i, 0, float64(i))
		col.Set(i, 1, 2*float64(i)+1) // collinear with column 0
		col.Set(i, 2, math.Sin(float64(i)))
	}
	rep := mat.NewDense(12, 2, nil)
	for i := range 12 {
		rep.Set(i, 0, float64(i%3))
		rep.Set(i, 1, float64(i%3*i%2))
	}
	wide := mat.NewDense(4, 6, nil)
	for i := range 4 {
		for j := range 6 {
			wide.Set(i, j, math.Cos(float64(i*6+j)))
		}
	}
	nan := mat.DenseCopyOf(x)
	nan.Set(7, 2, math.NaN())
	inf := mat.DenseCopyOf(x)
	inf.Set(3, 1, math.Inf(-1))
	huge := mat.DenseCopyOf(x)
	huge.Set(3, 1, 1e200)
	badScale := mv.DefaultPrior(x, 2)
	badScale.Scale = mat.NewSymDense(4, nil)
	for _, c := range []struct {
		name string
		m    mv.Model
		x    mat.Matrix
		s    *mv.Settings
		want string
	}{
		{"nil data", mv.Model{K: 2}, nil, nil, "nil"},
		{"empty", mv.Model{K: 2}, &mat.Dense{}, nil, "empty"},
		{"NaN", mv.Model{K: 2}, nan, nil, "x[7, 2] is NaN"},
		{"Inf", mv.Model{K: 2}, inf, nil, "x[3, 1] is -Inf"},
		{"huge", mv.Model{K: 2}, huge, nil, "divide the data"},
		{"K 0", mv.Model{K: 0}, x, nil, "at least 1"},
		{"K above n", mv.Model{K: 200}, x, nil, "fewer components"},
		{"unknown covariance", mv.Model{K: 2, Covariance: 14}, x, nil, "not a covariance model"},
		{"negative concentration", mv.Model{K: 2, Prior: mv.Prior{Concentration: -1}}, x, nil, "Concentration"},
		{"concentration below 1", mv.Model{K: 2, Prior: mv.Prior{Concentration: 0.5}}, x, nil, "1 or more"},
		{"singular prior scale", mv.Model{K: 2, Prior: badScale}, x, nil, "positive definite"},
		{"weights length", mv.Model{K: 2}, x, &mv.Settings{Weights: []float64{1}}, "one per point"},
		{"negative weight", mv.Model{K: 2}, x, &mv.Settings{Weights: slices.Repeat([]float64{-1}, 150)}, "non-negative"},
		{"collinear columns", mv.Model{K: 1, Covariance: mv.VVV}, col, nil, "collinear columns"},
		{"repeated rows", mv.Model{K: 3, Covariance: mv.VVV}, rep, nil, "singular"},
		{"d above n", mv.Model{K: 1, Covariance: mv.VVV}, wide, nil, "use a prior"},
		{"constant column", mv.Model{K: 1}, mat.NewDense(3, 2, []float64{1, 1, 2, 1, 3, 1}), nil, "column 1 is constant"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := c.m
			var data []float64
			if d, ok := c.x.(*mat.Dense); ok && d != nil && !d.IsEmpty() {
				data = slices.Clone(d.RawMatrix().Data)
			}
			_, err := c.m.Fit(c.x, c.s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if c.m.Weights != nil || c.m.Means != nil || c.m.K != before.K {
				t.Error("the model changed")
			}
			if d, ok := c.x.(*mat.Dense); ok && data != nil && !slices.EqualFunc(data, d.RawMatrix().Data, same) {
				t.Error("the data changed")
			}
		})
	}
}

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// TestPriorRescuesSingular checks that the data that make maximum
// likelihood fail fit under DefaultPrior, where no component can
// collapse.
func TestPriorRescuesSingular(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(40, 3, nil)
	for i := range 40 {
		u, v := rng.NormFloat64(), rng.NormFloat64()
		x.Set(i, 0, u)
		x.Set(i, 1, v)
		x.Set(i, 2, u+v) // collinear
	}
	m := mv.Model{K: 2, Covariance: mv.VVV}
	if _, err := m.Fit(x, nil); err == nil {
		t.Fatal("maximum likelihood fitted collinear columns")
	}
	p := mv.DefaultPrior(x, 2)
	// The data's covariance is singular; the prior needs a proper scale.
	p.Scale.SetSym(2, 2, p.Scale.At(2, 2)+0.1)
	m.Prior = p
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestDeterministic checks that a fit is bit-identical at GOMAXPROCS 1 and
// 2, on data large enough to be screened on a subsample.
func TestDeterministic(t *testing.T) {
	src := mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := src.Fit(irisX(), nil); err != nil {
		t.Fatal(err)
	}
	x, _, err := src.Sample(20000, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first *mv.Model
	for _, p := range []int{1, 2} {
		runtime.GOMAXPROCS(p)
		m := mv.Model{K: 3, Covariance: mv.VEV}
		if _, err := m.Fit(x, &mv.Settings{Seed: 9}); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = &m
			continue
		}
		if !slices.Equal(m.Weights, first.Weights) || !mat.Equal(m.Means, first.Means) {
			t.Errorf("GOMAXPROCS=%d: the fit differs from GOMAXPROCS=1", p)
		}
		for k := range 3 {
			if !mat.Equal(m.Covariances[k], first.Covariances[k]) {
				t.Errorf("GOMAXPROCS=%d: covariance %d differs", p, k)
			}
		}
	}
}

// TestConcurrentReads runs the read-only methods of one model from many
// goroutines; under -race it checks that they only read.
func TestConcurrentReads(t *testing.T) {
	x := irisX()
	m := mv.Model{K: 2, Covariance: mv.VVV}
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	want := m.Assign(x)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !slices.Equal(m.Assign(x), want) {
				t.Error("Assign differs")
			}
			m.LogDensity(x)
			m.Responsibilities(x)
			if _, err := m.BIC(x); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := mv.Model{K: 2}
	if _, err := m.FitContext(ctx, irisX(), nil); err != context.Canceled {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if m.Weights != nil {
		t.Error("the model changed")
	}
}

func TestReadsOnBadInput(t *testing.T) {
	x := irisX()
	m := mv.Model{K: 2, Covariance: mv.VVV}
	if (&m).Assign(x) != nil || m.LogDensity(x) != nil || m.Responsibilities(x) != nil {
		t.Error("an unfitted model reads")
	}
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	// Row 1 has an infinite value, row 2 misses every coordinate, row 3
	// misses one (a NaN is a missing value, read by the marginal density).
	y := mat.DenseCopyOf(x.Slice(0, 4, 0, 4))
	y.Set(1, 0, math.Inf(1))
	y.SetRow(2, []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()})
	y.Set(3, 2, math.NaN())
	if z := m.Assign(y); z[1] != -1 || z[2] != -1 || z[0] < 0 || z[3] < 0 {
		t.Errorf("Assign with bad rows: %v", z)
	}
	if lp := m.LogDensity(y); !math.IsNaN(lp[1]) || !math.IsNaN(lp[2]) || math.IsNaN(lp[0]) || math.IsNaN(lp[3]) {
		t.Errorf("LogDensity with bad rows: %v", lp)
	}
	if m.Assign(mat.NewDense(2, 3, nil)) != nil {
		t.Error("Assign read data with the wrong number of columns")
	}
	if _, err := m.LogLikelihood(y); err == nil {
		t.Error("LogLikelihood accepted a NaN")
	}
}

func TestSample(t *testing.T) {
	m := mv.Model{K: 2, Covariance: mv.VVV}
	if _, err := m.Fit(irisX(), nil); err != nil {
		t.Fatal(err)
	}
	x, z, err := m.Sample(200000, 3)
	if err != nil {
		t.Fatal(err)
	}
	// The sample mean of component 0's draws is within 5 standard errors
	// of μ_0 (standard error √(Σ_jj/n_0)).
	var n0 float64
	sum := make([]float64, 4)
	for i, k := range z {
		if k == 0 {
			n0++
			for j := range 4 {
				sum[j] += x.At(i, j)
			}
		}
	}
	for j := range 4 {
		se := math.Sqrt(m.Covariances[0].At(j, j) / n0)
		if d := sum[j]/n0 - m.Means.At(0, j); math.Abs(d) > 5*se {
			t.Errorf("column %d: sample mean off by %v, %v standard errors", j, d, d/se)
		}
	}
	if _, _, err := m.Sample(-1, 0); err == nil {
		t.Error("Sample(-1) did not fail")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	x := irisX()
	for _, m := range []mv.Model{
		{K: 3, Covariance: mv.VEV},
		{K: 2, Covariance: mv.EII, Prior: mv.DefaultPrior(x, 2)},
	} {
		if _, err := m.Fit(x, nil); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var r mv.Model
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Assign(x), m.Assign(x)) || !slices.Equal(r.LogDensity(x), m.LogDensity(x)) {
			t.Errorf("%v: the model read back differs", m.Covariance)
		}
	}
}

func TestJSONErrors(t *testing.T) {
	good := `{"k":1,"covariance":"VVV","weights":[1],"means":[[0,0]],"covariances":[[[1,0],[0,1]]],"prior":null}`
	var m mv.Model
	if err := json.Unmarshal([]byte(good), &m); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, in, want string }{
		{"missing key", `{"k":1,"covariance":"VVV","weights":[1],"means":[[0,0]],"prior":null}`, `"covariances" is missing`},
		{"bad name", strings.Replace(good, "VVV", "XYZ", 1), "unknown covariance"},
		{"not symmetric", strings.Replace(good, "[[1,0],[0,1]]", "[[1,0.5],[0,1]]", 1), "not symmetric"},
		{"short mean", strings.Replace(good, "[[0,0]]", "[[0]]", 1), "covariance 0 has"},
		{"null number", strings.Replace(good, "[1]", "[null]", 1), "null"},
		{"weights", strings.Replace(good, "[1]", "[0.5]", 1), "sum"},
		{"prior key", strings.Replace(good, `"prior":null`, `"prior":{"concentration":1}`, 1), "missing"},
		{"not diagonal", strings.Replace(strings.Replace(good, "VVV", "VVI", 1), "[[1,0],[0,1]]", "[[1,0.5],[0.5,1]]", 1), "diagonal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := m
			err := json.Unmarshal([]byte(c.in), &m)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if m.Covariance != before.Covariance || m.Means != before.Means {
				t.Error("the model changed")
			}
		})
	}
}

// mclustFit is one of mclust's fits read from testdata.
type mclustFit struct {
	model  mv.Model
	loglik float64
}

// readMclust reads mclust_iris_map.txt (see mclust_iris_map.R).
func readMclust(t *testing.T, x mat.Matrix) []mclustFit {
	b, err := os.ReadFile("testdata/mclust_iris_map.txt")
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
	var out []mclustFit
	for i := 0; i+3 < len(lines); i += 4 {
		head := strings.Fields(lines[i])
		c, err := mv.ParseCovariance(head[0])
		if err != nil {
			t.Fatal(err)
		}
		k, _ := strconv.Atoi(head[1])
		ll, _ := strconv.ParseFloat(head[2], 64)
		m := mv.Model{K: k, Covariance: c, Prior: mv.DefaultPrior(x, k), Weights: nums(lines[i+1]),
			Means: mat.NewDense(k, 4, nums(lines[i+2]))}
		s := nums(lines[i+3])
		for j := range k {
			m.Covariances = append(m.Covariances, mat.NewSymDense(4, s[16*j:16*(j+1)]))
		}
		// mclust's weights sum to 1 only to about 1e-11.
		var sum float64
		for _, w := range m.Weights {
			sum += w
		}
		for j := range m.Weights {
			m.Weights[j] /= sum
		}
		out = append(out, mclustFit{m, ll})
	}
	return out
}

// TestMAPAgainstMclust checks, for mclust's fits of iris with its default
// prior, that our log-likelihood of mclust's parameters is mclust's, to
// mclust's own tolerance 1e-5·(1 + |L|): mclust reports the log-likelihood
// of its last E-step, taken before its last M-step, and stops when a step
// changes it by less than that. It also checks that our MAP fit has a log joint
// density at least as high as mclust's parameters have (to 1e-9 relative,
// the accuracy of the convergence test).
func TestMAPAgainstMclust(t *testing.T) {
	x := irisX()
	for _, f := range readMclust(t, x) {
		t.Run(f.model.Covariance.String(), func(t *testing.T) {
			if err := f.model.Validate(); err != nil {
				t.Fatal(err)
			}
			ll, err := f.model.LogLikelihood(x)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(ll-f.loglik) > 1e-5*(1+math.Abs(f.loglik)) {
				t.Errorf("log-likelihood of mclust's fit: ours %.10f, mclust's %.10f", ll, f.loglik)
			}
			theirs, _ := f.model.LogJoint(x)
			m := mv.Model{K: f.model.K, Covariance: f.model.Covariance, Prior: f.model.Prior}
			if _, err := m.Fit(x, nil); err != nil {
				t.Fatal(err)
			}
			ours, _ := m.LogJoint(x)
			if ours < theirs-1e-9*math.Abs(theirs) {
				t.Errorf("log joint: ours %.6f, at mclust's fit %.6f", ours, theirs)
			}
		})
	}
}

// TestDefaultPriorAgainstMclust checks DefaultPrior against the
// hyperparameters mclust's priorControl() gives iris
// (testdata/mclust_iris_prior.txt), to 1e-14 relative: the same sums in
// another order over 150 rows.
func TestDefaultPriorAgainstMclust(t *testing.T) {
	b, err := os.ReadFile("testdata/mclust_iris_prior.txt")
	if err != nil {
		t.Fatal(err)
	}
	x := irisX()
	rows := 0
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		var v []float64
		for _, f := range strings.Fields(l) {
			n, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatal(err)
			}
			v = append(v, n)
		}
		rows++
		k := int(v[0])
		p := mv.DefaultPrior(x, k)
		near := func(what string, got, want float64) {
			if math.Abs(got-want) > 1e-14*math.Abs(want) {
				t.Errorf("K=%d %s: %v, mclust's %v", k, what, got, want)
			}
		}
		near("DoF", p.DoF, v[1])
		near("Shrinkage", p.Shrinkage, v[2])
		for j := range 4 {
			near("MeanLoc", p.MeanLoc[j], v[3+j])
			for l := range 4 {
				near("Scale", p.Scale.At(j, l), v[7+4*j+l])
			}
		}
	}
	if rows != 4 {
		t.Fatalf("read %d rows, want 4", rows)
	}
}
