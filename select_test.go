package gmm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

func TestNumParams(t *testing.T) {
	// mclust's nMclustParams("V", 1, K) = 3K − 1 and ("E", 1, K) = 2K;
	// the same counts are in testdata/mclust_1d_bic.txt.
	for _, tt := range []struct {
		k      int
		shared bool
		want   int
	}{{1, false, 2}, {1, true, 2}, {2, false, 5}, {2, true, 4}, {9, false, 26}, {9, true, 18}} {
		m := &gmm.Model{K: tt.k, SharedSigma: tt.shared}
		if got := m.NumParams(); got != tt.want {
			t.Errorf("K = %d, shared %v: NumParams = %d, want %d", tt.k, tt.shared, got, tt.want)
		}
	}
}

func TestBICAndICLByHand(t *testing.T) {
	// With φ the standard normal density, log φ(z) = −z²/2 − ½ log 2π and
	// ½ log 2π = 0.9189385332046727.
	cases := []struct {
		name     string
		m        gmm.Model
		x        []float64
		bic, icl float64
	}{{
		// log L = log φ(0); p log n = 2 log 1 = 0; one component, so
		// r = 1 and ICL = BIC.
		name: "one point, one component",
		m:    gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{1}},
		x:    []float64{0},
		bic:  1.8378770664093453, icl: 1.8378770664093453,
	}, {
		// log L = 2 log φ(1) = −1 − log 2π; BIC = 2 + 2 log 2π + 2 log 2.
		name: "two points, one component",
		m:    gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{1}},
		x:    []float64{-1, 1},
		bic:  7.0620484939385815, icl: 7.0620484939385815,
	}, {
		// log L = log(½φ(1) + ½φ(1)) = −½ − ½ log 2π; n = 1, so
		// BIC = 1 + log 2π; r = (½, ½), so ICL adds 2 log 2.
		name: "a point between two components",
		m:    gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{-1, 1}, Sigmas: []float64{1, 1}},
		x:    []float64{0},
		bic:  2.8378770664093453, icl: 4.224171427529236,
	}, {
		// The same point twice: BIC = 2 + 2 log 2π + p log 2 with p = 4
		// (E) or 5 (V), and ICL adds 2·2 log 2.
		name: "shared sigma, p = 4",
		m:    gmm.Model{K: 2, SharedSigma: true, Weights: []float64{0.5, 0.5}, Means: []float64{-1, 1}, Sigmas: []float64{1, 1}},
		x:    []float64{0, 0},
		bic:  8.448342855058472, icl: 11.220931577298254,
	}, {
		name: "own sigmas, p = 5",
		m:    gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{-1, 1}, Sigmas: []float64{1, 1}},
		x:    []float64{0, 0},
		bic:  9.141490035618418, icl: 11.9140787578582,
	}, {
		// log L = log ½ − ½ log 2π + log(e^(−9/8) + e^(−1/8)); the larger
		// responsibility is 1/(1 + e^(−1)), so ICL adds 2 log(1 + e^(−1)).
		name: "unequal responsibilities",
		m:    gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 2}, Sigmas: []float64{1, 1}},
		x:    []float64{1.5},
		bic:  2.8476480524927905, icl: 3.474171427529236,
	}}
	for _, tt := range cases {
		bic, err := tt.m.BIC(tt.x)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		icl, err := tt.m.ICL(tt.x)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		// 1e-14 relative: a handful of roundings of numbers near 1, each
		// within 2^−53 ≈ 1.1e-16 of itself.
		if math.Abs(bic-tt.bic) > 1e-14*tt.bic || math.Abs(icl-tt.icl) > 1e-14*tt.icl {
			t.Errorf("%s: BIC %v, ICL %v; want %v, %v", tt.name, bic, icl, tt.bic, tt.icl)
		}
	}
}

func TestBICAndICLErrors(t *testing.T) {
	fitted := gmm.Model{K: 1, Weights: []float64{1}, Means: []float64{0}, Sigmas: []float64{1}}
	unequal := gmm.Model{K: 2, SharedSigma: true, Weights: []float64{0.5, 0.5}, Means: []float64{0, 1}, Sigmas: []float64{1, 2}}
	for _, tt := range []struct {
		name string
		m    gmm.Model
		x    []float64
	}{
		{"unfitted", gmm.Model{K: 2}, []float64{1}},
		{"no data", fitted, nil},
		{"NaN", fitted, []float64{1, math.NaN()}},
		{"Inf", fitted, []float64{math.Inf(1)}},
		{"shared sigma with unequal sigmas", unequal, []float64{1}},
	} {
		if _, err := tt.m.BIC(tt.x); err == nil {
			t.Errorf("%s: BIC gives no error", tt.name)
		}
		if _, err := tt.m.ICL(tt.x); err == nil {
			t.Errorf("%s: ICL gives no error", tt.name)
		}
	}
}

func TestSelectErrors(t *testing.T) {
	x := iris.PetalLength()
	for _, tt := range []struct {
		name string
		x    []float64
		s    *gmm.SelectSettings
		want string
	}{
		{"no data", nil, nil, "no data"},
		{"NaN", []float64{1, 2, math.NaN()}, nil, "x[2]"},
		{"empty Ks", x, &gmm.SelectSettings{Ks: []int{}}, "empty"},
		{"K = 0", x, &gmm.SelectSettings{Ks: []int{1, 0}}, "at least 1"},
		{"K twice", x, &gmm.SelectSettings{Ks: []int{2, 3, 2}}, "twice"},
		{"criterion", x, &gmm.SelectSettings{Criterion: 7}, "Criterion"},
		{"prior", x, &gmm.SelectSettings{Prior: gmm.Prior{Concentration: -1}}, "Concentration"},
		{"fit settings", x, &gmm.SelectSettings{Fit: &gmm.Settings{Restarts: -1}}, "negative"},
		{"constant data", []float64{2, 2, 2}, &gmm.SelectSettings{Ks: []int{1, 2}}, "prior"},
	} {
		sel, err := gmm.Select(tt.x, tt.s)
		if err == nil || sel != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Select gives %v, %v; want an error about %q", tt.name, sel, err, tt.want)
		}
	}
}

// separated draws n points from each of the given means with σ = 1.
func separated(n int, means ...float64) []float64 {
	w := make([]float64, len(means))
	s := make([]float64, len(means))
	for k := range w {
		w[k], s[k] = 1/float64(len(means)), 1
	}
	m := gmm.Model{K: len(means), Weights: w, Means: means, Sigmas: s}
	x, _, err := m.Sample(n*len(means), 5)
	if err != nil {
		panic(err)
	}
	return x
}

func TestSelectFindsKnownK(t *testing.T) {
	// Clusters 8σ apart: BIC's choice is not in doubt, and the two data
	// sets need different answers.
	for _, tt := range []struct {
		name  string
		means []float64
	}{
		{"two clusters", []float64{0, 8}},
		{"three clusters", []float64{0, 8, 16}},
		{"four clusters", []float64{0, 8, 16, 24}},
	} {
		x := separated(100, tt.means...)
		for _, cr := range []gmm.Criterion{gmm.BIC, gmm.ICL} {
			sel, err := gmm.Select(x, &gmm.SelectSettings{Ks: []int{1, 2, 3, 4, 5, 6}, Criterion: cr})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if sel.Best.K != len(tt.means) {
				t.Errorf("%s, %v: Select picks K = %d, want %d\n%v", tt.name, cr, sel.Best.K, len(tt.means), sel)
			}
		}
	}
}

func TestSelectTable(t *testing.T) {
	x := iris.PetalLength()
	ks := []int{3, 1, 2}
	sel, err := gmm.Select(x, &gmm.SelectSettings{Ks: ks})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Candidates) != 2*len(ks) {
		t.Fatalf("%d candidates, want %d", len(sel.Candidates), 2*len(ks))
	}
	best := math.Inf(1)
	for i, c := range sel.Candidates {
		if c.K != ks[i/2] || c.SharedSigma != (i%2 == 0) {
			t.Errorf("candidate %d is K = %d, shared %v; want K = %d, shared %v", i, c.K, c.SharedSigma, ks[i/2], i%2 == 0)
		}
		m := gmm.Model{K: c.K, SharedSigma: c.SharedSigma}
		if c.NumParams != m.NumParams() {
			t.Errorf("candidate %d: NumParams %d, want %d", i, c.NumParams, m.NumParams())
		}
		if c.Err != nil {
			if !math.IsNaN(c.BIC) || !math.IsNaN(c.ICL) || !math.IsNaN(c.LogLikelihood) {
				t.Errorf("candidate %d failed (%v) but has numbers %v %v %v", i, c.Err, c.LogLikelihood, c.BIC, c.ICL)
			}
			continue
		}
		// BIC from its own parts, to rounding; ICL adds a non-negative
		// entropy.
		want := -2*c.LogLikelihood + float64(c.NumParams)*math.Log(float64(len(x)))
		if math.Abs(c.BIC-want) > 1e-12*math.Abs(want) || !(c.ICL >= c.BIC) {
			t.Errorf("candidate %d: BIC %v, ICL %v; want BIC %v and ICL ≥ BIC", i, c.BIC, c.ICL, want)
		}
		best = min(best, c.BIC)
	}
	got, err := sel.Best.BIC(x)
	if err != nil || got != best {
		t.Errorf("Best's BIC is %v (%v); the lowest in the table is %v", got, err, best)
	}
	// mclust's pick on these data is V with K = 2 (testdata/mclust_1d_bic.txt).
	if sel.Best.K != 2 || sel.Best.SharedSigma {
		t.Errorf("Select picks K = %d, shared %v; want V with K = 2\n%v", sel.Best.K, sel.Best.SharedSigma, sel)
	}
}

// TestSelectSkipsDegenerateFits plants a pile of equal values in data
// from two clusters. A component collapsed onto the pile would win the
// table by far; Select must not let it.
func TestSelectSkipsDegenerateFits(t *testing.T) {
	x := separated(100, 0, 10)
	for range 8 {
		x = append(x, 5)
	}
	sel, err := gmm.Select(x, &gmm.SelectSettings{Ks: []int{1, 2, 3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	// No σ of the winner is near the floor, 1e-3 of the spread (about 5).
	for k, s := range sel.Best.Sigmas {
		if s < 0.1 {
			t.Errorf("the best model's component %d has σ = %v: a collapsed fit won\n%v", k, s, sel)
		}
	}
	// The power of the test: a three-component model with a component on
	// the pile, at Fit's floor (1e-3 times the spread), has a far lower
	// BIC than the best.
	two, err := gmm.Select(x, &gmm.SelectSettings{Ks: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	b := two.Best
	spread := 0.0
	for _, v := range x {
		spread += (v - 5) * (v - 5)
	}
	spread = math.Sqrt(spread / float64(len(x)))
	pile := 8 / float64(len(x))
	collapsed := gmm.Model{K: 3,
		Weights: []float64{b.Weights[0] * (1 - pile), pile, b.Weights[1] * (1 - pile)},
		Means:   []float64{b.Means[0], 5, b.Means[1]},
		Sigmas:  []float64{b.Sigmas[0], 1e-3 * spread, b.Sigmas[1]},
	}
	bic, err := collapsed.BIC(x)
	if err != nil {
		t.Fatal(err)
	}
	if best, _ := sel.Best.BIC(x); !(bic < best-10) {
		t.Errorf("the collapsed model's BIC %v is not far below the best's %v: the data do not test the rule", bic, best)
	}
}

func TestSelectDeterministic(t *testing.T) {
	x := separated(200, 0, 4, 9)
	x0 := slices.Clone(x)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first *gmm.Selection
	for _, procs := range []int{1, 2, 5} {
		runtime.GOMAXPROCS(procs)
		sel, err := gmm.Select(x, &gmm.SelectSettings{Ks: []int{1, 2, 3, 4}, Fit: &gmm.Settings{Seed: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(x, x0) {
			t.Fatal("Select modified x")
		}
		if first == nil {
			first = sel
			continue
		}
		for i, c := range sel.Candidates {
			f := first.Candidates[i]
			if c.LogLikelihood != f.LogLikelihood && !(math.IsNaN(c.LogLikelihood) && math.IsNaN(f.LogLikelihood)) {
				t.Errorf("GOMAXPROCS=%d: candidate %d has log-likelihood %v, with 1 %v", procs, i, c.LogLikelihood, f.LogLikelihood)
			}
		}
		if !equalModels(sel.Best, first.Best) || sel.Best.SharedSigma != first.Best.SharedSigma {
			t.Errorf("GOMAXPROCS=%d: best %+v, with 1 %+v", procs, sel.Best, first.Best)
		}
	}
}

func TestSharedSigmaJSON(t *testing.T) {
	m := gmm.Model{K: 2, SharedSigma: true, Weights: []float64{0.25, 0.75}, Means: []float64{-1, 2}, Sigmas: []float64{0.5, 0.5}}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"shared_sigma":true`) {
		t.Errorf("%s has no shared_sigma", data)
	}
	var back gmm.Model
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !back.SharedSigma || !equalModels(&back, &m) {
		t.Errorf("read back %+v, want %+v", back, m)
	}
	m.SharedSigma = false
	if data, _ := json.Marshal(m); strings.Contains(string(data), "shared_sigma") {
		t.Errorf("%s: shared_sigma written for a model without it", data)
	}
	const head = `{"k": 2, "weights": [0.5, 0.5], "means": [0, 1], "sigmas": [1, 2], "prior": null`
	for _, tt := range []struct {
		name, json string
		ok, shared bool
	}{
		{"absent", head + `}`, true, false},
		{"false", head + `, "shared_sigma": false}`, true, false},
		{"true with unequal sigmas", head + `, "shared_sigma": true}`, false, false},
		{"null", head + `, "shared_sigma": null}`, false, false},
		{"a number", head + `, "shared_sigma": 1}`, false, false},
	} {
		var got gmm.Model
		err := json.Unmarshal([]byte(tt.json), &got)
		if (err == nil) != tt.ok || got.SharedSigma != tt.shared {
			t.Errorf("%s: %v, SharedSigma %v; want ok %v", tt.name, err, got.SharedSigma, tt.ok)
		}
	}
}

// mclustTable is one data set of testdata/mclust_1d_bic.txt.
type mclustTable struct {
	name      string
	x         []float64
	pickModel string
	pickK     int
	cells     map[string]mclustCell // by model and K, as "V3"
}

type mclustCell struct {
	loglik, bic, icl float64 // NaN where mclust has NA
	df               int
	model            *gmm.Model // mclust's fit, nil where it has NA
	// The log-likelihood, BIC and ICL of model, in mclust's sign.
	at [3]float64
}

// readMclust reads testdata/mclust_1d_bic.txt, written by
// testdata/mclust_1d_bic.R.
func readMclust(t *testing.T) []*mclustTable {
	data, err := os.ReadFile("testdata/mclust_1d_bic.txt")
	if err != nil {
		t.Fatal(err)
	}
	num := func(s string) float64 {
		if s == "NA" {
			return math.NaN()
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var sets []*mclustTable
	var cur *mclustTable
	var last string // the cell of the last fit line
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "data":
			cur = &mclustTable{name: f[1], cells: map[string]mclustCell{}}
			sets = append(sets, cur)
		case "x":
			for _, s := range f[1:] {
				cur.x = append(cur.x, num(s))
			}
		case "pick":
			cur.pickModel = f[1]
			cur.pickK, _ = strconv.Atoi(f[2])
		case "fit":
			df, _ := strconv.Atoi(f[4])
			last = f[1] + f[2]
			cur.cells[last] = mclustCell{loglik: num(f[3]), df: df, bic: num(f[5]), icl: num(f[6])}
		case "par":
			c := cur.cells[last]
			for i := range c.at {
				c.at[i] = num(f[1+i])
			}
			k := (len(f) - 4) / 3
			v := make([]float64, 3*k)
			for i, s := range f[4:] {
				v[i] = num(s)
			}
			c.model = &gmm.Model{K: k, SharedSigma: last[0] == 'E', Weights: v[:k], Means: v[k : 2*k], Sigmas: v[2*k:]}
			cur.cells[last] = c
		}
	}
	if len(sets) != 3 {
		t.Fatalf("read %d data sets from testdata/mclust_1d_bic.txt, want 3", len(sets))
	}
	return sets
}

// TestCriteriaOfMclustFits computes the log-likelihood, BIC and ICL of
// R mclust's own fits, read from testdata/mclust_1d_bic.txt, and compares
// them with the values mclust's estep and bic give at the same parameters,
// an independent computation of the same formulas.
func TestCriteriaOfMclustFits(t *testing.T) {
	for _, tab := range readMclust(t) {
		cells := 0
		for key, mc := range tab.cells {
			if mc.model == nil {
				continue
			}
			cells++
			m := mc.model
			if err := m.Validate(); err != nil {
				t.Fatalf("%s %s: %v", tab.name, key, err)
			}
			ll, _ := m.LogLikelihood(tab.x)
			bic, _ := m.BIC(tab.x)
			icl, err := m.ICL(tab.x)
			if err != nil {
				t.Fatalf("%s %s: %v", tab.name, key, err)
			}
			// mclust's numbers are printed to 17 digits; its sums and
			// ours, of a few hundred terms, of values up to about 2500,
			// each round to a few ulps of 2500, about 1e-12 (the largest
			// difference seen is 1.4e-12). 1e-10 leaves a margin.
			for _, v := range []struct {
				name      string
				got, want float64
			}{{"log-likelihood", ll, mc.at[0]}, {"BIC", bic, -mc.at[1]}, {"ICL", icl, -mc.at[2]}} {
				if math.Abs(v.got-v.want) > 1e-10 {
					t.Errorf("%s %s: %s %.10f, mclust's %.10f", tab.name, key, v.name, v.got, v.want)
				}
			}
		}
		if cells < 15 {
			t.Errorf("%s: only %d fitted cells read", tab.name, cells)
		}
	}
}

// TestSelectAgreesWithMclust runs Select with nil settings, Adam and EM, on
// the columns of testdata/mclust_1d_bic.txt and compares it with R mclust's
// Mclust(x, G = 1:9, modelNames = c("E", "V")).
func TestSelectAgreesWithMclust(t *testing.T) {
	// mclust's EM stops when the log-likelihood changes by less than 1e-5
	// of itself, so its value is at or below its optimum; ours stop
	// within about 1e-8 (Adam and EM agree to 1.1e-8 on iris, V, K = 2).
	// 1e-6 allows a hundred times that.
	const tol = 1e-6
	// A better optimum than mclust's must beat it by more than mclust's
	// own shortfall, which its tolerance bounds by 1e-5·|log L| < 0.011
	// on these data; 0.1 is well clear of that.
	const better = 0.1
	for _, tab := range readMclust(t) {
		for _, method := range methods {
			label := tab.name + " " + method.String()
			sel, err := gmm.Select(tab.x, &gmm.SelectSettings{Fit: &gmm.Settings{Method: method}})
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			if len(sel.Candidates) != 18 {
				t.Fatalf("%s: %d candidates, want 18", label, len(sel.Candidates))
			}
			ours := map[string]gmm.Candidate{}
			for _, c := range sel.Candidates {
				key := fmt.Sprint(c.Model(), c.K)
				ours[key] = c
				mc := tab.cells[key]
				if c.NumParams != mc.df {
					t.Errorf("%s %s: %d parameters, mclust %d", label, key, c.NumParams, mc.df)
				}
				if math.IsNaN(mc.loglik) {
					continue
				}
				if c.Err != nil {
					t.Errorf("%s %s: %v; mclust fits it with log-likelihood %.6f", label, key, c.Err, mc.loglik)
					continue
				}
				// mclust reports the log-likelihood before its last
				// M-step; the bar is that at its final parameters.
				if bar := max(mc.loglik, mc.at[0]); c.LogLikelihood < bar-tol {
					t.Errorf("%s %s: log-likelihood %.8f, below mclust's %.8f", label, key, c.LogLikelihood, bar)
				}
				// Where the optima agree, so do the BICs (mclust's sign is
				// the opposite); 1e-9 relative covers the rounding of a
				// value near 1000 printed to 10 decimals.
				if math.Abs(c.LogLikelihood-mc.loglik) < tol && math.Abs(c.BIC+mc.bic) > 2*tol+1e-9*math.Abs(mc.bic) {
					t.Errorf("%s %s: BIC %.8f, mclust's %.8f", label, key, c.BIC, -mc.bic)
				}
			}
			// The same pick, unless ours is justified by a better optimum
			// than mclust found for that cell.
			key := fmt.Sprint(map[bool]string{true: "E", false: "V"}[sel.Best.SharedSigma], sel.Best.K)
			pick := fmt.Sprint(tab.pickModel, tab.pickK)
			if key != pick {
				b, mc := ours[key], tab.cells[key]
				if !(b.BIC < -tab.cells[pick].bic) || !(math.IsNaN(mc.loglik) || b.LogLikelihood > mc.loglik+better) {
					t.Errorf("%s: Select picks %s (BIC %.4f, log-likelihood %.4f), mclust %s (BIC %.4f; at %s its log-likelihood is %.4f)",
						label, key, b.BIC, b.LogLikelihood, pick, -tab.cells[pick].bic, key, mc.loglik)
				} else {
					t.Logf("%s: Select picks %s, where it finds log-likelihood %.4f and mclust %.4f; mclust picks %s",
						label, key, b.LogLikelihood, mc.loglik, pick)
				}
			}
		}
	}
}

func TestSharedSigmaEMAndAdamAgree(t *testing.T) {
	x := iris.PetalLength()
	sampled, _, _ := mixtures[2].m.Sample(1000, 6)
	conj := gmm.NotebookPrior()
	conj.OnVariance = true
	for _, tt := range []struct {
		name  string
		x     []float64
		k     int
		prior gmm.Prior
	}{
		{"iris no prior", x, 2, gmm.Prior{}},
		{"iris K=3 no prior", x, 3, gmm.Prior{}},
		{"iris notebook prior", x, 2, gmm.NotebookPrior()},
		{"iris notebook prior on the variance", x, 2, conj},
		{"sampled K=3 default prior", sampled, 3, gmm.DefaultPrior(sampled)},
	} {
		var fits [2]*gmm.Model
		var lj [2]float64
		for i, method := range methods {
			m := &gmm.Model{K: tt.k, Prior: tt.prior, SharedSigma: true}
			res, err := m.Fit(tt.x, &gmm.Settings{Method: method, Tol: 1e-13})
			if err != nil {
				t.Fatalf("%s %v: %v", tt.name, method, err)
			}
			if !res.Converged {
				t.Errorf("%s: %v did not converge", tt.name, method)
			}
			if err := m.Validate(); err != nil || !m.SharedSigma {
				t.Errorf("%s %v: the fit is not a valid shared-sigma model: %v", tt.name, method, err)
			}
			fits[i] = m
			lj[i], _ = m.LogJoint(tt.x)
			// The last loss is the negative log joint.
			if l := res.Loss[len(res.Loss)-1]; math.Abs(l+lj[i]) > 1e-9*math.Abs(l) {
				t.Errorf("%s %v: last loss %.12g, but −LogJoint is %.12g", tt.name, method, l, -lj[i])
			}
		}
		// As in TestEMAndAdamAgree: 1e-6 relative for the log joints and
		// 1e-4 for the parameters.
		if d := math.Abs(lj[0]-lj[1]) / math.Abs(lj[1]); d > 1e-6 {
			t.Errorf("%s: log joints differ: Adam %.10g, EM %.10g", tt.name, lj[0], lj[1])
		}
		checkParams(t, tt.name+": Adam against EM", fits[0], fits[1].Weights, fits[1].Means, fits[1].Sigmas, 1e-4)
	}
}

// TestSharedSigmaFitUnits fits data and an affine map of them, small and
// large (above the 8192-point screening sample), and checks that the fits
// correspond, that the σ stays shared, and that the result does not depend
// on GOMAXPROCS.
func TestSharedSigmaFitUnits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, n := range []int{300, 20000} {
		x, _, _ := mixtures[2].m.Sample(n, 4)
		for _, method := range methods {
			for _, prior := range []bool{false, true} {
				label := fmt.Sprintf("n=%d %v prior %v", n, method, prior)
				fit := func(x []float64, procs int) *gmm.Model {
					runtime.GOMAXPROCS(procs)
					m := &gmm.Model{K: 3, SharedSigma: true}
					if prior {
						m.Prior = gmm.DefaultPrior(x)
					}
					if _, err := m.Fit(x, &gmm.Settings{Method: method, Seed: 2}); err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					if err := m.Validate(); err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					return m
				}
				m := fit(x, 1)
				if m2 := fit(x, 2); !equalModels(m, m2) {
					t.Errorf("%s: GOMAXPROCS 1 and 2 differ: %v and %v", label, m.Sigmas, m2.Sigmas)
				}
				// y = 1000 x − 1e6: DefaultPrior moves with the data, so the
				// fit of y is the fit of x carried through the map.
				y := make([]float64, len(x))
				for i, v := range x {
					y[i] = 1000*v - 1e6
				}
				my := fit(y, 2)
				mu := make([]float64, 3)
				sig := make([]float64, 3)
				for k := range mu {
					mu[k] = 1000*m.Means[k] - 1e6
					sig[k] = 1000 * m.Sigmas[k]
				}
				// Both fits stop within about Tol = 1e-10 of the optimum's
				// loss, so their parameters agree to about √1e-10 relative
				// to their scale; 1e-4 of the σ (about 1000 on y's scale)
				// is 0.1, a hundredfold margin.
				checkParams(t, label+": y against x", my, m.Weights, mu, sig, 1e-4*sig[0])
			}
		}
	}
}

func TestSharedSigmaErrors(t *testing.T) {
	x := iris.PetalLength()
	fitted := gmm.Model{K: 1, SharedSigma: true, Weights: []float64{1}, Means: []float64{3}, Sigmas: []float64{1}}
	for _, tt := range []struct {
		name string
		x    []float64
		m    gmm.Model
		want string // a part of the message
	}{
		{"constant data without a prior", []float64{1, 1, 1}, gmm.Model{K: 2, SharedSigma: true}, "all the data are equal"},
		{"K above the distinct values", []float64{1, 2, 2}, gmm.Model{K: 3, SharedSigma: true}, "fewer than K = 3"},
		// With one component on each value the shared σ goes to zero.
		{"K equal to the distinct values", []float64{1, 1, 2, 7, 7}, gmm.Model{K: 3, SharedSigma: true}, "with a shared σ maximum likelihood needs more than K"},
		{"NaN", []float64{1, math.NaN()}, fitted, "x[1] is NaN"},
	} {
		m := tt.m
		if _, err := m.Fit(tt.x, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Fit gives error %v; want one saying %q", tt.name, err, tt.want)
		}
		if !equalModels(&m, &tt.m) {
			t.Errorf("%s: a failed fit changed the model to %+v", tt.name, m)
		}
	}
	// With a prior, constant data and K above the number of points fit.
	for _, x := range [][]float64{{2, 2, 2}, {1, 5}} {
		m := &gmm.Model{K: 4, SharedSigma: true, Prior: gmm.DefaultPrior(x)}
		if _, err := m.Fit(x, nil); err != nil || m.Validate() != nil {
			t.Errorf("%v with a prior: %v, %v", x, err, m.Validate())
		}
	}
	// Posterior samples a SharedSigma model too, one σ in every draw.
	m := &gmm.Model{K: 2, SharedSigma: true, Prior: gmm.DefaultPrior(x)}
	p, err := m.Posterior(x, &gmm.PosteriorSettings{Chains: 1, Draws: 50, Warmup: 50})
	if err != nil {
		t.Fatalf("Posterior of a SharedSigma model: %v", err)
	}
	for i, s := range p.Sigmas {
		if s[0] != s[1] {
			t.Fatalf("Posterior of a SharedSigma model: draw %d has σs %v", i, s)
		}
	}
}

func TestSelectCandidateErrors(t *testing.T) {
	// Three distinct values, two of them tied: with K = 4 and 5 there are
	// too few values; with K = 3 and a shared σ, one component on each
	// value takes σ to zero; with K = 3, and with K = 2 and a σ each, a
	// component can sit on a tie alone, and its likelihood has no maximum.
	// The table says so without failing the others.
	x := []float64{1, 1, 2, 2, 2, 7, 7}
	sel, err := gmm.Select(x, &gmm.SelectSettings{Ks: []int{1, 2, 3, 4, 5}})
	if err != nil {
		t.Fatal(err)
	}
	fails := map[string]bool{"V2": true, "E3": true, "V3": true, "E4": true, "V4": true, "E5": true, "V5": true}
	for _, c := range sel.Candidates {
		key := fmt.Sprint(c.Model(), c.K)
		if (c.Err != nil) != fails[key] || c.Err != nil && !strings.Contains(c.Err.Error(), "fewer") {
			t.Errorf("%s: error %v; want one: %v", key, c.Err, fails[key])
		}
	}
	if got := strings.Count(sel.String(), "NA"); got != len(fails) {
		t.Errorf("the table shows %d NA, want %d:\n%s", got, len(fails), sel)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if sel, err := gmm.SelectContext(ctx, iris.PetalLength(), nil); err != context.Canceled || sel != nil {
		t.Errorf("a cancelled SelectContext gives %v, %v; want context.Canceled", sel, err)
	}
}

// BenchmarkSelect times Select at its defaults (K = 1 to 9, models E and
// V, 18 fits) on the iris petal lengths, and by EM on 10^4 points drawn
// from mixture3.
func BenchmarkSelect(b *testing.B) {
	for _, tt := range []struct {
		name string
		x    []float64
		fit  *gmm.Settings
	}{
		{"iris/n=150/adam", iris.PetalLength(), nil},
		{"iris/n=150/em", iris.PetalLength(), &gmm.Settings{Method: gmm.EM}},
		{"mixture3/n=1e4/em", func() []float64 { x, _, _ := mixture3.Sample(1e4, 1); return x }(), &gmm.Settings{Method: gmm.EM}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := gmm.Select(tt.x, &gmm.SelectSettings{Fit: tt.fit}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSelectWithPriorAndICL(t *testing.T) {
	// With a prior nothing collapses: every candidate of the tied data of
	// TestSelectCandidateErrors up to K = 3 fits.
	x := []float64{1, 1, 2, 2, 2, 7, 7}
	sel, err := gmm.Select(x, &gmm.SelectSettings{Ks: []int{1, 2, 3}, Prior: gmm.DefaultPrior(x)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sel.Candidates {
		if c.Err != nil || !isFiniteAll(c.LogLikelihood, c.BIC, c.ICL) {
			t.Errorf("K = %d %s with a prior: %v, %v %v %v", c.K, c.Model(), c.Err, c.LogLikelihood, c.BIC, c.ICL)
		}
	}
	if sel.Best.Prior != gmm.DefaultPrior(x) {
		t.Errorf("the best model's prior is %v", sel.Best.Prior)
	}
	// By ICL the best has the lowest ICL of the table.
	y := separated(100, 0, 3, 9)
	sel, err = gmm.Select(y, &gmm.SelectSettings{Ks: []int{1, 2, 3, 4}, Criterion: gmm.ICL})
	if err != nil {
		t.Fatal(err)
	}
	icl, _ := sel.Best.ICL(y)
	for _, c := range sel.Candidates {
		if c.Err == nil && c.ICL < icl {
			t.Errorf("K = %d %s has ICL %v, below the best's %v", c.K, c.Model(), c.ICL, icl)
		}
	}
}

func isFiniteAll(v ...float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
