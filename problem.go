package gmm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/num"
)

// objective is the loss −log p(u, w, μ, σ) on standardised data
// u = (x − c)/scale: the prior has been carried to the units of u and floor
// is the smallest σ allowed (zero when there is a prior).
type objective struct {
	prior    Prior
	floor    float64
	c, scale float64
	shared   bool // one σ for every component (Model.SharedSigma)
	// fix names the parameters the fit leaves as they are, and fixed
	// holds them in θ = (log w, μ, log σ) on the standardised data: the
	// fit's θ takes these values, bit for bit, in every fixed coordinate.
	fix   Fixed
	fixed []float64
}

// pin sets θ's fixed coordinates to their values.
func (o *objective) pin(theta []float64) {
	if !o.fix.any() {
		return
	}
	K := len(theta) / 3
	for j, on := range [3]bool{o.fix.Weights, o.fix.Means, o.fix.Sigmas} {
		if on {
			copy(theta[j*K:(j+1)*K], o.fixed[j*K:(j+1)*K])
		}
	}
}

// lossOffset returns what turns a loss on the standardised data
// u = (x − c)/scale, with n points and K components, into the loss on x:
// N(x | μ, σ) = N(u | μ_u, σ_u)/scale for each point, and each Normal prior
// density on μ_k and each InverseGamma prior density on σ_k (or σ_k²) is
// likewise divided by scale (or scale²); with a shared σ there is one such
// density on σ.
func (o *objective) lossOffset(n float64, K int) float64 {
	ls := math.Log(o.scale)
	off := n * ls
	if !o.prior.IsZero() {
		off += float64(K) * ls
		ns := float64(K)
		if o.shared {
			ns = 1
		}
		if o.prior.OnVariance {
			off += 2 * ns * ls
		} else {
			off += ns * ls
		}
	}
	return off
}

// problem is the one-column fit as the engine sees it, on one set of
// standardised points, with θ = (log w, μ, log σ): 3K values, the weights'
// logarithms normalised and each σ_k at or above the floor.
type problem struct {
	// pass sets st to the statistics of the points at p, in the units
	// of the standardised data.
	pass  func(ctx context.Context, p *kernel.Params, st *Stats) error
	total float64 // the points' total weight
	obj   *objective
	p     *kernel.Params // the last θ evaluated
	st    *Stats         // its pass's statistics
	cur   mix            // scratch for Map
	next  mix
	// ready, if not nil, is a θ whose statistics st already holds: the
	// next Eval at it makes no pass.
	ready []float64
	k     int
	// sorted holds the line of the points in order, weights with them,
	// for the moves; empty if the problem has none.
	sorted line
	// buf holds st's and the M-step's slices, in one allocation.
	buf []float64
	// pc holds the constant terms of the prior's log density for k
	// components, unless the prior is zero.
	pc priorConstants
	// scan holds worstFitted's scratch from call to call: a round of
	// moves scans the points once for the fit and once for every pair it
	// merges.
	scan scanBuf
}

// scanBuf is worstFitted's scratch.
type scanBuf struct {
	u, cdf      []float64
	lo, hi      []int
	small, tied []scanRun
}

// scanRun is a run of m sorted points from the i-th, with its scan
// statistic g (see worstFitted).
type scanRun struct {
	g    float64
	i, m int
}

var (
	_ engine.Curved      = (*problem)(nil)
	_ engine.Degenerator = (*problem)(nil)
	_ engine.Mover       = (*problem)(nil)
	_ engine.Resetter    = (*problem)(nil)
)

func newProblem(eng *kernel.Engine, obj *objective, k int, total float64) *problem {
	raw := kernel.NewStats(k)
	pass := func(ctx context.Context, p *kernel.Params, st *Stats) error {
		eng.Pass(p, raw)
		st.setRaw(raw, p.Mu, total)
		return nil
	}
	return newPassProblem(pass, obj, k, total)
}

// newPassProblem returns the problem whose passes pass makes, over points
// of total weight total.
func newPassProblem(pass func(context.Context, *kernel.Params, *Stats) error, obj *objective, k int, total float64) *problem {
	// One allocation for the statistics and the M-step's scratch: a fit
	// makes a problem per run, and small fits feel the allocations.
	f := make([]float64, 9*k)
	part := func(i int) []float64 { return f[i*k : (i+1)*k : (i+1)*k] }
	q := &problem{pass: pass, total: total, obj: obj, p: kernel.NewParams(k), buf: f,
		st:  &Stats{W: part(0), Mean: part(1), M2: part(2)},
		cur: mix{part(3), part(4), part(5)}, next: mix{part(6), part(7), part(8)}, k: k}
	if !obj.prior.IsZero() {
		q.pc = obj.prior.constants(k)
	}
	return q
}

// Reset makes q as new for another run on the same points (see
// engine.Resetter): it forgets the statistics made ready for a θ and
// clears those of the last pass and the M-step's scratch.
func (q *problem) Reset() {
	q.ready = nil
	q.st.Total, q.st.LogLik = 0, 0
	clear(q.buf)
}

func (q *problem) Dim() int        { return 3 * q.k }
func (q *problem) Points() float64 { return q.total }

// Eval returns the loss −log p(u, w, μ, σ) at θ, after one pass over the
// points. It checks ctx before the pass.
func (q *problem) Eval(ctx context.Context, theta []float64) (float64, error) {
	if err := ctx.Err(); err != nil {
		return math.NaN(), err
	}
	fromTheta(theta, q.p)
	if q.ready != nil && slices.Equal(theta, q.ready) {
		q.ready = nil
	} else if err := q.pass(ctx, q.p, q.st); err != nil {
		return math.NaN(), err
	}
	var lp float64
	if !q.obj.prior.IsZero() {
		lp = q.obj.prior.logDensityWith(q.pc, q.p.LogW, q.p.Mu, priorSigmas(q.p.Sigma, q.obj.shared))
	}
	return -(q.st.LogLik + lp), nil
}

// Map sets dst to the ECM image of the last θ evaluated, by the M-step
// Model.Update makes (Prior.mstep), with the fixed parameters left as they
// are.
func (q *problem) Map(dst []float64) {
	K := q.k
	copy(q.cur.logW, q.p.LogW)
	copy(q.cur.mu, q.p.Mu)
	copy(q.cur.sigma, q.p.Sigma)
	q.obj.prior.mstep(q.st, q.cur, q.obj.floor, q.obj.shared, q.obj.fix, q.next)
	for k := range K {
		dst[k], dst[K+k], dst[2*K+k] = q.next.logW[k], q.next.mu[k], math.Log(q.next.sigma[k])
	}
	q.obj.pin(dst)
}

// Project renormalises the weights and raises each σ_k to the floor, and
// gives the fixed parameters their values.
func (q *problem) Project(theta []float64) {
	K := q.k
	if !q.obj.fix.Weights {
		lse := num.LogSumExp(theta[:K])
		for k := range K {
			theta[k] -= lse
		}
	}
	if q.obj.shared && !q.obj.fix.Sigmas {
		poolSigmas(theta, K)
	}
	lf := math.Log(q.obj.floor)
	for k := 2 * K; k < 3*K; k++ {
		theta[k] = max(theta[k], lf)
	}
	q.obj.pin(theta)
}

// poolSigmas gives every component of θ = (log w, μ, log σ) the pooled
// standard deviation √(Σ_k w_k σ_k²), unless they already share one; the
// weights must be normalised.
func poolSigmas(theta []float64, K int) {
	ls := theta[2*K : 3*K]
	if !slices.ContainsFunc(ls, func(v float64) bool { return v != ls[0] }) {
		return
	}
	v := make([]float64, K)
	for k := range K {
		v[k] = theta[k] + 2*ls[k]
	}
	p := 0.5 * num.LogSumExp(v)
	for k := range ls {
		ls[k] = p
	}
}

// priorSigmas returns the standard deviations the prior has a density on:
// all of sigma, or with a shared σ its first element, so that the prior's
// InverseGamma counts the one σ once.
func priorSigmas(sigma []float64, shared bool) []float64 {
	if shared {
		return sigma[:1]
	}
	return sigma
}

// Gradient sets dst to the gradient of the loss with respect to
// θ = (η, μ, log σ) at the last θ evaluated, with w = softmax(η). With r_ik
// the responsibilities, N_k = Σ_i r_ik, d_ik = u_i − μ_k and ℓ the
// log-likelihood, the chain rule through the log-sum-exp gives
//
//	∂ℓ/∂η_k     = N_k − n w_k
//	∂ℓ/∂μ_k     = Σ_i r_ik d_ik / σ_k²
//	∂ℓ/∂log σ_k = Σ_i r_ik (d_ik²/σ_k² − 1)
//
// and the prior adds its terms (Prior.gradient). A σ_k at the floor whose
// gradient would lower it further gets a zero gradient there (the
// projected gradient). It returns the decrease of the loss that a
// diagonal Newton step would bring, with h the diagonal of the Fisher
// information, n w_k(1 − w_k), N_k/σ_k² and 2N_k, plus the prior's
// curvature: ½ g_j²/h_j in each coordinate j, except that a step in log σ_k
// stops at the floor (see boundedDecrease), so that a σ_k pinned there
// counts for nothing.
//
// With a shared σ, the K coordinates log σ_k hold the one log σ, and each
// gets the derivative of the loss with respect to it: the sum over k of
// the likelihood's terms above, plus the prior's term once, with the
// curvature 2n plus the prior's, counted once in the decrease.
func (q *problem) Gradient(dst []float64) float64 {
	p, pr := q.p, &q.obj.prior
	K := q.k
	n := q.Points()
	var dec, gsum float64
	for k := range K {
		w, s, N, d, S2 := q.about(k)
		is2 := 1 / (s * s)
		S1 := N * d
		ge := N - n*w
		gm := S1 * is2
		gs := S2*is2 - N
		he, hm, hs := n*w*(1-w), N*is2, 2*N
		pe, pm, ps, cm, cs := pr.gradient(w, p.Mu[k], s, K)
		gsum += gs
		ge, gm, gs, hm, hs = ge+pe, gm+pm, gs+ps, hm+cm, hs+cs
		room := q.room(s)
		if gs < 0 && room <= degenerateRel {
			gs = 0
		}
		fix := q.obj.fix
		if fix.Weights {
			ge = 0
		}
		if fix.Means {
			gm = 0
		}
		if fix.Sigmas {
			gs = 0
		}
		dst[k], dst[K+k], dst[2*K+k] = -ge, -gm, -gs
		dec += ge*ge/(2*max(he, 1)) + gm*gm/(2*max(hm, 1e-300))
		if !q.obj.shared {
			dec += boundedDecrease(gs, max(hs, 1), room)
		}
	}
	if q.obj.shared && !q.obj.fix.Sigmas {
		dec += q.sharedGradient(dst, gsum)
	}
	return dec
}

// about returns component k's weight w and σ at the last θ evaluated,
// its count N, the distance d = m − μ from its mean μ to its points' mean
// m, and its points' squared deviations about μ, S2 = M2 + N d².
func (q *problem) about(k int) (w, s, N, d, S2 float64) {
	w, s = math.Exp(q.p.LogW[k]), q.p.Sigma[k]
	N = q.st.W[k]
	d = q.st.Mean[k] - q.p.Mu[k]
	return w, s, N, d, q.st.M2[k] + N*d*d
}

// Curvature sets dst to a diagonal h that bounds the curvature of the loss
// at the last θ evaluated: the complete data's observed information in
// each coordinate, n w_k, N_k/σ_k² and 2S_k/σ_k² with S_k the
// responsibility-weighted squared deviations about μ_k (2N_k at the
// maximum-likelihood optimum), those of μ_k and log σ_k raised by the
// factor 1 + δ_k that bounds their block, whose off-diagonal 2N_k d_k/σ_k²
// (d_k the distance from μ_k to its points' mean) vanishes only at the
// maximum-likelihood optimum, plus the prior's curvature, each at least 1
// (the curvature of one point at σ = 1 in the standardised units). Near the
// optimum it bounds the Hessian H of the loss, h⁻¹H having its eigenvalues
// in [0, 1]: the Hessian of the log-likelihood is the complete data's
// information less the missing information (Louis 1982, "Finding the
// observed information matrix when using the EM algorithm", J. R. Statist.
// Soc. B 44), and in η the multinomial's n(diag w − wwᵀ), and the
// Dirichlet prior's K(α − 1)(diag w − wwᵀ) for α > 1, are at most the same
// factor times diag w. (Gradient's n w_k(1 − w_k), the diagonal of that
// matrix, would let a step in η_k overshoot by up to 2 when two weights
// trade off.) With a shared σ, each log σ_k coordinate gets the one σ's
// curvature, the sum of the components' and the prior's once, since each
// moves with the derivative of the loss with respect to the one σ.
func (q *problem) Curvature(dst []float64) {
	p, pr := q.p, &q.obj.prior
	K := q.k
	nw := q.Points()
	if !pr.IsZero() {
		nw += float64(K) * max(pr.Concentration-1, 0)
	}
	var hsum float64
	for k := range K {
		w, s, N, d, S := q.about(k)
		is2 := 1 / (s * s)
		// The block of μ_k and log σ_k, [[N, 2N d], [2N d, 2S]]/σ², is
		// at most its diagonal times 1 + δ, δ = |2N d|/√(2N S), the
		// off-diagonal over the diagonal's geometric mean.
		var delta float64
		if N*S > 0 {
			delta = math.Abs(d) * math.Sqrt(2*N/S)
		}
		hs := 2 * S * is2 * (1 + delta)
		hsum += hs
		_, _, _, cm, cs := pr.gradient(w, p.Mu[k], s, K)
		dst[k] = max(nw*w, 1)
		dst[K+k] = max(N*is2*(1+delta)+cm, 1)
		dst[2*K+k] = max(hs+cs, 1)
	}
	if q.obj.shared {
		_, _, _, _, cs := pr.gradient(1, 0, p.Sigma[0], K)
		for k := range K {
			dst[2*K+k] = max(hsum+cs, 1)
		}
	}
}

// room returns how far log σ may fall before σ reaches the floor:
// log σ − log floor, or +Inf with no floor (under a prior).
func (q *problem) room(sigma float64) float64 {
	if q.obj.floor == 0 {
		return math.Inf(1)
	}
	return max(math.Log(sigma)-math.Log(q.obj.floor), 0)
}

// boundedDecrease returns the increase of a concave quadratic model
// g·δ − h·δ²/2 of the log joint at its maximiser δ = g/h, or, where that
// would take the coordinate more than room below where it is, at δ = −room:
// |g|·room − h·room²/2. So a coordinate at its lower bound whose gradient
// points out of the feasible set counts for nothing, and one near it for
// what the step to the bound brings, less than ½g²/h.
func boundedDecrease(g, h, room float64) float64 {
	if d := g / h; d >= -room {
		return g * d / 2
	}
	return -g*room - h*room*room/2
}

// sharedGradient sets the log σ coordinates of dst to the negated
// derivative of the log joint with respect to the shared log σ, given gsum,
// the likelihood's part, and returns its term in the decrease.
func (q *problem) sharedGradient(dst []float64, gsum float64) float64 {
	K := q.k
	s := q.p.Sigma[0]
	_, _, ps, _, cs := q.obj.prior.gradient(1, 0, s, K)
	g, h := gsum+ps, 2*q.Points()+cs
	room := q.room(s)
	if g < 0 && room <= degenerateRel {
		g = 0
	}
	for k := range K {
		dst[2*K+k] = -g
	}
	return boundedDecrease(g, max(h, 1), room)
}

// degenerateRel is how close to the floor a σ_k must be for its component
// to count as collapsed, and for Gradient to treat it as pinned there: the
// M-step and the projection set a collapsing σ_k to the floor exactly, and
// exp(log floor) differs from it by an ulp or two.
const degenerateRel = 1e-9

// farSpreads is how far from the median, in robust spreads, a value must
// lie for a component collapsed onto it to count as a far value with a
// component of its own (see Fit) rather than a spurious maximum. A
// component of the bulk, its σ of the order of the spread s, gives such a
// value a log density below −(10^4)²/2 = −5·10^7, and a component wide
// enough to reach it from the bulk, σ ≳ 10^3 s, spreads its weight a
// thousand times thinner over the bulk than the bulk's own: the value ends
// on a component of its own from any start, and the bulk's fit does not
// depend on it. Nearer, a spike competes with fits that hold the value in
// a wider component, and is spurious: normal data lie within 10 spreads of
// the median, heavy-tailed data have single values at tens or hundreds, and
// tied values inside the bulk are within a few.
const farSpreads = 1e4

// emptyShare is the weight below which a component counts as empty under
// maximum likelihood, as in the package mv: its weight, N_k/n, is then
// rounding, and the fit has fewer than K components.
const emptyShare = 1e-12

// Degenerate returns an error if, under maximum likelihood, a component of
// θ is empty, its weight at most emptyShare, or lies inside the bulk of the
// data with its σ at the floor: its points, fewer than 2 distinct values,
// would drive σ to zero and the likelihood to infinity. A component on a
// value more than farSpreads robust spreads from the median is a far value
// taking a component of its own, which Fit allows.
func (q *problem) Degenerate(theta []float64) error {
	if q.obj.floor == 0 {
		return nil
	}
	K := q.k
	lf := math.Log(q.obj.floor * (1 + degenerateRel))
	mu := theta[K : 2*K]
	rank := func(k int) int {
		r := 0
		for _, v := range mu {
			if v < mu[k] {
				r++
			}
		}
		return r
	}
	for k := range K {
		if !(math.Exp(theta[k]) > emptyShare) {
			return fmt.Errorf("gmm: under maximum likelihood, component %d of %d is empty (weight %.3g) in the best run, and no run has %d components that neither empty nor collapse onto the σ floor; use fewer components, or a prior (DefaultPrior)",
				rank(k), K, math.Exp(theta[k]), K)
		}
	}
	for k := range K {
		if theta[2*K+k] > lf || math.Abs(mu[k]) > farSpreads {
			continue
		}
		return fmt.Errorf("gmm: under maximum likelihood, component %d of %d collapses onto fewer than 2 distinct values near %.6g, its σ at the floor, in every run: a spurious maximum; fit with a prior (DefaultPrior), under which no component collapses, or, if the data have fewer than %d clusters, with fewer components",
			rank(k), K, q.obj.c+q.obj.scale*mu[k], K)
	}
	return nil
}

// splitShifts are how far a split puts the two halves of a component from
// its mean, in units of its σ: with equal weights, means μ ∓ aσ and
// standard deviations σ√(1 − a²) keep the component's mean and variance
// (the moment-matching split of Richardson & Green 1997, J. R. Statist.
// Soc. B 59(4), with its free variable fixed). The larger shift sends a
// half into the tails of a broad component, where it can find a small
// group the component has swallowed.
var splitShifts = [...]float64{0.5, 0.9}

// smallMerges bounds the pairs a move merges on a small problem (see
// Moves): at most this many, the closest, for the moves that do not split,
// and this many over K for each split, so that a round tries at most
// about 4·smallMerges moves (of each a run to convergence) whatever K.
// With K up to 5 every pair is tried.
const smallMerges = 30

// Moves returns starting points from θ that move components across the
// data. Each frees a component and puts it elsewhere.
//
// A component collapsed onto the floor (under maximum likelihood) is freed
// as it is. Otherwise a pair is merged into one that keeps their weight,
// mean and variance: the closest pair of the others, by
// |μ_i − μ_j|/√(σ_i² + σ_j²), when the freed component splits one of the
// two widest components, and each of the two closest pairs when it covers
// the run of points the mixture fits worst (worstFitted) or, with a prior,
// the single point it fits worst (lowestDensity) or each of the tied
// values it fits worst (mostTied), or a place the mixture fits worst once
// the freed component is taken out (vacated). A split puts the halves at
// μ ∓ aσ for each a in splitShifts, or with K < growFrom on a small
// problem for the larger alone: there the two halves of a split mostly end
// at the same optimum, and on testdata/realdata with K ≤ 3 every best
// known optimum is reached without the smaller shift, in a sixth fewer
// steps. With K = 2 the merged pair is also split again (at both shifts).
// With K ≥ growFrom on a small problem, vacated proposes the places of
// morePlaces. On a small problem (see engine.SmallWork), where runs cost
// little, every component is split, each with every pair of the others
// merged in turn, and the other moves merge every pair in turn: the
// distance above ranks a narrow component within a broad one as close,
// and on the galaxy velocities the merge a better optimum needs, of two
// narrow neighbours, was not among the closest; on the iris petal lengths one needs a split
// of the narrow setosa group, the narrowest component. Ranking the pairs
// by the overlap of their responsibilities instead (the merge criterion of
// SMEM, Ueda et al. 2000, Neural Comput. 12(9)) missed more of the best
// known optima of testdata/realdata than trying every pair. It returns none
// for K < 2, or when a parameter is fixed: a move changes every parameter
// of the components it touches.
func (q *problem) Moves(theta []float64) [][]float64 {
	K := q.k
	if K < 2 || q.obj.fix.any() {
		return nil
	}
	mu, ls := theta[K:2*K], theta[2*K:]
	var pairs [][2]int
	for i := range K {
		for j := i + 1; j < K; j++ {
			pairs = append(pairs, [2]int{i, j})
		}
	}
	dist := func(p [2]int) float64 {
		i, j := p[0], p[1]
		return math.Abs(mu[i]-mu[j]) / math.Sqrt(math.Exp(2*ls[i])+math.Exp(2*ls[j]))
	}
	slices.SortStableFunc(pairs, func(a, b [2]int) int { return cmpFloat(dist(a), dist(b)) })
	small := max(float64(len(q.sorted.x)), q.total)*float64(q.Dim()) <= engine.SmallWork
	// heads are the pairs merged to free a component for the moves that
	// do not split: the two closest, or on small problems every pair.
	heads := pairs[:min(2, len(pairs))]
	splits, per := min(2, K), 1 // components split, pairs merged for each
	shifts := splitShifts[:]
	if small {
		heads = pairs[:min(smallMerges, len(pairs))]
		splits, per = K, max(1, smallMerges/K)
		if K < growFrom {
			shifts = splitShifts[len(splitShifts)-1:]
		}
	}
	wide := make([]int, K)
	for k := range wide {
		wide[k] = k
	}
	slices.SortStableFunc(wide, func(a, b int) int { return cmpFloat(ls[b], ls[a]) })

	// free returns a copy of θ with a component freed, and its index:
	// the collapsed one if there is one, or else j of the pair, merged
	// into i.
	collapsed := -1
	if q.obj.floor > 0 {
		lf := math.Log(q.obj.floor * (1 + degenerateRel))
		collapsed = slices.IndexFunc(ls, func(v float64) bool { return v <= lf })
	}
	free := func(pr [2]int) ([]float64, int) {
		t := slices.Clone(theta)
		if collapsed >= 0 {
			return t, collapsed
		}
		mergeInto(t, K, pr[0], pr[1])
		return t, pr[1]
	}
	var out [][]float64
	add := func(t []float64) {
		q.Project(t)
		out = append(out, t)
	}
	for _, k := range wide[:splits] {
		if k == collapsed {
			continue
		}
		var prs [][2]int
		for _, p := range pairs {
			if p[0] != k && p[1] != k && len(prs) < per {
				prs = append(prs, p)
			}
		}
		if collapsed >= 0 {
			prs = [][2]int{{k, k}}
		}
		for _, pr := range prs {
			for _, a := range shifts {
				t, j := free(pr)
				split(t, K, k, j, a)
				add(t)
			}
		}
	}
	if K == 2 && collapsed < 0 {
		for _, a := range splitShifts {
			t, j := free(pairs[0])
			split(t, K, pairs[0][0], j, a)
			add(t)
		}
	}
	if collapsed >= 0 {
		heads = heads[:1]
	}
	tied := !q.obj.prior.IsZero()
	places := [2]int{1, 0}
	if small && K >= growFrom {
		places = morePlaces
	}
	top, tight, _ := q.worstFitted(theta, 1, 0)
	worst := top
	for _, c := range tight {
		if !slices.Contains(worst, c) {
			worst = append(worst, c)
		}
	}
	if tied {
		worst = append(worst, q.mostTied(theta)...)
	}
	for _, pr := range heads {
		t0, j := free(pr)
		for _, c := range append(slices.Clone(worst), q.vacated(t0, j, tied, places, worst)...) {
			t := slices.Clone(t0)
			t[j], t[K+j], t[2*K+j] = math.Log(c.w), c.mu, math.Log(c.sigma)
			add(t)
		}
	}
	if tied {
		if m, ok := q.lowestDensity(theta); ok {
			w := 1 / q.sorted.size()
			for _, pr := range heads {
				t, j := free(pr)
				t[j], t[K+j], t[2*K+j] = math.Log(w), m, math.Log(q.obj.prior.sigmaMode())
				add(t)
			}
		}
	}
	return out
}

// vacated returns more places for component j, freed in t from a fit by
// merging a pair: where the mixture of t without j fits worst, as the
// places[0] runs of 4 points of worstFitted (its top run if there is none)
// and its places[1] widened runs, and, with tied set, the tied values of
// mostTied, less those already in seen. The places Moves tries for the
// freed component are judged by the fit as it stands, which finds a group
// no component covers; these find a group the freed or the merged
// components covered badly, whose points the mixture without them leaves
// unexplained. On the faithful waiting times, K = 4, seven seeds of 20
// ended at a fit with a narrow component on 45 to 47 minutes that the
// optimum has on 59 and 60, and on the geyser waiting times, K = 5 under a
// prior, 18 ended with a component around 49.5 minutes (σ 0.99) that the
// optimum has on the value 50 alone (σ 0.14); with these places every
// seed reaches both optima. Only the smallest runs are taken from
// worstFitted: its longer runs mostly find the spread of the merged pair,
// which the run from the move repairs by itself, and taking them too cost
// the root package's tests a quarter more time for no optimum more.
func (q *problem) vacated(t []float64, j int, tied bool, places [2]int, seen []window) []window {
	wj := t[j]
	t[j] = math.Inf(-1)
	top, cs, ties := q.worstFitted(t, places[0], places[1])
	if len(cs) == 0 {
		cs = top
	}
	cs = append(cs, ties...)
	if tied {
		cs = append(cs, q.mostTied(t)...)
	}
	t[j] = wj
	var out []window
	for _, c := range cs {
		if !slices.Contains(seen, c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// morePlaces are the runs vacated proposes on small problems (see
// engine.SmallWork) with at least growFrom components: the three runs of 4
// points of largest G that do not overlap, and the four such runs widened
// to hold every point tied with their ends (see worstFitted), where
// elsewhere it proposes the one run of 4 points of largest G. On the Nile
// flows, K = 5, the best known optimum has a component on the three values
// 831 to 833, which the third run found; on the geyser waiting
// times, K = 4, one on the 16 values of 53 and 54 minutes, which only a
// widened run covers. With two runs of 4 points no seed of the Nile's
// reached its optimum, and with three widened runs 3 of the geyser's 20
// (with the starts of splitStarts, seeds 0..19); each place more costs a
// run from every merge of a round.
var morePlaces = [2]int{3, 4}

// split sets components k and j of θ to the halves of component k of θ
// as it stands: each with half its weight, at μ_k ∓ aσ_k, with standard
// deviation σ_k√(1 − a²).
func split(t []float64, K, k, j int, a float64) {
	w, m, s := math.Exp(t[k]), t[K+k], math.Exp(t[2*K+k])
	t[k], t[j] = math.Log(w/2), math.Log(w/2)
	t[K+k], t[K+j] = m-a*s, m+a*s
	r := math.Log(s * math.Sqrt(1-a*a))
	t[2*K+k], t[2*K+j] = r, r
}

// mostTied returns up to tiedMoves values each shared by sorted points of
// a total length of at least 2 on the line (at least two points when they
// are unweighted), those whose share of the points most exceeds the mixture θ's
// mass over their cell (the interval halfway to the next distinct values
// on either side, as in worstFitted), by the scan statistic
// G = c log((c/n)/(F(b) − F(a))) for a share c/n, with their shares; none
// where no value is shared or none has more than its mass. Under a prior a
// component on such a value is a proper mode, with σ near the prior's mode
// for those points, and on data rounded to a grid, such as waiting times
// in whole minutes, the best MAP can have one (on the faithful waiting
// times, the 15 of exactly 78 minutes, not the first by G); a component on
// a run of distinct points, as worstFitted proposes, does not lead there.
func (q *problem) mostTied(theta []float64) []window {
	u := q.sorted.x
	n := q.sorted.size()
	K := q.k
	cdf := func(b float64) float64 {
		var f float64
		for k := range K {
			f += math.Exp(theta[k]) * 0.5 * math.Erfc(-(b-theta[K+k])/(math.Exp(theta[2*K+k])*math.Sqrt2))
		}
		return f
	}
	type tie struct{ g, v, share float64 }
	var ties []tie
	for i := 0; i < len(u); {
		j, c := i, 0.0
		for ; j < len(u) && u[j] == u[i]; j++ {
			c += q.sorted.mass(j)
		}
		if c >= 2 {
			lo, hi := 0.0, 1.0
			if i > 0 {
				lo = cdf(u[i-1]/2 + u[i]/2)
			}
			if j < len(u) {
				hi = cdf(u[j-1]/2 + u[j]/2)
			}
			if g := c * math.Log((c/n)/(hi-lo)); hi > lo && g > 0 {
				ties = append(ties, tie{g, u[i], c / n})
			}
		}
		i = j
	}
	slices.SortStableFunc(ties, func(a, b tie) int { return cmpFloat(b.g, a.g) })
	var out []window
	for _, t := range ties[:min(tiedMoves, len(ties))] {
		out = append(out, window{w: t.share, mu: t.v, sigma: q.obj.prior.spikeSigma(t.share * n)})
	}
	return out
}

// tiedMoves is the number of tied values mostTied proposes.
const tiedMoves = 4

// lowestDensity returns the sorted point where the mixture θ's density is
// lowest, if the problem has sorted points. Moves give a component on it
// the weight of one unit of the line, 1/G.
func (q *problem) lowestDensity(theta []float64) (float64, bool) {
	u := q.sorted.x
	if len(u) == 0 {
		return 0, false
	}
	K := q.k
	terms := make([]float64, K)
	best, at := math.Inf(1), 0.0
	for _, v := range u {
		for k := range K {
			z := (v - theta[K+k]) / math.Exp(theta[2*K+k])
			terms[k] = theta[k] - theta[2*K+k] - 0.5*z*z
		}
		if d := num.LogSumExp(terms); d < best {
			best, at = d, v
		}
	}
	return at, true
}

// scanPoints bounds the points worstFitted scans: larger problems are
// scanned at every s-th sorted point, so that the scan costs at most about
// scanPoints·K evaluations of erfc.
const scanPoints = 2048

// worstFitted returns a component for the run of consecutive sorted points
// whose share of the points most exceeds the mixture θ's mass over the
// run's cells. The cell of a point reaches halfway to the next distinct
// points on either side (the first and last cells reach to infinity), so
// that tied points share one cell, as values rounded to a grid stand for
// the grid's cells. For runs of m = 4, 8, 16, … points, up to half of them,
// starting every ⌈m/4⌉ points, it maximises the scan statistic
//
//	G = m log((m/n) / (F(b_last) − F(b_first)))
//
// with F the mixture's distribution function and b_first, b_last the outer
// ends of the run's cells: the log-likelihood ratio of the run's share
// against the mixture's mass over it (in the spirit of the greedy mixture
// learning of Vlassis & Likas 2002, Neural Process. Lett. 15). Runs on
// fewer than 2 distinct values are skipped. Above scanPoints points, only
// every s-th sorted point is scanned, each standing for s. The component
// has the run's share of the points and their mean and standard deviation
// (at least the floor). It returns as top the run of the largest G; as
// tight the places runs of 4 points of largest G that overlap none of
// higher G, which find small tight groups the longer runs blur; and as
// tied the tiedPlaces runs of 4 points widened to every point tied with
// their first and last, counted so in G (m the points of the widened
// run), of largest G that overlap none of higher G, leaving out those the
// widening does not change: the cells of the run's ends hold all those
// points, and a group of values rounded to a grid, such as the 16 geyser
// waiting times of 53 and 54 minutes, can be fitted badly as a whole
// while every run of 4 of its points has less than its mass. Each is
// empty if the problem has no sorted points, or fewer than 8, or no run
// has more than its share.
//
// Weighted points are scanned as the positions of their line (see line):
// the points are those at the whole positions 0, s, 2s, … below ⌈G⌉, and
// the component takes the mass of the line over the run, so that for
// integer weights the scan is that of the points written out.
func (q *problem) worstFitted(theta []float64, places, tiedPlaces int) (top, tight, tied []window) {
	all := q.sorted
	N := all.units()
	if N < 8 {
		return nil, nil, nil
	}
	sb := &q.scan
	stride := (N + scanPoints - 1) / scanPoints
	u := all.x
	if stride > 1 || all.V != nil {
		u = sb.u[:0]
		for i := 0; i < N; i += stride {
			u = append(u, all.at(float64(i)))
		}
		sb.u = u
	}
	n := len(u)
	// F at the cell boundaries: cdf[j] = F((u[j−1] + u[j])/2) for j in
	// 1..n−1, with 0 and 1 at the ends.
	K := q.k
	cdf := grow(&sb.cdf, n+1)
	clear(cdf)
	cdf[n] = 1
	for k := range K {
		wk, mk, sk := math.Exp(theta[k]), theta[K+k], math.Exp(theta[2*K+k])
		if wk == 0 {
			continue // a component taken out (see vacated)
		}
		for j := 1; j < n; j++ {
			b := u[j-1]/2 + u[j]/2
			cdf[j] += wk * 0.5 * math.Erfc(-(b-mk)/(sk*math.Sqrt2))
		}
	}
	// lo[i] is the first boundary of point i's cell: that of the first of
	// its ties; hi[i] the last: that after the last of its ties.
	lo, hi := grow(&sb.lo, n), grow(&sb.hi, n)
	for i := range n {
		if i > 0 && u[i] == u[i-1] {
			lo[i] = lo[i-1]
		} else {
			lo[i] = i
		}
	}
	for i := n - 1; i >= 0; i-- {
		if i < n-1 && u[i] == u[i+1] {
			hi[i] = hi[i+1]
		} else {
			hi[i] = i + 1
		}
	}
	var best scanRun // the run of the largest G
	small, tiedRuns := sb.small[:0], sb.tied[:0]
	for m := 4; m <= n/2; m *= 2 {
		step := (m + 3) / 4
		e := float64(m) / float64(n)
		for i := 0; i+m <= n; i += step {
			if !(u[i+m-1] > u[i]) {
				continue
			}
			mass := cdf[hi[i+m-1]] - cdf[lo[i]]
			if !(mass > 0) {
				continue
			}
			// G is positive only where the run's share exceeds its mass;
			// no other run is taken.
			if mass < e {
				g := float64(m) * math.Log(e/mass)
				if g > best.g {
					best = scanRun{g, i, m}
				}
				if m == 4 && g > 0 {
					small = append(small, scanRun{g, i, m})
				}
			}
			if m == 4 && tiedPlaces > 0 {
				// The cells of the run's ends hold all their ties.
				a, b := lo[i], hi[i+m-1]
				c := float64(b - a)
				if b-a > m && mass < c/float64(n) {
					if gt := c * math.Log(c/float64(n)/mass); gt > 0 {
						tiedRuns = append(tiedRuns, scanRun{gt, a, b - a})
					}
				}
			}
		}
	}
	sb.small, sb.tied = small, tiedRuns
	// The smallest runs of largest G that do not overlap one taken before.
	// Each is the first of largest G among those left, as in the order of
	// a stable sort by decreasing G.
	pick := func(runs []scanRun, places int) []scanRun {
		var picked []scanRun
		overlaps := func(c scanRun) bool {
			return slices.ContainsFunc(picked, func(p scanRun) bool { return c.i < p.i+p.m && p.i < c.i+c.m })
		}
		for len(picked) < places {
			at := -1
			for j, c := range runs {
				if (at < 0 || c.g > runs[at].g) && !overlaps(c) {
					at = j
				}
			}
			if at < 0 {
				break
			}
			picked = append(picked, runs[at])
		}
		return picked
	}
	win := func(c scanRun) window {
		mu, sd := all.moments(float64(c.i*stride), min(float64((c.i+c.m)*stride), all.size()))
		return window{float64(c.m) / float64(n), mu, max(sd, q.obj.floor)}
	}
	if best.m > 0 {
		top = append(top, win(best))
	}
	for _, c := range pick(small, places) {
		tight = append(tight, win(c))
	}
	for _, c := range pick(tiedRuns, tiedPlaces) {
		tied = append(tied, win(c))
	}
	return top, tight, tied
}

// window is a component for a run of points: its weight, mean and
// standard deviation.
type window struct{ w, mu, sigma float64 }

// mergeInto sets component i of θ to the merger of components i and j,
// with their total weight and the mean and variance of their mixture.
func mergeInto(t []float64, K, i, j int) {
	wi, wj := math.Exp(t[i]), math.Exp(t[j])
	w := wi + wj
	mi, mj := t[K+i], t[K+j]
	si, sj := math.Exp(2*t[2*K+i]), math.Exp(2*t[2*K+j])
	m := (wi*mi + wj*mj) / w
	v := (wi*(si+(mi-m)*(mi-m)) + wj*(sj+(mj-m)*(mj-m))) / w
	t[i], t[K+i], t[2*K+i] = math.Log(w), m, 0.5*math.Log(v)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// toTheta sets t to θ = (log w, μ, log σ).
func toTheta(p *kernel.Params, t []float64) {
	K := p.K()
	for k := range K {
		t[k] = p.LogW[k]
		t[K+k] = p.Mu[k]
		t[2*K+k] = math.Log(p.Sigma[k])
	}
}

// fromTheta sets p from θ = (log w, μ, log σ).
func fromTheta(t []float64, p *kernel.Params) {
	K := p.K()
	copy(p.LogW, t[:K])
	copy(p.Mu, t[K:2*K])
	for k := range K {
		p.Sigma[k] = math.Exp(t[2*K+k])
	}
}

// source makes the problems of one fit on the data x, weighted by w (nil:
// all 1) of total weight total, standardised as u = (x − c)·inv, whose
// screening sample is sample (already standardised), weighted by sw.
type source struct {
	x, w       []float64
	total      float64
	c, inv     float64
	sample, sw []float64
	sorted     line  // sample, sorted
	far        []int // the outlying points every subsample holds (see standardise)
	obj        *objective
	k          int
	seed       uint64
}

func (s *source) Len() int { return len(s.x) }

// Problem returns the problem on all of x for m ≥ len(x), on the screening
// sample for stream 0, and otherwise on a Bernoulli subsample of about m
// points drawn from the seed's stream. A point keeps its weight in every
// sample.
//
// When the screening sample is all of x (no far point was added to a
// subsample, and it has as many points), standardise has computed it as
// (x_i − c)·inv in x's order, the values a pass over x computes, and the
// problem on all of x passes over it instead, with nothing to rescale.
func (s *source) Problem(m int, stream uint64) engine.Problem {
	switch {
	case m >= len(s.x):
		x, w, c, inv := s.x, s.w, s.c, s.inv
		if len(s.far) == 0 && len(s.sample) == len(s.x) {
			x, w, c, inv = s.sample, s.sw, 0, 1
		}
		q := newProblem(kernel.NewWeightedEngine(x, w, c, inv, s.k), s.obj, s.k, s.total)
		if len(s.sorted.x) == len(s.x) {
			q.sorted = s.sorted
		}
		return q
	case stream == 0:
		q := newProblem(kernel.NewWeightedEngine(s.sample, s.sw, 0, 1, s.k), s.obj, s.k, totalWeight(s.sample, s.sw))
		q.sorted = s.sorted
		return q
	}
	u, uw := bernoulli(s.x, s.w, s.c, s.inv, m, s.far, rand.New(rand.NewPCG(s.seed, stream)))
	return newProblem(kernel.NewWeightedEngine(u, uw, 0, 1, s.k), s.obj, s.k, totalWeight(u, uw))
}

// totalWeight returns the total weight of the points x weighted by w: len(x) if w
// is nil.
func totalWeight(x, w []float64) float64 {
	if w == nil {
		return float64(len(x))
	}
	var t float64
	for _, v := range w {
		t += v
	}
	return t
}

// grow returns (*buf)[:n], reallocating *buf if it is shorter.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}
