package gmm_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
)

// plainStats computes the statistics of x weighted by w at m's parameters
// the plain way, from Responsibilities and two passes per component (the
// weighted mean, then the squared deviations about it), with math.Log of
// LogDensity for the log-likelihood: an independent reference for the
// kernel, the centring and the merges. abs returns the sums of the
// magnitudes of the terms of each sum, which bound their rounding.
func plainStats(m *gmm.Model, x, w []float64) (st, abs *gmm.Stats) {
	K := m.K
	st, abs = gmm.NewStats(K), gmm.NewStats(K)
	r := m.Responsibilities(x)
	v := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	for i, xi := range x {
		st.Total += v(i)
		ll := v(i) * m.LogDensity(xi)
		st.LogLik += ll
		abs.LogLik += math.Abs(ll)
		for k := range K {
			st.W[k] += v(i) * r[i][k]
			st.Mean[k] += v(i) * r[i][k] * xi
			abs.Mean[k] += v(i) * r[i][k] * math.Abs(xi)
		}
	}
	for k := range K {
		st.Mean[k] /= st.W[k]
		abs.Mean[k] /= st.W[k]
	}
	for i, xi := range x {
		for k := range K {
			d := xi - st.Mean[k]
			st.M2[k] += v(i) * r[i][k] * d * d
			abs.M2[k] += v(i) * r[i][k] * (d*d + math.Abs(d)*abs.Mean[k])
		}
	}
	return st, abs
}

// TestStatsMergedMatchOnePass accumulates data in one call and in random
// pieces merged in random order, and compares both with plainStats.
func TestStatsMergedMatchOnePass(t *testing.T) {
	for _, tt := range []struct {
		name   string
		offset float64 // added to the data and the means: sums far from zero
		scale  float64
		weight bool
	}{
		{"unit", 0, 1, false},
		{"weighted", 0, 1, true},
		{"far from zero", 1e8, 1, false},
		{"tiny spread far from zero, weighted", 1e3, 1e-9, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := mixture3
			m := &gmm.Model{K: 3, Weights: base.Weights, Means: make([]float64, 3), Sigmas: make([]float64, 3)}
			for k := range 3 {
				m.Means[k] = tt.offset + tt.scale*base.Means[k]
				m.Sigmas[k] = tt.scale * base.Sigmas[k]
			}
			x, _, err := m.Sample(20000, 3)
			if err != nil {
				t.Fatal(err)
			}
			// The fitted-to model is a little off the sampled one, as in an
			// EM step.
			at := &gmm.Model{K: 3, Weights: []float64{0.35, 0.45, 0.2}, Means: make([]float64, 3), Sigmas: make([]float64, 3)}
			for k := range 3 {
				at.Means[k] = m.Means[k] + 0.2*tt.scale
				at.Sigmas[k] = 1.1 * m.Sigmas[k]
			}
			rng := rand.New(rand.NewPCG(5, 0))
			var w []float64
			if tt.weight {
				w = make([]float64, len(x))
				for i := range w {
					w[i] = 3 * rng.Float64()
				}
			}
			one := gmm.NewStats(3)
			if err := at.Accumulate(one, x, w); err != nil {
				t.Fatal(err)
			}
			// Pieces of random sizes, merged pairwise from the right.
			var parts []*gmm.Stats
			for lo := 0; lo < len(x); {
				hi := min(lo+1+rng.IntN(3000), len(x))
				var wp []float64
				if w != nil {
					wp = w[lo:hi]
				}
				p := &gmm.Stats{}
				if err := at.Accumulate(p, x[lo:hi], wp); err != nil {
					t.Fatal(err)
				}
				parts = append(parts, p)
				lo = hi
			}
			for len(parts) > 1 {
				j := rng.IntN(len(parts) - 1)
				if err := parts[j].Merge(parts[j+1]); err != nil {
					t.Fatal(err)
				}
				parts = append(parts[:j+1], parts[j+2:]...)
			}
			want, abs := plainStats(at, x, w)
			// Each sum holds n = 20000 terms, each within a few ulps of
			// exact in both (the kernel's exp and math.Exp); summed in any
			// order they err by at most n·ε times the sum of the terms'
			// magnitudes (Higham 2002, §4.2). The centred M2 carries the
			// error of the mean times the deviations, which abs.M2 holds.
			// 2n·ε allows both sides their share.
			tol := func(a float64) float64 { return 2 * 20000 * 0x1p-52 * a }
			for _, got := range []struct {
				name string
				st   *gmm.Stats
			}{{"one call", one}, {"merged pieces", parts[0]}} {
				check := func(what string, g, w, a float64) {
					if d := math.Abs(g - w); !(d <= tol(a)) {
						t.Errorf("%s: %s = %.17g, plain %.17g (difference %.3g, tolerance %.3g)", got.name, what, g, w, d, tol(a))
					}
				}
				check("Total", got.st.Total, want.Total, want.Total)
				check("LogLik", got.st.LogLik, want.LogLik, abs.LogLik)
				for k := range 3 {
					check("W", got.st.W[k], want.W[k], want.W[k])
					check("Mean", got.st.Mean[k], want.Mean[k], abs.Mean[k])
					check("M2", got.st.M2[k], want.M2[k], abs.M2[k])
				}
			}
		})
	}
}

// TestUpdateMatchesClosedForm checks Update against the EM formulas
// evaluated directly on the responsibilities, under maximum likelihood and
// under the conjugate prior on σ², and that the step does not lower the
// log joint.
func TestUpdateMatchesClosedForm(t *testing.T) {
	x, _, err := mixture3.Sample(5000, 8)
	if err != nil {
		t.Fatal(err)
	}
	start := gmm.Model{K: 3, Weights: []float64{0.2, 0.3, 0.5}, Means: []float64{-1, 0.5, 4}, Sigmas: []float64{1.2, 1, 1}}
	pr := gmm.DefaultPrior(x)
	pr.OnVariance, pr.SigmaScale = true, pr.SigmaScale*pr.SigmaScale
	for _, tt := range []struct {
		name  string
		prior gmm.Prior
	}{{"maximum likelihood", gmm.Prior{}}, {"prior on σ²", pr}} {
		t.Run(tt.name, func(t *testing.T) {
			m := start
			m.Prior = tt.prior
			m.Weights, m.Means, m.Sigmas = slices.Clone(start.Weights), slices.Clone(start.Means), slices.Clone(start.Sigmas)
			before, err := m.LogJoint(x)
			if err != nil {
				t.Fatal(err)
			}
			r := m.Responsibilities(x)
			st := gmm.NewStats(3)
			if err := m.Accumulate(st, x, nil); err != nil {
				t.Fatal(err)
			}
			old := m
			old.Means, old.Sigmas = slices.Clone(m.Means), slices.Clone(m.Sigmas)
			if err := m.Update(st); err != nil {
				t.Fatal(err)
			}
			n := float64(len(x))
			p := tt.prior
			for k := range 3 {
				var N, S1 float64
				for i := range x {
					N += r[i][k]
					S1 += r[i][k] * x[i]
				}
				w, mu := N/n, S1/N
				if !p.IsZero() {
					w = (N + p.Concentration - 1) / (n + 3*p.Concentration - 3)
					s2 := old.Sigmas[k] * old.Sigmas[k]
					mu = (S1/s2 + p.MeanLoc/(p.MeanScale*p.MeanScale)) / (N/s2 + 1/(p.MeanScale*p.MeanScale))
				}
				var S float64
				for i := range x {
					S += r[i][k] * (x[i] - mu) * (x[i] - mu)
				}
				sd := math.Sqrt(S / N)
				if !p.IsZero() {
					sd = math.Sqrt((S + 2*p.SigmaScale) / (N + 2*p.SigmaShape + 2))
				}
				// The direct sums and the kernel's differ by rounding of
				// 5000 terms, ~5000·ε ≈ 1e-12 relative; the weights are
				// renormalised after the update.
				for _, c := range []struct {
					name      string
					got, want float64
				}{{"weight", m.Weights[k], w}, {"mean", m.Means[k], mu}, {"sigma", m.Sigmas[k], sd}} {
					if math.Abs(c.got-c.want) > 1e-11*math.Abs(c.want) {
						t.Errorf("%s %d = %.15g, closed form %.15g", c.name, k, c.got, c.want)
					}
				}
			}
			after, err := m.LogJoint(x)
			if err != nil {
				t.Fatal(err)
			}
			if !(after >= before) {
				t.Errorf("log joint fell from %v to %v", before, after)
			}
		})
	}
}

func TestStatsBinaryRoundTrip(t *testing.T) {
	x, _, err := mixture3.Sample(1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	st := &gmm.Stats{}
	if err := mixture3.Accumulate(st, x, nil); err != nil {
		t.Fatal(err)
	}
	b, err := st.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got gmm.Stats
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	b2, err := got.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) || got.Total != st.Total || got.LogLik != st.LogLik || got.M2[2] != st.M2[2] {
		t.Errorf("round trip changed the statistics: %+v, want %+v", got, st)
	}
	for _, tt := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "at least"},
		{"version", append([]byte{2}, b[1:]...), "version 2"},
		{"short", b[:len(b)-1], "expected"},
		{"negative weight", func() []byte {
			c := bytes.Clone(b)
			c[1+4+16+7] = 0xbf // W[0]'s sign and exponent: −0.x
			return c
		}(), "non-negative"},
	} {
		s := gmm.NewStats(1)
		if err := s.UnmarshalBinary(tt.b); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		} else if len(s.W) != 1 {
			t.Errorf("%s: a failed UnmarshalBinary changed the Stats", tt.name)
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	st := gmm.NewStats(2)
	st.Total, st.LogLik = 10, -12.5
	st.W[0], st.W[1], st.Mean[1], st.M2[0] = 4, 6, 3, 2
	b, _ := st.MarshalBinary()
	f.Add(b)
	f.Add([]byte{1, 0, 0, 0, 0})
	f.Add(append([]byte{1, 1, 0, 0, 0}, make([]byte, 40)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s gmm.Stats
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		// What it accepts is valid: it merges, and writes back the bytes
		// it read.
		c := gmm.Stats{}
		if err := c.Merge(&s); err != nil {
			t.Fatalf("accepted Stats do not merge: %v", err)
		}
		out, err := s.MarshalBinary()
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("round trip: %x, %v; read %x", out, err, b)
		}
	})
}

func TestStatsErrors(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	m := mixture3
	for _, tt := range []struct {
		name string
		err  func() error
		want string
	}{
		{"unfitted", func() error { return (&gmm.Model{K: 2}).Accumulate(&gmm.Stats{}, x, nil) }, "fit it first"},
		{"weights length", func() error { return m.Accumulate(&gmm.Stats{}, x, []float64{1}) }, "one weight per point"},
		{"negative weight", func() error { return m.Accumulate(&gmm.Stats{}, x, []float64{1, -1, 1, 1}) }, "non-negative"},
		{"NaN weight", func() error { return m.Accumulate(&gmm.Stats{}, x, []float64{1, math.NaN(), 1, 1}) }, "non-negative"},
		{"NaN data", func() error { return m.Accumulate(&gmm.Stats{}, []float64{math.NaN()}, nil) }, "non-finite"},
		{"other K", func() error { return m.Accumulate(gmm.NewStats(2), x, nil) }, "components"},
		{"merge other K", func() error {
			a, b := gmm.NewStats(2), gmm.NewStats(3)
			b.Total, b.W[0] = 1, 1
			return a.Merge(b)
		}, "components"},
		{"update empty", func() error { mm := mixture3; return mm.Update(gmm.NewStats(3)) }, "no weight"},
	} {
		if err := tt.err(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
	// Empty statistics are the identity of Merge.
	a := &gmm.Stats{}
	if err := m.Accumulate(a, x, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := a.MarshalBinary()
	for _, e := range []*gmm.Stats{{}, gmm.NewStats(3)} {
		if err := a.Merge(e); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := a.MarshalBinary(); !bytes.Equal(b, c) {
		t.Error("merging empty Stats changed the statistics")
	}
}

// TestMergeBillionPoints merges 1000 shards of a million unit-weight points
// each, 10^9 in all, whose means lie near 10^8 with a spread of 0.3 between
// shards and a standard deviation of 1 within: the centred update keeps
// the pooled M2, about 1.1e9, where raw sums Σx² ≈ 10^25 would cancel to
// nothing (their rounding, 10^25·ε ≈ 2e9, exceeds it).
func TestMergeBillionPoints(t *testing.T) {
	const shards, per = 1000, 1e6
	st := &gmm.Stats{}
	mean := make([]float64, shards)
	for i := range shards {
		mean[i] = 1e8 + float64((i*7919)%shards)*1e-3
		o := &gmm.Stats{Total: per, W: []float64{per}, Mean: []float64{mean[i]}, M2: []float64{per}}
		if err := st.Merge(o); err != nil {
			t.Fatal(err)
		}
	}
	// The reference in offsets from 1e8, exact in float64 (the means lie
	// within a factor 2 of it), and small enough that two passes lose
	// nothing that matters.
	var c float64
	for _, m := range mean {
		c += m - 1e8
	}
	c /= shards
	want := shards * per // the M2 within shards
	for _, m := range mean {
		d := (m - 1e8) - c
		want += per * d * d
	}
	// Each merge rounds the running mean, near 1e8, to half an ulp,
	// 7.5e-9; the errors walk to about √1000·7.5e-9 ≈ 2.4e-7 and enter M2
	// through 2·W·δ·error ≤ 2·1e9·0.5·7.5e-9 ≈ 7.5, 7e-9 of it: 1e-8
	// relative holds that bound (2.6e-10 measured), 10^8 times tighter
	// than the raw sums could be.
	t.Logf("relative error of M2 %.3g, of the mean %.3g", math.Abs(st.M2[0]-want)/want, math.Abs(st.Mean[0]-(1e8+c))/1e8)
	if d := math.Abs(st.M2[0] - want); d > 1e-8*want || math.Abs(st.Mean[0]-(1e8+c)) > 1e-6 || st.W[0] != shards*per {
		t.Errorf("merged W %v, mean %.10f, M2 %.10g; want %v, %.10f, %.10g", st.W[0], st.Mean[0], st.M2[0], shards*per, 1e8+c, want)
	}
}
