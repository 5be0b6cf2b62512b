#!/usr/bin/env python3
"""Held-out check of the Nyström extension (spectral extend) and of landmark runs.

    /usr/bin/python3 scripts/extend_check.py [N] [SIGMA] [LANDMARKS]

1. Generates a Swiss roll of N points (spectral generate), embeds all of it exactly, and
   embeds a 90% subset with --model; extends that model to the held-out 10% and compares
   with the exact embedding there: per-vector correlation and the largest principal angle
   between the spans of phi2..phi5 (near-equal eigenvalues may rotate within the span).
2. Embeds the whole roll with --landmarks LANDMARKS (cells) and compares the same way on
   every point. SKIP_HELDOUT=1 skips part 1 (at 10^6 points it doubles the exact work).
Extra embed flags (e.g. --solver) come from $EMBED_FLAGS.
Needs numpy (apt-get install python3-numpy) and a built binary ($SPECTRAL, default
./spectral, built with go build -o spectral ./cmd/spectral).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
SIGMA = sys.argv[2] if len(sys.argv) > 2 else "0.01"
LANDMARKS = sys.argv[3] if len(sys.argv) > 3 else "10000"
BIN = os.environ.get("SPECTRAL", "./spectral")
HELDOUT = os.environ.get("SKIP_HELDOUT", "") == ""  # SKIP_HELDOUT=1: landmarks only
COMMON = ["--sigma", SIGMA, "--cutoff", "4", "-k", "6", "-q"] + os.environ.get("EMBED_FLAGS", "").split()


def run(*args):
    subprocess.run([BIN, *args], check=True)


def load(path):
    return np.loadtxt(path, delimiter=",", skiprows=1)


def angle(a, b):
    """Largest principal angle (degrees) of span(a) inside span(b)."""
    qa, _ = np.linalg.qr(a)
    qb, _ = np.linalg.qr(b)
    s = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return np.degrees(np.arccos(np.clip(s.min(), -1, 1)))


def compare(name, got, want):
    """got, want: rows x 6 (phi1..phi6); compares phi2..phi5 one by one, and their span
    with span(phi2..phi5) and, for near-equal eigenvalues, span(phi2..phi6) of want."""
    corr = [abs(np.dot(got[:, j], want[:, j])) / np.linalg.norm(got[:, j]) / np.linalg.norm(want[:, j])
            for j in range(1, 5)]
    print(f"{name}: correlation phi2..phi5 " + " ".join(f"{c:.6f}" for c in corr)
          + f"; largest principal angle of span(phi2..phi5) {angle(got[:, 1:5], want[:, 1:5]):.4f} deg,"
          + f" inside span(phi2..phi6) {angle(got[:, 1:5], want[:, 1:6]):.4f} deg")
    return corr


with tempfile.TemporaryDirectory() as d:
    roll = os.path.join(d, "roll.csv")
    run("generate", "swissroll", "-n", str(N), "-o", roll)
    pts = load(roll)
    exact = os.path.join(d, "exact.csv")
    run("embed", *COMMON, roll, "-o", exact, "--summary", os.path.join(d, "exact.json"))
    ex = load(exact)[:, 3:]
    if HELDOUT:
        test = np.arange(N) % 10 == 7
        np.savetxt(os.path.join(d, "train.csv"), pts[~test], delimiter=",", header="x,y,z", comments="", fmt="%.17g")
        np.savetxt(os.path.join(d, "test.csv"), pts[test], delimiter=",", header="x,y,z", comments="", fmt="%.17g")
        model = os.path.join(d, "train.model")
        run("embed", *COMMON, os.path.join(d, "train.csv"), "-o", os.path.join(d, "train.eig.csv"), "--model", model)
        run("extend", model, os.path.join(d, "test.csv"), "-o", os.path.join(d, "test.ext.csv"),
            "--summary", os.path.join(d, "ext.json"), "-q")
        s = json.load(open(os.path.join(d, "ext.json")))
        print(f"n={N} sigma={SIGMA}: extension of a {int(0.9 * N)}-point model to {s['n']} held-out points: "
              f"{s['points_per_second']:.3g} points/s, {s['unreached']} unreached")
        tr = json.load(open(os.path.join(d, "ext.json")))
        print("eigenvalues, all points: ", " ".join(f"{v:.6g}" for v in json.load(open(os.path.join(d, "exact.json")))["eigenvalues"]))
        print("eigenvalues, 90% model:  ", " ".join(f"{v:.6g}" for v in tr["eigenvalues"]))
        compare("90% model at its own points (no extension)", load(os.path.join(d, "train.eig.csv"))[:, 3:], ex[~test])
        compare("held-out 10%", load(os.path.join(d, "test.ext.csv"))[:, 3:], ex[test])
    lm = os.path.join(d, "lm.csv")
    run("embed", *COMMON, roll, "-o", lm, "--landmarks", LANDMARKS, "--summary", os.path.join(d, "lm.json"))
    s = json.load(open(os.path.join(d, "lm.json")))
    e = json.load(open(os.path.join(d, "exact.json")))
    print(f"landmarks: {s['landmarks']} ({s['landmark_sampling']}) in {s['seconds']['total']:.2f} s "
          f"against the exact run's {e['seconds']['total']:.2f} s")
    compare(f"landmarks {LANDMARKS} of {N}", load(lm)[:, 3:], ex)
