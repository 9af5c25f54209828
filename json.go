package gmm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
	var p Prior
	if !isNull(top["prior"]) {
		pf, err := object(top["prior"], true, "concentration", "mean_loc", "mean_scale", "sigma_shape", "sigma_scale", "on_variance")
		if err != nil {
			return fmt.Errorf("gmm: reading a model: prior: %v", err)
		}
		var pj struct {
			Concentration, MeanLoc, MeanScale, SigmaShape, SigmaScale *float64
			OnVariance                                                *bool
		}
		for _, f := range []struct {
			key string
			dst any
		}{
			{"concentration", &pj.Concentration}, {"mean_loc", &pj.MeanLoc}, {"mean_scale", &pj.MeanScale},
			{"sigma_shape", &pj.SigmaShape}, {"sigma_scale", &pj.SigmaScale}, {"on_variance", &pj.OnVariance},
		} {
			if err := json.Unmarshal(pf[f.key], f.dst); err != nil {
				return fmt.Errorf("gmm: reading a model: prior %s: %v", f.key, err)
			}
		}
		if pj.Concentration == nil || pj.MeanLoc == nil || pj.MeanScale == nil ||
			pj.SigmaShape == nil || pj.SigmaScale == nil || pj.OnVariance == nil {
			return errors.New("gmm: reading a model: the prior has a null value; give a number for each of its keys (true or false for on_variance)")
		}
		p = Prior{*pj.Concentration, *pj.MeanLoc, *pj.MeanScale, *pj.SigmaShape, *pj.SigmaScale, *pj.OnVariance}
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
