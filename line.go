package gmm

import (
	"math"
	"slices"
	"sort"
)

// maxLine is the largest total weight that a line measures in units of
// weight itself (see newLine): 2^52, below which every whole position is a
// float64 and the positions of integer weights add up exactly.
const maxLine = 1 << 52

// line lays weighted points end to end, in the order given: point i takes
// the interval [pos_i, pos_{i+1}) of length v_i, its weight in the line's
// unit. Whatever reads the points without looking at their weights reads
// positions on the line instead (the quantiles, the draws of the starting
// points, the runs the moves scan), so that a point of weight 2 counts as
// the same point written twice in its place, and a line of integer weights
// is the line of the points written out, position for position.
//
// With v nil every point has unit length and pos_i = i.
type line struct {
	x, v, pos []float64
}

// newLine returns the line of the points x with weights w, positive and
// finite (nil for all 1). The unit is 1 when the total weight W lies
// between n = len(x) and maxLine, so that integer weights keep their
// integer positions, and W/n otherwise (the mean weight: points of small
// weights, such as probabilities, get n units in all, as unweighted points
// do, and huge weights a line of n units).
func newLine(x, w []float64) line {
	if w == nil {
		return line{x: x}
	}
	n := float64(len(x))
	t := sum(w)
	v := w
	if !(t >= n && t <= maxLine) {
		v = make([]float64, len(w))
		for i, wi := range w {
			v[i] = wi / t * n
		}
	}
	pos := make([]float64, len(x)+1)
	for i, vi := range v {
		pos[i+1] = pos[i] + vi
	}
	return line{x: x, v: v, pos: pos}
}

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

// size returns the length of the line, G = Σ_i v_i.
func (l line) size() float64 {
	if l.v == nil {
		return float64(len(l.x))
	}
	return l.pos[len(l.x)]
}

// units returns the number of whole positions 0, 1, … on the line, ⌈G⌉:
// the number of points when they are unweighted.
func (l line) units() int {
	if l.v == nil {
		return len(l.x)
	}
	return int(math.Ceil(l.size()))
}

// mass returns v_i, the length of point i.
func (l line) mass(i int) float64 {
	if l.v == nil {
		return 1
	}
	return l.v[i]
}

// index returns the point at position t: the i with pos_i ≤ t < pos_{i+1},
// or the nearest end for t outside [0, G).
func (l line) index(t float64) int {
	n := len(l.x)
	var i int
	if l.v == nil {
		i = int(max(t, 0))
	} else {
		i = sort.Search(n, func(i int) bool { return l.pos[i+1] > t })
	}
	return min(i, n-1)
}

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
			lo, hi := float64(i), float64(i+1)
			if l.v != nil {
				lo, hi = l.pos[i], l.pos[i+1]
			}
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
