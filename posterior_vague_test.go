package gmm_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
)

// normalSample returns n standard normal draws from a fixed stream.
func normalSample(n int) []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// vaguePrior is the classic vague choice, InverseGamma(a, a) with a tiny
// a, around a Normal(0, 10) on the means.
func vaguePrior(a float64, onVar bool) gmm.Prior {
	return gmm.Prior{Concentration: 1, MeanScale: 10, SigmaShape: a, SigmaScale: a, OnVariance: onVar}
}

// TestPosteriorVaguePrior runs both methods in both prior forms under
// InverseGamma(1e-3, 1e-3) on 300 N(0, 1) points with K = 2. Each must
// succeed with valid draws: weights that sum to 1, finite means, and σ
// positive, +Inf only where a warning says so (an empty component's σ
// follows the prior, half of whose variates exceed 1e300). The posterior
// predictive density at 0 must match the density at 0 of the normal with
// the sample's mean and standard deviation, 0.4 for these data, within
// 10%: the two estimate the same thing, and both the sampling error of a
// density estimate from 300 points at the mode (about 5%) and the
// predictive's own spread are smaller.
func TestPosteriorVaguePrior(t *testing.T) {
	x := normalSample(300)
	var mean, ss float64
	for _, v := range x {
		mean += v / 300
	}
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / 300)
	want := math.Exp(-0.5*mean*mean/(sd*sd)) / (sd * math.Sqrt(2*math.Pi))
	for _, onVar := range []bool{false, true} {
		for _, method := range []gmm.Inference{gmm.Gibbs, gmm.VB} {
			name := fmt.Sprintf("%v onVariance=%v", method, onVar)
			m := gmm.Model{K: 2, Prior: vaguePrior(1e-3, onVar)}
			p, err := m.Posterior(x, &gmm.PosteriorSettings{Method: method, Seed: 3})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			checkDraws(t, name, p)
			d, _, _, err := p.Predictive([]float64{0}, 0.9)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(d[0]/want-1) > 0.1 {
				t.Errorf("%s: predictive density at 0 is %v, want %v within 10%%", name, d[0], want)
			}
		}
	}
}

// checkDraws checks that every draw of p is a valid mixture, with a σ of
// +Inf only for a component that a warning names.
func checkDraws(t *testing.T, name string, p *gmm.Posterior) {
	t.Helper()
	warned := strings.Join(p.Warnings, "\n")
	for i := range p.Weights {
		var s float64
		for k, w := range p.Weights[i] {
			s += w
			mu, sg := p.Means[i][k], p.Sigmas[i][k]
			if !(w >= 0) || math.IsNaN(mu) || math.IsInf(mu, 0) || !(sg > 0) {
				t.Fatalf("%s: draw %d component %d: w %v μ %v σ %v", name, i, k, w, mu, sg)
			}
			if math.IsInf(sg, 1) && !strings.Contains(warned, fmt.Sprintf("sigma %d: ", k)) {
				t.Fatalf("%s: draw %d has σ_%d = +Inf with no warning: %q", name, i, k, warned)
			}
		}
		// Weights normalised in logarithms sum to 1 within a few roundings
		// of logarithms as large as about 1e4 (a Dirichlet variate with a
		// tiny parameter), 1e-12 each.
		if math.Abs(s-1) > 1e-11 {
			t.Fatalf("%s: draw %d's weights sum to %v", name, i, s)
		}
	}
}

// TestPosteriorInfiniteSigmaSummaries checks the summaries of a σ some of
// whose draws are +Inf: mean and SD +Inf, quantiles exact, R̂ and ESS
// defined, and the predictive density finite.
func TestPosteriorInfiniteSigmaSummaries(t *testing.T) {
	x := normalSample(300)
	m := gmm.Model{K: 2, Prior: vaguePrior(1e-3, false)}
	p, err := m.Posterior(x, &gmm.PosteriorSettings{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	k := -1
	for j := range 2 {
		for _, d := range p.Sigmas {
			if math.IsInf(d[j], 1) {
				k = j
			}
		}
	}
	if k < 0 {
		t.Skip("no draw of σ overflowed with this seed")
	}
	var inf int
	for _, d := range p.Sigmas {
		if math.IsInf(d[k], 1) {
			inf++
		}
	}
	if mean, sd := p.Mean().Sigmas[k], p.SD().Sigmas[k]; !math.IsInf(mean, 1) || !math.IsInf(sd, 1) {
		t.Errorf("σ_%d: mean %v, SD %v; want +Inf", k, mean, sd)
	}
	// The quantile at the share of finite draws, and every one above it,
	// is +Inf; a lower one is finite.
	fin := float64(len(p.Sigmas)-inf) / float64(len(p.Sigmas)-1)
	hi, _ := p.Quantile(min(fin+1e-9, 1))
	lo, _ := p.Quantile(max(fin-1.5/float64(len(p.Sigmas)), 0))
	if !math.IsInf(hi.Sigmas[k], 1) || math.IsInf(lo.Sigmas[k], 0) || math.IsNaN(lo.Sigmas[k]) {
		t.Errorf("σ_%d quantiles: %v just above the finite share, %v just below", k, hi.Sigmas[k], lo.Sigmas[k])
	}
	if r, e := p.RHat().Sigmas[k], p.ESS().Sigmas[k]; math.IsNaN(r) || math.IsNaN(e) {
		t.Errorf("σ_%d: R̂ %v, ESS %v", k, r, e)
	}
	for i, row := range p.Responsibilities(x[:20]) {
		// Each row is an average of normalised rows: 1 within rounding.
		if s := row[0] + row[1]; math.Abs(s-1) > 1e-12 {
			t.Errorf("responsibilities of x[%d] sum to %v", i, s)
		}
	}
	d, lo2, hi2, _ := p.Predictive([]float64{-1, 0, 2}, 0.9)
	for i := range d {
		if !isFiniteNonNeg(d[i]) || !isFiniteNonNeg(lo2[i]) || !isFiniteNonNeg(hi2[i]) {
			t.Errorf("predictive %v [%v, %v]", d[i], lo2[i], hi2[i])
		}
	}
}

func isFiniteNonNeg(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }

// BenchmarkPosteriorVBVague times VB in the notebook's form, whose q(σ)
// needs quadrature, on 300 N(0, 1) points with K = 3 under
// InverseGamma(a0, a0) for a0 from 1 down to 1e-3: the third component is
// left nearly empty, so its q(σ) is nearly the prior.
func BenchmarkPosteriorVBVague(b *testing.B) {
	x := normalSample(300)
	for _, a := range []float64{1, 1e-2, 1e-3} {
		b.Run(fmt.Sprintf("K3_n300/a0=%g", a), func(b *testing.B) {
			m := gmm.Model{K: 3, Prior: vaguePrior(a, false)}
			for b.Loop() {
				if _, err := m.Posterior(x, &gmm.PosteriorSettings{Method: gmm.VB}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
