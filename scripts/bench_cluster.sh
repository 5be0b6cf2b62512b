#!/usr/bin/env bash
# `spectral cluster` end to end on a 10^5-point Swiss roll (spectral generate, seed 0),
# knn affinity (10 neighbours, the point included), 4 clusters, against scikit-learn's
# SpectralClustering(affinity="nearest_neighbors", n_neighbors=10) on the same points,
# process start and reading included. Prints wall seconds of each run, the median, and
# the adjusted Rand index between the two labelings.
#
#   scripts/bench_cluster.sh [RUNS] [N]     (default 3 runs, N = 100000)
#   SKIP_SKLEARN=1 scripts/bench_cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
n=${2:-100000}
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/spectral" ./cmd/spectral
S="$work/spectral"
$S generate swissroll -n "$n" -o "$work/roll.csv"
times=()
for r in $(seq "$runs"); do
	t0=$(date +%s.%N)
	$S cluster "$work/roll.csv" --clusters 4 -q -o "$work/labels.csv" --summary "$work/s.json"
	t1=$(date +%s.%N)
	times+=("$(echo "$t1 - $t0" | bc)")
done
echo "spectral cluster n=$n runs: ${times[*]}"
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "spectral median " a[int((NR+1)/2)] " s"}'
$py -c "import json; s=json.load(open('$work/s.json')); print('products', s['matvecs'], 'seconds', s['seconds'], 'sizes', s['cluster_sizes'])"
if [ -z "${SKIP_SKLEARN:-}" ]; then
	$py - "$work" <<'PY'
import sys, time, numpy as np
from sklearn.cluster import SpectralClustering
from sklearn.metrics import adjusted_rand_score
w = sys.argv[1]
t0 = time.time()
x = np.loadtxt(w + "/roll.csv", delimiter=",", skiprows=1)
lab = SpectralClustering(n_clusters=4, affinity="nearest_neighbors", n_neighbors=10, random_state=0).fit(x).labels_
t = time.time() - t0
ours = np.loadtxt(w + "/labels.csv", delimiter=",", skiprows=1)[:, 3]
print("scikit-learn %.1f s (loadtxt included), ARI(spectral, scikit-learn) %.3f" % (t, adjusted_rand_score(lab, ours)))
PY
fi
