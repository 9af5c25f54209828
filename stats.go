package gmm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/gmm-go/gmm/internal/kernel"
)

// Stats are the sufficient statistics of one EM step of a K-component
// mixture: what a pass over the data adds up at the model's parameters, and
// all the M-step (Update) reads. With r_ik the responsibilities at those
// parameters and v_i the points' weights (1 unless given),
//
//	Total  = Σ_i v_i
//	LogLik = Σ_i v_i log p(x_i)
//	W_k    = Σ_i v_i r_ik
//	Mean_k = Σ_i v_i r_ik x_i / W_k                (any finite value where W_k = 0)
//	M2_k   = Σ_i v_i r_ik (x_i − Mean_k)²
//
// in the data's units. The sums are centred on each component's mean, so
// that they keep their precision however many points they hold and
// however far from zero the data lie, and two sets over different data
// merge exactly as one set over both would be (Merge). The prior's terms
// are applied in Update, never in the sums, so merged statistics give the
// fit one pass over all the data gives.
//
// Stats have exported fields only, of plain types, so that any encoder can
// carry them; MarshalBinary gives a compact form. A zero Stats, or one from
// NewStats with nothing added, is empty: merging it changes nothing.
type Stats struct {
	Total  float64
	LogLik float64
	W      []float64
	Mean   []float64
	M2     []float64
}

// NewStats returns empty statistics for k components.
func NewStats(k int) *Stats {
	k = max(k, 0)
	return &Stats{W: make([]float64, k), Mean: make([]float64, k), M2: make([]float64, k)}
}

// empty reports whether st holds nothing: no weight and no log-likelihood.
func (st *Stats) empty() bool {
	if st.Total != 0 || st.LogLik != 0 {
		return false
	}
	for k := range st.W {
		if st.W[k] != 0 || st.M2[k] != 0 {
			return false
		}
	}
	return true
}

// check returns an error if st is not a valid set of statistics for k
// components (k < 0: any number).
func (st *Stats) check(k int) error {
	if len(st.Mean) != len(st.W) || len(st.M2) != len(st.W) {
		return fmt.Errorf("gmm: Stats have %d W, %d Mean and %d M2; give one of each per component (use NewStats)", len(st.W), len(st.Mean), len(st.M2))
	}
	if k >= 0 && len(st.W) != k {
		return fmt.Errorf("gmm: Stats are for %d components, the model has %d; accumulate with a model of the same K", len(st.W), k)
	}
	if !(st.Total >= 0) || math.IsInf(st.Total, 0) {
		return fmt.Errorf("gmm: Stats Total is %v; it must be finite and non-negative", st.Total)
	}
	if math.IsNaN(st.LogLik) || math.IsInf(st.LogLik, 1) {
		return fmt.Errorf("gmm: Stats LogLik is %v; it must not be NaN or +Inf", st.LogLik)
	}
	for k := range st.W {
		switch {
		case !(st.W[k] >= 0) || math.IsInf(st.W[k], 0):
			return fmt.Errorf("gmm: Stats W[%d] is %v; it must be finite and non-negative", k, st.W[k])
		case !isFinite(st.Mean[k]):
			return fmt.Errorf("gmm: Stats Mean[%d] is %v; it must be finite", k, st.Mean[k])
		case !(st.M2[k] >= 0) || math.IsInf(st.M2[k], 0):
			return fmt.Errorf("gmm: Stats M2[%d] is %v; it must be finite and non-negative", k, st.M2[k])
		}
	}
	return nil
}

// Merge adds the statistics o to st, as if st had been accumulated over
// o's data too, by the pairwise update of Chan, Golub & LeVeque (1979,
// "Updating formulae and a pairwise algorithm for computing sample
// variances", Stanford CS report STAN-CS-79-773): for each component, with
// δ = Mean_o − Mean_st,
//
//	W    = W_st + W_o
//	Mean = Mean_st + δ·W_o/W
//	M2   = M2_st + M2_o + δ²·W_st·W_o/W
//
// and Total and LogLik added. An empty o (nothing accumulated, of any
// size) changes nothing, and an empty zero Stats takes o's number of
// components. Merge returns an error, and
// leaves st unchanged, if either is invalid (a negative, NaN or infinite
// sum) or they are for different numbers of components. It never modifies
// o.
func (st *Stats) Merge(o *Stats) error {
	if err := o.check(-1); err != nil {
		return err
	}
	if o.empty() {
		return st.check(-1)
	}
	if len(st.W) == 0 && st.empty() {
		if err := st.check(-1); err != nil {
			return err
		}
		*st = *NewStats(len(o.W))
	}
	if err := st.check(len(o.W)); err != nil {
		return err
	}
	st.merge(o)
	return nil
}

// merge is Merge on valid statistics of the same size.
func (st *Stats) merge(o *Stats) {
	st.Total += o.Total
	st.LogLik += o.LogLik
	for k := range st.W {
		wa, wb := st.W[k], o.W[k]
		switch {
		case wb == 0:
			st.M2[k] += o.M2[k]
		case wa == 0:
			st.W[k], st.Mean[k], st.M2[k] = wb, o.Mean[k], st.M2[k]+o.M2[k]
		default:
			w := wa + wb
			d := o.Mean[k] - st.Mean[k]
			st.W[k] = w
			st.Mean[k] += d * (wb / w)
			st.M2[k] += o.M2[k] + d*d*(wa*(wb/w))
		}
	}
}

// setRaw sets st from the sums of a pass about the means mu, N_k = Σ v r,
// S1_k = Σ v r (u − μ_k) and S2_k = Σ v r (u − μ_k)², and the pass's total
// weight: Mean_k = μ_k + S1_k/N_k and M2_k = S2_k − S1_k²/N_k.
func (st *Stats) setRaw(r *kernel.Stats, mu []float64, total float64) {
	st.Total, st.LogLik = total, r.LogLik
	for k := range st.W {
		n, s1 := r.N[k], r.S1[k]
		st.W[k], st.Mean[k], st.M2[k] = n, mu[k], r.S2[k]
		if n > 0 {
			d := s1 / n
			st.Mean[k] = mu[k] + d
			st.M2[k] = max(r.S2[k]-d*s1, 0)
		}
	}
}

// binaryVersion is the first byte of Stats' binary form.
const binaryVersion = 1

// MarshalBinary encodes st: a version byte (1), K as a little-endian
// uint32, then Total, LogLik and the K values of W, Mean and M2 in turn,
// each a little-endian IEEE 754 float64. It returns an error if st's
// slices differ in length.
func (st *Stats) MarshalBinary() ([]byte, error) {
	if len(st.Mean) != len(st.W) || len(st.M2) != len(st.W) || len(st.W) > math.MaxUint32 {
		return nil, fmt.Errorf("gmm: Stats have %d W, %d Mean and %d M2; give one of each per component (use NewStats)", len(st.W), len(st.Mean), len(st.M2))
	}
	K := len(st.W)
	b := make([]byte, 0, 1+4+8*(2+3*K))
	b = append(b, binaryVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(K))
	put := func(v float64) { b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v)) }
	put(st.Total)
	put(st.LogLik)
	for _, s := range [][]float64{st.W, st.Mean, st.M2} {
		for _, v := range s {
			put(v)
		}
	}
	return b, nil
}

// UnmarshalBinary decodes the form MarshalBinary writes into st. It
// returns an error, and leaves st unchanged, if b is not such a form (an
// unknown version, a wrong length) or holds invalid statistics (negative,
// NaN or infinite sums).
func (st *Stats) UnmarshalBinary(b []byte) error {
	const head = 1 + 4 + 16
	if len(b) < head {
		return fmt.Errorf("gmm: binary Stats of %d bytes; at least %d expected", len(b), head)
	}
	if b[0] != binaryVersion {
		return fmt.Errorf("gmm: binary Stats of version %d; this package reads version %d", b[0], binaryVersion)
	}
	K := binary.LittleEndian.Uint32(b[1:])
	if want := uint64(head) + 24*uint64(K); uint64(len(b)) != want {
		return fmt.Errorf("gmm: binary Stats for K = %d have %d bytes; %d expected", K, len(b), want)
	}
	get := func(i int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b[head-16+8*i:])) }
	n := NewStats(int(K))
	n.Total, n.LogLik = get(0), get(1)
	for k := range int(K) {
		n.W[k], n.Mean[k], n.M2[k] = get(2+k), get(2+int(K)+k), get(2+2*int(K)+k)
	}
	if err := n.check(-1); err != nil {
		return errors.New("gmm: binary Stats are invalid: " + err.Error())
	}
	*st = *n
	return nil
}

// Accumulate adds to st the statistics of the points x, weighted by w (one
// finite, non-negative weight per point; nil means all 1), at m's
// parameters: the E-step of EM, in the data's units (see Stats). st may be
// a zero Stats{}, which takes m.K components, or statistics for m.K
// components to add to. Accumulating the data in pieces, or on several
// machines whose Stats are then merged, gives the statistics of one pass
// over all of it, to rounding.
//
// It returns an error, and leaves st unchanged, if m is not fitted (wrapping
// ErrNotFitted: the E-step needs parameters), x holds NaN or ±Inf, w has a
// length other than len(x) or a negative, NaN or infinite weight, st is
// invalid or for another K, or the sums overflow (a value so far from
// every component that its squared distance does). It never modifies x or
// w.
func (m *Model) Accumulate(st *Stats, x, w []float64) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if len(x) > 0 {
		if err := checkData(x); err != nil {
			return err
		}
	}
	total, err := checkWeights(w, len(x), false)
	if err != nil {
		return err
	}
	part, err := m.stats(x, w, total)
	if err != nil {
		return err
	}
	return st.Merge(part)
}

// stats returns the statistics of the points x, of weights w and total
// weight total, at m's parameters.
func (m *Model) stats(x, w []float64, total float64) (*Stats, error) {
	K := m.K
	part := NewStats(K)
	if len(x) == 0 {
		return part, nil
	}
	p := kernel.NewParams(K)
	p.Set(m.Weights, m.Means, m.Sigmas)
	raw := kernel.NewStats(K)
	kernel.NewWeightedEngine(x, w, 0, 1, K).Pass(p, raw)
	part.setRaw(raw, m.Means, total)
	if err := part.check(K); err != nil {
		return nil, fmt.Errorf("gmm: the statistics of the data at the model's parameters overflow (%v): a value lies too far from every component, or a σ is below 4e-309; refit the model on these data", err)
	}
	return part, nil
}

// checkWeights returns the total of the weights w of n points (n if w is
// nil), or an error if w has the wrong length or a weight is negative, NaN
// or infinite, or, if positive is set, if the total is not positive and
// finite.
func checkWeights(w []float64, n int, positive bool) (float64, error) {
	if w == nil {
		return float64(n), nil
	}
	if len(w) != n {
		return 0, fmt.Errorf("gmm: %d weights for %d points; give one weight per point, or nil for all 1", len(w), n)
	}
	var t float64
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("gmm: weight %d is %v; weights must be finite and non-negative (0 leaves a point out)", i, v)
		}
		t += v
	}
	if math.IsInf(t, 0) {
		return 0, errors.New("gmm: the weights sum to more than the float64 range; divide them all by the same large number (under maximum likelihood this changes nothing)")
	}
	if positive && !(t > 0) {
		return 0, errors.New("gmm: every weight is zero; give at least one point a positive weight")
	}
	return t, nil
}

// Update sets m's parameters to the M-step of EM from the statistics st,
// accumulated at m's current parameters: the maximum a posteriori update
// under m.Prior (maximum likelihood for the zero Prior), in closed form,
// with the components' standard deviations shared if m.SharedSigma is set.
// For component k, with W = W_k, m = Mean_k, n = Total, the current σ,
// and S = M2_k + W (m − μ)² the weighted squared deviations about the new
// mean μ, the prior's α, μ0, s0, a0 and b0 (see Prior),
//
//	w = (W + α − 1) / (n + Kα − K)                         (W/n with no prior)
//	μ = (W m / σ² + μ0 / s0²) / (W / σ² + 1 / s0²)         (m with no prior)
//	σ = (b0 + √(b0² + 4 c S)) / (2c),  c = a0 + 1 + W       prior on σ
//	σ² = (S + 2 b0) / (W + 2 a0 + 2)                       prior on σ²
//	σ² = S / W                                             no prior
//
// the mean given the current σ and then σ given the new mean (ECM, Meng &
// Rubin 1993; the σ update is the positive root of c σ² − b0 σ − S = 0),
// and with SharedSigma one σ from S summed over the components, with n in
// place of W. It is the update every step of Fit by EM makes, applied to
// the data's units.
//
// Under maximum likelihood each σ_k is kept at or above 1e-3 times the
// standard deviation of all the data, as st gives it (the default of
// Settings.SigmaFloor, relative to the plain standard deviation instead of
// the robust spread Fit uses, which the statistics do not hold). The
// components keep their order.
//
// It returns an error, and leaves m unchanged, if m is not fitted (wrapping
// ErrNotFitted), st is invalid, empty or for another K, m.Prior has
// Concentration < 1, or the update does not give a valid model (a
// component that under maximum likelihood holds no weight gets weight 0
// and keeps its mean).
func (m *Model) Update(st *Stats) error { return m.update(st, Fixed{}) }

// update is Update with the parameters fix names left as they are in m,
// bit for bit, and the others updated given them.
func (m *Model) update(st *Stats, fix Fixed) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := st.check(m.K); err != nil {
		return err
	}
	if !(st.Total > 0) {
		return errors.New("gmm: the statistics hold no weight; accumulate some data before Update")
	}
	if !m.Prior.IsZero() && m.Prior.Concentration < 1 {
		return fmt.Errorf("gmm: prior Concentration is %v; the MAP update needs 1 or more", m.Prior.Concentration)
	}
	var floor float64
	if m.Prior.IsZero() {
		floor = defaultSigmaFloor * st.spread()
	}
	K := m.K
	cur, next := newMix(K), newMix(K)
	for k := range K {
		cur.logW[k] = math.Log(m.Weights[k])
	}
	copy(cur.mu, m.Means)
	copy(cur.sigma, m.Sigmas)
	m.Prior.mstep(st, cur, floor, m.SharedSigma, fix, next)
	w := make([]float64, K)
	for k := range K {
		w[k] = math.Exp(next.logW[k])
	}
	normalise(w)
	if fix.Weights {
		copy(w, m.Weights)
	}
	if fix.Means {
		copy(next.mu, m.Means)
	}
	if fix.Sigmas {
		copy(next.sigma, m.Sigmas)
	}
	f := Model{K: K, Prior: m.Prior, SharedSigma: m.SharedSigma, Weights: w, Means: next.mu, Sigmas: next.sigma}
	if err := f.validate(); err != nil {
		return fmt.Errorf("gmm: the update from these statistics is not a valid model (%v); accumulate more data, or use a prior (DefaultPrior)", err)
	}
	m.Weights, m.Means, m.Sigmas = f.Weights, f.Means, f.Sigmas
	return nil
}

// spread returns the standard deviation of all the data the statistics
// hold: the square root of the pooled M2 and the spread of the means about
// their weighted average, over Total.
func (st *Stats) spread() float64 {
	var w, c float64
	for k, v := range st.W {
		w += v
		c += v * st.Mean[k]
	}
	if !(w > 0) {
		return 0
	}
	c /= w
	var s float64
	for k, v := range st.W {
		d := st.Mean[k] - c
		s += st.M2[k] + v*d*d
	}
	return math.Sqrt(s / w)
}

// mix holds a K-component mixture's parameters as the M-step reads and
// writes them: the weights' logarithms, the means and the standard
// deviations.
type mix struct{ logW, mu, sigma []float64 }

func newMix(K int) mix {
	return mix{logW: make([]float64, K), mu: make([]float64, K), sigma: make([]float64, K)}
}

// mstep sets next to the ECM update (Meng & Rubin 1993) of the mixture cur
// from the statistics st accumulated at cur, given p, in st's units: the
// weights, then each mean given its current σ, then σ given the new mean.
// For component k, with W = W_k, m = Mean_k, n = Total and
// S = M2_k + W (m − μ)² the weighted squared deviations about the new
// mean μ,
//
//	w = (W + α − 1) / (n + Kα − K)
//	μ = (W m / σ² + μ0 / s0²) / (W / σ² + 1 / s0²)
//	σ = (b0 + √(b0² + 4 c S)) / (2c),  c = a0 + 1 + W       prior on σ
//	σ² = (S + 2 b0) / (W + 2 a0 + 2)                       prior on σ²
//
// the σ update being the positive root of c σ² − b0 σ − S = 0. With the
// zero Prior the updates are the maximum-likelihood ones, w = W/n,
// μ = m (an empty component keeps its mean: μ moves by W/(W + tiny) of
// the way) and σ = max(√(S/W), floor). With shared set, the one σ is
// updated from S summed over the components by sharedUpdate. The
// parameters fix names are left as in cur, and the others updated given
// them.
func (p Prior) mstep(st *Stats, cur mix, floor float64, shared bool, fix Fixed, next mix) {
	K := len(st.W)
	fk := float64(K)
	n := st.Total
	none := p.IsZero()
	var S float64
	for k := range K {
		W, m := st.W[k], st.Mean[k]
		mu, s := cur.mu[k], cur.sigma[k]
		switch {
		case fix.Weights:
			next.logW[k] = cur.logW[k]
		case none:
			next.logW[k] = math.Log(W / n)
		default:
			next.logW[k] = math.Log((W + p.Concentration - 1) / (n + fk*p.Concentration - fk))
		}
		mean := mu
		switch {
		case fix.Means:
		case none:
			mean = mu + (m-mu)*(W/(W+tiny))
		default:
			s2 := s * s
			ps := 1 / (p.MeanScale * p.MeanScale)
			mean = (W*m/s2 + p.MeanLoc*ps) / (W/s2 + ps)
		}
		next.mu[k] = mean
		d := m - mean
		Sk := st.M2[k] + W*d*d
		S += Sk
		next.sigma[k] = s
		if !fix.Sigmas && !shared {
			next.sigma[k] = p.sigmaUpdate(Sk, W, floor)
		}
	}
	if shared && !fix.Sigmas {
		sd := p.sharedUpdate(S, n, floor)
		for k := range K {
			next.sigma[k] = sd
		}
	}
}

// sigmaUpdate returns the update of one component's σ from S, its points'
// weighted squared deviations about its new mean, and W, their weight (see
// mstep).
func (p Prior) sigmaUpdate(S, W, floor float64) float64 {
	switch {
	case p.IsZero():
		return max(math.Sqrt(S/(W+tiny)), floor)
	case p.OnVariance:
		return math.Sqrt((S + 2*p.SigmaScale) / (W + 2*p.SigmaShape + 2))
	default:
		c, b := p.SigmaShape+1+W, p.SigmaScale
		return (b + math.Sqrt(b*b+4*c*S)) / (2 * c)
	}
}
