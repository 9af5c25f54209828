package engine

import (
	"context"
	"math"
	"slices"
	"testing"
)

// coupled is the loss n(θ − c)ᵀA(θ − c)/2 with A = I + sJ, J having ones off
// the diagonal and zeros on it, whose Hessian nA couples every pair of
// coordinates; Curvature returns n(1 + (d − 1)|s|), which bounds nA by
// Gershgorin's theorem, so that h⁻¹H has its eigenvalues in (0, 1]: 1 once
// and (1 − s)/(1 + (d − 1)s) d − 1 times for s > 0.
type coupled struct {
	n, s float64
	c    []float64
	last []float64
}

func (q *coupled) Dim() int              { return len(q.c) }
func (q *coupled) Points() float64       { return q.n }
func (q *coupled) Project([]float64)     {}
func (q *coupled) Map(dst []float64)     { copy(dst, q.c) }
func (q *coupled) hess(i, j int) float64 { return q.n * q.a(i, j) }

func (q *coupled) a(i, j int) float64 {
	if i == j {
		return 1
	}
	return q.s
}

func (q *coupled) Eval(ctx context.Context, t []float64) (float64, error) {
	q.last = slices.Clone(t)
	var L float64
	for i := range t {
		for j := range t {
			L += (t[i] - q.c[i]) * q.hess(i, j) * (t[j] - q.c[j]) / 2
		}
	}
	return L, ctx.Err()
}

func (q *coupled) Gradient(dst []float64) float64 {
	h := make([]float64, len(dst))
	q.Curvature(h)
	var dec float64
	for i := range dst {
		dst[i] = 0
		for j := range dst {
			dst[i] += q.hess(i, j) * (q.last[j] - q.c[j])
		}
		dec += dst[i] * dst[i] / (2 * h[i])
	}
	return dec
}

func (q *coupled) Curvature(dst []float64) {
	for i := range dst {
		dst[i] = q.n * (1 + float64(len(dst)-1)*math.Abs(q.s))
	}
}

// TestAdamMatchedToCurvature checks Adam started matched to the curvature
// on coupled quadratics whose h⁻¹H has its eigenvalues from 1 down to λ: it
// converges, to within the tolerance of the optimum's loss of zero, and
// in about as many steps as a heavy-ball iteration with Adam's step
// gain·(1 − β1) and momentum β1 takes to shrink the loss from its start to
// the tolerance.
func TestAdamMatchedToCurvature(t *testing.T) {
	const (
		n   = 1e6
		tol = 1e-10
		lr  = 0.05
	)
	tests := []struct {
		name string
		d    int
		s    float64
	}{
		{"uncoupled", 4, 0},
		{"λ = 0.5", 4, 0.2},
		{"λ = 0.2", 4, 0.5},
		{"λ = 0.14, 9 coordinates", 9, 0.4},
		{"λ = 0.05, 9 coordinates", 9, 0.7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := make([]float64, tt.d)
			start := make([]float64, tt.d)
			for i := range c {
				c[i] = float64(i) / 10
				start[i] = c[i] + 0.01*float64(1-2*(i%2))
			}
			q := &coupled{n: n, s: tt.s, c: c}
			a := NewAdamStepper(context.Background(), q, start, tol, lr)
			a.matchCurvature(q, adamCurveGain, adamCurveB1)
			var L0, L float64
			steps := 0
			for ; steps < 200; steps++ {
				var st Status
				var err error
				L, st, err = a.Step()
				if err != nil {
					t.Fatal(err)
				}
				if steps == 0 {
					L0 = L
				}
				if st == Converged {
					break
				}
			}
			steps++
			// The heavy-ball iteration with step α = gain·(1 − β1) and
			// momentum β = β1 contracts θ by r a step, the largest root
			// modulus over the eigenvalues 1 and λ (the slowest modes), and
			// the loss by ρ = r².
			lam := (1 - tt.s) / (1 + float64(tt.d-1)*tt.s)
			r := max(heavyBallRate(1), heavyBallRate(lam))
			rho := r * r
			// The loss is zero at the optimum, so L is the excess itself.
			// The stopping rule allows a change of tol·(|L| + n) in the
			// last step, which leaves about ρ/(1 − ρ) times that change
			// in the slowest mode: 0.25 of it for λ ≥ 0.2, 0.83 for
			// λ = 0.14 and 4.6 for λ = 0.05, where a run stopped by the
			// loss's change, EM's too, stops further from the optimum.
			if bound := max(1, rho/(1-rho)) * tol * (L + n); L > bound {
				t.Errorf("stopped %g above the optimum after %d steps, more than %g", L, steps, bound)
			}
			// From L0 to the tolerance takes ln(L0/(tol·n))/ln(1/ρ)
			// steps, plus a few for Adam's first steps, whose bias
			// correction makes them longer than the heavy ball's, and for
			// the step that confirms the change.
			want := math.Log(L0/(tol*n))/math.Log(1/rho) + 4
			if float64(steps) > want {
				t.Errorf("took %d steps from a loss of %g, want at most %.1f", steps, L0, want)
			}
			t.Logf("%d steps from %g to %g; rate %.3f", steps, L0, L, r)
		})
	}
}

// heavyBallRate returns the largest modulus of the roots of
// z² − (1 + β − αλ) z + β, the contraction a step of the heavy-ball
// iteration with α = gain·(1 − β1) and β = β1 makes in a mode of h⁻¹H of
// eigenvalue λ.
func heavyBallRate(lam float64) float64 {
	beta := adamCurveB1
	b := 1 + beta - adamCurveGain*(1-beta)*lam
	disc := b*b - 4*beta
	if disc < 0 {
		return math.Sqrt(beta)
	}
	return (math.Abs(b) + math.Sqrt(disc)) / 2
}

// TestAdamMatchedAtOptimum checks that a stepper matched to the curvature
// and started at the optimum stops there at its first step.
func TestAdamMatchedAtOptimum(t *testing.T) {
	c := []float64{0.1, -0.2, 0.3}
	q := &coupled{n: 1000, s: 0.3, c: c}
	a := NewAdamStepper(context.Background(), q, c, 1e-10, 0.05)
	a.matchCurvature(q, adamCurveGain, adamCurveB1)
	L, st, err := a.Step()
	if err != nil || st != Converged || L != 0 || !slices.Equal(a.Theta(), c) {
		t.Errorf("got loss %g, status %v, θ %v, err %v; want 0, Converged, %v", L, st, a.Theta(), err, c)
	}
}

// curvedSampled is a sampled problem that is Curved: its Hessian is m in
// every coordinate, exactly.
type curvedSampled struct{ *sampled }

func (q curvedSampled) Curvature(dst []float64) {
	for i := range dst {
		dst[i] = float64(q.m)
	}
}

type curvedSource struct{ *sampledSource }

func (s curvedSource) Problem(m int, stream uint64) Problem {
	return curvedSampled{s.sampledSource.Problem(m, stream).(*sampled)}
}

// TestAdamStagesMatchCurvature checks that Fit's stages start Adam matched
// to a Curved problem's curvature: on the sampled problem, whose h⁻¹H is
// the identity, each stage takes about as many steps as the heavy-ball
// rate predicts from its first loss to the tolerance (the same problem
// without its curvature, fitted alongside, is logged for comparison).
func TestAdamStagesMatchCurvature(t *testing.T) {
	const n = 1 << 24
	u := []float64{3, -1, 0.5}
	fit := func(src Source) {
		res, err := Fit(context.Background(), src, [][]float64{{1, 1, 1}}, &Settings{Method: Adam})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Converged {
			t.Fatalf("did not converge in %d steps", res.Steps)
		}
	}
	plain := &sampledSource{n: n, u: u, logs: map[int]*[][]float64{}}
	curved := &sampledSource{n: n, u: u, logs: map[int]*[][]float64{}}
	fit(plain)
	fit(curvedSource{curved})
	rho := heavyBallRate(1) * heavyBallRate(1)
	sizes := []int{GrowthFactor * defaultScreenSize, GrowthFactor * GrowthFactor * defaultScreenSize, n}
	for _, m := range sizes {
		log := *curved.logs[m]
		q := curvedSampled{&sampled{m: m, log: new([][]float64)}}
		q.c = make([]float64, len(u))
		for i, v := range u {
			q.c[i] = v / math.Sqrt(float64(m))
		}
		L0, _ := q.Eval(context.Background(), log[0])
		tol := ScreenTol(defaultTol, m)
		if m == n {
			tol = defaultTol
		}
		// As in TestAdamMatchedToCurvature: the loss falls by ρ a step,
		// plus a few steps for Adam's first and the confirming one.
		want := math.Log(L0/(tol*float64(m)))/math.Log(1/rho) + 4
		if float64(len(log)) > want {
			t.Errorf("stage on %d points: %d steps from a loss of %g, want at most %.1f", m, len(log), L0, want)
		}
		t.Logf("stage on %d points: %d steps matched to the curvature, %d without", m, len(log), len(*plain.logs[m]))
	}
}

// spike is the loss of n points at 0 under one normal component of mean μ
// and standard deviation e^s, with a floor ε on the variance's share of
// the points' spread: n(s + (μ² + ε)e^{-2s}/2), whose optimum is μ = 0,
// e^{2s} = ε. Its curvature in μ, n e^{-2s}, grows as the component
// narrows, as on a component collapsing onto many equal values. Curvature
// returns the diagonal of the Hessian where the off-diagonal vanishes
// (μ = 0): n e^{-2s} in μ and 2n(μ² + ε)e^{-2s} in s.
type spike struct {
	n, eps float64
	last   []float64
}

func (q *spike) Dim() int          { return 2 }
func (q *spike) Points() float64   { return q.n }
func (q *spike) Project([]float64) {}
func (q *spike) Map([]float64)     {}

func (q *spike) Eval(ctx context.Context, t []float64) (float64, error) {
	q.last = slices.Clone(t)
	mu, s := t[0], t[1]
	return q.n * (s + (mu*mu+q.eps)*math.Exp(-2*s)/2), ctx.Err()
}

func (q *spike) Gradient(dst []float64) float64 {
	mu, s := q.last[0], q.last[1]
	e := math.Exp(-2 * s)
	dst[0] = q.n * mu * e
	dst[1] = q.n * (1 - (mu*mu+q.eps)*e)
	h := make([]float64, 2)
	q.Curvature(h)
	return dst[0]*dst[0]/(2*h[0]) + dst[1]*dst[1]/(2*h[1])
}

func (q *spike) Curvature(dst []float64) {
	mu, s := q.last[0], q.last[1]
	e := math.Exp(-2 * s)
	dst[0] = q.n * e
	dst[1] = 2 * q.n * (mu*mu + q.eps) * e
}

// TestAdamRestartsOnSpike checks that a stepper matched to the curvature
// reaches the optimum of a narrowing component, started where its σ is
// 10^3 times the optimum's and its μ off by the same σ.
func TestAdamRestartsOnSpike(t *testing.T) {
	const (
		n   = 1e5
		eps = 1e-12
		tol = 1e-10
	)
	q := &spike{n: n, eps: eps}
	a := NewAdamStepper(context.Background(), q, []float64{1e-3, math.Log(1e-3)}, tol, 0.05)
	a.matchCurvature(q, adamCurveGain, adamCurveB1)
	var L float64
	var st Status
	steps := 0
	for ; steps < 1000 && st != Converged; steps++ {
		var err error
		if L, st, err = a.Step(); err != nil {
			t.Fatal(err)
		}
	}
	// The stopping rule asks ½Σg²/h and the last change of the loss to be
	// within tol·(|L| + n), 1.4e-4 here; on this uncoupled optimum (the
	// off-diagonal n·2μe^{-2s} vanishes with μ) ½Σg²/h is the excess loss
	// to second order, so the loss is within that of the optimum's. Without
	// the restart the loss rose to 7.3e8 within the first seven steps and was
	// still 8e5 above the optimum after 1000.
	opt := n * (math.Log(eps)/2 + 0.5)
	if st != Converged || math.Abs(L-opt) > tol*(math.Abs(opt)+n) {
		t.Errorf("after %d steps: loss %.10g, optimum %.10g; converged %v", steps, L, opt, st == Converged)
	}
}

// scripted returns the losses and decreases it is given, one a pass, at
// whatever point it is asked about, with a gradient and curvature of 1 in
// its single coordinate.
type scripted struct {
	loss, dec []float64
	pass      int // the passes evaluated
}

func (q *scripted) Dim() int          { return 1 }
func (q *scripted) Points() float64   { return 100 }
func (q *scripted) Project([]float64) {}
func (q *scripted) Map([]float64)     {}
func (q *scripted) Curvature(dst []float64) {
	dst[0] = 1
}

func (q *scripted) Eval(ctx context.Context, t []float64) (float64, error) {
	q.pass++
	return q.loss[q.pass-1], nil
}

func (q *scripted) Gradient(dst []float64) float64 {
	dst[0] = 1
	return q.dec[q.pass-1]
}

// TestAdamRestartKeepsLossChange checks that the first step after a
// restart judges the point it evaluates again by the change of the loss
// that reached it: the loss fell by 10 nats into that point, where the
// decrease is 0, so the run goes on although the decrease alone would stop
// it (a restarted stepper used to stop there, as at a stage's start).
func TestAdamRestartKeepsLossChange(t *testing.T) {
	q := &scripted{
		// start; a fall of 10 into P; a rise; P again; a fall within the
		// tolerance, 1e-10·(|L| + n) ≈ 1.9e-8, with no decrease left.
		loss: []float64{100, 90, 95, 90, 90 - 1e-9},
		dec:  []float64{1, 0, 0, 0, 0},
	}
	want := []Status{Running, Running, Running, Running, Converged}
	a := NewAdamStepper(context.Background(), q, []float64{0}, 1e-10, 0.1)
	a.matchCurvature(q, adamCurveGain, adamCurveB1)
	var atP float64
	for i, w := range want {
		_, st, err := a.Step()
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 1:
			atP = a.Theta()[0]
		case 3:
			if got := a.Theta()[0]; got != atP {
				t.Errorf("step %d evaluated θ = %g, want P's %g (no restart)", i, got, atP)
			}
		}
		if st != w {
			t.Errorf("step %d (loss %g): status %v, want %v", i, q.loss[i], st, w)
		}
	}
}

// TestAdamRiseReportsPointBefore checks that a step that goes uphill
// reports the point before it and that point's loss, which the stepper
// goes back to, so that a run whose last step rises (at MaxSteps) ends at
// the lower point; it used to report the raised point.
func TestAdamRiseReportsPointBefore(t *testing.T) {
	q := &scripted{
		// start; a fall of 10 into P; a rise of 5.
		loss: []float64{100, 90, 95},
		dec:  []float64{1, 1, 1},
	}
	a := NewAdamStepper(context.Background(), q, []float64{0}, 1e-10, 0.1)
	a.matchCurvature(q, adamCurveGain, adamCurveB1)
	var atP float64
	for i := range q.loss {
		L, _, err := a.Step()
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			atP = a.Theta()[0]
		}
		if i == 2 && (L != 90 || a.Theta()[0] != atP) {
			t.Errorf("after the rise: loss %g at θ = %g, want P's loss 90 at θ = %g", L, a.Theta()[0], atP)
		}
	}
}
