//go:build race

package gmm_test

// raceEnabled is true when the tests run under the race detector, which
// slows the samplers about fivefold.
const raceEnabled = true
