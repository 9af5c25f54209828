package mvcov

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/num"
)

// refData is what testdata/mclust_mstep.R wrote: data sets, responsibilities,
// mclust's M-steps and its parameter counts.
type refData struct {
	x, z    map[string]*mat.Dense
	cases   []refCase
	nparams []refCount
}

type refCase struct {
	data   string
	model  Model
	prior  *refPrior
	na     bool
	loglik float64
	means  *mat.Dense
	covs   []*mat.SymDense
}

type refPrior struct {
	shrinkage, dof float64
	mean           []float64
	scale          *mat.Dense // 1×1 for the spherical and diagonal models
}

type refCount struct {
	model   Model
	k, d, n int
}

func readRef(t *testing.T) *refData {
	t.Helper()
	f, err := os.Open("testdata/mclust_mstep.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	line := func() []string {
		if !sc.Scan() {
			t.Fatal("mclust_mstep.txt ends early")
		}
		return strings.Fields(sc.Text())
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	atoi := func(s string) int {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	rows := func(r, c int) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range r {
			fs := line()
			if len(fs) != c {
				t.Fatalf("row has %d values, want %d", len(fs), c)
			}
			for j := range c {
				m.Set(i, j, num(fs[j]))
			}
		}
		return m
	}
	ref := &refData{x: map[string]*mat.Dense{}, z: map[string]*mat.Dense{}}
	var pending *refPrior
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		switch fs[0] {
		case "data":
			ref.x[fs[1]] = rows(atoi(fs[2]), atoi(fs[3]))
		case "z":
			n, _ := ref.x[fs[1]].Dims()
			ref.z[fs[1]] = rows(n, atoi(fs[2]))
		case "prior":
			_, d := ref.x[fs[1]].Dims()
			p := &refPrior{shrinkage: num(fs[3]), dof: num(fs[4])}
			p.mean = mat.Row(nil, 0, rows(1, d))
			ns := atoi(fs[5])
			p.scale = rows(ns, ns)
			pending = p
		case "case":
			m, err := Parse(fs[2])
			if err != nil {
				t.Fatal(err)
			}
			c := refCase{data: fs[1], model: m}
			if fs[3] == "1" {
				c.prior, pending = pending, nil
			}
			if fs[4] == "NA" {
				c.na = true
				ref.cases = append(ref.cases, c)
				continue
			}
			c.loglik = num(fs[4])
			_, d := ref.x[c.data].Dims()
			_, k := ref.z[c.data].Dims()
			c.means = rows(k, d)
			for range k {
				c.covs = append(c.covs, mat.NewSymDense(d, rows(d, d).RawMatrix().Data))
			}
			ref.cases = append(ref.cases, c)
		case "nparams":
			m, err := Parse(fs[1])
			if err != nil {
				t.Fatal(err)
			}
			ref.nparams = append(ref.nparams, refCount{m, atoi(fs[2]), atoi(fs[3]), atoi(fs[4])})
		default:
			t.Fatalf("unknown line %q", sc.Text())
		}
	}
	return ref
}

// eStats returns the statistics of an E-step with responsibilities z:
// N_k, the weighted means x̄_k and the scatters W_k about them.
func eStats(x, z *mat.Dense) (N []float64, mean *mat.Dense, scatter []*mat.SymDense) {
	n, d := x.Dims()
	_, k := z.Dims()
	N = make([]float64, k)
	mean = mat.NewDense(k, d, nil)
	for j := range k {
		for i := range n {
			r := z.At(i, j)
			N[j] += r
			for a := range d {
				mean.Set(j, a, mean.At(j, a)+r*x.At(i, a))
			}
		}
		for a := range d {
			mean.Set(j, a, mean.At(j, a)/N[j])
		}
		w := mat.NewSymDense(d, nil)
		for i := range n {
			r := z.At(i, j)
			for a := range d {
				for b := a; b < d; b++ {
					w.SetSym(a, b, w.At(a, b)+r*(x.At(i, a)-mean.At(j, a))*(x.At(i, b)-mean.At(j, b)))
				}
			}
		}
		scatter = append(scatter, w)
	}
	return N, mean, scatter
}

// logLik returns Σ_i log Σ_k w_k N(x_i; μ_k, Σ_k).
func logLik(x *mat.Dense, w []float64, means *mat.Dense, covs []*mat.SymDense) float64 {
	n, d := x.Dims()
	k := len(w)
	chs := make([]mat.Cholesky, k)
	for j := range k {
		if !chs[j].Factorize(covs[j]) {
			return math.NaN()
		}
	}
	var ll float64
	terms := make([]float64, k)
	row := mat.NewVecDense(d, nil)
	var sol mat.VecDense
	for i := range n {
		for j := range k {
			for a := range d {
				row.SetVec(a, x.At(i, a)-means.At(j, a))
			}
			if err := chs[j].SolveVecTo(&sol, row); err != nil {
				return math.NaN()
			}
			q := mat.Dot(row, &sol)
			terms[j] = math.Log(w[j]) - 0.5*(float64(d)*math.Log(2*math.Pi)+chs[j].LogDet()+q)
		}
		ll += num.LogSumExp(terms)
	}
	return ll
}

// goPrior turns mclust's prior into a Prior: for the spherical and diagonal
// models mclust's scale is a number ζ, which is tr(Λ0)/d for Λ0 = ζI.
func (p *refPrior) goPrior(d int) *Prior {
	s := mat.NewSymDense(d, nil)
	if r, _ := p.scale.Dims(); r == 1 {
		for a := range d {
			s.SetSym(a, a, p.scale.At(0, 0))
		}
	} else {
		for a := range d {
			for b := a; b < d; b++ {
				s.SetSym(a, b, p.scale.At(a, b))
			}
		}
	}
	return &Prior{MeanLoc: p.mean, Shrinkage: p.shrinkage, DoF: p.dof, Scale: s}
}

func newCovs(k, d int) []*mat.SymDense {
	c := make([]*mat.SymDense, k)
	for j := range c {
		c[j] = mat.NewSymDense(d, nil)
	}
	return c
}

// maxRelDiff returns max |a_ij − b_ij| / max |b_ij|.
func maxRelDiff(a, b mat.Matrix) float64 {
	r, c := b.Dims()
	var e, s float64
	for i := range r {
		for j := range c {
			e = max(e, math.Abs(a.At(i, j)-b.At(i, j)))
			s = max(s, math.Abs(b.At(i, j)))
		}
	}
	return e / s
}

// refTol gives, for each model, the largest relative difference allowed
// between MStep's means and covariances and mclust's, and says why.
func refTol(m Model) float64 {
	switch m {
	case VEE, EVE:
		// mclust stops these iterations when the objective changes by
		// less than 1e-14 relative (the script's tolerance); at a maximum
		// the objective is flat to second order, so the parameters are
		// then known to about sqrt(1e-14) = 1e-7, and 1e-6 leaves a factor
		// of ten for the conditioning of iris and Old Faithful.
		return 1e-6
	}
	// Closed forms, and VEI, VEV, whose fixed points both sides iterate
	// until the parameters change by less than 1e-13 to 1e-14: the two
	// differ by rounding only, sums of a few hundred products taken in
	// another order and eigen-decompositions of 4×4 matrices, observed at
	// most 1.1e-14; 1e-12 allows a hundredfold that.
	return 1e-12
}

func TestMStepMatchesMclust(t *testing.T) {
	ref := readRef(t)
	for _, c := range ref.cases {
		name := fmt.Sprintf("%s/%v/prior=%v", c.data, c.model, c.prior != nil)
		t.Run(name, func(t *testing.T) {
			if c.na {
				t.Skip("mclust gives NA")
			}
			x, z := ref.x[c.data], ref.z[c.data]
			n, d := x.Dims()
			_, k := z.Dims()
			N, mean, scatter := eStats(x, z)
			var p *Prior
			if c.prior != nil {
				p = c.prior.goPrior(d)
			}
			means, covs := mat.NewDense(k, d, nil), newCovs(k, d)
			ws := NewWorkspace(k, d)
			if err := MStep(c.model, p, N, mean, scatter, nil, means, covs, ws); err != nil {
				t.Fatal(err)
			}
			// Our M-step maximises the objective, so it is never below
			// mclust's parameters; 1e-12 relative is rounding in sums of
			// a few hundred terms.
			got, theirs := objective(c.model, p, N, mean, scatter, means, covs),
				objective(c.model, p, N, mean, scatter, c.means, c.covs)
			if got < theirs-1e-12*math.Abs(theirs) {
				t.Errorf("objective %.15g below mclust's %.15g", got, theirs)
			}
			if c.model == VVE {
				// mclust's msvve leaves the volumes out of its orientation
				// step, so it does not reach the maximum: compare the
				// objectives only.
				if !(got > theirs) {
					t.Errorf("objective %.15g not above mclust's %.15g", got, theirs)
				}
				return
			}
			wantMeans, wantCovs := c.means, c.covs
			if p != nil {
				wantMeans, wantCovs = mclustDeviations(c, p, N, mean)
			}
			tol := refTol(c.model)
			if e := maxRelDiff(means, wantMeans); !(e <= tol) {
				t.Errorf("means differ from mclust's by %.3g relative, more than %g", e, tol)
			}
			for j := range k {
				if e := maxRelDiff(covs[j], wantCovs[j]); !(e <= tol) {
					t.Errorf("covariance %d differs from mclust's by %.3g relative, more than %g\n got %v\nwant %v",
						j, e, tol, mat.Formatted(covs[j]), mat.Formatted(wantCovs[j]))
				}
			}
			if p != nil && (c.model == EII || c.model == EEI) {
				return // estep's log-likelihood is of mclust's other parameters
			}
			w := make([]float64, k)
			for j := range k {
				w[j] = N[j] / float64(n)
			}
			// The mixture's log-likelihood moves to first order with the
			// parameters, so it agrees with mclust's estep to tol, or to
			// 1e-13 (rounding in a sum of n·K logarithms) where tol is
			// smaller.
			if ll := logLik(x, w, means, covs); !(math.Abs(ll-c.loglik) <= max(tol, 1e-13)*math.Abs(c.loglik)) {
				t.Errorf("log-likelihood %.17g, mclust's %.17g", ll, c.loglik)
			}
		})
	}
}

// objective returns the expected complete-data log-likelihood, without the
// constant −Σ N_k d/2 log 2π and the weights' terms, plus the log prior:
//
//	Σ_k [ −N_k/2 log|Σ_k| − tr(Σ_k⁻¹ (W_k + N_k (x̄_k−μ_k)(x̄_k−μ_k)ᵀ))/2 ] + LogPrior.
func objective(m Model, p *Prior, N []float64, mean *mat.Dense, scatter []*mat.SymDense, means *mat.Dense, covs []*mat.SymDense) float64 {
	k, d := mean.Dims()
	var f float64
	for j := range k {
		var ch mat.Cholesky
		if !ch.Factorize(covs[j]) {
			return math.Inf(-1)
		}
		var inv mat.SymDense
		if err := ch.InverseTo(&inv); err != nil {
			return math.Inf(-1)
		}
		s := mat.NewSymDense(d, nil)
		s.CopySym(scatter[j])
		dv := mat.NewVecDense(d, nil)
		for a := range d {
			dv.SetVec(a, mean.At(j, a)-means.At(j, a))
		}
		s.SymRankOne(s, N[j], dv)
		f += -N[j]/2*ch.LogDet() - trProdSym(&inv, s)/2
	}
	return f + LogPrior(m, p, means, covs)
}

// mclustDeviations returns the means and covariances that mclust 6.0.0 gives
// where its M-step with a prior is not the maximiser (Prior's doc comment):
// EEI leaves the means at x̄_k; EII leaves out the scale ζ and takes the
// scatter about the posterior mean μ̃_k, which adds N_k |x̄_k − μ̃_k|² for each
// k to the numerator of σ². It returns what MStep should give, from mclust's
// values and those corrections.
func mclustDeviations(c refCase, p *Prior, N []float64, mean *mat.Dense) (*mat.Dense, []*mat.SymDense) {
	k, d := mean.Dims()
	means := mat.DenseCopyOf(c.means)
	covs := newCovs(k, d)
	for j := range k {
		covs[j].CopySym(c.covs[j])
	}
	switch c.model {
	case EEI:
		for j := range k {
			for a := range d {
				means.Set(j, a, (N[j]*c.means.At(j, a)+p.Shrinkage*p.MeanLoc[a])/(N[j]+p.Shrinkage))
			}
		}
	case EII:
		var extra, total float64
		for j := range k {
			total += N[j]
			f := p.Shrinkage / (N[j] + p.Shrinkage)
			for a := range d {
				dv := f * (mean.At(j, a) - p.MeanLoc[a])
				extra += N[j] * dv * dv
			}
		}
		zeta := p.Scale.At(0, 0)
		denom := p.DoF + float64(d)*total + 2 + float64(d*k)
		for j := range k {
			for a := range d {
				covs[j].SetSym(a, a, c.covs[j].At(a, a)+(zeta-extra)/denom)
			}
		}
	}
	return means, covs
}
