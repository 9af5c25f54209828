package plot_test

import (
	"fmt"
	"log"
	"os"

	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
	"github.com/gmm-go/gmm/plot"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/vg"
)

// ExampleClassification draws iris's four columns coloured by the clusters
// of mclust's choice for them, VEV with two components, as a matrix of the
// pairs of columns.
func ExampleClassification() {
	x := mat.NewDense(150, 4, iris.Measurements())
	m := &mv.Model{K: 2, Covariance: mv.VEV}
	if _, err := m.Fit(x, nil); err != nil {
		log.Fatal(err)
	}
	names := []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}
	p, err := plot.Classification(m, x, names)
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.CreateTemp("", "classification-*.png")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := plot.WritePNG(f, p, 8*vg.Inch, 8*vg.Inch); err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Title.Text)
	// Output:
	// Classification: each row in its most probable component
}

// ExampleSelectionMV draws the BIC of a selection against K, a line per
// covariance model, as mclust's plot of its BIC.
func ExampleSelectionMV() {
	x := mat.NewDense(150, 4, iris.Measurements())
	sel, err := mv.Select(x, &mv.SelectSettings{Ks: []int{1, 2, 3}, Covariances: []mv.Covariance{mv.EEE, mv.VEV, mv.VVV}})
	if err != nil {
		log.Fatal(err)
	}
	p, err := plot.SelectionMV(sel, mv.BIC)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Title.Text)
	// Output:
	// Choosing the model by BIC: the best is VEV with K = 2 (561.73)
}
