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
	// The box of each point, as plotter.Line.GlyphBoxes makes it.
	r := 0.5 * l.LineStyle.Width
	rect := vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}
	box := func(i int) plot.GlyphBox {
		x, y := l.XY(i)
		return plot.GlyphBox{X: p.X.Norm(x), Y: p.Y.Norm(y), Rectangle: rect}
	}
	var out []plot.GlyphBox
	for i := range l.Len() {
		b := box(i)
		// The boxes gonum keeps: those within the axes (see
		// plot.Plot.GlyphBoxes).
		if b.Size().X > 0 && (b.X < 0 || b.X > 1) || b.Size().Y > 0 && (b.Y < 0 || b.Y > 1) {
			continue
		}
		if out == nil {
			out = []plot.GlyphBox{b, b, b, b}
			continue
		}
		if b.X < out[0].X {
			out[0] = b
		}
		if b.X > out[1].X {
			out[1] = b
		}
		if b.Y < out[2].Y {
			out[2] = b
		}
		if b.Y > out[3].Y {
			out[3] = b
		}
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
