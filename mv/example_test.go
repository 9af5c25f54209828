package mv_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
)

// Fit mclust's choice for iris's four measurements, VEV with two
// components, by maximum likelihood, and compare the clusters with the
// species.
func ExampleModel_Fit() {
	x := mat.NewDense(150, 4, iris.Measurements())
	m := mv.Model{K: 2, Covariance: mv.VEV}
	if _, err := m.Fit(x, nil); err != nil {
		fmt.Println(err)
		return
	}
	ll, _ := m.LogLikelihood(x)
	bic, _ := m.BIC(x)
	fmt.Printf("log-likelihood %.3f, %d parameters, BIC %.2f\n", ll, m.NumParams(), bic)
	counts := map[string][2]int{}
	for i, k := range m.Assign(x) {
		c := counts[iris.Species()[i]]
		c[k]++
		counts[iris.Species()[i]] = c
	}
	for _, s := range []string{"setosa", "versicolor", "virginica"} {
		fmt.Println(s, counts[s])
	}
	// Output:
	// log-likelihood -215.726, 26 parameters, BIC 561.73
	// setosa [50 0]
	// versicolor [0 50]
	// virginica [0 50]
}

// Fit three full-covariance components under mclust's default prior, the
// maximum a posteriori fit, which no component can collapse.
func ExampleDefaultPrior() {
	x := mat.NewDense(150, 4, iris.Measurements())
	m := mv.Model{K: 3, Covariance: mv.Full, Prior: mv.DefaultPrior(x, 3)}
	if _, err := m.Fit(x, nil); err != nil {
		fmt.Println(err)
		return
	}
	for k, w := range m.Weights {
		fmt.Printf("weight %.3f, mean petal length %.2f\n", w, m.Means.At(k, 2))
	}
	// Output:
	// weight 0.333, mean petal length 1.46
	// weight 0.053, mean petal length 3.77
	// weight 0.614, mean petal length 5.00
}

func ExampleParseCovariance() {
	for _, s := range []string{"VEV", "full", "diag"} {
		c, err := mv.ParseCovariance(s)
		fmt.Println(c, err)
	}
	// Output:
	// VEV <nil>
	// VVV <nil>
	// VVI <nil>
}

// Choose the number of components and the covariance model for iris's
// four measurements by BIC, as mclust's Mclust does, here among three
// models. mclust reports the negatives of these BIC values.
func ExampleSelect() {
	x := mat.NewDense(150, 4, iris.Measurements())
	sel, err := mv.Select(x, &mv.SelectSettings{
		Ks:          []int{1, 2, 3},
		Covariances: []mv.Covariance{mv.EEE, mv.VEV, mv.VVV},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range sel.Candidates {
		fmt.Printf("%v K=%d  BIC %7.2f\n", c.Covariance, c.K, c.BIC)
	}
	fmt.Printf("best: %v with %d components\n", sel.Best.Covariance, sel.Best.K)
	// Output:
	// EEE K=1  BIC  829.98
	// EEE K=2  BIC  688.10
	// EEE K=3  BIC  632.96
	// VEV K=1  BIC  829.98
	// VEV K=2  BIC  561.73
	// VEV K=3  BIC  562.55
	// VVV K=1  BIC  829.98
	// VVV K=2  BIC  574.02
	// VVV K=3  BIC  580.84
	// best: VEV with 2 components
}
