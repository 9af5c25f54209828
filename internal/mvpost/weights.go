package mvpost

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mathext"

	"github.com/gmm-go/gmm/internal/mcmc"
)

// DrawWeights sets logW to the logarithms of a draw of the weights from
// their posterior given the counts n (K values): Dirichlet(α + n_1, …,
// α + n_K), or under StickBreaking v_k ~ Beta(1 + n_k, α + Σ_{j>k} n_j)
// for k < K (Ishwaran & James 2001). scratch must hold K values.
func (p *Prior) DrawWeights(rng *rand.Rand, n, logW, scratch []float64) {
	K := len(n)
	if !p.StickBreaking {
		for k := range K {
			scratch[k] = p.Alpha + n[k]
		}
		mcmc.LogDirichlet(rng, scratch, logW)
		return
	}
	var left, rest float64 // log of the stick left; the counts beyond k
	for _, v := range n {
		rest += v
	}
	for k := range K - 1 {
		rest = max(rest-n[k], 0)
		g1 := mcmc.LogGamma(rng, 1+n[k])
		g2 := mcmc.LogGamma(rng, p.Alpha+rest)
		m := max(g1, g2)
		lse := m + math.Log(math.Exp(g1-m)+math.Exp(g2-m))
		logW[k] = left + g1 - lse
		left += g2 - lse
	}
	logW[K-1] = left
}

// ExpectedLogWeights sets e to E_q[log w_k] under the optimal q(w) for the
// counts n: ψ(α + n_k) − ψ(Kα + Σ n) for the Dirichlet, and under
// StickBreaking E[log v_k] + Σ_{j<k} E[log(1 − v_j)] with
// v_j ~ Beta(1 + n_j, α + Σ_{l>j} n_l) and v_K = 1 (Blei & Jordan 2006).
func (p *Prior) ExpectedLogWeights(n, e []float64) {
	K := len(n)
	var tot float64
	for _, v := range n {
		tot += v
	}
	if !p.StickBreaking {
		s := mathext.Digamma(float64(K)*p.Alpha + tot)
		for k, v := range n {
			e[k] = mathext.Digamma(p.Alpha+v) - s
		}
		return
	}
	var left float64
	rest := tot
	for k := range K - 1 {
		rest = max(rest-n[k], 0)
		a, b := 1+n[k], p.Alpha+rest
		s := mathext.Digamma(a + b)
		e[k] = left + mathext.Digamma(a) - s
		left += mathext.Digamma(b) - s
	}
	e[K-1] = left
}

// LogZWeights returns the weights' part of the evidence lower bound at the
// optimal q(w) for the counts n, E_q[log p(z | w) + log p(w) − log q(w)],
// which is the log marginal of the counts: log Γ(Kα) − log Γ(Kα + N) +
// Σ_k [log Γ(α + n_k) − log Γ(α)] for the Dirichlet, and under
// StickBreaking Σ_{k<K} [log B(1 + n_k, α + Σ_{j>k} n_j) − log B(1, α)].
func (p *Prior) LogZWeights(n []float64) float64 {
	K := len(n)
	var tot float64
	for _, v := range n {
		tot += v
	}
	a := p.Alpha
	if !p.StickBreaking {
		z := lgamma(float64(K)*a) - lgamma(float64(K)*a+tot)
		for _, v := range n {
			z += lgamma(a+v) - lgamma(a)
		}
		return z
	}
	var z float64
	rest := tot
	for k := range K - 1 {
		rest = max(rest-n[k], 0)
		z += lbeta(1+n[k], a+rest) - lbeta(1, a)
	}
	return z
}

func lbeta(a, b float64) float64 { return lgamma(a) + lgamma(b) - lgamma(a+b) }
