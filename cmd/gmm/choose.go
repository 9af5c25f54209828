package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/gmm-go/gmm"
	gplot "github.com/gmm-go/gmm/plot"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// chooseSummary is what model.json and -json add to the model's JSON when
// K is chosen: the model's mclust name, the fit's summary, and the table.
type chooseSummary struct {
	Covariance string `json:"covariance"`
	fitSummary
	Criterion string          `json:"criterion"`
	Selection []candidateJSON `json:"selection"`
}

// choose chooses K for one column, and whether the components share σ,
// by BIC (gmm.Select), then reports the chosen model as one does.
func (s *session) choose(d *data) error {
	opt := s.opt
	fit := &gmm.Settings{Method: opt.method, Seed: opt.seed, Tol: opt.tol}
	t := time.Now()
	sel, err := gmm.Select(d.x, &gmm.SelectSettings{Ks: opt.ks, Prior: prior(opt.prior, d.x), Fit: fit})
	if err != nil {
		return err
	}
	s.logf("fitted %d candidates in %v", len(sel.Candidates), since(t))
	m, res := refit(sel.Best, d.x, fit)
	for _, w := range warnings(res) {
		fmt.Fprintf(s.stderr, "gmm: warning: %s\n", advice(w))
	}

	t = time.Now()
	cl := classify(m, d.x)
	sum, err := summaryOf(m, res, opt, d, nil)
	if err != nil {
		return err
	}
	cs := chooseSummary{Covariance: modelName(m), fitSummary: sum, Criterion: sel.Criterion.String()}
	var cells []cell
	for _, c := range sel.Candidates {
		cj := candidateJSON{K: c.K, Covariance: c.Model(), LogLikelihood: number(c.LogLikelihood), NumParams: c.NumParams,
			BIC: number(c.BIC), ICL: number(c.ICL)}
		if c.Err != nil {
			cj.Error = c.Err.Error()
		}
		cs.Selection = append(cs.Selection, cj)
		cells = append(cells, cell{k: c.K, model: c.Model(), bic: c.BIC, err: c.Err})
	}
	modelJSON, err := fitJSON(m, cs)
	if err != nil {
		return err
	}
	figs := append([]figure{{"bic.png", func() (*plot.Plot, error) { return gplot.Selection(sel) }, 8 * vg.Inch, 5 * vg.Inch}},
		oneFigures(m, res, nil, d, cl)...)
	files, err := write(opt.out, figs, modelJSON, s.assign(d), func(w io.Writer) error {
		return assignments(w, d, m.K, oneLabeller(m))
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
	fmt.Fprintf(w, "Chose K by %v among the models E (one σ shared by the components) and V (a σ each), K = %s, for %s of %s from %s\n",
		sel.Criterion, kList(opt.ks), count(len(d.x), "value"), d.column, d.source)
	if opt.prior == "none" {
		fmt.Fprintf(w, "prior:  none%s\n", priorWhy(opt))
	} else {
		fmt.Fprintf(w, "prior:  %s%s: %v\n", opt.prior, priorWhy(opt), prior(opt.prior, d.x))
	}
	fmt.Fprintf(w, "%v = −2 log L + p log n: lower is better (mclust prints −%v).\n\n", sel.Criterion, sel.Criterion)
	selectionTable(w, sel.Criterion.String(), []string{"E", "V"}, cells)
	fmt.Fprintln(w)
	if err := report(w, opt, m, res, nil, d, cl); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "wrote %s: %s\n", opt.out, strings.Join(files, ", "))
	return err
}

// refit fits the chosen model best again with the same settings, to learn
// how its run went: it returns the new fit and its result if it is the
// same optimum, within rounding, and otherwise best and nil. (A selection
// can start a candidate from the fit with one component fewer, which a
// fit alone does not.)
func refit(best *gmm.Model, x []float64, s *gmm.Settings) (*gmm.Model, *gmm.Result) {
	m := &gmm.Model{K: best.K, Prior: best.Prior, SharedSigma: best.SharedSigma}
	res, err := m.Fit(x, s)
	if err != nil {
		return best, nil
	}
	a, errA := m.LogJoint(x)
	b, errB := best.LogJoint(x)
	// 1e-9 relative is far below the gap between distinct optima and above
	// the rounding of a loss summed over the data.
	if errA != nil || errB != nil || math.Abs(a-b) > 1e-9*(math.Abs(b)+float64(len(x))) {
		return best, nil
	}
	return m, res
}

// warnings returns the warnings of res, none if it is nil.
func warnings(res *gmm.Result) []string {
	if res == nil {
		return nil
	}
	return res.Warnings
}

// kList writes the Ks as a range "1..9" or a list.
func kList(ks []int) string {
	if len(ks) > 1 && ks[len(ks)-1]-ks[0] == len(ks)-1 {
		return fmt.Sprintf("%d..%d", ks[0], ks[len(ks)-1])
	}
	var s []string
	for _, k := range ks {
		s = append(s, fmt.Sprint(k))
	}
	return strings.Join(s, ", ")
}
