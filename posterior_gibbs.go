package gmm

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/mcmc"
)

// gibbsChain is one chain of runGibbs: the sampler, the parameters kept as
// the pivot's candidate, and where its draws go.
type gibbsChain struct {
	ch               *mcmc.Chain
	u                []float64
	logW, mu, sig    []float64 // the kept parameters
	w, muOut, sigOut []float64 // the chain's rows of the draws
}

func (g *gibbsChain) Sweep()                                { g.ch.Sweep() }
func (g *gibbsChain) LogMarginal() float64                  { return g.ch.LogMarginal() }
func (g *gibbsChain) Contingency(pivot []int32, conf []int) { g.ch.Contingency(pivot, conf) }
func (g *gibbsChain) Allocate(z []int32)                    { mcmc.Allocate(g.u, g.logW, g.mu, g.sig, z) }

func (g *gibbsChain) Keep() {
	copy(g.logW, g.ch.LogW)
	copy(g.mu, g.ch.Mu)
	copy(g.sig, g.ch.Sigma)
}

func (g *gibbsChain) Record(t int, perm []int) {
	K := len(perm)
	row := t * K
	for j, k := range perm {
		g.w[row+k] = math.Exp(g.ch.LogW[j])
		g.muOut[row+k] = g.ch.Mu[j]
		g.sigOut[row+k] = g.ch.Sigma[j]
	}
}

// runGibbs runs cfg.Chains Gibbs chains on the standardised data u, under
// the prior pr whose log density is logPrior, each from its own k-means++
// starting point, and writes their relabelled draws (see mcmc.RunGibbs),
// by rows of K, into w, mu and sigma, and the number of components that
// hold data in each draw into occ.
func runGibbs(ctx context.Context, u []float64, K int, pr mcmc.Prior, logPrior mcmc.LogPrior, cfg *PosteriorSettings, w, mu, sigma []float64, occ []int32) {
	run := mcmc.GibbsRun{Seed: cfg.Seed, Chains: cfg.Chains, Warmup: cfg.Warmup, Draws: cfg.Draws, N: len(u), K: K}
	span := cfg.Draws * K
	mcmc.RunGibbs(ctx, run, func(c int, rng *rand.Rand) mcmc.Sampler {
		w0, m0, s0 := make([]float64, K), make([]float64, K), make([]float64, K)
		kernel.KMeansPP(u, nil, rng, lloydIters, w0, m0, s0, initSigmaFloor, make([]int, len(u)))
		out := c * span
		return &gibbsChain{
			ch: mcmc.NewChain(u, pr, logPrior, rng, w0, m0, s0), u: u,
			logW: make([]float64, K), mu: make([]float64, K), sig: make([]float64, K),
			w: w[out : out+span], muOut: mu[out : out+span], sigOut: sigma[out : out+span],
		}
	}, occ)
}
