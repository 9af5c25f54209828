package plot

import (
	"bytes"
	"image/png"
	"math"
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
