//go:build !amd64 || noasm

package kernel

// Without the assembly (on other architectures, or on amd64 with the noasm
// build tag) the Go kernels run, and these are never called.

// useAVX2 and hasAVX2 are false: there is no AVX2 kernel to use.
var useAVX2, hasAVX2 = false, false

func termsAVX2(e, s, u *float64, n int, lc, a, mu float64) { panic("kernel: no AVX2") }

func normAVX2(s *float64, n int, a *product) bool { panic("kernel: no AVX2") }

func weightedAVX2(e, is, u *float64, n int, mu float64) (n0, s1, s2 float64) {
	panic("kernel: no AVX2")
}
