#!/usr/bin/env bash
# gpu-check.sh OUTDIR: every GPU figure in one run, for a GPU machine without Go.
#
# Uses a spectral binary built elsewhere with
#     CGO_ENABLED=0 go build -tags devcheck -o .gpu/spectral ./cmd/spectral
# and copied along with the checkout (the device tool: carry [".gpu"]); then
#     bash scripts/gpu-check.sh "$OUT"
# It checks the GPU operator against the CPU one (spectral devcheck: K v and degrees within
# 1e-5 relative) on the reference clouds (testdata/reference/*_points.csv) and a Swiss roll
# of 10^5 points, compares `spectral embed --device gpu` with `--device cpu` eigenvalues
# (within 1e-6 relative) on the reference clouds, then times the tutorial's Swiss roll
# (n = 10^6, sigma 0.01, cutoff 4, k = 7) end to end and per product. Everything lands in
# OUTDIR/gpu-report.json (plus each step's raw output in OUTDIR); the exit status is 0 only
# when every check passed. Without a GPU it stops after the probe with a clear message and
# exit status 1 (the report says why).
#
# Needs bash, coreutils and awk; no python, no jq (the binary writes the JSON).
# Environment: SPECTRAL_BIN (default .gpu/spectral), GPU_CHECK_ROLL_N (default 100000),
# GPU_CHECK_TUTORIAL_N (default 1000000), GPU_CHECK_STEP_TIMEOUT (seconds, default 240),
# GPU_CHECK_DEADLINE (seconds for the whole run, default 540: steps left when it has passed
# are recorded as skipped, so the report still comes back from a 600 s device command),
# GPU_CHECK_CPU_TUTORIAL=1 to also time the tutorial run on the CPU (minutes).
set -uo pipefail
export LC_ALL=C

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: scripts/gpu-check.sh OUTDIR" >&2
	exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$1" || exit 2
out=$(cd "$1" && pwd)
cd "$root" || exit 2
bin=${SPECTRAL_BIN:-.gpu/spectral}
roll_n=${GPU_CHECK_ROLL_N:-100000}
tut_n=${GPU_CHECK_TUTORIAL_N:-1000000}
step_timeout=${GPU_CHECK_STEP_TIMEOUT:-240}
deadline=${GPU_CHECK_DEADLINE:-540}
start_s=$(date +%s)
report=$out/gpu-report.json

# json_str prints $1 as a JSON string.
json_str() {
	local s
	s=$(printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037')
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/\\n}
	s=${s//$'\t'/\\t}
	s=${s//$'\r'/}
	printf '"%s"' "$s"
}

# json_or_null prints the file's content when it is one JSON object on one line, else null.
json_or_null() {
	if [ -s "$1" ] && [ "$(wc -l <"$1")" -le 1 ] && [ "$(head -c 1 "$1")" = "{" ]; then
		cat "$1"
	else
		printf 'null'
	fi
}

now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# A run's context for the report.
host=$(uname -srm 2>/dev/null || echo unknown)
cpus=$(nproc 2>/dev/null || echo 0)
smi=""
if command -v nvidia-smi >/dev/null 2>&1; then
	smi=$(nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1 | head -n 4)
fi
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
steps=()    # JSON objects, one per step
failures=() # messages

# step NAME CMD...: runs CMD with the step timeout, stdout to OUTDIR/NAME.out, stderr to
# NAME.err; records {name, ok, seconds, exit_status, result (stdout JSON), error}.
step() {
	local name=$1
	shift
	local t0 t1 rc err left limit
	left=$((deadline - ($(date +%s) - start_s)))
	if [ "$left" -lt 5 ]; then
		failures+=("$name: skipped, the run's ${deadline}s deadline has passed")
		steps+=("{\"name\":$(json_str "$name"),\"ok\":false,\"skipped\":true}")
		echo "gpu-check: SKIP $name (out of time)" >&2
		return 1
	fi
	limit=$((left < step_timeout ? left : step_timeout))
	t0=$(now_ns)
	if command -v timeout >/dev/null 2>&1; then
		timeout "$limit" "$@" >"$out/$name.out" 2>"$out/$name.err"
	else
		"$@" >"$out/$name.out" 2>"$out/$name.err"
	fi
	rc=$?
	t1=$(now_ns)
	err=""
	if [ $rc -ne 0 ]; then
		err=$(tail -n 5 "$out/$name.err")
		[ $rc -eq 124 ] && err="timed out after ${limit}s; $err"
		failures+=("$name: ${err:-exit status $rc}")
		echo "gpu-check: FAIL $name (exit $rc): $err" >&2
	else
		echo "gpu-check: ok   $name ($(secs "$t0" "$t1")s)" >&2
	fi
	steps+=("{\"name\":$(json_str "$name"),\"ok\":$([ $rc -eq 0 ] && echo true || echo false),\"seconds\":$(secs "$t0" "$t1"),\"exit_status\":$rc,\"result\":$(json_or_null "$out/$name.out"),\"error\":$(json_str "$err")}")
	return $rc
}

write_report() {
	local pass=$1 i
	{
		printf '{"started":%s,"finished":%s,"pass":%s,' "$(json_str "$started")" "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" "$pass"
		printf '"binary":%s,"version":%s,"host":%s,"cpus":%s,"nvidia_smi":%s,' \
			"$(json_str "$bin")" "$(json_str "${version:-}")" "$(json_str "$host")" "${cpus:-0}" "$(json_str "$smi")"
		printf '"tutorial":{"n":%s,"sigma":0.01,"cutoff":4,"k":7,"wall_seconds":%s,"seconds_per_product":%s},' \
			"$tut_n" "${tut_wall:-null}" "${tut_per_product:-null}"
		printf '"failures":['
		for i in "${!failures[@]}"; do
			[ "$i" -gt 0 ] && printf ','
			json_str "${failures[$i]}"
		done
		printf '],"steps":['
		for i in "${!steps[@]}"; do
			[ "$i" -gt 0 ] && printf ','
			printf '%s' "${steps[$i]}"
		done
		printf ']}\n'
	} >"$report"
	echo "gpu-check: report in $report" >&2
}

if [ ! -x "$bin" ]; then
	failures+=("no executable $bin: build it with CGO_ENABLED=0 go build -tags devcheck -o .gpu/spectral ./cmd/spectral and carry .gpu")
	echo "gpu-check: ${failures[0]}" >&2
	write_report false
	exit 2
fi
version=$("$bin" version 2>&1 | head -n 1)

# 1. Is there a GPU at all? Without one, stop here: nothing below can run.
if ! step probe "$bin" devcheck --probe --json; then
	echo "gpu-check: no usable GPU on this machine (see above); nothing else was run" >&2
	write_report false
	exit 1
fi

# 2. K v and degrees, GPU vs CPU, on the reference clouds and a Swiss roll.
refs=(testdata/reference/*_points.csv)
for f in "${refs[@]}"; do
	[ -e "$f" ] || continue
	base=$(basename "$f" _points.csv)                     # e.g. spiral_n1000_s0.05
	sigma=$(printf '%s' "$base" | sed -n 's/.*_s\([0-9.]*\)$/\1/p') # 0.05
	step "kv_$base" "$bin" devcheck --input "$f" --sigma "$sigma" --tol 1e-5 --json
	step "kv_${base}_cutoff0" "$bin" devcheck --input "$f" --sigma "$sigma" --cutoff 0 --tol 1e-5 --json
done
step "kv_swissroll_n${roll_n}" "$bin" devcheck --swissroll "$roll_n" --sigma 0.02 --cutoff 4 --tol 1e-5 --json

# 3. Eigenvalues, embed --device gpu vs --device cpu, on the reference clouds.
for f in "${refs[@]}"; do
	[ -e "$f" ] || continue
	base=$(basename "$f" _points.csv)
	sigma=$(printf '%s' "$base" | sed -n 's/.*_s\([0-9.]*\)$/\1/p')
	for lap in normalized unnormalized; do
		ok=1
		for dev in gpu cpu; do
			step "embed_${base}_${lap}_$dev" "$bin" embed --sigma "$sigma" --laplacian "$lap" -k 7 --device "$dev" -q \
				--summary "$out/${base}_${lap}_$dev.json" -o "$out/${base}_${lap}_$dev.csv" "$f" || ok=0
		done
		if [ $ok -eq 1 ]; then
			step "eig_${base}_$lap" "$bin" devcheck eigcmp --rtol 1e-6 --json \
				"$out/${base}_${lap}_gpu.json" "$out/${base}_${lap}_cpu.json"
		fi
		rm -f "$out/${base}_${lap}_gpu.csv" "$out/${base}_${lap}_cpu.csv"
	done
done

# 4. The tutorial: Swiss roll n = 10^6, sigma 0.01, cutoff 4, k = 7, end to end on the GPU.
tut_ply=$out/swissroll_n${tut_n}.ply
if step tutorial_generate "$bin" generate swissroll -n "$tut_n" -o "$tut_ply"; then
	t0=$(now_ns)
	if step tutorial_embed_gpu "$bin" embed --sigma 0.01 --cutoff 4 --device gpu -k 7 -q \
		--summary "$out/tutorial_gpu.json" "$tut_ply" -o "$out/tutorial_gpu.csv"; then
		tut_wall=$(secs "$t0" "$(now_ns)")
		# seconds.solve / matvecs from the summary, without a JSON tool.
		flat=$(tr -d ' \n\t' <"$out/tutorial_gpu.json")
		mv=$(printf '%s' "$flat" | sed -n 's/.*"matvecs":\([0-9]*\).*/\1/p')
		solve=$(printf '%s' "$flat" | sed -n 's/.*"solve":\([0-9.eE+-]*\).*/\1/p')
		if [ -n "$mv" ] && [ -n "$solve" ] && [ "$mv" -gt 0 ]; then
			tut_per_product=$(awk -v s="$solve" -v m="$mv" 'BEGIN { printf "%.6f", s / m }')
		fi
		steps+=("{\"name\":\"tutorial_summary_gpu\",\"ok\":true,\"result\":$(tr -d '\n' <"$out/tutorial_gpu.json")}")
	fi
	rm -f "$out/tutorial_gpu.csv"
	if [ "${GPU_CHECK_CPU_TUTORIAL:-0}" = 1 ]; then
		if step tutorial_embed_cpu "$bin" embed --sigma 0.01 --cutoff 4 --device cpu -k 7 -q \
			--summary "$out/tutorial_cpu.json" "$tut_ply" -o "$out/tutorial_cpu.csv"; then
			step tutorial_eig "$bin" devcheck eigcmp --rtol 1e-6 --json "$out/tutorial_gpu.json" "$out/tutorial_cpu.json"
		fi
		rm -f "$out/tutorial_cpu.csv"
	fi
	# Per product, GPU (each accumulation mode and block size; kernel alone and with
	# transfers) vs CPU.
	step tutorial_kv "$bin" devcheck --swissroll "$tut_n" --sigma 0.01 --cutoff 4 --tol 1e-5 --reps 11 --cpu-reps 1 --cpu-cache=false --block-size 64,128,256 --json
	rm -f "$tut_ply"
fi

if [ ${#failures[@]} -eq 0 ]; then
	write_report true
	echo "gpu-check: all checks passed" >&2
	exit 0
fi
write_report false
echo "gpu-check: ${#failures[@]} check(s) failed:" >&2
printf '  %s\n' "${failures[@]}" >&2
exit 1
