package mvpost

import (
	"math"
	"math/rand/v2"

	"github.com/gmm-go/gmm/internal/mcmc"
	"github.com/gmm-go/gmm/internal/mvkernel"
)

// Stats are the weighted sufficient statistics of K components, centred on
// a point of each: with r_ik the weight of point i in component k (0 or 1
// for Gibbs' labels, the responsibilities for VB) and c_k the centre,
//
//	N_k = Σ_i r_ik,  S1_k = Σ_i r_ik (x_i − c_k),  S2_k = Σ_i r_ik (x_i − c_k)(x_i − c_k)ᵀ.
//
// Centring near the component's mean keeps the scatter accurate when the
// data sit far from its centre.
type Stats struct {
	K, D           int
	N              []float64 // K
	Centre, S1, S2 []float64 // K×d, K×d, K×d×d
}

// NewStats returns Stats for k components in d dimensions.
func NewStats(k, d int) *Stats {
	return &Stats{K: k, D: d, N: make([]float64, k), Centre: make([]float64, k*d), S1: make([]float64, k*d), S2: make([]float64, k*d*d)}
}

// Reset clears the sums and sets the centres to c (K×d).
func (s *Stats) Reset(c []float64) {
	clear(s.N)
	clear(s.S1)
	clear(s.S2)
	copy(s.Centre, c)
}

// Add adds point x to component k with weight r.
func (s *Stats) Add(k int, r float64, x []float64) {
	d := s.D
	c := s.Centre[k*d : (k+1)*d]
	s1 := s.S1[k*d : (k+1)*d]
	s2 := s.S2[k*d*d : (k+1)*d*d]
	s.N[k] += r
	for a := range d {
		za := x[a] - c[a]
		s1[a] += r * za
		rz := r * za
		for b := 0; b <= a; b++ {
			s2[a*d+b] += rz * (x[b] - c[b])
		}
	}
}

// Post holds the conjugate posterior of the means and covariances given
// statistics (Gelman et al. 2013, sec. 3.6; Murphy 2007): for component k
// with N_k points, mean x̄_k and scatter W_k about it,
//
//	κ_k = κ0 + N_k,   m_k = (κ0 μ0 + N_k x̄_k)/κ_k,
//	C_k = W_k + κ0 N_k/κ_k (x̄_k − μ0)(x̄_k − μ0)ᵀ,
//
// and the covariance's posterior is, by form,
//
//	Full       Σ_k ~ InverseWishart(ν0 + N_k, Λ0 + C_k)
//	Tied       Σ   ~ InverseWishart(ν0 + Σ_k N_k, Λ0 + Σ_k C_k)
//	Diagonal   σ_kj² ~ InverseGamma((ν0 + N_k)/2, (ζ + (C_k)_jj)/2)
//	Spherical  σ_k² ~ InverseGamma((ν0 + d N_k)/2, (ζ + tr C_k)/2)
//
// with μ_k | Σ_k ~ Normal(m_k, Σ_k/κ_k). Nu[k] holds the InverseWishart's
// degrees of freedom, or twice the InverseGamma's shape, and Lam[k] its
// scale matrix (Full, Tied: d×d; for Tied all K are the same), or twice
// the InverseGamma's scale (Diagonal: d values; Spherical: one).
type Post struct {
	Kappa, Nu []float64   // K
	M         []float64   // K×d
	Lam       [][]float64 // K

	chol   []float64 // d×d scratch
	logDet []float64 // K: log|Lam[k]| (Full, Tied), else unused
}

// NewPost returns a Post for p's form with k components.
func NewPost(p *Prior, k int) *Post {
	d := p.D
	q := &Post{Kappa: make([]float64, k), Nu: make([]float64, k), M: make([]float64, k*d), Lam: make([][]float64, k), chol: make([]float64, d*d), logDet: make([]float64, k)}
	for j := range q.Lam {
		switch p.Form {
		case Full, Tied:
			q.Lam[j] = make([]float64, d*d)
		case Diagonal:
			q.Lam[j] = make([]float64, d)
		case Spherical:
			q.Lam[j] = make([]float64, 1)
		}
	}
	return q
}

// Update sets q to the posterior given the statistics s. c must hold d×d
// values of scratch.
func (q *Post) Update(p *Prior, s *Stats, c []float64) {
	d, K := p.D, s.K
	var nTot float64
	if p.Form == Tied {
		copy(q.Lam[0], p.Lambda0)
	}
	for k := range K {
		n := s.N[k]
		nTot += n
		kap := p.Kappa0 + n
		q.Kappa[k] = kap
		ctr := s.Centre[k*d : (k+1)*d]
		s1 := s.S1[k*d : (k+1)*d]
		s2 := s.S2[k*d*d : (k+1)*d*d]
		m := q.M[k*d : (k+1)*d]
		// e = N(x̄ − μ0) = S1 + N(c − μ0); m = μ0 + e/κ.
		for a := range d {
			e := s1[a] + n*(ctr[a]-p.Mu0[a])
			m[a] = p.Mu0[a] + e/kap
		}
		clear(c)
		if n > 0 {
			f := p.Kappa0 / (kap * n)
			for a := range d {
				ea := s1[a] + n*(ctr[a]-p.Mu0[a])
				for b := 0; b <= a; b++ {
					eb := s1[b] + n*(ctr[b]-p.Mu0[b])
					v := s2[a*d+b] - s1[a]*s1[b]/n + f*ea*eb
					c[a*d+b] = v
					c[b*d+a] = v
				}
			}
			// The centred scatter is positive semi-definite; rounding can
			// leave a diagonal entry a hair below 0.
			for a := range d {
				c[a*d+a] = max(c[a*d+a], 0)
			}
		}
		switch p.Form {
		case Full:
			q.Nu[k] = p.Nu0 + n
			for i, v := range p.Lambda0 {
				q.Lam[k][i] = v + c[i]
			}
		case Tied:
			for i, v := range c {
				q.Lam[0][i] += v
			}
		case Diagonal:
			q.Nu[k] = p.Nu0 + n
			for a := range d {
				q.Lam[k][a] = p.Zeta + c[a*d+a]
			}
		case Spherical:
			q.Nu[k] = p.Nu0 + float64(d)*n
			var tr float64
			for a := range d {
				tr += c[a*d+a]
			}
			q.Lam[k][0] = p.Zeta + tr
		}
	}
	if p.Form == Tied {
		for k := range K {
			q.Nu[k] = p.Nu0 + nTot
			if k > 0 {
				copy(q.Lam[k], q.Lam[0])
			}
		}
	}
	if p.Fault == FaultDoF {
		for k := range q.Nu {
			q.Nu[k]--
		}
	}
}

// Draw draws the means and covariances from q: mu (K×d) and cov (K
// matrices d×d, row-major, both triangles). For Tied one covariance is
// drawn and copied to all. An InverseWishart(ν, Λ) variate is drawn by
// Bartlett's decomposition (Bartlett 1933; Smith & Hocking 1972): with
// Λ = B Bᵀ and A lower triangular, A_jj² ~ χ²(ν − j) for j = 0 … d−1 and
// A_ab ~ Normal(0, 1) below the diagonal, Σ = B A⁻ᵀ A⁻¹ Bᵀ, the inverse of
// the Wishart(ν, Λ⁻¹) variate B⁻ᵀ A Aᵀ B⁻¹. It reports false if a draw
// is not a finite positive-definite matrix.
func (q *Post) Draw(p *Prior, rng *rand.Rand, mu []float64, cov [][]float64, ws *Workspace) bool {
	d, K := p.D, len(cov)
	for k := range K {
		c := cov[k]
		switch p.Form {
		case Full:
			if !ws.invWishart(rng, q.Nu[k], q.Lam[k], c) {
				return false
			}
		case Tied:
			if k == 0 {
				if !ws.invWishart(rng, q.Nu[0], q.Lam[0], c) {
					return false
				}
			} else {
				copy(c, cov[0])
			}
		case Diagonal:
			clear(c)
			for a := range d {
				c[a*d+a] = invGamma(rng, q.Nu[k]/2, q.Lam[k][a]/2)
			}
		case Spherical:
			clear(c)
			v := invGamma(rng, q.Nu[k]/2, q.Lam[k][0]/2)
			for a := range d {
				c[a*d+a] = v
			}
		}
		if _, ok := mvkernel.Cholesky(ws.l, c, d); !ok {
			return false
		}
		// μ_k = m_k + L z/√κ_k.
		s := 1 / math.Sqrt(q.Kappa[k])
		if p.Fault == FaultMeanSpread {
			s = 1 / math.Sqrt(p.Kappa0)
		}
		for a := range d {
			ws.z[a] = rng.NormFloat64()
		}
		for a := range d {
			v := q.M[k*d+a]
			for b := 0; b <= a; b++ {
				v += ws.l[a*d+b] * ws.z[b] * s
			}
			mu[k*d+a] = v
		}
	}
	return true
}

// invGamma returns an InverseGamma(a, b) variate, b/G for G ~ Gamma(a, 1),
// drawn in logarithms so that a tiny G does not lose its digits; it is
// +Inf beyond the largest float64.
func invGamma(rng *rand.Rand, a, b float64) float64 {
	return math.Exp(math.Log(b) - mcmc.LogGamma(rng, a))
}

// Workspace holds the scratch of Draw and of the scores for d dimensions.
type Workspace struct {
	d          int
	l, a, r, g []float64
	z          []float64
}

// NewWorkspace returns a Workspace for d dimensions.
func NewWorkspace(d int) *Workspace {
	return &Workspace{d: d, l: make([]float64, d*d), a: make([]float64, d*d), r: make([]float64, d*d), g: make([]float64, d*d), z: make([]float64, d)}
}

// invWishart sets c to an InverseWishart(nu, lam) variate by Bartlett's
// decomposition (see Post.Draw).
func (ws *Workspace) invWishart(rng *rand.Rand, nu float64, lam, c []float64) bool {
	d := ws.d
	if _, ok := mvkernel.Cholesky(ws.l, lam, d); !ok {
		return false
	}
	clear(ws.a)
	for j := range d {
		ws.a[j*d+j] = math.Sqrt(2 * mcmc.Gamma(rng, (nu-float64(j))/2))
		for b := range j {
			ws.a[j*d+b] = rng.NormFloat64()
		}
	}
	mvkernel.InvertLower(ws.r, ws.a, d) // R = A⁻¹
	// G = B Rᵀ, Σ = G Gᵀ.
	for i := range d {
		for j := range d {
			// B[i][m] is zero for m > i and Rᵀ[m][j] = R[j][m] for m > j.
			var s float64
			for m := 0; m <= min(i, j); m++ {
				s += ws.l[i*d+m] * ws.r[j*d+m]
			}
			ws.g[i*d+j] = s
		}
	}
	for i := range d {
		for j := 0; j <= i; j++ {
			var s float64
			for m := range d {
				s += ws.g[i*d+m] * ws.g[j*d+m]
			}
			c[i*d+j] = s
			c[j*d+i] = s
		}
	}
	for _, v := range c {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// GibbsScores fills sc with the terms of log w_k N(x | μ_k, Σ_k) =
// c_k − ½|L_k⁻¹(x − μ_k)|² at logW, mu and cov (see mvkernel.Params). It
// reports false if a covariance is not positive definite.
func GibbsScores(sc *mvkernel.Params, logW, mu []float64, cov [][]float64, ws *Workspace) bool {
	d := sc.D
	copy(sc.Mean, mu)
	for k := range sc.K {
		logDet, ok := mvkernel.Cholesky(ws.l, cov[k], d)
		if !ok {
			return false
		}
		mvkernel.InvertLower(sc.Inv[k*d*d:(k+1)*d*d], ws.l, d)
		sc.LogDet[k] = logDet
		sc.Const[k] = logW[k] - 0.5*logDet - 0.5*float64(d)*log2Pi
	}
	return true
}
