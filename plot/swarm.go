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
	trX, trY := p.Transforms(&c)
	xs := make([]float64, len(s.x))
	for i, v := range s.x {
		xs[i] = float64(trX(v))
	}
	// A small gap between markers keeps them apart when drawn.
	d := 2*float64(s.glyph.Radius) + 0.5
	off := beeswarm(xs, d)
	y0 := trY(s.y)
	room := math.Abs(float64(trY(s.y+s.half)-y0)) - float64(s.glyph.Radius)
	var top float64
	for _, o := range off {
		top = max(top, math.Abs(o))
	}
	scale := 1.0
	if top > room && top > 0 {
		scale = max(room, 0) / top
	}
	for i, o := range off {
		c.DrawGlyph(s.glyph, vg.Point{X: vg.Length(xs[i]), Y: y0 + vg.Length(o*scale)})
	}
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
