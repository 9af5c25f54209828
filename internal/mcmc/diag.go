package mcmc

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/stat/distuv"
)

// The diagnostics of Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021),
// "Rank-normalization, folding, and localization: an improved R̂ for
// assessing convergence of MCMC", Bayesian Analysis 16(2), 667–718.
//
// Each takes the draws of one scalar quantity from m chains of equal length
// n, concatenated: chain c is x[c·n : (c+1)·n]. Each chain is split into
// halves (dropping the middle draw when n is odd), and the draws are
// rank-normalised: replaced by z = Φ⁻¹((r − 3/8)/(S + 1/4)), with r their
// rank among all S draws (ties get their average rank).

// RHat returns the rank-normalised split-R̂ of Vehtari et al. (2021): the
// larger of the split-R̂ of the rank-normalised draws and of the
// rank-normalised folded draws |x − median x|. R̂ is near 1 when the chains
// agree; above 1.01 they have not mixed. It returns 1 for constant draws and
// NaN if a split chain would have fewer than 2 draws or a draw is not
// finite.
func RHat(x []float64, chains int) float64 {
	halves, ok := split(x, chains)
	if !ok || len(halves[0]) < 2 {
		return math.NaN()
	}
	if constant(x) {
		return 1
	}
	bulk := rhat(zscale(halves))
	med := median(x)
	folded := make([]float64, len(x))
	for i, v := range x {
		folded[i] = math.Abs(v - med)
	}
	fh, _ := split(folded, chains)
	return max(bulk, rhat(zscale(fh)))
}

// BulkESS returns the bulk effective sample size of Vehtari et al. (2021):
// the effective sample size of the rank-normalised split chains, from their
// autocorrelations combined across chains and truncated by Geyer's (1992)
// initial monotone sequence. It returns the number of draws for constant
// draws and NaN if a split chain would have fewer than 3 draws or a draw is
// not finite.
func BulkESS(x []float64, chains int) float64 {
	halves, ok := split(x, chains)
	if !ok || len(halves[0]) < 3 {
		return math.NaN()
	}
	if constant(x) {
		return float64(len(halves) * len(halves[0]))
	}
	return ess(zscale(halves))
}

// split returns the halves of each chain, sharing memory with x, and false
// if x is not finite or cannot be cut into chains.
func split(x []float64, chains int) ([][]float64, bool) {
	if chains < 1 || len(x)%chains != 0 || len(x) == 0 {
		return nil, false
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	n := len(x) / chains
	h := n / 2
	out := make([][]float64, 0, 2*chains)
	for c := range chains {
		ch := x[c*n : (c+1)*n]
		out = append(out, ch[:h], ch[n-h:])
	}
	return out, true
}

func constant(x []float64) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// zscale returns the rank-normalised draws, in new memory of the same shape.
func zscale(chains [][]float64) [][]float64 {
	h := len(chains[0])
	S := len(chains) * h
	idx := make([]int, S)
	flat := make([]float64, S)
	for c, ch := range chains {
		copy(flat[c*h:], ch)
	}
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case flat[a] < flat[b]:
			return -1
		case flat[a] > flat[b]:
			return 1
		}
		return 0
	})
	z := make([]float64, S)
	for i := 0; i < S; {
		j := i + 1
		for j < S && flat[idx[j]] == flat[idx[i]] {
			j++
		}
		// Ranks i+1 … j share their average.
		r := float64(i+1+j) / 2
		v := distuv.UnitNormal.Quantile((r - 0.375) / (float64(S) + 0.25))
		for t := i; t < j; t++ {
			z[idx[t]] = v
		}
		i = j
	}
	out := make([][]float64, len(chains))
	for c := range out {
		out[c] = z[c*h : (c+1)*h]
	}
	return out
}

// meanVar returns the mean and the sample variance (divided by n − 1).
func meanVar(x []float64) (mean, v float64) {
	for i, t := range x {
		mean += (t - mean) / float64(i+1)
	}
	for _, t := range x {
		v += (t - mean) * (t - mean)
	}
	return mean, v / float64(len(x)-1)
}

// rhat returns the split-R̂ of Gelman et al. (2013) for chains of equal
// length n: sqrt(((n−1)/n · W + B/n) / W), with W the mean of the chains'
// variances and B/n the variance of their means.
func rhat(chains [][]float64) float64 {
	n := float64(len(chains[0]))
	means := make([]float64, len(chains))
	var W float64
	for c, ch := range chains {
		m, v := meanVar(ch)
		means[c] = m
		W += v
	}
	W /= float64(len(chains))
	_, B := meanVar(means) // B/n
	return math.Sqrt(((n-1)/n*W + B) / W)
}

// ess returns the multi-chain effective sample size of Vehtari et al.
// (2021), eq. 10–11, with the autocorrelation ρ_t = 1 − (W − mean of the
// chains' autocovariances at lag t)/var⁺ and Geyer's initial monotone
// sequence, in the form of the posterior R package.
func ess(chains [][]float64) float64 {
	m := len(chains)
	n := len(chains[0])
	acov := make([]float64, n) // the mean over chains of the autocovariance
	means := make([]float64, m)
	ac := newAutocov(n)
	for c, ch := range chains {
		means[c] = ac.add(ch, acov)
	}
	for t := range acov {
		acov[t] /= float64(m)
	}
	fn := float64(n)
	W := acov[0] * fn / (fn - 1)
	varPlus := W * (fn - 1) / fn
	if m > 1 {
		_, b := meanVar(means)
		varPlus += b
	}
	rho := make([]float64, n+2)
	rho[0] = 1
	rhoEven, rhoOdd := 1.0, 1-(W-acov[1])/varPlus
	rho[1] = rhoOdd
	t := 0
	for t < n-5 && !math.IsNaN(rhoEven+rhoOdd) && rhoEven+rhoOdd > 0 {
		t += 2
		rhoEven = 1 - (W-acov[t])/varPlus
		rhoOdd = 1 - (W-acov[t+1])/varPlus
		if rhoEven+rhoOdd >= 0 {
			rho[t], rho[t+1] = rhoEven, rhoOdd
		}
	}
	maxT := t
	if rhoEven > 0 {
		rho[maxT] = rhoEven
	}
	for t = 2; t <= maxT-2; t += 2 {
		if rho[t]+rho[t+1] > rho[t-2]+rho[t-1] {
			rho[t] = (rho[t-2] + rho[t-1]) / 2
			rho[t+1] = rho[t]
		}
	}
	tau := -1 + rho[maxT]
	for _, r := range rho[:maxT] {
		tau += 2 * r
	}
	S := float64(m * n)
	tau = max(tau, 1/math.Log10(S))
	return S / tau
}

// autocov computes biased autocovariances, Σ_{i<n−t} (x_i − x̄)(x_{i+t} − x̄)/n,
// by a fast Fourier transform of the zero-padded series.
type autocov struct {
	n    int
	fft  *fourier.FFT
	buf  []float64
	coef []complex128
}

func newAutocov(n int) *autocov {
	size := 2 * goodSize(n)
	return &autocov{
		n: n, fft: fourier.NewFFT(size),
		buf: make([]float64, size), coef: make([]complex128, size/2+1),
	}
}

// add adds the autocovariances of x to dst and returns the mean of x.
func (a *autocov) add(x, dst []float64) float64 {
	var mean float64
	for i, v := range x {
		mean += (v - mean) / float64(i+1)
	}
	clear(a.buf)
	for i, v := range x {
		a.buf[i] = v - mean
	}
	a.fft.Coefficients(a.coef, a.buf)
	for i, c := range a.coef {
		a.coef[i] = complex(real(c)*real(c)+imag(c)*imag(c), 0)
	}
	a.fft.Sequence(a.buf, a.coef)
	// gonum's inverse transform is unnormalised: divide by the size.
	s := 1 / (float64(len(a.buf)) * float64(a.n))
	for t := range dst {
		dst[t] += a.buf[t] * s
	}
	return mean
}

// goodSize returns the smallest integer ≥ n whose only prime factors are 2,
// 3 and 5.
func goodSize(n int) int {
	for n = max(n, 1); ; n++ {
		m := n
		for _, p := range []int{2, 3, 5} {
			for m%p == 0 {
				m /= p
			}
		}
		if m == 1 {
			return n
		}
	}
}
