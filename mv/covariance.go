package mv

import (
	"fmt"
	"strings"

	"github.com/gmm-go/gmm/internal/mvcov"
)

// Covariance is one of mclust's fourteen covariance models. Each writes
// component k's covariance as Σ_k = λ_k D_k A_k D_kᵀ, with volume λ_k (a
// number), shape A_k (diagonal, det A_k = 1) and orientation D_k
// (orthogonal) (Banfield & Raftery 1993; Celeux & Govaert 1995), and its
// three letters say whether volume, shape and orientation are Equal across
// the components, Variable, or the Identity.
type Covariance int

// The fourteen models, in mclust's order.
const (
	EII Covariance = iota // λI
	VII                   // λ_k I
	EEI                   // λA
	VEI                   // λ_k A
	EVI                   // λA_k
	VVI                   // λ_k A_k
	EEE                   // λDADᵀ
	VEE                   // λ_k DADᵀ
	EVE                   // λDA_kDᵀ
	VVE                   // λ_k DA_kDᵀ
	EEV                   // λD_kAD_kᵀ
	VEV                   // λ_k D_kAD_kᵀ
	EVV                   // λD_kA_kD_kᵀ
	VVV                   // λ_k D_kA_kD_kᵀ, unconstrained
)

// scikit-learn's names for the four models it shares with mclust.
const (
	Spherical = VII // covariance_type='spherical'
	Diagonal  = VVI // covariance_type='diag'
	Tied      = EEE // covariance_type='tied'
	Full      = VVV // covariance_type='full'
)

var covNames = [...]string{"EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"}

// Covariances returns the fourteen models in mclust's order.
func Covariances() []Covariance {
	c := make([]Covariance, len(covNames))
	for i := range c {
		c[i] = Covariance(i)
	}
	return c
}

func (c Covariance) valid() bool { return c >= 0 && int(c) < len(covNames) }

// String returns mclust's name of the model, such as "VEV".
func (c Covariance) String() string {
	if !c.valid() {
		return fmt.Sprintf("Covariance(%d)", int(c))
	}
	return covNames[c]
}

// ParseCovariance returns the model named s: one of mclust's fourteen
// names (EII … VVV) or scikit-learn's "spherical", "diag", "tied" or
// "full", in any case.
func ParseCovariance(s string) (Covariance, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for i, n := range covNames {
		if u == n {
			return Covariance(i), nil
		}
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "spherical":
		return Spherical, nil
	case "diag", "diagonal":
		return Diagonal, nil
	case "tied":
		return Tied, nil
	case "full":
		return Full, nil
	}
	return 0, fmt.Errorf("mv: unknown covariance model %q; use one of mclust's names (%s) or spherical, diag, tied, full",
		s, strings.Join(covNames[:], ", "))
}

// letters returns the model's three letters: volume, shape and
// orientation, each 'E', 'V' or 'I'.
func (c Covariance) letters() (vol, shape, orient byte) {
	n := covNames[c]
	return n[0], n[1], n[2]
}

// numCovParams returns the number of free covariance parameters of the
// model for k components in d dimensions, as mclust's nVarParams counts
// them: 1 or K for the volume (E or V), d − 1 or K(d − 1) for the shape
// (E or V; none for I), d(d − 1)/2 or K·d(d − 1)/2 for the orientation.
func (c Covariance) numCovParams(k, d int) int { return mvcov.Model(c).NumParams(k, d) }
