package mv_test

import (
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// faithful returns R's faithful data, 272 eruptions of Old Faithful: their
// duration and the waiting time before them, in minutes (Härdle 1991).
func faithful(tb testing.TB) *mat.Dense {
	tb.Helper()
	f, err := os.Open("testdata/faithful.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	x := mat.NewDense(len(recs)-1, 2, nil)
	for i, r := range recs[1:] {
		for j, s := range r {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				tb.Fatal(err)
			}
			x.Set(i, j, v)
		}
	}
	return x
}

var models4 = []mv.Covariance{mv.Full, mv.Tied, mv.Diagonal, mv.Spherical}

// separated returns n points from two well-separated clusters in two
// dimensions, 10 standard deviations apart.
func separated(tb testing.TB, n int, seed uint64) *mat.Dense {
	tb.Helper()
	gen := &mv.Model{K: 2, Covariance: mv.Full, Weights: []float64{0.4, 0.6},
		Means:       mat.NewDense(2, 2, []float64{0, 0, 10, 3}),
		Covariances: []*mat.SymDense{mat.NewSymDense(2, []float64{1, 0.5, 0.5, 2}), mat.NewSymDense(2, []float64{1.5, -0.3, -0.3, 1})}}
	x, _, err := gen.Sample(n, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return x
}

// TestPosteriorGibbsMatchesVB compares the two methods where mean-field VB
// is known to be accurate: clusters so well separated that every label is
// certain, where q(z) q(w) q(μ, Σ) factorises as the posterior does, and
// q(μ_k, Σ_k) is the exact conditional. Posterior means must agree within
// 0.1 posterior standard deviations plus 4 Monte Carlo standard errors of
// the Gibbs mean (SD/√ESS), and the standard deviations within 10% (the
// relative error of an SD from 4000 draws of ESS ≥ 1000 is about 2%).
func TestPosteriorGibbsMatchesVB(t *testing.T) {
	x := separated(t, 1000, 7)
	for _, c := range models4 {
		m := &mv.Model{K: 2, Covariance: c, Prior: mv.DefaultPrior(x, 2)}
		g, err := m.Posterior(x, &mv.PosteriorSettings{Seed: 1, Warmup: 200})
		if err != nil {
			t.Fatal(err)
		}
		v, err := m.Posterior(x, &mv.PosteriorSettings{Seed: 1, Method: mv.VB})
		if err != nil {
			t.Fatal(err)
		}
		gm, gs, ge := flat(g.Mean()), flat(g.SD()), flat(g.ESS())
		vm, vs := flat(v.Mean()), flat(v.SD())
		for i := range gm {
			if gs[i] == 0 { // an entry that is 0 in every draw
				continue
			}
			if tol := 0.1*gs[i] + 4*gs[i]/math.Sqrt(ge[i]); math.Abs(gm[i]-vm[i]) > tol {
				t.Errorf("%v: parameter %d: Gibbs mean %.5g, VB %.5g, apart by more than %.3g", c, i, gm[i], vm[i], tol)
			}
			if r := vs[i] / gs[i]; r < 0.9 || r > 1.1 {
				t.Errorf("%v: parameter %d: VB's SD is %.3f times Gibbs's", c, i, r)
			}
		}
		if len(g.Warnings)+len(v.Warnings) > 0 {
			t.Errorf("%v: warnings %q, %q", c, g.Warnings, v.Warnings)
		}
	}
}

// flat returns the parameters in one slice: weights, means, covariances.
func flat(p mv.Params) []float64 {
	f := append([]float64(nil), p.Weights...)
	for _, m := range p.Means {
		f = append(f, m...)
	}
	for _, c := range p.Covariances {
		for _, r := range c {
			f = append(f, r...)
		}
	}
	return f
}

// drawModel returns draw t of p as a Model.
func drawModel(p *mv.Posterior, t int) *mv.Model {
	K, d := p.K(), len(p.Means[t][0])
	m := &mv.Model{K: K, Covariance: p.Covariance, Prior: p.Prior, Weights: p.Weights[t], Means: mat.NewDense(K, d, nil), Covariances: p.Covariances[t]}
	for k := range K {
		m.Means.SetRow(k, p.Means[t][k])
	}
	return m
}

// TestPosteriorModeMatchesMAP checks the draws against Fit's MAP on the
// Old Faithful data: no draw may have a higher log posterior density
// log p(x, θ) (LogJoint) than the MAP, beyond 1e-9 relative (Fit's
// stopping tolerance), and the best draw must come close to it. Near the
// mode the deficit log p(x, θ̂) − log p(x, θ) of a draw is about
// Gamma(p/2) for p free parameters (p ≤ 11 here), whose CDF at 1.5 is
// 0.009 for p = 11: the best of even 1000 independent draws falls within
// 1.5 with probability 0.9999 (scipy.stats.gamma). A draw within 1.5 of
// the mode lies within a Mahalanobis distance √3 of it, so each MAP
// parameter must lie within √3 posterior standard deviations of the best
// draw's.
func TestPosteriorModeMatchesMAP(t *testing.T) {
	x := faithful(t)
	for _, c := range models4 {
		fit := &mv.Model{K: 2, Covariance: c, Prior: mv.DefaultPrior(x, 2)}
		if _, err := fit.Fit(x, nil); err != nil {
			t.Fatal(err)
		}
		lmap, err := fit.LogJoint(x)
		if err != nil {
			t.Fatal(err)
		}
		p, err := (&mv.Model{K: 2, Covariance: c, Prior: fit.Prior}).Posterior(x, &mv.PosteriorSettings{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		best, bi := math.Inf(-1), 0
		for i := range p.Weights {
			l, err := drawModel(p, i).LogJoint(x)
			if err != nil {
				t.Fatal(err)
			}
			if l > best {
				best, bi = l, i
			}
		}
		if best > lmap+1e-9*math.Abs(lmap) {
			t.Errorf("%v: a draw has log p(x, θ) %.6f above the MAP's %.6f", c, best, lmap)
		}
		if best < lmap-1.5 {
			t.Errorf("%v: the best draw's log p(x, θ) %.4f is more than 1.5 below the MAP's %.4f", c, best, lmap)
		}
		sd := flat(p.SD())
		got := flat(mv.Params{Weights: fit.Weights, Means: meanRows(fit.Means), Covariances: symsOf(fit.Covariances)})
		bd := drawModel(p, bi)
		want := flat(mv.Params{Weights: bd.Weights, Means: meanRows(bd.Means), Covariances: symsOf(bd.Covariances)})
		for i := range got {
			if math.Abs(got[i]-want[i]) > math.Sqrt(3)*sd[i] {
				t.Errorf("%v: parameter %d: MAP %.5g, best draw %.5g, posterior SD %.3g", c, i, got[i], want[i], sd[i])
			}
		}
		t.Logf("%v: log p(x, θ) at the MAP %.4f, at the best of %d draws %.4f", c, lmap, len(p.Weights), best)
	}
}

func meanRows(a *mat.Dense) [][]float64 {
	r, _ := a.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = mat.Row(nil, i, a)
	}
	return out
}

func symsOf(s []*mat.SymDense) [][][]float64 {
	out := make([][][]float64, len(s))
	for k, c := range s {
		d := c.SymmetricDim()
		out[k] = make([][]float64, d)
		for i := range d {
			out[k][i] = make([]float64, d)
			for j := range d {
				out[k][i][j] = c.At(i, j)
			}
		}
	}
	return out
}

// TestPosteriorDeterministicAtAnyGOMAXPROCS checks that a seed gives the
// same draws, bit for bit, whatever the number of cores.
func TestPosteriorDeterministicAtAnyGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	x := faithful(t)
	for _, meth := range []mv.Inference{mv.Gibbs, mv.VB} {
		var ref *mv.Posterior
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			m := &mv.Model{K: 2, Covariance: mv.Full, Prior: mv.DefaultPrior(x, 2)}
			p, err := m.Posterior(x, &mv.PosteriorSettings{Method: meth, Seed: 9, Chains: 4, Warmup: 50, Draws: 50})
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = p
				continue
			}
			for i := range p.Weights {
				a, b := drawModel(p, i), drawModel(ref, i)
				same := slicesEqual(a.Weights, b.Weights) && mat.Equal(a.Means, b.Means)
				for k := range a.Covariances {
					same = same && mat.Equal(a.Covariances[k], b.Covariances[k])
				}
				if !same {
					t.Fatalf("%v: draw %d at GOMAXPROCS %d differs from that at 1", meth, i, procs)
				}
			}
		}
	}
}

func slicesEqual(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// countingContext is a context whose Err counts its calls and reports
// cancellation from call after+1 on.
type countingContext struct {
	context.Context
	after int64
	calls atomic.Int64
}

func (c *countingContext) Err() error {
	if c.calls.Add(1) > c.after {
		return context.Canceled
	}
	return nil
}

// TestPosteriorCancelWithinOnePass counts passes over the data, not
// seconds: a Gibbs sweep and a VB step are each one pass. With a context
// that is never cancelled, each chain must check it at least once per
// sweep; with one cancelled from its fifth check on, each chain must stop
// at its next check, and PosteriorContext return context.Canceled after a
// few more checks of its own.
func TestPosteriorCancelWithinOnePass(t *testing.T) {
	x := separated(t, 2000, 3)
	const chains, warmup, draws = 2, 12, 10
	s := &mv.PosteriorSettings{Chains: chains, Warmup: warmup, Draws: draws}
	m := &mv.Model{K: 2, Covariance: mv.Full, Prior: mv.DefaultPrior(x, 2)}
	never := &countingContext{Context: context.Background(), after: 1 << 62}
	if _, err := m.PosteriorContext(never, x, s); err != nil {
		t.Fatal(err)
	}
	if got, want := never.calls.Load(), int64(chains*(warmup+draws)); got < want {
		t.Errorf("Gibbs checked the context %d times in %d sweeps", got, want)
	}
	for _, meth := range []mv.Inference{mv.Gibbs, mv.VB} {
		s.Method = meth
		const after = 5
		soon := &countingContext{Context: context.Background(), after: after}
		if _, err := m.PosteriorContext(soon, x, s); !errors.Is(err, context.Canceled) {
			t.Fatalf("%v: err = %v, want context.Canceled", meth, err)
		}
		if got := soon.calls.Load() - after; got > chains+3 {
			t.Errorf("%v: %d checks after the cancellation, want at most %d", meth, got, chains+3)
		}
	}
}

func TestPosteriorErrors(t *testing.T) {
	x := faithful(t)
	good := mv.DefaultPrior(x, 2)
	noShrink := mv.DefaultPrior(x, 2)
	noShrink.Shrinkage = 0
	nan := mat.DenseCopyOf(x)
	nan.Set(3, 1, math.NaN())
	for _, tc := range []struct {
		name string
		m    mv.Model
		x    mat.Matrix
		s    *mv.PosteriorSettings
		want string
	}{
		{"K 0", mv.Model{K: 0, Covariance: mv.Full, Prior: good}, x, nil, "K is 0"},
		{"VEV", mv.Model{K: 2, Covariance: mv.VEV, Prior: good}, x, nil, "use one of these four"},
		{"zero prior", mv.Model{K: 2, Covariance: mv.Full}, x, nil, "DefaultPrior(x, K)"},
		{"no shrinkage", mv.Model{K: 2, Covariance: mv.Full, Prior: noShrink}, x, nil, "positive Shrinkage"},
		{"prior for 3 columns", mv.Model{K: 2, Covariance: mv.Full, Prior: mv.DefaultPrior(mat.NewDense(3, 3, []float64{1, 2, 3, 4, 5, 7, 2, 9, 1}), 2)}, x, nil, "3×3"},
		{"NaN", mv.Model{K: 2, Covariance: mv.Full, Prior: good}, nan, nil, "finite"},
		{"negative", mv.Model{K: 2, Covariance: mv.Full, Prior: good}, x, &mv.PosteriorSettings{Chains: -1}, "must not be negative"},
		{"few draws", mv.Model{K: 2, Covariance: mv.Full, Prior: good}, x, &mv.PosteriorSettings{Draws: 5}, "at least 10"},
		{"method", mv.Model{K: 2, Covariance: mv.Full, Prior: good}, x, &mv.PosteriorSettings{Method: 7}, "mv.Gibbs or mv.VB"},
		{"too many", mv.Model{K: 2, Covariance: mv.Full, Prior: good}, x, &mv.PosteriorSettings{Draws: 1 << 40}, "fewer draws"},
	} {
		_, err := tc.m.Posterior(tc.x, tc.s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestPosteriorLeavesInputs checks that Posterior changes neither the
// model, its prior, nor the data.
func TestPosteriorLeavesInputs(t *testing.T) {
	x := faithful(t)
	x0 := mat.DenseCopyOf(x)
	pr := mv.DefaultPrior(x, 2)
	loc := append([]float64(nil), pr.MeanLoc...)
	scale := mat.NewSymDense(2, nil)
	scale.CopySym(pr.Scale)
	m := &mv.Model{K: 2, Covariance: mv.Tied, Prior: pr}
	if _, err := m.Posterior(x, &mv.PosteriorSettings{Draws: 20, Warmup: 20, Chains: 2}); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(x, x0) || !slicesEqual(m.Prior.MeanLoc, loc) || !mat.Equal(m.Prior.Scale, scale) || m.Weights != nil {
		t.Error("Posterior changed its inputs")
	}
}

// TestPosteriorOccupied fits a sparse finite mixture (Malsiner-Walli et
// al. 2016), K = 6 with α = 0.01, to three well-separated clusters in two
// dimensions: most of the posterior must fall on three occupied
// components (their paper's K = 10, α = 0.01 on such data puts almost all
// of it there).
func TestPosteriorOccupied(t *testing.T) {
	gen := &mv.Model{K: 3, Covariance: mv.Spherical, Weights: []float64{0.3, 0.3, 0.4},
		Means:       mat.NewDense(3, 2, []float64{0, 0, 12, 0, 6, 12}),
		Covariances: []*mat.SymDense{mat.NewSymDense(2, []float64{1, 0, 0, 1}), mat.NewSymDense(2, []float64{1, 0, 0, 1}), mat.NewSymDense(2, []float64{1, 0, 0, 1})}}
	x, _, err := gen.Sample(300, 5)
	if err != nil {
		t.Fatal(err)
	}
	pr := mv.DefaultPrior(x, 6)
	pr.Concentration = 0.01
	m := &mv.Model{K: 6, Covariance: mv.Full, Prior: pr}
	p, err := m.Posterior(x, &mv.PosteriorSettings{Seed: 2, Draws: 250, Warmup: 500})
	if err != nil {
		t.Fatal(err)
	}
	occ := p.Occupied()
	if len(occ) != 7 || occ[0] != 0 {
		t.Fatalf("Occupied() = %v", occ)
	}
	if occ[3] < 0.8 {
		t.Errorf("P(3 occupied) = %.3f, want most of the posterior: %v", occ[3], occ)
	}
	v, err := m.Posterior(x, &mv.PosteriorSettings{Method: mv.VB, Draws: 20})
	if err != nil {
		t.Fatal(err)
	}
	if v.Occupied() != nil {
		t.Errorf("VB's Occupied() = %v, want nil", v.Occupied())
	}
}

// BenchmarkPosteriorFaithful measures the default Gibbs run, 4 chains of
// 1000 warm-up sweeps and 1000 draws, on the 272 × 2 Old Faithful data
// with K = 2, Full covariances and the default prior, and reports the
// smallest bulk ESS over the parameters per second of the whole call
// (minESS/s, wall clock), and per second of the process's CPU time
// (minESS/cpu-s), which does not depend on how busy the machine's other
// processes keep its cores.
func BenchmarkPosteriorFaithful(b *testing.B) {
	x := faithful(b)
	m := &mv.Model{K: 2, Covariance: mv.Full, Prior: mv.DefaultPrior(x, 2)}
	var minESS float64
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := range b.N {
		p, err := m.Posterior(x, &mv.PosteriorSettings{Seed: uint64(i)})
		if err != nil {
			b.Fatal(err)
		}
		e := flat(p.ESS())
		mn := math.Inf(1)
		for _, v := range e {
			mn = min(mn, v)
		}
		minESS += mn
	}
	b.ReportMetric(minESS/b.Elapsed().Seconds(), "minESS/s")
	b.ReportMetric(minESS/(cpuSeconds()-cpu0), "minESS/cpu-s")
}
