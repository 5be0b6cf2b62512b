#!/usr/bin/python3
"""Count ARPACK's matrix-vector products (scipy.sparse.linalg.eigsh) on the matrices the
Go benchmark of pkg/eigsh uses, and write those matrices for it.

For every case it builds A = D^-1/2 K D^-1/2 (Gaussian kernel K, K_ii = 1, D = K 1) in
float64 from float32 points, writes A to OUT/<case>.bin, runs
eigsh(A, k=7, which='LA', tol, ncv) through a LinearOperator that counts products, and
writes OUT/arpack.json. Then run the Go side on the same files:

    /usr/bin/python3 scripts/eigsh_vs_arpack.py --out /tmp/eigsh_bench
    EIGSH_BENCH_DIR=/tmp/eigsh_bench go test ./pkg/eigsh/ -run TestMatVecTable -v

Cases: the dense reference clouds of testdata/reference (no cutoff), and swiss rolls
n=10^4 sigma=0.02 and n=10^5 sigma=0.01 with the kernel cut off at 4 sigma
(scipy.spatial.cKDTree.sparse_distance_matrix), made as testdata/reference/README.md says.

File format (little endian): 8-byte magic, then
  b"EIGSHDNS": int64 n, float64 A[n*n] row-major;
  b"EIGSHCSR": int64 n, int64 nnz, int64 indptr[n+1], int32 indices[nnz], float64 data[nnz].
The files are large: keep OUT outside the repository.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from scipy.spatial import cKDTree

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "testdata", "reference")
K_EIG = 7


def ref_points(name):
    return np.loadtxt(os.path.join(REF, name + "_points.csv"), delimiter=",", skiprows=1,
                      dtype=np.float32)


def swissroll(n):
    """The README's swiss roll: RandomState(0), u drawn first, then noise; float32."""
    rs = np.random.RandomState(0)
    t = np.linspace(0, 2 * np.pi, n + 1)[:-1]
    u = rs.rand(n)
    x = 0.4 + 0.4 * (t / 7) * np.cos(1.5 * t)
    y = 0.1 + 0.8 * u
    z = 0.5 + 0.3 * (t / 7) * np.sin(1.5 * t)
    p = np.stack([x, y, z], axis=1) + 0.01 * rs.randn(n, 3)
    return p.astype(np.float32)


def dense_a(p32, sigma):
    p = p32.astype(np.float64)
    # Exact squared distances (no |x|^2+|y|^2-2xy cancellation) as the Go side computes them.
    d2 = np.zeros((len(p), len(p)))
    for a in range(p.shape[1]):
        diff = p[:, a][:, None] - p[:, a][None, :]
        d2 += diff * diff
    k = np.exp(-d2 / (2 * sigma * sigma))
    np.fill_diagonal(k, 1.0)
    d = k.sum(1)
    s = 1 / np.sqrt(d)
    return k * s[:, None] * s[None, :]


def cutoff_a(p32, sigma, cutoff=4.0):
    p = p32.astype(np.float64)
    tree = cKDTree(p)
    dist = tree.sparse_distance_matrix(tree, cutoff * sigma, output_type="coo_matrix")
    k = sp.coo_matrix((np.exp(-dist.data ** 2 / (2 * sigma * sigma)), (dist.row, dist.col)),
                      shape=dist.shape).tocsr()
    # scipy 1.10's sparse_distance_matrix keeps each point with itself (distance 0, so exp
    # already gives 1): set the diagonal to 1 rather than adding the identity, which doubled it.
    k.sum_duplicates()
    k.setdiag(1.0)
    k.sort_indices()
    d = np.asarray(k.sum(1)).ravel()
    s = sp.diags(1 / np.sqrt(d))
    a = (s @ k @ s).tocsr()
    a.sort_indices()
    return a


def write(path, a):
    with open(path, "wb") as f:
        if sp.issparse(a):
            f.write(b"EIGSHCSR")
            np.array([a.shape[0], a.nnz], dtype="<i8").tofile(f)
            a.indptr.astype("<i8").tofile(f)
            a.indices.astype("<i4").tofile(f)
            a.data.astype("<f8").tofile(f)
        else:
            f.write(b"EIGSHDNS")
            np.array([a.shape[0]], dtype="<i8").tofile(f)
            np.ascontiguousarray(a, dtype="<f8").tofile(f)


def count(a, tol, ncv, v0):
    n = a.shape[0]
    calls = [0]

    def mv(x):
        calls[0] += 1
        return a @ x

    op = sla.LinearOperator((n, n), matvec=mv, dtype=np.float64)
    t0 = time.perf_counter()
    vals = sla.eigsh(op, k=K_EIG, which="LA", tol=tol, ncv=ncv, v0=v0, return_eigenvectors=False)
    return calls[0], time.perf_counter() - t0, sorted(vals.tolist())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/eigsh_bench")
    ap.add_argument("--cases", default="spiral_n1000,swissroll_n1000,spiral_n5000,swissroll_n10000,swissroll_n100000")
    ap.add_argument("--ncv", default="0,30,40", help="ncv values; 0 = ARPACK's default max(2k+1,20)")
    ap.add_argument("--runs", type=int, default=5, help="start vectors per setting (v0 = ARPACK's own random, then seeded uniform)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cases = {
        "spiral_n1000": lambda: (dense_a(ref_points("spiral_n1000_s0.05"), 0.05), "dense", 0.05),
        "swissroll_n1000": lambda: (dense_a(ref_points("swissroll_n1000_s0.1"), 0.1), "dense", 0.1),
        "spiral_n5000": lambda: (dense_a(ref_points("spiral_n5000_s0.03"), 0.03), "dense", 0.03),
        "swissroll_n10000": lambda: (cutoff_a(swissroll(10000), 0.02), "4 sigma cutoff", 0.02),
        "swissroll_n100000": lambda: (cutoff_a(swissroll(100000), 0.01), "4 sigma cutoff", 0.01),
    }
    out = {"scipy": scipy.__version__, "k": K_EIG, "which": "LA", "cases": []}
    for name in args.cases.split(","):
        t0 = time.perf_counter()
        a, kind, sigma = cases[name]()
        n = a.shape[0]
        write(os.path.join(args.out, name + ".bin"), a)
        print(f"{name}: n={n} {kind} built in {time.perf_counter() - t0:.1f}s"
              + (f", nnz={a.nnz}" if sp.issparse(a) else ""), file=sys.stderr, flush=True)
        case = {"name": name, "n": n, "sigma": sigma, "kernel": kind,
                "nnz": int(a.nnz) if sp.issparse(a) else n * n, "file": name + ".bin", "rows": []}
        for ncv in [int(x) for x in args.ncv.split(",")]:
            ncv_eff = max(2 * K_EIG + 1, 20) if ncv == 0 else ncv
            for tol in (0.0, 1e-8):
                counts, secs = [], []
                for r in range(args.runs):
                    v0 = None if r == 0 else np.random.RandomState(r).uniform(-1, 1, n)
                    c, s, vals = count(a, tol, ncv_eff, v0)
                    counts.append(c)
                    secs.append(s)
                row = {"ncv": ncv_eff, "default_ncv": ncv == 0, "tol": tol, "matvecs": counts,
                       "median": float(np.median(counts)), "seconds_median": float(np.median(secs)),
                       "values": vals}
                case["rows"].append(row)
                print(f"  ncv={ncv_eff} tol={tol:g}: ARPACK matvecs {counts} median {row['median']:g}",
                      file=sys.stderr, flush=True)
        out["cases"].append(case)
        with open(os.path.join(args.out, "arpack.json"), "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
