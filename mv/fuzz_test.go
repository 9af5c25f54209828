package mv_test

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// FuzzFit fits models to arbitrary small data sets: every outcome must be
// an error that leaves the model and the data as they were, or a valid
// model with finite parameters and weights summing to 1.
func FuzzFit(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, uint8(2), uint8(13), uint8(2), false)
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, uint8(1), uint8(0), uint8(3), true)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, uint8(3), uint8(6), uint8(2), false)
	f.Fuzz(func(t *testing.T, raw []byte, k, cov, dim uint8, prior bool) {
		d := int(dim%3) + 1
		x := fuzzRows(raw, d, 0xff, math.Inf(1))
		if x == nil {
			return
		}
		before := slices.Clone(x.RawMatrix().Data)
		m := mv.Model{K: int(k%5) + 1, Covariance: mv.Covariance(cov % 14)}
		if prior {
			m.Prior = mv.DefaultPrior(x, m.K)
		}
		_, err := m.Fit(x, &mv.Settings{Restarts: 2, MaxSteps: 200})
		if !slices.EqualFunc(before, x.RawMatrix().Data, func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }) {
			t.Fatal("Fit changed the data")
		}
		if err != nil {
			if m.Weights != nil || m.Means != nil || m.Covariances != nil {
				t.Fatalf("Fit failed (%v) but changed the model", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("Fit returned an invalid model: %v", err)
		}
		var s float64
		for _, w := range m.Weights {
			s += w
		}
		if math.Abs(s-1) > 1e-12 {
			t.Fatalf("weights sum to %v", s)
		}
	})
}

// FuzzUnmarshalJSON reads arbitrary bytes as a model: every outcome must
// be an error that leaves the model as it was, or a valid model that
// writes back to JSON that reads as itself.
func FuzzUnmarshalJSON(f *testing.F) {
	f.Add([]byte(`{"k":1,"covariance":"VVV","weights":[1],"means":[[0,0]],"covariances":[[[1,0],[0,1]]],"prior":null}`))
	f.Add([]byte(`{"k":2,"covariance":"EII","weights":[0.5,0.5],"means":[[0],[1]],"covariances":[[[1]],[[1]]],"prior":{"concentration":1,"mean_loc":[0],"shrinkage":0.01,"dof":3,"scale":[[1]]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m mv.Model
		if err := json.Unmarshal(data, &m); err != nil {
			if m.K != 0 || m.Weights != nil || m.Means != nil {
				t.Fatalf("Unmarshal failed (%v) but changed the model", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("Unmarshal accepted an invalid model: %v", err)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var r mv.Model
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("the model written does not read back: %v", err)
		}
	})
}

// FuzzSelect runs Select, whose first start agglomerates the rows from
// single points (see Select), on arbitrary rounded data with ties,
// repeated rows and now and then a special value, weighted or not, for
// K = 1..3 and three covariance models: it must not panic or change its
// input, and on success every candidate holds its error or a finite
// log-likelihood, and the best model is valid.
func FuzzSelect(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, uint8(2), false)
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, uint8(1), true)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9}, uint8(0), true)
	f.Fuzz(func(t *testing.T, raw []byte, dim uint8, weighted bool) {
		d := int(dim%3) + 1
		x := fuzzRows(raw, d, 0xff, math.Inf(1))
		if x == nil {
			return
		}
		n, _ := x.Dims()
		before := slices.Clone(x.RawMatrix().Data)
		fit := &mv.Settings{Restarts: 1, MaxSteps: 100}
		if weighted {
			fit.Weights = make([]float64, n)
			for i := range n {
				fit.Weights[i] = float64(i % 3) // some rows of weight 0
			}
		}
		wb := slices.Clone(fit.Weights)
		sel, err := mv.Select(x, &mv.SelectSettings{Ks: []int{1, 2, 3}[:min(3, n)],
			Covariances: []mv.Covariance{mv.EII, mv.VEV, mv.VVV}, Fit: fit})
		if !slices.Equal(before, x.RawMatrix().Data) || !slices.Equal(wb, fit.Weights) {
			t.Fatal("Select changed the data or the weights")
		}
		if err != nil {
			return
		}
		for _, c := range sel.Candidates {
			if c.Err == nil && (math.IsNaN(c.LogLikelihood) || math.IsInf(c.LogLikelihood, 0)) {
				t.Fatalf("%v with K=%d: no error but log-likelihood %v", c.Covariance, c.K, c.LogLikelihood)
			}
		}
		if err := sel.Best.Validate(); err != nil {
			t.Fatalf("Select's best model is invalid: %v", err)
		}
	})
}

// fuzzRows reads raw as the rows of a matrix with d columns, two bytes a
// value (a little-endian int16 over 64: rounded data with ties, and now and
// then a large value), a value whose first byte is special being v
// instead. It returns nil if raw holds no whole row.
func fuzzRows(raw []byte, d int, special byte, v float64) *mat.Dense {
	var vals []float64
	for ; len(raw) >= 2; raw = raw[2:] {
		x := float64(int16(binary.LittleEndian.Uint16(raw))) / 64
		if raw[0] == special {
			x = v
		}
		vals = append(vals, x)
	}
	n := len(vals) / d
	if n == 0 {
		return nil
	}
	return mat.NewDense(n, d, vals[:n*d])
}
