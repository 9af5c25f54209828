package gmm_test

import (
	"fmt"

	"github.com/gmm-go/gmm"
)

// A sparse finite mixture: ten components with a small Dirichlet
// concentration, so that the posterior empties those the data do not need,
// and Occupied gives the posterior of the number of clusters.
func ExamplePosterior_Occupied() {
	truth := gmm.Model{K: 3, Weights: []float64{0.3, 0.4, 0.3}, Means: []float64{-8, 0, 8}, Sigmas: []float64{1, 1, 1}}
	x, _, _ := truth.Sample(300, 1)

	p := gmm.DefaultPrior(x)
	p.Concentration = 0.01
	m := &gmm.Model{K: 10, Prior: p}
	post, err := m.Posterior(x, &gmm.PosteriorSettings{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	occ := post.Occupied() // occ[j] = P(j components hold data | x)
	for j := 1; j <= 5; j++ {
		fmt.Printf("P(%d) = %.2f\n", j, occ[j])
	}
	// Output:
	// P(1) = 0.00
	// P(2) = 0.00
	// P(3) = 0.94
	// P(4) = 0.06
	// P(5) = 0.00
}
