package gmm

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/mcmc"
)

// gibbsChain is one chain of runGibbs with what it carries from warm-up to
// sampling.
type gibbsChain struct {
	ch      *mcmc.Chain
	best    float64 // the highest LogPost seen in warm-up
	bestZ   []int32 // and its labels
	hasBest bool
}

// runGibbs runs cfg.Chains Gibbs chains on the standardised data u and
// writes their relabelled draws, by rows of K, into w, mu and sigma.
//
// Warm-up runs every chain in parallel; the pivot for the ECR relabelling
// is then the best labelling any chain saw (the first chain wins ties), and
// sampling runs every chain in parallel again. Each chain has its own PCG
// stream and writes only its own rows, so the draws do not depend on
// GOMAXPROCS or on scheduling.
func runGibbs(u []float64, K int, pr mcmc.Prior, cfg *PosteriorSettings, w, mu, sigma []float64) {
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
			gc.bestZ = make([]int32, len(u))
			for range cfg.Warmup {
				gc.ch.Sweep()
				if lp := gc.ch.LogPost; lp > gc.best {
					gc.best = lp
					gc.hasBest = true
					copy(gc.bestZ, gc.ch.Z)
				}
			}
		}(c)
	}
	wg.Wait()

	pivot := chains[0].bestZ
	best := chains[0].best
	for c := range chains {
		if chains[c].hasBest && (chains[c].best > best || !chains[0].hasBest) {
			pivot, best = chains[c].bestZ, chains[c].best
		}
	}

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
				ch.Sweep()
				ch.Contingency(pivot, conf)
				mcmc.ECR(conf, K, perm, cost, scratch)
				row := (c*cfg.Draws + t) * K
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
