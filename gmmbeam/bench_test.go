package gmmbeam_test

import (
	"context"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/gmmbeam"
)

// benchData holds the benchmark's points, in memory for both fits, so that
// the ratio measures what Beam adds to the same E-steps: the pipelines'
// start-up, the elements and the merges. blocksFn hands them to the
// pipeline, which prism runs in this process.
var benchData []float64

// blocksFn emits the points of one shard of benchData as Blocks of Size.
type blocksFn struct{ Shards, Size int }

func (f *blocksFn) ProcessElement(shard int, emit func(gmmbeam.Block)) {
	n := len(benchData)
	lo, hi := shard*n/f.Shards, (shard+1)*n/f.Shards
	for i := lo; i < hi; i += f.Size {
		emit(gmmbeam.Block{X: benchData[i:min(i+f.Size, hi)]})
	}
}

// pointsFn emits the points of one shard of benchData one by one.
type pointsFn struct{ Shards int }

func (f *pointsFn) ProcessElement(shard int, emit func(float64)) {
	n := len(benchData)
	for _, v := range benchData[shard*n/f.Shards : (shard+1)*n/f.Shards] {
		emit(v)
	}
}

func init() {
	register.DoFn2x0[int, func(gmmbeam.Block)](&blocksFn{})
	register.Emitter1[gmmbeam.Block]()
	register.DoFn2x0[int, func(float64)](&pointsFn{})
	register.Emitter1[float64]()
}

func shards(s beam.Scope, n int) beam.PCollection {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return beam.CreateList(s, idx)
}

// BenchmarkFit1e7 fits 10^7 points warm, for five EM steps, on prism in
// blocks of 4096 points and in memory, side by side in each iteration, and
// reports the time of each and their ratio (beam/memory).
func BenchmarkFit1e7(b *testing.B) {
	benchFit(b, 10_000_000, 5, func(s beam.Scope) beam.PCollection {
		return beam.ParDo(s, &blocksFn{Shards: 16, Size: 4096}, shards(s, 16))
	})
}

// BenchmarkFit1e6Points is BenchmarkFit1e7 on 10^6 points, one per
// element, for two steps: what Beam's per-element cost adds.
func BenchmarkFit1e6Points(b *testing.B) {
	benchFit(b, 1_000_000, 2, func(s beam.Scope) beam.PCollection {
		return beam.ParDo(s, &pointsFn{Shards: 16}, shards(s, 16))
	})
}

func benchFit(b *testing.B, n, steps int, read func(s beam.Scope) beam.PCollection) {
	x, _, err := (&gmm.Model{K: 3, Weights: []float64{0.5, 0.3, 0.2}, Means: []float64{-4, 0, 5}, Sigmas: []float64{1, 0.7, 1.5}}).Sample(n, 1)
	if err != nil {
		b.Fatal(err)
	}
	benchData = x
	defer func() { benchData = nil }()
	var beamTime, memTime time.Duration
	b.ResetTimer()
	for range b.N {
		mem, bm := start1(), start1()
		t0 := time.Now()
		if _, err := mem.Fit(x, &gmm.Settings{Method: gmm.EM, Warm: true, MaxSteps: steps}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := gmmbeam.Fit(context.Background(), bm, read, &gmmbeam.Settings{Runner: runner(), Warm: true, MaxSteps: steps}); err != nil {
			b.Fatal(err)
		}
		memTime += t1.Sub(t0)
		beamTime += time.Since(t1)
	}
	b.ReportMetric(float64(memTime.Milliseconds())/float64(b.N), "ms-memory/op")
	b.ReportMetric(float64(beamTime.Milliseconds())/float64(b.N), "ms-beam/op")
	b.ReportMetric(beamTime.Seconds()/memTime.Seconds(), "beam/memory")
}
