package mv

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// maxAbs bounds the size of the data's values: the statistics hold sums of
// squared differences, which overflow beyond about 1e154.
const maxAbs = 1e100

// rows returns x as row-major data: a *mat.Dense's own memory, never
// written to, or a copy of any other matrix.
func rows(x mat.Matrix) mvkernel.Data {
	n, d := x.Dims()
	if dn, ok := x.(*mat.Dense); ok {
		raw := dn.RawMatrix()
		return mvkernel.Data{X: raw.Data, N: n, D: d, Stride: raw.Stride}
	}
	buf := make([]float64, n*d)
	for i := range n {
		for j := range d {
			buf[i*d+j] = x.At(i, j)
		}
	}
	return mvkernel.Data{X: buf, N: n, D: d, Stride: d}
}

// dims returns x's dimensions, or an error for a nil or empty matrix.
func dims(x mat.Matrix) (n, d int, err error) {
	if x == nil {
		return 0, 0, errors.New("mv: the data are nil; give one row per point")
	}
	if e, ok := x.(interface{ IsEmpty() bool }); ok && e.IsEmpty() {
		return 0, 0, errors.New("mv: the data are empty; give one row per point")
	}
	n, d = x.Dims()
	if n < 1 || d < 1 {
		return 0, 0, errors.New("mv: the data are empty; give one row per point")
	}
	return n, d, nil
}

// checkData returns x as row-major data, or an error if it is empty or
// holds a value that is not finite or too large.
func checkData(x mat.Matrix) (mvkernel.Data, error) {
	if _, _, err := dims(x); err != nil {
		return mvkernel.Data{}, err
	}
	data := rows(x)
	if i, j, ok := badValue(data); !ok {
		v := data.X[i*data.Stride+j]
		if finite(v) {
			return data, fmt.Errorf("mv: x[%d, %d] is %v; values must be within ±%g: divide the data by a constant", i, j, v, maxAbs)
		}
		return data, fmt.Errorf("mv: x[%d, %d] is %v; every value must be finite: drop or impute the rows that are not", i, j, v)
	}
	return data, nil
}

// badValue returns the first value that is not finite or too large.
func badValue(x mvkernel.Data) (i, j int, ok bool) {
	for i := range x.N {
		for j, v := range x.X[i*x.Stride : i*x.Stride+x.D] {
			if !(math.Abs(v) <= maxAbs) {
				return i, j, false
			}
		}
	}
	return 0, 0, true
}

// checkWeights returns an error unless w is nil or holds n finite
// non-negative weights, not all zero.
func checkWeights(w []float64, n int) error {
	if w == nil {
		return nil
	}
	if len(w) != n {
		return fmt.Errorf("mv: Settings.Weights has %d values for %d points; give one per point, or nil for all 1", len(w), n)
	}
	var s float64
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("mv: Settings.Weights[%d] is %v; weights must be finite and non-negative", i, v)
		}
		s += v
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return errors.New("mv: Settings.Weights sum to zero or overflow; give positive weights of moderate size")
	}
	return nil
}

// readable returns x as row-major data for the reading methods, with each
// row that holds a value that is not finite or too large replaced by
// zeros (in a copy) and marked in bad, or ok = false if x does not have d
// columns.
func readable(x mat.Matrix, d int) (data mvkernel.Data, bad []bool, ok bool) {
	n, dx, err := dims(x)
	if err != nil {
		if x != nil {
			if r, c := x.Dims(); r == 0 && c == d {
				return mvkernel.Data{D: d, Stride: d}, nil, true
			}
		}
		return data, nil, false
	}
	if dx != d {
		return data, nil, false
	}
	data = rows(x)
	if _, _, good := badValue(data); good {
		return data, nil, true
	}
	clean := make([]float64, n*d)
	bad = make([]bool, n)
	for i := range n {
		row := data.X[i*data.Stride : i*data.Stride+d]
		for _, v := range row {
			if !(math.Abs(v) <= maxAbs) {
				bad[i] = true
			}
		}
		if !bad[i] {
			copy(clean[i*d:], row)
		}
	}
	return mvkernel.Data{X: clean, N: n, D: d, Stride: d}, bad, true
}
