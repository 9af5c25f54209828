package mvcov

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/gmm-go/gmm/internal/num"
)

// TestLogPriorDensities checks LogPrior, for the models whose prior is a
// product of standard densities, against gonum's inverse gamma, Wishart and
// Normal densities at random parameters of the model.
func TestLogPriorDensities(t *testing.T) {
	const k, d = 3, 3
	rng := rand.New(rand.NewPCG(3, 4))
	scale := mat.NewSymDense(d, []float64{2, 0.5, 0.1, 0.5, 1, 0.3, 0.1, 0.3, 1.5})
	for _, kappa := range []float64{0, 0.5} {
		p := &Prior{MeanLoc: []float64{1, -1, 0.5}, Shrinkage: kappa, DoF: d + 2, Scale: scale}
		zeta := mat.Trace(scale) / d
		ig := distuv.InverseGamma{Alpha: p.DoF / 2, Beta: zeta / 2}
		var scaleInv mat.SymDense
		var ch mat.Cholesky
		ch.Factorize(scale)
		if err := ch.InverseTo(&scaleInv); err != nil {
			t.Fatal(err)
		}
		// logIW is the InverseWishart density written out from its
		// textbook form (Gelman et al., Bayesian Data Analysis, Table A.1):
		// |Λ|^(ν/2) |Σ|^(−(ν+d+1)/2) exp(−tr(ΛΣ⁻¹)/2) / (2^(νd/2) Γ_d(ν/2)),
		// with Γ_d(a) = π^(d(d−1)/4) Π_j Γ(a + (1−j)/2).
		logIW := func(s *mat.SymDense) float64 {
			var c mat.Cholesky
			c.Factorize(s)
			var inv mat.Dense
			var si mat.SymDense
			if err := c.InverseTo(&si); err != nil {
				t.Fatal(err)
			}
			inv.Mul(scale, &si)
			nu := p.DoF
			gd := float64(d*(d-1)) / 4 * math.Log(math.Pi)
			for j := 1; j <= d; j++ {
				lg, _ := math.Lgamma(nu/2 + float64(1-j)/2)
				gd += lg
			}
			return nu/2*ch.LogDet() - (nu+d+1)/2*c.LogDet() - mat.Trace(&inv)/2 - nu*d/2*math.Ln2 - gd
		}
		// logNormal is the density of N(μ0, Σ/κ0) at μ.
		logNormal := func(mu []float64, s *mat.SymDense) float64 {
			var c mat.Cholesky
			c.Factorize(s)
			diff := mat.NewVecDense(d, nil)
			for a := range d {
				diff.SetVec(a, mu[a]-p.MeanLoc[a])
			}
			var sol mat.VecDense
			if err := c.SolveVecTo(&sol, diff); err != nil {
				t.Fatal(err)
			}
			return -0.5 * (d*math.Log(2*math.Pi) + c.LogDet() - d*math.Log(kappa) + kappa*mat.Dot(diff, &sol))
		}
		for m := EII; m <= VVV; m++ {
			if m == VEI || m == EVI || m == EEV || m == VEV {
				continue // not a product of standard densities
			}
			t.Run(fmt.Sprintf("%v/kappa=%g", m, kappa), func(t *testing.T) {
				f := randomFactors(m, rng, k, d)
				covs := f.compose()
				means := mat.NewDense(k, d, nil)
				for j := range k {
					for a := range d {
						means.Set(j, a, rng.NormFloat64())
					}
				}
				var want float64
				switch m {
				case EII, EEI:
					for a := range d {
						if m == EEI || a == 0 {
							want += ig.LogProb(covs[0].At(a, a))
						}
					}
				case VII, VVI:
					for j := range k {
						for a := range d {
							if m == VVI || a == 0 {
								want += ig.LogProb(covs[j].At(a, a))
							}
						}
					}
				case EEE:
					want = logIW(covs[0])
				default:
					for j := range k {
						want += logIW(covs[j])
					}
				}
				if kappa > 0 {
					for j := range k {
						want += logNormal(means.RawRowView(j), covs[j])
					}
				}
				got := LogPrior(m, p, means, covs)
				// 1e-12 relative: the two sum the same terms in another
				// order, with log-determinants of 3×3 matrices.
				if math.Abs(got-want) > 1e-12*math.Abs(want) {
					t.Errorf("LogPrior = %.15g, densities give %.15g", got, want)
				}
			})
		}
	}
}

// randomFactors draws covariances of model m: volumes, shapes and
// orientations at random, shared where the model's letter is E.
func randomFactors(m Model, rng *rand.Rand, k, d int) factors {
	f := factors{lambda: make([]float64, k), a: make([][]float64, k), o: make([]*mat.Dense, k)}
	for j := range k {
		f.lambda[j] = 1
		f.a[j] = make([]float64, d)
		for a := range d {
			f.a[j][a] = 1
		}
		f.o[j] = identity(d)
	}
	return f.perturb(m, rng, 1)
}

func TestLogPriorEdges(t *testing.T) {
	means := mat.NewDense(2, 2, nil)
	covs := []*mat.SymDense{mat.NewSymDense(2, []float64{1, 0, 0, 1}), mat.NewSymDense(2, []float64{1, 0, 0, 1})}
	if v := LogPrior(VVV, nil, means, covs); v != 0 {
		t.Errorf("zero prior: %v, want 0", v)
	}
	p := &Prior{MeanLoc: []float64{0, 0}, Shrinkage: 0.01, DoF: 4, Scale: mat.NewSymDense(2, []float64{1, 0, 0, 1})}
	if v := LogPrior(VVV, &Prior{DoF: 4}, means, covs); !math.IsNaN(v) {
		t.Errorf("prior without a scale: %v, want NaN", v)
	}
	bad := []*mat.SymDense{covs[0], mat.NewSymDense(2, []float64{1, 2, 2, 1})}
	if v := LogPrior(VVV, p, means, bad); !math.IsInf(v, -1) {
		t.Errorf("covariance not positive definite: %v, want -Inf", v)
	}
}

// TestEMNeverDecreases runs EM with MStep from mclust's reference
// responsibilities for every model, by maximum likelihood and with the
// default prior, and checks that the log-likelihood plus LogPrior never
// decreases.
func TestEMNeverDecreases(t *testing.T) {
	ref := readRef(t)
	for _, sc := range refStats(t) {
		name := sc.name[:len(sc.name)-len("/ML")]
		if sc.prior != nil {
			name = sc.name[:len(sc.name)-len("/prior")]
		}
		x := ref.x[name]
		n, d := x.Dims()
		k := len(sc.N)
		for m := EII; m <= VVV; m++ {
			t.Run(fmt.Sprintf("%s/%v", sc.name, m), func(t *testing.T) {
				ws := NewWorkspace(k, d)
				means, covs := mat.NewDense(k, d, nil), newCovs(k, d)
				prev := newCovs(k, d)
				N, mean, scatter := sc.N, sc.mean, sc.scatter
				last := math.Inf(-1)
				for it := range 30 {
					if err := MStep(m, sc.prior, N, mean, scatter, prev, means, covs, ws); err != nil {
						t.Fatal(err)
					}
					w := make([]float64, k)
					for j := range k {
						w[j] = N[j] / float64(n)
						prev[j].CopySym(covs[j])
					}
					cur := logLik(x, w, means, covs) + LogPrior(m, sc.prior, means, covs)
					// 1e-12 relative: rounding in sums of n·K terms; the
					// iterative M-steps start from the previous
					// covariances or converge to their unique optimum.
					if cur < last-1e-12*math.Abs(last) {
						t.Errorf("step %d: log posterior fell from %.15g to %.15g", it, last, cur)
					}
					last = cur
					N, mean, scatter = eStats(x, eStep(x, w, means, covs))
				}
			})
		}
	}
}

// eStep returns the responsibilities of the mixture for the rows of x.
func eStep(x *mat.Dense, w []float64, means *mat.Dense, covs []*mat.SymDense) *mat.Dense {
	n, d := x.Dims()
	k := len(w)
	z := mat.NewDense(n, k, nil)
	chs := make([]mat.Cholesky, k)
	for j := range k {
		if !chs[j].Factorize(covs[j]) {
			panic("covariance not positive definite")
		}
	}
	l := make([]float64, k)
	diff := mat.NewVecDense(d, nil)
	var sol mat.VecDense
	for i := range n {
		for j := range k {
			for a := range d {
				diff.SetVec(a, x.At(i, a)-means.At(j, a))
			}
			if err := chs[j].SolveVecTo(&sol, diff); err != nil {
				panic(err)
			}
			l[j] = math.Log(w[j]) - 0.5*(chs[j].LogDet()+mat.Dot(diff, &sol))
		}
		lse := num.LogSumExp(l)
		for j := range k {
			z.Set(i, j, math.Exp(l[j]-lse))
		}
	}
	return z
}

// TestCheckScaleUnits checks that Check judges a Scale by its
// correlations: variances 10^14 apart are the columns' units, not a near
// singularity, and a Scale of rank one is refused whatever its units. (The
// regression inputs of FuzzFit and FuzzPosterior in mv/testdata/fuzz hold
// DefaultPriors singular up to rounding that passed before.)
func TestCheckScaleUnits(t *testing.T) {
	const d = 2
	for _, c := range []struct {
		name    string
		a, b, c float64 // the Scale [[a, b], [b, c]]
		ok      bool
	}{
		{"units 10^7 apart", 1, 0, 1e-14, true},
		{"units 10^7 apart, correlated 0.9", 1, 0.9e-7, 1e-14, true},
		{"rank one, spreads 0.1 and 160 apart", 0.01, 0.01 * 1600, 0.01 * 1600 * 1600, false},
	} {
		p := &Prior{MeanLoc: make([]float64, d), Shrinkage: 0.01, DoF: d + 2,
			Scale: mat.NewSymDense(d, []float64{c.a, c.b, c.b, c.c})}
		if err := p.Check(d); (err == nil) != c.ok {
			t.Errorf("%s: Check gives %v, want ok %v", c.name, err, c.ok)
		}
	}
}
