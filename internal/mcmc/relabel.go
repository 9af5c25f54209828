package mcmc

import "math"

// Assignment solves the linear assignment problem for the n×n cost matrix
// c, stored by rows: it sets perm to the permutation that minimises
// Σ_j c[j·n + perm[j]]. It is the Hungarian method (Kuhn 1955, Munkres
// 1957) in its O(n³) shortest-augmenting-path form with row and column
// potentials. scratch must hold at least 5(n+1) float64 values; nothing is
// allocated.
func Assignment(c []float64, n int, perm []int, scratch []float64) {
	u := scratch[0 : n+1]
	v := scratch[n+1 : 2*n+2]
	minv := scratch[2*n+2 : 3*n+3]
	// p[j] is the row matched to column j and way[j] the previous column on
	// the augmenting path, both 1-based with 0 for none; they are small
	// integers kept in float64 scratch.
	p := scratch[3*n+3 : 4*n+4]
	way := scratch[4*n+4 : 5*n+5]
	clear(u)
	clear(v)
	clear(p)
	clear(way)
	used := make([]bool, 0, 16)
	if n+1 <= 16 {
		used = used[:n+1]
	} else {
		used = make([]bool, n+1)
	}
	for i := 1; i <= n; i++ {
		p[0] = float64(i)
		j0 := 0
		for j := range minv {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for {
			used[j0] = true
			i0 := int(p[j0])
			delta := math.Inf(1)
			j1 := 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				cur := c[(i0-1)*n+j-1] - u[i0] - v[j]
				if cur < minv[j] {
					minv[j] = cur
					way[j] = float64(j0)
				}
				if minv[j] < delta {
					delta = minv[j]
					j1 = j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[int(p[j])] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := int(way[j0])
			p[j0] = p[j1]
			j0 = j1
		}
	}
	for j := 1; j <= n; j++ {
		perm[int(p[j])-1] = j - 1
	}
}

// ECR finds the relabelling of one draw by the equivalence-classes
// representatives algorithm of Papastamoulis & Iliopoulos (2010): the labels
// of a draw whose allocation is z are permuted by the τ that maximises the
// agreement with a fixed pivot allocation z*,
//
//	τ = argmax_τ Σ_i 1{τ(z_i) = z*_i} = argmax_τ Σ_j C[j, τ(j)],
//
// where C[j, k] = #{i : z_i = j, z*_i = k} is the K×K contingency table of
// the draw against the pivot, stored by rows in conf. perm is set to τ:
// label j of the draw becomes label perm[j]. Among permutations with equal
// agreement, the one with the most fixed labels wins, so that a draw that
// already agrees with the pivot keeps its labels. cost must hold K² values
// and scratch 5(K+1).
func ECR(conf []int, K int, perm []int, cost, scratch []float64) {
	if K == 1 {
		perm[0] = 0
		return
	}
	if K == 2 {
		keep := conf[0] + conf[3]
		swap := conf[1] + conf[2]
		if swap > keep {
			perm[0], perm[1] = 1, 0
		} else {
			perm[0], perm[1] = 0, 1
		}
		return
	}
	// Agreement counts are integers, so weighting them by K+1 and adding 1
	// for each fixed label breaks ties only.
	w := float64(K + 1)
	for j := range K {
		for k := range K {
			c := -w * float64(conf[j*K+k])
			if j == k {
				c--
			}
			cost[j*K+k] = c
		}
	}
	Assignment(cost, K, perm, scratch)
}
