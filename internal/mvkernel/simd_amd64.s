//go:build !noasm

#include "textflag.h"

// ROW is the stride of the transposed rows in bytes: Block float64s.
#define ROW 1024

// CENTRE sets row r of the chunk at R12 + r·ROW to x − μ_r, with x at the
// offset DX from z and μ_r at R11 + 8r.
#define CENTRE(r) \
	VBROADCASTSD (8*r)(R11), Y12; \
	VMOVUPD      (r*ROW)(R12)(DX*1), Y13; \
	VMOVUPD      (r*ROW+32)(R12)(DX*1), Y14; \
	VSUBPD       Y12, Y13, Y13; \
	VSUBPD       Y12, Y14, Y14; \
	VMOVUPD      Y13, (r*ROW)(R12); \
	VMOVUPD      Y14, (r*ROW+32)(R12); \
	VMOVUPD      (r*ROW+64)(R12)(DX*1), Y13; \
	VMOVUPD      (r*ROW+96)(R12)(DX*1), Y14; \
	VSUBPD       Y12, Y13, Y13; \
	VSUBPD       Y12, Y14, Y14; \
	VMOVUPD      Y13, (r*ROW+64)(R12); \
	VMOVUPD      Y14, (r*ROW+96)(R12)

// ROWZ sets R12 to &z[j][t] for j in R9 and the chunk at R8, and R11 to
// &μ_j.
#define ROWZ \
	MOVQ mu+24(FP), R11; \
	LEAQ (R11)(R9*8), R11; \
	MOVQ R9, R12; \
	SHLQ $10, R12; \
	ADDQ CX, R12; \
	ADDQ R8, R12

// ROWINV sets R13 to &inv[j][0] for j in R9, R12 to &z[0][t] for the chunk
// at R8, and R11 to the j + c terms m < j + c of the rows.
#define ROWINV(c) \
	MOVQ  inv+0(FP), R13; \
	MOVQ  R9, R11; \
	IMULQ R10, R11; \
	ADDQ  R11, R13; \
	LEAQ  (CX)(R8*1), R12; \
	LEAQ  c(R9), R11

// SQUARES adds the squares of the rows' sums in a, b, c to out at the
// chunk's offset plus off.
#define SQUARES(off, a, b, c) \
	VMOVUPD     off(DI)(R8*1), Y12; \
	VFMADD231PD a, a, Y12; \
	VFMADD231PD b, b, Y12; \
	VFMADD231PD c, c, Y12; \
	VMOVUPD     Y12, off(DI)(R8*1)

// REDUCE4 sets b to the four sums of the lanes of a, b, c and e, in that
// order; a, c and e are overwritten.
#define REDUCE4(a, b, c, e) \
	VHADDPD    b, a, a; \
	VHADDPD    e, c, c; \
	VPERM2F128 $0x20, c, a, b; \
	VPERM2F128 $0x31, c, a, e; \
	VADDPD     e, b, b

// func mahaAVX2(inv *float64, d int, x, mu, z *float64, n int, c float64, out *float64)
//
// For each chunk of 16 points (four registers of four lanes), for each row
// j: z_j = x_j − μ_j is stored, and y = Σ_{m≤j} inv[j][m] z_m is summed in
// Y4–Y7 in the order of m, then the squares y² in Y8–Y11; out = c − ½ Σ y²,
// the product by ½ and the difference rounded apart, as in Go. inv is
// packed by rows.
TEXT ·mahaAVX2(SB), NOSPLIT, $0-64
	MOVQ inv+0(FP), AX
	MOVQ d+8(FP), BX
	MOVQ x+16(FP), DX
	MOVQ z+32(FP), CX
	MOVQ n+40(FP), SI
	MOVQ out+56(FP), DI
	VBROADCASTSD c+48(FP), Y15
	MOVQ         $0x3fe0000000000000, R11 // ½
	MOVQ         R11, X14
	VBROADCASTSD X14, Y14
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

	VMULPD  Y14, Y8, Y8
	VMULPD  Y14, Y9, Y9
	VMULPD  Y14, Y10, Y10
	VMULPD  Y14, Y11, Y11
	VSUBPD  Y8, Y15, Y8
	VSUBPD  Y9, Y15, Y9
	VSUBPD  Y10, Y15, Y10
	VSUBPD  Y11, Y15, Y11
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

// func mahaTileAVX2(inv *float64, d int, x, mu, z *float64, n int, out *float64)
//
// As mahaAVX2, with inv the whole lower triangular L⁻¹, d×d row-major with
// zeros above the diagonal, and three rows j at a time: for each chunk of
// 16 points, the first d mod 3 rows one by one, then the others in threes,
// each three centred first and their sums y = Σ_{m≤j} inv[j][m] z_m
// formed in twelve registers from the same loads of z, in the order of m
// as mahaAVX2 sums them, then y² added to out in memory.
TEXT ·mahaTileAVX2(SB), NOSPLIT, $0-56
	MOVQ d+8(FP), BX
	MOVQ BX, AX
	XORQ DX, DX
	MOVQ $3, R11
	DIVQ R11
	MOVQ DX, AX       // d mod 3
	MOVQ x+16(FP), DX
	MOVQ z+32(FP), CX
	MOVQ n+40(FP), SI
	MOVQ out+48(FP), DI
	SUBQ CX, DX       // x − z
	SHLQ $3, SI       // the bytes of n points
	MOVQ BX, R10
	SHLQ $3, R10      // the bytes of a row of inv
	XORQ R8, R8       // the chunk's offset in bytes

tmchunk:
	CMPQ    R8, SI
	JGE     tmdone
	VXORPD  Y0, Y0, Y0
	VMOVUPD Y0, (DI)(R8*1)
	VMOVUPD Y0, 32(DI)(R8*1)
	VMOVUPD Y0, 64(DI)(R8*1)
	VMOVUPD Y0, 96(DI)(R8*1)
	XORQ    R9, R9    // j

	// The first d mod 3 rows, one at a time.
tmone:
	CMPQ R9, AX
	JGE  tmthree
	ROWZ
	CENTRE(0)
	ROWINV(1)
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

tmonecol:
	VBROADCASTSD (R13), Y12
	VFMADD231PD  (R12), Y12, Y0
	VFMADD231PD  32(R12), Y12, Y1
	VFMADD231PD  64(R12), Y12, Y2
	VFMADD231PD  96(R12), Y12, Y3
	ADDQ         $8, R13
	ADDQ         $ROW, R12
	DECQ         R11
	JNZ          tmonecol

	VMOVUPD     (DI)(R8*1), Y12
	VFMADD231PD Y0, Y0, Y12
	VMOVUPD     Y12, (DI)(R8*1)
	VMOVUPD     32(DI)(R8*1), Y12
	VFMADD231PD Y1, Y1, Y12
	VMOVUPD     Y12, 32(DI)(R8*1)
	VMOVUPD     64(DI)(R8*1), Y12
	VFMADD231PD Y2, Y2, Y12
	VMOVUPD     Y12, 64(DI)(R8*1)
	VMOVUPD     96(DI)(R8*1), Y12
	VFMADD231PD Y3, Y3, Y12
	VMOVUPD     Y12, 96(DI)(R8*1)
	INCQ        R9
	JMP         tmone

	// The other rows, three at a time.
tmthree:
	LEAQ 3(R9), R11
	CMPQ R11, BX
	JG   tmnext
	ROWZ
	CENTRE(0)
	CENTRE(1)
	CENTRE(2)
	ROWINV(1)
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

tmcol:
	VBROADCASTSD (R13), Y12
	VBROADCASTSD (R13)(R10*1), Y13
	VBROADCASTSD (R13)(R10*2), Y14
	VMOVUPD      (R12), Y15
	VFMADD231PD  Y15, Y12, Y0
	VFMADD231PD  Y15, Y13, Y4
	VFMADD231PD  Y15, Y14, Y8
	VMOVUPD      32(R12), Y15
	VFMADD231PD  Y15, Y12, Y1
	VFMADD231PD  Y15, Y13, Y5
	VFMADD231PD  Y15, Y14, Y9
	VMOVUPD      64(R12), Y15
	VFMADD231PD  Y15, Y12, Y2
	VFMADD231PD  Y15, Y13, Y6
	VFMADD231PD  Y15, Y14, Y10
	VMOVUPD      96(R12), Y15
	VFMADD231PD  Y15, Y12, Y3
	VFMADD231PD  Y15, Y13, Y7
	VFMADD231PD  Y15, Y14, Y11
	ADDQ         $8, R13
	ADDQ         $ROW, R12
	DECQ         R11
	JNZ          tmcol

	// The terms above the diagonal of row j (m = j + 1) and of rows j and
	// j + 1 (m = j + 2) are zero and are not added, so that an infinite
	// centred coordinate gives no 0·∞.
	VBROADCASTSD (R13)(R10*1), Y13
	VBROADCASTSD (R13)(R10*2), Y14
	VMOVUPD      (R12), Y15
	VFMADD231PD  Y15, Y13, Y4
	VFMADD231PD  Y15, Y14, Y8
	VMOVUPD      32(R12), Y15
	VFMADD231PD  Y15, Y13, Y5
	VFMADD231PD  Y15, Y14, Y9
	VMOVUPD      64(R12), Y15
	VFMADD231PD  Y15, Y13, Y6
	VFMADD231PD  Y15, Y14, Y10
	VMOVUPD      96(R12), Y15
	VFMADD231PD  Y15, Y13, Y7
	VFMADD231PD  Y15, Y14, Y11
	VBROADCASTSD 8(R13)(R10*2), Y14
	VFMADD231PD  ROW(R12), Y14, Y8
	VFMADD231PD  ROW+32(R12), Y14, Y9
	VFMADD231PD  ROW+64(R12), Y14, Y10
	VFMADD231PD  ROW+96(R12), Y14, Y11

	SQUARES(0, Y0, Y4, Y8)
	SQUARES(32, Y1, Y5, Y9)
	SQUARES(64, Y2, Y6, Y10)
	SQUARES(96, Y3, Y7, Y11)
	ADDQ $3, R9
	JMP  tmthree

tmnext:
	ADDQ $128, R8
	JMP  tmchunk

tmdone:
	VZEROUPPER
	RET

// func accumTileAVX2(r, z, a *float64, d, n int, s1, s2 *float64)
//
// As accumAVX2 for the first part of the work: a_i = r ∘ z_i is stored
// for every row i (at a stride of Block floats) and its sum added to
// s1[i]; then, for the rows from d mod 3 on, three rows i at a time, the
// sums Σ_t a_i[t] z_j[t] for four rows j at a time, from j = 0 while
// j ≤ i + 2 and j + 4 ≤ d, are formed in twelve registers of four lanes
// from the same loads and added to s2[i·d + j]. Where j > i these land in
// the upper triangle of s2, which is not read. The other pairs j ≤ i (the
// first d mod 3 rows, and the last columns of the last rows) are left to
// the caller.
TEXT ·accumTileAVX2(SB), NOSPLIT, $0-56
	MOVQ r+0(FP), AX
	MOVQ z+8(FP), CX
	MOVQ a+16(FP), BX
	MOVQ d+24(FP), DX
	MOVQ n+32(FP), SI
	MOVQ s1+40(FP), R13
	MOVQ s2+48(FP), DI
	SHLQ $3, SI
	CMPQ SI, $0
	JLE  tadone
	XORQ R9, R9         // i
	MOVQ CX, R11        // &z[i][0]
	MOVQ BX, R12        // &a[i][0]

taprodrow:
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	XORQ   R8, R8

taprod:
	VMOVUPD (AX)(R8*1), Y0
	VMOVUPD 32(AX)(R8*1), Y1
	VMOVUPD 64(AX)(R8*1), Y2
	VMOVUPD 96(AX)(R8*1), Y3
	VMULPD  (R11)(R8*1), Y0, Y0
	VMULPD  32(R11)(R8*1), Y1, Y1
	VMULPD  64(R11)(R8*1), Y2, Y2
	VMULPD  96(R11)(R8*1), Y3, Y3
	VMOVUPD Y0, (R12)(R8*1)
	VMOVUPD Y1, 32(R12)(R8*1)
	VMOVUPD Y2, 64(R12)(R8*1)
	VMOVUPD Y3, 96(R12)(R8*1)
	VADDPD  Y0, Y8, Y8
	VADDPD  Y1, Y9, Y9
	VADDPD  Y2, Y10, Y10
	VADDPD  Y3, Y11, Y11
	ADDQ    $128, R8
	CMPQ    R8, SI
	JL      taprod

	VADDPD       Y9, Y8, Y8
	VADDPD       Y11, Y10, Y10
	VADDPD       Y10, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD       X9, X8, X8
	VHADDPD      X8, X8, X8
	VADDSD       (R13)(R9*8), X8, X8
	VMOVSD       X8, (R13)(R9*8)
	ADDQ         $ROW, R11
	ADDQ         $ROW, R12
	INCQ         R9
	CMPQ         R9, DX
	JL           taprodrow

	// The first row of the tiles: d mod 3.
	MOVQ DX, R9

tamod:
	CMPQ R9, $3
	JL   tarows
	SUBQ $3, R9
	JMP  tamod

tarows:
	LEAQ 3(R9), R8
	CMPQ R8, DX
	JG   tadone
	XORQ R10, R10       // j

tacols:
	LEAQ   2(R9), R8
	CMPQ   R10, R8
	JG     tarowsnext
	LEAQ   4(R10), R8
	CMPQ   R8, DX
	JG     tarowsnext
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	MOVQ   R9, R11
	SHLQ   $10, R11
	ADDQ   BX, R11      // &a[i][0]
	MOVQ   R10, R12
	SHLQ   $10, R12
	ADDQ   CX, R12      // &z[j][0]
	XORQ   R8, R8

tatile:
	VMOVUPD     (R11)(R8*1), Y12
	VMOVUPD     ROW(R11)(R8*1), Y13
	VMOVUPD     2*ROW(R11)(R8*1), Y14
	VMOVUPD     (R12)(R8*1), Y15
	VFMADD231PD Y15, Y12, Y0
	VFMADD231PD Y15, Y13, Y4
	VFMADD231PD Y15, Y14, Y8
	VMOVUPD     ROW(R12)(R8*1), Y15
	VFMADD231PD Y15, Y12, Y1
	VFMADD231PD Y15, Y13, Y5
	VFMADD231PD Y15, Y14, Y9
	VMOVUPD     2*ROW(R12)(R8*1), Y15
	VFMADD231PD Y15, Y12, Y2
	VFMADD231PD Y15, Y13, Y6
	VFMADD231PD Y15, Y14, Y10
	VMOVUPD     3*ROW(R12)(R8*1), Y15
	VFMADD231PD Y15, Y12, Y3
	VFMADD231PD Y15, Y13, Y7
	VFMADD231PD Y15, Y14, Y11
	ADDQ        $32, R8
	CMPQ        R8, SI
	JL          tatile

	MOVQ    R9, R11
	IMULQ   DX, R11
	ADDQ    R10, R11    // i·d + j
	REDUCE4(Y0, Y1, Y2, Y3)
	VADDPD  (DI)(R11*8), Y1, Y1
	VMOVUPD Y1, (DI)(R11*8)
	ADDQ    DX, R11
	REDUCE4(Y4, Y5, Y6, Y7)
	VADDPD  (DI)(R11*8), Y5, Y5
	VMOVUPD Y5, (DI)(R11*8)
	ADDQ    DX, R11
	REDUCE4(Y8, Y9, Y10, Y11)
	VADDPD  (DI)(R11*8), Y9, Y9
	VMOVUPD Y9, (DI)(R11*8)
	ADDQ    $4, R10
	JMP     tacols

tarowsnext:
	ADDQ $3, R9
	JMP  tarows

tadone:
	VZEROUPPER
	RET
