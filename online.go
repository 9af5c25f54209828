package gmm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"

	"github.com/gmm-go/gmm/internal/kernel"
)

// onlineBlock is the number of points of one step of the online fit.
const onlineBlock = kernel.ChunkSize

// onlineRate is the exponent α of the step sizes γ_t = (t + 1)^−α of the
// online fit: Cappé & Moulines (2009) need 1/2 < α ≤ 1; the smaller α,
// the faster the running statistics forget the early blocks, whose
// parameters were furthest from the optimum.
const onlineRate = 0.6

// online is the state of FitStream's one-pass fit.
type online struct {
	m       *Model    // the current parameters
	cfg     *Settings // the caller's, for the fit of the first block
	fix     Fixed     // the parameters left as they are
	run     *Stats    // the running statistics, per unit weight
	seen    float64   // the weight seen so far
	t       int       // the blocks blended so far
	losses  []float64
	x, w    []float64 // the block being gathered
	started bool
}

// fitOnline is FitStream with Settings.Online: see there.
// user is the caller's Settings, without the defaults filled in, for the
// fit of the first block.
func (m *Model) fitOnline(ctx context.Context, src iter.Seq2[[]float64, []float64], cfg *Settings, user Settings) (*Result, error) {
	if err := m.checkFit(nil, &Settings{Warm: true, Fixed: cfg.Fixed}); err != nil {
		return nil, err
	}
	o := &online{cfg: &user, fix: cfg.Fixed, m: &Model{K: m.K, Prior: m.Prior, SharedSigma: m.SharedSigma}}
	if cfg.Warm {
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("gmm: a warm start (Settings.Warm) starts from the model's parameters: %w", err)
		}
		o.m.Weights, o.m.Means, o.m.Sigmas = clone(m.Weights), clone(m.Means), clone(m.Sigmas)
		o.started = true
	}
	// The fixed parameters, which checkFit saw m holds, go to the fit of
	// the first block and stay through every step.
	if o.fix.Weights {
		o.m.Weights = clone(m.Weights)
	}
	if o.fix.Means {
		o.m.Means = clone(m.Means)
	}
	if o.fix.Sigmas {
		o.m.Sigmas = clone(m.Sigmas)
	}
	size := onlineBlock
	if !o.started {
		size = screenSize
	}
	var offset int
	for x, w := range src {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := checkChunk(x, offset); err != nil {
			return nil, err
		}
		if _, err := checkWeights(w, len(x), false); err != nil {
			return nil, fmt.Errorf("%w (in the chunk from point %d of the stream)", err, offset)
		}
		offset += len(x)
		for i, v := range x {
			wi := 1.0
			if w != nil {
				wi = w[i]
			}
			if !(wi > 0) {
				continue
			}
			o.x, o.w = append(o.x, v), append(o.w, wi)
			if len(o.x) == size {
				if err := o.step(ctx); err != nil {
					return nil, err
				}
				size = onlineBlock
			}
		}
	}
	if len(o.x) > 0 {
		if err := o.step(ctx); err != nil {
			return nil, err
		}
	}
	if o.run == nil {
		if offset == 0 {
			return nil, errors.New("gmm: the source yielded no data; yield at least one value")
		}
		return nil, errors.New("gmm: every weight is zero; give at least one point a positive weight")
	}
	m.Weights, m.Means, m.Sigmas = o.m.Weights, o.m.Means, o.m.Sigmas
	return &Result{Method: EM, Loss: o.losses, Converged: true, Steps: len(o.losses), Restarts: 1}, nil
}

// step takes the gathered block: the first, without a warm start, by Fit,
// and each one by a step of stepwise EM.
func (o *online) step(ctx context.Context) error {
	x, w := o.x, o.w
	o.x, o.w = o.x[:0], o.w[:0]
	if !o.started {
		c := *o.cfg
		c.Weights, c.Online = w, false
		if _, err := o.m.FitContext(ctx, x, &c); err != nil {
			return err
		}
		o.started = true
	}
	total := totalWeight(x, w)
	st, err := o.m.stats(x, w, total)
	if err != nil {
		return err
	}
	st.scale(1 / total)
	if o.run == nil {
		o.run = st
	} else {
		g := math.Pow(float64(o.t+1), -onlineRate)
		o.run.scale(1 - g)
		st.scale(g)
		o.run.merge(st)
	}
	o.t++
	o.seen += total
	s := *o.run
	s.W, s.Mean, s.M2 = clone(o.run.W), clone(o.run.Mean), clone(o.run.M2)
	s.scale(o.seen)
	if err := o.m.update(&s, o.fix); err != nil {
		return err
	}
	logW := make([]float64, o.m.K)
	for k, v := range o.m.Weights {
		logW[k] = math.Log(v)
	}
	o.losses = append(o.losses, -(s.LogLik + o.m.Prior.logDensity(logW, o.m.Means, priorSigmas(o.m.Sigmas, o.m.SharedSigma))))
	return nil
}

// scale multiplies st's sums by f: Total, LogLik, W and M2 (the means stay).
func (st *Stats) scale(f float64) {
	st.Total *= f
	st.LogLik *= f
	for k := range st.W {
		st.W[k] *= f
		st.M2[k] *= f
	}
}

func clone(s []float64) []float64 { return append([]float64(nil), s...) }
