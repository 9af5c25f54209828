package mv

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// degenerateTol is the relative threshold of the test for degenerate
// components: a covariance with an eigenvalue below degenerateTol, once the
// data's columns are scaled to unit variance, is numerically singular (a
// standard deviation 1e-5 of the data's in some direction), which under
// maximum likelihood means the component has collapsed onto fewer points
// than it has dimensions, onto a subspace, or onto tied values.
const degenerateTol = 1e-10

// problem is one EM fit of a model to data, over a flat parameter vector
//
//	θ = (log w_1..log w_K, μ_1..μ_K, L_1..L_K),
//
// where L_k is the lower Cholesky factor of Σ_k stored by rows with its
// diagonal as logarithms, so that any θ gives valid parameters (the
// weights are the softmax of the first K values). Eval runs one pass at θ
// and keeps its statistics; Map writes the EM image of the last θ
// evaluated.
type problem struct {
	k, d  int
	cov   Covariance
	x     mvkernel.Data
	prior *covPrior // nil: maximum likelihood for the means and covariances
	alpha float64   // Dirichlet concentration
	scale []float64 // the data's column variances, for the degeneracy test

	pass *mvkernel.Pass
	st   *mvkernel.Stats
	cur  *params // the parameters of the last Eval
	next *params

	// M-step buffers
	nk            []float64
	mean, means   *mat.Dense
	scatter, covs []*mat.SymDense
	prev          []*mat.SymDense
	chol          []float64
}

func newProblem(k int, c Covariance, x mvkernel.Data, prior *covPrior, alpha float64, scale []float64) *problem {
	d := x.D
	pr := &problem{
		k: k, d: d, cov: c, x: x, prior: prior, alpha: alpha, scale: scale,
		pass: mvkernel.NewPass(k, d), st: mvkernel.NewStats(k, d),
		cur: newParams(k, d), next: newParams(k, d),
		nk: make([]float64, k), mean: mat.NewDense(k, d, nil), means: mat.NewDense(k, d, nil),
		chol: make([]float64, d*d),
	}
	for range k {
		pr.scatter = append(pr.scatter, mat.NewSymDense(d, nil))
		pr.covs = append(pr.covs, mat.NewSymDense(d, nil))
		pr.prev = append(pr.prev, mat.NewSymDense(d, nil))
	}
	return pr
}

// Dim returns the length of θ.
func (pr *problem) Dim() int { return pr.k + pr.k*pr.d + pr.k*pr.d*(pr.d+1)/2 }

// Points returns the total weight of the data.
func (pr *problem) Points() float64 {
	if pr.x.V == nil {
		return float64(pr.x.N)
	}
	var s float64
	for _, v := range pr.x.V {
		s += v
	}
	return s
}

// decode sets p from θ.
func (pr *problem) decode(theta []float64, p *params) {
	k, d := pr.k, pr.d
	mx := math.Inf(-1)
	for _, v := range theta[:k] {
		mx = max(mx, v)
	}
	var s float64
	for j, v := range theta[:k] {
		p.w[j] = math.Exp(v - mx)
		s += p.w[j]
	}
	for j := range p.w {
		p.w[j] /= s
	}
	copy(p.mean, theta[k:k+k*d])
	off := k + k*d
	l := pr.chol
	for j := range k {
		clear(l)
		for a := range d {
			for b := 0; b <= a; b++ {
				v := theta[off]
				if a == b {
					v = math.Exp(v)
				}
				l[a*d+b] = v
				off++
			}
		}
		c := p.cov[j]
		for a := range d {
			for b := 0; b <= a; b++ {
				var s float64
				for m := 0; m <= b; m++ {
					s += l[a*d+m] * l[b*d+m]
				}
				c[a*d+b], c[b*d+a] = s, s
			}
		}
	}
}

// encode sets θ from p, or returns the index of a component whose
// covariance is not positive definite.
func (pr *problem) encode(p *params, theta []float64) (bad int, ok bool) {
	k, d := pr.k, pr.d
	for j, w := range p.w {
		theta[j] = math.Log(w)
	}
	copy(theta[k:], p.mean)
	off := k + k*d
	for j := range k {
		if _, ok := mvkernel.Cholesky(pr.chol, p.cov[j], d); !ok {
			return j, false
		}
		for a := range d {
			for b := 0; b <= a; b++ {
				v := pr.chol[a*d+b]
				if a == b {
					v = math.Log(v)
				}
				theta[off] = v
				off++
			}
		}
	}
	return 0, true
}

// Eval runs one pass at θ and returns the loss, the negative log joint
// density −log p(x, θ) with every normalising constant (the negative
// log-likelihood under maximum likelihood).
func (pr *problem) Eval(ctx context.Context, theta []float64) (float64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	pr.decode(theta, pr.cur)
	kp, err := pr.cur.kernelParams()
	if err != nil {
		return 0, pr.singular(err.(*mvkernel.NotPDError).Component)
	}
	pr.pass.Run(pr.x, kp, mvkernel.Out{Stats: pr.st})
	return -(pr.st.LogL + pr.logPrior(pr.cur)), nil
}

// logPrior returns the log prior density at p: the Dirichlet's, unless it
// is flat, and the Normal-InverseWishart's, if there is one.
func (pr *problem) logPrior(p *params) float64 {
	var lp float64
	if pr.alpha != 1 {
		a, fk := pr.alpha, float64(pr.k)
		g1, _ := math.Lgamma(fk * a)
		g2, _ := math.Lgamma(a)
		lp = g1 - fk*g2
		for _, w := range p.w {
			lp += (a - 1) * math.Log(w)
		}
	}
	if pr.prior != nil {
		pr.toMat(p, pr.means, pr.covs)
		lp += covLogPrior(pr.cov, pr.prior, pr.means, pr.covs)
	}
	return lp
}

// toMat copies p's means and covariances into gonum matrices.
func (pr *problem) toMat(p *params, means *mat.Dense, covs []*mat.SymDense) {
	d := pr.d
	for j := range pr.k {
		for a := range d {
			means.Set(j, a, p.mean[j*d+a])
			for b := a; b < d; b++ {
				covs[j].SetSym(a, b, p.cov[j][a*d+b])
			}
		}
	}
}

// Map writes the EM image of the last θ evaluated into dst: the weights,
// means and covariances that maximise the expected log joint given the
// responsibilities of the last pass (Dempster, Laird & Rubin 1977; the
// prior's terms as Fraley & Raftery 2007).
func (pr *problem) Map(dst []float64) error {
	if err := pr.mstep(pr.st, pr.cur, pr.next); err != nil {
		return err
	}
	if j, ok := pr.encode(pr.next, dst); !ok {
		return pr.singular(j)
	}
	return nil
}

// mstep sets next from the statistics st taken at the parameters cur.
func (pr *problem) mstep(st *mvkernel.Stats, cur, next *params) error {
	k, d := pr.k, pr.d
	fk := float64(k)
	for j := range k {
		nk := st.N[j]
		if !(nk > 0) {
			return fmt.Errorf("mv: component %d holds no points; use fewer components", j)
		}
		pr.nk[j] = nk
		s1 := st.S1[j*d : (j+1)*d]
		s2 := st.S2[j*d*d : (j+1)*d*d]
		for a := range d {
			pr.mean.Set(j, a, cur.mean[j*d+a]+s1[a]/nk)
			for b := a; b < d; b++ {
				pr.scatter[j].SetSym(a, b, s2[a*d+b]-s1[a]*s1[b]/nk)
			}
			pr.prev[j].SetSym(a, a, cur.cov[j][a*d+a])
			for b := a + 1; b < d; b++ {
				pr.prev[j].SetSym(a, b, cur.cov[j][a*d+b])
			}
		}
		next.w[j] = (nk + pr.alpha - 1) / (st.W + fk*(pr.alpha-1))
	}
	if err := covMStep(pr.cov, pr.prior, pr.nk, pr.mean, pr.scatter, pr.prev, pr.means, pr.covs); err != nil {
		return err
	}
	for j := range k {
		for a := range d {
			next.mean[j*d+a] = pr.means.At(j, a)
			for b := range d {
				next.cov[j][a*d+b] = pr.covs[j].At(a, b)
			}
		}
		if _, ok := mvkernel.Cholesky(pr.chol, next.cov[j], d); !ok {
			return pr.singular(j)
		}
	}
	return nil
}

// singular returns the error for a component whose covariance is singular.
func (pr *problem) singular(j int) error {
	if pr.prior == nil {
		return fmt.Errorf("mv: the covariance of component %d became singular under maximum likelihood (it holds %.3g points' weight in %d dimensions, or its points lie on a line, a plane or a few repeated rows); use a prior (Prior: DefaultPrior(x, K)), fewer components, or a more constrained covariance model than %v",
			j, pr.st.N[j], pr.d, pr.cov)
	}
	return fmt.Errorf("mv: the covariance of component %d is not positive definite under the prior; check the prior's Scale, or scale the data", j)
}

// degenerate returns an error naming the first component of p whose
// covariance is nearly singular relative to the data's scale (see
// degenerateTol), or nil.
func (pr *problem) degenerate(p *params) error {
	d := pr.d
	r := mat.NewSymDense(d, nil)
	var eig mat.EigenSym
	for j := range pr.k {
		for a := range d {
			for b := a; b < d; b++ {
				r.SetSym(a, b, p.cov[j][a*d+b]/math.Sqrt(pr.scale[a]*pr.scale[b]))
			}
		}
		if !eig.Factorize(r, false) {
			return pr.singular(j)
		}
		if ev := eig.Values(nil); !(ev[0] > degenerateTol) {
			return fmt.Errorf("mv: component %d collapsed: its covariance is nearly singular (smallest eigenvalue %.2g of the data's scale) under maximum likelihood; use a prior (Prior: DefaultPrior(x, K)), fewer components, or a more constrained covariance model than %v",
				j, ev[0], pr.cov)
		}
	}
	return nil
}
