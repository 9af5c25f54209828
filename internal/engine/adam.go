package engine

import (
	"context"
	"math"
	"slices"
)

// AdamStepper runs Adam (Kingma & Ba 2015, "Adam: a method for stochastic
// optimization", ICLR) on θ, projecting after every step:
//
//	m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²,
//	θ ← Project(θ − η_t m̂ / (√v̂ + ε)),  m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t),
//
// with β1 = 0.9, β2 = 0.999, ε = 1e-8 and the step η_t = η/√(1 + t/500).
// It stops when the decrease a Newton step would still bring, as the
// Problem's Gradient estimates it, meets the tolerance (see Small). A
// stepper started matched to the problem's curvature (see matchCurvature)
// has its own β1 and initial v, and also waits for a step that changes the
// loss by no more than the tolerance, and starts again, from the point
// before, where a step raised the loss (see restart).
//
// A step allocates nothing.
type AdamStepper struct {
	ctx context.Context
	p   Differentiable
	tol float64
	n   float64
	lr  float64

	cur  []float64 // the point the next pass evaluates
	last []float64 // the point last evaluated
	g    []float64 // the gradient of the loss
	m, v []float64 // the moment estimates
	t    int
	b1   float64 // β1
	b1t  float64 // β1^t
	b2t  float64 // β2^t
	// curved, if not nil, sets v at the first step (see matchCurvature).
	curved Curved
	gain   float64
	prevL  float64   // the loss at the step before
	prev   []float64 // the point of prevL (a stepper matched to the curvature)
	change float64   // |the change of the loss| at the step that reached prev
}

// adamDecay sets how fast Adam's step size decays: at step t it is
// η/√(1 + t/adamDecay). A constant step lets Adam circle a narrow optimum,
// such as a component on many equal values, without settling; the decay
// lets it settle, and is slow enough to leave the first few hundred steps,
// which reach the optimum on well-posed data, nearly untouched.
const adamDecay = 500

// adamCurveB1 and adamCurveGain are β1 and the gain of a stepper matched to
// the problem's curvature (see matchCurvature). Its step is then a heavy-ball
// iteration preconditioned by h: with m̂ ≈ m, θ moves by gain·(1 − β1) g/h
// plus β1 times its last move. If h⁻¹H has its eigenvalues λ in (0, 1], as
// the mixture's Curvature promises, such an iteration with step
// α = gain·(1 − β1) and momentum β contracts every mode (the roots of
// z² − (1 + β − αλ) z + β) as long as αλ < 2(1 + β); with α = 1.6 and
// β = 0.2 that holds for λ up to 1.5. The pair was chosen on the benchmark
// mixture of bench/adam.sh (three overlapping components; the loss on 10^6
// points fell by about a factor of 2 a step in its slowest mode, λ ≈ 0.17),
// on the last stage's steps to the tolerance: (β1, gain) = (0.3, 1.5) took
// 14, (0.2, 1.7) 13, (0.1, 1.8) 12 and (0.2, 2) 11; with the weights'
// curvature n w(1 − w) instead of n w and without the loss-change rule
// below (which adds a step or two), (0.5, 1) took 16 and Adam's default
// β1 = 0.9 took 80: near the optimum its momentum lets the excess loss fall
// by only about β1 a step.
const (
	adamCurveB1   = 0.2
	adamCurveGain = 2
)

const (
	adamB1  = 0.9
	adamB2  = 0.999
	adamEps = 1e-8
)

// NewAdamStepper returns an AdamStepper on p from the valid point theta,
// which it does not modify, with tolerance tol and initial step lr.
func NewAdamStepper(ctx context.Context, p Differentiable, theta []float64, tol, lr float64) *AdamStepper {
	d := p.Dim()
	return &AdamStepper{
		ctx: ctx, p: p, tol: tol, n: p.Points(), lr: lr,
		cur: slices.Clone(theta), last: slices.Clone(theta),
		g: make([]float64, d), m: make([]float64, d), v: make([]float64, d),
		b1: adamB1, b1t: 1, b2t: 1,
	}
}

// matchCurvature makes a start informed by the problem's curvature h, for a
// stage that begins near its optimum. The first step sets v from h instead
// of from the first gradient: v_j = (η h_j/gain)², taken as a second-moment
// estimate already free of bias (β2^t = 0, as after many steps), so that
// Adam's step in coordinate j is gain·m̂_j/h_j, a damped diagonal Newton
// step, for as long as the gradients stay well below √1000·η h_j/gain; a
// larger gradient raises v and shortens the step as it would in any Adam
// run, no step exceeding about √1000·η in any coordinate. β1 becomes b1.
//
// The stopping rule's decrease, ½Σ g_j²/h_j, underestimates the excess loss
// ½ gᵀH⁻¹g along directions where the Hessian H couples the coordinates
// (overlapping components): by a factor 1/λ in a mode of h⁻¹H of
// eigenvalue λ. A run that gets there in a dozen steps stops with those
// modes less converged than a long one, so such a stepper converges only
// when, besides, its last step changed the loss by no more than the
// tolerance, as EM's rule asks; in a mode contracting the loss by a factor
// ρ a step, the excess left is then ρ/(1 − ρ) times that change, about one
// tolerance at ρ = ½. At the first step, with no step before, the
// decrease alone decides, as for any Adam run: a start already at the
// optimum stays there. The first step after a restart evaluates again a
// point reached by a step, and judges it by that step's change of the loss,
// as it was judged before: a restart does not let the decrease alone stop
// a run where the loss was still falling fast.
//
// Such a stepper restarts where a step raised the loss by more than the
// tolerance (see restart).
func (a *AdamStepper) matchCurvature(c Curved, gain, b1 float64) {
	a.curved, a.gain, a.b1, a.b2t = c, gain, b1, 0
	a.prev = slices.Clone(a.cur)
}

// restart sets a stepper matched to the curvature back to the point
// before its last step, which raised the loss, with half its gain: the
// next step evaluates that point again and starts Adam afresh there, m = 0
// and v from the curvature at that point (see matchCurvature). It keeps
// the change of the loss that reached that point, for the stopping rule.
//
// The curvature bound h holds near the optimum of a stage's start; where θ
// moves far within a stage, h can change by orders of magnitude. On a
// component that collapses onto many equal values (a spike), its σ falls
// within the stage and the curvature in its μ, N/σ², grows as 1/σ²: the
// v set at the start then lets μ step far past the spike's points, and the
// loss, within a few nats of the optimum, jumped by 10^6 nats and never
// came back (2·10^5 points, 90% of them equal, K = 2, DefaultPrior: 20000
// steps without converging). A restart takes v from the curvature where
// the stepper now is, and halving the gain makes every restart's first
// step shorter, so that repeated rises end in steps small enough for the
// loss's quadratic model. Adam's update rule is unchanged; only its state
// starts again, as at the start of a stage.
func (a *AdamStepper) restart() {
	copy(a.cur, a.prev)
	clear(a.m)
	a.t, a.b1t, a.b2t = 0, 1, 0
	a.gain /= 2
}

// Theta returns the point whose loss Step last returned.
func (a *AdamStepper) Theta() []float64 { return a.last }

// Step evaluates the current point and moves to the next.
func (a *AdamStepper) Step() (float64, Status, error) {
	L, err := a.p.Eval(a.ctx, a.cur)
	if err != nil {
		return math.NaN(), Running, err
	}
	copy(a.last, a.cur)
	if a.curved != nil && a.t > 0 && L > a.prevL && !Small(L-a.prevL, L, a.n, a.tol) {
		// The step went uphill: go back to the point before it, which
		// is also what the step reports, so that a run that ends here
		// (at MaxSteps) keeps the lower point.
		a.restart()
		copy(a.last, a.prev)
		return a.prevL, Running, nil
	}
	dec := a.p.Gradient(a.g)
	if a.t > 0 {
		a.change = math.Abs(a.prevL - L)
	}
	settled := a.curved == nil || Small(a.change, L, a.n, a.tol)
	a.prevL = L
	if a.prev != nil {
		copy(a.prev, a.cur)
	}
	if settled && Small(dec, L, a.n, a.tol) {
		return L, Converged, nil
	}
	lr := a.lr / math.Sqrt(1+float64(a.t)/adamDecay)
	if a.t == 0 && a.curved != nil {
		a.curved.Curvature(a.v)
		for j, h := range a.v {
			a.v[j] = (lr * h / a.gain) * (lr * h / a.gain)
		}
	}
	a.t++
	a.b1t *= a.b1
	a.b2t *= adamB2
	for j, g := range a.g {
		a.m[j] = a.b1*a.m[j] + (1-a.b1)*g
		a.v[j] = adamB2*a.v[j] + (1-adamB2)*g*g
		mh := a.m[j] / (1 - a.b1t)
		vh := a.v[j] / (1 - a.b2t)
		a.cur[j] -= lr * mh / (math.Sqrt(vh) + adamEps)
	}
	a.p.Project(a.cur)
	return L, Running, nil
}
