package mvpost

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvcov"
)

var forms = []struct {
	name string
	form Form
	mv   mvcov.Model
}{
	{"Full", Full, mvcov.VVV},
	{"Tied", Tied, mvcov.EEE},
	{"Diagonal", Diagonal, mvcov.VVI},
	{"Spherical", Spherical, mvcov.VII},
}

func testPrior(form Form) *Prior {
	p := &Prior{Form: form, D: 2, Alpha: 1, Mu0: []float64{0.5, -1}, Kappa0: 0.3, Nu0: 4.5, Lambda0: []float64{2, 0.6, 0.6, 1.5}}
	p.Init()
	return p
}

// drawParams draws K components' means and covariances from the prior.
func drawParams(p *Prior, K int, rng *rand.Rand) (mu []float64, cov [][]float64) {
	q := NewPost(p, K)
	q.Update(p, NewStats(K, p.D), make([]float64, p.D*p.D))
	mu = make([]float64, K*p.D)
	cov = mats(K, p.D*p.D)
	if !q.Draw(p, rng, mu, cov, NewWorkspace(p.D)) {
		panic("mvpost: a prior draw failed")
	}
	return mu, cov
}

// TestLogPriorMatchesMvcov checks LogPrior against mvcov.LogPrior, which
// Fit maximises and which is written from mclust's M-steps rather than
// from the densities: closed forms, so to 1e-10 relative.
func TestLogPriorMatchesMvcov(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range forms {
		p := testPrior(tc.form)
		for rep := range 5 {
			mu, cov := drawParams(p, 3, rng)
			means := mat.NewDense(3, 2, mu)
			covs := make([]*mat.SymDense, 3)
			for k := range covs {
				covs[k] = mat.NewSymDense(2, cov[k])
			}
			want := mvcov.LogPrior(tc.mv, &mvcov.Prior{MeanLoc: p.Mu0, Shrinkage: p.Kappa0, DoF: p.Nu0, Scale: mat.NewSymDense(2, p.Lambda0)}, means, covs)
			got := p.LogPrior(mu, cov)
			if math.Abs(got-want) > 1e-10*math.Abs(want) {
				t.Errorf("%s, draw %d: LogPrior %v, mvcov %v", tc.name, rep, got, want)
			}
		}
	}
}

// logNormal is log N(x | m, Σ/κ), by gonum's Cholesky factorisation.
func logNormal(x, m, cov []float64, kappa float64) float64 {
	d := len(x)
	s := mat.NewSymDense(d, nil)
	for a := range d {
		for b := range d {
			s.SetSym(a, b, cov[a*d+b]/kappa)
		}
	}
	var c mat.Cholesky
	if !c.Factorize(s) {
		panic("not positive definite")
	}
	r := mat.NewVecDense(d, nil)
	for a := range d {
		r.SetVec(a, x[a]-m[a])
	}
	var sol mat.VecDense
	if err := c.SolveVecTo(&sol, r); err != nil {
		panic(err)
	}
	return -float64(d)/2*math.Log(2*math.Pi) - c.LogDet()/2 - mat.Dot(r, &sol)/2
}

// logPosterior is the log density of q at (mu, cov), written from q's
// definition: the covariance's InverseWishart or InverseGammas and the
// means' normals, by gonum.
func logPosterior(p *Prior, q *Post, mu []float64, cov [][]float64) float64 {
	d := p.D
	l, inv := make([]float64, d*d), make([]float64, d*d)
	var lp float64
	for k := range cov {
		switch p.Form {
		case Full, Tied:
			if p.Form == Full || k == 0 {
				ld := cholesky(l, cov[k], d)
				ll := cholesky(inv, q.Lam[k], d)
				lp += logInvWishart(l, q.Lam[k], ld, q.Nu[k], ll, d, inv)
			}
		case Diagonal:
			for a := range d {
				lp += logInvGamma(cov[k][a*d+a], q.Nu[k]/2, q.Lam[k][a]/2)
			}
		case Spherical:
			lp += logInvGamma(cov[k][0], q.Nu[k]/2, q.Lam[k][0]/2)
		}
		lp += logNormal(mu[k*d:(k+1)*d], q.M[k*d:(k+1)*d], cov[k], q.Kappa[k])
	}
	return lp
}

func cholesky(l, a []float64, d int) float64 {
	var c mat.Cholesky
	if !c.Factorize(mat.NewSymDense(d, append([]float64(nil), a...))) {
		panic("not positive definite")
	}
	var low mat.TriDense
	c.LTo(&low)
	for i := range d {
		for j := range d {
			l[i*d+j] = low.At(i, j)
		}
	}
	return c.LogDet()
}

// TestLogZ checks the log marginal likelihood of labelled data against
// Chib's (1995) identity log p(x | z) = log p(x | z, θ) + log p(θ) −
// log p(θ | x, z), true at any θ, with the posterior's density written
// out from its definition: closed forms, to 1e-9 relative.
func TestLogZ(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, K = 9, 2
	for _, tc := range forms {
		p := testPrior(tc.form)
		x := make([]float64, n*2)
		for i := range x {
			x[i] = 2 * rng.NormFloat64()
		}
		st := NewStats(K, 2)
		st.Reset([]float64{0.3, 0.1, -0.2, 0.4})
		z := []int{0, 1, 1, 0, 0, 1, 0, 0, 1}
		for i, k := range z {
			st.Add(k, 1, x[i*2:(i+1)*2])
		}
		q := NewPost(p, K)
		q.Update(p, st, make([]float64, 4))
		got := q.LogZ(p, st.N)
		for rep := range 3 {
			mu, cov := drawParams(p, K, rng)
			var ll float64
			for i, k := range z {
				ll += logNormal(x[i*2:(i+1)*2], mu[k*2:(k+1)*2], cov[k], 1)
			}
			want := ll + p.LogPrior(mu, cov) - logPosterior(p, q, mu, cov)
			if math.Abs(got-want) > 1e-9*math.Abs(want) {
				t.Errorf("%s, θ %d: LogZ %v, Chib's identity %v", tc.name, rep, got, want)
			}
		}
	}
}

// TestInverseWishartMean checks Bartlett's draws by their mean, which is
// Λ/(ν − d − 1), and the mean of their inverse, νΛ⁻¹. With 40000 draws the
// standard error of each entry's mean is its standard deviation over 200;
// the tolerance is 5 standard errors, with the standard deviation
// estimated from the draws.
func TestInverseWishartMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const d, N = 3, 40000
	lam := []float64{4, 1, 0.5, 1, 3, -0.8, 0.5, -0.8, 2}
	nu := 9.0
	ws := NewWorkspace(d)
	c := make([]float64, d*d)
	sum, sum2 := make([]float64, d*d), make([]float64, d*d)
	isum, isum2 := make([]float64, d*d), make([]float64, d*d)
	var inv mat.SymDense
	for range N {
		if !ws.invWishart(rng, nu, lam, c) {
			t.Fatal("draw failed")
		}
		var ch mat.Cholesky
		ch.Factorize(mat.NewSymDense(d, append([]float64(nil), c...)))
		if err := ch.InverseTo(&inv); err != nil {
			t.Fatal(err)
		}
		for i, v := range c {
			sum[i] += v
			sum2[i] += v * v
			w := inv.At(i/d, i%d)
			isum[i] += w
			isum2[i] += w * w
		}
	}
	var li mat.Cholesky
	li.Factorize(mat.NewSymDense(d, append([]float64(nil), lam...)))
	var lamInv mat.SymDense
	if err := li.InverseTo(&lamInv); err != nil {
		t.Fatal(err)
	}
	for i := range c {
		check := func(what string, s, s2, want float64) {
			m := s / N
			se := math.Sqrt((s2/N - m*m) / N)
			if math.Abs(m-want) > 5*se {
				t.Errorf("%s[%d]: mean %v, want %v (standard error %v)", what, i, m, want, se)
			}
		}
		check("Σ", sum[i], sum2[i], lam[i]/(nu-d-1))
		check("Σ⁻¹", isum[i], isum2[i], nu*lamInv.At(i/d, i%d))
	}
}

// TestELBO checks that the ELBO never decreases, for every form and both
// weight priors, and that it stays below the exact log evidence, computed
// by summing p(x, z) over all 2^n labellings of n = 10 points: VB from
// the best labelling ends between log p(x, z_best) and log p(x). The
// tolerance of the monotonicity, 1e-12 relative, allows for rounding in a
// sum of about 50 terms of size |ELBO|.
func TestELBO(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, K = 10, 2
	for _, tc := range forms {
		for _, stick := range []bool{false, true} {
			p := testPrior(tc.form)
			p.StickBreaking = stick
			x := make([]float64, n*2)
			for i := range n {
				off := 0.0
				if i%2 == 1 {
					off = 3
				}
				x[2*i] = off + rng.NormFloat64()
				x[2*i+1] = rng.NormFloat64()
			}
			logPXZ := func(z []int) float64 {
				st := NewStats(K, 2)
				for i, k := range z {
					st.Add(k, 1, x[i*2:(i+1)*2])
				}
				q := NewPost(p, K)
				q.Update(p, st, make([]float64, 4))
				return q.LogZ(p, st.N) + p.LogZWeights(st.N)
			}
			var terms []float64
			best, bestZ := math.Inf(-1), []int(nil)
			for code := range 1 << n {
				z := make([]int, n)
				for i := range z {
					z[i] = code >> i & 1
				}
				l := logPXZ(z)
				terms = append(terms, l)
				if l > best {
					best, bestZ = l, z
				}
			}
			mx := best
			var s float64
			for _, l := range terms {
				s += math.Exp(l - mx)
			}
			logPX := mx + math.Log(s)
			f := RunVB(context.Background(), x, nil, 2, p, K, bestZ, 1000, 1e-14)
			for i := 1; i < len(f.ELBO); i++ {
				if f.ELBO[i] < f.ELBO[i-1]-1e-12*math.Abs(f.ELBO[i]) {
					t.Errorf("%s stick %v: ELBO fell at step %d, %v to %v", tc.name, stick, i, f.ELBO[i-1], f.ELBO[i])
				}
			}
			last := f.ELBO[len(f.ELBO)-1]
			if math.Abs(f.ELBO[0]-best) > 1e-9*math.Abs(best) {
				t.Errorf("%s stick %v: the first ELBO, %v, is not log p(x, z0) = %v", tc.name, stick, f.ELBO[0], best)
			}
			if !(last >= best-1e-9 && last <= logPX+1e-9) {
				t.Errorf("%s stick %v: ELBO %v not within [log p(x, z_best), log p(x)] = [%v, %v]", tc.name, stick, last, best, logPX)
			}
			t.Logf("%s stick %v: ELBO %.4f in %d steps, log p(x, z_best) %.4f, log p(x) %.4f", tc.name, stick, last, len(f.ELBO), best, logPX)
		}
	}
}
