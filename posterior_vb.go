package gmm

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/mcmc"
	"github.com/gmm-go/gmm/internal/vb"
)

// runVB fits the variational approximation to the standardised data u,
// weighted by v (nil for all 1), from cfg.Chains k-means++ starting points
// in parallel, keeps the fit with the highest final ELBO
// (the first wins ties), and writes cfg.Chains·cfg.Draws independent draws
// from it, by rows of K, into w, mu and sigma. It returns the kept fit's
// ELBO trace on the standardised data, and a warning if it ran out of
// steps.
func runVB(ctx context.Context, u, v []float64, K int, pr mcmc.Prior, cfg *PosteriorSettings, w, mu, sigma []float64) ([]float64, []string) {
	fits := make([]*vb.Fit, cfg.Chains)
	mcmc.ForEach(cfg.Chains, cfg.Seed, func(c int, rng *rand.Rand) {
		w0, m0, s0 := make([]float64, K), make([]float64, K), make([]float64, K)
		kernel.KMeansPP(u, v, rng, lloydIters, w0, m0, s0, initSigmaFloor, make([]int, len(u)))
		fits[c] = vb.Run(ctx, u, v, pr, w0, m0, s0, defaultVBSteps, defaultVBTol)
	})
	if ctx.Err() != nil {
		return nil, nil
	}
	best := fits[0]
	for _, f := range fits[1:] {
		if f.ELBO[len(f.ELBO)-1] > best.ELBO[len(best.ELBO)-1] {
			best = f
		}
	}
	// The draws have a stream of their own, after the chains'.
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(cfg.Chains)))
	for t := range cfg.Chains * cfg.Draws {
		r := t * K
		best.Draw(rng, w[r:r+K], mu[r:r+K], sigma[r:r+K])
	}
	var warn []string
	if !best.Converged {
		warn = append(warn, fmt.Sprintf("VB did not converge in %d steps; its approximation may be poor", len(best.ELBO)))
	}
	return append([]float64(nil), best.ELBO...), warn
}
