package mvcov

import (
	"math"
)

// jacobiSweep lowers the criterion of EVE or VVE over the orientation D by
// one sweep of plane rotations, as Flury & Gautschi's (1986) algorithm for
// common principal components and Celeux & Govaert (1995, section 4) for
// these models. With M_k = DᵀT_kD, the rotation by θ of the columns p, q of
// D changes only the diagonal entries p, q of each M_k, whose product is
//
//	h_k(φ) = s_k² − (u_k cos φ + v_k sin φ)²,  φ = 2θ,
//
// with s_k = (M_pp+M_qq)/2, u_k = (M_pp−M_qq)/2 and v_k = M_pq. The
// criterion of the pair is Σ_k c_k log h_k(φ) for VVE and
// Σ_k w_k h_k(φ)^(1/d), w_k = (Π_{j≠p,q} M_jj)^(1/d), for EVE; each rotation
// is Newton's method on φ from 0, whose steps are halved until they lower
// the criterion, except the small final steps (minimise), so the sweep
// never raises the criterion by more than its rounding.
func (ws *Workspace) jacobiSweep(m Model) {
	d, k := ws.d, ws.k
	for j := range k {
		mk := ws.block(ws.vec, j)
		mul(ws.m2, ws.block(ws.t, j), ws.o, d)
		mulTrans(mk, ws.o, ws.m2, d)
	}
	for p := 0; p < d-1; p++ {
		for q := p + 1; q < d; q++ {
			pp := pairTerms{m: m, d: float64(d), c: ws.c}
			pp.s, pp.u, pp.v, pp.w = ws.js, ws.scl0, ws.jv, ws.jw
			for j := range k {
				mk := ws.block(ws.vec, j)
				a, b, c := mk[p*d+p], mk[q*d+q], mk[p*d+q]
				pp.s[j], pp.u[j], pp.v[j] = (a+b)/2, (a-b)/2, c
				if m == EVE {
					pp.w[j] = otherDiag(mk, p, q, d)
				}
			}
			phi := pp.minimise()
			if phi == 0 {
				continue
			}
			ws.rotatePair(p, q, phi/2)
		}
	}
}

// otherDiag returns (Π_{i≠p,q} M_ii)^(1/d) for the d×d matrix m with a
// positive diagonal: from the product itself where it lies well inside the
// range of normal numbers, and through logarithms otherwise.
func otherDiag(m []float64, p, q, d int) float64 {
	prod := 1.0
	for i := range d {
		if i != p && i != q {
			prod *= m[i*d+i]
		}
	}
	if prod > 0x1p-900 && prod < 0x1p900 {
		return root(prod, float64(d))
	}
	var s float64
	for i := range d {
		if i != p && i != q {
			s += math.Log(m[i*d+i])
		}
	}
	return math.Exp(s / float64(d))
}

// rotatePair rotates the columns p, q of D and the rows and columns p, q of
// each M_k by the angle theta.
func (ws *Workspace) rotatePair(p, q int, theta float64) {
	d := ws.d
	sn, cs := math.Sincos(theta)
	for i := range d {
		a, b := ws.o[i*d+p], ws.o[i*d+q]
		ws.o[i*d+p], ws.o[i*d+q] = cs*a+sn*b, -sn*a+cs*b
	}
	for j := range ws.k {
		mk := ws.block(ws.vec, j)
		for i := range d {
			a, b := mk[i*d+p], mk[i*d+q]
			mk[i*d+p], mk[i*d+q] = cs*a+sn*b, -sn*a+cs*b
		}
		for i := range d {
			a, b := mk[p*d+i], mk[q*d+i]
			mk[p*d+i], mk[q*d+i] = cs*a+sn*b, -sn*a+cs*b
		}
	}
}

// pairTerms is the criterion of one plane rotation as a function of φ.
type pairTerms struct {
	m          Model
	d          float64
	c          []float64
	s, u, v, w []float64
}

// eval returns the criterion and its first two derivatives at φ.
func (t *pairTerms) eval(phi float64) (g, g1, g2 float64) { return t.evalAt(phi, true) }

// evalAt is eval, with the criterion itself left at 0 unless value is set
// where it costs logarithms of its own (VVE's): Newton's steps in the zone
// where they are trusted read only the derivatives.
func (t *pairTerms) evalAt(phi float64, value bool) (g, g1, g2 float64) {
	sn, cs := math.Sincos(phi)
	for j := range t.s {
		r := t.u[j]*cs + t.v[j]*sn
		r1 := -t.u[j]*sn + t.v[j]*cs
		h := t.s[j]*t.s[j] - r*r
		h1 := -2 * r * r1
		h2 := 2*r*r - 2*r1*r1
		if t.m == VVE {
			if value {
				g += t.c[j] * math.Log(h)
			}
			g1 += t.c[j] * h1 / h
			g2 += t.c[j] * (h2/h - h1*h1/(h*h))
			continue
		}
		e := 1 / t.d
		hp := root(h, t.d)
		g += t.w[j] * hp
		g1 += t.w[j] * e * hp / h * h1
		g2 += t.w[j] * e * hp / h * ((e-1)*h1*h1/h + h2)
	}
	return g, g1, g2
}

// Newton's method on φ trusts its steps without testing them once they are
// below newtonZone with positive curvature: there the criterion's change is
// below its rounding, so a test could not tell a good step from a bad one,
// and Newton converges quadratically. It stops when a step falls below
// minAngle, where φ is exact to rounding.
const (
	newtonZone = 1e-4
	minAngle   = 1e-15
)

// minimise returns the angle φ that Newton's method with backtracking
// reaches from 0, or 0 if no step lowers the criterion. Where the
// curvature is not positive it tries steps of π/8 towards the descent.
func (t *pairTerms) minimise() float64 {
	var phi float64
	// VVE's criterion g at φ is computed only once a step is to be tested
	// against it (known): it is the same number whenever it is computed.
	always := t.m != VVE // evalAt computes g anyway
	g, g1, g2 := t.evalAt(0, false)
	known := always
	for range 10 {
		if g2 > 0 && math.Abs(g1/g2) < newtonZone {
			step := -g1 / g2
			if math.Abs(step) < minAngle {
				break
			}
			phi += step
			g, g1, g2 = t.evalAt(phi, false)
			known = always
			continue
		}
		if !known {
			g, _, _ = t.evalAt(phi, true)
			known = true
		}
		step := -math.Copysign(math.Pi/8, g1)
		if g2 > 0 {
			step = max(-math.Pi/4, min(math.Pi/4, -g1/g2))
		}
		moved := false
		for math.Abs(step) >= newtonZone/2 {
			if ng, n1, n2 := t.eval(phi + step); ng < g {
				phi, g, g1, g2, moved = phi+step, ng, n1, n2, true
				break
			}
			step /= 2
		}
		if !moved {
			break
		}
	}
	return phi
}

// root returns h^(1/d) for h ≥ 0: by square roots for d = 2 and 4, each
// correctly rounded, so within an ulp or two of the exact root, and many
// times cheaper than math.Pow, which the sweeps of EVE call for every
// component at every trial angle; otherwise as e^(log(h)/d), which is
// cheaper than math.Pow too.
func root(h, d float64) float64 {
	switch d {
	case 2:
		return math.Sqrt(h)
	case 4:
		return math.Sqrt(math.Sqrt(h))
	}
	return math.Exp(math.Log(h) / d)
}
