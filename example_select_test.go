package gmm_test

import (
	"fmt"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

// How many clusters do the iris petal lengths hold? Select fits one to nine
// components, each with its own σ (mclust's model V) and with one shared σ
// (model E), by maximum likelihood, and picks the lowest BIC. Each cell is
// a local maximum of the likelihood, not a spike on a few values:
// testdata/select_iris_optima.py checks V3 to V9 and E9
// independently.
func ExampleSelect() {
	x := iris.PetalLength()
	sel, err := gmm.Select(x, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(sel)
	b := sel.Best
	fmt.Printf("weights %.3f, means %.3f, sigmas %.3f\n", b.Weights, b.Means, b.Sigmas)
	// Output:
	// BIC            E            V
	//   1      605.195      605.195
	//   2      516.515      426.211
	//   3      491.106      438.344
	//   4      478.828      450.722
	//   5      470.815      463.213
	//   6      463.603      477.104
	//   7      465.526      488.949
	//   8      470.268      501.317
	//   9      478.806      513.581
	// best: V with K = 2
	// weights [0.333 0.667], means [1.462 4.905], sigmas [0.172 0.823]
}

// BIC and ICL of one fitted model: −2 log L + p log n, lower is better, and
// ICL adds a penalty for overlapping clusters.
func ExampleModel_BIC() {
	x := iris.PetalLength()
	for _, shared := range []bool{false, true} {
		m := &gmm.Model{K: 2, SharedSigma: shared}
		if _, err := m.Fit(x, &gmm.Settings{Method: gmm.EM}); err != nil {
			fmt.Println(err)
			return
		}
		bic, _ := m.BIC(x)
		icl, _ := m.ICL(x)
		fmt.Printf("shared σ %-5v parameters %d  BIC %.3f  ICL %.3f\n", shared, m.NumParams(), bic, icl)
	}
	// Output:
	// shared σ false parameters 5  BIC 426.211  ICL 426.278
	// shared σ true  parameters 4  BIC 516.515  ICL 518.546
}

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
	// P(3) = 0.97
	// P(4) = 0.03
	// P(5) = 0.00
}
