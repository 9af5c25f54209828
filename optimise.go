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
	step(prev float64) (loss float64, done bool)
}

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
		L, done := opt.step(prev)
		r.losses = append(r.losses, L+offset)
		r.loss = L
		r.steps = t + 1
		progress(r.index, t, L+offset)
		if done || math.IsNaN(L) {
			r.converged = done
			return
		}
		prev = L
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
// EM converges linearly, and slowly where the likelihood is flat, so a small
// change between iterations does not mean the optimum is near. It stops
// when the change still to come, estimated by Aitken's extrapolation from
// the last two changes (Böhning et al. 1994; McNicholas et al. 2010), is
// within the tolerance.
type emStepper struct {
	eng  *kernel.Engine
	obj  *objective
	p    *kernel.Params
	st   *kernel.Stats
	last float64 // the previous change of the loss
}

func newEMStepper(eng *kernel.Engine, obj *objective, p *kernel.Params) *emStepper {
	return &emStepper{eng: eng, obj: obj, p: p, st: kernel.NewStats(p.K()), last: math.NaN()}
}

// tiny keeps an empty component's statistics from dividing by zero, as
// scikit-learn does with 10 machine epsilons.
const tiny = 10 * 2.220446049250313e-16

func (e *emStepper) step(prev float64) (float64, bool) {
	p, st, pr := e.p, e.st, &e.obj.prior
	e.eng.Pass(p, st)
	L := -(st.LogLik + pr.logDensity(p.LogW, p.Mu, p.Sigma))
	n := float64(e.eng.Len())
	if !math.IsNaN(prev) {
		d := prev - L
		if e.obj.converged(aitken(d, e.last), L, e.eng.Len()) {
			return L, true
		}
		e.last = d
	}
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
	return L, false
}

// aitken returns the change of the loss still to come after the changes
// last and then d, if they shrink geometrically: with rate a = d/last it is
// d·a/(1 − a). It returns at least |d|, and +Inf when the changes do not
// shrink (or there is no last), unless d is zero.
func aitken(d, last float64) float64 {
	if d == 0 {
		return 0
	}
	a := d / last
	if !(a >= 0 && a < 1) {
		return math.Inf(1)
	}
	return max(math.Abs(d), math.Abs(d)*a/(1-a))
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

func (a *adamStepper) step(float64) (float64, bool) {
	L, dec := a.evaluate()
	if a.obj.converged(dec, L, a.eng.Len()) {
		return L, true
	}
	a.t++
	a.b1t *= adamB1
	a.b2t *= adamB2
	for j, g := range a.g {
		a.m[j] = adamB1*a.m[j] + (1-adamB1)*g
		a.v[j] = adamB2*a.v[j] + (1-adamB2)*g*g
		mh := a.m[j] / (1 - a.b1t)
		vh := a.v[j] / (1 - a.b2t)
		a.theta[j] -= a.lr * mh / (math.Sqrt(vh) + adamEps)
	}
	a.sync()
	return L, false
}
