#!/usr/bin/env python3
"""Writes pkg/kernel/sweep_amd64.s: the AVX2 form of the on-the-fly hot loop, 8 (or 4)
targets, one per float32 lane, against one sweep of sources. Every float32 operation is
the one of gauss (pkg/kernel/exp.go) in the same order, without FMA, so each lane is
bit-identical to the pure-Go loop (TestAVX2MatchesGo). Also the cached mode's tile loops
over packed row-pair spans (float32 values times float64 vectors, FMA), and the block
products' loops (blockAcc, tileRow: b columns per kernel value). Run from the repository root:
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


def d2_ops(dim, mov, srcs, a, temps, V):
    """The squared distance to the target (V0..V2) of the sources that mov loads from
    srcs (x, y, z), into a (temps: the y and z differences' registers), in gauss's float32
    order without FMA."""
    L = [f"\t{mov} {srcs[0]}, {a}", f"\tVSUBPS {a}, {V}0, {a}", f"\tVMULPS {a}, {a}, {a}"]
    for c in range(1, dim):
        t = temps[c - 1]
        L += [f"\t{mov} {srcs[c]}, {t}", f"\tVSUBPS {t}, {V}{c}, {t}", f"\tVMULPS {t}, {t}, {t}",
              f"\tVADDPS {t}, {a}, {a}"]
    return L


def exp_ops(r, V, comments=False):
    """gauss's exp of -d2/2 (exp.go's float32 operations in its order, without FMA) for
    d2 in r["a"], with the cutoff test against V5 = c2: the kernel values land in r["p"].
    Registers r: a (d2, then the reduced argument), m (the cutoff mask), f (the
    exponent), n (its float value), tmp, p (the polynomial), sq (a squared); tmp may be
    p and sq may be tmp where the caller has few registers."""
    a, m, f, n, tmp, p, sq = r["a"], r["m"], r["f"], r["n"], r["tmp"], r["p"], r["sq"]
    note = lambda text: [text] if comments else []
    return (note(f"\t// {a} = d2; keep lanes with d2 <= c2 (predicate 2: LE_OS)") + [
        f"\tVCMPPS $2, {V}5, {a}, {m}",
        f"\tVMULPS kNegHalf<>(SB), {a}, {a}",
        f"\tVMULPS kLog2e<>(SB), {a}, {f}",
        f"\tVADDPS kMagic<>(SB), {f}, {f}",
        f"\tVSUBPS kMagic<>(SB), {f}, {n}",
        f"\tVMULPS kLn2Hi<>(SB), {n}, {tmp}",
        f"\tVSUBPS {tmp}, {a}, {a}",
        f"\tVMULPS kLn2Lo<>(SB), {n}, {tmp}",
        f"\tVSUBPS {tmp}, {a}, {a}"] + note(f"\t// {a} = r; polynomial") + [
        f"\tVMULPS kP0<>(SB), {a}, {p}",
        f"\tVADDPS kP1<>(SB), {p}, {p}",
        f"\tVMULPS {a}, {p}, {p}",
        f"\tVADDPS kP2<>(SB), {p}, {p}",
        f"\tVMULPS {a}, {p}, {p}",
        f"\tVADDPS kP3<>(SB), {p}, {p}",
        f"\tVMULPS {a}, {p}, {p}",
        f"\tVADDPS kP4<>(SB), {p}, {p}",
        f"\tVMULPS {a}, {p}, {p}",
        f"\tVADDPS kP5<>(SB), {p}, {p}",
        f"\tVMULPS {a}, {a}, {sq}",
        f"\tVMULPS {sq}, {p}, {p}",
        f"\tVADDPS {a}, {p}, {p}",
        f"\tVADDPS kOne<>(SB), {p}, {p}"] +
        note("\t// scale by 2^n: bits(y) + bits(fx)<<23 (the magic's bits vanish mod 2^32)") + [
        f"\tVPSLLD $23, {f}, {f}",
        f"\tVPADDD {f}, {p}, {p}",
        f"\tVANDPS {m}, {p}, {p}"])


def body(dim, lanes):
    V = "Y" if lanes == 8 else "X"  # float32 vectors
    # V0..V2 targets, Y3 (and Y4) float64 accumulators, V5 c2.
    L = d2_ops(dim, "VBROADCASTSS", ["(SI)", "(DI)", "(R8)"], f"{V}7", [f"{V}8", f"{V}9"], V)
    L += exp_ops(dict(a=f"{V}7", m=f"{V}10", f=f"{V}11", n=f"{V}12", tmp=f"{V}13", p=f"{V}13", sq=f"{V}14"), V,
                 comments=True)
    L += [
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


def mask_kernel():
    """Row-pair loop over a masked tile (see pkg/kernel/cache.go), AVX-512: per group of
    8 source columns, one uint16 mask (row 2p low byte, row 2p+1 high byte) expand-loads
    both rows' packed float32 values into their lanes at once (row 2p in lanes 0-7, row
    2p+1 in 8-15, zeros elsewhere); v and y are
    loaded and y stored as whole groups on the tile's 8-column grid (the caller pads
    them), so lanes outside the rows' masks get 0 * v = 0 added.
    Each row's 8 lane sums continue the row's lanes in acc8 (8 per row, loaded at the
    pair's start and stored at its end); the caller reduces them once per cell. y aliases acc for diagonal tiles: the
    y stores precede the final read of acc[r] in program order."""
    x = "tileMask"
    L = ["// func tileMask(acc8, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows int)",
         f"TEXT ·{x}(SB), NOSPLIT, $0-64",
         "\tMOVQ acc8+0(FP), DI", "\tMOVQ w+16(FP), SI", "\tMOVQ m+24(FP), R14",
         "\tMOVQ vi+40(FP), R8", "\tMOVQ pairs+48(FP), R10", "\tMOVQ rows+56(FP), R11",
         "\tTESTQ R11, R11", f"\tJLE {x}Done",
         f"{x}Pair:",
         "\tMOVWQZX 0(R10), AX", "\tMOVWQZX 2(R10), CX",
         "\tMOVQ vj+32(FP), DX", "\tLEAQ (DX)(AX*8), DX",
         "\tMOVQ y+8(FP), BX", "\tLEAQ (BX)(AX*8), BX",
         "\tVBROADCASTSD (R8), Z6", "\tVXORPD Z7, Z7, Z7",
         "\tCMPQ R11, $2", f"\tJLT {x}One", "\tVBROADCASTSD 8(R8), Z7",
         f"{x}One:",
         "\tVMOVUPD (DI), Z0", "\tVMOVUPD 64(DI), Z8",
         "\tTESTQ CX, CX", f"\tJZ {x}Sum",
         f"{x}Grp:",
         "\tMOVWLZX (R14), AX", "\tKMOVW AX, K1", "\tPOPCNTL AX, AX",
         "\tVEXPANDPS.Z (SI), K1, Z2",
         "\tLEAQ (SI)(AX*4), SI",
         "\tVEXTRACTF32X8 $1, Z2, Y4",
         "\tVCVTPS2PD Y2, Z2", "\tVCVTPS2PD Y4, Z4",
         "\tVMOVUPD (DX), Z10",
         "\tVFMADD231PD Z10, Z2, Z0", "\tVFMADD231PD Z10, Z4, Z8",
         "\tVMOVUPD (BX), Z12",
         "\tVFMADD231PD Z6, Z2, Z12", "\tVFMADD231PD Z7, Z4, Z12",
         "\tVMOVUPD Z12, (BX)",
         "\tADDQ $64, DX", "\tADDQ $64, BX", "\tADDQ $2, R14",
         "\tDECQ CX", f"\tJNZ {x}Grp",
         f"{x}Sum:",
         "\tVMOVUPD Z0, (DI)", "\tVMOVUPD Z8, 64(DI)",
         "\tADDQ $128, DI", "\tADDQ $16, R8", "\tADDQ $4, R10",
         "\tSUBQ $2, R11", f"\tJGT {x}Pair",
         f"{x}Done:", "\tVZEROUPPER", "\tRET", ""]
    return "\n".join(L)


def one_target(dim, name, args, frame, out_reg):
    """The shared head of scanBits and rowGauss: one target (tx, ty[, tz] broadcast in Y0-Y2)
    against 8 sources a step (xs, ys, zs in SI, DI, R8), CX = n/8 steps, Y5 = c2 and the
    loop label; each step's float32 d2 (gauss's operations in its order) lands in Y7.
    args are the Go arguments after the target's coordinates, with their frame offsets."""
    L = [f"TEXT ·{name}(SB), NOSPLIT, {frame}", f"\tMOVQ out+0(FP), {out_reg}",
         "\tVBROADCASTSS tx+8(FP), Y0", "\tVBROADCASTSS ty+12(FP), Y1"]
    if dim == 3:
        L += ["\tVBROADCASTSS tz+16(FP), Y2"]
    for arg, reg in zip(["xs", "ys", "zs"][:dim], ["SI", "DI", "R8"]):
        L.append(f"\tMOVQ {arg}+{args[arg]}(FP), {reg}")
    L += [f"\tMOVQ n+{args['n']}(FP), CX", "\tSHRQ $3, CX", f"\tVBROADCASTSS c2+{args['c2']}(FP), Y5"]
    loop = [f"{name}Loop:"] + d2_ops(dim, "VMOVUPS", ["(SI)", "(DI)", "(R8)"], "Y7", ["Y8", "Y9"], "Y")
    step = ["\tADDQ $32, SI", "\tADDQ $32, DI"] + (["\tADDQ $32, R8"] if dim == 3 else [])
    return L, loop, step


def signature(dim, name, out, extra):
    """The Go signature and frame offsets of a one-target kernel: out, the target's
    coordinates, the sources, n, then the float32 arguments extra (and a result)."""
    tgt = ", ".join("t" + c for c in "xyz"[:dim])
    srcs = ", ".join(c + "s" for c in "xyz"[:dim])
    off = 8 + 4 * dim
    off = (off + 7) // 8 * 8
    args = {}
    for c in "xyz"[:dim]:
        args[c + "s"] = off
        off += 8
    args["n"] = off
    off += 8
    for e in extra:
        args[e] = off
        off += 4
    return f"// func {name}(out {out}, {tgt} float32, {srcs} *float32, n int, {', '.join(extra)} float32)", args, off


def scan_kernel(dim):
    """scanBits: for one target and n sources (n a multiple of 8), one byte per 8 sources
    with the bits of those whose kernel value is nonzero (float32 d2 <= oc2, the rule of
    gauss, d2 summed as in the sweep loops, without FMA), and the count of those within
    the cutoff (d2 <= c2). Builds the cache's masks 8 sources at a time."""
    x = f"scanBits{dim}"
    sig, args, off = signature(dim, x, "*uint8", ["c2", "oc2"])
    within = (off + 7) // 8 * 8
    head, loop, step = one_target(dim, x, args, f"$0-{within + 8}", "R11")
    L = [sig + " (within int)"] + head + [
        f"\tVBROADCASTSS oc2+{args['oc2']}(FP), Y6",
        "\tXORQ R10, R10", "\tTESTQ CX, CX", f"\tJLE {x}Done"] + loop + [
        "\tVCMPPS $2, Y5, Y7, Y9", "\tVCMPPS $2, Y6, Y7, Y10",
        "\tVMOVMSKPS Y9, AX", "\tPOPCNTL AX, AX", "\tADDQ AX, R10",
        "\tVMOVMSKPS Y10, AX", "\tMOVB AX, (R11)"] + step + [
        "\tINCQ R11", "\tDECQ CX", f"\tJNZ {x}Loop",
        f"{x}Done:", f"\tMOVQ R10, within+{within}(FP)", "\tVZEROUPPER", "\tRET", ""]
    return "\n".join(L)


def fill_kernel(dim):
    """rowGauss: out[s] = gauss(d2(t, s), c2) for n sources (n a multiple of 8), one
    target against 8 sources per step, with gauss's float32 operations in its order (the
    exp of body() above, without FMA): the cache's values, bit for bit as the Go fill."""
    x = f"rowGauss{dim}"
    sig, args, off = signature(dim, x, "*float32", ["c2"])
    head, loop, step = one_target(dim, x, args, f"$0-{off}", "AX")
    b = body(dim, 8).split("\n")
    i0 = next(i for i, l in enumerate(b) if "VCMPPS" in l)
    i1 = next(i for i, l in enumerate(b) if "VANDPS" in l)
    L = [sig] + head + ["\tTESTQ CX, CX", f"\tJLE {x}Done"] + loop + b[i0:i1 + 1] + [
        "\tVMOVUPS Y13, (AX)", "\tADDQ $32, AX"] + step + [
        "\tDECQ CX", f"\tJNZ {x}Loop", f"{x}Done:", "\tVZEROUPPER", "\tRET", ""]
    return "\n".join(L)


def mask_lut():
    """expandLUT: for each 8-bit lane mask, 8 int32 VPERMPS indices (lane l takes packed
    value number popcount(mask & (1<<l)-1)) then 8 int32 lane masks (all ones where the
    bit is set), 64 bytes per entry: AVX2 has no expand-load."""
    L = []
    for m in range(256):
        idx, k = [], 0
        for l in range(8):
            if m >> l & 1:
                idx.append(k)
                k += 1
            else:
                idx.append(0)
        keep = [0xffffffff if m >> l & 1 else 0 for l in range(8)]
        for q, v in enumerate(idx + keep):
            L.append(f"DATA expandLUT<>+{m * 64 + 4 * q}(SB)/4, ${v:#x}")
    L.append("GLOBL expandLUT<>(SB), RODATA|NOPTR, $16384")
    return "\n".join(L)


def mask_kernel_avx2():
    """tileMask for AVX2+FMA: the same lanes, FMAs and reduction order as the AVX-512
    loop (so the same bits, up to the sign of zeros), with each row's packed values put
    in their lanes by VPERMPS and an AND from expandLUT. Without masked lane access it
    loads and stores whole groups: the caller pads the packed values by 8 floats, v and
    the tile buffers by 7 doubles (lanes outside a row's mask get 0 * v = 0 added)."""
    x = "tileMask2"
    L = ["// func tileMask2(acc8, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows int)",
         f"TEXT ·{x}(SB), NOSPLIT, $0-64",
         "\tMOVQ acc8+0(FP), DI", "\tMOVQ w+16(FP), SI", "\tMOVQ m+24(FP), R14",
         "\tMOVQ vi+40(FP), R8", "\tMOVQ pairs+48(FP), R10", "\tMOVQ rows+56(FP), R11",
         "\tLEAQ expandLUT<>(SB), R15",
         "\tTESTQ R11, R11", f"\tJLE {x}Done",
         f"{x}Pair:",
         "\tMOVWQZX 0(R10), AX", "\tMOVWQZX 2(R10), CX",
         "\tMOVQ vj+32(FP), DX", "\tLEAQ (DX)(AX*8), DX",
         "\tMOVQ y+8(FP), BX", "\tLEAQ (BX)(AX*8), BX",
         "\tVBROADCASTSD (R8), Y6", "\tVXORPD Y7, Y7, Y7",
         "\tCMPQ R11, $2", f"\tJLT {x}One", "\tVBROADCASTSD 8(R8), Y7",
         f"{x}One:",
         "\tVMOVUPD (DI), Y0", "\tVMOVUPD 32(DI), Y1", "\tVMOVUPD 64(DI), Y12", "\tVMOVUPD 96(DI), Y13",
         "\tTESTQ CX, CX", f"\tJZ {x}Sum",
         f"{x}Grp:",
         "\tMOVWLZX (R14), AX",
         "\tMOVBLZX AL, R9", "\tMOVL AX, R12", "\tSHRL $8, R12",
         "\tPOPCNTL R9, R13", "\tSHLL $6, R9", "\tSHLL $6, R12",
         "\tVMOVDQU (R15)(R9*1), Y8", "\tVPERMPS (SI), Y8, Y2", "\tVANDPS 32(R15)(R9*1), Y2, Y2",
         "\tVMOVDQU (R15)(R12*1), Y9", "\tVPERMPS (SI)(R13*4), Y9, Y4", "\tVANDPS 32(R15)(R12*1), Y4, Y4",
         "\tPOPCNTL AX, AX", "\tLEAQ (SI)(AX*4), SI",
         "\tVCVTPS2PD X2, Y3", "\tVEXTRACTF128 $1, Y2, X2", "\tVCVTPS2PD X2, Y2",
         "\tVCVTPS2PD X4, Y5", "\tVEXTRACTF128 $1, Y4, X4", "\tVCVTPS2PD X4, Y4",
         "\tVMOVUPD (DX), Y10", "\tVMOVUPD 32(DX), Y11",
         "\tVFMADD231PD Y10, Y3, Y0", "\tVFMADD231PD Y11, Y2, Y1",
         "\tVFMADD231PD Y10, Y5, Y12", "\tVFMADD231PD Y11, Y4, Y13",
         "\tVMOVUPD (BX), Y14", "\tVMOVUPD 32(BX), Y15",
         "\tVFMADD231PD Y6, Y3, Y14", "\tVFMADD231PD Y7, Y5, Y14",
         "\tVFMADD231PD Y6, Y2, Y15", "\tVFMADD231PD Y7, Y4, Y15",
         "\tVMOVUPD Y14, (BX)", "\tVMOVUPD Y15, 32(BX)",
         "\tADDQ $64, DX", "\tADDQ $64, BX", "\tADDQ $2, R14",
         "\tDECQ CX", f"\tJNZ {x}Grp",
         f"{x}Sum:",
         "\tVMOVUPD Y0, (DI)", "\tVMOVUPD Y1, 32(DI)", "\tVMOVUPD Y12, 64(DI)", "\tVMOVUPD Y13, 96(DI)",
         "\tADDQ $128, DI", "\tADDQ $16, R8", "\tADDQ $4, R10",
         "\tSUBQ $2, R11", f"\tJGT {x}Pair",
         f"{x}Done:", "\tVZEROUPPER", "\tRET", ""]
    return "\n".join(L)


CACHED = mask_kernel() + "\n" + mask_kernel_avx2() + "\n" + scan_kernel(3) + "\n" + scan_kernel(2) + "\n" + fill_kernel(3) + "\n" + fill_kernel(2)


def fly_sets(k):
    """Sets of sums blockAcc keeps per column: lane l of a group goes to set l % sets;
    4 sets for up to 3 registers of columns (12 accumulators), 2 for 4."""
    return 4 if k <= 3 else 2


def block_fly(k):
    """blockAcc{k}: the on-the-fly block product's accumulation for one target, 4k
    columns, over groups of 8 sources: group q's weights are w[8q:8q+8] and its first
    source s0 the low 32 bits of groups[q]; acc[0:4k] += w * v[(s0+l)*stride:][0:4k]
    for all 8 lanes (stride in bytes; the caller pads the rows of v to whole ymm and
    gives v 8 spare zero rows). Branch-free: lanes beyond the cutoff or the source range
    have weight 0 and add 0 * v; visiting only the nonzero lanes (TZCNT/BLSR) cost a
    mispredicted branch per group, ~3x the arithmetic (BenchmarkMulBlock). One FMA per
    column and lane, as math.FMA in the pure-Go loop (blockAccGo): the same bits. Lane l
    adds into set l % fly_sets(k) of sums (set 0 starts from acc, the others from 0;
    added pairwise at the end), which shortens the FMA latency chains. The weight goes
    through VBROADCASTSS + VCVTPS2PD (see tileBlock)."""
    x = f"blockAcc{k}"
    S = fly_sets(k)
    acc = lambda st, j: st * k + j
    wr = [12, 13] if k <= 3 else [8, 9]
    L = [f"// func {x}(acc *float64, w *float32, v *float64, groups *int64, ng, stride int)",
         f"TEXT ·{x}(SB), NOSPLIT, $0-48",
         "\tMOVQ acc+0(FP), DI", "\tMOVQ w+8(FP), SI", "\tMOVQ v+16(FP), R10",
         "\tMOVQ groups+24(FP), R9", "\tMOVQ ng+32(FP), CX", "\tMOVQ stride+40(FP), R8"]
    L += [f"\tVMOVUPD {32*j}(DI), Y{acc(0, j)}" for j in range(k)]
    for st in range(1, S):
        L += [f"\tVXORPD Y{acc(st, j)}, Y{acc(st, j)}, Y{acc(st, j)}" for j in range(k)]
    L += ["\tTESTQ CX, CX", f"\tJLE {x}Done", f"{x}Grp:",
          "\tMOVL (R9), DX", "\tIMULQ R8, DX", "\tADDQ R10, DX",
          "\tLEAQ (DX)(R8*1), R12", "\tLEAQ (DX)(R8*2), R13", "\tLEAQ (R12)(R8*2), R11"]
    # lane l's row: DX, R12, R13, R11 for lanes 0-3, the same plus 4 strides for 4-7
    base = ["(DX)", "(R12)", "(R13)", "(R11)"]
    for l in range(8):
        w = wr[l % 2]
        addr = base[l % 4] if l < 4 else base[l % 4][:-1] + ")(R8*4)"
        L += [f"\tVBROADCASTSS {4*l}(SI), X{w}", f"\tVCVTPS2PD X{w}, Y{w}"]
        for j in range(k):
            a = f"{32*j}{addr}"
            L.append(f"\tVFMADD231PD {a}, Y{w}, Y{acc(l % S, j)}")
    L += ["\tADDQ $32, SI", "\tADDQ $8, R9", "\tDECQ CX", f"\tJNZ {x}Grp", f"{x}Done:"]
    # pairwise: (s0 + s1) + (s2 + s3), or s0 + s1
    for j in range(k):
        if S == 4:
            L += [f"\tVADDPD Y{acc(1, j)}, Y{acc(0, j)}, Y{acc(0, j)}",
                  f"\tVADDPD Y{acc(3, j)}, Y{acc(2, j)}, Y{acc(2, j)}",
                  f"\tVADDPD Y{acc(2, j)}, Y{acc(0, j)}, Y{acc(0, j)}"]
        else:
            L += [f"\tVADDPD Y{acc(1, j)}, Y{acc(0, j)}, Y{acc(0, j)}"]
    L += [f"\tVMOVUPD Y{acc(0, j)}, {32*j}(DI)" for j in range(k)]
    L += ["\tVZEROUPPER", "\tRET", ""]
    return "\n".join(L)


def gauss_groups(dim):
    """gaussGroups: for one target, the kernel values of groups of 8 sources: group q
    starts at source s0 = low 32 bits of groups[q], and bits 32-39 say which of its 8
    lanes are sources (the others get 0, through expandLUT's lane masks); gauss's
    float32 operations in its order (d2_ops and exp_ops, as body()), so the same
    bits as gauss and rowGauss. Reads whole groups of coordinates (the caller's slices
    have 8 spare values)."""
    x = f"gaussGroups{dim}"
    tgt = ", ".join("t" + c for c in "xyz"[:dim])
    srcs = ", ".join(c + "s" for c in "xyz"[:dim])
    off = (8 + 4 * dim + 7) // 8 * 8
    args = {}
    for c in "xyz"[:dim]:
        args[c + "s"] = off
        off += 8
    args["groups"], args["ng"], args["c2"] = off, off + 8, off + 16
    L = [f"// func {x}(out *float32, {tgt} float32, {srcs} *float32, groups *int64, ng int, c2 float32)",
         f"TEXT ·{x}(SB), NOSPLIT, $0-{off + 20}", "\tMOVQ out+0(FP), AX",
         "\tVBROADCASTSS tx+8(FP), Y0", "\tVBROADCASTSS ty+12(FP), Y1"]
    if dim == 3:
        L += ["\tVBROADCASTSS tz+16(FP), Y2"]
    for arg, reg in zip(["xs", "ys", "zs"][:dim], ["SI", "DI", "R8"]):
        L.append(f"\tMOVQ {arg}+{args[arg]}(FP), {reg}")
    L += [f"\tMOVQ groups+{args['groups']}(FP), R9", f"\tMOVQ ng+{args['ng']}(FP), CX",
          f"\tVBROADCASTSS c2+{args['c2']}(FP), Y5", "\tLEAQ expandLUT<>(SB), R15",
          "\tTESTQ CX, CX", f"\tJLE {x}Done"]
    # Two groups a step, their instructions interleaved: each group's exp is one long
    # chain of dependent operations, and Zen 1's small FP scheduler otherwise fills with
    # one chain's waiting operations (BenchmarkGaussGroups, BenchmarkMulBlock). A last odd group runs alone.
    L += ["\tCMPQ CX, $2", f"\tJLT {x}One", f"{x}Loop2:",
          "\tMOVQ (R9), R10", "\tMOVQ 8(R9), R12", "\tADDQ $16, R9",
          "\tMOVL R10, R11", "\tSHRQ $32, R10", "\tSHLQ $6, R10",
          "\tMOVL R12, R13", "\tSHRQ $32, R12", "\tSHLQ $6, R12"]
    ga = group_ops(dim, dict(a="Y7", t="Y8", u="Y9", m="Y10", f="Y11"), "R11", "R10", "(AX)")
    gb = group_ops(dim, dict(a="Y3", t="Y4", u="Y6", m="Y12", f="Y13"), "R13", "R12", "32(AX)")
    for oa, ob in zip(ga, gb):
        L += [oa, ob]
    L += ["\tADDQ $64, AX", "\tSUBQ $2, CX", "\tCMPQ CX, $2", f"\tJGE {x}Loop2",
          f"{x}One:", "\tTESTQ CX, CX", f"\tJLE {x}Done",
          "\tMOVQ (R9), R10", "\tMOVL R10, R11", "\tSHRQ $32, R10", "\tSHLQ $6, R10"]
    L += ga
    L += [f"{x}Done:", "\tVZEROUPPER", "\tRET", ""]
    return "\n".join(L)


def group_ops(dim, r, s0, lanes, dst):
    """One group's kernel values (gauss's float32 operations in its order, as body()):
    registers r (a: d2 then the reduced argument, t and u temporaries, m the cutoff mask,
    f the exponent), s0 and lanes the integer registers of its first source and lane-mask
    offset, stored to dst."""
    a, t, u, m, f = r["a"], r["t"], r["u"], r["m"], r["f"]
    L = d2_ops(dim, "VMOVUPS", [f"(SI)({s0}*4)", f"(DI)({s0}*4)", f"(R8)({s0}*4)"], a, [t, t], "Y")
    L += exp_ops(dict(a=a, m=m, f=f, n=t, tmp=u, p=t, sq=u), "Y")
    L += [
          f"\tVANDPS 32(R15)({lanes}*1), {t}, {t}",
          f"\tVMOVUPS {t}, {dst}"]
    return L


def block_tile(k):
    """tileBlock{k}: a stored tile (row pairs, see pkg/kernel/cache.go) applied to 4k
    columns both ways: for each row r, acc[r] += (row r) vj, held in registers over the
    row, and y += (row r)^T vi[r], vi[r] held in registers. Rows of acc, vi, vj and y are
    stride bytes apart (the caller pads them to whole ymm). Each pair's groups are walked
    twice, for row 2p (the masks' low bytes, values first in each group) then row 2p+1
    (high bytes): per column of y, row 2p's term then row 2p+1's; per row, columns
    ascending. One FMA per column and term, as in the pure-Go loop (tileBlockGo): the
    same bits. A row's sums go in two sets, as in blockAcc. The weight goes through VBROADCASTSS + VCVTPS2PD, not VCVTSS2SD, whose
    merge into the old register would chain every term to the previous one."""
    x = f"tileBlock{k}"

    def row(hi):
        lbl = f"{x}R{hi}"
        L = []
        if hi:
            L += ["\tMOVQ vjp-8(SP), DX", "\tMOVQ yp-16(SP), R12", "\tMOVQ wp-24(SP), SI",
                  "\tMOVQ mp-32(SP), R14", "\tMOVQ ng-40(SP), CX", "\tLEAQ (DI)(R8*1), BX",
                  "\tLEAQ (R9)(R8*1), AX"]
        else:
            L += ["\tMOVQ DI, BX", "\tMOVQ R9, AX"]
        L += [f"\tVMOVUPD {32*j}(BX), Y{j}" for j in range(k)]
        L += [f"\tVMOVUPD {32*j}(AX), Y{4+j}" for j in range(k)]
        L += [f"\tVXORPD Y{8+j}, Y{8+j}, Y{8+j}" for j in range(k)]
        L += [f"{lbl}Grp:", "\tMOVWLZX (R14), AX", "\tADDQ $2, R14", "\tMOVQ SI, R10"]
        if hi:
            L += ["\tMOVBLZX AL, R13", "\tPOPCNTL R13, R13", "\tLEAQ (SI)(R13*4), R10"]
        L += ["\tPOPCNTL AX, BX", "\tLEAQ (SI)(BX*4), SI"]
        L += ["\tMOVL AX, R13", "\tSHRL $8, R13"] if hi else ["\tMOVBLZX AL, R13"]
        L += ["\tTESTL R13, R13", f"\tJZ {lbl}Next",
              f"{lbl}Bit:"]
        for half, wr in ((0, 13), (1, 12)):
            L += ["\tTZCNTL R13, BX", "\tBLSRL R13, R13",
                  f"\tVBROADCASTSS (R10), X{wr}", f"\tVCVTPS2PD X{wr}, Y{wr}", "\tADDQ $4, R10",
                  "\tIMULQ R8, BX"]
            L += [f"\tVFMADD231PD {32*j}(DX)(BX*1), Y{wr}, Y{8*half+j}" for j in range(k)]
            for j in range(k):
                t = 14 + j % 2
                L += [f"\tVMOVUPD {32*j}(R12)(BX*1), Y{t}", f"\tVFMADD231PD Y{4+j}, Y{wr}, Y{t}",
                      f"\tVMOVUPD Y{t}, {32*j}(R12)(BX*1)"]
            L += ["\tTESTL R13, R13", f"\tJZ {lbl}Next" if half == 0 else f"\tJNZ {lbl}Bit"]
        L += [
              f"{lbl}Next:",
              "\tLEAQ (DX)(R8*8), DX", "\tLEAQ (R12)(R8*8), R12",
              "\tDECQ CX", f"\tJNZ {lbl}Grp"]
        L += ["\tLEAQ (DI)(R8*1), BX"] if hi else ["\tMOVQ DI, BX"]
        L += [f"\tVADDPD Y{8+j}, Y{j}, Y{j}" for j in range(k)]
        L += [f"\tVMOVUPD Y{j}, {32*j}(BX)" for j in range(k)]
        return L

    L = [f"// func {x}(acc, y *float64, w *float32, m *uint16, vj, vi *float64, pairs *[2]uint16, rows, stride int)",
         f"TEXT ·{x}(SB), NOSPLIT, $40-72",
         "\tMOVQ acc+0(FP), DI", "\tMOVQ w+16(FP), SI", "\tMOVQ m+24(FP), R14",
         "\tMOVQ vi+40(FP), R9", "\tMOVQ pairs+48(FP), R15", "\tMOVQ rows+56(FP), R11",
         "\tMOVQ stride+64(FP), R8",
         "\tTESTQ R11, R11", f"\tJLE {x}Done",
         f"{x}Pair:",
         "\tMOVWQZX 0(R15), AX", "\tMOVWQZX 2(R15), CX",
         "\tTESTQ CX, CX", f"\tJZ {x}Next",
         "\tIMULQ R8, AX",
         "\tMOVQ vj+32(FP), DX", "\tADDQ AX, DX", "\tMOVQ DX, vjp-8(SP)",
         "\tMOVQ y+8(FP), R12", "\tADDQ AX, R12", "\tMOVQ R12, yp-16(SP)",
         "\tMOVQ SI, wp-24(SP)", "\tMOVQ R14, mp-32(SP)", "\tMOVQ CX, ng-40(SP)"]
    L += row(0)
    L += ["\tCMPQ R11, $2", f"\tJLT {x}Next"]
    L += row(1)
    L += [f"{x}Next:",
          "\tLEAQ (DI)(R8*2), DI", "\tLEAQ (R9)(R8*2), R9", "\tADDQ $4, R15",
          "\tSUBQ $2, R11", f"\tJGT {x}Pair",
          f"{x}Done:", "\tVZEROUPPER", "\tRET", ""]
    return "\n".join(L)


BLOCK = gauss_groups(3) + "\n" + gauss_groups(2) + "\n" + "\n".join(block_fly(k) for k in range(1, 5)) + "\n" + "\n".join(block_tile(k) for k in range(1, 5))

src = f"""// Code generated by scripts/kernel_gen_asm.py; DO NOT EDIT.

//go:build amd64 && !purego

#include "textflag.h"

{data()}
{mask_lut()}

{func(2, 8)}
{func(3, 8)}
{func(2, 4)}
{func(3, 4)}
{CACHED}
{BLOCK}"""

with open("pkg/kernel/sweep_amd64.s", "w") as f:
    f.write(src)
