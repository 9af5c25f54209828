package mvkernel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// HardStats sets st to the statistics of a hard partition of points of x:
// point i, row rows[i] of x (row i if rows is nil), belongs wholly to
// component labels[i], with its weight v_i (1 if x.V is nil). These are the
// Stats of a pass whose responsibilities r_ik are 1 where labels[i] = k and
// 0 elsewhere:
//
//	Total = Σ_i v_i,  W_k = Σ_{i∈k} v_i,  μ_k = Σ_{i∈k} v_i x_i / W_k,
//	m_k = μ_k + s1_k/W_k,  M2_k = s2_k − s1_k s1_kᵀ/W_k,
//	s1_k = Σ_{i∈k} v_i (x_i − μ_k),  s2_k = Σ_{i∈k} v_i (x_i − μ_k)(x_i − μ_k)ᵀ,
//
// the two-pass (centred) sums, with the correction of Chan, Golub &
// LeVeque (1979) for the rounding of μ_k, so that the scatters lose no
// precision however far the points sit from zero. LogLik and Hard are 0.
//
// The means take one sweep of D values per point. Each component's points
// are then gathered Block at a time, centred on μ_k, and their sums s1, s2
// formed by the pass's kernels (d(d+1)/2 products per point, its lower
// triangle): the cost of one pass's sums. The points of each component are
// split into pieces whose sizes depend only on the sizes of the problem,
// shared out among up to GOMAXPROCS goroutines and added in order, so the
// result is the same at any GOMAXPROCS.
//
// A component with no points, or of weight 0, gets W_k = 0 and a zero mean
// and scatter. labels must have len(rows) entries (x.N if rows is nil),
// each in [0, st.K), and st must have x.D dimensions: otherwise HardStats
// panics.
func HardStats(x Data, rows, labels []int, st *Stats) {
	k, d := st.K, st.D
	if d != x.D {
		panic("mvkernel: HardStats: Stats and Data differ in dimension")
	}
	n := x.N
	if rows != nil {
		n = len(rows)
	}
	if len(labels) != n {
		panic("mvkernel: HardStats: labels and rows differ in length")
	}
	row := func(i int) int {
		if rows != nil {
			return rows[i]
		}
		return i
	}
	st.Reset()
	// The means, and the rows grouped by component in their order.
	count := make([]int, k+1)
	for i, z := range labels {
		r := row(i)
		v := 1.0
		if x.V != nil {
			v = x.V[r]
		}
		st.W[z] += v
		st.Total += v
		m := st.Mean[z*d : (z+1)*d]
		for a, xa := range x.X[r*x.Stride : r*x.Stride+d] {
			m[a] += v * xa
		}
		count[z+1]++
	}
	for j := range k {
		count[j+1] += count[j]
		if st.W[j] > 0 {
			for a := range d {
				st.Mean[j*d+a] /= st.W[j]
			}
		} else {
			clear(st.Mean[j*d : (j+1)*d])
		}
	}
	order := make([]int, n)
	next := append([]int(nil), count[:k]...)
	for i, z := range labels {
		order[next[z]] = row(i)
		next[z]++
	}
	// The pieces: component j's rows order[count[j]:count[j+1]] in runs of
	// size rows, those of weight 0 included (they add nothing).
	size := hardPiece(n, d)
	type piece struct{ j, lo, hi int }
	var pieces []piece
	for j := range k {
		if !(st.W[j] > 0) {
			continue
		}
		for lo := count[j]; lo < count[j+1]; lo += size {
			pieces = append(pieces, piece{j, lo, min(lo+size, count[j+1])})
		}
	}
	sums := make([]*sums, len(pieces))
	var nextPiece atomic.Int64
	work := func() {
		w := getWorker(1, d)
		defer putWorker(w)
		for {
			i := int(nextPiece.Add(1)) - 1
			if i >= len(pieces) {
				return
			}
			p := pieces[i]
			s := newSums(1, d)
			w.hard(x, order[p.lo:p.hi], st.Mean[p.j*d:(p.j+1)*d], s)
			sums[i] = s
		}
	}
	nw := min(runtime.GOMAXPROCS(0), len(pieces))
	var wg sync.WaitGroup
	for range nw - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
	// Each component's pieces, added in order, then corrected for the
	// rounding of its mean.
	s1 := make([]float64, d)
	for i := 0; i < len(pieces); {
		j := pieces[i].j
		clear(s1)
		m2 := st.M2[j*d*d : (j+1)*d*d]
		for ; i < len(pieces) && pieces[i].j == j; i++ {
			for a, v := range sums[i].s1 {
				s1[a] += v
			}
			for a, v := range sums[i].s2 {
				m2[a] += v
			}
		}
		wj := st.W[j]
		m := st.Mean[j*d : (j+1)*d]
		for a := range d {
			for b := 0; b <= a; b++ {
				v := m2[a*d+b] - s1[a]*s1[b]/wj
				m2[a*d+b], m2[b*d+a] = v, v
			}
		}
		for a := range d {
			m[a] += s1[a] / wj
		}
	}
}

// hardPiece returns the number of rows a piece of HardStats takes: at
// least minPart, and enough that n rows make at most about maxParts
// pieces besides one per component, whose D×D sums together take at most
// about partFloats floats.
func hardPiece(n, d int) int {
	size := max(minPart, (n+maxParts-1)/maxParts, n/max(1, partFloats/(d*d+d+1)))
	return (size + Block - 1) / Block * Block
}

// hard adds to s the sums of the rows of x listed in rows, each with its
// weight, centred on mu: s.n += Σ v, s.s1 += Σ v (x − μ), s.s2 += Σ v
// (x − μ)(x − μ)ᵀ, lower triangle.
func (w *worker) hard(x Data, rows []int, mu []float64, s *sums) {
	d := w.d
	z := w.zbuf(0)
	for b0 := 0; b0 < len(rows); b0 += Block {
		b := min(Block, len(rows)-b0)
		nb := b
		if useAVX2 {
			nb = wide(b)
		}
		r := w.r[:b]
		for t, ri := range rows[b0 : b0+b] {
			v := 1.0
			if x.V != nil {
				v = x.V[ri]
			}
			r[t] = v
			s.n[0] += v
			for j, xj := range x.X[ri*x.Stride : ri*x.Stride+d] {
				z[j*Block+t] = xj - mu[j]
			}
		}
		// The lanes the AVX2 kernels run over beyond the points: zero.
		for j := range d {
			clear(z[j*Block+b : j*Block+nb])
		}
		w.scatter(0, b, z, s.s1, s.s2)
	}
}
