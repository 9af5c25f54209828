// Package kernel holds the numeric kernels behind gmm's fits: one fused pass
// over the data that computes the log-likelihood and the sufficient
// statistics of the responsibilities together, split across goroutines in
// fixed-size chunks whose partial sums are combined in chunk order, so the
// result does not depend on GOMAXPROCS or on scheduling.
package kernel

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// ChunkSize is the number of points in one chunk of a pass. The chunk
// boundaries, and so the order of every floating-point sum, depend only on
// the length of the data.
const ChunkSize = 8192

// cut is where a component's share of a point is dropped: e^−500 is far
// below the rounding of any sum it joins, and dropping it keeps subnormal
// numbers, which are slow, out of the sums.
const cut = -500

const halfLog2Pi = 0.91893853320467274178032973640561763986139747363778341

// Params are a K-component mixture's parameters in the form a pass uses.
type Params struct {
	LogW  []float64 // log w_k
	Mu    []float64 // μ_k
	Sigma []float64 // σ_k

	logC []float64 // log w_k − log σ_k − ½ log 2π
	h    []float64 // −1 / (2 σ_k²)
}

// NewParams returns Params for k components.
func NewParams(k int) *Params {
	return &Params{
		LogW: make([]float64, k), Mu: make([]float64, k), Sigma: make([]float64, k),
		logC: make([]float64, k), h: make([]float64, k),
	}
}

// K returns the number of components.
func (p *Params) K() int { return len(p.Mu) }

// Set fills p from weights, means and standard deviations.
func (p *Params) Set(w, mu, sigma []float64) {
	for k := range p.Mu {
		p.LogW[k] = math.Log(w[k])
	}
	copy(p.Mu, mu)
	copy(p.Sigma, sigma)
}

// CopyFrom copies q's parameters into p.
func (p *Params) CopyFrom(q *Params) {
	copy(p.LogW, q.LogW)
	copy(p.Mu, q.Mu)
	copy(p.Sigma, q.Sigma)
}

func (p *Params) prepare() {
	for k, s := range p.Sigma {
		p.logC[k] = p.LogW[k] - math.Log(s) - halfLog2Pi
		p.h[k] = -0.5 / (s * s)
	}
}

// Stats are the sufficient statistics of one pass: the log-likelihood
// Σ_i log Σ_k w_k N(u_i | μ_k, σ_k) and, with r_ik the responsibilities and
// d_ik = u_i − μ_k,
//
//	N_k  = Σ_i r_ik,  S1_k = Σ_i r_ik d_ik,  S2_k = Σ_i r_ik d_ik².
//
// Centring the sums on the current μ_k keeps them accurate when the data sit
// far from zero.
type Stats struct {
	LogLik float64
	N      []float64
	S1     []float64
	S2     []float64
}

// NewStats returns Stats for k components.
func NewStats(k int) *Stats {
	return &Stats{N: make([]float64, k), S1: make([]float64, k), S2: make([]float64, k)}
}

func (s *Stats) reset() {
	s.LogLik = 0
	clear(s.N)
	clear(s.S1)
	clear(s.S2)
}

func (s *Stats) add(t *Stats) {
	s.LogLik += t.LogLik
	for k := range s.N {
		s.N[k] += t.N[k]
		s.S1[k] += t.S1[k]
		s.S2[k] += t.S2[k]
	}
}

// accumulate adds to st the statistics of u_i = (x_i − c)·inv for the x_i
// in x. e is scratch of length K.
func accumulate(x []float64, c, inv float64, p *Params, st *Stats, e []float64) {
	K := len(p.Mu)
	logC, h, mu := p.logC[:K], p.h[:K], p.Mu[:K]
	n1, s1, s2 := st.N[:K], st.S1[:K], st.S2[:K]
	e = e[:K]
	if K == 2 {
		accumulate2(x, c, inv, p, st)
		return
	}
	var ll float64
	for _, xv := range x {
		u := (xv - c) * inv
		m := math.Inf(-1)
		for k := range e {
			d := u - mu[k]
			l := logC[k] + h[k]*d*d
			e[k] = l
			if l > m {
				m = l
			}
		}
		var s float64
		for k := range e {
			var v float64
			if t := e[k] - m; t > cut {
				v = math.Exp(t)
			}
			e[k] = v
			s += v
		}
		ll += m + math.Log(s)
		is := 1 / s
		for k := range e {
			r := e[k] * is
			d := u - mu[k]
			rd := r * d
			n1[k] += r
			s1[k] += rd
			s2[k] += rd * d
		}
	}
	st.LogLik += ll
}

// accumulate2 is accumulate for two components, which needs one exp and one
// log a point.
func accumulate2(x []float64, c, inv float64, p *Params, st *Stats) {
	c0, c1 := p.logC[0], p.logC[1]
	h0, h1 := p.h[0], p.h[1]
	m0, m1 := p.Mu[0], p.Mu[1]
	var ll, n0, n1, a0, a1, b0, b1 float64
	for _, xv := range x {
		u := (xv - c) * inv
		d0 := u - m0
		d1 := u - m1
		l0 := c0 + h0*d0*d0
		l1 := c1 + h1*d1*d1
		var r0, r1 float64
		if l0 >= l1 {
			var t float64
			if l1-l0 > cut {
				t = math.Exp(l1 - l0)
			}
			ll += l0 + math.Log1p(t)
			r0 = 1 / (1 + t)
			r1 = t * r0
		} else {
			var t float64
			if l0-l1 > cut {
				t = math.Exp(l0 - l1)
			}
			ll += l1 + math.Log1p(t)
			r1 = 1 / (1 + t)
			r0 = t * r1
		}
		n0 += r0
		n1 += r1
		rd0 := r0 * d0
		rd1 := r1 * d1
		a0 += rd0
		a1 += rd1
		b0 += rd0 * d0
		b1 += rd1 * d1
	}
	st.LogLik += ll
	st.N[0] += n0
	st.N[1] += n1
	st.S1[0] += a0
	st.S1[1] += a1
	st.S2[0] += b0
	st.S2[1] += b1
}

// Engine runs passes over one data set with a fixed number of components. It
// owns all the memory a pass needs, so a pass allocates nothing. An Engine is
// for one goroutine at a time.
type Engine struct {
	x      []float64
	c, inv float64
	k      int

	parts   []*Stats    // one per chunk
	scratch [][]float64 // one per worker
	wg      sync.WaitGroup
	next    atomic.Int64
	p       *Params
}

// NewEngine returns an Engine for passes over u_i = (x_i − c)·inv with k
// components. It does not copy x, and never writes to it.
func NewEngine(x []float64, c, inv float64, k int) *Engine {
	nc := (len(x) + ChunkSize - 1) / ChunkSize
	e := &Engine{x: x, c: c, inv: inv, k: k}
	if nc > 1 {
		e.parts = make([]*Stats, nc)
		for i := range e.parts {
			e.parts[i] = NewStats(k)
		}
	}
	w := min(runtime.GOMAXPROCS(0), max(nc, 1))
	e.scratch = make([][]float64, w)
	for i := range e.scratch {
		e.scratch[i] = make([]float64, k)
	}
	return e
}

// Len returns the number of points.
func (e *Engine) Len() int { return len(e.x) }

// Pass computes st for the parameters p.
func (e *Engine) Pass(p *Params, st *Stats) {
	p.prepare()
	st.reset()
	if e.parts == nil {
		accumulate(e.x, e.c, e.inv, p, st, e.scratch[0])
		return
	}
	e.p = p
	e.next.Store(0)
	w := min(len(e.scratch), runtime.GOMAXPROCS(0))
	e.wg.Add(w)
	for i := 1; i < w; i++ {
		go e.work(i)
	}
	e.work(0)
	e.wg.Wait()
	for _, part := range e.parts {
		st.add(part)
	}
	e.p = nil
}

func (e *Engine) work(id int) {
	defer e.wg.Done()
	for {
		i := int(e.next.Add(1) - 1)
		if i >= len(e.parts) {
			return
		}
		lo := i * ChunkSize
		hi := min(lo+ChunkSize, len(e.x))
		part := e.parts[i]
		part.reset()
		accumulate(e.x[lo:hi], e.c, e.inv, e.p, part, e.scratch[id])
	}
}
