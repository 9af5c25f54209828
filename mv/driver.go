package mv

import "context"

// emProblem is what the EM driver needs of a fit: a pass at θ that keeps
// its statistics, and the EM image of the last θ passed.
type emProblem interface {
	Dim() int
	Points() float64
	Eval(ctx context.Context, theta []float64) (float64, error)
	Map(dst []float64) error
}

// run is the outcome of one EM run.
type run struct {
	theta     []float64 // the parameters of the last pass
	loss      []float64 // the loss at every pass
	converged bool
	err       error
}

// runEM iterates θ ← Map(θ) from theta, which it overwrites, until a step
// lowers the loss by at most tol·(|L| + n), with n the data's total weight
// (EM never raises it), or maxSteps passes have run. The last pass is at
// the returned θ, so the problem's statistics are those of the result.
func runEM(ctx context.Context, p emProblem, theta []float64, maxSteps int, tol float64) run {
	r := run{theta: theta}
	next := make([]float64, len(theta))
	n := p.Points()
	for step := 0; ; step++ {
		l, err := p.Eval(ctx, r.theta)
		if err != nil {
			r.err = err
			return r
		}
		r.loss = append(r.loss, l)
		if step > 0 {
			prev := r.loss[step-1]
			if prev-l <= tol*(abs(l)+n) {
				r.converged = true
				return r
			}
		}
		if step+1 >= maxSteps {
			return r
		}
		if err := p.Map(next); err != nil {
			r.err = err
			return r
		}
		r.theta, next = next, r.theta
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
