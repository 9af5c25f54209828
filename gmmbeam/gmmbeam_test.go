package gmmbeam_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/gmmbeam"
	"github.com/gmm-go/gmm/mv"
)

// The pipelines run on ptest's runner: prism unless -runner says another.
func TestMain(m *testing.M) { ptest.Main(m) }

func runner() string {
	if *ptest.Runner != "" {
		return *ptest.Runner
	}
	return ptest.DefaultRunner()
}

// A warm fit on Beam takes the steps of the same fit in memory: the
// statistics differ only in the order they are summed and merged, so the
// losses agree at every step to rounding (lossTol), and the parameters to
// far better than the 1e-8 the package promises (warmTol) for as long as
// no test on the loss falls the other way. Near the optimum one may: the
// acceptance of an accelerated step and the stopping rule compare changes
// of the loss of the order of its rounding, and the fit in memory itself
// then ends one step earlier or later when its data are merely permuted.
// So the paths are compared over pathSteps steps, before any such test,
// and the converged fits by their loss (lossTol) and by parameters within
// optTol.
const (
	pathSteps = 6
	warmTol   = 1e-8
	// lossTol: a loss of about 2e4 summed over 6000 points in two orders
	// differs by a few 1e-16 relative per term, about 1e-13 in all; 1e-12
	// leaves room.
	lossTol = 1e-12
	// optTol: both fits stop where a step lowers the loss by at most
	// Tol·(|L| + n), that is within about √Tol of the optimum relative to
	// the parameters' spread (1e-5 for gmm's default Tol of 1e-10, 3e-5
	// for mv's 1e-9), and one step apart at most; 1e-4 bounds both.
	optTol = 1e-4
)

// checkPath compares a fit on Beam with the same fit in memory, run for
// pathSteps steps.
func checkPath(t *testing.T, got, want []float64, params ...[2][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("Beam took %d steps, memory %d", len(got), len(want))
	}
	closeSlices(t, "loss path", got, want, lossTol)
	for _, p := range params {
		closeSlices(t, "parameters", p[0], p[1], warmTol)
	}
}

// checkOptimum compares a converged fit on Beam with the same fit in
// memory.
func checkOptimum(t *testing.T, got, want []float64, params ...[2][]float64) {
	t.Helper()
	closeSlices(t, "final loss", got[len(got)-1:], want[len(want)-1:], lossTol)
	for _, p := range params {
		closeSlices(t, "parameters", p[0], p[1], optTol)
	}
}

func relDiff(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(math.Max(math.Abs(a), math.Abs(b)), 1e-300)
}

func closeSlices(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var worst float64
	for i := range got {
		d := relDiff(got[i], want[i])
		if !(d <= tol) {
			t.Errorf("%s[%d] = %v, in memory %v: relative difference %.2g > %.2g", what, i, got[i], want[i], d, tol)
		}
		worst = max(worst, d)
	}
	t.Logf("%s: largest relative difference %.2g", what, worst)
}

// data1 draws n points from a three-component mixture and integer weights
// 0 to 3.
func data1(n int) (x, w []float64) {
	truth := &gmm.Model{K: 3, Weights: []float64{0.5, 0.3, 0.2}, Means: []float64{-4, 0, 5}, Sigmas: []float64{1, 0.7, 1.5}}
	x, _, err := truth.Sample(n, 7)
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(8, 0))
	w = make([]float64, n)
	for i := range w {
		w[i] = float64(r.IntN(4))
	}
	return x, w
}

// start1 is a starting point some steps away from the fit of data1.
func start1() *gmm.Model {
	return &gmm.Model{K: 3, Weights: []float64{0.4, 0.4, 0.2}, Means: []float64{-3, 1, 4}, Sigmas: []float64{1.5, 1, 1}}
}

func blocks(x, w []float64, size, d int) []gmmbeam.Block {
	var out []gmmbeam.Block
	n := len(x) / d
	for i := 0; i < n; i += size {
		j := min(i+size, n)
		b := gmmbeam.Block{X: x[i*d : j*d], D: d}
		if w != nil {
			b.W = w[i:j]
		}
		out = append(out, b)
	}
	return out
}

func TestFitWarmMatchesInMemory(t *testing.T) {
	x, w := data1(6000)
	weighted := make([]gmmbeam.Weighted, len(x))
	for i := range x {
		weighted[i] = gmmbeam.Weighted{X: x[i], W: w[i]}
	}
	var slices [][]float64
	for _, b := range blocks(x, nil, 1000, 1) {
		slices = append(slices, b.X)
	}
	tests := []struct {
		name  string
		w     []float64 // the weights of the fit in memory
		prior bool
		read  func(s beam.Scope) beam.PCollection
	}{
		{"float64", nil, false, func(s beam.Scope) beam.PCollection { return beam.CreateList(s, x) }},
		{"weighted with prior", w, true, func(s beam.Scope) beam.PCollection { return beam.CreateList(s, weighted) }},
		{"slices", nil, false, func(s beam.Scope) beam.PCollection { return beam.CreateList(s, slices) }},
		{"blocks weighted", w, false, func(s beam.Scope) beam.PCollection { return beam.CreateList(s, blocks(x, w, 700, 1)) }},
		{"reshuffled", nil, false, func(s beam.Scope) beam.PCollection { return beam.Reshuffle(s, beam.CreateList(s, x)) }},
	}
	for _, tt := range tests {
		for _, steps := range []int{pathSteps, 0} {
			t.Run(fmt.Sprintf("%s/steps=%d", tt.name, steps), func(t *testing.T) {
				mem, bm := start1(), start1()
				if tt.prior {
					mem.Prior, bm.Prior = gmm.DefaultPrior(x), gmm.DefaultPrior(x)
				}
				want, err := mem.Fit(x, &gmm.Settings{Method: gmm.EM, Warm: true, Weights: tt.w, MaxSteps: steps})
				if err != nil {
					t.Fatal(err)
				}
				got, err := gmmbeam.Fit(context.Background(), bm, tt.read, &gmmbeam.Settings{Runner: runner(), Warm: true, MaxSteps: steps})
				if err != nil {
					t.Fatal(err)
				}
				params := [][2][]float64{{bm.Weights, mem.Weights}, {bm.Means, mem.Means}, {bm.Sigmas, mem.Sigmas}}
				if steps == 0 {
					if !got.Converged || !want.Converged {
						t.Errorf("converged: Beam %v, memory %v", got.Converged, want.Converged)
					}
					checkOptimum(t, got.Loss, want.Loss, params...)
				} else {
					checkPath(t, got.Loss, want.Loss, params...)
				}
			})
		}
	}
}

// data2 draws n rows of a two-dimensional mixture of three components.
func data2(n int) (x *mat.Dense, w []float64) {
	r := rand.New(rand.NewPCG(9, 0))
	means := [][]float64{{-3, 0}, {2, 2}, {3, -3}}
	x = mat.NewDense(n, 2, nil)
	w = make([]float64, n)
	for i := range n {
		k := r.IntN(3)
		x.Set(i, 0, means[k][0]+r.NormFloat64())
		x.Set(i, 1, means[k][1]+0.5*r.NormFloat64()+0.3*x.At(i, 0))
		w[i] = float64(r.IntN(4))
	}
	return x, w
}

func start2(cov mv.Covariance) *mv.Model {
	m := &mv.Model{K: 3, Covariance: cov, Weights: []float64{0.3, 0.4, 0.3}}
	m.Means = mat.NewDense(3, 2, []float64{-2, 0.5, 1.5, 1.5, 2.5, -2})
	for range 3 {
		m.Covariances = append(m.Covariances, mat.NewSymDense(2, []float64{1.5, 0, 0, 1.5}))
	}
	return m
}

func TestFitMVWarmMatchesInMemory(t *testing.T) {
	x, w := data2(3000)
	n, _ := x.Dims()
	rows := make([][]float64, n)
	weighted := make([]gmmbeam.WeightedRow, n)
	for i := range rows {
		rows[i] = mat.Row(nil, i, x)
		weighted[i] = gmmbeam.WeightedRow{X: rows[i], W: w[i]}
	}
	tests := []struct {
		name string
		cov  mv.Covariance
		w    []float64
		read func(s beam.Scope) beam.PCollection
	}{
		{"rows VVV", mv.VVV, nil, func(s beam.Scope) beam.PCollection { return beam.CreateList(s, rows) }},
		{"weighted rows EEE", mv.EEE, w, func(s beam.Scope) beam.PCollection { return beam.CreateList(s, weighted) }},
		{"blocks VVI", mv.VVI, w, func(s beam.Scope) beam.PCollection {
			return beam.CreateList(s, blocks(x.RawMatrix().Data, w, 500, 2))
		}},
		// Reshuffled, the rows reach the combine in several bundles, whose
		// statistics are merged.
		{"reshuffled rows VEV", mv.VEV, nil, func(s beam.Scope) beam.PCollection {
			return beam.Reshuffle(s, beam.CreateList(s, rows))
		}},
	}
	for _, tt := range tests {
		for _, steps := range []int{pathSteps, 0} {
			t.Run(fmt.Sprintf("%s/steps=%d", tt.name, steps), func(t *testing.T) {
				mem, bm := start2(tt.cov), start2(tt.cov)
				want, err := mem.Fit(x, &mv.Settings{Warm: true, Weights: tt.w, MaxSteps: steps})
				if err != nil {
					t.Fatal(err)
				}
				got, err := gmmbeam.FitMV(context.Background(), bm, tt.read, &gmmbeam.Settings{Runner: runner(), Warm: true, MaxSteps: steps})
				if err != nil {
					t.Fatal(err)
				}
				params := [][2][]float64{{bm.Weights, mem.Weights}, {bm.Means.RawMatrix().Data, mem.Means.RawMatrix().Data}}
				for k := range bm.Covariances {
					params = append(params, [2][]float64{bm.Covariances[k].RawSymmetric().Data, mem.Covariances[k].RawSymmetric().Data})
				}
				if steps == 0 {
					if !got.Converged || !want.Converged {
						t.Errorf("converged: Beam %v, memory %v", got.Converged, want.Converged)
					}
					checkOptimum(t, got.Loss, want.Loss, params...)
				} else {
					checkPath(t, got.Loss, want.Loss, params...)
				}
			})
		}
	}
}

// Without Warm, the fit starts from a fit on a sample and ends at the
// optimum that the fit in memory finds.
func TestFitFromSample(t *testing.T) {
	x, _ := data1(6000)
	mem := &gmm.Model{K: 3}
	if _, err := mem.Fit(x, &gmm.Settings{Method: gmm.EM, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	bm := &gmm.Model{K: 3}
	res, err := gmmbeam.Fit(context.Background(), bm, func(s beam.Scope) beam.PCollection { return beam.CreateList(s, x) },
		&gmmbeam.Settings{Runner: runner(), Seed: 1, SampleSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Errorf("not converged after %d steps", res.Steps)
	}
	// Both runs converge to the same maximum: see optTol.
	const tol = optTol
	closeSlices(t, "weights", bm.Weights, mem.Weights, tol)
	closeSlices(t, "means", bm.Means, mem.Means, tol)
	closeSlices(t, "sigmas", bm.Sigmas, mem.Sigmas, tol)
}

func TestFitMVFromSample(t *testing.T) {
	x, _ := data2(3000)
	n, _ := x.Dims()
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = mat.Row(nil, i, x)
	}
	mem := &mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := mem.Fit(x, &mv.Settings{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	bm := &mv.Model{K: 3, Covariance: mv.VVV}
	res, err := gmmbeam.FitMV(context.Background(), bm, func(s beam.Scope) beam.PCollection { return beam.CreateList(s, rows) },
		&gmmbeam.Settings{Runner: runner(), Seed: 1, SampleSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Errorf("not converged after %d steps", res.Steps)
	}
	const tol = optTol // as in TestFitFromSample
	closeSlices(t, "weights", bm.Weights, mem.Weights, tol)
	closeSlices(t, "means", bm.Means.RawMatrix().Data, mem.Means.RawMatrix().Data, tol)
}

func TestFitFixedMeans(t *testing.T) {
	x, _ := data1(3000)
	bm := start1()
	means := append([]float64(nil), bm.Means...)
	mem := start1()
	fixed := gmm.Fixed{Means: true}
	want, err := mem.Fit(x, &gmm.Settings{Method: gmm.EM, Warm: true, Fixed: fixed, MaxSteps: pathSteps})
	if err != nil {
		t.Fatal(err)
	}
	got, err := gmmbeam.Fit(context.Background(), bm, func(s beam.Scope) beam.PCollection { return beam.CreateList(s, x) },
		&gmmbeam.Settings{Runner: runner(), Warm: true, Fixed: fixed, MaxSteps: pathSteps})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(bm.Means, means) {
		t.Errorf("fixed means changed: %v, were %v", bm.Means, means)
	}
	checkPath(t, got.Loss, want.Loss, [2][]float64{bm.Weights, mem.Weights}, [2][]float64{bm.Sigmas, mem.Sigmas})
}

func TestFitErrors(t *testing.T) {
	x, _ := data1(100)
	ctx := context.Background()
	read := func(s beam.Scope) beam.PCollection { return beam.CreateList(s, x) }
	nan := append([]float64{math.NaN()}, x...)
	tests := []struct {
		name string
		m    *gmm.Model
		read func(s beam.Scope) beam.PCollection
		s    *gmmbeam.Settings
		want string
	}{
		{"nil model", nil, read, nil, "model is nil"},
		{"nil read", start1(), nil, nil, "read is nil"},
		{"negative sample", start1(), read, &gmmbeam.Settings{SampleSize: -1}, "SampleSize"},
		{"element type", start1(), func(s beam.Scope) beam.PCollection { return beam.CreateList(s, []string{"1"}) },
			&gmmbeam.Settings{Warm: true}, "type string"},
		{"warm unfitted", &gmm.Model{K: 2}, read, &gmmbeam.Settings{Warm: true}, "fit it first"},
		{"not finite", start1(), func(s beam.Scope) beam.PCollection { return beam.CreateList(s, nan) },
			&gmmbeam.Settings{Warm: true}, "finite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before *gmm.Model
			if tt.m != nil {
				c := *tt.m
				c.Means = append([]float64(nil), tt.m.Means...)
				before = &c
			}
			if tt.s != nil {
				tt.s.Runner = runner()
			}
			_, err := gmmbeam.Fit(ctx, tt.m, tt.read, tt.s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if tt.m != nil && !reflect.DeepEqual(tt.m.Means, before.Means) {
				t.Errorf("the model's means changed to %v", tt.m.Means)
			}
		})
	}
}
