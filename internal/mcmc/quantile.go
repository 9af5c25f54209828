package mcmc

// QuantileSorted returns the q-quantile, 0 ≤ q ≤ 1, of the sorted,
// non-empty draws s, interpolating linearly between order statistics:
// with h = q·(len(s) − 1), s[⌊h⌋] + (h − ⌊h⌋)(s[⌊h⌋+1] − s[⌊h⌋]), type 7 of
// Hyndman & Fan (1996), the default of R and NumPy. Between two equal
// draws it returns the draw, even when both are +Inf.
func QuantileSorted(s []float64, q float64) float64 {
	h := q * float64(len(s)-1)
	i := int(h)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	if f := h - float64(i); f > 0 && s[i+1] != s[i] {
		return s[i] + f*(s[i+1]-s[i])
	}
	return s[i] // also where s[i] = s[i+1] = +Inf, whose difference is NaN
}
