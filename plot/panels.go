package plot

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// panels is a plotter that lays out a grid of plots, aligned so that the
// data areas of a row share their height and those of a column their
// width, as plot.Align does, in the part of the canvas left of a strip
// that holds a legend. A figure made of panels is a plot with hidden axes
// and this one plotter, so that it is drawn, titled and saved as any
// other plot.
type panels struct {
	grid [][]*plot.Plot // rows from the top; nil leaves a cell empty
	// legend, if not nil, is drawn at the top of a strip on the right
	// that takes the fraction strip of the width, or, if strip is 0, in
	// the empty cell at (legendRow, legendCol) of the grid.
	legend               *plot.Legend
	strip                float64
	legendRow, legendCol int
	pad                  vg.Length
	// restyle, if not nil, sets the panels' fonts, ticks and markers for
	// cells of the given size before they are drawn, so that the figure
	// stays readable at any size.
	restyle func(w, h vg.Length)
}

// Plot implements plot.Plotter.
func (g *panels) Plot(c draw.Canvas, _ *plot.Plot) {
	area := c
	if g.legend != nil && g.strip > 0 {
		// The strip is as wide as the legend, its font shrunk if need be,
		// but no wider than the fraction strip of the figure, or 35% of it
		// when the legend needs more.
		l := g.fit(c.Max.X-c.Min.X, 0.35*(c.Max.X-c.Min.X), c)
		w := max(vg.Length(g.strip)*(c.Max.X-c.Min.X), l.Rectangle(c).Size().X+g.pad)
		w = min(w, 0.35*(c.Max.X-c.Min.X))
		area.Max.X -= w
		strip := c
		strip.Min.X = area.Max.X + g.pad
		g.drawLegend(strip)
	}
	rows, cols := len(g.grid), len(g.grid[0])
	if g.restyle != nil {
		g.restyle((area.Max.X-area.Min.X)/vg.Length(cols), (area.Max.Y-area.Min.Y)/vg.Length(rows))
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: g.pad, PadY: g.pad}
	cells := plot.Align(g.grid, tiles, area)
	for i, row := range g.grid {
		for j, p := range row {
			if p != nil {
				p.Draw(cells[i][j])
			}
		}
	}
	if g.legend != nil && g.strip == 0 {
		cell := tiles.At(area, g.legendCol, g.legendRow)
		cell.Min.X += g.pad
		g.drawLegend(cell)
	}
}

// drawLegend draws the legend at the top left of c, its font shrunk, down
// to 6 points, until it fits c.
func (g *panels) drawLegend(c draw.Canvas) {
	l := g.fit(c.Max.X-c.Min.X, c.Max.Y-c.Min.Y, c)
	l.Draw(c)
}

// fit returns the legend at the top left, its font shrunk, down to 6
// points, until it is at most w wide and h high on c.
func (g *panels) fit(w, h vg.Length, c draw.Canvas) plot.Legend {
	l := *g.legend
	l.Top, l.Left = true, true
	for size := l.TextStyle.Font.Size; size > 6; size -= 0.5 {
		l.TextStyle.Font.Size = size
		if r := l.Rectangle(c).Size(); r.Y <= h && r.X <= w {
			break
		}
	}
	return l
}

// newPanels returns a figure titled title made of the plotter g.
func newPanels(title string, g *panels) *plot.Plot {
	p := newPlot(title, "", "")
	p.HideAxes()
	p.Add(g)
	return p
}
