package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"

	"github.com/gmm-go/gmm/mv"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

const (
	// maxPoints is the most rows a figure of several columns draws; with
	// more it draws a random sample of this many, and the title says so.
	maxPoints = 3000
	// chi2Level95 is the 95% quantile of the chi-squared distribution
	// with 2 degrees of freedom, −2 log 0.05: the ellipse
	// (x − μ)ᵀ Σ⁻¹ (x − μ) = 5.991 holds 95% of a bivariate normal.
	chi2Level95 = 5.991464547107979
)

// Classification returns the rows of x coloured by their most probable
// component (m.Assign), with each component's mean marked and the ellipse
// that holds 95% of it, (x − μ_k)ᵀ Σ_k⁻¹ (x − μ_k) = 5.991 in the two
// columns shown: R mclust's classification plot. With two columns it is
// one scatter plot; with more, a matrix of the pairs of columns, as
// mclust's clPairs, in which the ellipses are those of the components'
// marginal distributions. names names the columns (nil for x1, x2, …). It
// draws a random 3000 of the rows if there are more, and the title says
// so. It returns an error if m is not a valid fitted model, x is empty,
// has a value that is not finite or not m's number of columns, or there
// are fewer than two columns.
func Classification(m *mv.Model, x mat.Matrix, names []string) (*plot.Plot, error) {
	f, err := newFigure(m, x, names)
	if err != nil {
		return nil, err
	}
	leg := f.clusterLegend("")
	ell := &plotter.Line{LineStyle: draw.LineStyle{Color: color.Black, Width: vg.Points(1.5)}}
	leg.Add("95% ellipse", ell)
	title := f.title("Classification: each row in its most probable component")
	return f.pairs(title, leg, func(p *plot.Plot, a, b int) {
		for k := range m.K {
			f.addPoints(p, a, b, func(i int) bool { return f.z[i] == k }, func(int) draw.GlyphStyle {
				return draw.GlyphStyle{Color: Color(k), Radius: f.dot(), Shape: draw.CircleGlyph{}}
			})
		}
		for k := range m.K {
			e := ellipse(m, k, a, b)
			e.LineStyle = draw.LineStyle{Color: darker(Color(k)), Width: vg.Points(1.5)}
			p.Add(e)
			mean, _ := plotter.NewScatter(plotter.XYs{{X: m.Means.At(k, a), Y: m.Means.At(k, b)}})
			mean.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
			p.Add(mean)
		}
	}), nil
}

// Uncertainty returns the rows of x coloured by their most probable
// component and drawn larger the more uncertain their classification is,
// the uncertainty of row i being 1 − max_k r_ik with r_ik the
// responsibilities: R mclust's uncertainty plot. The most uncertain rows
// are drawn last, on top. Panels, names, sampling and errors are as in
// Classification.
func Uncertainty(m *mv.Model, x mat.Matrix, names []string) (*plot.Plot, error) {
	f, err := newFigure(m, x, names)
	if err != nil {
		return nil, err
	}
	// The largest possible uncertainty, 1 − 1/K, gets the largest dot.
	umax := 1 - 1/float64(m.K)
	size := func(u float64) vg.Length {
		if umax <= 0 {
			return vg.Points(1.2 * f.scale)
		}
		return vg.Points((1.2 + 5*math.Sqrt(min(u/umax, 1))) * f.scale)
	}
	order := make([]int, len(f.u))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return f.u[order[a]] < f.u[order[b]] })
	leg := f.clusterLegend("")
	for _, u := range []float64{0.01, 0.1, 0.3} {
		if u < umax {
			leg.Add(fmt.Sprintf("uncertainty %.2g", u), &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: gray, Radius: size(u), Shape: draw.CircleGlyph{}}})
		}
	}
	title := f.title(fmt.Sprintf("Uncertainty: 1 − max responsibility, largest %.2g", f.worst))
	return f.pairs(title, leg, func(p *plot.Plot, a, b int) {
		xys := make(plotter.XYs, len(order))
		for n, i := range order {
			xys[n] = plotter.XY{X: f.rows.At(i, a), Y: f.rows.At(i, b)}
		}
		s := &plotter.Scatter{XYs: xys, GlyphStyleFunc: func(n int) draw.GlyphStyle {
			i := order[n]
			return draw.GlyphStyle{Color: Color(f.z[i]), Radius: size(f.u[i]), Shape: draw.CircleGlyph{}}
		}}
		p.Add(s)
	}), nil
}

// Contours returns contours of the fitted density over the rows of x:
// with two columns, of the mixture density Σ_k w_k N(x | μ_k, Σ_k); with
// more, a matrix of panels, one per pair of columns, of the mixture's
// marginal density in that pair, Σ_k w_k N((x_a, x_b) | (μ_ka, μ_kb),
// Σ_k restricted to a and b). The contours are drawn at the densities of
// the 5%, 25%, 50% and 75% quantiles of the density at the rows shown, so
// that they enclose about 95%, 75%, 50% and 25% of the data, which are
// drawn in grey beneath. The axes reach beyond the data as far as the
// outermost line goes, so that every line is closed. Panels, names,
// sampling and errors are as in Classification.
func Contours(m *mv.Model, x mat.Matrix, names []string) (*plot.Plot, error) {
	f, err := newFigure(m, x, names)
	if err != nil {
		return nil, err
	}
	fracs := []float64{0.05, 0.25, 0.5, 0.75}
	shades := []color.Color{
		color.RGBA{R: 0x9e, G: 0xca, B: 0xe1, A: 0xff},
		color.RGBA{R: 0x42, G: 0x92, B: 0xc6, A: 0xff},
		color.RGBA{R: 0x21, G: 0x71, B: 0xb5, A: 0xff},
		color.RGBA{R: 0x08, G: 0x30, B: 0x6b, A: 0xff},
	}
	leg := newLegend()
	for i, q := range fracs {
		leg.Add(fmt.Sprintf("~%.0f%% of the data inside", 100*(1-q)), &plotter.Line{LineStyle: draw.LineStyle{Color: shades[i], Width: vg.Points(1.5)}})
	}
	leg.Add("data", &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: lightGray, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}})
	what := "the fitted density"
	if f.d > 2 {
		what = "the fitted density's marginals in each pair of columns"
	}
	title := f.title(fmt.Sprintf("Contours of %s: %v, K = %d", what, m.Covariance, m.K))
	cs := f.contourPanels(fracs)
	return f.pairs(title, leg, func(p *plot.Plot, a, b int) {
		f.addPoints(p, a, b, func(int) bool { return true }, func(int) draw.GlyphStyle {
			return draw.GlyphStyle{Color: lightGray, Radius: f.dot(), Shape: draw.CircleGlyph{}}
		})
		cp := cs[[2]int{a, b}]
		for i, level := range cp.levels {
			if !(level > 0) {
				continue
			}
			c := plotter.NewContour(cp.grid, []float64{level}, nil)
			c.LineStyles = []draw.LineStyle{{Color: shades[i], Width: vg.Points(1.5)}}
			p.Add(c)
		}
	}), nil
}

// contourPanel is what a panel of Contours draws: the density on a grid
// that spans the panel's axes, and the level of each line, 0 for one not
// drawn.
type contourPanel struct {
	grid   *densityGrid
	levels []float64
}

// contourPanels returns the panels of Contours keyed by their columns
// (a, b), a < b, the levels at the densities of the quantiles fracs of the
// density at the rows drawn. It first widens f's ranges so that each
// panel's lowest level, whose line encloses the others, lies inside its
// axes with 3% to spare, so that every line drawn is closed.
func (f *mvFigure) contourPanels(fracs []float64) map[[2]int]contourPanel {
	type pair struct {
		md     *marginal2
		levels []float64
	}
	ps := map[[2]int]pair{}
	for b := 1; b < f.d; b++ {
		for a := range b {
			md := marginal(f.m, a, b)
			dens := make([]float64, f.rows.RawMatrix().Rows)
			for i := range dens {
				dens[i] = md.at(f.rows.At(i, a), f.rows.At(i, b))
			}
			slices.Sort(dens)
			levels := make([]float64, len(fracs))
			lowest := math.Inf(1)
			for i, q := range fracs {
				levels[i] = dens[int(q*float64(len(dens)-1))]
				if levels[i] > 0 {
					lowest = min(lowest, levels[i])
				}
			}
			ps[[2]int{a, b}] = pair{md, levels}
			x0, x1, y0, y1, ok := md.above(lowest)
			if !ok {
				continue
			}
			px, py := 0.03*(x1-x0), 0.03*(y1-y0)
			f.lo[a], f.hi[a] = min(f.lo[a], x0-px), max(f.hi[a], x1+px)
			f.lo[b], f.hi[b] = min(f.lo[b], y0-py), max(f.hi[b], y1+py)
		}
	}
	cs := make(map[[2]int]contourPanel, len(ps))
	for ab, p := range ps {
		a, b := ab[0], ab[1]
		cs[ab] = contourPanel{newDensityGrid(p.md, f.lo[a], f.hi[a], f.lo[b], f.hi[b], 100), p.levels}
	}
	return cs
}

// mvFigure is what the figures of several columns share: the rows drawn,
// their clusters and uncertainties, and the axes' ranges.
type mvFigure struct {
	m      *mv.Model
	d      int
	names  []string
	n      int        // rows in all
	rows   *mat.Dense // the rows drawn
	z      []int      // their clusters
	u      []float64  // their uncertainties
	worst  float64    // the largest uncertainty of all rows
	size   []int      // the rows of each cluster, of all rows
	lo, hi []float64  // each column's range, padded
	radius vg.Length  // of the dots, at scale 1
	scale  float64    // of the panels as drawn (see pairs)
}

// dot returns the radius of the dots at the panels' scale.
func (f *mvFigure) dot() vg.Length { return f.radius * vg.Length(f.scale) }

// newFigure checks its arguments and gathers what the figures draw.
func newFigure(m *mv.Model, x mat.Matrix, names []string) (*mvFigure, error) {
	if m == nil {
		return nil, errors.New("plot: the model is nil")
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	if x == nil {
		return nil, errors.New("plot: no data; pass at least one row")
	}
	n, d := x.Dims()
	_, md := m.Means.Dims()
	switch {
	case n == 0:
		return nil, errors.New("plot: no data; pass at least one row")
	case d != md:
		return nil, fmt.Errorf("plot: the data have %d columns and the model %d; pass the data the model was fitted to", d, md)
	case d < 2:
		return nil, errors.New("plot: the figures of several columns need two columns at least; for one, use Density and Clusters")
	case names != nil && len(names) != d:
		return nil, fmt.Errorf("plot: %d names for %d columns; pass one name per column, or nil", len(names), d)
	}
	f := &mvFigure{m: m, d: d, n: n, names: names, size: make([]int, m.K), lo: make([]float64, d), hi: make([]float64, d)}
	if f.names == nil {
		for j := range d {
			f.names = append(f.names, fmt.Sprintf("x%d", j+1))
		}
	}
	for j := range d {
		f.lo[j], f.hi[j] = math.Inf(1), math.Inf(-1)
	}
	for i := range n {
		for j := range d {
			v := x.At(i, j)
			if !isFinite(v) {
				return nil, fmt.Errorf("plot: row %d, column %d is %v; remove non-finite values before plotting", i, j, v)
			}
			f.lo[j], f.hi[j] = min(f.lo[j], v), max(f.hi[j], v)
		}
	}
	// Each column's range is padded by 4%, and widened to take in the
	// components' 95% ellipses, but by no more than a quarter of the
	// range on each side.
	for j := range d {
		r := f.hi[j] - f.lo[j]
		if !(r > 0) {
			r = max(math.Abs(f.lo[j]), 1)
		}
		lo, hi := f.lo[j]-0.04*r, f.hi[j]+0.04*r
		for k := range m.K {
			h := math.Sqrt(chi2Level95 * m.Covariances[k].At(j, j))
			lo = min(lo, max(m.Means.At(k, j)-h, f.lo[j]-0.25*r))
			hi = max(hi, min(m.Means.At(k, j)+h, f.hi[j]+0.25*r))
		}
		f.lo[j], f.hi[j] = lo, hi
	}
	// Count the clusters of all rows in chunks, and keep a sample.
	idx := sampleRows(n, maxPoints)
	f.rows = mat.NewDense(len(idx), d, nil)
	for r, i := range idx {
		for j := range d {
			f.rows.Set(r, j, x.At(i, j))
		}
	}
	const chunk = 4096
	buf := make([]float64, 0, chunk*d)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		buf = buf[:0]
		for i := lo; i < hi; i++ {
			for j := range d {
				buf = append(buf, x.At(i, j))
			}
		}
		// One pass gives both: the cluster is the most probable component,
		// ties to the lower index as in Assign.
		r := m.Responsibilities(mat.NewDense(hi-lo, d, buf)).RawMatrix()
		for i := range hi - lo {
			row := r.Data[i*r.Stride : i*r.Stride+m.K]
			k := 0
			for j, p := range row {
				if p > row[k] {
					k = j
				}
			}
			f.size[k]++
			f.worst = max(f.worst, 1-row[k])
		}
	}
	f.z = m.Assign(f.rows)
	resp := m.Responsibilities(f.rows)
	f.u = make([]float64, len(idx))
	for i := range f.u {
		f.u[i] = 1 - mat.Max(resp.RowView(i))
	}
	f.radius, f.scale = vg.Points(2.4), 1
	if len(idx) > 500 {
		f.radius = vg.Points(1.6)
	}
	return f, nil
}

// sampleRows returns the indices 0..n−1 if n ≤ most, and otherwise most
// of them drawn at random, in order, the same on every call.
func sampleRows(n, most int) []int {
	all := make([]float64, n)
	for i := range all {
		all[i] = float64(i)
	}
	kept, _ := thin(all, most)
	idx := make([]int, len(kept))
	for i, v := range kept {
		idx[i] = int(v)
	}
	return idx
}

// title returns the figure's title: what, and the rows drawn if not all.
func (f *mvFigure) title(what string) string {
	if f.rows.RawMatrix().Rows < f.n {
		return fmt.Sprintf("%s\n(a random %d of the %d rows shown)", what, f.rows.RawMatrix().Rows, f.n)
	}
	return what
}

// clusterLegend returns a legend with an entry per cluster and its size.
func (f *mvFigure) clusterLegend(string) plot.Legend {
	leg := newLegend()
	for k := range f.m.K {
		leg.Add(fmt.Sprintf("z=%d: %d rows", k, f.size[k]), &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: Color(k), Radius: vg.Points(3), Shape: draw.CircleGlyph{}}})
	}
	return leg
}

// newLegend returns an empty legend in the figures' style.
func newLegend() plot.Legend {
	leg := plot.NewLegend()
	leg.TextStyle.Font = sans(11)
	leg.ThumbnailWidth = vg.Points(20)
	leg.Padding = vg.Points(3)
	return leg
}

// addPoints adds to p the rows drawn that keep selects, columns a and b,
// in the style of style.
func (f *mvFigure) addPoints(p *plot.Plot, a, b int, keep func(i int) bool, style func(i int) draw.GlyphStyle) {
	var xys plotter.XYs
	var which []int
	for i := range f.rows.RawMatrix().Rows {
		if keep(i) {
			xys = append(xys, plotter.XY{X: f.rows.At(i, a), Y: f.rows.At(i, b)})
			which = append(which, i)
		}
	}
	if len(xys) == 0 {
		return
	}
	p.Add(&plotter.Scatter{XYs: xys, GlyphStyleFunc: func(n int) draw.GlyphStyle { return style(which[n]) }})
}

// pairs lays out the figure: one panel of columns 0 and 1 if there are
// two, with the legend beside it, and otherwise the pairs of columns below
// the diagonal of a matrix, column a across and b up, with the legend in
// the empty corner above. panel draws the data of columns a and b on p.
func (f *mvFigure) pairs(title string, leg plot.Legend, panel func(p *plot.Plot, a, b int)) *plot.Plot {
	n := max(f.d-1, 1)
	grid := make([][]*plot.Plot, n)
	type cell struct{ a, b int }
	at := map[*plot.Plot]cell{}
	for r := range n {
		grid[r] = make([]*plot.Plot, n)
		for c := 0; c <= r; c++ {
			// Row r shows column r+1 up, against column c across.
			p := newPlot("", "", "")
			p.Add(newGrid())
			panel(p, c, r+1)
			p.X.Min, p.X.Max = f.lo[c], f.hi[c]
			p.Y.Min, p.Y.Max = f.lo[r+1], f.hi[r+1]
			if r == n-1 {
				p.X.Label.Text = f.names[c]
			}
			if c == 0 {
				p.Y.Label.Text = f.names[r+1]
			}
			grid[r][c] = p
			at[p] = cell{c, r + 1}
		}
	}
	// restyle scales the fonts and markers with the cells, from their
	// sizes in cells 2.4 inches wide down to 65% of them, and gives the
	// axes about one labelled tick per 0.6 inch.
	restyle := func(w, h vg.Length) {
		s := min(1, max(0.65, float64(min(w, h)/(2.4*vg.Inch))))
		f.scale = s
		nx, ny := max(2, int(w/(0.6*vg.Inch))), max(2, int(h/(0.6*vg.Inch)))
		for p, c := range at {
			p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Length(12*s), vg.Length(12*s)
			p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Length(10*s), vg.Length(10*s)
			p.X.Tick.Length, p.Y.Tick.Length = vg.Points(8*s), vg.Points(8*s)
			var tx, ty plot.Ticker = roundTicks{n: min(nx, 7)}, roundTicks{n: min(ny, 6)}
			if c.b != n {
				tx = unlabelled{tx}
			}
			if c.a != 0 {
				ty = unlabelled{ty}
			}
			p.X.Tick.Marker, p.Y.Tick.Marker = tx, ty
		}
	}
	g := &panels{grid: grid, legend: &leg, legendRow: 0, legendCol: n - 1, pad: vg.Points(4), restyle: restyle}
	if f.d == 2 {
		g.strip, g.pad = 0.15, vg.Points(6)
	}
	return newPanels(title, g)
}

// unlabelled keeps the ticks of a Ticker but not their labels, for panels
// inside a matrix whose outer panels carry them.
type unlabelled struct{ t plot.Ticker }

// Ticks implements plot.Ticker.
func (u unlabelled) Ticks(lo, hi float64) []plot.Tick {
	ts := u.t.Ticks(lo, hi)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// marginal2 is a mixture of bivariate normal densities: the marginal of a
// model in two of its columns.
type marginal2 struct {
	w, mx, my, ia, ib, ic, norm []float64 // per component: weight, mean, inverse (a b; b c), 1/(2π√det)
	sxx, syy                    []float64 // per component: the variances
}

// marginal returns the marginal of m in columns a and b.
func marginal(m *mv.Model, a, b int) *marginal2 {
	md := &marginal2{}
	for k := range m.K {
		c := m.Covariances[k]
		saa, sab, sbb := c.At(a, a), c.At(a, b), c.At(b, b)
		det := saa*sbb - sab*sab
		md.w = append(md.w, m.Weights[k])
		md.mx = append(md.mx, m.Means.At(k, a))
		md.my = append(md.my, m.Means.At(k, b))
		md.ia = append(md.ia, sbb/det)
		md.ib = append(md.ib, -sab/det)
		md.ic = append(md.ic, saa/det)
		md.norm = append(md.norm, 1/(2*math.Pi*math.Sqrt(det)))
		md.sxx = append(md.sxx, saa)
		md.syy = append(md.syy, sbb)
	}
	return md
}

// above returns a box [x0, x1] × [y0, y1] that holds the set where the
// density is at least level > 0. A sum of K terms that reaches level has a
// term that reaches level/K, so the set lies in the union of the ellipses
// w_k N((x, y) | μ_k, Σ_k) ≥ level/K, that is
// (x − μ_k)ᵀ Σ_k⁻¹ (x − μ_k) ≤ r_k² = 2 log(K w_k / (2π √|Σ_k| level)),
// whose boxes are μ_k ± r_k (√Σ_k,xx, √Σ_k,yy). That union is then
// narrowed to the nodes of a 201 × 201 grid over it where the density
// reaches level, widened by one cell, which misses only parts of the set
// narrower than a cell, 1/200 of the box. ok is false if the set is empty
// or level is not positive.
func (md *marginal2) above(level float64) (x0, x1, y0, y1 float64, ok bool) {
	x0, y0 = math.Inf(1), math.Inf(1)
	x1, y1 = math.Inf(-1), math.Inf(-1)
	kk := float64(len(md.w))
	for k, w := range md.w {
		r2 := 2 * math.Log(kk*w*md.norm[k]/level)
		if !(r2 >= 0) {
			continue
		}
		hx, hy := math.Sqrt(r2*md.sxx[k]), math.Sqrt(r2*md.syy[k])
		x0, x1 = min(x0, md.mx[k]-hx), max(x1, md.mx[k]+hx)
		y0, y1 = min(y0, md.my[k]-hy), max(y1, md.my[k]+hy)
	}
	if !(x0 <= x1 && y0 <= y1) {
		return 0, 0, 0, 0, false // no component reaches level: the set is empty
	}
	const n = 201
	xs, ys := linspace(x0, x1, n), linspace(y0, y1, n)
	dx, dy := xs[1]-xs[0], ys[1]-ys[0]
	nx0, ny0 := math.Inf(1), math.Inf(1)
	nx1, ny1 := math.Inf(-1), math.Inf(-1)
	for _, y := range ys {
		for _, x := range xs {
			if md.at(x, y) >= level {
				nx0, nx1 = min(nx0, x), max(nx1, x)
				ny0, ny1 = min(ny0, y), max(ny1, y)
			}
		}
	}
	if nx0 > nx1 {
		return x0, x1, y0, y1, true
	}
	return max(x0, nx0-dx), min(x1, nx1+dx), max(y0, ny0-dy), min(y1, ny1+dy), true
}

// at returns the density at (x, y).
func (md *marginal2) at(x, y float64) float64 {
	var s float64
	for k, w := range md.w {
		dx, dy := x-md.mx[k], y-md.my[k]
		q := md.ia[k]*dx*dx + 2*md.ib[k]*dx*dy + md.ic[k]*dy*dy
		s += w * md.norm[k] * math.Exp(-0.5*q)
	}
	return s
}

// densityGrid is a marginal density on a regular grid, a plotter.GridXYZ.
type densityGrid struct {
	xs, ys []float64
	z      []float64 // row r, column c at r*len(xs)+c
}

func newDensityGrid(md *marginal2, x0, x1, y0, y1 float64, n int) *densityGrid {
	g := &densityGrid{xs: linspace(x0, x1, n), ys: linspace(y0, y1, n), z: make([]float64, n*n)}
	for r, y := range g.ys {
		for c, x := range g.xs {
			g.z[r*n+c] = md.at(x, y)
		}
	}
	return g
}

// Dims implements plotter.GridXYZ.
func (g *densityGrid) Dims() (c, r int) { return len(g.xs), len(g.ys) }

// Z implements plotter.GridXYZ.
func (g *densityGrid) Z(c, r int) float64 { return g.z[r*len(g.xs)+c] }

// X implements plotter.GridXYZ.
func (g *densityGrid) X(c int) float64 { return g.xs[c] }

// Y implements plotter.GridXYZ.
func (g *densityGrid) Y(r int) float64 { return g.ys[r] }

// ellipse returns the line around component k's 95% ellipse in columns a
// and b: μ + √5.991 L (cos t, sin t), L the Cholesky factor of the 2×2
// covariance.
func ellipse(m *mv.Model, k, a, b int) *plotter.Line {
	c := m.Covariances[k]
	saa, sab, sbb := c.At(a, a), c.At(a, b), c.At(b, b)
	l11 := math.Sqrt(saa)
	l21 := sab / l11
	l22 := math.Sqrt(max(sbb-l21*l21, 0))
	r := math.Sqrt(chi2Level95)
	mx, my := m.Means.At(k, a), m.Means.At(k, b)
	const n = 120
	xys := make(plotter.XYs, n+1)
	for i := range xys {
		t := 2 * math.Pi * float64(i) / n
		u, v := r*math.Cos(t), r*math.Sin(t)
		xys[i] = plotter.XY{X: mx + l11*u, Y: my + l21*u + l22*v}
	}
	return &plotter.Line{XYs: xys}
}

// darker returns c at 70% of its brightness, for lines drawn over dots of
// colour c.
func darker(c color.Color) color.Color {
	r, g, b, a := c.RGBA()
	return color.RGBA64{R: uint16(r * 7 / 10), G: uint16(g * 7 / 10), B: uint16(b * 7 / 10), A: uint16(a)}
}
