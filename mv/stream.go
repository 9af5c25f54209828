package mv

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// reservoirStream is the random stream that draws FitStream's screening
// sample.
const reservoirStream = 1<<32 - 2

// FitStream fits the model to data that need not fit in memory. src is
// called once per pass over the data and yields chunks: xs holds rows of d
// values one after another (row-major, so a chunk of r rows has r·d
// values), and w their weights, one per row, or nil for all 1. d is
// Settings.Columns, or if that is zero the number of columns of the
// model's Means. Each call of src must yield the same rows in the same
// order; FitStream holds one chunk at a time (and the screening sample),
// and reads xs and w only until it asks for the next chunk.
//
// FitStream runs the engine of Fit on statistics summed chunk by chunk:
// the same steps, acceleration and stopping rule. Without Settings.Warm,
// the first pass counts the rows, measures the columns' variances and draws
// a uniform sample of 8192 rows (by reservoir sampling, Vitter 1985, from
// Settings.Seed); Fit's starting points and screening runs are computed on
// that sample, and the best run is then refined on all the data, pass by
// pass. (Where Fit refines on growing subsamples first, FitStream, which
// cannot hold them, goes from the sample to all the data.) Streams of at
// most 8192 rows are fitted in memory, exactly as Fit fits them. With
// Settings.Warm there is no first pass and no sample: one run from the
// model's parameters on all the data, which agrees with Fit's warm run on
// the same rows to rounding (1e-8 relative, TestFitStreamWarmIsFit).
//
// FitStream returns Fit's errors, and an error if Settings.Weights is not
// nil (the stream carries the weights), if d is unknown, or if a chunk is
// not a whole number of rows or holds a value that is not finite or a
// weight that is negative (the error names the chunk); or ctx.Err() if ctx
// is cancelled, which is checked between chunks.
func (m *Model) FitStream(ctx context.Context, src iter.Seq2[[]float64, []float64], s *Settings) (*Result, error) {
	cfg := s.withDefaults()
	d := cfg.Columns
	if d == 0 {
		d = m.dim()
	}
	if d < 1 {
		return nil, errors.New("mv: FitStream needs the number of columns: set Settings.Columns, or the model's Means")
	}
	if err := m.checkPassFit(&cfg, d); err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errors.New("mv: FitStream's source is nil; give a function that yields the chunks")
	}
	empty := new(int)
	if cfg.Online {
		return m.fitOnline(ctx, src, d, s, &cfg)
	}
	big := func() passer { return newStreamPass(src, m.K, d, cfg.AllowMissing, empty) }
	if cfg.Warm {
		res, err := m.fitPasses(ctx, d, big, &cfg)
		if err == nil {
			res.report(*empty)
		}
		return res, err
	}
	first, err := firstPass(ctx, src, d, screenSize, cfg.Seed, cfg.AllowMissing)
	if err != nil {
		return nil, err
	}
	if first.n < m.K {
		return nil, fmt.Errorf("mv: %d points cannot be split into K = %d components; use fewer components", first.n, m.K)
	}
	if !(first.total > 0) || math.IsInf(first.total, 0) {
		return nil, errors.New("mv: the stream's weights sum to zero or overflow; give positive weights of moderate size")
	}
	sample := first.sample
	if first.n <= screenSize {
		// All the rows are in the sample: fit them in memory, as Fit does.
		var c Settings
		if s != nil {
			c = *s
		}
		c.Weights = sample.V
		res, err := m.fitFrom(ctx, mat.NewDense(sample.N, d, sample.X), &c, nil, nil)
		if err == nil {
			res.report(first.empty)
		}
		return res, err
	}
	f := newFitter(m, sample, &cfg)
	f.n, f.big, f.points = first.n, big, first.total
	f.scale = first.vars
	f.tiny = threshold(sample, f.scale)
	if err := f.setup(m); err != nil {
		return nil, err
	}
	p, res, err := f.fit(ctx)
	if err != nil {
		return nil, err
	}
	res.report(first.empty)
	m.set(p)
	return res, nil
}

// FitPasses fits the model from a source of statistics instead of data:
// pass is called once per EM step with the current parameters (a valid
// model, which pass may read only during the call) and must return the
// statistics of all the data at them, as Accumulate over every row and
// Merge give; a pipeline on a cluster can compute them. It is a warm fit
// (see Settings.Warm): the model's parameters must be set, and it runs one
// EM run from them with Fit's steps, acceleration and stopping rule, its
// n the statistics' Total. Settings.Weights must be nil: the pass carries
// the weights. An error from pass is returned, wrapped; ctx is checked
// before every pass.
func (m *Model) FitPasses(ctx context.Context, pass func(ctx context.Context, at *Model) (*Stats, error), s *Settings) (*Result, error) {
	cfg := s.withDefaults()
	cfg.Warm = true
	d := m.dim()
	if d < 1 {
		return nil, errors.New("mv: FitPasses starts from the model's parameters; fit it on a sample first, or set them")
	}
	if err := m.checkPassFit(&cfg, d); err != nil {
		return nil, err
	}
	if pass == nil {
		return nil, errors.New("mv: FitPasses's pass is nil; give a function that returns the statistics at the model it is given")
	}
	big := func() passer { return &funcPass{m: m, d: d, pass: pass} }
	return m.fitPasses(ctx, d, big, &cfg)
}

// checkPassFit checks the model and the settings of FitStream and
// FitPasses.
func (m *Model) checkPassFit(s *Settings, d int) error {
	if m.K < 1 {
		return fmt.Errorf("mv: K is %d; it must be at least 1", m.K)
	}
	if !m.Covariance.valid() {
		return fmt.Errorf("mv: %v is not a covariance model; use one of EII … VVV (see ParseCovariance)", m.Covariance)
	}
	if err := m.Prior.Validate(d); err != nil {
		return err
	}
	if !m.Prior.IsZero() && m.Prior.alpha() < 1 {
		return fmt.Errorf("mv: prior Concentration is %v; the MAP needs 1 or more (below 1 the density is infinite at the edge of the simplex)", m.Prior.Concentration)
	}
	if s.Weights != nil {
		return errors.New("mv: Settings.Weights must be nil here; the source gives the weights with the rows")
	}
	if s.MaxSteps < 0 || !(s.Tol > 0) || math.IsInf(s.Tol, 0) {
		return fmt.Errorf("mv: Settings.MaxSteps is %d and Tol %v; give MaxSteps ≥ 0 and a positive finite Tol (0 for the defaults)", s.MaxSteps, s.Tol)
	}
	return nil
}

// fitPasses runs a warm fit whose passes over all the data big makes.
func (m *Model) fitPasses(ctx context.Context, d int, big func() passer, s *Settings) (*Result, error) {
	f := newFitter(m, mvkernel.Data{D: d, Stride: d}, s)
	f.n, f.big = 1, big
	if err := f.setup(m); err != nil {
		return nil, err
	}
	p, res, err := f.fit(ctx)
	if err != nil {
		return nil, err
	}
	if !(res.Loss[len(res.Loss)-1] == res.Loss[len(res.Loss)-1]) {
		return nil, errors.New("mv: the fit broke down (its loss is NaN); check the statistics the source gives")
	}
	m.set(p)
	return res, nil
}

// firstRead is what FitStream's first pass learns.
type firstRead struct {
	n      int           // rows with values
	empty  int           // rows that miss every coordinate
	total  float64       // the total weight of the rows with values
	vars   []float64     // the weighted column variances
	sample mvkernel.Data // a uniform sample of rows, with their weights
}

// firstPass reads the stream once: it counts the rows, sums their weights,
// measures the weighted column variances over the observed values (chunk
// by chunk, merged by Chan, Golub & LeVeque's update) and draws a uniform
// sample of size rows by Vitter's (1985) algorithm R. With allow, a NaN is
// a missing value and rows that miss every coordinate are counted in empty
// and left out.
func firstPass(ctx context.Context, src iter.Seq2[[]float64, []float64], d, size int, seed uint64, allow bool) (*firstRead, error) {
	rng := rand.New(rand.NewPCG(seed, reservoirStream))
	buf := make([]float64, 0, size*d)
	var wbuf []float64
	weighted := false
	W, mean, m2 := make([]float64, d), make([]float64, d), make([]float64, d)
	cw, cm, cm2 := make([]float64, d), make([]float64, d), make([]float64, d)
	var total float64
	n, empty := 0, 0
	err := eachChunk(ctx, src, d, allow, func(x mvkernel.Data) {
		if x.V != nil && !weighted {
			weighted = true
			wbuf = make([]float64, len(buf)/d, size)
			for i := range wbuf {
				wbuf[i] = 1
			}
		}
		clear(cw)
		clear(cm)
		clear(cm2)
		for i := range x.N {
			v := weight(x, i)
			for j, xv := range x.X[i*d : (i+1)*d] {
				if !math.IsNaN(xv) {
					cw[j] += v
					cm[j] += v * xv
				}
			}
		}
		for j := range cm {
			if cw[j] > 0 {
				cm[j] /= cw[j]
			}
		}
		for i := range x.N {
			v := weight(x, i)
			for j, xv := range x.X[i*d : (i+1)*d] {
				if !math.IsNaN(xv) {
					cm2[j] += v * (xv - cm[j]) * (xv - cm[j])
				}
			}
		}
		for j := range mean {
			if cw[j] == 0 {
				continue
			}
			tot := W[j] + cw[j]
			delta := cm[j] - mean[j]
			m2[j] += cm2[j] + delta*delta*W[j]*cw[j]/tot
			mean[j] += delta * cw[j] / tot
			W[j] = tot
		}
		for i := range x.N {
			row := x.X[i*d : (i+1)*d]
			if allow && allNaN(row) {
				empty++
				continue
			}
			total += weight(x, i)
			if n < size {
				buf = append(buf, row...)
				if weighted {
					wbuf = append(wbuf, weight(x, i))
				}
			} else if slot := rng.IntN(n + 1); slot < size {
				copy(buf[slot*d:(slot+1)*d], row)
				if weighted {
					wbuf[slot] = weight(x, i)
				}
			}
			n++
		}
	})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("mv: the stream yields no rows with values; give at least K rows")
	}
	vars := make([]float64, d)
	for j := range vars {
		vars[j] = m2[j] / W[j]
	}
	m := len(buf) / d
	return &firstRead{n: n, empty: empty, total: total, vars: vars, sample: mvkernel.Data{X: buf, N: m, D: d, Stride: d, V: wbuf}}, nil
}

// allNaN reports whether every value of row is NaN.
func allNaN(row []float64) bool {
	for _, v := range row {
		if !math.IsNaN(v) {
			return false
		}
	}
	return true
}

// weight returns row i's weight.
func weight(x mvkernel.Data, i int) float64 {
	if x.V == nil {
		return 1
	}
	return x.V[i]
}
