package num

import (
	"math"
	"sort"
)

// maxLine is the largest total weight that a Line measures in units of
// weight itself: 2^52, below which every whole position is a float64 and
// the positions of integer weights add up exactly.
const maxLine = 1 << 52

// Line lays weighted points end to end, in their order: point i takes the
// interval [Pos[i], Pos[i+1]) of length V[i], its weight in the line's
// unit. Whatever reads points without summing them (quantiles, random
// draws of points, partitions) reads positions on the line instead, so
// that a point of weight 2 counts as the same point written twice in its
// place, and the line of integer weights is that of the points written
// out, position for position. The zero Line has unit points: Pos[i] = i.
type Line struct {
	V, Pos []float64
}

// NewLine returns the line of n points of weights w, positive and finite,
// or the zero Line (unit points) if w is nil. The unit is 1 when the total
// weight W lies between n and 2^52, so that integer weights keep integer
// positions, and W/n otherwise (the mean weight: points of small weights,
// such as probabilities, get n units in all, as unweighted points do).
func NewLine(w []float64) Line {
	if w == nil {
		return Line{}
	}
	n := float64(len(w))
	var t float64
	for _, v := range w {
		t += v
	}
	v := w
	if !(t >= n && t <= maxLine) {
		v = make([]float64, len(w))
		for i, wi := range w {
			v[i] = wi / t * n
		}
	}
	pos := make([]float64, len(w)+1)
	for i, vi := range v {
		pos[i+1] = pos[i] + vi
	}
	return Line{V: v, Pos: pos}
}

// Size returns the length of the line of n points: Σ_i V[i], or n.
func (l Line) Size(n int) float64 {
	if l.V == nil {
		return float64(n)
	}
	return l.Pos[n]
}

// Units returns the number of whole positions 0, 1, … on the line of n
// points, ⌈Size⌉: n for unit points.
func (l Line) Units(n int) int {
	if l.V == nil {
		return n
	}
	return int(math.Ceil(l.Size(n)))
}

// Mass returns V[i], the length of point i: 1 for unit points.
func (l Line) Mass(i int) float64 {
	if l.V == nil {
		return 1
	}
	return l.V[i]
}

// Index returns the point of the n at position t: the i with
// Pos[i] ≤ t < Pos[i+1], or the nearest end for t outside the line.
func (l Line) Index(n int, t float64) int {
	var i int
	if l.V == nil {
		i = int(max(t, 0))
	} else {
		i = sort.Search(n, func(i int) bool { return l.Pos[i+1] > t })
	}
	return min(i, n-1)
}

// Span returns the interval [lo, hi) of point i.
func (l Line) Span(i int) (lo, hi float64) {
	if l.V == nil {
		return float64(i), float64(i + 1)
	}
	return l.Pos[i], l.Pos[i+1]
}

// StandsFor returns the number of points that n points of total weight
// total stand for, where a choice depends on the size of the data: their
// total weight, rounded up, if it is larger than n (up to 2^52), and
// otherwise n, so that points of integer weights and the same points
// written out are alike.
func StandsFor(n int, total float64) int {
	if total > float64(n) {
		return int(math.Ceil(min(total, maxLine)))
	}
	return n
}
