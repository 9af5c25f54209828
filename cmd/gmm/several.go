package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gmm-go/gmm/mv"
	gplot "github.com/gmm-go/gmm/plot"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// mvSummary is what model.json and -json add to the JSON of a model of
// several columns: the summary keys of one column, the columns, the number
// of rows fitted on the columns they have (counted in n), and the table
// when the model was chosen among several.
type mvSummary struct {
	fitSummary
	Columns    []string        `json:"columns"`
	Incomplete int             `json:"incomplete"`
	Criterion  string          `json:"criterion,omitempty"`
	Selection  []candidateJSON `json:"selection,omitempty"`
	Posterior  *mvPosterior    `json:"posterior,omitempty"`
}

// several fits several columns with mv: the one model the options name,
// or the best by BIC of the covariance models and Ks they name. Rows that
// miss some values are fitted on the columns they have (mv's
// AllowMissing), in the selection too; the default prior, the figures and
// the posterior take the rows that have every value.
func (s *session) several(d *data) error {
	opt := s.opt
	x := mat.NewDense(d.n(), d.d, d.x)
	missing := d.partial > 0
	full := x
	if missing {
		full = completeRows(d)
	}
	fit := &mv.Settings{Seed: opt.seed, AllowMissing: missing, Tol: opt.tol}
	if missing && opt.prior == "default" {
		// DefaultPrior leaves out the rows with a missing value.
		if p := mv.DefaultPrior(x, 1); p.Validate(d.d) != nil {
			nf := 0
			if full != nil {
				nf, _ = full.Dims()
			}
			return fmt.Errorf("-prior default is scaled to the rows that have every value, and %s of %s cannot set it: it needs two or more whose columns are not collinear; use -prior none, or fill in the missing values",
				count(nf, "such row"), d.source)
		}
	}
	var m *mv.Model
	var res *mv.Result
	var sel *mv.Selection
	t := time.Now()
	if len(opt.ks) == 1 && len(opt.covs) == 1 {
		m = &mv.Model{K: opt.ks[0], Covariance: opt.covs[0]}
		if opt.prior == "default" {
			m.Prior = mv.DefaultPrior(x, m.K)
		}
		var err error
		if res, err = m.Fit(x, fit); err != nil {
			return err
		}
		s.logf("fitted in %v: the best of %d starts took %d steps", since(t), res.Restarts, res.Steps)
	} else {
		var err error
		sel, err = mv.Select(x, &mv.SelectSettings{Ks: opt.ks, Covariances: opt.covs, Fit: fit, UsePrior: opt.prior == "default"})
		if err != nil {
			return err
		}
		s.logf("fitted %d candidates in %v", len(sel.Candidates), since(t))
		m, res = refitMV(sel.Best, x, fit)
	}

	t = time.Now()
	sum := mvSummary{fitSummary: fitSummary{Method: "em", PriorName: opt.prior, N: d.n(), Skipped: d.skipped,
		Column: d.column, Warnings: []string{}}, Columns: d.names, Incomplete: d.partial}
	if res != nil {
		sum.Converged, sum.Steps, sum.Restarts = &res.Converged, &res.Steps, &res.Restarts
		sum.Loss = res.Loss[len(res.Loss)-1]
	} else {
		lj, err := m.LogJoint(x)
		if err != nil {
			return err
		}
		sum.Loss = -lj
	}
	if opt.posterior {
		t := time.Now()
		if missing {
			if full == nil {
				return fmt.Errorf("-posterior samples given the rows that have every value, and no row of %s has a value in every one of %s; fill in the missing values, or leave out -posterior", d.source, strings.Join(d.names, ", "))
			}
			fmt.Fprintf(s.stderr, "gmm: note: -posterior samples given the %s with every value; the sampler takes no missing values, so the %s that %s some %s left out of it\n",
				count(full.RawMatrix().Rows, "row"), count(d.partial, "row"), verb(d.partial, "misses", "miss"), verb(d.partial, "is", "are"))
		}
		var err error
		if sum.Posterior, err = sampleMV(m, full, opt, d.names); err != nil {
			return err
		}
		s.logf("sampled the posterior in %v", since(t))
	}
	var cells []cell
	var models []string
	if sel != nil {
		sum.Criterion = mv.BIC.String()
		for _, c := range sel.Candidates {
			cj := candidateJSON{K: c.K, Covariance: c.Covariance.String(), LogLikelihood: number(c.LogLikelihood),
				NumParams: c.NumParams, BIC: number(c.BIC), ICL: number(c.ICL)}
			if c.Err != nil {
				cj.Error = c.Err.Error()
			}
			sum.Selection = append(sum.Selection, cj)
			cells = append(cells, cell{k: c.K, model: c.Covariance.String(), bic: c.BIC, err: c.Err})
		}
		for _, c := range opt.covs {
			models = append(models, c.String())
		}
	}
	modelJSON, err := fitJSON(m, sum)
	if err != nil {
		return err
	}
	files, err := write(opt.out, s.mvFigures(m, sel, full, d), modelJSON, s.assign(d), func(w io.Writer) error {
		return assignments(w, d, m.K, mvLabeller(m, d.d))
	})
	if err != nil {
		return err
	}
	s.logf("wrote %d files into %s in %v", len(files), opt.out, since(t))
	if opt.json {
		_, err := s.stdout.Write(modelJSON)
		return err
	}
	w := s.stdout
	if sel != nil {
		fmt.Fprintf(w, "Chose the covariance model and K by BIC among %s, K = %s, for %s of %s from %s\n",
			modelList(opt.covs), kList(opt.ks), count(d.n(), "row"), strings.Join(d.names, ", "), d.source)
		fmt.Fprintf(w, "prior:  %s%s\n", opt.prior, mvPriorWhy(opt))
		fmt.Fprintf(w, "BIC = −2 log L + p log n: lower is better (mclust prints −BIC).\n\n")
		selectionTable(w, "BIC", models, cells)
		fmt.Fprintln(w)
	}
	if err := reportMV(w, opt, m, res, x, full, d); err != nil {
		return err
	}
	if sum.Posterior != nil {
		fmt.Fprintln(w)
		reportPosteriorMV(w, sum.Posterior)
		fmt.Fprintln(w)
	}
	_, err = fmt.Fprintf(w, "wrote %s: %s\n", opt.out, strings.Join(files, ", "))
	return err
}

// mvPriorWhy names the prior of a fit of several columns.
func mvPriorWhy(opt options) string {
	switch {
	case opt.prior == "default":
		return " (mclust's priorControl(): Fraley & Raftery 2007, scaled to the data and to each K)"
	case opt.priorAuto:
		return " (maximum likelihood, as mclust's Mclust)"
	}
	return " (maximum likelihood)"
}

// modelList names the covariance models tried: "the 14 models of mclust"
// or their names.
func modelList(covs []mv.Covariance) string {
	if len(covs) == len(mv.Covariances()) {
		return "the 14 covariance models of mclust"
	}
	var s []string
	for _, c := range covs {
		s = append(s, c.String())
	}
	return strings.Join(s, ", ")
}

// refitMV fits the chosen model best again with the same settings, as
// refit does for one column. NaN in x marks a missing value, which
// LogJoint reads as Fit does with AllowMissing.
func refitMV(best *mv.Model, x *mat.Dense, s *mv.Settings) (*mv.Model, *mv.Result) {
	m := &mv.Model{K: best.K, Covariance: best.Covariance, Prior: best.Prior}
	res, err := m.Fit(x, s)
	if err != nil {
		return best, nil
	}
	a, errA := m.LogJoint(x)
	b, errB := best.LogJoint(x)
	n, _ := x.Dims()
	// 1e-9 relative, as in refit.
	if errA != nil || errB != nil || math.Abs(a-b) > 1e-9*(math.Abs(b)+float64(n)) {
		return best, nil
	}
	return m, res
}

// completeRows returns the rows of d that have every value.
func completeRows(d *data) *mat.Dense {
	var x []float64
	for i := range d.n() {
		row := d.x[i*d.d : (i+1)*d.d]
		if !slices.ContainsFunc(row, math.IsNaN) {
			x = append(x, row...)
		}
	}
	if len(x) == 0 {
		return nil
	}
	return mat.NewDense(len(x)/d.d, d.d, x)
}

// mvLabeller is the labeller of the model m of d columns.
func mvLabeller(m *mv.Model, d int) labeller {
	return func(z []int, r, x []float64) {
		xs := mat.NewDense(len(z), d, x)
		copy(z, m.Assign(xs))
		copy(r, m.Responsibilities(xs).RawMatrix().Data)
	}
}

// mvFigures returns the figures of the fit m of several columns, drawn
// over the rows x (nil if no row has every value, with a note and without
// the figures of the fit), and of the selection sel if it is not nil.
func (s *session) mvFigures(m *mv.Model, sel *mv.Selection, x *mat.Dense, d *data) []figure {
	// The pairwise panels need room: 8 inches wide, and tall enough to
	// keep them about square.
	side := 8 * vg.Inch
	h := 6.5 * vg.Inch
	if d.d > 2 {
		h = side
	}
	figs := []figure{
		{"classification.png", func() (*plot.Plot, error) { return gplot.Classification(m, x, d.names) }, side, h},
		{"uncertainty.png", func() (*plot.Plot, error) { return gplot.Uncertainty(m, x, d.names) }, side, h},
		{"density.png", func() (*plot.Plot, error) { return gplot.Contours(m, x, d.names) }, side, h},
	}
	if x == nil {
		fmt.Fprintf(s.stderr, "gmm: note: no row has every value, so classification.png, uncertainty.png and density.png, which draw such rows, are not written\n")
		figs = nil
	}
	if sel != nil {
		figs = append([]figure{{"bic.png", func() (*plot.Plot, error) { return gplot.SelectionMV(sel, mv.BIC) }, 8 * vg.Inch, 5 * vg.Inch}}, figs...)
	}
	return figs
}

// reportMV prints the fit res of m to x (res nil if the run is not known)
// as tables: the weights, sizes and means, then the standard deviations
// and correlations. full is the rows of x that have every value (nil if
// none).
func reportMV(w io.Writer, opt options, m *mv.Model, res *mv.Result, x, full *mat.Dense, d *data) error {
	fmt.Fprintf(w, "Fitted %v (%s) with K = %d to %s of %s from %s.\n", m.Covariance, describeCov(m.Covariance), m.K,
		count(d.n(), "row"), strings.Join(d.names, ", "), d.source)
	if d.partial > 0 {
		nf := 0
		if full != nil {
			nf, _ = full.Dims()
		}
		fmt.Fprintf(w, "missing: %s of the %d %s some values, each fitted on the columns it has (missing at random, Ghahramani & Jordan 1994); the %s with every value %s drawn",
			count(d.partial, "row"), d.n(), verb(d.partial, "misses", "miss"), count(nf, "row"), verb(nf, "is", "are"))
		if opt.prior == "default" {
			fmt.Fprintf(w, " and set the prior")
		}
		fmt.Fprintln(w)
	}
	if d.skipped > 0 {
		fmt.Fprintf(w, "skipped: %s missing every column\n", count(d.skipped, "row"))
	}
	if opt.prior == "default" {
		fmt.Fprintf(w, "prior:  default (mclust's priorControl(), for this K)\n")
	} else {
		fmt.Fprintf(w, "prior:  none%s\n", mvPriorWhy(opt))
	}
	if res == nil {
		fmt.Fprintf(w, "method: em, seed %d: the fit the selection found, from its start at the fit with one component fewer\n", opt.seed)
	} else {
		status := fmt.Sprintf("converged after %d steps", res.Steps)
		if !res.Converged {
			status = fmt.Sprintf("NOT converged: stopped after %d steps", res.Steps)
		}
		fmt.Fprintf(w, "method: em, seed %d, best of %d starts, %s\n", opt.seed, res.Restarts, status)
	}
	size := make([]int, m.K)
	n, _ := x.Dims()
	for lo := 0; lo < n; lo += chunk {
		for _, k := range m.Assign(x.Slice(lo, min(lo+chunk, n), 0, d.d)) {
			size[k]++
		}
	}
	for k, n := range size {
		if n == 0 {
			fmt.Fprintf(w, "note:   z=%d holds no rows, so the fit uses fewer clusters than K = %d\n", k, m.K)
		}
	}
	fmt.Fprintln(w)
	rows := [][]string{append([]string{"cluster", "weight", "size"}, prefix("mean ", d.names)...)}
	for k := range m.K {
		r := []string{fmt.Sprintf("z=%d", k), fmt.Sprintf("%.5f", m.Weights[k]), fmt.Sprint(size[k])}
		for j := range d.d {
			r = append(r, fmt.Sprintf("%#.6g", m.Means.At(k, j)))
		}
		rows = append(rows, r)
	}
	table(w, rows, -1)
	fmt.Fprintln(w)
	// Each component's standard deviations, then its correlations below
	// the diagonal.
	rows = [][]string{append([]string{"cluster"}, prefix("sd ", d.names)...)}
	for k := range m.K {
		c := m.Covariances[k]
		r := []string{fmt.Sprintf("z=%d", k)}
		for j := range d.d {
			r = append(r, fmt.Sprintf("%#.5g", math.Sqrt(c.At(j, j))))
		}
		rows = append(rows, r)
	}
	table(w, rows, -1)
	fmt.Fprintln(w)
	rows = [][]string{append([]string{"correlation", ""}, d.names[:d.d-1]...)}
	for k := range m.K {
		c := m.Covariances[k]
		for a := 1; a < d.d; a++ {
			r := []string{"", d.names[a]}
			if a == 1 {
				r[0] = fmt.Sprintf("z=%d", k)
			}
			for b := range a {
				r = append(r, fmt.Sprintf("%.3f", c.At(a, b)/math.Sqrt(c.At(a, a)*c.At(b, b))))
			}
			for range d.d - 1 - a {
				r = append(r, "")
			}
			rows = append(rows, r)
		}
	}
	table(w, rows, 1)
	// A row that misses some values contributes the log density of the
	// columns it has, as the fit reads it.
	ll, err := m.LogLikelihood(x)
	if err != nil {
		return err
	}
	// Model.BIC's formula, without a second pass over the data; n counts
	// the rows fitted, which all have some value, as Select's BIC does.
	bic := -2*ll + float64(m.NumParams())*math.Log(float64(n))
	fmt.Fprintf(w, "\nlog-likelihood: %.4f, %d parameters, BIC %.4f (the covariances in full are in model.json)\n", ll, m.NumParams(), bic)
	return nil
}

// prefix returns the names, each after p.
func prefix(p string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p + n
	}
	return out
}

// describeCov says in words what the covariance model c constrains, as
// mclust's summary does.
func describeCov(c mv.Covariance) string {
	n := c.String()
	word := func(l byte, what string) string {
		switch l {
		case 'E':
			return "equal " + what
		case 'V':
			return "varying " + what
		}
		return ""
	}
	shape := "spherical"
	switch {
	case n[2] == 'I' && n[1] != 'I':
		shape = "diagonal"
	case n[2] != 'I':
		shape = "ellipsoidal"
	}
	parts := []string{word(n[0], "volume")}
	if n[1] != 'I' {
		parts = append(parts, word(n[1], "shape"))
	}
	if n[2] != 'I' {
		parts = append(parts, word(n[2], "orientation"))
	}
	return shape + ", " + strings.Join(parts, ", ")
}
