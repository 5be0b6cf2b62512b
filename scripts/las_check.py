#!/usr/bin/python3
"""Independent reference values for the LAS reader (pkg/io/las_test.go).

Reads each LAS file with numpy alone, from the public ASPRS header layout (LAS 1.0-1.4):
the record length, point offset and count from the header (the 64-bit count of 1.4
headers), X, Y, Z as little-endian int32 at bytes 0, 4, 8 of each record, times the
header's scale plus its offset in float64, and the uint16 intensity at byte 12. Prints, per file, the count and the first
point, last point, minimum and maximum with repr(), and the first and last intensity, (shortest round trip), which the Go
test compares exactly.

    /usr/bin/python3 scripts/las_check.py testdata/data/*.las
"""
import struct, sys
import numpy as np

def las(path):
    raw = open(path, "rb").read()
    assert raw[:4] == b"LASF", path
    minor = raw[25]
    header_size, = struct.unpack_from("<H", raw, 94)
    offset, = struct.unpack_from("<I", raw, 96)
    fmt = raw[104]
    assert fmt & 0xC0 == 0, "compressed (LAZ)"
    reclen, = struct.unpack_from("<H", raw, 105)
    count, = struct.unpack_from("<I", raw, 107)
    scale = np.array(struct.unpack_from("<3d", raw, 131))
    off = np.array(struct.unpack_from("<3d", raw, 155))
    if minor >= 4 and header_size >= 375:
        count64, = struct.unpack_from("<Q", raw, 247)
        if count64 or fmt >= 6:
            count = count64
    rec = np.frombuffer(raw, dtype=np.uint8, count=count * reclen, offset=offset).reshape(count, reclen)
    xyz = rec[:, :12].copy().view("<i4").reshape(count, 3).astype(np.float64)
    pts = xyz * scale + off  # numpy rounds the product, then the sum: no fused multiply-add
    intensity = rec[:, 12:14].copy().view("<u2").ravel()
    return fmt, count, pts, intensity

for p in sys.argv[1:]:
    fmt, n, pts, inten = las(p)
    r = lambda v: "[]float64{" + ", ".join(repr(float(x)) for x in v) + "}"
    print(f'{{file: "{p.split("/")[-1]}", format: {fmt}, n: {n}, first: {r(pts[0])}, last: {r(pts[-1])}, lo: {r(pts.min(0))}, hi: {r(pts.max(0))}, intensity: [2]float64{{{inten[0]}, {inten[-1]}}}}},')
