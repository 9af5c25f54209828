package gmm

import (
	"math"
	"slices"

	"github.com/gmm-go/gmm/internal/num"
)

// line is a num.Line with its points' values: weighted points laid end to
// end, in the order given, point i taking the interval [pos_i, pos_{i+1})
// of length v_i, its weight in the line's unit. Whatever reads the points
// without looking at their weights reads positions on the line instead
// (the quantiles, the draws of the starting points, the runs the moves
// scan), so that a point of weight 2 counts as the same point written
// twice in its place, and a line of integer weights is the line of the
// points written out, position for position.
type line struct {
	x []float64
	num.Line
}

// newLine returns the line of the points x with weights w, positive and
// finite (nil for all 1); see num.NewLine for its unit.
func newLine(x, w []float64) line { return line{x: x, Line: num.NewLine(w)} }

// sortedLine returns the line of the points x, weighted by w (nil for all
// 1), in increasing order of value.
func sortedLine(x, w []float64) line {
	if w == nil {
		return line{x: slices.Sorted(slices.Values(x))}
	}
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(x[a], x[b]) })
	xs, ws := make([]float64, len(x)), make([]float64, len(x))
	for j, i := range idx {
		xs[j], ws[j] = x[i], w[i]
	}
	return newLine(xs, ws)
}

func (l line) size() float64       { return l.Size(len(l.x)) }
func (l line) units() int          { return l.Units(len(l.x)) }
func (l line) mass(i int) float64  { return l.Mass(i) }
func (l line) index(t float64) int { return l.Index(len(l.x), t) }

// at returns the value of the point at position t.
func (l line) at(t float64) float64 { return l.x[l.index(t)] }

// quantile returns the quantile of order p of the values of a sorted line,
// type 7 of Hyndman & Fan (1996) on its positions: with h = p·(G − 1), the
// value at ⌊h⌋ and the one at ⌊h⌋ + 1 interpolated linearly. For integer
// weights it is the sample quantile of the points written out, bit for
// bit. It does not overflow for finite values.
func (l line) quantile(p float64) float64 {
	h := p * (l.size() - 1)
	j := math.Floor(h)
	h -= j
	a := l.at(j)
	if h == 0 {
		return a
	}
	b := l.at(j + 1)
	if a == b {
		return a
	}
	if d := b - a; !math.IsInf(d, 0) {
		return a + h*d
	}
	return (1-h)*a + h*b
}

// moments returns the mean and the population standard deviation of the
// mass of the line on [a, b), b > a: each point counts with the length of
// its interval that falls inside. On unit points with whole a and b these
// are the moments of the points from a to b − 1, as the running mean
// computes them.
func (l line) moments(a, b float64) (mean, sd float64) {
	var tot, ss float64
	i0 := l.index(a)
	each := func(f func(m, v float64)) {
		for i := i0; i < len(l.x); i++ {
			lo, hi := l.Span(i)
			if lo >= b {
				break
			}
			if m := min(b, hi) - max(a, lo); m > 0 {
				f(m, l.x[i])
			}
		}
	}
	each(func(m, v float64) {
		tot += m
		mean += m * (v - mean) / tot
	})
	each(func(m, v float64) { ss += m * ((v - mean) * (v - mean)) })
	if tot == 0 {
		// No mass inside (a cut past the end): the nearest point.
		return l.at(a), 0
	}
	return mean, math.Sqrt(ss / tot)
}
