package gmm

import (
	"math"
	"math/rand/v2"
	"slices"
)

// startingPoints returns count starting points in θ = (log w, μ, log σ) for
// K components, from the standardised screening sample, on the line of its
// points in their order and on that of its points sorted (see line): first
// the quantiles, then in turn greedy k-means++ seedings and random
// partitions, each from its own random stream of the seed. A starting point
// equal to one before it is drawn again, as a random partition, a few
// times, so that the count is kept where the data allow. Every σ is at
// least floor.
//
// Each reads the points as positions on the lines, so that for integer
// weights, with the points written out in their places, it is the same
// starting point from the same draws, up to the rounding of sums that add
// a point's weight at once rather than one copy at a time.
func startingPoints(sample, sorted line, K, count int, seed uint64, floor float64) [][]float64 {
	out := make([][]float64, 0, count)
	var km *kmeansScratch
	if count > 1 {
		km = newKmeansScratch(sample, K)
	}
	out = append(out, quantileStart(sorted, K, floor))
	var pcg rand.PCG
	rng := rand.New(&pcg)
	for r := 1; r < count; r++ {
		pcg.Seed(seed, uint64(r))
		var t []float64
		if r%2 == 1 {
			t = kmeansStart(sample, K, rng, floor, km)
		} else {
			t = partitionStart(sorted, K, rng, floor)
		}
		for try := 0; try < 4 && slices.ContainsFunc(out, func(q []float64) bool { return slices.Equal(q, t) }); try++ {
			t = partitionStart(sorted, K, rng, floor)
		}
		out = append(out, t)
	}
	return out
}

// quantileStart gives component k the mass of the sorted line between the
// whole positions ⌊k·N/K⌋ and ⌊(k+1)·N/K⌋, with N = ⌈G⌉ (the last
// component reaching to the end G): for unweighted points, those between
// the quantiles k/K and (k+1)/K.
func quantileStart(sorted line, K int, floor float64) []float64 {
	n := sorted.units()
	cuts := make([]float64, K+1)
	for k := range K {
		cuts[k] = float64(k * n / K)
	}
	cuts[K] = sorted.size()
	return cutStart(sorted, cuts, floor)
}

// partitionStart cuts the sorted line into K runs at K − 1 distinct whole
// positions drawn at random from 1 to ⌈G⌉ − 1: for unweighted points, runs
// of consecutive points. A point whose interval a cut crosses is shared
// between the runs on either side, in proportion.
func partitionStart(sorted line, K int, rng *rand.Rand, floor float64) []float64 {
	n := sorted.units()
	if n <= K {
		return quantileStart(sorted, K, floor)
	}
	cuts := []float64{0, sorted.size()}
	for len(cuts) < K+1 {
		c := float64(1 + rng.IntN(n-1))
		if !slices.Contains(cuts, c) {
			cuts = append(cuts, c)
		}
	}
	slices.Sort(cuts)
	return cutStart(sorted, cuts, floor)
}

// cutStart gives component k the mass of the sorted line from cuts[k] to
// cuts[k+1], with weight 1/K and its mean and standard deviation (at least
// floor); a component with no mass (more components than points) shares
// the point at its cut.
func cutStart(sorted line, cuts []float64, floor float64) []float64 {
	K := len(cuts) - 1
	t := make([]float64, 3*K)
	for k := range K {
		mu, sd := sorted.at(cuts[k]), 0.0
		if cuts[k+1] > cuts[k] {
			mu, sd = sorted.moments(cuts[k], cuts[k+1])
		}
		t[k], t[K+k], t[2*K+k] = -math.Log(float64(K)), mu, math.Log(max(sd, floor))
	}
	return t
}

// kmeansStart seeds K centres by greedy k-means++ (Arthur & Vassilvitskii
// 2007, "k-means++: the advantages of careful seeding", SODA; the greedy
// form, as scikit-learn's: 2 + ⌊log K⌋ candidates are drawn for each
// centre with probability proportional to the point's weight times its
// squared distance to the nearest centre, and the one that lowers the
// weighted total most is kept), runs Lloyd's iterations on the weighted
// points, and gives each cluster's share of the weight, mean and standard
// deviation (at least floor) to a component. The first centre, and a
// candidate when every point lies on a centre, is the point at a whole
// position drawn uniformly from 0 to ⌈G⌉ − 1 on the line u (a point drawn
// uniformly when the points are unweighted). An empty cluster keeps its
// centre and takes the sample's standard deviation and a weight of one
// unit. km is scratch for len(u.x) points and K centres.
func kmeansStart(u line, K int, rng *rand.Rand, floor float64, km *kmeansScratch) []float64 {
	mu, d2, nd, best, lab := km.mu, km.d2, km.nd, km.best, km.lab
	clear(mu)
	clear(best)
	uniform := func() float64 { return u.at(float64(rng.IntN(u.units()))) }
	mu[0] = uniform()
	for i, v := range u.x {
		d2[i] = (v - mu[0]) * (v - mu[0])
	}
	trials := 2 + int(math.Log(float64(K)))
	for k := 1; k < K; k++ {
		tot := weightedSum(d2, u)
		bestTot := math.Inf(1)
		for range trials {
			c := uniform()
			if tot > 0 {
				c = u.x[draw(d2, u, tot, rng)]
			}
			for i, v := range u.x {
				nd[i] = min(d2[i], (v-c)*(v-c))
			}
			if t := weightedSum(nd, u); t < bestTot {
				bestTot, mu[k] = t, c
				copy(best, nd)
			}
		}
		copy(d2, best)
	}
	lloyd(u, mu, lab, km.sums, km.cnt)
	all := km.sd
	w, ss := km.sums, km.cnt
	clear(w)
	clear(ss)
	for i, v := range u.x {
		k := lab[i]
		m := u.mass(i)
		w[k] += m
		ss[k] += m * ((v - mu[k]) * (v - mu[k]))
	}
	t := make([]float64, 3*K)
	for k := range K {
		sd := all
		if w[k] > 0 {
			sd = math.Sqrt(ss[k] / w[k])
		} else {
			w[k] = 1
		}
		t[K+k], t[2*K+k] = mu[k], math.Log(max(sd, floor))
	}
	tw := sum(w)
	for k := range K {
		t[k] = math.Log(w[k] / tw)
	}
	return t
}

// kmeansScratch is what kmeansStart works in, made once for the k-means++
// starting points of a fit on the points of a line: the centres, the
// points' squared distances to the nearest centre (d2), to it or a
// candidate (nd) and to the best candidate's (best), their labels, a sum
// and a weight per centre, and the points' standard deviation.
type kmeansScratch struct {
	mu, d2, nd, best, sums, cnt []float64
	lab                         []int
	sd                          float64
}

func newKmeansScratch(u line, K int) *kmeansScratch {
	n := len(u.x)
	f := make([]float64, 3*n+3*K)
	_, sd := u.moments(0, u.size())
	return &kmeansScratch{
		d2: f[:n:n], nd: f[n : 2*n : 2*n], best: f[2*n : 3*n : 3*n],
		mu: f[3*n : 3*n+K : 3*n+K], sums: f[3*n+K : 3*n+2*K : 3*n+2*K], cnt: f[3*n+2*K:],
		lab: make([]int, n), sd: sd,
	}
}

// lloyd runs at most lloydIters of Lloyd's iterations on the weighted
// points of u from the centres mu, leaving each point's nearest centre in
// lab; sums and cnt are scratch of len(mu).
func lloyd(u line, mu []float64, lab []int, sums, cnt []float64) {
	K := len(mu)
	for it := 0; ; it++ {
		changed := false
		for i, v := range u.x {
			b, bd := 0, math.Inf(1)
			for k, m := range mu {
				if d := math.Abs(v - m); d < bd {
					b, bd = k, d
				}
			}
			if lab[i] != b || it == 0 {
				changed = true
			}
			lab[i] = b
		}
		if !changed || it == lloydIters {
			return
		}
		clear(sums)
		clear(cnt)
		if u.V == nil {
			// Unit points: a mass of 1 adds v and 1, bit for bit.
			for i, v := range u.x {
				sums[lab[i]] += v
				cnt[lab[i]]++
			}
		} else {
			for i, v := range u.x {
				sums[lab[i]] += u.mass(i) * v
				cnt[lab[i]] += u.mass(i)
			}
		}
		for k := range K {
			if cnt[k] > 0 {
				mu[k] = sums[k] / cnt[k]
			}
		}
	}
}

// draw returns an index i with probability m_i·d[i]/tot, m_i the length of
// point i on the line u and tot = Σ_i m_i·d[i].
func draw(d []float64, u line, tot float64, rng *rand.Rand) int {
	t := rng.Float64() * tot
	var acc float64
	for i, v := range d {
		if u.V == nil {
			acc += v
		} else {
			acc += u.mass(i) * v
		}
		if acc > t {
			return i
		}
	}
	return len(d) - 1
}

// weightedSum returns Σ_i m_i·d[i], m_i the length of point i on u, summed
// in order (for unit points, m_i·d[i] is d[i] bit for bit).
func weightedSum(d []float64, u line) float64 {
	var s float64
	if u.V == nil {
		for _, v := range d {
			s += v
		}
		return s
	}
	for i, v := range d {
		s += u.mass(i) * v
	}
	return s
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}
