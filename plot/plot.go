// Package plot draws the figures of a fitted one-dimensional Gaussian
// mixture with gonum.org/v1/plot: the data as a swarm plot, the loss curve
// of the fit, the weighted component densities and their sum over a
// histogram of the data, and the data split by cluster. These are the four
// figures of the notebook gmm started from, with the density drawn
// correctly, 1/σ included. PosteriorDensity adds to the density figure the
// posterior predictive density and its credible band.
//
// For choosing a model and for several columns it draws R mclust's plots:
// Selection and SelectionMV the criterion against K, a line per model;
// Classification, Uncertainty and Contours the rows of a fit of package mv
// coloured by cluster, sized by the uncertainty of their cluster, and
// under the contours of the fitted density, as one panel for two columns
// and as a matrix of the pairs of columns for more.
//
// Each function returns a *plot.Plot from gonum.org/v1/plot, which can be
// changed further (titles, ranges, more plotters) and saved in any format
// gonum supports; WritePNG writes one as a PNG image. The package lives
// apart from gmm so that programs embedding the library pull in no
// plotting code.
//
// Component k is drawn in the same colour in every figure. Functions return
// an error, and draw nothing, if the data are empty or hold NaN or ±Inf, or
// if the model is not a valid fitted model (see gmm.Model.Validate).
package plot

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/gmm-go/gmm"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Color returns the colour of component k: the ten colours of
// matplotlib's tab10 palette, in turn.
func Color(k int) color.Color {
	c := tab10[((k%len(tab10))+len(tab10))%len(tab10)]
	return color.RGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 255}
}

var tab10 = [...]uint32{
	0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
	0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
}

const (
	// maxSwarm is the most values a swarm row draws. A row with more
	// shows a random sample of this size, and the title says so.
	maxSwarm = 500
	// maxRug is the most values for which the density plot draws a rug;
	// beyond it the rug is a solid band and the histogram says it all.
	maxRug = 1000
	// curvePoints is the number of points each density curve is drawn
	// through.
	curvePoints = 1200
	dpi         = 120
)

var (
	// The posterior predictive density is drawn in slate blue, a colour
	// no component takes, and its band in the same, translucent.
	bandLine = color.NRGBA{R: 0x48, G: 0x3d, B: 0x8b, A: 0xff}
	bandFill = color.NRGBA{R: 0x6a, G: 0x5a, B: 0xcd, A: 0x50}

	gray      = color.RGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	lightGray = color.RGBA{R: 0xd8, G: 0xd8, B: 0xd8, A: 0xff}
	gridGray  = color.RGBA{R: 0xe8, G: 0xe8, B: 0xe8, A: 0xff}
)

// WritePNG draws p at the given size and writes it to w as a PNG image at
// 120 dots per inch. For this drawing only, on an image narrower than 6
// inches the title's font is made smaller in proportion, down to 80% of
// its size, a title line wider than the image is wrapped at spaces, and
// the x axis of the package's figures takes about one labelled tick per
// inch, and the rows of the Clusters figure are labelled only as often as
// their labels fit (see Clusters), so that a small image stays readable;
// p is left as it was.
func WritePNG(w io.Writer, p *plot.Plot, width, height vg.Length) error {
	c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
	margin := vg.Points(6)
	title, marker, size := p.Title.Text, p.X.Tick.Marker, p.Title.TextStyle.Font.Size
	defer func() { p.Title.Text, p.X.Tick.Marker, p.Title.TextStyle.Font.Size = title, marker, size }()
	p.Title.TextStyle.Font.Size = size * vg.Length(max(0.8, min(1, float64(width/(6*vg.Inch)))))
	p.Title.Text = wrap(p.Title.TextStyle, title, width-4*margin)
	if rt, ok := marker.(roundTicks); ok {
		p.X.Tick.Marker = roundTicks{n: min(rt.n, max(3, int(width/vg.Inch)))}
	}
	dc := frame(c)
	if rt, ok := p.Y.Tick.Marker.(rowTicks); ok {
		defer func() { p.Y.Tick.Marker = rt }()
		p.Y.Tick.Marker = withPitch(p, rt, dc)
	}
	p.Draw(dc)
	_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
	return err
}

// frame returns the area of c that WritePNG draws in: all of it but a
// margin of 6 points, 12 on the right.
func frame(c *vgimg.Canvas) draw.Canvas {
	margin := vg.Points(6)
	return draw.Crop(draw.New(c), margin, -2*margin, margin, -margin)
}

// withPitch returns rt with the height of a row of p when drawn on c: the
// data area's height (the title and the x axis are what take from it,
// not the labels) over the rows the y axis spans.
func withPitch(p *plot.Plot, rt rowTicks, c draw.Canvas) rowTicks {
	da := p.DataCanvas(c)
	rt.pitch = (da.Max.Y - da.Min.Y) / vg.Length(p.Y.Max-p.Y.Min)
	return rt
}

// wrap breaks each line of text that sty draws wider than width at the
// last space that keeps it within, or at the first space if none does.
func wrap(sty text.Style, txt string, width vg.Length) string {
	var out []string
	for _, line := range strings.Split(txt, "\n") {
		for sty.Width(line) > width {
			words := strings.Fields(line)
			cut := 1
			for cut < len(words) && sty.Width(strings.Join(words[:cut+1], " ")) <= width {
				cut++
			}
			if cut == len(words) {
				break
			}
			out = append(out, strings.Join(words[:cut], " "))
			line = strings.Join(words[cut:], " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// Data returns the data as a swarm plot, the notebook's first figure: one
// marker per value along the x axis, stacked where values are close, so
// that the shape of the distribution shows. label names the data and
// labels the x axis. Beyond 500 values a random sample of 500 is drawn,
// and the title says so.
func Data(x []float64, label string) (*plot.Plot, error) {
	if err := checkData(x); err != nil {
		return nil, err
	}
	label = name(label)
	shown, thinned := thin(x, maxSwarm)
	title := fmt.Sprintf("The data: %s of %s", values(len(x)), label)
	if thinned {
		title += fmt.Sprintf("\n(a random %d of them shown)", len(shown))
	}
	p := newPlot(title, label, "")
	p.Add(newSwarm(shown, 0, 1, draw.GlyphStyle{Color: Color(0), Radius: dotRadius(len(shown)), Shape: draw.CircleGlyph{}}))
	p.X.Min, p.X.Max = pad(x, 0.04)
	p.HideY()
	return p, nil
}

// Loss returns the loss curve of a fit, the notebook's second figure: the
// loss −log p(x, w, μ, σ) of the winning run at each step, with its final
// value marked.
func Loss(r *gmm.Result) (*plot.Plot, error) {
	p, _, err := loss(r)
	return p, err
}

func loss(r *gmm.Result) (*plot.Plot, *fitLegend, error) {
	if r == nil || len(r.Loss) == 0 {
		return nil, nil, errors.New("plot: the result has no losses; pass the Result that Fit returned")
	}
	xys := make(plotter.XYs, 0, len(r.Loss))
	for t, l := range r.Loss {
		if isFinite(l) {
			xys = append(xys, plotter.XY{X: float64(t), Y: l})
		}
	}
	if len(xys) == 0 {
		return nil, nil, errors.New("plot: every loss of the result is NaN or infinite; there is nothing to draw")
	}
	final := xys[len(xys)-1].Y
	status := fmt.Sprintf("%d steps, converged", r.Steps)
	if !r.Converged {
		status = fmt.Sprintf("%d steps, NOT converged", r.Steps)
	}
	name := "loss"
	if r.Restarts > 1 {
		name = fmt.Sprintf("loss (the best of %d distinct starts)", r.Restarts)
	}
	step := "Adam step"
	if r.Method == gmm.EM {
		step = "EM iteration"
	}
	// Fit records the losses of the winning run on all the data; on large
	// data that run starts from its fit on subsamples, which is not shown.
	p := newPlot(fmt.Sprintf("Loss of the fit: −log p(x, w, μ, σ)\n%v on all the data: %s", r.Method, status),
		step, "loss")
	p.Add(newGrid())
	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, nil, err
	}
	line.Color = Color(0)
	line.Width = vg.Points(2)
	var dots *plotter.Scatter
	if len(xys) <= 60 {
		// Few steps: mark each one.
		if dots, err = plotter.NewScatter(xys); err != nil {
			return nil, nil, err
		}
		dots.GlyphStyle = draw.GlyphStyle{Color: Color(0), Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
	}
	last := plotter.XYs{{X: xys[0].X, Y: final}, {X: xys[len(xys)-1].X, Y: final}}
	ref, err := plotter.NewLine(last)
	if err != nil {
		return nil, nil, err
	}
	ref.Color = gray
	ref.Width = vg.Points(1)
	ref.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	end, err := plotter.NewScatter(xys[len(xys)-1:])
	if err != nil {
		return nil, nil, err
	}
	end.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(ref, line)
	if dots != nil {
		p.Add(dots)
		p.Legend.Add(name, line, dots)
	} else {
		p.Legend.Add(name, line)
	}
	p.Add(end)
	p.Legend.Add(fmt.Sprintf("final loss %.4f", final), ref, end)
	p.X.Min = 0
	p.X.Max = max(xys[len(xys)-1].X, 1)
	// The first losses, from the starting point, can dwarf the rest;
	// the range is set so that the approach to the optimum stays visible
	// while the start is still drawn.
	lo, hi := final, xys[0].Y
	for _, v := range xys {
		lo, hi = min(lo, v.Y), max(hi, v.Y)
	}
	span := max(hi-lo, 1e-9*math.Abs(final), 1e-12)
	p.Y.Min, p.Y.Max = lo-0.05*span, hi+0.05*span
	// The legend clears the curve (see fitLegend), in the upper right
	// corner unless the curve is lower on the left.
	tops := make([]top, len(xys))
	var left, right float64 = lo, lo
	for i, v := range xys {
		tops[i] = top{v.X, v.X, v.Y}
		left, right = sideMax(left, right, v.X, v.X, v.Y, p.X.Min, p.X.Max)
	}
	p.Legend.Left = left < right
	fl := &fitLegend{leg: p.Legend, tops: tops}
	p.Add(fl)
	p.Legend = plot.NewLegend()
	return p, fl, nil
}

// Density returns the notebook's third figure, done right: each weighted
// component density w_k N(x | μ_k, σ_k), with
// N(x | μ, σ) = exp(−(x − μ)²/(2σ²)) / (σ √(2π)), and their sum, the
// mixture density, drawn over a histogram of the data scaled to unit area
// and, for up to 1000 values, a rug of them. The histogram's bins are no wider than the
// narrowest component, so that its peak is resolved, and are aligned with
// the data's grid when the values are rounded (as the iris data are, to
// 0.1). label names the data and labels the x axis.
//
// The legend lists each component's w, μ and σ; where that does not
// clear the curves within the data area's width even at 7 points (see
// fitLegend), it names the components only (z=0, z=1, …), and where that
// does not either, as with a hundred components, it has one entry for all
// of them, "components z=0..K−1", besides the data and the sum.
func Density(m *gmm.Model, x []float64, label string) (*plot.Plot, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	if err := checkData(x); err != nil {
		return nil, err
	}
	p, _, err := density(m, x, label, nil)
	return p, err
}

// PosteriorDensity returns the Density figure of m with the posterior
// predictive density of p drawn over it,
//
//	p(x | data) ≈ (1/T) Σ_t Σ_k w_k⁽ᵗ⁾ N(x | μ_k⁽ᵗ⁾, σ_k⁽ᵗ⁾),
//
// the average over p's T draws of the mixture density (see
// gmm.Posterior.Predictive), as a solid line, and its pointwise credible
// band at the given level (0.9 for 90%) as a shaded region: at each x, the
// central interval of the draws' mixture densities. Where the band is
// narrow the data pin the density down. m is drawn as in Density, usually
// the MAP of the same model, so that the point estimate and the posterior
// can be compared. The band is computed at 240 evenly spaced points and 33
// more about each component, so that it stays quick for a posterior of
// thousands of draws. It returns an error if p is nil or has no draws, or if level is
// not in (0, 1), as well as for the reasons Density does.
func PosteriorDensity(m *gmm.Model, p *gmm.Posterior, x []float64, label string, level float64) (*plot.Plot, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	if err := checkData(x); err != nil {
		return nil, err
	}
	if p == nil || len(p.Weights) == 0 {
		return nil, errors.New("plot: the posterior has no draws; pass the Posterior that Model.Posterior returned")
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("plot: credible level %v is not in (0, 1); for a 90%% band pass 0.9", level)
	}
	lo, hi := span(m, x)
	b := &band{level: level, method: p.Method.String(), draws: len(p.Weights)}
	b.x = bandGrid(p.Mean(), lo, hi)
	var err error
	if b.mean, b.lo, b.hi, err = p.Predictive(b.x, level); err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	fig, _, err := density(m, x, label, b)
	return fig, err
}

// band is the posterior predictive density on the grid x, and its
// pointwise credible band.
type band struct {
	x, mean, lo, hi []float64
	level           float64
	method          string
	draws           int
}

// bandPoints is the number of evenly spaced points the posterior
// predictive density is computed at; each costs a pass over all the
// draws.
const bandPoints = 240

// bandGrid returns the points where the posterior predictive density is
// computed: evenly spaced across [lo, hi], with 33 more within four
// standard deviations of each component's posterior mean, so that a
// narrow peak keeps its height and shape.
func bandGrid(pm gmm.Params, lo, hi float64) []float64 {
	g := linspace(lo, hi, bandPoints)
	for k := range pm.Means {
		for _, z := range linspace(-4, 4, 33) {
			if v := pm.Means[k] + z*pm.Sigmas[k]; v > lo && v < hi {
				g = append(g, v)
			}
		}
	}
	slices.Sort(g)
	return slices.Compact(g)
}

// density draws the density figure of m over the data x and, if b is not
// nil, the posterior predictive density and its band.
func density(m *gmm.Model, x []float64, label string, b *band) (*plot.Plot, *fitLegend, error) {
	label = name(label)
	lo, hi := span(m, x)
	title := fmt.Sprintf("The fitted mixture over the data: K = %d", m.K)
	if b != nil {
		title += fmt.Sprintf("\nand the posterior predictive density: %s, %d draws", b.method, b.draws)
	}
	p := newPlot(title, label, "density")
	p.Add(newGrid())

	hist := histogram(x, slices.Min(m.Sigmas))
	hist.FillColor = lightGray
	if len(hist.Bins) <= 80 {
		hist.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(0.5)}
	} else {
		// White edges on many narrow bars would stripe the histogram.
		hist.LineStyle = draw.LineStyle{Color: lightGray, Width: vg.Points(0.5)}
	}
	p.Add(hist)
	// The short legend, for small images, names the entries only. (It is
	// copied while empty, so that the two hold their own entries.)
	short, compact := p.Legend, p.Legend
	p.Legend.Add(fmt.Sprintf("data (%s, histogram)", values(len(x))), hist)
	short.Add("data", hist)
	compact.Add("data", hist)
	compact.Add(components(m.K), palette(m.K))

	histMax := 0.0
	for _, h := range hist.Bins {
		histMax = max(histMax, h.Weight)
	}
	grid, even, own := curveGrid(m, lo, hi)
	// Terms below a millionth of the histogram's peak over K are left out
	// of the sum: it is short by less than a millionth of the axis'
	// height, which reaches the peak at least, far below a pixel.
	sum := mixture(m, grid, 1e-6*histMax/float64(m.K))
	curveMax := 0.0
	for _, s := range sum {
		curveMax = max(curveMax, s.Y)
	}
	var area *plotter.Polygon
	var pred *plotter.Line
	if b != nil {
		// The band is a polygon: along its lower edge and back along
		// its upper one.
		ring := make(plotter.XYs, 0, 2*len(b.x))
		curve := make(plotter.XYs, len(b.x))
		for i, v := range b.x {
			ring = append(ring, plotter.XY{X: v, Y: b.lo[i]})
			curve[i] = plotter.XY{X: v, Y: b.mean[i]}
			curveMax = max(curveMax, b.hi[i], b.mean[i])
		}
		for i := len(b.x) - 1; i >= 0; i-- {
			ring = append(ring, plotter.XY{X: b.x[i], Y: b.hi[i]})
		}
		var err error
		if area, err = plotter.NewPolygon(ring); err != nil {
			return nil, nil, err
		}
		area.Color = bandFill
		area.LineStyle = draw.LineStyle{Color: bandFill, Width: 0}
		if pred, err = plotter.NewLine(curve); err != nil {
			return nil, nil, err
		}
		pred.Color = bandLine
		pred.Width = vg.Points(2)
		// Under the components: where the posterior and the point
		// estimate agree, the components show.
		p.Add(area, lean{pred})
	}
	// A component far narrower than the histogram's bins, such as one
	// that maximum likelihood has collapsed onto a few equal values,
	// would flatten everything else: the axis is then cut at three times
	// the histogram's peak, and the title says how high the curve goes.
	ymax := max(histMax, curveMax)
	if curveMax > 4*histMax {
		ymax = 3 * histMax
		p.Title.Text += fmt.Sprintf("\n(the density rises to %.4g, above the top of the axis)", curveMax)
	}
	for k := range m.K {
		// Each component is drawn where it stands above 0.1% of the
		// plot's height, so that its tails do not run along the axis.
		var c plotter.XYs
		g := componentGrid(m, k, grid, even, own[k], 1e-3*ymax)
		for _, v := range within(g, m.Weights[k], m.Means[k], m.Sigmas[k], 1e-3*ymax) {
			if y := m.Weights[k] * normal(v, m.Means[k], m.Sigmas[k]); y > 1e-3*ymax {
				c = append(c, plotter.XY{X: v, Y: y})
			}
		}
		l, err := plotter.NewLine(c)
		if err != nil {
			return nil, nil, err
		}
		l.Color = Color(k)
		l.Width = vg.Points(2.5)
		p.Add(lean{l})
		p.Legend.Add(fmt.Sprintf("z=%d: w=%.3g, μ=%.4g, σ=%.4g", k, m.Weights[k], m.Means[k], m.Sigmas[k]), l)
		short.Add(fmt.Sprintf("z=%d", k), l)
	}
	// The sum is drawn, like each component, where it stands above 0.1%
	// of the plot's height, so that no dashed line runs along the axis
	// where the density is nil: between clusters far apart and in the
	// tails.
	var total *plotter.Line
	runs := above(sum, 1e-3*ymax)
	if len(runs) == 0 {
		runs = []plotter.XYs{sum}
	}
	for _, run := range runs {
		l, err := plotter.NewLine(run)
		if err != nil {
			return nil, nil, err
		}
		l.Color = color.Black
		l.Width = vg.Points(1.5)
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		p.Add(lean{l})
		total = l
	}
	p.Legend.Add("sum: the mixture density", total)
	short.Add("sum", total)
	compact.Add("sum", total)
	if b != nil {
		p.Legend.Add("posterior predictive density", pred)
		p.Legend.Add(fmt.Sprintf("its pointwise %s credible band", percent(b.level)), area)
		for _, l := range []*plot.Legend{&short, &compact} {
			l.Add("predictive", pred)
			l.Add(percent(b.level)+" band", area)
		}
	}

	if len(x) <= maxRug {
		p.Add(&rug{x: x, style: draw.LineStyle{Color: color.RGBA{A: 0x90}, Width: vg.Points(0.75)}, height: vg.Points(7)})
	}

	// The legend goes in the upper corner over the lower end of the
	// curves and bars, with the top raised if they would still reach it:
	// by about 5.5% of the height per line, what the legend takes at the
	// command line's 8×5 inches. At smaller sizes its font shrinks to keep
	// it clear of them (see fitLegend).
	left, right := 0.0, 0.0
	var tops []top
	for _, h := range hist.Bins {
		left, right = sideMax(left, right, h.Min, h.Max, h.Weight, lo, hi)
		tops = append(tops, top{h.Min, h.Max, h.Weight})
	}
	for _, s := range sum {
		left, right = sideMax(left, right, s.X, s.X, s.Y, lo, hi)
		tops = append(tops, top{s.X, s.X, s.Y})
	}
	lines := m.K + 3
	if b != nil {
		for i, v := range b.x {
			left, right = sideMax(left, right, v, v, b.hi[i], lo, hi)
			tops = append(tops, top{v, v, b.hi[i]})
		}
		lines += 2
	}
	side := right
	if left < right {
		side = left
		p.Legend.Left = true
	}
	frac := 0.055 * float64(lines)
	p.X.Min, p.X.Max = lo, hi
	p.Y.Min, p.Y.Max = 0, max(1.08*ymax, side/max(1-frac, 0.3))
	for i := range tops {
		tops[i].y = min(tops[i].y, p.Y.Max)
	}
	short.Left, compact.Left = p.Legend.Left, p.Legend.Left
	fl := &fitLegend{leg: p.Legend, briefer: []plot.Legend{short, compact}, tops: tops}
	p.Add(fl)
	p.Legend = plot.NewLegend()
	return p, fl, nil
}

// mixture returns the mixture density Σ_k w_k N(x | μ_k, σ_k) at the
// points of the sorted grid, each component added where it exceeds eps
// only (see within): the sum is then short by less than K·eps, and its
// cost grows with the points each component covers, not with K times the
// grid.
func mixture(m *gmm.Model, grid []float64, eps float64) plotter.XYs {
	sum := make(plotter.XYs, len(grid))
	for i, v := range grid {
		sum[i].X = v
	}
	for k := range m.K {
		w, mu, sigma := m.Weights[k], m.Means[k], m.Sigmas[k]
		lo, hi := runOf(grid, w, mu, sigma, eps)
		for i := lo; i < hi; i++ {
			sum[i].Y += w * normal(grid[i], mu, sigma)
		}
	}
	return sum
}

// within returns the run of the sorted grid where w N(x | μ, σ) may exceed
// y (see runOf).
func within(grid []float64, w, mu, sigma, y float64) []float64 {
	lo, hi := runOf(grid, w, mu, sigma, y)
	return grid[lo:hi]
}

// runOf returns the run grid[lo:hi] of the sorted grid where w N(x | μ, σ)
// may exceed y: where (x − μ)² < 2σ² ln(w / (σ √(2π) y)), widened by a
// millionth, far more than the rounding of the density, so that no point
// above y is left out. The curve of each component is thus computed where
// it is drawn only, not across the grid of all of them.
func runOf(grid []float64, w, mu, sigma, y float64) (lo, hi int) {
	l := math.Log(w / (sigma * math.Sqrt(2*math.Pi) * y))
	if !(l > 0) {
		// At most y everywhere; but a y of 0 leaves the whole grid.
		if y > 0 {
			return 0, 0
		}
		return 0, len(grid)
	}
	half := sigma * math.Sqrt(2*l) * (1 + 1e-6)
	lo, _ = slices.BinarySearch(grid, mu-half)
	hi, _ = slices.BinarySearch(grid, mu+half)
	return lo, min(hi+1, len(grid))
}

// above returns the runs of consecutive points of c higher than y.
func above(c plotter.XYs, y float64) []plotter.XYs {
	var runs []plotter.XYs
	start := -1
	for i, v := range c {
		switch {
		case v.Y > y && start < 0:
			start = i
		case v.Y <= y && start >= 0:
			runs = append(runs, c[start:i])
			start = -1
		}
	}
	if start >= 0 {
		runs = append(runs, c[start:])
	}
	return runs
}

// Clusters returns the data split by cluster, the notebook's fourth
// figure: one swarm row per component, each value in the row of its most
// probable component (m.Assign), with the number of values in each, and
// the boundaries between the clusters drawn as dashed lines. label names
// the data and labels the x axis. A row with more than 500 values shows a
// random sample of 500. A caller that has labelled the values already can
// pass the labels instead, through a ClusterSample and ClustersOf.
//
// With many components the rows are thin, and the figure shows what fits:
// a row shows at most twice the markers its extent can hold apart (Oler's
// bound; see oler), at evenly spaced ranks of its sample, the least and
// greatest included; drawn by WritePNG, the rows are labelled only every
// m-th from the top, and the bottom one, where m rows are the fewest
// whose height holds a label ("z=k" and its count) and a 2-point gap; and
// where the list of boundaries does not fit the width, the legend gives
// their number only ("199 boundaries between clusters").
func Clusters(m *gmm.Model, x []float64, label string) (*plot.Plot, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	if err := checkData(x); err != nil {
		return nil, err
	}
	p, _ := clusters(m, split(m, x), x, label)
	return p, nil
}

// ClustersOf returns the figure of Clusters for the values x whose labels
// s has taken (see ClusterSample), without labelling them again: with the
// labels of m.Assign (or m.AssignTo) added in the order of x, it is the
// figure Clusters draws, pixel for pixel. It returns the errors of
// Clusters, and an error if s is nil, is for another number of components
// than m.K, or has not taken exactly len(x) labels.
func ClustersOf(m *gmm.Model, s *ClusterSample, x []float64, label string) (*plot.Plot, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	if err := checkData(x); err != nil {
		return nil, err
	}
	switch {
	case s == nil:
		return nil, errors.New("plot: the ClusterSample is nil; make it with NewClusterSample(m.K) and Add the labelled values")
	case len(s.rows) != m.K:
		return nil, fmt.Errorf("plot: the ClusterSample is for %d clusters and the model has K = %d; make it with NewClusterSample(m.K)", len(s.rows), m.K)
	case s.n != len(x):
		return nil, fmt.Errorf("plot: the ClusterSample holds the labels of %d values and x has %d; Add each value of x once, with its label", s.n, len(x))
	}
	p, _ := clusters(m, s.rows, x, label)
	return p, nil
}

// ClusterSample is what the figure of Clusters shows of the values it
// splits: each cluster's number of values and a random sample of at most
// 500 of them, kept as the values are added, so that its memory does not
// grow with the data. The sample depends only on the values and labels
// added and their order: the same on every run.
type ClusterSample struct {
	rows []reservoir
	rng  *rand.Rand
	n    int // the values added
}

// NewClusterSample returns an empty sample for k clusters; a k below 1 is
// taken as 1.
func NewClusterSample(k int) *ClusterSample {
	return &ClusterSample{rows: make([]reservoir, max(k, 1)), rng: rand.New(rand.NewPCG(1, 2))}
}

// Add adds the values x, each with its cluster z[i]. Values are added in
// the order given, and calls may follow each other in chunks: adding x in
// one call or in several in order gives the same sample. Add returns an
// error, adding nothing, if x and z differ in length, or a label is not a
// cluster of the sample (0 to k−1).
func (s *ClusterSample) Add(x []float64, z []int) error {
	if len(x) != len(z) {
		return fmt.Errorf("plot: %d values and %d labels; give one label per value", len(x), len(z))
	}
	for i, k := range z {
		if k < 0 || k >= len(s.rows) {
			return fmt.Errorf("plot: label %d is %d; the sample has clusters 0 to %d", i, k, len(s.rows)-1)
		}
	}
	for i, k := range z {
		s.rows[k].add(x[i], maxSwarm, s.rng)
	}
	s.n += len(x)
	return nil
}

func clusters(m *gmm.Model, rows []reservoir, x []float64, label string) (*plot.Plot, *fitLegend) {
	label = name(label)
	title := "The data split by cluster\n(each value in its most probable component)"
	p := newPlot(title, label, "")
	names := make([]string, m.K)
	thinned := false
	for k, r := range rows {
		// Component 0 at the top, as in the table the command prints.
		names[m.K-1-k] = fmt.Sprintf("z=%d\n%s", k, values(r.n))
		if r.n == 0 {
			continue
		}
		thinned = thinned || r.n > len(r.kept)
		p.Add(newSwarm(r.kept, float64(m.K-1-k), 0.46,
			draw.GlyphStyle{Color: Color(k), Radius: dotRadius(len(r.kept)), Shape: draw.CircleGlyph{}}))
	}
	if thinned {
		p.Title.Text = fmt.Sprintf("The data split by cluster\n(each value in its most probable component; at most %d per row shown)", maxSwarm)
	}
	lo, hi := span(m, x)
	fl := &fitLegend{}
	if b := boundaries(m, lo, hi); len(b) > 0 {
		bl := &vlines{x: b, style: draw.LineStyle{Color: gray, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}}
		p.Add(bl)
		text := "boundary at"
		for i, v := range b {
			if i > 0 {
				text += ","
			}
			text += fmt.Sprintf(" %.4g", v)
		}
		// Copied while empty, so that the two hold their own entries.
		brief := p.Legend
		p.Legend.Add(text, bl)
		brief.Add(fmt.Sprintf("%d boundaries between clusters", len(b)), bl)
		// Tried when the list of boundaries does not fit the width.
		fl.briefer = []plot.Legend{brief}
	}
	p.NominalY(names...)
	p.Y.Tick.Marker = rowTicks{names: names, style: p.Y.Tick.Label}
	// Room above the top row for the legend, which clears the rows'
	// swarms (see fitLegend).
	p.Y.Min, p.Y.Max = -0.5, float64(m.K)-0.2
	for k, r := range rows {
		if r.n > 0 {
			fl.tops = append(fl.tops, top{slices.Min(r.kept), slices.Max(r.kept), float64(m.K-1-k) + 0.46})
		}
	}
	fl.leg = p.Legend
	p.Add(fl)
	p.Legend = plot.NewLegend()
	p.X.Min, p.X.Max = lo, hi
	return p, fl
}

// split assigns the values to the clusters in chunks and keeps their
// ClusterSample, so that memory does not grow with the data.
func split(m *gmm.Model, x []float64) []reservoir {
	const chunk = 4096
	s := NewClusterSample(m.K)
	z := make([]int, chunk)
	for lo := 0; lo < len(x); lo += chunk {
		xs := x[lo:min(lo+chunk, len(x))]
		// AssignTo's labels are 0 to K−1, which Add takes.
		_ = s.Add(xs, m.AssignTo(z[:len(xs)], xs))
	}
	return s.rows
}

// sideMax updates the greatest heights seen in the left and right thirds
// of [lo, hi] with a bar or point spanning [a, b] at height y.
func sideMax(left, right, a, b, y, lo, hi float64) (float64, float64) {
	if a < lo+(hi-lo)/3 {
		left = max(left, y)
	}
	if b > hi-(hi-lo)/3 {
		right = max(right, y)
	}
	return left, right
}

// dotRadius returns the radius of the markers of a swarm of n: smaller
// when there are many, so that the swarm stays readable.
func dotRadius(n int) vg.Length {
	switch {
	case n <= 200:
		return vg.Points(2.6)
	case n <= 350:
		return vg.Points(2.1)
	}
	return vg.Points(1.7)
}

// newPlot returns a plot with the package's title and axis styles.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(14)
	p.Title.Padding = vg.Points(10)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(12)
		a.Tick.Label.Font = sans(10)
	}
	p.X.Tick.Marker = roundTicks{n: 8}
	p.Y.Tick.Marker = roundTicks{n: 5}
	p.Legend.TextStyle.Font = sans(10)
	p.Legend.ThumbnailWidth = vg.Points(24)
	p.Legend.YOffs = -vg.Points(4)
	p.Legend.XOffs = -vg.Points(4)
	return p
}

// sans returns the sans-serif face of the fonts gonum embeds.
func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// newGrid returns light grid lines at the major ticks.
func newGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = gridGray
	g.Horizontal.Color = gridGray
	g.Vertical.Width = vg.Points(0.75)
	g.Horizontal.Width = vg.Points(0.75)
	return g
}

func checkData(x []float64) error {
	if len(x) == 0 {
		return errors.New("plot: no data; pass at least one value")
	}
	for i, v := range x {
		if !isFinite(v) {
			return fmt.Errorf("plot: x[%d] is %v; remove non-finite values before plotting", i, v)
		}
	}
	return nil
}

func checkModel(m *gmm.Model) error {
	if m == nil {
		return errors.New("plot: the model is nil")
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}

func name(label string) string {
	if label == "" {
		return "x"
	}
	return label
}

// percent returns a level such as 0.9 as "90%".
func percent(level float64) string {
	return strconv.FormatFloat(100*level, 'g', 4, 64) + "%"
}

// values returns "1 value" or "n values".
func values(n int) string {
	if n == 1 {
		return "1 value"
	}
	return fmt.Sprintf("%d values", n)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// normal returns the normal density N(x | μ, σ).
func normal(x, mu, sigma float64) float64 {
	z := (x - mu) / sigma
	return math.Exp(-0.5*z*z) / (sigma * math.Sqrt(2*math.Pi))
}

// pad returns the range of x widened by frac of its width on each side, or
// by 1 when all values are equal.
func pad(x []float64, frac float64) (lo, hi float64) {
	lo, hi = extent(x)
	return widen(lo, hi, frac)
}

// widen returns [lo, hi] widened by frac of its width on each side, or by
// 1 when lo = hi.
func widen(lo, hi, frac float64) (float64, float64) {
	r := hi - lo
	if !(r > 0) || math.IsInf(r, 0) {
		return lo - 1, hi + 1
	}
	return lo - frac*r, hi + frac*r
}

// extent returns the least and the greatest of the finite values x, in
// one pass: the figures scan all the data for their ranges, which on large
// data costs as much as drawing them.
func extent(x []float64) (lo, hi float64) {
	lo, hi = x[0], x[0]
	for _, v := range x[1:] {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

// span returns the x range of the density and cluster plots: the data's
// range padded by 5%, widened to take in each component's μ ± 3σ, but
// never more than a quarter of the data's range beyond the data.
func span(m *gmm.Model, x []float64) (lo, hi float64) {
	xlo, xhi := extent(x)
	lo, hi = widen(xlo, xhi, 0.05)
	flo, fhi := widen(xlo, xhi, 0.25)
	for k := range m.K {
		lo = min(lo, max(m.Means[k]-3*m.Sigmas[k], flo))
		hi = max(hi, min(m.Means[k]+3*m.Sigmas[k], fhi))
	}
	return lo, hi
}

// curveGrid returns the points the sum of the components is drawn
// through: evenly spaced across [lo, hi] (even), with 81 more about each
// component's mean, a tenth of σ apart (own[k], or nil), so that even a
// narrow peak is drawn at its true height. Each component is drawn
// through all of them; but when the components' points would outnumber
// the evenly spaced ones (crowded: beyond 14 components), only
// components narrower than ten steps of the even grid get their own, and
// each component is drawn through the even grid and its own points only.
// The even grid samples a component ten steps wide or more at least as
// finely as its own points would, its point nearest the peak within σ/20
// of it, whose height it misses by at most 1 − exp(−1/800), 0.13%. So
// the points of each component's curve do not grow with K.
func curveGrid(m *gmm.Model, lo, hi float64) (grid, even []float64, own [][]float64) {
	even = linspace(lo, hi, curvePoints)
	step := (hi - lo) / (curvePoints - 1)
	own = make([][]float64, m.K)
	grid = slices.Clone(even)
	for k := range m.K {
		if crowded(m.K) && m.Sigmas[k] >= 10*step {
			continue
		}
		for _, z := range linspace(-4, 4, 81) {
			if v := m.Means[k] + z*m.Sigmas[k]; v > lo && v < hi {
				own[k] = append(own[k], v)
			}
		}
		grid = append(grid, own[k]...)
	}
	slices.Sort(grid)
	return slices.Compact(grid), even, own
}

// crowded reports whether k components' own points, 81 each, outnumber
// the evenly spaced points of the density curves (see curveGrid).
func crowded(k int) bool { return 81*k > curvePoints }

// componentGrid returns the points component k's curve is drawn
// through: grid, or when crowded, the run of even where the component
// may exceed y (see runOf) and its own points.
func componentGrid(m *gmm.Model, k int, grid, even, own []float64, y float64) []float64 {
	if !crowded(m.K) {
		return grid
	}
	lo, hi := runOf(even, m.Weights[k], m.Means[k], m.Sigmas[k], y)
	g := append(slices.Clone(even[lo:hi]), own...)
	slices.Sort(g)
	return slices.Compact(g)
}

// linspace returns n ≥ 2 values evenly spaced from lo to hi, both exactly.
func linspace(lo, hi float64, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	x[n-1] = hi
	return x
}

// thin returns x if it has at most n values, and otherwise n of them drawn
// at random without replacement, in the order of x, the same ones on every
// call. Floyd's algorithm draws the indices, so memory grows with n, not
// with len(x).
func thin(x []float64, n int) ([]float64, bool) {
	if len(x) <= n {
		return x, false
	}
	rng := rand.New(rand.NewPCG(1, 1))
	set := make(map[int]bool, n)
	for j := len(x) - n; j < len(x); j++ {
		t := rng.IntN(j + 1)
		if set[t] {
			t = j
		}
		set[t] = true
	}
	idx := slices.Sorted(maps.Keys(set))
	out := make([]float64, n)
	for i, j := range idx {
		out[i] = x[j]
	}
	return out, true
}

// reservoir keeps a uniform random sample of at most a given number of
// values from a
// stream (Vitter's algorithm R), and counts them.
type reservoir struct {
	kept []float64
	n    int
}

func (r *reservoir) add(v float64, most int, rng *rand.Rand) {
	r.n++
	if len(r.kept) < most {
		r.kept = append(r.kept, v)
		return
	}
	if j := rng.IntN(r.n); j < most {
		r.kept[j] = v
	}
}

// boundaries returns the points in (lo, hi) where the most probable
// component changes, found on a grid and refined by bisection.
func boundaries(m *gmm.Model, lo, hi float64) []float64 {
	const n = 2000
	g := linspace(lo, hi, n)
	z := m.Assign(g)
	var b []float64
	for i := 1; i < n; i++ {
		if z[i] == z[i-1] {
			continue
		}
		a, c := g[i-1], g[i]
		za := z[i-1]
		for range 60 {
			mid := a + (c-a)/2
			if mid <= a || mid >= c {
				break
			}
			if m.Assign([]float64{mid})[0] == za {
				a = mid
			} else {
				c = mid
			}
		}
		b = append(b, a+(c-a)/2)
	}
	return b
}

// histSample is the most values whose quartiles and grid histogram finds
// from all of them; beyond, it finds them from a random sample of this
// many, which fixes the quartiles to about 1% of the interquartile range.
const histSample = 1 << 16

// histogram returns a histogram of x scaled to unit area. Its bin width is
// the smaller of the Freedman–Diaconis and Sturges widths, as numpy's
// "auto" rule takes, and of narrowest, but at least a 200th of the range.
// When the values lie on a grid of step q (they are rounded), the width is
// the largest multiple of q no wider than that, or q itself if q is wider,
// and the bins are centred on the grid, so that no bin catches more grid
// points than its neighbours. For more than histSample values the
// quartiles and the grid are found on a random sample, and the grid is
// then checked on every value.
func histogram(x []float64, narrowest float64) *plotter.Histogram {
	n := len(x)
	lo, hi := extent(x)
	r := hi - lo
	if !(r > 0) || math.IsInf(r, 0) {
		// All values are equal: one bar, as wide as the narrowest
		// component, so that bar and curve are of a height.
		h := narrowest
		if !(h > 0) || math.IsInf(h, 0) {
			h = max(math.Abs(lo)*0.1, 1)
		}
		return &plotter.Histogram{Bins: []plotter.HistogramBin{{Min: lo - h/2, Max: lo + h/2, Weight: 1 / h}}, Width: h}
	}
	s, _ := thin(x, histSample)
	s = slices.Sorted(slices.Values(s))
	iqr := quantile(s, 0.75) - quantile(s, 0.25)
	h := r / (math.Log2(float64(n)) + 1)
	if fd := 2 * iqr / math.Cbrt(float64(n)); fd > 0 {
		h = min(h, fd)
	}
	h = max(min(h, narrowest), r/200)
	start := lo
	if q := step(s); q > 0 && (len(s) == n || onGrid(x, s[0], q)) {
		h = q * max(1, math.Floor(h/q*(1+1e-9)))
		start = lo - q/2
	}
	nb := int(math.Floor((hi-start)/h)) + 1
	bins := make([]plotter.HistogramBin, nb)
	for i := range bins {
		bins[i].Min = start + float64(i)*h
		bins[i].Max = start + float64(i+1)*h
	}
	w := 1 / (float64(n) * h)
	for _, v := range x {
		i := min(max(int(math.Floor((v-start)/h)), 0), nb-1)
		bins[i].Weight += w
	}
	return &plotter.Histogram{Bins: bins, Width: h}
}

// onGrid reports whether every value of x lies on the grid origin + k·q,
// within the rounding that step allows.
func onGrid(x []float64, origin, q float64) bool {
	for _, v := range x {
		if k := (v - origin) / q; math.Abs(k-math.Round(k)) > 1e-6 {
			return false
		}
	}
	return true
}

// quantile returns the q-quantile of the sorted s, interpolating linearly.
func quantile(s []float64, q float64) float64 {
	p := q * float64(len(s)-1)
	i := int(p)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (p-float64(i))*(s[i+1]-s[i])
}

// step returns q > 0 if the sorted s lie on a grid of step q, with at most
// half as many distinct values as values, and 0 otherwise.
func step(s []float64) float64 {
	var gaps []float64
	for i := 1; i < len(s); i++ {
		if d := s[i] - s[i-1]; d > 0 {
			gaps = append(gaps, d)
		}
	}
	if len(gaps) == 0 || 2*(len(gaps)+1) > len(s) {
		return 0
	}
	q := slices.Min(gaps)
	for _, g := range gaps {
		// Values printed to a few decimals and parsed back are off the
		// grid by rounding, about 1e-15 relative; 1e-6 of a step allows
		// for that and for nothing else.
		if k := math.Round(g / q); math.Abs(g-k*q) > 1e-6*q {
			return 0
		}
	}
	return q
}

// rug draws a short vertical tick at the bottom of the plot for each value.
type rug struct {
	x      []float64
	style  draw.LineStyle
	height vg.Length
}

// Plot implements plot.Plotter.
func (r *rug) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, v := range r.x {
		x := trX(v)
		c.StrokeLine2(r.style, x, c.Min.Y, x, c.Min.Y+r.height)
	}
}

// vlines draws vertical lines across the plot at the values x.
type vlines struct {
	x     []float64
	style draw.LineStyle
}

// Plot implements plot.Plotter.
func (l *vlines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, v := range l.x {
		x := trX(v)
		c.StrokeLine2(l.style, x, c.Min.Y, x, c.Max.Y)
	}
}

// Thumbnail implements plot.Thumbnailer.
func (l *vlines) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.style, c.Min.X, y, c.Max.X, y)
}
