package mvpost

import (
	"context"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mathext"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// Fit is a mean-field variational approximation to the posterior of a
// mixture (Bishop 2006, sec. 10.2), q(z) q(w) Π q(μ_k, Σ_k), found by
// coordinate ascent from RunVB.
type Fit struct {
	pr *Prior
	// Counts are the expected counts N_k = Σ_i r_ik of the final q(z), and
	// Post the final q(μ, Σ), which given them is the conjugate posterior
	// of Post's doc comment.
	Counts []float64
	Post   *Post
	// ELBO holds the evidence lower bound after each step; it never
	// decreases. Converged says whether the last step raised it by less
	// than the tolerance.
	ELBO      []float64
	Converged bool
}

// RunVB runs mean-field coordinate ascent on the n×d data x from the hard
// labels z0, for at most steps steps, until a step raises the ELBO by less
// than tol·(1 + |ELBO|). Each step sets q(w) and q(μ, Σ) to their optima
// given q(z), which are the conjugate posteriors of the expected counts and
// statistics (Post, DrawWeights), and then q(z) to its optimum,
//
//	r_ik ∝ exp(E[log w_k] + ½ E[log|Σ_k⁻¹|] − d/2 log 2π − ½ E[(x_i − μ_k)ᵀ Σ_k⁻¹ (x_i − μ_k)])
//
// (Bishop 2006, eq. 10.46–10.50, with the diagonal and spherical forms
// taken coordinate by coordinate). At the optima of q(w) and q(μ, Σ) for
// given r, the ELBO is the log marginal likelihood of the expected
// statistics plus the entropy of q(z),
//
//	ELBO = Σ_k log Z_k(r) + log Z_w(r) − Σ_ik r_ik log r_ik,
//
// with Z_k the normaliser of the conjugate update (see LogZ) and Z_w that
// of the weights (see LogZWeights): this is the ELBO that RunVB records.
// It stops early, with Converged false, if ctx is cancelled.
//
// With weights v (nil for all 1) a row of weight v_i counts as v_i rows in
// every sum, its responsibilities' entropy included: the copies of a row
// share one optimal q(z), so this is the coordinate ascent on the rows
// written out, up to the rounding of the sums.
func RunVB(ctx context.Context, x, v []float64, d int, pr *Prior, k int, z0 []int, steps int, tol float64) *Fit {
	n := len(x) / d
	f := &Fit{pr: pr, Post: NewPost(pr, k)}
	st := NewStats(k, d)
	wt := func(i int) float64 {
		if v == nil {
			return 1
		}
		return v[i]
	}
	for i, z := range z0 {
		st.Add(z, wt(i), x[i*d:(i+1)*d])
	}
	sc := mvkernel.NewParams(k, d)
	elw := make([]float64, k)
	l := make([]float64, k)
	c := make([]float64, d*d)
	var entropy float64
	for range steps {
		f.Post.Update(pr, st, c)
		elbo := f.Post.LogZ(pr, st.N) + pr.LogZWeights(st.N) + entropy
		f.ELBO = append(f.ELBO, elbo)
		if m := len(f.ELBO); m > 1 && elbo-f.ELBO[m-2] <= tol*(1+math.Abs(elbo)) {
			f.Converged = true
			break
		}
		if ctx.Err() != nil {
			break
		}
		pr.ExpectedLogWeights(st.N, elw)
		f.Post.expectedScores(pr, elw, sc, c)
		st.Reset(f.Post.M)
		entropy = 0
		for i := range n {
			xi := x[i*d : (i+1)*d]
			score(sc, xi, l)
			mx := math.Inf(-1)
			for _, v := range l {
				mx = max(mx, v)
			}
			var s float64
			for _, v := range l {
				s += math.Exp(v - mx)
			}
			lse := mx + math.Log(s)
			wi := wt(i)
			for j, lj := range l {
				if r := math.Exp(lj - lse); r > 0 {
					entropy -= wi * (r * (lj - lse))
					st.Add(j, wi*r, xi)
				}
			}
		}
	}
	f.Counts = append([]float64(nil), st.N...)
	return f
}

// expectedScores fills sc so that score gives the exponent of r_ik's
// update: Mean = m_k, Inv = the factor P_k with P_kᵀP_k = E[Σ_k⁻¹], and
// Const = E[log w_k] + ½ E[log|Σ_k⁻¹|] − d/2 log 2π − d/(2κ_k), where
//
//	Full, Tied  E[Σ⁻¹] = ν Λ⁻¹,  E[log|Σ⁻¹|] = Σ_{j<d} ψ((ν − j)/2) + d log 2 − log|Λ|
//	Diagonal    E[σ_j⁻²] = ν/λ_j, E[log σ_j⁻²] = ψ(ν/2) − log(λ_j/2)
//	Spherical   the same with one λ for every coordinate
//
// for q(Σ) = InverseWishart(ν, Λ) or q(σ²) = InverseGamma(ν/2, λ/2).
func (q *Post) expectedScores(p *Prior, elw []float64, sc *mvkernel.Params, l []float64) {
	d := p.D
	D := float64(d)
	copy(sc.Mean, q.M)
	for k := range q.Kappa {
		nu := q.Nu[k]
		inv := sc.Inv[k*d*d : (k+1)*d*d]
		clear(inv)
		var eld float64
		switch p.Form {
		case Full, Tied:
			ld, _ := mvkernel.Cholesky(l, q.Lam[k], d)
			mvkernel.InvertLower(inv, l, d)
			s := math.Sqrt(nu)
			for i := range inv {
				inv[i] *= s
			}
			for j := range d {
				eld += mathext.Digamma((nu - float64(j)) / 2)
			}
			eld += D*math.Ln2 - ld
		case Diagonal:
			for a := range d {
				inv[a*d+a] = math.Sqrt(nu / q.Lam[k][a])
				eld += mathext.Digamma(nu/2) - math.Log(q.Lam[k][a]/2)
			}
		case Spherical:
			lam := q.Lam[k][0]
			for a := range d {
				inv[a*d+a] = math.Sqrt(nu / lam)
			}
			eld = D * (mathext.Digamma(nu/2) - math.Log(lam/2))
		}
		sc.Const[k] = elw[k] + eld/2 - D/2*log2Pi - D/(2*q.Kappa[k])
	}
}

// LogZ returns Σ_k log Z_k, the log marginal likelihood of the statistics
// that gave q, with the counts n (Murphy 2007, eq. 266, for the
// InverseWishart; the same steps for the InverseGamma):
//
//	Full       Σ_k [−N_k d/2 log π + log Γ_d(ν_k/2) − log Γ_d(ν0/2) + ν0/2 log|Λ0| − ν_k/2 log|Λ_k| + d/2 log(κ0/κ_k)]
//	Tied       −N d/2 log π + log Γ_d(ν/2) − log Γ_d(ν0/2) + ν0/2 log|Λ0| − ν/2 log|Λ| + Σ_k d/2 log(κ0/κ_k)
//	Diagonal   Σ_kj [−N_k/2 log 2π + log Γ(ν_k/2) − log Γ(ν0/2) + ν0/2 log(ζ/2) − ν_k/2 log(λ_kj/2) + ½ log(κ0/κ_k)]
//	Spherical  Σ_k [−N_k d/2 log 2π + log Γ(ν_k/2) − log Γ(ν0/2) + ν0/2 log(ζ/2) − ν_k/2 log(λ_k/2) + d/2 log(κ0/κ_k)]
func (q *Post) LogZ(p *Prior, n []float64) float64 {
	d := p.D
	D := float64(d)
	var z float64
	for k, nk := range n {
		kap := D / 2 * math.Log(p.Kappa0/q.Kappa[k])
		switch p.Form {
		case Full:
			ld, _ := mvkernel.Cholesky(q.chol, q.Lam[k], d)
			z += -nk*D/2*logPi + lmvgamma(d, q.Nu[k]/2) - lmvgamma(d, p.Nu0/2) + p.Nu0/2*p.logDetL0 - q.Nu[k]/2*ld + kap
		case Tied:
			z += -nk*D/2*logPi + kap
			if k == 0 {
				ld, _ := mvkernel.Cholesky(q.chol, q.Lam[0], d)
				z += lmvgamma(d, q.Nu[0]/2) - lmvgamma(d, p.Nu0/2) + p.Nu0/2*p.logDetL0 - q.Nu[0]/2*ld
			}
		case Diagonal:
			z += kap - nk*D/2*log2Pi
			for a := range d {
				z += lgamma(q.Nu[k]/2) - lgamma(p.Nu0/2) + p.Nu0/2*math.Log(p.Zeta/2) - q.Nu[k]/2*math.Log(q.Lam[k][a]/2)
			}
		case Spherical:
			z += kap - nk*D/2*log2Pi + lgamma(q.Nu[k]/2) - lgamma(p.Nu0/2) + p.Nu0/2*math.Log(p.Zeta/2) - q.Nu[k]/2*math.Log(q.Lam[k][0]/2)
		}
	}
	return z
}

// Draw draws one set of parameters from q: the weights' logarithms logW
// (K), the means mu (K×d) and the covariances cov (K matrices d×d). It
// reports false if a covariance is not finite and positive definite.
func (f *Fit) Draw(rng *rand.Rand, logW, mu []float64, cov [][]float64, ws *Workspace, scratch []float64) bool {
	f.pr.DrawWeights(rng, f.Counts, logW, scratch)
	return f.Post.Draw(f.pr, rng, mu, cov, ws)
}

// LogJoint returns log p(x, z), the log density of the n×d data x and
// the labels z with the weights, means and covariances integrated out:
// the log marginal of the labelled statistics (LogZ) and of the counts
// (LogZWeights).
func LogJoint(x, v []float64, d int, pr *Prior, k int, z []int) float64 {
	st := NewStats(k, d)
	for i, j := range z {
		wi := 1.0
		if v != nil {
			wi = v[i]
		}
		st.Add(j, wi, x[i*d:(i+1)*d])
	}
	q := NewPost(pr, k)
	q.Update(pr, st, make([]float64, d*d))
	return q.LogZ(pr, st.N) + pr.LogZWeights(st.N)
}
