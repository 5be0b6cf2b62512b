#!/usr/bin/env python3
"""Writes pkg/kernel/sweep_amd64.s: the AVX2 form of the on-the-fly hot loop, 8 (or 4)
targets, one per float32 lane, against one sweep of sources. Every float32 operation is
the one of gauss (pkg/kernel/exp.go) in the same order, without FMA, so each lane is
bit-identical to the pure-Go loop (TestAVX2MatchesGo). Also the cached mode's tile loops
over packed row-pair spans (float32 values times float64 vectors, FMA). Run from the repository root:
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


def span_kernel(sym):
    """Row-pair loop over a packed tile (see pkg/kernel/cache.go): per pair of target rows
    one span [lo, hi) of sources; each row's dot with v over the span (two 4-wide FMA
    partial sums over blocks of 8, then the scalar tail), added to acc[t]; with sym also
    y[s] += w_t[s]*vi[t], row 2p then 2p+1. An odd last row goes alone."""
    name = "tileSymSpan" if sym else "tileDotSpan"
    L = []
    if sym:
        L += [f"// func {name}(acc, y *float64, w *float32, vj, vi *float64, spans *[2]int32, ni int)",
              f"TEXT ·{name}(SB), NOSPLIT, $0-56",
              "\tMOVQ acc+0(FP), DI", "\tMOVQ w+16(FP), SI", "\tMOVQ vi+32(FP), R8",
              "\tMOVQ spans+40(FP), R10", "\tMOVQ ni+48(FP), R11"]
        vname = "vj+24(FP)"
    else:
        L += [f"// func {name}(acc *float64, w *float32, v *float64, spans *[2]int32, ni int)",
              f"TEXT ·{name}(SB), NOSPLIT, $0-40",
              "\tMOVQ acc+0(FP), DI", "\tMOVQ w+8(FP), SI",
              "\tMOVQ spans+24(FP), R10", "\tMOVQ ni+32(FP), R11"]
        vname = "v+16(FP)"
    x = name
    L += ["\tLEAQ (DI)(R11*8), R11",
          f"{x}Pair:", "\tLEAQ 16(DI), AX", "\tCMPQ AX, R11", f"\tJGT {x}Odd",
          "\tMOVLQSX 0(R10), AX", "\tMOVLQSX 4(R10), R12", "\tSUBQ AX, R12",
          f"\tMOVQ {vname}, DX", "\tLEAQ (DX)(AX*8), DX"]
    if sym:
        L += ["\tMOVQ y+8(FP), BX", "\tLEAQ (BX)(AX*8), BX",
              "\tVBROADCASTSD (R8), Y6", "\tVBROADCASTSD 8(R8), Y7"]
    L += ["\tLEAQ (SI)(R12*4), R9", "\tMOVQ R12, R13", "\tANDQ $7, R13", "\tSHRQ $3, R12",
          "\tVXORPD Y0, Y0, Y0", "\tVXORPD Y1, Y1, Y1", "\tVXORPD Y8, Y8, Y8", "\tVXORPD Y9, Y9, Y9",
          "\tMOVQ R12, CX", "\tTESTQ CX, CX", f"\tJZ {x}PSum",
          f"{x}PBlk:",
          "\tVMOVUPD (DX), Y10", "\tVMOVUPD 32(DX), Y11",
          "\tVCVTPS2PD (SI), Y2", "\tVCVTPS2PD 16(SI), Y3", "\tVCVTPS2PD (R9), Y4", "\tVCVTPS2PD 16(R9), Y5",
          "\tVFMADD231PD Y10, Y2, Y0", "\tVFMADD231PD Y11, Y3, Y1",
          "\tVFMADD231PD Y10, Y4, Y8", "\tVFMADD231PD Y11, Y5, Y9"]
    if sym:
        L += ["\tVMOVUPD (BX), Y12", "\tVMOVUPD 32(BX), Y13",
              "\tVFMADD231PD Y6, Y2, Y12", "\tVFMADD231PD Y6, Y3, Y13",
              "\tVFMADD231PD Y7, Y4, Y12", "\tVFMADD231PD Y7, Y5, Y13",
              "\tVMOVUPD Y12, (BX)", "\tVMOVUPD Y13, 32(BX)", "\tADDQ $64, BX"]
    L += ["\tADDQ $32, SI", "\tADDQ $32, R9", "\tADDQ $64, DX", "\tDECQ CX", f"\tJNZ {x}PBlk",
          f"{x}PSum:",
          "\tVADDPD Y1, Y0, Y0", "\tVEXTRACTF128 $1, Y0, X1", "\tVADDPD X1, X0, X0", "\tVHADDPD X0, X0, X0",
          "\tVADDPD Y9, Y8, Y8", "\tVEXTRACTF128 $1, Y8, X9", "\tVADDPD X9, X8, X8", "\tVHADDPD X8, X8, X8",
          "\tMOVQ R13, CX", "\tTESTQ CX, CX", f"\tJZ {x}PStore",
          f"{x}PTail:",
          "\tVMOVSD (DX), X10", "\tVCVTSS2SD (SI), X2, X2", "\tVCVTSS2SD (R9), X4, X4",
          "\tVFMADD231SD X10, X2, X0", "\tVFMADD231SD X10, X4, X8"]
    if sym:
        L += ["\tVMOVSD (BX), X12", "\tVFMADD231SD X6, X2, X12", "\tVFMADD231SD X7, X4, X12",
              "\tVMOVSD X12, (BX)", "\tADDQ $8, BX"]
    L += ["\tADDQ $4, SI", "\tADDQ $4, R9", "\tADDQ $8, DX", "\tDECQ CX", f"\tJNZ {x}PTail",
          f"{x}PStore:",
          "\tVADDSD (DI), X0, X0", "\tVMOVSD X0, (DI)", "\tVADDSD 8(DI), X8, X8", "\tVMOVSD X8, 8(DI)",
          "\tADDQ $16, DI"]
    if sym:
        L += ["\tADDQ $16, R8"]
    L += ["\tADDQ $8, R10", "\tMOVQ R9, SI", f"\tJMP {x}Pair",
          # odd last row
          f"{x}Odd:", "\tCMPQ DI, R11", f"\tJGE {x}Done",
          "\tMOVLQSX 0(R10), AX", "\tMOVLQSX 4(R10), R12", "\tSUBQ AX, R12",
          f"\tMOVQ {vname}, DX", "\tLEAQ (DX)(AX*8), DX"]
    if sym:
        L += ["\tMOVQ y+8(FP), BX", "\tLEAQ (BX)(AX*8), BX", "\tVBROADCASTSD (R8), Y6"]
    L += ["\tMOVQ R12, R13", "\tANDQ $7, R13", "\tSHRQ $3, R12",
          "\tVXORPD Y0, Y0, Y0", "\tVXORPD Y1, Y1, Y1",
          "\tMOVQ R12, CX", "\tTESTQ CX, CX", f"\tJZ {x}OSum",
          f"{x}OBlk:",
          "\tVCVTPS2PD (SI), Y2", "\tVCVTPS2PD 16(SI), Y3",
          "\tVFMADD231PD (DX), Y2, Y0", "\tVFMADD231PD 32(DX), Y3, Y1"]
    if sym:
        L += ["\tVFMADD213PD (BX), Y6, Y2", "\tVFMADD213PD 32(BX), Y6, Y3",
              "\tVMOVUPD Y2, (BX)", "\tVMOVUPD Y3, 32(BX)", "\tADDQ $64, BX"]
    L += ["\tADDQ $32, SI", "\tADDQ $64, DX", "\tDECQ CX", f"\tJNZ {x}OBlk",
          f"{x}OSum:",
          "\tVADDPD Y1, Y0, Y0", "\tVEXTRACTF128 $1, Y0, X1", "\tVADDPD X1, X0, X0", "\tVHADDPD X0, X0, X0",
          "\tMOVQ R13, CX", "\tTESTQ CX, CX", f"\tJZ {x}OStore",
          f"{x}OTail:",
          "\tVCVTSS2SD (SI), X2, X2", "\tVFMADD231SD (DX), X2, X0"]
    if sym:
        L += ["\tVFMADD213SD (BX), X6, X2", "\tVMOVSD X2, (BX)", "\tADDQ $8, BX"]
    L += ["\tADDQ $4, SI", "\tADDQ $8, DX", "\tDECQ CX", f"\tJNZ {x}OTail",
          f"{x}OStore:", "\tVADDSD (DI), X0, X0", "\tVMOVSD X0, (DI)",
          f"{x}Done:", "\tVZEROUPPER", "\tRET", ""]
    return "\n".join(L)


CACHED = span_kernel(False) + "\n" + span_kernel(True)

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
