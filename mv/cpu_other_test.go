//go:build !unix

package mv_test

import "math"

// cpuSeconds returns NaN where the process's CPU time is not at hand.
func cpuSeconds() float64 { return math.NaN() }
