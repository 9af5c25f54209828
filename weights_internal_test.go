package gmm

import (
	"math/rand/v2"
	"testing"
)

// TestSubsampleKeepsWeights checks that every subsample the fit draws,
// the screening sample and the Bernoulli ones, far points included, keeps
// each point's own weight.
func TestSubsampleKeepsWeights(t *testing.T) {
	n := 100000
	x, w := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = float64(i) // a point's value is its index
		w[i] = float64(1 + i%7)
	}
	u, uw := bernoulli(x, w, 0, 1, 5000, []int{17, 99999}, rand.New(rand.NewPCG(1, 2)))
	if len(u) != len(uw) || len(u) < 4000 {
		t.Fatalf("%d points and %d weights drawn", len(u), len(uw))
	}
	for j, v := range u {
		if uw[j] != w[int(v)] {
			t.Fatalf("point %v drawn with weight %v, its own is %v", v, uw[j], w[int(v)])
		}
	}
	z, err := standardise(x, w, 2000, 1, rand.New(rand.NewPCG(3, 0)))
	if err != nil {
		t.Fatal(err)
	}
	sw := z.sw
	if len(sw) != len(z.sample) {
		t.Fatalf("%d sample weights for %d points", len(sw), len(z.sample))
	}
	for j, v := range z.sample {
		i := int(v*z.scale + z.c + 0.5)
		if sw[j] != w[i] {
			t.Fatalf("sample point %d drawn with weight %v, its own is %v", i, sw[j], w[i])
		}
	}
}
