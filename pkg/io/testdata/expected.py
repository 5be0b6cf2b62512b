#!/usr/bin/python3
"""Independent reference values for pkg/io tests (run: /usr/bin/python3 expected.py).

Parses each file in testdata/data with numpy (PLY via struct/numpy dtypes, text via
plain splitting) and prints the count, first/last point and bounding box with repr()
(shortest round-trip), which cloudio's tests compare against exactly.
"""
import os, re, sys
import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "testdata", "data")
T = {"char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1", "short": "i2", "int16": "i2",
     "ushort": "u2", "uint16": "u2", "int": "i4", "int32": "i4", "uint": "u4", "uint32": "u4",
     "float": "f4", "float32": "f4", "double": "f8", "float64": "f8"}

def ply(path):
    raw = open(path, "rb").read()
    # terminator style from the first line
    term = b"\r" if raw[3:4] == b"\r" and raw[4:5] != b"\n" else b"\n"
    end = raw.index(b"end_header") + len(b"end_header")
    end += 2 if raw[end:end+2] == b"\r\n" else 1
    lines = [l.strip() for l in raw[:end].decode().replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    fmt, elems = None, []
    for l in lines:
        w = l.split()
        if not w: continue
        if w[0] == "format": fmt = w[1]
        elif w[0] == "element": elems.append((w[1], int(w[2]), []))
        elif w[0] == "property": elems[-1][2].append(w[1:])
    body = raw[end:]
    if fmt == "ascii":
        toks = body.split()
        pos = 0
        for name, n, props in elems:
            rows = []
            for _ in range(n):
                rec = {}
                for p in props:
                    if p[0] == "list":
                        c = int(toks[pos]); pos += 1 + c
                    else:
                        rec[p[1]] = float(toks[pos]); pos += 1
                rows.append(rec)
            if name == "vertex":
                return np.array([[r["x"], r["y"], r["z"]] for r in rows])
    bo = "<" if fmt == "binary_little_endian" else ">"
    pos = 0
    for name, n, props in elems:
        if all(p[0] != "list" for p in props):
            dt = np.dtype([(p[1], bo + T[p[0]]) for p in props])
            arr = np.frombuffer(body, dtype=dt, count=n, offset=pos)
            pos += n * dt.itemsize
            if name == "vertex":
                return np.stack([arr["x"], arr["y"], arr["z"]], axis=1).astype(np.float64)
        else:
            for _ in range(n):
                for p in props:
                    if p[0] == "list":
                        c = int(np.frombuffer(body, bo + T[p[1]], 1, pos)[0])
                        pos += np.dtype(T[p[1]]).itemsize + c * np.dtype(T[p[2]]).itemsize
                    else:
                        pos += np.dtype(T[p[0]]).itemsize

def text(path, cols, skip_header):
    rows = []
    for i, l in enumerate(open(path, newline="").read().replace("\r\n", "\n").split("\n")):
        if not l.strip() or (skip_header and i == 0): continue
        f = re.split(r"[,\s]+", l.strip())
        rows.append([float(f[c]) for c in cols])
    return np.array(rows)

cases = [(f, ply(os.path.join(DATA, f))) for f in sorted(os.listdir(DATA)) if f.endswith(".ply")]
cases += [
    ("quakes.csv [lat,long,depth]", text(os.path.join(DATA, "quakes.csv"), [1, 2, 3], True)),
    ("spiral.txt [1,2,3]", text(os.path.join(DATA, "spiral.txt"), [0, 1, 2], False)),
    ("points_cloudcompare.xyz", text(os.path.join(DATA, "points_cloudcompare.xyz"), [0, 1, 2], False)),
    ("autzen-bmx-largersample.txt", text(os.path.join(DATA, "autzen-bmx-largersample.txt"), [0, 1, 2], True)),
]
for name, p in cases:
    r = lambda a: "{" + ", ".join(repr(float(v)) for v in a) + "}"
    print(f"{name}: n={len(p)} first={r(p[0])} last={r(p[-1])} min={r(p.min(0))} max={r(p.max(0))}")
