package plot

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// lean is a line whose glyph boxes are only those that can pad the plot:
// of its points within the axes, the leftmost, rightmost, lowest and
// highest. Every point of a line has a box of the same size, half the
// line's width each way, so gonum's padding, which takes the outermost
// boxes, comes out the same as from a box per point; but gonum collects
// the boxes of all plotters into one slice, which for hundreds of curves
// of thousands of points costs more than drawing them.
type lean struct{ *plotter.Line }

// GlyphBoxes implements plot.GlyphBoxer.
func (l lean) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	all := l.Line.GlyphBoxes(p)
	var out []plot.GlyphBox
	var left, right, low, high int
	found := false
	for i, b := range all {
		// The boxes gonum keeps: those within the axes (see
		// plot.Plot.GlyphBoxes).
		if b.Size().X > 0 && (b.X < 0 || b.X > 1) || b.Size().Y > 0 && (b.Y < 0 || b.Y > 1) {
			continue
		}
		if !found {
			left, right, low, high, found = i, i, i, i, true
			continue
		}
		if b.X < all[left].X {
			left = i
		}
		if b.X > all[right].X {
			right = i
		}
		if b.Y < all[low].Y {
			low = i
		}
		if b.Y > all[high].Y {
			high = i
		}
	}
	if found {
		out = append(out, all[left], all[right], all[low], all[high])
	}
	return out
}

// palette is the legend's thumbnail standing for the curves of k
// components: a line in each of their colours, side by side, the first
// ten at most since the colours repeat after ten.
type palette int

// Thumbnail implements plot.Thumbnailer.
func (k palette) Thumbnail(c *draw.Canvas) {
	n := min(int(k), len(tab10))
	y := c.Center().Y
	w := (c.Max.X - c.Min.X) / vg.Length(n)
	for i := range n {
		x := c.Min.X + vg.Length(i)*w
		c.StrokeLine2(draw.LineStyle{Color: Color(i), Width: vg.Points(2.5)}, x, y, x+w, y)
	}
}

// components names the curves of k components in one legend entry.
func components(k int) string {
	if k == 1 {
		return "component z=0"
	}
	return fmt.Sprintf("components z=0..%d", k-1)
}
