package mv

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
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
// Concentration of 0 means 1, the flat Dirichlet. MeanLoc, Shrinkage, DoF
// and Scale are given together or not at all: MeanLoc of length d, finite;
// Shrinkage positive and finite; DoF greater than d − 1; Scale d×d,
// symmetric positive definite. With them, no component can collapse, and
// Fit finds the maximum a posteriori fit.
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
	switch {
	case len(p.MeanLoc) != d:
		return fmt.Errorf("mv: prior MeanLoc has %d values for %d columns; give one per column (DefaultPrior sets all four fields)", len(p.MeanLoc), d)
	case !(p.Shrinkage > 0) || math.IsInf(p.Shrinkage, 0):
		return fmt.Errorf("mv: prior Shrinkage is %v; it must be positive and finite (mclust uses 0.01)", p.Shrinkage)
	case !(p.DoF > float64(d-1)) || math.IsInf(p.DoF, 0):
		return fmt.Errorf("mv: prior DoF is %v; it must be finite and greater than d − 1 = %d (mclust uses d + 2)", p.DoF, d-1)
	case p.Scale == nil:
		return fmt.Errorf("mv: prior Scale is nil; give a %d×%d positive definite matrix (mclust uses the data's covariance / K^(2/d))", d, d)
	}
	for j, v := range p.MeanLoc {
		if !finite(v) {
			return fmt.Errorf("mv: prior MeanLoc[%d] is %v; it must be finite", j, v)
		}
	}
	if r := p.Scale.SymmetricDim(); r != d {
		return fmt.Errorf("mv: prior Scale is %d×%d for %d columns; it must be %d×%d", r, r, d, d, d)
	}
	if !finiteSym(p.Scale) {
		return fmt.Errorf("mv: prior Scale has a value that is not finite")
	}
	var c mat.Cholesky
	if !c.Factorize(p.Scale) {
		return fmt.Errorf("mv: prior Scale is not positive definite; if it came from DefaultPrior, some columns of the data are collinear or constant: drop them")
	}
	return nil
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
