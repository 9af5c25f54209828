// Package benchdata holds the mixtures that the benchmarks draw their data
// from, so that the root package's benchmarks and bench/gofit, which times
// the same fits against scikit-learn, draw the same points.
package benchdata

import (
	"math"
	"math/rand/v2"

	"github.com/gmm-go/gmm"
)

// Many returns the K-component mixture of the large-K benchmarks: component
// k has mean 5k, standard deviation 0.5 + frac(0.618k) and weight
// proportional to 1 + frac(0.382k), so that neighbours overlap by various
// amounts.
func Many(K int) *gmm.Model {
	m := &gmm.Model{K: K, Weights: make([]float64, K), Means: make([]float64, K), Sigmas: make([]float64, K)}
	var tot float64
	for k := range K {
		f := float64(k)
		m.Means[k] = 5 * f
		m.Sigmas[k] = 0.5 + (0.618*f - math.Floor(0.618*f))
		m.Weights[k] = 1 + (0.382*f - math.Floor(0.382*f))
		tot += m.Weights[k]
	}
	for k := range K {
		m.Weights[k] /= tot
	}
	return m
}

// Overlapping returns a K-component mixture whose components are placed at
// random: means uniform over [0, 4K) (800 units at K = 200, the same density
// of components at every K), standard deviations uniform on [0.5, 2] and
// weights proportional to 1 + u for u uniform on [0, 1), all drawn from a
// PCG stream seeded by K, so the same K gives the same mixture. With about
// one component every 4 units and standard deviations up to 2, many pairs
// overlap heavily, some almost entirely.
func Overlapping(K int) *gmm.Model {
	rng := rand.New(rand.NewPCG(uint64(K), 0x6f766c70))
	m := &gmm.Model{K: K, Weights: make([]float64, K), Means: make([]float64, K), Sigmas: make([]float64, K)}
	var tot float64
	for k := range K {
		m.Means[k] = 4 * float64(K) * rng.Float64()
		m.Sigmas[k] = 0.5 + 1.5*rng.Float64()
		m.Weights[k] = 1 + rng.Float64()
		tot += m.Weights[k]
	}
	for k := range K {
		m.Weights[k] /= tot
	}
	return m
}
