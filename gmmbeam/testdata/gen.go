//go:build ignore

// gen writes the example data of beamfit: points.txt, 5000 draws of a
// one-dimensional mixture of three components, and rows.txt, 3000 rows of
// a two-dimensional mixture of three components, comma-separated.
//
//	go run gen.go
package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/gmm-go/gmm"
)

func main() {
	m := &gmm.Model{K: 3, Weights: []float64{0.5, 0.3, 0.2}, Means: []float64{-4, 0, 5}, Sigmas: []float64{1, 0.7, 1.5}}
	x, _, err := m.Sample(5000, 1)
	if err != nil {
		panic(err)
	}
	write("points.txt", func(w *bufio.Writer) {
		fmt.Fprintln(w, "# 5000 draws of 0.5 N(-4, 1) + 0.3 N(0, 0.7) + 0.2 N(5, 1.5)")
		for _, v := range x {
			fmt.Fprintf(w, "%.6f\n", v)
		}
	})
	r := rand.New(rand.NewPCG(2, 0))
	means := [][2]float64{{-3, 0}, {2, 2}, {3, -3}}
	write("rows.txt", func(w *bufio.Writer) {
		fmt.Fprintln(w, "# 3000 rows of three correlated Gaussian groups, centred at (-3, 0), (2, 2) and (3, -3)")
		for range 3000 {
			c := means[r.IntN(3)]
			a := c[0] + r.NormFloat64()
			b := c[1] + 0.5*r.NormFloat64() + 0.3*(a-c[0])
			fmt.Fprintf(w, "%.6f,%.6f\n", a, b)
		}
	})
}

func write(name string, body func(*bufio.Writer)) {
	f, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(f)
	body(w)
	if err := w.Flush(); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}
