// Package benchdata holds the mixtures that the benchmarks draw their data
// from, so that the root package's benchmarks and bench/gofit, which times
// the same fits against scikit-learn, draw the same points.
package benchdata

import (
	"math"

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
