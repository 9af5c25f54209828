//go:build !noasm

#include "textflag.h"

// The constants of simd_amd64.go, avxConsts[i] at offset 32·i.
#define FLOOR ·avxConsts+0(SB)
#define CEIL ·avxConsts+32(SB)
#define INVL ·avxConsts+64(SB)
#define SHIFT ·avxConsts+96(SB)
#define L1 ·avxConsts+128(SB)
#define L2 ·avxConsts+160(SB)
#define FLUSH ·avxConsts+192(SB)
#define MASK3 ·avxConsts+224(SB)
#define IDXHI ·avxConsts+256(SB)
#define C10 ·avxConsts+288(SB)
#define C9 ·avxConsts+320(SB)
#define C8 ·avxConsts+352(SB)
#define C7 ·avxConsts+384(SB)
#define C6 ·avxConsts+416(SB)
#define C5 ·avxConsts+448(SB)
#define C4 ·avxConsts+480(SB)
#define C3 ·avxConsts+512(SB)
#define C2 ·avxConsts+544(SB)
#define SUMLO ·avxConsts+576(SB)
#define SUMHI ·avxConsts+608(SB)
#define ONE ·avxConsts+640(SB)
#define BIAS ·avxConsts+672(SB)
#define MANTMASK ·avxConsts+704(SB)
#define ONEBITS ·avxConsts+736(SB)
#define TABHI ·avxConsts+768(SB)
#define TABDELTA ·avxConsts+800(SB)

// EXP4 sets Y7 to e^x for the four values x in Y0, to 0.51 ulp, using Y1–Y8
// as scratch and the constants that each kernel loads first: INVL in Y12,
// SHIFT in Y11, TABHI in Y10 and TABDELTA in Y9. In order:
//   - x is clamped to [−1000, 710], a NaN to −1000 (VMAXPD returns its
//     second source when either is NaN), and Y6 marks x < −693;
//   - z = x·4/ln2 + 1.5·2^52, whose low bits hold k; kf = k as a float64;
//     r = x − kf·ln2/4 in two steps;
//   - j = k & 3 picks the table entry: the dwords 2j and 2j+1 of the table
//     registers;
//   - sc = 2^e·t_j/2 with e = k >> 2, whose low 12 bits are bits 2..13 of
//     z; zero where x < −693;
//   - p = r + r²·(1/2! + r·(1/3! + … + r/10!));
//   - e^x = 2·(sc + sc·(p + δ_j + p·δ_j)).
#define EXP4 \
	VMAXPD FLOOR, Y0, Y0; \
	VMINPD CEIL, Y0, Y0; \
	VCMPPD $0x11, FLUSH, Y0, Y6; \
	VMOVAPD Y11, Y1; \
	VFMADD231PD Y12, Y0, Y1; \
	VSUBPD Y11, Y1, Y2; \
	VFNMADD231PD L1, Y2, Y0; \
	VFNMADD231PD L2, Y2, Y0; \
	VPAND MASK3, Y1, Y3; \
	VPADDQ Y3, Y3, Y3; \
	VPSLLQ $32, Y3, Y4; \
	VPOR Y4, Y3, Y3; \
	VPADDQ IDXHI, Y3, Y3; \
	VPERMD Y10, Y3, Y4; \
	VPERMD Y9, Y3, Y5; \
	VPSRLQ $2, Y1, Y1; \
	VPSLLQ $52, Y1, Y1; \
	VPADDQ Y4, Y1, Y1; \
	VPANDN Y1, Y6, Y1; \
	VMOVUPD C10, Y7; \
	VFMADD213PD C9, Y0, Y7; \
	VFMADD213PD C8, Y0, Y7; \
	VFMADD213PD C7, Y0, Y7; \
	VFMADD213PD C6, Y0, Y7; \
	VFMADD213PD C5, Y0, Y7; \
	VFMADD213PD C4, Y0, Y7; \
	VFMADD213PD C3, Y0, Y7; \
	VFMADD213PD C2, Y0, Y7; \
	VMULPD Y0, Y0, Y8; \
	VFMADD213PD Y0, Y8, Y7; \
	VFMADD231PD Y7, Y5, Y5; \
	VADDPD Y5, Y7, Y7; \
	VFMADD213PD Y1, Y1, Y7; \
	VADDPD Y7, Y7, Y7

// TERMS4 does the terms of four points, at index SI: x = lc − (a·(u − mu))²
// with u from DX, lc in Y13, a in Y14 and mu in Y15, then e = e^x by EXP4
// (whose constants it needs loaded), written to AX, and s += e at BX.
#define TERMS4 \
	VMOVUPD (DX)(SI*8), Y0; \
	VSUBPD Y15, Y0, Y0; \
	VMULPD Y14, Y0, Y0; \
	VFNMADD213PD Y13, Y0, Y0; \
	EXP4; \
	VMOVUPD Y7, (AX)(SI*8); \
	VADDPD (BX)(SI*8), Y7, Y7; \
	VMOVUPD Y7, (BX)(SI*8)

// NORM4 does four sums, at index SI of AX: with SUMLO in Y12, SUMHI in
// Y11 and 1 in Y13, a sum s within the range multiplies its lane of the
// product in Y15 and becomes 1/s, one outside becomes 0 and clears its
// lane of the all-in-range mask Y10; then the product's exponent moves
// into the lane's count in Y14, keeping the product in [1, 2).
#define NORM4 \
	VMOVUPD (AX)(SI*8), Y0; \
	VCMPPD $0x1d, Y12, Y0, Y1; \
	VCMPPD $0x12, Y11, Y0, Y2; \
	VANDPD Y2, Y1, Y1; \
	VANDPD Y1, Y10, Y10; \
	VBLENDVPD Y1, Y0, Y13, Y3; \
	VMULPD Y3, Y15, Y15; \
	VDIVPD Y3, Y13, Y4; \
	VANDPD Y1, Y4, Y4; \
	VMOVUPD Y4, (AX)(SI*8); \
	VPSRLQ $52, Y15, Y5; \
	VPSUBQ BIAS, Y5, Y5; \
	VPADDQ Y5, Y14, Y14; \
	VPAND MANTMASK, Y15, Y15; \
	VPOR ONEBITS, Y15, Y15


// func termsAVX2(e, s, u *float64, n int, lc, a, mu float64)
//
// For i < n, a multiple of 4: e[i] = exp(lc − (a·(u[i] − mu))²), s[i] += e[i].
//
// Eight points at a time, as two groups of four whose instructions
// alternate, each group the operations of EXP4 in the same order on its own
// registers (a: Y0–Y5, b: Y6–Y11; in EXP4's names, x/r, z/sc, kf/j/r²,
// t/p, δ and the flush mask), with INVL in Y12 and the other constants
// read from memory: each point's result is bit for bit EXP4's, and the
// processor overlaps the two chains of dependent operations, which EXP4
// alone leaves it too few of. A last group of four takes EXP4 itself.
TEXT ·termsAVX2(SB), NOSPLIT, $0-56
	MOVQ         e+0(FP), AX
	MOVQ         s+8(FP), BX
	MOVQ         u+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSD lc+32(FP), Y13
	VBROADCASTSD a+40(FP), Y14
	VBROADCASTSD mu+48(FP), Y15
	VMOVUPD      INVL, Y12
	MOVQ         CX, DI
	ANDQ         $-8, DI
	XORQ         SI, SI

terms2Loop:
	CMPQ SI, DI
	JGE  termsTail

	// x = lc − (a·(u − mu))² for both groups.
	VMOVUPD      (DX)(SI*8), Y0
	VMOVUPD      32(DX)(SI*8), Y6
	VSUBPD       Y15, Y0, Y0
	VSUBPD       Y15, Y6, Y6
	VMULPD       Y14, Y0, Y0
	VMULPD       Y14, Y6, Y6
	VFNMADD213PD Y13, Y0, Y0
	VFNMADD213PD Y13, Y6, Y6

	// EXP4, two groups at once.
	VMAXPD       FLOOR, Y0, Y0
	VMAXPD       FLOOR, Y6, Y6
	VMINPD       CEIL, Y0, Y0
	VMINPD       CEIL, Y6, Y6
	VCMPPD       $0x11, FLUSH, Y0, Y5
	VCMPPD       $0x11, FLUSH, Y6, Y11
	VMOVUPD      SHIFT, Y1
	VMOVUPD      SHIFT, Y7
	VFMADD231PD  Y12, Y0, Y1
	VFMADD231PD  Y12, Y6, Y7
	VSUBPD       SHIFT, Y1, Y2
	VSUBPD       SHIFT, Y7, Y8
	VFNMADD231PD L1, Y2, Y0
	VFNMADD231PD L1, Y8, Y6
	VFNMADD231PD L2, Y2, Y0
	VFNMADD231PD L2, Y8, Y6
	VPAND        MASK3, Y1, Y2
	VPAND        MASK3, Y7, Y8
	VPADDQ       Y2, Y2, Y2
	VPADDQ       Y8, Y8, Y8
	VPSLLQ       $32, Y2, Y3
	VPSLLQ       $32, Y8, Y9
	VPOR         Y3, Y2, Y2
	VPOR         Y9, Y8, Y8
	VPADDQ       IDXHI, Y2, Y2
	VPADDQ       IDXHI, Y8, Y8
	VPERMD       TABHI, Y2, Y3
	VPERMD       TABHI, Y8, Y9
	VPERMD       TABDELTA, Y2, Y4
	VPERMD       TABDELTA, Y8, Y10
	VPSRLQ       $2, Y1, Y1
	VPSRLQ       $2, Y7, Y7
	VPSLLQ       $52, Y1, Y1
	VPSLLQ       $52, Y7, Y7
	VPADDQ       Y3, Y1, Y1
	VPADDQ       Y9, Y7, Y7
	VPANDN       Y1, Y5, Y1
	VPANDN       Y7, Y11, Y7
	VMOVUPD      C10, Y3
	VMOVUPD      C10, Y9
	VFMADD213PD  C9, Y0, Y3
	VFMADD213PD  C9, Y6, Y9
	VFMADD213PD  C8, Y0, Y3
	VFMADD213PD  C8, Y6, Y9
	VFMADD213PD  C7, Y0, Y3
	VFMADD213PD  C7, Y6, Y9
	VFMADD213PD  C6, Y0, Y3
	VFMADD213PD  C6, Y6, Y9
	VFMADD213PD  C5, Y0, Y3
	VFMADD213PD  C5, Y6, Y9
	VFMADD213PD  C4, Y0, Y3
	VFMADD213PD  C4, Y6, Y9
	VFMADD213PD  C3, Y0, Y3
	VFMADD213PD  C3, Y6, Y9
	VFMADD213PD  C2, Y0, Y3
	VFMADD213PD  C2, Y6, Y9
	VMULPD       Y0, Y0, Y2
	VMULPD       Y6, Y6, Y8
	VFMADD213PD  Y0, Y2, Y3
	VFMADD213PD  Y6, Y8, Y9
	VFMADD231PD  Y3, Y4, Y4
	VFMADD231PD  Y9, Y10, Y10
	VADDPD       Y4, Y3, Y3
	VADDPD       Y10, Y9, Y9
	VFMADD213PD  Y1, Y1, Y3
	VFMADD213PD  Y7, Y7, Y9
	VADDPD       Y3, Y3, Y3
	VADDPD       Y9, Y9, Y9

	VMOVUPD Y3, (AX)(SI*8)
	VMOVUPD Y9, 32(AX)(SI*8)
	VADDPD  (BX)(SI*8), Y3, Y3
	VADDPD  32(BX)(SI*8), Y9, Y9
	VMOVUPD Y3, (BX)(SI*8)
	VMOVUPD Y9, 32(BX)(SI*8)

	ADDQ $8, SI
	JMP  terms2Loop

termsTail:
	CMPQ SI, CX
	JGE  termsDone

	// The last four points.
	VMOVUPD SHIFT, Y11
	VMOVUPD TABHI, Y10
	VMOVUPD TABDELTA, Y9
	TERMS4

termsDone:
	VZEROUPPER
	RET

// func termsAVX512(e, s, u *float64, n int, lc, a, mu float64)
//
// termsAVX2 with AVX-512: eight points at a time in a Z register, by the
// operations of EXP4 in the same order on each lane, with every constant
// held in a register (Z9–Z31), so that each point's result is bit for bit
// termsAVX2's. The flush to zero keeps the lanes where x ≥ −693 by a mask
// register (K1), where EXP4 clears those where x < −693: x, clamped
// first, is never NaN there, so the two select the same lanes. A last
// group of four takes EXP4.
TEXT ·termsAVX512(SB), NOSPLIT, $0-56
	MOVQ             e+0(FP), AX
	MOVQ             s+8(FP), BX
	MOVQ             u+16(FP), DX
	MOVQ             n+24(FP), CX
	VBROADCASTSD     FLOOR, Z16
	VBROADCASTSD     CEIL, Z17
	VBROADCASTSD     FLUSH, Z18
	VBROADCASTSD     SHIFT, Z19
	VBROADCASTSD     INVL, Z20
	VBROADCASTSD     L1, Z21
	VBROADCASTSD     L2, Z22
	VPBROADCASTQ     MASK3, Z23
	VPBROADCASTQ     IDXHI, Z24
	VBROADCASTI64X4  TABHI, Z25
	VBROADCASTI64X4  TABDELTA, Z26
	VBROADCASTSD     lc+32(FP), Z27
	VBROADCASTSD     a+40(FP), Z28
	VBROADCASTSD     mu+48(FP), Z29
	VBROADCASTSD     C10, Z30
	VBROADCASTSD     C9, Z31
	VBROADCASTSD     C8, Z9
	VBROADCASTSD     C7, Z10
	VBROADCASTSD     C6, Z11
	VBROADCASTSD     C5, Z12
	VBROADCASTSD     C4, Z13
	VBROADCASTSD     C3, Z14
	VBROADCASTSD     C2, Z15
	MOVQ             CX, DI
	ANDQ             $-8, DI
	XORQ             SI, SI

terms8Loop:
	CMPQ SI, DI
	JGE  terms8Tail

	// x = lc − (a·(u − mu))².
	VMOVUPD      (DX)(SI*8), Z0
	VSUBPD       Z29, Z0, Z0
	VMULPD       Z28, Z0, Z0
	VFNMADD213PD Z27, Z0, Z0

	// EXP4 on eight lanes, e^x in Z7.
	VMAXPD       Z16, Z0, Z0
	VMINPD       Z17, Z0, Z0
	VCMPPD       $0x1d, Z18, Z0, K1
	VMOVAPD      Z19, Z1
	VFMADD231PD  Z20, Z0, Z1
	VSUBPD       Z19, Z1, Z2
	VFNMADD231PD Z21, Z2, Z0
	VFNMADD231PD Z22, Z2, Z0
	VPANDQ       Z23, Z1, Z3
	VPADDQ       Z3, Z3, Z3
	VPSLLQ       $32, Z3, Z4
	VPORQ        Z4, Z3, Z3
	VPADDQ       Z24, Z3, Z3
	VPERMD       Z25, Z3, Z4
	VPERMD       Z26, Z3, Z5
	VPSRLQ       $2, Z1, Z1
	VPSLLQ       $52, Z1, Z1
	VPADDQ       Z4, Z1, Z1
	VMOVDQA64.Z  Z1, K1, Z1
	VMOVAPD      Z30, Z7
	VFMADD213PD  Z31, Z0, Z7
	VFMADD213PD  Z9, Z0, Z7
	VFMADD213PD  Z10, Z0, Z7
	VFMADD213PD  Z11, Z0, Z7
	VFMADD213PD  Z12, Z0, Z7
	VFMADD213PD  Z13, Z0, Z7
	VFMADD213PD  Z14, Z0, Z7
	VFMADD213PD  Z15, Z0, Z7
	VMULPD       Z0, Z0, Z8
	VFMADD213PD  Z0, Z8, Z7
	VFMADD231PD  Z7, Z5, Z5
	VADDPD       Z5, Z7, Z7
	VFMADD213PD  Z1, Z1, Z7
	VADDPD       Z7, Z7, Z7

	VMOVUPD Z7, (AX)(SI*8)
	VADDPD  (BX)(SI*8), Z7, Z7
	VMOVUPD Z7, (BX)(SI*8)

	ADDQ $8, SI
	JMP  terms8Loop

terms8Tail:
	CMPQ SI, CX
	JGE  terms8Done

	// The last four points, by termsAVX2's code.
	VMOVUPD      INVL, Y12
	VMOVUPD      SHIFT, Y11
	VMOVUPD      TABHI, Y10
	VMOVUPD      TABDELTA, Y9
	VBROADCASTSD lc+32(FP), Y13
	VBROADCASTSD a+40(FP), Y14
	VBROADCASTSD mu+48(FP), Y15
	TERMS4

terms8Done:
	VZEROUPPER
	RET

// func normAVX2(s *float64, n int, a *product) (ok bool)
//
// For i < n, a multiple of 4: if s[i] is within [sumLo, sumHi], multiplies
// lane i mod 4 of a's product by it and sets s[i] = 1/s[i]; otherwise sets
// s[i] = 0. Reports whether every s[i] was within the range.
TEXT ·normAVX2(SB), NOSPLIT, $0-25
	MOVQ     s+0(FP), AX
	MOVQ     n+8(FP), CX
	MOVQ     a+16(FP), DX
	VMOVUPD  0(DX), Y15
	VMOVDQU  32(DX), Y14
	VMOVUPD  ONE, Y13
	VMOVUPD  SUMLO, Y12
	VMOVUPD  SUMHI, Y11
	VPCMPEQQ Y10, Y10, Y10
	XORQ     SI, SI

normLoop:
	CMPQ SI, CX
	JGE  normDone

	NORM4

	ADDQ $4, SI
	JMP  normLoop

normDone:
	VMOVUPD   Y15, 0(DX)
	VMOVDQU   Y14, 32(DX)
	VMOVMSKPD Y10, BX
	CMPQ      BX, $15
	SETEQ     ok+24(FP)
	VZEROUPPER
	RET

// func normAVX512(s *float64, n int, a *product) (ok bool)
//
// normAVX2 with AVX-512: the range test, the choice of s[i] or 1 and the
// inverses eight points at a time, by the same operations on each lane
// (the range by a mask register), and the product of each group of four
// points taken in turn, the lower four first, as normAVX2 takes it. A last
// group of four takes normAVX2's code.
//
// normAVX2 moves the exponent of each lane's product into its count after
// every group of four, which keeps the product in [1, 2); here it does so
// after every eight points. With factors in [2^−64, 2^64] the product of
// two stays far inside the normal range, where a product's rounding does
// not depend on the exponents, so the mantissas and the counts come out
// the same, and the dependent operations of the product's chain are
// fewer: it, not the division, bounds normAVX2's speed.
TEXT ·normAVX512(SB), NOSPLIT, $0-25
	MOVQ         s+0(FP), AX
	MOVQ         n+8(FP), CX
	MOVQ         a+16(FP), DX
	VMOVUPD      0(DX), Y15
	VMOVDQU      32(DX), Y14
	VBROADCASTSD ONE, Z13
	VBROADCASTSD SUMLO, Z12
	VBROADCASTSD SUMHI, Z11
	VPCMPEQQ     Y10, Y10, Y10
	KXNORW       K3, K3, K3
	MOVQ         CX, DI
	ANDQ         $-8, DI
	XORQ         SI, SI

norm8Loop:
	CMPQ SI, DI
	JGE  norm8Tail

	VMOVUPD   (AX)(SI*8), Z0
	VCMPPD    $0x1d, Z12, Z0, K1
	VCMPPD    $0x12, Z11, Z0, K1, K2
	KANDW     K2, K3, K3
	VBLENDMPD Z0, Z13, K2, Z3
	VDIVPD    Z3, Z13, Z4
	VMOVAPD.Z Z4, K2, Z4
	VMOVUPD   Z4, (AX)(SI*8)

	// The lower four points, then the upper four. Moving the exponent
	// out once for both gives the bits of moving it after each: the
	// products stay within 2^±130, where rounding does not depend on
	// the exponent.
	VMULPD         Y3, Y15, Y15
	VEXTRACTF64X4  $1, Z3, Y5
	VMULPD         Y5, Y15, Y15
	VPSRLQ         $52, Y15, Y6
	VPSUBQ         BIAS, Y6, Y6
	VPADDQ         Y6, Y14, Y14
	VPAND          MANTMASK, Y15, Y15
	VPOR           ONEBITS, Y15, Y15

	ADDQ $8, SI
	JMP  norm8Loop

norm8Tail:
	CMPQ SI, CX
	JGE  norm8Done

	NORM4

norm8Done:
	VMOVUPD   Y15, 0(DX)
	VMOVDQU   Y14, 32(DX)
	VMOVMSKPD Y10, BX
	KMOVW     K3, R8
	ANDQ      $0xff, R8
	XORQ      R9, R9
	CMPQ      BX, $15
	SETEQ     R9B
	XORQ      R10, R10
	CMPQ      R8, $0xff
	SETEQ     R10B
	ANDQ      R10, R9
	MOVB      R9B, ok+24(FP)
	VZEROUPPER
	RET

// func weightedAVX2(e, is, u *float64, n int, mu float64) (n0, s1, s2 float64)
//
// For i < n, a multiple of 4, with r_i = e[i]·is[i] and d_i = u[i] − mu:
// n0 = Σ r_i, s1 = Σ r_i d_i, s2 = Σ r_i d_i², in eight partial sums each,
// added in a fixed order.
TEXT ·weightedAVX2(SB), NOSPLIT, $0-64
	MOVQ         e+0(FP), AX
	MOVQ         is+8(FP), BX
	MOVQ         u+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSD mu+32(FP), Y15
	VXORPD       Y8, Y8, Y8
	VXORPD       Y9, Y9, Y9
	VXORPD       Y10, Y10, Y10
	VXORPD       Y11, Y11, Y11
	VXORPD       Y12, Y12, Y12
	VXORPD       Y13, Y13, Y13
	MOVQ         CX, DI
	ANDQ         $-8, DI
	XORQ         SI, SI

weightedLoop:
	CMPQ SI, DI
	JGE  weightedTail

	VMOVUPD     (AX)(SI*8), Y0
	VMULPD      (BX)(SI*8), Y0, Y0
	VMOVUPD     (DX)(SI*8), Y1
	VSUBPD      Y15, Y1, Y1
	VADDPD      Y0, Y8, Y8
	VMULPD      Y1, Y0, Y0
	VADDPD      Y0, Y9, Y9
	VFMADD231PD Y1, Y0, Y10

	VMOVUPD     32(AX)(SI*8), Y2
	VMULPD      32(BX)(SI*8), Y2, Y2
	VMOVUPD     32(DX)(SI*8), Y3
	VSUBPD      Y15, Y3, Y3
	VADDPD      Y2, Y11, Y11
	VMULPD      Y3, Y2, Y2
	VADDPD      Y2, Y12, Y12
	VFMADD231PD Y3, Y2, Y13

	ADDQ $8, SI
	JMP  weightedLoop

weightedTail:
	CMPQ SI, CX
	JGE  weightedSum

	VMOVUPD     (AX)(SI*8), Y0
	VMULPD      (BX)(SI*8), Y0, Y0
	VMOVUPD     (DX)(SI*8), Y1
	VSUBPD      Y15, Y1, Y1
	VADDPD      Y0, Y8, Y8
	VMULPD      Y1, Y0, Y0
	VADDPD      Y0, Y9, Y9
	VFMADD231PD Y1, Y0, Y10

weightedSum:
	VADDPD Y11, Y8, Y8
	VADDPD Y12, Y9, Y9
	VADDPD Y13, Y10, Y10

	VEXTRACTF128 $1, Y8, X0
	VADDPD       X0, X8, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0
	VMOVSD       X0, n0+40(FP)

	VEXTRACTF128 $1, Y9, X0
	VADDPD       X0, X9, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0
	VMOVSD       X0, s1+48(FP)

	VEXTRACTF128 $1, Y10, X0
	VADDPD       X0, X10, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0
	VMOVSD       X0, s2+56(FP)

	VZEROUPPER
	RET

// func expAVX2(x *float64, n int)
//
// For i < n, a multiple of 4: x[i] = e^x[i], by termsAVX2's exp.
TEXT ·expAVX2(SB), NOSPLIT, $0-16
	MOVQ    x+0(FP), AX
	MOVQ    n+8(FP), CX
	VMOVUPD INVL, Y12
	VMOVUPD SHIFT, Y11
	VMOVUPD TABHI, Y10
	VMOVUPD TABDELTA, Y9
	XORQ    SI, SI

expLoop:
	CMPQ SI, CX
	JGE  expDone

	// e^x in Y7 for x in Y0.
	VMOVUPD (AX)(SI*8), Y0
	EXP4
	VMOVUPD     Y7, (AX)(SI*8)

	ADDQ $4, SI
	JMP  expLoop

expDone:
	VZEROUPPER
	RET

// func softmaxAVX2(r, l *float64, k, stride, n int, mx, s *float64, bad *uint64)
//
// For each group of four columns t < n, a multiple of 4, of the k rows of
// l at a stride of stride floats: mx = the rows' largest value, bad = all
// ones where a value is NaN, e_j = e^(l_j − mx) by termsAVX2's exp, stored
// in r's rows, s = Σ_j e_j, and then r_j = e_j · (1/s).
TEXT ·softmaxAVX2(SB), NOSPLIT, $0-64
	MOVQ    r+0(FP), BX
	MOVQ    l+8(FP), AX
	MOVQ    k+16(FP), R8
	MOVQ    stride+24(FP), DX
	MOVQ    n+32(FP), CX
	MOVQ    mx+40(FP), R9
	MOVQ    s+48(FP), R10
	MOVQ    bad+56(FP), R11
	SHLQ    $3, DX
	VMOVUPD INVL, Y12
	VMOVUPD SHIFT, Y11
	VMOVUPD TABHI, Y10
	VMOVUPD TABDELTA, Y9
	XORQ    SI, SI

smLoop:
	CMPQ SI, CX
	JGE  smDone

	// The largest value of the four columns, in Y13.
	LEAQ    (AX)(SI*8), R12
	VMOVUPD (R12), Y13
	MOVQ    R8, R13
	DECQ    R13
	JZ      smMaxDone

smMax:
	ADDQ   DX, R12
	VMAXPD (R12), Y13, Y13
	DECQ   R13
	JNZ    smMax

smMaxDone:
	VXORPD Y14, Y14, Y14 // s
	VXORPD Y15, Y15, Y15 // bad
	LEAQ   (AX)(SI*8), R12
	LEAQ   (BX)(SI*8), R13
	MOVQ   R8, DI

smExp:
	VMOVUPD (R12), Y0
	VCMPPD  $3, Y0, Y0, Y1
	VORPD   Y1, Y15, Y15
	VSUBPD  Y13, Y0, Y0

	// e^x, x in Y0, the result in Y7.
	EXP4

	VMOVUPD Y7, (R13)
	VADDPD  Y7, Y14, Y14
	ADDQ    DX, R12
	ADDQ    DX, R13
	DECQ    DI
	JNZ     smExp

	VMOVUPD ONE, Y0
	VDIVPD  Y14, Y0, Y0
	LEAQ    (BX)(SI*8), R13
	MOVQ    R8, DI

smScale:
	VMULPD  (R13), Y0, Y1
	VMOVUPD Y1, (R13)
	ADDQ    DX, R13
	DECQ    DI
	JNZ     smScale

	VMOVUPD Y13, (R9)(SI*8)
	VMOVUPD Y14, (R10)(SI*8)
	VMOVUPD Y15, (R11)(SI*8)
	ADDQ    $4, SI
	JMP     smLoop

smDone:
	VZEROUPPER
	RET
