package plot

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gmm-go/gmm"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// spread returns a mixture of k components placed at random over
// [0, 800], with standard deviations from 1 to 16 and random weights,
// and n draws from it: the overlapping mixtures of the benchmarks, drawn
// as if fitted.
func spread(tb testing.TB, k, n int) (*gmm.Model, []float64) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(uint64(k), 7))
	m := &gmm.Model{K: k, Weights: make([]float64, k), Means: make([]float64, k), Sigmas: make([]float64, k)}
	var sum float64
	for i := range k {
		m.Weights[i] = 0.2 + rng.Float64()
		m.Means[i] = 800 * rng.Float64()
		m.Sigmas[i] = 1 + 15*rng.Float64()
		sum += m.Weights[i]
	}
	for i := range k {
		m.Weights[i] /= sum
	}
	x, _, err := m.Sample(n, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return m, x
}

// clustersHeight is the height the command draws the clusters figure at:
// 1.2 inches a row and 2 more, at most 12 inches.
func clustersHeight(k int) vg.Length {
	return min(2+1.2*vg.Length(k), 12) * vg.Inch
}

// BenchmarkClusters draws the clusters figure of 10^5 values at the
// command line's size, at a few K.
func BenchmarkClusters(b *testing.B) {
	for _, k := range []int{3, 30, 200} {
		m, x := spread(b, k, 100000)
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			for b.Loop() {
				p, err := Clusters(m, x, "x")
				if err != nil {
					b.Fatal(err)
				}
				if err := WritePNG(&bytes.Buffer{}, p, 8*vg.Inch, clustersHeight(k)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDensity draws the density figure of 10^5 values at the
// command line's 8×5 inches, at a few K.
func BenchmarkDensity(b *testing.B) {
	for _, k := range []int{3, 30, 200} {
		m, x := spread(b, k, 100000)
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			for b.Loop() {
				p, err := Density(m, x, "x")
				if err != nil {
					b.Fatal(err)
				}
				if err := WritePNG(&bytes.Buffer{}, p, 8*vg.Inch, 5*vg.Inch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFigures draws the four figures of 10^5 values as the command
// line does, at its sizes, the clusters from labels made beforehand
// (ClustersOf), at a few K.
func BenchmarkFigures(b *testing.B) {
	for _, k := range []int{3, 30, 200} {
		m, x := spread(b, k, 100000)
		s := NewClusterSample(k)
		if err := s.Add(x, m.Assign(x)); err != nil {
			b.Fatal(err)
		}
		res := &gmm.Result{Loss: []float64{3, 2, 1.5, 1.4}, Steps: 4, Restarts: 1, Converged: true, Method: gmm.EM}
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			for b.Loop() {
				for _, f := range []struct {
					draw func() (*plot.Plot, error)
					h    vg.Length
				}{
					{func() (*plot.Plot, error) { return Data(x, "x") }, 3 * vg.Inch},
					{func() (*plot.Plot, error) { return Loss(res) }, 4.5 * vg.Inch},
					{func() (*plot.Plot, error) { return Density(m, x, "x") }, 5 * vg.Inch},
					{func() (*plot.Plot, error) { return ClustersOf(m, s, x, "x") }, clustersHeight(k)},
				} {
					p, err := f.draw()
					if err != nil {
						b.Fatal(err)
					}
					if err := WritePNG(&bytes.Buffer{}, p, 8*vg.Inch, f.h); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
