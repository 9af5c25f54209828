package mvcov

import (
	"math"
	"slices"
)

// smallEig is the largest d for which eigen, maxEigen and polar use the
// Jacobi methods below instead of LAPACK's Dsyev and Dgesvd. For such small
// matrices LAPACK's blocking, its queries of block sizes and its
// bidiagonalisation cost far more than the rotations themselves: on iris's
// four columns (d = 4) they took most of the time of the EVE and VVE
// M-steps.
const smallEig = 8

// maxSweeps bounds the sweeps of the Jacobi methods. Both converge
// quadratically once the off-diagonal part is small; for d ≤ smallEig they
// take about 4 to 8 sweeps to reach rounding.
const maxSweeps = 50

// jacobiEigen sets val to the eigenvalues of the symmetric d×d matrix a in
// ascending order and, if vec is not nil, the columns of vec to their
// orthonormal eigenvectors, by the cyclic Jacobi method (Golub & Van Loan
// 2013, "Matrix Computations", 4th ed., section 8.5.2 and Algorithm 8.5.3):
// a plane rotation J in the plane (p, q) with tan θ = t, the smaller root of
// t² + 2τt − 1 = 0 for τ = (a_qq − a_pp)/(2a_pq), zeroes a_pq in JᵀAJ. A
// rotation is skipped where |a_pq| ≤ ε·√|a_pp·a_qq| (ε the machine epsilon),
// which keeps the small eigenvalues' relative accuracy (Demmel & Veselić
// 1992), and the sweeps stop when one makes no rotation. w is d×d scratch;
// a is not modified. It reports false if maxSweeps sweeps do not converge
// or a is not finite.
func jacobiEigen(val, vec, a, w []float64, d int) bool {
	if d == 4 {
		return jacobiEigen4(val, vec, a)
	}
	return jacobiEigenN(val, vec, a, w, d)
}

// jacobiEigenN is jacobiEigen for any d.
func jacobiEigenN(val, vec, a, w []float64, d int) bool {
	w = w[:d*d]
	copy(w, a[:d*d])
	if vec != nil {
		clear(vec[:d*d])
		for i := range d {
			vec[i*d+i] = 1
		}
	}
	converged := false
	for range maxSweeps {
		rotated := false
		for p := 0; p < d-1; p++ {
			for q := p + 1; q < d; q++ {
				apq := w[p*d+q]
				app, aqq := w[p*d+p], w[q*d+q]
				if negligible(apq, app, aqq) {
					continue
				}
				if math.IsNaN(apq) || math.IsInf(apq, 0) {
					return false
				}
				rotated = true
				c, s := symSchur2(app, aqq, apq)
				// A ← JᵀAJ, which changes rows and columns p and q only:
				// the entries off the 2×2 block as columns p and q of
				// rotateCols, mirrored, and the block itself in closed
				// form, its off-diagonal entry zero by the choice of J.
				for i := range d {
					if i == p || i == q {
						continue
					}
					x, y := w[i*d+p], w[i*d+q]
					x, y = c*x-s*y, s*x+c*y
					w[i*d+p], w[i*d+q], w[p*d+i], w[q*d+i] = x, y, x, y
				}
				cc, ss, cs2 := c*c, s*s, 2*c*s*apq
				w[p*d+p] = cc*app - cs2 + ss*aqq
				w[q*d+q] = ss*app + cs2 + cc*aqq
				w[p*d+q], w[q*d+p] = 0, 0
				if vec != nil {
					rotateCols(vec, d, p, q, c, s)
				}
			}
		}
		if !rotated {
			converged = true
			break
		}
	}
	if !converged {
		return false
	}
	for i := range d {
		val[i] = w[i*d+i]
		if math.IsNaN(val[i]) || math.IsInf(val[i], 0) {
			return false
		}
	}
	// Insertion sort, ascending, moving the eigenvectors along.
	for i := 1; i < d; i++ {
		for j := i; j > 0 && val[j] < val[j-1]; j-- {
			val[j], val[j-1] = val[j-1], val[j]
			if vec != nil {
				for r := range d {
					vec[r*d+j], vec[r*d+j-1] = vec[r*d+j-1], vec[r*d+j]
				}
			}
		}
	}
	return true
}

// pairs4 lists the planes (p, q) of a sweep for d = 4 in jacobiEigenN's
// order, each with the two other indices in increasing order.
var pairs4 = [6][4]int{{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}, {1, 2, 0, 3}, {1, 3, 0, 2}, {2, 3, 0, 1}}

// jacobiEigen4 is jacobiEigenN for d = 4, the iris case, with the same
// operations in the same order and so the same results bit for bit
// (TestJacobiEigen4SameBits), on arrays whose constant size spares the
// bounds checks, and without the tests of which rows a rotation skips.
func jacobiEigen4(val, vec, a []float64) bool {
	var w, v [16]float64
	copy(w[:], a[:16])
	v[0], v[5], v[10], v[15] = 1, 1, 1, 1
	converged := false
	for range maxSweeps {
		rotated := false
		for _, pq := range &pairs4 {
			p, q, i0, i1 := pq[0]&3, pq[1]&3, pq[2]&3, pq[3]&3
			apq := w[p*4+q]
			app, aqq := w[p*4+p], w[q*4+q]
			if negligible(apq, app, aqq) {
				continue
			}
			if math.IsNaN(apq) || math.IsInf(apq, 0) {
				return false
			}
			rotated = true
			c, s := symSchur2(app, aqq, apq)
			for _, i := range [2]int{i0, i1} {
				x, y := w[i*4+p], w[i*4+q]
				x, y = c*x-s*y, s*x+c*y
				w[i*4+p], w[i*4+q], w[p*4+i], w[q*4+i] = x, y, x, y
			}
			cc, ss, cs2 := c*c, s*s, 2*c*s*apq
			w[p*4+p] = cc*app - cs2 + ss*aqq
			w[q*4+q] = ss*app + cs2 + cc*aqq
			w[p*4+q], w[q*4+p] = 0, 0
			for i := range 4 {
				x, y := v[i*4+p], v[i*4+q]
				v[i*4+p], v[i*4+q] = c*x-s*y, s*x+c*y
			}
		}
		if !rotated {
			converged = true
			break
		}
	}
	if !converged {
		return false
	}
	var e [4]float64
	for i := range 4 {
		e[i] = w[i*4+i]
		if math.IsNaN(e[i]) || math.IsInf(e[i], 0) {
			return false
		}
	}
	// Insertion sort, ascending, moving the eigenvectors along.
	for i := 1; i < 4; i++ {
		for j := i; j > 0 && e[j] < e[j-1]; j-- {
			e[j], e[j-1] = e[j-1], e[j]
			for r := range 4 {
				v[r*4+j], v[r*4+j-1] = v[r*4+j-1], v[r*4+j]
			}
		}
	}
	copy(val[:4], e[:])
	if vec != nil {
		copy(vec[:16], v[:])
	}
	return true
}

// negligible reports whether the off-diagonal entry apq of a symmetric
// matrix is negligible against its diagonal entries app and aqq, |apq| ≤
// ε·√|app·aqq| with ε the machine epsilon (see jacobiEigen). Where no
// square below overflows or underflows it compares the squares,
// apq² ≤ ε²·|app·aqq|, which spares the square root: within the range of
// normal numbers the two differ only where the sides agree to rounding.
func negligible(apq, app, aqq float64) bool {
	const eps, lo, hi = 0x1p-52, 0x1p-450, 0x1p450
	if a := math.Abs(apq); a >= lo && a <= hi && math.Abs(app) <= hi && math.Abs(aqq) <= hi {
		return apq*apq <= eps*eps*math.Abs(app*aqq)
	}
	return math.Abs(apq) <= eps*math.Sqrt(math.Abs(app*aqq))
}

// symSchur2 returns the cosine and sine of the rotation that zeroes the
// off-diagonal entry apq of the symmetric 2×2 matrix [app apq; apq aqq]
// (Golub & Van Loan 2013, Algorithm 8.5.1), for apq ≠ 0.
func symSchur2(app, aqq, apq float64) (c, s float64) {
	tau := (aqq - app) / (2 * apq)
	var t float64
	switch {
	case math.Abs(tau) > 0x1p27:
		// A small angle, as in the last sweeps: 1 + τ² rounds to within
		// an ulp of τ², so that t = 1/(2τ) to rounding, and then 1 + t²,
		// t < 2⁻²⁸, rounds to 1, so that c = 1 exactly. This spares the
		// square roots and divisions, and 1 + τ² cannot overflow.
		return 1, 0.5 / tau
	case tau >= 0:
		t = 1 / (tau + math.Sqrt(1+tau*tau))
	default:
		t = -1 / (-tau + math.Sqrt(1+tau*tau))
	}
	c = 1 / math.Sqrt(1+t*t)
	return c, t * c
}

// polarJacobi sets q to an orthogonal polar factor U Vᵀ of the d×d matrix
// g = U S Vᵀ, the orthogonal matrix that maximises tr(gᵀq) (ten Berge 1983),
// by the one-sided Jacobi SVD (Hestenes 1958; Demmel & Veselić 1992): plane
// rotations V on the right make the columns of gV mutually orthogonal
// (those of length below d·ε‖g‖_F excepted, which stand for zero singular
// values), and U is gV with its columns normalised. The columns of U are then
// re-orthonormalised by Gram–Schmidt (twice), largest singular value
// first, and those of singular values at rounding level, where g is rank
// deficient and the polar factor not unique, completed to an orthonormal
// basis. g is overwritten (it becomes U) and v (d×d) is scratch. It reports
// false if the rotations do not converge or g is not finite.
func polarJacobi(q, g, v []float64, d int) bool {
	clear(v[:d*d])
	for i := range d {
		v[i*d+i] = 1
	}
	const eps = 0x1p-52
	// Columns of squared length below tiny are rounding noise of a rank
	// deficient g: rotating them against the others would only stir the
	// noise, whose angle to the other columns does not settle.
	fro := 0.0
	for _, x := range g[:d*d] {
		fro += x * x
	}
	tiny := float64(d*d) * eps * eps * fro
	converged := false
	for range maxSweeps {
		rotated := false
		for p := 0; p < d-1; p++ {
			for r := p + 1; r < d; r++ {
				var alpha, beta, gamma float64
				for i := range d {
					x, y := g[i*d+p], g[i*d+r]
					alpha += x * x
					beta += y * y
					gamma += x * y
				}
				if math.IsNaN(gamma) || math.IsInf(gamma, 0) {
					return false
				}
				if math.Abs(gamma) <= eps*math.Sqrt(alpha*beta) || min(alpha, beta) <= tiny {
					continue
				}
				rotated = true
				c, s := symSchur2(alpha, beta, gamma)
				rotateCols(g, d, p, r, c, s)
				rotateCols(v, d, p, r, c, s)
			}
		}
		if !rotated {
			converged = true
			break
		}
	}
	if !converged {
		return false
	}
	var idx [smallEig]int
	var norm [smallEig]float64
	order := idx[:d]
	top := 0.0
	for j := range d {
		order[j] = j
		var s float64
		for i := range d {
			s += g[i*d+j] * g[i*d+j]
		}
		norm[j] = math.Sqrt(s)
		top = max(top, norm[j])
	}
	if !(top > 0) {
		// g = 0: every orthogonal matrix is a polar factor.
		top = 1
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case norm[a] > norm[b]:
			return -1
		case norm[a] < norm[b]:
			return 1
		}
		return 0
	})
	for n, j := range order {
		if norm[j] > float64(d)*eps*top && orthonormalise(g, order[:n], j, d) {
			continue
		}
		if !complete(g, order[:n], j, d) {
			return false
		}
	}
	// q = U Vᵀ.
	for a := range d {
		for b := range d {
			var s float64
			for m := range d {
				s += g[a*d+m] * v[b*d+m]
			}
			q[a*d+b] = s
		}
	}
	return true
}

// orthonormalise makes column j of the d×d matrix u orthogonal to its
// columns done, which are orthonormal, by Gram–Schmidt twice, and
// normalises it; it reports false if little is left of it.
func orthonormalise(u []float64, done []int, j, d int) bool {
	var before float64
	for i := range d {
		before += u[i*d+j] * u[i*d+j]
	}
	for range 2 {
		for _, c := range done {
			var s float64
			for i := range d {
				s += u[i*d+c] * u[i*d+j]
			}
			for i := range d {
				u[i*d+j] -= s * u[i*d+c]
			}
		}
	}
	var s float64
	for i := range d {
		s += u[i*d+j] * u[i*d+j]
	}
	// Less than a tenth of the column left: it lay (numerically) in the
	// span of the others.
	if !(s > 0.01*before) || !(s > 0) {
		return false
	}
	s = 1 / math.Sqrt(s)
	for i := range d {
		u[i*d+j] *= s
	}
	return true
}

// complete sets column j of the d×d matrix u to a unit vector orthogonal to
// its orthonormal columns done: the coordinate axis that keeps most of its
// length once made orthogonal to them. It reports false if none does
// (which rounding alone cannot cause).
func complete(u []float64, done []int, j, d int) bool {
	best, bestLeft := -1, 0.0
	for e := range d {
		// What is left of axis e: 1 − Σ_c u_ec².
		left := 1.0
		for _, c := range done {
			left -= u[e*d+c] * u[e*d+c]
		}
		if left > bestLeft {
			best, bestLeft = e, left
		}
	}
	if best < 0 {
		return false
	}
	for i := range d {
		u[i*d+j] = 0
	}
	u[best*d+j] = 1
	return orthonormalise(u, done, j, d)
}

// rotateCols turns columns p and q of the d×d row-major matrix a by the
// Jacobi rotation (c, s): a ← aJ, column p becoming c a_p − s a_q and
// column q becoming s a_p + c a_q.
func rotateCols(a []float64, d, p, q int, c, s float64) {
	for i := range d {
		x, y := a[i*d+p], a[i*d+q]
		a[i*d+p], a[i*d+q] = c*x-s*y, s*x+c*y
	}
}
