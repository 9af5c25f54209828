package mvcov

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The Jacobi methods and LAPACK's are both backward stable: each computes
// the exact answer for a matrix within a few d·ε·‖A‖ of the given one
// (Golub & Van Loan 2013, sections 8.3.5 and 8.5.5; Demmel & Veselić
// 1992). The tests below allow 16·d·ε times the matrix's Frobenius norm
// (which bounds its 2-norm), a factor of several above the constants those
// bounds carry, and still some 10^10 below any error that would matter.
func smallTol(d int, norm float64) float64 { return 16 * float64(d) * 0x1p-52 * norm }

// testMatrices returns labelled d×d test matrices: random, with repeated
// eigenvalues, diagonal, rank deficient and graded.
func testMatrices(d int, rng *rand.Rand) map[string][]float64 {
	random := make([]float64, d*d)
	for i := range random {
		random[i] = rng.NormFloat64()
	}
	diag := make([]float64, d*d)
	for i := range d {
		diag[i*d+i] = float64(d - i)
	}
	ident := make([]float64, d*d)
	for i := range d {
		ident[i*d+i] = 1
	}
	// Rank one: x xᵀ.
	rank1 := make([]float64, d*d)
	for i := range d {
		for j := range d {
			rank1[i*d+j] = float64(i+1) * float64(j+1)
		}
	}
	// A zero column, as the second MM step of the orientation makes.
	zeroCol := make([]float64, d*d)
	copy(zeroCol, random)
	for i := range d {
		zeroCol[i*d+d-1] = 0
	}
	// Graded: scales from 1 to 1e-8.
	graded := make([]float64, d*d)
	for i := range d {
		for j := range d {
			graded[i*d+j] = random[i*d+j] * math.Pow(1e-8, float64(i+j)/float64(max(1, 2*d-2)))
		}
	}
	return map[string][]float64{"random": random, "diagonal": diag, "identity": ident,
		"rank one": rank1, "zero column": zeroCol, "graded": graded, "zero": make([]float64, d*d)}
}

func frob(a []float64) float64 {
	var s float64
	for _, v := range a {
		s += v * v
	}
	return math.Sqrt(s)
}

// TestJacobiEigen4SameBits checks that the d = 4 Jacobi method gives the
// general one's eigenvalues and eigenvectors bit for bit, and fails where it
// fails: on the test matrices (each plus its transpose), on 200 random
// scatters of the kind the M-steps decompose, and on matrices with a NaN
// or an infinite entry.
func TestJacobiEigen4SameBits(t *testing.T) {
	const d = 4
	rng := rand.New(rand.NewPCG(5, 6))
	cases := map[string][]float64{}
	for name, g := range testMatrices(d, rng) {
		a := make([]float64, d*d)
		for i := range d {
			for j := range d {
				a[i*d+j] = g[i*d+j] + g[j*d+i]
			}
		}
		cases[name] = a
	}
	for r := range 200 {
		a := make([]float64, d*d)
		for range 3 * d {
			var x [d]float64
			for c := range d {
				x[c] = rng.NormFloat64() * float64(c+1)
			}
			for i := range d {
				for j := range d {
					a[i*d+j] += x[i] * x[j]
				}
			}
		}
		cases["scatter "+itoa(r)] = a
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		a := slices.Clone(cases["random"])
		a[1], a[4] = bad, bad
		cases["off-diagonal "+strconv.FormatFloat(bad, 'g', -1, 64)] = a
		a = slices.Clone(cases["random"])
		a[5] = bad
		cases["diagonal "+strconv.FormatFloat(bad, 'g', -1, 64)] = a
	}
	for name, a := range cases {
		val, vec := make([]float64, d), make([]float64, d*d)
		wval, wvec, w := make([]float64, d), make([]float64, d*d), make([]float64, d*d)
		ok := jacobiEigen4(val, vec, a)
		wok := jacobiEigenN(wval, wvec, a, w, d)
		if ok != wok {
			t.Errorf("%s: jacobiEigen4 reports %v, jacobiEigenN %v", name, ok, wok)
			continue
		}
		if ok && (!slices.Equal(val, wval) || !slices.Equal(vec, wvec)) {
			t.Errorf("%s: jacobiEigen4 gives values %v and vectors %v, jacobiEigenN %v and %v", name, val, vec, wval, wvec)
		}
	}
}

// TestJacobiEigen checks jacobiEigen on symmetric matrices (each test
// matrix plus its transpose) against gonum's EigenSym for the
// eigenvalues, and by the residual ‖Av − λv‖ and the orthonormality of the
// eigenvectors.
func TestJacobiEigen(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range []int{1, 2, 3, 4, smallEig} {
		for name, g := range testMatrices(d, rng) {
			a := make([]float64, d*d)
			for i := range d {
				for j := range d {
					a[i*d+j] = g[i*d+j] + g[j*d+i]
				}
			}
			orig := append([]float64(nil), a...)
			val, vec, w := make([]float64, d), make([]float64, d*d), make([]float64, d*d)
			if !jacobiEigen(val, vec, a, w, d) {
				t.Errorf("d=%d %s: did not converge", d, name)
				continue
			}
			for i := range a {
				if a[i] != orig[i] {
					t.Fatalf("d=%d %s: a was modified", d, name)
				}
			}
			var eig mat.EigenSym
			if !eig.Factorize(mat.NewSymDense(d, orig), false) {
				t.Fatalf("d=%d %s: reference failed", d, name)
			}
			want := eig.Values(nil)
			tol := smallTol(d, frob(orig))
			for i := range d {
				if math.Abs(val[i]-want[i]) > tol {
					t.Errorf("d=%d %s: eigenvalue %d is %v, gonum's %v (tolerance %.3g)", d, name, i, val[i], want[i], tol)
				}
				if i > 0 && val[i] < val[i-1] {
					t.Errorf("d=%d %s: eigenvalues not ascending: %v", d, name, val)
				}
			}
			for j := range d {
				for i := range d {
					var r float64
					for m := range d {
						r += orig[i*d+m] * vec[m*d+j]
					}
					if e := math.Abs(r - val[j]*vec[i*d+j]); e > tol {
						t.Errorf("d=%d %s: residual of eigenpair %d is %.3g (tolerance %.3g)", d, name, j, e, tol)
					}
				}
			}
			checkOrthonormal(t, vec, d, "d="+itoa(d)+" "+name+" eigenvectors")
			// The values alone, as maxEigen asks.
			val2 := make([]float64, d)
			if !jacobiEigen(val2, nil, orig, w, d) {
				t.Errorf("d=%d %s: values alone did not converge", d, name)
			}
			for i := range d {
				if val2[i] != val[i] {
					t.Errorf("d=%d %s: values alone %v, with vectors %v", d, name, val2, val)
					break
				}
			}
		}
	}
}

// TestPolarJacobi checks polarJacobi: q must be orthogonal and must
// maximise tr(gᵀq), whose maximum is the sum of g's singular values (ten
// Berge 1983), here from gonum's SVD; where g has full rank and is well
// conditioned, the polar factor is unique and q must equal gonum's U Vᵀ
// to within the perturbation bound ‖ΔQ‖ ≤ 2‖ΔG‖/σ_min (Higham 2008,
// "Functions of Matrices", Theorem 8.9) for the backward errors above.
func TestPolarJacobi(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, d := range []int{1, 2, 3, 4, smallEig} {
		for name, orig := range testMatrices(d, rng) {
			g := append([]float64(nil), orig...)
			q, v := make([]float64, d*d), make([]float64, d*d)
			if !polarJacobi(q, g, v, d) {
				t.Errorf("d=%d %s: did not converge", d, name)
				continue
			}
			label := "d=" + itoa(d) + " " + name
			checkOrthonormal(t, q, d, label+" polar factor")
			var svd mat.SVD
			if !svd.Factorize(mat.NewDense(d, d, append([]float64(nil), orig...)), mat.SVDFull) {
				t.Fatalf("%s: reference failed", label)
			}
			sv := svd.Values(nil)
			var sum, tr float64
			for _, s := range sv {
				sum += s
			}
			for i := range orig {
				tr += orig[i] * q[i]
			}
			tol := smallTol(d, frob(orig))
			if math.Abs(tr-sum) > float64(d)*tol {
				t.Errorf("%s: tr(gᵀq) = %v, the sum of singular values %v", label, tr, sum)
			}
			if smin := sv[d-1]; smin > 1e-3*sv[0] {
				var u, vt mat.Dense
				svd.UTo(&u)
				svd.VTo(&vt)
				var want mat.Dense
				want.Mul(&u, vt.T())
				bound := 2 * tol / smin
				for i := range d {
					for j := range d {
						if e := math.Abs(q[i*d+j] - want.At(i, j)); e > bound {
							t.Errorf("%s: q[%d,%d] = %v, gonum's %v (tolerance %.3g)", label, i, j, q[i*d+j], want.At(i, j), bound)
						}
					}
				}
			}
		}
	}
	q, g, v := make([]float64, 4), []float64{1, math.NaN(), 0, 1}, make([]float64, 4)
	if polarJacobi(q, g, v, 2) {
		t.Error("polarJacobi accepted a NaN")
	}
	if jacobiEigen(q[:2], v, []float64{1, math.Inf(1), math.Inf(1), 1}, g, 2) {
		t.Error("jacobiEigen accepted an infinity")
	}
}

// checkOrthonormal checks that the d×d matrix q has orthonormal columns:
// |qᵀq − I| within the rounding of the d-term sums of unit vectors.
func checkOrthonormal(t *testing.T, q []float64, d int, label string) {
	t.Helper()
	tol := smallTol(d, 1)
	for a := range d {
		for b := range d {
			var s float64
			for i := range d {
				s += q[i*d+a] * q[i*d+b]
			}
			want := 0.0
			if a == b {
				want = 1
			}
			if math.Abs(s-want) > tol {
				t.Errorf("%s: (qᵀq)[%d,%d] = %v, want %v", label, a, b, s, want)
			}
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// TestRoot checks root: for d = 2 and 4, by square roots, y = root(h, d)
// must satisfy |y^d − h| ≤ 3d·ε·h (each correctly rounded square root
// errs by half an ulp, which the power multiplies by up to d, and y^d,
// computed by d − 1 products, adds up to d − 1 half-ulps); for other d,
// e^(log(h)/d) errs by about |log h|·ε relative (the rounding of log h,
// amplified by the exponential), so the test allows (3d + |log h|)·ε.
func TestRoot(t *testing.T) {
	for _, d := range []int{1, 2, 3, 4, 5} {
		for _, h := range []float64{0, 1e-300, 1e-8, 0.3, 1, 2, 7.5, 1e12, 1e300} {
			y := root(h, float64(d))
			tol := 3 * float64(d) * 0x1p-52
			if d != 2 && d != 4 && h > 0 {
				tol += math.Abs(math.Log(h)) * 0x1p-52
			}
			p := y
			for range d - 1 {
				p *= y
			}
			if math.Abs(p-h) > tol*h {
				t.Errorf("root(%v, %d) = %v, whose %dth power is %v", h, d, y, d, p)
			}
		}
	}
}

// TestCholeskyUpper checks choleskyUpper against LAPACK's Potrf, which
// computes the same sums in another order: each entry of U is a sum of up
// to d products of entries bounded by √a_ii√a_jj, so the two agree to
// within the bound smallTol gives for the matrix's norm. It must refuse
// matrices that are not positive definite.
func TestCholeskyUpper(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, d := range []int{1, 2, 3, 4, smallEig} {
		for name, g := range testMatrices(d, rng) {
			// a = g gᵀ + I is positive definite.
			a := make([]float64, d*d)
			for i := range d {
				for j := range d {
					for m := range d {
						a[i*d+j] += g[i*d+m] * g[j*d+m]
					}
				}
				a[i*d+i]++
			}
			got := append([]float64(nil), a...)
			if !choleskyUpper(got, d) {
				t.Errorf("d=%d %s: refused a positive definite matrix", d, name)
				continue
			}
			var want mat.Cholesky
			if !want.Factorize(mat.NewSymDense(d, append([]float64(nil), a...))) {
				t.Fatalf("d=%d %s: reference failed", d, name)
			}
			var u mat.TriDense
			want.UTo(&u)
			tol := smallTol(d, frob(a))
			for i := range d {
				for j := range d {
					if j < i {
						if got[i*d+j] != a[i*d+j] {
							t.Errorf("d=%d %s: lower entry (%d,%d) changed", d, name, i, j)
						}
						continue
					}
					if e := math.Abs(got[i*d+j] - u.At(i, j)); e > tol {
						t.Errorf("d=%d %s: U[%d,%d] = %v, gonum's %v", d, name, i, j, got[i*d+j], u.At(i, j))
					}
				}
			}
		}
		// Not positive definite: a zero pivot, a negative one, NaN.
		for name, a := range map[string][]float64{"zero": make([]float64, d*d), "negative": diagOf(d, -1), "nan": diagOf(d, math.NaN())} {
			if choleskyUpper(a, d) {
				t.Errorf("d=%d: accepted the %s matrix", d, name)
			}
		}
	}
}

func diagOf(d int, v float64) []float64 {
	a := make([]float64, d*d)
	for i := range d {
		a[i*d+i] = v
	}
	return a
}
