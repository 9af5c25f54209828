package mv

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvcov"
)

// Prior holds the hyperparameters of the conjugate prior of Fraley &
// Raftery (2007):
//
//	w           ~ Dirichlet(α, …, α)                α = Concentration
//	μ_k | Σ_k   ~ Normal_d(μ0, Σ_k/κ0)              μ0 = MeanLoc, κ0 = Shrinkage
//	Σ_k         ~ InverseWishart(ν0, Λ0)            ν0 = DoF, Λ0 = Scale
//
// with the InverseWishart density
//
//	|Λ0|^(ν0/2) / (2^(ν0 d/2) Γ_d(ν0/2)) · |Σ|^(−(ν0+d+1)/2) · exp(−½ tr(Λ0 Σ⁻¹)),
//
// restricted to each covariance model's form as in Fraley & Raftery (2007,
// table 2): a spherical model puts the inverse-gamma implied on its volume,
// a diagonal one on each variance, a tied one on the shared Σ.
//
// The zero Prior{} means no prior: Fit then maximises the likelihood, as
// mclust does by default and scikit-learn's GaussianMixture always does. A
// Concentration of 0 means 1, the flat Dirichlet. If any of MeanLoc,
// Shrinkage, DoF and Scale is set, Scale must be d×d, finite and positive
// definite, DoF finite and greater than d − 1, Shrinkage finite and ≥ 0
// (0 puts no prior on the means), and, if Shrinkage > 0, MeanLoc of length
// d and finite. With them no component can collapse, and Fit finds the
// maximum a posteriori fit. mclust restricts the prior for some models and
// has none for VEE, EVE, VVE and EVV, which get VVV's (an independent
// Normal-InverseWishart for each component at the constrained Σ_k); the
// log prior density is that of internal/mvcov.LogPrior.
type Prior struct {
	Concentration float64       // Dirichlet α
	MeanLoc       []float64     // μ0
	Shrinkage     float64       // κ0
	DoF           float64       // ν0
	Scale         *mat.SymDense // Λ0
}

// IsZero reports whether p is the zero Prior: no prior at all.
func (p *Prior) IsZero() bool {
	return p.Concentration == 0 && !p.hasNIW()
}

// hasNIW reports whether any of the Normal-InverseWishart fields is set.
func (p *Prior) hasNIW() bool {
	return p.MeanLoc != nil || p.Shrinkage != 0 || p.DoF != 0 || p.Scale != nil
}

// alpha returns the Dirichlet concentration in use: 1 for 0.
func (p *Prior) alpha() float64 {
	if p.Concentration == 0 {
		return 1
	}
	return p.Concentration
}

// Validate returns nil if p is the zero Prior or a proper prior for data
// in d dimensions, and otherwise an error that says which field is wrong.
func (p *Prior) Validate(d int) error {
	if a := p.Concentration; a != 0 && (!(a > 0) || math.IsInf(a, 0)) {
		return fmt.Errorf("mv: prior Concentration is %v; it must be positive and finite, or 0 for 1", a)
	}
	if !p.hasNIW() {
		return nil
	}
	if err := p.niw().Check(d); err != nil {
		return errors.New("mv: " + strings.TrimPrefix(err.Error(), "mvcov: "))
	}
	return nil
}

// niw returns the Normal-InverseWishart part of p.
func (p *Prior) niw() *mvcov.Prior {
	return &mvcov.Prior{MeanLoc: p.MeanLoc, Shrinkage: p.Shrinkage, DoF: p.DoF, Scale: p.Scale}
}

// DefaultPrior returns the prior of mclust's priorControl() for k
// components (Fraley & Raftery 2007, section 3.3):
//
//	Concentration = 1                          (a flat Dirichlet: mclust has no prior on w)
//	MeanLoc       = the data's mean
//	Shrinkage     = 0.01
//	DoF           = d + 2
//	Scale         = cov(x) / K^(2/d)           cov with divisor n − 1, as R's cov
//
// Rows with a value that is not finite are ignored. The result may be
// invalid (Validate says why) if fewer than two rows remain or the columns
// are collinear; a k below 1 is taken as 1.
func DefaultPrior(x mat.Matrix, k int) Prior {
	n, d := x.Dims()
	k = max(k, 1)
	mean := make([]float64, d)
	var rows [][]float64
	for i := range n {
		row := make([]float64, d)
		ok := true
		for j := range d {
			row[j] = x.At(i, j)
			ok = ok && finite(row[j])
		}
		if ok {
			rows = append(rows, row)
		}
	}
	for _, row := range rows {
		for j, v := range row {
			mean[j] += v
		}
	}
	m := float64(len(rows))
	for j := range mean {
		mean[j] /= m
	}
	scale := mat.NewSymDense(d, nil)
	f := math.Pow(float64(k), 2/float64(d)) * (m - 1)
	for a := range d {
		for b := a; b < d; b++ {
			var s float64
			for _, row := range rows {
				s += (row[a] - mean[a]) * (row[b] - mean[b])
			}
			scale.SetSym(a, b, s/f)
		}
	}
	return Prior{Concentration: 1, MeanLoc: mean, Shrinkage: 0.01, DoF: float64(d + 2), Scale: scale}
}

// clone returns a deep copy of p.
func (p *Prior) clone() Prior {
	q := *p
	if p.MeanLoc != nil {
		q.MeanLoc = append([]float64(nil), p.MeanLoc...)
	}
	if p.Scale != nil {
		q.Scale = mat.NewSymDense(p.Scale.SymmetricDim(), nil)
		q.Scale.CopySym(p.Scale)
	}
	return q
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func finiteSym(s *mat.SymDense) bool {
	n := s.SymmetricDim()
	for i := range n {
		for j := i; j < n; j++ {
			if !finite(s.At(i, j)) {
				return false
			}
		}
	}
	return true
}
