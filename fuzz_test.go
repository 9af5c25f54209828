package gmm_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gmm-go/gmm"
)

// floatsFrom reads up to 64 float64 values from b, 8 bytes each.
func floatsFrom(b []byte) []float64 {
	var x []float64
	for len(b) >= 8 && len(x) < 64 {
		x = append(x, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	return x
}

func bytesOf(x ...float64) []byte {
	var b []byte
	for _, v := range x {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// FuzzFit fits arbitrary data with an arbitrary K and prior. Fit must either
// return an error, leaving the model as it was, or a valid model with finite
// parameters whose last loss is −LogJoint(x) exactly (the loss of the
// parameters returned); it must never panic or change the data. The oracle
// for errors: with K ≥ 1, a proper prior with Concentration ≥ 1 and
// finite data, Fit must succeed unless the data cannot be standardised or
// lie too far from the prior, the documented errors fitErrorDocumented
// lists.
func FuzzFit(f *testing.F) {
	f.Add(bytesOf(1.4, 1.3, 1.5, 4.5, 5.1, 4.9), 2, 1.0, 0.0, 10.0, 1.0, 1.0, false, uint8(0))
	f.Add(bytesOf(3, 3, 3), 2, 0.0, 0.0, 0.0, 0.0, 0.0, false, uint8(1))
	f.Add(bytesOf(1e12, 1e12+1, 1e12+2), 3, 1.0, 1e12, 1.0, 1.0, 0.1, true, uint8(1))
	f.Add(bytesOf(1e-9, 2e-9, -1e-9), 1, 2.0, 0.0, 1e-9, 2.0, 1e-10, false, uint8(0))
	f.Add(bytesOf(math.NaN(), 1), 1, 1.0, 0.0, 1.0, 1.0, 1.0, false, uint8(0))
	f.Add(bytesOf(1.7e308, -1.7e308), 2, 1.0, 0.0, 1.0, 1.0, 1.0, false, uint8(1))
	f.Add(bytesOf(), 0, 0.5, 0.0, -1.0, 1.0, 1.0, false, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, k int, conc, loc, scale, shape, sscale float64, onVar bool, method uint8) {
		x := floatsFrom(data)
		k = k % 8 // keep each fit small
		prior := gmm.Prior{Concentration: conc, MeanLoc: loc, MeanScale: scale, SigmaShape: shape, SigmaScale: sscale, OnVariance: onVar}
		orig := gmm.Model{K: k, Prior: prior}
		m := orig
		xs := slices.Clone(x)
		s := &gmm.Settings{Method: gmm.Method(method % 2), MaxSteps: 300, Restarts: 2}
		res, err := m.Fit(x, s)
		if !equalFloats(x, xs) {
			t.Fatalf("Fit changed the data")
		}
		if err != nil {
			if !equalModels(&m, &orig) {
				t.Fatalf("failed Fit changed the model: %v", err)
			}
			if fitMustSucceed(x, k, prior) && !fitErrorDocumented(err) {
				t.Fatalf("K=%d, prior %v, x = %v: %v", k, prior, x, err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("Fit returned an invalid model: %v (%+v)", err, m)
		}
		if len(res.Loss) == 0 || len(res.Loss) != res.Steps {
			t.Fatalf("%d losses for %d steps", len(res.Loss), res.Steps)
		}
		z := m.Assign(x)
		r := m.Responsibilities(x)
		for i := range x {
			if z[i] < 0 || z[i] >= k {
				t.Fatalf("label %d of %v out of range", z[i], x[i])
			}
			var sum float64
			for _, v := range r[i] {
				sum += v
			}
			// Each row is normalised by its own sum: rounding leaves it
			// within a few ulps of 1.
			if math.Abs(sum-1) > 1e-12 {
				t.Fatalf("responsibilities of %v sum to %v", x[i], sum)
			}
		}
		lj, err := m.LogJoint(x)
		if err != nil {
			t.Fatalf("LogJoint of the fitted data: %v", err)
		}
		// Fit computes its last loss by LogJoint itself: equal to the bit.
		if last := res.Loss[len(res.Loss)-1]; last != -lj {
			t.Fatalf("last loss %v, −LogJoint(x) %v", last, -lj)
		}
	})
}

// FuzzFitWeights fits arbitrary data with arbitrary sample weights, each
// byte of w choosing one from a list that holds the invalid ones too. Fit
// must return an error, leaving the model, the data and the weights as they
// were, or a valid model; it must never panic.
func FuzzFitWeights(f *testing.F) {
	f.Add(bytesOf(1.4, 1.3, 1.5, 4.5, 5.1, 4.9), []byte{1, 2, 3, 0, 1, 2}, 2, false, uint8(0))
	f.Add(bytesOf(1.4, 1.3, 1.5, 4.5, 5.1, 4.9), []byte{0, 0, 0, 0, 0, 0}, 2, true, uint8(1))
	f.Add(bytesOf(3, 3, 3, 7), []byte{4, 4, 4, 5}, 2, true, uint8(0))
	f.Add(bytesOf(1, 2, 3), []byte{6, 1, 1}, 1, false, uint8(0))
	choices := []float64{0, 1, 2, 0.5, 1e-300, 1e300, math.NaN(), -1, math.Inf(1), 3}
	f.Fuzz(func(t *testing.T, data, wb []byte, k int, prior bool, method uint8) {
		x := floatsFrom(data)
		w := make([]float64, len(x))
		for i := range w {
			if i < len(wb) {
				w[i] = choices[int(wb[i])%len(choices)]
			} else {
				w[i] = 1
			}
		}
		k = k % 6
		orig := gmm.Model{K: k}
		if prior {
			orig.Prior = gmm.DefaultPrior(x)
		}
		m := orig
		xs, ws := slices.Clone(x), slices.Clone(w)
		_, err := m.Fit(x, &gmm.Settings{Method: gmm.Method(method % 2), MaxSteps: 300, Restarts: 2, Weights: w})
		if !equalFloats(x, xs) || !equalFloats(w, ws) {
			t.Fatalf("Fit changed the data or the weights")
		}
		if err != nil {
			if !equalModels(&m, &orig) {
				t.Fatalf("failed Fit changed the model: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("Fit returned an invalid model: %v (%+v)", err, m)
		}
	})
}

// fitMustSucceed reports whether Fit is documented to succeed on x with K
// components under the prior, but for the errors fitErrorDocumented
// names: K ≥ 1, a valid proper prior with Concentration ≥ 1 and finite,
// non-empty data.
func fitMustSucceed(x []float64, K int, prior gmm.Prior) bool {
	if K < 1 || len(x) == 0 || prior.IsZero() || prior.Validate() != nil || prior.Concentration < 1 {
		return false
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// fitErrorDocumented reports whether err is one of the errors Fit documents
// for finite data under a proper prior: a value too far from the median,
// data that span more than the float64 range or whose spread is too small
// to scale, and a prior whose scale is more than 1e100 from the data's.
func fitErrorDocumented(err error) bool {
	for _, s := range []string{
		"robust spreads from the median",
		"span more than the float64 range",
		"too small to scale",
		"more than 1e100 apart",
	} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// FuzzFitStream fits a stream built from arbitrary values, repeated with a
// small jitter to more than the 8192 points of the sample so that the
// passes over the stream run, cut into chunks of an arbitrary size and
// weighted by arbitrary weights, invalid ones included. FitStream must
// return an error, leaving the model as it was, or a valid model; it must
// never panic.
func FuzzFitStream(f *testing.F) {
	f.Add(bytesOf(1.4, 1.3, 1.5, 4.5, 5.1, 4.9), []byte{1, 2, 3, 0}, uint16(1000), 2, false, uint8(0))
	f.Add(bytesOf(3, 3, 3), []byte{}, uint16(1), 2, true, uint8(1))
	f.Add(bytesOf(1e12, -1e12), []byte{6}, uint16(9000), 1, false, uint8(2))
	f.Add(bytesOf(0.5), []byte{0}, uint16(77), 3, true, uint8(3))
	choices := []float64{0, 1, 2, 0.5, 1e-300, 1e300, math.NaN(), -1, math.Inf(1), 3}
	f.Fuzz(func(t *testing.T, data, wb []byte, size uint16, k int, prior bool, mode uint8) {
		v := floatsFrom(data)
		if len(v) == 0 {
			return
		}
		const n = 9000
		x, w := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = v[i%len(v)] * (1 + 1e-6*float64(i%13))
			w[i] = 1
			if len(wb) > 0 {
				w[i] = choices[int(wb[i%len(wb)])%len(choices)]
			}
		}
		k = k%4 + 1
		orig := gmm.Model{K: k}
		if prior {
			orig.Prior = gmm.DefaultPrior(v)
		}
		m := orig
		s := &gmm.Settings{Method: gmm.Method(mode % 2), MaxSteps: 50, Restarts: 2, Online: mode%4 >= 2}
		// A fit of 9000 points takes about 0.1 s; one that runs for a
		// minute is stuck, and the deadline turns it into a failure that
		// the fuzzer records.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := m.FitStream(ctx, chunks(x, w, int(size)+1), s)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("FitStream ran for more than a minute")
		}
		if err != nil {
			if !equalModels(&m, &orig) {
				t.Fatalf("failed FitStream changed the model: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("FitStream returned an invalid model: %v (%+v)", err, m)
		}
	})
}

// FuzzPosteriorWeights runs Posterior on arbitrary data with arbitrary
// sample weights, each byte of w choosing one from a list that holds the
// invalid ones too, by Gibbs or VB. It must return an error, leaving the
// data and the weights as they were, or draws that are valid mixtures; it
// must never panic. Weights other than 0 and 1 must be refused by Gibbs,
// and valid ones taken by VB on data Posterior is documented to take.
func FuzzPosteriorWeights(f *testing.F) {
	f.Add(bytesOf(1.4, 1.3, 1.5, 4.5, 5.1, 4.9), []byte{1, 2, 3, 0, 1, 2}, uint8(2), true)
	f.Add(bytesOf(1.4, 1.3, 1.5, 4.5, 5.1, 4.9), []byte{1, 1, 0, 0, 1, 1}, uint8(2), false)
	f.Add(bytesOf(3, 3, 3, 7), []byte{4, 4, 4, 5}, uint8(1), true)
	f.Add(bytesOf(1, 2, 3), []byte{6, 1, 1}, uint8(0), true)
	choices := []float64{0, 1, 2, 0.5, 1e-300, 1e300, math.NaN(), -1, math.Inf(1), 3}
	f.Fuzz(func(t *testing.T, data, wb []byte, k uint8, vb bool) {
		x := floatsFrom(data)
		w := make([]float64, len(x))
		for i := range w {
			w[i] = 1
			if i < len(wb) {
				w[i] = choices[int(wb[i])%len(choices)]
			}
		}
		K := int(k%3) + 1
		method := gmm.Gibbs
		if vb {
			method = gmm.VB
		}
		m := &gmm.Model{K: K, Prior: gmm.DefaultPrior(x)}
		xs, ws := slices.Clone(x), slices.Clone(w)
		p, err := m.Posterior(x, &gmm.PosteriorSettings{Method: method, Chains: 1, Draws: 10, Warmup: 10, Weights: w})
		if !equalFloats(x, xs) || !equalFloats(w, ws) {
			t.Fatal("Posterior changed the data or the weights")
		}
		if err != nil {
			return
		}
		if method == gmm.Gibbs && slices.ContainsFunc(w, func(v float64) bool { return v != 0 && v != 1 }) {
			t.Fatalf("Gibbs took weights %v", w)
		}
		for d := range p.Weights {
			var s float64
			for k := range K {
				if !(p.Weights[d][k] >= 0) || math.IsNaN(p.Means[d][k]) || math.IsInf(p.Means[d][k], 0) || !(p.Sigmas[d][k] > 0) {
					t.Fatalf("draw %d is not a valid mixture: %v %v %v", d, p.Weights[d], p.Means[d], p.Sigmas[d])
				}
				s += p.Weights[d][k]
			}
			if math.Abs(s-1) > 1e-9 {
				t.Fatalf("draw %d's weights sum to %v", d, s)
			}
		}
	})
}
