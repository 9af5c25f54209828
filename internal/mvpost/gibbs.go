package mvpost

import (
	"math"
	"math/rand/v2"

	"github.com/gmm-go/gmm/internal/kernel"
	"github.com/gmm-go/gmm/internal/mvkernel"
	"github.com/gmm-go/gmm/internal/num"
)

// Chain is one Gibbs sampler of a K-component mixture under Prior, with
// the labels z as auxiliary variables (Diebolt & Robert 1994). A sweep
// draws
//
//	z_i | w, μ, Σ        Categorical, P(z_i = k) ∝ w_k N(x_i | μ_k, Σ_k)
//	w | z                Dirichlet(α + n_1, …, α + n_K), or the sticks' Betas (see DrawWeights)
//	(μ_k, Σ_k) | z       the conjugate posterior given the points labelled k (see Post)
//
// The last block draws Σ and then μ | Σ, jointly from their conditional
// given z. It implements mcmc.Sampler; it is for one goroutine at a time.
type Chain struct {
	x       []float64 // n×d, row-major
	n, d, k int
	pr      *Prior
	rng     *rand.Rand

	LogW, Mu []float64
	Cov      [][]float64
	Z        []int32
	// Failed is set if a draw of a covariance was not a finite positive
	// definite matrix; the chain then keeps its previous parameters.
	Failed bool

	st         *Stats
	post       *Post
	ws         *Workspace
	sc, keptSc *mvkernel.Params
	l, c, cnt  []float64
	keep       []float64
	keptCov    [][]float64

	// The chain's draws: Draws×K weights, Draws×K×d means and
	// Draws×K×d×d covariances.
	W, M, C []float64
}

// NewChain returns a chain on the n×d data x (kept, never modified) that
// starts from the parameters drawn given the labels z0, and records its
// draws into w, m and c.
func NewChain(x []float64, d int, pr *Prior, k int, rng *rand.Rand, z0 []int, w, m, c []float64) *Chain {
	n := len(x) / d
	ch := &Chain{
		x: x, n: n, d: d, k: k, pr: pr, rng: rng,
		LogW: make([]float64, k), Mu: make([]float64, k*d), Cov: mats(k, d*d), Z: make([]int32, n),
		st: NewStats(k, d), post: NewPost(pr, k), ws: NewWorkspace(d),
		sc: mvkernel.NewParams(k, d), keptSc: mvkernel.NewParams(k, d),
		l: make([]float64, k), c: make([]float64, d*d), cnt: make([]float64, k),
		keep: make([]float64, k*d), keptCov: mats(k, d*d),
		W: w, M: m, C: c,
	}
	for i, z := range z0 {
		ch.Z[i] = int32(z)
		ch.st.Add(z, 1, x[i*d:(i+1)*d])
	}
	ch.drawParams()
	return ch
}

func mats(k, size int) [][]float64 {
	m := make([][]float64, k)
	for j := range m {
		m[j] = make([]float64, size)
	}
	return m
}

// drawParams draws w and then (μ, Σ) given the statistics of the labels.
func (ch *Chain) drawParams() {
	ch.pr.DrawWeights(ch.rng, ch.st.N, ch.LogW, ch.cnt)
	ch.post.Update(ch.pr, ch.st, ch.c)
	// Draw into the kept buffers first, so that a failed draw leaves the
	// current parameters as they were.
	if !ch.post.Draw(ch.pr, ch.rng, ch.keep, ch.keptCov, ch.ws) {
		ch.Failed = true
		return
	}
	copy(ch.Mu, ch.keep)
	for k := range ch.Cov {
		copy(ch.Cov[k], ch.keptCov[k])
	}
	if !GibbsScores(ch.sc, ch.LogW, ch.Mu, ch.Cov, ch.ws) {
		ch.Failed = true
	}
}

// score sets l to log w_k N(x | μ_k, Σ_k) under sc.
func score(sc *mvkernel.Params, x, l []float64) {
	d := sc.D
	for k := range sc.K {
		inv := sc.Inv[k*d*d : (k+1)*d*d]
		mu := sc.Mean[k*d : (k+1)*d]
		var q float64
		for a := range d {
			var s float64
			for b := 0; b <= a; b++ {
				s += inv[a*d+b] * (x[b] - mu[b])
			}
			q += s * s
		}
		l[k] = sc.Const[k] - 0.5*q
	}
}

// Sweep runs one sweep of the sampler.
func (ch *Chain) Sweep() {
	ch.st.Reset(ch.Mu)
	if ch.k == 2 {
		ch.labels2()
	} else {
		ch.labels()
	}
	ch.drawParams()
}

// labels draws every point's label and adds it to the statistics.
func (ch *Chain) labels() {
	d, l := ch.d, ch.l
	for i := range ch.n {
		x := ch.x[i*d : (i+1)*d]
		score(ch.sc, x, l)
		mx := math.Inf(-1)
		for _, v := range l {
			mx = max(mx, v)
		}
		// e^(l_k − max) below e^(−40) ≈ 4e-18 is finer than a uniform
		// variate's 2^(−53) resolution, and is dropped.
		var tot float64
		for k, v := range l {
			var e float64
			if v-mx >= -40 {
				e = kernel.Exp(v - mx)
			}
			l[k] = e
			tot += e
		}
		t := ch.rng.Float64() * tot
		pick := ch.k - 1
		var acc float64
		for k, e := range l {
			acc += e
			if t < acc {
				pick = k
				break
			}
		}
		ch.Z[i] = int32(pick)
		ch.st.Add(pick, 1, x)
	}
}

// labels2 is labels for K = 2, with one exponential per point:
// P(z_i = 1) = 1/(1 + e^(l_0 − l_1)).
func (ch *Chain) labels2() {
	d, l := ch.d, ch.l
	if d == 2 {
		ch.labels22()
		return
	}
	for i := range ch.n {
		x := ch.x[i*d : (i+1)*d]
		score(ch.sc, x, l)
		// Beyond |l_0 − l_1| = 40 the smaller probability is below
		// e^(−40) ≈ 4e-18, finer than a uniform variate's resolution.
		dl := l[0] - l[1]
		one := dl < -40
		if dl >= -40 && dl <= 40 {
			one = ch.rng.Float64()*(1+kernel.Exp(dl)) < 1
		}
		pick := 0
		if one {
			pick = 1
		}
		ch.Z[i] = int32(pick)
		ch.st.Add(pick, 1, x)
	}
}

// LogMarginal returns log p(x, θ) at the current parameters, with the
// labels summed out: Σ_i log Σ_k w_k N(x_i | μ_k, Σ_k) + log p(w) + log p(μ, Σ).
func (ch *Chain) LogMarginal() float64 {
	lp := ch.pr.LogWeightPrior(ch.LogW) + ch.pr.LogPrior(ch.Mu, ch.Cov)
	for i := range ch.n {
		score(ch.sc, ch.x[i*ch.d:(i+1)*ch.d], ch.l)
		lp += num.LogSumExp(ch.l)
	}
	return lp
}

// Keep remembers the current parameters.
func (ch *Chain) Keep() {
	copy(ch.keptSc.Mean, ch.sc.Mean)
	copy(ch.keptSc.Inv, ch.sc.Inv)
	copy(ch.keptSc.Const, ch.sc.Const)
}

// Allocate sets z_i to argmax_k w_k N(x_i | μ_k, Σ_k) at the kept
// parameters.
func (ch *Chain) Allocate(z []int32) {
	for i := range ch.n {
		score(ch.keptSc, ch.x[i*ch.d:(i+1)*ch.d], ch.l)
		best := 0
		for k, v := range ch.l {
			if v > ch.l[best] {
				best = k
			}
		}
		z[i] = int32(best)
	}
}

// Contingency sets conf (K×K, by rows) to the counts of the labels of the
// last sweep against pivot.
func (ch *Chain) Contingency(pivot []int32, conf []int) {
	K := int32(ch.k)
	clear(conf)
	for i, z := range ch.Z {
		conf[z*K+pivot[i]]++
	}
}

// Record stores the current parameters as draw t, label j as perm[j].
func (ch *Chain) Record(t int, perm []int) {
	K, d := ch.k, ch.d
	for j, k := range perm {
		r := t*K + k
		ch.W[r] = math.Exp(ch.LogW[j])
		copy(ch.M[r*d:(r+1)*d], ch.Mu[j*d:(j+1)*d])
		copy(ch.C[r*d*d:(r+1)*d*d], ch.Cov[j])
	}
}

// labels22 is labels2 for two columns, with the scores and the sums
// written out.
func (ch *Chain) labels22() {
	sc, st := ch.sc, ch.st
	// L_k⁻¹ = [[a_k, 0], [b_k, c_k]], μ_k = (m_k, n_k).
	a0, b0, c0 := sc.Inv[0], sc.Inv[2], sc.Inv[3]
	a1, b1, c1 := sc.Inv[4], sc.Inv[6], sc.Inv[7]
	m0, n0, m1, n1 := sc.Mean[0], sc.Mean[1], sc.Mean[2], sc.Mean[3]
	k0, k1 := sc.Const[0], sc.Const[1]
	// The statistics are centred on the current means (Stats.Reset).
	var cnt, s1, s2 [2]float64
	var s3 [2][3]float64
	rng := ch.rng
	for i := range ch.n {
		x, y := ch.x[2*i], ch.x[2*i+1]
		u0, v0 := x-m0, y-n0
		u1, v1 := x-m1, y-n1
		p0, q0 := a0*u0, b0*u0+c0*v0
		p1, q1 := a1*u1, b1*u1+c1*v1
		dl := (k0 - 0.5*(p0*p0+q0*q0)) - (k1 - 0.5*(p1*p1+q1*q1))
		one := dl < -40
		if dl >= -40 && dl <= 40 {
			one = rng.Float64()*(1+kernel.Exp(dl)) < 1
		}
		if one {
			ch.Z[i] = 1
			cnt[1]++
			s1[1] += u1
			s2[1] += v1
			s3[1][0] += u1 * u1
			s3[1][1] += v1 * u1
			s3[1][2] += v1 * v1
		} else {
			ch.Z[i] = 0
			cnt[0]++
			s1[0] += u0
			s2[0] += v0
			s3[0][0] += u0 * u0
			s3[0][1] += v0 * u0
			s3[0][2] += v0 * v0
		}
	}
	for k := range 2 {
		st.N[k] = cnt[k]
		st.S1[2*k], st.S1[2*k+1] = s1[k], s2[k]
		st.S2[4*k], st.S2[4*k+2], st.S2[4*k+3] = s3[k][0], s3[k][1], s3[k][2]
	}
}
