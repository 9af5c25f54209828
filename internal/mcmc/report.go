package mcmc

import (
	"fmt"
	"math"
	"strings"
)

// The limits of the warnings, from Vehtari et al. (2021): R̂ above 1.01
// means the chains have not mixed, and a bulk ESS below 400 is too few
// effective draws for reliable estimates.
const (
	RHatLimit = 1.01
	ESSLimit  = 400
)

// emptyLimit is the fraction of draws in which a component may be nearly
// empty before the report says so. With α = 1, a component that holds no
// point has n·w < 1 in about 63% of Gibbs draws (w is then
// Beta(1, n + K − 1), and n·w nearly Exponential(1)), one that holds one
// point in 26%, and one that holds three in 2%: above 10% the component
// is empty or holds a point or two in many draws.
const emptyLimit = 0.1

// apartSDs is how many standard deviations of a parameter's draws the
// means of two chains may differ by before they are said to sit in
// different modes. Chains in one mode differ by their Monte Carlo error,
// a few hundredths of a standard deviation for hundreds of effective
// draws, and by half a standard deviation even for ten.
const apartSDs = 4

// Param is one scalar parameter of a posterior: a label for the warnings,
// such as "mean 1", and its draws, chain after chain.
type Param struct {
	Label string
	Draws []float64
}

// Report describes the draws that Diagnose reads.
type Report struct {
	Chains, Draws int
	// Gibbs is true for Markov chains, false for independent VB draws,
	// whose chains are not compared.
	Gibbs bool
	// N is the number of points and Weights the draws of the weights,
	// [draw][k].
	N       int
	Weights [][]float64
	// Overlap, if not nil, returns the fraction of draws in which two
	// components overlap so much that the chains can swap points between
	// them, and the criterion in words, which the report gives after "in
	// x% of the draws ". It is asked only when R̂ or ESS is out of bounds.
	Overlap func() (frac float64, what string)
}

// Diagnose returns R̂ and the bulk ESS of each parameter and the warnings
// they call for: a parameter whose R̂ exceeds RHatLimit or whose bulk ESS
// is below ESSLimit (Vehtari et al. 2021). The warnings say that K may be
// larger than the data need, rather than that the chains should run
// longer, when a component is nearly empty in many draws (n·w_k < 1 in
// more than 10% of them), when Gibbs chains sit in different modes (the
// means of a parameter in two chains differ by more than 4 of its standard
// deviations), or when, with R̂ or ESS out of bounds, r.Overlap reports
// overlapping components in more than 10% of the draws.
func Diagnose(r Report, params []Param) (rhat, ess []float64, warnings []string) {
	d := NewDiagnostics(r.Chains, r.Draws)
	K := 0
	if len(r.Weights) > 0 {
		K = len(r.Weights[0])
	}
	rhat, ess = make([]float64, len(params)), make([]float64, len(params))
	bad := false
	for i, p := range params {
		rhat[i], ess[i] = d.Compute(p.Draws)
		bad = bad || !(rhat[i] <= RHatLimit) || !(ess[i] >= ESSLimit)
	}
	// The reasons to think K too large, which running longer does not
	// cure: components nearly empty in many draws, chains that sit in
	// different modes and, when the chains disagree, pairs of components
	// that cannot be told apart.
	var tooMany []string
	for k, f := range nearlyEmpty(r.Weights, r.N) {
		if f > emptyLimit {
			tooMany = append(tooMany, fmt.Sprintf("component %d holds less than one point's worth of weight (n·w < 1) in %.0f%% of the draws", k, 100*f))
		}
	}
	if r.Gibbs && r.Chains > 1 {
		if label, ok := apart(params, r.Chains, r.Draws); ok {
			tooMany = append(tooMany, fmt.Sprintf("the chains sit in different modes of the posterior (their means of %s differ by more than %d posterior standard deviations), which running them longer seldom mends", label, apartSDs))
		}
	}
	if bad && r.Overlap != nil {
		if f, what := r.Overlap(); f > emptyLimit {
			tooMany = append(tooMany, fmt.Sprintf("in %.0f%% of the draws %s", 100*f, what))
		}
	}
	cure := "run the chains longer (more Warmup and Draws), or check for a multimodal posterior"
	more := "ask for more Draws or Chains"
	if len(tooMany) > 0 {
		cure = fmt.Sprintf("K = %d may be more components than the data need (see the last warning)", K)
		more = cure
	}
	for i, p := range params {
		if v := rhat[i]; !(v <= RHatLimit) {
			warnings = append(warnings, fmt.Sprintf("%s: R̂ is %.3f, above %.2f: the chains disagree; %s", p.Label, v, RHatLimit, cure))
		}
		if e := ess[i]; !(e >= ESSLimit) {
			warnings = append(warnings, fmt.Sprintf("%s: bulk ESS is %.0f, below %d: too few effective draws for reliable estimates; %s", p.Label, e, ESSLimit, more))
		}
	}
	if len(tooMany) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: K = %d may be more components than the data need; try a smaller K",
			strings.Join(tooMany, "; "), K))
	}
	return rhat, ess, warnings
}

// SinglePeak returns a Report's Overlap for T draws of K components: the
// fraction of draws in which some pair j < k forms a single peak by
// onePeak(t, j, k), a criterion given in words by crit, such as
// Behboodian's (1970) |μ_j − μ_k| ≤ 2·min(σ_j, σ_k), and the words of the
// report. It calls onePeak draw by draw, in increasing t, so onePeak may
// keep what it computes for a draw until t changes. Two such components can trade points freely, so their labels
// switch and their chains disagree however long they run.
func SinglePeak(T, K int, onePeak func(t, j, k int) bool, crit string) func() (float64, string) {
	return func() (float64, string) {
		var f float64
		for t := range T {
		pairs:
			for j := range K {
				for k := j + 1; k < K; k++ {
					if onePeak(t, j, k) {
						f++
						break pairs
					}
				}
			}
		}
		if T > 0 {
			f /= float64(T)
		}
		return f, fmt.Sprintf("two components overlap so much that together they form a single peak (%s), so the chains can swap points between them", crit)
	}
}

// nearlyEmpty returns, for each component, the fraction of draws in which
// its weight is below 1/n, less than one of n points.
func nearlyEmpty(weights [][]float64, n int) []float64 {
	if len(weights) == 0 {
		return nil
	}
	f := make([]float64, len(weights[0]))
	for _, w := range weights {
		for k, v := range w {
			if v*float64(n) < 1 {
				f[k]++
			}
		}
	}
	for k := range f {
		f[k] /= float64(len(weights))
	}
	return f
}

// apart returns the first parameter whose chains sit in different modes:
// the means of two chains' draws differ by more than apartSDs times the
// larger of their standard deviations.
func apart(params []Param, chains, draws int) (string, bool) {
	mean, sd := make([]float64, chains), make([]float64, chains)
	for _, p := range params {
		for c := range chains {
			mean[c], sd[c] = meanSD(p.Draws[c*draws : (c+1)*draws])
		}
		for a := range chains {
			for b := range a {
				if math.Abs(mean[a]-mean[b]) > apartSDs*max(sd[a], sd[b]) {
					return p.Label, true
				}
			}
		}
	}
	return "", false
}

// meanSD returns the mean and the standard deviation of d.
func meanSD(d []float64) (mean, sd float64) {
	for i, v := range d {
		mean += (v - mean) / float64(i+1)
	}
	for _, v := range d {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(d)))
}
