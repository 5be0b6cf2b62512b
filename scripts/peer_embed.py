#!/usr/bin/python3
"""Peer runs for BENCHMARKS.md: the same spectral embedding with scipy and scikit-learn.

    /usr/bin/python3 scripts/peer_embed.py scipy   POINTS.csv SIGMA CUTOFF K TOL
    /usr/bin/python3 scripts/peer_embed.py sklearn POINTS.csv SIGMA CUTOFF K

scipy: cKDTree.sparse_distance_matrix at CUTOFF*SIGMA (CUTOFF 0 = dense kernel), K = exp(-d^2/2s^2)
with K_ii = 1 (and duplicates, which sparse_distance_matrix leaves out, set to 1 too), D = K 1,
eigsh(D^-1/2 K D^-1/2, k=K, which='LA', tol=TOL); prints one JSON line with the eigenvalues of the
normalized Laplacian (1 - mu), the product count, the seconds per stage and the peak RSS.
sklearn: SpectralEmbedding(affinity='rbf') for n <= 10^4, else affinity='precomputed' on the same
sparse kernel (sklearn drops self loops; its eigenvalues are not reported).
"""
import json
import resource
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, eigsh
from scipy.spatial import cKDTree


def kernel(x, sigma, cutoff):
    if cutoff == 0:
        d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
        return sp.csr_matrix(np.exp(-d2 / (2 * sigma * sigma)))
    tree = cKDTree(x)
    d = tree.sparse_distance_matrix(tree, cutoff * sigma, output_type="coo_matrix")
    d.data = np.exp(-(d.data ** 2) / (2 * sigma * sigma))  # explicit zeros (duplicates) -> 1
    k = d.tocsr()
    k.setdiag(1.0)
    k.sum_duplicates()
    return k


def main():
    which, path = sys.argv[1], sys.argv[2]
    sigma, cutoff, k = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    tol = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    t0 = time.perf_counter()
    x = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    t1 = time.perf_counter()
    out = {"peer": which, "n": len(x)}
    if which == "scipy":
        K = kernel(x, sigma, cutoff)
        t2 = time.perf_counter()
        d = np.asarray(K.sum(axis=1)).ravel()
        s = 1 / np.sqrt(d)
        A = sp.diags(s) @ K @ sp.diags(s)
        count = [0]

        def mv(v):
            count[0] += 1
            return A @ v

        op = LinearOperator(A.shape, matvec=mv, dtype=np.float64)
        mu = eigsh(op, k=k, which="LA", tol=tol, return_eigenvectors=False)
        t3 = time.perf_counter()
        out.update(eigenvalues=sorted(1 - mu), matvecs=count[0], nnz=int(K.nnz),
                   seconds={"read": t1 - t0, "kernel": t2 - t1, "solve": t3 - t2})
    else:
        from sklearn.manifold import SpectralEmbedding
        if len(x) <= 10000:
            se = SpectralEmbedding(n_components=k, affinity="rbf", gamma=1 / (2 * sigma * sigma), random_state=0)
            se.fit(x)
        else:
            K = kernel(x, sigma, cutoff)
            se = SpectralEmbedding(n_components=k, affinity="precomputed", random_state=0)
            se.fit(K)
        out.update(seconds={"read": t1 - t0, "fit": time.perf_counter() - t1})
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
