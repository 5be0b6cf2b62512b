#!/usr/bin/env bash
# Hostile-input check of the spectral CLI (issue 11): builds the binary and runs every case
# of the issue against it in a temporary folder, printing one line per case:
#
#   case name | exit status (and what was expected) | seconds | peak memory | first line of the message | new files
#
# "new files" lists what the case left in the folder (outputs of a successful run, or
# leftovers that should not be there); every case except the successful ones must leave
# none. Signal cases print the seconds from the signal to the exit. Usage:
#
#   scripts/hostile.sh            # all cases (about a minute; writes a 1 GB file of blank lines)
#   HOSTILE_SMALL=1 scripts/hostile.sh   # 10^7 instead of 10^9 blank lines
#
# Exit status: 0 when every case gave the expected status and left no stray file, else 1.
set -uo pipefail
export PATH="/usr/local/go/bin:$PATH"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'chattr -i "$work"/d/imm.csv 2>/dev/null; rm -rf "$work"' EXIT
(cd "$repo" && go build -o "$work/bin/spectral" ./cmd/spectral) || exit 1
S="$work/bin/spectral"
cd "$work" && mkdir -p d && cd d

# Inputs.
"$S" generate spiral -n 2000 -o s2.csv
"$S" generate spiral -n 2000 -o b.ply
"$S" generate spiral -n 12000 -o s12k.csv
"$S" generate spiral -n 2500 -o s2500.csv
"$S" generate spiral -n 200000 -o s200k.csv
printf 'x,y\n1e308,0\n-1e308,1\n0,0\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n7,7\n' > big.csv
printf '\xff\xfe' > u16.csv; printf 'x,y\n0,0\n1,1\n2,0.5\n' | iconv -f UTF-8 -t UTF-16LE >> u16.csv
awk 'BEGIN { for (r = 0; r < 2; r++) { for (c = 0; c < 550000; c++) printf "%s%d", (c ? "," : ""), (r + c) % 10; print "" } }' > wide.csv
awk 'BEGIN { print "x,y"; for (b = 0; b < 2; b++) for (i = 0; i < 10; i++) for (j = 0; j < 10; j++) print b * 50 + i * 0.1 "," j * 0.1 }' > blobs.csv
blanks=1000000000; [ -n "${HOSTILE_SMALL:-}" ] && blanks=10000000
{ printf 'x,y\n0,0\n1,0\n0,1\n1,1\n'; head -c "$blanks" /dev/zero | tr '\0' '\n'; } > blank.csv
mkfifo fifo.csv
printf 'old\n' > target.csv && chmod 600 target.csv
ln -s s2.csv link.csv; ln s2.csv hard.csv; ln -s /dev/full full.csv; ln -s target.csv out.csv
printf 'keep\n' > imm.csv; chattr +i imm.csv 2>/dev/null && immutable=1 || immutable=
inputs="$(ls -A | sort)"
s2sum="$(md5sum < s2.csv)"; plysum="$(md5sum < b.ply)"

fail=0
# since T0: seconds from T0 (date +%s.%N) to now.
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
# report NAME WANT CODE SECONDS MESSAGE: one line, then the folder is put back as it was.
report() {
	local name=$1 want=$2 code=$3 secs=$4 msg=$5 new
	new="$(comm -13 <(echo "$inputs") <(ls -A | sort) | tr '\n' ' ')"
	local mark=ok
	[ "$code" = "$want" ] || mark=WRONG
	if [ "$want" != 0 ] && [ -n "$new" ]; then mark=LEFTOVER; fi
	[ "$mark" = ok ] || fail=1
	printf '%-26s exit %-3s (want %-3s) %5ss  %-8s %s | new files: %s\n' "$name" "$code" "$want" "$secs" "$mark" "${msg:0:150}" "${new:-none}"
	for f in $new; do rm -rf -- "$f"; done
}
# case NAME WANT ARGS...: run the CLI, report its status and first message line.
case_() {
	local name=$1 want=$2; shift 2
	local t0 code msg rss
	t0=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o rss.tmp "$S" "$@" > stdout.tmp 2> stderr.tmp; code=$?
		rss="$(( $(tail -n 1 rss.tmp) / 1024 )) MiB"; rm -f rss.tmp
	else
		"$S" "$@" > stdout.tmp 2> stderr.tmp; code=$?; rss=?
	fi
	msg="$(grep -v '^\(read\|sigma\|grid\|kernel\|solve\) \|^$' stderr.tmp | head -n 1)"
	# A successful info says what it read: the point count.
	[ -z "$msg" ] && msg="$(grep -m 1 '^points' stdout.tmp | tr -s ' ')"
	rm -f stdout.tmp stderr.tmp
	report "$name" "$want" "$code" "$(since "$t0")" "[peak $rss] $msg"
}
# signal_ NAME SIGNAL DELAY ARGS...: run the CLI in the background (stdin: an idle pipe
# when the input is -), send SIGNAL after DELAY seconds, report the status and the seconds
# from the signal to the exit.
signal_() {
	local name=$1 sig=$2 delay=$3; shift 3
	local pid t0 code msg
	if printf '%s\n' "$@" | grep -qx -- -; then
		"$S" "$@" < <(sleep 30) 2> stderr.tmp > /dev/null & pid=$!
	else
		"$S" "$@" 2> stderr.tmp > /dev/null & pid=$!
	fi
	sleep "$delay"
	t0=$(date +%s.%N)
	kill -s "$sig" "$pid"
	wait "$pid"; code=$?
	local secs; secs=$(since "$t0")
	msg="$(grep -v '^\(read\|sigma\|grid\|kernel\|solve\) \|^$' stderr.tmp | head -n 1)"
	rm -f stderr.tmp
	report "$name" 130 "$code" "$secs" "$sig after ${delay}s: $msg"
}

echo "== 1. files never destroyed"
case_ summary-is-input         2 embed --sigma 0.05 s2.csv -o e.csv --summary s2.csv
case_ summary-is-output        2 embed --sigma 0.05 s2.csv -o x.csv --summary x.csv
case_ plot-is-summary          2 embed --sigma 0.05 s2.csv -o x.csv --plot p.png --summary p.png
case_ ply-output-is-input      2 embed --sigma auto -k 3 b.ply -o b.ply
case_ output-symlink-to-input  2 embed --sigma 0.05 s2.csv -o link.csv
case_ output-hardlink-to-input 2 embed --sigma 0.05 hard.csv -o s2.csv
case_ output-link-to-dev-full  1 embed --sigma 0.05 -k 3 s2.csv -o full.csv -q
[ -L full.csv ] || { echo "full.csv is no longer a link"; fail=1; }
case_ output-link-kept         0 embed --sigma 0.05 -k 3 s2.csv -o out.csv -q
if [ -L out.csv ] && [ "$(stat -c %a target.csv)" = 600 ] && head -n 1 target.csv | grep -q phi3; then
	echo "                           out.csv is still a link; target.csv has the eigenvectors, mode 600"
else
	echo "output-link-kept: WRONG: $(ls -l out.csv target.csv)"; fail=1
fi
printf 'old\n' > target.csv
[ "$(md5sum < s2.csv)" = "$s2sum" ] && [ "$(md5sum < b.ply)" = "$plysum" ] || { echo "an input changed"; fail=1; }

echo "== 2. Ctrl-C and SIGTERM"
signal_ fifo-no-writer-SIGINT    INT  0.5 embed --sigma 1 fifo.csv -o o.csv
signal_ idle-stdin-pipe-SIGINT   INT  0.5 embed --sigma 1 - -o o.csv
signal_ idle-stdin-pipe-SIGTERM  TERM 0.5 embed --sigma 1 - -o o.csv
signal_ dense-kernel-SIGINT      INT  0.5 embed --sigma 10 --cutoff 0 --cache-memory 0 s12k.csv -o o.csv --plot o.png
signal_ dense-solver-SIGINT      INT  2   embed --sigma 0.05 -k 1000 s2500.csv -o o.csv --summary o.json
signal_ dense-2e5-SIGINT         INT  3   embed --sigma 10 s200k.csv -o o.csv

echo "== 3. memory"
case_ cache-memory-1TB         0 embed --sigma 0.05 -k 3 s2.csv -o e.csv -q --cache-memory 1TB
case_ cache-memory-1e30        0 embed --sigma 0.05 -k 3 s2.csv -o e.csv -q --cache-memory 1e30
case_ dev-zero                 2 embed --sigma 1 /dev/zero -o e.csv
case_ blank-lines              0 info blank.csv --no-spacing
case_ generate-n-1e12          2 generate spiral -n 999999999999 -o g.csv

echo "== 4. unwritable outputs, before the work"
case_ output-folder-missing    2 embed --sigma 0.05 s200k.csv -o /nonexistent/out.csv
case_ output-folder-read-only  2 embed --sigma 0.05 s200k.csv -o /proc/out.csv
case_ summary-folder-missing   2 embed --sigma 0.05 s200k.csv -o e.csv --summary /nonexistent/s.json
if [ -n "$immutable" ]; then
	case_ output-immutable     2 embed --sigma 0.05 s200k.csv -o imm.csv
else
	echo "output-immutable           skipped: chattr +i not permitted here"
fi

echo "== 5. codes and messages"
case_ coordinates-1e308        2 embed --sigma 1 -k 2 big.csv -o e.csv -q
case_ sigma-5e-324             2 embed --sigma 5e-324 s2.csv -o e.csv -q
case_ cutoff-1e-300            2 embed --sigma 0.05 --cutoff 1e-300 s2.csv -o e.csv -q
case_ ncv-1                    2 embed --sigma 0.05 --ncv 1 s2.csv -o e.csv -q
case_ columns-550000           0 info wide.csv --no-spacing
case_ utf16                    2 embed --sigma 0.05 u16.csv -o e.csv -q
case_ device-gpu-no-driver     1 embed --sigma 0.05 --device gpu s2.csv -o e.csv -q

echo "== 6. -q keeps warnings"
case_ quiet-disconnected       0 embed --sigma 0.5 --cutoff 4 -k 3 blobs.csv -o e.csv -q

echo "== 7. warnings before the work"
case_ sigma-1e-4-spiral        0 embed --sigma 0.0001 -k 3 s2.csv -o e.csv -q
case_ sigma-1e-4-strict        2 embed --sigma 0.0001 -k 3 s2.csv -o e.csv -q --strict
case_ dense-2e5-strict         2 embed --sigma 10 s200k.csv -o e.csv -q --strict

exit $fail
