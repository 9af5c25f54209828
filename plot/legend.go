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
// the legend clears every top edge in tops, trying first the corner given
// by leg.Left. If neither corner has room at 7 points, the short legend,
// if there is one, is tried in the same way, and failing that the legend
// is drawn at 7 points in the corner where it covers the least height.
type fitLegend struct {
	leg   plot.Legend
	short *plot.Legend // the same entries, named more briefly
	tops  []top
	// fits records whether the last drawing cleared the data, for tests.
	fits bool
}

// Plot implements plot.Plotter.
func (f *fitLegend) Plot(c draw.Canvas, p *plot.Plot) {
	legends := []plot.Legend{f.leg}
	if f.short != nil {
		legends = append(legends, *f.short)
	}
	bestCover, best := vg.Length(math.Inf(1)), place(f.leg, f.leg.Left, minLegendFont)
	for _, leg := range legends {
		for size := leg.TextStyle.Font.Size; size >= minLegendFont; size -= 0.5 {
			for _, left := range []bool{leg.Left, !leg.Left} {
				l := place(leg, left, size)
				cover := f.cover(&l, c, p)
				if cover <= 0 {
					f.fits = true
					l.Draw(c)
					return
				}
				if size == minLegendFont && cover < bestCover {
					bestCover, best = cover, l
				}
			}
		}
	}
	f.fits = false
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
