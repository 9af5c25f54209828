package mvcov

import (
	"strings"
	"testing"
)

func TestNumParamsMatchesMclust(t *testing.T) {
	ref := readRef(t)
	// 14 models × K = 1..9 × d = 1..5.
	if len(ref.nparams) != 14*9*5 {
		t.Fatalf("%d counts in the reference file, want %d", len(ref.nparams), 14*9*5)
	}
	for _, c := range ref.nparams {
		// nMclustParams adds K−1 weights and Kd means to nVarParams.
		if got := c.model.NumParams(c.k, c.d) + c.k - 1 + c.k*c.d; got != c.n {
			t.Errorf("%v K=%d d=%d: %d parameters, mclust counts %d", c.model, c.k, c.d, got, c.n)
		}
	}
}

func TestParse(t *testing.T) {
	for m := EII; m <= VVV; m++ {
		for _, s := range []string{m.String(), strings.ToLower(m.String()), " " + m.String() + " "} {
			if got, err := Parse(s); err != nil || got != m {
				t.Errorf("Parse(%q) = %v, %v; want %v", s, got, err, m)
			}
		}
	}
	for _, c := range []struct {
		s    string
		want Model
	}{
		{"spherical", VII}, {"diag", VVI}, {"tied", EEE}, {"full", VVV}, {"Full", VVV}, {"DIAG", VVI},
	} {
		if got, err := Parse(c.s); err != nil || got != c.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.s, got, err, c.want)
		}
	}
	for _, s := range []string{"", "XYZ", "EI", "diagonal", "VVVV"} {
		_, err := Parse(s)
		if err == nil {
			t.Errorf("Parse(%q) gave no error", s)
			continue
		}
		for _, name := range append(names[:], "spherical", "diag", "tied", "full") {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("Parse(%q)'s error %q does not list %s", s, err, name)
			}
		}
	}
	if s := Model(14).String(); s != "Model(14)" {
		t.Errorf("Model(14).String() = %q", s)
	}
}
