package gmm_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/internal/benchdata"
	"github.com/gmm-go/gmm/internal/engine"
	"github.com/gmm-go/gmm/iris"
)

// mixture3 is the three-component mixture the size benchmarks draw from
// (mixtures[2] of the tests): weights .3/.5/.2, means −2/1/5, standard
// deviations 1/.7/1.5. bench/gofit draws the same data.
var mixture3 = mixtures[2].m

// BenchmarkFit times Fit at the default settings: on the iris petal lengths
// with the notebook's prior and K = 2, and by maximum likelihood (the zero
// prior) with K = 3 on data drawn from mixture3, each by each method. The
// size benchmarks also report the fitted average log-likelihood.
func BenchmarkFit(b *testing.B) {
	x := iris.PetalLength()
	for _, method := range []gmm.Method{gmm.Adam, gmm.EM} {
		b.Run("iris/K=2/n=150/"+method.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
				if _, err := m.Fit(x, &gmm.Settings{Method: method}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, size := range []struct {
		name string
		n    int
	}{{"1e5", 1e5}, {"1e6", 1e6}} {
		for _, method := range []gmm.Method{gmm.EM, gmm.Adam} {
			b.Run("mixture3/K=3/n="+size.name+"/"+method.String(), func(b *testing.B) {
				x, _, err := mixture3.Sample(size.n, 1)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				var m *gmm.Model
				for b.Loop() {
					m = &gmm.Model{K: 3}
					if _, err := m.Fit(x, &gmm.Settings{Method: method}); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				ll, err := m.LogLikelihood(x)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(ll/float64(size.n), "loglik/point")
			})
		}
	}
}

// BenchmarkFitManyComponents times Fit by EM, by maximum likelihood, on 10^5
// points drawn from benchdata.Many(K) with K components, evenly spaced. It
// reports the steps of every run of the fit, on the screening sample and on
// all the data (steps), those of the final run on all the data
// (final-steps, each one pass over the 10^5 points), whether that run
// converged, and the average log-likelihood, so that the growth of the
// passes with K can be read off. bench/large_k.sh times K = 200 next to
// scikit-learn.
func BenchmarkFitManyComponents(b *testing.B) {
	benchmarkLargeK(b, benchdata.Many)
}

// BenchmarkFitOverlapping is BenchmarkFitManyComponents on
// benchdata.Overlapping(K), whose components are placed at random, so that
// many pairs overlap heavily. A fit whose every run degenerates (a
// component collapsing onto a point, which maximum likelihood allows)
// reports degenerate 1 and the steps it took, rather than failing.
func BenchmarkFitOverlapping(b *testing.B) {
	benchmarkLargeK(b, benchdata.Overlapping)
}

func benchmarkLargeK(b *testing.B, mixture func(K int) *gmm.Model) {
	// Tol 1e-4 stops where a step changes the loss L (−log-likelihood of
	// the standardised data; a change is the same in any units) by at most
	// 1e-4·(|L| + n): within scikit-learn's stopping rule, a change of
	// 1e-3 in the average log-likelihood, 1e-3·n, while |L|/n < 9, as on
	// these mixtures (bench/large_k.sh times both).
	for _, c := range []struct {
		K   int
		tol float64
	}{{10, 0}, {30, 0}, {100, 0}, {200, 0}, {10, 1e-4}, {30, 1e-4}, {100, 1e-4}, {200, 1e-4}} {
		K := c.K
		name := fmt.Sprintf("K=%d/n=1e5/em", K)
		if c.tol != 0 {
			name += fmt.Sprintf("/tol=%g", c.tol)
		}
		b.Run(name, func(b *testing.B) {
			x, _, err := mixture(K).Sample(1e5, 1)
			if err != nil {
				b.Fatal(err)
			}
			var (
				m     *gmm.Model
				res   *gmm.Result
				steps int
			)
			b.ResetTimer()
			for b.Loop() {
				steps = 0
				m = &gmm.Model{K: K}
				res, err = m.Fit(x, &gmm.Settings{Method: gmm.EM, Tol: c.tol, Progress: func(int, int, float64) { steps++ }})
				var de *engine.DegenerateError
				if err != nil && !errors.As(err, &de) {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(steps), "steps")
			if err != nil {
				b.ReportMetric(1, "degenerate")
				return
			}
			ll, err := m.LogLikelihood(x)
			if err != nil {
				b.Fatal(err)
			}
			conv := 0.0
			if res.Converged {
				conv = 1
			}
			b.ReportMetric(0, "degenerate")
			b.ReportMetric(float64(res.Steps), "final-steps")
			b.ReportMetric(conv, "converged")
			b.ReportMetric(ll/1e5, "loglik/point")
		})
	}
}
