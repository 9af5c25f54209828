package gmmbeam_test

import (
	"context"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/gmmbeam"
)

// A fit on prism, in this process, of 4000 points in blocks of 1000. In a
// program, main calls flag.Parse() and beam.Init() first (the tests' main
// does).
func ExampleFit() {
	truth := &gmm.Model{K: 2, Weights: []float64{0.6, 0.4}, Means: []float64{-2, 3}, Sigmas: []float64{1, 0.5}}
	x, _, err := truth.Sample(4000, 1)
	if err != nil {
		panic(err)
	}
	var blocks [][]float64
	for i := 0; i < len(x); i += 1000 {
		blocks = append(blocks, x[i:i+1000])
	}
	read := func(s beam.Scope) beam.PCollection { return beam.CreateList(s, blocks) }

	m := &gmm.Model{K: 2}
	res, err := gmmbeam.Fit(context.Background(), m, read, &gmmbeam.Settings{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println("converged:", res.Converged)
	fmt.Printf("weights %.2f, means %.1f, sigmas %.1f\n", m.Weights, m.Means, m.Sigmas)
	// Output:
	// converged: true
	// weights [0.61 0.39], means [-2.0 3.0], sigmas [1.0 0.5]
}
