package gmm

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/mcmc"
)

// gibbsChain is one chain of runGibbs with what it carries from warm-up to
// sampling.
type gibbsChain struct {
	ch   *mcmc.Chain
	best float64   // the highest log p(x, θ) seen in warm-up
	logW []float64 // and its parameters
	mu   []float64
	sig  []float64
}

// pivotEvery is how often, in sweeps, the second half of warm-up evaluates
// log p(x, θ) in search of the pivot.
const pivotEvery = 10

// runGibbs runs cfg.Chains Gibbs chains on the standardised data u and
// writes their relabelled draws, by rows of K, into w, mu and sigma, and
// the number of components that hold data in each draw into occ.
//
// Warm-up runs every chain in parallel. The pivot of the ECR relabelling is
// then the allocation z*_i = argmax_k w_k N(u_i | μ_k, σ_k) at the
// parameters with the highest marginal log posterior log p(x, θ) found in
// the second half of warm-up, in any chain (the first chain wins ties).
// The marginal posterior, with z summed out, is used rather than the
// complete-data one, whose maximum favours a narrow component that holds
// only a few points; that makes a poor pivot when components overlap.
// Sampling then runs every chain in parallel again. Each chain has its own
// PCG stream and writes only its own rows, so the draws do not depend on
// GOMAXPROCS or on scheduling.
func runGibbs(ctx context.Context, u []float64, K int, pr mcmc.Prior, cfg *PosteriorSettings, w, mu, sigma []float64, occ []int32) {
	chains := make([]gibbsChain, cfg.Chains)
	var wg sync.WaitGroup
	for c := range chains {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			gc := &chains[c]
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(c)))
			w0, m0, s0 := make([]float64, K), make([]float64, K), make([]float64, K)
			kernel.KMeansPP(u, rng, lloydIters, w0, m0, s0, initSigmaFloor, make([]int, len(u)))
			gc.ch = mcmc.NewChain(u, pr, rng, w0, m0, s0)
			gc.best = math.Inf(-1)
			gc.logW, gc.mu, gc.sig = make([]float64, K), make([]float64, K), make([]float64, K)
			for s := range cfg.Warmup {
				// A sweep is one pass over the data, so checking the
				// context before each stops a chain within one pass.
				if ctx.Err() != nil {
					return
				}
				gc.ch.Sweep()
				if s < cfg.Warmup/2 || (cfg.Warmup-1-s)%pivotEvery != 0 {
					continue
				}
				if lp := gc.ch.LogMarginal(); lp > gc.best || s == cfg.Warmup-1 && math.IsInf(gc.best, -1) {
					gc.best = lp
					copy(gc.logW, gc.ch.LogW)
					copy(gc.mu, gc.ch.Mu)
					copy(gc.sig, gc.ch.Sigma)
				}
			}
		}(c)
	}
	wg.Wait()
	if ctx.Err() != nil {
		return
	}

	b := &chains[0]
	for c := range chains {
		if chains[c].best > b.best {
			b = &chains[c]
		}
	}
	pivot := make([]int32, len(u))
	mcmc.Allocate(u, b.logW, b.mu, b.sig, pivot)

	for c := range chains {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			ch := chains[c].ch
			conf := make([]int, K*K)
			perm := make([]int, K)
			cost := make([]float64, K*K)
			scratch := make([]float64, 5*(K+1))
			for t := range cfg.Draws {
				if ctx.Err() != nil {
					return
				}
				ch.Sweep()
				ch.Contingency(pivot, conf)
				mcmc.ECR(conf, K, perm, cost, scratch)
				row := (c*cfg.Draws + t) * K
				occ[row/K] = occupiedRows(conf, K)
				for j, k := range perm {
					w[row+k] = math.Exp(ch.LogW[j])
					mu[row+k] = ch.Mu[j]
					sigma[row+k] = ch.Sigma[j]
				}
			}
		}(c)
	}
	wg.Wait()
}
