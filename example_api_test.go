package gmm_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
)

// A model that has not been fitted: the methods with an error say so with
// ErrNotFitted, the others return their empty value.
func ExampleErrNotFitted() {
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	_, err := m.LogLikelihood([]float64{1, 2})
	fmt.Println(errors.Is(err, gmm.ErrNotFitted))
	fmt.Println(m.Assign([]float64{1, 2}) == nil, m.Density(1))
	// Output:
	// true
	// true NaN
}

// Responsibilities for large data into one flat buffer, reused chunk by
// chunk: row i of a chunk is r[i*K : (i+1)*K].
func ExampleModel_ResponsibilitiesTo() {
	x := iris.PetalLength()
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	if _, err := m.Fit(x, &gmm.Settings{Method: gmm.EM}); err != nil {
		fmt.Println(err)
		return
	}
	const chunk = 64
	r := make([]float64, chunk*m.K)
	var sure int // points at least 99% sure of their cluster
	for lo := 0; lo < len(x); lo += chunk {
		xs := x[lo:min(lo+chunk, len(x))]
		m.ResponsibilitiesTo(r[:len(xs)*m.K], xs)
		for i := range xs {
			if max(r[i*m.K], r[i*m.K+1]) >= 0.99 {
				sure++
			}
		}
	}
	fmt.Println(sure, "of", len(x))
	// Output:
	// 148 of 150
}

// A fit that its prior dominates: the notebook's prior, centred on 0 with a
// standard deviation of 10, on speeds around 20,000.
func ExampleResult_Warnings() {
	x := []float64{19950, 20010, 20040, 20480, 20510, 20530}
	m := &gmm.Model{K: 2, Prior: gmm.NotebookPrior()}
	res, err := m.Fit(x, &gmm.Settings{Method: gmm.EM})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(res.Warnings) > 0)
	m.Prior = gmm.DefaultPrior(x) // as the warnings advise
	res, err = m.Fit(x, &gmm.Settings{Method: gmm.EM})
	fmt.Println(len(res.Warnings), err)
	fmt.Printf("means %.0f\n", m.Means)
	// Output:
	// true
	// 0 <nil>
	// means [20000 20507]
}

// Priors, methods and posteriors write the same keys as a model's JSON.
func ExamplePrior_MarshalJSON() {
	b, _ := json.Marshal(gmm.NotebookPrior())
	fmt.Println(string(b))
	b, _ = json.Marshal(gmm.EM)
	fmt.Println(string(b))
	// Output:
	// {"concentration":1,"mean_loc":0,"mean_scale":10,"sigma_shape":1,"sigma_scale":1,"on_variance":false}
	// "em"
}
