package engine

import (
	"errors"
	"math"
)

// run is one optimisation from one starting point, carried through the
// stages of a fit.
type run struct {
	index  int
	theta  []float64 // the last θ evaluated and accepted
	loss   float64   // its loss
	losses []float64 // the losses of the steps on the data of the last stage
	pts    float64   // the Points of those data
	status Status
	steps  int   // the number of steps on those data
	bad    error // why θ is degenerate, or nil
	// untilBad stops the run as soon as it degenerates: on all the data,
	// where a degenerate run is disqualified whatever it does next.
	untilBad bool
}

// Status is where a run stands after a step.
type Status int

const (
	// Running: the tolerance is not met yet.
	Running Status = iota
	// Converged: the tolerance is met.
	Converged
	// Stalled: no step lowers the loss by more than rounding, yet the
	// tolerance is not met.
	Stalled
)

// Stepper is one optimiser on one Problem. Step evaluates the loss at the
// current point, reports whether the run meets the tolerance, and if not
// moves on; it returns an error only if the Problem's Eval does. Theta
// returns the point whose loss Step last returned.
type Stepper interface {
	Step() (loss float64, st Status, err error)
	Theta() []float64
}

// optimise runs r on p from r.theta for at most steps steps by method with
// tolerance tol, and leaves in r the point of the last loss it recorded.
// EM runs on em, reset, if it is not nil. Adam starts at the step size
// LearningRate. If r.untilBad is set, the run stops, short of the
// tolerance, at the first step that leaves it degenerate.
func (f *fitter) optimise(r *run, p Problem, em *EMStepper, method Method, steps int, tol float64) error {
	return f.optimiseAt(r, p, em, method, steps, tol, f.cfg.LearningRate, false)
}

// optimiseAt is optimise with Adam's initial step size lr; if curve is set
// and p is Curved, Adam starts matched to p's curvature (see stages).
func (f *fitter) optimiseAt(r *run, p Problem, em *EMStepper, method Method, steps int, tol, lr float64, curve bool) error {
	var opt Stepper
	switch method {
	case Adam:
		d, ok := p.(Differentiable)
		if !ok {
			return errors.New("engine: Adam needs a Differentiable problem")
		}
		a := NewAdamStepper(f.ctx, d, r.theta, tol, lr)
		if c, ok := p.(Curved); ok && curve {
			a.matchCurvature(c, adamCurveGain, adamCurveB1)
		}
		opt = a
	default:
		if em == nil {
			em = new(EMStepper)
		}
		em.Reset(f.ctx, p, r.theta, tol)
		opt = em
	}
	n := p.Points()
	if n != r.pts || r.losses == nil {
		// A run's record starts again on new data; on the same data, as
		// when a short run is continued, it goes on.
		r.losses = make([]float64, 0, min(steps, 64))
		r.steps = 0
		r.pts = n
	}
	r.status = Running
	done := r.steps
	defer func() { copy(r.theta, opt.Theta()) }()
	for t := range steps {
		L, st, err := opt.Step()
		if err != nil {
			return err
		}
		r.losses = append(r.losses, L)
		r.loss = L
		r.steps = done + t + 1
		if f.cfg.Progress != nil {
			f.cfg.Progress(r.index, done+t, L, n)
		}
		if st != Running || math.IsNaN(L) {
			r.status = st
			return nil
		}
		if r.untilBad && degenerate(p, opt.Theta()) != nil {
			return nil
		}
	}
	return nil
}
