//go:build !amd64

package kernel

func termsAVX2(e, s, u *float64, n int, lc, h, mu float64) { panic("kernel: no AVX2") }

func normAVX2(s *float64, n int, a *product) bool { panic("kernel: no AVX2") }

func weightedAVX2(e, is, u *float64, n int, mu float64) (n0, s1, s2 float64) {
	panic("kernel: no AVX2")
}
