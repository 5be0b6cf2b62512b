#!/usr/bin/env bash
# End-to-end comparison for BENCHMARKS.md: spectral vs scipy (cKDTree + eigsh) vs
# scikit-learn SpectralEmbedding, on the same points, sigma, cutoff, k = 7, normalized
# Laplacian, tol = 0 (machine precision, ARPACK's default), process start included.
#
#   scripts/bench_e2e.sh [RUNS] [CASES...]     e.g. scripts/bench_e2e.sh 3 sr1e4 sp1e4 sr1e5
#   SKIP_SKLEARN=1 scripts/bench_e2e.sh ...    leave scikit-learn out (minutes per run)
#
# Needs Debian's python3-scipy and python3-sklearn (installed with apt-get when missing)
# and GNU time. Prints one markdown row per case and tool: median wall seconds of RUNS
# runs, median peak RSS, and the ratio to spectral at the same cutoff.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
cases=${*:-sr1e4 sp1e4 sr1e5}
py=/usr/bin/python3
if ! $py -c 'import scipy, sklearn' 2>/dev/null || [ ! -x /usr/bin/time ]; then
	apt-get update -q && apt-get install -y -q python3-scipy python3-sklearn time
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/spectral" ./cmd/spectral
S="$work/spectral"

# measure CMD...: runs CMD $runs times (stdout of the last in $work/out), prints "median_seconds median_rss_bytes".
measure() {
	local ts=() rs=()
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$work/t" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
		read -r t r <"$work/t"
		ts+=("$t"); rs+=("$((r * 1024))")
	done
	printf '%s\n' "${ts[@]}" | sort -g | awk '{a[NR]=$1} END{printf "%s ", a[int((NR+1)/2)]}'
	printf '%s\n' "${rs[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}

echo "| case | tool | cutoff | median s | peak RSS MB | products | x spectral |"
echo "|---|---|---|---|---|---|---|"
for c in $cases; do
	case $c in
	sr1e4) shape=swissroll n=10000 sigma=0.02 ;;
	sp1e4) shape=spiral n=10000 sigma=0.05 ;;
	sr1e5) shape=swissroll n=100000 sigma=0.01 ;;
	*) echo "unknown case $c" >&2; exit 2 ;;
	esac
	pts="$work/$c.csv"
	"$S" generate "$shape" -n "$n" -o "$pts"
	read -r ours oursrss < <(measure "$S" embed --sigma "$sigma" --cutoff 4 -k 7 -q --summary "$work/s.json" "$pts" -o "$work/o.csv")
	prod=$(grep -o '"matvecs": [0-9]*' "$work/s.json" | grep -o '[0-9]*$')
	echo "| $c | spectral | 4 | $ours | $((oursrss / 1000000)) | $prod | 1.0 |"
	read -r auto autorss < <(measure "$S" embed --sigma "$sigma" -k 7 -q --summary "$work/s.json" "$pts" -o "$work/o.csv")
	prod=$(grep -o '"matvecs": [0-9]*' "$work/s.json" | grep -o '[0-9]*$')
	echo "| $c | spectral | auto (5.77) | $auto | $((autorss / 1000000)) | $prod | $(awk -v a="$auto" -v b="$ours" 'BEGIN{printf "%.2f", a/b}') |"
	peer_runs=$runs
	[ "$c" = sr1e5 ] && peer_runs=1 # scipy takes minutes here
	runs_saved=$runs; runs=$peer_runs
	read -r sp sprss < <(measure $py scripts/peer_embed.py scipy "$pts" "$sigma" 4 7 0)
	prod=$(grep -o '"matvecs": [0-9]*' "$work/out" | grep -o '[0-9]*$' || echo "?")
	echo "| $c | scipy cKDTree+eigsh | 4 | $sp | $((sprss / 1000000)) | $prod | $(awk -v a="$sp" -v b="$ours" 'BEGIN{printf "%.1f", a/b}') |"
	[ -n "${SKIP_SKLEARN:-}" ] && { runs=$runs_saved; continue; }
	read -r sk skrss < <(measure $py scripts/peer_embed.py sklearn "$pts" "$sigma" 4 7)
	mode=precomputed; [ "$n" -le 10000 ] && mode="rbf, dense"
	echo "| $c | sklearn SpectralEmbedding ($mode) | 4 | $sk | $((skrss / 1000000)) | | $(awk -v a="$sk" -v b="$ours" 'BEGIN{printf "%.1f", a/b}') |"
	runs=$runs_saved
done
