// Package kernel holds the numeric kernels behind gmm's fits: one fused pass
// over the data that computes the log-likelihood and the sufficient
// statistics of the responsibilities together, split across goroutines in
// fixed-size chunks whose partial sums are combined in chunk order, so the
// result does not depend on GOMAXPROCS or on scheduling.
//
// There are two kernels: AVX2 assembly, used on amd64 processors that have
// AVX2 and FMA (detected by golang.org/x/sys/cpu), and portable Go, used
// elsewhere and, with the noasm build tag, on amd64 too. Where the
// processor has AVX-512 as well, the AVX2 kernel computes its terms and
// the sums' inverses eight points at a time with the same operations, and
// so the same bits. Each is
// deterministic. They round differently, each term within 1 ulp of exact:
// the AVX2 one fuses multiply-adds and evaluates exp by a polynomial of
// degree 10 with a table of 4 entries, the Go one by degree 5 with 128.
// Both give a term of 0 for a NaN exponent and count a point lying exactly
// on a mean with the tiniest σ. A fit, which feeds each pass's result into
// the next, carries their difference forward: the root package's tests
// bound it (the final losses of a 50,000-point fit with a well-determined
// optimum agree to 1e-8 relative).
package kernel

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// ChunkSize is the number of points in one chunk of a pass. The chunk
// boundaries, and so the order of every floating-point sum, depend only on
// the length of the data.
const ChunkSize = 8192

// block is the number of points a chunk handles at a time: a block's terms,
// K·block values, stay in the L1 cache between the steps of the pass.
const block = 128

// A point whose sum of terms s_i = Σ_k w_k N(u_i | μ_k, σ_k) lies outside
// [sumLo, sumHi] (or is NaN) takes the slow path, which works relative to the
// largest term. Inside it, every term that exp does not flush to zero, and
// so every responsibility that is not zero, is at least 2^−1000/2^64, far
// from the subnormal numbers, which are slow; a dropped term is below
// 2^−1000/2^−64 < e^−500 of the sum, far below its rounding. The bound also
// keeps a product m·s_i with 1 ≤ m < 2 within the range of float64.
const (
	sumLo = 0x1p-64
	sumHi = 0x1p64
)

// cut is where the slow path drops a term: below e^−500 of the largest, a
// term is far below the rounding of any sum it joins.
const cut = -500

const (
	sqrtHalf   = 0.70710678118654752440084436210484903928483593768847404
	halfLog2Pi = 0.91893853320467274178032973640561763986139747363778341
	// ln2 split so that e·ln2Hi is exact for |e| < 2^20.
	ln2Hi = 0x1.62e42fefp-1
	ln2Lo = 0x1.473de6af278edp-34 // ln 2 − ln2Hi, rounded
)

// Params are a K-component mixture's parameters in the form a pass uses.
type Params struct {
	LogW  []float64 // log w_k
	Mu    []float64 // μ_k
	Sigma []float64 // σ_k

	logC []float64 // log w_k − log σ_k − ½ log 2π
	a    []float64 // √½ / σ_k, so that log w_k N(u | μ_k, σ_k) = logC_k − (a_k (u − μ_k))²
}

// NewParams returns Params for k components.
func NewParams(k int) *Params {
	return &Params{
		LogW: make([]float64, k), Mu: make([]float64, k), Sigma: make([]float64, k),
		logC: make([]float64, k), a: make([]float64, k),
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

// Equal reports whether p and q hold the same parameters, component by
// component.
func (p *Params) Equal(q *Params) bool {
	return slices.Equal(p.LogW, q.LogW) && slices.Equal(p.Mu, q.Mu) && slices.Equal(p.Sigma, q.Sigma)
}

// CopyFrom copies q's parameters into p.
func (p *Params) CopyFrom(q *Params) {
	copy(p.LogW, q.LogW)
	copy(p.Mu, q.Mu)
	copy(p.Sigma, q.Sigma)
}

// prepare computes the per-component constants of a pass and reports
// whether they are usable: false if a parameter is NaN or a weight +Inf, a
// μ_k is infinite, or a σ_k is 0 or so small (below √½/MaxFloat64 ≈ 4e-309,
// a subnormal number) that √½/σ_k overflows.
//
// The exponent is written −(a_k·d)², not −d²/(2σ_k²): for σ_k below about
// 1e-154, σ_k² underflows and a point exactly on μ_k would get the
// exponent 0·(−Inf) = NaN, and lose its responsibility; as −(a_k·0)² it is
// 0, and the point's term is w_k/(σ_k √2π), large but finite.
func (p *Params) prepare() bool {
	ok := true
	for k, s := range p.Sigma {
		p.logC[k] = p.LogW[k] - math.Log(s) - halfLog2Pi
		p.a[k] = sqrtHalf / s
		mu := p.Mu[k]
		if !(s > 0) || math.IsInf(p.a[k], 0) || math.IsNaN(p.logC[k]) || math.IsInf(p.logC[k], 1) || math.IsNaN(mu) || math.IsInf(mu, 0) {
			ok = false
		}
	}
	return ok
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

func (s *Stats) setNaN() {
	s.LogLik = math.NaN()
	for k := range s.N {
		s.N[k], s.S1[k], s.S2[k] = math.NaN(), math.NaN(), math.NaN()
	}
}

func (s *Stats) add(t *Stats) {
	s.LogLik += t.LogLik
	for k := range s.N {
		s.N[k] += t.N[k]
		s.S1[k] += t.S1[k]
		s.S2[k] += t.S2[k]
	}
}

// Accelerated reports whether passes use the AVX2 kernel: on amd64
// processors with AVX2 and FMA, unless built with the noasm tag.
func Accelerated() bool { return useAVX2 }

// SetAccelerated selects the AVX2 kernel if on is true and the processor
// has it, and the Go kernel otherwise, and returns the previous choice. It
// is for tests that compare the two, and must not be called while a pass
// runs.
func SetAccelerated(on bool) (was bool) {
	was = useAVX2
	useAVX2 = on && hasAVX2
	return was
}

// product holds Π s_i over four lanes, lane l taking the points i ≡ l
// (mod 4), as m_l·2^e_l with 1 ≤ m_l < 2, so that one logarithm per lane
// gives Σ_i log s_i.
type product struct {
	m [4]float64
	e [4]int64
}

func (a *product) reset() {
	a.m = [4]float64{1, 1, 1, 1}
	a.e = [4]int64{}
}

// log returns log Π s_i, summing the lanes in order.
func (a *product) log() float64 {
	var ll float64
	for l := range a.m {
		fe := float64(a.e[l])
		ll += fe*ln2Hi + (fe*ln2Lo + math.Log(a.m[l]))
	}
	return ll
}

// worker is the scratch of one goroutine taking part in a pass.
type worker struct {
	bs int       // the points of a block: block, or fewer for shorter data
	u  []float64 // the block's standardised points
	s  []float64 // their sums of terms, then the inverses of the sums
	e  []float64 // the terms w_k N(u_i | μ_k, σ_k), K blocks of bs values

	prod      product   // the product of the chunk's sums
	n, s1, s2 []float64 // the chunk's sums
	l         []float64 // the slow path's scratch
}

// newWorker returns a worker for k components and blocks of bs points, a
// multiple of 4 and at most block, in one allocation: a pass over data
// shorter than a block needs no more, and small fits make many engines.
func newWorker(k, bs int) *worker {
	f := make([]float64, (k+2)*bs+4*k)
	part := func(i, n int) []float64 { return f[i : i+n : i+n] }
	return &worker{
		bs: bs, u: part(0, bs), s: part(bs, bs), e: part(2*bs, k*bs),
		n: part((k+2)*bs, k), s1: part((k+2)*bs+k, k), s2: part((k+2)*bs+2*k, k),
		l: part((k+2)*bs+3*k, k),
	}
}

// blockFor returns the points of a block for a pass over n points: block,
// or n rounded up to a multiple of 4 if that is fewer.
func blockFor(n int) int { return min(block, max((n+3)&^3, 4)) }

// chunk sets st to the statistics of u_i = (x_i − c)·inv for the x_i in x,
// each point weighted by v_i = w[i] (all 1 if w is nil).
//
// It takes block points at a time, in three steps, each a simple loop over
// the points with no branch that depends on the data: the terms
// e_ik = w_k N(u_i | μ_k, σ_k), by exp, and their sums s_i; the sums'
// inverses, and the product of the sums, from which one logarithm per lane
// at the end gives Σ_i log s_i; and the responsibilities e_ik/s_i with the
// moments they weigh. A block is padded to a multiple of 4 points, with
// terms that count for nothing. Points whose sum is very small or very
// large, far out in the tails, take a slow path that works relative to the
// largest term.
//
// With weights, a point's responsibilities are scaled by v_i through its
// inverse sum, v_i/s_i, and its log-likelihood v_i log s_i is taken one
// logarithm per point, since a product of powers s_i^v_i has no cheap
// form; the unweighted path is untouched.
func (w *worker) chunk(x, wt []float64, c, inv float64, p *Params, st *Stats) {
	K := p.K()
	n, s1, s2 := w.n[:K], w.s1[:K], w.s2[:K]
	clear(n)
	clear(s1)
	clear(s2)
	w.prod.reset()
	var slowLL, weightLL float64
	bs := w.bs
	for lo := 0; lo < len(x); lo += bs {
		xb := x[lo:min(lo+bs, len(x))]
		nb := len(xb)
		var vb []float64
		if wt != nil {
			vb = wt[lo : lo+nb]
		}
		n4 := (nb + 3) &^ 3
		u, s := w.u[:n4], w.s[:n4]
		if c == 0 && inv == 1 {
			// Points already standardised: (v − 0)·1 is v, bit for bit.
			copy(u, xb)
		} else {
			for i, v := range xb {
				u[i] = (v - c) * inv
			}
		}
		clear(u[nb:])
		clear(s)
		for k := range K {
			terms(w.e[k*bs:][:n4], s, u, p.logC[k], p.a[k], p.Mu[k])
		}
		for i := nb; i < n4; i++ {
			s[i] = 1
		}
		if vb != nil {
			for i, v := range s[:nb] {
				if v >= sumLo && v <= sumHi {
					weightLL += vb[i] * math.Log(v)
				}
			}
		}
		ok := norm(s, &w.prod)
		clear(s[nb:])
		if !ok {
			for i, v := range s[:nb] {
				if v == 0 {
					wi := 1.0
					if vb != nil {
						wi = vb[i]
					}
					slowLL += wi * w.slow(i, p, wi)
				}
			}
		}
		for i, v := range vb {
			s[i] *= v
		}
		for k := range K {
			a, b, d := weighted(w.e[k*bs:][:n4], s, u, p.Mu[k])
			n[k] += a
			s1[k] += b
			s2[k] += d
		}
	}
	if wt != nil {
		st.LogLik = weightLL + slowLL
	} else {
		st.LogLik = w.prod.log() + slowLL
	}
	copy(st.N, n)
	copy(st.S1, s1)
	copy(st.S2, s2)
}

// terms sets e_i = exp(lc − (a·(u_i − mu))²) and adds it to s_i, for the
// len(u) points, a positive multiple of 4. A NaN exponent gives a term of
// 0 in both kernels.
func terms(e, s, u []float64, lc, a, mu float64) {
	if useAVX2 {
		e, s = e[:len(u)], s[:len(u)]
		if useAVX512 {
			termsAVX512(&e[0], &s[0], &u[0], len(u), lc, a, mu)
		} else {
			termsAVX2(&e[0], &s[0], &u[0], len(u), lc, a, mu)
		}
		return
	}
	termsGo(e, s, u, lc, a, mu)
}

// norm multiplies the lanes of a by the s_i within [sumLo, sumHi] and sets
// each such s_i to 1/s_i and every other one to 0, for the len(s) points, a
// positive multiple of 4. It reports whether all were within the range.
func norm(s []float64, a *product) bool {
	if useAVX2 {
		if useAVX512 {
			return normAVX512(&s[0], len(s), a)
		}
		return normAVX2(&s[0], len(s), a)
	}
	return normGo(s, a)
}

// weighted returns Σ_i r_i, Σ_i r_i d_i and Σ_i r_i d_i² with r_i = e_i·is_i
// and d_i = u_i − mu, for the len(u) points, a positive multiple of 4.
func weighted(e, is, u []float64, mu float64) (n, s1, s2 float64) {
	if useAVX2 {
		e, is = e[:len(u)], is[:len(u)]
		return weightedAVX2(&e[0], &is[0], &u[0], len(u), mu)
	}
	return weightedGo(e, is, u, mu)
}

// termsGo is terms in Go. Its body is exp's, written out because the
// compiler does not inline exp; a test checks that the two agree bit for
// bit.
func termsGo(e, s, u []float64, lc, a, mu float64) {
	e = e[:len(u)]
	s = s[:len(u)]
	for i, ui := range u {
		d := (ui - mu) * a
		b := math.Float64bits(lc - d*d)
		if b > expFloorBits {
			b = expFloorBits
		}
		if int64(b) > expCeilBits {
			b = uint64(expCeilBits)
			if math.Float64bits(lc-d*d) > posInfBits {
				b = expFloorBits // a NaN with its sign bit clear
			}
		}
		x := math.Float64frombits(b)
		z := x*expInvL + expShift
		k := int64(math.Float64bits(z) - expShiftBits)
		kf := z - expShift
		r := (x - kf*expL1) - kf*expL2
		t := &expTab[k&(expN-1)]
		q := k >> 7
		sb := t.bits + uint64(q-1)<<52
		if q < expFlush {
			sb = 0
		}
		sc := math.Float64frombits(sb)
		pr := r + r*r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120))))
		v := (sc + sc*(pr+t.delta)) * 2
		e[i] = v
		s[i] += v
	}
}

// normGo is norm in Go.
func normGo(s []float64, a *product) bool {
	ok := true
	for i := 0; i+4 <= len(s); i += 4 {
		for l := range 4 {
			v := s[i+l]
			if v >= sumLo && v <= sumHi {
				a.m[l] *= v
				s[i+l] = 1 / v
			} else {
				s[i+l] = 0
				ok = false
			}
			b := math.Float64bits(a.m[l])
			a.e[l] += int64(b>>52) - 1023
			a.m[l] = math.Float64frombits(b&(1<<52-1) | 1023<<52)
		}
	}
	return ok
}

// weightedGo is weighted in Go, summing even and odd i apart to shorten the
// chains of dependent additions.
func weightedGo(e, is, u []float64, mu float64) (n, s1, s2 float64) {
	e = e[:len(u)]
	is = is[:len(u)]
	var n0, n1, a0, a1, b0, b1 float64
	i := 0
	for ; i+1 < len(u); i += 2 {
		r0 := e[i] * is[i]
		r1 := e[i+1] * is[i+1]
		d0 := u[i] - mu
		d1 := u[i+1] - mu
		n0 += r0
		n1 += r1
		rd0 := r0 * d0
		rd1 := r1 * d1
		a0 += rd0
		a1 += rd1
		b0 += rd0 * d0
		b1 += rd1 * d1
	}
	if i < len(u) {
		r := e[i] * is[i]
		d := u[i] - mu
		n0 += r
		rd := r * d
		a0 += rd
		b0 += rd * d
	}
	return n0 + n1, a0 + a1, b0 + b1
}

// slow handles point i of the block, of weight v, whose sum of terms left
// the fast path's range: it recomputes the point's terms relative to the
// largest with math.Exp, drops those below e^cut of it, adds the point's
// responsibilities times v and its moments to the chunk's sums and
// returns its log-likelihood (unweighted). It zeroes the point's terms and
// inverse sum, so that the block's moments leave it out.
func (w *worker) slow(i int, p *Params, v float64) float64 {
	K := p.K()
	l := w.l[:K]
	u := w.u[i]
	m := math.Inf(-1)
	for k := range l {
		d := (u - p.Mu[k]) * p.a[k]
		l[k] = p.logC[k] - d*d
		m = max(m, l[k])
	}
	var s float64
	if math.IsInf(m, -1) {
		// Every term underflows: the point lies so far out that the
		// component nearest in its own units takes it.
		m, s = nearest(l, u, p), 1
	} else {
		for k, v := range l {
			var e float64
			if t := v - m; t > cut {
				e = math.Exp(t)
			}
			l[k] = e
			s += e
		}
	}
	is := v / s
	for k, e := range l {
		w.e[k*w.bs+i] = 0
		if e == 0 && s > 0 {
			// Leave out a term that underflowed, whose 0·d is NaN where
			// u − μ_k overflows. (If s = 0, u is NaN and so is every
			// statistic.)
			continue
		}
		r := e * is
		d := u - p.Mu[k]
		rd := r * d
		w.n[k] += r
		w.s1[k] += rd
		w.s2[k] += rd * d
	}
	w.s[i] = 0
	return m + math.Log(s)
}

// nearest handles a point u at which every term w_k N(u | μ_k, σ_k)
// underflows to zero, as when (u − μ_k)² overflows. The component with the
// smallest |u − μ_k|/σ_k among those with weight dominates all others there
// by a factor that overflows too, so nearest sets l to 1 for it and 0 for
// the rest, and returns its log term, logC_k − (a_k·(u − μ_k))², which is
// −Inf only if the square overflows.
func nearest(l []float64, u float64, p *Params) float64 {
	best, bz := 0, math.Inf(1)
	for k := range l {
		l[k] = 0
		if z := math.Abs(u-p.Mu[k]) * p.a[k]; !math.IsInf(p.LogW[k], -1) && z < bz {
			best, bz = k, z
		}
	}
	l[best] = 1
	return p.logC[best] - bz*bz
}

// Engine runs passes over one data set with a fixed number of components. It
// owns all the memory a pass needs, so a pass allocates nothing once the
// Engine has run one at the current GOMAXPROCS. An Engine is for one
// goroutine at a time.
type Engine struct {
	x, w   []float64
	c, inv float64
	k      int

	parts   []Stats   // one per chunk
	workers []*worker // scratch for each goroutine of a pass; the caller's is workers[0]

	p    *Params
	next atomic.Int64 // the next chunk to take
	ids  atomic.Int64 // the last worker index handed out
	wg   sync.WaitGroup
}

// NewEngine returns an Engine for passes over u_i = (x_i − c)·inv with k
// components. It does not copy x, and never writes to it.
func NewEngine(x []float64, c, inv float64, k int) *Engine {
	return NewWeightedEngine(x, nil, c, inv, k)
}

// NewWeightedEngine is NewEngine with a weight per point, w[i] for x[i]
// (finite and non-negative, which the caller checks), or all 1 if w is
// nil: every statistic sums v_i times the point's share. It does not copy
// w, and never writes to it.
func NewWeightedEngine(x, w []float64, c, inv float64, k int) *Engine {
	e := &Engine{c: c, inv: inv, k: k}
	e.Reset(x, w)
	return e
}

// Reset points e at new data, x weighted by w (nil: all 1), keeping its
// scratch where it is large enough.
func (e *Engine) Reset(x, w []float64) {
	e.x, e.w = x, w
	if bs := blockFor(len(x)); len(e.workers) == 0 || e.workers[0].bs < bs {
		e.workers = []*worker{newWorker(e.k, bs)}
	}
	nc := max((len(x)+ChunkSize-1)/ChunkSize, 1)
	if nc <= cap(e.parts) {
		e.parts = e.parts[:nc]
		return
	}
	k := e.k
	e.parts = make([]Stats, nc)
	flat := make([]float64, 3*k*nc)
	for i := range e.parts {
		f := flat[3*k*i:]
		e.parts[i] = Stats{N: f[:k:k], S1: f[k : 2*k : 2*k], S2: f[2*k : 3*k : 3*k]}
	}
}

// Len returns the number of points.
func (e *Engine) Len() int { return len(e.x) }

// Pass computes st for the parameters p. It uses up to GOMAXPROCS
// goroutines: the caller's and idle helpers from a pool shared by all
// Engines. The chunks' statistics are summed in chunk order, so st does not
// depend on how many goroutines took part or which chunk each took. If a
// parameter is NaN or a σ_k is 0, every statistic is NaN.
func (e *Engine) Pass(p *Params, st *Stats) {
	st.reset()
	e.Add(p, st)
}

// Add adds to st the statistics of a pass for the parameters p, chunk by
// chunk in chunk order, each chunk ChunkSize points from the start of the
// data. So passes over data cut into pieces whose lengths are multiples of
// ChunkSize, added in turn to one st from zero, give what one Pass over
// all of them gives, bit for bit. If a parameter is NaN or a σ_k is 0,
// every statistic is NaN.
func (e *Engine) Add(p *Params, st *Stats) {
	if !p.prepare() {
		st.setNaN()
		return
	}
	if len(e.parts) == 1 {
		e.workers[0].chunk(e.x, e.w, e.c, e.inv, p, &e.parts[0])
		st.add(&e.parts[0])
		return
	}
	w := min(runtime.GOMAXPROCS(0), len(e.parts))
	for len(e.workers) < w {
		e.workers = append(e.workers, newWorker(e.k, e.workers[0].bs))
	}
	e.p = p
	e.next.Store(0)
	e.ids.Store(0)
	for range w - 1 {
		e.wg.Add(1)
		if !recruit(e, w-1) {
			e.wg.Done()
		}
	}
	e.work(0)
	e.wg.Wait()
	for i := range e.parts {
		st.add(&e.parts[i])
	}
	e.p = nil
}

// work takes chunks until none is left, using the scratch of worker id.
func (e *Engine) work(id int) {
	wk := e.workers[id]
	for {
		i := int(e.next.Add(1) - 1)
		if i >= len(e.parts) {
			return
		}
		lo := i * ChunkSize
		hi := min(lo+ChunkSize, len(e.x))
		var w []float64
		if e.w != nil {
			w = e.w[lo:hi]
		}
		wk.chunk(e.x[lo:hi], w, e.c, e.inv, e.p, &e.parts[i])
	}
}

// help is what a pool goroutine does with an Engine it is handed.
func (e *Engine) help() {
	e.work(int(e.ids.Add(1)))
	e.wg.Done()
}

// The pool of helper goroutines. A helper waits on jobs, helps with one
// pass and waits again; helpers are started as passes need them, up to
// GOMAXPROCS−1 at the time, and are never stopped.
var (
	jobs    = make(chan *Engine)
	helpers atomic.Int64
)

// recruit hands e to an idle helper, starting one if fewer than limit are
// running, and reports whether it did.
func recruit(e *Engine, limit int) bool {
	select {
	case jobs <- e:
		return true
	default:
	}
	for {
		h := helpers.Load()
		if h >= int64(limit) {
			return false
		}
		if helpers.CompareAndSwap(h, h+1) {
			break
		}
	}
	go func() {
		for e := range jobs {
			e.help()
		}
	}()
	jobs <- e
	return true
}
