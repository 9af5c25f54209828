package mv

import (
	"math"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// vvvFromPoints reports whether Select's VVV agglomeration of a sample of
// m rows in d dimensions starts from single points, as mclust's does,
// rather than from Ward's partition into small groups (see vvvGroups): if
// m ≤ 512 and m²d³ ≤ 2^27. Its cost grows as m² for the comparisons and
// m²d³ for the determinants: about 1.5 ms for iris (m = 150, d = 4), 20 ms
// for 512 rows in 4 dimensions, once for the whole table.
func vvvFromPoints(m, d int) bool {
	return m <= 512 && float64(m)*float64(m)*float64(d*d*d) <= 1<<27
}

// mclustCoordinates returns the m rows y in scaledSVD's coordinates, of
// weights v (nil for all 1), in mclust's: mclust scales the columns by
// their standard deviations with the divisor n − 1, and the principal axes
// by the square roots of the singular values of that matrix, √((n − 1)λ),
// a factor (n − 1)^¼/√n in all, for n the points' total weight (1 if it
// is at most 1). The factor matters to the VVV criterion, not to Ward's.
func mclustCoordinates(y, v []float64, m int) []float64 {
	n := float64(m)
	if v != nil {
		n = 0
		for _, w := range v {
			n += w
		}
	}
	all := 1.0
	if n > 1 {
		all = math.Pow(n-1, 0.25) / math.Sqrt(n)
	}
	out := make([]float64, len(y))
	for i, x := range y {
		out[i] = all * x
	}
	return out
}

// vvvMerges returns the merges of the model-based hierarchical
// agglomeration under the unconstrained (VVV) model of the rows of y
// (m×d, row-major, weighted by v, nil for all 1), from single points to
// one group, in the order made: mclust's hcVVV (Fraley 1998, "Algorithms
// for model-based Gaussian hierarchical clustering", SIAM J. Sci. Comput.
// 20(1)), so that on mclust's coordinates (see mclustCoordinates) its cuts
// are mclust's starting partitions. Each merge joins the two groups that
// raise least the criterion Σ_g t_g, with, for a group of n_g points and
// scatter W_g,
//
//	t_g = n_g log(det⁺(W_g/n_g) + (tr W_g + α)/n_g),
//
// det⁺ the determinant if n_g > d and 0 otherwise (mclust's regularisation
// for groups too small for a covariance, with its β = 1), and α = tr W/(n d)
// for the scatter W of all the points. Among merges of equal cost it makes
// mclust's choice: groups sit in slots 0, 1, …, a merge of the groups in
// slots i < j leaves the union in slot i and moves the last group into slot
// j, and the merge made is the last of the cheapest in the order of the
// pairs (i, j) by j and then i.
func vvvMerges(y, v []float64, m, d int) []merge {
	a := newVVVSlots(y, v, m, d)
	c := &vvvCosts{m: m, cost: make([]float64, m*m), best: make([]int, m)}
	for j := 1; j < m; j++ {
		for i := range j {
			c.cost[j*m+i] = a.mergeCost(i, j)
		}
		c.rowMin(j)
	}
	merges := make([]merge, 0, m-1)
	for last := m - 1; last > 0; last-- {
		bi, bj := c.cheapest(last)
		merges = append(merges, merge{a: a.owner[bi], b: a.owner[bj], cost: c.at(bi, bj)})
		a.join(bi, bj)
		if bj != last {
			a.move(last, bj)
			for x := range last {
				if x != bj {
					c.set(bj, x, c.at(last, x))
				}
			}
		}
		for x := range last {
			if x != bi {
				c.set(bi, x, a.mergeCost(min(bi, x), max(bi, x)))
			}
		}
		c.update(bi, bj, last)
	}
	return merges
}

// vvvCosts holds the costs of the merges of the groups in slots i < j, at
// cost[j·m + i], and for each slot j ≥ 1 the slot best[j] < j of its
// cheapest merge, the last of equal cost.
type vvvCosts struct {
	m    int
	cost []float64
	best []int
}

func (c *vvvCosts) at(i, j int) float64 { return c.cost[max(i, j)*c.m+min(i, j)] }

func (c *vvvCosts) set(i, j int, v float64) { c.cost[max(i, j)*c.m+min(i, j)] = v }

// rowMin sets best[j].
func (c *vvvCosts) rowMin(j int) {
	row := c.cost[j*c.m : j*c.m+j]
	b := 0
	for i, v := range row {
		if v <= row[b] {
			b = i
		}
	}
	c.best[j] = b
}

// cheapest returns the cheapest merge among slots 0..last, the last of
// equal cost in the order of the pairs (i, j) by j and then i.
func (c *vvvCosts) cheapest(last int) (i, j int) {
	j = 1
	for r := 2; r <= last; r++ {
		if c.at(c.best[r], r) <= c.at(c.best[j], j) {
			j = r
		}
	}
	return c.best[j], j
}

// update restores best after the merge of slots bi < bj, the move of slot
// last into slot bj and new costs for the pairs of slots bi and bj: slots
// from last on are gone.
func (c *vvvCosts) update(bi, bj, last int) {
	for r := 1; r < last; r++ {
		switch b := c.best[r]; {
		case r == bi || r == bj || b == bi || b == bj:
			c.rowMin(r)
		case r > bi && c.beats(bi, r):
			c.best[r] = bi
		case r > bj && c.beats(bj, r):
			c.best[r] = bj
		}
	}
}

// beats reports whether the merge of slots i < r is at least as cheap as
// row r's best and, if as cheap, comes later.
func (c *vvvCosts) beats(i, r int) bool {
	v, w := c.at(i, r), c.at(c.best[r], r)
	return v < w || (v == w && i > c.best[r])
}

// vvvSlots holds the groups of the VVV agglomeration in their slots: each
// group's weight, mean, scatter W (d×d), tr W and criterion term t, and
// owner, one of its points.
type vvvSlots struct {
	d, m       int
	alpha      float64
	n, tr, t   []float64
	mean, w    []float64
	owner      []int
	dm, sw, sl []float64 // scratch: a difference of means, a scatter and its factor
}

func newVVVSlots(y, v []float64, m, d int) *vvvSlots {
	a := &vvvSlots{d: d, m: m, n: make([]float64, m), tr: make([]float64, m), t: make([]float64, m),
		mean: make([]float64, m*d), w: make([]float64, m*d*d), owner: make([]int, m),
		dm: make([]float64, d), sw: make([]float64, d*d), sl: make([]float64, d*d)}
	copy(a.mean, y[:m*d])
	var tw float64
	centre := make([]float64, d)
	for i := range m {
		a.owner[i], a.n[i] = i, 1
		if v != nil {
			a.n[i] = v[i]
		}
		tw += a.n[i]
		for c := range d {
			centre[c] += a.n[i] * y[i*d+c]
		}
	}
	var trW float64
	for i := range m {
		for c := range d {
			e := y[i*d+c] - centre[c]/tw
			trW += a.n[i] * e * e
		}
	}
	a.alpha = max(trW/(tw*float64(d)), 0x1p-52)
	for i := range m {
		a.t[i] = a.term(a.n[i], 0, nil)
	}
	return a
}

// term returns t for a group of weight n, scatter trace tr and scatter w
// (read only if n > d).
func (a *vvvSlots) term(n, tr float64, w []float64) float64 {
	h := (tr + a.alpha) / n
	if n > float64(a.d) && tr > 0 {
		for i, x := range w {
			a.sw[i] = x / n
		}
		if ld, ok := mvkernel.Cholesky(a.sl, a.sw, a.d); ok {
			// log(det + h) without overflow.
			if ld <= 0 {
				return n * math.Log(math.Exp(ld)+h)
			}
			return n * (math.Log1p(math.Exp(-ld)*h) + ld)
		}
	}
	return n * math.Log(h)
}

// pooled sets a.dm to the scaled difference of the means of slots i and j,
// √(n_i n_j/(n_i + n_j)) (ȳ_i − ȳ_j), whose outer product the union's
// scatter adds to W_i + W_j, and returns the union's weight and tr W.
func (a *vvvSlots) pooled(i, j int) (n, tr float64) {
	d := a.d
	n = a.n[i] + a.n[j]
	s := math.Sqrt(a.n[i] * a.n[j] / n)
	var q float64
	for c := range d {
		e := s * (a.mean[i*d+c] - a.mean[j*d+c])
		a.dm[c] = e
		q += e * e
	}
	return n, a.tr[i] + a.tr[j] + q
}

// mergeCost returns the rise of the criterion if the groups of slots i and
// j join.
func (a *vvvSlots) mergeCost(i, j int) float64 {
	n, tr := a.pooled(i, j)
	var w []float64
	if n > float64(a.d) {
		w = a.scatter(i, j)
	}
	return a.term(n, tr, w) - a.t[i] - a.t[j]
}

// scatter returns the scatter of the union of slots i and j, from a.dm as
// pooled left it, in scratch.
func (a *vvvSlots) scatter(i, j int) []float64 {
	d := a.d
	w := a.sl // not a.sw, which term overwrites
	for r := range d {
		for c := range d {
			w[r*d+c] = a.w[i*d*d+r*d+c] + a.w[j*d*d+r*d+c] + a.dm[r]*a.dm[c]
		}
	}
	return w
}

// join puts the union of slots i and j in slot i.
func (a *vvvSlots) join(i, j int) {
	d := a.d
	n, tr := a.pooled(i, j)
	for r := range d {
		for c := range d {
			a.w[i*d*d+r*d+c] += a.w[j*d*d+r*d+c] + a.dm[r]*a.dm[c]
		}
	}
	for c := range d {
		a.mean[i*d+c] = (a.n[i]*a.mean[i*d+c] + a.n[j]*a.mean[j*d+c]) / n
	}
	a.n[i], a.tr[i] = n, tr
	a.t[i] = a.term(n, tr, a.w[i*d*d:(i+1)*d*d])
}

// move puts the group of slot from in slot to.
func (a *vvvSlots) move(from, to int) {
	d := a.d
	a.n[to], a.tr[to], a.t[to], a.owner[to] = a.n[from], a.tr[from], a.t[from], a.owner[from]
	copy(a.mean[to*d:(to+1)*d], a.mean[from*d:(from+1)*d])
	copy(a.w[to*d*d:(to+1)*d*d], a.w[from*d*d:(from+1)*d*d])
}
