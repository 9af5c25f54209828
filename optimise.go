package gmm

import (
	"context"
	"math"

	"github.com/gmm-go/gmm/internal/kernel"
)

// objective is the loss −log p(u, w, μ, σ) on standardised data u: the prior
// has been carried to the units of u and floor is the smallest σ allowed
// (zero when there is a prior).
type objective struct {
	prior Prior
	floor float64
	tol   float64
}

// lossOffset returns what turns a loss on the standardised data
// u = (x − c)/scale, with n points and K components, into the loss on x:
// N(x | μ, σ) = N(u | μ_u, σ_u)/scale for each point, and each Normal prior
// density on μ_k and each InverseGamma prior density on σ_k (or σ_k²) is
// likewise divided by scale (or scale²).
func (o *objective) lossOffset(n, K int, scale float64) float64 {
	ls := math.Log(scale)
	off := float64(n) * ls
	if !o.prior.IsZero() {
		off += float64(K) * ls
		if o.prior.OnVariance {
			off += 2 * float64(K) * ls
		} else {
			off += float64(K) * ls
		}
	}
	return off
}

// converged reports whether a change of size delta in the loss L over n
// points is within the tolerance.
func (o *objective) converged(delta, L float64, n int) bool {
	return delta <= o.tol*(math.Abs(L)+float64(n))
}

// run is one optimisation from one starting point.
type run struct {
	index     int
	p         *kernel.Params
	losses    []float64 // on the data's own scale
	loss      float64   // last loss on the standardised scale
	converged bool
	steps     int
}

// stepper is one optimiser. step evaluates the loss at the current
// parameters, reports whether they meet the tolerance, and if not moves
// them.
type stepper interface {
	step(prev float64) (loss float64, st status)
}

// status is where a run stands after a step.
type status int

const (
	running   status = iota
	converged        // the tolerance is met
	stalled          // no step lowers the loss by more than rounding, yet the tolerance is not met
)

func (r *run) optimise(ctx context.Context, eng *kernel.Engine, obj *objective, cfg *Settings,
	offset float64, progress func(run, step int, loss float64)) {
	var opt stepper
	switch cfg.Method {
	case EM:
		opt = newEMStepper(eng, obj, r.p)
	default:
		opt = newAdamStepper(eng, obj, r.p, cfg.LearningRate)
	}
	r.losses = make([]float64, 0, min(cfg.MaxSteps, 1024))
	r.converged = false
	prev := math.NaN()
	for t := range cfg.MaxSteps {
		if t%16 == 0 && ctx.Err() != nil {
			return
		}
		L, st := opt.step(prev)
		r.losses = append(r.losses, L+offset)
		r.loss = L
		r.steps = t + 1
		progress(r.index, t, L+offset)
		if st != running || math.IsNaN(L) {
			r.converged = st == converged
			return
		}
		prev = L
	}
	// Out of steps. EM has moved to its next point, perhaps a mixed one,
	// which no pass has evaluated and which may be worse than the last it
	// accepted; the run returns that one, the loss its last step recorded.
	if e, ok := opt.(*emStepper); ok && !e.first {
		e.p.CopyFrom(e.rec)
	}
}

// emStepper runs ECM (Meng & Rubin 1993): after the E-step, which gives the
// responsibilities r_ik and N_k = Σ_i r_ik, the M-step maximises the expected
// log posterior over the weights, then the means, then the standard
// deviations, each given the others, so the loss never increases.
//
//	w_k = (N_k + α − 1) / (n + Kα − K)
//	μ_k = (Σ_i r_ik u_i / σ_k² + μ0 / s0²) / (N_k / σ_k² + 1 / s0²)
//	σ_k = (b0 + sqrt(b0² + 4 c S_k)) / (2c),  c = a0 + 1 + N_k        prior on σ
//	σ_k² = (S_k + 2 b0) / (N_k + 2 a0 + 2)                            prior on σ²
//
// with S_k = Σ_i r_ik (u_i − μ_k)² at the new mean. The σ_k update is the
// positive root of c σ² − b0 σ − S_k = 0. With no prior the updates are the
// maximum-likelihood ones, w_k = N_k/n, μ_k the weighted mean and
// σ_k² = max(S_k/N_k, floor²).
//
// The ECM map M is accelerated by Anderson mixing (Walker & Ni 2011,
// "Anderson acceleration for fixed-point iterations", SIAM J. Numer. Anal.
// 49(4)) with a monotonicity safeguard in the spirit of DAAREM (Henderson &
// Varadhan 2019, J. Comput. Graph. Statist. 28(4)). In the coordinates
// θ = (log w, μ, log σ), with g = M(θ) and f = g − θ at the last accepted
// point and ΔF, ΔG the differences of f and g between up to aaMemory
// successive accepted points, the next point is
//
//	θ' = g − ΔG γ,  γ = argmin ‖f − ΔF γ‖,
//
// and it is kept only if its loss is at most the last accepted one;
// otherwise the run evaluates g instead, which plain ECM guarantees. So
// every loss the run records is at most the one before. The tolerance is
// tested, as in plain ECM, only between a point and its image g: when an
// accepted step changes the loss by less than the tolerance, the next point
// is g, which confirms convergence or lets the run go on.
type emStepper struct {
	eng *kernel.Engine
	obj *objective
	p   *kernel.Params // the point the next pass evaluates
	st  *kernel.Stats

	first bool           // p is the run's first point
	plain bool           // p is img, the image under M of the last accepted point
	rec   *kernel.Params // the last accepted point, of loss recL
	recL  float64
	img   *kernel.Params

	x, g, f  []float64   // θ at the last accepted point, its image, and their difference
	gp, fp   []float64   // g and f at the accepted point before it
	dF, dG   [][]float64 // a ring of up to aaMemory differences of f and of g
	nh, head int         // the number of differences held, and where the next goes

	// Scratch for γ: the normal equations' matrix and right side, and γ.
	ata, atb, gam []float64
}

// aaMemory is the number of past steps Anderson mixing uses. On the
// mixtures tried in tuning (three well-separated components, two
// overlapping ones, iris with K = 2 and 3), memories of 3, 5 and 8 took
// about as many passes over the data, 5 a few fewer than 3; plain ECM took
// 2.5 times as many on the separated components and 20 to 80 times as many
// on the overlapping ones and on iris with K = 3. Where the loss is nearly
// flat, as with more components than the data hold, many mixed points are
// refused, each at the cost of a pass, and the saving falls to about 3
// times.
const aaMemory = 5

func newEMStepper(eng *kernel.Engine, obj *objective, p *kernel.Params) *emStepper {
	K := p.K()
	d := 3 * K
	e := &emStepper{
		eng: eng, obj: obj, p: p, st: kernel.NewStats(K),
		first: true, plain: true,
		rec: kernel.NewParams(K), recL: math.Inf(1), img: kernel.NewParams(K),
		x: make([]float64, d), g: make([]float64, d), f: make([]float64, d),
		gp: make([]float64, d), fp: make([]float64, d),
		ata: make([]float64, aaMemory*aaMemory), atb: make([]float64, aaMemory), gam: make([]float64, aaMemory),
	}
	for range aaMemory {
		e.dF = append(e.dF, make([]float64, d))
		e.dG = append(e.dG, make([]float64, d))
	}
	return e
}

// tiny keeps an empty component's statistics from dividing by zero, as
// scikit-learn does with 10 machine epsilons.
const tiny = 10 * 2.220446049250313e-16

func (e *emStepper) step(float64) (float64, status) {
	n := e.eng.Len()
	for {
		e.eng.Pass(e.p, e.st)
		L := -(e.st.LogLik + e.obj.prior.logDensity(e.p.LogW, e.p.Mu, e.p.Sigma))
		var small bool
		if !e.first {
			if !(L <= e.recL) {
				if !e.plain {
					// Refuse the mixed point; evaluate the plain image.
					e.p.CopyFrom(e.img)
					e.plain = true
					continue
				}
				// ECM cannot raise the loss, except by rounding: stay
				// at the last point accepted.
				e.p.CopyFrom(e.rec)
				if e.obj.converged(L-e.recL, e.recL, n) {
					return e.recL, converged
				}
				return e.recL, stalled
			}
			small = e.obj.converged(e.recL-L, L, n)
			if small && e.plain {
				return L, converged
			}
		}
		e.recL = L
		e.rec.CopyFrom(e.p)
		toTheta(e.p, e.x)
		e.mstep()
		e.img.CopyFrom(e.p)
		toTheta(e.p, e.g)
		for i := range e.f {
			e.f[i] = e.g[i] - e.x[i]
		}
		if !e.first {
			for i := range e.f {
				e.dF[e.head][i] = e.f[i] - e.fp[i]
				e.dG[e.head][i] = e.g[i] - e.gp[i]
			}
			e.head = (e.head + 1) % aaMemory
			e.nh = min(e.nh+1, aaMemory)
		}
		copy(e.fp, e.f)
		copy(e.gp, e.g)
		e.first = false
		e.plain = small || !e.mix()
		return L, running
	}
}

// mix sets p to the Anderson point θ' = g − ΔG γ and reports whether it
// did: not without differences, nor when the normal equations
// (ΔFᵀΔF + λI) γ = ΔFᵀ f, with λ = 1e-12 times the trace to keep them
// definite, cannot be solved or θ' is not finite.
func (e *emStepper) mix() bool {
	h := e.nh
	if h == 0 {
		return false
	}
	a, b, gam := e.ata[:h*h], e.atb[:h], e.gam[:h]
	var tr float64
	for i := range h {
		for j := range i + 1 {
			a[i*h+j] = dot(e.dF[i], e.dF[j])
		}
		b[i] = dot(e.dF[i], e.f)
		tr += a[i*h+i]
	}
	for i := range h {
		a[i*h+i] += 1e-12 * tr
	}
	if !cholSolve(a, b, gam, h) {
		return false
	}
	// θ' into x, which is free until the next accepted point.
	for i := range e.x {
		v := e.g[i]
		for j := range h {
			v -= gam[j] * e.dG[j][i]
		}
		if !isFinite(v) {
			return false
		}
		e.x[i] = v
	}
	fromTheta(e.x, e.p, e.obj.floor)
	return true
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// cholSolve solves a·x = b for the symmetric h×h matrix a, of which it reads
// the lower triangle and which it overwrites with its Cholesky factor. It
// reports false if a is not numerically positive definite.
func cholSolve(a, b, x []float64, h int) bool {
	for i := range h {
		for j := range i + 1 {
			v := a[i*h+j]
			for k := range j {
				v -= a[i*h+k] * a[j*h+k]
			}
			if i == j {
				if !(v > 0) {
					return false
				}
				a[i*h+i] = math.Sqrt(v)
			} else {
				a[i*h+j] = v / a[j*h+j]
			}
		}
	}
	for i := range h {
		v := b[i]
		for k := range i {
			v -= a[i*h+k] * x[k]
		}
		x[i] = v / a[i*h+i]
	}
	for i := h - 1; i >= 0; i-- {
		v := x[i]
		for k := i + 1; k < h; k++ {
			v -= a[k*h+i] * x[k]
		}
		x[i] = v / a[i*h+i]
	}
	return true
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

// fromTheta sets p from θ = (log w, μ, log σ), renormalising the weights and
// keeping each σ_k at or above floor.
func fromTheta(t []float64, p *kernel.Params, floor float64) {
	K := p.K()
	mx := math.Inf(-1)
	for k := range K {
		mx = max(mx, t[k])
	}
	var s float64
	for k := range K {
		s += math.Exp(t[k] - mx)
	}
	lse := mx + math.Log(s)
	for k := range K {
		p.LogW[k] = t[k] - lse
		p.Mu[k] = t[K+k]
		p.Sigma[k] = max(math.Exp(t[2*K+k]), floor)
	}
}

// mstep moves p to its image under the ECM map, given the statistics of the
// pass at p.
func (e *emStepper) mstep() {
	p, st, pr := e.p, e.st, &e.obj.prior
	n := float64(e.eng.Len())
	K := p.K()
	fk := float64(K)
	none := pr.IsZero()
	for k := range K {
		N := st.N[k]
		if none {
			p.LogW[k] = math.Log(N / n)
		} else {
			p.LogW[k] = math.Log((N + pr.Concentration - 1) / (n + fk*pr.Concentration - fk))
		}
		mu, s2 := p.Mu[k], p.Sigma[k]*p.Sigma[k]
		var nu float64
		if none {
			nu = mu + st.S1[k]/(N+tiny)
		} else {
			ps := 1 / (pr.MeanScale * pr.MeanScale)
			nu = ((st.S1[k]+N*mu)/s2 + pr.MeanLoc*ps) / (N/s2 + ps)
		}
		d := nu - mu
		S := max(st.S2[k]-2*d*st.S1[k]+N*d*d, 0)
		p.Mu[k] = nu
		switch {
		case none:
			p.Sigma[k] = max(math.Sqrt(S/(N+tiny)), e.obj.floor)
		case pr.OnVariance:
			p.Sigma[k] = math.Sqrt((S + 2*pr.SigmaScale) / (N + 2*pr.SigmaShape + 2))
		default:
			c, b := pr.SigmaShape+1+N, pr.SigmaScale
			p.Sigma[k] = (b + math.Sqrt(b*b+4*c*S)) / (2 * c)
		}
	}
}

// adamStepper runs Adam (Kingma & Ba 2015) on θ = (η, μ, ρ), with
// w = softmax(η) and σ = floor + exp(ρ). With r_ik the responsibilities,
// N_k = Σ_i r_ik, d_ik = u_i − μ_k and ℓ the log-likelihood, the chain rule
// through the log-sum-exp gives
//
//	∂ℓ/∂η_k = N_k − n w_k
//	∂ℓ/∂μ_k = Σ_i r_ik d_ik / σ_k²
//	∂ℓ/∂ρ_k = (σ_k − floor)/σ_k · Σ_i r_ik (d_ik²/σ_k² − 1)
//
// and the prior adds (α − 1)(1 − K w_k), −(μ_k − μ0)/s0², and −(a0 + 1) + b0/σ_k
// (prior on σ) or −2(a0 + 1) + 2 b0/σ_k² (prior on σ²).
type adamStepper struct {
	eng   *kernel.Engine
	obj   *objective
	p     *kernel.Params
	st    *kernel.Stats
	lr    float64
	theta []float64 // η, μ, ρ: 3K values
	g     []float64 // the gradient of the loss
	m, v  []float64 // Adam's moment estimates
	t     int
	b1t   float64 // β1^t
	b2t   float64 // β2^t
}

// adamDecay sets how fast Adam's step size decays: at step t it is
// LearningRate/sqrt(1 + t/adamDecay). A constant step lets Adam circle a
// narrow optimum, such as a component on many equal values, without
// settling; the decay lets it settle, and is slow enough to leave the first
// few hundred steps, which reach the optimum on well-posed data, nearly
// untouched.
const adamDecay = 500

const (
	adamB1  = 0.9
	adamB2  = 0.999
	adamEps = 1e-8
)

func newAdamStepper(eng *kernel.Engine, obj *objective, p *kernel.Params, lr float64) *adamStepper {
	K := p.K()
	a := &adamStepper{
		eng: eng, obj: obj, p: p, st: kernel.NewStats(K), lr: lr,
		theta: make([]float64, 3*K), g: make([]float64, 3*K),
		m: make([]float64, 3*K), v: make([]float64, 3*K),
		b1t: 1, b2t: 1,
	}
	for k := range K {
		a.theta[k] = p.LogW[k]
		a.theta[K+k] = p.Mu[k]
		a.theta[2*K+k] = math.Log(max(p.Sigma[k]-obj.floor, obj.floor*1e-3, 1e-300))
	}
	a.sync()
	return a
}

// sync sets the mixture's parameters from θ.
func (a *adamStepper) sync() {
	K := a.p.K()
	eta := a.theta[:K]
	mx := math.Inf(-1)
	for _, v := range eta {
		mx = max(mx, v)
	}
	var s float64
	for _, v := range eta {
		s += math.Exp(v - mx)
	}
	lse := mx + math.Log(s)
	for k := range K {
		a.p.LogW[k] = eta[k] - lse
		a.p.Mu[k] = a.theta[K+k]
		a.p.Sigma[k] = a.obj.floor + math.Exp(a.theta[2*K+k])
	}
}

// evaluate returns the loss at the current parameters, sets a.g to its
// gradient with respect to θ, and returns the decrease a Newton step with
// the diagonal of the Fisher information as the Hessian would bring.
func (a *adamStepper) evaluate() (L, dec float64) {
	p, st, pr := a.p, a.st, &a.obj.prior
	a.eng.Pass(p, st)
	L = -(st.LogLik + pr.logDensity(p.LogW, p.Mu, p.Sigma))
	K := p.K()
	n := float64(a.eng.Len())
	fk := float64(K)
	none := pr.IsZero()
	for k := range K {
		w := math.Exp(p.LogW[k])
		s := p.Sigma[k]
		is2 := 1 / (s * s)
		N := st.N[k]
		ge := N - n*w
		gm := st.S1[k] * is2
		gr := (s - a.obj.floor) / s * (st.S2[k]*is2 - N)
		he := n * w * (1 - w)
		hm := N * is2
		hr := 2 * N
		if !none {
			ge += (pr.Concentration - 1) * (1 - fk*w)
			ps := 1 / (pr.MeanScale * pr.MeanScale)
			gm -= (p.Mu[k] - pr.MeanLoc) * ps
			hm += ps
			if pr.OnVariance {
				gr += -2*(pr.SigmaShape+1) + 2*pr.SigmaScale*is2
				hr += 4 * pr.SigmaScale * is2
			} else {
				gr += -(pr.SigmaShape + 1) + pr.SigmaScale/s
				hr += pr.SigmaScale / s
			}
		}
		a.g[k], a.g[K+k], a.g[2*K+k] = -ge, -gm, -gr
		dec += ge*ge/max(he, 1) + gm*gm/max(hm, 1e-300) + gr*gr/max(hr, 1)
	}
	return L, dec / 2
}

func (a *adamStepper) step(float64) (float64, status) {
	L, dec := a.evaluate()
	if a.obj.converged(dec, L, a.eng.Len()) {
		return L, converged
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
		a.theta[j] -= lr * mh / (math.Sqrt(vh) + adamEps)
	}
	a.sync()
	return L, running
}
