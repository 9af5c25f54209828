package gmm

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/iris"
)

// threeComp is the mixture of the size benchmarks.
var threeComp = Model{K: 3, Weights: []float64{0.3, 0.5, 0.2}, Means: []float64{-2, 1, 5}, Sigmas: []float64{1, 0.7, 1.5}}

func TestStepAllocs(t *testing.T) {
	big, _, err := threeComp.Sample(5*kernel.ChunkSize, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		x      []float64
		prior  Prior
		method Method
	}{
		{"EM iris notebook prior", iris.PetalLength(), NotebookPrior(), EM},
		{"Adam iris notebook prior", iris.PetalLength(), NotebookPrior(), Adam},
		{"EM 5 chunks no prior", big, Prior{}, EM},
		{"Adam 5 chunks no prior", big, Prior{}, Adam},
	} {
		c, sd := medianSpread(slices.Sorted(slices.Values(tt.x)))
		obj := objective{prior: tt.prior.standardised(c, sd), c: c, scale: sd}
		if tt.prior.IsZero() {
			obj.floor = defaultSigmaFloor
		}
		p := kernel.NewParams(3)
		p.Set([]float64{0.3, 0.4, 0.3}, []float64{-1, 0, 1}, []float64{0.5, 0.5, 0.5})
		theta := make([]float64, 9)
		toTheta(p, theta)
		q := newProblem(kernel.NewEngine(tt.x, c, 1/sd, 3), &obj, 3, float64(len(tt.x)))
		ctx := context.Background()
		var opt engine.Stepper
		if tt.method == EM {
			opt = engine.NewEMStepper(ctx, q, theta, 1e-300)
		} else {
			opt = engine.NewAdamStepper(ctx, q, theta, 1e-300, defaultLR)
		}
		if a := testing.AllocsPerRun(50, func() { opt.Step() }); a != 0 {
			t.Errorf("%s: %v allocations per step, want 0", tt.name, a)
		}
	}
}

// TestFitSameAtAnyGOMAXPROCS fits data large enough for every stage, and
// iris, at several GOMAXPROCS and checks that the results agree bit for
// bit.
func TestFitSameAtAnyGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	// EM gets three stages, on 8192 points, about 131072 and then all;
	// Adam, slower, two.
	n := 64 * screenSize
	if testing.Short() {
		n = 5 * screenSize
	}
	big, _, err := threeComp.Sample(n, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		x      []float64
		m      Model
		method Method
	}{
		{"EM three components", big, Model{K: 3}, EM},
		{"Adam three components", big[:5*screenSize], Model{K: 3}, Adam},
		{"EM iris", iris.PetalLength(), Model{K: 2, Prior: NotebookPrior()}, EM},
	} {
		var first *Model
		var firstLoss []float64
		for _, procs := range []int{1, 2, 7} {
			runtime.GOMAXPROCS(procs)
			m := tt.m
			res, err := m.Fit(tt.x, &Settings{Method: tt.method, Seed: 3})
			if err != nil {
				t.Fatalf("%s, GOMAXPROCS=%d: %v", tt.name, procs, err)
			}
			if first == nil {
				first, firstLoss = &m, res.Loss
				continue
			}
			if !sameFloats(m.Weights, first.Weights) || !sameFloats(m.Means, first.Means) ||
				!sameFloats(m.Sigmas, first.Sigmas) || !sameFloats(res.Loss, firstLoss) {
				t.Errorf("%s: GOMAXPROCS=%d gives %v %v %v, GOMAXPROCS=1 gives %v %v %v", tt.name, procs,
					m.Weights, m.Means, m.Sigmas, first.Weights, first.Means, first.Sigmas)
			}
		}
	}
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestStagedEMLossNeverRises runs EM through every stage, on data drawn
// from threeComp and from an overlapping mixture on which plain ECM is
// slow, and checks the losses the final run records.
func TestStagedEMLossNeverRises(t *testing.T) {
	overlap := Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 1.5}, Sigmas: []float64{1, 1}}
	for _, tt := range []struct {
		name  string
		src   Model
		K     int
		prior func(x []float64) Prior
	}{
		{"three components, no prior", threeComp, 3, func([]float64) Prior { return Prior{} }},
		{"three components, default prior", threeComp, 3, DefaultPrior},
		{"overlapping, no prior", overlap, 2, func([]float64) Prior { return Prior{} }},
	} {
		// Enough points for three stages: 8192, about 131072, then all.
		n := 64 * screenSize
		if testing.Short() {
			n = 5 * screenSize
		}
		x, _, err := tt.src.Sample(n, 4)
		if err != nil {
			t.Fatal(err)
		}
		m := &Model{K: tt.K, Prior: tt.prior(x)}
		res, err := m.Fit(x, &Settings{Method: EM})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !res.Converged {
			t.Errorf("%s: did not converge in %d steps", tt.name, res.Steps)
		}
		for i := 1; i < len(res.Loss); i++ {
			if res.Loss[i] > res.Loss[i-1] {
				t.Errorf("%s: loss rose from %v to %v at step %d", tt.name, res.Loss[i-1], res.Loss[i], i)
			}
		}
	}
}

func TestBernoulli(t *testing.T) {
	x := make([]float64, 1000000)
	for i := range x {
		x[i] = float64(i)
	}
	for _, m := range []int{1000, 131072, 500000} {
		u, _ := bernoulli(x, nil, 0, 1, m, nil, rand.New(rand.NewPCG(7, 8)))
		v, _ := bernoulli(x, nil, 0, 1, m, nil, rand.New(rand.NewPCG(7, 8)))
		if !sameFloats(u, v) {
			t.Errorf("m=%d: two draws with one seed differ", m)
		}
		// The size is Binomial(n, m/n), with standard deviation below
		// sqrt(m); 6 of them is far beyond any seed's luck.
		if d := math.Abs(float64(len(u) - m)); d > 6*math.Sqrt(float64(m)) {
			t.Errorf("m=%d: kept %d points", m, len(u))
		}
		for i := 1; i < len(u); i++ {
			if !(u[i] > u[i-1]) {
				t.Fatalf("m=%d: points out of order or repeated at %d", m, i)
			}
		}
		// Kept points are spread evenly: their mean index is n/2 to
		// within 6 standard errors of a uniform draw, n/sqrt(12·m).
		var s float64
		for _, v := range u {
			s += v
		}
		if d := math.Abs(s/float64(len(u)) - 5e5); d > 6*1e6/math.Sqrt(12*float64(m)) {
			t.Errorf("m=%d: mean index %v", m, s/float64(len(u)))
		}
	}
}
