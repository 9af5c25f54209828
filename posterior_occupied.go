package gmm

import "github.com/gmm-go/gmm/internal/mcmc"

// Occupied returns the posterior distribution of the number of occupied
// components, those to which at least one point is allocated: element j is
// the posterior probability that exactly j of the K components hold data,
// estimated by the fraction of Gibbs draws whose labels z occupy j
// components. It has length K + 1, and its element 0 is 0. It returns nil
// for VB, which has no labels to count.
//
// This is the Bayesian answer to "how many clusters?" of the sparse finite
// mixture (Malsiner-Walli, Frühwirth-Schnatter & Grün 2016, "Model-based
// clustering based on sparse finite Gaussian mixtures", Statistics and
// Computing 26): fit more components than the data can need, K = 10 say,
// with a small Dirichlet concentration α, so that the prior empties the
// components the data do not call for. The number of occupied components
// K₊ then estimates the number of clusters, and Occupied is its posterior;
// its mode is the usual point estimate. Rousseau & Mengersen (2011,
// "Asymptotic behaviour of the posterior distribution in overfitted
// mixture models", JRSS B 73) show that superfluous components empty when
// α < d/2, with d the number of parameters of each component: d = 2 here
// (μ and σ), so α < 1. Malsiner-Walli et al. take α far smaller and
// recommend α = 0.01 with K = 10. With α = 1, as DefaultPrior has it,
// superfluous components are not emptied but share the clusters, and K₊
// overstates their number: on 300 points in three clusters 10σ apart,
// K = 10 and α = 0.01 put 0.95 of the posterior on three, while α = 0.5
// and α = 1 spread it over 4 to 10. So take, for example,
//
//	p := gmm.DefaultPrior(x)
//	p.Concentration = 0.01
//	m := &gmm.Model{K: 10, Prior: p}
//	post, err := m.Posterior(x, nil)
//	occ := post.Occupied() // occ[j]: P(j clusters | x)
//
// K₊ counts components, not well-separated groups: a skewed or heavy-tailed
// cluster may need two normal components, and a far outlier may occupy one
// of its own. A K₊ near K means K was not generous enough. As with any
// Gibbs output, check Warnings; a chain that has not mixed may be stuck
// with too many occupied components, so run more Warmup if the chains'
// counts disagree.
func (p *Posterior) Occupied() []float64 {
	return mcmc.Occupied(p.occupied, p.K())
}
