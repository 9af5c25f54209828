package mv

import (
	"context"
	"fmt"
	"iter"
	"math"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// passer is where a problem's statistics come from: run sets st to the
// statistics of all the data at the parameters p (kp their kernel form).
// A Fit's passes sum rows in memory, FitStream's read a stream chunk by
// chunk, and FitPasses's call the caller's function; the engine, the
// steps and the stopping rule are the same.
type passer interface {
	run(ctx context.Context, p *params, kp *mvkernel.Params, st *mvkernel.Stats) error
}

// memPass sums the rows of x.
type memPass struct {
	x    mvkernel.Data
	pass *mvkernel.Pass
}

func (s *memPass) run(_ context.Context, _ *params, kp *mvkernel.Params, st *mvkernel.Stats) error {
	s.pass.Run(s.x, kp, mvkernel.Out{Stats: st})
	return nil
}

// streamPass sums the chunks of a stream of rows, merging each chunk's
// statistics into the total in the order the chunks come.
type streamPass struct {
	src   iter.Seq2[[]float64, []float64]
	d     int
	allow bool // NaN marks a missing value
	empty *int // where to count the rows that miss every coordinate
	pass  *mvkernel.Pass
	tmp   *mvkernel.Stats
}

func newStreamPass(src iter.Seq2[[]float64, []float64], k, d int, allow bool, empty *int) *streamPass {
	return &streamPass{src: src, d: d, allow: allow, empty: empty, pass: mvkernel.NewPass(k, d), tmp: mvkernel.NewStats(k, d)}
}

func (s *streamPass) run(ctx context.Context, p *params, kp *mvkernel.Params, st *mvkernel.Stats) error {
	st.Reset()
	empty := 0
	err := eachChunk(ctx, s.src, s.d, s.allow, func(x mvkernel.Data) {
		if s.allow && hasNaN(x) {
			full, part := splitMissing(x)
			empty += x.N - full.N - part.N
			s.pass.Run(full, kp, mvkernel.Out{Stats: s.tmp})
			st.Merge(s.tmp)
			if !missingPass(part, patterns(part, seq(part.N)), p, st, mvkernel.Out{}) {
				st.LogLik = math.NaN()
			}
			return
		}
		s.pass.Run(x, kp, mvkernel.Out{Stats: s.tmp})
		st.Merge(s.tmp)
	})
	if s.empty != nil {
		*s.empty = empty
	}
	return err
}

// eachChunk calls f with each chunk of src as rows of d columns, after
// checking it: its length a multiple of d, every value finite and within
// range (NaN too, with allow), and its weights (if not nil) one per row,
// finite and ≥ 0; then each of after, whose error ends the reading. It
// returns the first chunk's error, naming the chunk, or ctx.Err() if ctx
// is done between chunks.
func eachChunk(ctx context.Context, src iter.Seq2[[]float64, []float64], d int, allow bool, f func(mvkernel.Data), after ...func() error) error {
	i := 0
	var err error
	for xs, w := range src {
		if err = ctx.Err(); err != nil {
			break
		}
		if err = checkChunk(xs, w, d, allow); err != nil {
			err = fmt.Errorf("mv: chunk %d: %w", i, err)
			break
		}
		if len(xs) > 0 {
			f(mvkernel.Data{X: xs, N: len(xs) / d, D: d, Stride: d, V: w})
		}
		for _, g := range after {
			if err = g(); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
		i++
	}
	return err
}

// checkChunk checks one chunk of a stream (see eachChunk); with allow, a
// NaN is a missing value.
func checkChunk(xs, w []float64, d int, allow bool) error {
	if len(xs)%d != 0 {
		return fmt.Errorf("%d values is not a whole number of rows of %d columns; give rows of d values, one after another", len(xs), d)
	}
	for i, v := range xs {
		if !(math.Abs(v) <= maxAbs) && !(allow && math.IsNaN(v)) {
			return fmt.Errorf("row %d, column %d is %v; values must be finite and within ±%g (NaN marks a missing value with Settings.AllowMissing)", i/d, i%d, v, maxAbs)
		}
	}
	return checkChunkWeights(w, len(xs)/d)
}

// funcPass calls the caller's pass function with the parameters as a
// model.
type funcPass struct {
	m    *Model // K, Covariance and Prior of the fit
	d    int
	pass func(ctx context.Context, at *Model) (*Stats, error)
}

func (s *funcPass) run(ctx context.Context, p *params, _ *mvkernel.Params, st *mvkernel.Stats) error {
	at := &Model{K: s.m.K, Covariance: s.m.Covariance, Prior: s.m.Prior.clone()}
	at.set(p)
	got, err := s.pass(ctx, at)
	if err != nil {
		return fmt.Errorf("mv: the pass failed: %w", err)
	}
	if err := got.check(); err != nil {
		return fmt.Errorf("mv: the pass returned bad statistics: %w", err)
	}
	if got.K != s.m.K || got.D != s.d {
		return fmt.Errorf("mv: the pass returned Stats for K = %d, D = %d; the model has K = %d, d = %d", got.K, got.D, s.m.K, s.d)
	}
	st.Total, st.LogLik, st.Hard = got.Total, got.LogLik, got.Hard
	copy(st.W, got.W)
	copy(st.Mean, got.Mean)
	copy(st.M2, got.M2)
	return nil
}
