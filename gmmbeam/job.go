package gmmbeam

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // TempDir on this machine
	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"     // the default runner
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal" // job servers: Flink, Spark, prism's own

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/mv"
)

func init() {
	beam.RegisterType(reflect.TypeOf(Weighted{}))
	beam.RegisterType(reflect.TypeOf(WeightedRow{}))
	beam.RegisterType(reflect.TypeOf(Block{}))
	beam.RegisterCoder(reflect.TypeOf((*accum)(nil)), encodeAccum, decodeAccum)
	beam.RegisterCoder(reflect.TypeOf((*accumMV)(nil)), encodeAccumMV, decodeAccumMV)
	beam.RegisterCoder(reflect.TypeOf((*sample)(nil)), encodeSample, decodeSample)

	register.Combiner3[*accum, float64, []byte](&pointStatsFn{})
	register.Combiner3[*accum, Weighted, []byte](&weightedStatsFn{})
	register.Combiner3[*accum, []float64, []byte](&sliceStatsFn{})
	register.Combiner3[*accum, Block, []byte](&blockStatsFn{})
	register.Combiner3[*accumMV, []float64, []byte](&rowStatsFn{})
	register.Combiner3[*accumMV, WeightedRow, []byte](&weightedRowStatsFn{})
	register.Combiner3[*accumMV, Block, []byte](&blockStatsFnMV{})

	register.Combiner3[*sample, float64, []byte](&samplePointFn{})
	register.Combiner3[*sample, Weighted, []byte](&sampleWeightedFn{})
	register.Combiner3[*sample, []float64, []byte](&sampleSliceFn{})
	register.Combiner3[*sample, Block, []byte](&sampleBlockFn{})
	register.Combiner3[*sample, []float64, []byte](&sampleRowFn{})
	register.Combiner3[*sample, WeightedRow, []byte](&sampleWeightedRowFn{})
	register.Combiner3[*sample, Block, []byte](&sampleBlockFnMV{})

	register.DoFn2x1[context.Context, []byte, error](&writeFn{})
}

// job runs the pipelines of one fit and brings their results back.
type job struct {
	read   func(s beam.Scope) beam.PCollection
	runner string
	dir    string // where the pipelines write
	own    bool   // dir was made here, and is removed at the end
	prefix string // of the files of this fit
	n      int    // pipelines run
	seed   uint64
	size   int // of the sample
	files  []string
}

// startJob checks read and the settings, with their defaults filled in, and
// starts the job of one fit: the entry points' common first steps.
func startJob(ctx context.Context, read func(s beam.Scope) beam.PCollection, s *Settings) (*job, Settings, error) {
	if read == nil {
		return nil, Settings{}, errors.New("gmmbeam: read is nil; give a function that adds the data's PCollection to a scope")
	}
	c := s.withDefaults()
	if err := c.check(); err != nil {
		return nil, c, err
	}
	j, err := newJob(ctx, read, &c)
	return j, c, err
}

func newJob(ctx context.Context, read func(s beam.Scope) beam.PCollection, s *Settings) (*job, error) {
	if *jobopts.Async {
		return nil, errors.New("gmmbeam: the fit reads each pipeline's result before the next step, and -async (or -execute_async) returns before there is one; run without it")
	}
	j := &job{read: read, runner: s.Runner, dir: s.TempDir, seed: s.Seed, size: s.SampleSize}
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	j.prefix = "gmmbeam-" + hex.EncodeToString(b[:])
	if j.dir == "" {
		d, err := os.MkdirTemp("", "gmmbeam-")
		if err != nil {
			return nil, fmt.Errorf("gmmbeam: making a temporary directory: %w; set Settings.TempDir", err)
		}
		j.dir, j.own = d, true
	}
	if err := ctx.Err(); err != nil {
		j.close(ctx)
		return nil, err
	}
	return j, nil
}

// close removes what the job wrote.
func (j *job) close(ctx context.Context) {
	if j.own {
		os.RemoveAll(j.dir)
		return
	}
	for _, f := range j.files {
		if fs, err := filesystem.New(ctx, f); err == nil {
			if r, ok := fs.(filesystem.Remover); ok {
				_ = r.Remove(ctx, f) // a file left behind does no harm
			}
			fs.Close()
		}
	}
}

// run builds a pipeline with the data from j.read, combined by the
// CombineFn that fn returns for their element type, runs it, and returns
// the one []byte the combine gives.
func (j *job) run(ctx context.Context, fn func(t reflect.Type) (any, error)) ([]byte, error) {
	p, s := beam.NewPipelineWithRoot()
	col := j.read(s)
	if !col.IsValid() {
		return nil, errors.New("gmmbeam: read returned an invalid PCollection; return the data's PCollection")
	}
	cf, err := fn(col.Type().Type())
	if err != nil {
		return nil, err
	}
	out, err := beam.TryCombine(s, cf, col)
	if err != nil {
		return nil, fmt.Errorf("gmmbeam: building the pipeline: %w", err)
	}
	j.n++
	path := strings.TrimSuffix(j.dir, "/") + "/" + fmt.Sprintf("%s-%d", j.prefix, j.n)
	j.files = append(j.files, path)
	beam.ParDo0(s, &writeFn{Path: path}, out)
	if _, err := beam.Run(ctx, j.runner, p); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("gmmbeam: pipeline %d on %s: %w", j.n, j.runner, err)
	}
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("gmmbeam: reading the result of pipeline %d: %w", j.n, err)
	}
	defer fs.Close()
	b, err := filesystem.Read(ctx, fs, path)
	if err != nil {
		return nil, fmt.Errorf("gmmbeam: reading the result of pipeline %d from %s: %w; if the PCollection is not empty, set Settings.TempDir to a place that the workers and this program share", j.n, path, err)
	}
	return b, nil
}

// pass returns the statistics of all the data at the parameters of at.
func (j *job) pass(ctx context.Context, at *gmm.Model) (*gmm.Stats, error) {
	base, err := newStatsFn(at)
	if err != nil {
		return nil, err
	}
	b, err := j.run(ctx, func(t reflect.Type) (any, error) {
		switch t {
		case reflect.TypeFor[float64]():
			return &pointStatsFn{base}, nil
		case reflect.TypeFor[Weighted]():
			return &weightedStatsFn{base}, nil
		case reflect.TypeFor[[]float64]():
			return &sliceStatsFn{base}, nil
		case reflect.TypeFor[Block]():
			return &blockStatsFn{base}, nil
		}
		return nil, fmt.Errorf("gmmbeam: read gives elements of type %v; Fit takes float64, Weighted, []float64 or Block", t)
	})
	if err != nil {
		return nil, err
	}
	st := new(gmm.Stats)
	return st, st.UnmarshalBinary(b)
}

// passMV is pass for mv.
func (j *job) passMV(ctx context.Context, at *mv.Model) (*mv.Stats, error) {
	base, err := newStatsFnMV(at)
	if err != nil {
		return nil, err
	}
	b, err := j.run(ctx, func(t reflect.Type) (any, error) {
		switch t {
		case reflect.TypeFor[[]float64]():
			return &rowStatsFn{base}, nil
		case reflect.TypeFor[WeightedRow]():
			return &weightedRowStatsFn{base}, nil
		case reflect.TypeFor[Block]():
			return &blockStatsFnMV{base}, nil
		}
		return nil, fmt.Errorf("gmmbeam: read gives elements of type %v; FitMV takes []float64, WeightedRow or Block", t)
	})
	if err != nil {
		return nil, err
	}
	st := new(mv.Stats)
	return st, st.UnmarshalBinary(b)
}

// sample draws a uniform sample of j.size points of d values each: for Fit
// (fit true) d is 1, for FitMV it is 0 where the rows' length is not known
// yet.
func (j *job) sample(ctx context.Context, d int, fit bool) (*sample, error) {
	base := sampleFn{N: j.size, D: d, Seed: j.seed}
	b, err := j.run(ctx, func(t reflect.Type) (any, error) {
		switch {
		case fit && t == reflect.TypeFor[float64]():
			return &samplePointFn{base}, nil
		case fit && t == reflect.TypeFor[Weighted]():
			return &sampleWeightedFn{base}, nil
		case fit && t == reflect.TypeFor[[]float64]():
			return &sampleSliceFn{base}, nil
		case fit && t == reflect.TypeFor[Block]():
			return &sampleBlockFn{base}, nil
		case !fit && t == reflect.TypeFor[[]float64]():
			return &sampleRowFn{base}, nil
		case !fit && t == reflect.TypeFor[WeightedRow]():
			return &sampleWeightedRowFn{base}, nil
		case !fit && t == reflect.TypeFor[Block]():
			return &sampleBlockFnMV{base}, nil
		case fit:
			return nil, fmt.Errorf("gmmbeam: read gives elements of type %v; Fit takes float64, Weighted, []float64 or Block", t)
		}
		return nil, fmt.Errorf("gmmbeam: read gives elements of type %v; FitMV takes []float64, WeightedRow or Block", t)
	})
	if err != nil {
		return nil, err
	}
	smp, err := decodeSample(b)
	if err != nil {
		return nil, err
	}
	if len(smp.W) == 0 {
		return nil, errors.New("gmmbeam: the data have no point of positive weight; give read some data")
	}
	return smp, nil
}

// writeFn writes its one element, a result, to Path.
type writeFn struct{ Path string }

func (f *writeFn) ProcessElement(ctx context.Context, b []byte) error {
	fs, err := filesystem.New(ctx, f.Path)
	if err != nil {
		return err
	}
	defer fs.Close()
	return filesystem.Write(ctx, fs, f.Path, b)
}
