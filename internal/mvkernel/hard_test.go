package mvkernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// hardCase is a hard partition of problem(n, k, d)'s points: of rows drawn
// at random if sub, of all of them otherwise, with the weights if weighted,
// and no point in component empty (−1: none).
type hardCase struct {
	name          string
	n, k, d       int
	sub, weighted bool
	empty         int
}

var hardCases = []hardCase{
	{name: "d1", n: 500, k: 3, d: 1, empty: -1},
	{name: "d5 weighted", n: 3000, k: 4, d: 5, weighted: true, empty: -1},
	{name: "d13 rows", n: 3000, k: 3, d: 13, sub: true, empty: -1},
	{name: "d13 weighted rows", n: 3000, k: 3, d: 13, sub: true, weighted: true, empty: -1},
	{name: "d20 empty component", n: 2000, k: 4, d: 20, weighted: true, empty: 2},
	{name: "d50 many pieces", n: 20000, k: 2, d: 50, empty: -1},
}

// partition returns the case's data, rows and labels.
func (c hardCase) partition() (x Data, rows, labels []int) {
	x, _, _, _ = problem(c.n, c.k, c.d, 7)
	if !c.weighted {
		x.V = nil
	}
	rng := rand.New(rand.NewPCG(3, 4))
	m := c.n
	if c.sub {
		m = c.n / 3
		rows = rng.Perm(c.n)[:m]
	}
	labels = make([]int, m)
	for i := range labels {
		for labels[i] = rng.IntN(c.k); labels[i] == c.empty; labels[i] = rng.IntN(c.k) {
		}
	}
	return x, rows, labels
}

// hardNaive returns the statistics of the partition by two sweeps written
// out point by point, the means as HardStats forms them, and for each
// component and pair of coordinates S_ab = Σ v |x_a − μ_a||x_b − μ_b| and
// A_a = Σ v |x_a|, which bound the rounding errors.
func hardNaive(x Data, rows, labels []int, k int) (st *Stats, s2abs, a1abs []float64) {
	d := x.D
	st = NewStats(k, d)
	s2abs, a1abs = make([]float64, k*d*d), make([]float64, k*d)
	pt := func(i int) ([]float64, float64) {
		r := i
		if rows != nil {
			r = rows[i]
		}
		v := 1.0
		if x.V != nil {
			v = x.V[r]
		}
		return x.X[r*x.Stride : r*x.Stride+d], v
	}
	for i, z := range labels {
		xi, v := pt(i)
		st.W[z] += v
		st.Total += v
		for a, xa := range xi {
			st.Mean[z*d+a] += v * xa
			a1abs[z*d+a] += v * math.Abs(xa)
		}
	}
	for j := range k {
		for a := range d {
			if st.W[j] > 0 {
				st.Mean[j*d+a] /= st.W[j]
			}
		}
	}
	for i, z := range labels {
		xi, v := pt(i)
		for a := range d {
			for b := range d {
				p := v * (xi[a] - st.Mean[z*d+a]) * (xi[b] - st.Mean[z*d+b])
				st.M2[z*d*d+a*d+b] += p
				s2abs[z*d*d+a*d+b] += math.Abs(p)
			}
		}
	}
	return st, s2abs, a1abs
}

// TestHardStatsAgainstNaive checks HardStats against the two sweeps point
// by point, with the Go and the AVX2 kernels, on points far from zero
// (coordinates about 100 ± 4).
//
// The tolerances are the worst-case rounding errors of the sums (Higham,
// Accuracy and Stability of Numerical Algorithms, 2002, §4.2), with
// u = 2⁻⁵³ and n_k the component's points: both compute the same centred
// values x_a − μ_a, so their scatters differ by the rounding of the
// products (two roundings each) and of the two orders of summation ((n_k −
// 1) u each), at most 2(n_k + 1) u S_ab; HardStats's correction s1 s1ᵀ/W
// adds at most B_a B_b / W_k with B_a = 2 n_k u A_a, the size of Σ v (x_a −
// μ_a) where μ_a carries the rounding of its own sum (n_k u A_a/W_k); and
// its mean moves by s1/W, at most B_a/W_k, plus one rounding of μ_a.
func TestHardStatsAgainstNaive(t *testing.T) {
	const u = 0x1p-53
	for _, c := range hardCases {
		x, rows, labels := c.partition()
		want, s2abs, a1abs := hardNaive(x, rows, labels, c.k)
		counts := make([]int, c.k)
		for _, z := range labels {
			counts[z]++
		}
		forKernels(t, c.name, func(t *testing.T) {
			got := NewStats(c.k, c.d)
			HardStats(x, rows, labels, got)
			if got.Total != want.Total || !slices.Equal(got.W, want.W) {
				t.Fatalf("Total, W = %v, %v; want %v, %v (the same sums in the same order)", got.Total, got.W, want.Total, want.W)
			}
			if got.LogLik != 0 || got.Hard != 0 {
				t.Errorf("LogLik, Hard = %v, %v; want 0, 0", got.LogLik, got.Hard)
			}
			d := c.d
			worst := 0.0
			for j := range c.k {
				if j == c.empty {
					if slices.ContainsFunc(got.Mean[j*d:(j+1)*d], nonzero) || slices.ContainsFunc(got.M2[j*d*d:(j+1)*d*d], nonzero) {
						t.Errorf("component %d has no points but a non-zero mean or scatter", j)
					}
					continue
				}
				nk, wk := float64(counts[j]), want.W[j]
				bound := func(a int) float64 { return 2 * nk * u * a1abs[j*d+a] }
				for a := range d {
					g, w := got.Mean[j*d+a], want.Mean[j*d+a]
					tol := bound(a)/wk + u*math.Abs(w)
					worst = max(worst, math.Abs(g-w)/tol)
					if !(math.Abs(g-w) <= tol) {
						t.Errorf("mean[%d][%d] = %v; want %v ± %.3g", j, a, g, w, tol)
					}
					for b := range d {
						g, w := got.M2[j*d*d+a*d+b], want.M2[j*d*d+a*d+b]
						tol := 2*(nk+1)*u*s2abs[j*d*d+a*d+b] + bound(a)*bound(b)/wk
						worst = max(worst, math.Abs(g-w)/tol)
						if !(math.Abs(g-w) <= tol) {
							t.Errorf("M2[%d][%d,%d] = %v; want %v ± %.3g", j, a, b, g, w, tol)
						}
					}
				}
			}
			t.Logf("largest error: %.3g of its bound", worst)
		})
	}
}

func nonzero(v float64) bool { return v != 0 }

// TestHardStatsDeterministic checks that HardStats gives the same bits at
// GOMAXPROCS 1, 2 and 7, with pieces enough to share out.
func TestHardStatsDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range hardCases {
		x, rows, labels := c.partition()
		var first *Stats
		for _, procs := range []int{1, 2, 7} {
			runtime.GOMAXPROCS(procs)
			st := NewStats(c.k, c.d)
			HardStats(x, rows, labels, st)
			if first == nil {
				first = st
				continue
			}
			if !slices.Equal(st.Mean, first.Mean) || !slices.Equal(st.M2, first.M2) || !slices.Equal(st.W, first.W) {
				t.Errorf("%s: GOMAXPROCS=%d: statistics differ from GOMAXPROCS=1", c.name, procs)
			}
		}
	}
}

// BenchmarkHardStats times the moments of a hard partition of 10⁴ points
// into K = 5 components.
func BenchmarkHardStats(b *testing.B) {
	for _, d := range []int{20, 50, 100} {
		b.Run(fmt.Sprintf("n=1e4/d=%d/k=5", d), func(b *testing.B) {
			x, _, _, _ := problem(10000, 5, d, 1)
			x.V = nil
			labels := make([]int, x.N)
			for i := range labels {
				labels[i] = i % 5
			}
			st := NewStats(5, d)
			b.ResetTimer()
			for range b.N {
				HardStats(x, nil, labels, st)
			}
		})
	}
}
