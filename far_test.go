package gmm_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
)

// farValues are the far values the tests append to the data: 1e15, which
// a prior scaled by the range and the standard deviation let merge the two
// clusters; beyond the reach of a mean-centred standardisation at 1e16;
// the netCDF fill value; and two far beyond. The last lies more than 2^400
// robust spreads from the median, where Fit and Posterior must name it
// instead.
var farValues = []float64{1e15, 1e16, 9.96921e36, 1e100, 1e300}

// bulks are the data the far values join: two clusters at 20 and 30 with
// sd 2, 10,000 points, and 1,000 points from N(0, 1).
func bulks(t *testing.T) []struct {
	name string
	x    []float64
	k    int // the components the bulk holds
} {
	t.Helper()
	two := gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{20, 30}, Sigmas: []float64{2, 2}}
	clusters, _, err := two.Sample(10000, 1)
	if err != nil {
		t.Fatal(err)
	}
	one := gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{1}}
	normal, _, err := one.Sample(1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		name string
		x    []float64
		k    int
	}{
		{"two clusters", clusters, 2},
		{"N(0,1)", normal, 1},
	}
}

// farComponent returns the index of the component that holds the far
// value: the one farthest from the bulk's median by its mean or its σ.
func farComponent(m *gmm.Model, median float64) int {
	j, best := 0, -1.0
	for k := range m.K {
		if d := max(math.Abs(m.Means[k]-median), m.Sigmas[k]); d > best {
			j, best = k, d
		}
	}
	return j
}

// TestFitFarValue fits data with one far value appended, with K one more
// than the bulk's clusters (the far value gets a component) and, for the
// two clusters, K = 2 (the far value takes one and the clusters share the
// other). The components of the bulk must be those of a fit of the bulk
// alone with one component fewer, under the same prior.
func TestFitFarValue(t *testing.T) {
	// MaxSteps bounds every run, the search's by EM and Adam's refinement,
	// so that a run that cannot converge keeps the test short. The winning
	// runs' last stages, which Result.Steps counts, take at most about 160
	// Adam steps and 10 EM steps here (Adam's stopping rule ignoring the
	// far spike's σ, pinned at the floor), so reaching the bound fails
	// the test.
	const maxSteps = 6000
	for _, b := range bulks(t) {
		n := len(b.x)
		median := slices.Sorted(slices.Values(b.x))[n/2]
		for _, far := range farValues {
			x := append(slices.Clone(b.x), far)
			for _, K := range []int{b.k + 1, b.k} {
				if K < 2 {
					continue
				}
				for _, prior := range []gmm.Prior{{}, gmm.DefaultPrior(x)} {
					for _, method := range methods {
						label := fmt.Sprintf("%s + %g, K=%d, %v, %v", b.name, far, K, prior, method)
						s := &gmm.Settings{Method: method, MaxSteps: maxSteps}
						ref := &gmm.Model{K: K - 1, Prior: prior}
						if _, err := ref.Fit(b.x, s); err != nil {
							t.Fatalf("%s: the bulk alone: %v", label, err)
						}
						m := &gmm.Model{K: K, Prior: prior}
						res, err := m.Fit(x, s)
						if far == 1e300 {
							// The error names the value and says to remove it;
							// the fit of the bulk alone above follows that advice.
							if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("x[%d] = 1e+300", n)) || !strings.Contains(err.Error(), "remove") {
								t.Errorf("%s: error %v; want one naming x[%d] = 1e+300 and advising its removal", label, err, n)
							}
							if m.Weights != nil {
								t.Errorf("%s: failed Fit changed the model", label)
							}
							continue
						}
						if err != nil {
							t.Errorf("%s: %v", label, err)
							continue
						}
						checkFarFit(t, label, x, m, res, ref, median, s)
					}
				}
			}
		}
	}
}

// checkFarFit checks a fit m of x, the bulk and one far value x[n], against
// ref, the fit of the bulk alone with one component fewer.
func checkFarFit(t *testing.T, label string, x []float64, m *gmm.Model, res *gmm.Result, ref *gmm.Model, median float64, s *gmm.Settings) {
	t.Helper()
	n := len(x) - 1
	far := x[n]
	if err := m.Validate(); err != nil {
		t.Errorf("%s: %v", label, err)
		return
	}
	if !res.Converged || res.Steps >= s.MaxSteps {
		t.Errorf("%s: Converged %v after %d steps", label, res.Converged, res.Steps)
	}
	// The last loss is computed by LogJoint itself: equal to the last bit.
	lj, err := m.LogJoint(x)
	if last := res.Loss[len(res.Loss)-1]; err != nil || last != -lj {
		t.Errorf("%s: final loss %v, −LogJoint %v (%v)", label, last, -lj, err)
	}
	j := farComponent(m, median)
	// The bulk's components: the far component takes none of the bulk's
	// responsibility (below 1e-19 of it in every case here), so their
	// optimum is the bulk's own, the weights scaled by n/(n+1). Both fits
	// stop within Tol·(|L| + n) ≈ 4e-6 of their optimum's loss (Tol 1e-10,
	// |L| + n below 4e4); where the loss's curvature in a parameter is λ,
	// that leaves sqrt(2·4e-6/λ). The curvatures here are at least 250
	// for a mean (N_k/σ_k²), 2000 for log σ_k (2N_k) and 250 for a weight's
	// logit (n·w(1−w)), so every parameter lies within 2e-4 of its
	// optimum (a weight within a quarter of that), and 1e-3 bounds the two
	// fits' difference (relative for σ).
	k := 0
	for i := range m.K {
		if i == j {
			continue
		}
		w := m.Weights[i] * float64(n+1) / float64(n)
		if math.Abs(w-ref.Weights[k]) > 1e-3 || math.Abs(m.Means[i]-ref.Means[k]) > 1e-3 ||
			math.Abs(m.Sigmas[i]-ref.Sigmas[k]) > 1e-3*ref.Sigmas[k] {
			t.Errorf("%s: bulk component %d: w·(n+1)/n %v, μ %v, σ %v; without the far value %v, %v, %v",
				label, i, w, m.Means[i], m.Sigmas[i], ref.Weights[k], ref.Means[k], ref.Sigmas[k])
		}
		k++
	}
	checkFarComponent(t, label, m, j, far, n)
}

// checkFarComponent checks the component j that holds the far value.
func checkFarComponent(t *testing.T, label string, m *gmm.Model, j int, far float64, n int) {
	t.Helper()
	w, mu, sigma := m.Weights[j], m.Means[j], m.Sigmas[j]
	// It holds the far value and nothing else: weight 1/(n+1) (with
	// Concentration 1 the MAP weights are N_k/(n+1) too). The curvature in
	// its logit is n·w(1−w) ≈ 1, so the stopping tolerance leaves
	// sqrt(2·4e-6) ≈ 3e-3 relative in the weight.
	if math.Abs(w*float64(n+1)-1) > 3e-3 {
		t.Errorf("%s: far component %d has weight %v, want 1/(n+1) = %v", label, j, w, 1/float64(n+1))
	}
	if m.Prior.IsZero() {
		// A spike on the value: σ at the floor, 1e-3 of the robust
		// spread (below 8 for both bulks), or at 4 ulps of the mean, whichever
		// is larger, and the value within σ of the mean.
		ulp := math.Nextafter(far, math.Inf(1)) - far
		if s := max(8e-3, 4*ulp); sigma > s || math.Abs(far-mu) > sigma {
			t.Errorf("%s: far component %d: μ %v, σ %v; want a spike on %v with σ at most %v", label, j, mu, sigma, far, s)
		}
		return
	}
	// With a prior, whose Normal on μ makes a mean far out cost about
	// (far/MeanScale)²/2, the value is absorbed by a wide component: its
	// mean at MeanLoc (to within 3·MeanScale²/D, here below 1e-10·MeanScale),
	// and σ maximising −3 log σ − D²/(2σ²), that is σ = D/√3 with D the
	// distance to the mean (b0/σ is negligible). The loss's curvature in
	// log σ is 6 and in μ 1/MeanScale², so the stopping tolerance leaves
	// 1.2e-3 relative in σ and 3e-3·MeanScale in μ.
	p := m.Prior
	d := math.Abs(far - mu)
	if math.Abs(mu-p.MeanLoc) > 3e-3*p.MeanScale || math.Abs(sigma-d/math.Sqrt(3)) > 1.2e-3*sigma {
		t.Errorf("%s: far component %d: μ %v, σ %v; want μ ≈ MeanLoc %v, σ ≈ D/√3 = %v", label, j, mu, sigma, p.MeanLoc, d/math.Sqrt(3))
	}
}

// TestPosteriorFarValue samples the posterior of the two clusters with one
// far value appended, K = 3: the bulk's components must have the posterior
// of the bulk alone with K = 2 under the same prior, the default prior of
// the bulk (which TestDefaultPriorFarValue shows the far value hardly
// moves), and the far value too far to fit must be named.
func TestPosteriorFarValue(t *testing.T) {
	b := bulks(t)[0]
	n := len(b.x)
	prior := gmm.DefaultPrior(b.x)
	for _, method := range []gmm.Inference{gmm.VB, gmm.Gibbs} {
		// Two short chains keep the test quick; the tolerance below uses
		// the draws' own effective sample sizes.
		s := &gmm.PosteriorSettings{Method: method, Chains: 2, Draws: 300, Warmup: 300}
		ref, err := (&gmm.Model{K: 2, Prior: prior}).Posterior(b.x, s)
		if err != nil {
			t.Fatalf("%v, the bulk alone: %v", method, err)
		}
		for _, far := range farValues {
			label := fmt.Sprintf("%g, %v", far, method)
			x := append(slices.Clone(b.x), far)
			post, err := (&gmm.Model{K: 3, Prior: prior}).Posterior(x, s)
			if far == 1e300 {
				if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("x[%d] = 1e+300", n)) {
					t.Errorf("%s: error %v; want one naming x[%d] = 1e+300", label, err, n)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			checkFarPosterior(t, label, post, ref)
		}
	}
}

// checkFarPosterior compares the posterior means of μ and σ of the bulk's
// components in post, all but the one with the largest posterior mean of
// σ, with those of ref.
func checkFarPosterior(t *testing.T, label string, post, ref *gmm.Posterior) {
	t.Helper()
	mean, sd, ess := post.Mean(), post.SD(), post.ESS()
	rm, rsd, ress := ref.Mean(), ref.SD(), ref.ESS()
	j := 0
	for k := range mean.Sigmas {
		if mean.Sigmas[k] > mean.Sigmas[j] {
			j = k
		}
	}
	k := 0
	for i := range mean.Means {
		if i == j {
			continue
		}
		// Two independent Monte Carlo estimates of one posterior mean
		// (the far component takes none of the bulk's points, so the
		// posteriors of their μ and σ are the same): the difference has
		// standard error sqrt(sd²/ESS + sd_ref²/ESS_ref); allow five.
		for _, p := range []struct {
			name                string
			m, s, e, rm, rs, re float64
		}{
			{"μ", mean.Means[i], sd.Means[i], ess.Means[i], rm.Means[k], rsd.Means[k], ress.Means[k]},
			{"σ", mean.Sigmas[i], sd.Sigmas[i], ess.Sigmas[i], rm.Sigmas[k], rsd.Sigmas[k], ress.Sigmas[k]},
		} {
			se := math.Sqrt(p.s*p.s/p.e + p.rs*p.rs/p.re)
			if !(math.Abs(p.m-p.rm) <= 5*se) {
				t.Errorf("%s: component %d: posterior mean of %s %v, without the far value %v (standard error %v)",
					label, i, p.name, p.m, p.rm, se)
			}
		}
		k++
	}
}

// TestSpanErrors fits data that span more than the float64 range: the
// error must say so and advise dividing the data by 4, and following the
// advice must let Fit and Posterior run, or, where the data divided by 4
// have no maximum-likelihood fit with K components, give that error instead
// of the span's.
func TestSpanErrors(t *testing.T) {
	tests := []struct {
		name string
		x    []float64
		want []string // parts of the message
		// degenerate: under maximum likelihood with K = 2 the data divided
		// by 4 have no fit but a spurious one, and Fit says so instead.
		degenerate bool
	}{
		// The quartiles, −1.425e308 and 1.425e308, are more than the
		// largest float64 apart.
		{"quartiles", []float64{-1.5e308, -1.4e308, 1.4e308, 1.5e308}, []string{"span more than the float64 range", "divide them by 4"}, false},
		// The quartiles are close, but x[0] and the median are not. Five
		// points on three distinct values, three of them tied: any two
		// components under maximum likelihood leave one on the lone value
		// x[0], 46 robust spreads from the median and so not a far value,
		// or on the ties, and its σ goes to the floor (EM from 300 random
		// starts in a reference script found no other end). Fit then
		// rightly gives the degenerate error, whose advice, a prior or
		// fewer components, is followed below.
		{"one value and the median", []float64{-1.7e308, 1.7e308, 1.7e308, 1.7e308, 1.6e308},
			[]string{"span more than the float64 range", "x[0] = -1.7e+308", "divide the data by 4"}, true},
	}
	for _, tt := range tests {
		y := make([]float64, len(tt.x))
		for i, v := range tt.x {
			y[i] = v / 4
		}
		for _, prior := range []func([]float64) gmm.Prior{func([]float64) gmm.Prior { return gmm.Prior{} }, gmm.DefaultPrior} {
			m := &gmm.Model{K: 2, Prior: prior(tt.x)}
			_, err := m.Fit(tt.x, nil)
			checkMessage(t, tt.name+", Fit", err, tt.want)
			if m.Weights != nil {
				t.Errorf("%s: failed Fit changed the model", tt.name)
			}
			// The advice: divide by 4.
			m = &gmm.Model{K: 2, Prior: prior(y)}
			res, err := m.Fit(y, nil)
			if tt.degenerate && m.Prior.IsZero() {
				checkMessage(t, tt.name+", divided by 4", err, []string{"collapses", "DefaultPrior", "fewer components"})
				// That error's advice: the prior is the next row of
				// the loop; fewer components here.
				m = &gmm.Model{K: 1}
				res, err = m.Fit(y, nil)
			}
			if err != nil || m.Validate() != nil || math.IsInf(res.Loss[len(res.Loss)-1], 0) {
				t.Errorf("%s, divided by 4, %v, K = %d: Fit gave %v", tt.name, m.Prior, m.K, err)
			}
		}
		_, err := (&gmm.Model{K: 2, Prior: gmm.DefaultPrior(tt.x)}).Posterior(tt.x, nil)
		checkMessage(t, tt.name+", Posterior", err, tt.want)
		// Divided by 4 the data are within range, though near its top,
		// where the posterior's draws of σ can still overflow it: the span
		// is no longer the error, and further down the draws fit too.
		if _, err := (&gmm.Model{K: 2, Prior: gmm.DefaultPrior(y)}).Posterior(y, &gmm.PosteriorSettings{Method: gmm.VB}); err != nil && strings.Contains(err.Error(), "span") {
			t.Errorf("%s, divided by 4: Posterior gave %v", tt.name, err)
		}
		for i := range y {
			y[i] = math.Ldexp(tt.x[i], -1000)
		}
		if _, err := (&gmm.Model{K: 2, Prior: gmm.DefaultPrior(y)}).Posterior(y, &gmm.PosteriorSettings{Method: gmm.VB}); err != nil {
			t.Errorf("%s, divided by 2^1000: Posterior gave %v", tt.name, err)
		}
	}
}

func checkMessage(t *testing.T, label string, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error; want one saying %q", label, want)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not say %q", label, err, w)
		}
	}
}

// TestPriorScaleAdvice fits data near the largest float64 with a prior of
// unit scale: the error must say the scales are too far apart, and either
// remedy it advises must work.
func TestPriorScaleAdvice(t *testing.T) {
	x := []float64{1.7e308, -1.7e308} // quartiles ±8.5e307: within range
	unit := gmm.DefaultPrior(nil)
	for _, method := range methods {
		_, err := (&gmm.Model{K: 2, Prior: unit}).Fit(x, &gmm.Settings{Method: method})
		checkMessage(t, "unit prior", err, []string{"prior's scale and the data's", "rescale the data or the prior"})
		// Rescale the prior: to the data's own default.
		if _, err := (&gmm.Model{K: 2, Prior: gmm.DefaultPrior(x)}).Fit(x, &gmm.Settings{Method: method}); err != nil {
			t.Errorf("%v, the data's default prior: %v", method, err)
		}
		// Rescale the data: to units of 1e300.
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = v / 1e300
		}
		if _, err := (&gmm.Model{K: 2, Prior: unit}).Fit(y, &gmm.Settings{Method: method}); err != nil {
			t.Errorf("%v, the data rescaled: %v", method, err)
		}
	}
}

// TestDefaultPriorFarValue checks that one far value moves the default
// prior by no more than one point of the bulk moves it.
func TestDefaultPriorFarValue(t *testing.T) {
	for _, b := range bulks(t) {
		p := gmm.DefaultPrior(b.x)
		for _, far := range farValues {
			q := gmm.DefaultPrior(append(slices.Clone(b.x), far))
			// One more point shifts each quantile by at most one gap
			// between neighbouring order statistics, about 1/(n·f) for a
			// density f at the quantile: for these data below 1e-2 of the
			// spread (MeanScale/3).
			s := p.MeanScale / 3
			if math.Abs(q.MeanLoc-p.MeanLoc) > 1e-2*s || math.Abs(q.MeanScale-p.MeanScale) > 3e-2*s ||
				math.Abs(q.SigmaScale-p.SigmaScale) > 1e-3*s {
				t.Errorf("%s + %g: DefaultPrior %v, without it %v", b.name, far, q, p)
			}
		}
	}
}

// TestFitFarValueLarge fits 600,000 points in two clusters and the netCDF
// fill value with EM, so that the fit runs on a screening sample and a
// larger subsample before all the data. The bulk's components must be those
// of the bulk alone.
func TestFitFarValueLarge(t *testing.T) {
	two := gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{20, 30}, Sigmas: []float64{2, 2}}
	bulk, _, err := two.Sample(600000, 3)
	if err != nil {
		t.Fatal(err)
	}
	n := len(bulk)
	x := append(slices.Clone(bulk), 9.96921e36)
	for _, prior := range []gmm.Prior{{}, gmm.DefaultPrior(x)} {
		s := &gmm.Settings{Method: gmm.EM}
		ref := &gmm.Model{K: 2, Prior: prior}
		if _, err := ref.Fit(bulk, s); err != nil {
			t.Fatal(err)
		}
		m := &gmm.Model{K: 3, Prior: prior}
		res, err := m.Fit(x, s)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Converged {
			t.Errorf("%v: did not converge", prior)
		}
		j := farComponent(m, 25)
		// EM's weight of a component that holds one point whole and
		// nothing else is (1 + r)/(n+1), r the bulk's responsibility, far
		// below 1e-12 here.
		if math.Abs(m.Weights[j]*float64(n+1)-1) > 1e-9 {
			t.Errorf("%v: far component %d has weight %v, want 1/(n+1)", prior, j, m.Weights[j])
		}
		// Each fit stops within Tol·(|L| + n) ≈ 2.4e-4 of its optimum's
		// loss; the loss's curvature is at least 75,000 in a mean
		// (N_k/σ_k²), 6e5 in log σ_k and 1.5e5 in a logit, so each
		// parameter is within 8e-5 of the optimum, and the fits' difference
		// within 1.6e-4: 1e-3 bounds it (relative for σ).
		k := 0
		for i := range 3 {
			if i == j {
				continue
			}
			w := m.Weights[i] * float64(n+1) / float64(n)
			if math.Abs(w-ref.Weights[k]) > 1e-3 || math.Abs(m.Means[i]-ref.Means[k]) > 1e-3 ||
				math.Abs(m.Sigmas[i]-ref.Sigmas[k]) > 1e-3*ref.Sigmas[k] {
				t.Errorf("%v: bulk component %d: %v, %v, %v; without the far value %v, %v, %v",
					prior, i, w, m.Means[i], m.Sigmas[i], ref.Weights[k], ref.Means[k], ref.Sigmas[k])
			}
			k++
		}
	}
}

// TestTinySpreadAdvice fits data whose spread is subnormal: the error must
// advise multiplying them by a large power of ten, and that must work.
func TestTinySpreadAdvice(t *testing.T) {
	x := []float64{8.289046e-317, 3.3156184e-316}
	_, err := (&gmm.Model{K: 1, Prior: gmm.DefaultPrior(x)}).Fit(x, nil)
	checkMessage(t, "subnormal spread", err, []string{"too small to scale", "multiply the data by a large power of ten"})
	y := []float64{x[0] * 1e300, x[1] * 1e300}
	if _, err := (&gmm.Model{K: 1, Prior: gmm.DefaultPrior(y)}).Fit(y, nil); err != nil {
		t.Errorf("multiplied by 1e300: %v", err)
	}
}

// TestFitLossOfReturnedParameters checks that the last entry of
// Result.Loss is the loss of the parameters Fit returns, −LogJoint(x), also
// when a run stops for want of steps, and that for EM it is no higher than
// the losses before it.
func TestFitLossOfReturnedParameters(t *testing.T) {
	// Three components overlapping by their whole width: EM converges
	// slowly, and its accelerated steps are often refused.
	flat := gmm.Model{K: 3, Weights: []float64{0.3, 0.4, 0.3}, Means: []float64{0, 1, 2}, Sigmas: []float64{0.8, 0.8, 0.8}}
	x, _, err := flat.Sample(20000, 13)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range methods {
		for _, steps := range []int{5, 50, 500, 0} {
			m := &gmm.Model{K: 3}
			res, err := m.Fit(x, &gmm.Settings{Method: method, MaxSteps: steps})
			if err != nil {
				t.Fatal(err)
			}
			lj, err := m.LogJoint(x)
			last := res.Loss[len(res.Loss)-1]
			if err != nil || last != -lj {
				t.Errorf("%v, MaxSteps %d: last loss %v, −LogJoint %v", method, steps, last, -lj)
			}
			if method != gmm.EM {
				continue
			}
			// The kernel's sum and LogJoint's differ by rounding: each
			// adds 20,000 terms, with an error below n·2^-53 of the sum of
			// their magnitudes, about 1e-11 relative.
			if prev := slices.Min(res.Loss[:len(res.Loss)-1]); len(res.Loss) > 1 && last > prev+1e-10*math.Abs(prev) {
				t.Errorf("EM, MaxSteps %d: last loss %v above the run's best %v", steps, last, prev)
			}
		}
	}
}

// TestLogLikelihoodMatchesPlainSum checks LogLikelihood, which runs on the
// fits' kernel, against the plain sum of LogDensity, point by point.
func TestLogLikelihoodMatchesPlainSum(t *testing.T) {
	two := gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{20, 30}, Sigmas: []float64{2, 2}}
	x, _, err := two.Sample(30000, 5)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		m    gmm.Model
		x    []float64
	}{
		{"two clusters", two, x},
		{"a far value", gmm.Model{K: 3, Weights: []float64{0.5, 0.4999, 0.0001}, Means: []float64{20, 30, 1e16}, Sigmas: []float64{2, 2, 8}}, append(slices.Clone(x), 1e16, 1e100)},
		{"far beyond every component", two, []float64{1e300, -1e300, 25}},
		// Below about 4e-309 the kernel takes no σ, and the plain sum
		// serves.
		{"a subnormal σ", gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 1}, Sigmas: []float64{1e-310, 1}}, []float64{0, 0.5, 1}},
	}
	for _, tt := range tests {
		got, err := tt.m.LogLikelihood(tt.x)
		if err != nil {
			t.Fatal(err)
		}
		var want, abs float64
		for _, v := range tt.x {
			l := tt.m.LogDensity(v)
			want += l
			abs += math.Abs(l)
		}
		// Each point's log density carries a few ulps of error from exp
		// and log (the kernel's exp is within 1 ulp), an absolute error of
		// a few 1e-16 beside log terms of order 1, and each sum of n terms
		// adds at most n·2^-53 of Σ|log p_i|.
		tol := float64(len(tt.x)) * (1e-15 + 2.3e-16*abs)
		if math.IsInf(want, -1) && got != want || math.Abs(got-want) > tol {
			t.Errorf("%s: LogLikelihood %v, plain sum %v (within %v)", tt.name, got, want, tol)
		}
	}
}
