package plot

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func TestOler(t *testing.T) {
	// hex counts the points of a hexagonal lattice of spacing d in a
	// w × h rectangle, rows √3/2·d apart: a packing the bound must allow.
	hex := func(w, h, d float64) int {
		n := 0
		for r := 0; float64(r)*math.Sqrt(3)/2*d <= h; r++ {
			x0 := 0.0
			if r%2 == 1 {
				x0 = d / 2
			}
			if x0 <= w {
				n += int(math.Floor((w-x0)/d)) + 1
			}
		}
		return n
	}
	for _, tc := range []struct {
		name    string
		w, h, d float64
		want    int // the bound, where it is known to be tight; 0 if not
	}{
		{"a point", 0, 0, 1, 1},
		{"a segment of ten gaps", 10, 0, 1, 11},
		{"a unit square: its corners", 1, 1, 1, 4},
		{"a square of ten", 10, 10, 1, 0},
		{"a swarm row", 200, 40, 3.9, 0},
		{"a thin row", 20, 0.1, 3.9, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := oler(tc.w, tc.h, tc.d)
			if tc.want > 0 && got != tc.want {
				t.Errorf("oler(%v, %v, %v) = %d, want %d", tc.w, tc.h, tc.d, got, tc.want)
			}
			if h := hex(tc.w, tc.h, tc.d); got < h {
				t.Errorf("oler(%v, %v, %v) = %d, below the %d of a hexagonal packing", tc.w, tc.h, tc.d, got, h)
			}
		})
	}
	// Every beeswarm layout, its markers d apart, lies within its own
	// bounding box, so the bound holds for it.
	rng := rand.New(rand.NewPCG(8, 9))
	for trial := range 20 {
		xs := make([]float64, 50+rng.IntN(400))
		for i := range xs {
			xs[i] = 30 * rng.NormFloat64()
		}
		slices.Sort(xs)
		const d = 3.9
		off := beeswarm(xs, d)
		h := slices.Max(off) - slices.Min(off)
		if b := oler(xs[len(xs)-1]-xs[0], h, d*math.Sqrt(1-1e-9)); len(xs) > b {
			t.Errorf("trial %d: %d markers d apart in a box that holds at most %d", trial, len(xs), b)
		}
	}
}

func TestFewest(t *testing.T) {
	seq := linspace(0, 99, 100)
	for _, tc := range []struct {
		name string
		xs   []float64
		n    int
		want []float64
	}{
		{"fewer than the bound", seq[:3], 5, seq[:3]},
		{"as many as the bound", seq[:5], 5, seq[:5]},
		{"evenly spaced ranks", seq, 5, []float64{0, 24, 49, 74, 99}},
		{"two: the ends", seq, 2, []float64{0, 99}},
		{"one", seq, 1, []float64{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fewest(tc.xs, tc.n); !slices.Equal(got, tc.want) {
				t.Errorf("fewest(%d values, %d) = %v, want %v", len(tc.xs), tc.n, got, tc.want)
			}
		})
	}
}

// TestSwarmLayout lays rows out at one point per data unit across and
// checks that a row within twice Oler's bound keeps all its values in the
// layout of beeswarm, unchanged, and that a crowded row shows at most
// twice the bound, its extent kept.
func TestSwarmLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	normal := func(n int, sd float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = sd * rng.NormFloat64()
		}
		return x
	}
	glyph := draw.GlyphStyle{Radius: vg.Points(1.7), Shape: draw.CircleGlyph{}}
	const d = 2*1.7 + 0.5
	for _, tc := range []struct {
		name    string
		x       []float64
		half    float64 // half the row's height, in points
		thinned bool
	}{
		{"tall row, spread values", normal(300, 40), 60, false},
		{"tall row, 500 values", normal(500, 60), 60, false},
		{"thin row, spread values", normal(40, 200), 2, false},
		{"thin row, crowded", normal(500, 5), 2, true},
		{"tall row, one value repeated", slices.Repeat([]float64{3}, 500), 60, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSwarm(tc.x, 0, tc.half, glyph)
			id := func(v float64) vg.Length { return vg.Length(v) }
			pts := s.layout(id, id)
			room := tc.half - 1.7
			bound := 2 * oler(s.x[len(s.x)-1]-s.x[0], 2*max(room, 0), d*math.Sqrt(1-1e-9))
			if thinned := len(pts) < len(s.x); thinned != tc.thinned {
				t.Fatalf("%d of %d values shown, the bound %d: thinned %v, want %v", len(pts), len(s.x), bound, thinned, tc.thinned)
			}
			if !tc.thinned {
				// The layout of before: every value, at the offsets
				// beeswarm gives (squeezed if the row overflows).
				off := beeswarm(s.x, d)
				top := 0.0
				for _, o := range off {
					top = max(top, math.Abs(o))
				}
				scale := 1.0
				if top > room {
					scale = room / top
				}
				for i, p := range pts {
					if float64(p.X) != s.x[i] || float64(p.Y) != off[i]*scale {
						t.Fatalf("marker %d at %v, want (%v, %v)", i, p, s.x[i], off[i]*scale)
					}
				}
				return
			}
			if len(pts) > bound {
				t.Errorf("%d markers shown, more than twice the bound, %d", len(pts), bound)
			}
			if float64(pts[0].X) != s.x[0] || float64(pts[len(pts)-1].X) != s.x[len(s.x)-1] {
				t.Errorf("the row spans [%v, %v], the values [%v, %v]", pts[0].X, pts[len(pts)-1].X, s.x[0], s.x[len(s.x)-1])
			}
			for i, p := range pts {
				// The squeeze keeps each centre within the row's room;
				// 1e-9 allows for the rounding of the scaling.
				if math.Abs(float64(p.Y)) > room+1e-9 {
					t.Fatalf("marker %d at height %v, outside the row's ±%v", i, p.Y, room)
				}
			}
		})
	}
}

// TestRowLabels checks the labels of the clusters figure's rows at the
// command line's sizes: every row labelled at small K; at large K no two
// labels closer than a label's height and the 2-point gap, the top and
// bottom rows labelled, and no more rows left bare between two labels
// than keep them apart.
func TestRowLabels(t *testing.T) {
	for _, tc := range []struct {
		name string
		k    int
		all  bool // every row labelled
	}{
		{"K=3", 3, true},
		{"K=10", 10, true},
		// 12-inch images: rows 25 points apart hold labels 23 points
		// tall and the gap; 12.7 points apart do not.
		{"K=30", 30, true},
		{"K=60", 60, false},
		{"K=200", 200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, x := spread(t, tc.k, 20000)
			p, err := Clusters(m, x, "x")
			if err != nil {
				t.Fatal(err)
			}
			rt, ok := p.Y.Tick.Marker.(rowTicks)
			if !ok {
				t.Fatalf("the y axis is marked by %T, want rowTicks", p.Y.Tick.Marker)
			}
			c := vgimg.NewWith(vgimg.UseWH(8*vg.Inch, clustersHeight(tc.k)), vgimg.UseDPI(dpi))
			rt = withPitch(p, rt, frame(c))
			var h vg.Length
			for _, n := range rt.names {
				h = max(h, rt.style.Height(n))
			}
			var rows []int
			for _, tick := range rt.Ticks(p.Y.Min, p.Y.Max) {
				if tick.Label != "" {
					rows = append(rows, int(tick.Value))
				}
			}
			if tc.all {
				if len(rows) != tc.k {
					t.Fatalf("%d of %d rows labelled, want all", len(rows), tc.k)
				}
				return
			}
			if len(rows) == tc.k {
				t.Fatalf("all %d rows labelled, %v apart, their labels %v tall", tc.k, rt.pitch, h)
			}
			if rows[0] != 0 || rows[len(rows)-1] != tc.k-1 {
				t.Errorf("labelled rows %v: want the bottom (0) and top (%d) among them", rows, tc.k-1)
			}
			m1 := rt.every()
			for i := 1; i < len(rows); i++ {
				gap := vg.Length(rows[i]-rows[i-1]) * rt.pitch
				if gap < h+vg.Points(rowGap) {
					t.Errorf("rows %d and %d are %v apart, their labels %v tall", rows[i-1], rows[i], gap, h)
				}
				// m rows apart, or up to 2m − 1 for the bottom row.
				if rows[i]-rows[i-1] >= 2*m1 {
					t.Errorf("rows %d and %d are labelled, none of the %d between", rows[i-1], rows[i], rows[i]-rows[i-1]-1)
				}
			}
		})
	}
	// With no pitch, as drawn other than by WritePNG, every row is.
	rt := rowTicks{names: []string{"a", "b", "c"}, style: plot.New().Y.Tick.Label}
	if ticks := rt.Ticks(0, 2); ticks[0].Label != "a" || ticks[1].Label != "b" || ticks[2].Label != "c" {
		t.Errorf("ticks %v, want every row labelled", ticks)
	}
}

// entries returns the number of entries of l, from its height: entries
// of one line each, the legend's padding between them.
func entries(l plot.Legend) int {
	h := l.TextStyle.Rectangle("x").Max.Y
	var c draw.Canvas
	return int(math.Round(float64((l.Rectangle(c).Size().Y + l.Padding) / (h + l.Padding))))
}

// TestLargeKLegends draws the density and clusters figures at the command
// line's sizes: at small K the full legend, as always; at large K a legend
// of a few entries, whatever K, within the data area's width and clear of
// the data.
func TestLargeKLegends(t *testing.T) {
	for _, tc := range []struct {
		name            string
		k               int
		density, bounds int // the legend drawn, 0 for the full one
		densityEntries  int // the entries of the density's legend
	}{
		{"K=3", 3, 0, 0, 3 + 2},
		// The full legend's 32 lines do not clear the data at 8×5 inches,
		// the short one's do.
		{"K=30", 30, 1, 1, 30 + 2},
		{"K=200", 200, 2, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, x := spread(t, tc.k, 20000)
			dp, dl, err := density(m, x, "x", nil)
			if err != nil {
				t.Fatal(err)
			}
			cp, cl := clusters(m, split(m, x), x, "x")
			for _, f := range []struct {
				name    string
				p       *plot.Plot
				l       *fitLegend
				h       vg.Length
				used    int
				entries int
			}{
				{"density", dp, dl, 5 * vg.Inch, tc.density, tc.densityEntries},
				{"clusters", cp, cl, clustersHeight(tc.k), tc.bounds, 1},
			} {
				if err := WritePNG(&bytes.Buffer{}, f.p, 8*vg.Inch, f.h); err != nil {
					t.Fatal(err)
				}
				if !f.l.fits {
					t.Errorf("%s: the legend covers the data or overflows the width", f.name)
				}
				if f.l.used != f.used {
					t.Errorf("%s: legend %d drawn, want %d", f.name, f.l.used, f.used)
				}
				used := append([]plot.Legend{f.l.leg}, f.l.briefer...)[f.l.used]
				if n := entries(used); n != f.entries {
					t.Errorf("%s: the legend drawn has %d entries, want %d", f.name, n, f.entries)
				}
			}
		})
	}
}

// TestLean checks that lean lines pad the plot as plain ones do: the data
// area comes out the same, with points beyond the axes among them.
func TestLean(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	for _, tc := range []struct {
		name string
		ymax float64 // the top of the y axis
	}{
		{"all within", 10},
		{"some above the axis", 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			build := func(wrap bool) *plot.Plot {
				p := plot.New()
				for range 5 {
					xys := make(plotter.XYs, 200)
					for i := range xys {
						xys[i] = plotter.XY{X: 10 * rng.Float64(), Y: rng.Float64()}
					}
					l, err := plotter.NewLine(xys)
					if err != nil {
						t.Fatal(err)
					}
					l.Width = vg.Points(2.5)
					if wrap {
						p.Add(lean{l})
					} else {
						p.Add(l)
					}
				}
				p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0.5, 9.5, 0, tc.ymax
				return p
			}
			c := frame(vgimg.NewWith(vgimg.UseWH(4*vg.Inch, 3*vg.Inch), vgimg.UseDPI(dpi)))
			seed := rng.Uint64()
			rng = rand.New(rand.NewPCG(seed, 1))
			plain := build(false).DataCanvas(c)
			rng = rand.New(rand.NewPCG(seed, 1))
			if got := build(true).DataCanvas(c); got.Rectangle != plain.Rectangle {
				t.Errorf("data area %v with lean lines, %v with plain ones", got.Rectangle, plain.Rectangle)
			}
		})
	}
}

// TestWithin checks that the run of the grid within returns holds every
// point where the component stands above the threshold.
func TestWithin(t *testing.T) {
	grid := linspace(-50, 50, 20001)
	for _, tc := range []struct {
		name            string
		w, mu, sigma, y float64
	}{
		{"wide", 0.5, 3, 10, 1e-4},
		{"narrow", 0.2, -7.3, 0.01, 1e-3},
		{"near the edge", 0.3, 49.9, 1, 1e-3},
		{"never above", 1e-6, 0, 1, 1e-3},
		{"a threshold of 0", 0.5, 0, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := within(grid, tc.w, tc.mu, tc.sigma, tc.y)
			var want []float64
			for _, v := range grid {
				if tc.w*normal(v, tc.mu, tc.sigma) > tc.y {
					want = append(want, v)
				}
			}
			var got []float64
			for _, v := range run {
				if tc.w*normal(v, tc.mu, tc.sigma) > tc.y {
					got = append(got, v)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%d points above %v within the run, %d in the grid", len(got), tc.y, len(want))
			}
			if len(run) > len(want)+2*int(1+len(grid)/1000) && tc.y > 0 {
				t.Errorf("the run holds %d points for %d above the threshold", len(run), len(want))
			}
		})
	}
}

// TestMixture checks the mixture density the density figure draws against
// Model.Density: short by at most K·eps where components are left out.
func TestMixture(t *testing.T) {
	for _, tc := range []struct {
		name string
		k    int
		eps  float64
	}{
		{"K=3, all of every component", 3, 0},
		{"K=3", 3, 1e-9},
		{"K=200", 200, 1e-9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := spread(t, tc.k, 10)
			grid := linspace(-100, 900, 5001)
			for i, s := range mixture(m, grid, tc.eps) {
				want := m.Density(grid[i])
				// Rounding: the two sum K terms in other orders and
				// ways (Density by log-sum-exp), 1e-12 relative; and
				// far out, where the terms underflow, Density's log
				// domain keeps values below 1e-300 that the sum loses.
				tol := 1e-12*want + 1e-300
				if d := want - s.Y; d < -tol || d > float64(tc.k)*tc.eps+tol {
					t.Fatalf("at %v: %v, Density %v", grid[i], s.Y, want)
				}
			}
		})
	}
}

// TestCurveGrid checks the points the component curves are drawn
// through: at small K every component's own 81 points in the grid of
// all, as always; when crowded, each component's points no more than
// the evenly spaced ones and its own, and its peak drawn within 0.13% of
// its height.
func TestCurveGrid(t *testing.T) {
	for _, tc := range []struct {
		name string
		k    int
	}{
		{"K=3", 3},
		{"K=14", 14},
		{"K=15", 15},
		{"K=200", 200},
		{"K=1000", 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, x := spread(t, tc.k, 10)
			lo, hi := span(m, x)
			grid, even, own := curveGrid(m, lo, hi)
			if crowded(tc.k) != (tc.k > 14) {
				t.Fatalf("crowded(%d) = %v; 81·K points outnumber 1200 beyond 14", tc.k, crowded(tc.k))
			}
			for k := range tc.k {
				g := componentGrid(m, k, grid, even, own[k], 0)
				if !crowded(tc.k) {
					if len(own[k]) == 0 || !slices.Equal(g, grid) {
						t.Fatalf("component %d: %d own points, drawn through %d of the %d", k, len(own[k]), len(g), len(grid))
					}
					continue
				}
				if len(g) > len(even)+len(own[k]) {
					t.Fatalf("component %d drawn through %d points, more than %d even and %d own", k, len(g), len(even), len(own[k]))
				}
				w, mu, sigma := m.Weights[k], m.Means[k], m.Sigmas[k]
				if mu < lo || mu > hi {
					continue
				}
				peak := 0.0
				for _, v := range g {
					peak = max(peak, w*normal(v, mu, sigma))
				}
				// 1 − exp(−1/800) (see curveGrid), and rounding.
				if top := w * normal(mu, mu, sigma); peak < top*(math.Exp(-1.0/800)-1e-12) {
					t.Errorf("component %d (σ = %.3g) peaks at %v on its points, %v in truth", k, sigma, peak, top)
				}
			}
		})
	}
}
