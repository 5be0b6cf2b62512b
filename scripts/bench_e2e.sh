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
# runs (the tools alternating run by run; scipy once at n = 10^5, scikit-learn once),
# median peak RSS, and the ratio to spectral at cutoff 4.
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

# once NAME CMD...: runs CMD once, appends its wall seconds and peak RSS bytes to
# $work/NAME.t and $work/NAME.r (stdout in $work/NAME.out).
once() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$work/t" "$@" >"$work/$name.out" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
	read -r t r <"$work/t"
	echo "$t" >>"$work/$name.t"
	echo "$((r * 1024))" >>"$work/$name.r"
}

# med FILE: the median of the numbers in FILE.
med() { sort -g "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

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
	rm -f "$work"/*.t "$work"/*.r
	# The tools take turns, run by run, so that the machine's drift hits all of them
	# alike; scipy runs once at n = 10^5 (it takes minutes), in the middle.
	for i in $(seq "$runs"); do
		once c4 "$S" embed --sigma "$sigma" --cutoff 4 -k 7 -q --summary "$work/c4.json" "$pts" -o "$work/o.csv"
		once auto "$S" embed --sigma "$sigma" -k 7 -q --summary "$work/auto.json" "$pts" -o "$work/o.csv"
		if [ "$c" != sr1e5 ] || [ "$i" -eq $(((runs + 1) / 2)) ]; then
			once scipy $py scripts/peer_embed.py scipy "$pts" "$sigma" 4 7 0
		fi
	done
	ours=$(med "$work/c4.t")
	row() { # row LABEL CUTOFF NAME PRODUCTS
		local t
		t=$(med "$work/$3.t")
		echo "| $c | $1 | $2 | $t | $(($(med "$work/$3.r") / 1000000)) | $4 | $(awk -v a="$t" -v b="$ours" 'BEGIN{printf "%.2f", a/b}') |"
	}
	row spectral 4 c4 "$(grep -o '"matvecs": [0-9]*' "$work/c4.json" | grep -o '[0-9]*$')"
	row spectral "auto (5.77)" auto "$(grep -o '"matvecs": [0-9]*' "$work/auto.json" | grep -o '[0-9]*$')"
	row "scipy cKDTree+eigsh" 4 scipy "$(grep -o '"matvecs": [0-9]*' "$work/scipy.out" | grep -o '[0-9]*$' || echo "?")"
	[ -n "${SKIP_SKLEARN:-}" ] && continue
	once sklearn $py scripts/peer_embed.py sklearn "$pts" "$sigma" 4 7
	mode=precomputed; [ "$n" -le 10000 ] && mode="rbf, dense"
	row "sklearn SpectralEmbedding ($mode)" 4 sklearn ""
done
