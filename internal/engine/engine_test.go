package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// basins is a toy problem with several basins: the loss at θ is
// min_j |θ − c_j|² + L_j, and the map moves θ halfway to the nearest
// centre, a linear contraction like EM near an optimum. Basins listed in
// bad are degenerate.
type basins struct {
	centres [][]float64
	levels  []float64
	bad     []int
	last    []float64
	passes  *atomic.Int64
}

func (b *basins) Dim() int        { return len(b.centres[0]) }
func (b *basins) Points() float64 { return 100 }

func (b *basins) nearest(t []float64) (int, float64) {
	best, bl := -1, math.Inf(1)
	for j, c := range b.centres {
		var d float64
		for i := range c {
			d += (t[i] - c[i]) * (t[i] - c[i])
		}
		if l := d + b.levels[j]; l < bl {
			best, bl = j, l
		}
	}
	return best, bl
}

func (b *basins) Eval(ctx context.Context, t []float64) (float64, error) {
	if err := ctx.Err(); err != nil {
		return math.NaN(), err
	}
	if b.passes != nil {
		b.passes.Add(1)
	}
	b.last = slices.Clone(t)
	_, l := b.nearest(t)
	return l, nil
}

func (b *basins) Map(dst []float64) {
	j, _ := b.nearest(b.last)
	for i, c := range b.centres[j] {
		dst[i] = b.last[i] + 0.5*(c-b.last[i])
	}
}

func (b *basins) Project([]float64) {}

func (b *basins) Degenerate(t []float64) error {
	if j, _ := b.nearest(t); slices.Contains(b.bad, j) {
		return fmt.Errorf("basin %d", j)
	}
	return nil
}

// source serves the same toy problem at every size.
type source struct{ b basins }

func (s *source) Len() int { return 100 }
func (s *source) Problem(int, uint64) Problem {
	c := s.b
	return &c
}

func TestFitKeepsBestNonDegenerate(t *testing.T) {
	centres := [][]float64{{0, 0}, {10, 0}, {0, 10}}
	levels := []float64{5, 1, 3}
	starts := [][]float64{{1, 1}, {9, 1}, {1, 9}}
	for _, tt := range []struct {
		name string
		bad  []int
		want int // the basin Fit must end in, or −1 for an error
	}{
		{"none degenerate", nil, 1},
		{"the best degenerate", []int{1}, 2},
		{"all but the worst degenerate", []int{1, 2}, 0},
		{"all degenerate", []int{0, 1, 2}, -1},
	} {
		src := &source{basins{centres: centres, levels: levels, bad: tt.bad}}
		res, err := Fit(context.Background(), src, starts, &Settings{})
		if tt.want < 0 {
			var de *DegenerateError
			if !errors.As(err, &de) {
				t.Errorf("%s: err %v, want a DegenerateError", tt.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		// The map halves the distance to the centre at every step, so the
		// loss converges linearly; the tolerance 1e-10·(|L| + 100) puts θ
		// within about 1e-4 of the centre.
		j, _ := src.b.nearest(res.Theta)
		if j != tt.want || math.Abs(res.Theta[0]-centres[j][0]) > 1e-4 || !res.Converged {
			t.Errorf("%s: ended at %v in basin %d (converged %v), want basin %d", tt.name, res.Theta, j, res.Converged, tt.want)
		}
		if l := res.Losses[len(res.Losses)-1]; math.Abs(l-levels[j]) > 1e-8 {
			t.Errorf("%s: final loss %v, want %v", tt.name, l, levels[j])
		}
	}
}

func TestFitDoesNotModifyStarts(t *testing.T) {
	src := &source{basins{centres: [][]float64{{0}, {4}}, levels: []float64{0, 1}}}
	starts := [][]float64{{1}, {3}}
	orig := [][]float64{{1}, {3}}
	if _, err := Fit(context.Background(), src, starts, &Settings{}); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(starts, orig, slices.Equal) {
		t.Errorf("starts changed to %v", starts)
	}
}

// TestFitStopsWithinAPass cancels the context from the progress callback
// and counts the passes made after it: none, since Eval checks the context
// before each pass and the runs of one batch go one at a time here
// (Progress is called after a step, when the step's passes are done).
func TestFitStopsWithinAPass(t *testing.T) {
	var passes atomic.Int64
	src := &source{basins{centres: [][]float64{{0}, {4}}, levels: []float64{0, 1}, passes: &passes}}
	for _, at := range []int{1, 3, 6} {
		ctx, cancel := context.WithCancel(context.Background())
		var calls int
		var after int64 = -1
		s := &Settings{Progress: func(run, step int, loss, n float64) {
			calls++
			if calls == at {
				cancel()
				after = passes.Load()
			}
		}}
		_, err := Fit(ctx, src, [][]float64{{1}}, s)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled at call %d: err %v, want context.Canceled", at, err)
		}
		if extra := passes.Load() - after; after < 0 || extra != 0 {
			t.Errorf("cancelled at call %d: %d passes after the cancel", at, extra)
		}
		cancel()
	}
}

// TestEMStepperMonotone checks that every loss the accelerated EM records is
// at most the one before, on the toy problem where Anderson mixing
// overshoots: a map that contracts by 0.9 in one coordinate and 0.1 in the
// other.
func TestEMStepperMonotone(t *testing.T) {
	p := &skewed{}
	e := NewEMStepper(context.Background(), p, []float64{3, -2}, 1e-14)
	prev := math.Inf(1)
	for i := range 200 {
		L, st, err := e.Step()
		if err != nil {
			t.Fatal(err)
		}
		if L > prev {
			t.Fatalf("step %d: loss rose from %v to %v", i, prev, L)
		}
		prev = L
		if st != Running {
			if st != Converged {
				t.Errorf("ended with status %v", st)
			}
			// Anderson mixing solves a linear map in a few steps; plain
			// EM would take about log(1e-14)/log(0.9) ≈ 300.
			if i > 30 {
				t.Errorf("took %d steps", i+1)
			}
			return
		}
	}
	t.Errorf("did not converge in 200 steps")
}

// skewed has the loss a·θ0² + b·θ1² + 1 and the map
// θ ↦ (0.9θ0, 0.1θ1), which lowers it at every step.
type skewed struct{ last [2]float64 }

func (s *skewed) Dim() int        { return 2 }
func (s *skewed) Points() float64 { return 1 }
func (s *skewed) Eval(_ context.Context, t []float64) (float64, error) {
	copy(s.last[:], t)
	return 2*t[0]*t[0] + 0.5*t[1]*t[1] + 1, nil
}
func (s *skewed) Map(dst []float64) { dst[0], dst[1] = 0.9*s.last[0], 0.1*s.last[1] }
func (s *skewed) Project([]float64) {}

// TestFitScreen checks that Screen limits the runs continued past the
// short steps to FullRuns on a small problem, where by default every
// short run is continued, that with KeptStarts the runs from the first
// starting points are continued too whatever their ranking, and that the
// best basin still wins when its short run is among the most promising.
func TestFitScreen(t *testing.T) {
	centres := [][]float64{{0, 0}, {10, 0}, {0, 10}, {10, 10}, {20, 0}}
	levels := []float64{5, 1, 3, 4, 6} // the short runs rank 1, 2, 3, 0, 4
	// Each start is 3 from its centre: no run meets the tolerance in one
	// step, the length of a short run here.
	var starts [][]float64
	for _, c := range centres {
		starts = append(starts, []float64{c[0] + 3, c[1]})
	}
	for _, tt := range []struct {
		name   string
		screen bool
		kept   int
		want   []int // the runs that go past the short steps
	}{
		{"every run in full", false, 0, []int{0, 1, 2, 3, 4}},
		{"screened", true, 0, []int{1, 2}},
		{"screened, first kept", true, 1, []int{0, 1, 2}},
		{"screened, first two kept, one among the best", true, 2, []int{0, 1, 2}},
		{"screened, more kept than starts", true, 9, []int{0, 1, 2, 3, 4}},
	} {
		var mu sync.Mutex
		long := map[int]bool{}
		s := &Settings{ShortSteps: 1, FullRuns: 2, Screen: tt.screen, KeptStarts: tt.kept, Progress: func(run, step int, _, _ float64) {
			mu.Lock()
			defer mu.Unlock()
			if step >= 1 {
				long[run] = true
			}
		}}
		src := &source{basins{centres: centres, levels: levels}}
		res, err := Fit(context.Background(), src, starts, s)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for run := range long {
			got = append(got, run)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: runs %v went past the short steps, want %v", tt.name, got, tt.want)
		}
		if j, _ := src.b.nearest(res.Theta); j != 1 || !res.Converged {
			t.Errorf("%s: ended in basin %d (converged %v), want basin 1", tt.name, j, res.Converged)
		}
	}
}

// flat has the loss (θ − c_j)⁴ + L_j about the nearest of its centres c_j
// and the map e ↦ e(1 − e²/2) of e = θ − c_j, whose convergence slows as
// it nears the centre, as EM's does where the likelihood is flat: a step
// from e lowers the loss by about 2e⁶, so a run stops about
// (tol·(L + 100)/2)^(1/6) from its centre.
type flat struct {
	centres, levels []float64
	last            float64
}

func (q *flat) Dim() int          { return 1 }
func (q *flat) Points() float64   { return 100 }
func (q *flat) Project([]float64) {}

func (q *flat) nearest(t float64) int {
	j := 0
	for i, c := range q.centres {
		if math.Abs(t-c) < math.Abs(t-q.centres[j]) {
			j = i
		}
	}
	return j
}

func (q *flat) Eval(_ context.Context, t []float64) (float64, error) {
	q.last = t[0]
	j := q.nearest(t[0])
	e := t[0] - q.centres[j]
	return e*e*e*e + q.levels[j], nil
}

func (q *flat) Map(dst []float64) {
	j := q.nearest(q.last)
	e := q.last - q.centres[j]
	dst[0] = q.centres[j] + e*(1-e*e/2)
}

// Gradient is the loss's derivative 4e³, and the decrease ½g²/h a Newton
// step on the curvature h = 12e² would bring, 2e⁴/3.
func (q *flat) Gradient(dst []float64) float64 {
	e := q.last - q.centres[q.nearest(q.last)]
	dst[0] = 4 * e * e * e
	return 2 * e * e * e * e / 3
}

type flatSource struct{ centres, levels []float64 }

func (s *flatSource) Len() int { return 100 }
func (s *flatSource) Problem(int, uint64) Problem {
	return &flat{centres: s.centres, levels: s.levels}
}

// TestFitSearchTol checks that with a SearchTol the search's runs stop
// early and the winner alone runs on to Tol, by EM and then, for Adam, by
// Adam. At SearchTol 1e-3 a run stops about (1e-3·101/2)^(1/6) ≈ 0.6 from
// its centre, and at the default Tol 1e-10 about (1e-10·101/2)^(1/6) ≈
// 0.013 (see flat); the bound 0.05 on the winner's distance lies between
// the two.
func TestFitSearchTol(t *testing.T) {
	src := &flatSource{centres: []float64{0, 10, 20}, levels: []float64{3, 1, 2}}
	starts := [][]float64{{1}, {11}, {21}}
	for _, tt := range []struct {
		name      string
		method    Method
		searchTol float64
		loserFar  bool // the losing runs end more than 0.05 from their centres
	}{
		{"search at Tol", EM, 0, false},
		{"loose search", EM, 1e-3, true},
		{"search at Tol, Adam", Adam, 0, false},
		{"loose search, Adam", Adam, 1e-3, true},
	} {
		var mu sync.Mutex
		last := map[int]float64{}
		s := &Settings{Method: tt.method, SearchTol: tt.searchTol, Progress: func(run, _ int, loss, _ float64) {
			mu.Lock()
			defer mu.Unlock()
			last[run] = loss
		}}
		res, err := Fit(context.Background(), src, starts, s)
		if err != nil {
			t.Fatal(err)
		}
		if e := res.Theta[0] - 10; math.Abs(e) > 0.05 || !res.Converged {
			t.Errorf("%s: ended at %v (converged %v), want within 0.05 of 10", tt.name, res.Theta[0], res.Converged)
		}
		for run, level := range map[int]float64{0: 3, 2: 2} {
			// A loss above L_j + 0.05⁴ puts θ more than 0.05 from c_j.
			if far := last[run] > level+math.Pow(0.05, 4); far != tt.loserFar {
				t.Errorf("%s: run %d ended at loss %v (level %v); far from its centre %v, want %v", tt.name, run, last[run], level, far, tt.loserFar)
			}
		}
	}
}

// TestFitStartFullRuns checks that on a small problem StartFullRuns bounds
// the short runs from the starting points that go on to convergence, the
// most promising first, where by default every one does. On flat's 100
// points (see flat) a run from 1 off its centre takes far more than the
// 10 steps of a short run to converge, so a run that stops at 10 steps
// was not continued.
func TestFitStartFullRuns(t *testing.T) {
	src := &flatSource{centres: []float64{0, 10, 20}, levels: []float64{3, 1, 2}}
	starts := [][]float64{{1}, {11}, {21}}
	for _, tt := range []struct {
		name string
		full int
		want map[int]bool // whether each run goes past its short run
	}{
		{"default", 0, map[int]bool{0: true, 1: true, 2: true}},
		{"one", 1, map[int]bool{0: false, 1: true, 2: false}},
		{"two", 2, map[int]bool{0: false, 1: true, 2: true}},
	} {
		var mu sync.Mutex
		steps := map[int]int{}
		s := &Settings{StartFullRuns: tt.full, MoveRounds: NoMoves, Progress: func(run, _ int, _, _ float64) {
			mu.Lock()
			defer mu.Unlock()
			steps[run]++
		}}
		res, err := Fit(context.Background(), src, starts, s)
		if err != nil {
			t.Fatal(err)
		}
		if res.Best != 1 {
			t.Errorf("%s: run %d won, want 1", tt.name, res.Best)
		}
		for run, want := range tt.want {
			if got := steps[run] > defaultShortSteps; got != want {
				t.Errorf("%s: run %d took %d steps; continued %v, want %v", tt.name, run, steps[run], got, want)
			}
		}
	}
}

// TestEMStepperReset checks that a stepper reset to a new start, after a
// run from another, takes the same steps as a new stepper from that start,
// bit for bit: Reset leaves nothing of the run before.
func TestEMStepperReset(t *testing.T) {
	run := func(e *EMStepper) (losses []float64, theta []float64) {
		for range 200 {
			L, st, err := e.Step()
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, L)
			if st != Running {
				break
			}
		}
		return losses, slices.Clone(e.Theta())
	}
	for _, tt := range []struct {
		name         string
		first, start []float64
	}{
		{"after a longer run", []float64{30, -20}, []float64{3, -2}},
		{"after a shorter run", []float64{0.1, 0.1}, []float64{-5, 7}},
		{"from the same start", []float64{3, -2}, []float64{3, -2}},
	} {
		ctx := context.Background()
		want, wantTheta := run(NewEMStepper(ctx, &skewed{}, tt.start, 1e-14))
		e := NewEMStepper(ctx, &skewed{}, tt.first, 1e-14)
		run(e)
		e.Reset(ctx, &skewed{}, tt.start, 1e-14)
		got, gotTheta := run(e)
		if !slices.Equal(got, want) || !slices.Equal(gotTheta, wantTheta) {
			t.Errorf("%s: reset stepper took losses %v to %v, a new one %v to %v", tt.name, got, gotTheta, want, wantTheta)
		}
	}
}

// resetBasins is basins that the engine may reuse from run to run.
type resetBasins struct{ basins }

func (r *resetBasins) Reset() { r.last = nil }

// resetSource serves resetBasins and counts the problems it makes.
type resetSource struct {
	source
	made atomic.Int64
}

func (s *resetSource) Problem(int, uint64) Problem {
	s.made.Add(1)
	return &resetBasins{s.b}
}

// TestFitReusesProblems checks that Fit runs every run on problems it
// resets rather than on new ones where the problems allow it, at most one
// per goroutine, and that this changes nothing of the result.
func TestFitReusesProblems(t *testing.T) {
	centres := [][]float64{{0, 0}, {10, 0}, {0, 10}}
	levels := []float64{5, 1, 3}
	var starts [][]float64
	for i := range 12 {
		c := centres[i%3]
		starts = append(starts, []float64{c[0] + float64(i%4), c[1] - float64(i%5)})
	}
	b := basins{centres: centres, levels: levels}
	want, err := Fit(context.Background(), &source{b}, starts, &Settings{})
	if err != nil {
		t.Fatal(err)
	}
	src := &resetSource{source: source{b}}
	got, err := Fit(context.Background(), src, starts, &Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Theta, want.Theta) || !slices.Equal(got.Losses, want.Losses) || got.Runs != want.Runs || got.Best != want.Best {
		t.Errorf("with reused problems: θ %v, losses %v, run %d of %d; with new ones: θ %v, losses %v, run %d of %d",
			got.Theta, got.Losses, got.Best, got.Runs, want.Theta, want.Losses, want.Best, want.Runs)
	}
	if n, most := src.made.Load(), int64(runtime.GOMAXPROCS(0)); n > most {
		t.Errorf("the Source made %d problems for %d runs, want at most %d (one per goroutine)", n, got.Runs, most)
	}
}

// movingBasins is basins with a Mover that proposes the centre of the
// lowest basin.
type movingBasins struct{ basins }

func (m *movingBasins) Moves([]float64) [][]float64 {
	j := 0
	for i, l := range m.levels {
		if l < m.levels[j] {
			j = i
		}
	}
	return [][]float64{slices.Clone(m.centres[j])}
}

type movingSource struct{ b movingBasins }

func (s *movingSource) Len() int { return 100 }
func (s *movingSource) Problem(int, uint64) Problem {
	c := s.b
	return &c
}

// TestFitNoMoves checks that a search with MoveRounds NoMoves tries no
// move, and so ends in the basin of its one start, while the default
// search moves to the lower basin the Mover proposes.
func TestFitNoMoves(t *testing.T) {
	src := &movingSource{movingBasins{basins{centres: [][]float64{{0}, {10}}, levels: []float64{1, 0}}}}
	for _, tt := range []struct {
		name   string
		rounds int
		runs   int
		centre float64
	}{
		{"default", 0, 3, 10}, // the start, the move, and the move again, which gains nothing
		{"NoMoves", NoMoves, 1, 0},
		{"negative", -3, 1, 0},
	} {
		res, err := Fit(context.Background(), src, [][]float64{{0.5}}, &Settings{MoveRounds: tt.rounds})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		// The map halves the distance d to the centre each step, which
		// lowers the loss by 3d²/4, and a run stops once that is at most
		// Tol·(|L| + 100) ≈ 1e-8: within 1.2e-4 of the centre.
		if res.Runs != tt.runs || math.Abs(res.Theta[0]-tt.centre) > 1e-3 {
			t.Errorf("%s: %d runs ending at %v, want %d ending at %v", tt.name, res.Runs, res.Theta, tt.runs, tt.centre)
		}
	}
}

// chainBasins is basins with a Mover that proposes the centre of basin
// next[j] from basin j.
type chainBasins struct {
	basins
	next []int
}

func (c *chainBasins) Moves(t []float64) [][]float64 {
	j, _ := c.nearest(t)
	return [][]float64{slices.Clone(c.centres[c.next[j]])}
}

type chainSource struct{ b chainBasins }

func (s *chainSource) Len() int { return 100 }
func (s *chainSource) Problem(int, uint64) Problem {
	c := s.b
	return &c
}

// TestFitLineage checks the second lineage of starting points: the first
// start ends in basin 0, at level 1, whose move leads to basin 1, higher,
// so that no round keeps one; the second start ends in basin 2, at level
// 2, whose moves climb through basin 3 to basin 4, the lowest. Without
// Lineage the search ends in basin 0; with it, in basin 4. Where basin
// 0's move leads to basin 5, lower than basin 0, the first round keeps it
// and the second lineage is not climbed.
func TestFitLineage(t *testing.T) {
	centres := [][]float64{{0}, {10}, {20}, {30}, {40}, {50}}
	levels := []float64{1, 3, 2, 1.5, 0, 0.5}
	starts := [][]float64{{0.5}, {20.5}}
	for _, tt := range []struct {
		name    string
		lineage int
		next0   int
		centre  float64
	}{
		{"one lineage", 0, 1, 0},
		{"two lineages", 1, 1, 40},
		{"the first round keeps a move", 1, 5, 50},
	} {
		src := &chainSource{chainBasins{basins{centres: centres, levels: levels}, []int{tt.next0, 1, 3, 4, 4, 5}}}
		res, err := Fit(context.Background(), src, starts, &Settings{Lineage: tt.lineage})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		// Within 1.2e-4 of the centre, as in TestFitNoMoves; the basins
		// lie 10 apart.
		if math.Abs(res.Theta[0]-tt.centre) > 1e-3 {
			t.Errorf("%s: ends at %v, want %v", tt.name, res.Theta, tt.centre)
		}
	}
}
