#!/usr/bin/python3
"""The knn affinity against scikit-learn: the same eigenvalues of the same Laplacians.

scikit-learn's SpectralClustering(affinity="nearest_neighbors") builds
W = (A + A^T) / 2 from kneighbors_graph(X, n_neighbors, include_self=True) and its
Laplacian with scipy.sparse.csgraph.laplacian, which ignores W's diagonal. Here that
Laplacian (normed=True and False) is solved by scipy's ARPACK in shift-invert mode near
0 (tol 1e-14), and `spectral embed --affinity knn` must give the same smallest
eigenvalues to 1e-6 relative (issue 12); the random-walk Laplacian has the normalized
one's eigenvalues. Clouds: the tutorial's spiral (10^4 points, 2D) and a Swiss roll
(10^4 points, 3D), both from `spectral generate`.

Usage: scripts/knn_vs_sklearn.py [path/to/spectral]
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import laplacian
from scipy.sparse.linalg import eigsh
from sklearn.neighbors import kneighbors_graph

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K = 7


def reference(x, n_neighbors, normed):
    a = kneighbors_graph(x, n_neighbors=n_neighbors, include_self=True)
    w = 0.5 * (a + a.T)
    lap = laplacian(w.tocsr(), normed=normed).tocsc()
    vals = eigsh(lap, k=K, sigma=-1e-3, which="LM", tol=1e-14, return_eigenvectors=False)
    return np.sort(vals)


def main():
    if len(sys.argv) > 1:
        binary = sys.argv[1]
    else:
        binary = os.path.join(tempfile.mkdtemp(), "spectral")
        subprocess.run(["go", "build", "-o", binary, "./cmd/spectral"], cwd=ROOT, check=True)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for cloud, gen in (("spiral", ["spiral"]), ("swissroll", ["swissroll", "-n", "10000"])):
            path = os.path.join(tmp, cloud + ".csv")
            subprocess.run([binary, "generate"] + gen + ["-o", path], check=True, capture_output=True)
            x = np.loadtxt(path, delimiter=",", skiprows=1)
            for nn in (10, 30):
                for lap, normed in (("normalized", True), ("randomwalk", True), ("unnormalized", False)):
                    ref = reference(x, nn, normed)
                    summ = os.path.join(tmp, "s.json")
                    subprocess.run([binary, "embed", path, "--affinity", "knn", "--neighbors", str(nn), "-k", str(K),
                                    "--laplacian", lap, "-q", "-o", os.path.join(tmp, "e.csv"), "--summary", summ], check=True)
                    with open(summ) as f:
                        got = np.array(json.load(f)["eigenvalues"])
                    scale = 1.0 if normed else np.max(np.abs(ref))
                    rel = [abs(g - r) / abs(r) if abs(r) > 1e-12 * scale else abs(g - r) / scale for g, r in zip(got, ref)]
                    worst = max(worst, max(rel))
                    print("%-9s n=%d k=%2d %-12s max rel diff %.1e   sklearn/scipy %s" % (
                        cloud, len(x), nn, lap, max(rel), " ".join("%.9g" % v for v in ref)))
    print("worst relative difference %.1e (goal 1e-6)" % worst)
    sys.exit(0 if worst <= 1e-6 else 1)


if __name__ == "__main__":
    main()
