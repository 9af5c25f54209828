// Package engine drives the fit of a mixture model, maximum likelihood or
// maximum a posteriori, whatever the dimension of the data and wherever the
// sufficient statistics come from.
//
// # What a model supplies
//
// The engine sees a model only as a Problem: a parameter vector θ of fixed
// length Dim, in coordinates of the model's choosing, and
//
//   - Eval(ctx, θ), one pass over the data at θ that returns the loss, the
//     negative log joint −log p(x, θ) (or any function with the same
//     minimisers), and keeps the statistics of the pass;
//   - Map(dst), the EM (or ECM) image M(θ) of the last θ evaluated, computed
//     from those statistics and the prior; the loss at M(θ) must not exceed
//     the loss at θ;
//   - Project(θ), which makes a θ the engine has mixed or moved valid again:
//     it renormalises the weights and applies the floors;
//   - Points, the number of points (or their total weight), which scales the
//     stopping rule.
//
// A problem that can be fitted by Adam also implements Differentiable (the
// gradient of the loss at the last θ evaluated), one that can degenerate
// (maximum likelihood) implements Degenerator, and one that knows how to
// split and merge its components implements Mover; one whose Reset makes it
// as new implements Resetter, and the engine then reuses it from run to run.
// A Source makes the same problem on the whole data or on a random
// subsample.
//
// Where the statistics come from is the Problem's business: Eval may sum
// them over a slice in memory, over a stream read chunk by chunk, or over a
// distributed pipeline, as long as the same θ on the same data gives the same
// loss and statistics. Eval must return ctx.Err() if ctx is cancelled, and
// should check it at least once per pass (per chunk where a pass is long):
// the engine then stops within one pass.
//
// # What the engine does
//
// Fit runs a search in stages (Biernacki, Celeux & Govaert 2003, "Choosing
// starting values for the EM algorithm", Comput. Statist. Data Anal. 41):
//
//  1. short runs: a few EM steps from every starting point, on the screening
//     sample (all the data when they are few);
//  2. full runs: the most promising short runs, and those from the first
//     KeptStarts starting points, run to convergence by EM (on a screening
//     sample that is all the data, at SearchTol if it is set, and then the
//     winner alone on to Tol);
//  3. moves: from the best converged run (non-degenerate if there is one),
//     the Mover's candidates (split a component, merge a pair, move a
//     collapsed component) are run short, the most promising of them to
//     convergence, and the best is kept if it lowers the loss or replaces
//     a degenerate run; repeated while one is kept, at most MoveRounds
//     times, or until a run kept has the loss of one moved from before;
//     if the first round keeps none and the starts have a second lineage
//     (Settings.Lineage), the rounds climb likewise from its best run;
//  4. refinement: the best non-degenerate run is refined by the chosen
//     method on random subsamples growing by a factor of GrowthFactor while
//     they hold at most a quarter of the data, and last on all the data; if
//     it degenerates there, a Mover's moves free the collapsed component
//     and the best of them is run on all the data (see fitter.rescue), and
//     if that fails too the next best is refined. When the screening
//     sample is all the data, EM's run from step 2 or 3 is already the
//     last (run on to Tol if the search stopped at SearchTol), and Adam
//     runs once more from it. Adam starts every stage
//     matched to the curvature of a Curved problem, and from the second
//     stage on at a step size scaled to the move expected of the stage
//     (see stages).
//
// The search (steps 1 to 3) is by EM whatever the method: it needs no step
// size, so it stays in a narrow basin, such as a tight group of points,
// that Adam's first steps, of a fixed size in every coordinate, can jump
// out of. Runs on a subsample stop at a looser tolerance (see ScreenTol). Runs are
// independent and each draws nothing at random, so the result is the same at
// any GOMAXPROCS.
//
// # Methods
//
// EM iterates θ ← M(θ), accelerated by Anderson mixing of the last few
// steps with a monotone safeguard: a mixed point is kept only if its loss is
// no higher (see EMStepper). Adam (Kingma & Ba 2015) descends the gradient
// on θ, projecting after every step.
//
// # Using it from another package
//
// A d-dimensional model implements Problem with θ = (log w, the means, the
// log-Cholesky or other unconstrained form of the covariances), Eval running
// its fused pass, Map its closed-form or MM M-step with the prior's terms,
// and Project renormalising the weights and flooring the eigenvalues. It
// implements Source to draw subsamples, Degenerator to disqualify runs with
// a singular covariance under maximum likelihood, and Mover to split and
// merge components; it generates its own starting points in θ. It then
// calls Fit and carries the winning θ back to its own parameters and units.
package engine

import (
	"cmp"
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Problem is a mixture fit as the engine sees it: see the package
// documentation.
type Problem interface {
	// Dim returns the length of θ.
	Dim() int
	// Points returns the number of points, or their total weight.
	Points() float64
	// Eval makes one pass over the data at θ, keeps its statistics and
	// returns the loss. It returns an error only if ctx is done.
	Eval(ctx context.Context, theta []float64) (loss float64, err error)
	// Map sets dst to the EM image of the last θ evaluated.
	Map(dst []float64)
	// Project makes θ valid in place.
	Project(theta []float64)
}

// Differentiable is a Problem that Adam can fit.
type Differentiable interface {
	Problem
	// Gradient sets dst to the gradient of the loss with respect to θ at
	// the last θ evaluated, with the components that point out of the
	// feasible set (a parameter at its floor) set to zero, and returns
	// the decrease a Newton step would bring, which the stopping rule
	// tests: ½ gᵀH⁻¹g for a positive diagonal approximation H of the
	// Hessian, with the step in each bounded coordinate stopped at its
	// bound, so that a coordinate pinned there counts for nothing.
	Gradient(dst []float64) float64
}

// Curved is a Differentiable problem that knows the scale of its loss's
// curvature, with which Adam starts the stages of the refinement (see
// stages).
type Curved interface {
	Differentiable
	// Curvature sets dst to a positive diagonal h that bounds the Hessian
	// H of the loss near the optimum, h⁻¹H having its eigenvalues in
	// (0, 1] and as close to 1 as may be, at the last θ evaluated: for a
	// mixture, the complete data's Fisher information.
	Curvature(dst []float64)
}

// Degenerator is a Problem whose fits can be spurious maxima.
type Degenerator interface {
	// Degenerate returns an error, naming the component and saying what to
	// do, if θ is a degenerate fit (under maximum likelihood, a component
	// collapsed onto too few distinct points), and nil otherwise.
	Degenerate(theta []float64) error
}

// Mover is a Problem that can propose new starting points from a fit.
type Mover interface {
	// Moves returns starting points near the fit θ that move components
	// across the data: split one component in two and merge a pair into
	// one, so keeping their number. They must not share memory with the
	// problem, which the engine may reset and reuse.
	Moves(theta []float64) [][]float64
}

// Resetter is a Problem that can serve one run after another: Reset
// returns it to the state of a new Problem from its Source on the same
// data. The engine then reuses the problems of the screening sample from
// run to run instead of asking the Source for one per run, which on small
// data, where a run takes a few short passes, costs about as much as the
// run.
type Resetter interface {
	Reset()
}

// Source makes the problems of one fit.
type Source interface {
	// Len returns the number of points of the whole data.
	Len() int
	// Problem returns a new Problem on all the data if m ≥ Len(), and
	// otherwise on a random subsample of about m points drawn from the
	// random stream stream; the same m and stream give the same points.
	// Problems from one Source may be used concurrently.
	Problem(m int, stream uint64) Problem
}

// Method is an optimiser.
type Method int

const (
	// EM is the accelerated EM (or ECM) iteration.
	EM Method = iota
	// Adam is Adam on θ; the Problem must be Differentiable.
	Adam
)

// Settings tune Fit. Zero fields mean the defaults listed.
type Settings struct {
	Method Method
	// Method is the optimiser of the refinement; the search is by EM.
	// MaxSteps bounds the steps of each full run (default 5000).
	MaxSteps int
	// Tol is the tolerance of the stopping rule (default 1e-10): see
	// Small.
	Tol float64
	// LearningRate is Adam's initial step (default 0.05).
	LearningRate float64
	// ScreenSize is the size of the screening sample (default 8192).
	ScreenSize int
	// ShortSteps is the number of EM steps of a short run (default 10).
	ShortSteps int
	// FullRuns is the number of short runs continued to convergence
	// (default 3).
	FullRuns int
	// MoveRounds bounds the rounds of split and merge moves (default 4);
	// NoMoves, or any negative value, tries none.
	MoveRounds int
	// Screen, if set, continues only the FullRuns most promising short
	// runs to convergence on small problems too, where by default every
	// short run is (see SmallWork): for a caller that fits many small
	// problems, such as a table of models, and trades a little of the
	// search for time.
	Screen bool
	// StartFullRuns, if positive, bounds the short runs from the starting
	// points continued to convergence on a small problem (see SmallWork),
	// the most promising first, where by default every one is; every
	// move's run still is. For a caller whose moves, not its starts, find
	// the best optimum on small problems, as for a mixture of few
	// components, where a move's run from a converged fit costs about as
	// much as a start's.
	StartFullRuns int
	// KeptStarts, if positive, continues the short runs from the first
	// KeptStarts starting points to convergence whatever their ranking,
	// with the most promising others (Screen, StartFullRuns): for a caller
	// that promises its fit at least the optimum a reference method
	// reaches from one of its starts, as mv.Select promises mclust's.
	KeptStarts int
	// HelperWork, if positive, is the work (passes times points times the
	// length of θ) that the runs left in a batch on a small problem (see
	// SmallWork) must promise before the batch starts more goroutines than
	// the caller's (see parallelOn); if zero, or on larger problems, a
	// batch starts them at once. For a problem whose passes cost
	// about their points times the length of θ, as the one-column
	// mixture's, HelperWorkOneColumn.
	HelperWork float64
	// SearchTol, if larger than Tol, is the tolerance of the search's
	// runs (the full runs and the moves) where the screening sample is
	// all the data: the runs are then ranked at SearchTol, and the winner
	// alone runs on to Tol by EM (if it degenerates there, the next), and
	// then, if the method is Adam, once more by Adam, as without
	// SearchTol. The runs' ranking needs their losses to far less than
	// the gaps between distinct optima, not to Tol, and on small data the
	// runs that drift slowly along a ridge of the loss, toward an optimum
	// other than the best, can take most of the search's steps.
	SearchTol float64
	// SkipStages, if set, refines the search's winner on all the data
	// straight away, without the growing subsamples: for a Source whose
	// subsamples would cost as much as a pass over all the data, such as
	// a stream read from a file.
	SkipStages bool
	// Lineage, if positive, makes the starting points from index Lineage
	// on a second lineage: when the moves from the best converged run
	// keep none, so that it may be an optimum no single move leaves, the
	// rounds of moves climb also from the best run of this lineage, if
	// its loss differs (see fitter.screen). For a caller whose later
	// starting points come from another principle than the first, such
	// as fits grown from one with a component fewer.
	Lineage int
	// Progress, if not nil, is called after every step of every run with
	// the run's index, the step, the loss and the Points of the problem
	// the run is on. Calls may come from several goroutines at once.
	Progress func(run, step int, loss, points float64)
}

const (
	defaultMaxSteps   = 5000
	defaultTol        = 1e-10
	defaultLR         = 0.05
	defaultScreenSize = 8192
	defaultShortSteps = 10
	defaultFullRuns   = 3
	defaultMoveRounds = 4
	// NoMoves is the MoveRounds of a search without moves.
	NoMoves = -1
	// GrowthFactor is the ratio of the sizes of successive subsamples in
	// the refinement, which goes on while a subsample holds at most a
	// quarter of the data.
	GrowthFactor = 16
	// StageStream is the first random stream that draws the refinement's
	// subsamples; the screening sample is drawn from stream 0.
	StageStream = 1 << 32
)

func (s *Settings) fill() {
	if s.MaxSteps == 0 {
		s.MaxSteps = defaultMaxSteps
	}
	if s.Tol == 0 {
		s.Tol = defaultTol
	}
	if s.LearningRate == 0 {
		s.LearningRate = defaultLR
	}
	if s.ScreenSize == 0 {
		s.ScreenSize = defaultScreenSize
	}
	if s.ShortSteps == 0 {
		s.ShortSteps = defaultShortSteps
	}
	if s.FullRuns == 0 {
		s.FullRuns = defaultFullRuns
	}
	if s.MoveRounds == 0 {
		s.MoveRounds = defaultMoveRounds
	}
}

// Result is the outcome of Fit.
type Result struct {
	// Theta is the fitted θ.
	Theta []float64
	// Losses holds the loss at every step the winning run took on all the
	// data: for data no larger than the screening sample, its whole path,
	// and otherwise its last stage. The last is the loss at Theta.
	Losses []float64
	// Converged reports whether the last stage met the tolerance.
	Converged bool
	// Steps is the number of steps in Losses.
	Steps int
	// Runs is the number of runs started: one per starting point and one
	// per move. Best is the index of the winning run: starting point i is
	// run i, and the moves follow in the order they were made.
	Runs, Best int
}

// DegenerateError is the error Fit returns when every run degenerates: Err
// is the best run's error, from the Problem's Degenerate.
type DegenerateError struct{ Err error }

func (e *DegenerateError) Error() string { return e.Err.Error() }
func (e *DegenerateError) Unwrap() error { return e.Err }

// ScreenTol returns the tolerance for a run on a subsample of m points:
// tol, or, if larger, 0.01/m, which stops the run once a step changes the
// subsample's loss by less than about 0.01·(1 + |L|/m), a few hundredths of
// a nat. Parameters fitted to m points differ from those fitted to all the
// data by sampling error, which costs about p/2 nats of the subsample's loss
// for p free parameters, far more, so converging further on the subsample
// would not bring the next stage's starting point closer to the optimum.
func ScreenTol(tol float64, m int) float64 {
	return max(tol, 0.01/float64(m))
}

// Small reports whether a decrease delta of the loss L over n points
// meets the tolerance: delta ≤ tol·(|L| + n). The n keeps the test
// meaningful where L is near zero.
func Small(delta, L, n, tol float64) bool {
	return delta <= tol*(math.Abs(L)+n)
}

// Fit finds the θ of lowest loss it can from the starting points, which
// must be valid (projected) θ of the Source's problems: see the package
// documentation. It returns ctx.Err() if ctx is cancelled, and a
// *DegenerateError if every run degenerates. It does not modify starts.
func Fit(ctx context.Context, src Source, starts [][]float64, s *Settings) (*Result, error) {
	if len(starts) == 0 {
		return nil, errors.New("engine: no starting points")
	}
	cfg := *s
	cfg.fill()
	f := &fitter{ctx: ctx, src: src, cfg: cfg, n: src.Len(), dim: len(starts[0])}
	f.m = min(f.n, cfg.ScreenSize)
	p := src.Problem(f.m, 0)
	f.size = max(float64(f.m), p.Points())
	f.free = []*slot{{p: p}}
	f.tol = cfg.Tol
	if f.m < f.n {
		f.tol = ScreenTol(cfg.Tol, f.m)
	} else if cfg.SearchTol > cfg.Tol {
		f.tol = cfg.SearchTol
	}
	ranked, err := f.screen(starts)
	if err != nil {
		return nil, err
	}
	return f.refine(ranked)
}

// fitter holds the state of one Fit.
type fitter struct {
	ctx    context.Context
	src    Source
	cfg    Settings
	n, m   int     // the sizes of the data and of the screening sample
	size   float64 // the points the screening sample stands for (see small)
	dim    int     // the length of θ
	tol    float64 // the tolerance on the screening sample
	runs   int     // the runs started so far
	starts int     // the starting points
	// climbed holds the losses of the runs the moves started from.
	climbed []float64

	mu   sync.Mutex
	free []*slot // problems on the screening sample ready for a run, with steppers
}

// slot is a problem on the screening sample, as new, and an EMStepper to
// reuse; p is nil if the Source is to make one.
type slot struct {
	p  Problem
	em *EMStepper
}

// get returns a slot ready for a run.
func (f *fitter) get() *slot {
	f.mu.Lock()
	var s *slot
	if n := len(f.free); n > 0 {
		s, f.free = f.free[n-1], f.free[:n-1]
	}
	f.mu.Unlock()
	if s == nil {
		s = &slot{em: new(EMStepper)}
	}
	if s.p == nil {
		s.p = f.src.Problem(f.m, 0)
	}
	if s.em == nil {
		s.em = new(EMStepper)
	}
	return s
}

// put returns s after a run, its problem reset, or dropped if it cannot be.
// Since a reset problem is as new, which run gets which problem does not
// change any result.
func (f *fitter) put(s *slot) {
	if r, ok := s.p.(Resetter); ok {
		r.Reset()
	} else {
		s.p = nil
	}
	f.mu.Lock()
	f.free = append(f.free, s)
	f.mu.Unlock()
}

// screen runs the short runs, the full runs and the moves on the screening
// sample, and returns the converged runs, best first, the non-degenerate
// before the degenerate.
func (f *fitter) screen(starts [][]float64) ([]*run, error) {
	short := make([]*run, len(starts))
	for i, t := range starts {
		short[i] = &run{index: i, theta: slices.Clone(t)}
	}
	f.runs, f.starts = len(starts), len(starts)
	if err := f.parallel(short, EM, min(f.cfg.ShortSteps, f.cfg.MaxSteps)); err != nil {
		return nil, err
	}
	k := f.fullRuns(len(short), f.cfg.FullRuns)
	if f.small() && f.cfg.StartFullRuns > 0 {
		k = min(k, f.cfg.StartFullRuns)
	}
	full := pick(short, k)
	for _, r := range short[:min(f.cfg.KeptStarts, len(short))] {
		if !slices.Contains(full, r) {
			full = append(full, r)
		}
	}
	if err := f.parallel(full, EM, f.cfg.MaxSteps); err != nil {
		return nil, err
	}
	rank(full)
	// The best run, and the best of the second lineage if the moves
	// from the best keep none: on the Nile flows, K = 5 under a prior,
	// seed 2's best start ended at an optimum 0.118 below the best known,
	// from which no move improves, while the runs grown from a fit with
	// four components (the second lineage) climb to the best in three
	// rounds.
	from := full[0]
	full, err := f.climb(full, from)
	if err != nil {
		return nil, err
	}
	if l := f.lineageBest(full); l != nil && full[0] == from && !same(l.loss, from.loss) {
		if full, err = f.climb(full, l); err != nil {
			return nil, err
		}
	}
	return full, nil
}

// climb runs rounds of moves from r, each from the run kept by the round
// before, while one is kept, and returns runs with the runs kept added,
// ranked. It stops at a run at an optimum a round has already moved from
// (see climbedFrom), whose moves lead where they led before.
func (f *fitter) climb(runs []*run, r *run) ([]*run, error) {
	rounds := max(0, f.cfg.MoveRounds)
	if f.small() {
		rounds *= 4
	}
	for range rounds {
		if f.climbedFrom(r.loss) {
			break
		}
		f.climbed = append(f.climbed, r.loss)
		better, err := f.move(r)
		if err != nil {
			return nil, err
		}
		if better == nil {
			break
		}
		runs = append(runs, better)
		r = better
	}
	rank(runs)
	return runs, nil
}

// climbedFrom reports whether l is the loss of an optimum a round of
// moves has already moved from: equal to one of theirs to 1e-9 relative
// (as pick tells optima apart), or on a small problem within
// sameOptimumTols tolerances, sameOptimumTols·tol·(|L| + n): the runs
// there stop at tol, and two runs stopped short of one optimum by a slow
// last stretch can differ by several times that. On the 26 cases of the
// one-column BenchmarkFitRealData (six data sets of testdata/realdata,
// K = 4 to 6, with and without a prior, seed 0) this took the search's
// passes from 365,336 to 341,958 (the galaxies at K = 5 by maximum
// likelihood from 9,786 to 3,689), every fit of testdata/realdata's cases
// (seeds 0..19) still reaching the best known optimum.
func (f *fitter) climbedFrom(l float64) bool {
	var margin float64
	if f.small() {
		margin = sameOptimumTols * f.tol * (math.Abs(l) + f.size)
	}
	return slices.ContainsFunc(f.climbed, func(c float64) bool { return same(c, l) || math.Abs(c-l) <= margin })
}

// sameOptimumTols is the margin, in tolerances of the search's loss,
// within which climbedFrom takes two losses on a small problem for one
// optimum. A small problem's search tolerance is tight (3e-8 in the
// one-column fit), so that ten of them are at most about 4e-3 nats there
// (|L| + n below 2^14 for a problem of 2^14/3 points), while distinct
// optima of testdata/realdata lie 0.0987 nats and more apart.
const sameOptimumTols = 10

// lineageBest returns the best non-degenerate converged run from the
// starting points of the second lineage (see Settings.Lineage), or nil.
func (f *fitter) lineageBest(runs []*run) *run {
	if f.cfg.Lineage <= 0 {
		return nil
	}
	for _, r := range runs {
		if r.bad == nil && !math.IsNaN(r.loss) && r.index >= f.cfg.Lineage && r.index < f.starts {
			return r
		}
	}
	return nil
}

// SmallWork is the work of a pass, points times the length of θ, below
// which the search runs every short run to convergence (unless Screen or
// StartFullRuns say otherwise) and tries four times
// as many rounds of moves: on such small problems a full run costs little,
// and the short runs' losses are a poor guide to which optimum they lead to.
// A Mover may likewise propose more moves on such problems.
const SmallWork = 1 << 14

// small reports whether the screening problem is small (see SmallWork),
// counting its points, or their total weight if that is larger: the
// points that weighted points stand for, so that points of integer
// weights and the same points written out are alike small or not.
func (f *fitter) small() bool { return f.size*float64(f.dim) <= SmallWork }

// fullRuns returns how many of n short runs to run in full: all on a small
// problem unless Screen is set, otherwise k.
func (f *fitter) fullRuns(n, k int) int {
	if f.small() && !f.cfg.Screen {
		return n
	}
	return k
}

// newRuns returns a run from each of the starting points thetas, numbered
// after the runs started so far.
func (f *fitter) newRuns(thetas [][]float64) []*run {
	runs := make([]*run, len(thetas))
	for i, t := range thetas {
		runs[i] = &run{index: f.runs + i, theta: t}
	}
	f.runs += len(thetas)
	return runs
}

// move runs the moves from the best run r, short, the most promising of
// them in full, and returns the best if it beats r: if it lowers the loss,
// or if r is degenerate and it is not.
func (f *fitter) move(r *run) (*run, error) {
	s := f.get()
	pts := s.p.Points()
	var cands [][]float64
	if mv, ok := s.p.(Mover); ok {
		cands = mv.Moves(r.theta)
	}
	f.put(s) // for the runs below
	if len(cands) == 0 {
		return nil, nil
	}
	short := f.newRuns(cands)
	if err := f.parallel(short, EM, min(f.cfg.ShortSteps, f.cfg.MaxSteps)); err != nil {
		return nil, err
	}
	full := pick(short, f.fullRuns(len(short), max(1, f.cfg.FullRuns-1)))
	if err := f.parallel(full, EM, f.cfg.MaxSteps); err != nil {
		return nil, err
	}
	rank(full)
	b := full[0]
	// A move is kept only if it lowers the loss by more than the tolerance,
	// so that the rounds end.
	if b.bad == nil && (r.bad != nil || r.loss-b.loss > f.tol*(math.Abs(r.loss)+pts)) {
		return b, nil
	}
	return nil, nil
}

// refine takes the ranked runs in turn through the growing subsamples and
// all the data, and returns the first that does not degenerate there. A run
// that degenerated on a subsample is refined too, after the others, since
// more points can hold up its collapsed component; at most FullRuns runs
// are refined on all the data.
func (f *fitter) refine(ranked []*run) (*Result, error) {
	var firstBad error
	tries := 0
	for _, r := range ranked {
		if r.bad != nil && firstBad == nil {
			firstBad = r.bad
		}
		if math.IsNaN(r.loss) || (r.bad != nil && f.m == f.n) {
			continue
		}
		if f.m == f.n && f.tol > f.cfg.Tol {
			// The screening sample is all the data: a problem of the pool
			// serves.
			s := f.get()
			err := f.optimise(r, s.p, s.em, EM, f.cfg.MaxSteps, f.cfg.Tol)
			r.bad = degenerate(s.p, r.theta)
			f.put(s)
			if err != nil {
				return nil, err
			}
			if r.bad != nil {
				firstBad = cmp.Or(firstBad, r.bad)
				continue
			}
		}
		if f.m < f.n || f.cfg.Method != EM {
			if tries == f.cfg.FullRuns {
				break
			}
			tries++
			var st stages
			for j, size := 0, GrowthFactor*f.m; size <= f.n/4 && !f.cfg.SkipStages; j, size = j+1, size*GrowthFactor {
				p := f.src.Problem(size, StageStream+uint64(j))
				if err := st.optimise(f, r, p, size, ScreenTol(f.cfg.Tol, size)); err != nil {
					return nil, err
				}
			}
			p := f.src.Problem(f.n, 0)
			r.untilBad = true
			if err := st.optimise(f, r, p, f.n, f.cfg.Tol); err != nil {
				return nil, err
			}
			if r.bad = degenerate(p, r.theta); r.bad != nil {
				rescued, err := f.rescue(r, p)
				if err != nil {
					return nil, err
				}
				if rescued == nil {
					firstBad = r.bad
					continue
				}
				r = rescued
			}
		}
		return &Result{
			Theta: r.theta, Losses: r.losses, Converged: r.status == Converged,
			Steps: r.steps, Runs: f.runs, Best: r.index,
		}, nil
	}
	if firstBad == nil {
		// Every run broke down (its loss is NaN): the caller sees it in
		// the best run's θ.
		r := ranked[0]
		return &Result{Theta: r.theta, Losses: r.losses, Steps: r.steps, Runs: f.runs, Best: r.index}, nil
	}
	return nil, &DegenerateError{Err: firstBad}
}

// stages carries what one stage of the refinement tells the next: the
// sizes of the last two samples and how far the last stage moved θ.
//
// The fit on m points differs from the fit on all the data by sampling
// error, of standard deviation proportional to 1/√m in every coordinate of
// θ. A stage from the fit on m' points to the fit on m ≫ m' points moves θ
// by about that error at m', and the next, to m” points, is expected to
// move it by √(m'(1/m − 1/m”)) times as much. Adam's first steps move
// every coordinate by about its step size, whatever the gradient's scale,
// so with its default step size of 0.05 (in units of the standardised
// data) the stage on all of 10^7 points, where the fit on 2·10^6 of them
// lies about 10^-3 from the optimum, began by throwing θ some 50 times
// further away than it was, and spent most of its passes coming back.
// After the first stage on a subsample, a stage of Adam therefore starts at
// a step size of adamReach times the move expected of it in its largest
// coordinate, or LearningRate if that is smaller.
//
// On a Curved problem every stage of Adam starts besides matched to the
// problem's curvature (see AdamStepper.matchCurvature): each stage begins
// within the sampling error of its optimum, where the loss is close to its
// quadratic model, so a step of about g/h per coordinate, with a small
// momentum, reaches the optimum in a dozen steps where Adam's own start,
// one step of η per coordinate and β1 = 0.9, took 50 to 100. The step size
// above then only bounds the steps that large gradients make (v grows
// with them). On 10^7 points of the benchmark mixture of bench/adam.sh
// this took the last stage from about 60 passes to about 10 (see
// bench/README.md).
type stages struct {
	prev     int     // the size of the sample of the last stage, or 0
	prevPrev int     // the size of the one before it, or 0
	move     float64 // how far the last stage moved θ, in its largest coordinate
}

// adamReach is Adam's initial step size in a stage as a fraction of the
// move expected of that stage in its largest coordinate (see stages). On
// 10^6 points from three overlapping components (the benchmark mixture of
// bench/adam.sh), with and without a prior, the last stage took 92 to 100
// Adam steps at fractions of 0.16 and 0.31, 106 to 108 at 0.47, 116 at
// 0.78, 119 to 130 at 1.6, and 144 to 152 at the default step size; all
// reached EM's loss to 2e-10 relative. Most coordinates are closer to
// their optimum than the largest, and a step beyond the optimum is spent
// in an oscillation that Adam's momentum damps by only a factor of about
// β1 = 0.9 a step.
const adamReach = 0.25

// optimise runs one stage of the refinement of r on p, of size points,
// with tolerance tol, and records its move for the next.
func (s *stages) optimise(f *fitter, r *run, p Problem, size int, tol float64) error {
	lr := f.cfg.LearningRate
	if s.prevPrev > 0 && s.move > 0 {
		expected := s.move * math.Sqrt(float64(s.prevPrev)*(1/float64(s.prev)-1/float64(size)))
		lr = min(lr, adamReach*expected)
	}
	before := slices.Clone(r.theta)
	if err := f.optimiseAt(r, p, nil, f.cfg.Method, f.cfg.MaxSteps, tol, lr, true); err != nil {
		return err
	}
	s.move = 0
	for i, v := range r.theta {
		s.move = max(s.move, math.Abs(v-before[i]))
	}
	s.prevPrev, s.prev = s.prev, size
	if s.prevPrev == 0 {
		// The first stage starts from the screening sample.
		s.prevPrev = f.m
	}
	return nil
}

// parallel runs each run for at most steps steps, by method, on a problem
// on the screening sample, up to GOMAXPROCS at a time, and then
// checks each for degeneracy.
func (f *fitter) parallel(runs []*run, method Method, steps int) error {
	return f.parallelOn(runs, f.m, method, steps, f.tol)
}

// parallelOn is parallel on problems of m points (all the data for m ≥ n,
// otherwise the screening sample) at tolerance tol, up to GOMAXPROCS at a
// time: the calling goroutine runs the runs in turn, and starts the other
// workers at once unless the screening problem is small (see SmallWork)
// and a pass is less than Settings.HelperWork, and otherwise once the runs
// left promise that much work at the mean of those it has run. A
// batch of one run, or a fit at GOMAXPROCS 1, starts no goroutine, nor
// does a batch of runs that converge in a few passes over small data.
// Which goroutine runs which run does not change any result.
func (f *fitter) parallelOn(runs []*run, m int, method Method, steps int, tol float64) error {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		next    int
		errs    = make([]error, len(runs))
		helpers = min(runtime.GOMAXPROCS(0), len(runs)) - 1
		pass    = float64(f.dim) * f.size // the work of a step
		done    float64                   // the work of the runs finished by the caller
	)
	if m != f.m {
		pass = float64(f.dim) * float64(m)
	}
	one := func(i int) {
		if m != f.m {
			// The pool holds problems on the screening sample only.
			p := f.src.Problem(m, 0)
			errs[i] = f.optimise(runs[i], p, nil, method, steps, tol)
			runs[i].bad = degenerate(p, runs[i].theta)
			return
		}
		s := f.get()
		errs[i] = f.optimise(runs[i], s.p, s.em, method, steps, tol)
		runs[i].bad = degenerate(s.p, runs[i].theta)
		f.put(s)
	}
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		i := next
		next++
		return i
	}
	work := func() {
		defer wg.Done()
		for i := take(); i < len(runs); i = take() {
			one(i)
		}
	}
	start := func(left int) {
		for range min(helpers, left) {
			wg.Add(1)
			go work()
		}
		helpers = 0
	}
	if !f.small() || pass >= f.cfg.HelperWork {
		start(len(runs))
	}
	for i, n := take(), 0; i < len(runs); i, n = take(), n+1 {
		before := runs[i].steps
		one(i)
		if helpers == 0 {
			continue
		}
		taken := runs[i].steps - before
		if taken < 0 {
			taken = runs[i].steps // the run started again on new data
		}
		done += float64(taken) * pass
		mu.Lock()
		left := len(runs) - next
		mu.Unlock()
		if left > 0 && done/float64(n+1)*float64(left) >= f.cfg.HelperWork {
			start(left)
		}
	}
	wg.Wait()
	if err := f.ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// HelperWorkOneColumn is the Settings.HelperWork of the one-column
// mixture: a goroutine started and woken costs about as much CPU time as
// tens of its passes over a hundred points. On the galaxies (82 points),
// seeds 0..39 at GOMAXPROCS 2 on a quiet machine, three runs of each, CPU
// and wall time in ms for K = 3 and K = 4:
//
//	bound           K = 3 CPU, wall    K = 4 CPU, wall
//	2^15            17.8–19.0, 16–18   157–162, 113–122
//	2^18            15.0–15.3, 14–15   148–149, 121–122
//	one goroutine   14.5–15.3, 14–15   138–156, 135–154
//
// With K = 3 a round of moves, a dozen runs of about a dozen passes, then
// runs on the calling goroutine alone, while the longer batches of K = 4
// still share out their runs.
const HelperWorkOneColumn = 1 << 18

func degenerate(p Problem, theta []float64) error {
	if d, ok := p.(Degenerator); ok {
		return d.Degenerate(theta)
	}
	return nil
}

// pick returns up to k of the runs: the non-degenerate of lowest loss
// first, skipping any whose loss equals, to 1e-9 relative, that of one
// already picked (short runs from starts that lead to the same optimum),
// and then, if fewer than k were found, the best of the rest.
func pick(runs []*run, k int) []*run {
	sorted := slices.Clone(runs)
	rank(sorted)
	var out []*run
	for _, r := range sorted {
		if len(out) == k {
			return out
		}
		if !slices.ContainsFunc(out, func(q *run) bool { return same(q.loss, r.loss) }) {
			out = append(out, r)
		}
	}
	for _, r := range sorted {
		if len(out) == k {
			break
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

func same(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*max(math.Abs(a), math.Abs(b))
}

// rank sorts runs best first: the non-degenerate before the degenerate,
// then by increasing loss (NaN last), then by index.
func rank(runs []*run) {
	key := func(r *run) int {
		switch {
		case math.IsNaN(r.loss):
			return 2
		case r.bad != nil:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(runs, func(a, b *run) int {
		if ka, kb := key(a), key(b); ka != kb {
			return ka - kb
		}
		if a.loss != b.loss && !math.IsNaN(a.loss) {
			if a.loss < b.loss {
				return -1
			}
			return 1
		}
		return a.index - b.index
	})
}

// Run runs one optimisation by s.Method on p from the valid point theta,
// to convergence or MaxSteps, as the last stage of Fit does: the same
// steps, acceleration and stopping rule at s.Tol. It is the whole fit of a
// warm start, where the caller's parameters are the one starting point. It
// returns ctx.Err() if ctx is cancelled, the Problem's error if its Eval
// fails, and a *DegenerateError if the run ends degenerate. It does not
// modify theta.
func Run(ctx context.Context, p Problem, theta []float64, s *Settings) (*Result, error) {
	cfg := *s
	cfg.fill()
	f := &fitter{ctx: ctx, cfg: cfg, dim: len(theta), runs: 1}
	r := &run{theta: slices.Clone(theta)}
	if err := f.optimise(r, p, nil, cfg.Method, cfg.MaxSteps, cfg.Tol); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if bad := degenerate(p, r.theta); bad != nil {
		return nil, &DegenerateError{Err: bad}
	}
	return &Result{Theta: r.theta, Losses: r.losses, Converged: r.status == Converged, Steps: r.steps, Runs: 1}, nil
}

// rescue continues a run r that ended degenerate on all the data, p, under
// maximum likelihood: a component emptied or collapsed onto the σ floor.
// Such a run is disqualified, yet the rest of its fit is usually good, and
// on large data every run of the search can end so: the screening sample
// holds a few points close enough together for a narrow component to be a
// local maximum there, which on all the data narrows to the floor. So, up
// to rescueRounds rounds, the Mover's moves from r's θ, which free the
// collapsed component and put it elsewhere (a split of one of the widest
// components, or where the mixture fits worst), are run short on all the
// data, and the best of them (the lowest loss, the non-degenerate first:
// with two collapsed components, every move of one leaves the other) is run to
// convergence by the fit's method, stopping at its first degenerate step.
// It returns that run once it ends non-degenerate, or nil if r's problem
// has no moves or no round finds one.
func (f *fitter) rescue(r *run, p Problem) (*run, error) {
	mv, ok := p.(Mover)
	if !ok {
		return nil, nil
	}
	cur := r
	for range max(rescueRounds, f.dim/3) {
		cands := mv.Moves(cur.theta)
		if len(cands) == 0 {
			return nil, nil
		}
		short := f.newRuns(cands)
		if err := f.parallelOn(short, f.n, EM, min(f.cfg.ShortSteps, f.cfg.MaxSteps), f.cfg.Tol); err != nil {
			return nil, err
		}
		rank(short)
		b := short[0]
		if math.IsNaN(b.loss) {
			return nil, nil
		}
		b.untilBad = true
		if err := f.optimiseAt(b, p, nil, f.cfg.Method, f.cfg.MaxSteps, f.cfg.Tol, f.cfg.LearningRate, true); err != nil {
			return nil, err
		}
		if b.bad = degenerate(p, b.theta); b.bad == nil {
			return b, nil
		}
		cur = b
	}
	return nil, nil
}

// rescueRounds bounds the rounds of rescue from one degenerate run, or a
// third of the length of θ if that is more: a round frees one collapsed
// component, and the search of a one-dimensional fit of K components, of
// 3K coordinates, can leave as many as K narrow components that collapse
// on all the data. A round whose run degenerates again ends at its first
// degenerate step, after the short runs' few passes.
const rescueRounds = 16
