package mv_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
)

// Sample the posterior of two full-covariance components for iris's petal
// length and width under mclust's default prior, and summarise it by the
// posterior mean and standard deviation of each component's weight and
// mean petal length, with R̂ and the smallest bulk ESS.
func ExampleModel_Posterior() {
	all := iris.Measurements()
	x := mat.NewDense(150, 2, nil)
	for i := range 150 {
		x.Set(i, 0, all[4*i+2])
		x.Set(i, 1, all[4*i+3])
	}
	m := &mv.Model{K: 2, Covariance: mv.Full, Prior: mv.DefaultPrior(x, 2)}
	p, err := m.Posterior(x, &mv.PosteriorSettings{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	mean, sd, rhat, ess := p.Mean(), p.SD(), p.RHat(), p.ESS()
	for k := range p.K() {
		fmt.Printf("weight %.3f ± %.3f, petal length %.2f ± %.2f, R̂ below 1.01: %v\n",
			mean.Weights[k], sd.Weights[k], mean.Means[k][0], sd.Means[k][0], rhat.Means[k][0] < 1.01)
	}
	low := ess.Weights[0]
	for _, v := range []float64{ess.Means[0][0], ess.Means[1][0], ess.Covariances[0][0][1]} {
		low = min(low, v)
	}
	fmt.Printf("%d draws, bulk ESS above 1000: %v, %d warnings\n", len(p.Weights), low > 1000, len(p.Warnings))
	// Output:
	// weight 0.336 ± 0.038, petal length 1.46 ± 0.04, R̂ below 1.01: true
	// weight 0.664 ± 0.038, petal length 4.91 ± 0.08, R̂ below 1.01: true
	// 4000 draws, bulk ESS above 1000: true, 0 warnings
}

// Summarise the posterior of two full-covariance components for iris's
// petal length and width by 90% central credible intervals: each
// component's weight, mean and covariance entries.
func ExamplePosterior_Interval() {
	all := iris.Measurements()
	x := mat.NewDense(150, 2, nil)
	for i := range 150 {
		x.Set(i, 0, all[4*i+2])
		x.Set(i, 1, all[4*i+3])
	}
	m := &mv.Model{K: 2, Covariance: mv.Full, Prior: mv.DefaultPrior(x, 2)}
	p, err := m.Posterior(x, &mv.PosteriorSettings{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	lo, hi, err := p.Interval(0.9)
	if err != nil {
		fmt.Println(err)
		return
	}
	med, _ := p.Quantile(0.5)
	for k := range p.K() {
		fmt.Printf("component %d: weight %.3f [%.3f, %.3f]\n", k, med.Weights[k], lo.Weights[k], hi.Weights[k])
		fmt.Printf("  mean length %.2f [%.2f, %.2f], width %.3f [%.3f, %.3f]\n",
			med.Means[k][0], lo.Means[k][0], hi.Means[k][0], med.Means[k][1], lo.Means[k][1], hi.Means[k][1])
		fmt.Printf("  covariance length-width %.4f [%.4f, %.4f]\n",
			med.Covariances[k][0][1], lo.Covariances[k][0][1], hi.Covariances[k][0][1])
	}
	// Output:
	// component 0: weight 0.334 [0.274, 0.400]
	//   mean length 1.46 [1.40, 1.52], width 0.246 [0.217, 0.275]
	//   covariance length-width 0.0183 [0.0114, 0.0285]
	// component 1: weight 0.666 [0.600, 0.726]
	//   mean length 4.90 [4.76, 5.05], width 1.675 [1.604, 1.747]
	//   covariance length-width 0.2871 [0.2232, 0.3708]
}
