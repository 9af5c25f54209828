package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Quantiles sets starting values from the sorted data: component k takes the
// points between the quantiles k/K and (k+1)/K, its weight is 1/K and its mean
// and standard deviation are those of its points. But where a few far values
// drag the mean of a component's points outside their middle half, the mean
// is the points' median instead and the standard deviation their root mean
// square deviation from it: that starts the component where the fit's
// optimum has it, a component of small weight wide enough to hold the far
// values, its mean held near the others by a prior. sorted must be sorted
// and non-empty. floor is the smallest standard deviation returned.
func Quantiles(sorted []float64, w, mu, sigma []float64, floor float64) {
	K := len(w)
	n := len(sorted)
	for k := range K {
		lo := k * n / K
		hi := (k + 1) * n / K
		if hi <= lo {
			// More components than points: share the nearest point.
			lo = min(lo, n-1)
			hi = lo + 1
		}
		g := sorted[lo:hi]
		moments(g, &mu[k], &sigma[k])
		if n := len(g); mu[k] < g[n/4] || mu[k] > g[(3*n)/4] {
			mu[k] = g[(n-1)/2]/2 + g[n/2]/2
			var ss float64
			for _, v := range g {
				ss += (v - mu[k]) * (v - mu[k])
			}
			sigma[k] = math.Sqrt(ss / float64(n))
		}
		sigma[k] = max(sigma[k], floor)
		w[k] = 1 / float64(K)
	}
}

// KMeansPP sets starting values by k-means++ seeding (Arthur & Vassilvitskii
// 2007) followed by at most iters Lloyd iterations: each cluster's share of
// the points, mean and standard deviation become a component's weight, mean
// and standard deviation. An empty cluster keeps its centre, gets the data's
// standard deviation and a weight of one point. labels is scratch of len(u).
func KMeansPP(u []float64, rng *rand.Rand, iters int, w, mu, sigma []float64, floor float64, labels []int) {
	K := len(w)
	n := len(u)
	d2 := make([]float64, n)
	mu[0] = u[rng.IntN(n)]
	for i, v := range u {
		d2[i] = (v - mu[0]) * (v - mu[0])
	}
	for k := 1; k < K; k++ {
		var tot float64
		for _, d := range d2 {
			tot += d
		}
		var pick int
		if tot > 0 {
			t := rng.Float64() * tot
			pick = n - 1
			var acc float64
			for i, d := range d2 {
				acc += d
				if acc > t {
					pick = i
					break
				}
			}
		} else {
			pick = rng.IntN(n)
		}
		mu[k] = u[pick]
		for i, v := range u {
			d2[i] = min(d2[i], (v-mu[k])*(v-mu[k]))
		}
	}
	var allMu, allSd float64
	moments(u, &allMu, &allSd)
	allSd = max(allSd, floor)

	cnt := make([]float64, K)
	for it := 0; it <= iters; it++ {
		changed := false
		for i, v := range u {
			best, bd := 0, math.Inf(1)
			for k := range K {
				if d := math.Abs(v - mu[k]); d < bd {
					best, bd = k, d
				}
			}
			if labels[i] != best || it == 0 {
				changed = true
			}
			labels[i] = best
		}
		if !changed || it == iters {
			break
		}
		clear(cnt)
		clear(w)
		for i, v := range u {
			cnt[labels[i]]++
			w[labels[i]] += v
		}
		for k := range K {
			if cnt[k] > 0 {
				mu[k] = w[k] / cnt[k]
			}
		}
	}
	clear(cnt)
	clear(sigma)
	for i, v := range u {
		k := labels[i]
		cnt[k]++
		sigma[k] += (v - mu[k]) * (v - mu[k])
	}
	for k := range K {
		if cnt[k] == 0 {
			w[k] = 1
			sigma[k] = allSd
			continue
		}
		w[k] = cnt[k]
		sigma[k] = max(math.Sqrt(sigma[k]/cnt[k]), floor)
	}
	var tot float64
	for _, v := range w {
		tot += v
	}
	for k := range w {
		w[k] /= tot
	}
}

// moments sets *mean and *sd to the mean and population standard deviation
// of the non-empty u.
func moments(u []float64, mean, sd *float64) {
	var m float64
	for i, v := range u {
		m += (v - m) / float64(i+1)
	}
	var ss float64
	for _, v := range u {
		ss += (v - m) * (v - m)
	}
	*mean = m
	*sd = math.Sqrt(ss / float64(len(u)))
}

// Sorted returns a sorted copy of u.
func Sorted(u []float64) []float64 {
	s := slices.Clone(u)
	slices.Sort(s)
	return s
}
