package mcmc

import "math"

// exp2Table holds 2^(j/32) for j = 0 … 31.
var exp2Table = func() (t [32]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 32)
	}
	return t
}()

// expSmall returns e^x for |x| ≤ 40, within a few units in the last place,
// about four times faster than math.Exp on amd64. With x = (32k + j)·ln2/32
// + r and |r| ≤ ln2/64, e^x = 2^k · 2^(j/32) · e^r, where ln 2 is split in
// two parts so that the reduction is exact (Cody & Waite 1980), and e^r is
// its Taylor polynomial of degree 6, whose remainder r⁷/7! < 4e-18 is below
// the rounding of the result (Tang 1989).
func expSmall(x float64) float64 {
	const (
		inv   = 32 / math.Ln2
		ln2Hi = 6.93147180369123816490e-01 / 32 // 32 trailing zero bits
		ln2Lo = 1.90821492927058770002e-10 / 32
	)
	// Adding and subtracting 1.5·2^52 rounds to the nearest integer.
	const shift = 6755399441055744.0
	nf := (x*inv + shift) - shift
	n := int(nf)
	r := (x - nf*ln2Hi) - nf*ln2Lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	k := n >> 5
	return p * exp2Table[n&31] * math.Float64frombits(uint64(1023+k)<<52)
}
