// Package iris provides Fisher's iris data (Fisher 1936; Anderson 1935), the
// data the gmm examples and command line use: 150 flowers of three species,
// 50 each, with four measurements in centimetres.
package iris

import (
	_ "embed"
	"strconv"
	"strings"
)

//go:embed iris.csv
var csv string

// CSV returns the data as comma-separated text with the header
// sepal_length,sepal_width,petal_length,petal_width,species.
func CSV() string { return csv }

// PetalLength returns the 150 petal lengths, in the order of the data.
func PetalLength() []float64 { return column(2) }

// Species returns the 150 species names: setosa, versicolor or virginica.
func Species() []string {
	var s []string
	for _, row := range rows() {
		s = append(s, row[4])
	}
	return s
}

func rows() [][]string {
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	out := make([][]string, 0, len(lines)-1)
	for _, l := range lines[1:] {
		out = append(out, strings.Split(strings.TrimSpace(l), ","))
	}
	return out
}

func column(j int) []float64 {
	var x []float64
	for _, row := range rows() {
		v, err := strconv.ParseFloat(row[j], 64)
		if err != nil {
			panic("iris: embedded data are corrupt: " + err.Error())
		}
		x = append(x, v)
	}
	return x
}
