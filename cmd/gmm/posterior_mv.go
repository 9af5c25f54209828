package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/internal/mcmc"
	"github.com/gmm-go/gmm/mv"
)

// conjugate reports whether mv samples the posterior of the covariance
// model c.
func conjugate(c mv.Covariance) bool {
	return c == mv.Full || c == mv.Tied || c == mv.Diagonal || c == mv.Spherical
}

// mvPosterior is the "posterior" object of model.json and -json for
// several columns: one row per summarised quantity.
type mvPosterior struct {
	Method   string         `json:"method"`
	Seed     uint64         `json:"seed"`
	Chains   int            `json:"chains"`
	Draws    int            `json:"draws"`            // per chain
	Warmup   int            `json:"warmup,omitempty"` // per chain, Gibbs only
	Level    float64        `json:"level"`
	Rows     []posteriorRow `json:"rows"`
	Warnings []string       `json:"warnings"`
	k        int            // components
}

// posteriorRow summarises the draws of one quantity of one component: its
// posterior mean, standard deviation, central credible interval at Level,
// R̂ and bulk ESS.
type posteriorRow struct {
	Component int    `json:"component"`
	Parameter string `json:"parameter"`
	Mean      number `json:"mean"`
	SD        number `json:"sd"`
	Lo        number `json:"lo"`
	Hi        number `json:"hi"`
	RHat      number `json:"rhat"`
	ESS       number `json:"ess"`
}

// sampleMV draws the posterior of the fitted model m's weights, means and
// covariances given x, with the options' method, seed, draws and warm-up,
// and summarises it: for each component its weight, the mean and variance
// of each column and, for full and tied covariances, the correlation of
// each pair of columns.
func sampleMV(m *mv.Model, x *mat.Dense, opt options, names []string) (*mvPosterior, error) {
	method := mv.Gibbs
	if opt.inference == gmm.VB {
		method = mv.VB
	}
	pm := &mv.Model{K: m.K, Covariance: m.Covariance, Prior: m.Prior}
	p, err := pm.Posterior(x, &mv.PosteriorSettings{Method: method, Seed: opt.seed, Chains: chains, Draws: opt.draws, Warmup: opt.warmup})
	if err != nil {
		return nil, err
	}
	s := &mvPosterior{Method: p.Method.String(), Seed: opt.seed, Chains: p.Chains, Draws: p.Draws, Level: level, Warnings: []string{}, k: p.K()}
	if p.Method == mv.Gibbs {
		s.Warmup = opt.warmup
	}
	for _, w := range p.Warnings {
		s.Warnings = append(s.Warnings, advice(w))
	}
	d := len(names)
	col := make([]float64, len(p.Weights))
	add := func(k int, name string, f func(t int) float64) {
		for t := range col {
			col[t] = f(t)
		}
		s.Rows = append(s.Rows, summariseDraws(col, p.Chains, k, name))
	}
	corr := m.Covariance == mv.Full || m.Covariance == mv.Tied
	for k := range p.K() {
		add(k, "weight", func(t int) float64 { return p.Weights[t][k] })
		for j := range d {
			add(k, "mean "+names[j], func(t int) float64 { return p.Means[t][k][j] })
		}
		for j := range d {
			add(k, "variance "+names[j], func(t int) float64 { return p.Covariances[t][k].At(j, j) })
		}
		for a := range d {
			for b := a + 1; b < d && corr; b++ {
				add(k, "correlation "+names[a]+", "+names[b], func(t int) float64 {
					c := p.Covariances[t][k]
					return c.At(a, b) / math.Sqrt(c.At(a, a)*c.At(b, b))
				})
			}
		}
	}
	return s, nil
}

// summariseDraws summarises the draws x of chains chains, one after
// another: the mean, the standard deviation (divisor n − 1), the type-7
// quantiles at (1 ∓ level)/2 (as gmm.Posterior.Quantile), and R̂ and bulk
// ESS by the library's diagnostics (Vehtari et al. 2021).
func summariseDraws(x []float64, chains, k int, name string) posteriorRow {
	var mean, ss float64
	for i, v := range x {
		mean += (v - mean) / float64(i+1)
	}
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	sorted := slices.Clone(x)
	slices.Sort(sorted)
	q := func(p float64) float64 {
		h := p * float64(len(sorted)-1)
		i := int(h)
		if i >= len(sorted)-1 {
			return sorted[len(sorted)-1]
		}
		return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
	}
	r, e := mcmc.NewDiagnostics(chains, len(x)/chains).Compute(x)
	return posteriorRow{Component: k, Parameter: name, Mean: number(mean), SD: number(math.Sqrt(ss / float64(len(x)-1))),
		Lo: number(q((1 - level) / 2)), Hi: number(q((1 + level) / 2)), RHat: number(r), ESS: number(e)}
}

// reportPosteriorMV prints the summary as a table, one row per quantity,
// followed by its warnings, as reportPosterior does for one column.
func reportPosteriorMV(w io.Writer, s *mvPosterior) {
	posteriorHeader(w, s.Method, s.Seed, s.Chains, s.Draws, s.Warmup)
	fmt.Fprintln(w, "The same prior and K; components in order of their posterior means, compared column by column.")
	fmt.Fprintln(w)
	t := [][]string{{"component", "parameter", "posterior mean", "sd", fmt.Sprintf("%.0f%% interval", 100*level), "R̂", "bulk ESS"}}
	last := -1
	for _, r := range s.Rows {
		f := fixed(float64(r.Lo), float64(r.Hi))
		c := ""
		if r.Component != last {
			c, last = strconv.Itoa(r.Component), r.Component
		}
		t = append(t, []string{c, r.Parameter, f(float64(r.Mean)), fmt.Sprintf("%#.2g", float64(r.SD)),
			"[" + f(float64(r.Lo)) + ", " + f(float64(r.Hi)) + "]", fmt.Sprintf("%.3f", float64(r.RHat)), fmt.Sprintf("%.0f", float64(r.ESS))})
	}
	table(w, t, 1)
	fmt.Fprintln(w)
	posteriorFooter(w, s.Warnings, s.Method, s.k)
}
