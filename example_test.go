package gmm_test

import (
	"fmt"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

// The notebook's steps: a two-component mixture with the notebook's prior,
// fitted to the iris petal lengths.
func ExampleModel_Fit() {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	res, err := m.Fit(x, nil) // nil settings: Adam, seed 0, the defaults
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Prior)
	fmt.Printf("weights %.4f\n", m.Weights)
	fmt.Printf("means   %.4f\n", m.Means)
	fmt.Printf("sigmas  %.4f\n", m.Sigmas)
	fmt.Printf("loss %.4f, converged %v\n", res.Loss[len(res.Loss)-1], res.Converged)
	// Output:
	// w ~ Dirichlet(1), μ ~ Normal(0, 10), σ ~ InverseGamma(1, 1)
	// weights [0.3332 0.6668]
	// means   [1.4618 4.9048]
	// sigmas  [0.1783 0.8197]
	// loss 210.2063, converged true
}

// EM reaches the same MAP in closed-form steps.
func ExampleModel_Fit_em() {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	res, err := m.Fit(x, &gmm.Settings{Method: gmm.EM})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("means %.4f, sigmas %.4f, loss %.4f\n", m.Means, m.Sigmas, res.Loss[len(res.Loss)-1])
	// Output:
	// means [1.4618 4.9048], sigmas [0.1783 0.8197], loss 210.2063
}

// With the zero Prior, Fit maximises the likelihood, as scikit-learn's
// GaussianMixture does.
func ExampleModel_Fit_maximumLikelihood() {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2}
	if _, err := m.Fit(x, &gmm.Settings{Method: gmm.EM}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("weights %.4f, means %.4f, sigmas %.4f\n", m.Weights, m.Means, m.Sigmas)
	// Output:
	// weights [0.3331 0.6669], means [1.4617 4.9050], sigmas [0.1717 0.8232]
}

// Assign labels each flower with its most probable cluster, as the
// notebook's infer_discrete did; the 50 setosa flowers form cluster 0.
func ExampleModel_Assign() {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	if _, err := m.Fit(x, nil); err != nil {
		fmt.Println(err)
		return
	}
	z := m.Assign(x)
	sizes := make([]int, m.K)
	setosa := 0
	for i, s := range iris.Species() {
		sizes[z[i]]++
		if s == "setosa" && z[i] == 0 {
			setosa++
		}
	}
	fmt.Println("cluster sizes", sizes)
	fmt.Println("setosa in cluster 0:", setosa)
	// Output:
	// cluster sizes [50 100]
	// setosa in cluster 0: 50
}

// Responsibilities are the soft assignment: each point's probability of
// belonging to each cluster.
func ExampleModel_Responsibilities() {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	if _, err := m.Fit(x, nil); err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range m.Responsibilities([]float64{1.5, 2.2, 4.0}) {
		fmt.Printf("x = %.1f: %.4f\n", []float64{1.5, 2.2, 4.0}[i], r)
	}
	// Output:
	// x = 1.5: [0.9999 0.0001]
	// x = 2.2: [0.0913 0.9087]
	// x = 4.0: [0.0000 1.0000]
}

// The fitted density, with the 1/σ factor the notebook's plot left out.
func ExampleModel_Density() {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	if _, err := m.Fit(x, nil); err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range []float64{1.5, 3.0, 5.0} {
		fmt.Printf("p(%.1f) = %.4f\n", v, m.Density(v))
	}
	// Output:
	// p(1.5) = 0.7287
	// p(3.0) = 0.0218
	// p(5.0) = 0.3224
}

// Sample draws new data from a model, here one with known parameters.
func ExampleModel_Sample() {
	m := &gmm.Model{K: 2, Weights: []float64{0.3, 0.7}, Means: []float64{2, 10}, Sigmas: []float64{1, 2}}
	x, z, err := m.Sample(20000, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fit := &gmm.Model{K: 2}
	if _, err := fit.Fit(x, &gmm.Settings{Method: gmm.EM}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d values, the first from component %d\n", len(x), z[0])
	fmt.Printf("weights %.1f, means %.1f, sigmas %.1f\n", fit.Weights, fit.Means, fit.Sigmas)
	// Output:
	// 20000 values, the first from component 0
	// weights [0.3 0.7], means [2.0 10.0], sigmas [1.0 2.0]
}

// DefaultPrior scales the prior to the data, so the same data in other
// units gives the same clusters.
func ExampleDefaultPrior() {
	cm := iris.PetalLength()
	mm := make([]float64, len(cm))
	for i, v := range cm {
		mm[i] = 10*v + 3 // millimetres, from an offset origin
	}
	a := &gmm.Model{K: 2, Prior: gmm.DefaultPrior(cm)}
	b := &gmm.Model{K: 2, Prior: gmm.DefaultPrior(mm)}
	if _, err := a.Fit(cm, nil); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := b.Fit(mm, nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("cm: means %.3f, sigmas %.3f\n", a.Means, a.Sigmas)
	fmt.Printf("mm: means %.2f, sigmas %.2f\n", b.Means, b.Sigmas)
	za, zb := a.Assign(cm), b.Assign(mm)
	same := true
	for i := range za {
		same = same && za[i] == zb[i]
	}
	fmt.Println("same clusters:", same)
	// Output:
	// cm: means [1.462 4.905], sigmas [0.170 0.816]
	// mm: means [17.62 52.05], sigmas [1.70 8.16]
	// same clusters: true
}
