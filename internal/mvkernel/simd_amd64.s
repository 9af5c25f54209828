//go:build !noasm

#include "textflag.h"

// ROW is the stride of the transposed rows in bytes: Block float64s.
#define ROW 1024

// func mahaAVX2(inv *float64, d int, x, mu, z *float64, n int, out *float64)
//
// For each chunk of 16 points (four registers of four lanes), for each row
// j: z_j = x_j − μ_j is stored, and y = Σ_{m≤j} inv[j][m] z_m is summed in
// Y4–Y7 in the order of m, then out += y² in Y8–Y11. inv is packed by rows.
TEXT ·mahaAVX2(SB), NOSPLIT, $0-56
	MOVQ inv+0(FP), AX
	MOVQ d+8(FP), BX
	MOVQ x+16(FP), DX
	MOVQ z+32(FP), CX
	MOVQ n+40(FP), SI
	MOVQ out+48(FP), DI
	SUBQ CX, DX // x − z: the offset from a row of z to the same row of x
	SHLQ $3, SI // the bytes of n points
	XORQ R8, R8 // the chunk's offset in bytes

mahachunk:
	CMPQ   R8, SI
	JGE    mahadone
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	MOVQ   AX, R13      // &inv[j][m], running over the packed rows
	MOVQ   mu+24(FP), R10 // &μ_j
	XORQ   R9, R9       // j

maharow:
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	LEAQ   (CX)(R8*1), R12 // &z[m][t]
	MOVQ   R9, R11         // the j terms m < j
	TESTQ  R11, R11
	JZ     mahadiag

mahacol:
	VBROADCASTSD (R13), Y0
	VFMADD231PD  (R12), Y0, Y4
	VFMADD231PD  32(R12), Y0, Y5
	VFMADD231PD  64(R12), Y0, Y6
	VFMADD231PD  96(R12), Y0, Y7
	ADDQ         $8, R13
	ADDQ         $ROW, R12
	DECQ         R11
	JNZ          mahacol

mahadiag:
	// R12 is &z[j][t]: set z_j = x_j − μ_j there and add its term.
	VBROADCASTSD (R10), Y1
	VMOVUPD      (R12)(DX*1), Y2
	VMOVUPD      32(R12)(DX*1), Y3
	VMOVUPD      64(R12)(DX*1), Y12
	VMOVUPD      96(R12)(DX*1), Y13
	VSUBPD       Y1, Y2, Y2
	VSUBPD       Y1, Y3, Y3
	VSUBPD       Y1, Y12, Y12
	VSUBPD       Y1, Y13, Y13
	VMOVUPD      Y2, (R12)
	VMOVUPD      Y3, 32(R12)
	VMOVUPD      Y12, 64(R12)
	VMOVUPD      Y13, 96(R12)
	VBROADCASTSD (R13), Y0
	VFMADD231PD  Y2, Y0, Y4
	VFMADD231PD  Y3, Y0, Y5
	VFMADD231PD  Y12, Y0, Y6
	VFMADD231PD  Y13, Y0, Y7
	ADDQ         $8, R13
	ADDQ         $8, R10

	VFMADD231PD Y4, Y4, Y8
	VFMADD231PD Y5, Y5, Y9
	VFMADD231PD Y6, Y6, Y10
	VFMADD231PD Y7, Y7, Y11
	INCQ        R9
	CMPQ        R9, BX
	JL          maharow

	VMOVUPD Y8, (DI)(R8*1)
	VMOVUPD Y9, 32(DI)(R8*1)
	VMOVUPD Y10, 64(DI)(R8*1)
	VMOVUPD Y11, 96(DI)(R8*1)
	ADDQ    $128, R8
	JMP     mahachunk

mahadone:
	VZEROUPPER
	RET

// func accumAVX2(r, z, a *float64, d, n int, s1, s2 *float64)
//
// For each row i of z: a = r ∘ z_i is stored and its sum added to s1[i];
// then for j ≤ i, Σ_t a[t] z_j[t] is added to s2[i·d + j]. Each sum runs in
// four chains of four lanes, sixteen points at a time, and its lanes are
// then added.
TEXT ·accumAVX2(SB), NOSPLIT, $0-56
	MOVQ r+0(FP), AX
	MOVQ z+8(FP), CX
	MOVQ a+16(FP), BX
	MOVQ d+24(FP), DX
	MOVQ n+32(FP), SI
	MOVQ s1+40(FP), R13
	MOVQ s2+48(FP), DI
	SHLQ $3, SI
	CMPQ SI, $0
	JLE  accdone
	MOVQ CX, R11 // &z[i][0]
	XORQ R9, R9  // i

accrow:
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	XORQ   R8, R8

accprod:
	VMOVUPD (AX)(R8*1), Y0
	VMOVUPD 32(AX)(R8*1), Y1
	VMOVUPD 64(AX)(R8*1), Y2
	VMOVUPD 96(AX)(R8*1), Y3
	VMULPD  (R11)(R8*1), Y0, Y0
	VMULPD  32(R11)(R8*1), Y1, Y1
	VMULPD  64(R11)(R8*1), Y2, Y2
	VMULPD  96(R11)(R8*1), Y3, Y3
	VMOVUPD Y0, (BX)(R8*1)
	VMOVUPD Y1, 32(BX)(R8*1)
	VMOVUPD Y2, 64(BX)(R8*1)
	VMOVUPD Y3, 96(BX)(R8*1)
	VADDPD  Y0, Y8, Y8
	VADDPD  Y1, Y9, Y9
	VADDPD  Y2, Y10, Y10
	VADDPD  Y3, Y11, Y11
	ADDQ    $128, R8
	CMPQ    R8, SI
	JL      accprod

	VADDPD       Y9, Y8, Y8
	VADDPD       Y11, Y10, Y10
	VADDPD       Y10, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD       X9, X8, X8
	VHADDPD      X8, X8, X8
	VADDSD       (R13), X8, X8
	VMOVSD       X8, (R13)

	MOVQ CX, R12  // &z[j][0]
	XORQ R10, R10 // j

	// Four rows j..j+3 at a time while i has them, sharing the loads of
	// a: eight chains, two per row, eight points an iteration.
accquad:
	LEAQ   3(R10), R8
	CMPQ   R8, R9
	JG     accdot
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	XORQ   R8, R8

accquadchunk:
	VMOVUPD     (BX)(R8*1), Y0
	VMOVUPD     32(BX)(R8*1), Y1
	VFMADD231PD (R12)(R8*1), Y0, Y4
	VFMADD231PD 32(R12)(R8*1), Y1, Y5
	VFMADD231PD ROW(R12)(R8*1), Y0, Y6
	VFMADD231PD ROW+32(R12)(R8*1), Y1, Y7
	VFMADD231PD 2*ROW(R12)(R8*1), Y0, Y8
	VFMADD231PD 2*ROW+32(R12)(R8*1), Y1, Y9
	VFMADD231PD 3*ROW(R12)(R8*1), Y0, Y10
	VFMADD231PD 3*ROW+32(R12)(R8*1), Y1, Y11
	ADDQ        $64, R8
	CMPQ        R8, SI
	JL          accquadchunk

	// The four rows' sums into the lanes of one register:
	// hadd gives (j: 0+1, j+1: 0+1, j: 2+3, j+1: 2+3) and the same for
	// j+2, j+3; the halves are then paired and added.
	VADDPD     Y5, Y4, Y4
	VADDPD     Y7, Y6, Y6
	VADDPD     Y9, Y8, Y8
	VADDPD     Y11, Y10, Y10
	VHADDPD    Y6, Y4, Y4
	VHADDPD    Y10, Y8, Y8
	VPERM2F128 $0x20, Y8, Y4, Y5
	VPERM2F128 $0x31, Y8, Y4, Y6
	VADDPD     Y6, Y5, Y5
	VADDPD     (DI)(R10*8), Y5, Y5
	VMOVUPD    Y5, (DI)(R10*8)
	ADDQ       $4*ROW, R12
	ADDQ       $4, R10
	JMP        accquad

	// The rows left, one at a time.
accdot:
	CMPQ   R10, R9
	JG     accnext
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ   R8, R8

accchunk:
	VMOVUPD     (BX)(R8*1), Y0
	VMOVUPD     32(BX)(R8*1), Y1
	VMOVUPD     64(BX)(R8*1), Y2
	VMOVUPD     96(BX)(R8*1), Y3
	VFMADD231PD (R12)(R8*1), Y0, Y4
	VFMADD231PD 32(R12)(R8*1), Y1, Y5
	VFMADD231PD 64(R12)(R8*1), Y2, Y6
	VFMADD231PD 96(R12)(R8*1), Y3, Y7
	ADDQ        $128, R8
	CMPQ        R8, SI
	JL          accchunk

	VADDPD       Y5, Y4, Y4
	VADDPD       Y7, Y6, Y6
	VADDPD       Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VADDPD       X5, X4, X4
	VHADDPD      X4, X4, X4
	VADDSD       (DI)(R10*8), X4, X4
	VMOVSD       X4, (DI)(R10*8)
	ADDQ         $ROW, R12
	INCQ         R10
	JMP          accdot

accnext:
	ADDQ $ROW, R11
	ADDQ $8, R13
	LEAQ (DI)(DX*8), DI
	INCQ R9
	CMPQ R9, DX
	JL   accrow

accdone:
	VZEROUPPER
	RET

// func transposeAVX2(src *float64, stride, d4, n int, xt *float64)
//
// For points t < n and coordinates j < d4, both multiples of 4, sets
// xt[j·Block + t] = src[t·stride + j], four points by four coordinates at a
// time: four rows loaded, interleaved by pairs and their halves exchanged.
TEXT ·transposeAVX2(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), AX
	MOVQ stride+8(FP), BX
	MOVQ d4+16(FP), CX
	MOVQ n+24(FP), DX
	MOVQ xt+32(FP), DI
	SHLQ $3, BX   // the bytes of a row of src
	XORQ SI, SI   // t
	MOVQ AX, R9   // &src[t·stride]

trpoint:
	CMPQ SI, DX
	JGE  trdone
	XORQ R8, R8 // j

trcoord:
	CMPQ    R8, CX
	JGE     trnext
	LEAQ    (R9)(R8*8), R11
	LEAQ    (R11)(BX*2), R12
	VMOVUPD (R11), Y0
	VMOVUPD (R11)(BX*1), Y1
	VMOVUPD (R12), Y2
	VMOVUPD (R12)(BX*1), Y3

	VUNPCKLPD  Y1, Y0, Y4
	VUNPCKHPD  Y1, Y0, Y5
	VUNPCKLPD  Y3, Y2, Y6
	VUNPCKHPD  Y3, Y2, Y7
	VPERM2F128 $0x20, Y6, Y4, Y0
	VPERM2F128 $0x20, Y7, Y5, Y1
	VPERM2F128 $0x31, Y6, Y4, Y2
	VPERM2F128 $0x31, Y7, Y5, Y3

	MOVQ    R8, R13
	SHLQ    $10, R13 // j·ROW
	ADDQ    DI, R13
	LEAQ    (R13)(SI*8), R13
	VMOVUPD Y0, (R13)
	VMOVUPD Y1, ROW(R13)
	VMOVUPD Y2, 2*ROW(R13)
	VMOVUPD Y3, 3*ROW(R13)
	ADDQ    $4, R8
	JMP     trcoord

trnext:
	LEAQ (R9)(BX*4), R9
	ADDQ $4, SI
	JMP  trpoint

trdone:
	VZEROUPPER
	RET
