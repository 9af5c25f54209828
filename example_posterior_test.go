package gmm_test

import (
	"fmt"
	"log"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

// The posterior of the notebook's model on the iris petal lengths, by Gibbs
// sampling: posterior means with 90% credible intervals, and the
// convergence diagnostics.
func ExampleModel_Posterior() {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	p, err := m.Posterior(x, &gmm.PosteriorSettings{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	mean := p.Mean()
	lo, hi, _ := p.Interval(0.9)
	rhat, ess := p.RHat(), p.ESS()
	for k := range m.K {
		fmt.Printf("component %d: weight %.2f [%.2f, %.2f]  mean %.2f [%.2f, %.2f]  sigma %.2f [%.2f, %.2f]\n",
			k, mean.Weights[k], lo.Weights[k], hi.Weights[k],
			mean.Means[k], lo.Means[k], hi.Means[k],
			mean.Sigmas[k], lo.Sigmas[k], hi.Sigmas[k])
		fmt.Printf("  R̂ below 1.01: %v, ESS above 400: %v\n",
			max(rhat.Weights[k], rhat.Means[k], rhat.Sigmas[k]) < 1.01,
			min(ess.Weights[k], ess.Means[k], ess.Sigmas[k]) > 400)
	}
	fmt.Println("warnings:", len(p.Warnings))
	// Output:
	// component 0: weight 0.33 [0.27, 0.40]  mean 1.46 [1.42, 1.50]  sigma 0.18 [0.16, 0.22]
	//   R̂ below 1.01: true, ESS above 400: true
	// component 1: weight 0.67 [0.60, 0.73]  mean 4.90 [4.76, 5.04]  sigma 0.83 [0.74, 0.94]
	//   R̂ below 1.01: true, ESS above 400: true
	// warnings: 0
}

// Variational Bayes in the conjugate form (InverseGamma on σ²): a
// deterministic fit whose ELBO rises at every step, with independent draws.
func ExampleModel_Posterior_vb() {
	x := iris.PetalLength()
	prior := gmm.NotebookPrior()
	prior.OnVariance = true
	m := &gmm.Model{K: 2, Prior: prior}
	p, err := m.Posterior(x, &gmm.PosteriorSettings{Method: gmm.VB, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	mean, sd := p.Mean(), p.SD()
	for k := range m.K {
		fmt.Printf("component %d: mean %.2f ± %.2f, sigma %.2f ± %.2f\n", k, mean.Means[k], sd.Means[k], mean.Sigmas[k], sd.Sigmas[k])
	}
	fmt.Printf("ELBO %.1f\n", p.ELBO[len(p.ELBO)-1])
	// Output:
	// component 0: mean 1.46 ± 0.04, sigma 0.26 ± 0.03
	// component 1: mean 4.91 ± 0.08, sigma 0.84 ± 0.06
	// ELBO -235.0
}

// The posterior predictive density with a pointwise 90% band, and each
// flower's posterior probability of belonging to the first cluster.
func ExamplePosterior_Predictive() {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	p, err := m.Posterior(x, &gmm.PosteriorSettings{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	grid := []float64{1.5, 3, 4.5}
	dens, lo, hi, err := p.Predictive(grid, 0.9)
	if err != nil {
		log.Fatal(err)
	}
	for i, v := range grid {
		fmt.Printf("p(%.1f) = %.3f [%.3f, %.3f]\n", v, dens[i], lo[i], hi[i])
	}
	r := p.Responsibilities([]float64{1.9, 2.5, 3})
	for i, v := range []float64{1.9, 2.5, 3} {
		fmt.Printf("P(first cluster | %.1f) = %.2f\n", v, r[i][0])
	}
	// Output:
	// p(1.5) = 0.709 [0.543, 0.892]
	// p(3.0) = 0.024 [0.012, 0.042]
	// p(4.5) = 0.283 [0.241, 0.327]
	// P(first cluster | 1.9) = 0.98
	// P(first cluster | 2.5) = 0.00
	// P(first cluster | 3.0) = 0.00
}
