#!/usr/bin/python3
"""Time scipy's CSR matvec on the truncated Gaussian kernel matrix, for comparison with
pkg/kernel's cached mode (BENCHMARKS.md).

The matrix: K_ij = exp(-|xi-xj|^2 / 2 sigma^2) for |xi-xj| <= cutoff*sigma, K_ii = 1,
built with cKDTree.sparse_distance_matrix at the same cutoff, float64 CSR.
Clouds: the Swiss roll and the spiral of testdata/reference/README.md
(numpy RandomState(0), cast to float32).

Usage: /usr/bin/python3 scripts/kernel_vs_scipy.py [--repeat 30] [--threads 1]
"""
import argparse
import os
import statistics
import sys
import time


def swiss_roll(n, rng, np):
    t = np.linspace(0, 2 * np.pi, n + 1)[:-1]
    u = rng.rand(n)
    x = np.stack((0.4 + 0.4 * (t / 7) * np.cos(1.5 * t), 0.1 + 0.8 * u,
                  0.5 + 0.3 * (t / 7) * np.sin(1.5 * t)), 1)
    return (x + 0.01 * rng.randn(n, 3)).astype(np.float32)


def spiral(n, rng, np):
    t = np.linspace(0, 2 * np.pi, n + 1)[:-1]
    x = np.stack((0.4 + 0.4 * (t / 7) * np.cos(t), 0.5 + 0.3 * np.sin(t)), 1)
    return (x + 0.01 * rng.randn(n, 2)).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--cases", default="swissroll:10000:0.02:4,swissroll:10000:0.02:5.77,"
                    "swissroll:100000:0.01:4,swissroll:100000:0.01:5.77,"
                    "swissroll:100000:0.02:4")
    args = ap.parse_args()
    import numpy as np
    import scipy
    import scipy.sparse as sp
    from scipy.spatial import cKDTree

    print(f"numpy {np.__version__}, scipy {scipy.__version__}, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print("| cloud | n | sigma | cutoff | nnz | CSR bytes/nnz | build s | A@v median ms | min ms | CPU ms (median) | nnz/s (median) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for case in args.cases.split(","):
        name, n, sigma, cutoff = case.split(":")
        n, sigma, cutoff = int(n), float(sigma), float(cutoff)
        rng = np.random.RandomState(0)
        x = (swiss_roll if name == "swissroll" else spiral)(n, rng, np).astype(np.float64)
        t0 = time.perf_counter()
        tree = cKDTree(x)
        d = tree.sparse_distance_matrix(tree, cutoff * sigma, output_type="coo_matrix")
        vals = np.exp(-(d.data ** 2) / (2 * sigma ** 2))
        a = sp.csr_matrix((vals, (d.row, d.col)), shape=(n, n))
        # scipy 1.10's sparse_distance_matrix keeps each point with itself (distance 0, exp
        # gives 1 already): set the diagonal, do not add the identity (that doubled it).
        a.sum_duplicates()
        a.setdiag(1.0)
        build = time.perf_counter() - t0
        v = np.random.RandomState(1).rand(n)
        ts, cs = [], []
        for _ in range(args.repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            a @ v
            ts.append(time.perf_counter() - t0)
            cs.append(time.process_time() - c0)
        med = statistics.median(ts)
        nbytes = a.data.nbytes + a.indices.nbytes + a.indptr.nbytes
        print(f"| {name} | {n} | {sigma} | {cutoff} | {a.nnz} | {nbytes / a.nnz:.2f} | {build:.2f} | "
              f"{med * 1e3:.2f} | {min(ts) * 1e3:.2f} | {statistics.median(cs) * 1e3:.2f} | {a.nnz / med:.3g} |")
        sys.stdout.flush()
        del a, d, tree


if __name__ == "__main__":
    main()
