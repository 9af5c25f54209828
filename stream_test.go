package gmm_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"iter"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
)

// chunks yields x, weighted by w (nil: all 1), in chunks of the sizes given
// in turn, cycling through them.
func chunks(x, w []float64, sizes ...int) iter.Seq2[[]float64, []float64] {
	return func(yield func([]float64, []float64) bool) {
		for lo, j := 0, 0; lo < len(x); j++ {
			hi := min(lo+sizes[j%len(sizes)], len(x))
			var wc []float64
			if w != nil {
				wc = w[lo:hi]
			}
			if !yield(x[lo:hi], wc) {
				return
			}
			lo = hi
		}
	}
}

// warmStart is a starting model for the warm fits of mixture3's data.
func warmStart() gmm.Model {
	return gmm.Model{K: 3, Weights: []float64{0.3, 0.4, 0.3}, Means: []float64{-1, 0, 4}, Sigmas: []float64{1, 1, 1}}
}

// sameModel reports whether a and b have the same parameters to rel
// relative (0: bit for bit).
func sameModel(a, b *gmm.Model, rel float64) bool {
	for _, p := range [][2][]float64{{a.Weights, b.Weights}, {a.Means, b.Means}, {a.Sigmas, b.Sigmas}} {
		for k := range p[0] {
			if d := math.Abs(p[0][k] - p[1][k]); !(d <= rel*math.Abs(p[1][k])) {
				return false
			}
		}
	}
	return true
}

// TestFitStreamWarmMatchesFit checks that FitStream and FitPasses with
// Warm agree with Fit with Warm on 10^6 points, with and without weights
// and with chunks of sizes that do not divide the kernel's: FitStream adds
// the kernel's sums over the same chunks in the same order, so the two
// agree bit for bit (stronger than the 1e-8 relative the design asks).
// FitPasses's statistics come from Accumulate and Merge, which sum in
// other orders, so its steps agree with Fit's to rounding, and its
// converged fit to where the stopping rule leaves a run (see below).
func TestFitStreamWarmMatchesFit(t *testing.T) {
	if testing.Short() {
		t.Skip("10^6 points")
	}
	x, _, err := mixture3.Sample(1000000, 4)
	if err != nil {
		t.Fatal(err)
	}
	wt := make([]float64, len(x))
	for i := range wt {
		wt[i] = float64(i%3) * 0.5 // a third of the points have weight 0
	}
	for _, tt := range []struct {
		name   string
		w      []float64
		method gmm.Method
		prior  gmm.Prior
	}{
		{"EM", nil, gmm.EM, gmm.Prior{}},
		{"EM weighted, prior", wt, gmm.EM, gmm.NotebookPrior()},
		{"Adam", nil, gmm.Adam, gmm.Prior{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := x
			if tt.method == gmm.Adam {
				x = x[:200000] // Adam takes hundreds of steps
			}
			s := gmm.Settings{Method: tt.method, Warm: true}
			fit := warmStart()
			fit.Prior = tt.prior
			fs := &gmm.Settings{Method: tt.method, Warm: true, Weights: tt.w}
			rf, err := fit.Fit(x, fs)
			if err != nil {
				t.Fatal(err)
			}
			stream := warmStart()
			stream.Prior = tt.prior
			rs, err := stream.FitStream(context.Background(), chunks(x, tt.w, 1000, 77777, 3), &s)
			if err != nil {
				t.Fatal(err)
			}
			if !sameModel(&stream, &fit, 0) || rs.Steps != rf.Steps || !slices.Equal(rs.Loss[:rs.Steps-1], rf.Loss[:rf.Steps-1]) {
				t.Errorf("FitStream %v (%d steps), Fit %v (%d steps)", stream, rs.Steps, fit, rf.Steps)
			}
			passes := warmStart()
			passes.Prior = tt.prior
			pass := func(ctx context.Context, at *gmm.Model) (*gmm.Stats, error) {
				st := &gmm.Stats{}
				for lo := 0; lo < len(x); lo += 100000 {
					var w []float64
					if tt.w != nil {
						w = tt.w[lo : lo+100000]
					}
					part := &gmm.Stats{}
					if err := at.Accumulate(part, x[lo:lo+100000], w); err != nil {
						return nil, err
					}
					if err := st.Merge(part); err != nil {
						return nil, err
					}
				}
				return st, nil
			}
			rp, err := passes.FitPasses(context.Background(), pass, &s)
			if err != nil {
				t.Fatal(err)
			}
			// Converged: a decision on the loss near the rounding floor
			// (Anderson's acceptance, the stopping rule) can fall either
			// way on sums that differ by rounding, and the runs then stop
			// a step apart. At convergence a step moves the parameters by
			// about √(Tol·(|L| + n)/n) ≈ √(1e-10·3) ≈ 2e-5 of a standard
			// deviation, so they agree to 1e-4 relative, and their final
			// losses, each within Tol·(|L| + n) of the optimum's, to 1e-9
			// relative.
			if !sameModel(&passes, &fit, 1e-4) || math.Abs(last(rp.Loss)-last(rf.Loss)) > 1e-9*math.Abs(last(rf.Loss)) {
				t.Errorf("FitPasses %v (loss %.15g), Fit %v (loss %.15g)", passes, last(rp.Loss), fit, last(rf.Loss))
			}
			// A fixed number of steps, short of the rounding floor: the two
			// are the same iteration on sums that differ by rounding, about
			// n·ε ≈ 2e-10 relative at most, which the contracting
			// iteration does not grow: 1e-8.
			short := s
			short.MaxSteps = 6
			a, b := warmStart(), warmStart()
			a.Prior, b.Prior = tt.prior, tt.prior
			fs.MaxSteps = 6
			if _, err := a.Fit(x, fs); err != nil {
				t.Fatal(err)
			}
			if _, err := b.FitPasses(context.Background(), pass, &short); err != nil {
				t.Fatal(err)
			}
			if !sameModel(&b, &a, 1e-8) {
				t.Errorf("6 steps: FitPasses %v, Fit %v", b, a)
			}
		})
	}
}

func last(v []float64) float64 { return v[len(v)-1] }

// TestFitStreamMatchesFit checks FitStream without Warm against Fit on
// 200,000 points: the search starts from different samples, and both
// converge on the same optimum.
func TestFitStreamMatchesFit(t *testing.T) {
	x, _, err := mixture3.Sample(200000, 8)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []gmm.Method{gmm.EM, gmm.Adam} {
		a, b := &gmm.Model{K: 3}, &gmm.Model{K: 3}
		if _, err := a.Fit(x, &gmm.Settings{Method: method}); err != nil {
			t.Fatal(err)
		}
		res, err := b.FitStream(context.Background(), chunks(x, nil, 5000), &gmm.Settings{Method: method})
		if err != nil {
			t.Fatal(err)
		}
		// Each run stops where a step gains at most Tol·(|L| + n) ≈
		// 1e-10·6e5 = 6e-5; about the optimum the loss is quadratic with
		// curvature about n ≈ 2e5 per standardised parameter, so each
		// lies within about √(2·6e-5/2e5) ≈ 2.5e-5 of it: 1e-4 relative
		// allows both runs.
		if !sameModel(b, a, 1e-4) || !res.Converged {
			t.Errorf("%v: FitStream %v (converged %v), Fit %v", method, b, res.Converged, a)
		}
	}
}

// TestFitStreamOnline measures how close the one-pass stepwise EM comes to
// the fit by passes on 10^6 points of mixture3, whose components overlap:
// the figures Settings.Online documents.
func TestFitStreamOnline(t *testing.T) {
	if testing.Short() {
		t.Skip("10^6 points")
	}
	x, _, err := mixture3.Sample(1000000, 4)
	if err != nil {
		t.Fatal(err)
	}
	full, on := &gmm.Model{K: 3}, &gmm.Model{K: 3}
	if _, err := full.FitStream(context.Background(), chunks(x, nil, 10000), &gmm.Settings{Method: gmm.EM}); err != nil {
		t.Fatal(err)
	}
	res, err := on.FitStream(context.Background(), chunks(x, nil, 10000), &gmm.Settings{Online: true})
	if err != nil {
		t.Fatal(err)
	}
	lf, _ := full.LogLikelihood(x)
	lo, _ := on.LogLikelihood(x)
	gap := (lf - lo) / float64(len(x))
	var worst float64
	for k := range 3 {
		worst = max(worst, math.Abs(on.Means[k]-full.Means[k])/full.Sigmas[k])
	}
	t.Logf("online: %d steps, log-likelihood %.3g per point below the full fit's, means within %.3g σ", res.Steps, gap, worst)
	// The documented bounds: 1e-4 per point and 0.02 σ (measured 2.9e-5
	// and 0.011 on this seed).
	if !(gap >= 0 && gap < 1e-4) || !(worst < 0.02) {
		t.Errorf("online fit: log-likelihood %.3g per point below the full fit's, means %.3g σ away; documented within 1e-4 and 0.02", gap, worst)
	}
}

func TestFitStreamErrors(t *testing.T) {
	x, _, err := mixture3.Sample(20000, 1)
	if err != nil {
		t.Fatal(err)
	}
	bad := slices.Clone(x)
	bad[12345] = math.NaN()
	changing := 0
	shrinking := func(yield func([]float64, []float64) bool) {
		changing++
		yield(x[:len(x)-changing], nil)
	}
	boom := errors.New("boom")
	for _, tt := range []struct {
		name string
		src  iter.Seq2[[]float64, []float64]
		s    gmm.Settings
		want string
	}{
		{"empty", chunks(nil, nil, 10), gmm.Settings{}, "no data"},
		{"NaN", chunks(bad, nil, 1000), gmm.Settings{}, "value 12345 of the stream is NaN"},
		{"weights length", func(yield func([]float64, []float64) bool) { yield(x, []float64{1}) }, gmm.Settings{}, "one weight per point"},
		{"all zero", chunks(x, make([]float64, len(x)), 1000), gmm.Settings{}, "every weight is zero"},
		{"Settings.Weights", chunks(x, nil, 1000), gmm.Settings{Weights: x}, "yield each chunk's weights"},
		{"changing source", shrinking, gmm.Settings{}, "same data in every pass"},
		{"warm unfitted", chunks(x, nil, 1000), gmm.Settings{Warm: true}, "warm start"},
	} {
		m := &gmm.Model{K: 3}
		if _, err := m.FitStream(context.Background(), tt.src, &tt.s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
		if m.Weights != nil {
			t.Errorf("%s: the failed fit changed the model", tt.name)
		}
	}
	m := warmStart()
	_, err = m.FitPasses(context.Background(), func(context.Context, *gmm.Model) (*gmm.Stats, error) { return nil, boom }, nil)
	if !errors.Is(err, boom) {
		t.Errorf("FitPasses: error %v, want one wrapping the pass's", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.FitStream(ctx, chunks(x, nil, 1000), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled FitStream: error %v", err)
	}
}

// BenchmarkFitStream times FitStream by EM with K = 3 on 10^7 points of
// mixture3 read from a file of float64s in the benchmark's temporary
// directory, 8192 points per chunk, with the default search, and Fit on
// the same points in memory for the ratio.
func BenchmarkFitStream(b *testing.B) {
	const n = 10000000
	x, _, err := mixture3.Sample(n, 1)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "x.f64")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := binary.Write(w, binary.LittleEndian, x); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	var readErr error
	src := func(yield func([]float64, []float64) bool) {
		f, err := os.Open(path)
		if err != nil {
			readErr = err
			return
		}
		defer f.Close()
		r := bufio.NewReaderSize(f, 1<<16)
		buf := make([]byte, 8*8192)
		chunk := make([]float64, 8192)
		for {
			k, err := io.ReadFull(r, buf)
			m := k / 8
			for i := range m {
				chunk[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
			}
			if m > 0 && !yield(chunk[:m], nil) {
				return
			}
			if err != nil {
				if err != io.EOF && err != io.ErrUnexpectedEOF {
					readErr = err
				}
				return
			}
		}
	}
	b.Run("n=1e7/stream", func(b *testing.B) {
		for b.Loop() {
			m := &gmm.Model{K: 3}
			if _, err := m.FitStream(context.Background(), src, &gmm.Settings{Method: gmm.EM}); err != nil || readErr != nil {
				b.Fatal(err, readErr)
			}
		}
	})
	b.Run("n=1e7/memory", func(b *testing.B) {
		for b.Loop() {
			m := &gmm.Model{K: 3}
			if _, err := m.Fit(x, &gmm.Settings{Method: gmm.EM}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// onlineFixedTol bounds how far the one-pass fit's free parameters lie
// from the fit by passes with the same parameters fixed: its documented
// noise is about 0.01σ on the means of a free fit (Settings.Online); with
// the weights fixed away from the data's (0.25/0.25 against 0.3/0.2) the
// optimum is flatter and the last blocks move it further, up to 0.05σ
// measured here: 0.1 allows twice that, and is below the distance of the
// start from the optimum, which the test also requires them to beat.
const onlineFixedTol = 0.1

// TestOnlineFixed checks that the one-pass fit leaves the parameters
// Fixed names as they are in the model, bit for bit, from a model that
// holds only them and from a warm start, and fits the others given them:
// they come within onlineFixedTol of the fit by passes with the same
// parameters fixed, and nearer it than they started.
func TestOnlineFixed(t *testing.T) {
	x, _, err := mixture3.Sample(100000, 12)
	if err != nil {
		t.Fatal(err)
	}
	start := gmm.Model{K: 3, Weights: []float64{0.25, 0.5, 0.25}, Means: []float64{-2.2, 1.1, 4.6}, Sigmas: []float64{1.1, 0.6, 1.4}}
	for _, fix := range []gmm.Fixed{{Weights: true}, {Means: true}, {Sigmas: true}, {Weights: true, Sigmas: true}, {Means: true, Sigmas: true}} {
		for _, warm := range []bool{false, true} {
			on := gmm.Model{K: 3}
			if warm {
				on.Weights, on.Means, on.Sigmas = slices.Clone(start.Weights), slices.Clone(start.Means), slices.Clone(start.Sigmas)
			}
			if fix.Weights {
				on.Weights = slices.Clone(start.Weights)
			}
			if fix.Means {
				on.Means = slices.Clone(start.Means)
			}
			if fix.Sigmas {
				on.Sigmas = slices.Clone(start.Sigmas)
			}
			if _, err := on.FitStream(context.Background(), chunks(x, nil, 7000), &gmm.Settings{Online: true, Fixed: fix, Warm: warm}); err != nil {
				t.Fatalf("%+v warm %v: %v", fix, warm, err)
			}
			full := start
			full.Weights, full.Means, full.Sigmas = slices.Clone(start.Weights), slices.Clone(start.Means), slices.Clone(start.Sigmas)
			if _, err := full.Fit(x, &gmm.Settings{Fixed: fix, Warm: true, Method: gmm.EM}); err != nil {
				t.Fatal(err)
			}
			for k := range 3 {
				for _, c := range []struct {
					name      string
					fixed     bool
					got, want float64
					ref       float64
				}{
					{"weight", fix.Weights, on.Weights[k], start.Weights[k], full.Weights[k]},
					{"mean", fix.Means, on.Means[k], start.Means[k], full.Means[k]},
					{"sigma", fix.Sigmas, on.Sigmas[k], start.Sigmas[k], full.Sigmas[k]},
				} {
					if c.fixed && math.Float64bits(c.got) != math.Float64bits(c.want) {
						t.Errorf("%+v warm %v: fixed %s %d is %v, was %v", fix, warm, c.name, k, c.got, c.want)
					}
					if c.fixed {
						continue
					}
					unit := full.Sigmas[k] // means and sigmas in σ, weights as they are
					if c.name == "weight" {
						unit = 1
					}
					d, d0 := math.Abs(c.got-c.ref)/unit, math.Abs(c.want-c.ref)/unit
					if !(d <= onlineFixedTol) || !(d < d0) {
						t.Errorf("%+v warm %v: %s %d is %v online, %v by passes (%.3g apart, the start %.3g)", fix, warm, c.name, k, c.got, c.ref, d, d0)
					}
				}
			}
		}
	}
}
