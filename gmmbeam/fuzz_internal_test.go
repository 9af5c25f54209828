package gmmbeam

import (
	"encoding/binary"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/mv"
)

// floats reads b as little-endian float64s.
func floats(b []byte) []float64 {
	x := make([]float64, len(b)/8)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return x
}

func bytesOf(x ...float64) []byte {
	var b []byte
	for _, v := range x {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// FuzzBlock feeds Blocks of any values, weights and D, as a PCollection may
// hold them, to the CombineFns of Fit and FitMV and of the sample: each
// either returns an error or statistics whose total weight is the block's,
// and never panics.
func FuzzBlock(f *testing.F) {
	f.Add(bytesOf(1, 2, 3, 4), bytesOf(1, 0), 2, false)
	f.Add(bytesOf(1, 2, 3, 4), []byte(nil), 2, true)
	f.Add(bytesOf(1, math.NaN()), bytesOf(1, 1), 1, false)
	f.Add(bytesOf(1, 2), bytesOf(-1, 1), 1, false)
	f.Add(bytesOf(1, 2, 3), bytesOf(1), 2, false)
	f.Add([]byte(nil), bytesOf(1), 0, false)
	f.Fuzz(func(t *testing.T, xb, wb []byte, d int, nilW bool) {
		x, w := floats(xb), floats(wb)
		if nilW {
			w = nil
		}
		b := Block{X: x, W: w, D: d}
		// The total weight: Fit reads every value of X as a point, FitMV
		// D values as a row.
		want1, wantMV := float64(len(x)), 0.0
		if d > 0 {
			wantMV = float64(len(x) / d)
		}
		if len(w) > 0 { // an empty W is no weights, all 1
			want1 = 0
			for _, v := range w {
				want1 += v
			}
			wantMV = want1
		}

		m1 := &gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{-1, 1}, Sigmas: []float64{1, 1}}
		base, err := newStatsFn(m1)
		if err != nil {
			t.Fatal(err)
		}
		fn := &blockStatsFn{base}
		if err := fn.Setup(); err != nil {
			t.Fatal(err)
		}
		checkTotal(t, "Fit", fn.CreateAccumulator, fn.AddInput, fn.ExtractOutput, b, want1, func(out []byte) (float64, error) {
			st := new(gmm.Stats)
			err := st.UnmarshalBinary(out)
			return st.Total, err
		})

		m2 := &mv.Model{K: 1, Covariance: mv.VVV, Weights: []float64{1}, Means: mat.NewDense(1, 2, []float64{0, 0}),
			Covariances: []*mat.SymDense{mat.NewSymDense(2, []float64{1, 0, 0, 1})}}
		base2, err := newStatsFnMV(m2)
		if err != nil {
			t.Fatal(err)
		}
		fn2 := &blockStatsFnMV{base2}
		if err := fn2.Setup(); err != nil {
			t.Fatal(err)
		}
		checkTotal(t, "FitMV", fn2.CreateAccumulator, fn2.AddInput, fn2.ExtractOutput, b, wantMV, func(out []byte) (float64, error) {
			st := new(mv.Stats)
			err := st.UnmarshalBinary(out)
			return st.Total, err
		})

		s := &sampleBlockFnMV{sampleFn{N: 3, Seed: 1}}
		a := s.CreateAccumulator()
		if _, err := s.AddInput(a, b); err == nil {
			out, err := s.ExtractOutput(a)
			if err != nil {
				t.Fatal(err)
			}
			smp, err := decodeSample(out)
			if err != nil {
				t.Fatalf("sample: %v", err)
			}
			if len(smp.W) > 3 {
				t.Fatalf("sample of %d points, asked for 3", len(smp.W))
			}
		}
	})
}

// checkTotal adds b to a new accumulator and, if that succeeds, checks the
// total weight of the statistics extracted.
func checkTotal[A any](t *testing.T, what string, create func() A, add func(A, Block) (A, error), extract func(A) ([]byte, error),
	b Block, want float64, total func([]byte) (float64, error)) {
	t.Helper()
	a := create()
	a, err := add(a, b)
	if err != nil {
		return
	}
	out, err := extract(a)
	if err != nil {
		t.Fatalf("%s: extract after a successful add: %v", what, err)
	}
	got, err := total(out)
	if err != nil {
		t.Fatalf("%s: decoding the statistics: %v", what, err)
	}
	// The total is a sum of the same weights, in another order at most:
	// rounding of 1e-15 relative per term is covered by 1e-12.
	if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
		t.Fatalf("%s: total weight %v, want %v", what, got, want)
	}
}
