package gmm

import (
	"fmt"
	"math"
	"slices"
)

const (
	// farSDs is how many of the prior's standard deviations on the means
	// the data's median may lie from the prior's centre before the prior is
	// said to pull the means away: beyond 5, the prior density has fallen
	// by exp(−12.5) ≈ 4e-6 from its peak.
	farSDs = 5
	// scaleRatio is the factor, two orders of magnitude, by which the
	// prior's typical σ may differ from the data's standard deviation.
	scaleRatio = 100
	// outside is the fraction of the data's range by which a fitted mean
	// may lie outside it before the prior is said to have placed it. The
	// fit works on standardised data and stops at a relative tolerance, so
	// a mean fitted to a cluster far narrower than the data's spread can
	// stray a few parts in 10^5 of the range (seen on clusters 1e-5 of the
	// range wide); a hundredth is well above that and well below a pull
	// that matters.
	outside = 0.01
)

// priorWarnings returns the reasons to think that a fit to x under the prior
// p, with the parameters of m, is dominated by the prior rather than by the
// data: the checks listed at Result.Warnings. c and spread are the data's
// centre and robust spread as Fit standardised them (spread 0 for constant
// data), so that a few far values do not move them. It returns nil for the
// zero Prior, under which the fit is maximum likelihood, and for empty x.
func priorWarnings(p Prior, m *Model, x []float64, c, spread float64) []string {
	if p.IsZero() || len(x) == 0 {
		return nil
	}
	median, sd := c, spread
	lo, hi := slices.Min(x), slices.Max(x)
	var w []string
	if d := math.Abs(median - p.MeanLoc); d > farSDs*p.MeanScale {
		w = append(w, fmt.Sprintf("the data's median, %.4g, lies %.3g prior standard deviations from the prior's centre for the means, Normal(%.4g, %.4g), beyond %d: the prior pulls the means away from the data; use a prior scaled to the data, such as DefaultPrior(x)",
			median, d/p.MeanScale, p.MeanLoc, p.MeanScale, farSDs))
	}
	switch s := p.sigmaMode(); {
	case sd > 0 && s > scaleRatio*sd:
		w = append(w, fmt.Sprintf("the prior's most probable σ, %.4g, is %.3g times the data's robust spread, %.4g, more than %d times: the prior holds the sigmas far above the data's spread; use a prior scaled to the data, such as DefaultPrior(x)",
			s, s/sd, sd, scaleRatio))
	case sd > 0 && s < sd/scaleRatio:
		w = append(w, fmt.Sprintf("the prior's most probable σ, %.4g, is %.3g times the data's robust spread, %.4g, less than 1/%d: the prior was set for data on another scale, and can pull the fit away from the data; use a prior scaled to the data, such as DefaultPrior(x)",
			s, s/sd, sd, scaleRatio))
	}
	if m == nil || m.Validate() != nil {
		return w
	}
	n := float64(len(x))
	for k := range m.K {
		if m.Weights[k] < 1/n {
			// An empty component follows the prior by design.
			continue
		}
		if mu, tol := m.Means[k], outside*(hi-lo); mu < lo-tol || mu > hi+tol {
			w = append(w, fmt.Sprintf("component %d holds a weight of %.3g but its mean, %.4g, lies outside the data's range [%.4g, %.4g], where no mean of the data can lie: the prior placed it; use a prior scaled to the data, such as DefaultPrior(x), or fewer components",
				k, m.Weights[k], mu, lo, hi))
		}
		if s := m.Sigmas[k]; hi > lo && s > hi-lo {
			w = append(w, fmt.Sprintf("component %d holds a weight of %.3g but its σ, %.4g, exceeds the data's whole range, %.4g, twice the largest standard deviation data in that range can have: the prior set it; use a prior scaled to the data, such as DefaultPrior(x)",
				k, m.Weights[k], s, hi-lo))
		}
	}
	return w
}
