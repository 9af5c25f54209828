package plot

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// minLegendFont is the smallest font size, in points, a fitLegend takes
// to clear the data: 7 points, the smallest print that stays readable at
// 120 dots per inch.
const minLegendFont = 7

// top is the top edge of something drawn: height y over [x0, x1], in data
// units.
type top struct{ x0, x1, y float64 }

// fitLegend is a legend drawn as a plotter, in an upper corner of the data
// area. The space a legend takes depends on the image's size, which is
// known only when the plot is drawn: it then takes the larger of the
// corners' fonts, from the plot's legend size down to 7 points, at which
// the legend lies within the data area's width and clears every top edge
// in tops, trying first the corner given by leg.Left. If neither corner
// has room at 7 points, the briefer legends, if there are any, are tried
// in turn in the same way, and failing that the legend is drawn at 7
// points in the corner where it covers the least height, of those that
// lie within the width if any do.
type fitLegend struct {
	leg plot.Legend
	// briefer are the same entries named more briefly, or fewer of them
	// standing for more, in the order they are tried.
	briefer []plot.Legend
	tops    []top
	// fits records whether the last drawing cleared the data, and used
	// which legend (0 for leg, i for briefer[i−1]), for tests.
	fits bool
	used int
}

// Plot implements plot.Plotter.
func (f *fitLegend) Plot(c draw.Canvas, p *plot.Plot) {
	legends := append([]plot.Legend{f.leg}, f.briefer...)
	bestCover, best, bestUsed := vg.Length(math.Inf(1)), place(f.leg, f.leg.Left, minLegendFont), 0
	bestInside := false
	for i, leg := range legends {
		size := leg.TextStyle.Font.Size
		// A legend taller than the data area at 7 points is taller at
		// any size, and clears nothing: only its 7-point placings, the
		// fallback, are weighed, which spares measuring its text at
		// each size (hundreds of entries with many components).
		if l := place(leg, leg.Left, minLegendFont); legendRect(&l, c).Min.Y < c.Min.Y {
			size = minLegendFont
		}
		for ; size >= minLegendFont; size -= 0.5 {
			for _, left := range []bool{leg.Left, !leg.Left} {
				l := place(leg, left, size)
				r := legendRect(&l, c)
				inside := r.Min.X >= c.Min.X && r.Max.X <= c.Max.X
				cover := f.cover(&l, c, p)
				if cover <= 0 && inside {
					f.fits, f.used = true, i
					l.Draw(c)
					return
				}
				if size == minLegendFont && (inside && !bestInside || inside == bestInside && cover < bestCover) {
					bestCover, best, bestUsed, bestInside = cover, l, i, inside
				}
			}
		}
	}
	f.fits, f.used = false, bestUsed
	best.Draw(c)
}

// cover returns how far, in canvas units, the highest top edge under the
// legend l reaches above its bottom less a gap of 2 points: zero or less
// when l clears them.
func (f *fitLegend) cover(l *plot.Legend, c draw.Canvas, p *plot.Plot) vg.Length {
	trX, trY := p.Transforms(&c)
	r := legendRect(l, c)
	high := c.Min.Y
	for _, t := range f.tops {
		if trX(t.x1) >= r.Min.X && trX(t.x0) <= r.Max.X {
			high = max(high, trY(t.y))
		}
	}
	return high + vg.Points(2) - r.Min.Y
}

// place returns leg in the left or right upper corner with the given font
// size.
func place(leg plot.Legend, left bool, size vg.Length) plot.Legend {
	l := leg
	l.TextStyle.Font.Size = size
	l.Top, l.Left = true, left
	l.XOffs = -vg.Points(4)
	if left {
		l.XOffs = vg.Points(4)
	}
	return l
}

// legendRect returns where l.Draw puts l on c, its width and height being
// those l.Rectangle measures. (Legend.Rectangle itself places a left
// legend on the right and ignores the offsets.)
func legendRect(l *plot.Legend, c draw.Canvas) vg.Rectangle {
	size := l.Rectangle(c).Size()
	var r vg.Rectangle
	if l.Left {
		r.Min.X = c.Min.X + l.XOffs
		r.Max.X = r.Min.X + size.X
	} else {
		r.Max.X = c.Max.X + l.XOffs
		r.Min.X = r.Max.X - size.X
	}
	r.Max.Y = c.Max.Y + l.YOffs
	r.Min.Y = r.Max.Y - size.Y
	return r
}
