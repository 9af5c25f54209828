// Command beamfit fits a Gaussian mixture on Apache Beam to text files of
// numbers, one point per line, or of rows, one row per line with the
// values separated by commas, semicolons, tabs or spaces.
//
// Usage:
//
//	beamfit -input GLOB -k N [flags] [Beam's flags]
//
// The flags are:
//
//	-input GLOB     the text files to read, any path or glob that Beam's
//	                textio reads (local files; gs://… with Dataflow)
//	-k N            the number of components (default 2)
//	-cols D         the values per line: 1 fits gmm's one-dimensional
//	                model, more fits an mv model to rows of D values
//	                (default 1)
//	-covariance C   the covariance model of an mv fit, EII … VVV
//	                (default VVV)
//	-seed N         the seed of the sample and of its fit (default 0)
//	-sample N       the size of the uniform sample the starting point is
//	                fitted on (default 10000)
//	-max_steps N    the most EM steps, each one pipeline (default 5000)
//	-temp_dir PATH  where each pipeline leaves its statistics for this
//	                program: a path it and the workers share (default: a
//	                local temporary directory, for prism and loopback)
//
// and Beam's own, chiefly -runner (default prism, in this process),
// -endpoint and -environment_type for a job server, and Dataflow's
// -project, -region, -staging_location and -temp_location (see README).
// The fit is by maximum likelihood (the zero prior), as scikit-learn's.
// Blank lines and lines starting with # are skipped; any other line that
// does not hold -cols numbers stops the fit with an error naming it. The
// fitted model is printed as JSON on standard output, and the fit's steps
// and loss on standard error.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners" // the -runner flag
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/dataflow"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/flink"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/spark"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/gmmbeam"
	"github.com/gmm-go/gmm/mv"
)

var (
	input      = flag.String("input", "", "the text files to read (a path or glob)")
	k          = flag.Int("k", 2, "the number of components")
	cols       = flag.Int("cols", 1, "values per line: 1 for gmm's 1-D model, more for mv")
	covariance = flag.String("covariance", "VVV", "the covariance model of an mv fit, EII … VVV")
	seed       = flag.Uint64("seed", 0, "the seed of the sample and of its fit")
	sampleSize = flag.Int("sample", 0, "the size of the sample the start is fitted on (0: 10000)")
	maxSteps   = flag.Int("max_steps", 0, "the most EM steps (0: 5000)")
	tempDir    = flag.String("temp_dir", "", "where pipelines leave their statistics, shared with the workers")
)

func init() {
	register.DoFn3x1[string, func(float64), func([]float64), error](&parseFn{})
	register.Emitter1[float64]()
	register.Emitter1[[]float64]()
	beam.RegisterType(reflect.TypeOf((*parseFn)(nil)).Elem())
}

// parseFn turns a line of text into a point (Cols 1) or a row.
type parseFn struct{ Cols int }

func (f *parseFn) ProcessElement(line string, point func(float64), row func([]float64)) error {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return nil
	}
	fields := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' || r == '\t' || r == ' ' })
	if len(fields) != f.Cols {
		return fmt.Errorf("beamfit: line %q has %d values; give %d per line (-cols)", line, len(fields), f.Cols)
	}
	x := make([]float64, len(fields))
	for i, s := range fields {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("beamfit: line %q: %q is not a number", line, s)
		}
		x[i] = v
	}
	if f.Cols == 1 {
		point(x[0])
	} else {
		row(x)
	}
	return nil
}

func main() {
	flag.Parse()
	beam.Init()
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	if *input == "" {
		return fmt.Errorf("beamfit: give the files to read with -input")
	}
	if *cols < 1 {
		return fmt.Errorf("beamfit: -cols is %d; give the number of values per line, at least 1", *cols)
	}
	read := func(s beam.Scope) beam.PCollection {
		lines := textio.Read(s, *input)
		points, rows := beam.ParDo2(s, &parseFn{Cols: *cols}, lines)
		if *cols == 1 {
			return points
		}
		return rows
	}
	set := &gmmbeam.Settings{Runner: *runners.Runner, Seed: *seed, SampleSize: *sampleSize, MaxSteps: *maxSteps, TempDir: *tempDir}
	var (
		model any
		steps int
		conv  bool
		loss  []float64
	)
	if *cols == 1 {
		m := &gmm.Model{K: *k}
		res, err := gmmbeam.Fit(ctx, m, read, set)
		if err != nil {
			return err
		}
		model, steps, conv, loss = m, res.Steps, res.Converged, res.Loss
	} else {
		cov, err := mv.ParseCovariance(*covariance)
		if err != nil {
			return err
		}
		m := &mv.Model{K: *k, Covariance: cov}
		res, err := gmmbeam.FitMV(ctx, m, read, set)
		if err != nil {
			return err
		}
		model, steps, conv, loss = m, res.Steps, res.Converged, res.Loss
	}
	fmt.Fprintf(os.Stderr, "beamfit: %d EM steps on all the data, converged %v, final loss %.10g\n", steps, conv, loss[len(loss)-1])
	b, err := json.MarshalIndent(model, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
