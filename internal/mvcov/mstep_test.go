package mvcov

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// factors are the volumes, shapes and orientations of K covariances:
// Σ_k = λ_k D_k diag(a_k) D_kᵀ with Π_j a_kj = 1.
type factors struct {
	lambda []float64
	a      [][]float64
	o      []*mat.Dense
}

// decompose returns the factors of covs in the form of model m: the
// orientation is the identity (…I), the eigenvectors of Σ_1 shared by all
// (…E), or each Σ_k's own (…V), with eigenvalues in ascending order.
func decompose(m Model, covs []*mat.SymDense) factors {
	k := len(covs)
	d := covs[0].SymmetricDim()
	f := factors{lambda: make([]float64, k), a: make([][]float64, k), o: make([]*mat.Dense, k)}
	var shared *mat.Dense
	for j, c := range covs {
		var o *mat.Dense
		switch m.orientation() {
		case 'I':
			o = identity(d)
		case 'E':
			if shared == nil {
				shared = eigenvectors(c)
			}
			o = shared
		default:
			o = eigenvectors(c)
		}
		var r mat.Dense
		r.Product(o.T(), c, o)
		a := make([]float64, d)
		for i := range d {
			a[i] = r.At(i, i)
		}
		g := geomean(a)
		for i := range a {
			a[i] /= g
		}
		f.lambda[j], f.a[j], f.o[j] = g, a, o
	}
	return f
}

func identity(d int) *mat.Dense {
	o := mat.NewDense(d, d, nil)
	for i := range d {
		o.Set(i, i, 1)
	}
	return o
}

func eigenvectors(c *mat.SymDense) *mat.Dense {
	var e mat.EigenSym
	if !e.Factorize(c, true) {
		panic("eigen")
	}
	var v mat.Dense
	e.VectorsTo(&v)
	return &v
}

// compose returns Σ_k = λ_k D_k diag(a_k) D_kᵀ.
func (f factors) compose() []*mat.SymDense {
	out := make([]*mat.SymDense, len(f.lambda))
	for j := range out {
		d := len(f.a[j])
		s := mat.NewSymDense(d, nil)
		for p := range d {
			for q := p; q < d; q++ {
				var v float64
				for i := range d {
					v += f.o[j].At(p, i) * f.a[j][i] * f.o[j].At(q, i)
				}
				s.SetSym(p, q, f.lambda[j]*v)
			}
		}
		out[j] = s
	}
	return out
}

// randomOrthogonal returns polar(I + eps·G) for a Gaussian G, an orthogonal
// matrix that is near I for small eps (and uniform-like for large eps).
func randomOrthogonal(rng *rand.Rand, d int, eps float64) *mat.Dense {
	g := mat.NewDense(d, d, nil)
	for i := range d {
		for j := range d {
			v := eps * rng.NormFloat64()
			if i == j {
				v++
			}
			g.Set(i, j, v)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(g, mat.SVDFull) {
		panic("svd")
	}
	var u, v, q mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	q.Mul(&u, v.T())
	return &q
}

// perturb returns factors moved by about eps within model m: each Equal
// factor moves the same way for all components, each Variable one its own
// way, and the Identity stays.
func (f factors) perturb(m Model, rng *rand.Rand, eps float64) factors {
	k, d := len(f.lambda), len(f.a[0])
	g := factors{lambda: make([]float64, k), a: make([][]float64, k), o: make([]*mat.Dense, k)}
	vol := math.Exp(eps * rng.NormFloat64())
	shape := make([]float64, d)
	for i := range shape {
		shape[i] = math.Exp(eps * rng.NormFloat64())
	}
	rot := randomOrthogonal(rng, d, eps)
	for j := range k {
		if m.volume() == 'V' {
			vol = math.Exp(eps * rng.NormFloat64())
		}
		g.lambda[j] = f.lambda[j] * vol
		a := make([]float64, d)
		copy(a, f.a[j])
		if m.shape() != 'I' {
			if m.shape() == 'V' {
				for i := range shape {
					shape[i] = math.Exp(eps * rng.NormFloat64())
				}
			}
			for i := range a {
				a[i] *= shape[i]
			}
			gm := geomean(a)
			for i := range a {
				a[i] /= gm
			}
		}
		g.a[j] = a
		g.o[j] = f.o[j]
		if m.orientation() != 'I' {
			if m.orientation() == 'V' {
				rot = randomOrthogonal(rng, d, eps)
			}
			var o mat.Dense
			o.Mul(rot, f.o[j])
			g.o[j] = &o
		}
	}
	return g
}

// refStats returns the E-step statistics of the reference data sets.
type statsCase struct {
	name    string
	N       []float64
	mean    *mat.Dense
	scatter []*mat.SymDense
	prior   *Prior
}

func refStats(t *testing.T) []statsCase {
	ref := readRef(t)
	var out []statsCase
	for _, name := range []string{"iris", "faithful"} {
		N, mean, scatter := eStats(ref.x[name], ref.z[name])
		var p *Prior
		for _, c := range ref.cases {
			if c.data == name && c.model == VVV && c.prior != nil {
				_, d := mean.Dims()
				p = c.prior.goPrior(d)
			}
		}
		out = append(out, statsCase{name + "/ML", N, mean, scatter, nil}, statsCase{name + "/prior", N, mean, scatter, p})
	}
	return out
}

// TestMStepMaximises checks, independently of how MStep solves each model,
// that its result has a higher objective (expected complete-data
// log-likelihood plus log prior) than any other means and covariances of the
// same model tried: small and large moves of every factor within the model,
// and covariances drawn at random from the model.
func TestMStepMaximises(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sc := range refStats(t) {
		for m := EII; m <= VVV; m++ {
			t.Run(fmt.Sprintf("%s/%v", sc.name, m), func(t *testing.T) {
				k, d := sc.mean.Dims()
				means, covs := mat.NewDense(k, d, nil), newCovs(k, d)
				if err := MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, covs, NewWorkspace(k, d)); err != nil {
					t.Fatal(err)
				}
				best := objective(m, sc.prior, sc.N, sc.mean, sc.scatter, means, covs)
				f := decompose(m, covs)
				// The decomposition reproduces the covariances, so that the
				// moves below stay in the model: 1e-12 relative is rounding
				// in an eigen-decomposition of a 4×4 matrix and its product.
				for j, c := range f.compose() {
					if e := maxRelDiff(c, covs[j]); e > 1e-12 {
						t.Fatalf("decomposition of Σ_%d is off by %.3g", j, e)
					}
				}
				for _, eps := range []float64{1e-4, 1e-2, 0.3, 3} {
					for range 20 {
						g := f.perturb(m, rng, eps)
						mu := mat.DenseCopyOf(means)
						for j := range k {
							for a := range d {
								mu.Set(j, a, mu.At(j, a)+eps*0.1*math.Sqrt(covs[j].At(a, a))*rng.NormFloat64())
							}
						}
						other := objective(m, sc.prior, sc.N, sc.mean, sc.scatter, mu, g.compose())
						// 1e-12 relative: rounding in the objective's sums,
						// far below the smallest move's effect, about
						// eps² = 1e-8 relative.
						if other > best+1e-12*math.Abs(best) {
							t.Errorf("a move of size %g raises the objective from %.15g to %.15g", eps, best, other)
						}
					}
				}
			})
		}
	}
}

// TestMStepConstraints checks that the covariances have the form of their
// model: equal volumes, shapes or orientations where the letter is E,
// diagonal ones for …I, and multiples of the identity for .II.
func TestMStepConstraints(t *testing.T) {
	for _, sc := range refStats(t) {
		for m := EII; m <= VVV; m++ {
			k, d := sc.mean.Dims()
			means, covs := mat.NewDense(k, d, nil), newCovs(k, d)
			if err := MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, covs, NewWorkspace(k, d)); err != nil {
				t.Fatal(err)
			}
			f := decompose(m, covs)
			// 1e-12 relative: eigen-decompositions of 4×4 matrices.
			const tol = 1e-12
			for j := 1; j < k; j++ {
				if m.volume() == 'E' && math.Abs(f.lambda[j]-f.lambda[0]) > tol*f.lambda[0] {
					t.Errorf("%s/%v: volumes %v differ", sc.name, m, f.lambda)
				}
				if m.shape() == 'E' {
					for i := range d {
						if math.Abs(f.a[j][i]-f.a[0][i]) > tol*f.a[0][i] {
							t.Errorf("%s/%v: shapes %v and %v differ", sc.name, m, f.a[0], f.a[j])
						}
					}
				}
				if m.orientation() == 'E' {
					// Covariances with the same eigenvectors commute.
					var ab, ba mat.Dense
					ab.Mul(covs[0], covs[j])
					ba.Mul(covs[j], covs[0])
					if e := maxRelDiff(&ab, &ba); e > tol {
						t.Errorf("%s/%v: Σ_0 and Σ_%d do not commute (%.3g)", sc.name, m, j, e)
					}
				}
			}
			for j := range k {
				for a := range d {
					for b := range d {
						v := covs[j].At(a, b)
						if m.orientation() == 'I' && a != b && v != 0 {
							t.Errorf("%s/%v: Σ_%d(%d,%d) = %v, want 0", sc.name, m, j, a, b, v)
						}
						if m.shape() == 'I' && a == b && v != covs[j].At(0, 0) {
							t.Errorf("%s/%v: Σ_%d is not spherical", sc.name, m, j)
						}
					}
				}
			}
		}
	}
}

// TestMStepWeights checks that the counts may be any positive numbers: the
// maximum-likelihood covariances are unchanged when every weight is
// multiplied by 2.5 (the data read as weighted copies).
func TestMStepWeights(t *testing.T) {
	sc := refStats(t)[0]
	k, d := sc.mean.Dims()
	N2 := make([]float64, k)
	s2 := make([]*mat.SymDense, k)
	for j := range k {
		N2[j] = 2.5 * sc.N[j]
		s2[j] = mat.NewSymDense(d, nil)
		s2[j].ScaleSym(2.5, sc.scatter[j])
	}
	for m := EII; m <= VVV; m++ {
		m1, c1 := mat.NewDense(k, d, nil), newCovs(k, d)
		m2, c2 := mat.NewDense(k, d, nil), newCovs(k, d)
		ws := NewWorkspace(k, d)
		if err := MStep(m, nil, sc.N, sc.mean, sc.scatter, nil, m1, c1, ws); err != nil {
			t.Fatal(err)
		}
		if err := MStep(m, nil, N2, sc.mean, s2, nil, m2, c2, ws); err != nil {
			t.Fatal(err)
		}
		// The closed forms agree to rounding, and the fixed points of VEI,
		// VEV and VEE stop at 1e-13 relative change: 1e-11. EVE and VVE
		// stop when their criterion is flat to 1e-15 relative, before
		// their parameters settle; two runs then agree to about 1e-10
		// (2.4e-10 at most on these data): 1e-9.
		tol := 1e-11
		if m == EVE || m == VVE {
			tol = 1e-9
		}
		for j := range k {
			if e := maxRelDiff(c2[j], c1[j]); e > tol {
				t.Errorf("%v: weights ×2.5 change Σ_%d by %.3g relative", m, j, e)
			}
		}
	}
}

// TestMStepWarmStart checks that starting the iterations from the previous
// covariances gives the same M-step as a cold start.
func TestMStepWarmStart(t *testing.T) {
	for _, sc := range refStats(t) {
		for _, m := range []Model{VEE, EVE, VVE} {
			k, d := sc.mean.Dims()
			ws := NewWorkspace(k, d)
			m1, c1 := mat.NewDense(k, d, nil), newCovs(k, d)
			if err := MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, nil, m1, c1, ws); err != nil {
				t.Fatal(err)
			}
			cold := ws.Inner
			m2, c2 := mat.NewDense(k, d, nil), newCovs(k, d)
			if err := MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, c1, m2, c2, ws); err != nil {
				t.Fatal(err)
			}
			if ws.Inner > 3 {
				t.Errorf("%s/%v: %d iterations from the optimum (%d from cold)", sc.name, m, ws.Inner, cold)
			}
			for j := range k {
				// Both runs stop where the criterion is flat to 1e-15
				// relative, before the parameters settle; they agree to
				// about 1e-10 (2.4e-10 at most on these data): 1e-9.
				if e := maxRelDiff(c2[j], c1[j]); e > 1e-9 {
					t.Errorf("%s/%v: warm start changes Σ_%d by %.3g", sc.name, m, j, e)
				}
			}
		}
	}
}

// TestMStepSingular checks the error for covariances that are singular
// under maximum likelihood, that the outputs are then left alone, and that
// a prior removes the error.
func TestMStepSingular(t *testing.T) {
	const d = 3
	// Component 0 holds 2 points in 3 dimensions; component 1 is spread.
	x := mat.NewDense(10, d, []float64{
		0, 0, 0, 1, 2, 3,
		0, 1, 2, 2, 0, 1, 1, 1, 0, 3, 1, 2, 2, 2, 3, 0, 3, 1, 1, 0, 2, 2, 3, 3,
	})
	z := mat.NewDense(10, 2, nil)
	for i := range 10 {
		if i < 2 {
			z.Set(i, 0, 1)
		} else {
			z.Set(i, 1, 1)
		}
	}
	N, mean, scatter := eStats(x, z)
	// Collinear columns: the third is the sum of the first two.
	xc := mat.DenseCopyOf(x)
	for i := range 10 {
		xc.Set(i, 2, xc.At(i, 0)+xc.At(i, 1))
	}
	zc := mat.NewDense(10, 2, nil)
	for i := range 10 {
		zc.Set(i, i%2, 1)
	}
	Nc, meanc, scatterc := eStats(xc, zc)
	empty := []float64{0, N[1]}
	prior := &Prior{MeanLoc: []float64{1, 1, 1}, Shrinkage: 0.01, DoF: d + 2, Scale: mat.NewSymDense(d, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1})}
	cases := []struct {
		name      string
		m         Model
		N         []float64
		mean      *mat.Dense
		scatter   []*mat.SymDense
		component int
		empty     bool
	}{
		{"VVV, 2 points in 3-D", VVV, N, mean, scatter, 0, false},
		{"EVV, 2 points in 3-D", EVV, N, mean, scatter, 0, false},
		{"EVE, 2 points in 3-D", EVE, N, mean, scatter, 0, false},
		{"VVE, 2 points in 3-D", VVE, N, mean, scatter, 0, false},
		{"EEE, collinear columns", EEE, Nc, meanc, scatterc, -1, false},
		{"VVV, collinear columns", VVV, Nc, meanc, scatterc, -1, false},
		{"EEV, collinear columns", EEV, Nc, meanc, scatterc, -1, false},
		{"VEE, collinear columns", VEE, Nc, meanc, scatterc, -1, false},
		{"VVV, empty component", VVV, empty, mean, scatter, 0, true},
		{"EII, empty component", EII, empty, mean, scatter, 0, true},
	}
	for _, c := range cases {
		means, covs := mat.NewDense(2, d, nil), newCovs(2, d)
		means.Set(0, 0, 7)
		covs[0].SetSym(0, 0, 7)
		err := MStep(c.m, nil, c.N, c.mean, c.scatter, nil, means, covs, NewWorkspace(2, d))
		var se *SingularError
		if !errors.As(err, &se) {
			t.Errorf("%s: error %v, want a *SingularError", c.name, err)
			continue
		}
		if se.Component != c.component || se.Empty != c.empty || se.Model != c.m {
			t.Errorf("%s: %+v, want component %d, empty %v", c.name, *se, c.component, c.empty)
		}
		if means.At(0, 0) != 7 || covs[0].At(0, 0) != 7 || covs[1].At(0, 0) != 0 {
			t.Errorf("%s: the outputs changed after an error", c.name)
		}
		t.Logf("%s: %v", c.name, err)
		if err := MStep(c.m, prior, c.N, c.mean, c.scatter, nil, means, covs, NewWorkspace(2, d)); err != nil {
			t.Errorf("%s with a prior: %v", c.name, err)
		}
	}
}

func TestMStepBadInput(t *testing.T) {
	sc := refStats(t)[1]
	k, d := sc.mean.Dims()
	bad := func(f func(p *Prior)) *Prior {
		p := *sc.prior
		f(&p)
		return &p
	}
	for _, c := range []struct {
		name string
		p    *Prior
		N    []float64
	}{
		{"negative weight", nil, []float64{-1, sc.N[1], sc.N[2]}},
		{"NaN weight", nil, []float64{math.NaN(), sc.N[1], sc.N[2]}},
		{"no scale", bad(func(p *Prior) { p.Scale = nil }), sc.N},
		{"low DoF", bad(func(p *Prior) { p.DoF = float64(d) - 1 }), sc.N},
		{"negative shrinkage", bad(func(p *Prior) { p.Shrinkage = -1 }), sc.N},
		{"short mean", bad(func(p *Prior) { p.MeanLoc = p.MeanLoc[:1] }), sc.N},
		{"scale not positive definite", bad(func(p *Prior) { p.Scale = mat.NewSymDense(d, nil) }), sc.N},
		// Positive definite, but two of its columns correlated 1 − 1e-13,
		// in units 10^6 apart: its factorisation succeeds where a singular
		// one's may, by rounding.
		{"scale nearly singular", bad(func(p *Prior) {
			p.Scale = mat.NewSymDense(d, nil)
			for a := range d {
				p.Scale.SetSym(a, a, 1)
			}
			p.Scale.SetSym(d-1, d-1, 1e12)
			p.Scale.SetSym(0, d-1, (1-1e-13)*1e6)
		}), sc.N},
	} {
		means, covs := mat.NewDense(k, d, nil), newCovs(k, d)
		if err := MStep(VVV, c.p, c.N, sc.mean, sc.scatter, nil, means, covs, NewWorkspace(k, d)); err == nil {
			t.Errorf("%s: no error", c.name)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
		if !mat.Equal(means, mat.NewDense(k, d, nil)) {
			t.Errorf("%s: means changed", c.name)
		}
	}
}

func TestMStepAllocs(t *testing.T) {
	sc := refStats(t)[1]
	k, d := sc.mean.Dims()
	ws := NewWorkspace(k, d)
	means, covs := mat.NewDense(k, d, nil), newCovs(k, d)
	for m := EII; m <= VVV; m++ {
		if err := MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, covs, ws); err != nil {
			t.Fatal(err)
		}
		prev := newCovs(k, d)
		for j := range k {
			prev[j].CopySym(covs[j])
		}
		if a := testing.AllocsPerRun(10, func() {
			_ = MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, prev, means, covs, ws)
		}); a != 0 {
			t.Errorf("%v: %v allocations per MStep", m, a)
		}
	}
}

// TestMStepOneDimension checks that in one dimension the models reduce to
// mclust's E (one variance, the pooled scatter over the total weight) and V
// (each component's scatter over its weight), by volume letter.
func TestMStepOneDimension(t *testing.T) {
	N := []float64{2.5, 4, 1.25}
	mean := mat.NewDense(3, 1, []float64{-1, 0.5, 3})
	scatter := []*mat.SymDense{mat.NewSymDense(1, []float64{1.5}), mat.NewSymDense(1, []float64{6}), mat.NewSymDense(1, []float64{0.5})}
	pooled := (1.5 + 6 + 0.5) / (2.5 + 4 + 1.25)
	for m := EII; m <= VVV; m++ {
		means, covs := mat.NewDense(3, 1, nil), newCovs(3, 1)
		if err := MStep(m, nil, N, mean, scatter, nil, means, covs, NewWorkspace(3, 1)); err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		for j := range 3 {
			want := pooled
			if m.volume() == 'V' {
				want = scatter[j].At(0, 0) / N[j]
			}
			// 4 ulp: a sum, a division and, for some models, a
			// geometric mean of one number.
			if got := covs[j].At(0, 0); math.Abs(got-want) > 4*0x1p-52*want {
				t.Errorf("%v: σ²_%d = %.17g, want %.17g", m, j, got, want)
			}
			if means.At(j, 0) != mean.At(j, 0) {
				t.Errorf("%v: mean %d moved", m, j)
			}
		}
	}
}

// TestMStepOneComponent checks that with one component every model reduces
// to its closed form: W/N for the full models, diag(W)/N for the diagonal
// ones and tr(W)/(dN)·I for the spherical ones, whatever iterations the
// model uses.
func TestMStepOneComponent(t *testing.T) {
	ref := readRef(t)
	x := ref.x["iris"]
	n, d := x.Dims()
	z := mat.NewDense(n, 1, nil)
	for i := range n {
		z.Set(i, 0, 0.25+0.5*float64(i%3)/2) // unequal weights, not integers
	}
	N, mean, scatter := eStats(x, z)
	full := mat.NewSymDense(d, nil)
	full.ScaleSym(1/N[0], scatter[0])
	for m := EII; m <= VVV; m++ {
		want := mat.NewSymDense(d, nil)
		switch {
		case m.shape() == 'I':
			for a := range d {
				want.SetSym(a, a, mat.Trace(full)/float64(d))
			}
		case m.orientation() == 'I':
			for a := range d {
				want.SetSym(a, a, full.At(a, a))
			}
		default:
			want.CopySym(full)
		}
		means, covs := mat.NewDense(1, d, nil), newCovs(1, d)
		if err := MStep(m, nil, N, mean, scatter, nil, means, covs, NewWorkspace(1, d)); err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		// 1e-12 relative: eigen-decompositions of a 4×4 matrix; the plane
		// rotations of EVE and VVE find the eigenvectors to rounding.
		if e := maxRelDiff(covs[0], want); e > 1e-12 {
			t.Errorf("%v: Σ differs from its closed form by %.3g relative", m, e)
		}
	}
}

// TestOrientationIters checks Workspace.OrientationIters, with and without
// SweepsOnly: with a bound of one, EVE's and VVE's M-step stops after one
// inner iteration on covariances of the model (which commute, sharing
// their eigenvectors, to the rounding of 4×4 products, 1e-12 relative),
// whose objective is at most the exact M-step's; with the bound back at 0
// (and SweepsOnly unset) the M-step runs to convergence again.
func TestOrientationIters(t *testing.T) {
	for _, sc := range refStats(t) {
		for _, c := range []struct {
			m      Model
			sweeps bool
		}{{EVE, false}, {VVE, false}, {EVE, true}, {VVE, true}} {
			m := c.m
			k, d := sc.mean.Dims()
			ws := NewWorkspace(k, d)
			means, exact := mat.NewDense(k, d, nil), newCovs(k, d)
			if err := MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, exact, ws); err != nil {
				t.Fatal(err)
			}
			full := ws.Inner
			if full < 2 {
				t.Fatalf("%s/%v: the exact M-step took %d iteration; the test needs more", sc.name, m, full)
			}
			best := objective(m, sc.prior, sc.N, sc.mean, sc.scatter, means, exact)
			ws.OrientationIters, ws.SweepsOnly = 1, c.sweeps
			one := newCovs(k, d)
			if err := MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, one, ws); err != nil {
				t.Fatal(err)
			}
			if ws.Inner != 1 {
				t.Errorf("%s/%v (sweeps only %v): %d inner iterations with a bound of 1", sc.name, m, c.sweeps, ws.Inner)
			}
			for j := 1; j < k; j++ {
				var ab, ba mat.Dense
				ab.Mul(one[0], one[j])
				ba.Mul(one[j], one[0])
				if e := maxRelDiff(&ab, &ba); e > 1e-12 {
					t.Errorf("%s/%v (sweeps only %v): after one iteration Σ_0 and Σ_%d do not commute (%.3g)", sc.name, m, c.sweeps, j, e)
				}
			}
			// 1e-12 relative: rounding in the objective's sums.
			if got := objective(m, sc.prior, sc.N, sc.mean, sc.scatter, means, one); got > best+1e-12*math.Abs(best) {
				t.Errorf("%s/%v (sweeps only %v): one iteration's objective %.15g above the exact M-step's %.15g", sc.name, m, c.sweeps, got, best)
			}
			ws.OrientationIters, ws.SweepsOnly = 0, false
			if err := MStep(m, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, one, ws); err != nil {
				t.Fatal(err)
			}
			if ws.Inner != full {
				t.Errorf("%s/%v: %d inner iterations with the bound removed, %d before", sc.name, m, ws.Inner, full)
			}
		}
	}
}

// TestVolumeIters checks Workspace.VolumeIters: with a bound of one, VEE's
// M-step stops after one inner iteration on covariances of the model (each
// Σ_j a multiple of Σ_0, to the rounding of the updates, 1e-12 relative),
// whose objective is at most the exact M-step's; repeated from the
// covariances it gave (as prev), each such M-step raises the objective, the
// property of a generalised EM step, and 200 of them reach the exact
// M-step's objective; with the bound back at 0 the M-step runs to
// convergence again.
func TestVolumeIters(t *testing.T) {
	for _, sc := range refStats(t) {
		k, d := sc.mean.Dims()
		ws := NewWorkspace(k, d)
		means, exact := mat.NewDense(k, d, nil), newCovs(k, d)
		if err := MStep(VEE, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, exact, ws); err != nil {
			t.Fatal(err)
		}
		full := ws.Inner
		if full < 2 {
			t.Fatalf("%s: the exact M-step took %d iteration; the test needs more", sc.name, full)
		}
		best := objective(VEE, sc.prior, sc.N, sc.mean, sc.scatter, means, exact)
		ws.VolumeIters = 1
		one, next := newCovs(k, d), newCovs(k, d)
		if err := MStep(VEE, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, one, ws); err != nil {
			t.Fatal(err)
		}
		if ws.Inner != 1 {
			t.Errorf("%s: %d inner iterations with a bound of 1", sc.name, ws.Inner)
		}
		for j := 1; j < k; j++ {
			var a, b mat.SymDense
			a.ScaleSym(mat.Trace(one[0]), one[j])
			b.ScaleSym(mat.Trace(one[j]), one[0])
			if e := maxRelDiff(&a, &b); e > 1e-12 {
				t.Errorf("%s: after one iteration Σ_%d is not a multiple of Σ_0 (%.3g)", sc.name, j, e)
			}
		}
		prev := objective(VEE, sc.prior, sc.N, sc.mean, sc.scatter, means, one)
		// 1e-12 relative here and below: rounding in the objective's sums.
		tol := 1e-12 * math.Abs(best)
		if prev > best+tol {
			t.Errorf("%s: one iteration's objective %.15g above the exact M-step's %.15g", sc.name, prev, best)
		}
		for r := range 200 {
			if err := MStep(VEE, sc.prior, sc.N, sc.mean, sc.scatter, one, means, next, ws); err != nil {
				t.Fatal(err)
			}
			got := objective(VEE, sc.prior, sc.N, sc.mean, sc.scatter, means, next)
			if got < prev-tol || got > best+tol {
				t.Fatalf("%s: M-step %d of one iteration moves the objective from %.15g to %.15g (exact M-step %.15g)", sc.name, r+2, prev, got, best)
			}
			prev = got
			one, next = next, one
		}
		// 1e-9 relative: the alternating updates converge linearly, and 200
		// steps of one iteration leave them far closer than this to the
		// exact M-step's objective (measured: within 4e-16 on both data sets).
		if prev < best-1e-9*math.Abs(best) {
			t.Errorf("%s: after 200 M-steps of one iteration the objective is %.15g, the exact M-step's %.15g", sc.name, prev, best)
		}
		ws.VolumeIters = 0
		if err := MStep(VEE, sc.prior, sc.N, sc.mean, sc.scatter, nil, means, one, ws); err != nil {
			t.Fatal(err)
		}
		if ws.Inner != full {
			t.Errorf("%s: %d inner iterations with the bound removed, %d before", sc.name, ws.Inner, full)
		}
	}
}
