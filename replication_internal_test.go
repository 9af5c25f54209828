package gmm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// writtenOut returns x with each point written w[i] times in its place,
// for integer w, and the points of positive weight with their weights.
func writtenOut(x, w []float64) (rep, xp, wp []float64) {
	for i, v := range x {
		for range int(w[i]) {
			rep = append(rep, v)
		}
		if w[i] > 0 {
			xp, wp = append(xp, v), append(wp, w[i])
		}
	}
	return rep, xp, wp
}

// replicationCases are real data with integer weights 0 to 3, and data
// more than half of which share a value, whose spread comes from the
// later rules of medianSpread.
func replicationCases(t *testing.T) []struct {
	name string
	x, w []float64
} {
	t.Helper()
	var cases []struct {
		name string
		x, w []float64
	}
	for _, f := range []string{"faithful_eruptions.csv", "iris_petal_length.csv", "galaxies.csv", "nile.csv"} {
		x, err := readColumn(filepath.Join("testdata", "realdata", f))
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float64, len(x))
		for i := range w {
			w[i] = float64((i * 7) % 4)
		}
		cases = append(cases, struct {
			name string
			x, w []float64
		}{f, x, w})
	}
	ties := make([]float64, 40)
	tw := make([]float64, 40)
	for i := range ties {
		tw[i] = 3
		if i >= 30 {
			ties[i], tw[i] = float64(i-29), float64(i%3)
		}
	}
	return append(cases, struct {
		name string
		x, w []float64
	}{"ties", ties, tw})
}

// TestWeightedStandardiseIsWrittenOut checks that the median and the
// robust spread of points with integer weights are those of the points
// written out, bit for bit: both are order statistics and interpolations
// on the same positions.
func TestWeightedStandardiseIsWrittenOut(t *testing.T) {
	for _, tt := range replicationCases(t) {
		rep, xp, wp := writtenOut(tt.x, tt.w)
		a, err := standardise(xp, wp, screenSize, 1, rand.New(rand.NewPCG(1, 0)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := standardise(rep, nil, screenSize, 1, rand.New(rand.NewPCG(1, 0)))
		if err != nil {
			t.Fatal(err)
		}
		if a.c != b.c || a.scale != b.scale {
			t.Errorf("%s: weighted centre and scale %v, %v; written out %v, %v", tt.name, a.c, a.scale, b.c, b.scale)
		}
		for _, p := range []float64{0, 0.01, 0.1, 0.25, 0.3, 0.5, 0.77, 0.9, 0.999, 1} {
			if qa, qb := a.sorted.quantile(p), b.sorted.quantile(p); qa != qb {
				t.Errorf("%s: weighted quantile %v is %v, written out %v", tt.name, p, qa, qb)
			}
		}
	}
}

// startTol bounds the difference of a starting point of weighted points
// and of the same points written out, in θ on the standardised data: the
// draws and the cuts are the same, and only sums differ, adding a point's
// weight at once or a copy at a time. Over at most N = 1000 terms of size
// about 1 (standardised data) that is a relative rounding of N·ε ≈ 2.2e-13:
// 1e-12 allows it on every coordinate, log σ included.
const startTol = 1e-12

// TestWeightedStartsAreWrittenOut checks that the starting points, the
// quantiles, the k-means++ seedings and the random partitions, of points
// with integer weights are those of the points written out.
func TestWeightedStartsAreWrittenOut(t *testing.T) {
	for _, tt := range replicationCases(t) {
		rep, xp, wp := writtenOut(tt.x, tt.w)
		for _, K := range []int{2, 3, 5} {
			za, _ := standardise(xp, wp, screenSize, 1, nil)
			zb, _ := standardise(rep, nil, screenSize, 1, nil)
			a := startingPoints(newLine(za.sample, za.sw), za.sorted, K, 12, 7, 1e-2)
			b := startingPoints(newLine(zb.sample, zb.sw), zb.sorted, K, 12, 7, 1e-2)
			for r := range a {
				for j := range a[r] {
					if d := math.Abs(a[r][j] - b[r][j]); !(d <= startTol) {
						t.Errorf("%s, K = %d: start %d, θ_%d = %v weighted, %v written out", tt.name, K, r, j, a[r][j], b[r][j])
					}
				}
			}
		}
	}
}

// TestWeightedMovesAreWrittenOut checks that the moves of points with
// integer weights are those of the points written out, to startTol.
func TestWeightedMovesAreWrittenOut(t *testing.T) {
	for _, tt := range replicationCases(t) {
		rep, xp, wp := writtenOut(tt.x, tt.w)
		za, _ := standardise(xp, wp, screenSize, 1, nil)
		zb, _ := standardise(rep, nil, screenSize, 1, nil)
		for _, prior := range []Prior{{}, NotebookPrior()} {
			obj := &objective{prior: prior, floor: 1e-3, scale: 1}
			if !prior.IsZero() {
				obj.floor = 0
			}
			theta := quantileStart(za.sorted, 3, 1e-2)
			qa := &problem{k: 3, obj: obj, sorted: za.sorted}
			qb := &problem{k: 3, obj: obj, sorted: zb.sorted}
			ma, mb := qa.Moves(theta), qb.Moves(theta)
			if len(ma) != len(mb) || len(ma) == 0 {
				t.Fatalf("%s: %d moves weighted, %d written out", tt.name, len(ma), len(mb))
			}
			for i := range ma {
				for j := range ma[i] {
					if d := math.Abs(ma[i][j] - mb[i][j]); !(d <= startTol) {
						t.Errorf("%s, %v: move %d, θ_%d = %v weighted, %v written out", tt.name, prior, i, j, ma[i][j], mb[i][j])
					}
				}
			}
		}
	}
}

// TestLineUnits checks the line's units: integer weights at their
// positions, small weights scaled to one unit a point on average, and a
// point found at every position it covers.
func TestLineUnits(t *testing.T) {
	tests := []struct {
		name  string
		w     []float64
		size  float64
		units int
	}{
		{"unweighted", nil, 4, 4},
		{"integers", []float64{1, 3, 2, 1}, 7, 7},
		{"fractions above 1", []float64{0.5, 2.5, 1, 1.25}, 5.25, 6},
		{"probabilities", []float64{0.25, 0.25, 0.25, 0.25}, 4, 4},
	}
	for _, tt := range tests {
		l := newLine([]float64{10, 20, 30, 40}, tt.w)
		if l.size() != tt.size || l.units() != tt.units {
			t.Errorf("%s: size %v, %d units; want %v, %d", tt.name, l.size(), l.units(), tt.size, tt.units)
		}
		for i := range l.x {
			lo, hi := l.Span(i)
			for _, p := range []float64{lo, (lo + hi) / 2, math.Nextafter(hi, lo)} {
				if got := l.index(p); got != i {
					t.Errorf("%s: position %v is point %d, want %d", tt.name, p, got, i)
				}
			}
		}
	}
	// A cut through a point shares it: [0, 1.5) holds all of the first
	// point (length 1) and half of the second (length 3 from 1 to 4).
	l := newLine([]float64{0, 4}, []float64{1, 3})
	mean, sd := l.moments(0, 1.5)
	// Two roundings of a value near 1.33 (ulp 2.2e-16) each way: 1e-15.
	if want := 4 * 0.5 / 1.5; math.Abs(mean-want) > 1e-15 || !(sd > 0) {
		t.Errorf("mean of [0, 1.5) = %v (sd %v), want %v", mean, sd, want)
	}
	if !slices.Equal(l.x, []float64{0, 4}) {
		t.Errorf("the line changed its points: %v", l.x)
	}
}

// TestWeightedFitIsWrittenOut fits real data with integer weights 0 to 3
// cold, by EM and by Adam, and the same points written out in place. The
// two fits are the same search: the standardisation is the same bit for
// bit and the starting points and moves to startTol (the tests above), and
// every loss and every step's statistics differ by the rounding of sums
// that add a point's weight at once rather than a copy at a time. The runs
// can still stop a step apart, or two runs that reach one optimum swap
// places as the best, so the fits agree to the stopping rule: a run stops
// when a step (by EM) or a Newton step (the decrease Adam's test
// estimates) lowers the loss by at most δ = Tol·(|L_u| + W), with L_u the
// loss on the standardised data, |L_u| ≤ |L| + W·|log s| for the spread s.
// Allowing the descent left to be 10 times the last step (a linear rate up
// to 0.9), each fit's loss is within 10δ of the optimum's, and the two
// within 20δ of each other. About the optimum the loss is quadratic, with
// curvature h = W w_k/σ_k² in μ_k, 2 W w_k in log σ_k and about W/w_k in
// w_k, so each parameter lies within √(2·20δ/h) of the other fit's.
func TestWeightedFitIsWrittenOut(t *testing.T) {
	for _, tt := range replicationCases(t)[:4] {
		rep, _, _ := writtenOut(tt.x, tt.w)
		W := sum(tt.w)
		s := fitSpread(tt.x)
		for _, method := range []Method{EM, Adam} {
			for _, prior := range []Prior{{}, DefaultPrior(tt.x)} {
				for _, K := range []int{2, 3} {
					label := fmt.Sprintf("%s, %v, %v, K = %d", tt.name, method, prior, K)
					a, b := &Model{K: K, Prior: prior}, &Model{K: K, Prior: prior}
					ra, err := a.Fit(tt.x, &Settings{Method: method, Weights: tt.w})
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					rb, err := b.Fit(rep, &Settings{Method: method})
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					L := last(rb.Loss)
					delta := defaultTol * (math.Abs(L) + W*math.Abs(math.Log(s)) + W)
					if d := math.Abs(last(ra.Loss) - L); !(d <= 20*delta) {
						t.Errorf("%s: loss %.17g weighted, %.17g written out", label, last(ra.Loss), L)
					}
					for k := range K {
						wk, sk := b.Weights[k], b.Sigmas[k]
						for _, c := range []struct {
							name      string
							got, want float64
							h         float64
						}{
							{"weight", a.Weights[k], wk, W / wk},
							{"mean", a.Means[k], b.Means[k], W * wk / (sk * sk)},
							{"log sigma", math.Log(a.Sigmas[k]), math.Log(sk), 2 * W * wk},
						} {
							if d := math.Abs(c.got - c.want); !(d <= math.Sqrt(40*delta/c.h)) {
								t.Errorf("%s: %s %d = %.15g weighted, %.15g written out (difference %.3g, allowed %.3g)", label, c.name, k, c.got, c.want, d, math.Sqrt(40*delta/c.h))
							}
						}
					}
				}
			}
		}
	}
}
