package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// reference computes the statistics of a pass point by point, the plain way:
// each point's log terms, their maximum, math.Exp of the differences and
// math.Log of their sum. It also returns, in abs, the sums of the absolute
// values of the terms of each sum (of |log s_i| for LogLik), which bound the
// rounding errors of summing them in any order.
func reference(x []float64, c, inv float64, w, mu, sigma []float64) (st, abs *Stats) {
	K := len(w)
	st, abs = NewStats(K), NewStats(K)
	l := make([]float64, K)
	for _, xv := range x {
		u := (xv - c) * inv
		m := math.Inf(-1)
		for k := range K {
			z := (u - mu[k]) / sigma[k]
			l[k] = math.Log(w[k]) - 0.5*z*z - math.Log(sigma[k]) - 0.5*math.Log(2*math.Pi)
			m = max(m, l[k])
		}
		var s float64
		for k := range K {
			l[k] = math.Exp(l[k] - m)
			s += l[k]
		}
		ll := m + math.Log(s)
		st.LogLik += ll
		abs.LogLik += math.Abs(ll)
		for k := range K {
			r := l[k] / s
			d := u - mu[k]
			st.N[k] += r
			st.S1[k] += r * d
			st.S2[k] += r * d * d
			abs.N[k] += r
			abs.S1[k] += math.Abs(r * d)
			abs.S2[k] += r * d * d
		}
	}
	return st, abs
}

type passCase struct {
	name      string
	x         []float64
	c, inv    float64
	w, mu, sd []float64
}

// draw returns n points from the mixture, plus outliers at the given
// values.
func draw(seed uint64, n int, w, mu, sd []float64, outliers ...float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := make([]float64, 0, n+len(outliers))
	for range n {
		t, k := rng.Float64(), 0
		for k < len(w)-1 && t >= w[k] {
			t -= w[k]
			k++
		}
		x = append(x, mu[k]+sd[k]*rng.NormFloat64())
	}
	// Scatter the outliers so that they fall in different blocks.
	for i, v := range outliers {
		x = append(x, v)
		j := (i * 7919) % len(x)
		x[j], x[len(x)-1] = x[len(x)-1], x[j]
	}
	return x
}

func passCases() []passCase {
	w3, mu3, sd3 := []float64{0.3, 0.5, 0.2}, []float64{-2, 1, 5}, []float64{1, 0.7, 1.5}
	return []passCase{
		{name: "K=1 one point", x: []float64{0.5}, c: 0, inv: 1,
			w: []float64{1}, mu: []float64{0}, sd: []float64{1}},
		{name: "K=2 iris-like n=150", x: draw(1, 150, []float64{1. / 3, 2. / 3}, []float64{1.46, 4.9}, []float64{0.18, 0.82}),
			c: 3.76, inv: 1 / 1.76, w: []float64{0.4, 0.6}, mu: []float64{-1.2, 0.6}, sd: []float64{0.2, 0.5}},
		{name: "K=3 overlapping, 3 chunks and a partial block", x: draw(2, 3*ChunkSize+77, w3, mu3, sd3),
			c: 0.5, inv: 1 / 2.8, w: w3, mu: []float64{-0.9, 0.2, 1.6}, sd: []float64{0.35, 0.25, 0.5}},
		{name: "K=3 far outliers take the slow path", x: draw(3, 20000, w3, mu3, sd3, -1e4, 250, 1e6, -37, 40),
			c: 0, inv: 1, w: w3, mu: mu3, sd: sd3},
		{name: "K=3 narrow component", x: draw(4, 10000, w3, mu3, sd3),
			c: 0, inv: 1, w: w3, mu: []float64{-2, 1, 1.0001}, sd: []float64{1, 0.7, 1e-3}},
		{name: "K=2 data far from zero", x: draw(5, 5000, []float64{0.5, 0.5}, []float64{1e6, 1e6 + 3}, []float64{1, 1}),
			c: 1e6 + 1.5, inv: 1 / 1.8, w: []float64{0.5, 0.5}, mu: []float64{-0.8, 0.8}, sd: []float64{0.6, 0.6}},
		{name: "K=4 with an empty component", x: draw(6, 9000, w3, mu3, sd3),
			c: 0, inv: 1, w: []float64{0.3, 0.5, 0.2, 0}, mu: []float64{-2, 1, 5, 0}, sd: []float64{1, 0.7, 1.5, 1}},
		// σ²  underflows below about 1e-154: the points exactly on the
		// narrow component's mean must still count for it.
		{name: "K=2 points on a mean with σ = 1e-200", x: append(draw(9, 300, []float64{1}, []float64{0.5}, []float64{1}), 0, 0, 0),
			c: 0, inv: 1, w: []float64{0.01, 0.99}, mu: []float64{0, 0.5}, sd: []float64{1e-200, 1}},
		{name: "K=2 points on a mean with σ = 1e-300", x: append(draw(10, 300, []float64{1}, []float64{0.5}, []float64{1}), 2, 2),
			c: 1, inv: 1, w: []float64{0.01, 0.99}, mu: []float64{1, -0.5}, sd: []float64{1e-300, 1}},
		{name: "K=7 n=2·block+1", x: draw(7, 2*block+1, w3, mu3, sd3),
			c: 0, inv: 1, w: []float64{0.1, 0.1, 0.2, 0.2, 0.1, 0.2, 0.1},
			mu: []float64{-3, -2, -1, 0, 1, 3, 5}, sd: []float64{0.5, 1, 0.3, 2, 1, 1, 0.1}},
	}
}

func (tc *passCase) run() *Stats {
	p := NewParams(len(tc.w))
	p.Set(tc.w, tc.mu, tc.sd)
	st := NewStats(len(tc.w))
	NewEngine(tc.x, tc.c, tc.inv, len(tc.w)).Pass(p, st)
	return st
}

// kernels lists the kernels a test should cover: the Go ones, and the AVX2
// ones where the processor has them. Its set function selects one, and
// the cleanup restores the choice made when the package started.
func kernels(t testing.TB) []struct {
	name string
	set  func()
} {
	saved := useAVX2
	t.Cleanup(func() { useAVX2 = saved })
	ks := []struct {
		name string
		set  func()
	}{{"go", func() { useAVX2 = false }}}
	if saved {
		ks = append(ks, struct {
			name string
			set  func()
		}{"avx2", func() { useAVX2 = true }})
	}
	return ks
}

func TestPassMatchesReference(t *testing.T) {
	for _, kn := range kernels(t) {
		kn.set()
		t.Run(kn.name, testPassMatchesReference)
	}
}

func testPassMatchesReference(t *testing.T) {
	const eps = 0x1p-52
	for _, tc := range passCases() {
		got := tc.run()
		want, abs := reference(tc.x, tc.c, tc.inv, tc.w, tc.mu, tc.sd)
		// Summing n terms in any order errs by at most (n−1)·ε/2 times the
		// sum of their magnitudes (Higham 2002, Accuracy and Stability of
		// Numerical Algorithms, §4.2), for each of the two sums compared:
		// n·ε in all. Each term differs by a few ulps between the two (exp
		// and math.Exp, the product of the sums, the divisions, the fused
		// multiply-adds of the AVX2 kernels), for which 8ε more is
		// allowed.
		n := float64(len(tc.x))
		tol := func(a float64) float64 { return (n + 8) * eps * a }
		if d := math.Abs(got.LogLik - want.LogLik); !(d <= tol(abs.LogLik+n)) {
			t.Errorf("%s: LogLik = %v, want %v (difference %g, tolerance %g)",
				tc.name, got.LogLik, want.LogLik, d, tol(abs.LogLik+n))
		}
		for k := range tc.w {
			for _, s := range []struct {
				name           string
				got, want, abs float64
			}{
				{"N", got.N[k], want.N[k], abs.N[k]},
				{"S1", got.S1[k], want.S1[k], abs.S1[k]},
				{"S2", got.S2[k], want.S2[k], abs.S2[k]},
			} {
				// A term dropped for being below e^−500 of the largest
				// (2^−800 in the fast path) changes a sum by less than
				// 1e-200 of n.
				if d := math.Abs(s.got - s.want); !(d <= tol(s.abs)+1e-200*n) {
					t.Errorf("%s: %s[%d] = %v, want %v (difference %g, tolerance %g)",
						tc.name, s.name, k, s.got, s.want, d, tol(s.abs))
				}
			}
		}
	}
}

func TestPassNaNParameters(t *testing.T) {
	x := draw(8, 3*ChunkSize, []float64{1}, []float64{0}, []float64{1})
	for _, tt := range []struct {
		name      string
		w, mu, sd []float64
	}{
		{"NaN mean", []float64{0.5, 0.5}, []float64{0, math.NaN()}, []float64{1, 1}},
		{"NaN sigma", []float64{0.5, 0.5}, []float64{0, 1}, []float64{math.NaN(), 1}},
		{"zero sigma", []float64{0.5, 0.5}, []float64{0, 1}, []float64{1, 0}},
		{"NaN weight", []float64{math.NaN(), 0.5}, []float64{0, 1}, []float64{1, 1}},
		{"infinite weight", []float64{math.Inf(1), 0.5}, []float64{0, 1}, []float64{1, 1}},
		{"infinite mean", []float64{0.5, 0.5}, []float64{0, math.Inf(-1)}, []float64{1, 1}},
		{"subnormal sigma", []float64{0.5, 0.5}, []float64{0, 1}, []float64{1, 1e-310}},
	} {
		for _, n := range []int{100, len(x)} {
			p := NewParams(2)
			p.Set(tt.w, tt.mu, tt.sd)
			st := NewStats(2)
			NewEngine(x[:n], 0, 1, 2).Pass(p, st)
			if !math.IsNaN(st.LogLik) || !math.IsNaN(st.N[0]) || !math.IsNaN(st.S2[1]) {
				t.Errorf("%s, n=%d: got %+v, want NaN statistics", tt.name, n, st)
			}
		}
	}
}

// TestPassSameAtAnyGOMAXPROCS checks that a pass gives the same bits
// whatever the number of goroutines.
func TestPassSameAtAnyGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, kn := range kernels(t) {
		kn.set()
		t.Run(kn.name, testPassSameAtAnyGOMAXPROCS)
	}
}

func testPassSameAtAnyGOMAXPROCS(t *testing.T) {
	for _, tc := range passCases() {
		var first *Stats
		for _, procs := range []int{1, 2, 7} {
			runtime.GOMAXPROCS(procs)
			// Twice, so that the second pass runs with the helpers the
			// first one started.
			for range 2 {
				st := tc.run()
				if first == nil {
					first = st
					continue
				}
				if !sameBits(st, first) {
					t.Errorf("%s: GOMAXPROCS=%d gives %+v, GOMAXPROCS=1 gives %+v", tc.name, procs, st, first)
				}
			}
		}
	}
}

func sameBits(a, b *Stats) bool {
	eq := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
	if !eq(a.LogLik, b.LogLik) {
		return false
	}
	for k := range a.N {
		if !eq(a.N[k], b.N[k]) || !eq(a.S1[k], b.S1[k]) || !eq(a.S2[k], b.S2[k]) {
			return false
		}
	}
	return true
}

func TestPassAllocs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, kn := range kernels(t) {
		kn.set()
		t.Run(kn.name, testPassAllocs)
	}
}

func testPassAllocs(t *testing.T) {
	x := draw(9, 5*ChunkSize, []float64{0.3, 0.5, 0.2}, []float64{-2, 1, 5}, []float64{1, 0.7, 1.5})
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{1000, len(x)} {
			eng := NewEngine(x[:n], 0, 1, 3)
			p := NewParams(3)
			p.Set([]float64{0.3, 0.5, 0.2}, []float64{-2, 1, 5}, []float64{1, 0.7, 1.5})
			st := NewStats(3)
			if a := testing.AllocsPerRun(20, func() { eng.Pass(p, st) }); a != 0 {
				t.Errorf("GOMAXPROCS=%d, n=%d: %v allocations per pass, want 0", procs, n, a)
			}
		}
	}
}

func BenchmarkPass(b *testing.B) {
	for _, kn := range kernels(b) {
		kn.set()
		for _, K := range []int{2, 3, 5} {
			for _, size := range []struct {
				name string
				n    int
			}{{"1e4", 1e4}, {"1e6", 1e6}} {
				b.Run(fmt.Sprintf("%s/K=%d/n=%s", kn.name, K, size.name), func(b *testing.B) {
					w, mu, sd := make([]float64, K), make([]float64, K), make([]float64, K)
					for k := range K {
						w[k] = 1 / float64(K)
						mu[k] = float64(3 * k)
						sd[k] = 1 + 0.2*float64(k)
					}
					x := draw(10, size.n, w, mu, sd)
					eng := NewEngine(x, 0, 1, K)
					p := NewParams(K)
					p.Set(w, mu, sd)
					st := NewStats(K)
					eng.Pass(p, st)
					b.ResetTimer()
					for b.Loop() {
						eng.Pass(p, st)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(size.n), "ns/point")
				})
			}
		}
	}
}

// spreadSums returns a block of sums e^z, z normal with standard
// deviation 20 from the random stream (seed, stream), so that some lie
// outside the fast path's range.
func spreadSums(seed, stream uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, stream))
	s := make([]float64, block)
	for i := range s {
		s[i] = math.Exp(rng.NormFloat64() * 20)
	}
	return s
}

// TestNormSameBits checks that normAVX2 and normGo, which do the same
// correctly rounded operations in the same order, agree bit for bit,
// including on sums outside the fast path's range.
func TestNormSameBits(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 and FMA on this processor")
	}
	s := spreadSums(11, 12)
	s[5], s[6], s[7], s[100] = 0x1p-70, 0x1p70, math.NaN(), 0
	a, b := make([]float64, block), make([]float64, block)
	copy(a, s)
	copy(b, s)
	var pa, pb product
	pa.reset()
	pb.reset()
	for range 3 {
		okA := normAVX2(&a[0], len(a), &pa)
		okB := normGo(b, &pb)
		if okA || okB {
			t.Errorf("ok = %v (AVX2), %v (Go), want false: some sums are out of range", okA, okB)
		}
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("s[%d]: AVX2 gives %v, Go %v", i, a[i], b[i])
			}
		}
		if pa != pb {
			t.Fatalf("products differ: AVX2 %+v, Go %+v", pa, pb)
		}
		copy(a, s)
		copy(b, s)
	}
}

// TestAVX512NormSameBits checks that normAVX512 and normAVX2 agree bit for
// bit, in the inverses, the product and whether every sum was in range,
// for every length up to a block, with sums out of range in either half
// of a group of eight, in the last four, or nowhere.
func TestAVX512NormSameBits(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this processor")
	}
	s := spreadSums(13, 14)
	for _, bad := range []map[int]float64{
		nil,
		{1: 0x1p-70},
		{6: 0x1p70},
		{8: math.NaN(), 13: 0},
		{122: math.Inf(1)},
		{124: 0x1p-65},
		{3: 0, 100: math.NaN(), 127: 0x1p65},
	} {
		in := slices.Clone(s)
		for i, v := range bad {
			in[i] = v
		}
		for n := 4; n <= block; n += 4 {
			a, b := slices.Clone(in[:n]), slices.Clone(in[:n])
			var pa, pb product
			pa.reset()
			pb.reset()
			for range 2 {
				okA := normAVX512(&a[0], n, &pa)
				okB := normAVX2(&b[0], n, &pb)
				if okA != okB {
					t.Fatalf("sums out of range at %v, n = %d: ok = %v (AVX-512), %v (AVX2)", bad, n, okA, okB)
				}
				for i := range a {
					if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
						t.Fatalf("sums out of range at %v, n = %d: s[%d] = %v (AVX-512), %v (AVX2)", bad, n, i, a[i], b[i])
					}
				}
				if pa != pb {
					t.Fatalf("sums out of range at %v, n = %d: products %+v (AVX-512), %+v (AVX2)", bad, n, pa, pb)
				}
				copy(a, in[:n])
				copy(b, in[:n])
			}
		}
	}
}

func BenchmarkBlock(b *testing.B) {
	u := make([]float64, block)
	for i := range u {
		u[i] = float64(i%17) * 0.3
	}
	e := make([]float64, block)
	s := make([]float64, block)
	var a product
	a.reset()
	name := fmt.Sprintf("/n=%d", block)
	for _, kn := range kernels(b) {
		kn.set()
		b.Run(kn.name+"/terms"+name, func(b *testing.B) {
			for b.Loop() {
				terms(e, s, u, -1, -0.5, 2)
			}
		})
		b.Run(kn.name+"/norm"+name, func(b *testing.B) {
			for b.Loop() {
				for i := range s {
					s[i] = 0.5
				}
				norm(s, &a)
			}
		})
		b.Run(kn.name+"/weighted"+name, func(b *testing.B) {
			for b.Loop() {
				weighted(e, s, u, 2)
			}
		})
	}
}

// TestKernelsAgreeOnNaN checks that the two kernels give a NaN exponent, of
// either sign, and a NaN point the same term, 0, and that a pass over data
// with a NaN gives NaN statistics on both.
func TestKernelsAgreeOnNaN(t *testing.T) {
	negNaN := math.Copysign(math.NaN(), -1)
	u := []float64{math.NaN(), negNaN, 0, 1, math.Inf(1), 2, 3, 4}
	x := draw(11, 1000, []float64{1}, []float64{0}, []float64{1})
	x[17] = math.NaN()
	for _, kn := range kernels(t) {
		kn.set()
		for _, lc := range []float64{-1, math.NaN(), negNaN} {
			e, s := make([]float64, len(u)), make([]float64, len(u))
			terms(e, s, u, lc, 0.5, 1)
			for i, v := range e {
				nan := math.IsNaN(lc) || math.IsNaN(u[i]) || math.IsInf(u[i], 0)
				if nan && (v != 0 || s[i] != 0) {
					t.Errorf("%s: term at u = %v, lc = %v is %v (sum %v), want 0", kn.name, u[i], lc, v, s[i])
				}
			}
		}
		p := NewParams(2)
		p.Set([]float64{0.5, 0.5}, []float64{-1, 1}, []float64{1, 1})
		st := NewStats(2)
		NewEngine(x, 0, 1, 2).Pass(p, st)
		if !math.IsNaN(st.LogLik) || !math.IsNaN(st.N[0]) {
			t.Errorf("%s: pass over data with a NaN gives %+v, want NaN statistics", kn.name, st)
		}
	}
}

// TestWeightedPassMatchesReplication checks that a pass with integer
// weights v_i gives the statistics of the data with each point written v_i
// times (0: left out), on both kernels and on every case, the slow path's
// included.
func TestWeightedPassMatchesReplication(t *testing.T) {
	for _, kn := range kernels(t) {
		kn.set()
		t.Run(kn.name, func(t *testing.T) {
			const eps = 0x1p-52
			rng := rand.New(rand.NewPCG(11, 0))
			for _, tc := range passCases() {
				w := make([]float64, len(tc.x))
				var rep []float64
				for i, v := range tc.x {
					w[i] = float64(rng.IntN(4))
					for range int(w[i]) {
						rep = append(rep, v)
					}
				}
				K := len(tc.w)
				p := NewParams(K)
				p.Set(tc.w, tc.mu, tc.sd)
				got, want := NewStats(K), NewStats(K)
				NewWeightedEngine(tc.x, w, tc.c, tc.inv, K).Pass(p, got)
				NewEngine(rep, tc.c, tc.inv, K).Pass(p, want)
				_, abs := reference(rep, tc.c, tc.inv, tc.w, tc.mu, tc.sd)
				// The two sum the same terms in different orders and
				// groupings (v_i·t_i against t_i added v_i times, v_i log s_i
				// against a product of s_i), each within the bound of
				// TestPassMatchesReference: (n + 8)·ε times the sum of the
				// magnitudes, for the replicated n, twice.
				n := float64(len(rep))
				tol := func(a float64) float64 { return 2 * (n + 8) * eps * a }
				if d := math.Abs(got.LogLik - want.LogLik); !(d <= tol(abs.LogLik+n)) {
					t.Errorf("%s: LogLik = %v, replicated %v (difference %g)", tc.name, got.LogLik, want.LogLik, d)
				}
				for k := range K {
					for _, s := range []struct {
						name           string
						got, want, abs float64
					}{
						{"N", got.N[k], want.N[k], abs.N[k]},
						{"S1", got.S1[k], want.S1[k], abs.S1[k]},
						{"S2", got.S2[k], want.S2[k], abs.S2[k]},
					} {
						if d := math.Abs(s.got - s.want); !(d <= tol(s.abs)+1e-200*n) {
							t.Errorf("%s: %s[%d] = %v, replicated %v (difference %g)", tc.name, s.name, k, s.got, s.want, d)
						}
					}
				}
			}
		})
	}
}

// TestAddInPiecesSameBits checks that passes over pieces of the data whose
// lengths are multiples of ChunkSize, added in turn, give one Pass's
// statistics bit for bit, with and without weights.
func TestAddInPiecesSameBits(t *testing.T) {
	tc := passCases()[2] // three chunks and a partial block
	K := len(tc.w)
	p := NewParams(K)
	p.Set(tc.w, tc.mu, tc.sd)
	w := make([]float64, len(tc.x))
	for i := range w {
		w[i] = float64(i%3) * 0.75
	}
	for _, wt := range [][]float64{nil, w} {
		whole := NewStats(K)
		NewWeightedEngine(tc.x, wt, tc.c, tc.inv, K).Pass(p, whole)
		got := NewStats(K)
		e := NewEngine(nil, tc.c, tc.inv, K)
		for lo := 0; lo < len(tc.x); lo += 2 * ChunkSize {
			hi := min(lo+2*ChunkSize, len(tc.x))
			var wp []float64
			if wt != nil {
				wp = wt[lo:hi]
			}
			e.Reset(tc.x[lo:hi], wp)
			e.Add(p, got)
		}
		if !sameBits(got, whole) {
			t.Errorf("weights %v: pieces %+v, one pass %+v", wt != nil, got, whole)
		}
	}
}

// TestShortBlocksSameBits checks that an Engine on data shorter than a
// block, whose workers take blocks of only as many points (rounded up to
// 4), gives the statistics of workers with whole blocks bit for bit,
// points on the slow path included, and that one made on short data and
// Reset to longer data gives those of an Engine made on the longer data.
func TestShortBlocksSameBits(t *testing.T) {
	w, mu, sd := []float64{0.3, 0.5, 0.2}, []float64{-2, 1, 5}, []float64{1, 0.7, 1.5}
	p := NewParams(3)
	p.Set(w, mu, sd)
	long := draw(12, 3*block+5, w, mu, sd)
	for _, kn := range kernels(t) {
		kn.set()
		for _, n := range []int{1, 3, 4, 5, 82, block - 1, block} {
			x := draw(11, n, w, mu, sd)
			x[0] = 1e4 // far out: the slow path
			short := NewEngine(x, 0.5, 1/1.3, 3)
			if bs := short.workers[0].bs; bs != blockFor(n) || bs > block || bs%4 != 0 {
				t.Fatalf("%s, n=%d: blocks of %d points", kn.name, n, bs)
			}
			whole := NewEngine(x, 0.5, 1/1.3, 3)
			whole.workers = []*worker{newWorker(3, block)}
			got, want := NewStats(3), NewStats(3)
			short.Pass(p, got)
			whole.Pass(p, want)
			if !sameBits(got, want) {
				t.Errorf("%s, n=%d: short blocks %+v, whole blocks %+v", kn.name, n, got, want)
			}
			short.Reset(long, nil)
			short.Pass(p, got)
			NewEngine(long, 0.5, 1/1.3, 3).Pass(p, want)
			if !sameBits(got, want) {
				t.Errorf("%s, n=%d, Reset to %d points: %+v, a new Engine %+v", kn.name, n, len(long), got, want)
			}
		}
	}
}
