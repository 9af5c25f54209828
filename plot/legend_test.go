package plot

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// mix3 returns n draws from the three-component mixture of the benchmarks
// and its maximum-likelihood fit by Adam, whose loss curve overshoots.
func mix3(t *testing.T, n int) (*gmm.Model, *gmm.Result, []float64) {
	t.Helper()
	gen := &gmm.Model{K: 3, Weights: []float64{0.3, 0.5, 0.2}, Means: []float64{-2, 1, 5}, Sigmas: []float64{1, 0.7, 1.5}}
	x, _, err := gen.Sample(n, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := &gmm.Model{K: 3}
	res, err := m.Fit(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, res, x
}

// TestLegendsClearTheData draws each figure with a legend at the command
// line's size and at 4×3 inches: the legend must clear the curves, bars
// and swarms.
func TestLegendsClearTheData(t *testing.T) {
	im, ires, ix := irisFit(t)
	bm, bres, bx := mix3(t, 100000)
	post := irisPosterior(t, im, ix)
	type fig func() (*plot.Plot, *fitLegend)
	must := func(p *plot.Plot, l *fitLegend, err error) (*plot.Plot, *fitLegend) {
		if err != nil {
			t.Fatal(err)
		}
		return p, l
	}
	for _, tc := range []struct {
		name string
		draw fig
	}{
		{"iris density", func() (*plot.Plot, *fitLegend) { return must(density(im, ix, "petal_length", nil)) }},
		{"iris posterior density", func() (*plot.Plot, *fitLegend) {
			b := &band{level: 0.9, method: "gibbs", draws: len(post.Weights), x: bandGrid(post.Mean(), 0.5, 7.5)}
			b.mean, b.lo, b.hi, _ = post.Predictive(b.x, 0.9)
			return must(density(im, ix, "petal_length", b))
		}},
		{"iris clusters", func() (*plot.Plot, *fitLegend) { return clusters(im, split(im, ix), ix, "petal_length") }},
		{"iris loss", func() (*plot.Plot, *fitLegend) { return must(loss(ires)) }},
		{"10^5 density", func() (*plot.Plot, *fitLegend) { return must(density(bm, bx, "x", nil)) }},
		{"10^5 clusters", func() (*plot.Plot, *fitLegend) { return clusters(bm, split(bm, bx), bx, "x") }},
		{"10^5 loss", func() (*plot.Plot, *fitLegend) { return must(loss(bres)) }},
	} {
		for _, size := range []struct{ w, h vg.Length }{{8 * vg.Inch, 5 * vg.Inch}, {4 * vg.Inch, 3 * vg.Inch}} {
			p, l := tc.draw()
			if err := WritePNG(&bytes.Buffer{}, p, size.w, size.h); err != nil {
				t.Fatal(err)
			}
			if l == nil {
				t.Fatalf("%s: no legend", tc.name)
			}
			if !l.fits {
				t.Errorf("%s at %v×%v: the legend covers the data", tc.name, size.w/vg.Inch, size.h/vg.Inch)
			}
		}
	}
}

func TestAbove(t *testing.T) {
	c := plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 2}, {X: 2, Y: 3}, {X: 3, Y: 0.5}, {X: 4, Y: 0}, {X: 5, Y: 2}}
	runs := above(c, 1)
	if len(runs) != 2 || len(runs[0]) != 2 || runs[0][0].X != 1 || len(runs[1]) != 1 || runs[1][0].X != 5 {
		t.Errorf("runs above 1: %v", runs)
	}
}

func TestWrap(t *testing.T) {
	p := plot.New()
	p.Title.TextStyle.Font = sans(14)
	long := "Loss of the fit: −log p(x, w, μ, σ)\nadam on all the data: 20000 steps, NOT converged"
	got := wrap(p.Title.TextStyle, long, 3*vg.Inch)
	for _, line := range strings.Split(got, "\n") {
		if p.Title.TextStyle.Width(line) > 3*vg.Inch {
			t.Errorf("line %q is wider than 3 inches", line)
		}
	}
	if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(long), " ") {
		t.Errorf("wrapping changed the words: %q", got)
	}
	if wrap(p.Title.TextStyle, "short", 3*vg.Inch) != "short" {
		t.Error("a short title was wrapped")
	}
	// WritePNG wraps for its drawing only.
	p.Title.Text = long
	if err := WritePNG(&bytes.Buffer{}, p, 3*vg.Inch, 2*vg.Inch); err != nil || p.Title.Text != long {
		t.Errorf("the title is now %q (%v)", p.Title.Text, err)
	}
}

// TestLossTitle checks that the loss figure says which run it shows.
func TestLossTitle(t *testing.T) {
	_, res, _ := mix3(t, 20000)
	p, err := Loss(res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Title.Text, "adam on all the data") {
		t.Errorf("title %q", p.Title.Text)
	}
}
