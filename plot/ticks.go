package plot

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// roundTicks places labelled ticks at about n round numbers (1, 2 or 5
// times a power of ten apart) across the axis, with unlabelled ticks
// between them.
type roundTicks struct{ n int }

// Ticks implements plot.Ticker.
func (t roundTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := (hi - lo) / float64(max(t.n, 1))
	e := math.Floor(math.Log10(raw))
	pow := math.Pow(10, e)
	var mant float64
	var sub int
	switch f := raw / pow; {
	case f < 1.5:
		mant, sub = 1, 5
	case f < 3.5:
		mant, sub = 2, 4
	case f < 7.5:
		mant, sub = 5, 5
	default:
		mant, sub = 10, 5
	}
	step := mant * pow
	minor := step / float64(sub)
	prec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	first := math.Ceil(lo/minor - 1e-9)
	last := math.Floor(hi/minor + 1e-9)
	if last-first > 1000 {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	// Labels of an axis that reaches a million take the exponent form.
	big := max(math.Abs(lo), math.Abs(hi)) >= 1e6
	var ticks []plot.Tick
	for i := first; i <= last; i++ {
		v := i * minor
		if math.Mod(i, float64(sub)) != 0 {
			ticks = append(ticks, plot.Tick{Value: v})
			continue
		}
		if v == 0 {
			v = 0 // no "-0"
		}
		label := strconv.FormatFloat(v, 'f', prec, 64)
		if big || step < 1e-4 {
			// In exponent form, with as many significant digits as
			// tell ticks one step apart from each other.
			label = "0"
			if v != 0 {
				label = strconv.FormatFloat(v, 'g', sig(v, step), 64)
			}
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// sig returns the number of significant digits that v needs for the digit
// of the step's leading place to show: 1.2023e8 in steps of 100 needs 7.
func sig(v, step float64) int {
	return int(math.Floor(math.Log10(math.Abs(v)))-math.Floor(math.Log10(step)+1e-9)) + 1
}

// rowTicks labels the rows 0, 1, … of a nominal axis with names, as
// plot.Plot.NominalY does, but when the rows are closer than the labels
// are tall, only every m-th row from the top (whose name comes last),
// and the bottom row, with m the fewest rows whose height holds a label
// and a gap of 2 points. pitch is the height of a row on the canvas;
// WritePNG sets it for its drawing, and at 0 (unknown) every row is
// labelled.
type rowTicks struct {
	names []string
	style text.Style
	pitch vg.Length
}

// rowGap is the least space between two row labels: 2 points, the gap
// the legends keep from the data.
const rowGap = 2

// every returns m: 1 when every row's label fits.
func (t rowTicks) every() int {
	if t.pitch <= 0 {
		return 1
	}
	var h vg.Length
	for _, n := range t.names {
		h = max(h, t.style.Height(n))
	}
	return max(1, int(math.Ceil(float64((h+vg.Points(rowGap))/t.pitch))))
}

// Ticks implements plot.Ticker.
func (t rowTicks) Ticks(_, _ float64) []plot.Tick {
	ticks := make([]plot.Tick, len(t.names))
	m, top := t.every(), len(t.names)-1
	for i, n := range t.names {
		ticks[i].Value = float64(i)
		// Counted from the top row, which is always labelled; the
		// bottom row is too, in place of the last m-th row if the two
		// are closer than m.
		switch j := top - i; {
		case m == 1, i == 0 && top >= m, j%m == 0 && (j == 0 || i >= m):
			ticks[i].Label = n
		}
	}
	return ticks
}
