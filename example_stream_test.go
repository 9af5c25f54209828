package gmm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gmm-go/gmm"
)

// Sample weights fit a histogram, or data with duplicates, without
// writing each point out: a weight of 3 counts as the point written three
// times.
func ExampleModel_Fit_weights() {
	values := []float64{1.0, 1.2, 1.4, 1.6, 4.8, 5.0, 5.2, 5.4, 5.6}
	counts := []float64{3, 9, 8, 2, 1, 4, 10, 5, 2}
	m := &gmm.Model{K: 2, Prior: gmm.DefaultPrior(values)}
	if _, err := m.Fit(values, &gmm.Settings{Weights: counts, Method: gmm.EM}); err != nil {
		log.Fatal(err)
	}
	for k := range m.K {
		fmt.Printf("w=%.2f μ=%.2f σ=%.2f\n", m.Weights[k], m.Means[k], m.Sigmas[k])
	}
	// Output:
	// w=0.50 μ=1.28 σ=0.17
	// w=0.50 μ=5.23 σ=0.19
}

// FitStream reads the data chunk by chunk, once per pass, and never holds
// them all: here the chunks are drawn on the fly, as they could be read
// from a file or a database. With Warm and Method EM, it gives the result
// Fit gives on the same data bit for bit.
func ExampleModel_FitStream() {
	truth := gmm.Model{K: 2, Weights: []float64{0.4, 0.6}, Means: []float64{-2, 3}, Sigmas: []float64{1, 0.5}}
	src := func(yield func(x, w []float64) bool) {
		for chunk := range 100 { // 100 chunks of 10,000 points
			x, _, err := truth.Sample(10000, uint64(chunk))
			if err != nil || !yield(x, nil) {
				return
			}
		}
	}
	m := &gmm.Model{K: 2}
	res, err := m.FitStream(context.Background(), src, &gmm.Settings{Method: gmm.EM})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("converged:", res.Converged)
	for k := range m.K {
		fmt.Printf("w=%.3f μ=%.3f σ=%.3f\n", m.Weights[k], m.Means[k], m.Sigmas[k])
	}
	// Output:
	// converged: true
	// w=0.401 μ=-2.002 σ=1.002
	// w=0.599 μ=2.999 σ=0.500
}

// Stats are the sums one EM step adds up: each shard of the data, on its
// own core or machine, accumulates its own at the current parameters, the
// shards' statistics merge (they can travel as MarshalBinary's bytes), and
// Update makes the step.
func ExampleModel_Accumulate() {
	truth := gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{2, 8}, Sigmas: []float64{1, 1}}
	shards := make([][]float64, 4)
	for i := range shards {
		shards[i], _, _ = truth.Sample(25000, uint64(i))
	}
	m := &gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{3, 6}, Sigmas: []float64{2, 2}}
	for range 20 {
		total := &gmm.Stats{}
		for _, x := range shards {
			part := &gmm.Stats{}
			if err := m.Accumulate(part, x, nil); err != nil {
				log.Fatal(err)
			}
			b, _ := part.MarshalBinary() // what a machine would send
			var got gmm.Stats
			if err := got.UnmarshalBinary(b); err != nil {
				log.Fatal(err)
			}
			if err := total.Merge(&got); err != nil {
				log.Fatal(err)
			}
		}
		if err := m.Update(total); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("means %.2f %.2f, sigmas %.2f %.2f\n", m.Means[0], m.Means[1], m.Sigmas[0], m.Sigmas[1])
	// Output:
	// means 2.00 8.01, sigmas 1.00 1.00
}

// Warm refits a model as new data arrive, from where it stands; Fixed
// leaves some parameters as they are. Here the means are known and stay
// put, and the weights and sigmas are fitted given them.
func ExampleModel_Fit_fixed() {
	truth := gmm.Model{K: 2, Weights: []float64{0.3, 0.7}, Means: []float64{0, 5}, Sigmas: []float64{1, 2}}
	x, _, _ := truth.Sample(20000, 1)
	m := &gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 5}, Sigmas: []float64{1, 1}}
	if _, err := m.Fit(x, &gmm.Settings{Warm: true, Method: gmm.EM, Fixed: gmm.Fixed{Means: true}}); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("means %v %v (fixed), weights %.2f %.2f, sigmas %.2f %.2f\n",
		m.Means[0], m.Means[1], m.Weights[0], m.Weights[1], m.Sigmas[0], m.Sigmas[1])
	// Output:
	// means 0 5 (fixed), weights 0.30 0.70, sigmas 1.01 2.00
}
