// Package mvcov holds the covariance models of Gaussian mixtures in d
// dimensions: mclust's fourteen parsimonious models, their M-steps by maximum
// likelihood and under the conjugate prior of Fraley & Raftery (2007), and
// the log density of that prior.
//
// Each model writes the covariance of component k as
//
//	Σ_k = λ_k D_k A_k D_kᵀ
//
// with volume λ_k > 0, shape A_k diagonal with det A_k = 1, and orientation
// D_k orthogonal (Banfield & Raftery 1993; Celeux & Govaert 1995). Each of
// the three is Equal across components, Variable, or the Identity, and the
// three letters name the model: VEV has variable volumes, one shape and
// variable orientations.
package mvcov

import (
	"fmt"
	"strings"
)

// Model is one of mclust's fourteen covariance models.
type Model int

// The fourteen models, in mclust's order.
const (
	EII Model = iota // λI
	VII              // λ_k I
	EEI              // λA
	VEI              // λ_k A
	EVI              // λA_k
	VVI              // λ_k A_k
	EEE              // λDADᵀ
	VEE              // λ_k DADᵀ
	EVE              // λDA_kDᵀ
	VVE              // λ_k DA_kDᵀ
	EEV              // λD_kAD_kᵀ
	VEV              // λ_k D_kAD_kᵀ
	EVV              // λD_kA_kD_kᵀ
	VVV              // λ_k D_kA_kD_kᵀ
	numModels
)

var names = [numModels]string{
	"EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE",
	"VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV",
}

// aliases are scikit-learn's names for the four models it shares with mclust.
var aliases = map[string]Model{"spherical": VII, "diag": VVI, "tied": EEE, "full": VVV}

// String returns mclust's name of the model, such as "VEV".
func (m Model) String() string {
	if m < 0 || m >= numModels {
		return fmt.Sprintf("Model(%d)", int(m))
	}
	return names[m]
}

// Valid reports whether m is one of the fourteen models.
func (m Model) Valid() bool { return m >= 0 && m < numModels }

// Parse returns the model of an mclust name (EII … VVV) or a scikit-learn
// name (spherical, diag, tied, full), ignoring case. For any other string the
// error lists every valid name.
func Parse(s string) (Model, error) {
	t := strings.TrimSpace(s)
	for m, n := range names {
		if strings.EqualFold(t, n) {
			return Model(m), nil
		}
	}
	if m, ok := aliases[strings.ToLower(t)]; ok {
		return m, nil
	}
	return 0, fmt.Errorf("mvcov: unknown covariance model %q: use one of %s, or spherical, diag, tied, full",
		s, strings.Join(names[:], ", "))
}

// volume, shape and orientation return the model's letter for each factor:
// 'E', 'V' or 'I'.
func (m Model) volume() byte      { return names[m][0] }
func (m Model) shape() byte       { return names[m][1] }
func (m Model) orientation() byte { return names[m][2] }

// NumParams returns the number of free covariance parameters of the model
// with k components in d dimensions, counted as mclust's nVarParams counts
// them (nMclustParams adds k−1 weights and kd means):
//
//	EII 1             VII k              EEI d             VEI k+d−1
//	EVI 1+k(d−1)      VVI kd             EEE d(d+1)/2      VEE k−1+d(d+1)/2
//	EVE 1+k(d−1)+d(d−1)/2                VVE kd+d(d−1)/2
//	EEV d+k·d(d−1)/2  VEV k+d−1+k·d(d−1)/2
//	EVV 1+k(d(d+1)/2−1)                  VVV k·d(d+1)/2
//
// It returns 0 for an invalid model or k, d below 1.
func (m Model) NumParams(k, d int) int {
	if !m.Valid() || k < 1 || d < 1 {
		return 0
	}
	// The counts of each factor: volume, shape (d−1 free values, det 1)
	// and orientation (d(d−1)/2 angles); E counts one copy, V counts k.
	orient := d * (d - 1) / 2
	count := func(letter byte, one int) int {
		switch letter {
		case 'E':
			return one
		case 'V':
			return k * one
		}
		return 0
	}
	return count(m.volume(), 1) + count(m.shape(), d-1) + count(m.orientation(), orient)
}
