package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/mv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Selection returns the figure of a one-column selection, as R mclust's
// plot of its BIC: the criterion against K, one line for the model E (one
// σ shared by the components) and one for V (a σ each), the best
// candidate circled. The criterion is in this package's sign, lower is
// better, where mclust plots −BIC. A candidate that could not be fitted
// leaves a gap in its line, and the title names it. The y axis stops at
// four times the median candidate's distance from the best, so that the
// candidates that compete are told apart, and the title says so when
// candidates lie above it. It returns an error if s is nil or has no
// fitted candidate.
func Selection(s *gmm.Selection) (*plot.Plot, error) {
	if s == nil {
		return nil, errors.New("plot: the selection is nil; pass the Selection that gmm.Select returned")
	}
	var cs []candidate
	for _, c := range s.Candidates {
		cs = append(cs, candidate{k: c.K, model: c.Model(), v: pick(s.Criterion == gmm.ICL, c.BIC, c.ICL), failed: c.Err != nil})
	}
	return selection(cs, []string{"E", "V"}, s.Criterion.String())
}

// SelectionMV returns the figure of a selection among covariance models,
// as R mclust's plot of its BIC table: the criterion c (the one s was
// chosen by) against K, one line per covariance model, the best candidate
// circled. The criterion is in this package's sign, lower is better, where
// mclust plots −BIC. A candidate that could not be fitted leaves a gap in
// its line, and the title names it; the y axis stops as in Selection.
// Each covariance model has its own colour and marker, the same
// in every figure. It returns an error if s is nil or has no fitted
// candidate.
func SelectionMV(s *mv.Selection, c mv.Criterion) (*plot.Plot, error) {
	if s == nil {
		return nil, errors.New("plot: the selection is nil; pass the Selection that mv.Select returned")
	}
	var cs []candidate
	var models []string
	for _, cand := range s.Candidates {
		cs = append(cs, candidate{k: cand.K, model: cand.Covariance.String(), v: pick(c == mv.ICL, cand.BIC, cand.ICL), failed: cand.Err != nil})
		if !slices.Contains(models, cand.Covariance.String()) {
			models = append(models, cand.Covariance.String())
		}
	}
	return selection(cs, models, c.String())
}

// pick returns icl if useICL, and bic otherwise.
func pick(useICL bool, bic, icl float64) float64 {
	if useICL {
		return icl
	}
	return bic
}

// candidate is a cell of a selection's table.
type candidate struct {
	k      int
	model  string
	v      float64
	failed bool
}

// modelStyle returns the colour and marker of the covariance model named
// name: mclust's fourteen in their order, then E and V as EII and VII.
func modelStyle(name string) (color.Color, draw.GlyphDrawer) {
	i := 0
	switch name {
	case "E":
		i = 0
	case "V":
		i = 1
	default:
		if c, err := mv.ParseCovariance(name); err == nil {
			i = int(c)
		}
	}
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.RingGlyph{},
		draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}}
	// i%10 and i%7 together tell the fourteen apart.
	return Color(i), shapes[i%len(shapes)]
}

// selection draws the criterion named crit of the candidates cs against K,
// a line per model in the order of models.
func selection(cs []candidate, models []string, crit string) (*plot.Plot, error) {
	best := -1
	for i, c := range cs {
		if !c.failed && isFinite(c.v) && (best < 0 || c.v < cs[best].v) {
			best = i
		}
	}
	if best < 0 {
		return nil, errors.New("plot: no candidate of the selection was fitted; there is nothing to draw")
	}
	b := cs[best]
	inner := newPlot("", "K, the number of components", crit+" (lower is better)")
	inner.Add(newGrid())
	leg := plot.NewLegend()
	leg.TextStyle.Font = sans(11)
	leg.ThumbnailWidth = vg.Points(24)
	leg.Padding = vg.Points(3)
	var ks []int
	var notFitted []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, m := range models {
		col, shape := modelStyle(m)
		var pts plotter.XYs
		var runs []plotter.XYs
		var run plotter.XYs
		var failed []string
		for _, c := range cs {
			if c.model != m {
				continue
			}
			if !slices.Contains(ks, c.k) {
				ks = append(ks, c.k)
			}
			if c.failed || !isFinite(c.v) {
				failed = append(failed, fmt.Sprint(c.k))
				if len(run) > 0 {
					runs = append(runs, run)
				}
				run = nil
				continue
			}
			run = append(run, plotter.XY{X: float64(c.k), Y: c.v})
			pts = append(pts, plotter.XY{X: float64(c.k), Y: c.v})
			lo, hi = min(lo, c.v), max(hi, c.v)
		}
		if len(run) > 0 {
			runs = append(runs, run)
		}
		sty := draw.LineStyle{Color: col, Width: vg.Points(1.5)}
		for _, r := range runs {
			l, err := plotter.NewLine(r)
			if err != nil {
				return nil, err
			}
			l.LineStyle = sty
			inner.Add(l)
		}
		dots := &plotter.Scatter{XYs: pts, GlyphStyle: draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: shape}}
		if len(failed) > 0 {
			notFitted = append(notFitted, fmt.Sprintf("%s with K = %s", m, strings.Join(failed, ", ")))
		}
		inner.Add(dots)
		line, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}})
		line.LineStyle = sty
		leg.Add(m, line, dots)
	}
	ring, _ := plotter.NewScatter(plotter.XYs{{X: float64(b.k), Y: b.v}})
	ring.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(6.5), Shape: draw.RingGlyph{}}
	inner.Add(ring)
	slices.Sort(ks)
	inner.X.Min, inner.X.Max = float64(ks[0])-0.3, float64(ks[len(ks)-1])+0.3
	// Models far worse than the rest, such as the spherical ones on
	// correlated columns or K = 1, would squeeze the candidates that
	// compete into a band at the bottom: the axis is cut at four times
	// the median's distance from the best, and the title says so.
	var vals []float64
	for _, c := range cs {
		if !c.failed && isFinite(c.v) {
			vals = append(vals, c.v)
		}
	}
	slices.Sort(vals)
	top := hi
	if cut := lo + 4*(vals[len(vals)/2]-lo); cut < hi && cut > lo {
		top = cut
	}
	span := max(top-lo, 1e-9*math.Abs(lo), 1e-12)
	inner.Y.Min, inner.Y.Max = lo-0.04*span, top+0.04*span
	inner.X.Tick.Marker = intTicks{}
	title := fmt.Sprintf("Choosing the model by %s: the best is %s with K = %d (%.2f)", crit, b.model, b.k, b.v)
	if top < hi {
		title += fmt.Sprintf("\n(the axis stops at %.0f; the worst, up to %.0f, lie above)", inner.Y.Max, hi)
	}
	if len(notFitted) > 0 {
		title += fmt.Sprintf("\n(not fitted, so not drawn: %s)", strings.Join(notFitted, "; "))
	}
	return newPanels(title, &panels{grid: [][]*plot.Plot{{inner}}, legend: &leg, strip: 0.17, pad: vg.Points(6)}), nil
}

// intTicks labels every integer of the axis, or every second, fifth, …
// when there are more than 12.
type intTicks struct{}

// Ticks implements plot.Ticker.
func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := int(math.Ceil(lo)), int(math.Floor(hi))
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500} {
		step = s
		if (last-first)/s+1 <= 12 {
			break
		}
	}
	var t []plot.Tick
	for k := first; k <= last; k++ {
		if k%step == 0 {
			t = append(t, plot.Tick{Value: float64(k), Label: fmt.Sprint(k)})
		}
	}
	return t
}
