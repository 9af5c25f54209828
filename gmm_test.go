package gmm_test

import (
	"bufio"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

var methods = []gmm.Method{gmm.Adam, gmm.EM}

// TestFitIrisMAPEverySeed checks every seed from 0 to 19 against the MAP of
// the notebook's model on the iris petal lengths in testdata/iris_map.txt,
// found by SciPy's BFGS from 200 random starts (testdata/iris_map.py, which
// says how to regenerate it); it matches what the notebook printed to 4
// decimals.
func TestFitIrisMAPEverySeed(t *testing.T) {
	x := iris.PetalLength()
	mapWeights, mapMeans, mapSigmas, mapLoss := readReference(t, "testdata/iris_map.txt")
	for _, method := range methods {
		for seed := range uint64(20) {
			m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
			res, err := m.Fit(x, &gmm.Settings{Method: method, Seed: seed})
			if err != nil {
				t.Fatalf("%v seed %d: %v", method, seed, err)
			}
			if !res.Converged {
				t.Errorf("%v seed %d: did not converge in %d steps", method, seed, res.Steps)
			}
			// 1e-3 is the required accuracy; the reference's gradient norm
			// of 4e-6 puts its own error far below it.
			checkParams(t, method.String(), m, mapWeights, mapMeans, mapSigmas, 1e-3)
			// 1e-2 is the required accuracy of the loss; the reference
			// carries 10 decimals.
			if l := res.Loss[len(res.Loss)-1]; math.Abs(l-mapLoss) > 1e-2 {
				t.Errorf("%v seed %d: final loss %v, want %v", method, seed, l, mapLoss)
			}
			lj, err := m.LogJoint(x)
			if err != nil {
				t.Fatal(err)
			}
			// The loss Fit reports is computed on standardised data and
			// carried back; LogJoint computes it directly on x. They are the
			// same sum of 150 terms in another order: 1e-9 relative is
			// far above its rounding error (about 150·2.2e-16).
			if l := res.Loss[len(res.Loss)-1]; math.Abs(l+lj) > 1e-9*math.Abs(l) {
				t.Errorf("%v seed %d: final loss %v but LogJoint %v", method, seed, l, lj)
			}
		}
	}
}

// checkParams compares m's parameters with the wanted ones, component by
// component, within tol.
func checkParams(t *testing.T, label string, m *gmm.Model, w, mu, sigma []float64, tol float64) {
	t.Helper()
	for k := range w {
		if d := math.Abs(m.Weights[k] - w[k]); !(d <= tol) {
			t.Errorf("%s: weight %d = %.6f, want %.6f", label, k, m.Weights[k], w[k])
		}
		if d := math.Abs(m.Means[k] - mu[k]); !(d <= tol) {
			t.Errorf("%s: mean %d = %.6f, want %.6f", label, k, m.Means[k], mu[k])
		}
		if d := math.Abs(m.Sigmas[k] - sigma[k]); !(d <= tol) {
			t.Errorf("%s: sigma %d = %.6f, want %.6f", label, k, m.Sigmas[k], sigma[k])
		}
	}
}

func TestAssignIrisSeparatesSetosa(t *testing.T) {
	x := iris.PetalLength()
	species := iris.Species()
	for _, method := range methods {
		m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
		if _, err := m.Fit(x, &gmm.Settings{Method: method}); err != nil {
			t.Fatal(err)
		}
		z := m.Assign(x)
		for i, s := range species {
			want := 1
			if s == "setosa" {
				want = 0
			}
			if z[i] != want {
				t.Errorf("%v: flower %d (%s, petal length %v) is in cluster %d, want %d", method, i, s, x[i], z[i], want)
			}
		}
	}
}

// readReference reads a reference fit from testdata: after comment lines
// starting with #, one line "weight mean sigma" per component and a last
// line with the fit's log-likelihood or loss. The files are written by the
// scripts of the same name, sklearn_iris.py and iris_map.py.
func readReference(t *testing.T, path string) (w, mu, sigma []float64, last float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var row []float64
		for _, field := range strings.Fields(line) {
			v, err := strconv.ParseFloat(field, 64)
			if err != nil {
				t.Fatal(err)
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	for _, r := range rows[:len(rows)-1] {
		w, mu, sigma = append(w, r[0]), append(mu, r[1]), append(sigma, r[2])
	}
	return w, mu, sigma, rows[len(rows)-1][0]
}

func TestFitZeroPriorMatchesScikitLearn(t *testing.T) {
	x := iris.PetalLength()
	w, mu, sigma, loglik := readReference(t, "testdata/sklearn_iris.txt")
	for _, method := range methods {
		m := &gmm.Model{K: 2}
		if _, err := m.Fit(x, &gmm.Settings{Method: method}); err != nil {
			t.Fatal(err)
		}
		// scikit-learn's figures at its defaults, rounded to 4 decimals:
		// within one unit in the last place, since its mean 1.4618 is
		// 1.46175017 rounded (its reg_covar of 1e-6 shifts it from our
		// 1.4617498).
		checkParams(t, method.String()+" (rounded figures)", m,
			[]float64{0.3331, 0.6669}, []float64{1.4618, 4.9050}, []float64{0.1717, 0.8232}, 1e-4)
		// scikit-learn run to tol 1e-14 with no regularisation. Both
		// stop within about 1e-10 of the optimum's loss; with a curvature
		// of order n/σ² ≈ 150/0.03 that leaves about 1e-6 in the parameters.
		checkParams(t, method.String()+" (scikit-learn)", m, w, mu, sigma, 1e-5)
		ll, err := m.LogLikelihood(x)
		if err != nil {
			t.Fatal(err)
		}
		// Both are converged to within about 1e-8 of the optimum.
		if math.Abs(ll-loglik) > 1e-6 {
			t.Errorf("%v: log-likelihood %.10f, scikit-learn %.10f", method, ll, loglik)
		}
	}
}

// mixtures are known mixtures to sample from, well enough separated that
// each component can be recovered.
var mixtures = []struct {
	name string
	m    gmm.Model
}{
	{"K=1", gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{3}, Sigmas: []float64{2}}},
	{"K=2", gmm.Model{K: 2, Weights: []float64{0.3, 0.7}, Means: []float64{-1, 4}, Sigmas: []float64{0.5, 1.5}}},
	{"K=3", gmm.Model{K: 3, Weights: []float64{0.3, 0.5, 0.2}, Means: []float64{-2, 1, 5}, Sigmas: []float64{1, 0.7, 1.5}}},
	{"K=4", gmm.Model{K: 4, Weights: []float64{0.25, 0.25, 0.3, 0.2}, Means: []float64{-10, 0, 8, 20}, Sigmas: []float64{1, 2, 1, 3}}},
}

func TestFitRecoversKnownMixtures(t *testing.T) {
	const n = 4000
	for _, tt := range mixtures {
		for _, method := range methods {
			x, _, err := tt.m.Sample(n, 11)
			if err != nil {
				t.Fatal(err)
			}
			for _, prior := range []gmm.Prior{{}, gmm.DefaultPrior(x)} {
				label := tt.name + " " + method.String()
				m := &gmm.Model{K: tt.m.K, Prior: prior}
				res, err := m.Fit(x, &gmm.Settings{Method: method})
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				if !res.Converged {
					t.Errorf("%s: did not converge", label)
				}
				for k := range tt.m.K {
					// Five standard errors of each estimate from n points:
					// sqrt(w(1−w)/n) for a weight, σ/sqrt(nw) for a mean and
					// σ/sqrt(2nw) for a standard deviation.
					nk := n * tt.m.Weights[k]
					w, mu, s := tt.m.Weights[k], tt.m.Means[k], tt.m.Sigmas[k]
					if d := math.Abs(m.Weights[k] - w); d > 5*math.Sqrt(w*(1-w)/n)+1e-12 {
						t.Errorf("%s: weight %d = %.4f, true %.4f", label, k, m.Weights[k], w)
					}
					if d := math.Abs(m.Means[k] - mu); d > 5*s/math.Sqrt(nk) {
						t.Errorf("%s: mean %d = %.4f, true %.4f", label, k, m.Means[k], mu)
					}
					if d := math.Abs(m.Sigmas[k] - s); d > 5*s/math.Sqrt(2*nk) {
						t.Errorf("%s: sigma %d = %.4f, true %.4f", label, k, m.Sigmas[k], s)
					}
				}
			}
		}
	}
}

func TestEMLossNeverIncreases(t *testing.T) {
	x := iris.PetalLength()
	sampled, _, _ := mixtures[2].m.Sample(2000, 3)
	conj := gmm.NotebookPrior()
	conj.OnVariance = true
	data := []struct {
		name string
		x    []float64
		k    int
	}{
		{"iris", x, 2},
		{"iris K=3", x, 3},
		{"sampled K=3", sampled, 3},
	}
	priors := []struct {
		name string
		p    func([]float64) gmm.Prior
	}{
		{"notebook", func([]float64) gmm.Prior { return gmm.NotebookPrior() }},
		{"notebook on the variance", func([]float64) gmm.Prior { return conj }},
		{"default", gmm.DefaultPrior},
		{"none", func([]float64) gmm.Prior { return gmm.Prior{} }},
	}
	for _, d := range data {
		for _, p := range priors {
			for seed := range uint64(3) {
				m := &gmm.Model{K: d.k, Prior: p.p(d.x)}
				// Tol 1e-14 runs EM well into the region where the loss
				// changes by rounding error only.
				res, err := m.Fit(d.x, &gmm.Settings{Method: gmm.EM, Seed: seed, Restarts: 1, Tol: 1e-14})
				if err != nil {
					t.Fatal(err)
				}
				for i := 1; i < len(res.Loss); i++ {
					// The loss is a sum of n terms; its rounding error is
					// about n·2.2e-16 times its size, below 1e-12 relative.
					if res.Loss[i] > res.Loss[i-1]+1e-12*math.Abs(res.Loss[i-1]) {
						t.Errorf("%s, %s prior, seed %d: loss rose from %.15g to %.15g at iteration %d",
							d.name, p.name, seed, res.Loss[i-1], res.Loss[i], i)
					}
				}
			}
		}
	}
}

func TestEMAndAdamAgree(t *testing.T) {
	x := iris.PetalLength()
	sampled2, _, _ := mixtures[1].m.Sample(1000, 5)
	sampled3, _, _ := mixtures[2].m.Sample(1000, 6)
	conj := gmm.NotebookPrior()
	conj.OnVariance = true
	tests := []struct {
		name  string
		x     []float64
		k     int
		prior gmm.Prior
	}{
		{"iris notebook prior", x, 2, gmm.NotebookPrior()},
		{"iris notebook prior on the variance", x, 2, conj},
		{"iris default prior", x, 2, gmm.DefaultPrior(x)},
		{"iris no prior", x, 2, gmm.Prior{}},
		{"iris K=3 notebook prior", x, 3, gmm.NotebookPrior()},
		{"sampled K=2 no prior", sampled2, 2, gmm.Prior{}},
		{"sampled K=3 default prior", sampled3, 3, gmm.DefaultPrior(sampled3)},
	}
	for _, tt := range tests {
		var fits [2]*gmm.Model
		var lj [2]float64
		for i, method := range methods {
			m := &gmm.Model{K: tt.k, Prior: tt.prior}
			res, err := m.Fit(tt.x, &gmm.Settings{Method: method, Tol: 1e-13})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Converged {
				t.Errorf("%s: %v did not converge", tt.name, method)
			}
			fits[i] = m
			lj[i], _ = m.LogJoint(tt.x)
		}
		// The required agreement of the log joints: 1e-6 relative.
		if d := math.Abs(lj[0]-lj[1]) / math.Abs(lj[1]); d > 1e-6 {
			t.Errorf("%s: log joints differ: Adam %.10g, EM %.10g", tt.name, lj[0], lj[1])
		}
		// At Tol 1e-13 each stops within about 1e-13·(|L| + n) ≈ 4e-11 of
		// the optimum's loss, so within sqrt(2·4e-11/λ) of the optimum, where
		// λ is the loss's smallest curvature. The flattest case is iris with
		// K=3, where λ ≈ 0.35 (the Hessian by finite differences), giving
		// 1.5e-5 each; 1e-4 leaves a margin for the two together.
		checkParams(t, tt.name+": Adam against EM", fits[0], fits[1].Weights, fits[1].Means, fits[1].Sigmas, 1e-4)
	}
}

// spikeData returns n points, about 90% of them exactly 5 and the rest
// uniform on [0, 10), from seed.
func spikeData(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 0))
	x := make([]float64, n)
	for i := range x {
		x[i] = 5
		if r.Float64() >= 0.9 {
			x[i] = 10 * r.Float64()
		}
	}
	return x
}

// Under DefaultPrior, K = 2 on many equal values has its optimum at a spike
// on them, whose σ falls by orders of magnitude within the last stage of
// the refinement. Adam, the default method, used to leave that optimum
// there and run to MaxSteps 2.4·10^6 nats higher on these 2·10^5 points.
func TestAdamReachesSpike(t *testing.T) {
	x := spikeData(200000, 0)
	var loss [2]float64
	for i, method := range methods {
		m := &gmm.Model{K: 2, Prior: gmm.DefaultPrior(x)}
		res, err := m.Fit(x, &gmm.Settings{Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Converged {
			t.Errorf("%v did not converge in %d steps", method, res.Steps)
		}
		loss[i] = res.Loss[len(res.Loss)-1]
	}
	// Each method stops by its own rule at the default Tol, 1e-10·(|L| +
	// n), 2.3e-4 nats here, once a step changes the loss by no more than
	// that: in a mode that contracts the excess loss by ρ ≤ ½ a step, the
	// excess left is then at most one tolerance (ρ/(1 − ρ) times the last
	// change; see internal/engine's AdamStepper.matchCurvature). Both stop
	// above the same optimum, so their losses differ by no more than the
	// larger excess: one tolerance. Adam stopped 8.2e-6 nats above EM here
	// (0.035 of it; on 6·10^5 and 10^6 points 0.63 and 0.97 of it), and the
	// failure this guards against was 10^10 times larger.
	tol := 1e-10 * (math.Abs(loss[1]) + float64(len(x)))
	if d := loss[0] - loss[1]; math.Abs(d) > tol {
		t.Errorf("Adam's loss %.10g, EM's %.10g: Adam − EM = %.3g, want within %.3g", loss[0], loss[1], d, tol)
	}
}

func TestFitReportsNonConvergence(t *testing.T) {
	x := iris.PetalLength()
	for _, method := range methods {
		m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
		res, err := m.Fit(x, &gmm.Settings{Method: method, MaxSteps: 1})
		if err != nil {
			t.Fatal(err)
		}
		// Loss is the winning run's path on the data: a short run and a
		// full run by EM at the search's tolerance, its run on to Tol by
		// EM, then, with Adam, Adam's run, each capped at MaxSteps, and
		// the last unconverged.
		phases := 3
		if method == gmm.Adam {
			phases = 4
		}
		if res.Converged || res.Steps != len(res.Loss) || res.Steps != phases {
			t.Errorf("%v: Converged %v after %d steps with %d losses; want false and one step in each of %d phases", method, res.Converged, res.Steps, len(res.Loss), phases)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("%v: unconverged fit left an invalid model: %v", method, err)
		}
	}
}

func TestFitErrors(t *testing.T) {
	good := []float64{1, 2, 3, 10, 11, 12}
	nb := gmm.NotebookPrior()
	with := func(f func(*gmm.Prior)) gmm.Prior { p := nb; f(&p); return p }
	tests := []struct {
		name  string
		x     []float64
		k     int
		prior gmm.Prior
		s     *gmm.Settings
		want  string // a part of the message
	}{
		{"nil data", nil, 2, nb, nil, "no data"},
		{"empty data", []float64{}, 2, nb, nil, "no data"},
		{"NaN", []float64{1, math.NaN(), 3}, 2, nb, nil, "x[1] is NaN"},
		{"+Inf", []float64{1, 2, math.Inf(1)}, 2, nb, nil, "x[2] is +Inf"},
		{"-Inf", []float64{math.Inf(-1)}, 1, nb, nil, "x[0] is -Inf"},
		{"K=0", good, 0, nb, nil, "K is 0"},
		{"K<0", good, -3, nb, nil, "K is -3"},
		{"zero concentration", good, 2, with(func(p *gmm.Prior) { p.Concentration = 0 }), nil, "Concentration"},
		{"concentration below 1", good, 2, with(func(p *gmm.Prior) { p.Concentration = 0.5 }), nil, "Concentration is 0.5"},
		{"negative mean scale", good, 2, with(func(p *gmm.Prior) { p.MeanScale = -1 }), nil, "MeanScale"},
		{"NaN mean scale", good, 2, with(func(p *gmm.Prior) { p.MeanScale = math.NaN() }), nil, "MeanScale"},
		{"infinite mean scale", good, 2, with(func(p *gmm.Prior) { p.MeanScale = math.Inf(1) }), nil, "MeanScale"},
		{"zero sigma shape", good, 2, with(func(p *gmm.Prior) { p.SigmaShape = 0 }), nil, "SigmaShape"},
		{"NaN sigma scale", good, 2, with(func(p *gmm.Prior) { p.SigmaScale = math.NaN() }), nil, "SigmaScale"},
		{"negative sigma scale", good, 2, with(func(p *gmm.Prior) { p.SigmaScale = -2 }), nil, "SigmaScale"},
		{"NaN mean loc", good, 2, with(func(p *gmm.Prior) { p.MeanLoc = math.NaN() }), nil, "MeanLoc"},
		{"infinite mean loc", good, 2, with(func(p *gmm.Prior) { p.MeanLoc = math.Inf(-1) }), nil, "MeanLoc"},
		{"no prior, too few distinct values", []float64{1, 1, 2, 2}, 3, gmm.Prior{}, nil, "fewer than K = 3"},
		{"no prior, constant data", []float64{5, 5, 5}, 2, gmm.Prior{}, nil, "all the data are equal"},
		{"no prior, a single point", []float64{5}, 1, gmm.Prior{}, nil, "all the data are equal"},
		{"subnormal spread", []float64{8.289046e-317, 3.3156184e-316}, 1, gmm.DefaultPrior([]float64{8.289046e-317, 3.3156184e-316}), nil, "too small to scale"},
		{"unknown method", good, 2, nb, &gmm.Settings{Method: 7}, "unknown Method"},
		{"negative tolerance", good, 2, nb, &gmm.Settings{Tol: -1}, "Settings"},
		{"NaN learning rate", good, 2, nb, &gmm.Settings{LearningRate: math.NaN()}, "Settings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := slices.Clone(tt.x)
			orig := gmm.Model{K: tt.k, Prior: tt.prior, Weights: []float64{9}, Means: []float64{9}, Sigmas: []float64{9}}
			m := orig
			res, err := m.Fit(x, tt.s)
			if err == nil {
				t.Fatalf("Fit succeeded with %+v; want an error", res)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "gmm: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if !equalModels(&m, &orig) {
				t.Errorf("failed Fit changed the model to %+v", m)
			}
			if !equalFloats(x, tt.x) {
				t.Errorf("Fit changed the data")
			}
		})
	}
}

// equalFloats reports whether a and b hold the same values, NaN equal to NaN.
func equalFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(u, v float64) bool { return u == v || (u != u && v != v) })
}

func equalModels(a, b *gmm.Model) bool {
	pa, pb := a.Prior, b.Prior
	priors := equalFloats(
		[]float64{pa.Concentration, pa.MeanLoc, pa.MeanScale, pa.SigmaShape, pa.SigmaScale},
		[]float64{pb.Concentration, pb.MeanLoc, pb.MeanScale, pb.SigmaShape, pb.SigmaScale}) && pa.OnVariance == pb.OnVariance
	return a.K == b.K && priors && equalFloats(a.Weights, b.Weights) &&
		equalFloats(a.Means, b.Means) && equalFloats(a.Sigmas, b.Sigmas)
}

func TestFitDoesNotModifyData(t *testing.T) {
	x, _, _ := mixtures[2].m.Sample(20000, 8) // more than the screening sample
	orig := slices.Clone(x)
	for _, method := range methods {
		m := &gmm.Model{K: 3, Prior: gmm.DefaultPrior(x)}
		if _, err := m.Fit(x, &gmm.Settings{Method: method}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(x, orig) {
			t.Fatalf("%v: Fit changed the data", method)
		}
	}
}

func TestFitDeterministicAcrossGOMAXPROCS(t *testing.T) {
	// 20000 points: more than one chunk of the kernel and more than the
	// screening sample, so both the parallel pass and the refinement run.
	x, _, _ := mixtures[2].m.Sample(20000, 9)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, method := range methods {
		var first *gmm.Model
		var firstLoss []float64
		for _, procs := range []int{1, 2, 7} {
			runtime.GOMAXPROCS(procs)
			m := &gmm.Model{K: 3}
			res, err := m.Fit(x, &gmm.Settings{Method: method, Seed: 42})
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first, firstLoss = m, res.Loss
				continue
			}
			if !equalModels(m, first) || !slices.Equal(res.Loss, firstLoss) {
				t.Errorf("%v: GOMAXPROCS=%d gives %v %v %v, GOMAXPROCS=1 gives %v %v %v", method, procs,
					m.Weights, m.Means, m.Sigmas, first.Weights, first.Means, first.Sigmas)
			}
		}
	}
}

func TestFitContextCancelled(t *testing.T) {
	x := iris.PetalLength()
	for _, method := range methods {
		orig := gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
		m := orig

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := m.FitContext(ctx, x, &gmm.Settings{Method: method}); !errors.Is(err, context.Canceled) {
			t.Errorf("%v: already cancelled: err = %v, want context.Canceled", method, err)
		}

		ctx, cancel = context.WithCancel(context.Background())
		var once sync.Once
		s := &gmm.Settings{Method: method, Progress: func(run, step int, loss float64) {
			if step == 3 {
				once.Do(cancel)
			}
		}}
		if _, err := m.FitContext(ctx, x, s); !errors.Is(err, context.Canceled) {
			t.Errorf("%v: cancelled mid-fit: err = %v, want context.Canceled", method, err)
		}
		cancel()
		if !equalModels(&m, &orig) {
			t.Errorf("%v: cancelled fit changed the model to %+v", method, m)
		}
	}
}

func TestFittedModelConcurrentReads(t *testing.T) {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	if _, err := m.Fit(x, nil); err != nil {
		t.Fatal(err)
	}
	wantZ := m.Assign(x)
	wantR := m.Responsibilities(x)
	wantLJ, _ := m.LogJoint(x)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if z := m.Assign(x); !slices.Equal(z, wantZ) {
					t.Errorf("goroutine %d: Assign differs", g)
				}
				r := m.Responsibilities(x)
				for i := range r {
					if !slices.Equal(r[i], wantR[i]) {
						t.Errorf("goroutine %d: Responsibilities differ", g)
					}
				}
				if lj, _ := m.LogJoint(x); lj != wantLJ {
					t.Errorf("goroutine %d: LogJoint differs", g)
				}
				_ = m.LogDensity(x[g])
				_ = m.SampleLabels(x, uint64(g))
			}
		}()
	}
	wg.Wait()
}
