package mv_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// fitted returns a model fitted to iris's four columns.
func fitted(t testing.TB, k int, c mv.Covariance, prior bool) mv.Model {
	t.Helper()
	x := irisX()
	m := mv.Model{K: k, Covariance: c}
	if prior {
		m.Prior = mv.DefaultPrior(x, k)
	}
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	return m
}

// shifted returns iris's rows moved by off in every coordinate, with
// random weights.
func shifted(off float64, seed uint64) (*mat.Dense, []float64) {
	x := irisX()
	y := mat.NewDense(150, 4, nil)
	y.Apply(func(_, _ int, v float64) float64 { return v + off }, x)
	rng := rand.New(rand.NewPCG(seed, 0))
	w := make([]float64, 150)
	for i := range w {
		w[i] = 2 * rng.Float64()
	}
	return y, w
}

// rowsOf returns rows lo..hi−1 of x.
func rowsOf(x *mat.Dense, lo, hi int) *mat.Dense {
	return x.Slice(lo, hi, 0, 4).(*mat.Dense)
}

// TestStatsMergeIsOnePass checks that statistics accumulated on chunks of
// the data, into one Stats or into several merged in any grouping, equal
// those of one pass over all the rows, and that both equal the sums
// written out point by point in two passes (mean first, then the centred
// second moments). The data sit at 10⁶ from zero, where uncentred sums
// would lose 12 of 16 digits. Tolerances: the sums are over 150 points,
// each step rounding 1.1e-16 relative to the sum of magnitudes, so 1e-12
// relative to that scale leaves a margin of about 50. A merge adds to M2
// the term δδᵀab/(a+b), with δ the difference of two means held to
// ε·10⁶ absolute (ε = 1.1e-16), so each of the up to 4 merges on a path
// may add 2ε·10⁶·|δ_a δ_b|^½·W ≤ 2ε·10⁶·(M2_aa M2_bb)^½ more (|δ| within
// the component's spread), which the M2 tolerance adds.
func TestStatsMergeIsOnePass(t *testing.T) {
	for _, c := range []mv.Covariance{mv.VVV, mv.EII} {
		m := fitted(t, 3, c, false)
		// Move the model with the data, so that the responsibilities stay.
		const off = 1e6
		x, w := shifted(off, 1)
		m.Means.Apply(func(_, _ int, v float64) float64 { return v + off }, m.Means)

		one := mv.NewStats(3, 4)
		if err := m.Accumulate(one, x, w); err != nil {
			t.Fatal(err)
		}
		chunked := mv.NewStats(3, 4)
		var parts []*mv.Stats
		for lo := 0; lo < 150; lo += 37 {
			hi := min(lo+37, 150)
			if err := m.Accumulate(chunked, rowsOf(x, lo, hi), w[lo:hi]); err != nil {
				t.Fatal(err)
			}
			p := mv.NewStats(3, 4)
			if err := m.Accumulate(p, rowsOf(x, lo, hi), w[lo:hi]); err != nil {
				t.Fatal(err)
			}
			parts = append(parts, p)
		}
		// Merge the parts as a tree: (0+1) + (2+(3+4)).
		if err := parts[0].Merge(parts[1]); err != nil {
			t.Fatal(err)
		}
		if err := parts[3].Merge(parts[4]); err != nil {
			t.Fatal(err)
		}
		if err := parts[2].Merge(parts[3]); err != nil {
			t.Fatal(err)
		}
		if err := parts[0].Merge(parts[2]); err != nil {
			t.Fatal(err)
		}
		want := naiveStats(m, x, w)
		for name, got := range map[string]*mv.Stats{"one pass": one, "chunks": chunked, "merged": parts[0]} {
			compareStats(t, c.String()+" "+name, got, want, 1e-12, 4*2*1.1e-16*off)
		}
	}
}

// naiveStats is the definition of Stats written out point by point, with
// the responsibilities from the model's Responsibilities and log density
// from LogDensity; the scales of each sum (sums of magnitudes) are in the
// second return value.
func naiveStats(m mv.Model, x *mat.Dense, w []float64) (want [2]*mv.Stats) {
	n, d := x.Dims()
	r := m.Responsibilities(x)
	lp := m.LogDensity(x)
	st, sc := mv.NewStats(m.K, d), mv.NewStats(m.K, d)
	for i := range n {
		st.Total += w[i]
		st.LogLik += w[i] * lp[i]
		sc.LogLik += math.Abs(w[i] * lp[i])
		rmax := slices.Max(mat.Row(nil, i, r))
		st.Hard -= w[i] * math.Log(rmax)
		for k := range m.K {
			vr := w[i] * r.At(i, k)
			st.W[k] += vr
			for a := range d {
				st.Mean[k*d+a] += vr * x.At(i, a)
			}
		}
	}
	sc.Total, sc.Hard = st.Total, st.Total+st.Hard
	for k := range m.K {
		sc.W[k] = st.Total
		for a := range d {
			st.Mean[k*d+a] /= st.W[k]
			sc.Mean[k*d+a] = math.Abs(st.Mean[k*d+a])
		}
	}
	for i := range n {
		for k := range m.K {
			vr := w[i] * r.At(i, k)
			for a := range d {
				for b := range d {
					v := vr * (x.At(i, a) - st.Mean[k*d+a]) * (x.At(i, b) - st.Mean[k*d+b])
					st.M2[k*d*d+a*d+b] += v
					sc.M2[k*d*d+a*d+b] += math.Abs(v)
				}
			}
		}
	}
	return [2]*mv.Stats{st, sc}
}

func compareStats(t *testing.T, what string, got *mv.Stats, want [2]*mv.Stats, tol, merge float64) {
	t.Helper()
	w, sc := want[0], want[1]
	check := func(field string, g, v, s float64, extra ...float64) {
		t.Helper()
		bound := tol * s
		for _, e := range extra {
			bound += e
		}
		if !(math.Abs(g-v) <= bound) {
			t.Errorf("%s: %s is %.17g, want %.17g (scale %.3g)", what, field, g, v, s)
		}
	}
	check("Total", got.Total, w.Total, sc.Total)
	check("LogLik", got.LogLik, w.LogLik, sc.LogLik)
	check("Hard", got.Hard, w.Hard, sc.Hard)
	for i := range w.W {
		check("W", got.W[i], w.W[i], sc.W[i])
	}
	for i := range w.Mean {
		check("Mean", got.Mean[i], w.Mean[i], sc.Mean[i])
	}
	d := w.D
	for k := range w.K {
		for a := range d {
			for b := range d {
				i := k*d*d + a*d + b
				check("M2", got.M2[i], w.M2[i], sc.M2[i], merge*math.Sqrt(w.M2[k*d*d+a*d+a]*w.M2[k*d*d+b*d+b]))
			}
		}
	}
}

// TestUpdateClosedForm checks Update against the closed-form M-steps
// under maximum likelihood (Celeux & Govaert 1995): w_k = W_k/Total,
// μ_k = m_k, and Σ_k = M2_k/W_k for VVV, Σ_k M2_k/Total for EEE, and
// λI with λ = Σ_k tr M2_k/(d·Total) for EII. The only difference is the
// order of a few additions, so 1e-12 relative.
func TestUpdateClosedForm(t *testing.T) {
	x := irisX()
	for _, c := range []mv.Covariance{mv.VVV, mv.EEE, mv.EII} {
		m := fitted(t, 3, c, false)
		st := mv.NewStats(3, 4)
		if err := m.Accumulate(st, x, nil); err != nil {
			t.Fatal(err)
		}
		if err := m.Update(st); err != nil {
			t.Fatal(err)
		}
		near := func(what string, got, want float64) {
			t.Helper()
			if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%v: %s is %.17g, want %.17g", c, what, got, want)
			}
		}
		var tr float64
		pooled := make([]float64, 16)
		for k := range 3 {
			tr += st.M2[k*16] + st.M2[k*16+5] + st.M2[k*16+10] + st.M2[k*16+15]
			for i := range 16 {
				pooled[i] += st.M2[k*16+i]
			}
		}
		for k := range 3 {
			near("weight", m.Weights[k], st.W[k]/st.Total)
			for a := range 4 {
				near("mean", m.Means.At(k, a), st.Mean[k*4+a])
				for b := range 4 {
					var want float64
					switch c {
					case mv.VVV:
						want = st.M2[k*16+a*4+b] / st.W[k]
					case mv.EEE:
						want = pooled[a*4+b] / st.Total
					case mv.EII:
						if a == b {
							want = tr / (4 * st.Total)
						}
					}
					near("covariance", m.Covariances[k].At(a, b), want)
				}
			}
		}
	}
}

// TestUpdateIsFitsStep checks that at a fitted model's parameters one
// Accumulate and Update, with or without a prior, leaves the parameters
// where the fit put them: the fit's optimum is a fixed point of the EM
// map, which is what Update makes. Fit stops when a step lowers the loss
// by at most Tol·(|L| + n); at Tol = 1e-13 the parameters are then within
// about 1e-6 relative of the fixed point (the loss is quadratic in them
// near the optimum, so a loss change of 1e-13·|L| allows a parameter
// change of order √1e-13 ≈ 3e-7).
func TestUpdateIsFitsStep(t *testing.T) {
	x := irisX()
	for _, c := range []mv.Covariance{mv.VVV, mv.VEV, mv.EVE} {
		for _, prior := range []bool{false, true} {
			m := mv.Model{K: 2, Covariance: c}
			if prior {
				m.Prior = mv.DefaultPrior(x, 2)
			}
			if _, err := m.Fit(x, &mv.Settings{Tol: 1e-13}); err != nil {
				t.Fatal(err)
			}
			u := clone(m)
			st := mv.NewStats(2, 4)
			if err := u.Accumulate(st, x, nil); err != nil {
				t.Fatal(err)
			}
			if err := u.Update(st); err != nil {
				t.Fatal(err)
			}
			if d := relDiff(m, u); d > 1e-6 {
				t.Errorf("%v prior=%v: Update moves the fit by %.3g relative", c, prior, d)
			}
		}
	}
}

// relDiff returns the largest difference between two models' parameters,
// relative to the size of each kind.
func relDiff(a, b mv.Model) float64 {
	var d float64
	for k := range a.K {
		d = math.Max(d, math.Abs(a.Weights[k]-b.Weights[k]))
		d = math.Max(d, mat.Norm(diff(a.Means.RowView(k), b.Means.RowView(k)), math.Inf(1))/math.Max(1, mat.Norm(a.Means.RowView(k), math.Inf(1))))
		var s mat.Dense
		s.Sub(a.Covariances[k], b.Covariances[k])
		d = math.Max(d, mat.Norm(&s, math.Inf(1))/mat.Norm(a.Covariances[k], math.Inf(1)))
	}
	return d
}

func diff(a, b mat.Vector) mat.Vector {
	var v mat.VecDense
	v.SubVec(a, b)
	return &v
}

// TestZeroStatsIsIdentity checks that the zero Stats{} and NewStats(k, d)
// merge as the identity on either side, and that Accumulate fills in a
// zero Stats{}: the results equal the statistics themselves, bit for bit.
func TestZeroStatsIsIdentity(t *testing.T) {
	m := fitted(t, 2, mv.VVV, false)
	x := irisX()
	want := mv.NewStats(2, 4)
	if err := m.Accumulate(want, x, nil); err != nil {
		t.Fatal(err)
	}
	same := func(what string, got *mv.Stats) {
		t.Helper()
		a, _ := got.MarshalBinary()
		b, _ := want.MarshalBinary()
		if !slices.Equal(a, b) {
			t.Errorf("%s differs from the statistics", what)
		}
	}
	var z mv.Stats
	if err := m.Accumulate(&z, x, nil); err != nil {
		t.Fatal(err)
	}
	same("Accumulate into Stats{}", &z)
	for name, id := range map[string]func() *mv.Stats{"Stats{}": func() *mv.Stats { return &mv.Stats{} }, "NewStats": func() *mv.Stats { return mv.NewStats(2, 4) }} {
		l := id()
		if err := l.Merge(want); err != nil {
			t.Fatal(err)
		}
		same(name+" merged with the statistics", l)
		r := clone2(want)
		if err := r.Merge(id()); err != nil {
			t.Fatal(err)
		}
		same("the statistics merged with "+name, r)
	}
}

func clone2(st *mv.Stats) *mv.Stats {
	c := *st
	c.W, c.Mean, c.M2 = slices.Clone(st.W), slices.Clone(st.Mean), slices.Clone(st.M2)
	return &c
}

// TestStatsBinaryRoundTrip checks that MarshalBinary and UnmarshalBinary
// give back the same statistics, bit for bit.
func TestStatsBinaryRoundTrip(t *testing.T) {
	m := fitted(t, 3, mv.VEV, false)
	st := mv.NewStats(3, 4)
	if err := m.Accumulate(st, irisX(), nil); err != nil {
		t.Fatal(err)
	}
	b, err := st.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got mv.Stats
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if got.K != st.K || got.D != st.D || got.Total != st.Total || got.LogLik != st.LogLik || got.Hard != st.Hard ||
		!slices.Equal(got.W, st.W) || !slices.Equal(got.Mean, st.Mean) || !slices.Equal(got.M2, st.M2) {
		t.Errorf("round trip changed the statistics:\n%+v\n%+v", got, *st)
	}
}

// TestStatsErrors checks that bad statistics, data and encodings get
// errors that say what is wrong, leaving the receiver as it was.
func TestStatsErrors(t *testing.T) {
	m := fitted(t, 2, mv.VVV, false)
	x := irisX()
	good := func() *mv.Stats {
		st := mv.NewStats(2, 4)
		if err := m.Accumulate(st, x, nil); err != nil {
			t.Fatal(err)
		}
		return st
	}
	enc, _ := good().MarshalBinary()
	inf := mat.DenseCopyOf(x)
	inf.Set(3, 1, math.Inf(-1))
	for _, c := range []struct {
		name, want string
		run        func() error
	}{
		{"accumulate wrong K", "NewStats(2, 4)", func() error { return m.Accumulate(mv.NewStats(3, 4), x, nil) }},
		{"accumulate bad stats", "NewStats", func() error { return m.Accumulate(&mv.Stats{K: 2, D: 4}, x, nil) }},
		{"accumulate nil stats", "NewStats", func() error { return m.Accumulate(nil, x, nil) }},
		{"accumulate Inf", "finite", func() error { return m.Accumulate(mv.NewStats(2, 4), inf, nil) }},
		{"accumulate negative weight", "non-negative", func() error {
			w := make([]float64, 150)
			w[7] = -1
			return m.Accumulate(mv.NewStats(2, 4), x, w)
		}},
		{"accumulate short weights", "one per point", func() error { return m.Accumulate(mv.NewStats(2, 4), x, []float64{1}) }},
		{"accumulate unfitted", "fit it first", func() error { return (&mv.Model{K: 2}).Accumulate(mv.NewStats(2, 4), x, nil) }},
		{"merge mismatched", "same model", func() error { return good().Merge(mv.NewStats(2, 3)) }},
		{"merge negative W", "finite and ≥ 0", func() error {
			o := good()
			o.W[0] = -1
			return good().Merge(o)
		}},
		{"update empty", "Total is 0", func() error { u := clone(m); return u.Update(mv.NewStats(2, 4)) }},
		{"update wrong K", "K = 2", func() error { u := mv.Model{K: 3, Covariance: mv.VVV}; return u.Update(good()) }},
		{"update singular", "singular", func() error {
			st := good()
			clear(st.M2[:16])
			u := clone(m)
			return u.Update(st)
		}},
		{"unmarshal short", "at least 9", func() error { var s mv.Stats; return s.UnmarshalBinary(enc[:5]) }},
		{"unmarshal version", "version", func() error {
			b := slices.Clone(enc)
			b[0] = 9
			var s mv.Stats
			return s.UnmarshalBinary(b)
		}},
		{"unmarshal truncated", "bytes; want", func() error { var s mv.Stats; return s.UnmarshalBinary(enc[:len(enc)-1]) }},
		{"unmarshal huge K", "from 1 to", func() error {
			b := slices.Clone(enc)
			b[4] = 0x7f
			var s mv.Stats
			return s.UnmarshalBinary(b)
		}},
		{"unmarshal NaN", "not finite", func() error {
			b := slices.Clone(enc)
			for i := len(b) - 8; i < len(b); i++ {
				b[i] = 0xff
			}
			var s mv.Stats
			return s.UnmarshalBinary(b)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := clone(m)
			err := c.run()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
			if relDiff(before, m) != 0 {
				t.Error("the model changed")
			}
		})
	}
}

// FuzzUnmarshalBinary feeds UnmarshalBinary arbitrary bytes: it must
// return an error or valid statistics that encode back to the same bytes,
// and never panic.
func FuzzUnmarshalBinary(f *testing.F) {
	m := fitted(f, 2, mv.VVV, false)
	st := mv.NewStats(2, 4)
	if err := m.Accumulate(st, irisX(), nil); err != nil {
		f.Fatal(err)
	}
	enc, _ := st.MarshalBinary()
	f.Add(enc)
	one, _ := mv.NewStats(1, 1).MarshalBinary()
	f.Add(one)
	f.Add([]byte{1, 0, 0, 0, 0})
	f.Add([]byte{1, 255, 255, 0, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s mv.Stats
		if err := s.UnmarshalBinary(b); err != nil {
			if s.K != 0 || s.W != nil {
				t.Fatal("a failed UnmarshalBinary changed the Stats")
			}
			return
		}
		back, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded Stats do not encode: %v", err)
		}
		if !slices.Equal(back, b) {
			t.Fatal("decoded Stats encode to other bytes")
		}
		if err := s.Merge(&s); err != nil {
			t.Fatalf("decoded Stats do not merge: %v", err)
		}
	})
}

// TestSelectHonoursWeights checks that Select with weights 0, 1 and 2 on
// iris's rows gives the table of Select on the rows written that many
// times: the same log-likelihoods and BIC (whose n is the total weight),
// to the tolerance of fits that converge separately (1e-6 relative, as in
// TestWeightTwoIsRepeat), and that with missing values allowed it fits
// and scores rows with NaN.
func TestSelectHonoursWeights(t *testing.T) {
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
	ss := func(fit *mv.Settings) *mv.SelectSettings {
		return &mv.SelectSettings{Ks: []int{1, 2, 3}, Covariances: []mv.Covariance{mv.VVV, mv.EEE}, Fit: fit}
	}
	a, err := mv.Select(x, ss(&mv.Settings{Weights: w, Tol: 1e-13}))
	if err != nil {
		t.Fatal(err)
	}
	b, err := mv.Select(y, ss(&mv.Settings{Tol: 1e-13}))
	if err != nil {
		t.Fatal(err)
	}
	for i, ca := range a.Candidates {
		cb := b.Candidates[i]
		if math.Abs(ca.LogLikelihood-cb.LogLikelihood) > 1e-6*math.Abs(cb.LogLikelihood) || math.Abs(ca.BIC-cb.BIC) > 1e-6*math.Abs(cb.BIC) {
			t.Errorf("K = %d %v: weighted log L %.8g BIC %.8g, repeated rows %.8g %.8g", ca.K, ca.Covariance, ca.LogLikelihood, ca.BIC, cb.LogLikelihood, cb.BIC)
		}
	}
	z := mcar(x, 0.1, 5)
	sel, err := mv.Select(z, ss(&mv.Settings{AllowMissing: true}))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sel.Candidates {
		if c.Err != nil || math.IsNaN(c.BIC) {
			t.Errorf("K = %d %v with missing values: %v, BIC %v", c.K, c.Covariance, c.Err, c.BIC)
		}
	}
}
