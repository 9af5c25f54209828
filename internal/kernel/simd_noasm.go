//go:build !amd64 || noasm

package kernel

import "unsafe"

// Without the assembly (on other architectures, or on amd64 with the noasm
// build tag) the Go kernels run. The AVX2 entry points, which nothing
// calls when useAVX2 is false, run the Go kernels too.

// useAVX2 and hasAVX2 are false: there is no AVX2 kernel to use.
var useAVX2, hasAVX2 = false, false

// useAVX512 and hasAVX512 are false too.
var useAVX512, hasAVX512 = false, false

func termsAVX2(e, s, u *float64, n int, lc, a, mu float64) {
	termsGo(unsafe.Slice(e, n), unsafe.Slice(s, n), unsafe.Slice(u, n), lc, a, mu)
}

func termsAVX512(e, s, u *float64, n int, lc, a, mu float64) {
	termsGo(unsafe.Slice(e, n), unsafe.Slice(s, n), unsafe.Slice(u, n), lc, a, mu)
}

func normAVX512(s *float64, n int, a *product) bool { return normGo(unsafe.Slice(s, n), a) }

func normAVX2(s *float64, n int, a *product) bool { return normGo(unsafe.Slice(s, n), a) }

func weightedAVX2(e, is, u *float64, n int, mu float64) (n0, s1, s2 float64) {
	return weightedGo(unsafe.Slice(e, n), unsafe.Slice(is, n), unsafe.Slice(u, n), mu)
}

func expAVX2(x *float64, n int) {
	xs := unsafe.Slice(x, n)
	for i, v := range xs {
		xs[i] = Exp(v)
	}
}

func softmaxAVX2(r, l *float64, k, stride, n int, mx, s *float64, bad *uint64) {
	panic("kernel: no AVX2 kernel in this build")
}
