package engine

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
)

// sampled is a toy problem whose optimum moves with the sample, as a fit's
// does by sampling error: on m points the loss is m|θ − c_m|²/2 with
// c_m = u/√m, the map moves θ halfway to c_m, and the gradient is exact.
type sampled struct {
	m    int
	c    []float64
	last []float64
	log  *[][]float64 // every θ evaluated
}

func (q *sampled) Dim() int        { return len(q.c) }
func (q *sampled) Points() float64 { return float64(q.m) }
func (q *sampled) Project([]float64) {
}

func (q *sampled) Eval(ctx context.Context, t []float64) (float64, error) {
	q.last = slices.Clone(t)
	*q.log = append(*q.log, q.last)
	var d float64
	for i, c := range q.c {
		d += (t[i] - c) * (t[i] - c)
	}
	return float64(q.m) * d / 2, ctx.Err()
}

func (q *sampled) Map(dst []float64) {
	for i, c := range q.c {
		dst[i] = q.last[i] + 0.5*(c-q.last[i])
	}
}

func (q *sampled) Gradient(dst []float64) float64 {
	var dec float64
	for i, c := range q.c {
		dst[i] = float64(q.m) * (q.last[i] - c)
		dec += dst[i] * dst[i] / (2 * float64(q.m))
	}
	return dec
}

// sampledSource serves sampled problems on n points, keeping the θ each
// problem larger than the screening sample evaluated, by size.
type sampledSource struct {
	n    int
	u    []float64
	mu   sync.Mutex
	logs map[int]*[][]float64
}

func (s *sampledSource) Len() int { return s.n }

func (s *sampledSource) Problem(m int, _ uint64) Problem {
	m = min(m, s.n)
	c := make([]float64, len(s.u))
	for i, u := range s.u {
		c[i] = u / math.Sqrt(float64(m))
	}
	log := new([][]float64)
	if m > defaultScreenSize {
		s.mu.Lock()
		s.logs[m] = log
		s.mu.Unlock()
	}
	return &sampled{m: m, c: c, log: log}
}

// largest returns the largest |a_i − b_i|.
func largest(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestAdamStageStepSize checks the step size each stage of the refinement
// starts Adam at, from Adam's first step in the stage, which moves every
// coordinate by exactly the step size (m̂/√v̂ = g/|g| at t = 1, up to ε).
func TestAdamStageStepSize(t *testing.T) {
	const n = 1 << 24
	src := &sampledSource{n: n, u: []float64{3, -1, 0.5}, logs: map[int]*[][]float64{}}
	res, err := Fit(context.Background(), src, [][]float64{{1, 1, 1}}, &Settings{Method: Adam})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Fatalf("did not converge in %d steps", res.Steps)
	}
	// The stages: 16 and 256 times the screening sample, then all n.
	sizes := []int{GrowthFactor * defaultScreenSize, GrowthFactor * GrowthFactor * defaultScreenSize, n}
	prev := defaultScreenSize
	var move float64
	for j, m := range sizes {
		log := *src.logs[m]
		if len(log) < 2 {
			t.Fatalf("stage on %d points evaluated %d points", m, len(log))
		}
		want := defaultLR
		if j > 0 {
			want = min(want, adamReach*move*math.Sqrt(float64(prev)*(1/float64(sizes[j-1])-1/float64(m))))
			prev = sizes[j-1]
		}
		step := largest(log[1], log[0])
		for i := range log[0] {
			// A stage starts at the fit of the one before, at least 2e-4
			// from c_m in every coordinate (u/√m moves by that much from
			// one size to the next), so |g| ≥ 2^17·2e-4 ≈ 26 and ε = 1e-8
			// changes the step by less than 1e-9 of itself; the rounding
			// of θ adds about 1e-16·|θ|/step < 1e-13.
			if got := math.Abs(log[1][i] - log[0][i]); math.Abs(got-want) > 1e-9*want {
				t.Errorf("stage %d on %d points: first step %g in coordinate %d, want the step size %g", j, m, got, i, want)
			}
		}
		move = largest(log[len(log)-1], log[0])
		t.Logf("stage %d on %d points: step size %.3g, %d steps, moved %.3g", j, m, step, len(log), move)
	}
}
