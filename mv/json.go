package mv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// modelJSON is the JSON form of a Model.
type modelJSON struct {
	K           int           `json:"k"`
	Covariance  string        `json:"covariance"`
	Weights     []float64     `json:"weights"`
	Means       [][]float64   `json:"means"`
	Covariances [][][]float64 `json:"covariances"`
	Prior       *priorJSON    `json:"prior"`
}

// priorJSON is the JSON form of a Prior other than the zero Prior, which is
// written as null.
type priorJSON struct {
	Concentration float64     `json:"concentration"`
	MeanLoc       []float64   `json:"mean_loc"`
	Shrinkage     float64     `json:"shrinkage"`
	DoF           float64     `json:"dof"`
	Scale         [][]float64 `json:"scale"`
}

var priorKeys = []string{"concentration", "mean_loc", "shrinkage", "dof", "scale"}

// MarshalJSON writes a fitted model as
//
//	{"k": 2, "covariance": "VEV", "weights": [...],
//	 "means": [[...], [...]], "covariances": [[[...], ...], [[...], ...]],
//	 "prior": null}
//
// with the means as K arrays of d numbers, the covariances as K d×d arrays
// (rows of numbers) and the covariance model by its mclust name. A prior
// other than the zero Prior is written as
//
//	{"concentration": 1, "mean_loc": [...] or null, "shrinkage": 0.01,
//	 "dof": 6, "scale": [[...], ...] or null}
//
// Numbers are written in the shortest form that reads back to the same
// float64, so a model read back with UnmarshalJSON is equal to m and
// assigns exactly as m does. MarshalJSON returns an error if m is not a
// valid fitted model (see Validate).
func (m Model) MarshalJSON() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	d := m.dim()
	j := modelJSON{K: m.K, Covariance: m.Covariance.String(), Weights: m.Weights}
	for k := range m.K {
		j.Means = append(j.Means, mat.Row(nil, k, m.Means))
		j.Covariances = append(j.Covariances, symRows(m.Covariances[k], d))
	}
	if !m.Prior.IsZero() {
		p := priorJSON{Concentration: m.Prior.Concentration, MeanLoc: m.Prior.MeanLoc,
			Shrinkage: m.Prior.Shrinkage, DoF: m.Prior.DoF}
		if m.Prior.Scale != nil {
			p.Scale = symRows(m.Prior.Scale, d)
		}
		j.Prior = &p
	}
	return json.Marshal(j)
}

func symRows(s *mat.SymDense, d int) [][]float64 {
	out := make([][]float64, d)
	for i := range d {
		out[i] = make([]float64, d)
		for j := range d {
			out[i][j] = s.At(i, j)
		}
	}
	return out
}

// UnmarshalJSON reads a model in the form MarshalJSON writes. The keys
// "k", "covariance", "weights", "means", "covariances" and "prior" must all
// be present; the prior, unless null, must have its five keys and no
// others, so that a misspelt key is an error rather than a silent zero.
// Other top-level keys, such as a summary of the fit, are ignored. The
// covariance model may be given by its mclust or scikit-learn name. Every
// mean must have d numbers and every covariance be d×d and exactly
// symmetric, and the model read must pass Validate. On error, m is left
// unchanged.
func (m *Model) UnmarshalJSON(data []byte) error {
	top, err := object(data, false, "k", "covariance", "weights", "means", "covariances", "prior")
	if err != nil {
		return fmt.Errorf("mv: reading a model: %v", err)
	}
	var nm Model
	if err := strict(top["k"], &nm.K); err != nil {
		return fmt.Errorf("mv: reading a model: k: %v; it must be the number of components", err)
	}
	var name string
	if err := strict(top["covariance"], &name); err != nil {
		return fmt.Errorf("mv: reading a model: covariance: %v; give a model's name such as \"VVV\"", err)
	}
	if nm.Covariance, err = ParseCovariance(name); err != nil {
		return fmt.Errorf("mv: reading a model: %s", strings.TrimPrefix(err.Error(), "mv: "))
	}
	if err := strict(top["weights"], &nm.Weights); err != nil {
		return fmt.Errorf("mv: reading a model: weights: %v", err)
	}
	var means [][]float64
	if err := strict(top["means"], &means); err != nil {
		return fmt.Errorf("mv: reading a model: means: %v", err)
	}
	var covs [][][]float64
	if err := strict(top["covariances"], &covs); err != nil {
		return fmt.Errorf("mv: reading a model: covariances: %v", err)
	}
	if len(means) == 0 || len(means[0]) == 0 {
		return errors.New("mv: reading a model: means is empty; give K arrays of d numbers")
	}
	d := len(means[0])
	if nm.Means, err = matrix(means, len(means), d, "means"); err != nil {
		return err
	}
	for k, c := range covs {
		s, err := symmetric(c, d, fmt.Sprintf("covariance %d", k))
		if err != nil {
			return err
		}
		nm.Covariances = append(nm.Covariances, s)
	}
	if !isNull(top["prior"]) {
		if nm.Prior, err = readPrior(top["prior"], d); err != nil {
			return err
		}
	}
	if err := nm.Validate(); err != nil {
		return fmt.Errorf("mv: reading a model: %s", strings.TrimPrefix(err.Error(), "mv: "))
	}
	*m = nm
	return nil
}

func readPrior(data []byte, d int) (Prior, error) {
	pf, err := object(data, true, priorKeys...)
	if err != nil {
		return Prior{}, fmt.Errorf("mv: reading a model: prior: %v", err)
	}
	var p Prior
	for _, f := range []struct {
		key string
		dst *float64
	}{{"concentration", &p.Concentration}, {"shrinkage", &p.Shrinkage}, {"dof", &p.DoF}} {
		if err := strict(pf[f.key], f.dst); err != nil {
			return Prior{}, fmt.Errorf("mv: reading a model: prior %s: %v", f.key, err)
		}
	}
	if !isNull(pf["mean_loc"]) {
		if err := strict(pf["mean_loc"], &p.MeanLoc); err != nil {
			return Prior{}, fmt.Errorf("mv: reading a model: prior mean_loc: %v", err)
		}
	}
	if !isNull(pf["scale"]) {
		var rows [][]float64
		if err := strict(pf["scale"], &rows); err != nil {
			return Prior{}, fmt.Errorf("mv: reading a model: prior scale: %v", err)
		}
		if p.Scale, err = symmetric(rows, d, "prior scale"); err != nil {
			return Prior{}, err
		}
	}
	return p, nil
}

// matrix returns rows as an r×c matrix, or an error naming what it is.
func matrix(rows [][]float64, r, c int, what string) (*mat.Dense, error) {
	if len(rows) != r {
		return nil, fmt.Errorf("mv: reading a model: %s has %d rows; want %d", what, len(rows), r)
	}
	flat := make([]float64, 0, r*c)
	for i, row := range rows {
		if len(row) != c {
			return nil, fmt.Errorf("mv: reading a model: %s row %d has %d numbers; want %d, one per column", what, i, len(row), c)
		}
		flat = append(flat, row...)
	}
	return mat.NewDense(r, c, flat), nil
}

// symmetric returns rows as a d×d symmetric matrix, or an error if they are
// not d×d or not exactly symmetric.
func symmetric(rows [][]float64, d int, what string) (*mat.SymDense, error) {
	a, err := matrix(rows, d, d, what)
	if err != nil {
		return nil, err
	}
	for i := range d {
		for j := range i {
			if a.At(i, j) != a.At(j, i) {
				return nil, fmt.Errorf("mv: reading a model: %s is not symmetric at (%d, %d)", what, i, j)
			}
		}
	}
	s := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			s.SetSym(i, j, a.At(i, j))
		}
	}
	return s, nil
}

// strict decodes data into dst, rejecting null for it or for any number
// inside it.
func strict(data []byte, dst any) error {
	if isNull(data) || bytes.Contains(data, []byte("null")) {
		return errors.New("null; give a value")
	}
	return json.Unmarshal(data, dst)
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

func isNull(data []byte) bool { return bytes.Equal(bytes.TrimSpace(data), []byte("null")) }
