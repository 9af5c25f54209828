package mcmc

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
)

// ForEach runs f(c, rng) for c = 0 … n−1 in parallel goroutines and waits
// for them all. Each call gets its own PCG stream, rand.NewPCG(seed, c),
// and must write only what belongs to c, so the results do not depend on
// GOMAXPROCS or on scheduling.
func ForEach(n int, seed uint64, f func(c int, rng *rand.Rand)) {
	var wg sync.WaitGroup
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(c, rand.New(rand.NewPCG(seed, uint64(c))))
		}()
	}
	wg.Wait()
}

// Sampler is one chain of a Gibbs sampler of a mixture with K components
// whose labels z are auxiliary variables, as RunGibbs drives it. It is for
// one goroutine at a time.
type Sampler interface {
	// Sweep draws every variable once: a pass over the data.
	Sweep()
	// LogMarginal returns log p(x, θ) at the current parameters θ, with
	// the labels summed out.
	LogMarginal() float64
	// Keep remembers the current parameters as the pivot's candidate.
	Keep()
	// Allocate sets z_i to the most probable label of point i under the
	// kept parameters: argmax_k w_k p(x_i | θ_k).
	Allocate(z []int32)
	// Contingency sets conf (K×K, by rows) to the counts of the labels of
	// the last sweep against pivot: conf[j·K + k] = #{i : z_i = j, pivot_i = k}.
	Contingency(pivot []int32, conf []int)
	// Record stores the parameters of the last sweep as draw t of the
	// chain, label j becoming label perm[j].
	Record(t int, perm []int)
}

// GibbsRun is the shape of RunGibbs's work: Chains chains of Warmup
// discarded sweeps and Draws kept ones, on N points and K components.
type GibbsRun struct {
	Seed                  uint64
	Chains, Warmup, Draws int
	N, K                  int
}

// PivotEvery is how often, in sweeps, the second half of warm-up evaluates
// log p(x, θ) in search of the pivot.
const PivotEvery = 10

// RunGibbs runs r.Chains chains, each made by start(c, rng) with its own
// PCG stream rand.NewPCG(r.Seed, c), and relabels their draws by ECR
// against one pivot. It sets occ[c·Draws + t] to the number of components
// that hold data in draw t of chain c. It returns early, with the draws
// unfinished, if ctx is cancelled: every chain checks ctx before each
// sweep.
//
// Warm-up runs every chain in parallel. The pivot is the allocation
// z*_i = argmax_k w_k p(x_i | θ_k) at the parameters with the highest
// marginal log posterior log p(x, θ) found in the second half of warm-up,
// every PivotEvery sweeps, in any chain (the first chain wins ties). The
// marginal posterior, with z summed out, is used rather than the
// complete-data one, whose maximum favours a narrow component that holds
// only a few points; that makes a poor pivot when components overlap.
// Sampling then runs every chain in parallel again, and each draw's labels
// are permuted by ECR (see ECR) to agree with the pivot. Each chain writes
// only its own draws, so they do not depend on GOMAXPROCS or on
// scheduling.
func RunGibbs(ctx context.Context, r GibbsRun, start func(c int, rng *rand.Rand) Sampler, occ []int32) {
	chains := make([]Sampler, r.Chains)
	best := make([]float64, r.Chains)
	ForEach(r.Chains, r.Seed, func(c int, rng *rand.Rand) {
		s := start(c, rng)
		chains[c] = s
		best[c] = math.Inf(-1)
		for t := range r.Warmup {
			// A sweep is one pass over the data, so checking the context
			// before each stops a chain within one pass.
			if ctx.Err() != nil {
				return
			}
			s.Sweep()
			if t < r.Warmup/2 || (r.Warmup-1-t)%PivotEvery != 0 {
				continue
			}
			if lp := s.LogMarginal(); lp > best[c] || t == r.Warmup-1 && math.IsInf(best[c], -1) {
				best[c] = lp
				s.Keep()
			}
		}
	})
	if ctx.Err() != nil {
		return
	}
	b := 0
	for c := range chains {
		if best[c] > best[b] {
			b = c
		}
	}
	pivot := make([]int32, r.N)
	chains[b].Allocate(pivot)

	K := r.K
	var wg sync.WaitGroup
	for c, s := range chains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conf := make([]int, K*K)
			perm := make([]int, K)
			cost := make([]float64, K*K)
			scratch := make([]float64, 5*(K+1))
			for t := range r.Draws {
				if ctx.Err() != nil {
					return
				}
				s.Sweep()
				s.Contingency(pivot, conf)
				ECR(conf, K, perm, cost, scratch)
				occ[c*r.Draws+t] = OccupiedRows(conf, K)
				s.Record(t, perm)
			}
		}()
	}
	wg.Wait()
}

// OccupiedRows returns the number of the K rows of the K×K contingency
// table conf that are not all zero: the number of components that hold at
// least one point.
func OccupiedRows(conf []int, K int) int32 {
	var occ int32
	for j := range K {
		for _, c := range conf[j*K : (j+1)*K] {
			if c > 0 {
				occ++
				break
			}
		}
	}
	return occ
}

// Occupied returns the distribution of the number of occupied components
// over the draws, from their counts occ: element j is the fraction of
// draws in which exactly j of the K components hold data. It has length
// K + 1, and returns nil for no draws.
func Occupied(occ []int32, K int) []float64 {
	if len(occ) == 0 {
		return nil
	}
	f := make([]float64, K+1)
	for _, j := range occ {
		f[j]++
	}
	for j := range f {
		f[j] /= float64(len(occ))
	}
	return f
}
