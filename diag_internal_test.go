package gmm

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestPosteriorDiagnosticsReference checks Posterior.RHat and Posterior.ESS
// against the independent reference values of internal/mcmc/testdata
// (diag_reference.txt, from the NumPy/SciPy transcription of the posterior
// R package in diag_reference.py) on the draws stored there: AR(1) chains
// with ties, an odd length and unequal means. Each case fills one
// parameter of each kind, through a different increasing map (R̂ and the
// bulk ESS depend only on the ranks), in a different component, so that a
// mix-up of chains, draws, components or kinds shows. The values agree to
// the 12 digits printed; 1e-9 relative allows for the order of sums.
func TestPosteriorDiagnosticsReference(t *testing.T) {
	const dir = "internal/mcmc/testdata/"
	b, err := os.ReadFile(dir + "diag_reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m, n int
		var rhat, ess float64
		if _, err := fmt.Sscan(line, &m, &n, &rhat, &ess); err != nil {
			t.Fatal(err)
		}
		x := readFloats(t, fmt.Sprintf("%sdraws%d.txt", dir, i))
		// Three components: the case's draws go to component k = i mod 3,
		// constants, whose R̂ is 1, to the others.
		const K = 3
		k := i % K
		p := &Posterior{Chains: m, Draws: n}
		flat := [3][]float64{make([]float64, m*n*K), make([]float64, m*n*K), make([]float64, m*n*K)}
		for t, v := range x {
			flat[0][t*K+k] = 1 / (1 + math.Exp(-v)) // weights in (0, 1)
			flat[1][t*K+k] = 100 + 7*v              // means
			flat[2][t*K+k] = math.Exp(v / 4)        // sigmas
			for j := range K {
				if j != k {
					flat[0][t*K+j], flat[1][t*K+j], flat[2][t*K+j] = 0.5, 1, 1
				}
			}
		}
		p.Weights, p.Means, p.Sigmas = rows(flat[0], K), rows(flat[1], K), rows(flat[2], K)
		p.diagnose()
		rh, es := p.RHat(), p.ESS()
		for kind, got := range [][2]float64{{rh.Weights[k], es.Weights[k]}, {rh.Means[k], es.Means[k]}, {rh.Sigmas[k], es.Sigmas[k]}} {
			if math.Abs(got[0]/rhat-1) > 1e-9 || math.Abs(got[1]/ess-1) > 1e-9 {
				t.Errorf("case %d, parameter kind %d: R̂ %.12f, ESS %.12f; want %.12f, %.12f", i, kind, got[0], got[1], rhat, ess)
			}
		}
		if r := rh.Means[(k+1)%K]; r != 1 {
			t.Errorf("case %d: R̂ of a constant parameter is %v, want 1", i, r)
		}
	}
}

func readFloats(t *testing.T, path string) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var x []float64
	for _, f := range strings.Fields(string(b)) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatal(err)
		}
		x = append(x, v)
	}
	return x
}
