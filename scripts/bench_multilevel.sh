#!/bin/sh
# docs/bench/multilevel.md: spectral (--solver lanczos, --solver multilevel) against scipy
# (cKDTree sparse kernel + eigsh, scripts/peer_embed.py) on the tutorial's Swiss rolls,
# cutoff 4, k 7, tol 1e-6, tools alternating within each repeat, process start included.
#   scripts/bench_multilevel.sh SPECTRAL_BINARY WORKDIR REPEATS
set -e
bin=$1; dir=$2; reps=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
[ -f "$dir/roll1e4.csv" ] || "$bin" generate swissroll -n 10000 -o "$dir/roll1e4.csv"
[ -f "$dir/roll1e5.csv" ] || "$bin" generate swissroll -n 100000 -o "$dir/roll1e5.csv"
for r in $(seq "$reps"); do
  for c in "roll1e4.csv 0.02" "roll1e5.csv 0.01"; do
    set -- $c
    for s in lanczos multilevel; do
      /usr/bin/time -f "TIME $1 $s rep=$r wall=%e user=%U sys=%S rss_kb=%M" \
        "$bin" embed "$dir/$1" --sigma "$2" --cutoff 4 -k 7 --tol 1e-6 --solver $s \
        -o "$dir/out.csv" -q --summary "$dir/sum_${1}_${s}_${r}.json" 2>&1
      python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('SUMMARY', sys.argv[2], sys.argv[3], 'passes', d['passes'], 'matvecs', d['matvecs'], 'block', d['block'], 'levels', [(l['n'], l['passes']) for l in d['levels']], 'eig', d['eigenvalues'], 'maxres', max(d['residuals']), 'seconds', d['seconds'])" "$dir/sum_${1}_${s}_${r}.json" "$1" "$s"
    done
    /usr/bin/time -f "TIME $1 scipy rep=$r wall=%e user=%U sys=%S rss_kb=%M" \
      /usr/bin/python3 "$here/peer_embed.py" scipy "$dir/$1" "$2" 4 7 1e-6 2>&1
  done
done
