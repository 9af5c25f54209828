package mv

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// onlineBlock is the number of rows of one step of the online fit.
const onlineBlock = screenSize

// onlineRate is the exponent α of the step sizes γ_t = (t + 1)^−α of the
// online fit: Cappé & Moulines (2009) need 1/2 < α ≤ 1; the smaller α,
// the faster the running statistics forget the early blocks, whose
// parameters were furthest from the optimum.
const onlineRate = 0.6

// online is the state of FitStream's one-pass fit.
type online struct {
	m       *Model    // the current parameters
	cfg     *Settings // the caller's settings, for the first block's Fit
	fx      *fixing   // the fixed parameters, or nil
	d       int
	run     *Stats  // the running statistics, per unit weight
	seen    float64 // the weight seen so far
	t       int     // the blocks blended so far
	losses  []float64
	x, w    []float64 // the block being gathered
	empty   int       // rows that miss every coordinate
	started bool
}

// fitOnline is FitStream with Settings.Online: see there.
func (m *Model) fitOnline(ctx context.Context, src iter.Seq2[[]float64, []float64], d int, orig, cfg *Settings) (*Result, error) {
	fx, err := m.fixedParams(cfg.Fixed, d)
	if err != nil {
		return nil, err
	}
	o := &online{cfg: orig, d: d, fx: fx, m: &Model{K: m.K, Covariance: m.Covariance, Prior: m.Prior.clone()}}
	// The fixed parameters go to the first block's fit and stay through
	// every step.
	if cfg.Fixed.Weights {
		o.m.Weights = clone64(m.Weights)
	}
	if cfg.Fixed.Means {
		o.m.Means = mat.DenseCopyOf(m.Means)
	}
	if cfg.Fixed.Covariances {
		for _, c := range m.Covariances {
			cs := mat.NewSymDense(d, nil)
			cs.CopySym(c)
			o.m.Covariances = append(o.m.Covariances, cs)
		}
	}
	if cfg.Warm {
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("mv: Settings.Warm needs the model's parameters (%w)", err)
		}
		if m.dim() != d {
			return nil, fmt.Errorf("mv: Settings.Warm: the model has %d columns and the data %d", m.dim(), d)
		}
		o.m.set(m.paramsOf())
		o.started = true
	}
	size := onlineBlock
	if !o.started {
		size = screenSize
	}
	err = eachChunk(ctx, src, d, cfg.AllowMissing, func(x mvkernel.Data) {
		for i := range x.N {
			row := x.X[i*d : (i+1)*d]
			if cfg.AllowMissing && allNaN(row) {
				o.empty++
				continue
			}
			if v := weight(x, i); v > 0 {
				o.x, o.w = append(o.x, row...), append(o.w, v)
			}
		}
	}, func() error {
		for len(o.w) >= size {
			if err := o.step(ctx, size); err != nil {
				return err
			}
			size = onlineBlock
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(o.w) > 0 {
		if err := o.step(ctx, len(o.w)); err != nil {
			return nil, err
		}
	}
	if o.run == nil {
		return nil, errors.New("mv: the stream yields no rows of positive weight; give at least K rows")
	}
	m.set(o.m.paramsOf())
	res := &Result{Loss: o.losses, Converged: true, Steps: len(o.losses), Restarts: 1}
	res.report(o.empty)
	return res, nil
}

// step takes the first size gathered rows: the first block, without a
// warm start, by Fit, and each block by a step of stepwise EM.
func (o *online) step(ctx context.Context, size int) error {
	d := o.d
	x := mat.NewDense(size, d, o.x[:size*d])
	w := o.w[:size]
	defer func() {
		o.x, o.w = append(o.x[:0], o.x[size*d:]...), append(o.w[:0], o.w[size:]...)
	}()
	if !o.started {
		var c Settings
		if o.cfg != nil {
			c = *o.cfg
		}
		c.Weights, c.Online, c.Columns = w, false, 0
		if _, err := o.m.FitContext(ctx, x, &c); err != nil {
			return err
		}
		o.started = true
	}
	st := NewStats(o.m.K, d)
	if err := o.m.Accumulate(st, x, w); err != nil {
		return err
	}
	if !(st.Total > 0) {
		return nil
	}
	total := st.Total
	st.scale(1 / total)
	if o.run == nil {
		o.run = st
	} else {
		g := math.Pow(float64(o.t+1), -onlineRate)
		o.run.scale(1 - g)
		st.scale(g)
		o.run.kernel().Merge(st.kernel())
	}
	o.t++
	o.seen += total
	s := *o.run
	s.W, s.Mean, s.M2 = clone64(o.run.W), clone64(o.run.Mean), clone64(o.run.M2)
	s.scale(o.seen)
	if err := o.m.update(&s, o.fx); err != nil {
		return err
	}
	pr := o.m.updater(d)
	o.losses = append(o.losses, -(s.LogLik + pr.logPrior(o.m.paramsOf())))
	return nil
}

// scale multiplies st's sums by f: Total, LogLik, Hard, W and M2 (the means
// stay). A convex blend of two sets of statistics per unit weight is then
// their Merge after scaling each by its share.
func (st *Stats) scale(f float64) {
	st.Total *= f
	st.LogLik *= f
	st.Hard *= f
	for k := range st.W {
		st.W[k] *= f
	}
	for i := range st.M2 {
		st.M2[i] *= f
	}
}

func clone64(s []float64) []float64 { return append([]float64(nil), s...) }
