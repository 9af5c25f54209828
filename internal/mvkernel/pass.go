package mvkernel

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"

	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/num"
)

// Block is the number of points a worker takes at a time: their
// coordinates are transposed so that every loop over them runs over
// contiguous memory.
const Block = 128

// maxParts bounds the number of contiguous parts the rows are split into,
// and partFloats the memory their statistics may take. Both depend only on
// the size of the problem, never on the number of cores, so the sums, added
// part by part in order, are the same at any GOMAXPROCS.
const (
	maxParts   = 64
	partFloats = 1 << 22
	minPart    = 8 * Block
)

// Data are n points in d dimensions, row i at X[i·Stride:], with optional
// weights V (nil: all 1).
type Data struct {
	X      []float64
	N, D   int
	Stride int
	V      []float64
}

// Stats are the sufficient statistics of one pass, in centred form. With
// r_ik the responsibilities, v_i the weights and p(x_i) the mixture density
// at the parameters of the pass,
//
//	Total = Σ_i v_i,  LogLik = Σ_i v_i log p(x_i),  Hard = Σ_i v_i (−log max_k r_ik)
//	W_k   = Σ_i v_i r_ik
//	m_k   = Σ_i v_i r_ik x_i / W_k                      (D values; 0 where W_k is 0)
//	M2_k  = Σ_i v_i r_ik (x_i − m_k)(x_i − m_k)ᵀ        (D×D, row-major, both triangles)
//
// The package mv exports the same struct as mv.Stats: the two have the
// same fields in the same order, so that a pointer to one converts to a
// pointer to the other.
type Stats struct {
	K, D   int
	Total  float64
	LogLik float64
	Hard   float64
	W      []float64
	Mean   []float64
	M2     []float64
}

// NewStats returns zero Stats for k components in d dimensions.
func NewStats(k, d int) *Stats {
	return &Stats{K: k, D: d, W: make([]float64, k), Mean: make([]float64, k*d), M2: make([]float64, k*d*d)}
}

// Reset sets s to zero.
func (s *Stats) Reset() {
	s.Total, s.LogLik, s.Hard = 0, 0, 0
	clear(s.W)
	clear(s.Mean)
	clear(s.M2)
}

// Merge adds t to s: the statistics of the union of the two sets of
// points. The centred sums combine by the update of Chan, Golub & LeVeque
// (1979, "Updating formulae and a pairwise algorithm for computing sample
// variances"): with a = W_k(s), b = W_k(t) and δ = m_k(t) − m_k(s),
//
//	W_k = a + b,  m_k = m_k(s) + δ b/(a + b),  M2_k = M2_k(s) + M2_k(t) + δδᵀ ab/(a + b),
//
// which loses no precision however far the points sit from zero. s and t
// must have the same K and D.
func (s *Stats) Merge(t *Stats) {
	s.Total += t.Total
	s.LogLik += t.LogLik
	s.Hard += t.Hard
	d := s.D
	for k := range s.K {
		b := t.W[k]
		if b == 0 {
			continue
		}
		a := s.W[k]
		ms, mt := s.Mean[k*d:(k+1)*d], t.Mean[k*d:(k+1)*d]
		m2s, m2t := s.M2[k*d*d:(k+1)*d*d], t.M2[k*d*d:(k+1)*d*d]
		if a == 0 {
			s.W[k] = b
			copy(ms, mt)
			copy(m2s, m2t)
			continue
		}
		n := a + b
		f := a * b / n
		for i := range d {
			di := mt[i] - ms[i]
			for j := range d {
				m2s[i*d+j] += m2t[i*d+j] + f*di*(mt[j]-ms[j])
			}
		}
		for i := range d {
			ms[i] += (mt[i] - ms[i]) * (b / n)
		}
		s.W[k] = n
	}
}

// sums are one part's raw sums, centred on the means μ_k of the pass:
// n_k = Σ v r, s1_k = Σ v r (x − μ_k), s2_k = Σ v r (x − μ_k)(x − μ_k)ᵀ
// (lower triangle only), with the totals of Stats.
type sums struct {
	total, logl, hard float64
	n, s1, s2         []float64
}

func newSums(k, d int) *sums {
	return &sums{n: make([]float64, k), s1: make([]float64, k*d), s2: make([]float64, k*d*d)}
}

func (s *sums) reset() {
	s.total, s.logl, s.hard = 0, 0, 0
	clear(s.n)
	clear(s.s1)
	clear(s.s2)
}

// centre sets st to the centred form of s, whose sums are centred on mu:
// m_k = μ_k + s1_k/n_k and M2_k = s2_k − s1_k s1_kᵀ/n_k, both triangles.
func (s *sums) centre(st *Stats, mu []float64) {
	d := st.D
	st.Total, st.LogLik, st.Hard = s.total, s.logl, s.hard
	copy(st.W, s.n)
	for k := range st.K {
		n := s.n[k]
		s1 := s.s1[k*d : (k+1)*d]
		s2 := s.s2[k*d*d : (k+1)*d*d]
		m, m2 := st.Mean[k*d:(k+1)*d], st.M2[k*d*d:(k+1)*d*d]
		if n == 0 {
			clear(m)
			clear(m2)
			continue
		}
		for i := range d {
			m[i] = mu[k*d+i] + s1[i]/n
			for j := 0; j <= i; j++ {
				v := s2[i*d+j] - s1[i]*s1[j]/n
				m2[i*d+j], m2[j*d+i] = v, v
			}
		}
	}
}

// Out names what a pass writes besides the statistics. Each field may be
// nil.
type Out struct {
	Stats  *Stats    // the sufficient statistics
	Resp   []float64 // n×K responsibilities, row-major
	LogP   []float64 // n log densities log p(x_i)
	Assign []int     // n indices of the most probable component
}

// Pass runs passes over data. It owns the memory a pass's statistics need,
// and its workers' scratch comes from a pool shared by all Passes of the
// same K and D, so repeated passes allocate little. A Pass is for one
// goroutine at a time.
type Pass struct {
	k, d    int
	parts   []*sums
	tmp     *Stats    // one part's statistics in centred form
	workers []*worker // the workers of the running pass, taken from the pool
	packed  []float64 // the L_k⁻¹ of the pass packed by rows, for the AVX2 kernel

	// What the running pass shares with its goroutines, kept here so
	// that a pass allocates nothing.
	x    Data
	p    *Params
	out  Out
	np   int          // the number of parts
	next atomic.Int64 // the next part to take
	wg   sync.WaitGroup
}

// NewPass returns a Pass for k components in d dimensions.
func NewPass(k, d int) *Pass { return &Pass{k: k, d: d} }

// numParts returns the number of contiguous parts n rows are split into.
func (ps *Pass) numParts(n int) int {
	per := ps.k*ps.d*ps.d + ps.k*ps.d + ps.k + 3
	p := min(maxParts, max(1, partFloats/per), (n+minPart-1)/minPart)
	return max(p, 1)
}

// Run computes what out asks for at the parameters p. The rows are split
// into parts that depend only on the size of the problem; the parts are
// shared out among up to GOMAXPROCS goroutines and their statistics summed
// in order, so the result is the same at any GOMAXPROCS.
func (ps *Pass) Run(x Data, p *Params, out Out) {
	np := ps.numParts(x.N)
	if out.Stats != nil {
		out.Stats.Reset()
		for len(ps.parts) < np {
			ps.parts = append(ps.parts, newSums(ps.k, ps.d))
		}
		if ps.tmp == nil {
			ps.tmp = NewStats(ps.k, ps.d)
		}
	}
	nw := min(runtime.GOMAXPROCS(0), np)
	ws := ps.workers[:0]
	for range nw {
		ws = append(ws, getWorker(ps.k, ps.d))
	}
	ps.workers = ws
	if useAVX2 {
		ps.pack(p)
		for _, w := range ws {
			w.packed = ps.packed
		}
	}
	ps.x, ps.p, ps.out, ps.np = x, p, out, np
	ps.next.Store(0)
	for _, w := range ws[1:] {
		ps.wg.Add(1)
		go ps.help(w)
	}
	ps.work(ws[0])
	ps.wg.Wait()
	ps.x, ps.p, ps.out = Data{}, nil, Out{}
	for _, w := range ws {
		w.packed = nil
		putWorker(w)
	}
	clear(ws)
	ps.workers = ws[:0]
	switch {
	case out.Stats == nil:
	case np == 1:
		// Merging one part into zero statistics copies it.
		ps.parts[0].centre(out.Stats, p.Mean)
	default:
		for i := range np {
			ps.parts[i].centre(ps.tmp, p.Mean)
			out.Stats.Merge(ps.tmp)
		}
	}
}

// work takes the running pass's parts until none is left, on w's scratch.
func (ps *Pass) work(w *worker) {
	x := ps.x
	for {
		i := int(ps.next.Add(1)) - 1
		if i >= ps.np {
			return
		}
		lo, hi := i*x.N/ps.np, (i+1)*x.N/ps.np
		var st *sums
		if ps.out.Stats != nil {
			st = ps.parts[i]
			st.reset()
		}
		w.part(x, lo, hi, ps.p, st, ps.out)
	}
}

// help is work on a goroutine of its own.
func (ps *Pass) help(w *worker) {
	defer ps.wg.Done()
	ps.work(w)
}

// pack sets ps.packed to the lower triangles of p.Inv, row by row.
func (ps *Pass) pack(p *Params) {
	d := ps.d
	tri := d * (d + 1) / 2
	if len(ps.packed) < ps.k*tri {
		ps.packed = make([]float64, ps.k*tri)
	}
	i := 0
	for k := range ps.k {
		inv := p.Inv[k*d*d : (k+1)*d*d]
		for j := range d {
			i += copy(ps.packed[i:], inv[j*d:j*d+j+1])
		}
	}
}

// worker is the scratch of one goroutine.
type worker struct {
	k, d int
	xt   []float64 // the block's points transposed: coordinate j at j·Block
	z    []float64 // x − μ_k, transposed: for all K at k·D·Block if keep, else for one
	keep bool      // z holds every component's block
	a    []float64 // v r (x − μ_k), transposed
	y    []float64 // one row of L_k⁻¹ (x − μ_k)
	maha []float64 // squared distances of the block's points to one component
	l    []float64 // log w_k N(x_i | μ_k, Σ_k), component-major: Block per component
	lt   []float64 // one point's K log terms
	r    []float64 // v_i r_ik, component-major: Block per component
	rmax []float64 // each point's largest log term
	sum  []float64 // each point's Σ_j e^(l_j − l_max)
	bad  []uint64  // non-zero where a point's log term is NaN

	packed []float64 // the Pass's packed L_k⁻¹, for the AVX2 kernel
}

// workerPools holds a sync.Pool of idle workers for each K and D, so that
// the many short runs of a fit, each with its own Pass, share their
// scratch memory instead of allocating it run by run.
var workerPools sync.Map // [2]int{K, D} → *sync.Pool

func workerPool(k, d int) *sync.Pool {
	key := [2]int{k, d}
	if p, ok := workerPools.Load(key); ok {
		return p.(*sync.Pool)
	}
	p, _ := workerPools.LoadOrStore(key, &sync.Pool{})
	return p.(*sync.Pool)
}

// getWorker returns an idle worker for k components in d dimensions.
// Its scratch holds whatever its last pass left: every pass writes what it
// reads, except the AVX2 kernels' lanes beyond a block's points, which
// transpose sets to zero.
func getWorker(k, d int) *worker {
	if w, ok := workerPool(k, d).Get().(*worker); ok {
		return w
	}
	return newWorker(k, d)
}

func putWorker(w *worker) { workerPool(w.k, w.d).Put(w) }

// keepFloats bounds the memory a worker spends on keeping every
// component's centred block between the distances and the sums.
const keepFloats = 1 << 16

func newWorker(k, d int) *worker {
	keep := k*d*Block <= keepFloats
	nz := d * Block
	if keep {
		nz *= k
	}
	return &worker{
		k: k, d: d, keep: keep,
		xt: make([]float64, d*Block), z: make([]float64, nz), a: make([]float64, d*Block),
		y: make([]float64, Block), maha: make([]float64, Block),
		l: make([]float64, k*Block), r: make([]float64, k*Block),
		lt: make([]float64, k), rmax: make([]float64, Block), sum: make([]float64, Block), bad: make([]uint64, Block),
	}
}

// part processes rows lo..hi−1, block by block, adding to st.
func (w *worker) part(x Data, lo, hi int, p *Params, st *sums, out Out) {
	for b0 := lo; b0 < hi; b0 += Block {
		b := min(Block, hi-b0)
		w.transpose(x, b0, b)
		for k := range w.k {
			w.distances(p, k, b)
		}
		w.normalise(x, b0, b, st, out)
		if st != nil {
			for k := range w.k {
				w.accumulate(p, k, b, st)
			}
		}
	}
}

// transpose copies b points from row b0 into w.xt.
func (w *worker) transpose(x Data, b0, b int) {
	d, s := w.d, x.Stride
	src := x.X[b0*s : (b0+b-1)*s+d]
	nb := wide(b)
	// The AVX2 kernel takes the points and coordinates in fours; the rest
	// go by rows of the transposed block, so that the writes run over
	// contiguous memory and the reads at a fixed stride.
	b4, d4 := 0, 0
	if useAVX2 {
		b4, d4 = b&^3, d&^3
		if b4 > 0 && d4 > 0 {
			transposeAVX2(&src[0], s, d4, b4, &w.xt[0])
		}
	}
	for j := range d {
		t0 := 0
		if j < d4 {
			t0 = b4
		}
		dst := w.xt[j*Block : j*Block+b]
		for t := t0; t < b; t++ {
			dst[t] = src[t*s+j]
		}
		// The lanes the AVX2 kernels run over beyond the points: zero,
		// so that their centred values are finite whatever data the
		// worker saw before.
		clear(w.xt[j*Block+b : j*Block+nb])
	}
}

// zbuf returns where the block's points minus μ_k are held.
func (w *worker) zbuf(k int) []float64 {
	d := w.d
	if w.keep {
		return w.z[k*d*Block : (k+1)*d*Block]
	}
	return w.z[:d*Block]
}

// centred returns the block's points minus μ_k, transposed, computing
// them unless they are kept from the distances.
func (w *worker) centred(p *Params, k, b int, fresh bool) []float64 {
	d := w.d
	z := w.zbuf(k)
	if w.keep && !fresh {
		return z
	}
	for j := range d {
		mu := p.Mean[k*d+j]
		src, dst := w.xt[j*Block:j*Block+b], z[j*Block:j*Block+b]
		for t, v := range src {
			dst[t] = v - mu
		}
	}
	return z
}

// distances sets w.l[k·Block + t] = c_k − ½ |L_k⁻¹ (x_t − μ_k)|² for the
// block's points, by the AVX2 kernel where there is one and by mahaGo
// otherwise.
func (w *worker) distances(p *Params, k, b int) {
	d := w.d
	maha := w.maha[:b]
	c := p.Const[k]
	switch {
	case useAVX2 && d >= tileD:
		mahaTileAVX2(&p.Inv[k*d*d], d, &w.xt[0], &p.Mean[k*d], &w.zbuf(k)[0], wide(b), &w.maha[0])
	case useAVX2:
		// The kernel writes the log terms itself.
		tri := d * (d + 1) / 2
		mahaAVX2(&w.packed[k*tri], d, &w.xt[0], &p.Mean[k*d], &w.zbuf(k)[0], wide(b), c, &w.l[k*Block])
		return
	default:
		mahaGo(p.Inv[k*d*d:(k+1)*d*d], d, w.centred(p, k, b, true), maha, w.y[:b])
	}
	l := w.l[k*Block : k*Block+b]
	for t, m := range maha {
		l[t] = c - 0.5*m
	}
}

// simdWidth is the number of points the AVX2 kernels take at a time.
const simdWidth = 16

// wide returns b rounded up to a multiple of simdWidth. The AVX2 kernels
// then run over lanes of the block beyond its b points, whose transposed
// coordinates transpose sets to zero; what the kernels give there is not
// used, or, in the sums, multiplied by zero responsibilities.
func wide(b int) int { return (b + simdWidth - 1) &^ (simdWidth - 1) }

// mahaGo sets maha[t] = |L⁻¹ z_t|² for the points of the block, with y as
// scratch of the same length: row j of L⁻¹ z is Σ_{m≤j} (L⁻¹)_jm z_m, a
// sum of scaled rows of the transposed block.
func mahaGo(inv []float64, d int, z, maha, y []float64) {
	b := len(maha)
	clear(maha)
	for j := range d {
		row := inv[j*d : j*d+j+1]
		for t, v := range z[:b] {
			y[t] = row[0] * v
		}
		for m := 1; m <= j; m++ {
			floats.AddScaled(y, row[m], z[m*Block:m*Block+b])
		}
		for t, v := range y {
			maha[t] += v * v
		}
	}
}

// normalise turns each point's log terms into its log density and its
// responsibilities, times its weight, in w.r, and writes what out asks for.
// A point whose terms all underflow to −Inf gives all its responsibility
// to the component with the largest term.
//
// For a point whose terms are finite or −Inf, with l_max the largest and
// s = Σ_j e^(l_j − l_max), the log density is l_max + log s and the
// responsibilities are e^(l_j − l_max)/s: kernel.Softmax computes them for
// the whole block. Where the points are unweighted and their log densities
// are not asked for, the block's Σ log s is one logarithm of the product
// of the s, each between 1 and K, whose binary exponent is moved aside
// whenever the product passes 2^900. The other points go through odd.
func (w *worker) normalise(x Data, b0, b int, st *sums, out Out) {
	k := w.k
	kernel.Softmax(w.r, w.l, k, Block, b, w.rmax, w.sum, w.bad)
	fast := st != nil && x.V == nil && out.LogP == nil
	if fast && out.Resp == nil && out.Assign == nil {
		w.sumsOnly(b, st)
		return
	}
	prod, pexp, msum := 1.0, 0, 0.0
	for t := range b {
		v := 1.0
		if x.V != nil {
			v = x.V[b0+t]
		}
		rmax, sum := w.rmax[t], w.sum[t]
		var lse float64
		odd := w.bad[t] != 0 || !(sum >= 1) || math.IsInf(rmax, 0)
		switch {
		case odd:
			lse, rmax = w.odd(t)
		case fast:
			msum += rmax
			if prod *= sum; prod > 0x1p900 {
				m, e := math.Frexp(prod)
				prod, pexp = m, pexp+e
			}
		default:
			lse = rmax + math.Log(sum)
		}
		if out.Resp != nil {
			resp := out.Resp[(b0+t)*k : (b0+t+1)*k]
			for j := range resp {
				resp[j] = w.r[j*Block+t]
			}
		}
		if v != 1 {
			for j := range k {
				w.r[j*Block+t] *= v
			}
		}
		if out.LogP != nil {
			out.LogP[b0+t] = lse
		}
		if out.Assign != nil {
			out.Assign[b0+t] = w.best(t)
		}
		if st != nil {
			st.total += v
			if !fast || odd {
				st.logl += v * lse
				st.hard += v * (lse - rmax)
			}
		}
	}
	if fast {
		ls := math.Log(prod) + float64(pexp)*math.Ln2
		st.logl += msum + ls
		st.hard += ls
	}
}

// sumsOnly is normalise for unweighted points when only the statistics
// are asked for, the fits' passes: the same sums in the same order, with
// no test per point of what else to write. The total adds b ones, which
// is exact.
func (w *worker) sumsOnly(b int, st *sums) {
	prod, pexp, msum := 1.0, 0, 0.0
	for t := range b {
		rmax, sum := w.rmax[t], w.sum[t]
		if w.bad[t] != 0 || !(sum >= 1) || math.IsInf(rmax, 0) {
			lse, rmax := w.odd(t)
			st.logl += lse
			st.hard += lse - rmax
			continue
		}
		msum += rmax
		if prod *= sum; prod > 0x1p900 {
			m, e := math.Frexp(prod)
			prod, pexp = m, pexp+e
		}
	}
	st.total += float64(b)
	ls := math.Log(prod) + float64(pexp)*math.Ln2
	st.logl += msum + ls
	st.hard += ls
}

// best returns the index of point t's largest log term, the first if
// several are equal.
func (w *worker) best(t int) int {
	best, rmax := 0, math.Inf(-1)
	for j := range w.k {
		if lj := w.l[j*Block+t]; lj > rmax {
			best, rmax = j, lj
		}
	}
	return best
}

// odd sets the responsibilities of point t, one of whose log terms is NaN
// or +Inf or all of whose terms are −Inf, and returns its log density and
// largest term: by a log-sum-exp where a term is NaN or +Inf, and otherwise
// all to the first component, with log density 0 and largest term 0.
func (w *worker) odd(t int) (lse, rmax float64) {
	l := w.lt
	for j := range l {
		l[j] = w.l[j*Block+t]
	}
	nan := false
	rmax = math.Inf(-1)
	for _, lj := range l {
		rmax = max(rmax, lj)
		nan = nan || lj != lj
	}
	if nan || math.IsInf(rmax, 1) {
		lse = num.LogSumExp(l)
		for j, lj := range l {
			w.r[j*Block+t] = kernel.Exp(lj - lse)
		}
		return lse, rmax
	}
	for j := range l {
		w.r[j*Block+t] = 0
	}
	w.r[w.best(t)*Block+t] = 1
	return 0, 0
}

// accumulate adds component k's share of the block to st.
func (w *worker) accumulate(p *Params, k, b int, st *sums) {
	d := w.d
	r := w.r[k*Block : k*Block+b]
	nk := floats.Sum(r)
	if nk == 0 {
		return
	}
	st.n[k] += nk
	w.scatter(k, b, w.centred(p, k, b, false), st.s1[k*d:(k+1)*d], st.s2[k*d*d:(k+1)*d*d])
}

// scatter adds Σ_t r_t z_t to s1 and Σ_t r_t z_t z_tᵀ to the lower
// triangle of s2 (and, by the AVX2 tiles, to some of its upper triangle),
// over the block's b points, with r_t = w.r[k·Block + t] and z the centred
// points, transposed. The AVX2 kernels run over wide(b) lanes: scatter
// sets r to zero beyond b, and z must be finite there.
func (w *worker) scatter(k, b int, z, s1, s2 []float64) {
	d := w.d
	r := w.r[k*Block : k*Block+b]
	if useAVX2 {
		nb := wide(b)
		clear(w.r[k*Block+b : k*Block+nb])
		if d >= tileD {
			accumTileAVX2(&w.r[k*Block], &z[0], &w.a[0], d, nb, &s1[0], &s2[0])
			tileRest(w.a, z, d, nb, s2)
			return
		}
		accumAVX2(&w.r[k*Block], &z[0], &w.a[0], d, nb, &s1[0], &s2[0])
		return
	}
	for i := range d {
		ai, zi := w.a[i*Block:i*Block+b], z[i*Block:i*Block+b]
		for t, v := range zi {
			ai[t] = r[t] * v
		}
		s1[i] += floats.Sum(ai)
		for j := 0; j <= i; j++ {
			s2[i*d+j] += floats.Dot(ai, z[j*Block:j*Block+b])
		}
	}
}

// tileD is the least dimension at which the distances and the sums go by
// the AVX2 kernels that take three rows at a time (mahaTileAVX2,
// accumTileAVX2), whose twelve sums share their loads, rather than by the
// one-row kernels. Measured by BenchmarkPassKernels (CPU time of a pass
// over 10⁴ points, K = 5): the two are level at d = 6 to 10, and the
// tiles faster by about 10% at d = 12 to 50 (0 to 25% from run to run,
// under load) and 40% at d = 100. Tests set it to choose a kernel.
var tileD = 12

// tileRest adds to s2 the sums Σ_t a_i[t] z_j[t], t < n, j ≤ i, that
// accumTileAVX2 leaves out: the first d mod 3 rows, and in each three rows
// i from there, the columns j past the last four it took.
func tileRest(a, z []float64, d, n int, s2 []float64) {
	dot := func(i, j int) {
		s2[i*d+j] += floats.Dot(a[i*Block:i*Block+n], z[j*Block:j*Block+n])
	}
	r := d % 3
	for i := range r {
		for j := 0; j <= i; j++ {
			dot(i, j)
		}
	}
	for i := r; i+3 <= d; i += 3 {
		j := 0
		for j <= i+2 && j+4 <= d {
			j += 4
		}
		for ii := i; ii < i+3; ii++ {
			for jj := j; jj <= ii; jj++ {
				dot(ii, jj)
			}
		}
	}
}
