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

// Stats are the sufficient statistics of one pass. With r_ik the
// responsibilities, v_i the weights, p(x_i) the mixture density and
// z_ik = x_i − μ_k at the parameters of the pass,
//
//	W    = Σ_i v_i,  LogL = Σ_i v_i log p(x_i),  Hard = Σ_i v_i (−log max_k r_ik)
//	N_k  = Σ_i v_i r_ik
//	S1_k = Σ_i v_i r_ik z_ik                     (D values)
//	S2_k = Σ_i v_i r_ik z_ik z_ikᵀ               (D×D, row-major, both triangles)
//
// Centring on the current μ_k keeps the sums accurate when the data sit far
// from zero; the weighted mean is μ_k + S1_k/N_k and the centred scatter
// S2_k − S1_k S1_kᵀ/N_k.
type Stats struct {
	K, D          int
	W, LogL, Hard float64
	N, S1, S2     []float64
}

// NewStats returns Stats for k components in d dimensions.
func NewStats(k, d int) *Stats {
	return &Stats{K: k, D: d, N: make([]float64, k), S1: make([]float64, k*d), S2: make([]float64, k*d*d)}
}

func (s *Stats) reset() {
	s.W, s.LogL, s.Hard = 0, 0, 0
	clear(s.N)
	clear(s.S1)
	clear(s.S2)
}

// symmetrise copies the lower triangle of each S2_k to the upper.
func (s *Stats) symmetrise() {
	d := s.D
	for k := range s.K {
		s2 := s.S2[k*d*d : (k+1)*d*d]
		for i := range d {
			for j := i + 1; j < d; j++ {
				s2[i*d+j] = s2[j*d+i]
			}
		}
	}
}

func (s *Stats) add(t *Stats) {
	s.W += t.W
	s.LogL += t.LogL
	s.Hard += t.Hard
	floats.Add(s.N, t.N)
	floats.Add(s.S1, t.S1)
	floats.Add(s.S2, t.S2)
}

// Out names what a pass writes besides the statistics. Each field may be
// nil.
type Out struct {
	Stats  *Stats    // the sufficient statistics
	Resp   []float64 // n×K responsibilities, row-major
	LogP   []float64 // n log densities log p(x_i)
	Assign []int     // n indices of the most probable component
}

// Pass runs passes over data. It owns the memory a pass needs, so repeated
// passes allocate little. A Pass is for one goroutine at a time.
type Pass struct {
	k, d    int
	parts   []*Stats
	workers []*worker
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
		out.Stats.reset()
		for len(ps.parts) < np {
			ps.parts = append(ps.parts, NewStats(ps.k, ps.d))
		}
	}
	nw := min(runtime.GOMAXPROCS(0), np)
	for len(ps.workers) < nw {
		ps.workers = append(ps.workers, newWorker(ps.k, ps.d))
	}
	var next atomic.Int64
	work := func(w *worker) {
		for {
			i := int(next.Add(1)) - 1
			if i >= np {
				return
			}
			lo, hi := i*x.N/np, (i+1)*x.N/np
			var st *Stats
			if out.Stats != nil {
				st = ps.parts[i]
				st.reset()
			}
			w.part(x, lo, hi, p, st, out)
		}
	}
	var wg sync.WaitGroup
	for j := 1; j < nw; j++ {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			work(w)
		}(ps.workers[j])
	}
	work(ps.workers[0])
	wg.Wait()
	if out.Stats != nil {
		for i := range np {
			out.Stats.add(ps.parts[i])
		}
		out.Stats.symmetrise()
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
	l    []float64 // log w_k N(x_i | μ_k, Σ_k), point-major: K per point
	r    []float64 // v_i r_ik, component-major: Block per component
}

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
	}
}

// part processes rows lo..hi−1, block by block, adding to st.
func (w *worker) part(x Data, lo, hi int, p *Params, st *Stats, out Out) {
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
	d := w.d
	for t := range b {
		row := x.X[(b0+t)*x.Stride : (b0+t)*x.Stride+d]
		for j, v := range row {
			w.xt[j*Block+t] = v
		}
	}
}

// centred returns the block's points minus μ_k, transposed, computing
// them unless they are kept from the distances.
func (w *worker) centred(p *Params, k, b int, fresh bool) []float64 {
	d := w.d
	z := w.z[:d*Block]
	if w.keep {
		z = w.z[k*d*Block : (k+1)*d*Block]
		if !fresh {
			return z
		}
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

// distances sets w.l[t·K + k] = c_k − ½ |L_k⁻¹ (x_t − μ_k)|² for the
// block's points. Row j of L_k⁻¹ (x − μ_k) is Σ_{m≤j} (L_k⁻¹)_jm z_m, a sum
// of scaled rows of the transposed block.
func (w *worker) distances(p *Params, k, b int) {
	d := w.d
	z := w.centred(p, k, b, true)
	inv := p.Inv[k*d*d : (k+1)*d*d]
	maha := w.maha[:b]
	clear(maha)
	y := w.y[:b]
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
	c := p.Const[k]
	for t, m := range maha {
		w.l[t*w.k+k] = c - 0.5*m
	}
}

// normalise turns each point's log terms into its log density and its
// responsibilities, times its weight, in w.r, and writes what out asks for.
// A point whose terms all underflow to −Inf gives all its responsibility
// to the component with the largest term.
func (w *worker) normalise(x Data, b0, b int, st *Stats, out Out) {
	k := w.k
	for t := range b {
		l := w.l[t*k : (t+1)*k]
		lse := num.LogSumExp(l)
		v := 1.0
		if x.V != nil {
			v = x.V[b0+t]
		}
		best, rmax := 0, math.Inf(-1)
		for j, lj := range l {
			if lj > rmax {
				best, rmax = j, lj
			}
		}
		if math.IsInf(lse, -1) {
			for j := range l {
				l[j] = math.Inf(-1)
			}
			l[best], lse, rmax = 0, 0, 0
		}
		var resp []float64
		if out.Resp != nil {
			resp = out.Resp[(b0+t)*k : (b0+t+1)*k]
		}
		for j, lj := range l {
			r := kernel.Exp(lj - lse)
			w.r[j*Block+t] = v * r
			if resp != nil {
				resp[j] = r
			}
		}
		if out.LogP != nil {
			out.LogP[b0+t] = lse
		}
		if out.Assign != nil {
			out.Assign[b0+t] = best
		}
		if st != nil {
			st.W += v
			st.LogL += v * lse
			st.Hard += v * (lse - rmax)
		}
	}
}

// accumulate adds component k's share of the block to st.
func (w *worker) accumulate(p *Params, k, b int, st *Stats) {
	d := w.d
	r := w.r[k*Block : k*Block+b]
	nk := floats.Sum(r)
	if nk == 0 {
		return
	}
	st.N[k] += nk
	z := w.centred(p, k, b, false)
	s1 := st.S1[k*d : (k+1)*d]
	s2 := st.S2[k*d*d : (k+1)*d*d]
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
