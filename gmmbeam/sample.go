package gmmbeam

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// sample is a uniform sample without replacement of the points (or rows)
// of a PCollection: each point is given a key uniform on [0, 1), and the
// sample keeps the N points with the smallest keys, which is a uniform
// sample of the points whatever way they are split among workers and
// merged. Points of weight 0 are left out. Its coder writes its fields
// alone.
type sample struct {
	D       int       // values per point
	U, X, W []float64 // keys, points (D values each) and weights
	rng     *rand.Rand
}

// add offers the point x, of D values, with weight w.
func (a *sample) add(f *sampleFn, x []float64, w float64) error {
	if a.D == 0 {
		a.D = len(x)
	}
	if len(x) != a.D || a.D == 0 {
		return fmt.Errorf("gmmbeam: rows have %d and %d values; give every row the same number of values, at least one", a.D, len(x))
	}
	if w == 0 {
		return nil
	}
	if a.rng == nil {
		// A stream of its own for each accumulator, chosen by the seed and
		// by the first point it sees.
		h := uint64(14695981039346656037)
		for _, v := range x {
			h = (h ^ math.Float64bits(v)) * 1099511628211
		}
		a.rng = rand.New(rand.NewPCG(f.Seed, h))
	}
	a.U = append(a.U, a.rng.Float64())
	a.X = append(a.X, x...)
	a.W = append(a.W, w)
	if len(a.U) >= 2*max(f.N, 1) {
		a.prune(f.N)
	}
	return nil
}

// prune keeps the n points with the smallest keys.
func (a *sample) prune(n int) {
	if len(a.U) <= n {
		return
	}
	idx := make([]int, len(a.U))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return a.U[idx[i]] < a.U[idx[j]] })
	idx = idx[:n]
	sort.Ints(idx) // keep the points in the order they came
	u, x, w := make([]float64, 0, n), make([]float64, 0, n*a.D), make([]float64, 0, n)
	for _, i := range idx {
		u = append(u, a.U[i])
		x = append(x, a.X[i*a.D:(i+1)*a.D]...)
		w = append(w, a.W[i])
	}
	a.U, a.X, a.W = u, x, w
}

func (a *sample) merge(b *sample, n int) (*sample, error) {
	if a.D == 0 {
		a.D = b.D
	}
	if b.D != 0 && b.D != a.D {
		return nil, fmt.Errorf("gmmbeam: rows have %d and %d values; give every row the same number of values", a.D, b.D)
	}
	a.U = append(a.U, b.U...)
	a.X = append(a.X, b.X...)
	a.W = append(a.W, b.W...)
	a.prune(n)
	return a, nil
}

func encodeSample(a *sample) ([]byte, error) {
	b := binary.LittleEndian.AppendUint32(nil, uint32(a.D))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(a.U)))
	for _, s := range [][]float64{a.U, a.X, a.W} {
		for _, v := range s {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b, nil
}

var errSample = errors.New("gmmbeam: internal error: a sample's encoding is cut short")

func decodeSample(b []byte) (*sample, error) {
	if len(b) < 8 {
		return nil, errSample
	}
	d, n := int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:]))
	if len(b) != 8+8*n*(d+2) {
		return nil, errSample
	}
	b = b[8:]
	next := func(m int) []float64 {
		s := make([]float64, m)
		for i := range s {
			s[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		b = b[8*m:]
		return s
	}
	a := &sample{D: d}
	a.U = next(n)
	a.X = next(n * d)
	a.W = next(n)
	return a, nil
}

// sampleFn holds what every sampling CombineFn shares: the sample's size,
// the number of values per point (0 if the first point says), and the
// seed.
type sampleFn struct {
	N, D int
	Seed uint64
}

func (f *sampleFn) CreateAccumulator() *sample { return &sample{D: f.D} }

func (f *sampleFn) MergeAccumulators(a, b *sample) (*sample, error) { return a.merge(b, f.N) }

func (f *sampleFn) ExtractOutput(a *sample) ([]byte, error) {
	a.prune(f.N)
	return encodeSample(a)
}

// block offers the points of a block, d values each.
func (f *sampleFn) block(a *sample, x, w []float64, d int) error {
	if err := checkBlock(len(x), len(w), d); err != nil {
		return err
	}
	for i := 0; i < len(x); i += d {
		wi := 1.0
		if len(w) > 0 {
			wi = w[i/d]
		}
		if err := a.add(f, x[i:i+d], wi); err != nil {
			return err
		}
	}
	return nil
}

type samplePointFn struct{ sampleFn }

func (f *samplePointFn) AddInput(a *sample, x float64) (*sample, error) {
	return a, a.add(&f.sampleFn, []float64{x}, 1)
}

type sampleWeightedFn struct{ sampleFn }

func (f *sampleWeightedFn) AddInput(a *sample, x Weighted) (*sample, error) {
	return a, a.add(&f.sampleFn, []float64{x.X}, x.W)
}

// sampleSliceFn samples []float64 elements that are blocks of points.
type sampleSliceFn struct{ sampleFn }

func (f *sampleSliceFn) AddInput(a *sample, x []float64) (*sample, error) {
	return a, f.block(a, x, nil, 1)
}

type sampleBlockFn struct{ sampleFn }

func (f *sampleBlockFn) AddInput(a *sample, b Block) (*sample, error) {
	return a, f.block(a, b.X, b.W, 1)
}

type sampleBlockFnMV struct{ sampleFn }

func (f *sampleBlockFnMV) AddInput(a *sample, b Block) (*sample, error) {
	return a, f.block(a, b.X, b.W, b.D)
}

// sampleRowFn samples []float64 elements that are rows.
type sampleRowFn struct{ sampleFn }

func (f *sampleRowFn) AddInput(a *sample, x []float64) (*sample, error) {
	return a, a.add(&f.sampleFn, x, 1)
}

type sampleWeightedRowFn struct{ sampleFn }

func (f *sampleWeightedRowFn) AddInput(a *sample, x WeightedRow) (*sample, error) {
	return a, a.add(&f.sampleFn, x.X, x.W)
}
