package mcmc

import (
	"math"
	"math/rand/v2"
)

// Slice returns the next state of a slice-sampling chain (Neal 2003) for the
// unnormalised log density f, started at x0 with fx0 = f(x0) > −∞, and the
// log density there. It draws the slice height log y = f(x0) − E with
// E ~ Exp(1), places an interval of width w at random around x0, steps it
// out by w at most m times in all (Neal's fig. 3), and then draws uniformly
// from the interval, shrinking it towards x0 after each rejection (fig. 5).
// The update leaves the density exp(f) invariant for any w > 0 and m ≥ 1;
// when exp(f) is unimodal and w is about its width, a few evaluations of f
// suffice and the draw is close to independent of x0.
func Slice(rng *rand.Rand, f func(float64) float64, x0, fx0, w float64, m int) (x, fx float64) {
	y := fx0 - rng.ExpFloat64()
	l := x0 - w*rng.Float64()
	r := l + w
	j := int(float64(m) * rng.Float64())
	k := m - 1 - j
	for ; j > 0 && f(l) > y; j-- {
		l -= w
	}
	for ; k > 0 && f(r) > y; k-- {
		r += w
	}
	for range maxShrink {
		x = l + (r-l)*rng.Float64()
		fx = f(x)
		if fx > y {
			return x, fx
		}
		if x == x0 {
			// The interval has shrunk to x0 within rounding; x0 itself
			// lies on the slice.
			return x0, fx0
		}
		if x < x0 {
			l = x
		} else {
			r = x
		}
	}
	return x0, fx0
}

// maxShrink bounds the shrinkage steps of Slice. Each step shrinks the
// interval by half on average, so a well-defined f is accepted long before;
// only a NaN from f, or a NaN or infinite x0 or w, can reach it, and then
// the chain stays at x0.
const maxShrink = 2000

// LogConcave returns an exact draw from the density exp(f(x) − logZ) on the
// real line, where f is concave, mode is its maximiser and logZ the log of
// its integral. It is the rejection method of Devroye (1984): a normalised
// log-concave density p with mode m and M = p(m) satisfies
//
//	p(x) ≤ M · min(1, exp(1 − M|x − m|)),
//
// an envelope of total area 4, so on average at most four proposals are
// needed. An error in logZ of ε changes the envelope by a factor e^ε; logZ
// must therefore be accurate, for example from quadrature. Should f or logZ
// be NaN, no proposal is ever accepted: after maxProposals, which a valid
// density needs with probability below (3/4)^maxProposals, LogConcave
// returns the mode rather than loop forever.
func LogConcave(rng *rand.Rand, f func(float64) float64, mode, logZ float64) float64 {
	logM := f(mode) - logZ
	iM := math.Exp(-logM)
	for range maxProposals {
		var d, lg float64 // distance from the mode, log of envelope/M
		if rng.Float64() < 0.5 {
			d = rng.Float64() * iM
		} else {
			e := rng.ExpFloat64()
			d = (1 + e) * iM
			lg = -e
		}
		x := mode + d
		if rng.Float64() < 0.5 {
			x = mode - d
		}
		if math.Log(rng.Float64())+logM+lg <= f(x)-logZ {
			return x
		}
	}
	return mode
}

// maxProposals bounds the proposals of the rejection samplers.
const maxProposals = 10000
