package gmm

import (
	"math"
	"math/rand/v2"
	"slices"
)

// startingPoints returns count starting points in θ = (log w, μ, log σ) for
// K components, from the standardised screening sample and its sorted copy:
// first the quantiles, then in turn greedy k-means++ seedings and random
// partitions, each from its own random stream of the seed. A starting point
// equal to one before it is drawn again, as a random partition, a few
// times, so that the count is kept where the data allow. Every σ is at
// least floor.
func startingPoints(sample, sorted []float64, K, count int, seed uint64, floor float64) [][]float64 {
	out := make([][]float64, 0, count)
	lab := make([]int, len(sample))
	out = append(out, quantileStart(sorted, K, floor))
	for r := 1; r < count; r++ {
		rng := rand.New(rand.NewPCG(seed, uint64(r)))
		var t []float64
		if r%2 == 1 {
			t = kmeansStart(sample, K, rng, floor, lab)
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

// quantileStart gives component k the points between the quantiles k/K and
// (k+1)/K of the sorted sample.
func quantileStart(sorted []float64, K int, floor float64) []float64 {
	n := len(sorted)
	cuts := make([]int, K+1)
	for k := range cuts {
		cuts[k] = k * n / K
	}
	return cutStart(sorted, cuts, floor)
}

// partitionStart cuts the sorted sample into K runs of consecutive points
// at K − 1 distinct places drawn at random.
func partitionStart(sorted []float64, K int, rng *rand.Rand, floor float64) []float64 {
	n := len(sorted)
	if n <= K {
		return quantileStart(sorted, K, floor)
	}
	cuts := []int{0, n}
	for len(cuts) < K+1 {
		c := 1 + rng.IntN(n-1)
		if !slices.Contains(cuts, c) {
			cuts = append(cuts, c)
		}
	}
	slices.Sort(cuts)
	return cutStart(sorted, cuts, floor)
}

// cutStart gives component k the sorted points from cuts[k] to cuts[k+1],
// with weight 1/K and their mean and standard deviation (at least floor);
// a component with no points (more components than points) shares the
// nearest point.
func cutStart(sorted []float64, cuts []int, floor float64) []float64 {
	K := len(cuts) - 1
	n := len(sorted)
	t := make([]float64, 3*K)
	for k := range K {
		lo, hi := cuts[k], cuts[k+1]
		if hi <= lo {
			lo = min(lo, n-1)
			hi = lo + 1
		}
		mu, sd := moments(sorted[lo:hi])
		t[k], t[K+k], t[2*K+k] = -math.Log(float64(K)), mu, math.Log(max(sd, floor))
	}
	return t
}

// kmeansStart seeds K centres by greedy k-means++ (Arthur & Vassilvitskii
// 2007, "k-means++: the advantages of careful seeding", SODA; the greedy
// form, as scikit-learn's: 2 + ⌊log K⌋ candidates are drawn for each
// centre in proportion to the squared distance to the nearest centre, and
// the one that lowers the total most is kept), runs Lloyd's iterations,
// and gives each cluster's share, mean and standard deviation (at least
// floor) to a component. An empty cluster keeps its centre and takes the
// sample's standard deviation and a weight of one point. lab is scratch of
// len(u).
func kmeansStart(u []float64, K int, rng *rand.Rand, floor float64, lab []int) []float64 {
	n := len(u)
	mu := make([]float64, K)
	d2 := make([]float64, n)
	nd := make([]float64, n)
	best := make([]float64, n)
	mu[0] = u[rng.IntN(n)]
	for i, v := range u {
		d2[i] = (v - mu[0]) * (v - mu[0])
	}
	trials := 2 + int(math.Log(float64(K)))
	for k := 1; k < K; k++ {
		tot := sum(d2)
		bestTot := math.Inf(1)
		for range trials {
			c := u[rng.IntN(n)]
			if tot > 0 {
				c = u[draw(d2, tot, rng)]
			}
			var t float64
			for i, v := range u {
				nd[i] = min(d2[i], (v-c)*(v-c))
				t += nd[i]
			}
			if t < bestTot {
				bestTot, mu[k] = t, c
				copy(best, nd)
			}
		}
		copy(d2, best)
	}
	lloyd(u, mu, lab)
	_, all := moments(u)
	w := make([]float64, K)
	ss := make([]float64, K)
	for i, v := range u {
		k := lab[i]
		w[k]++
		ss[k] += (v - mu[k]) * (v - mu[k])
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

// lloyd runs at most lloydIters of Lloyd's iterations from the centres mu,
// leaving each point's nearest centre in lab.
func lloyd(u, mu []float64, lab []int) {
	K := len(mu)
	sums := make([]float64, K)
	cnt := make([]float64, K)
	for it := 0; ; it++ {
		changed := false
		for i, v := range u {
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
		for i, v := range u {
			sums[lab[i]] += v
			cnt[lab[i]]++
		}
		for k := range K {
			if cnt[k] > 0 {
				mu[k] = sums[k] / cnt[k]
			}
		}
	}
}

// draw returns an index i with probability d[i]/tot.
func draw(d []float64, tot float64, rng *rand.Rand) int {
	t := rng.Float64() * tot
	var acc float64
	for i, v := range d {
		acc += v
		if acc > t {
			return i
		}
	}
	return len(d) - 1
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// moments returns the mean and population standard deviation of the
// non-empty u.
func moments(u []float64) (mean, sd float64) {
	for i, v := range u {
		mean += (v - mean) / float64(i+1)
	}
	var ss float64
	for _, v := range u {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(u)))
}
