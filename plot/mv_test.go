package plot

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// irisMV fits VEV with two components to iris's four columns, mclust's
// choice for them.
func irisMV(t testing.TB) (*mv.Model, *mat.Dense) {
	t.Helper()
	x := mat.NewDense(150, 4, iris.Measurements())
	m := &mv.Model{K: 2, Covariance: mv.VEV}
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	return m, x
}

func TestMVFiguresDraw(t *testing.T) {
	m4, x4 := irisMV(t)
	x2 := mat.DenseCopyOf(x4.Slice(0, 150, 2, 4))
	m2 := &mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := m2.Fit(x2, nil); err != nil {
		t.Fatal(err)
	}
	sel, err := mv.Select(x2, &mv.SelectSettings{Ks: []int{1, 2, 3}, Covariances: []mv.Covariance{mv.EII, mv.VVV}})
	if err != nil {
		t.Fatal(err)
	}
	sel1, err := gmm.Select(iris.PetalLength(), &gmm.SelectSettings{Ks: []int{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"petal_length", "petal_width"}
	for _, tc := range []struct {
		name  string
		draw  func() (*plot.Plot, error)
		title string // part of the title
	}{
		{"classification d=4", func() (*plot.Plot, error) { return Classification(m4, x4, nil) }, "Classification"},
		{"classification d=2", func() (*plot.Plot, error) { return Classification(m2, x2, names) }, "Classification"},
		{"uncertainty d=4", func() (*plot.Plot, error) { return Uncertainty(m4, x4, nil) }, "Uncertainty"},
		{"uncertainty d=2", func() (*plot.Plot, error) { return Uncertainty(m2, x2, names) }, "Uncertainty"},
		{"contours d=4", func() (*plot.Plot, error) { return Contours(m4, x4, nil) }, "marginals in each pair of columns: VEV, K = 2"},
		{"contours d=2", func() (*plot.Plot, error) { return Contours(m2, x2, names) }, "Contours of the fitted density: VVV, K = 3"},
		{"selection mv", func() (*plot.Plot, error) { return SelectionMV(sel, mv.BIC) }, "Choosing the model by BIC"},
		{"selection", func() (*plot.Plot, error) { return Selection(sel1) }, "the best is V with K = 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.draw()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(p.Title.Text, tc.title) {
				t.Errorf("title %q lacks %q", p.Title.Text, tc.title)
			}
			// At the command's size and at 4×3 inches.
			for _, size := range [][2]vg.Length{{8 * vg.Inch, 8 * vg.Inch}, {4 * vg.Inch, 3 * vg.Inch}} {
				var buf bytes.Buffer
				if err := WritePNG(&buf, p, size[0], size[1]); err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(&buf)
				if err != nil {
					t.Fatal(err)
				}
				if w := img.Bounds().Dx(); w != int(size[0]/vg.Inch*dpi) {
					t.Errorf("%d pixels wide at %v", w, size[0])
				}
			}
		})
	}
}

func TestMVFiguresReject(t *testing.T) {
	m, x := irisMV(t)
	nan := mat.DenseCopyOf(x)
	nan.Set(7, 1, math.NaN())
	one := mat.DenseCopyOf(x.Slice(0, 150, 0, 1))
	m1 := &mv.Model{K: 1, Covariance: mv.VVV}
	if _, err := m1.Fit(one, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		m    *mv.Model
		x    mat.Matrix
		cols []string
		want string
	}{
		{"nil model", nil, x, nil, "the model is nil"},
		{"unfitted", &mv.Model{K: 2}, x, nil, "fit it first"},
		{"no data", m, nil, nil, "no data"},
		{"NaN", m, nan, nil, "row 7, column 1 is NaN"},
		{"other columns", m, x.Slice(0, 150, 0, 3), nil, "the data have 3 columns and the model 4"},
		{"one column", m1, one, nil, "need two columns at least"},
		{"names", m, x, []string{"a"}, "1 names for 4 columns"},
	} {
		for fig, f := range map[string]func(*mv.Model, mat.Matrix, []string) (*plot.Plot, error){
			"Classification": Classification, "Uncertainty": Uncertainty, "Contours": Contours,
		} {
			if _, err := f(tc.m, tc.x, tc.cols); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s, %s: error %v, want %q", fig, tc.name, err, tc.want)
			}
		}
	}
	if _, err := Selection(nil); err == nil || !strings.Contains(err.Error(), "gmm.Select") {
		t.Errorf("Selection(nil): %v", err)
	}
	if _, err := SelectionMV(nil, mv.BIC); err == nil || !strings.Contains(err.Error(), "mv.Select") {
		t.Errorf("SelectionMV(nil): %v", err)
	}
	failed := &mv.Selection{Candidates: []mv.Candidate{{K: 1, Covariance: mv.VVV, BIC: math.NaN(), Err: errTest}}}
	if _, err := SelectionMV(failed, mv.BIC); err == nil || !strings.Contains(err.Error(), "no candidate") {
		t.Errorf("SelectionMV of failures only: %v", err)
	}
}

var errTest = &testError{}

type testError struct{}

func (*testError) Error() string { return "failed" }

// TestEllipse checks the 95% ellipse against its definition: every point
// of it is at squared Mahalanobis distance 5.991 from the mean in the two
// columns drawn.
func TestEllipse(t *testing.T) {
	m, _ := irisMV(t)
	for k := range m.K {
		for _, ab := range [][2]int{{0, 1}, {2, 3}, {3, 0}} {
			a, b := ab[0], ab[1]
			c := m.Covariances[k]
			s := mat.NewSymDense(2, []float64{c.At(a, a), c.At(a, b), c.At(b, a), c.At(b, b)})
			var inv mat.Dense
			if err := inv.Inverse(s); err != nil {
				t.Fatal(err)
			}
			for _, p := range ellipse(m, k, a, b).XYs {
				v := mat.NewVecDense(2, []float64{p.X - m.Means.At(k, a), p.Y - m.Means.At(k, b)})
				// A closed form evaluated in floating point: 1e-9.
				if q := mat.Inner(v, &inv, v); math.Abs(q-chi2Level95) > 1e-9 {
					t.Fatalf("component %d, columns %d, %d: a point at distance² %v, want %v", k, a, b, q, chi2Level95)
				}
			}
		}
	}
}

// TestMarginal checks the bivariate marginal density against gonum's
// normal density of the components restricted to the two columns.
func TestMarginal(t *testing.T) {
	m, _ := irisMV(t)
	md := marginal(m, 1, 3)
	for _, p := range [][2]float64{{3, 0.2}, {2.8, 1.5}, {4, 2.5}} {
		var want float64
		for k := range m.K {
			c := m.Covariances[k]
			s := mat.NewSymDense(2, []float64{c.At(1, 1), c.At(1, 3), c.At(3, 1), c.At(3, 3)})
			var chol mat.Cholesky
			if !chol.Factorize(s) {
				t.Fatal("not positive definite")
			}
			dx := mat.NewVecDense(2, []float64{p[0] - m.Means.At(k, 1), p[1] - m.Means.At(k, 3)})
			var sol mat.VecDense
			if err := chol.SolveVecTo(&sol, dx); err != nil {
				t.Fatal(err)
			}
			q := mat.Dot(dx, &sol)
			want += m.Weights[k] * math.Exp(-0.5*q) / (2 * math.Pi * math.Sqrt(chol.Det()))
		}
		// Two closed forms of the same density: 1e-12 relative.
		if got := md.at(p[0], p[1]); math.Abs(got-want) > 1e-12*want {
			t.Errorf("density at %v: %v, want %v", p, got, want)
		}
	}
}

// readFaithful reads Old Faithful's eruptions and waiting times from the
// command's test data.
func readFaithful(t *testing.T) *mat.Dense {
	t.Helper()
	b, err := os.ReadFile("../cmd/gmm/testdata/faithful.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
	x := mat.NewDense(len(lines), 2, nil)
	for i, l := range lines {
		for j, s := range strings.Split(strings.TrimSpace(l), ",") {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			x.Set(i, j, v)
		}
	}
	return x
}

// TestContoursClose checks that every line Contours draws is closed: the
// lines are traced on a grid of the density, and a line at level ℓ can end
// only where it meets the grid's edge, which it does exactly when a node on
// the edge has density at least ℓ. So every node on the edge must be below
// every level drawn, and the grid must span the panel's axes, so that no
// line runs off the panel either. Old Faithful's EEE with K = 3 is the
// command's figure, whose outermost line ran off the bottom left before
// the axes took in the lines.
func TestContoursClose(t *testing.T) {
	faithful := readFaithful(t)
	m3 := &mv.Model{K: 3, Covariance: mv.EEE}
	if _, err := m3.Fit(faithful, nil); err != nil {
		t.Fatal(err)
	}
	m4, x4 := irisMV(t)
	x2 := mat.DenseCopyOf(x4.Slice(0, 150, 2, 4))
	m2 := &mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := m2.Fit(x2, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		m    *mv.Model
		x    *mat.Dense
	}{
		{"faithful EEE K=3", m3, faithful},
		{"iris petals VVV K=3", m2, x2},
		{"iris d=4 VEV K=2", m4, x4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := newFigure(tc.m, tc.x, nil)
			if err != nil {
				t.Fatal(err)
			}
			cs := f.contourPanels([]float64{0.05, 0.25, 0.5, 0.75})
			_, d := tc.x.Dims()
			if len(cs) != d*(d-1)/2 {
				t.Fatalf("%d panels for %d columns", len(cs), d)
			}
			for ab, cp := range cs {
				a, b := ab[0], ab[1]
				g := cp.grid
				nc, nr := g.Dims()
				if g.X(0) != f.lo[a] || g.X(nc-1) != f.hi[a] || g.Y(0) != f.lo[b] || g.Y(nr-1) != f.hi[b] {
					t.Errorf("columns %d, %d: grid [%g, %g] × [%g, %g], axes [%g, %g] × [%g, %g]",
						a, b, g.X(0), g.X(nc-1), g.Y(0), g.Y(nr-1), f.lo[a], f.hi[a], f.lo[b], f.hi[b])
				}
				edge := 0.0
				for c := range nc {
					edge = max(edge, g.Z(c, 0), g.Z(c, nr-1))
				}
				for r := range nr {
					edge = max(edge, g.Z(0, r), g.Z(nc-1, r))
				}
				drawn := 0
				for _, level := range cp.levels {
					if !(level > 0) {
						continue
					}
					drawn++
					if edge >= level {
						t.Errorf("columns %d, %d: the line at density %.4g is open, the grid's edge reaches %.4g", a, b, level, edge)
					}
				}
				if drawn != len(cp.levels) {
					t.Errorf("columns %d, %d: %d of %d lines drawn", a, b, drawn, len(cp.levels))
				}
			}
		})
	}
}
