package plot

import (
	"bytes"
	"image/png"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func TestBeeswarm(t *testing.T) {
	const d = 5.0
	rng := rand.New(rand.NewPCG(1, 2))
	spread := make([]float64, 300)
	for i := range spread {
		spread[i] = 100 * rng.NormFloat64()
	}
	slices.Sort(spread)
	for _, tc := range []struct {
		name string
		xs   []float64
	}{
		{"one", []float64{3}},
		{"ties", []float64{1, 1, 1, 1, 1, 1, 1}},
		{"close", []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"apart", []float64{0, 10, 20}},
		{"normal", spread},
	} {
		t.Run(tc.name, func(t *testing.T) {
			off := beeswarm(tc.xs, d)
			for i := range off {
				for j := range i {
					dx, dy := tc.xs[i]-tc.xs[j], off[i]-off[j]
					// 1e-9 relative is the rounding margin free allows.
					if dx*dx+dy*dy < d*d*(1-1e-9) {
						t.Fatalf("markers %d and %d are %v apart, less than %v", j, i, math.Hypot(dx, dy), d)
					}
				}
			}
			if off[0] != 0 {
				t.Errorf("the first marker is at %v, want 0", off[0])
			}
		})
	}
	// Equal values stack outward from the centre, alternating sides.
	got := beeswarm([]float64{1, 1, 1, 1, 1}, d)
	want := []float64{0, d, -d, 2 * d, -2 * d}
	for i := range want {
		// The offsets are sums of d computed in floating point: 1e-12.
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("ties: offsets %v, want %v", got, want)
		}
	}
	// Markers apart by d or more all stay on the centre line.
	for i, o := range beeswarm([]float64{0, 5, 10, 15.5}, d) {
		if o != 0 {
			t.Errorf("marker %d at %v, want 0", i, o)
		}
	}
}

func TestHistogram(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cont := make([]float64, 5000)
	for i := range cont {
		cont[i] = rng.NormFloat64()
	}
	for _, tc := range []struct {
		name      string
		x         []float64
		narrowest float64
		grid      float64 // the data's rounding step, 0 if none
	}{
		{"iris", iris.PetalLength(), 0.178, 0.1},
		{"continuous", cont, 1, 0},
		{"one value", []float64{2, 2, 2}, 1, 0},
		{"integers", []float64{1, 2, 2, 3, 3, 3, 4, 4, 5, 1, 2, 3}, 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := histogram(tc.x, tc.narrowest)
			var area float64
			for i, b := range h.Bins {
				area += b.Weight * (b.Max - b.Min)
				if i > 0 && b.Min != h.Bins[i-1].Max {
					t.Fatalf("bin %d starts at %v, the previous ends at %v", i, b.Min, h.Bins[i-1].Max)
				}
			}
			// The area is a sum of n terms of 1/n: 1e-12 covers rounding.
			if math.Abs(area-1) > 1e-12 {
				t.Errorf("area %v, want 1", area)
			}
			lo, hi := h.Bins[0].Min, h.Bins[len(h.Bins)-1].Max
			if slices.Min(tc.x) < lo || slices.Max(tc.x) >= hi {
				t.Errorf("bins span [%v, %v), the data [%v, %v]", lo, hi, slices.Min(tc.x), slices.Max(tc.x))
			}
			if tc.grid > 0 {
				// Each bin holds a whole number of grid points, none on
				// an edge: the edges sit half a step off the grid. 1e-9
				// of a step allows for the rounding of the data.
				w := h.Bins[0].Max - h.Bins[0].Min
				if k := w / tc.grid; math.Abs(k-math.Round(k)) > 1e-9 {
					t.Errorf("bin width %v is not a multiple of the grid step %v", w, tc.grid)
				}
				for _, b := range h.Bins {
					if f := b.Min/tc.grid - math.Floor(b.Min/tc.grid); math.Abs(f-0.5) > 1e-9 {
						t.Fatalf("bin edge %v is not half a step off the grid", b.Min)
					}
				}
			}
		})
	}
	// The bins are no wider than the narrowest component, here the iris
	// setosa cluster's 0.178, so that its peak shows: 0.1 on the 0.1 grid.
	h := histogram(iris.PetalLength(), 0.178)
	// 1e-12: the width is the grid step up to rounding.
	if w := h.Bins[0].Max - h.Bins[0].Min; math.Abs(w-0.1) > 1e-12 {
		t.Errorf("iris bin width %v, want 0.1", w)
	}
}

// TestHistogramWidth checks the promise of the README: the bins are no
// wider than the narrowest component, unless a 200th of the range or the
// data's grid step is wider, on small data and on data larger than the
// sample the quartiles are taken from.
func TestHistogramWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	big := make([]float64, 2*histSample)
	rounded := make([]float64, len(big))
	for i := range big {
		big[i] = 10 * rng.NormFloat64()
		rounded[i] = math.Round(big[i]*4) / 4
	}
	for _, tc := range []struct {
		name      string
		x         []float64
		narrowest float64
		want      float64 // the bin width
	}{
		{"iris", iris.PetalLength(), 0.178, 0.1},
		{"iris, wide components", iris.PetalLength(), 0.35, 0.3},
		{"iris, a component narrower than the grid", iris.PetalLength(), 0.05, 0.1},
		{"iris, a needle", iris.PetalLength(), 1e-9, 0.1},
		// The range of 131072 draws of Normal(0, 10) is about 85, so a
		// 200th is 0.43, and the Freedman–Diaconis width 2·13.5/50.8 is
		// 0.53: a component 0.5 wide sets the width.
		{"large, continuous, narrow", big, 0.5, 0.5},
		{"large, a needle", big, 1e-9, (slices.Max(big) - slices.Min(big)) / 200},
		{"large, on a 0.25 grid", rounded, 0.5, 0.5},
		{"large, on a 0.25 grid, a component 0.45 wide", rounded, 0.45, 0.25},
		{"large, off the grid once", append(slices.Clone(rounded), 0.1), 0.45, 0.45},
	} {
		h := histogram(tc.x, tc.narrowest)
		// 1e-9 relative: the width is computed from differences of data.
		if w := h.Bins[0].Max - h.Bins[0].Min; math.Abs(w-tc.want) > 1e-9*tc.want {
			t.Errorf("%s: bin width %v, want %v", tc.name, w, tc.want)
		}
	}
}

func TestStep(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    []float64
		want float64
	}{
		{"iris petal length", iris.PetalLength(), 0.1},
		{"integers", []float64{1, 1, 3, 3, 4, 4, 7, 7}, 1},
		{"too many distinct", []float64{1, 2, 3, 4}, 0},
		{"off grid", []float64{1, 1, 2, 2, 2.5, 2.5, 3.3, 3.3}, 0},
		{"one value", []float64{5, 5, 5}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := step(slices.Sorted(slices.Values(tc.x)))
			// Differences of values rounded to 0.1 are 0.1 to within
			// a few ulps of the values: 1e-12.
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("step = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNormal(t *testing.T) {
	// The peak of N(x | μ, σ) is 1/(σ√(2π)): the factor 1/σ that the
	// notebook's density plot left out.
	for _, s := range []float64{0.178, 1, 7.5} {
		// 1e-15 relative: one division and one multiplication.
		if got, want := normal(2, 2, s), 1/(s*math.Sqrt(2*math.Pi)); math.Abs(got-want) > 1e-15*want {
			t.Errorf("normal(2, 2, %v) = %v, want %v", s, got, want)
		}
		// It integrates to 1: the trapezoid rule over ±10σ with 4001
		// points is exact to about 1e-12 for a Gaussian.
		g := linspace(2-10*s, 2+10*s, 4001)
		var area float64
		for i := 1; i < len(g); i++ {
			area += (normal(g[i-1], 2, s) + normal(g[i], 2, s)) / 2 * (g[i] - g[i-1])
		}
		if math.Abs(area-1) > 1e-9 {
			t.Errorf("σ = %v: area %v, want 1", s, area)
		}
	}
}

func TestBoundaries(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    gmm.Model
		want []float64
	}{
		{"symmetric", gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 2}, Sigmas: []float64{1, 1}}, []float64{1}},
		// Equal σ: w1 N(x|0,1) = w2 N(x|2,1) at x = 1 + log(w1/w2)/2.
		{"unequal weights", gmm.Model{K: 2, Weights: []float64{0.75, 0.25}, Means: []float64{0, 2}, Sigmas: []float64{1, 1}}, []float64{1 + math.Log(3)/2}},
		{"one component", gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{1}}, nil},
		// The wide component wins in both tails: two boundaries, at
		// x² (1 − 1/4) / 2 = log 2, x = ±sqrt(8 log 2 / 3).
		{"nested", gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 0}, Sigmas: []float64{1, 2}},
			[]float64{-math.Sqrt(8 * math.Ln2 / 3), math.Sqrt(8 * math.Ln2 / 3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := boundaries(&tc.m, -5, 5)
			if len(got) != len(tc.want) {
				t.Fatalf("boundaries %v, want %v", got, tc.want)
			}
			for i := range got {
				// Bisection runs to adjacent floats; the densities'
				// rounding moves the crossing by about 1e-15: 1e-12.
				if math.Abs(got[i]-tc.want[i]) > 1e-12 {
					t.Errorf("boundary %d at %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestThin(t *testing.T) {
	x := linspace(0, 1, 1000)
	a, thinned := thin(x, 100)
	b, _ := thin(x, 100)
	if !thinned || len(a) != 100 || !slices.Equal(a, b) {
		t.Fatalf("thin: %d values, thinned %v, repeatable %v", len(a), thinned, slices.Equal(a, b))
	}
	seen := map[float64]bool{}
	for _, v := range a {
		if seen[v] || !slices.Contains(x, v) {
			t.Fatalf("thin drew %v twice or from outside x", v)
		}
		seen[v] = true
	}
	if c, thinned := thin(x[:50], 100); thinned || len(c) != 50 {
		t.Errorf("thin of 50 values to 100: %d values, thinned %v", len(c), thinned)
	}
}

func TestRoundTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		labels string
	}{
		{0.76, 7.14, "1 2 3 4 5 6 7"},
		{0, 199, "0 20 40 60 80 100 120 140 160 180"},
		{205, 288, "210 220 230 240 250 260 270 280"},
		{-0.03, 0.92, "0.0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9"},
		{-8.4, 11.2, "-8 -6 -4 -2 0 2 4 6 8 10"},
		// A loss of 1.2e8 that changes by hundreds: 4 digits would print
		// 1.202e+08 for every tick.
		{120234150, 120235020, "1.202342e+08 1.202343e+08 1.202344e+08 1.202345e+08 1.202346e+08 1.202347e+08 1.202348e+08 1.202349e+08 1.20235e+08"},
		{0, 2.4e6, "0 2e+05 4e+05 6e+05 8e+05 1e+06 1.2e+06 1.4e+06 1.6e+06 1.8e+06 2e+06 2.2e+06 2.4e+06"},
		{2224499, 2232300, "2.225e+06 2.226e+06 2.227e+06 2.228e+06 2.229e+06 2.23e+06 2.231e+06 2.232e+06"},
		{-3e-5, 3e-5, "-3e-05 -2e-05 -1e-05 0 1e-05 2e-05 3e-05"},
	} {
		var labels []string
		for _, tk := range (roundTicks{n: 8}).Ticks(tc.lo, tc.hi) {
			if tk.Value < tc.lo || tk.Value > tc.hi {
				t.Errorf("[%v, %v]: tick %v out of range", tc.lo, tc.hi, tk.Value)
			}
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.labels {
			t.Errorf("[%v, %v]: labels %q, want %q", tc.lo, tc.hi, got, tc.labels)
		}
	}
}

func irisFit(t testing.TB) (*gmm.Model, *gmm.Result, []float64) {
	t.Helper()
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	res, err := m.Fit(x, &gmm.Settings{Method: gmm.EM})
	if err != nil {
		t.Fatal(err)
	}
	return m, res, x
}

// irisPosterior returns the Gibbs posterior of the iris fit, with 100
// draws from each of the 4 chains: enough to draw a band, and quick.
func irisPosterior(t testing.TB, m *gmm.Model, x []float64) *gmm.Posterior {
	t.Helper()
	p, err := m.Posterior(x, &gmm.PosteriorSettings{Seed: 1, Draws: 100, Warmup: 100})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFiguresDraw(t *testing.T) {
	m, res, x := irisFit(t)
	post := irisPosterior(t, m, x)
	for _, tc := range []struct {
		name string
		draw func() (*plot.Plot, error)
	}{
		{"data", func() (*plot.Plot, error) { return Data(x, "petal_length") }},
		{"loss", func() (*plot.Plot, error) { return Loss(res) }},
		{"density", func() (*plot.Plot, error) { return Density(m, x, "petal_length") }},
		{"posterior density", func() (*plot.Plot, error) { return PosteriorDensity(m, post, x, "petal_length", 0.9) }},
		{"clusters", func() (*plot.Plot, error) { return Clusters(m, x, "petal_length") }},
		{"one value", func() (*plot.Plot, error) { return Data([]float64{3}, "") }},
		{"many values", func() (*plot.Plot, error) { return Data(linspace(0, 1, 5000), "u") }},
		{"one step", func() (*plot.Plot, error) { return Loss(&gmm.Result{Loss: []float64{1}, Steps: 1, Restarts: 1}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.draw()
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WritePNG(&buf, p, 4*vg.Inch, 3*vg.Inch); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			// 4 × 3 inches at 120 dots per inch.
			if b := img.Bounds(); b.Dx() != 480 || b.Dy() != 360 {
				t.Errorf("image is %v, want 480×360", b)
			}
		})
	}
}

func TestFiguresReject(t *testing.T) {
	m, _, x := irisFit(t)
	post := irisPosterior(t, m, x)
	bad := &gmm.Model{K: 2, Weights: []float64{0.5, 0.6}, Means: []float64{0, 1}, Sigmas: []float64{1, 1}}
	for _, tc := range []struct {
		name string
		draw func() (*plot.Plot, error)
		want string
	}{
		{"data empty", func() (*plot.Plot, error) { return Data(nil, "") }, "no data"},
		{"data NaN", func() (*plot.Plot, error) { return Data([]float64{1, math.NaN()}, "") }, "x[1] is NaN"},
		{"loss nil", func() (*plot.Plot, error) { return Loss(nil) }, "no losses"},
		{"loss all NaN", func() (*plot.Plot, error) { return Loss(&gmm.Result{Loss: []float64{math.NaN()}}) }, "nothing to draw"},
		{"density nil model", func() (*plot.Plot, error) { return Density(nil, x, "") }, "model is nil"},
		{"density bad model", func() (*plot.Plot, error) { return Density(bad, x, "") }, "sum to"},
		{"density Inf", func() (*plot.Plot, error) { return Density(m, []float64{math.Inf(1)}, "") }, "x[0] is +Inf"},
		{"clusters unfitted", func() (*plot.Plot, error) { return Clusters(&gmm.Model{K: 2}, x, "") }, "fit it first"},
		{"clusters empty", func() (*plot.Plot, error) { return Clusters(m, nil, "") }, "no data"},
		{"clusters of nil sample", func() (*plot.Plot, error) { return ClustersOf(m, nil, x, "") }, "NewClusterSample(m.K)"},
		{"clusters of sample for other K", func() (*plot.Plot, error) { return ClustersOf(m, NewClusterSample(m.K+1), x, "") }, "for 3 clusters"},
		{"clusters of sample short", func() (*plot.Plot, error) { return ClustersOf(m, sampleOf(m, x[1:]), x, "") }, "labels of 149 values and x has 150"},
		{"clusters of unfitted", func() (*plot.Plot, error) { return ClustersOf(&gmm.Model{K: 2}, sampleOf(m, x), x, "") }, "fit it first"},
		{"clusters of NaN", func() (*plot.Plot, error) {
			return ClustersOf(m, sampleOf(m, x), append([]float64{math.NaN()}, x[1:]...), "")
		}, "x[0] is NaN"},
		{"posterior nil", func() (*plot.Plot, error) { return PosteriorDensity(m, nil, x, "", 0.9) }, "no draws"},
		{"posterior empty", func() (*plot.Plot, error) { return PosteriorDensity(m, &gmm.Posterior{}, x, "", 0.9) }, "no draws"},
		{"posterior level 0", func() (*plot.Plot, error) { return PosteriorDensity(m, post, x, "", 0) }, "pass 0.9"},
		{"posterior level 90", func() (*plot.Plot, error) { return PosteriorDensity(m, post, x, "", 90) }, "not in (0, 1)"},
		{"posterior level NaN", func() (*plot.Plot, error) { return PosteriorDensity(m, post, x, "", math.NaN()) }, "not in (0, 1)"},
		{"posterior bad model", func() (*plot.Plot, error) { return PosteriorDensity(bad, post, x, "", 0.9) }, "sum to"},
		{"posterior no data", func() (*plot.Plot, error) { return PosteriorDensity(m, post, nil, "", 0.9) }, "no data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.draw()
			if err == nil || !strings.Contains(err.Error(), tc.want) || p != nil {
				t.Errorf("got plot %v, error %v; want an error containing %q", p != nil, err, tc.want)
			}
		})
	}
}

// sampleOf returns the ClusterSample of x labelled by m, added in chunks
// of 64 values, as a caller that labels its data in chunks would.
func sampleOf(m *gmm.Model, x []float64) *ClusterSample {
	s := NewClusterSample(m.K)
	for lo := 0; lo < len(x); lo += 64 {
		xs := x[lo:min(lo+64, len(x))]
		if err := s.Add(xs, m.Assign(xs)); err != nil {
			panic(err)
		}
	}
	return s
}

// TestClustersOfIsClusters checks that the figure drawn from labels the
// caller made is the figure Clusters draws, byte for byte, on iris and on
// 10^5 values, where each row shows a sample of its values.
func TestClustersOfIsClusters(t *testing.T) {
	im, _, ix := irisFit(t)
	bm, _, bx := mix3(t, 100000)
	for _, tc := range []struct {
		name string
		m    *gmm.Model
		x    []float64
	}{
		{"iris", im, ix},
		{"10^5", bm, bx},
	} {
		t.Run(tc.name, func(t *testing.T) {
			png := func(p *plot.Plot, err error) []byte {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := WritePNG(&buf, p, 8*vg.Inch, 5*vg.Inch); err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			}
			want := png(Clusters(tc.m, tc.x, "x"))
			if got := png(ClustersOf(tc.m, sampleOf(tc.m, tc.x), tc.x, "x")); !bytes.Equal(got, want) {
				t.Error("ClustersOf draws another figure than Clusters from the same labels")
			}
			// Other labels make another figure: the comparison can fail.
			other := NewClusterSample(tc.m.K)
			if err := other.Add(tc.x, make([]int, len(tc.x))); err != nil {
				t.Fatal(err)
			}
			if got := png(ClustersOf(tc.m, other, tc.x, "x")); bytes.Equal(got, want) {
				t.Error("ClustersOf with every value in cluster 0 draws the figure of the fitted labels")
			}
		})
	}
}

func TestClusterSampleAddRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    []float64
		z    []int
		want string
	}{
		{"lengths differ", []float64{1, 2}, []int{0}, "2 values and 1 labels"},
		{"label negative", []float64{1, 2}, []int{0, -1}, "label 1 is -1"},
		{"label too large", []float64{1, 2}, []int{2, 0}, "label 0 is 2; the sample has clusters 0 to 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewClusterSample(2)
			err := s.Add(tc.x, tc.z)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want one containing %q", err, tc.want)
			}
			if s.n != 0 || s.rows[0].n+s.rows[1].n != 0 {
				t.Error("Add kept values from a call it rejected")
			}
		})
	}
}

func TestPosteriorDensity(t *testing.T) {
	m, _, x := irisFit(t)
	post := irisPosterior(t, m, x)
	p, err := PosteriorDensity(m, post, x, "petal_length", 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Title.Text, "posterior predictive density: gibbs, 400 draws") {
		t.Errorf("title %q does not name the posterior", p.Title.Text)
	}
	// The axis takes in the whole band.
	lo, hi := span(m, x)
	g := bandGrid(post.Mean(), lo, hi)
	_, _, top, err := post.Predictive(g, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Max < slices.Max(top) {
		t.Errorf("the y axis ends at %v, below the band's top %v", p.Y.Max, slices.Max(top))
	}
	// The grid has its even points and more about each component.
	if len(g) < bandPoints+2*30 || !slices.IsSorted(g) || g[0] != lo || g[len(g)-1] != hi {
		t.Errorf("band grid of %d points from %v to %v, want more than %d across [%v, %v]", len(g), g[0], g[len(g)-1], bandPoints+60, lo, hi)
	}

	// The band shows: pixels of its translucent fill over the white
	// background are many in this figure and absent from Density's.
	shaded := func(p *plot.Plot) int {
		var buf bytes.Buffer
		if err := WritePNG(&buf, p, 6*vg.Inch, 4*vg.Inch); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		// The fill over white: c·α + 255·(1 − α) in each channel.
		a := float64(bandFill.A) / 255
		want := [3]float64{
			float64(bandFill.R)*a + 255*(1-a),
			float64(bandFill.G)*a + 255*(1-a),
			float64(bandFill.B)*a + 255*(1-a),
		}
		n := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				got := [3]float64{float64(r >> 8), float64(g >> 8), float64(bl >> 8)}
				ok := true
				for i := range got {
					// 2 levels of 255 cover the rounding of the blend.
					ok = ok && math.Abs(got[i]-want[i]) <= 2
				}
				if ok {
					n++
				}
			}
		}
		return n
	}
	plain, err := Density(m, x, "petal_length")
	if err != nil {
		t.Fatal(err)
	}
	// The band is about 0.02 to 0.2 high over a third of the plot's
	// width, outside the histogram's bars: some 5000 pixels of the 720×480
	// image. 1000 is well below that and far above the none that Density
	// draws.
	if n := shaded(p); n < 1000 {
		t.Errorf("%d pixels of the band, want at least 1000", n)
	}
	if n := shaded(plain); n != 0 {
		t.Errorf("Density drew %d pixels in the band's colour", n)
	}
}

func TestColor(t *testing.T) {
	// Components k and k+10 share a colour; the first ten differ.
	seen := map[string]int{}
	for k := range 10 {
		r, g, b, _ := Color(k).RGBA()
		key := strconv.Itoa(int(r)) + "," + strconv.Itoa(int(g)) + "," + strconv.Itoa(int(b))
		if j, ok := seen[key]; ok {
			t.Errorf("components %d and %d have the same colour", j, k)
		}
		seen[key] = k
		if Color(k) != Color(k+10) || Color(-1) != Color(9) {
			t.Errorf("colours do not cycle")
		}
	}
}

func BenchmarkDensityIris150(b *testing.B) {
	m, _, x := irisFit(b)
	for b.Loop() {
		p, err := Density(m, x, "petal_length")
		if err != nil {
			b.Fatal(err)
		}
		if err := WritePNG(&bytes.Buffer{}, p, 8*vg.Inch, 5*vg.Inch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPosteriorDensityIris150(b *testing.B) {
	m, _, x := irisFit(b)
	post, err := m.Posterior(x, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		p, err := PosteriorDensity(m, post, x, "petal_length", 0.9)
		if err != nil {
			b.Fatal(err)
		}
		if err := WritePNG(&bytes.Buffer{}, p, 8*vg.Inch, 5*vg.Inch); err != nil {
			b.Fatal(err)
		}
	}
}
