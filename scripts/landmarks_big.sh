#!/usr/bin/env bash
# landmarks_big.sh [N] [LANDMARKS] [SIGMA]: a Swiss roll of N points (default 10^8) written
# as binary PLY by `spectral generate`, embedded with --landmarks (default 10^4, sigma 0.01,
# cutoff 4, k 7) and extended to every point, the vectors streamed to .npy; prints wall
# time and peak memory (GNU time) of each step. Needs ~2.5 GB of memory per 10^8 points
# for the coordinates and 8 GB of disk per 10^8 points for the output. Work files go to
# $WORK (default a temporary folder, removed at the end).
set -euo pipefail
n=${1:-100000000}
m=${2:-10000}
sigma=${3:-0.01}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
go build -C "$root" -o "$work/spectral" ./cmd/spectral
cd "$work"
if [ ! -s "roll$n.ply" ]; then
	/usr/bin/time -f "generate: %e s wall, %M KiB peak" ./spectral generate swissroll -n "$n" -o "roll$n.ply"
fi
/usr/bin/time -f "embed --landmarks $m: %e s wall, %U s user, %M KiB peak" \
	./spectral embed --sigma "$sigma" --cutoff 4 -k 7 --landmarks "$m" "roll$n.ply" \
	-o "roll$n.eigvecs.npy" --summary "roll$n.json" --model "roll$n.model" -q
grep -E '"(n|landmarks|unreached|matvecs)"|"(read|extend|solve|write|total)"' "roll$n.json"
ls -l "roll$n.eigvecs.npy" "roll$n.model"
