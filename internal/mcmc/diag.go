package mcmc

import (
	"cmp"
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
// NaN if a split chain would have fewer than 3 draws or a draw is NaN.
// Infinite draws are ranked like any other.
func RHat(x []float64, chains int) float64 {
	r, _ := NewDiagnostics(chains, len(x)/max(chains, 1)).Compute(x)
	return r
}

// BulkESS returns the bulk effective sample size of Vehtari et al. (2021):
// the effective sample size of the rank-normalised split chains, from their
// autocorrelations combined across chains and truncated by Geyer's (1992)
// initial monotone sequence. It returns the number of draws for constant
// draws and NaN if a split chain would have fewer than 3 draws or a draw is
// NaN.
func BulkESS(x []float64, chains int) float64 {
	_, e := NewDiagnostics(chains, len(x)/max(chains, 1)).Compute(x)
	return e
}

// Diagnostics computes RHat and BulkESS for draws of a fixed shape, chains
// chains of n draws each, and shares among them the normal quantiles of the
// ranks and the buffers. It is for one goroutine at a time.
type Diagnostics struct {
	chains, n, h int
	q            []float64 // q[r−1] = Φ⁻¹((r − 3/8)/(S + 1/4)) for the ranks r = 1 … S
	byValue      []ranked  // the kept draws in increasing order
	byFold       []ranked  // the same, folded, in increasing order
	z            []float64
	halves       [][]float64
	ac           *autocov
}

// ranked is a kept draw, or its folded value, and its place among the kept
// draws.
type ranked struct {
	v float64
	i int
}

// NewDiagnostics returns a Diagnostics for chains chains of n draws.
func NewDiagnostics(chains, n int) *Diagnostics {
	d := &Diagnostics{chains: chains, n: n, h: n / 2}
	if chains < 1 || d.h < 3 {
		return d
	}
	S := 2 * chains * d.h
	d.q = make([]float64, S)
	for r := range d.q {
		d.q[r] = distuv.UnitNormal.Quantile((float64(r+1) - 0.375) / (float64(S) + 0.25))
	}
	d.byValue = make([]ranked, S)
	d.byFold = make([]ranked, S)
	d.z = make([]float64, S)
	d.halves = make([][]float64, 2*chains)
	for j := range d.halves {
		d.halves[j] = d.z[j*d.h : (j+1)*d.h]
	}
	d.ac = newAutocov(d.h)
	return d
}

// Compute returns R̂ and the bulk ESS of the draws x, which must hold
// chains·n values, chain after chain. Each chain is cut in two, dropping
// its middle draw when n is odd; the folded draws are |x − m| with m the
// median of the kept draws.
func (d *Diagnostics) Compute(x []float64) (rhat, ess float64) {
	if d.q == nil || len(x) != d.chains*d.n {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		if math.IsNaN(v) {
			return math.NaN(), math.NaN()
		}
	}
	if constant(x) {
		return 1, float64(len(d.q))
	}
	h, n := d.h, d.n
	k := 0
	for c := range d.chains {
		ch := x[c*n : (c+1)*n]
		for _, v := range ch[:h] {
			d.byValue[k] = ranked{v, k}
			k++
		}
		for _, v := range ch[n-h:] {
			d.byValue[k] = ranked{v, k}
			k++
		}
	}
	slices.SortFunc(d.byValue, func(a, b ranked) int { return cmp.Compare(a.v, b.v) })
	d.normalise(d.byValue)
	rhat = rhatOf(d.halves)
	ess = essOf(d.halves, d.ac)

	// Folding keeps the order on each side of the median, so the folded
	// draws in increasing order are a merge of the two sides.
	S := len(d.byValue)
	var med float64
	if S%2 == 1 {
		med = d.byValue[S/2].v
	} else {
		med = (d.byValue[S/2-1].v + d.byValue[S/2].v) / 2
	}
	m, _ := slices.BinarySearchFunc(d.byValue, med, func(a ranked, t float64) int { return cmp.Compare(a.v, t) })
	l, r := m-1, m
	for j := range d.byFold {
		if r >= S || l >= 0 && gap(d.byValue[l].v, med) <= gap(med, d.byValue[r].v) {
			d.byFold[j] = ranked{gap(d.byValue[l].v, med), d.byValue[l].i}
			l--
		} else {
			d.byFold[j] = ranked{gap(med, d.byValue[r].v), d.byValue[r].i}
			r++
		}
	}
	d.normalise(d.byFold)
	return max(rhat, rhatOf(d.halves)), ess
}

// gap returns b − a for a ≤ b, and 0 for a = b even when both are
// infinite.
func gap(a, b float64) float64 {
	if a == b {
		return 0
	}
	return b - a
}

// normalise sets d.z, and so d.halves, to the rank-normalised values of
// the sorted draws s: each is replaced by the normal quantile of its rank,
// ties taking their average rank.
func (d *Diagnostics) normalise(s []ranked) {
	S := float64(len(s))
	for a := 0; a < len(s); {
		b := a + 1
		for b < len(s) && s[b].v == s[a].v {
			b++
		}
		if b == a+1 {
			d.z[s[a].i] = d.q[a]
		} else {
			// Ranks a+1 … b share their average.
			r := float64(a+1+b) / 2
			v := distuv.UnitNormal.Quantile((r - 0.375) / (S + 0.25))
			for _, t := range s[a:b] {
				d.z[t.i] = v
			}
		}
		a = b
	}
}

func constant(x []float64) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
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

// rhatOf returns the split-R̂ of Gelman et al. (2013) for chains of equal
// length n: sqrt(((n−1)/n · W + B/n) / W), with W the mean of the chains'
// variances and B/n the variance of their means.
func rhatOf(chains [][]float64) float64 {
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

// essOf returns the multi-chain effective sample size of Vehtari et al.
// (2021), eq. 10–11, with the autocorrelation ρ_t = 1 − (W − mean of the
// chains' autocovariances at lag t)/var⁺ and Geyer's initial monotone
// sequence, in the form of the posterior R package.
func essOf(chains [][]float64, ac *autocov) float64 {
	m := len(chains)
	n := len(chains[0])
	acov := make([]float64, n) // the mean over chains of the autocovariance
	means := make([]float64, m)
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
