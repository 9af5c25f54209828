package mvkernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/kernel"
)

// problem draws a random mixture of k components in d dimensions and n
// points around it.
func problem(n, k, d int, seed uint64) (x Data, w, mean []float64, cov [][]float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	w = make([]float64, k)
	for j := range w {
		w[j] = 0.5 + rng.Float64()
	}
	s := 0.0
	for _, v := range w {
		s += v
	}
	for j := range w {
		w[j] /= s
	}
	mean = make([]float64, k*d)
	for i := range mean {
		mean[i] = 3 * rng.NormFloat64()
	}
	cov = make([][]float64, k)
	for j := range cov {
		a := mat.NewDense(d, d, nil)
		for i := range d {
			for l := range d {
				a.Set(i, l, rng.NormFloat64())
			}
		}
		var c mat.Dense
		c.Mul(a, a.T())
		cov[j] = make([]float64, d*d)
		for i := range d {
			for l := range d {
				cov[j][i*d+l] = c.At(i, l)
				if i == l {
					cov[j][i*d+l] += 0.5
				}
			}
		}
	}
	stride := d + 2
	xs := make([]float64, n*stride)
	for i := range xs {
		xs[i] = 100 + 4*rng.NormFloat64() // offset: the centring must keep the sums accurate
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.Float64() * 2
	}
	return Data{X: xs, N: n, D: d, Stride: stride, V: v}, w, mean, cov
}

// TestPassAgainstDistmv checks every output of a pass against sums written
// out point by point, with the component densities from gonum's distmv.
// The tolerance 1e-9 relative allows for the different order of the sums
// over up to 3000 points (each rounding 1.1e-16 relative, sums of positive
// terms and of terms of either sign whose size is bounded by the sum of
// their magnitudes, which the scale of the comparison uses).
func TestPassAgainstDistmv(t *testing.T) {
	for _, c := range []struct {
		name    string
		n, k, d int
	}{
		{"n1 k1 d1", 1, 1, 1},
		{"n5 k2 d2", 5, 2, 2},
		{"n300 k3 d4", 300, 3, 4},
		{"n3000 k4 d7", 3000, 4, 7},
		{"n2000 k2 d20", 2000, 2, 20},
		{"n300 k9 d60 (blocks recentred)", 300, 9, 60},
	} {
		forKernels(t, c.name, func(t *testing.T) {
			x, w, mean, cov := problem(c.n, c.k, c.d, uint64(c.n*c.d))
			p := NewParams(c.k, c.d)
			if err := p.Set(w, mean, cov); err != nil {
				t.Fatal(err)
			}
			st := NewStats(c.k, c.d)
			resp := make([]float64, c.n*c.k)
			logp := make([]float64, c.n)
			assign := make([]int, c.n)
			NewPass(c.k, c.d).Run(x, p, Out{Stats: st, Resp: resp, LogP: logp, Assign: assign})

			want := naive(t, x, w, mean, cov, c.k)
			close := func(what string, got, want, scale float64) {
				t.Helper()
				if math.Abs(got-want) > 1e-9*scale {
					t.Errorf("%s: got %.15g, want %.15g", what, got, want)
				}
			}
			close("LogLik", st.LogLik, want.LogLik, want.absL)
			close("Total", st.Total, want.Total, want.Total)
			close("Hard", st.Hard, want.Hard, want.Total+want.Hard)
			for k := range c.k {
				close("W", st.W[k], want.W[k], want.Total)
				for j := range c.d {
					close("Mean", st.Mean[k*c.d+j], want.Mean[k*c.d+j], want.absMean[k*c.d+j])
					for l := range c.d {
						i := k*c.d*c.d + j*c.d + l
						close("M2", st.M2[i], want.M2[i], want.absM2[i])
					}
				}
			}
			for i := range c.n {
				close("LogP", logp[i], want.logp[i], math.Abs(want.logp[i]))
				for k := range c.k {
					close("Resp", resp[i*c.k+k], want.resp[i*c.k+k], 1)
				}
				if want.resp[i*c.k+assign[i]] < slices.Max(want.resp[i*c.k:(i+1)*c.k])-1e-12 {
					t.Errorf("point %d assigned to %d, not its most probable component", i, assign[i])
				}
			}
		})
	}
}

// forKernels runs f as a subtest with the Go kernels, this package's and
// internal/kernel's, and, where this processor has them, with the AVX2
// kernels.
func forKernels(t *testing.T, name string, f func(t *testing.T)) {
	defer func(v bool) { useAVX2 = v }(useAVX2)
	defer kernel.SetAccelerated(kernel.SetAccelerated(false))
	avx := useAVX2
	useAVX2 = false
	t.Run(name+"/go", f)
	if avx {
		useAVX2 = true
		kernel.SetAccelerated(true)
		t.Run(name+"/avx2", f)
	}
}

type naiveStats struct {
	Stats
	absL           float64
	absMean, absM2 []float64
	logp, resp     []float64
}

func naive(t *testing.T, x Data, w, mean []float64, cov [][]float64, k int) naiveStats {
	d := x.D
	var chols []*mat.Cholesky
	for j := range k {
		var c mat.Cholesky
		if !c.Factorize(mat.NewSymDense(d, slices.Clone(cov[j]))) {
			t.Fatalf("component %d: mat.Cholesky rejects the covariance", j)
		}
		chols = append(chols, &c)
	}
	logN := func(j int, xi []float64) float64 {
		z := mat.NewVecDense(d, nil)
		for a := range d {
			z.SetVec(a, xi[a]-mean[j*d+a])
		}
		var s mat.VecDense
		if err := chols[j].SolveVecTo(&s, z); err != nil {
			t.Fatal(err)
		}
		return -0.5*mat.Dot(z, &s) - 0.5*chols[j].LogDet() - 0.5*float64(d)*math.Log(2*math.Pi)
	}
	s := naiveStats{Stats: *NewStats(k, d), absMean: make([]float64, k*d), absM2: make([]float64, k*d*d),
		logp: make([]float64, x.N), resp: make([]float64, x.N*k)}
	l := make([]float64, k)
	row := func(i int) []float64 { return x.X[i*x.Stride : i*x.Stride+d] }
	for i := range x.N {
		xi := row(i)
		mx := math.Inf(-1)
		for j := range k {
			l[j] = math.Log(w[j]) + logN(j, xi)
			mx = max(mx, l[j])
		}
		var sum float64
		for j := range k {
			sum += math.Exp(l[j] - mx)
		}
		lp := mx + math.Log(sum)
		v := x.V[i]
		s.logp[i] = lp
		s.Total += v
		s.LogLik += v * lp
		s.absL += math.Abs(v * lp)
		s.Hard += v * (lp - mx)
		for j := range k {
			r := math.Exp(l[j] - lp)
			s.resp[i*k+j] = r
			s.W[j] += v * r
			for a := range d {
				s.Mean[j*d+a] += v * r * xi[a]
				s.absMean[j*d+a] += v * r * math.Abs(xi[a])
			}
		}
	}
	// The centred second moments, in a second pass about the weighted means.
	for j := range k {
		for a := range d {
			s.Mean[j*d+a] /= s.W[j]
			s.absMean[j*d+a] /= s.W[j]
		}
	}
	for i := range x.N {
		xi := row(i)
		v := x.V[i]
		for j := range k {
			vr := v * s.resp[i*k+j]
			for a := range d {
				za := xi[a] - s.Mean[j*d+a]
				for b := range d {
					zb := xi[b] - s.Mean[j*d+b]
					s.M2[j*d*d+a*d+b] += vr * za * zb
					s.absM2[j*d*d+a*d+b] += math.Abs(vr * za * zb)
				}
			}
		}
	}
	return s
}

// TestPassDeterministic checks that the statistics are bit-identical at
// GOMAXPROCS 1, 2 and 7, in small and larger dimensions.
func TestPassDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct{ n, k, d int }{{50000, 3, 5}, {12000, 2, 52}} {
		forKernels(t, fmt.Sprintf("n=%d/d=%d", c.n, c.d), func(t *testing.T) { deterministic(t, c.n, c.k, c.d) })
	}
}

// TestPassSumsOnly checks that a pass asked for the statistics alone of
// unweighted points, which normalise forms by sumsOnly, gives the same
// statistics bit for bit as one that also writes the responsibilities and
// assignments, which take the general loop: the same sums in the same
// order. The data have points far from every component, whose terms all
// underflow, on both sides of a block's end.
func TestPassSumsOnly(t *testing.T) {
	for _, c := range []struct {
		name    string
		n, k, d int
	}{
		{"iris-sized", 150, 3, 4},
		{"several blocks", 1000, 5, 3},
	} {
		forKernels(t, c.name, func(t *testing.T) {
			x, w, mean, cov := problem(c.n, c.k, c.d, 11)
			x.V = nil
			x.X = slices.Clone(x.X)
			for _, i := range []int{0, Block - 1, c.n - 1} {
				x.X[i*x.Stride] = 1e200
			}
			p := NewParams(c.k, c.d)
			if err := p.Set(w, mean, cov); err != nil {
				t.Fatal(err)
			}
			alone, with := NewStats(c.k, c.d), NewStats(c.k, c.d)
			NewPass(c.k, c.d).Run(x, p, Out{Stats: alone})
			resp, assign := make([]float64, c.n*c.k), make([]int, c.n)
			NewPass(c.k, c.d).Run(x, p, Out{Stats: with, Resp: resp, Assign: assign})
			// Bit for bit: the far points' scatters are NaN (0 · ∞) on both.
			same := func(a, b []float64) bool {
				return slices.EqualFunc(a, b, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
			}
			if alone.Total != with.Total || alone.LogLik != with.LogLik || alone.Hard != with.Hard ||
				!same(alone.W, with.W) || !same(alone.Mean, with.Mean) || !same(alone.M2, with.M2) {
				t.Errorf("statistics alone: total %v, log-likelihood %v, hard %v; with responsibilities: %v, %v, %v",
					alone.Total, alone.LogLik, alone.Hard, with.Total, with.LogLik, with.Hard)
			}
		})
	}
}

// deterministic checks one problem's statistics at GOMAXPROCS 1, 2 and 7.
func deterministic(t *testing.T, n, k, d int) {
	x, w, mean, cov := problem(n, k, d, 7)
	p := NewParams(k, d)
	if err := p.Set(w, mean, cov); err != nil {
		t.Fatal(err)
	}
	var first *Stats
	for _, procs := range []int{1, 2, 7} {
		runtime.GOMAXPROCS(procs)
		st := NewStats(k, d)
		NewPass(k, d).Run(x, p, Out{Stats: st})
		if first == nil {
			first = st
			continue
		}
		if st.LogLik != first.LogLik || !slices.Equal(st.W, first.W) || !slices.Equal(st.Mean, first.Mean) || !slices.Equal(st.M2, first.M2) {
			t.Errorf("GOMAXPROCS=%d: statistics differ from GOMAXPROCS=1", procs)
		}
	}
}

// TestSetRejectsNotPD checks that Set names the component whose covariance
// has no Cholesky factor.
func TestSetRejectsNotPD(t *testing.T) {
	p := NewParams(2, 2)
	err := p.Set([]float64{0.5, 0.5}, []float64{0, 0, 1, 1}, [][]float64{{1, 0, 0, 1}, {1, 1, 1, 1}})
	var e *NotPDError
	if err == nil || !asNotPD(err, &e) || e.Component != 1 {
		t.Fatalf("Set: got %v, want a NotPDError for component 1", err)
	}
}

// TestSetFactor checks that SetFactor, given the Cholesky factors of the
// covariances, sets the parameters Set sets from the covariances, and that
// it names the first component whose factor is not valid.
func TestSetFactor(t *testing.T) {
	const k, d = 4, 5
	_, w, mean, cov := problem(10, k, d, 3)
	want := NewParams(k, d)
	if err := want.Set(w, mean, cov); err != nil {
		t.Fatal(err)
	}
	chol := make([]float64, k*d*d)
	logW, logDet := make([]float64, k), make([]float64, k)
	for j := range k {
		var ok bool
		logDet[j], ok = Cholesky(chol[j*d*d:(j+1)*d*d], cov[j], d)
		if !ok {
			t.Fatalf("component %d: no Cholesky factor", j)
		}
		logW[j] = math.Log(w[j])
	}
	got := NewParams(k, d)
	if err := got.SetFactor(logW, mean, chol, logDet); err != nil {
		t.Fatal(err)
	}
	// Both sides factor the same matrices by the same operations (Set's
	// Cholesky is this Cholesky) and take the same logarithms, so they
	// agree bit for bit.
	for _, c := range []struct {
		name      string
		got, want []float64
	}{
		{"Mean", got.Mean, want.Mean},
		{"Inv", got.Inv, want.Inv},
		{"Const", got.Const, want.Const},
		{"LogDet", got.LogDet, want.LogDet},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, c := range []struct {
		name string
		in   int     // 0: the factors, 1: logW, 2: logDet
		at   int     // index in the second component's factor, or 0
		v    float64 // the bad value put there
	}{
		{"zero diagonal", 0, 2*d + 2, 0},
		{"negative diagonal", 0, 0, -1},
		{"infinite diagonal", 0, d + 1, math.Inf(1)},
		{"NaN below the diagonal", 0, 3*d + 1, math.NaN()},
		{"infinite below the diagonal", 0, d, math.Inf(-1)},
		{"NaN log weight", 1, 0, math.NaN()},
		{"infinite log weight", 1, 0, math.Inf(1)},
		{"infinite log determinant", 2, 0, math.Inf(-1)},
		{"NaN log determinant", 2, 0, math.NaN()},
	} {
		bad := [][]float64{slices.Clone(chol), slices.Clone(logW), slices.Clone(logDet)}
		if c.in == 0 {
			bad[0][d*d+c.at] = c.v
		} else {
			bad[c.in][1] = c.v
		}
		var e *NotPDError
		if err := got.SetFactor(bad[1], mean, bad[0], bad[2]); err == nil || !asNotPD(err, &e) || e.Component != 1 {
			t.Errorf("%s: got %v, want a NotPDError for component 1", c.name, err)
		}
	}
	// A weight of 0 is allowed, with c_k = −Inf, as in Set.
	zero := slices.Clone(logW)
	zero[2] = math.Inf(-1)
	if err := got.SetFactor(zero, mean, chol, logDet); err != nil || !math.IsInf(got.Const[2], -1) {
		t.Errorf("log weight −Inf: got error %v and c = %v, want no error and −Inf", err, got.Const[2])
	}
}

func asNotPD(err error, e **NotPDError) bool {
	v, ok := err.(*NotPDError)
	*e = v
	return ok
}

// TestPassAllocates checks that a pass over data of one part, as in the
// many short runs of a fit on small data, allocates nothing once its Pass
// has run one: testing.AllocsPerRun runs it on one goroutine.
func TestPassAllocates(t *testing.T) {
	if raceBuild {
		t.Skip("the race detector allocates, and drops sync.Pool items at random")
	}
	for _, c := range []struct {
		name    string
		n, k, d int
	}{
		{"n=150/d=4/k=9", 150, 9, 4},
		{"n=82/d=1/k=3", 82, 3, 1},
		{"n=2000/d=10/k=5", 2000, 5, 10},
	} {
		x, w, mean, cov := problem(c.n, c.k, c.d, 1)
		p := NewParams(c.k, c.d)
		if err := p.Set(w, mean, cov); err != nil {
			t.Fatal(err)
		}
		st := NewStats(c.k, c.d)
		ps := NewPass(c.k, c.d)
		if a := testing.AllocsPerRun(100, func() { ps.Run(x, p, Out{Stats: st}) }); a != 0 {
			t.Errorf("%s: %v allocations a pass, want 0", c.name, a)
		}
	}
}

func BenchmarkPass(b *testing.B) {
	for _, c := range []struct {
		name    string
		n, k, d int
	}{
		{"n=1e5/d=10/k=5", 100000, 5, 10},
		{"n=1e5/d=10/k=5/unweighted", 100000, 5, 10},
		{"n=1e4/d=20/k=5", 10000, 5, 20},
		{"n=1e4/d=50/k=3", 10000, 3, 50},
		{"n=1e4/d=50/k=5", 10000, 5, 50},
		{"n=1e4/d=100/k=5", 10000, 5, 100},
		{"n=2000/d=200/k=2", 2000, 2, 200},
		{"n=150/d=4/k=9", 150, 9, 4}, // a large cell of iris's BIC table
		{"n=150/d=4/k=3/unweighted", 150, 3, 4},
		{"n=150/d=4/k=9/unweighted", 150, 9, 4},
	} {
		b.Run(c.name, func(b *testing.B) {
			x, w, mean, cov := problem(c.n, c.k, c.d, 1)
			if strings.HasSuffix(c.name, "unweighted") {
				x.V = nil
			}
			p := NewParams(c.k, c.d)
			if err := p.Set(w, mean, cov); err != nil {
				b.Fatal(err)
			}
			st := NewStats(c.k, c.d)
			ps := NewPass(c.k, c.d)
			b.ResetTimer()
			for range b.N {
				ps.Run(x, p, Out{Stats: st})
			}
		})
	}
}

// TestPassOddPoints checks the points a pass treats on their own, on both
// kernels: a component of weight 0 (log term −Inf) takes no responsibility,
// and a point so far away that every term underflows to −Inf goes wholly
// to the first component, with log density 0, as documented.
func TestPassOddPoints(t *testing.T) {
	x := Data{X: []float64{0.5, -0.5, 1e160, 1e160, 1, 1}, N: 3, D: 2, Stride: 2}
	cov := [][]float64{{1, 0, 0, 1}, {2, 0.5, 0.5, 1}}
	forKernels(t, "weight 0 and far point", func(t *testing.T) {
		p := NewParams(2, 2)
		if err := p.Set([]float64{0, 1}, []float64{0, 0, 1, -1}, cov); err != nil {
			t.Fatal(err)
		}
		resp, logp, assign := make([]float64, 6), make([]float64, 3), make([]int, 3)
		st := NewStats(2, 2)
		NewPass(2, 2).Run(x, p, Out{Stats: st, Resp: resp, LogP: logp, Assign: assign})
		want := []float64{0, 1, 1, 0, 0, 1}
		if !slices.Equal(resp, want) || !slices.Equal(assign, []int{1, 0, 1}) {
			t.Errorf("responsibilities %v, assignments %v; want %v and [1 0 1]", resp, assign, want)
		}
		if logp[1] != 0 || math.IsInf(logp[0], 0) || math.IsNaN(logp[0]) {
			t.Errorf("log densities %v: want finite, then 0 for the far point", logp)
		}
		if got := logp[0] + logp[1] + logp[2]; math.Abs(st.LogLik-got) > 1e-12*math.Abs(got) {
			t.Errorf("LogLik %v, want the sum of the log densities %v", st.LogLik, got)
		}
		// Without LogP, unweighted: the block's one logarithm.
		st2 := NewStats(2, 2)
		NewPass(2, 2).Run(x, p, Out{Stats: st2})
		if math.Abs(st2.LogLik-st.LogLik) > 1e-12*math.Abs(st.LogLik) || math.Abs(st2.Hard-st.Hard) > 1e-12 {
			t.Errorf("LogLik %v and Hard %v without LogP, %v and %v with it", st2.LogLik, st2.Hard, st.LogLik, st.Hard)
		}
	})
}

// TestTilesAgainstRows checks the AVX2 kernels that take three rows at a
// time (mahaTileAVX2, accumTileAVX2 and tileRest) against the one-row AVX2
// kernels, in dimensions on both sides of tileD and of multiples of 3 and
// 4 (the tiles' shapes), the tiles forced on below tileD. The distances
// sum the same products in the same order, and the sums of r and r z are
// formed by the
// same code, so the log densities, responsibilities, assignments, weights,
// means and log-likelihood must be equal bit for bit. The second moments'
// sums over a block's points are formed in another order: each of the two
// differs from the exact sum by at most γ_128 ≈ 128u times Σ v r |z_i z_j|
// (Higham 2002, §3.1; u = 2⁻⁵³, z = x − μ_k at the pass's means), and the
// adding up of at most 24 blocks and 3 parts, centring and merging, adds
// a few u more of the same scale per step; 512u bounds their sum.
func TestTilesAgainstRows(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this processor, or the noasm build")
	}
	defer func(v int) { tileD = v }(tileD)
	const n, k = 3000, 3
	dims := []int{1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 24, 31, 50, tileD - 1, tileD, tileD + 1}
	for _, d := range dims {
		t.Run(fmt.Sprintf("d=%d", d), func(t *testing.T) {
			x, w, mean, cov := problem(n, k, d, uint64(d))
			p := NewParams(k, d)
			if err := p.Set(w, mean, cov); err != nil {
				t.Fatal(err)
			}
			run := func(td int) (*Stats, []float64, []float64, []int) {
				tileD = td
				st := NewStats(k, d)
				resp, logp, assign := make([]float64, n*k), make([]float64, n), make([]int, n)
				NewPass(k, d).Run(x, p, Out{Stats: st, Resp: resp, LogP: logp, Assign: assign})
				return st, resp, logp, assign
			}
			rows, rresp, rlogp, rassign := run(math.MaxInt)
			tiles, tresp, tlogp, tassign := run(1)
			if !slices.Equal(tlogp, rlogp) || !slices.Equal(tresp, rresp) || !slices.Equal(tassign, rassign) {
				t.Fatal("log densities, responsibilities or assignments differ")
			}
			if tiles.LogLik != rows.LogLik || tiles.Hard != rows.Hard || !slices.Equal(tiles.W, rows.W) || !slices.Equal(tiles.Mean, rows.Mean) {
				t.Fatal("log-likelihood, weights or means differ")
			}
			const u = 0x1p-53
			for c := range k {
				for i := range d {
					for j := range d {
						var s float64
						for q := range n {
							xq := x.X[q*x.Stride:]
							s += x.V[q] * rresp[q*k+c] * math.Abs((xq[i]-mean[c*d+i])*(xq[j]-mean[c*d+j]))
						}
						at := c*d*d + i*d + j
						if diff := math.Abs(tiles.M2[at] - rows.M2[at]); diff > 512*u*s {
							t.Errorf("M2[%d][%d][%d]: tiles %.17g, rows %.17g, difference %.3g > %.3g", c, i, j, tiles.M2[at], rows.M2[at], diff, 512*u*s)
						}
					}
				}
			}
		})
	}
}

// BenchmarkPassKernels times a pass over 10^4 weighted points with K = 5
// by the AVX2 kernels that take one row at a time and by those that take
// three (the tiles), whatever tileD says, to choose tileD.
func BenchmarkPassKernels(b *testing.B) {
	if !useAVX2 {
		b.Skip("no AVX2 on this processor, or the noasm build")
	}
	defer func(v int) { tileD = v }(tileD)
	const n, k = 10000, 5
	for _, d := range []int{6, 8, 10, 12, 16, 20, 32, 50, 100} {
		x, w, mean, cov := problem(n, k, d, 1)
		p := NewParams(k, d)
		if err := p.Set(w, mean, cov); err != nil {
			b.Fatal(err)
		}
		st := NewStats(k, d)
		ps := NewPass(k, d)
		for _, kern := range []struct {
			name string
			td   int
		}{{"rows", math.MaxInt}, {"tiles", 1}} {
			b.Run(fmt.Sprintf("n=1e4/d=%d/k=5/%s", d, kern.name), func(b *testing.B) {
				tileD = kern.td
				for range b.N {
					ps.Run(x, p, Out{Stats: st})
				}
			})
		}
	}
}

// TestTilesFarCoordinate checks that a point one of whose centred
// coordinates overflows to +Inf is treated by the three-row kernels as by
// the one-row ones: its log terms are −Inf and it goes wholly to the first
// component with log density 0, as normalise documents, and the other
// points' log densities, weights and means are the same bit for bit. (A
// product of the zeros above the diagonal of L⁻¹ with such a coordinate
// would make a NaN.)
func TestTilesFarCoordinate(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this processor, or the noasm build")
	}
	defer func(v int) { tileD = v }(tileD)
	const n, k, d = 40, 2, 13
	x, w, mean, cov := problem(n, k, d, 3)
	x.X[5*x.Stride+3] = 1.7e308
	mean[3] = -1.7e308 // x − μ overflows for component 0 only
	p := NewParams(k, d)
	if err := p.Set(w, mean, cov); err != nil {
		t.Fatal(err)
	}
	run := func(td int) (*Stats, []float64, []float64) {
		tileD = td
		st := NewStats(k, d)
		logp, resp := make([]float64, n), make([]float64, n*k)
		NewPass(k, d).Run(x, p, Out{Stats: st, LogP: logp, Resp: resp})
		return st, logp, resp
	}
	rows, rlogp, rresp := run(math.MaxInt)
	tiles, tlogp, tresp := run(1)
	if tlogp[5] != 0 || tresp[10] != 1 || tresp[11] != 0 {
		t.Errorf("far point: log density %v, responsibilities %v; want 0 and [1 0]", tlogp[5], tresp[10:12])
	}
	if !slices.Equal(tlogp, rlogp) || !slices.Equal(tresp, rresp) {
		t.Errorf("log densities or responsibilities differ from the one-row kernels")
	}
	if tiles.LogLik != rows.LogLik || !slices.Equal(tiles.W, rows.W) || !slices.Equal(tiles.Mean, rows.Mean) {
		t.Errorf("log-likelihood, weights or means differ from the one-row kernels")
	}
}
