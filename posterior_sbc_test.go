package gmm_test

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmm-go/gmm"
	"gonum.org/v1/gonum/stat/distuv"
)

var sbcReps = flag.Int("sbc.reps", 0, "replications of each simulation-based calibration (0 for the default of the test)")

// sbcStats are the permutation-invariant functions of the parameters whose
// ranks simulation-based calibration checks: with the components ordered by
// mean, the lower and upper means, their σs and the lower one's weight. A
// mixture's posterior is symmetric in the labels, so only such functions
// have a calibrated rank, and they need no relabelling.
var sbcStats = []string{"lower mean", "upper mean", "lower sigma", "upper sigma", "lower weight"}

func sbcValues(w, mu, sigma []float64) [5]float64 {
	lo, hi := 0, 1
	if mu[1] < mu[0] {
		lo, hi = 1, 0
	}
	return [5]float64{mu[lo], mu[hi], sigma[lo], sigma[hi], w[lo]}
}

// sbc runs simulation-based calibration (Talts, Betancourt, Simpson,
// Vehtari & Gelman 2018) for K = 2: each replication draws parameters from
// truth, draws 10 to 20 points from the mixture they define, samples the
// posterior under fit with one Gibbs chain, keeps L draws thinned by thin,
// and records the rank of each true statistic among them, 0 … L. If the
// sampler is exact and fit equals truth, every rank is uniform on 0 … L.
func sbc(t *testing.T, truth, fit gmm.Prior, reps, L, thin int, seed uint64) [][]int {
	return sbcW(t, truth, fit, reps, L, thin, 100, seed)
}

func sbcW(t *testing.T, truth, fit gmm.Prior, reps, L, thin, warmup int, seed uint64) [][]int {
	t.Helper()
	ranks := make([][]int, len(sbcStats))
	for r := range reps {
		src := rand.NewPCG(seed, uint64(r))
		rng := rand.New(src)
		var g [2]float64
		for k := range g {
			g[k] = distuv.Gamma{Alpha: truth.Concentration, Beta: 1, Src: src}.Rand()
		}
		gen := &gmm.Model{K: 2, Weights: []float64{g[0] / (g[0] + g[1]), g[1] / (g[0] + g[1])}, Means: make([]float64, 2), Sigmas: make([]float64, 2)}
		ig := distuv.InverseGamma{Alpha: truth.SigmaShape, Beta: truth.SigmaScale, Src: src}
		for k := range 2 {
			gen.Means[k] = truth.MeanLoc + truth.MeanScale*rng.NormFloat64()
			gen.Sigmas[k] = ig.Rand()
			if truth.OnVariance {
				gen.Sigmas[k] = math.Sqrt(gen.Sigmas[k])
			}
		}
		x, _, err := gen.Sample(10+r%11, rng.Uint64())
		if err != nil {
			t.Fatal(err)
		}
		m := &gmm.Model{K: 2, Prior: fit}
		p, err := m.Posterior(x, &gmm.PosteriorSettings{Seed: uint64(r), Chains: 1, Warmup: warmup, Draws: L * thin})
		if err != nil {
			t.Fatal(err)
		}
		want := sbcValues(gen.Weights, gen.Means, gen.Sigmas)
		var rank [5]int
		for j := thin - 1; j < len(p.Weights); j += thin {
			got := sbcValues(p.Weights[j], p.Means[j], p.Sigmas[j])
			for s := range rank {
				if got[s] < want[s] {
					rank[s]++
				}
			}
		}
		for s := range rank {
			ranks[s] = append(ranks[s], rank[s])
		}
	}
	return ranks
}

// chiSquare returns Pearson's statistic for ranks in 0 … L against the
// uniform distribution, over bins consecutive ranks at a time, and its
// degrees of freedom.
func chiSquare(ranks []int, L, bins int) (float64, int) {
	count := make([]float64, bins)
	for _, r := range ranks {
		count[r*bins/(L+1)]++
	}
	e := float64(len(ranks)) / float64(bins)
	var x2 float64
	for _, c := range count {
		x2 += (c - e) * (c - e) / e
	}
	return x2, bins - 1
}

// sbcSize returns the replications to run: the flag's value if set, else
// def.
func sbcSize(def int) int {
	if *sbcReps > 0 {
		return *sbcReps
	}
	return def
}

const (
	sbcL    = 99 // draws per replication: ranks 0 … 99
	sbcThin = 5  // a Gibbs chain on 10–20 points keeps an ESS of at least 1 in 5 draws
	sbcBins = 20 // 5 ranks a bin
)

// sbcThreshold is the chi-square critical value for sbcBins − 1 = 19
// degrees of freedom at level 1e-4. Each test makes 5 checks for each of two
// prior forms: at 1e-4 each, an exact sampler fails any of the 10 with
// probability at most 1e-3 at any seed. Pearson's statistic is close to its
// chi-square limit with 25 or more expected counts per bin (with the 500
// replications below, 25).
var sbcThreshold = distuv.ChiSquared{K: sbcBins - 1}.Quantile(1 - 1e-4)

func TestSimulationBasedCalibration(t *testing.T) {
	reps := sbcSize(500)
	for _, tc := range []struct {
		name  string
		prior gmm.Prior
	}{
		{"InverseGamma on sigma", gmm.NotebookPrior()},
		{"InverseGamma on variance", varianceForm()},
	} {
		ranks := sbc(t, tc.prior, tc.prior, reps, sbcL, sbcThin, 2018)
		for s, name := range sbcStats {
			x2, df := chiSquare(ranks[s], sbcL, sbcBins)
			if x2 > sbcThreshold {
				t.Errorf("%s: %s ranks are not uniform: chi-square %.1f on %d df, above %.1f", tc.name, name, x2, df, sbcThreshold)
			}
			t.Logf("%s: %-12s chi-square %5.1f on %d df (threshold %.1f, %d replications)", tc.name, name, x2, df, sbcThreshold, reps)
		}
	}
}

// TestSimulationBasedCalibrationHasPower shows that the check above can
// fail: data drawn under the notebook's prior (InverseGamma on σ) and fitted
// under the variance form (InverseGamma on σ²) is the error a wrong
// conditional for σ would make, and the ranks of the σs are far from
// uniform.
func TestSimulationBasedCalibrationHasPower(t *testing.T) {
	reps := sbcSize(500)
	ranks := sbc(t, gmm.NotebookPrior(), varianceForm(), reps, sbcL, sbcThin, 2018)
	var worst float64
	for s := range sbcStats {
		x2, _ := chiSquare(ranks[s], sbcL, sbcBins)
		worst = max(worst, x2)
	}
	if worst <= sbcThreshold {
		t.Errorf("a mismatched prior passed calibration: largest chi-square %.1f, threshold %.1f", worst, sbcThreshold)
	}
	t.Logf("mismatched prior: largest chi-square %.1f (threshold %.1f)", worst, sbcThreshold)
}
