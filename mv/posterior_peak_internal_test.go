package mv

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// onePair returns a Posterior of one draw of two components.
func onePair(w0 float64, mu0, mu1 []float64, s0, s1 *mat.SymDense) *Posterior {
	return &Posterior{
		Chains: 1, Draws: 1,
		Weights:     [][]float64{{w0, 1 - w0}},
		Means:       [][][]float64{{mu0, mu1}},
		Covariances: [][]*mat.SymDense{{s0, s1}},
	}
}

// modes2 counts the local maxima of the density of a two-component
// mixture in two dimensions on a 301 × 301 grid over the box spanning
// both means ± 4 of the larger standard deviation: points higher than
// their 8 neighbours.
func modes2(p *Posterior) int {
	// The 2×2 normal density from its inverse and determinant.
	dens := func(k int, x []float64) float64 {
		c, mu := p.Covariances[0][k], p.Means[0][k]
		a, b, e := c.At(0, 0), c.At(0, 1), c.At(1, 1)
		det := a*e - b*b
		u, v := x[0]-mu[0], x[1]-mu[1]
		return math.Exp(-(e*u*u-2*b*u*v+a*v*v)/(2*det)) / (2 * math.Pi * math.Sqrt(det))
	}
	lo, hi := []float64{math.Inf(1), math.Inf(1)}, []float64{math.Inf(-1), math.Inf(-1)}
	for k := range 2 {
		for j := range 2 {
			s := 4 * math.Sqrt(p.Covariances[0][k].At(j, j))
			lo[j] = min(lo[j], p.Means[0][k][j]-s)
			hi[j] = max(hi[j], p.Means[0][k][j]+s)
		}
	}
	const g = 301
	f := make([]float64, g*g)
	for a := range g {
		for b := range g {
			x := []float64{lo[0] + (hi[0]-lo[0])*float64(a)/(g-1), lo[1] + (hi[1]-lo[1])*float64(b)/(g-1)}
			f[a*g+b] = p.Weights[0][0]*dens(0, x) + p.Weights[0][1]*dens(1, x)
		}
	}
	var n int
	for a := 1; a < g-1; a++ {
	cell:
		for b := 1; b < g-1; b++ {
			for da := -1; da <= 1; da++ {
				for db := -1; db <= 1; db++ {
					if (da != 0 || db != 0) && f[(a+da)*g+b+db] >= f[a*g+b] {
						continue cell
					}
				}
			}
			n++
		}
	}
	return n
}

// along returns μ0 + D·L u for the lower Cholesky factor L of s and the
// unit vector u at angle θ: a point at Mahalanobis distance D from μ0
// under s.
func along(mu0 []float64, s *mat.SymDense, D, theta float64) []float64 {
	var c mat.Cholesky
	c.Factorize(s)
	var l mat.TriDense
	c.LTo(&l)
	u := mat.NewVecDense(2, []float64{D * math.Cos(theta), D * math.Sin(theta)})
	var v mat.VecDense
	v.MulVec(&l, u)
	return []float64{mu0[0] + v.AtVec(0), mu0[1] + v.AtVec(1)}
}

// TestSinglePeakRule checks the rule of the single-peak warning on pairs
// of components: against Behboodian's in one dimension, and, for a shared
// covariance, against the modes of the mixture's density counted on a
// grid, which must be one wherever the rule says single peak, at any
// weights, and two where it does not at equal weights (a pair of unit
// normals 2.6 apart along their line has two modes, its dip at the
// midpoint 17% below them).
func TestSinglePeakRule(t *testing.T) {
	shared := mat.NewSymDense(2, []float64{2, 0.8, 0.8, 1})
	wide := mat.NewSymDense(2, []float64{4, 0, 0, 4})
	unit := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	origin := []float64{1, -2}
	for _, tc := range []struct {
		name  string
		p     *Posterior
		want  float64
		modes int // 0: not counted
	}{
		{"shared Σ, 1.9 apart, equal weights", onePair(0.5, origin, along(origin, shared, 1.9, 0.7), shared, shared), 1, 1},
		{"shared Σ, 1.9 apart, weights 0.15 and 0.85", onePair(0.15, origin, along(origin, shared, 1.9, 0.7), shared, shared), 1, 1},
		{"shared Σ, 1.9 apart, another direction", onePair(0.5, origin, along(origin, shared, 1.9, 2.5), shared, shared), 1, 1},
		{"shared Σ, 2.6 apart", onePair(0.5, origin, along(origin, shared, 2.6, 0.7), shared, shared), 0, 2},
		{"unequal, within 2 under both", onePair(0.5, origin, along(origin, unit, 1.5, 0), wide, unit), 1, 0},
		{"unequal, within 2 under the wider only", onePair(0.5, origin, along(origin, unit, 3, 0), wide, unit), 0, 0},
		{"one dimension, 1.99 apart, σ 1 and 2", &Posterior{Weights: [][]float64{{0.5, 0.5}}, Means: [][][]float64{{{0}, {1.99}}}, Covariances: [][]*mat.SymDense{{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{4})}}}, 1, 0},
		{"one dimension, 2.01 apart, σ 1 and 2", &Posterior{Weights: [][]float64{{0.5, 0.5}}, Means: [][][]float64{{{0}, {2.01}}}, Covariances: [][]*mat.SymDense{{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{4})}}}, 0, 0},
	} {
		f, what := tc.p.singlePeak()()
		if f != tc.want {
			t.Errorf("%s: single peak in a fraction %v of the draws, want %v (%s)", tc.name, f, tc.want, what)
		}
		if tc.modes > 0 {
			if n := modes2(tc.p); n != tc.modes {
				t.Errorf("%s: the density has %d modes on the grid, want %d", tc.name, n, tc.modes)
			}
		}
	}
}
