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
// Problem's Gradient estimates it, meets the tolerance (see Small).
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
	b1t  float64 // β1^t
	b2t  float64 // β2^t
}

// adamDecay sets how fast Adam's step size decays: at step t it is
// η/√(1 + t/adamDecay). A constant step lets Adam circle a narrow optimum,
// such as a component on many equal values, without settling; the decay
// lets it settle, and is slow enough to leave the first few hundred steps,
// which reach the optimum on well-posed data, nearly untouched.
const adamDecay = 500

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
		b1t: 1, b2t: 1,
	}
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
	dec := a.p.Gradient(a.g)
	if Small(dec, L, a.n, a.tol) {
		return L, Converged, nil
	}
	lr := a.lr / math.Sqrt(1+float64(a.t)/adamDecay)
	a.t++
	a.b1t *= adamB1
	a.b2t *= adamB2
	for j, g := range a.g {
		a.m[j] = adamB1*a.m[j] + (1-adamB1)*g
		a.v[j] = adamB2*a.v[j] + (1-adamB2)*g*g
		mh := a.m[j] / (1 - a.b1t)
		vh := a.v[j] / (1 - a.b2t)
		a.cur[j] -= lr * mh / (math.Sqrt(vh) + adamEps)
	}
	a.p.Project(a.cur)
	return L, Running, nil
}
