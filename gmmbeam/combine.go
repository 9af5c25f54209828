package gmmbeam

import (
	"encoding/json"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/mv"
)

// blockSize is the number of points, or rows, an accumulator gathers from
// elements of one point each before it runs the E-step on them: enough for
// the kernel to run at full speed, few enough to keep an accumulator small.
const blockSize = 4096

// Weighted is a point with its weight, an element type of Fit's input.
type Weighted struct {
	X, W float64
}

// WeightedRow is a row with its weight, an element type of FitMV's input.
type WeightedRow struct {
	X []float64
	W float64
}

// Block is many points, or rows, in one element. For Fit, X holds the
// points, and D is ignored; for FitMV, X holds the rows one after another,
// D numbers each. W holds their weights, one per point or row, or is nil
// (or empty) for weights of 1.
type Block struct {
	X, W []float64
	D    int
}

// checkBlock returns an error if a block of nx values and nw weights does
// not hold whole rows of d values, with one weight each or none.
func checkBlock(nx, nw, d int) error {
	switch {
	case d < 1:
		return fmt.Errorf("gmmbeam: a Block has D = %d; set D to the number of values in a row", d)
	case nx%d != 0:
		return fmt.Errorf("gmmbeam: a Block has %d values, not a whole number of rows of %d; give D values per row", nx, d)
	case nw != 0 && nw != nx/d:
		return fmt.Errorf("gmmbeam: a Block has %d weights for %d points; give one weight per point, or none", nw, nx/d)
	}
	return nil
}

// accum is the accumulator of the 1-D CombineFns: the statistics so far and
// the points not yet summed into them. Its coder flushes the points and
// encodes the statistics alone.
type accum struct {
	st   *gmm.Stats
	m    *gmm.Model // the parameters of the E-step; nil once decoded
	x, w []float64  // points not yet summed; w nil while all weights are 1
}

func (a *accum) add(x, w float64) error {
	if w != 1 && a.w == nil {
		a.w = make([]float64, len(a.x), cap(a.x))
		for i := range a.w {
			a.w[i] = 1
		}
	}
	a.x = append(a.x, x)
	if a.w != nil {
		a.w = append(a.w, w)
	}
	if len(a.x) >= blockSize {
		return a.flush()
	}
	return nil
}

// flush sums the pending points into the statistics.
func (a *accum) flush() error {
	if len(a.x) == 0 {
		return nil
	}
	if a.m == nil {
		return fmt.Errorf("gmmbeam: internal error: %d points pending in a decoded accumulator", len(a.x))
	}
	err := a.m.Accumulate(a.st, a.x, a.w)
	a.x, a.w = a.x[:0], nil
	return err
}

func encodeAccum(a *accum) ([]byte, error) {
	if err := a.flush(); err != nil {
		return nil, err
	}
	return a.st.MarshalBinary()
}

func decodeAccum(b []byte) (*accum, error) {
	st := new(gmm.Stats)
	if err := st.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return &accum{st: st}, nil
}

// statsFn holds what every 1-D CombineFn shares: the parameters of the
// E-step, carried as the model's JSON in an exported field.
type statsFn struct {
	Model []byte
	m     *gmm.Model
}

func newStatsFn(m *gmm.Model) (statsFn, error) {
	b, err := json.Marshal(m)
	return statsFn{Model: b}, err
}

func (f *statsFn) Setup() error {
	f.m = new(gmm.Model)
	return json.Unmarshal(f.Model, f.m)
}

func (f *statsFn) CreateAccumulator() *accum {
	return &accum{st: gmm.NewStats(f.m.K), m: f.m}
}

func (f *statsFn) own(a *accum) *accum {
	if a.m == nil {
		a.m = f.m
	}
	return a
}

func (f *statsFn) MergeAccumulators(a, b *accum) (*accum, error) {
	if err := f.own(a).flush(); err != nil {
		return nil, err
	}
	if err := f.own(b).flush(); err != nil {
		return nil, err
	}
	return a, a.st.Merge(b.st)
}

func (f *statsFn) ExtractOutput(a *accum) ([]byte, error) {
	if err := f.own(a).flush(); err != nil {
		return nil, err
	}
	return a.st.MarshalBinary()
}

// pointStatsFn sums float64 elements.
type pointStatsFn struct{ statsFn }

func (f *pointStatsFn) AddInput(a *accum, x float64) (*accum, error) {
	return a, f.own(a).add(x, 1)
}

// weightedStatsFn sums Weighted elements.
type weightedStatsFn struct{ statsFn }

func (f *weightedStatsFn) AddInput(a *accum, x Weighted) (*accum, error) {
	return a, f.own(a).add(x.X, x.W)
}

// sliceStatsFn sums []float64 elements, blocks of points.
type sliceStatsFn struct{ statsFn }

func (f *sliceStatsFn) AddInput(a *accum, x []float64) (*accum, error) {
	if len(x) == 0 {
		return a, nil
	}
	return a, f.own(a).m.Accumulate(a.st, x, nil)
}

// blockStatsFn sums Block elements.
type blockStatsFn struct{ statsFn }

func (f *blockStatsFn) AddInput(a *accum, b Block) (*accum, error) {
	if len(b.X) == 0 && len(b.W) == 0 {
		return a, nil
	}
	return a, f.own(a).m.Accumulate(a.st, b.X, weights(b.W))
}

// weights returns the weights of a Block: nil, for weights of 1, if it has
// none.
func weights(w []float64) []float64 {
	if len(w) == 0 {
		return nil
	}
	return w
}

// accumMV is the accumulator of the mv CombineFns: see accum.
type accumMV struct {
	st   *mv.Stats
	m    *mv.Model
	d    int
	x, w []float64 // rows not yet summed, one after another
}

func (a *accumMV) add(x []float64, w float64) error {
	if len(x) != a.d {
		return fmt.Errorf("gmmbeam: a row has %d values and the model has %d columns; give every row %d values", len(x), a.d, a.d)
	}
	n := len(a.x) / max(a.d, 1)
	if w != 1 && a.w == nil {
		a.w = make([]float64, n, blockSize)
		for i := range a.w {
			a.w[i] = 1
		}
	}
	a.x = append(a.x, x...)
	if a.w != nil {
		a.w = append(a.w, w)
	}
	if n+1 >= blockSize {
		return a.flush()
	}
	return nil
}

func (a *accumMV) flush() error {
	if len(a.x) == 0 {
		return nil
	}
	if a.m == nil {
		return fmt.Errorf("gmmbeam: internal error: %d values pending in a decoded accumulator", len(a.x))
	}
	err := a.m.Accumulate(a.st, mat.NewDense(len(a.x)/a.d, a.d, a.x), a.w)
	a.x, a.w = a.x[:0], nil
	return err
}

func encodeAccumMV(a *accumMV) ([]byte, error) {
	if err := a.flush(); err != nil {
		return nil, err
	}
	return a.st.MarshalBinary()
}

func decodeAccumMV(b []byte) (*accumMV, error) {
	st := new(mv.Stats)
	if err := st.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return &accumMV{st: st}, nil
}

// statsFnMV holds what every mv CombineFn shares: see statsFn.
type statsFnMV struct {
	Model []byte
	m     *mv.Model
	d     int
}

func newStatsFnMV(m *mv.Model) (statsFnMV, error) {
	b, err := json.Marshal(m)
	return statsFnMV{Model: b}, err
}

func (f *statsFnMV) Setup() error {
	f.m = new(mv.Model)
	if err := json.Unmarshal(f.Model, f.m); err != nil {
		return err
	}
	_, f.d = f.m.Means.Dims()
	return nil
}

func (f *statsFnMV) CreateAccumulator() *accumMV {
	return &accumMV{st: mv.NewStats(f.m.K, f.d), m: f.m, d: f.d}
}

func (f *statsFnMV) own(a *accumMV) *accumMV {
	if a.m == nil {
		a.m, a.d = f.m, f.d
	}
	return a
}

func (f *statsFnMV) MergeAccumulators(a, b *accumMV) (*accumMV, error) {
	if err := f.own(a).flush(); err != nil {
		return nil, err
	}
	if err := f.own(b).flush(); err != nil {
		return nil, err
	}
	return a, a.st.Merge(b.st)
}

func (f *statsFnMV) ExtractOutput(a *accumMV) ([]byte, error) {
	if err := f.own(a).flush(); err != nil {
		return nil, err
	}
	return a.st.MarshalBinary()
}

// rowStatsFn sums []float64 elements, rows.
type rowStatsFn struct{ statsFnMV }

func (f *rowStatsFn) AddInput(a *accumMV, x []float64) (*accumMV, error) {
	return a, f.own(a).add(x, 1)
}

// weightedRowStatsFn sums WeightedRow elements.
type weightedRowStatsFn struct{ statsFnMV }

func (f *weightedRowStatsFn) AddInput(a *accumMV, x WeightedRow) (*accumMV, error) {
	return a, f.own(a).add(x.X, x.W)
}

// blockStatsFnMV sums Block elements of rows.
type blockStatsFnMV struct{ statsFnMV }

func (f *blockStatsFnMV) AddInput(a *accumMV, b Block) (*accumMV, error) {
	f.own(a)
	if b.D != a.d {
		return a, fmt.Errorf("gmmbeam: a Block has D = %d and the model has %d columns; give rows of %d values", b.D, a.d, a.d)
	}
	if err := checkBlock(len(b.X), len(b.W), b.D); err != nil {
		return a, err
	}
	if len(b.X) == 0 {
		return a, nil
	}
	return a, a.m.Accumulate(a.st, mat.NewDense(len(b.X)/a.d, a.d, b.X), weights(b.W))
}
