package plot

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// swarm draws values along the x axis as a beeswarm: one marker per value,
// centred on the row y, each moved up or down by as little as keeps it from
// overlapping the markers already placed. The layout is computed in canvas
// units when the plot is drawn, so it holds at any image size. If the swarm
// would be taller than the row, its offsets are scaled down to fit, and
// markers then overlap.
type swarm struct {
	x     []float64 // the values, sorted
	y     float64   // the row's centre, in data units
	half  float64   // half the row's height, in data units
	glyph draw.GlyphStyle
}

func newSwarm(x []float64, y, half float64, glyph draw.GlyphStyle) *swarm {
	return &swarm{x: slices.Sorted(slices.Values(x)), y: y, half: half, glyph: glyph}
}

// Plot implements plot.Plotter.
func (s *swarm) Plot(c draw.Canvas, p *plot.Plot) {
	for _, pt := range s.layout(p.Transforms(&c)) {
		c.DrawGlyph(s.glyph, pt)
	}
}

// layout returns the centres of the markers on the canvas whose
// transforms are trX and trY. A row holding more markers than twice
// Oler's bound for its extent (see oler) shows that many of its values,
// at evenly spaced ranks (see fewest): up to twice, the row is squeezed,
// not thinned, so that a row that only just overflows is drawn whole;
// beyond, its markers would cover each other twice over on average, and
// more of them would only add to the cost of the layout.
func (s *swarm) layout(trX, trY func(float64) vg.Length) []vg.Point {
	xs := make([]float64, len(s.x))
	for i, v := range s.x {
		xs[i] = float64(trX(v))
	}
	// A small gap between markers keeps them apart when drawn.
	d := 2*float64(s.glyph.Radius) + 0.5
	y0 := trY(s.y)
	room := math.Abs(float64(trY(s.y+s.half)-y0)) - float64(s.glyph.Radius)
	// free keeps the markers d·√(1 − 1e-9) apart, not quite d.
	xs = fewest(xs, 2*oler(xs[len(xs)-1]-xs[0], 2*max(room, 0), d*math.Sqrt(1-1e-9)))
	off := beeswarm(xs, d)
	var top float64
	for _, o := range off {
		top = max(top, math.Abs(o))
	}
	scale := 1.0
	if top > room && top > 0 {
		scale = max(room, 0) / top
	}
	pts := make([]vg.Point, len(off))
	for i, o := range off {
		pts[i] = vg.Point{X: vg.Length(xs[i]), Y: y0 + vg.Length(o*scale)}
	}
	return pts
}

// DataRange implements plot.DataRanger.
func (s *swarm) DataRange() (xmin, xmax, ymin, ymax float64) {
	return s.x[0], s.x[len(s.x)-1], s.y - s.half, s.y + s.half
}

// GlyphBoxes implements plot.GlyphBoxer, so that the markers at the ends
// of the row are not clipped.
func (s *swarm) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	r := s.glyph.Rectangle()
	return []plot.GlyphBox{
		{X: p.X.Norm(s.x[0]), Y: p.Y.Norm(s.y), Rectangle: r},
		{X: p.X.Norm(s.x[len(s.x)-1]), Y: p.Y.Norm(s.y), Rectangle: r},
	}
}

// Thumbnail implements plot.Thumbnailer.
func (s *swarm) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(s.glyph, c.Center())
}

// oler returns Oler's bound on the number of points at least d apart in a
// w × h rectangle, (2/√3)·wh/d² + (w + h)/d + 1 (N. Oler, "An inequality
// in the geometry of numbers", Acta Math. 105, 1961): the most markers a
// swarm row of that extent can hold without overlapping. A row with more
// overlaps however it is laid out.
func oler(w, h, d float64) int {
	n := 2/math.Sqrt(3)*w*h/(d*d) + (w+h)/d + 1
	return int(min(math.Floor(n), math.MaxInt32))
}

// fewest returns the sorted xs if it holds at most n values, and otherwise
// n of them at evenly spaced ranks, the first and the last included, so
// that the thinned row keeps its extent and the shape of its distribution.
func fewest(xs []float64, n int) []float64 {
	if len(xs) <= n {
		return xs
	}
	if n < 2 {
		return xs[:1]
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = xs[i*(len(xs)-1)/(n-1)]
	}
	return out
}

// beeswarm returns, for markers at the sorted positions xs whose centres
// must stay at least d apart, the vertical offset of each: the one of
// smallest magnitude that clears every marker placed before it. The
// candidates are 0 and the heights at which the new marker just touches
// one of its placed neighbours, y_j ± sqrt(d² − (x − x_j)²). The free
// position nearest 0 is among them, because the blocked heights form a
// union of open intervals whose ends are the candidates other than 0.
func beeswarm(xs []float64, d float64) []float64 {
	off := make([]float64, len(xs))
	var cand []float64
	lo := 0
	for i, x := range xs {
		for xs[lo] <= x-d {
			lo++
		}
		cand = append(cand[:0], 0)
		for j := lo; j < i; j++ {
			dx := x - xs[j]
			h := math.Sqrt(max(d*d-dx*dx, 0))
			cand = append(cand, off[j]+h, off[j]-h)
		}
		// Nearest the centre first; of two at the same distance, the
		// upper one, so that the swarm grows evenly both ways.
		slices.SortFunc(cand, func(a, b float64) int {
			if c := cmp.Compare(math.Abs(a), math.Abs(b)); c != 0 {
				return c
			}
			return cmp.Compare(b, a)
		})
		for _, y := range cand {
			if free(xs[lo:i], off[lo:i], x, y, d) {
				off[i] = y
				break
			}
		}
	}
	return off
}

// free reports whether a marker at (x, y) keeps at least d (less a
// rounding margin) from every marker at (xs[j], ys[j]).
func free(xs, ys []float64, x, y, d float64) bool {
	lim := d * d * (1 - 1e-9)
	for j := range xs {
		dx, dy := x-xs[j], y-ys[j]
		if dx*dx+dy*dy < lim {
			return false
		}
	}
	return true
}
