package gmm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// exactQuantile is the type-7 quantile of the sorted values computed in
// 200-bit arithmetic as (1 − h)·a + h·b, independently of line.quantile.
func exactQuantile(sorted []float64, p float64) *big.Float {
	f := func(v float64) *big.Float { return new(big.Float).SetPrec(200).SetFloat64(v) }
	h := p * float64(len(sorted)-1)
	j := int(h)
	frac := h - float64(j)
	q := new(big.Float).SetPrec(200).Mul(f(1-frac), f(sorted[j]))
	if frac > 0 {
		q.Add(q, new(big.Float).SetPrec(200).Mul(f(frac), f(sorted[j+1])))
	}
	return q
}

// quantileErr bounds the rounding error of line.quantile at p: half an
// ulp of the result and half an ulp of h·(b − a), where a and b are the
// order statistics it interpolates between with weight h.
func quantileErr(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	j := int(h)
	h -= float64(j)
	q, _ := exactQuantile(sorted, p).Float64()
	if h == 0 {
		return 0
	}
	return ulp(q)/2 + ulp(h*(sorted[j+1]-sorted[j]))/2
}

// ulp returns the spacing of the float64 values at v.
func ulp(v float64) float64 {
	v = math.Abs(v)
	return math.Nextafter(v, math.Inf(1)) - v
}

func TestMedianSpread(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	normal := make([]float64, 10001)
	for i := range normal {
		normal[i] = 3 + 2*rng.NormFloat64()
	}
	far := make([]float64, 5000)
	for i := range far {
		far[i] = 1e9 + rng.NormFloat64()
	}
	outlier := append(slices.Clone(normal), 1e300)
	// Φ⁻¹(3/4), Φ⁻¹(7/8) and Φ⁻¹(19/20) from tables of the normal
	// distribution (Abramowitz & Stegun 1972, 26.2), independent of Erfinv.
	const z75, z875, z95 = 0.6744897501960817, 1.1503493803760079, 1.6448536269514722
	tests := []struct {
		name string
		x    []float64
		// If want is nil, the interquartile range over 2·z75 computed
		// exactly is the reference.
		want []float64 // median, spread
	}{
		{"one value", []float64{2.5}, []float64{2.5, 0}},
		{"constant", []float64{7, 7, 7, 7, 7, 7, 7}, []float64{7, 0}},
		{"two values", []float64{2, 1}, []float64{1.5, 0.5 / (2 * z75)}},
		{"normal", normal, nil},
		{"far from zero", far, nil},
		{"one value at 1e300", outlier, nil},
		{"near the largest float64", []float64{math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64 / 2, 0}, nil},
		{"tiny spread beside the mean", []float64{1e10, 1e10 + 1e-5, 1e10 - 1e-5, 1e10}, nil},
		// The middle half ties at 0: q(7/8) = 0.875 (n = 10), q(1/8) = 0.
		{"middle half tied", []float64{0, 0, 0, 0, 0, 0, 0, 0, 1, 2}, []float64{0, 0.875 / (2 * z875)}},
		// All but one tie: every quantile range with p·(n−1) ≥ 1 is zero,
		// so the range over 2·Φ⁻¹(1 − 1/20).
		{"all but one tied", []float64{0, 0, 0, 0, 5, 0, 0, 0, 0, 0}, []float64{0, 5 / (2 * z95)}},
	}
	for _, tt := range tests {
		sorted := slices.Sorted(slices.Values(tt.x))
		med, spread := medianSpread(sorted)
		var wm, ws, tm, ts float64
		if tt.want != nil {
			// Interpolations between exact values and one division: a few
			// ulps of the spread; the medians here are exact.
			wm, ws = tt.want[0], tt.want[1]
			ts = 4 * ulp(ws)
		} else {
			wm, _ = exactQuantile(sorted, 0.5).Float64()
			iqr, _ := new(big.Float).Sub(exactQuantile(sorted, 0.75), exactQuantile(sorted, 0.25)).Float64()
			ws = iqr / (2 * z75)
			// Each quantile is a + h·(b − a), with b − a exact by Sterbenz's
			// lemma for neighbours a, b of one sign, so within half an ulp
			// of itself and half an ulp of h·(b − a) (quantileErr). The
			// difference of the quartiles adds half an ulp of the range, the
			// division and the constant's rounding two ulps of the spread.
			tm = quantileErr(sorted, 0.5)
			ts = (quantileErr(sorted, 0.25)+quantileErr(sorted, 0.75)+ulp(iqr)/2)/(2*z75) + 2*ulp(ws)
		}
		if math.Abs(med-wm) > tm || math.Abs(spread-ws) > ts {
			t.Errorf("%s: location = %v, %v; want %v, %v within %v, %v", tt.name, med, spread, wm, ws, tm, ts)
		}
	}
	// The spread of the normal sample estimates its standard deviation, 2.
	// The interquartile range's efficiency is 37% (Rousseeuw & Croux 1993),
	// so its standard error is σ/√(2·0.37·n); allow five of them.
	_, s := medianSpread(slices.Sorted(slices.Values(normal)))
	if se := 2 / math.Sqrt(2*0.37*float64(len(normal))); math.Abs(s-2) > 5*se {
		t.Errorf("spread of N(3, 2²) = %v, want 2 within %v", s, 5*se)
	}
	// One far value moves each quartile by at most one order statistic,
	// about 1/(n·φ(z75)) of σ, so the spread by well under 1%.
	_, so := medianSpread(slices.Sorted(slices.Values(outlier)))
	if math.Abs(so-s) > 0.01*s {
		t.Errorf("one value at 1e300 moved the spread from %v to %v", s, so)
	}
}

func TestOutlying(t *testing.T) {
	x := make([]float64, 10000)
	for i := range x {
		x[i] = float64(i % 7)
	}
	// 2000 points beyond 100, at distances 101..2100 from 0.
	for i := range 2000 {
		x[5*i] = float64(101 + i)
	}
	drawn := []int{5, 10} // two of the far points were drawn already
	out := outlying(x, 0, 100, drawn)
	if len(out) == 0 || len(out) > maxOutlying || !slices.IsSorted(out) {
		t.Fatalf("kept %d points (sorted %v); want 1 to %d, in order", len(out), slices.IsSorted(out), maxOutlying)
	}
	// The kept ones are the farthest: each beyond every one dropped.
	nearest := math.Inf(1)
	for _, i := range out {
		if i == 5 || i == 10 {
			t.Errorf("kept %d, which was drawn", i)
		}
		nearest = min(nearest, x[i])
	}
	for i, v := range x {
		if v > 100 && v > nearest && !slices.Contains(out, i) && i != 5 && i != 10 {
			t.Errorf("x[%d] = %v dropped, nearer ones kept down to %v", i, v, nearest)
			break
		}
	}
	// Doubling from 100 until at most 512 remain: beyond 1600 there are 500.
	if len(out) != 500 {
		t.Errorf("kept %d points, want the 500 beyond 1600", len(out))
	}
	// From a distance of 0, as for a sample whose values are all equal.
	if out := outlying(x, 0, 0, nil); len(out) == 0 || len(out) > maxOutlying {
		t.Errorf("from 0: kept %d points; want 1 to %d", len(out), maxOutlying)
	}
}

// TestStandardiseSample checks that a subsample holds a far value it did
// not draw, and that data whose sample is constant are scaled by all of
// them.
func TestStandardiseSample(t *testing.T) {
	n := 100000
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i%100) / 10
	}
	x[777] = 1e30
	z, err := standardise(x, nil, screenSize, 0, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if want := (1e30 - z.c) * z.inv; slices.Max(z.sample) != want || slices.Max(z.sorted.x) != want || !slices.Equal(z.far, []int{777}) {
		t.Errorf("the sample's largest value is %v, far %v; want x[777] = 1e30 standardised, %v", slices.Max(z.sample), z.far, want)
	}
	if len(z.sample) > screenSize+1 || len(z.sample) < screenSize {
		t.Errorf("sample of %d points, want %d or %d", len(z.sample), screenSize, screenSize+1)
	}
	// 99.99% zeros: a sample of 8192 is most likely all zeros, the data
	// are not.
	y := make([]float64, n)
	for i := 0; i < 10; i++ {
		y[i*1000] = float64(i + 1)
	}
	z, err = standardise(y, nil, screenSize, 0, rand.New(rand.NewPCG(1, 0)))
	if err != nil || z.constant || !(z.scale > 0) {
		t.Errorf("data with 10 non-zero values: %+v, %v; want a positive spread", z, err)
	}
}
