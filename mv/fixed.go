package mv

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvcov"
)

// Fixed names the parameters a fit leaves as they are: those of the model
// before the fit, bit for bit. The others are fitted given them (an ECM
// step, Meng & Rubin 1993, which still raises the objective at every step).
// A fixed parameter must be set in the model.
type Fixed struct {
	Weights, Means, Covariances bool
}

func (f Fixed) any() bool { return f.Weights || f.Means || f.Covariances }

// fixing holds the values of the fixed parameters.
type fixing struct {
	Fixed
	p *params
}

// apply overwrites p's fixed parameters with their values; a nil fixing
// does nothing.
func (fx *fixing) apply(p *params) {
	if fx == nil {
		return
	}
	if fx.Weights {
		copy(p.w, fx.p.w)
	}
	if fx.Means {
		copy(p.mean, fx.p.mean)
	}
	if fx.Covariances {
		for k := range p.cov {
			copy(p.cov[k], fx.p.cov[k])
		}
	}
}

// fixedParams returns the fixing that s.Fixed asks for, with m's values,
// or an error naming the fixed parameters m does not have for d columns.
func (m *Model) fixedParams(f Fixed, d int) (*fixing, error) {
	if !f.any() {
		return nil, nil
	}
	var missing []string
	if f.Weights && len(m.Weights) != m.K {
		missing = append(missing, fmt.Sprintf("Weights (K = %d values)", m.K))
	}
	if f.Means {
		if r, c := dimsOf(m.Means); r != m.K || c != d {
			missing = append(missing, fmt.Sprintf("Means (a %d×%d matrix)", m.K, d))
		}
	}
	if f.Covariances {
		ok := len(m.Covariances) == m.K
		for _, c := range m.Covariances {
			ok = ok && c != nil && c.SymmetricDim() == d
		}
		if !ok {
			missing = append(missing, fmt.Sprintf("Covariances (K = %d matrices %d×%d)", m.K, d, d))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("mv: Settings.Fixed needs the model's %s; set them, or fit the model first", strings.Join(missing, " and "))
	}
	p := newParams(m.K, d)
	if f.Weights {
		var s float64
		for k, w := range m.Weights {
			if !(w >= 0) || math.IsInf(w, 0) {
				return nil, fmt.Errorf("mv: fixed weight %d is %v; weights must be finite and non-negative", k, w)
			}
			s += w
		}
		if math.Abs(s-1) > 1e-9 {
			return nil, fmt.Errorf("mv: the fixed weights sum to %v; they must sum to 1", s)
		}
		copy(p.w, m.Weights)
	}
	for k := range m.K {
		for j := range d {
			if f.Means {
				if p.mean[k*d+j] = m.Means.At(k, j); !finite(p.mean[k*d+j]) {
					return nil, fmt.Errorf("mv: fixed mean %d has %v in column %d; means must be finite", k, p.mean[k*d+j], j)
				}
			}
			if f.Covariances {
				for l := range d {
					p.cov[k][j*d+l] = m.Covariances[k].At(j, l)
				}
			}
		}
		if f.Covariances {
			if !finiteSym(m.Covariances[k]) {
				return nil, fmt.Errorf("mv: fixed covariance %d has a value that is not finite", k)
			}
			if err := m.checkCov(k, d); err != nil {
				return nil, err
			}
		}
	}
	return &fixing{Fixed: f, p: p}, nil
}

// meansGivenCovs sets next's means from the M-step's inputs (pr.nk,
// pr.mean) when the covariances are fixed: the weighted mean m_k, or under
// a prior with mean shrinkage κ0 > 0 the posterior mode
// (W_k m_k + κ0 μ0)/(W_k + κ0), which does not depend on Σ_k (Fraley &
// Raftery 2007). An empty component keeps its mean.
func (pr *problem) meansGivenCovs(next *params) {
	d := pr.d
	var kappa float64
	if pr.prior != nil {
		kappa = pr.prior.MeanShrinkage(pr.cmodel())
	}
	for j := range pr.k {
		n := pr.nk[j]
		for a := range d {
			v := pr.mean.At(j, a)
			if kappa > 0 {
				v = (n*v + kappa*pr.prior.MeanLoc[a]) / (n + kappa)
			}
			next.mean[j*d+a] = v
		}
	}
}

// fixMeans rewrites the M-step's inputs when the means are fixed at μ_k, so
// that the model's M-step gives the covariances that maximise the objective
// given them: the scatter about μ_k, S_k(μ_k) = M2_k + W_k (m_k − μ_k)(m_k −
// μ_k)ᵀ, and, under a prior with κ0 > 0, in place of the mean the point
// μ0 + ((W_k + κ0)/W_k)^½ (μ_k − μ0), for which the M-step's term
// κ0 W_k/(W_k + κ0) (x̄ − μ0)(x̄ − μ0)ᵀ becomes κ0 (μ_k − μ0)(μ_k − μ0)ᵀ, the
// prior's term at the fixed mean. (The mean the M-step returns is then
// discarded.)
func (pr *problem) fixMeans() {
	d := pr.d
	var kappa float64
	if pr.prior != nil {
		kappa = pr.prior.MeanShrinkage(pr.cmodel())
	}
	for j := range pr.k {
		n := pr.nk[j]
		mu := pr.fx.p.mean[j*d : (j+1)*d]
		for a := range d {
			da := pr.mean.At(j, a) - mu[a]
			for b := a; b < d; b++ {
				db := pr.mean.At(j, b) - mu[b]
				pr.scatter[j].SetSym(a, b, pr.scatter[j].At(a, b)+n*da*db)
			}
		}
		for a := range d {
			v := mu[a]
			if kappa > 0 {
				v = pr.prior.MeanLoc[a] + math.Sqrt((n+kappa)/n)*(mu[a]-pr.prior.MeanLoc[a])
			}
			pr.mean.Set(j, a, v)
		}
	}
}

// cmodel returns the covariance model in mvcov's terms.
func (pr *problem) cmodel() mvcov.Model { return mvcov.Model(pr.cov) }

// dimsOf returns a's dimensions, 0×0 for nil or empty.
func dimsOf(a *mat.Dense) (int, int) {
	if a == nil || a.IsEmpty() {
		return 0, 0
	}
	return a.Dims()
}
