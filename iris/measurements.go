package iris

// Measurements returns the four measurements of the 150 flowers, row by
// row in the order of the data, as 150×4 row-major values: sepal length,
// sepal width, petal length and petal width, each row one flower.
func Measurements() []float64 {
	x := make([]float64, 0, 150*4)
	cols := [4][]float64{column(0), column(1), column(2), column(3)}
	for i := range cols[0] {
		for _, c := range cols {
			x = append(x, c[i])
		}
	}
	return x
}
