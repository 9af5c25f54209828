package mv_test

import (
	"context"
	"fmt"
	"iter"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
)

// Give each row a weight: a weight of 2 counts the row twice, and 0 leaves
// it out. Here the setosa rows (the first 50) get weight 0, so the
// two-component fit is that of versicolor and virginica alone.
func ExampleSettings_weights() {
	x := mat.NewDense(150, 4, iris.Measurements())
	w := make([]float64, 150)
	for i := 50; i < 150; i++ {
		w[i] = 1
	}
	m := mv.Model{K: 2, Covariance: mv.VVV}
	if _, err := m.Fit(x, &mv.Settings{Weights: w}); err != nil {
		fmt.Println(err)
		return
	}
	for k := range 2 {
		fmt.Printf("weight %.2f, mean %.2f\n", m.Weights[k], mat.Row(nil, k, m.Means))
	}
	// Output:
	// weight 0.45, mean [5.91 2.78 4.20 1.30]
	// weight 0.55, mean [6.54 2.95 5.48 1.98]
}

// Fit data read chunk by chunk, as from a file too large to hold: the
// source yields rows of d values one after another, with their weights
// (nil: all 1). Every pass over the data calls the source again.
func ExampleModel_FitStream() {
	x := iris.Measurements() // 150 rows of 4 values, row-major
	src := iter.Seq2[[]float64, []float64](func(yield func([]float64, []float64) bool) {
		for lo := 0; lo < len(x); lo += 40 * 4 { // 40 rows a chunk
			if !yield(x[lo:min(lo+40*4, len(x))], nil) {
				return
			}
		}
	})
	m := mv.Model{K: 2, Covariance: mv.VEV}
	res, err := m.FitStream(context.Background(), src, &mv.Settings{Columns: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("converged %v, log-likelihood %.3f\n", res.Converged, -res.Loss[len(res.Loss)-1])
	fmt.Printf("weights %.3f\n", m.Weights)
	// Output:
	// converged true, log-likelihood -215.726
	// weights [0.333 0.667]
}

// Mark missing values with NaN and allow them: the fit uses each row's
// observed values, and Assign places rows with missing values by their
// observed ones. A row with no value at all is left out and reported.
func ExampleSettings_allowMissing() {
	x := mat.NewDense(150, 4, iris.Measurements())
	nan := math.NaN()
	for i := 0; i < 150; i += 3 {
		x.Set(i, i%4, nan) // every third row misses one measurement
	}
	x.SetRow(149, []float64{nan, nan, nan, nan})
	m := mv.Model{K: 2, Covariance: mv.VEV}
	res, err := m.Fit(x, &mv.Settings{AllowMissing: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Warnings)
	fmt.Printf("weights %.3f\n", m.Weights)
	// Rows 0 and 51 miss their first value; row 149 misses every value.
	z := m.Assign(x)
	fmt.Println(z[0], z[51], z[149])
	// Output:
	// [1 rows miss every coordinate and were left out of the fit]
	// weights [0.336 0.664]
	// 0 1 -1
}

// Drive the fit from statistics summed elsewhere, such as on a cluster:
// the pass gets the current parameters and returns the statistics of all
// the data at them, here by Accumulate over two halves merged. FitPasses
// starts from the model's parameters, here a fit to every fifth row.
func ExampleModel_FitPasses() {
	x := mat.NewDense(150, 4, iris.Measurements())
	sample := mat.NewDense(30, 4, nil)
	for i := range 30 {
		sample.SetRow(i, mat.Row(nil, 5*i, x))
	}
	m := mv.Model{K: 2, Covariance: mv.VVV}
	if _, err := m.Fit(sample, nil); err != nil {
		fmt.Println(err)
		return
	}
	pass := func(_ context.Context, at *mv.Model) (*mv.Stats, error) {
		a, b := mv.NewStats(at.K, 4), mv.NewStats(at.K, 4)
		if err := at.Accumulate(a, x.Slice(0, 75, 0, 4), nil); err != nil {
			return nil, err
		}
		if err := at.Accumulate(b, x.Slice(75, 150, 0, 4), nil); err != nil {
			return nil, err
		}
		return a, a.Merge(b)
	}
	res, err := m.FitPasses(context.Background(), pass, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("converged %v, log-likelihood %.3f\n", res.Converged, -res.Loss[len(res.Loss)-1])
	// Output:
	// converged true, log-likelihood -214.355
}
