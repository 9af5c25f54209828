package gmm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/num"
)

// Method selects the optimiser Fit uses.
type Method int

const (
	// Adam is gradient ascent with the Adam update (Kingma & Ba 2015) on
	// unconstrained coordinates: the softmax logits of the weights, the
	// means and the logarithms of the standard deviations. The gradients
	// are derived by hand through the log-sum-exp over the components.
	Adam Method = iota
	// EM is expectation conditional maximisation (Meng & Rubin 1993): the
	// weights, the means and the standard deviations are updated in turn in
	// closed form, and the loss never increases. The iteration is
	// accelerated by Anderson mixing of the last few updates (Walker & Ni
	// 2011), and after a refused mixed point by over-relaxed steps of
	// growing length (Salakhutdinov & Roweis 2003); a mixed point is kept
	// only if its loss is no higher, and the tolerance is tested on plain
	// ECM steps only.
	EM
)

// String returns "adam" or "em".
func (m Method) String() string {
	switch m {
	case Adam:
		return "adam"
	case EM:
		return "em"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Settings tune Fit. The zero value, and a nil *Settings, mean defaults.
type Settings struct {
	// Method is the optimiser of the final runs: Adam (the default) or
	// EM. The search among starting points is by EM either way (see Fit).
	Method Method

	// Seed seeds the starting points. The same seed gives the same fit,
	// bit for bit, at any GOMAXPROCS on one kernel (see Fit).
	Seed uint64

	// Restarts is the number of starting points. One is the data's
	// quantiles; the others are, in turn, greedy k-means++ seedings and
	// random partitions of the sorted data, each from its own random
	// stream. A starting point equal to one before it is drawn again as a
	// random partition. If zero, 4 are used, or for K ≥ 4 4K up to 16 when
	// the number of points times K is at most 4096, where runs cost little
	// (with Weights, the points count as their total weight if that is
	// larger: see Fit), and there K − 1 more grown from a fit with K − 1
	// components (see Fit).
	Restarts int

	// MaxSteps bounds the steps of each run: Adam steps or EM iterations.
	// If zero, Adam takes at most 20000 and EM at most 5000. The search's
	// short runs take at most 10 EM steps (5 on small data with K ≤ 3: see
	// Fit).
	MaxSteps int

	// Tol is the convergence tolerance, relative to the loss. With L the
	// loss on the internally standardised data (so that the test does not
	// depend on the data's units) and n the number of points, EM stops when
	// a plain ECM step lowers the loss by at most Tol·(|L| + n) (the
	// accelerated steps in between are not tested; see EM), and Adam stops
	// when the decrease a Newton step would still bring, estimated from the
	// gradient and the diagonal of the Fisher information, with the step in
	// log σ_k stopped at the floor, is at most Tol·(|L| + n). The n keeps the test meaningful where L is near zero.
	// If zero, 1e-10 is used. Many overlapping components converge slowly
	// by this rule: a maximum-likelihood fit of 200 of them to 10^5
	// points takes minutes at the default and under a second at 1e-4,
	// still within scikit-learn's default rule (a rise of 1e-3 in the
	// average log-likelihood) wherever |L| < 9n (bench/README.md, "Many
	// components").
	Tol float64

	// LearningRate is Adam's initial step size, in units of the
	// standardised data; at step t it is LearningRate/sqrt(1 + t/500). If
	// zero, 0.05 is used. EM ignores it. On large data (see Fit), the
	// refinement's stages after the first start instead at a quarter of the
	// move expected of them in their largest parameter, if that is smaller:
	// the fit on a subsample of m points lies within sampling error, of
	// order 1/√m, of the fit on all the data. Every stage of the refinement
	// starts Adam matched to the loss's curvature (see Fit), where the step
	// size only bounds the steps of large gradients: no step moves a
	// parameter by more than about √1000 times it.
	LearningRate float64

	// SigmaFloor applies to maximum likelihood (the zero Prior) only: each
	// σ_k is kept at or above SigmaFloor times the data's robust spread
	// (see Fit), so that no component can collapse onto a single point, as
	// scikit-learn's reg_covar does; a few far outliers do not raise the
	// floor. If zero, 1e-3 is used (a floor of 1e-6 on the variance of
	// standardised data).
	SigmaFloor float64

	// Progress, if not nil, is called after every step of every run with
	// the run's index (see Result.Best), the step and that step's loss, on
	// the data or subsample the run is on. Calls never overlap.
	Progress func(run, step int, loss float64)

	// Weights are the points' sample weights, one per point, each finite
	// and non-negative, not all zero; nil means all 1. A point of weight v
	// counts as v points in every sum of the fit (the log-likelihood, the
	// statistics of each step, n in the stopping rule and in the weight
	// update), and everything that reads the points without summing
	// them (the median and spread that standardise the data, the
	// starting points, the moves) reads a point of weight v as v points
	// in its place. A weight of 0 gives the fit without the point, bit
	// for bit, and a weight of 2 the fit of the point written twice, as
	// follows. What is guaranteed for integer weights against the points
	// written out in their places, when these are at most 8192 (so that
	// neither fit draws a screening sample):
	//
	//   - the same standardisation, bit for bit;
	//   - the same objective and statistics at the same parameters, up to
	//     the rounding of sums that add a point's weight at once rather
	//     than a copy at a time (relative 1e-16 times the points);
	//   - the same starting points from the same draws, and the same
	//     moves, to that rounding;
	//   - hence the same search, whose fits agree to the stopping rule's
	//     tolerance (not bit for bit: the rounding can make a run stop a
	//     step apart, or two runs reaching one optimum swap places).
	//
	// Above 8192 points the screening sample and the subsamples draw
	// points, each keeping its weight, where the points written out
	// would draw copies: the two fits then see different samples and
	// agree as fits from two seeds do (see Fit).
	Weights []float64

	// Warm starts the fit from the model's current parameters instead of
	// searching from new starting points: one run of Method on all the data
	// (see Fit). The model must be fitted (Validate returns nil).
	Warm bool

	// Fixed names the parameters the fit leaves as they are in the model,
	// bit for bit; the others are fitted given them.
	Fixed Fixed

	// Online makes FitStream fit in a single pass over the data, by
	// stepwise EM (Cappé & Moulines 2009, "On-line expectation-maximization
	// algorithm for latent data models", J. R. Statist. Soc. B 71(3)), for
	// data that can be read only once. The first 8192 points (of positive
	// weight) are fitted as Fit would fit them, unless Warm is set; then,
	// for each further block of 8192 points, their statistics at the
	// current parameters, per unit weight, are blended into running ones,
	// s ← (1 − γ_t) s + γ_t s_t with γ_t = (t + 1)^−0.6, and the
	// parameters are updated from s scaled to the weight seen so far (the
	// M-step of Model.Update). It is an approximation: its estimates
	// follow the data with the noise of a few blocks, where the fit by
	// passes converges on all of them. On 10^6 points of three overlapping
	// components (weights .3/.5/.2, means −2/1/5, standard deviations
	// 1/.7/1.5) its log-likelihood was 2.9e-5 per point below the fit by
	// passes, and its means within 0.011 standard deviations of that fit's
	// (TestFitStreamOnline holds it within 1e-4 and 0.02). With Fixed,
	// the fixed parameters, which the model must hold, stay as they are
	// bit for bit through the first block's fit and every step, and the
	// others are updated given them. Fit ignores it.
	Online bool
}

// Fixed names parameters a fit leaves as they are. Each one set must be
// present in the model (K finite values, weights summing to 1, positive
// sigmas, equal ones with SharedSigma); the fit then maximises the log
// joint over the others given them. With any of them set, the components
// keep the model's order.
type Fixed struct {
	Weights, Means, Sigmas bool
}

// any reports whether f fixes anything.
func (f Fixed) any() bool { return f.Weights || f.Means || f.Sigmas }

// Result reports how a fit went.
type Result struct {
	// Method is the optimiser used.
	Method Method
	// Loss holds the loss at every step of the winning run: the negative
	// log joint −log p(x, w, μ, σ), all normalising constants included,
	// the same quantity as Pyro's TraceEnum_ELBO loss with an AutoDelta
	// guide. The last entry is the loss of the fitted parameters exactly,
	// −LogJoint(x) of the fitted model, computed on x in its own units
	// after the fit (so it may differ from the loss the run reached on the
	// standardised data by rounding, and by the floor on σ; see Fit). For data
	// no larger than the screening sample (see Fit), Loss is the winning
	// run's whole path from its starting point: its EM steps in the search,
	// then, with Adam, Adam's. For larger data it is the final run on all
	// the data, started from the search's winner as refined on the larger
	// subsamples.
	Loss []float64
	// Converged reports whether the winning run's last phase met the
	// tolerance before MaxSteps. A fit that did not converge still sets the
	// parameters.
	Converged bool
	// Steps is the number of steps in Loss.
	Steps int
	// Restarts is the number of runs: one per starting point and one per
	// move tried (see Fit). Best is the index of the run that won: r <
	// Settings.Restarts for starting point r (0 for the quantiles), then
	// the starting points grown from a fit with K − 1 components, if any,
	// and the moves follow in the order they were tried.
	Restarts, Best int
	// Warnings says when the fit is dominated by its prior rather than by
	// the data, with what to do; it is empty when there is nothing to
	// report, and always under the zero Prior. With x̃ the data's median, s
	// their robust spread (as Fit standardises them: see Fit) and min and
	// max their range, a warning is given when
	//   - |x̃ − MeanLoc| > 5·MeanScale: the data lie where the prior on the
	//     means has fallen below 4e-6 of its peak;
	//   - the prior's mode of σ (SigmaScale/(SigmaShape + 1), or its square
	//     root with OnVariance) is more than 100 times s or less than s/100;
	//   - a component with weight at least 1/n has its mean outside
	//     [min, max], where no weighted mean of the data can lie, by more
	//     than (max − min)/100, or its σ above max − min, twice the
	//     largest standard deviation of data in that range.
	// DefaultPrior(x) never triggers them.
	Warnings []string
}

const (
	defaultRestarts = 4
	// smallRestarts bounds the default number of starting points, 4K, for
	// data of at most smallFit points times components, whose runs cost
	// little, with K ≥ growFrom. With fewer components the default 4 are
	// used there too, and only the best of their short runs is run to
	// convergence (engine.Settings.StartFullRuns), since the moves from
	// it, all run to convergence, reach every best known optimum of
	// testdata/realdata with K ≤ 3 from as few as 2 starts; with 4K starts
	// all run in full, the search took more than twice the steps (see
	// bench/README.md, "Few components on small data").
	smallRestarts = 16
	// fewShortSteps is the number of EM steps of a short run there, where
	// only the best is continued: with 3, 5, 7 and 10 the moves reach
	// every best known optimum of testdata/realdata with K ≤ 3 alike, and
	// 5 took the galaxies with K = 3 (seeds 0..19) 3,266 steps against
	// 3,704 with 10.
	fewShortSteps = 5
	smallFit      = 4096
	// degenerateRetry is how many times as many starting points Fit tries
	// on small data when every run from the default ones degenerates:
	// under maximum likelihood, 2 of the seeds 0..19 of five components
	// on the 150 iris petal lengths, of 43 distinct values, end so with
	// 16 starting points, and none with 64.
	degenerateRetry = 4
	// growFrom is the least K for which Fit on small data also starts
	// from fits grown from one with K − 1 components (see splitStarts),
	// and tries more places for the moves' freed component (see
	// morePlaces). On the data of testdata/realdata the default starts
	// and moves reach every best known optimum with K ≤ 3, where both
	// from K = 3 cost 15 to 55% more CPU time a fit (the galaxies, the
	// faithful waiting times and the iris petal lengths, maximum
	// likelihood, seeds 0..19, three runs of each).
	growFrom          = 4
	defaultAdamSteps  = 20000
	defaultEMSteps    = 5000
	defaultTol        = 1e-10
	defaultLR         = 0.05
	defaultSigmaFloor = 1e-3
	// screenSize is the largest data set that every restart runs on in
	// full. Larger data are screened on a random subsample of this size.
	screenSize = kernel.ChunkSize
	lloydIters = 10
)

// searchTol is the tolerance at which the search ranks its runs on data
// of at most screenSize points (engine.Settings.SearchTol); the winner
// then runs on to Tol. On such data every start's run and every move's
// went on to Tol, and most of their steps went to runs drifting slowly
// along a ridge of the likelihood: on the faithful waiting times with
// K = 3, runs with two components on the upper mode and the third
// draining its weight into the right tail lower the loss by about 1e-5 a
// step for 500 to 700 steps before falling into an optimum 1.96 below the
// best. By maximum likelihood, seeds 0..19, a fit there took 5,698 steps
// at Tol and 1,142 at 3e-8, and on the galaxies with K = 4 3,161 and
// 2,157 (EM and Adam alike: the search is EM's); on seeds 0..4 of every
// case with K ≥ 4 of testdata/realdata the search's steps fell by 22%.
// Every fit ended at the optimum it reached before, to 7.3e-7 in the
// log-likelihood (the winner's run on to Tol starts its acceleration
// afresh, and stops at its first step below Tol). Looser tolerances
// change which runs the search climbs from: at 1e-7 and 3e-7, Select's
// fit of seven components with their own σ to the iris petal lengths
// (ExampleSelect) ends at an optimum 0.55 lower in log-likelihood, at
// 1e-6 at one 0.13 higher; at 3e-6, 4 of 20 seeds of the faithful
// eruptions with K = 5 under DefaultPrior end 0.0031 below the best known
// optimum and 1 of 20 of the Nile flows with K = 5 by maximum likelihood
// 5.2 below.
const searchTol = 3e-8

// Fit finds the maximum a posteriori parameters of the mixture for the data
// x, that is the maximiser of the log joint
//
//	log p(x, w, μ, σ) = Σ_i log Σ_k w_k N(x_i | μ_k, σ_k) + log p(w, μ, σ),
//
// with the cluster labels summed out by log-sum-exp and log p(w, μ, σ) the
// log density of m.Prior in the constrained space, with no Jacobian (as
// Pyro's AutoDelta guide has it). With the zero Prior it maximises the
// likelihood, with each σ_k held above a floor (Settings.SigmaFloor). With
// m.SharedSigma the components share one σ (see Model), which EM updates
// in closed form from all the points' deviations and Adam
// moves along the sum of the components' gradients.
//
// Fit standardises the data internally, u = (x − c)/s, so the fit does not
// depend on the data's units and offset: c is the median and s the robust
// spread, the interquartile range over 1.349 (the standard deviation for
// normal data), taken on the screening sample described below. Where more
// than half the values tie, so that this is zero, s is a wider quantile
// range instead: (q(1 − p) − q(p))/(2Φ⁻¹(1 − p)) for the first p of 1/8,
// 1/16, … that gives a positive value, and last the range. No value is
// subtracted from a far one before the scale is known, so a few far values
// move neither c nor s, and the bulk of the data keeps its resolution.
//
// A far value is one more than 10^4 robust spreads from the median (a
// component of the bulk, with σ of the order of the spread, gives it a log
// density below −5·10^7, so no component can hold it and points of the
// bulk alike). What happens to it depends on the prior:
//
//   - With the zero Prior it takes a component of its own, a spike: μ_k
//     the value to an ulp or so (with several copies of it, such as a fill
//     value, all of them), σ_k at the floor, SigmaFloor·s or 4 ulps of the value if
//     that is larger, and w_k its share of the points. Such a run is not
//     degenerate (see below). A lone value nearer than 10^4 spreads gets
//     no such exception: a spike on it is a spurious maximum, and if every
//     run puts one there, Fit returns the degenerate error, which names
//     the value.
//   - With a prior, whose Normal on μ makes a component far out costly, it
//     is absorbed by a wide component of small weight: its mean near
//     MeanLoc, and σ near D/√3, D the value's distance from that mean.
//
// Either way the components that hold the bulk of the data come out as
// they would without it, their weights times n/(n + f) for f far values
// among n + f points. With no more components than the bulk has clusters,
// the far value still takes one, and the clusters it leaves share the
// others.
//
// So that the starting points see far values, the screening sample and
// every larger subsample also hold each point more than twice as far from
// the median as both the farthest point drawn and the spread; if there are
// more than 512, the distance doubles until at most 512 remain, the
// farthest. Fit returns an error naming the farthest value if a value lies
// more than 2^400 ≈ 2.6e120 spreads from the median: beyond that the
// squares a fit forms overflow.
//
// Each fitted σ_k is at least 4 ulps of its mean μ_k (in the data's
// units), so that the component is representable around its mean; this
// binds only for a component on a single value far from zero, and then
// Result.Loss is the loss with that σ_k.
//
// Fit then searches for the best optimum on a
// screening sample: all of x if it has at most 8192 points, and otherwise a
// random subsample of that size. The search is by EM, whatever the Method,
// since EM needs no step size and so stays in narrow basins that Adam's
// first steps can jump out of:
//
//  1. short runs of 10 EM steps (5 on small data with K ≤ 3 and the
//     default Restarts) from every starting point (Settings.Restarts), the
//     "small EM" of Biernacki, Celeux & Govaert (2003, Comput. Statist.
//     Data Anal. 41); on small data (at most 4096 points times components)
//     with K ≥ 4 and the default Restarts, also from K − 1 starting points
//     grown from a fit with K − 1 components, each splitting one of its
//     components in two at μ ∓ 0.9σ: that fit is a search like this one,
//     with no moves, from its own default starting points and those grown
//     likewise from one component fewer;
//  2. the three most promising, skipping any whose loss equals that of one
//     already chosen, run to convergence (all of them when the sample has
//     at most 2^14/(3K) points, where runs cost little, except that on
//     small data with K ≤ 3 and the default Restarts only the best is:
//     there the moves from it reach the best optima); when the sample
//     is all of x, the runs of this step and the next stop at a looser
//     tolerance, 3e-8, and the best of them then runs on to Tol;
//  3. moves from the best: free a component, by merging a pair or, under
//     maximum likelihood, taking one that collapsed onto the σ floor, and
//     use it to split one of the two widest components, or to cover the
//     run of points the mixture fits worst (see below), or, with a prior,
//     the single point it fits worst or one of the four values shared by
//     several points that it fits worst (on small samples, every component
//     is split, with K ≤ 3 at μ ∓ 0.9σ only, each with every pair of the
//     others merged in turn, and the other moves merge every pair in turn;
//     with K ≥ 4 they also try the three runs of 4 points the mixture
//     without the freed component fits worst, and four such runs widened
//     to whole groups of tied values);
//     the moves are run short, the two most promising (or, on small
//     samples, all) to convergence, and the best is kept if it lowers the
//     loss or replaces a collapsed run; repeated up to four times (sixteen
//     on small samples) while one is kept. If the first round keeps none,
//     the rounds climb likewise from the best run of the starting points
//     grown from K − 1 components, if there are any and its loss differs:
//     the best run can be an optimum no single move leaves, while the
//     grown runs climb to a better one.
//
// The winner is refined by Method on random subsamples 16 times larger in
// turn, while they hold at most a quarter of x, and last on all of x (for
// small data, Adam runs once more on all of x; EM's run is already there).
// In every one of these stages Adam starts matched to the loss's
// curvature: its second-moment estimate v starts at (η h_j/2)² for a
// step size η and h_j the complete data's information in parameter j plus
// the prior's curvature (n w_k, N_k/σ_k² and 2S_k/σ_k² in the logits,
// means and log σ, a bound on the Hessian near the optimum), so that its
// step is about 2 m̂_j/h_j, with β1 = 0.2: a stage starts within sampling
// error of its optimum, where such steps converge in a dozen steps and
// Adam's usual start, β1 = 0.9 and a step of η in every parameter, took
// 50 to 100. Such a run stops when, besides Adam's usual test, its last
// step changed the loss by no more than the tolerance. From the second
// stage on, η is scaled to the distance the stage is expected to move
// the parameters, estimated from how far the stage before moved them (see
// Settings.LearningRate).
// The runs on subsamples stop at a looser tolerance where that of the full
// data would be wasted: once a step changes a subsample's loss by less than
// a few hundredths, far below the sampling error of its optimum. Every run
// is independent and draws nothing at random, so the fit is the same, bit
// for bit, at any GOMAXPROCS. On success Fit sets m.Weights, m.Means and
// m.Sigmas, with the components in increasing order of mean.
//
// The worst-fitted run of points is found by a scan statistic: among runs
// of 4, 8, 16, … consecutive sorted points, the one whose share of the
// points most exceeds the mixture's mass over it, tied values counting as
// the cell they stand for.
//
// Under maximum likelihood a run is degenerate if it ends with a component
// empty (weight at most 1e-12, so that the fit has fewer than K
// components) or with a component's σ at the floor: that component sits on
// fewer than 2 distinct values, or on values so close that only the floor
// holds it, a spurious maximum with no limit as σ shrinks. A spike on a far
// value (see above) is the exception. Degenerate runs do not win. On large
// data a run that degenerates on all of x stops there and is rescued: the
// collapsed component is freed and used to split one of the two widest
// components (the moves above), the moves are run short on all of x and
// the best to convergence, a round for each collapsed component, at most
// K rounds (16 if K is smaller); a screening sample can hold a few points
// close enough together for a narrow component to be a maximum there that
// collapses on all of x, and on 10^5 points from ten heavily overlapping
// components every run of the search did. On
// small data (at most 4096 points times components) with the default
// Restarts, if every run degenerates, Fit searches again from four times
// as many starting points, the first of them the same; it returns an error
// naming the component only if every run of that search degenerates too.
//
// With a prior, K may exceed the number of points or of distinct values:
// the components the data do not need follow the prior (with Concentration
// 1 their weight is 0, their mean the prior's μ0 and their σ the prior's
// mode). Constant data can be fitted only with a prior. With no prior the
// likelihood is unbounded as a σ_k goes to zero, so the σ floor applies, and
// x must have at least K distinct values, or with SharedSigma more than K:
// with one component on each of K values the shared σ goes to zero and
// the likelihood to infinity, while with more values every split of them
// among K components leaves some spread about the means.
//
// Adam and EM are local optimisers; the search makes the best optimum
// likely, not certain. Where the posterior has several modes, for instance
// data with many exactly equal values, which a component can cover with a
// tiny σ, Fit keeps the best it finds.
//
// For a given seed the fit is bit-identical at any GOMAXPROCS on one kernel
// (the AVX2 one on amd64 processors that have it, the portable Go one
// elsewhere or with the noasm build tag). The two kernels round
// differently, and a fit carries that forward: across kernels the final
// losses agree to 1e-8 relative, and the parameters to 1e-6, where the
// optimum determines them. On a flat optimum, as with heavily overlapping
// components, a run stops wherever its convergence test is first met, and
// the two kernels' runs can stop at different points: their losses then
// differ by as much as the runs fall short of the optimum (Adam on three
// components overlapping by their whole width, 1.5e-5 relative), and the
// parameters as much as the near-optimal fits do.
//
// With Settings.Weights, a point of weight v counts as v points in every
// sum (the log-likelihood, each step's statistics, n in the stopping rule
// and the weight update); points of weight 0 are removed first, so the fit
// is that of the data without them, bit for bit. The rest reads the
// weighted points as a line on which each point takes a length equal to
// its weight, in units of 1 (of the mean weight when it is below 1, or the
// total above 2^52): the median and the spread are type-7 quantiles on the
// positions of the line, the quantile and random-partition starts cut it
// at whole positions (a point a cut crosses is shared between the two
// components in proportion), k-means++ draws its first centre at a
// uniform whole position and the others with probability proportional to
// weight times squared distance, Lloyd's iterations and the moves' scans
// weigh the points, and the default Restarts and the engine's choice of
// full runs count the points as their total weight when that is larger.
// For integer weights the line's positions are those of the points
// written out in their places, and the fit is theirs to the stopping rule
// (see Settings.Weights for what exactly is guaranteed). The screening
// sample and the subsamples of large data draw points, not weight, each
// keeping its own weight: every weighted sum over a subsample estimates
// the data's in proportion.
//
// With Settings.Warm the search is skipped: one run of Method starts from
// m's parameters on all of x, with the data standardised by the model (its
// mixture mean and standard deviation, also the unit of the σ floor), and
// the components keep m's order. With Settings.Fixed the parameters it
// names stay as they are in m, bit for bit, and the others are fitted
// given them; the moves are not tried, and the components keep m's order.
//
// Fit returns an error, and leaves m unchanged, if x is empty or holds NaN
// or ±Inf, if m.K < 1, if m.Prior is invalid or has Concentration < 1 (its
// MAP then lies on the edge of the simplex, where the density is infinite),
// or, with the zero Prior, if x has fewer than m.K distinct values (with
// SharedSigma, no more than m.K) or all its values are equal; if a value
// lies too far from the rest (see above); if x spans more than the
// float64 range, which dividing x by 4 (exact, as for any power of two)
// brings within it; if the spread of x is too small to scale (below
// 1e-308), which multiplying x by a large power of ten cures; if the
// prior and the data are more than 1e100 apart in scale: MeanScale, or
// SigmaScale (its square root with OnVariance), below 1e-100 or above
// 1e100 robust spreads of x, or MeanLoc more than 1e100 spreads from
// their median; if a weight is negative, NaN or infinite, the weights
// are all zero or not one per point; if Warm is set and m is not fitted, or
// Fixed names a parameter m does not hold. It never modifies x or the
// weights. A fit that runs out of steps is not an error: it sets the
// parameters and reports Converged false.
func (m *Model) Fit(x []float64, s *Settings) (*Result, error) {
	return m.FitContext(context.Background(), x, s)
}

// FitContext is Fit with a context. If ctx is cancelled during the fit,
// FitContext returns ctx.Err() within about one pass over the data, and
// leaves m unchanged.
func (m *Model) FitContext(ctx context.Context, x []float64, s *Settings) (*Result, error) {
	return m.fitFrom(ctx, x, s, nil)
}

// fitFrom is FitContext with more starting points, from, if it is not
// empty: models with m.K components, in the data's units, whose parameters
// are carried to the standardised data and floored as the other starting
// points are. The engine's search runs from them alone, after the search
// from the other starting points, and the better of the two fits is kept
// (see better), so that the extra starts can only raise the fit's
// objective: in one search they could take the place of a start that
// leads, through the moves, to a better optimum. Their runs are numbered
// after the others'.
func (m *Model) fitFrom(ctx context.Context, x []float64, s *Settings, from []*Model) (*Result, error) {
	var weights []float64
	if s != nil {
		weights = s.Weights
	}
	total, err := checkWeights(weights, len(x), true)
	if err != nil {
		return nil, err
	}
	cfg, err := settings(s, num.StandsFor(len(x), total), m.K)
	if err != nil {
		return nil, err
	}
	if err := checkData(x); err != nil {
		return nil, err
	}
	x, w := positive(x, cfg.Weights)
	if err := m.checkFit(x, &cfg); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cfg.Warm {
		return m.fitWarm(ctx, x, w, total, &cfg)
	}
	z, err := standardise(x, w, screenSize, m.Prior.sigmaMode(), rand.New(rand.NewPCG(cfg.Seed, 0)))
	if err != nil {
		return nil, err
	}
	obj, err := m.objective(z, &cfg)
	if err != nil {
		return nil, err
	}
	src := &source{x: x, w: w, total: total, c: z.c, inv: z.inv, sample: z.sample, sw: z.sw, sorted: z.sorted, far: z.far, obj: obj, k: m.K, seed: cfg.Seed}
	es := engineSettings(&cfg, obj, m.K)
	small := (s == nil || s.Restarts == 0) && float64(len(x))*float64(m.K) <= smallFit
	ownES := es
	if small && m.K < growFrom {
		few := *es
		few.StartFullRuns, few.ShortSteps = 1, fewShortSteps
		ownES = &few
	}
	var grown [][]float64
	if small && m.K >= growFrom {
		if grown, err = m.splitStarts(ctx, src, z, obj, cfg.Seed, es); err != nil {
			return nil, err
		}
	}
	starts := m.starts(z, obj, &cfg, grown, from)
	own := cfg.Restarts + len(grown)
	res, err := engine.Fit(ctx, src, starts[:own], lineage(ownES, cfg.Restarts, grown))
	var de *engine.DegenerateError
	if errors.As(err, &de) && small {
		// Every run degenerated: search again from more starting points
		// (see Fit), the first of them those of the first search.
		more := cfg
		more.Restarts = degenerateRetry * cfg.Restarts
		starts = m.starts(z, obj, &more, grown, from)
		cfg.Restarts = more.Restarts
		own = cfg.Restarts + len(grown)
		res, err = engine.Fit(ctx, src, starts[:own], lineage(es, cfg.Restarts, grown))
	}
	if len(from) > 0 && ctx.Err() == nil {
		res, err = better(ctx, src, starts[own:], es, res, err)
	}
	if err != nil {
		return nil, err
	}
	return m.finish(x, w, z, res, obj, &cfg)
}

// lineage returns es with the grown starting points, which follow the
// first own, as the search's second lineage (see engine.Settings.Lineage),
// if there are any.
func lineage(es *engine.Settings, own int, grown [][]float64) *engine.Settings {
	if len(grown) == 0 {
		return es
	}
	l := *es
	l.Lineage = own
	return &l
}

// starts returns the fit's starting points on the standardised data z:
// cfg.Restarts of its own, then the starting points grown (see
// splitStarts), then those of the models from (see fitFrom).
func (m *Model) starts(z *standard, obj *objective, cfg *Settings, grown [][]float64, from []*Model) [][]float64 {
	floor := max(initFloor(z), 2*obj.floor)
	starts := startingPoints(newLine(z.sample, z.sw), z.sorted, m.K, cfg.Restarts, cfg.Seed, floor)
	starts = append(starts, grown...)
	for _, f := range from {
		starts = append(starts, standardStart(f, z, floor))
	}
	for _, t := range starts {
		if obj.shared {
			poolSigmas(t, m.K)
		}
		obj.pin(t)
	}
	return starts
}

// splitStarts returns K − 1 more starting points for the fit of m with K
// components, grown from a fit with one component fewer: each splits in
// turn one component of that fit in two (see split, with the larger of
// splitShifts). The fit with K − 1 components is a search of its own on
// the same standardised data, from its default starting points (4(K − 1)
// of them, at most smallRestarts) and those grown likewise from a fit with
// K − 2 components, down to one, each by EM with no moves. This is the
// greedy growth of a mixture one component at a time (Vlassis & Likas
// 2002, Neural Process. Lett. 15; Select's chains do likewise between
// candidates): where the best fit with K components is the best with K − 1
// and a component more, such as a narrow group of values beside a broad
// one, starts drawn afresh mostly split the broad group instead: on the
// geyser waiting times, K = 4, the runs from every start of 13 seeds of
// 20 ended with three components above 70 minutes, where the optimum has
// one. It returns none
// when K < 2, when a parameter is fixed, or when every run of the smaller
// fit degenerates, and an error only if ctx is cancelled.
func (m *Model) splitStarts(ctx context.Context, src *source, z *standard, obj *objective, seed uint64, es *engine.Settings) ([][]float64, error) {
	K := m.K
	if K < 2 || obj.fix.any() {
		return nil, nil
	}
	sub := *src
	sub.k = K - 1
	fewer := &Model{K: K - 1, Prior: m.Prior, SharedSigma: m.SharedSigma}
	grown, err := fewer.splitStarts(ctx, &sub, z, obj, seed, es)
	if err != nil {
		return nil, err
	}
	cfg := &Settings{Restarts: min(smallRestarts, 4*(K-1)), Seed: seed}
	ss := *es
	ss.Method, ss.Progress, ss.MoveRounds = engine.EM, nil, engine.NoMoves
	res, err := engine.Fit(ctx, &sub, fewer.starts(z, obj, cfg, grown, nil), &ss)
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, nil
	}
	floor := math.Log(max(initFloor(z), 2*obj.floor))
	out := make([][]float64, K-1)
	for l := range out {
		t := make([]float64, 3*K)
		for j := range 3 {
			copy(t[j*K:], res.Theta[j*(K-1):(j+1)*(K-1)])
		}
		split(t, K, l, K-1, splitShifts[len(splitShifts)-1])
		for k := 2 * K; k < 3*K; k++ {
			t[k] = max(t[k], floor)
		}
		out[l] = t
	}
	return out, nil
}

// fitWarm is Fit from m's parameters: one run of cfg.Method on all of x,
// weighted by w, of total weight total, standardised by the model (see
// warmScale).
func (m *Model) fitWarm(ctx context.Context, x, w []float64, total float64, cfg *Settings) (*Result, error) {
	z, err := m.warmScale()
	if err != nil {
		return nil, err
	}
	if err := checkFar(x, z.c, z.scale); err != nil {
		return nil, err
	}
	obj, err := m.objective(z, cfg)
	if err != nil {
		return nil, err
	}
	q := newProblem(kernel.NewWeightedEngine(x, w, z.c, z.inv, m.K), obj, m.K, total)
	theta := m.theta(z)
	q.Project(theta)
	res, err := engine.Run(ctx, q, theta, engineSettings(cfg, obj, m.K))
	if err != nil {
		return nil, err
	}
	return m.finish(x, w, z, res, obj, cfg)
}

// warmScale returns the standardisation of a warm start, taken from m's
// parameters alone so that every source of data gives the same: the centre
// is the mixture's mean Σ_k w_k μ_k and the scale its standard deviation,
// √(Σ_k w_k (σ_k² + (μ_k − c)²)). It returns an error if m is not fitted
// (wrapping ErrNotFitted) or the scale is not a positive finite number
// with a finite inverse.
func (m *Model) warmScale() (*standard, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("gmm: a warm start (Settings.Warm, FitPasses) starts from the model's parameters: %w", err)
	}
	var c float64
	for k, w := range m.Weights {
		c += w * m.Means[k]
	}
	var v float64
	for k, w := range m.Weights {
		d := (m.Means[k] - c) / 2
		s := m.Sigmas[k] / 2
		v += w * (s*s + d*d)
	}
	scale := 2 * math.Sqrt(v)
	if !(scale > 0) || math.IsInf(scale, 0) || math.IsInf(1/scale, 0) {
		return nil, fmt.Errorf("gmm: the model's spread, %v, cannot standardise the data; rescale the data and the model", scale)
	}
	return &standard{c: c, scale: scale, inv: 1 / scale}, nil
}

// theta returns m's parameters in θ = (log w, μ, log σ) on the data
// standardised by z.
func (m *Model) theta(z *standard) []float64 {
	K := m.K
	t := make([]float64, 3*K)
	for k := range K {
		t[k] = math.Log(m.Weights[k])
		t[K+k] = (m.Means[k] - z.c) * z.inv
		t[2*K+k] = math.Log(m.Sigmas[k] * z.inv)
	}
	return t
}

// fixedTheta returns θ = (log w, μ, log σ) on the standardised data z
// with the parameters fix names set from m's, which must hold them, and
// the others zero: m need hold no more than the fixed parameters.
func (m *Model) fixedTheta(z *standard, fix Fixed) []float64 {
	K := m.K
	t := make([]float64, 3*K)
	for k := range K {
		if fix.Weights {
			t[k] = math.Log(m.Weights[k])
		}
		if fix.Means {
			t[K+k] = (m.Means[k] - z.c) * z.inv
		}
		if fix.Sigmas {
			t[2*K+k] = math.Log(m.Sigmas[k] * z.inv)
		}
	}
	return t
}

// positive returns the points of x with positive weight and their weights,
// or x and w themselves if none is zero; the weights are nil if every
// weight left is 1, so that such a fit is the unweighted one.
func positive(x, w []float64) ([]float64, []float64) {
	if w == nil {
		return x, nil
	}
	if slices.Contains(w, 0) {
		var xs, ws []float64
		for i, v := range w {
			if v > 0 {
				xs, ws = append(xs, x[i]), append(ws, v)
			}
		}
		x, w = xs, ws
	}
	if !slices.ContainsFunc(w, func(v float64) bool { return v != 1 }) {
		return x, nil
	}
	return x, w
}

// better fits from the starting points extra, and returns the better of
// that fit and res (the fit from the other starting points, which failed
// with err if err is not nil): the one of lower final loss, res on a tie, or
// the one that did not fail. The runs of the second fit are numbered after
// those of the first.
func better(ctx context.Context, src engine.Source, extra [][]float64, es *engine.Settings, res *engine.Result, err error) (*engine.Result, error) {
	alt, aerr := engine.Fit(ctx, src, extra, es)
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if aerr != nil {
		return res, err
	}
	runs := 0
	if res != nil {
		runs = res.Runs
	}
	alt.Runs += runs
	alt.Best += runs
	if err != nil || last(alt.Losses) < last(res.Losses) {
		return alt, nil
	}
	res.Runs = alt.Runs
	return res, nil
}

// last returns the last element of v, or +Inf if v is empty.
func last(v []float64) float64 {
	if len(v) == 0 {
		return math.Inf(1)
	}
	return v[len(v)-1]
}

// standardStart returns the θ = (log w, μ, log σ) of the model from in the
// units of the standardised data z, every σ at least floor and every
// weight at least about 1e-8.
func standardStart(from *Model, z *standard, floor float64) []float64 {
	K := from.K
	t := make([]float64, 3*K)
	for k := range K {
		// A component the fit left empty (possible with a prior) gets a
		// small weight, so that its log is finite and EM can move it.
		t[k] = math.Log(max(from.Weights[k], 1e-8))
		t[K+k] = (from.Means[k] - z.c) * z.inv
		t[2*K+k] = math.Log(max(from.Sigmas[k]*z.inv, floor))
	}
	lse := num.LogSumExp(t[:K])
	for k := range K {
		t[k] -= lse
	}
	return t
}

// initFloor returns the smallest σ a starting point gets, in units of the
// standardised data: small enough for tight clusters, large enough that
// Adam does not start on a needle. Constant data (which only a prior can
// fit, as checkFit saw to) are scaled by the prior's σ.
func initFloor(z *standard) float64 {
	if z.constant {
		return 1
	}
	return 1e-2
}

// objective returns the loss of the fit on the standardised data: the
// prior carried to their units, and the σ floor under maximum likelihood.
func (m *Model) objective(z *standard, cfg *Settings) (*objective, error) {
	pu := m.Prior.standardised(z.c, z.scale)
	if !pu.IsZero() && !sameScale(pu) {
		return nil, errors.New("gmm: the prior's scale and the data's are more than 1e100 apart; rescale the data or the prior")
	}
	obj := &objective{prior: pu, c: z.c, scale: z.scale, shared: m.SharedSigma, fix: cfg.Fixed}
	if pu.IsZero() {
		obj.floor = cfg.SigmaFloor
	}
	if obj.fix.any() {
		obj.fixed = m.fixedTheta(z, obj.fix)
	}
	return obj, nil
}

// engineSettings returns the engine's settings for cfg, with the progress
// callback carried to the data's units and serialised.
func engineSettings(cfg *Settings, obj *objective, K int) *engine.Settings {
	es := &engine.Settings{
		Method:       engine.EM,
		MaxSteps:     cfg.MaxSteps,
		Tol:          cfg.Tol,
		LearningRate: cfg.LearningRate,
		ScreenSize:   screenSize,
		SearchTol:    searchTol,
		HelperWork:   engine.HelperWorkOneColumn,
	}
	if cfg.Method == Adam {
		es.Method = engine.Adam
	}
	if cfg.Progress != nil {
		var mu sync.Mutex
		es.Progress = func(r, t int, l, n float64) {
			mu.Lock()
			defer mu.Unlock()
			cfg.Progress(r, t, l+obj.lossOffset(n, K))
		}
	}
	return es
}

// finish sets m's parameters from the engine's result, in the data's units
// and, unless the start was warm or a parameter is fixed, in increasing
// order of mean, and returns the Result, whose last loss is recomputed on x
// itself, weighted by w (see finalLoss).
func (m *Model) finish(x, w []float64, z *standard, res *engine.Result, obj *objective, cfg *Settings) (*Result, error) {
	f, err := m.fromTheta(res.Theta, obj, cfg)
	if err != nil {
		return nil, err
	}
	out := m.result(res, obj, cfg.Method, totalWeight(x, w))
	final, err := f.finalLoss(x, w, cfg.Fixed)
	if err != nil {
		return nil, err
	}
	if len(out.Loss) > 0 {
		out.Loss[len(out.Loss)-1] = final
	}
	m.Weights, m.Means, m.Sigmas = f.Weights, f.Means, f.Sigmas
	out.Warnings = priorWarnings(m.Prior, m, x, z.c, spreadOf(z))
	return out, nil
}

// fromTheta returns the model of the fitted θ in the data's units: in
// increasing order of mean unless the start was warm or a parameter is
// fixed, and with the fixed parameters m's own, bit for bit.
func (m *Model) fromTheta(theta []float64, obj *objective, cfg *Settings) (*Model, error) {
	K := m.K
	w, means, sigmas := make([]float64, K), make([]float64, K), make([]float64, K)
	for k := range K {
		w[k] = math.Exp(theta[k])
		means[k] = obj.c + obj.scale*theta[K+k]
		sigmas[k] = obj.scale * math.Exp(theta[2*K+k])
	}
	normalise(w)
	fix := cfg.Fixed
	if fix.Weights {
		copy(w, m.Weights)
	}
	if fix.Means {
		copy(means, m.Means)
	}
	if fix.Sigmas {
		copy(sigmas, m.Sigmas)
	}
	if !cfg.Warm && !fix.any() {
		sortByMean(w, means, sigmas)
	}
	for k := range K {
		if !isFinite(w[k]) || !isFinite(means[k]) || !(sigmas[k] > 0) || !isFinite(sigmas[k]) {
			return nil, errors.New("gmm: the fit broke down numerically (a fitted parameter is not finite), which Fit is meant to prevent; please report the data as a bug")
		}
	}
	return &Model{K: K, Prior: m.Prior, SharedSigma: m.SharedSigma, Weights: w, Means: means, Sigmas: sigmas}, nil
}

// result returns the Result of the engine's res on data of total weight
// n: its losses carried to the data's units.
func (m *Model) result(res *engine.Result, obj *objective, method Method, n float64) *Result {
	off := obj.lossOffset(n, m.K)
	loss := make([]float64, len(res.Losses))
	for i, l := range res.Losses {
		loss[i] = l + off
	}
	return &Result{
		Method:    method,
		Loss:      loss,
		Converged: res.Converged,
		Steps:     res.Steps,
		Restarts:  res.Runs,
		Best:      res.Best,
	}
}

// settings returns a copy of *s, or of the zero Settings if s is nil, with
// the defaults filled in for n points and K components.
func settings(s *Settings, n, K int) (Settings, error) {
	var cfg Settings
	if s != nil {
		cfg = *s
	}
	if cfg.Restarts == 0 {
		cfg.Restarts = defaultRestarts
		if K >= growFrom && float64(n)*float64(K) <= smallFit {
			cfg.Restarts = min(smallRestarts, 4*K)
		}
	}
	return cfg, cfg.fill()
}

func (s *Settings) fill() error {
	switch s.Method {
	case Adam, EM:
	default:
		return fmt.Errorf("gmm: unknown Method %d; use gmm.Adam or gmm.EM", int(s.Method))
	}
	if s.Restarts < 0 || s.MaxSteps < 0 || s.Tol < 0 || s.LearningRate < 0 || s.SigmaFloor < 0 ||
		math.IsNaN(s.Tol) || math.IsNaN(s.LearningRate) || math.IsNaN(s.SigmaFloor) ||
		math.IsInf(s.Tol, 0) || math.IsInf(s.LearningRate, 0) || math.IsInf(s.SigmaFloor, 0) {
		return errors.New("gmm: Settings must not be negative, NaN or infinite; use zero for a default")
	}
	if s.MaxSteps == 0 {
		s.MaxSteps = defaultAdamSteps
		if s.Method == EM {
			s.MaxSteps = defaultEMSteps
		}
	}
	if s.Tol == 0 {
		s.Tol = defaultTol
	}
	if s.LearningRate == 0 {
		s.LearningRate = defaultLR
	}
	if s.SigmaFloor == 0 {
		s.SigmaFloor = defaultSigmaFloor
	}
	return nil
}

// checkFit returns an error if m and x, finite and non-empty, cannot be
// fitted with the settings cfg.
func (m *Model) checkFit(x []float64, cfg *Settings) error {
	if m.K < 1 {
		return fmt.Errorf("gmm: K is %d; set the number of components to 1 or more", m.K)
	}
	if err := m.Prior.Validate(); err != nil {
		return err
	}
	if !m.Prior.IsZero() && m.Prior.Concentration < 1 {
		return fmt.Errorf("gmm: prior Concentration is %v; the MAP needs 1 or more (below 1 the density is infinite at the edge of the simplex); use Posterior for smaller values", m.Prior.Concentration)
	}
	if err := m.checkFixed(cfg.Fixed); err != nil {
		return err
	}
	if m.Prior.IsZero() && !cfg.Warm {
		if d := distinct(x, max(m.K+1, 2)); d < 2 {
			return errors.New("gmm: all the data are equal, and maximum likelihood then puts σ at zero; use a prior (DefaultPrior) to fit constant data")
		} else if d < m.K {
			return fmt.Errorf("gmm: the data have %d distinct values, fewer than K = %d; maximum likelihood needs at least K: use fewer components or a prior (DefaultPrior)", d, m.K)
		} else if d == m.K && m.SharedSigma {
			return fmt.Errorf("gmm: the data have %d distinct values, as many as K; with a shared σ maximum likelihood needs more than K (with one component on each value, σ goes to zero): use fewer components or a prior (DefaultPrior)", d)
		}
	}
	return nil
}

// checkFixed returns an error naming the first parameter fix names that m
// does not hold validly.
func (m *Model) checkFixed(fix Fixed) error {
	K := m.K
	if fix.Weights {
		if len(m.Weights) != K {
			return fmt.Errorf("gmm: Settings.Fixed.Weights is set, but the model has %d weights for K = %d; set Model.Weights to the K fixed weights", len(m.Weights), K)
		}
		var t float64
		for k, w := range m.Weights {
			if !(w >= 0) || math.IsInf(w, 0) {
				return fmt.Errorf("gmm: fixed weight %d is %v; weights must be finite and non-negative", k, w)
			}
			t += w
		}
		if math.Abs(t-1) > 1e-9 {
			return fmt.Errorf("gmm: the fixed weights sum to %v; they must sum to 1", t)
		}
	}
	if fix.Means {
		if len(m.Means) != K {
			return fmt.Errorf("gmm: Settings.Fixed.Means is set, but the model has %d means for K = %d; set Model.Means to the K fixed means", len(m.Means), K)
		}
		for k, v := range m.Means {
			if !isFinite(v) {
				return fmt.Errorf("gmm: fixed mean %d is %v; means must be finite", k, v)
			}
		}
	}
	if fix.Sigmas {
		if len(m.Sigmas) != K {
			return fmt.Errorf("gmm: Settings.Fixed.Sigmas is set, but the model has %d sigmas for K = %d; set Model.Sigmas to the K fixed sigmas", len(m.Sigmas), K)
		}
		for k, v := range m.Sigmas {
			if !(v > 0) || math.IsInf(v, 0) {
				return fmt.Errorf("gmm: fixed sigma %d is %v; sigmas must be positive and finite", k, v)
			}
			if m.SharedSigma && v != m.Sigmas[0] {
				return fmt.Errorf("gmm: fixed sigma %d is %v and sigma 0 is %v, but SharedSigma is set; give every component the same sigma", k, v, m.Sigmas[0])
			}
		}
	}
	return nil
}

// checkData returns an error if x is empty or holds a non-finite value.
func checkData(x []float64) error {
	if len(x) == 0 {
		return errors.New("gmm: no data; pass at least one value")
	}
	// v·0 is 0 for a finite v and NaN for ±Inf and NaN; four sums of them
	// make a fast first look.
	var a, b, c, d float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a += x[i] * 0
		b += x[i+1] * 0
		c += x[i+2] * 0
		d += x[i+3] * 0
	}
	for _, v := range x[i:] {
		a += v * 0
	}
	if a+b+c+d == 0 {
		return nil
	}
	for i, v := range x {
		if !isFinite(v) {
			return fmt.Errorf("gmm: x[%d] is %v; remove or impute non-finite values before fitting", i, v)
		}
	}
	return nil
}

// distinct returns the number of distinct values in x, counting no further
// than k.
func distinct(x []float64, k int) int {
	seen := make([]float64, 0, k)
	for _, v := range x {
		if !slices.Contains(seen, v) {
			seen = append(seen, v)
			if len(seen) >= k {
				break
			}
		}
	}
	return len(seen)
}

// bernoulli returns the standardised values u = (x − c)·inv of a random
// subsample of x, in order, that keeps each point with probability m/len(x),
// so about m points, followed by those of the points whose indices are in
// far (sorted), each once whether drawn or not, and, if w is not nil, the
// weights of the points kept, each keeping its own. The gaps between kept
// points are geometric, the integer parts of exponential variates of rate
// −log(1 − m/len(x)), so the cost is that of the points kept.
func bernoulli(x, w []float64, c, inv float64, m int, far []int, rng *rand.Rand) (u, uw []float64) {
	rate := -math.Log1p(-float64(m) / float64(len(x)))
	u = make([]float64, 0, m+4*int(math.Sqrt(float64(m)))+16+len(far))
	if w != nil {
		uw = make([]float64, 0, cap(u))
	}
	f := 0
	for i := -1; ; {
		i += 1 + int(rng.ExpFloat64()/rate)
		if i >= len(x) || i < 0 {
			break
		}
		for f < len(far) && far[f] < i {
			f++
		}
		if f < len(far) && far[f] == i {
			continue
		}
		u = append(u, (x[i]-c)*inv)
		if w != nil {
			uw = append(uw, w[i])
		}
	}
	for _, i := range far {
		u = append(u, (x[i]-c)*inv)
		if w != nil {
			uw = append(uw, w[i])
		}
	}
	return u, uw
}

// checkScale returns an error if the data's spread is so small that its
// inverse, inv, overflows.
func checkScale(inv float64) error {
	if math.IsInf(inv, 0) {
		return errors.New("gmm: the data's spread is too small to scale in float64 (below 1e-308); multiply the data by a large power of ten")
	}
	return nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func normalise(w []float64) {
	var t float64
	for _, v := range w {
		t += v
	}
	for k := range w {
		w[k] /= t
	}
}

// sortByMean orders the components by increasing mean.
func sortByMean(w, mu, sigma []float64) {
	idx := make([]int, len(mu))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case mu[a] < mu[b]:
			return -1
		case mu[a] > mu[b]:
			return 1
		}
		return 0
	})
	ow, om, os := slices.Clone(w), slices.Clone(mu), slices.Clone(sigma)
	for i, j := range idx {
		w[i], mu[i], sigma[i] = ow[j], om[j], os[j]
	}
}
