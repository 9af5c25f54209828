//go:build !noasm

package mvkernel

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 kernels of simd_amd64.s over their Go
// counterparts in the distances and the sums; it is set when the package
// starts, on processors whose processor and operating system support AVX2
// and FMA. Tests turn it off to check the Go kernels against them.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// simd_amd64.s strides the transposed rows by 128 floats: this fails to
// compile if Block changes.
var _ = [1]struct{}{}[Block-128]

// Declared here, defined in simd_amd64.s. Both take n a multiple of
// simdWidth and the transposed points x, z at a stride of Block floats,
// and sum in their own order, with fused multiply-adds, so their results
// differ from the Go kernels' by roundings.

// mahaAVX2 sets z_j = x_j − μ_j for j < d and the log terms
// out[t] = c − ½|L⁻¹ z_t|², with |L⁻¹ z_t|² = Σ_j (Σ_{m≤j} (L⁻¹)_jm z_mt)², for
// t < n, with inv L⁻¹ packed by rows (row j at j(j+1)/2): c − ½·m rounded as
// Go rounds it, the product and then the difference.
//
//go:noescape
func mahaAVX2(inv *float64, d int, x, mu, z *float64, n int, c float64, out *float64)

// accumAVX2 adds Σ_t r_t z_it to s1[i] and Σ_t r_t z_it z_jt to s2[i·d+j]
// for j ≤ i < d and t < n, using a (Block floats) as scratch.
//
//go:noescape
func accumAVX2(r, z, a *float64, d, n int, s1, s2 *float64)

// transposeAVX2 sets xt[j·Block + t] = src[t·stride + j] for t < n and
// j < d4, both multiples of 4.
//
//go:noescape
func transposeAVX2(src *float64, stride, d4, n int, xt *float64)

// mahaTileAVX2 computes what mahaAVX2 does, three rows of L⁻¹ at a time,
// with inv the whole lower triangular L⁻¹, d×d row-major, of which the
// entries above the diagonal are not read.
//
//go:noescape
func mahaTileAVX2(inv *float64, d int, x, mu, z *float64, n int, out *float64)

// accumTileAVX2 sets a_i = r ∘ z_i for i < d (at a stride of Block floats)
// and adds Σ_t a_i[t] to s1[i], and adds Σ_t a_i[t] z_j[t] to s2[i·d+j]
// for the pairs tilePairs leaves out of its remainder, and to some of the
// upper triangle of s2 (j > i) besides, for t < n.
//
//go:noescape
func accumTileAVX2(r, z, a *float64, d, n int, s1, s2 *float64)
