package mv

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvkernel"
	"github.com/gmm-go/gmm/internal/num"
)

// whiten returns the rows of x (n×d, row-major copies) transformed by
// (x − x̄) L⁻ᵀ, with L the Cholesky factor of the data's covariance, so that
// Euclidean distances become Mahalanobis distances and the starts do not
// depend on the data's units or correlations (mclust's hcUse = "SVD" has
// the same aim). If the covariance is singular, each column is only
// centred and divided by its standard deviation (or left as it is, if
// constant). The mean and the covariance weigh the rows by x.V.
func whiten(x mvkernel.Data, scale []float64) []float64 {
	n, d := x.N, x.D
	mean := make([]float64, d)
	var tw float64
	for i := range n {
		wi := weight(x, i)
		tw += wi
		for j, v := range x.X[i*x.Stride : i*x.Stride+d] {
			mean[j] += wi * v
		}
	}
	for j := range mean {
		mean[j] /= tw
	}
	cov := make([]float64, d*d)
	for i := range n {
		wi := weight(x, i)
		row := x.X[i*x.Stride : i*x.Stride+d]
		for a := range d {
			for b := 0; b <= a; b++ {
				cov[a*d+b] += wi * ((row[a] - mean[a]) * (row[b] - mean[b]))
			}
		}
	}
	for i := range cov {
		cov[i] /= tw
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

// wardTree returns, cheapest first, the m − 1 merges of Ward's
// hierarchical agglomeration of the rows of y (m×d, row-major), which is
// model-based agglomeration under the EII model (Fraley 1998): each merge
// joins the two groups whose union raises the within-group sum of squares
// least, Δ(i, j) = n_i n_j/(n_i + n_j) |ȳ_i − ȳ_j|². It finds the merges by
// nearest-neighbour chains with the Lance–Williams update, in O(m²) time
// and memory; cut then applies the m − k cheapest for any k.
//
// With weights v (nil for all 1) each point starts as a group of size v_i,
// Δ(i, j) = v_i v_j/(v_i + v_j) |y_i − y_j|²: a point of integer weight is
// then the group its copies written out would form, at no cost, first.
func wardTree(y, v []float64, m, d int) []merge {
	merges := wardMerges(halfSquaredDistances(y, v, m, d), v, m)
	slices.SortStableFunc(merges, func(p, q merge) int { return cmp.Compare(p.cost, q.cost) })
	return merges
}

// cut returns the labels 0..k−1 of the partition of m points into k
// groups by the first m − k merges, in the order given: Ward's sorted
// cheapest first, the VVV agglomeration's in the order made.
func cut(merges []merge, m, k int) []int {
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

// merge is one step of an agglomeration: the groups holding points a and b
// join at the given cost.
type merge struct {
	a, b int
	cost float64
}

// halfSquaredDistances returns the m×m matrix of ½|y_i − y_j|², Ward's
// Δ between single points, or with weights v (nil for all 1)
// v_i v_j/(v_i + v_j) |y_i − y_j|².
func halfSquaredDistances(y, v []float64, m, d int) []float64 {
	dist := make([]float64, m*m)
	for i := range m {
		for j := range i {
			s := sqdist(y[i*d:(i+1)*d], y[j*d:(j+1)*d])
			if v == nil {
				s /= 2
			} else {
				s *= v[i] * v[j] / (v[i] + v[j])
			}
			dist[i*m+j], dist[j*m+i] = s, s
		}
	}
	return dist
}

// wardMerges returns the m − 1 merges of Ward's agglomeration from the
// dissimilarities dist (overwritten), found by nearest-neighbour chains:
// follow nearest neighbours until two groups are each other's nearest,
// merge them, and go on from the rest of the chain. Ties go to the previous
// group of the chain, so the chain ends. The groups start with the sizes v
// (nil for all 1).
func wardMerges(dist, v []float64, m int) []merge {
	size := slices.Repeat([]float64{1}, m)
	if v != nil {
		copy(size, v)
	}
	active := slices.Repeat([]bool{true}, m)
	merges := make([]merge, 0, m-1)
	var chain []int
	for len(merges) < m-1 {
		if len(chain) == 0 {
			chain = append(chain, slices.Index(active, true))
		}
		a := chain[len(chain)-1]
		prev, best := -1, math.Inf(1)
		if len(chain) > 1 {
			prev = chain[len(chain)-2]
			best = dist[a*m+prev]
		}
		b := prev
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
		lanceWilliams(dist, size, active, m, a, b, best)
	}
	return merges
}

// lanceWilliams joins group b into group a's slot and updates the
// dissimilarities of the union to every other group by Ward's rule,
//
//	Δ(a∪b, j) = ((n_a + n_j) Δ(a, j) + (n_b + n_j) Δ(b, j) − n_j Δ(a, b)) / (n_a + n_b + n_j).
func lanceWilliams(dist, size []float64, active []bool, m, a, b int, dab float64) {
	na, nb := size[a], size[b]
	for j := range m {
		if !active[j] || j == a || j == b {
			continue
		}
		nj := size[j]
		v := ((na+nj)*dist[a*m+j] + (nb+nj)*dist[b*m+j] - nj*dab) / (na + nb + nj)
		dist[a*m+j], dist[j*m+a] = v, v
	}
	size[a] = na + nb
	active[b] = false
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

// kmeans returns labels 0..k−1 for the rows of y (m×d), weighted by v
// (nil for all 1), by k-means++ seeding (Arthur & Vassilvitskii 2007)
// followed by iters Lloyd iterations on the weighted rows. The first
// centre, and a centre drawn when every row lies on one, is the row at a
// whole position drawn uniformly on the line of the weights (num.Line: a
// row drawn uniformly when they are unweighted); the others are drawn
// with probability proportional to weight times squared distance to the
// nearest centre. For integer weights these are the draws on the rows
// written out in their places. A group left empty keeps its centre.
func kmeans(y, v []float64, m, d, k, iters int, rng *rand.Rand) []int {
	ln := num.NewLine(v)
	centres := make([]float64, k*d)
	d2 := make([]float64, m)
	first := ln.Index(m, float64(rng.IntN(ln.Units(m))))
	copy(centres, y[first*d:(first+1)*d])
	for i := range m {
		d2[i] = sqdist(y[i*d:(i+1)*d], centres[:d])
	}
	for c := 1; c < k; c++ {
		var total float64
		for i, v := range d2 {
			total += ln.Mass(i) * v
		}
		pick := ln.Index(m, float64(rng.IntN(ln.Units(m))))
		if total > 0 {
			t := rng.Float64() * total
			var acc float64
			for i, v := range d2 {
				acc += ln.Mass(i) * v
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
			wi := ln.Mass(i)
			count[c] += wi
			for a := range d {
				sum[c*d+a] += wi * y[i*d+a]
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
// VVV-criterion agglomeration starts (Select's on a small sample starts
// from single points, see vvvFromPoints): groups small enough to follow the
// data's shape, large enough that their scatters are mostly non-singular.
// m counts the points, or with weights v their total weight if larger
// (see standsFor); the groups are at most the m points themselves, and at
// least k if k ≤ m.
func vvvGroups(v []float64, m, d, k int) int {
	n := standsFor(v, m)
	return min(m, max(k, min(n/(2*(d+1)), 4*k+10)))
}

// standsFor returns the number of points that m points of weights v (nil
// for all 1) stand for (see num.StandsFor).
func standsFor(v []float64, m int) int {
	var t float64
	for _, w := range v {
		t += w
	}
	return num.StandsFor(m, t)
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
// criterion finite for groups with fewer points than dimensions. With
// weights v (nil for all 1), n_g and W_g weigh the rows.
func agglomerateVVV(y, v []float64, m, d int, z []int, k int) []int {
	gs := newGroups(y, v, m, d, z)
	ng := len(gs.n)
	delta := make([]float64, ng*ng)
	for a := range ng {
		for b := range a {
			delta[a*ng+b] = gs.mergeCost(a, b)
		}
	}
	parent := make([]int, ng)
	for g := range parent {
		parent[g] = g
	}
	for left := ng; left > k; left-- {
		a, b := -1, -1
		for i := range ng {
			for j := range i {
				if gs.alive[i] && gs.alive[j] && (a < 0 || delta[i*ng+j] < delta[a*ng+b]) {
					a, b = i, j
				}
			}
		}
		gs.join(a, b)
		parent[b] = a
		for c := range ng {
			if c != a && gs.alive[c] {
				delta[max(a, c)*ng+min(a, c)] = gs.mergeCost(max(a, c), min(a, c))
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

// groups holds the sufficient statistics of the groups of a partition
// for the VVV criterion: counts, sums and sums of cross-products.
type groups struct {
	d          int
	n          []float64
	sum, sxx   [][]float64
	cost       []float64 // n_g log det((W_g + εI)/n_g)
	alive      []bool
	w, l, s, q []float64 // scratch
}

func newGroups(y, v []float64, m, d int, z []int) *groups {
	ng := slices.Max(z) + 1
	gs := &groups{d: d, n: make([]float64, ng), cost: make([]float64, ng), alive: slices.Repeat([]bool{true}, ng),
		w: make([]float64, d*d), l: make([]float64, d*d), s: make([]float64, d), q: make([]float64, d*d)}
	for range ng {
		gs.sum = append(gs.sum, make([]float64, d))
		gs.sxx = append(gs.sxx, make([]float64, d*d))
	}
	for i, g := range z {
		row := y[i*d : (i+1)*d]
		wi := 1.0
		if v != nil {
			wi = v[i]
		}
		gs.n[g] += wi
		for a, ya := range row {
			gs.sum[g][a] += wi * ya
			for b := range d {
				gs.sxx[g][a*d+b] += wi * (ya * row[b])
			}
		}
	}
	for g := range ng {
		gs.cost[g] = gs.criterion(gs.n[g], gs.sum[g], gs.sxx[g])
	}
	return gs
}

// criterion returns n log det((W + εI)/n) for a group of n points with the
// given sums, or +Inf if the matrix has no Cholesky factor.
func (gs *groups) criterion(n float64, sum, sxx []float64) float64 {
	d := gs.d
	for a := range d {
		for b := range d {
			gs.w[a*d+b] = (sxx[a*d+b] - sum[a]*sum[b]/n) / n
		}
		gs.w[a*d+a] += vvvRidge / n
	}
	ld, ok := mvkernel.Cholesky(gs.l, gs.w, d)
	if !ok {
		return math.Inf(1)
	}
	return n * ld
}

// mergeCost returns the rise of the criterion if groups a and b join.
func (gs *groups) mergeCost(a, b int) float64 {
	for i := range gs.s {
		gs.s[i] = gs.sum[a][i] + gs.sum[b][i]
	}
	for i := range gs.q {
		gs.q[i] = gs.sxx[a][i] + gs.sxx[b][i]
	}
	return gs.criterion(gs.n[a]+gs.n[b], gs.s, gs.q) - gs.cost[a] - gs.cost[b]
}

// join adds group b to group a.
func (gs *groups) join(a, b int) {
	gs.n[a] += gs.n[b]
	floats.Add(gs.sum[a], gs.sum[b])
	floats.Add(gs.sxx[a], gs.sxx[b])
	gs.cost[a] = gs.criterion(gs.n[a], gs.sum[a], gs.sxx[a])
	gs.alive[b] = false
}

// scaledSVD returns the rows of x (n×d, row-major copies) in mclust's
// "SVD" coordinates for hierarchical agglomeration (Scrucca & Raftery
// 2015): each column centred and scaled to unit variance, then projected
// on the principal axes, each axis scaled by the fourth root of the inverse
// of its variance, halfway between the scaled data and their whitening. A
// column that is constant is only centred. The mean and the correlations
// weigh the rows by x.V.
func scaledSVD(x mvkernel.Data, scale []float64) []float64 {
	n, d := x.N, x.D
	mean := make([]float64, d)
	var tw float64
	for i := range n {
		wi := weight(x, i)
		tw += wi
		for j, v := range x.X[i*x.Stride : i*x.Stride+d] {
			mean[j] += wi * v
		}
	}
	sd := make([]float64, d)
	for j := range mean {
		mean[j] /= tw
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
				s += weight(x, i) * (z[i*d+a] * z[i*d+b])
			}
			corr.SetSym(a, b, s/tw)
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
