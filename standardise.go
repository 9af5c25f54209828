package gmm

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// maxStandard is the farthest a value may lie from the median of the data,
// in robust spreads, for Fit and Posterior to take it: 2^400 ≈ 2.6e120.
// Within it, every square the fits form, (u − μ)² and σ² for a component
// wide enough to hold the farthest value, and the sums of up to 2^200 of
// them, stay below the largest float64 (2^1024).
const maxStandard = 0x1p400

// standard is the map of the data to the units the fits work in,
// u = (x − c)·inv with inv = 1/scale, and the standardised values of a
// sample of the data: the points drawn in the data's order, then the
// outlying ones, and all of them sorted, with their weights.
type standard struct {
	c, scale, inv float64
	constant      bool // the data are all equal; scale is the fallback
	sample        []float64
	// sw holds the weights of the sample's points, in its order, or nil
	// if the data are unweighted.
	sw []float64
	// sorted is the line of the sample's points in increasing order (see
	// line), their weights with them.
	sorted line
	// far holds, in increasing order, the indices of the outlying points
	// that every subsample of the data includes (see standardise).
	far []int
	// idx holds the indices of the points drawn into the sample, in
	// increasing order, or nil if the sample is all the data.
	idx []int
}

// maxOutlying is the most outlying points a sample takes beyond those
// drawn: 1/16 of screenSize.
const maxOutlying = screenSize / 16

// standardise chooses the centre c and the scale of the data x, which must
// be finite and non-empty, weighted by w (positive and finite, or nil for
// all 1), and returns them with the standardised values of a sample: all
// of x if it has at most size points or rng is nil, and otherwise size
// points drawn with rng without replacement, each keeping its weight,
// together with the outlying points of x, those more than twice as far
// from c as the farthest point drawn and than the spread (see outlying for
// when there are more than maxOutlying). A sample would miss a few far
// values, and the fits started from it would not hold them; they join
// every subsample so that the starting points and the refinements see
// them. The points are drawn, not their weight: the weighted sample
// estimates every weighted sum of the data in proportion.
//
// The centre is the median and the scale the robust spread (see
// line.medianSpread) of the points drawn, or of all of x if their values
// are all equal, with each point counted with its weight as positions on
// a line (see line): for integer weights they are those of the points
// written out, bit for bit. Both are order statistics or interpolations
// between neighbouring ones, so no value is subtracted from another far
// from it, and a few far values move neither: the bulk of the data keeps
// its resolution. If all the values are equal, c is that value and the
// scale is constScale.
//
// It returns an error if the spread overflows or its inverse does (the data
// span more than the float64 range, or their spread is below about
// 1e-308), or if a value lies more than maxStandard robust spreads from the
// median, naming the farthest such value.
func standardise(x, w []float64, size int, constScale float64, rng *rand.Rand) (*standard, error) {
	var idx []int
	if rng != nil && len(x) > size {
		idx = sampleIndices(len(x), size, rng)
	}
	raw, rw := slices.Clone(x), slices.Clone(w)
	if idx != nil {
		raw, rw = pick(x, idx), pick(w, idx)
	}
	c, spread := sortedLine(raw, rw).medianSpread()
	if spread == 0 && len(raw) < len(x) {
		// The sample's values are all equal, the data's need not be.
		c, spread = sortedLine(x, w).medianSpread()
	}
	z := &standard{c: c, scale: spread, idx: idx}
	switch {
	case math.IsInf(spread, 0):
		return nil, errors.New("gmm: the data span more than the float64 range (the distance between their quartiles overflows); divide them by 4 before fitting")
	case spread == 0:
		z.constant, z.scale = true, constScale
	}
	z.inv = 1 / z.scale
	if err := checkScale(z.inv); err != nil {
		return nil, err
	}
	if !z.constant {
		if err := checkFar(x, c, spread); err != nil {
			return nil, err
		}
	}
	if idx != nil {
		extent := max(math.Abs(slices.Min(raw)-c), math.Abs(slices.Max(raw)-c), spread)
		z.far = outlying(x, c, 2*extent, idx)
		raw = append(raw, pick(x, z.far)...)
		if w != nil {
			rw = append(rw, pick(w, z.far)...)
		}
	}
	for i, v := range raw {
		raw[i] = (v - c) * z.inv
	}
	z.sample, z.sw, z.sorted = raw, rw, sortedLine(raw, rw)
	return z, nil
}

// pick returns the elements of v at the indices idx, or nil if v is nil.
func pick(v []float64, idx []int) []float64 {
	if v == nil {
		return nil
	}
	out := make([]float64, len(idx))
	for j, i := range idx {
		out[j] = v[i]
	}
	return out
}

// sampleIndices returns m of the indices 0..n−1, drawn without replacement
// by Floyd's algorithm, in increasing order so that reads keep to it.
func sampleIndices(n, m int, rng *rand.Rand) []int {
	set := make(map[int]struct{}, m)
	idx := make([]int, 0, m)
	for j := n - m; j < n; j++ {
		t := rng.IntN(j + 1)
		if _, ok := set[t]; ok {
			t = j
		}
		set[t] = struct{}{}
		idx = append(idx, t)
	}
	slices.Sort(idx)
	return idx
}

// outlying returns, in increasing order, the indices of the points of x
// farther than d from c that are not in drawn (sorted), or of the
// maxOutlying farthest of them: while more than maxOutlying are held, d
// doubles (from the smallest positive float64 if it is 0) and those it
// leaves out are dropped.
func outlying(x []float64, c, d float64, drawn []int) []int {
	var out []int
	for i, v := range x {
		if !(math.Abs(v-c) > d) {
			continue
		}
		if _, ok := slices.BinarySearch(drawn, i); ok {
			continue
		}
		out = append(out, i)
		for len(out) > maxOutlying {
			d = max(2*d, math.SmallestNonzeroFloat64)
			out = slices.DeleteFunc(out, func(j int) bool { return !(math.Abs(x[j]-c) > d) })
		}
	}
	return out
}

// checkFar returns an error if a value of x lies more than maxStandard
// spreads from c, or so far from it that their difference overflows,
// naming the farthest value.
func checkFar(x []float64, c, spread float64) error {
	far, dist := 0, -1.0
	for i, v := range x {
		// Halving is exact (for values above 2^−1021), and the halves'
		// difference cannot overflow.
		if d := math.Abs(v/2 - c/2); d > dist {
			far, dist = i, d
		}
	}
	v := x[far]
	ratio := dist / spread * 2
	switch {
	case ratio > maxStandard:
		return fmt.Errorf("gmm: x[%d] = %g lies %.3g robust spreads from the median of the data, %.6g (the spread is %.6g); a fit in float64 holds values up to %.3g spreads away: remove such values, or fit them apart from the rest",
			far, v, ratio, c, spread, float64(maxStandard))
	case math.IsInf(v-c, 0):
		return fmt.Errorf("gmm: the data span more than the float64 range: x[%d] = %g and the median of the data, %g, are more than 1.8e308 apart; divide the data by 4 before fitting",
			far, v, c)
	}
	return nil
}

// medianSpread returns the median of the sorted, finite, non-empty values and
// their robust spread (see line.medianSpread).
func medianSpread(sorted []float64) (median, spread float64) {
	return line{x: sorted}.medianSpread()
}

// medianSpread returns the median of the sorted line's values and their
// robust spread, an estimate of the standard deviation that a few far
// values do not move. With q(p) the quantile of order p (line.quantile:
// type 7 of Hyndman & Fan 1996, interpolating linearly between order
// statistics, on the positions of the line, which are the points' ranks
// when they are unweighted), G the length of the line (the number of
// points when they are unweighted) and Φ⁻¹ the standard normal quantile
// function, the spread is the first of
//
//	(q(3/4) − q(1/4)) / (2 Φ⁻¹(3/4))      the interquartile range over 1.349
//	(q(1 − p) − q(p)) / (2 Φ⁻¹(1 − p))    for p = 1/8, 1/16, … while p·(G − 1) ≥ 1
//	(max − min) / (2 Φ⁻¹(1 − 1/(2G)))
//
// that is positive. Each is the standard deviation for normal data. The
// later ones serve data of which more than half share one value (many ties,
// or a point mass); the median absolute deviation is no help there, as it
// is zero whenever the interquartile range is (both say that more than
// half the values equal the median). The spread is 0 only if all the values
// are equal, and +Inf if a difference of two of them overflows. For integer
// weights both are those of the points written out, bit for bit.
func (l line) medianSpread() (median, spread float64) {
	sorted := l.x
	median = l.quantile(0.5)
	if sorted[0] == sorted[len(sorted)-1] {
		return median, 0
	}
	if spread = (l.quantile(0.75) - l.quantile(0.25)) / (2 * normalQuantile(0.75)); spread != 0 {
		return median, spread
	}
	n := l.size()
	for p := 0.125; p*(n-1) >= 1; p /= 2 {
		if spread = (l.quantile(1-p) - l.quantile(p)) / (2 * normalQuantile(1-p)); spread != 0 {
			return median, spread
		}
	}
	return median, (sorted[len(sorted)-1] - sorted[0]) / (2 * normalQuantile(1-1/(2*n)))
}

// normalQuantile returns Φ⁻¹(p), the standard normal quantile function.
func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// ulpsPerSigma is the fewest units in the last place of its mean that a
// fitted σ_k may be: the mean, c + scale·μ_k, is rounded twice on the way
// back to the data's units, so it lies within about an ulp of the value the
// fit found, and a σ_k of 4 ulps keeps that error within a quarter of σ_k.
const ulpsPerSigma = 4

// finalLoss floors each σ_k of the fitted model f, in the data's units,
// at ulpsPerSigma ulps of μ_k (with SharedSigma, every σ at the largest of
// those floors), so that the component is representable around its mean,
// unless the sigmas are fixed, and returns the loss of the parameters,
// −LogJoint(x) under f.Prior with x weighted by w, computed on x itself.
// It is +Inf if some point's density underflows under every component.
func (f *Model) finalLoss(x, w []float64, fix Fixed) (float64, error) {
	if !fix.Sigmas {
		var floor float64
		for k, mu := range f.Means {
			a := math.Abs(mu)
			fl := ulpsPerSigma * (math.Nextafter(a, math.Inf(1)) - a)
			f.Sigmas[k] = max(f.Sigmas[k], fl)
			floor = max(floor, fl)
		}
		if f.SharedSigma {
			// One σ for all: the largest floor holds for each component.
			for k := range f.Sigmas {
				f.Sigmas[k] = max(f.Sigmas[k], floor)
			}
		}
	}
	lj, err := f.logJoint(x, w)
	return -lj, err
}

// spreadOf returns the robust spread of the data z standardised: its scale,
// or 0 for constant data, whose scale is a fallback.
func spreadOf(z *standard) float64 {
	if z.constant {
		return 0
	}
	return z.scale
}
