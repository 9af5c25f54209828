package mv

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/internal/mvkernel"
)

// Stats are the sufficient statistics of an E-step: the sums that one pass
// over the data adds up at a model's parameters, from which Update makes
// the M-step. With r_ik the responsibilities at those parameters, v_i the
// points' weights and p(x_i) the mixture density,
//
//	Total = Σ_i v_i,  LogLik = Σ_i v_i log p(x_i),  Hard = Σ_i v_i (−log max_k r_ik)
//	W_k   = Σ_i v_i r_ik
//	m_k   = Σ_i v_i r_ik x_i / W_k                   (0 where W_k is 0)
//	M2_k  = Σ_i v_i r_ik (x_i − m_k)(x_i − m_k)ᵀ
//
// The second moments are centred on each component's own weighted mean,
// and Merge combines two sets of them by the update of Chan, Golub &
// LeVeque (1979), so that sums over 10⁹ points far from zero lose no
// precision. The prior enters only in Update, never in the sums: merged
// statistics give the same M-step as one pass over all the points.
//
// Stats have only exported fields, so that any encoder can carry them;
// MarshalBinary gives a compact form. Fit and FitStream add up the same
// type in their passes.
type Stats struct {
	K, D   int     // components and dimensions
	Total  float64 // Σ v_i
	LogLik float64 // Σ v_i log p(x_i)
	Hard   float64 // Σ v_i (−log max_k r_ik), the term ICL adds to BIC, halved
	W      []float64
	// Mean holds m_k in row k of a K×D row-major array.
	Mean []float64
	// M2 holds M2_k, D×D row-major with both triangles, at k·D·D.
	M2 []float64
}

// The conversions below rely on Stats and mvkernel.Stats having the same
// fields in the same order; this fails to compile if they part.
var _ = (*mvkernel.Stats)((*Stats)(nil))

func (st *Stats) kernel() *mvkernel.Stats { return (*mvkernel.Stats)(st) }

// NewStats returns zero statistics for k components in d dimensions: those
// of no points. A k or d below 1 gives the zero Stats{}, which Accumulate
// and Merge fill in and Update rejects. NewStats(k, d) and Stats{} both
// merge as the identity.
func NewStats(k, d int) *Stats {
	return (*Stats)(mvkernel.NewStats(max(k, 0), max(d, 0)))
}

// Reset sets st to the statistics of no points, keeping K and D.
func (st *Stats) Reset() { st.kernel().Reset() }

// check returns an error unless st has K ≥ 1 components in D ≥ 1
// dimensions, slices of those lengths and finite sums, with Total and each
// W_k non-negative.
func (st *Stats) check() error {
	if st == nil {
		return errors.New("mv: the Stats are nil; make them with NewStats(K, d)")
	}
	k, d := st.K, st.D
	if k < 1 || d < 1 || k > maxStatsDim || d > maxStatsDim {
		return fmt.Errorf("mv: Stats have K = %d and D = %d; make them with NewStats(K, d), K and d from 1 to %d", k, d, maxStatsDim)
	}
	if len(st.W) != k || len(st.Mean) != k*d || len(st.M2) != k*d*d {
		return fmt.Errorf("mv: Stats for K = %d, D = %d have %d W, %d Mean and %d M2 values; want K, K·D and K·D·D (make them with NewStats)", k, d, len(st.W), len(st.Mean), len(st.M2))
	}
	if !(st.Total >= 0) || math.IsInf(st.Total, 0) || !finite(st.LogLik) || !finite(st.Hard) {
		return fmt.Errorf("mv: Stats have Total %v, LogLik %v and Hard %v; Total must be finite and ≥ 0, the others finite", st.Total, st.LogLik, st.Hard)
	}
	for j, w := range st.W {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("mv: Stats have W[%d] = %v; the weights of the components must be finite and ≥ 0", j, w)
		}
	}
	for _, a := range [][]float64{st.Mean, st.M2} {
		for _, v := range a {
			if !finite(v) {
				return errors.New("mv: Stats have a Mean or M2 value that is not finite; the sums overflowed or were corrupted")
			}
		}
	}
	return nil
}

// isZero reports whether st is the zero Stats{} (and not nil).
func (st *Stats) isZero() bool {
	return st != nil && st.K == 0 && st.D == 0 && st.W == nil && st.Mean == nil && st.M2 == nil &&
		st.Total == 0 && st.LogLik == 0 && st.Hard == 0
}

// maxStatsDim bounds K and D in Stats, so that K·D·D cannot overflow and
// UnmarshalBinary never allocates beyond what its input holds.
const maxStatsDim = 1 << 16

// Merge adds o to st, so that st holds the statistics of both sets of
// points: W_k, Total, LogLik and Hard add, and the means and centred second
// moments combine by Chan, Golub & LeVeque's (1979) update, with a = W_k,
// b = W_k(o) and δ = m_k(o) − m_k,
//
//	m_k ← m_k + δ b/(a+b),   M2_k ← M2_k + M2_k(o) + δδᵀ ab/(a+b).
//
// Merging is commutative and associative up to rounding. The zero
// Stats{} is the identity: merged into, it becomes a copy of o. o is not
// modified. Merge returns an error, leaving st unchanged, if either is not
// valid (see NewStats) or their K or D differ.
func (st *Stats) Merge(o *Stats) error {
	if o.isZero() {
		return nil
	}
	if err := o.check(); err != nil {
		return err
	}
	if st.isZero() {
		st.K, st.D = o.K, o.D
		st.W, st.Mean, st.M2 = make([]float64, o.K), make([]float64, o.K*o.D), make([]float64, o.K*o.D*o.D)
	}
	if err := st.check(); err != nil {
		return err
	}
	if st.K != o.K || st.D != o.D {
		return fmt.Errorf("mv: cannot merge Stats for K = %d, D = %d into Stats for K = %d, D = %d; merge statistics of the same model", o.K, o.D, st.K, st.D)
	}
	st.kernel().Merge(o.kernel())
	return nil
}

// Accumulate runs the E-step at m's parameters over the rows of x and adds
// its statistics to st: the responsibilities of each point under the
// current weights, means and covariances, times the point's weight w_i
// (w nil: all 1). Calls on separate chunks of data, or on separate Stats
// merged afterwards, give the statistics of all the data. A NaN marks a
// missing coordinate, as with Settings.AllowMissing: the row adds the
// expected statistics given its observed coordinates (Ghahramani & Jordan
// 1994), and a row that misses every coordinate adds nothing. Neither x
// nor w is modified.
//
// st may be the zero Stats{}, which Accumulate sizes for m. Accumulate
// returns an error, leaving st unchanged, if m is not a valid fitted model
// (see Validate), st does not have m's K and d (make it with
// NewStats(m.K, d)), x has an infinite value or does not have d columns, or w does not hold one finite non-negative weight per row.
func (m *Model) Accumulate(st *Stats, x mat.Matrix, w []float64) error {
	if err := m.Validate(); err != nil {
		return err
	}
	d := m.dim()
	if !st.isZero() {
		if err := st.check(); err != nil {
			return err
		}
	}
	if !st.isZero() && (st.K != m.K || st.D != d) {
		return fmt.Errorf("mv: Stats are for K = %d, D = %d and the model has K = %d, d = %d; make them with NewStats(%d, %d)", st.K, st.D, m.K, d, m.K, d)
	}
	data, err := checkDataMissing(x, true)
	if err != nil {
		return err
	}
	if data.D != d {
		return fmt.Errorf("mv: the data have %d columns and the model %d", data.D, d)
	}
	if err := checkChunkWeights(w, data.N); err != nil {
		return err
	}
	data.V = w
	tmp := NewStats(m.K, d)
	if hasNaN(data) {
		p := m.paramsOf()
		kp, err := p.kernelParams()
		if err != nil {
			return err
		}
		if err := newMissPass(data, m.K).run(context.Background(), p, kp, tmp.kernel()); err != nil {
			return err
		}
	} else if err := m.pass(data, mvkernel.Out{Stats: tmp.kernel()}); err != nil {
		return err
	}
	return st.Merge(tmp)
}

// checkChunkWeights returns an error unless w is nil or holds n finite
// non-negative weights; unlike Settings.Weights they may all be 0.
func checkChunkWeights(w []float64, n int) error {
	if w == nil {
		return nil
	}
	if len(w) != n {
		return fmt.Errorf("mv: %d weights for %d points; give one per point, or nil for all 1", len(w), n)
	}
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("mv: weight %d is %v; weights must be finite and non-negative", i, v)
		}
	}
	return nil
}

// Update makes the M-step from st, statistics taken at m's parameters (by
// Accumulate, or merged from several sets), and sets m.Weights, m.Means and
// m.Covariances to the parameters that maximise the expected log joint
// density, the same step that Fit iterates: the weights
//
//	w_k = (W_k + α − 1) / (Total + K(α − 1)),
//
// with α the prior's Concentration (1 under maximum likelihood), and the
// means and covariances from the covariance model's M-step (Celeux &
// Govaert 1995; Browne & McNicholas 2014 for VEE, EVE, VVE and EVV) with
// the counts W_k, the means m_k and the scatters M2_k, and the prior's
// terms of Fraley & Raftery (2007). A component that holds no weight keeps
// its mean and covariance (and gets weight 0 under maximum likelihood).
// The components keep their order.
//
// Update returns an error, leaving m unchanged, if st is not valid or not
// for m's K, if m has no parameters yet while some component holds no
// weight (fit it or give its parameters), if the Prior is invalid, or if a
// covariance would be singular: the error names the component and says
// what to do.
func (m *Model) Update(st *Stats) error { return m.update(st, nil) }

// update is Update with the parameters fx fixes (nil: none) left at their
// values, bit for bit, and the others updated given them, as in a fit.
func (m *Model) update(st *Stats, fx *fixing) error {
	if err := st.check(); err != nil {
		return err
	}
	if m.K != st.K {
		return fmt.Errorf("mv: Stats are for K = %d and the model has K = %d; take them at the model's parameters", st.K, m.K)
	}
	if !m.Covariance.valid() {
		return fmt.Errorf("mv: %v is not a covariance model; use one of EII … VVV (see ParseCovariance)", m.Covariance)
	}
	d := st.D
	if err := m.Prior.Validate(d); err != nil {
		return err
	}
	if !(st.Total > 0) {
		return errors.New("mv: Stats hold no weight (Total is 0); accumulate some points first")
	}
	var cur *params
	if m.Validate() == nil {
		if m.dim() != d {
			return fmt.Errorf("mv: Stats are for D = %d and the model has d = %d", d, m.dim())
		}
		cur = m.paramsOf()
	} else {
		cur = newParams(m.K, d)
		for j := range m.K {
			if !(st.W[j] > emptyTol*st.Total) {
				return fmt.Errorf("mv: component %d holds no weight and the model has no parameters to keep for it; fit the model first, or use fewer components", j)
			}
		}
	}
	pr := m.updater(d)
	pr.fx = fx
	next := newParams(m.K, d)
	pr.mstep(st.kernel(), cur, next)
	if pr.mapErr != nil {
		return pr.mapErr
	}
	fx.apply(next)
	m.set(next)
	return nil
}

// updater returns a problem with no data that serves for M-steps of m.
func (m *Model) updater(d int) *problem {
	var prior = m.Prior.clone()
	scale := make([]float64, d)
	for j := range scale {
		scale[j] = 1
	}
	pr := newProblem(m.K, m.Covariance, mvkernel.Data{D: d, Stride: d}, nil, m.Prior.alpha(), scale, degenerateTol)
	if prior.hasNIW() {
		pr.prior = prior.niw()
	}
	return pr
}

// statsVersion is the first byte of MarshalBinary's encoding.
const statsVersion = 1

// MarshalBinary encodes st: the version byte 1, K and D as unsigned 32-bit
// integers, then Total, LogLik, Hard, W, Mean and M2 as IEEE 754 doubles, all
// little-endian. It returns an error if st is not valid.
func (st *Stats) MarshalBinary() ([]byte, error) {
	if err := st.check(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, statsLen(st.K, st.D))
	b = append(b, statsVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(st.K))
	b = binary.LittleEndian.AppendUint32(b, uint32(st.D))
	for _, v := range []float64{st.Total, st.LogLik, st.Hard} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	for _, a := range [][]float64{st.W, st.Mean, st.M2} {
		for _, v := range a {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b, nil
}

// statsLen returns the length of the encoding of Stats for k and d.
func statsLen(k, d int) int { return 9 + 8*(3+k+k*d+k*d*d) }

// UnmarshalBinary sets st from MarshalBinary's encoding. It returns an
// error, leaving st unchanged, for another version, a length that does not
// match K and D, or statistics that are not valid (a value that is not
// finite, or a negative weight).
func (st *Stats) UnmarshalBinary(b []byte) error {
	if len(b) < 9 {
		return fmt.Errorf("mv: Stats encoding has %d bytes; it needs at least 9", len(b))
	}
	if b[0] != statsVersion {
		return fmt.Errorf("mv: Stats encoding has version %d; this package reads version %d", b[0], statsVersion)
	}
	k64, d64 := uint64(binary.LittleEndian.Uint32(b[1:])), uint64(binary.LittleEndian.Uint32(b[5:]))
	if k64 < 1 || d64 < 1 || k64 > maxStatsDim || d64 > maxStatsDim {
		return fmt.Errorf("mv: Stats encoding has K = %d and D = %d; both must be from 1 to %d", k64, d64, maxStatsDim)
	}
	if want := 9 + 8*(3+k64+k64*d64+k64*d64*d64); uint64(len(b)) != want {
		return fmt.Errorf("mv: Stats encoding for K = %d, D = %d has %d bytes; want %d", k64, d64, len(b), want)
	}
	k, d := int(k64), int(d64)
	t := NewStats(k, d)
	off := 9
	next := func() float64 {
		v := math.Float64frombits(binary.LittleEndian.Uint64(b[off:]))
		off += 8
		return v
	}
	t.Total, t.LogLik, t.Hard = next(), next(), next()
	for _, a := range [][]float64{t.W, t.Mean, t.M2} {
		for i := range a {
			a[i] = next()
		}
	}
	if err := t.check(); err != nil {
		return err
	}
	*st = *t
	return nil
}
