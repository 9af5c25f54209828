package mv

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// whiten returns the rows of x (n×d, row-major copies) transformed by
// (x − x̄) L⁻ᵀ, with L the Cholesky factor of the data's covariance, so that
// Euclidean distances become Mahalanobis distances and the starts do not
// depend on the data's units or correlations (mclust's hcUse = "SVD" has
// the same aim). If the covariance is singular, each column is only
// centred and divided by its standard deviation (or left as it is, if
// constant).
func whiten(x mvkernel.Data, scale []float64) []float64 {
	n, d := x.N, x.D
	mean := make([]float64, d)
	for i := range n {
		for j, v := range x.X[i*x.Stride : i*x.Stride+d] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	cov := make([]float64, d*d)
	for i := range n {
		row := x.X[i*x.Stride : i*x.Stride+d]
		for a := range d {
			for b := 0; b <= a; b++ {
				cov[a*d+b] += (row[a] - mean[a]) * (row[b] - mean[b])
			}
		}
	}
	for i := range cov {
		cov[i] /= float64(n)
	}
	l := make([]float64, d*d)
	_, ok := mvkernel.Cholesky(l, cov, d)
	if !ok {
		clear(l)
		for j := range d {
			l[j*d+j] = 1
			if s := math.Sqrt(scale[j]); s > 0 {
				l[j*d+j] = s
			}
		}
	}
	out := make([]float64, n*d)
	for i := range n {
		row := x.X[i*x.Stride : i*x.Stride+d]
		o := out[i*d : (i+1)*d]
		for a := range d {
			s := row[a] - mean[a]
			for b := range a {
				s -= l[a*d+b] * o[b]
			}
			o[a] = s / l[a*d+a]
		}
	}
	return out
}

// ward returns the labels 0..k−1 of the partition into k groups of the
// rows of y (m×d, row-major) by Ward's hierarchical agglomeration, which
// is model-based agglomeration under the EII model (Fraley 1998): each
// merge joins the two groups whose union raises the within-group sum of
// squares least, Δ(i, j) = n_i n_j/(n_i + n_j) |ȳ_i − ȳ_j|². It finds the
// merges by nearest-neighbour chains with the Lance–Williams update, in
// O(m²) time and memory, then applies the m − k cheapest.
func ward(y []float64, m, d, k int) []int {
	dist := make([]float64, m*m)
	for i := range m {
		for j := range i {
			var s float64
			for a := range d {
				t := y[i*d+a] - y[j*d+a]
				s += t * t
			}
			dist[i*m+j], dist[j*m+i] = s/2, s/2
		}
	}
	size := make([]float64, m)
	for i := range size {
		size[i] = 1
	}
	active := make([]bool, m)
	for i := range active {
		active[i] = true
	}
	type merge struct {
		a, b int
		cost float64
	}
	merges := make([]merge, 0, m-1)
	var chain []int
	for left := m; left > 1; {
		if len(chain) == 0 {
			for i, a := range active {
				if a {
					chain = append(chain, i)
					break
				}
			}
		}
		a := chain[len(chain)-1]
		prev := -1
		if len(chain) > 1 {
			prev = chain[len(chain)-2]
		}
		b, best := -1, math.Inf(1)
		if prev >= 0 {
			b, best = prev, dist[a*m+prev]
		}
		for j := range m {
			if active[j] && j != a && dist[a*m+j] < best {
				b, best = j, dist[a*m+j]
			}
		}
		if b != prev {
			chain = append(chain, b)
			continue
		}
		chain = chain[:len(chain)-2]
		merges = append(merges, merge{min(a, b), max(a, b), best})
		// Lance–Williams for Ward: the new group takes a's slot.
		na, nb := size[a], size[b]
		for j := range m {
			if !active[j] || j == a || j == b {
				continue
			}
			nj := size[j]
			v := ((na+nj)*dist[a*m+j] + (nb+nj)*dist[b*m+j] - nj*best) / (na + nb + nj)
			dist[a*m+j], dist[j*m+a] = v, v
		}
		size[a] = na + nb
		active[b] = false
		left--
	}
	slices.SortStableFunc(merges, func(p, q merge) int {
		switch {
		case p.cost < q.cost:
			return -1
		case p.cost > q.cost:
			return 1
		}
		return 0
	})
	parent := make([]int, m)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, mg := range merges[:m-k] {
		parent[find(mg.b)] = find(mg.a)
	}
	return relabel(m, find)
}

// relabel numbers the groups of find's roots 0, 1, … in order of their
// first member.
func relabel(m int, find func(int) int) []int {
	ids := map[int]int{}
	z := make([]int, m)
	for i := range m {
		r := find(i)
		id, ok := ids[r]
		if !ok {
			id = len(ids)
			ids[r] = id
		}
		z[i] = id
	}
	return z
}

// kmeans returns labels 0..k−1 for the rows of y (m×d) by k-means++
// seeding (Arthur & Vassilvitskii 2007) followed by iters Lloyd
// iterations. A group left empty keeps its centre.
func kmeans(y []float64, m, d, k, iters int, rng *rand.Rand) []int {
	centres := make([]float64, k*d)
	d2 := make([]float64, m)
	first := rng.IntN(m)
	copy(centres, y[first*d:(first+1)*d])
	for i := range m {
		d2[i] = sqdist(y[i*d:(i+1)*d], centres[:d])
	}
	for c := 1; c < k; c++ {
		var total float64
		for _, v := range d2 {
			total += v
		}
		pick := rng.IntN(m)
		if total > 0 {
			t := rng.Float64() * total
			var acc float64
			for i, v := range d2 {
				acc += v
				if t < acc {
					pick = i
					break
				}
			}
		}
		copy(centres[c*d:], y[pick*d:(pick+1)*d])
		for i := range m {
			d2[i] = min(d2[i], sqdist(y[i*d:(i+1)*d], centres[c*d:(c+1)*d]))
		}
	}
	z := make([]int, m)
	count := make([]float64, k)
	sum := make([]float64, k*d)
	for it := 0; ; it++ {
		for i := range m {
			best, bd := 0, math.Inf(1)
			for c := range k {
				if v := sqdist(y[i*d:(i+1)*d], centres[c*d:(c+1)*d]); v < bd {
					best, bd = c, v
				}
			}
			z[i] = best
		}
		if it == iters {
			return z
		}
		clear(count)
		clear(sum)
		for i, c := range z {
			count[c]++
			for a := range d {
				sum[c*d+a] += y[i*d+a]
			}
		}
		for c := range k {
			if count[c] > 0 {
				for a := range d {
					centres[c*d+a] = sum[c*d+a] / count[c]
				}
			}
		}
	}
}

func sqdist(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		t := v - b[i]
		s += t * t
	}
	return s
}

// vvvGroups is the number of groups of Ward's partition from which the
// VVV-criterion agglomeration starts: groups small enough to follow the
// data's shape, large enough that their scatters are mostly non-singular.
func vvvGroups(m, d, k int) int {
	return max(k, min(m/(2*(d+1)), 4*k+10))
}

// vvvRidge regularises the scatters of small groups in the VVV criterion:
// it is added to their diagonal, in the whitened data's units (the data's
// covariance is the identity there).
const vvvRidge = 0.01

// agglomerateVVV merges the groups of the partition z of the rows of y
// (m×d) until k remain, each time joining the two groups that raise least
// the criterion of the unconstrained model (Fraley 1998),
//
//	Σ_g n_g log det((W_g + εI)/n_g),
//
// with W_g the scatter of group g and ε = vvvRidge, which keeps the
// criterion finite for groups with fewer points than dimensions.
func agglomerateVVV(y []float64, m, d int, z []int, k int) []int {
	type group struct {
		n        float64
		sum, sxx []float64
		cost     float64
		alive    bool
	}
	ng := 0
	for _, g := range z {
		ng = max(ng, g+1)
	}
	gs := make([]group, ng)
	for g := range gs {
		gs[g] = group{sum: make([]float64, d), sxx: make([]float64, d*d), alive: true}
	}
	for i, g := range z {
		row := y[i*d : (i+1)*d]
		gs[g].n++
		for a, v := range row {
			gs[g].sum[a] += v
			for b := range d {
				gs[g].sxx[a*d+b] += v * row[b]
			}
		}
	}
	w := make([]float64, d*d)
	l := make([]float64, d*d)
	cost := func(n float64, sum, sxx []float64) float64 {
		for a := range d {
			for b := range d {
				w[a*d+b] = (sxx[a*d+b] - sum[a]*sum[b]/n) / n
			}
			w[a*d+a] += vvvRidge / n
		}
		ld, ok := mvkernel.Cholesky(l, w, d)
		if !ok {
			return math.Inf(1)
		}
		return n * ld
	}
	for g := range gs {
		gs[g].cost = cost(gs[g].n, gs[g].sum, gs[g].sxx)
	}
	sum := make([]float64, d)
	sxx := make([]float64, d*d)
	merged := func(a, b int) float64 {
		for i := range sum {
			sum[i] = gs[a].sum[i] + gs[b].sum[i]
		}
		for i := range sxx {
			sxx[i] = gs[a].sxx[i] + gs[b].sxx[i]
		}
		return cost(gs[a].n+gs[b].n, sum, sxx) - gs[a].cost - gs[b].cost
	}
	delta := make([]float64, ng*ng)
	for a := range ng {
		for b := range a {
			delta[a*ng+b] = merged(a, b)
		}
	}
	parent := make([]int, ng)
	for g := range parent {
		parent[g] = g
	}
	for left := ng; left > k; left-- {
		ba, bb, best := -1, -1, math.Inf(1)
		for a := range ng {
			for b := range a {
				if gs[a].alive && gs[b].alive && (ba < 0 || delta[a*ng+b] < best) {
					ba, bb, best = a, b, delta[a*ng+b]
				}
			}
		}
		// Join bb into ba.
		g, h := &gs[ba], &gs[bb]
		g.n += h.n
		for i := range g.sum {
			g.sum[i] += h.sum[i]
		}
		for i := range g.sxx {
			g.sxx[i] += h.sxx[i]
		}
		g.cost = cost(g.n, g.sum, g.sxx)
		h.alive = false
		parent[bb] = ba
		for c := range ng {
			if c != ba && gs[c].alive {
				v := merged(max(ba, c), min(ba, c))
				delta[max(ba, c)*ng+min(ba, c)] = v
			}
		}
	}
	find := func(g int) int {
		for parent[g] != g {
			g = parent[g]
		}
		return g
	}
	return relabel(m, func(i int) int { return find(z[i]) })
}

// scaledSVD returns the rows of x (n×d, row-major copies) in mclust's
// "SVD" coordinates for hierarchical agglomeration (Scrucca & Raftery
// 2015): each column centred and scaled to unit variance, then projected
// on the principal axes, each axis scaled by the fourth root of the inverse
// of its variance, halfway between the scaled data and their whitening. A
// column that is constant is only centred.
func scaledSVD(x mvkernel.Data, scale []float64) []float64 {
	n, d := x.N, x.D
	mean := make([]float64, d)
	for i := range n {
		for j, v := range x.X[i*x.Stride : i*x.Stride+d] {
			mean[j] += v
		}
	}
	sd := make([]float64, d)
	for j := range mean {
		mean[j] /= float64(n)
		sd[j] = 1
		if scale[j] > 0 {
			sd[j] = math.Sqrt(scale[j])
		}
	}
	z := make([]float64, n*d)
	for i := range n {
		for j, v := range x.X[i*x.Stride : i*x.Stride+d] {
			z[i*d+j] = (v - mean[j]) / sd[j]
		}
	}
	corr := mat.NewSymDense(d, nil)
	for a := range d {
		for b := a; b < d; b++ {
			var s float64
			for i := range n {
				s += z[i*d+a] * z[i*d+b]
			}
			corr.SetSym(a, b, s/float64(n))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(corr, true) {
		return z
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	f := make([]float64, d)
	for c, v := range vals {
		if v > 1e-12 {
			f[c] = math.Pow(v, -0.25)
		}
	}
	y := make([]float64, n*d)
	for i := range n {
		for c := range d {
			var s float64
			for a := range d {
				s += z[i*d+a] * vecs.At(a, c)
			}
			y[i*d+c] = s * f[c]
		}
	}
	return y
}
