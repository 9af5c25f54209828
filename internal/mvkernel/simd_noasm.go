//go:build !amd64 || noasm

package mvkernel

// Without the assembly (on other architectures, or on amd64 with the noasm
// build tag) the Go kernels run; the AVX2 entry points, which nothing calls
// when useAVX2 is false, are never reached.

var useAVX2 = false

func mahaAVX2(inv *float64, d int, x, mu, z *float64, n int, c float64, out *float64) {
	panic("mvkernel: no AVX2 kernel in this build")
}

func accumAVX2(r, z, a *float64, d, n int, s1, s2 *float64) {
	panic("mvkernel: no AVX2 kernel in this build")
}

func transposeAVX2(src *float64, stride, d4, n int, xt *float64) {
	panic("mvkernel: no AVX2 kernel in this build")
}

func mahaTileAVX2(inv *float64, d int, x, mu, z *float64, n int, out *float64) {
	panic("mvkernel: no AVX2 kernel in this build")
}

func accumTileAVX2(r, z, a *float64, d, n int, s1, s2 *float64) {
	panic("mvkernel: no AVX2 kernel in this build")
}
