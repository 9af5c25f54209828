package mvcov

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// The matrices below are d×d, stored row-major and in full in a []float64.

func symView(a []float64, d int) blas64.Symmetric {
	return blas64.Symmetric{Uplo: blas.Upper, N: d, Stride: d, Data: a}
}

func genView(a []float64, d int) blas64.General {
	return blas64.General{Rows: d, Cols: d, Stride: d, Data: a}
}

// smallMul is the largest d for which mul and mulTrans use plain loops:
// below it BLAS's checks and dispatch cost more than the arithmetic.
const smallMul = 16

// mul sets c = a·b.
func mul(c, a, b []float64, d int) {
	if d > smallMul {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, genView(a, d), genView(b, d), 0, genView(c, d))
		return
	}
	c = c[:d*d]
	clear(c)
	for i := range d {
		ci := c[i*d : (i+1)*d]
		for l, ail := range a[i*d : (i+1)*d] {
			for j, blj := range b[l*d : (l+1)*d] {
				ci[j] += ail * blj
			}
		}
	}
}

// mulTrans sets c = aᵀ·b.
func mulTrans(c, a, b []float64, d int) {
	if d > smallMul {
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, genView(a, d), genView(b, d), 0, genView(c, d))
		return
	}
	c = c[:d*d]
	clear(c)
	for l := range d {
		bl := b[l*d : (l+1)*d]
		for i, ali := range a[l*d : (l+1)*d] {
			ci := c[i*d : (i+1)*d]
			for j, blj := range bl {
				ci[j] += ali * blj
			}
		}
	}
}

// eigen sets vec to the eigenvectors of the symmetric a (as columns) and val
// to its eigenvalues in ascending order, by the Jacobi method for d up to
// smallEig and LAPACK's Dsyev above. It reports false if either failed to
// converge.
func (ws *Workspace) eigen(val, vec, a []float64) bool {
	if ws.d <= smallEig {
		return jacobiEigen(val, vec, a, ws.sm, ws.d)
	}
	copy(vec, a)
	return lapack64.Syev(lapack.EVCompute, symView(vec, ws.d), val, ws.work, len(ws.work))
}

// maxEigen returns the largest eigenvalue of the symmetric a.
func (ws *Workspace) maxEigen(a []float64) float64 {
	if ws.d <= smallEig {
		if !jacobiEigen(ws.sv, nil, a, ws.sm, ws.d) {
			return math.NaN()
		}
		return ws.sv[ws.d-1]
	}
	copy(ws.m1, a)
	if !lapack64.Syev(lapack.EVNone, symView(ws.m1, ws.d), ws.sv, ws.work, len(ws.work)) {
		return math.NaN()
	}
	return ws.sv[ws.d-1]
}

// cholesky factors a copy of the symmetric a into ws.m1 (upper triangle)
// and returns log det a and the squared ratio of the smallest to the largest
// diagonal entry of the factor, an estimate of the reciprocal condition
// number that mclust compares with the machine epsilon. ok is false if a is
// not numerically positive definite.
func (ws *Workspace) cholesky(a []float64) (logdet, rcond float64, ok bool) {
	d := ws.d
	copy(ws.m1, a)
	if d <= smallEig {
		if !choleskyUpper(ws.m1, d) {
			return 0, 0, false
		}
	} else if _, ok := lapack64.Potrf(symView(ws.m1, d)); !ok {
		return 0, 0, false
	}
	lo, hi := math.Inf(1), 0.0
	for i := range d {
		r := ws.m1[i*d+i]
		logdet += 2 * math.Log(r)
		lo, hi = min(lo, r), max(hi, r)
	}
	return logdet, (lo / hi) * (lo / hi), true
}

// rcond returns the estimate of the reciprocal condition number of the
// symmetric a that cholesky returns, without the determinant; ok is false
// if a is not numerically positive definite. If diagonal is set, a must be
// diagonal, and the factor's diagonal is then √a_ii, which is what the
// factorisation computes from a diagonal matrix, bit for bit.
func (ws *Workspace) rcond(a []float64, diagonal bool) (rcond float64, ok bool) {
	d := ws.d
	var r []float64
	step := d + 1
	switch {
	case diagonal:
		r = a
	case d <= smallEig:
		copy(ws.m1, a)
		if !choleskyUpper(ws.m1, d) {
			return 0, false
		}
		r = ws.m1
	default:
		_, rcond, ok := ws.cholesky(a)
		return rcond, ok
	}
	lo, hi := math.Inf(1), 0.0
	for i := 0; i < d*d; i += step {
		v := r[i]
		if diagonal {
			if !(v > 0) {
				return 0, false
			}
			v = math.Sqrt(v)
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	return (lo / hi) * (lo / hi), true
}

// inverse sets dst to the inverse of the positive definite a and returns
// log det a; ok is false if a is not numerically positive definite.
func (ws *Workspace) inverse(dst, a []float64) (logdet float64, ok bool) {
	d := ws.d
	logdet, _, ok = ws.cholesky(a)
	if !ok {
		return 0, false
	}
	if d <= smallEig {
		invertCholesky(dst, ws.m1, d)
		return logdet, true
	}
	t := blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: d, Stride: d, Data: ws.m1}
	if _, ok := lapack64.Potri(t); !ok {
		return 0, false
	}
	for i := range d {
		for j := i; j < d; j++ {
			dst[i*d+j] = ws.m1[i*d+j]
			dst[j*d+i] = ws.m1[i*d+j]
		}
	}
	return logdet, true
}

// invertCholesky sets dst to a⁻¹ = U⁻¹U⁻ᵀ from the factor U of a = UᵀU in
// the upper triangle of u, which it overwrites with U⁻¹, as LAPACK's Dpotri
// (Dtrti2 and Dlauu2) but without their checks and dispatch, which cost
// more than the arithmetic for d ≤ smallEig. U⁻¹ goes column by column,
// each from the inverse of the leading block found before it, as Dtrti2:
// (U⁻¹)_jj = 1/u_jj and, for i < j, (U⁻¹)_ij = −(U⁻¹)_jj Σ_{i≤m<j}
// (U⁻¹)_im u_mj, row by row down, so that the u_mj read are not yet
// overwritten.
func invertCholesky(dst, u []float64, d int) {
	for j := range d {
		ajj := 1 / u[j*d+j]
		u[j*d+j] = ajj
		for i := range j {
			var s float64
			for m := i; m < j; m++ {
				s += u[i*d+m] * u[m*d+j]
			}
			u[i*d+j] = -ajj * s
		}
	}
	// dst_ij = Σ_{m ≥ max(i,j)} (U⁻¹)_im (U⁻¹)_jm.
	for i := range d {
		for j := i; j < d; j++ {
			var s float64
			for m := j; m < d; m++ {
				s += u[i*d+m] * u[j*d+m]
			}
			dst[i*d+j], dst[j*d+i] = s, s
		}
	}
}

// polar sets q to the orthogonal polar factor U Vᵀ of g = U S Vᵀ, the
// orthogonal matrix that maximises tr(gᵀq) (ten Berge 1983), by the
// one-sided Jacobi SVD for d up to smallEig (polarJacobi) and LAPACK's
// Dgesvd above. g is overwritten. It reports false if either failed to
// converge.
func (ws *Workspace) polar(q, g []float64) bool {
	d := ws.d
	if d <= smallEig {
		return polarJacobi(q, g, ws.sm, d)
	}
	ok := lapack64.Gesvd(lapack.SVDAll, lapack.SVDAll, genView(g, d), genView(ws.u, d), genView(ws.vt, d),
		ws.sv, ws.work, len(ws.work))
	if ok {
		mul(q, ws.u, ws.vt, d)
	}
	return ok
}

// choleskyUpper overwrites the upper triangle of the symmetric d×d matrix
// a, which it reads, with the factor U of a = UᵀU, as LAPACK's Dpotf2
// (Golub & Van Loan 2013, Algorithm 4.2.2, by rows): u_ij = (a_ij −
// Σ_{k<i} u_ki u_kj)/u_ii, u_ii = √(a_ii − Σ_{k<i} u_ki²). It leaves the
// lower triangle as it is, and reports false if a is not numerically
// positive definite (a pivot is not positive, or NaN). Used for d ≤
// smallEig, where LAPACK's checks and dispatch cost more than the
// arithmetic.
func choleskyUpper(a []float64, d int) bool {
	for i := range d {
		for j := i; j < d; j++ {
			s := a[i*d+j]
			for k := range i {
				s -= a[k*d+i] * a[k*d+j]
			}
			if j == i {
				if !(s > 0) {
					return false
				}
				a[i*d+i] = math.Sqrt(s)
				continue
			}
			a[i*d+j] = s / a[i*d+i]
		}
	}
	return true
}

// geomean returns (Π v_j)^(1/len v) for positive v: from the product
// itself (by root) where it and every partial product lie well inside the
// range of normal numbers, so that each is rounded to within half an ulp,
// which costs one root where the logarithms cost one per value; through
// logarithms otherwise.
func geomean(v []float64) float64 {
	prod := 1.0
	for _, x := range v {
		if prod *= x; !(prod > 0x1p-900 && prod < 0x1p900) {
			return geomeanLog(v)
		}
	}
	return root(prod, float64(len(v)))
}

// geomeanLog returns (Π v_j)^(1/len v) for positive v through logarithms.
func geomeanLog(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += math.Log(x)
	}
	return math.Exp(s / float64(len(v)))
}

// trace returns the trace of the d×d matrix a.
func trace(a []float64, d int) float64 {
	var s float64
	for i := range d {
		s += a[i*d+i]
	}
	return s
}

// trProd returns tr(a·b) for symmetric a and b.
func trProd(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// relChange returns max_i |a_i − b_i| / |b_i| for positive b.
func relChange(a, b []float64) float64 {
	var e float64
	for i, v := range a {
		e = max(e, math.Abs(v-b[i])/b[i])
	}
	return e
}
