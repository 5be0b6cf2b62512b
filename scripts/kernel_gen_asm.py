#!/usr/bin/env python3
"""Writes pkg/kernel/sweep_amd64.s: the AVX2 form of the on-the-fly hot loop, 8 (or 4)
targets, one per float32 lane, against one sweep of sources. Every float32 operation is
the one of gauss (pkg/kernel/exp.go) in the same order, without FMA, so each lane is
bit-identical to the pure-Go loop (TestAVX2MatchesGo). Also the cached mode's dot and
axpy (float32 values times float64 vectors, FMA). Run from the repository root:
    python3 scripts/kernel_gen_asm.py
"""

# float32 bit patterns of the constants of exp.go (printed by Go: math.Float32bits).
CONSTS = [
    ("NegHalf", 0xbf000000), ("Log2e", 0x3fb8aa3b), ("Magic", 0x4b400000),
    ("Ln2Hi", 0x3f318000), ("Ln2Lo", 0xb95e8083), ("P0", 0x39506967), ("P1", 0x3ab743ce),
    ("P2", 0x3c088908), ("P3", 0x3d2aa9c1), ("P4", 0x3e2aaaaa), ("P5", 0x3f000000),
    ("One", 0x3f800000),
]


def data():
    out = []
    for name, bits in CONSTS:
        for k in range(8):
            out.append(f"DATA k{name}<>+{4*k}(SB)/4, ${bits:#010x}")
        out.append(f"GLOBL k{name}<>(SB), RODATA|NOPTR, $32")
    return "\n".join(out)


def body(dim, lanes):
    V = "Y" if lanes == 8 else "X"  # float32 vectors
    # V0..V2 targets, Y3 (and Y4) float64 accumulators, V5 c2.
    L = [f"\tVBROADCASTSS (SI), {V}7", f"\tVSUBPS {V}7, {V}0, {V}7", f"\tVMULPS {V}7, {V}7, {V}7",
         f"\tVBROADCASTSS (DI), {V}8", f"\tVSUBPS {V}8, {V}1, {V}8", f"\tVMULPS {V}8, {V}8, {V}8",
         f"\tVADDPS {V}8, {V}7, {V}7"]
    if dim == 3:
        L += [f"\tVBROADCASTSS (R8), {V}9", f"\tVSUBPS {V}9, {V}2, {V}9", f"\tVMULPS {V}9, {V}9, {V}9",
              f"\tVADDPS {V}9, {V}7, {V}7"]
    L += [
        f"\t// {V}7 = d2; keep lanes with d2 <= c2 (predicate 2: LE_OS)",
        f"\tVCMPPS $2, {V}5, {V}7, {V}10",
        f"\tVMULPS kNegHalf<>(SB), {V}7, {V}7",
        f"\tVMULPS kLog2e<>(SB), {V}7, {V}11",
        f"\tVADDPS kMagic<>(SB), {V}11, {V}11",
        f"\tVSUBPS kMagic<>(SB), {V}11, {V}12",
        f"\tVMULPS kLn2Hi<>(SB), {V}12, {V}13",
        f"\tVSUBPS {V}13, {V}7, {V}7",
        f"\tVMULPS kLn2Lo<>(SB), {V}12, {V}13",
        f"\tVSUBPS {V}13, {V}7, {V}7",
        f"\t// {V}7 = r; polynomial",
        f"\tVMULPS kP0<>(SB), {V}7, {V}13",
        f"\tVADDPS kP1<>(SB), {V}13, {V}13",
        f"\tVMULPS {V}7, {V}13, {V}13",
        f"\tVADDPS kP2<>(SB), {V}13, {V}13",
        f"\tVMULPS {V}7, {V}13, {V}13",
        f"\tVADDPS kP3<>(SB), {V}13, {V}13",
        f"\tVMULPS {V}7, {V}13, {V}13",
        f"\tVADDPS kP4<>(SB), {V}13, {V}13",
        f"\tVMULPS {V}7, {V}13, {V}13",
        f"\tVADDPS kP5<>(SB), {V}13, {V}13",
        f"\tVMULPS {V}7, {V}7, {V}14",
        f"\tVMULPS {V}14, {V}13, {V}13",
        f"\tVADDPS {V}7, {V}13, {V}13",
        f"\tVADDPS kOne<>(SB), {V}13, {V}13",
        "\t// scale by 2^n: bits(y) + bits(fx)<<23 (the magic's bits vanish mod 2^32)",
        f"\tVPSLLD $23, {V}11, {V}11",
        f"\tVPADDD {V}11, {V}13, {V}13",
        f"\tVANDPS {V}10, {V}13, {V}13",
        "\t// acc += float64(w) * v[s]",
        "\tVBROADCASTSD (R9), Y15",
        "\tVCVTPS2PD X13, Y14",
        "\tVMULPD Y15, Y14, Y14",
        "\tVADDPD Y14, Y3, Y3",
    ]
    if lanes == 8:
        L += ["\tVEXTRACTF128 $1, Y13, X13", "\tVCVTPS2PD X13, Y14", "\tVMULPD Y15, Y14, Y14",
              "\tVADDPD Y14, Y4, Y4"]
    L += ["\tADDQ $4, SI", "\tADDQ $4, DI"]
    if dim == 3:
        L.append("\tADDQ $4, R8")
    L += ["\tADDQ $8, R9"]
    return "\n".join(L)


def func(dim, lanes):
    V = "Y" if lanes == 8 else "X"
    name = f"sweep{dim}x{lanes}" + ("avx" if lanes == 4 else "")
    tgt = ", ".join("txyz"[k + 1] if False else "t" + "xyz"[k] for k in range(dim))
    srcs = ", ".join("xyz"[k] + "s" for k in range(dim))
    sig = f"// func {name}(acc *[{lanes}]float64, {tgt} *[{lanes}]float32, {srcs} *float32, v *float64, n int, c2 float32)"
    off = 8
    head = [f"TEXT ·{name}(SB), NOSPLIT, $0-{8 + 8*dim + 8*dim + 8 + 8 + 4}", "\tMOVQ acc+0(FP), AX"]
    for k in range(dim):
        head += [f"\tMOVQ t{'xyz'[k]}+{off}(FP), BX", f"\tVMOVUPS (BX), {V}{k}"]
        off += 8
    for k, reg in zip(range(dim), ["SI", "DI", "R8"]):
        head.append(f"\tMOVQ {'xyz'[k]}s+{off}(FP), {reg}")
        off += 8
    head.append(f"\tMOVQ v+{off}(FP), R9")
    off += 8
    head.append(f"\tMOVQ n+{off}(FP), CX")
    off += 8
    head.append(f"\tVBROADCASTSS c2+{off}(FP), {V}5")
    load = ["\tVMOVUPD (AX), Y3"] + (["\tVMOVUPD 32(AX), Y4"] if lanes == 8 else [])
    store = ["\tVMOVUPD Y3, (AX)"] + (["\tVMOVUPD Y4, 32(AX)"] if lanes == 8 else [])
    lbl = f"{dim}x{lanes}"
    return "\n".join([sig] + head + load + [
        "\tTESTQ CX, CX", f"\tJLE done{lbl}", f"loop{lbl}:", body(dim, lanes),
        "\tDECQ CX", f"\tJNZ loop{lbl}", f"done{lbl}:"] + store + ["\tVZEROUPPER", "\tRET", ""])


CACHED = """// func tileDot(acc *float64, w *float32, v *float64, ni, nj int)
// acc[t] += sum_s w[t*nj+s]*v[s] for t < ni: one row-sum per target (two 4-wide FMA partial
// sums over blocks of 8, then the scalar tail), added to acc[t].
TEXT ·tileDot(SB), NOSPLIT, $0-40
	MOVQ acc+0(FP), DI
	MOVQ w+8(FP), SI
	MOVQ ni+24(FP), R10
	MOVQ nj+32(FP), R11
	TESTQ R10, R10
	JLE tdDone
	MOVQ R11, R12
	SHRQ $3, R12
	MOVQ R11, R13
	ANDQ $7, R13
tdRow:
	MOVQ v+16(FP), DX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	MOVQ R12, CX
	TESTQ CX, CX
	JZ tdSum
tdBlk:
	VCVTPS2PD (SI), Y2
	VCVTPS2PD 16(SI), Y3
	VFMADD231PD (DX), Y2, Y0
	VFMADD231PD 32(DX), Y3, Y1
	ADDQ $32, SI
	ADDQ $64, DX
	DECQ CX
	JNZ tdBlk
tdSum:
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VHADDPD X0, X0, X0
	MOVQ R13, CX
	TESTQ CX, CX
	JZ tdStore
tdTail:
	VCVTSS2SD (SI), X2, X2
	VFMADD231SD (DX), X2, X0
	ADDQ $4, SI
	ADDQ $8, DX
	DECQ CX
	JNZ tdTail
tdStore:
	VADDSD (DI), X0, X0
	VMOVSD X0, (DI)
	ADDQ $8, DI
	DECQ R10
	JNZ tdRow
tdDone:
	VZEROUPPER
	RET

// func tileSym(acc, y *float64, w *float32, vj, vi *float64, ni, nj int)
// A stored tile applied both ways, reading it once: for t < ni,
// acc[t] += sum_s w[t*nj+s]*vj[s] (as tileDot) and y[s] += w[t*nj+s]*vi[t] (FMA, t in
// ascending order). Rows go in pairs, so each y block is loaded and stored once per pair.
TEXT ·tileSym(SB), NOSPLIT, $0-56
	MOVQ acc+0(FP), DI
	MOVQ w+16(FP), SI
	MOVQ vi+32(FP), R8
	MOVQ ni+40(FP), R10
	MOVQ nj+48(FP), R11
	MOVQ R11, R12
	SHRQ $3, R12
	MOVQ R11, R13
	ANDQ $7, R13
	LEAQ (SI)(R11*4), R9
tpPair:
	CMPQ R10, $2
	JLT tsRows
	MOVQ vj+24(FP), DX
	MOVQ y+8(FP), BX
	VBROADCASTSD (R8), Y6
	VBROADCASTSD 8(R8), Y7
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	MOVQ R12, CX
	TESTQ CX, CX
	JZ tpSum
tpBlk:
	VMOVUPD (DX), Y10
	VMOVUPD 32(DX), Y11
	VCVTPS2PD (SI), Y2
	VCVTPS2PD 16(SI), Y3
	VCVTPS2PD (R9), Y4
	VCVTPS2PD 16(R9), Y5
	VFMADD231PD Y10, Y2, Y0
	VFMADD231PD Y11, Y3, Y1
	VFMADD231PD Y10, Y4, Y8
	VFMADD231PD Y11, Y5, Y9
	VMOVUPD (BX), Y12
	VMOVUPD 32(BX), Y13
	VFMADD231PD Y6, Y2, Y12
	VFMADD231PD Y6, Y3, Y13
	VFMADD231PD Y7, Y4, Y12
	VFMADD231PD Y7, Y5, Y13
	VMOVUPD Y12, (BX)
	VMOVUPD Y13, 32(BX)
	ADDQ $32, SI
	ADDQ $32, R9
	ADDQ $64, DX
	ADDQ $64, BX
	DECQ CX
	JNZ tpBlk
tpSum:
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VHADDPD X0, X0, X0
	VADDPD Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD X9, X8, X8
	VHADDPD X8, X8, X8
	MOVQ R13, CX
	TESTQ CX, CX
	JZ tpStore
tpTail:
	VMOVSD (DX), X10
	VCVTSS2SD (SI), X2, X2
	VCVTSS2SD (R9), X4, X4
	VFMADD231SD X10, X2, X0
	VFMADD231SD X10, X4, X8
	VMOVSD (BX), X12
	VFMADD231SD X6, X2, X12
	VFMADD231SD X7, X4, X12
	VMOVSD X12, (BX)
	ADDQ $4, SI
	ADDQ $4, R9
	ADDQ $8, DX
	ADDQ $8, BX
	DECQ CX
	JNZ tpTail
tpStore:
	VADDSD (DI), X0, X0
	VMOVSD X0, (DI)
	VADDSD 8(DI), X8, X8
	VMOVSD X8, 8(DI)
	ADDQ $16, DI
	ADDQ $16, R8
	MOVQ R9, SI
	LEAQ (SI)(R11*4), R9
	SUBQ $2, R10
	JMP tpPair
tsRows:
	TESTQ R10, R10
	JLE tsDone
tsRow:
	MOVQ vj+24(FP), DX
	MOVQ y+8(FP), BX
	VBROADCASTSD (R8), Y6
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	MOVQ R12, CX
	TESTQ CX, CX
	JZ tsSum
tsBlk:
	VCVTPS2PD (SI), Y2
	VCVTPS2PD 16(SI), Y3
	VFMADD231PD (DX), Y2, Y0
	VFMADD231PD 32(DX), Y3, Y1
	VFMADD213PD (BX), Y6, Y2
	VFMADD213PD 32(BX), Y6, Y3
	VMOVUPD Y2, (BX)
	VMOVUPD Y3, 32(BX)
	ADDQ $32, SI
	ADDQ $64, DX
	ADDQ $64, BX
	DECQ CX
	JNZ tsBlk
tsSum:
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VHADDPD X0, X0, X0
	MOVQ R13, CX
	TESTQ CX, CX
	JZ tsStore
tsTail:
	VCVTSS2SD (SI), X2, X2
	VFMADD231SD (DX), X2, X0
	VFMADD213SD (BX), X6, X2
	VMOVSD X2, (BX)
	ADDQ $4, SI
	ADDQ $8, DX
	ADDQ $8, BX
	DECQ CX
	JNZ tsTail
tsStore:
	VADDSD (DI), X0, X0
	VMOVSD X0, (DI)
	ADDQ $8, DI
	ADDQ $8, R8
	DECQ R10
	JNZ tsRow
tsDone:
	VZEROUPPER
	RET
"""

src = f"""// Code generated by scripts/kernel_gen_asm.py; DO NOT EDIT.

//go:build amd64 && !purego

#include "textflag.h"

{data()}

{func(2, 8)}
{func(3, 8)}
{func(2, 4)}
{func(3, 4)}
{CACHED}"""

with open("pkg/kernel/sweep_amd64.s", "w") as f:
    f.write(src)
