#!/usr/bin/python3
"""Writes the .npy fixtures of npy_test.go with numpy itself (run from this folder).

Every array holds a[i, j] = (i*d + j) / 7 + 1e6*j in float64 (cast to float32 for the
f4 files), which the Go test recomputes with the same IEEE operations.
"""
import numpy as np

for d in (2, 3):
    n = 5
    a = np.array([[(i * d + j) / 7.0 + 1e6 * j for j in range(d)] for i in range(n)], dtype=np.float64)
    for kind in ("f8", "f4"):
        for bo in ("<", ">"):
            for order in ("C", "F"):
                b = np.asarray(a.astype(bo + kind), order=order)
                assert b.flags.f_contiguous if order == "F" else b.flags.c_contiguous
                np.save(f"{d}_{kind}_{'le' if bo == '<' else 'be'}_{order}.npy", b)
