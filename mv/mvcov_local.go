package mv

// This file stands in for internal/mvcov's M-step and prior until that
// package is merged: the unconstrained model (VVV) with and without a
// prior, and the models with a closed-form maximum-likelihood update that
// scikit-learn shares (spherical, diagonal, tied) plus EII and EEI, without
// one.

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

type covPrior struct {
	MeanLoc        []float64
	Shrinkage, DoF float64
	Scale          *mat.SymDense
}

// covMStep sets means and covs to the M-step's update from the weighted
// counts N, weighted means mean and centred scatters W_k (Celeux & Govaert
// 1995; with the prior, Fraley & Raftery 2007, table 2).
func covMStep(c Covariance, p *covPrior, n []float64, mean *mat.Dense, scatter []*mat.SymDense, prev []*mat.SymDense, means *mat.Dense, covs []*mat.SymDense) error {
	k := len(n)
	_, d := mean.Dims()
	means.Copy(mean)
	if p != nil {
		if c != VVV {
			return fmt.Errorf("mv: model %v with a prior is not available yet", c)
		}
		for j := range k {
			cov := covs[j]
			nk := n[j]
			for a := range d {
				means.Set(j, a, (nk*mean.At(j, a)+p.Shrinkage*p.MeanLoc[a])/(nk+p.Shrinkage))
			}
			f := p.Shrinkage * nk / (nk + p.Shrinkage)
			den := p.DoF + nk + float64(d) + 2
			for a := range d {
				da := mean.At(j, a) - p.MeanLoc[a]
				for b := a; b < d; b++ {
					db := mean.At(j, b) - p.MeanLoc[b]
					cov.SetSym(a, b, (p.Scale.At(a, b)+f*da*db+scatter[j].At(a, b))/den)
				}
			}
		}
		return nil
	}
	var total float64
	pooled := mat.NewSymDense(d, nil)
	for j := range k {
		total += n[j]
		pooled.AddSym(pooled, scatter[j])
	}
	for j := range k {
		cov := covs[j]
		switch c {
		case VVV:
			cov.ScaleSym(1/n[j], scatter[j])
		case VVI:
			diag(cov, scatter[j], 1/n[j])
		case EEE:
			cov.ScaleSym(1/total, pooled)
		case EEI:
			diag(cov, pooled, 1/total)
		case VII:
			sphere(cov, mat.Trace(scatter[j])/(float64(d)*n[j]))
		case EII:
			sphere(cov, mat.Trace(pooled)/(float64(d)*total))
		default:
			return fmt.Errorf("mv: model %v is not available yet", c)
		}
	}
	return nil
}

func diag(dst, src *mat.SymDense, f float64) {
	d := dst.SymmetricDim()
	for a := range d {
		for b := a; b < d; b++ {
			v := 0.0
			if a == b {
				v = src.At(a, a) * f
			}
			dst.SetSym(a, b, v)
		}
	}
}

func sphere(dst *mat.SymDense, v float64) {
	d := dst.SymmetricDim()
	for a := range d {
		for b := a; b < d; b++ {
			if a == b {
				dst.SetSym(a, a, v)
			} else {
				dst.SetSym(a, b, 0)
			}
		}
	}
}

// covLogPrior returns the log density of the Normal-InverseWishart prior
// at the means and covariances (VVV only).
func covLogPrior(c Covariance, p *covPrior, means *mat.Dense, covs []*mat.SymDense) float64 {
	_, d := means.Dims()
	fd := float64(d)
	var lp float64
	var scaleChol mat.Cholesky
	if !scaleChol.Factorize(p.Scale) {
		return math.NaN()
	}
	logDetScale := scaleChol.LogDet()
	lgd := 0.0 // log Γ_d(ν0/2)
	for j := 1; j <= d; j++ {
		g, _ := math.Lgamma((p.DoF + 1 - float64(j)) / 2)
		lgd += g
	}
	lgd += fd * (fd - 1) / 4 * math.Log(math.Pi)
	for k, cov := range covs {
		var ch mat.Cholesky
		if !ch.Factorize(cov) {
			return math.NaN()
		}
		ld := ch.LogDet()
		var inv mat.SymDense
		if err := ch.InverseTo(&inv); err != nil {
			return math.NaN()
		}
		// tr(Λ0 Σ⁻¹) and (μ − μ0)ᵀ Σ⁻¹ (μ − μ0)
		var tr, q float64
		for a := range d {
			for b := range d {
				tr += p.Scale.At(a, b) * inv.At(b, a)
				q += (means.At(k, a) - p.MeanLoc[a]) * inv.At(a, b) * (means.At(k, b) - p.MeanLoc[b])
			}
		}
		lp += -0.5*fd*math.Log(2*math.Pi) + 0.5*fd*math.Log(p.Shrinkage) - 0.5*ld - 0.5*p.Shrinkage*q
		lp += 0.5*p.DoF*logDetScale - 0.5*p.DoF*fd*math.Ln2 - lgd - 0.5*(p.DoF+fd+1)*ld - 0.5*tr
	}
	_ = c
	return lp
}
