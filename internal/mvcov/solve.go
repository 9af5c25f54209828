package mvcov

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// solve sets ws.cov to the maximum-likelihood covariances of model m for
// the counts ws.c and scatters ws.t: the maximiser of
//
//	−Σ_k [ c_k log|Σ_k| + tr(T_k Σ_k⁻¹) ] / 2
//
// over the covariances of the model (Celeux & Govaert 1995, Table 1 and
// section 4, with n_k and W_k replaced by c_k and T_k).
func (ws *Workspace) solve(m Model, prev []*mat.SymDense) error {
	switch m {
	case EII, VII:
		return ws.spherical(m)
	case EEI, VVI, EVI:
		return ws.diagonal(m)
	case VEI:
		return ws.vei()
	case EEE:
		ws.eee()
		return nil
	case VVV:
		copy(ws.cov, ws.t)
		for j := range ws.k {
			ws.scaleCov(j, 1/ws.c[j])
		}
		return nil
	case EEV, VEV:
		return ws.eigenModels(m)
	case EVV:
		return ws.evv()
	case VEE:
		return ws.vee(prev)
	}
	return ws.commonOrientation(m, prev) // EVE, VVE
}

// totalCount returns Σ_k c_k.
func (ws *Workspace) totalCount() float64 {
	var n float64
	for _, c := range ws.c {
		n += c
	}
	return n
}

func (ws *Workspace) block(a []float64, j int) []float64 {
	dd := ws.d * ws.d
	return a[j*dd : (j+1)*dd]
}

// scaleCov multiplies Σ_j by f.
func (ws *Workspace) scaleCov(j int, f float64) {
	for i, c := 0, ws.block(ws.cov, j); i < len(c); i++ {
		c[i] *= f
	}
}

// setDiag sets Σ_j to diag(v).
func (ws *Workspace) setDiag(j int, v []float64) {
	d, c := ws.d, ws.block(ws.cov, j)
	for i := range c {
		c[i] = 0
	}
	for a := range d {
		c[a*d+a] = v[a]
	}
}

// spherical: EII σ² = Σ_k tr T_k / (d Σ_k c_k); VII σ_k² = tr T_k / (d c_k).
func (ws *Workspace) spherical(m Model) error {
	d := float64(ws.d)
	var tr float64
	for j := range ws.k {
		t := trace(ws.block(ws.t, j), ws.d)
		ws.scl[j] = t / (d * ws.c[j])
		tr += t
	}
	for j := range ws.k {
		v := ws.scl[j]
		if m == EII {
			v = tr / (d * ws.totalCount())
		}
		for a := range ws.d {
			ws.sv[a] = v
		}
		ws.setDiag(j, ws.sv)
	}
	return nil
}

// diagonal: EEI Δ = diag(Σ_k T_k)/Σ_k c_k; VVI Δ_k = diag(T_k)/c_k; EVI
// Σ_k = λ A_k with A_k = diag(T_k)/|diag T_k|^(1/d) and
// λ = Σ_k |diag T_k|^(1/d) / Σ_k c_k.
func (ws *Workspace) diagonal(m Model) error {
	d := ws.d
	for j := range ws.k {
		t, sh := ws.block(ws.t, j), ws.sh[j*d:(j+1)*d]
		for a := range d {
			sh[a] = t[a*d+a]
		}
	}
	switch m {
	case VVI:
		for j := range ws.k {
			sh := ws.sh[j*d : (j+1)*d]
			for a := range sh {
				sh[a] /= ws.c[j]
			}
			ws.setDiag(j, sh)
		}
	case EEI:
		n := ws.totalCount()
		for a := range d {
			var s float64
			for j := range ws.k {
				s += ws.sh[j*d+a]
			}
			ws.sv[a] = s / n
		}
		for j := range ws.k {
			ws.setDiag(j, ws.sv)
		}
	case EVI:
		var lambda float64
		for j := range ws.k {
			sh := ws.sh[j*d : (j+1)*d]
			if !allPositive(sh) {
				return &SingularError{Model: m, Component: j}
			}
			g := geomean(sh)
			lambda += g
			for a := range sh {
				sh[a] /= g
			}
		}
		lambda /= ws.totalCount()
		for j := range ws.k {
			sh := ws.sh[j*d : (j+1)*d]
			for a := range sh {
				ws.sv[a] = lambda * sh[a]
			}
			ws.setDiag(j, ws.sv)
		}
	}
	return nil
}

// wellConditioned reports whether the positive values v have a ratio of
// the smallest to the largest above singularRatio.
func wellConditioned(v []float64) bool {
	lo, hi := math.Inf(1), 0.0
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo > 0 && lo/hi > singularRatio
}

func allPositive(v []float64) bool {
	for _, x := range v {
		if !(x > 0) {
			return false
		}
	}
	return true
}

// vei: Σ_k = λ_k A with the fixed point of Celeux & Govaert (1995, section
// 4, model [λ_k B]): λ_k = tr(T_k A⁻¹)/(d c_k) and A = diag(Σ_k T_k/λ_k)
// scaled to det 1, from A = I.
func (ws *Workspace) vei() error {
	d, k := ws.d, ws.k
	w := ws.sh // w[j*d+a] = (T_j)_aa
	for j := range k {
		t := ws.block(ws.t, j)
		for a := range d {
			w[j*d+a] = t[a*d+a]
		}
		if !(trace(t, d) > 0) {
			return &SingularError{Model: VEI, Component: j}
		}
	}
	shape := ws.sv
	for a := range d {
		shape[a] = 1
	}
	prevShape := ws.o0[:d]
	for it := 1; ; it++ {
		ws.Inner = it
		copy(ws.scl0, ws.scl)
		copy(prevShape, shape)
		for j := range k {
			var s float64
			for a := range d {
				s += w[j*d+a] / shape[a]
			}
			ws.scl[j] = s / (float64(d) * ws.c[j])
		}
		for a := range d {
			var s float64
			for j := range k {
				s += w[j*d+a] / ws.scl[j]
			}
			shape[a] = s
		}
		if !wellConditioned(shape) {
			return &SingularError{Model: VEI, Component: -1}
		}
		g := geomean(shape)
		for a := range shape {
			shape[a] /= g
		}
		if it > 1 && max(relChange(ws.scl, ws.scl0), relChange(shape, prevShape)) <= tolInner || it == maxInner {
			break
		}
	}
	for j := range k {
		for a := range d {
			ws.o[a] = ws.scl[j] * shape[a]
		}
		ws.setDiag(j, ws.o[:d])
	}
	return nil
}

// eee: Σ = Σ_k T_k / Σ_k c_k.
func (ws *Workspace) eee() {
	n := ws.totalCount()
	c0 := ws.block(ws.cov, 0)
	// Each entry summed over the components in order.
	clear(c0)
	for j := range ws.k {
		for i, v := range ws.block(ws.t, j) {
			c0[i] += v
		}
	}
	for i := range c0 {
		c0[i] /= n
	}
	for j := 1; j < ws.k; j++ {
		copy(ws.block(ws.cov, j), c0)
	}
}
