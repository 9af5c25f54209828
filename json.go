package gmm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// modelJSON is the JSON form of a Model.
type modelJSON struct {
	K       *int       `json:"k"`
	Weights []float64  `json:"weights"`
	Means   []float64  `json:"means"`
	Sigmas  []float64  `json:"sigmas"`
	Prior   *priorJSON `json:"prior"`
	// Shared is written only for a model with SharedSigma.
	Shared bool `json:"shared_sigma,omitempty"`
}

// priorJSON is the JSON form of a Prior other than the zero Prior, which is
// written as null.
type priorJSON struct {
	Concentration float64 `json:"concentration"`
	MeanLoc       float64 `json:"mean_loc"`
	MeanScale     float64 `json:"mean_scale"`
	SigmaShape    float64 `json:"sigma_shape"`
	SigmaScale    float64 `json:"sigma_scale"`
	OnVariance    bool    `json:"on_variance"`
}

// MarshalJSON writes a fitted model as
//
//	{"k": 2, "weights": [...], "means": [...], "sigmas": [...],
//	 "prior": {"concentration": 1, "mean_loc": 0, "mean_scale": 10,
//	           "sigma_shape": 1, "sigma_scale": 1, "on_variance": false}}
//
// with "prior": null for the zero Prior (no prior), and "shared_sigma":
// true added for a model with SharedSigma (it is left out otherwise). A
// zero Prior with OnVariance set is written as an object of zeros, which
// reads back as itself. Numbers are written in the shortest form that
// reads back to the same float64, so a model read back with UnmarshalJSON
// is equal to m and assigns exactly as m does. MarshalJSON returns an error if m is not a
// valid fitted model (see Validate).
func (m Model) MarshalJSON() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	k := m.K
	j := modelJSON{K: &k, Weights: m.Weights, Means: m.Means, Sigmas: m.Sigmas, Shared: m.SharedSigma}
	if !m.Prior.IsZero() || m.Prior.OnVariance {
		p := priorJSON(m.Prior)
		j.Prior = &p
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a model in the form MarshalJSON writes. The keys "k",
// "weights", "means", "sigmas" and "prior" must all be present; the prior,
// unless null, must have its six keys and no others, so that a misspelt key
// is an error rather than a silent zero. The key "shared_sigma" is
// optional: true sets SharedSigma, and false or its absence leaves it
// clear. Other top-level keys, such as a summary of the fit, are ignored.
// The model read must be valid: as many weights, means and sigmas as k,
// all finite, the weights non-negative and summing to 1 (within 1e-9), the
// sigmas positive (and all equal with "shared_sigma": true), and a valid
// prior. On error, m is left unchanged.
func (m *Model) UnmarshalJSON(data []byte) error {
	top, err := object(data, false, "k", "weights", "means", "sigmas", "prior")
	if err != nil {
		if strings.Contains(err.Error(), `"prior"`) {
			return fmt.Errorf("gmm: reading a model: %v; write \"prior\": null for no prior", err)
		}
		return fmt.Errorf("gmm: reading a model: %v", err)
	}
	var kp *int
	if err := json.Unmarshal(top["k"], &kp); err != nil {
		return fmt.Errorf("gmm: reading a model: k: %v", err)
	}
	if kp == nil {
		return errors.New("gmm: reading a model: k is null; it must be the number of components")
	}
	k := *kp
	var w, mu, s []float64
	for _, f := range []struct {
		key string
		dst *[]float64
	}{{"weights", &w}, {"means", &mu}, {"sigmas", &s}} {
		if *f.dst, err = numbers(top[f.key]); err != nil {
			return fmt.Errorf("gmm: reading a model: %s: %v", f.key, err)
		}
	}
	if len(w) != k || len(mu) != k || len(s) != k {
		return fmt.Errorf("gmm: reading a model: k is %d but there are %d weights, %d means and %d sigmas; give k of each",
			k, len(w), len(mu), len(s))
	}
	p, err := readPrior(top["prior"])
	if err != nil {
		return fmt.Errorf("gmm: reading a model: prior%v", err)
	}
	var shared bool
	if raw, ok := top["shared_sigma"]; ok {
		if err := json.Unmarshal(raw, &shared); err != nil || isNull(raw) {
			return errors.New("gmm: reading a model: shared_sigma must be true or false")
		}
	}
	nm := Model{K: k, Prior: p, SharedSigma: shared, Weights: w, Means: mu, Sigmas: s}
	if err := nm.Validate(); err != nil {
		return fmt.Errorf("gmm: reading a model: %s", strings.TrimPrefix(err.Error(), "gmm: "))
	}
	*m = nm
	return nil
}

// object decodes a JSON object and checks that each of keys is present. If
// exact is true, it also rejects any other key.
func object(data []byte, exact bool, keys ...string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, fmt.Errorf("want an object with the keys %s, got null", strings.Join(keys, ", "))
	}
	for _, key := range keys {
		if _, ok := obj[key]; !ok {
			return nil, fmt.Errorf("the key %q is missing", key)
		}
	}
	if exact && len(obj) != len(keys) {
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			if !slices.Contains(keys, key) {
				return nil, fmt.Errorf("unknown key %q; the keys are %s", key, strings.Join(keys, ", "))
			}
		}
	}
	return obj, nil
}

// numbers decodes a JSON array of numbers, rejecting null for the array or
// an element.
func numbers(data []byte) ([]float64, error) {
	if isNull(data) {
		return nil, errors.New("null; want an array of numbers")
	}
	var ptrs []*float64
	if err := json.Unmarshal(data, &ptrs); err != nil {
		return nil, err
	}
	x := make([]float64, len(ptrs))
	for i, p := range ptrs {
		if p == nil {
			return nil, fmt.Errorf("element %d is null", i)
		}
		x[i] = *p
	}
	return x, nil
}

func isNull(data []byte) bool { return bytes.Equal(bytes.TrimSpace(data), []byte("null")) }

// priorKeys are the keys of a Prior's JSON form, in order.
var priorKeys = []string{"concentration", "mean_loc", "mean_scale", "sigma_shape", "sigma_scale", "on_variance"}

// readPrior reads a Prior from its JSON form, null for the zero Prior. Its
// errors start with the key at fault, or ": ", to follow the word "prior".
func readPrior(data []byte) (Prior, error) {
	if isNull(data) {
		return Prior{}, nil
	}
	pf, err := object(data, true, priorKeys...)
	if err != nil {
		return Prior{}, fmt.Errorf(": %v", err)
	}
	var pj struct {
		Concentration, MeanLoc, MeanScale, SigmaShape, SigmaScale *float64
		OnVariance                                                *bool
	}
	for i, dst := range []any{&pj.Concentration, &pj.MeanLoc, &pj.MeanScale, &pj.SigmaShape, &pj.SigmaScale, &pj.OnVariance} {
		if err := json.Unmarshal(pf[priorKeys[i]], dst); err != nil {
			return Prior{}, fmt.Errorf(" %s: %v", priorKeys[i], err)
		}
	}
	if pj.Concentration == nil || pj.MeanLoc == nil || pj.MeanScale == nil ||
		pj.SigmaShape == nil || pj.SigmaScale == nil || pj.OnVariance == nil {
		return Prior{}, errors.New(" has a null value; give a number for each of its keys (true or false for on_variance)")
	}
	return Prior{*pj.Concentration, *pj.MeanLoc, *pj.MeanScale, *pj.SigmaShape, *pj.SigmaScale, *pj.OnVariance}, nil
}

// MarshalJSON writes p with the keys of the model's JSON form (see
// Model.MarshalJSON):
//
//	{"concentration": 1, "mean_loc": 0, "mean_scale": 10,
//	 "sigma_shape": 1, "sigma_scale": 1, "on_variance": false}
//
// The zero Prior, which means no prior, is written as null, as in a model's
// "prior". It returns an error if p is not valid (see Prior.Validate).
func (p Prior) MarshalJSON() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.IsZero() && !p.OnVariance {
		return []byte("null"), nil
	}
	return json.Marshal(priorJSON(p))
}

// UnmarshalJSON reads a Prior in the form MarshalJSON writes: null for the
// zero Prior, or an object with the six keys and no others, so that a
// misspelt key is an error rather than a silent zero. The prior read must
// be valid. On error, p is left unchanged.
func (p *Prior) UnmarshalJSON(data []byte) error {
	q, err := readPrior(data)
	if err != nil {
		return fmt.Errorf("gmm: reading a prior%v", err)
	}
	if err := q.Validate(); err != nil {
		return fmt.Errorf("gmm: reading a prior: %s", strings.TrimPrefix(err.Error(), "gmm: "))
	}
	*p = q
	return nil
}

// MarshalText writes m as its name, "adam" or "em", so that JSON holds the
// name. It returns an error for an unknown Method.
func (m Method) MarshalText() ([]byte, error) {
	switch m {
	case Adam, EM:
		return []byte(m.String()), nil
	}
	return nil, fmt.Errorf("gmm: unknown Method %d; use gmm.Adam or gmm.EM", int(m))
}

// UnmarshalText reads a Method from its name, "adam" or "em".
func (m *Method) UnmarshalText(b []byte) error {
	for _, v := range []Method{Adam, EM} {
		if string(b) == v.String() {
			*m = v
			return nil
		}
	}
	return fmt.Errorf("gmm: unknown method %q; use \"adam\" or \"em\"", b)
}

// MarshalText writes m as its name, "gibbs" or "vb", so that JSON holds the
// name. It returns an error for an unknown Inference.
func (m Inference) MarshalText() ([]byte, error) {
	switch m {
	case Gibbs, VB:
		return []byte(m.String()), nil
	}
	return nil, fmt.Errorf("gmm: unknown posterior Method %d; use gmm.Gibbs or gmm.VB", int(m))
}

// UnmarshalText reads an Inference from its name, "gibbs" or "vb".
func (m *Inference) UnmarshalText(b []byte) error {
	for _, v := range []Inference{Gibbs, VB} {
		if string(b) == v.String() {
			*m = v
			return nil
		}
	}
	return fmt.Errorf("gmm: unknown posterior method %q; use \"gibbs\" or \"vb\"", b)
}

// number is a float64 that JSON holds as null when it is NaN or ±Inf,
// which JSON numbers cannot be, and that reads null back as NaN.
type number float64

func (v number) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if !isFinite(f) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

func (v *number) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		*v = number(math.NaN())
		return nil
	}
	return json.Unmarshal(b, (*float64)(v))
}

// numbersOf converts x for JSON, nil staying nil.
func numbersOf(x []float64) []number {
	if x == nil {
		return nil
	}
	out := make([]number, len(x))
	for i, v := range x {
		out[i] = number(v)
	}
	return out
}

// resultJSON is the JSON form of a Result.
type resultJSON struct {
	Method    Method   `json:"method"`
	Loss      []number `json:"loss"`
	Converged bool     `json:"converged"`
	Steps     int      `json:"steps"`
	Restarts  int      `json:"restarts"`
	Best      int      `json:"best"`
	Warnings  []string `json:"warnings"`
}

// MarshalJSON writes r with lower-case keys, as the model's JSON has them:
//
//	{"method": "adam", "loss": [...], "converged": true, "steps": 192,
//	 "restarts": 3, "best": 0, "warnings": []}
//
// with a loss that is NaN or ±Inf written as null.
func (r Result) MarshalJSON() ([]byte, error) {
	w := r.Warnings
	if w == nil {
		w = []string{}
	}
	return json.Marshal(resultJSON{Method: r.Method, Loss: numbersOf(r.Loss), Converged: r.Converged,
		Steps: r.Steps, Restarts: r.Restarts, Best: r.Best, Warnings: w})
}

// paramsJSON is the JSON form of Params.
type paramsJSON struct {
	Weights []number `json:"weights"`
	Means   []number `json:"means"`
	Sigmas  []number `json:"sigmas"`
}

func (q Params) toJSON() paramsJSON {
	return paramsJSON{Weights: numbersOf(q.Weights), Means: numbersOf(q.Means), Sigmas: numbersOf(q.Sigmas)}
}

func (q paramsJSON) params() Params {
	conv := func(v []number) []float64 {
		if v == nil {
			return nil
		}
		out := make([]float64, len(v))
		for i, f := range v {
			out[i] = float64(f)
		}
		return out
	}
	return Params{Weights: conv(q.Weights), Means: conv(q.Means), Sigmas: conv(q.Sigmas)}
}

// MarshalJSON writes q as {"weights": [...], "means": [...], "sigmas":
// [...]}, the keys of the model's JSON, with NaN or ±Inf written as null
// (an R̂ or ESS of constant draws is NaN).
func (q Params) MarshalJSON() ([]byte, error) { return json.Marshal(q.toJSON()) }

// UnmarshalJSON reads Params in the form MarshalJSON writes, null as NaN.
func (q *Params) UnmarshalJSON(b []byte) error {
	var j paramsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("gmm: reading parameters: %v", err)
	}
	*q = j.params()
	return nil
}

// posteriorJSON is the JSON form of a Posterior.
type posteriorJSON struct {
	Method   Inference   `json:"method"`
	Prior    Prior       `json:"prior"`
	Chains   int         `json:"chains"`
	Draws    int         `json:"draws"`
	Weights  [][]float64 `json:"weights"`
	Means    [][]float64 `json:"means"`
	Sigmas   [][]float64 `json:"sigmas"`
	ELBO     []float64   `json:"elbo"`
	RHat     Params      `json:"rhat"`
	ESS      Params      `json:"ess"`
	Warnings []string    `json:"warnings"`
}

// MarshalJSON writes p with the keys of the model's JSON:
//
//	{"method": "gibbs", "prior": {...}, "chains": 4, "draws": 1000,
//	 "weights": [[...], ...], "means": [[...], ...], "sigmas": [[...], ...],
//	 "elbo": null, "rhat": {"weights": [...], "means": [...], "sigmas": [...]},
//	 "ess": {...}, "warnings": []}
//
// with the draws indexed [draw][component] as in p, "elbo" null for Gibbs,
// and an R̂ or ESS that is NaN written as null. It returns an error wrapping
// ErrNotFitted if p has no draws.
func (p Posterior) MarshalJSON() ([]byte, error) {
	if p.K() == 0 {
		return nil, errNoDraws
	}
	w := p.Warnings
	if w == nil {
		w = []string{}
	}
	return json.Marshal(posteriorJSON{Method: p.Method, Prior: p.Prior, Chains: p.Chains, Draws: p.Draws,
		Weights: p.Weights, Means: p.Means, Sigmas: p.Sigmas, ELBO: p.ELBO,
		RHat: p.rhat, ESS: p.ess, Warnings: w})
}

// UnmarshalJSON reads a Posterior in the form MarshalJSON writes, with its
// R̂ and ESS. It returns an error, leaving p unchanged, if a key is missing
// or the draws do not have Chains·Draws rows of the same length.
func (p *Posterior) UnmarshalJSON(b []byte) error {
	keys := []string{"method", "prior", "chains", "draws", "weights", "means", "sigmas", "elbo", "rhat", "ess", "warnings"}
	if _, err := object(b, false, keys...); err != nil {
		return fmt.Errorf("gmm: reading a posterior: %v", err)
	}
	var j posteriorJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("gmm: reading a posterior: %v", err)
	}
	T := j.Chains * j.Draws
	K := 0
	if len(j.Weights) > 0 {
		K = len(j.Weights[0])
	}
	ok := T > 0 && K > 0 && len(j.Weights) == T && len(j.Means) == T && len(j.Sigmas) == T &&
		len(j.RHat.Weights) == K && len(j.ESS.Weights) == K
	for t := 0; ok && t < T; t++ {
		ok = len(j.Weights[t]) == K && len(j.Means[t]) == K && len(j.Sigmas[t]) == K
	}
	if !ok {
		return fmt.Errorf("gmm: reading a posterior: want chains·draws = %d draws of the same number of components in weights, means and sigmas, and rhat and ess for each", T)
	}
	*p = Posterior{Method: j.Method, Prior: j.Prior, Chains: j.Chains, Draws: j.Draws,
		Weights: j.Weights, Means: j.Means, Sigmas: j.Sigmas, ELBO: j.ELBO,
		Warnings: j.Warnings, rhat: j.RHat, ess: j.ESS}
	return nil
}
