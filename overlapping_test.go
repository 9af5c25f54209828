package gmm_test

import (
	"bufio"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/internal/benchdata"
)

// TestFitOverlappingML fits 10 components by EM, by maximum likelihood, to
// 10^5 points drawn from benchdata.Overlapping(10), whose components overlap
// heavily (three of them lie within 0.9 of one another with standard
// deviations of 1 to 1.4), and checks that Fit returns a fit, with no
// component on the σ floor, at least as likely as scikit-learn's best of ten
// k-means initialisations, at its defaults and run to a tolerance of 1e-6
// (testdata/sklearn_overlapping.txt, written by sklearn_overlapping.py
// beside it). The screening sample of
// these data holds a few points close enough together for a narrow
// component to be a local maximum there, which every run of the search
// took and which on all the data collapses onto the floor: Fit used to
// return its degenerate-fit error here.
func TestFitOverlappingML(t *testing.T) {
	if testing.Short() {
		t.Skip("a fit of 10^5 points, about 10 s")
	}
	const K, n = 10, 100000
	x, _, err := benchdata.Overlapping(K).Sample(n, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref := readOverlapping(t)
	var sum float64
	for _, v := range x {
		sum += v
	}
	// The reference's sum is numpy's, summed in another order: 10^5
	// positive values agree to n·ε ≈ 2e-11 relative. Other points, drawn
	// from another stream, would differ by about sd·√n ≈ 3600, some 1e-3
	// relative.
	if math.Abs(sum-ref["sum"][0]) > 1e-9*math.Abs(sum) {
		t.Fatalf("the points' sum is %.10f, the reference's %.10f: the sample is not the one scikit-learn fitted; rerun testdata/sklearn_overlapping.py", sum, ref["sum"][0])
	}
	m := &gmm.Model{K: K}
	if _, err := m.Fit(x, &gmm.Settings{Method: gmm.EM}); err != nil {
		t.Fatalf("Fit: %v", err)
	}
	// The floor is SigmaFloor (by default 1e-3) times the robust spread;
	// a collapsed component sits on it to 1e-9 relative (degenerateRel
	// in problem.go), so a σ_k 1% above it is clear of it.
	floor := 1e-3 * iqrSpread(x)
	for k, s := range m.Sigmas {
		if !(s > 1.01*floor) {
			t.Errorf("component %d: σ = %g, on the floor %g", k, s, floor)
		}
	}
	ll, err := m.LogLikelihood(x)
	if err != nil {
		t.Fatal(err)
	}
	// Both log-likelihoods are sums of 10^5 terms in float64, which agree
	// to about 1e-10 relative: far less than any difference of fits.
	for _, name := range []string{"defaults", "tight"} {
		sk := ref[name][0]
		if ll < sk-1e-10*math.Abs(sk) {
			t.Errorf("log-likelihood %.6f, below scikit-learn's %.6f (%s)", ll, sk, name)
		}
		t.Logf("log-likelihood %.6f; scikit-learn's %.6f (%s)", ll, sk, name)
	}
}

// readOverlapping reads testdata/sklearn_overlapping.txt: rows of a name
// and numbers (true and false read as 1 and 0).
func readOverlapping(t *testing.T) map[string][]float64 {
	t.Helper()
	f, err := os.Open("testdata/sklearn_overlapping.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		for _, s := range fs[1:] {
			switch s {
			case "True":
				s = "1"
			case "False":
				s = "0"
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: %v", fs[0], err)
			}
			out[fs[0]] = append(out[fs[0]], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sum", "defaults", "tight"} {
		if len(out[k]) == 0 {
			t.Fatalf("testdata/sklearn_overlapping.txt has no row %q", k)
		}
	}
	return out
}

// iqrSpread returns the interquartile range of x over 2Φ⁻¹(3/4), with the
// quantiles interpolated linearly between order statistics (type 7 of
// Hyndman & Fan 1996): Fit's robust spread where, as here, it is positive.
func iqrSpread(x []float64) float64 {
	s := slices.Sorted(slices.Values(x))
	q := func(p float64) float64 {
		h := p * float64(len(s)-1)
		i := int(h)
		if i+1 >= len(s) {
			return s[len(s)-1]
		}
		return s[i] + (h-float64(i))*(s[i+1]-s[i])
	}
	return (q(0.75) - q(0.25)) / (2 * math.Sqrt2 * math.Erfinv(0.5))
}
