// Package mvkernel holds the fused pass behind the mv package's fits: for
// every point the Mahalanobis distance to each component through the
// inverse of the component's Cholesky factor, the point's log density and
// responsibilities, and the component's sufficient statistics, all in one
// sweep over the data.
//
// The points are taken in blocks of Block, transposed so that each
// coordinate of the block is a contiguous row. On amd64 processors with
// AVX2 and FMA, assembly kernels (simd_amd64.s) do the work: one
// transposes the block four points by four coordinates; one centres it on
// μ_k and sums the triangular product L_k⁻¹ z sixteen points at a time in
// registers, squaring as it goes; kernel.Softmax turns the log terms,
// held component by component, into responsibilities four points at a
// time; and one forms v r z_i and the d(d+1)/2 sums Σ v r z_i z_j, four
// rows j at a time, in chains of fused multiply-adds. On 10⁵ points in 10
// dimensions with 5 components (BenchmarkPass, one core) a pass that took
// 54–57 ms with the Go kernels takes 19–25 ms with weighted points and
// 15–16 ms with unweighted ones, measured side by side under load. The Go
// kernels run elsewhere (and with the noasm build tag): the distances as
// d(d+1)/2 scaled additions of rows and the sums as d(d+1)/2 dot products
// of rows, by gonum's kernels (floats.AddScaled, floats.Dot).
//
// From d = 12 on (tileD), the AVX2 distances and sums take three rows at
// a time instead of one: the distances of sixteen points to three rows of
// L_k⁻¹ in twelve registers, each load of the centred points serving three
// rows; the sums Σ v r z_i z_j for three rows i and four rows j in twelve
// registers, each load serving three or four products. That is the
// register blocking of a matrix product, as the BLAS's Dgemm does it, on
// one block of 128 points. In a pass over 10⁴ points with K = 5 it saves
// about 10% of the CPU time at d = 12 to 50 (0 to 25% from run to run,
// under load) and 40% at d = 100 (BenchmarkPassKernels). gonum's BLAS
// calls on the whole block (Dtrmm for the distances, Dgemm for the sums)
// measured slower than the one-row Go kernels, by 5 to 80%, at d = 50 and
// d = 200 (BenchmarkPass), so they are not used.
//
// HardStats forms the same statistics for a hard partition, the starts of
// a fit, by the same kernels for the sums: each component's points are
// gathered a block at a time and centred on the component's mean.
package mvkernel

import (
	"fmt"
	"math"
)

// log2Pi is log 2π.
const log2Pi = 1.8378770664093454835606594728112352797227949472755668

// Params are a K-component d-dimensional mixture's parameters in the form a
// pass uses. For component k, with Σ_k = L_k L_kᵀ its Cholesky
// factorisation,
//
//	log w_k N(x | μ_k, Σ_k) = c_k − ½ |L_k⁻¹ (x − μ_k)|²,
//	c_k = log w_k − Σ_j log (L_k)_jj − ½ d log 2π.
type Params struct {
	K, D int
	// Mean holds μ_k in row k of a K×D row-major array.
	Mean []float64
	// Inv holds L_k⁻¹, lower triangular, D×D row-major, at k·D·D.
	Inv []float64
	// Const holds c_k.
	Const []float64
	// LogDet holds log det Σ_k.
	LogDet []float64

	chol []float64 // scratch: one Cholesky factor
}

// NewParams returns Params for k components in d dimensions.
func NewParams(k, d int) *Params {
	return &Params{
		K: k, D: d,
		Mean:   make([]float64, k*d),
		Inv:    make([]float64, k*d*d),
		Const:  make([]float64, k),
		LogDet: make([]float64, k),
		chol:   make([]float64, d*d),
	}
}

// NotPDError reports a covariance that is not positive definite.
type NotPDError struct {
	Component int
}

func (e *NotPDError) Error() string {
	return fmt.Sprintf("the covariance of component %d is not positive definite", e.Component)
}

// Set fills p from the weights w (length K), the means (K×D row-major) and
// the covariances, each D×D row-major of which only the lower triangle is
// read. A component with weight 0 has c_k = −Inf. It returns a *NotPDError
// naming the first component whose covariance has no Cholesky factor with
// a positive, finite diagonal, and then p is unusable.
func (p *Params) Set(w, mean []float64, cov [][]float64) error {
	d := p.D
	copy(p.Mean, mean)
	for k := range p.K {
		logDet, ok := Cholesky(p.chol, cov[k], d)
		if !ok {
			return &NotPDError{Component: k}
		}
		invertLower(p.Inv[k*d*d:(k+1)*d*d], p.chol, d)
		p.LogDet[k] = logDet
		p.Const[k] = math.Log(w[k]) - 0.5*logDet - 0.5*float64(d)*log2Pi
	}
	return nil
}

// SetFactor fills p as Set does, from the logarithms of the weights,
// logW (K), the means, the lower Cholesky factors L_k of the covariances
// themselves, K of them d×d row-major in chol (at k·D·D), of which only the
// lower triangles are read, and their log determinants logDet (K), log det
// Σ_k = 2 Σ_j log (L_k)_jj: for a caller that holds the covariances in
// factored form and these logarithms as parameters, it spares the
// factorisation of each Σ_k = L_k L_kᵀ, which gives L_k back only to
// rounding, and the logarithms. A logW of −Inf is a weight of 0. It
// returns a *NotPDError naming the first component whose factor has an
// entry that is not finite or a diagonal entry that is not positive, or
// whose logW is NaN or +Inf or logDet not finite, and then p is unusable.
func (p *Params) SetFactor(logW, mean, chol, logDet []float64) error {
	d := p.D
	copy(p.Mean, mean)
	for k := range p.K {
		l := chol[k*d*d : (k+1)*d*d]
		if !validFactor(l, d) || math.IsNaN(logW[k]) || math.IsInf(logW[k], 1) ||
			math.IsNaN(logDet[k]) || math.IsInf(logDet[k], 0) {
			return &NotPDError{Component: k}
		}
		invertLower(p.Inv[k*d*d:(k+1)*d*d], l, d)
		p.LogDet[k] = logDet[k]
		p.Const[k] = logW[k] - 0.5*logDet[k] - 0.5*float64(d)*log2Pi
	}
	return nil
}

// validFactor reports whether the lower triangle of the d×d l is finite
// with a positive diagonal.
func validFactor(l []float64, d int) bool {
	for a := range d {
		for _, v := range l[a*d : a*d+a] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
		if v := l[a*d+a]; !(v > 0) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// Cholesky sets l (d×d row-major) to the lower Cholesky factor of the
// symmetric matrix a, of which only the lower triangle is read, and
// returns log det a = 2 Σ_j log l_jj. It reports false if a is not
// numerically positive definite: a pivot that is not positive and finite.
func Cholesky(l, a []float64, d int) (logDet float64, ok bool) {
	if !Factor(l, a, d) {
		return 0, false
	}
	for j := range d {
		logDet += 2 * math.Log(l[j*d+j])
	}
	return logDet, !math.IsInf(logDet, 0) && !math.IsNaN(logDet)
}

// Factor is Cholesky without the determinant, for callers that need only
// the factor: it sets l to the lower Cholesky factor of a and reports
// whether a is numerically positive definite.
func Factor(l, a []float64, d int) bool {
	clear(l[:d*d])
	for j := range d {
		s := a[j*d+j]
		lj := l[j*d : j*d+j]
		for _, v := range lj {
			s -= v * v
		}
		if !(s > 0) || math.IsInf(s, 0) {
			return false
		}
		ljj := math.Sqrt(s)
		l[j*d+j] = ljj
		for i := j + 1; i < d; i++ {
			t := a[i*d+j]
			li := l[i*d : i*d+j]
			for m, v := range lj {
				t -= li[m] * v
			}
			l[i*d+j] = t / ljj
		}
	}
	return true
}

// invertLower sets inv (d×d row-major) to the inverse of the lower
// triangular l, by forward substitution column by column.
func invertLower(inv, l []float64, d int) {
	clear(inv[:d*d])
	for c := range d {
		inv[c*d+c] = 1 / l[c*d+c]
		for i := c + 1; i < d; i++ {
			var s float64
			for m := c; m < i; m++ {
				s += l[i*d+m] * inv[m*d+c]
			}
			inv[i*d+c] = -s / l[i*d+i]
		}
	}
}

// InvertLower sets inv (d×d row-major) to the inverse of the lower
// triangular l.
func InvertLower(inv, l []float64, d int) { invertLower(inv, l, d) }
