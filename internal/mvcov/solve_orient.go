package mvcov

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// rotate sets Σ_j = V diag(s) Vᵀ for the d×d matrix v with orthonormal
// columns.
func (ws *Workspace) rotate(j int, v, s []float64) {
	d, c := ws.d, ws.block(ws.cov, j)
	for a := range d {
		for b := a; b < d; b++ {
			var x float64
			for m := range d {
				x += v[a*d+m] * s[m] * v[b*d+m]
			}
			c[a*d+b], c[b*d+a] = x, x
		}
	}
}

// eigenModels: with T_k = V_k diag(ω_k) V_kᵀ (eigenvalues ascending), EEV
// has Σ_k = V_k diag(Σ_j ω_j / Σ_j c_j) V_kᵀ in closed form, and VEV
// Σ_k = λ_k V_k A V_kᵀ with the fixed point λ_k = tr(diag(ω_k) A⁻¹)/(d c_k),
// A = Σ_k diag(ω_k)/λ_k scaled to det 1 (Celeux & Govaert 1995, section 4,
// models [λ D_k A D_kᵀ] and [λ_k D_k A D_kᵀ]; mclust's mseev and msvev).
func (ws *Workspace) eigenModels(m Model) error {
	d, k := ws.d, ws.k
	omega := ws.sv
	for a := range omega {
		omega[a] = 0
	}
	for j := range k {
		if !ws.eigen(ws.val[j*d:(j+1)*d], ws.block(ws.vec, j), ws.block(ws.t, j)) {
			return &SingularError{Model: m, Component: j}
		}
		if !(trace(ws.block(ws.t, j), d) > 0) {
			return &SingularError{Model: m, Component: j}
		}
		for a := range d {
			omega[a] += ws.val[j*d+a]
		}
	}
	if !wellConditioned(omega) {
		return &SingularError{Model: m, Component: -1}
	}
	shape := ws.o[:d]
	if m == EEV {
		n := ws.totalCount()
		for a := range d {
			shape[a] = omega[a] / n
		}
		for j := range k {
			ws.rotate(j, ws.block(ws.vec, j), shape)
		}
		return nil
	}
	g := geomean(omega)
	for a := range d {
		shape[a] = omega[a] / g
	}
	prevShape := ws.o0[:d]
	for it := 1; ; it++ {
		ws.Inner = it
		copy(ws.scl0, ws.scl)
		copy(prevShape, shape)
		for j := range k {
			var s float64
			for a := range d {
				s += ws.val[j*d+a] / shape[a]
			}
			ws.scl[j] = s / (float64(d) * ws.c[j])
		}
		for a := range d {
			var s float64
			for j := range k {
				s += ws.val[j*d+a] / ws.scl[j]
			}
			shape[a] = s
		}
		g := geomean(shape)
		for a := range d {
			shape[a] /= g
		}
		if it > 1 && max(relChange(ws.scl, ws.scl0), relChange(shape, prevShape)) <= tolInner || it == maxInner {
			break
		}
	}
	for j := range k {
		for a := range d {
			ws.m2[a] = ws.scl[j] * shape[a]
		}
		ws.rotate(j, ws.block(ws.vec, j), ws.m2[:d])
	}
	return nil
}

// evv: Σ_k = λ C_k with C_k = T_k/|T_k|^(1/d) and λ = Σ_k |T_k|^(1/d) / Σ_k c_k,
// in closed form (mclust's msevv).
func (ws *Workspace) evv() error {
	d := ws.d
	var lambda float64
	for j := range ws.k {
		logdet, rcond, ok := ws.cholesky(ws.block(ws.t, j))
		if !ok || !(rcond > singularRatio) {
			return &SingularError{Model: EVV, Component: j}
		}
		ws.scl[j] = math.Exp(logdet / float64(d))
		lambda += ws.scl[j]
	}
	lambda /= ws.totalCount()
	copy(ws.cov, ws.t)
	for j := range ws.k {
		ws.scaleCov(j, lambda/ws.scl[j])
	}
	return nil
}

// usable reports whether prev holds K finite d×d matrices (whether they
// are positive definite is checked where they are used).
func (ws *Workspace) usable(prev []*mat.SymDense) bool {
	if len(prev) != ws.k {
		return false
	}
	for _, p := range prev {
		if p == nil || p.IsEmpty() || p.SymmetricDim() != ws.d {
			return false
		}
		raw := p.RawSymmetric()
		for i := range ws.d {
			for _, v := range raw.Data[i*raw.Stride+i : i*raw.Stride+ws.d] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return false
				}
			}
		}
	}
	return true
}

// loadSym copies the symmetric matrix s into the full d×d array a.
func (ws *Workspace) loadSym(a []float64, s *mat.SymDense) {
	d, raw := ws.d, s.RawSymmetric()
	for i := range d {
		for j := i; j < d; j++ {
			v := raw.Data[i*raw.Stride+j]
			a[i*d+j], a[j*d+i] = v, v
		}
	}
}

// vee: Σ_k = λ_k C with det C = 1, by alternating the two closed-form block
// updates C = S/|S|^(1/d) with S = Σ_k T_k/λ_k, and λ_k = tr(T_k C⁻¹)/(d c_k)
// (Celeux & Govaert 1995, section 4, model [λ_k C]; mclust's msvee). The
// volumes start at those of prev, else at 1; the iterations stop at
// VolumeIters if it is set.
func (ws *Workspace) vee(prev []*mat.SymDense) error {
	d, k := ws.d, ws.k
	for j := range k {
		if !(trace(ws.block(ws.t, j), d) > 0) {
			return &SingularError{Model: VEE, Component: j}
		}
		ws.scl[j] = 1
	}
	if ws.usable(prev) {
		for j := range k {
			ws.loadSym(ws.m2, prev[j])
			if logdet, _, ok := ws.cholesky(ws.m2); ok {
				ws.scl[j] = math.Exp(logdet / float64(d))
			}
		}
	}
	var g float64
	for it := 1; ; it++ {
		ws.Inner = it
		copy(ws.scl0, ws.scl)
		// S = Σ_k T_k/λ_k, each entry summed over k in order.
		s := ws.m2
		clear(s)
		for j := range k {
			t, v := ws.block(ws.t, j), ws.scl[j]
			for i := range s {
				s[i] += t[i] / v
			}
		}
		logdet, ok := ws.inverse(ws.u, s)
		if !ok {
			return &SingularError{Model: VEE, Component: -1}
		}
		g = math.Exp(logdet / float64(d)) // C = S/g, C⁻¹ = g S⁻¹
		for j := range k {
			ws.scl[j] = g * trProd(ws.block(ws.t, j), ws.u) / (float64(d) * ws.c[j])
		}
		if it > 1 && relChange(ws.scl, ws.scl0) <= tolInner || it == maxInner || it == ws.VolumeIters {
			break
		}
	}
	for j := range k {
		c := ws.block(ws.cov, j)
		for i, v := range ws.m2 {
			c[i] = ws.scl[j] * v / g
		}
	}
	return nil
}
