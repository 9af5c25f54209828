package mvcov_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvcov"
)

// ExampleMStep fits the covariances of two clusters of three points each,
// by maximum likelihood, with a full covariance for each (VVV) and with one
// shared by both (EEE).
func ExampleMStep() {
	// The statistics of an E-step that put the first three points in
	// component 0 and the last three in component 1.
	x := [][]float64{{0, 0}, {2, 1}, {1, 2}, {10, 10}, {11, 10}, {10, 12}}
	const k, d = 2, 2
	N := make([]float64, k)
	mean := mat.NewDense(k, d, nil)
	scatter := []*mat.SymDense{mat.NewSymDense(d, nil), mat.NewSymDense(d, nil)}
	for c := range k {
		pts := x[3*c : 3*c+3]
		N[c] = 3
		for a := range d {
			var s float64
			for _, p := range pts {
				s += p[a]
			}
			mean.Set(c, a, s/3)
		}
		for a := range d {
			for b := a; b < d; b++ {
				var s float64
				for _, p := range pts {
					s += (p[a] - mean.At(c, a)) * (p[b] - mean.At(c, b))
				}
				scatter[c].SetSym(a, b, s)
			}
		}
	}
	ws := mvcov.NewWorkspace(k, d)
	means := mat.NewDense(k, d, nil)
	covs := []*mat.SymDense{{}, {}}
	for _, m := range []mvcov.Model{mvcov.VVV, mvcov.EEE} {
		if err := mvcov.MStep(m, nil, N, mean, scatter, nil, means, covs, ws); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%v: %.3f %.3f\n", m, mat.Formatted(covs[0], mat.FormatPython()), mat.Formatted(covs[1], mat.FormatPython()))
	}
	// Output:
	// VVV: [[0.667, 0.333], [0.333, 0.667]] [[0.222, -0.222], [-0.222, 0.889]]
	// EEE: [[0.444, 0.056], [0.056, 0.778]] [[0.444, 0.056], [0.056, 0.778]]
}
