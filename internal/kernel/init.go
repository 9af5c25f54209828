package kernel

import (
	"math"
	"math/rand/v2"

	"github.com/gmm-go/gmm/internal/num"
)

// KMeansPP sets starting values by k-means++ seeding (Arthur & Vassilvitskii
// 2007) followed by at most iters Lloyd iterations: each cluster's share of
// the points, mean and standard deviation become a component's weight, mean
// and standard deviation. An empty cluster keeps its centre, gets the data's
// standard deviation and a weight of one point. labels is scratch of len(u).
//
// With weights v (nil for all 1, else positive) every sum weighs the
// points, the first centre (and a centre drawn when every point lies on
// one) is the point at a whole position drawn uniformly on the line of the
// weights (num.Line), and the others are drawn with probability
// proportional to weight times squared distance: for integer weights, the
// draws on the points written out in their places.
func KMeansPP(u, v []float64, rng *rand.Rand, iters int, w, mu, sigma []float64, floor float64, labels []int) {
	K := len(w)
	n := len(u)
	ln := num.NewLine(v)
	d2 := make([]float64, n)
	mu[0] = u[ln.Index(n, float64(rng.IntN(ln.Units(n))))]
	for i, v := range u {
		d2[i] = (v - mu[0]) * (v - mu[0])
	}
	for k := 1; k < K; k++ {
		var tot float64
		for i, d := range d2 {
			tot += ln.Mass(i) * d
		}
		var pick int
		if tot > 0 {
			t := rng.Float64() * tot
			pick = n - 1
			var acc float64
			for i, d := range d2 {
				acc += ln.Mass(i) * d
				if acc > t {
					pick = i
					break
				}
			}
		} else {
			pick = ln.Index(n, float64(rng.IntN(ln.Units(n))))
		}
		mu[k] = u[pick]
		for i, v := range u {
			d2[i] = min(d2[i], (v-mu[k])*(v-mu[k]))
		}
	}
	var allMu, allSd float64
	moments(u, ln, &allMu, &allSd)
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
		for i, x := range u {
			cnt[labels[i]] += ln.Mass(i)
			w[labels[i]] += ln.Mass(i) * x
		}
		for k := range K {
			if cnt[k] > 0 {
				mu[k] = w[k] / cnt[k]
			}
		}
	}
	clear(cnt)
	clear(sigma)
	for i, x := range u {
		k := labels[i]
		cnt[k] += ln.Mass(i)
		sigma[k] += ln.Mass(i) * ((x - mu[k]) * (x - mu[k]))
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
// of the non-empty u, each point weighted by its length on ln.
func moments(u []float64, ln num.Line, mean, sd *float64) {
	var m, tot float64
	for i, x := range u {
		tot += ln.Mass(i)
		m += ln.Mass(i) * (x - m) / tot
	}
	var ss float64
	for i, x := range u {
		ss += ln.Mass(i) * ((x - m) * (x - m))
	}
	*mean = m
	*sd = math.Sqrt(ss / tot)
}
