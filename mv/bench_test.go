package mv_test

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// BenchmarkFit times Fit at its defaults, by the size of the data: iris's
// 150 rows in 4 columns, and samples from the three-component VVV fit of
// iris.
func BenchmarkFit(b *testing.B) {
	src := mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := src.Fit(irisX(), nil); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		n, k int
		cov  mv.Covariance
	}{
		{"n=150/d=4/K=3/VVV", 150, 3, mv.VVV},
		{"n=150/d=4/K=2/VEV", 150, 2, mv.VEV},
		{"n=1e5/d=4/K=3/VVV", 100000, 3, mv.VVV},
	} {
		b.Run(c.name, func(b *testing.B) {
			var x *mat.Dense
			if c.n == 150 {
				x = irisX()
			} else {
				var err error
				if x, _, err = src.Sample(c.n, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for range b.N {
				m := mv.Model{K: c.k, Covariance: c.cov}
				if _, err := m.Fit(x, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
