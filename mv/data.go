package mv

import (
	"errors"
	"fmt"
	"math"
	"slices"

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
		return data, fmt.Errorf("mv: x[%d, %d] is %v; every value must be finite: drop or impute the rows that are not (for Fit, Settings.AllowMissing makes NaN a missing value)", i, j, v)
	}
	return data, nil
}

// checkDataMissing is checkData, except that with allow a NaN is a missing
// value, not an error.
func checkDataMissing(x mat.Matrix, allow bool) (mvkernel.Data, error) {
	if !allow {
		return checkData(x)
	}
	if _, _, err := dims(x); err != nil {
		return mvkernel.Data{}, err
	}
	data := rows(x)
	for i := range data.N {
		for j, v := range data.X[i*data.Stride : i*data.Stride+data.D] {
			if !math.IsNaN(v) && !(math.Abs(v) <= maxAbs) {
				if math.IsInf(v, 0) {
					return data, fmt.Errorf("mv: x[%d, %d] is %v; values must be finite (NaN marks a missing value): drop or impute the rows that are not", i, j, v)
				}
				return data, fmt.Errorf("mv: x[%d, %d] is %v; values must be within ±%g: divide the data by a constant", i, j, v, maxAbs)
			}
		}
	}
	return data, nil
}

// dropEmpty returns x without the rows that miss every coordinate (a copy
// if there are any), with their weights, and their number.
func dropEmpty(x mvkernel.Data) (mvkernel.Data, int) {
	d := x.D
	empty := func(i int) bool {
		for _, v := range x.X[i*x.Stride : i*x.Stride+d] {
			if !math.IsNaN(v) {
				return false
			}
		}
		return true
	}
	n := 0
	for i := range x.N {
		if empty(i) {
			n++
		}
	}
	if n == 0 {
		return x, 0
	}
	out := mvkernel.Data{D: d, Stride: d, X: make([]float64, 0, (x.N-n)*d)}
	if x.V != nil {
		out.V = make([]float64, 0, x.N-n)
	}
	for i := range x.N {
		if empty(i) {
			continue
		}
		out.X = append(out.X, x.X[i*x.Stride:i*x.Stride+d]...)
		out.N++
		if x.V != nil {
			out.V = append(out.V, x.V[i])
		}
	}
	return out, n
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
// columns. Rows that miss some coordinates (NaN) and whose other values are
// good are listed in partial, with orig the data as given, for the
// marginal E-step; a row that misses every coordinate is bad.
func readable(x mat.Matrix, d int) (data mvkernel.Data, bad []bool, partial []int, orig mvkernel.Data, ok bool) {
	n, dx, err := dims(x)
	if err != nil {
		if x != nil {
			if r, c := x.Dims(); r == 0 && c == d {
				return mvkernel.Data{D: d, Stride: d}, nil, nil, orig, true
			}
		}
		return data, nil, nil, orig, false
	}
	if dx != d {
		return data, nil, nil, orig, false
	}
	data = rows(x)
	if _, _, good := badValue(data); good {
		return data, nil, nil, data, true
	}
	orig = data
	clean := make([]float64, n*d)
	bad = make([]bool, n)
	for i := range n {
		row := data.X[i*data.Stride : i*data.Stride+d]
		nan, wrong := 0, false
		for _, v := range row {
			switch {
			case math.IsNaN(v):
				nan++
			case !(math.Abs(v) <= maxAbs):
				wrong = true
			}
		}
		switch {
		case wrong || nan == d:
			bad[i] = true
		case nan > 0:
			partial = append(partial, i)
		default:
			copy(clean[i*d:], row)
		}
	}
	return mvkernel.Data{X: clean, N: n, D: d, Stride: d}, bad, partial, orig, true
}

// dropUnweighted returns x without its rows of weight 0, in a copy if
// there are any, and with no weights (all 1) if every weight left is 1, so
// that such a fit is the unweighted fit of the rows kept, bit for bit.
func dropUnweighted(x mvkernel.Data) mvkernel.Data {
	if x.V == nil {
		return x
	}
	if slices.Contains(x.V, 0) {
		d := x.D
		out := mvkernel.Data{D: d, Stride: d}
		for i, v := range x.V {
			if v > 0 {
				out.X = append(out.X, x.X[i*x.Stride:i*x.Stride+d]...)
				out.V = append(out.V, v)
				out.N++
			}
		}
		x = out
	}
	if !slices.ContainsFunc(x.V, func(v float64) bool { return v != 1 }) {
		x.V = nil
	}
	return x
}
