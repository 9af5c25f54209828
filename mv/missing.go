package mv

import (
	"context"
	"math"

	"github.com/gmm-go/gmm/internal/mvkernel"
	"github.com/gmm-go/gmm/internal/num"
)

// log2Pi is log 2π.
const log2Pi = 1.8378770664093454835606594728112352797227949472755668

// Missing values (Settings.AllowMissing). A NaN is a coordinate missing at
// random. For a row x with observed coordinates o and missing ones h, and
// component k with mean μ and covariance Σ, the E-step uses the marginal
// of the observed coordinates (Ghahramani & Jordan 1994, "Supervised
// learning from incomplete data via an EM approach"),
//
//	log w_k N(x_o | μ_o, Σ_oo),
//
// and the statistics use the conditional expectation of the missing
// coordinates and their conditional covariance,
//
//	x̂_h = μ_h + Σ_ho Σ_oo⁻¹ (x_o − μ_o),    C = Σ_hh − Σ_ho Σ_oo⁻¹ Σ_oh,
//
// so that the row adds r_ik to W_k, r_ik x̂ to the sum behind m_k and
// r_ik ((x̂ − m)(x̂ − m)ᵀ + C) to the one behind M2_k, C in the missing
// block. These are the expected complete-data sufficient statistics, so
// every covariance model's M-step applies to them unchanged and the EM
// step is exact.

// pattern is the rows that miss the same coordinates, with per component
// the quantities of the formulas above.
type pattern struct {
	obs, hid []int
	rows     []int
	// per component: the inverse of the lower Cholesky factor of Σ_oo
	// (|o|×|o|), the constant log w_k − ½ log det Σ_oo − ½ |o| log 2π,
	// B = Σ_ho Σ_oo⁻¹ (|h|×|o|) and C (|h|×|h|).
	inv, b, c [][]float64
	cst       []float64
}

// patterns groups the rows of x that hold a NaN by the coordinates they
// miss, in the order of each pattern's first row. Rows that miss every
// coordinate are left out.
func patterns(x mvkernel.Data, rows []int) []*pattern {
	d := x.D
	var out []*pattern
	idx := map[string]int{}
	key := make([]byte, d)
	for _, i := range rows {
		row := x.X[i*x.Stride : i*x.Stride+d]
		nobs := 0
		for j, v := range row {
			key[j] = 0
			if math.IsNaN(v) {
				key[j] = 1
			} else {
				nobs++
			}
		}
		if nobs == 0 {
			continue
		}
		p, ok := idx[string(key)]
		if !ok {
			p = len(out)
			idx[string(key)] = p
			pt := &pattern{}
			for j, kj := range key {
				if kj == 0 {
					pt.obs = append(pt.obs, j)
				} else {
					pt.hid = append(pt.hid, j)
				}
			}
			out = append(out, pt)
		}
		out[p].rows = append(out[p].rows, i)
	}
	return out
}

// prepare computes the pattern's per-component quantities at p. It
// reports false if some Σ_oo has no Cholesky factor, which cannot happen
// for positive definite Σ.
func (pt *pattern) prepare(p *params) bool {
	d, no, nh := p.d, len(pt.obs), len(pt.hid)
	if pt.inv == nil {
		pt.inv, pt.b, pt.c, pt.cst = make([][]float64, p.k), make([][]float64, p.k), make([][]float64, p.k), make([]float64, p.k)
		for k := range p.k {
			pt.inv[k], pt.b[k], pt.c[k] = make([]float64, no*no), make([]float64, nh*no), make([]float64, nh*nh)
		}
	}
	soo, l := make([]float64, no*no), make([]float64, no*no)
	for k := range p.k {
		cov := p.cov[k]
		for a, ja := range pt.obs {
			for b, jb := range pt.obs {
				soo[a*no+b] = cov[ja*d+jb]
			}
		}
		logDet, ok := mvkernel.Cholesky(l, soo, no)
		if !ok {
			return false
		}
		inv := pt.inv[k]
		invertLower(inv, l, no)
		pt.cst[k] = math.Log(p.w[k]) - 0.5*logDet - 0.5*float64(no)*log2Pi
		// B = Σ_ho Σ_oo⁻¹ = (Σ_ho L⁻ᵀ) L⁻¹: row a of B is L⁻ᵀ (L⁻¹ Σ_oh[:, a]).
		g := make([]float64, no)
		for a, ja := range pt.hid {
			for i := range no {
				var s float64
				for m := 0; m <= i; m++ {
					s += inv[i*no+m] * cov[pt.obs[m]*d+ja]
				}
				g[i] = s
			}
			for i := range no {
				var s float64
				for m := i; m < no; m++ {
					s += inv[m*no+i] * g[m]
				}
				pt.b[k][a*no+i] = s
			}
		}
		// C = Σ_hh − B Σ_oh.
		for a, ja := range pt.hid {
			for c, jc := range pt.hid {
				s := cov[ja*d+jc]
				for i, ji := range pt.obs {
					s -= pt.b[k][a*no+i] * cov[ji*d+jc]
				}
				pt.c[k][a*nh+c] = s
			}
		}
	}
	return true
}

// invertLower sets inv to the inverse of the lower triangular l (n×n).
func invertLower(inv, l []float64, n int) {
	clear(inv)
	for c := range n {
		inv[c*n+c] = 1 / l[c*n+c]
		for i := c + 1; i < n; i++ {
			var s float64
			for m := c; m < i; m++ {
				s += l[i*n+m] * inv[m*n+c]
			}
			inv[i*n+c] = -s / l[i*n+i]
		}
	}
}

// missingPass runs the E-step over the rows of x that miss some (not all)
// coordinates, grouped in pats, at the parameters p. It adds their
// statistics to st (by Chan, Golub & LeVeque's merge), if st is not nil,
// and writes the outputs of out that are not nil at the rows' indices.
func missingPass(x mvkernel.Data, pats []*pattern, p *params, st *mvkernel.Stats, out mvkernel.Out) bool {
	k, d := p.k, p.d
	var n, s1, s2 []float64
	var total, logl, hard float64
	if st != nil {
		n, s1, s2 = make([]float64, k), make([]float64, k*d), make([]float64, k*d*d)
	}
	l := make([]float64, k)
	z := make([]float64, d)
	for _, pt := range pats {
		if !pt.prepare(p) {
			return false
		}
		no, nh := len(pt.obs), len(pt.hid)
		y := make([]float64, no)
		zo := make([]float64, no)
		for _, i := range pt.rows {
			row := x.X[i*x.Stride : i*x.Stride+d]
			for kk := range k {
				mu := p.mean[kk*d : (kk+1)*d]
				for a, j := range pt.obs {
					zo[a] = row[j] - mu[j]
				}
				inv := pt.inv[kk]
				var maha float64
				for a := range no {
					var s float64
					for m := 0; m <= a; m++ {
						s += inv[a*no+m] * zo[m]
					}
					y[a] = s
					maha += s * s
				}
				l[kk] = pt.cst[kk] - 0.5*maha
			}
			lse := num.LogSumExp(l)
			best := 0
			for kk := range l {
				if l[kk] > l[best] {
					best = kk
				}
			}
			if math.IsInf(lse, -1) {
				for kk := range l {
					l[kk] = math.Inf(-1)
				}
				l[best], lse = 0, 0
			}
			if out.LogP != nil {
				out.LogP[i] = lse
			}
			if out.Assign != nil {
				out.Assign[i] = best
			}
			v := weight(x, i)
			if st != nil {
				total += v
				logl += v * lse
				hard += v * (lse - l[best])
			}
			for kk := range k {
				r := math.Exp(l[kk] - lse)
				if out.Resp != nil {
					out.Resp[i*k+kk] = r
				}
				vr := v * r
				if st == nil || vr == 0 {
					continue
				}
				mu := p.mean[kk*d : (kk+1)*d]
				for a, j := range pt.obs {
					zo[a] = row[j] - mu[j]
					z[j] = zo[a]
				}
				// x̂_h − μ_h = B (x_o − μ_o).
				for a, j := range pt.hid {
					var s float64
					for m := range no {
						s += pt.b[kk][a*no+m] * zo[m]
					}
					z[j] = s
				}
				n[kk] += vr
				for a := range d {
					s1[kk*d+a] += vr * z[a]
					for b := range d {
						s2[kk*d*d+a*d+b] += vr * z[a] * z[b]
					}
				}
				for a, ja := range pt.hid {
					for c, jc := range pt.hid {
						s2[kk*d*d+ja*d+jc] += vr * pt.c[kk][a*nh+c]
					}
				}
			}
		}
	}
	if st == nil {
		return true
	}
	part := mvkernel.NewStats(k, d)
	part.Total, part.LogLik, part.Hard = total, logl, hard
	for kk := range k {
		nk := n[kk]
		part.W[kk] = nk
		if nk == 0 {
			continue
		}
		for a := range d {
			part.Mean[kk*d+a] = p.mean[kk*d+a] + s1[kk*d+a]/nk
			for b := range d {
				part.M2[kk*d*d+a*d+b] = s2[kk*d*d+a*d+b] - s1[kk*d+a]*s1[kk*d+b]/nk
			}
		}
	}
	st.Merge(part)
	return true
}

// missPass is a passer over rows in memory, some of which miss
// coordinates: the complete rows go through the fused pass, the others
// through missingPass.
type missPass struct {
	full mvkernel.Data // the complete rows
	part mvkernel.Data // the rows with some coordinates missing
	pats []*pattern
	pass *mvkernel.Pass
}

// newMissPass splits x's rows into the complete ones and the others, and
// groups the others by pattern; rows missing every coordinate are left
// out.
func newMissPass(x mvkernel.Data, k int) *missPass {
	full, part := splitMissing(x)
	return &missPass{full: full, part: part, pats: patterns(part, seq(part.N)), pass: mvkernel.NewPass(k, x.D)}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func (s *missPass) run(_ context.Context, p *params, kp *mvkernel.Params, st *mvkernel.Stats) error {
	s.pass.Run(s.full, kp, mvkernel.Out{Stats: st})
	if len(s.pats) > 0 && !missingPass(s.part, s.pats, p, st, mvkernel.Out{}) {
		// Unreachable for positive definite covariances, which Eval checks.
		st.LogLik = math.NaN()
	}
	return nil
}

// splitMissing copies x's complete rows into one block and the rows with
// a NaN (but not all NaN) into another, each with its weights.
func splitMissing(x mvkernel.Data) (full, part mvkernel.Data) {
	d := x.D
	full = mvkernel.Data{D: d, Stride: d}
	part = mvkernel.Data{D: d, Stride: d}
	if x.V != nil {
		full.V, part.V = []float64{}, []float64{}
	}
	for i := range x.N {
		row := x.X[i*x.Stride : i*x.Stride+d]
		nan := 0
		for _, v := range row {
			if math.IsNaN(v) {
				nan++
			}
		}
		dst := &full
		switch nan {
		case 0:
		case d:
			continue
		default:
			dst = &part
		}
		dst.X = append(dst.X, row...)
		dst.N++
		if x.V != nil {
			dst.V = append(dst.V, x.V[i])
		}
	}
	return full, part
}

// hasNaN reports whether x holds a NaN.
func hasNaN(x mvkernel.Data) bool {
	for i := range x.N {
		for _, v := range x.X[i*x.Stride : i*x.Stride+x.D] {
			if math.IsNaN(v) {
				return true
			}
		}
	}
	return false
}

// imputed returns a copy of x with each NaN replaced by its column's
// weighted mean over the observed values, for the starting points.
func imputed(x mvkernel.Data) mvkernel.Data {
	d := x.D
	mean, w := make([]float64, d), make([]float64, d)
	for i := range x.N {
		v := weight(x, i)
		for j, xv := range x.X[i*x.Stride : i*x.Stride+d] {
			if !math.IsNaN(xv) {
				mean[j] += v * xv
				w[j] += v
			}
		}
	}
	for j := range mean {
		if w[j] > 0 {
			mean[j] /= w[j]
		}
	}
	out := mvkernel.Data{X: make([]float64, x.N*d), N: x.N, D: d, Stride: d, V: x.V}
	for i := range x.N {
		for j, xv := range x.X[i*x.Stride : i*x.Stride+d] {
			if math.IsNaN(xv) {
				xv = mean[j]
			}
			out.X[i*d+j] = xv
		}
	}
	return out
}
