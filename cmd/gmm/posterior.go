package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/gmm-go/gmm"
)

const (
	// chains is the number of chains (for vb, of starting points).
	chains = 4
	// defaultDraws and defaultWarmup are the library's defaults, per
	// chain; minDraws is the fewest draws its diagnostics accept.
	defaultDraws  = 1000
	defaultWarmup = 1000
	minDraws      = 10
	// level is the probability of the credible intervals and band.
	level = 0.9
)

// sample draws the posterior of m's parameters given x, with the options'
// method, seed, draws and warm-up.
func sample(m *gmm.Model, x []float64, opt options) (*gmm.Posterior, error) {
	p, err := m.Posterior(x, &gmm.PosteriorSettings{
		Method: opt.inference, Seed: opt.seed, Chains: chains, Draws: opt.draws, Warmup: opt.warmup,
	})
	if err != nil && m.Prior.IsZero() {
		// The library says to set a prior; say how.
		return nil, fmt.Errorf("%w (use -prior notebook or -prior default)", err)
	}
	return p, err
}

// number is a float64 written to JSON as null when it is NaN or ±Inf,
// which JSON cannot hold.
type number float64

func (v number) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// params is gmm.Params in JSON, with the keys of the model's own JSON.
type params struct {
	Weights []number `json:"weights"`
	Means   []number `json:"means"`
	Sigmas  []number `json:"sigmas"`
}

func toParams(p gmm.Params) params {
	conv := func(v []float64) []number {
		out := make([]number, len(v))
		for i, f := range v {
			out[i] = number(f)
		}
		return out
	}
	return params{Weights: conv(p.Weights), Means: conv(p.Means), Sigmas: conv(p.Sigmas)}
}

// interval is a central credible interval of each parameter.
type interval struct {
	Level float64 `json:"level"`
	Lo    params  `json:"lo"`
	Hi    params  `json:"hi"`
}

// posteriorSummary is the "posterior" object of model.json and -json: a
// summary of the draws. Components are numbered in increasing order of
// their posterior mean of μ.
type posteriorSummary struct {
	Method   string   `json:"method"`
	Seed     uint64   `json:"seed"`
	Chains   int      `json:"chains"`
	Draws    int      `json:"draws"`            // per chain
	Warmup   int      `json:"warmup,omitempty"` // per chain, Gibbs only
	Mean     params   `json:"mean"`
	SD       params   `json:"sd"`
	Interval interval `json:"interval"`
	RHat     params   `json:"rhat"`
	ESS      params   `json:"ess"`
	Warnings []string `json:"warnings"`

	mean, sd, lo, hi, rhat, ess gmm.Params
}

// summarise summarises the posterior p drawn with the options opt.
func summarise(p *gmm.Posterior, opt options) (*posteriorSummary, error) {
	lo, hi, err := p.Interval(level)
	if err != nil {
		return nil, err
	}
	s := &posteriorSummary{
		Method: p.Method.String(), Seed: opt.seed, Chains: p.Chains, Draws: p.Draws,
		Warnings: []string{},
		mean:     p.Mean(), sd: p.SD(), lo: lo, hi: hi, rhat: p.RHat(), ess: p.ESS(),
	}
	for _, w := range p.Warnings {
		s.Warnings = append(s.Warnings, advice(w))
	}
	if p.Method == gmm.Gibbs {
		s.Warmup = opt.warmup
	}
	s.Mean, s.SD, s.RHat, s.ESS = toParams(s.mean), toParams(s.sd), toParams(s.rhat), toParams(s.ess)
	s.Interval = interval{Level: level, Lo: toParams(lo), Hi: toParams(hi)}
	return s, nil
}

// reportPosterior prints the summary as a table, one row per parameter,
// followed by its warnings.
func reportPosterior(w io.Writer, s *posteriorSummary) {
	posteriorHeader(w, s.Method, s.Seed, s.Chains, s.Draws, s.Warmup)
	fmt.Fprintln(w, "The same prior and K; components in order of their posterior mean of μ.")
	fmt.Fprintln(w)
	t := [][]string{{"component", "parameter", "posterior mean", "sd", fmt.Sprintf("%.0f%% interval", 100*level), "R̂", "bulk ESS"}}
	for k := range s.mean.Weights {
		for j, name := range []string{"weight", "mean", "sigma"} {
			pick := func(p gmm.Params) float64 { return [][]float64{p.Weights, p.Means, p.Sigmas}[j][k] }
			f := fixed(pick(s.lo), pick(s.hi))
			c := ""
			if j == 0 {
				c = strconv.Itoa(k)
			}
			t = append(t, []string{c, name,
				f(pick(s.mean)),
				fmt.Sprintf("%#.2g", pick(s.sd)),
				"[" + f(pick(s.lo)) + ", " + f(pick(s.hi)) + "]",
				fmt.Sprintf("%.3f", pick(s.rhat)),
				fmt.Sprintf("%.0f", pick(s.ess)),
			})
		}
	}
	table(w, t, 1)
	fmt.Fprintln(w)
	posteriorFooter(w, s.Warnings, s.Method, len(s.mean.Weights))
}

// posteriorHeader says how the posterior was sampled.
func posteriorHeader(w io.Writer, method string, seed uint64, chains, draws, warmup int) {
	switch method {
	case "vb":
		fmt.Fprintf(w, "Posterior by variational Bayes (mean-field), seed %d: the best of %d starts, %d independent draws from it.\n",
			seed, chains, chains*draws)
	default:
		fmt.Fprintf(w, "Posterior by Gibbs sampling, seed %d: %d chains of %d draws, each after %d warm-up sweeps.\n",
			seed, chains, draws, warmup)
	}
}

// posteriorFooter prints the warnings of a posterior of K components
// drawn by method, and which flag answers them, or that there are none.
func posteriorFooter(w io.Writer, warnings []string, method string, K int) {
	for _, m := range warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
	diag, tooMany := false, false
	for _, m := range warnings {
		diag = diag || strings.Contains(m, "R̂") || strings.Contains(m, "ESS")
		tooMany = tooMany || strings.Contains(m, "try a smaller -k")
	}
	switch {
	case tooMany:
		fmt.Fprintf(w, "(-k %d fits fewer components)\n", K-1)
	case diag && method == "vb":
		fmt.Fprintln(w, "(-draws N takes more draws)")
	case diag:
		fmt.Fprintln(w, "(-draws N and -warmup N run each chain longer)")
	case len(warnings) > 0:
	case method == "vb":
		fmt.Fprintln(w, "The draws are independent, so R̂ and ESS are near ideal whatever the quality of the approximation.")
	default:
		fmt.Fprintln(w, "Every R̂ is at most 1.01 and every bulk ESS at least 400.")
	}
}

// fixed returns a formatter that writes a number to the digits the draws
// determine: to about a tenth of the spread of the interval [lo, hi], its
// width over 3.29 (the width of a central 90% interval of a normal
// distribution in standard deviations), since the Monte Carlo error of a
// mean or of a 5% quantile from a few thousand effective draws is a few
// hundredths of the posterior sd. It keeps at least two significant digits
// of each number, so that a small lower bound does not round to zero. An
// empty or non-finite interval gives 6 significant digits.
func fixed(lo, hi float64) func(float64) string {
	spread := (hi - lo) / (2 * 1.645)
	if !(spread > 0) || math.IsInf(spread, 0) {
		return func(v float64) string { return fmt.Sprintf("%#.6g", v) }
	}
	d := 1 - int(math.Floor(math.Log10(spread)))
	return func(v float64) string {
		e := d
		if a := math.Abs(v); a > 0 && !math.IsInf(a, 0) {
			e = max(e, 1-int(math.Floor(math.Log10(a))))
		}
		return strconv.FormatFloat(v, 'f', min(max(e, 0), 12), 64)
	}
}

// table writes the rows in columns two spaces apart, indented by two,
// right-aligned except column left, which is left-aligned. It measures a
// cell by what it shows, so that a combining mark, as in R̂, takes no
// width.
func table(w io.Writer, rows [][]string, left int) {
	var width []int
	for _, r := range rows {
		for j, c := range r {
			if j == len(width) {
				width = append(width, 0)
			}
			width[j] = max(width[j], shown(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for j, c := range r {
			pad := strings.Repeat(" ", width[j]-shown(c))
			if j == left {
				b.WriteString("  " + c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}

// shown returns the number of columns s takes on a terminal: its runes,
// less the combining marks.
func shown(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.Is(unicode.Mn, r) {
			n++
		}
	}
	return n
}
