//go:build race

package mvkernel

// raceBuild is set when the tests run under the race detector, whose
// instrumentation allocates and whose sync.Pool drops items at random.
const raceBuild = true
