//go:build !noasm

package kernel

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useAVX2 selects the AVX2 kernels of simd_amd64.s over their Go
// counterparts; it is set when the package starts, on amd64 processors
// whose processor and operating system support AVX2 and FMA (hasAVX2).
var useAVX2, hasAVX2 bool

// useAVX512 selects, where useAVX2 does, termsAVX512 and normAVX512 over
// termsAVX2 and normAVX2: the same operations on eight lanes at a time, so
// the same bits. It is set when the package starts where the processor and
// operating system support AVX-512 too (hasAVX512).
var useAVX512, hasAVX512 bool

// The AVX2 kernels, in simd_amd64.s, compute what termsGo, normGo and
// weightedGo compute, four points at a time, with fused multiply-adds. Their
// exp differs from exp in one respect: a table of 4 entries, held in a
// register, in place of 128, and so a polynomial of degree 10 in place of 5.
// With k the integer nearest x·4/ln2 = 4e + j and r = x − k·ln2/4,
// |r| ≤ ln2/8 < 0.087 and the Taylor remainder is below r^11/11! < 2^−64,
// and
//
//	e^x = 2·(sc + sc·(p + δ_j + p·δ_j)),  sc = 2^(e−1)·t_j,
//
// with p = e^r − 1. The roundings of r, of p and of the correction
// p + δ_j + p·δ_j, each below 0.5 ulp of a number under 0.09, add less than
// 0.06 ulp each to the 0.5 ulp of the final fused multiply-add, so the
// result is within 0.7 ulp of e^x (0.60 measured by TestAVX2Exp).

// Declared here, defined in simd_amd64.s.

//go:noescape
func termsAVX2(e, s, u *float64, n int, lc, a, mu float64)

//go:noescape
func termsAVX512(e, s, u *float64, n int, lc, a, mu float64)

//go:noescape
func normAVX512(s *float64, n int, a *product) (ok bool)

//go:noescape
func normAVX2(s *float64, n int, a *product) (ok bool)

//go:noescape
func expAVX2(x *float64, n int)

//go:noescape
func softmaxAVX2(r, l *float64, k, stride, n int, mx, s *float64, bad *uint64)

//go:noescape
func weightedAVX2(e, is, u *float64, n int, mu float64) (n0, s1, s2 float64)

// The AVX2 kernels' constants, each in four lanes; the offsets in
// simd_amd64.s follow this order.
const (
	avxFloor = iota // exp's argument is clamped to [−1000, 710]
	avxCeil         //
	avxInvL         // 4/ln2
	avxShift        // 1.5·2^52
	avxL1           // ln2/4 to 37 bits, so k·avxL1 is exact for |k| < 2^16
	avxL2           // ln2/4 − avxL1
	avxFlush        // below −693, e^x is flushed to 0: 2^−1000 ≈ e^−693.15
	avxMask3        // the bits of j in k
	avxIdxHi        // 1<<32, for the index of the upper half of a table entry
	avxC10          // 1/10!, then 1/9! … 1/2!
	avxC9
	avxC8
	avxC7
	avxC6
	avxC5
	avxC4
	avxC3
	avxC2
	avxSumLo    // the fast path's range of sums
	avxSumHi    //
	avxOne      // 1.0
	avxBias     // 1023, the exponent bias
	avxMantMask // the mantissa bits
	avxOneBits  // the bits of 1.0
	avxTabHi    // the bits of t_j/2 for j = 0..3, t_j the float64 nearest 2^(j/4)
	avxTabDelta // δ_j, the relative error of t_j
	avxLen
)

var avxConsts [avxLen][4]uint64

func init() {
	set := func(i int, v uint64) { avxConsts[i] = [4]uint64{v, v, v, v} }
	f := math.Float64bits
	set(avxFloor, f(expFloor))
	set(avxCeil, f(expCeil))
	set(avxInvL, f(0x1.71547652b82fep+2))
	set(avxShift, f(expShift))
	set(avxL1, f(0x1.62e42fefap-3))
	set(avxL2, f(0x1.cf79abc9e3b3ap-42))
	set(avxFlush, f(-693))
	set(avxMask3, 3)
	set(avxIdxHi, 1<<32)
	fact := 1.0
	for n := 2; n <= 10; n++ {
		fact *= float64(n)
		set(avxC2+2-n, f(1/fact))
	}
	set(avxSumLo, f(sumLo))
	set(avxSumHi, f(sumHi))
	set(avxOne, f(1))
	set(avxBias, 1023)
	set(avxMantMask, 1<<52-1)
	set(avxOneBits, f(1))
	for j := range 4 {
		t := expTab[32*j] // 2^(j/4) = 2^(32j/128)
		avxConsts[avxTabHi][j] = t.bits - 1<<52
		avxConsts[avxTabDelta][j] = f(t.delta)
	}
	hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAVX2 = hasAVX2
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F
	useAVX512 = hasAVX512
}
