package gmmbeam

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/mv"
)

// Settings tune Fit and FitMV. The zero value, and a nil *Settings, mean
// defaults.
type Settings struct {
	// Runner names a registered Beam runner; "" means "prism", in process.
	// This package registers prism and universal (the job-server runner of
	// Flink and Spark, with --endpoint); import the package of any other,
	// such as runners/dataflow. Beam ends the program (log.Exitf) on a
	// name that no imported package registered.
	Runner string

	// Warm starts from the model's current parameters, which must be set;
	// otherwise the starting point is the fit of a uniform sample of the
	// data (see SampleSize).
	Warm bool

	// MaxSteps bounds the EM steps on all the data, each one pipeline. If
	// zero, the default of gmm's Fit with EM (5000) or of mv's (2000).
	MaxSteps int

	// Tol is the convergence tolerance of gmm's and mv's Fit with EM: the
	// fit stops when a plain EM step lowers the loss by at most Tol times
	// (|loss| + n), n the total weight. If zero, the default of gmm's Fit
	// (1e-10) or of mv's (1e-9).
	Tol float64

	// Seed seeds the sample and the fit on it.
	Seed uint64

	// SampleSize is the number of points of the uniform sample that the
	// starting point is fitted on when Warm is false. If zero, 10000.
	SampleSize int

	// Fixed names the parameters that Fit leaves as they are, as in
	// gmm.Settings; FixedMV does the same for FitMV. The fixed parameters
	// must be set in the model.
	Fixed   gmm.Fixed
	FixedMV mv.Fixed

	// SigmaFloor is gmm.Settings.SigmaFloor, for Fit under maximum
	// likelihood.
	SigmaFloor float64

	// TempDir is where each pipeline writes the statistics it merged, for
	// the driver to read back: a path that the workers and the driver both
	// reach, such as gs://bucket/tmp on Dataflow, or a directory shared by
	// a Flink or Spark cluster. If empty, a new directory under the
	// system's temporary directory, which serves runners whose workers run
	// on this machine: prism, and universal with
	// --environment_type=LOOPBACK. The files written are removed at the
	// end.
	TempDir string
}

const defaultSampleSize = 10000

func (s *Settings) withDefaults() Settings {
	var c Settings
	if s != nil {
		c = *s
	}
	if c.Runner == "" {
		c.Runner = "prism"
	}
	if c.SampleSize == 0 {
		c.SampleSize = defaultSampleSize
	}
	return c
}

func (s *Settings) check() error {
	switch {
	case s.SampleSize < 0:
		return fmt.Errorf("gmmbeam: SampleSize is %d; give a positive size, or 0 for %d", s.SampleSize, defaultSampleSize)
	case s.MaxSteps < 0:
		return fmt.Errorf("gmmbeam: MaxSteps is %d; give a positive number, or 0 for the default", s.MaxSteps)
	case s.Tol < 0 || s.Tol != s.Tol:
		return fmt.Errorf("gmmbeam: Tol is %v; give a positive tolerance, or 0 for the default", s.Tol)
	}
	return nil
}

// Fit fits m to the points of the PCollection that read builds, on the
// Beam runner s.Runner, and sets m's Weights, Means and Sigmas, as gmm's
// Fit with Method EM does to data in memory: the MAP fit under m.Prior,
// with m.SharedSigma, the weights of the points and s.Fixed honoured (see
// the package documentation). read is called once for every pipeline, each
// time in a new pipeline's scope, and must give the same data each time;
// its elements are float64, Weighted, []float64 (a block of points) or
// Block.
//
// With s.Warm, the fit starts from m's parameters and takes the steps of
// gmm's Fit with Warm and EM on the same data (see the package
// documentation for how closely they agree). Without it, the
// starting point is gmm's Fit on a uniform sample of s.SampleSize points.
//
// Fit returns an error, and leaves m as it was, if m is nil, has K < 1 or
// (with s.Warm) no parameters, if read is nil or gives another element
// type, if a pipeline fails (its error says why: a point that is not
// finite, a negative weight), or if ctx is done.
func Fit(ctx context.Context, m *gmm.Model, read func(s beam.Scope) beam.PCollection, s *Settings) (*gmm.Result, error) {
	if m == nil {
		return nil, errors.New("gmmbeam: the model is nil; give a *gmm.Model with K set")
	}
	j, c, err := startJob(ctx, read, s)
	if err != nil {
		return nil, err
	}
	defer j.close(ctx)

	start := cloneModel(m)
	fs := &gmm.Settings{Method: gmm.EM, MaxSteps: c.MaxSteps, Tol: c.Tol, Seed: c.Seed, SigmaFloor: c.SigmaFloor, Fixed: c.Fixed}
	if !c.Warm {
		smp, err := j.sample(ctx, 1, true)
		if err != nil {
			return nil, err
		}
		sf := *fs
		sf.MaxSteps, sf.Tol = 0, 0 // the fit on all the data follows
		sf.Weights = smp.W
		if _, err := start.Fit(smp.X, &sf); err != nil {
			return nil, fmt.Errorf("gmmbeam: fitting the starting point on a sample of %d points: %w", len(smp.W), err)
		}
	}
	res, err := start.FitPasses(ctx, j.pass, fs)
	if err != nil {
		return nil, err
	}
	m.Weights, m.Means, m.Sigmas = start.Weights, start.Means, start.Sigmas
	return res, nil
}

// FitMV is Fit for mv's models: it fits m to the rows of the PCollection
// that read builds and sets m's Weights, Means and Covariances, as mv's Fit
// with EM does, honouring m.Covariance, m.Prior, the rows' weights and
// s.FixedMV. The elements are []float64 (a row), WeightedRow or Block (rows
// laid one after another, with Block.D set). With s.Warm it takes the steps
// of mv's Fit with Warm; without it, the starting
// point is mv's Fit on a uniform sample of s.SampleSize rows. Its errors
// are Fit's, and rows of different lengths.
func FitMV(ctx context.Context, m *mv.Model, read func(s beam.Scope) beam.PCollection, s *Settings) (*mv.Result, error) {
	if m == nil {
		return nil, errors.New("gmmbeam: the model is nil; give a *mv.Model with K set")
	}
	j, c, err := startJob(ctx, read, s)
	if err != nil {
		return nil, err
	}
	defer j.close(ctx)

	start := cloneModelMV(m)
	fs := &mv.Settings{MaxSteps: c.MaxSteps, Tol: c.Tol, Seed: c.Seed, Fixed: c.FixedMV}
	if !c.Warm {
		d := 0
		if m.Means != nil && !m.Means.IsEmpty() {
			_, d = m.Means.Dims()
		}
		smp, err := j.sample(ctx, d, false)
		if err != nil {
			return nil, err
		}
		sf := *fs
		sf.MaxSteps, sf.Tol = 0, 0
		sf.Weights = smp.W
		x := mat.NewDense(len(smp.W), smp.D, smp.X)
		if _, err := start.Fit(x, &sf); err != nil {
			return nil, fmt.Errorf("gmmbeam: fitting the starting point on a sample of %d rows: %w", len(smp.W), err)
		}
	}
	res, err := start.FitPasses(ctx, j.passMV, fs)
	if err != nil {
		return nil, err
	}
	m.Weights, m.Means, m.Covariances = start.Weights, start.Means, start.Covariances
	return res, nil
}

// cloneModel returns a copy of m that shares no memory with it.
func cloneModel(m *gmm.Model) *gmm.Model {
	c := *m
	c.Weights = append([]float64(nil), m.Weights...)
	c.Means = append([]float64(nil), m.Means...)
	c.Sigmas = append([]float64(nil), m.Sigmas...)
	return &c
}

// cloneModelMV returns a copy of m that shares no memory with it.
func cloneModelMV(m *mv.Model) *mv.Model {
	c := *m
	c.Weights = append([]float64(nil), m.Weights...)
	if m.Means != nil && !m.Means.IsEmpty() {
		c.Means = mat.DenseCopyOf(m.Means)
	}
	c.Covariances = make([]*mat.SymDense, len(m.Covariances))
	for k, s := range m.Covariances {
		if s != nil {
			c.Covariances[k] = mat.NewSymDense(s.SymmetricDim(), nil)
			c.Covariances[k].CopySym(s)
		}
	}
	return &c
}
