package mvcov

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchStats returns the statistics of soft responsibilities for n points
// drawn from k spread Gaussian clusters in d dimensions.
func benchStats(k, d, n int) ([]float64, *mat.Dense, []*mat.SymDense) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := mat.NewDense(n, d, nil)
	z := mat.NewDense(n, k, nil)
	for i := range n {
		c := i % k
		for a := range d {
			x.Set(i, a, float64(3*c*(a%2))+rng.NormFloat64()*(1+0.2*float64(a)))
		}
		for j := range k {
			w := 0.1 / float64(k)
			if j == c {
				w += 0.9
			}
			z.Set(i, j, w)
		}
	}
	return eStats(x, z)
}

// BenchmarkMStep measures one M-step of each model from the statistics of
// an E-step, started from the previous covariances as in EM.
func BenchmarkMStep(b *testing.B) {
	for _, size := range []struct{ k, d int }{{3, 4}, {5, 10}} {
		N, mean, scatter := benchStats(size.k, size.d, 2000)
		for m := EII; m <= VVV; m++ {
			b.Run(fmt.Sprintf("%v/k=%d,d=%d", m, size.k, size.d), func(b *testing.B) {
				ws := NewWorkspace(size.k, size.d)
				means, covs := mat.NewDense(size.k, size.d, nil), newCovs(size.k, size.d)
				if err := MStep(m, nil, N, mean, scatter, nil, means, covs, ws); err != nil {
					b.Fatal(err)
				}
				prev := newCovs(size.k, size.d)
				for j := range prev {
					prev[j].CopySym(covs[j])
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if err := MStep(m, nil, N, mean, scatter, prev, means, covs, ws); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(ws.Inner), "inner")
			})
		}
	}
}

// BenchmarkJacobiEigen measures the eigendecomposition of EEV's and VEV's
// M-steps on d×d scatters of random groups, for the d of iris (4) and the
// largest the Jacobi method serves (smallEig).
func BenchmarkJacobiEigen(b *testing.B) {
	for _, d := range []int{4, smallEig} {
		b.Run(fmt.Sprintf("d=%d", d), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(9, 10))
			const n = 16
			as := make([][]float64, n)
			for i := range as {
				g := mat.NewDense(3*d, d, nil)
				for r := range 3 * d {
					for c := range d {
						g.Set(r, c, rng.NormFloat64()*float64(c+1))
					}
				}
				var s mat.SymDense
				s.SymOuterK(1, g.T())
				as[i] = make([]float64, d*d)
				for r := range d {
					for c := range d {
						as[i][r*d+c] = s.At(r, c)
					}
				}
			}
			val, vec, w := make([]float64, d), make([]float64, d*d), make([]float64, d*d)
			i := 0
			for b.Loop() {
				if !jacobiEigen(val, vec, as[i%n], w, d) {
					b.Fatal("no convergence")
				}
				i++
			}
		})
	}
}
