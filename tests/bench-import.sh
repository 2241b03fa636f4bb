#!/bin/sh
# bench-import.sh — the import and export benchmark (issue 4).
#
#   sh tests/bench-import.sh            (or `make bench`, section import)
#
# Generates (once, cached in run/bench/history) a 10-year extended
# streaming history of 200,000 records in 13 files with
# tests/tools/gen-history.mjs, imports it into an empty store, imports it
# again (every record then goes through the dedupe path), and exports the
# result in each format to a file.  Wall time is measured around the
# whole command; peak RSS comes from GNU time (/usr/bin/time -v) when it is
# installed (Debian's "time" package), else it is reported as n/a.
# Targets: import >= 100,000 records/s with peak RSS <= 2x the largest
# file; each export >= 500,000 plays/s.  Each export runs BENCH_RUNS times
# (5) and the median is reported, since the machine is shared.
#
# When sourced by tests/bench.sh it uses that script's BENCH_DIR; run
# alone it prints the table itself (result(): tests/bench-lib.sh).
set -eu

. "${ROOT:-$(dirname "$0")/..}/tests/bench-lib.sh"

RUNS=${BENCH_RUNS:-5}
COLL=$ROOT/collector/linernotes-collector
HIST=$BENCH_DIR/history
WORK=$BENCH_DIR/import
GTIME=/usr/bin/time

# now_ns — a monotonic-enough clock in nanoseconds.
now_ns() {
	date +%s%N
}

# timed OUT CMD... — runs CMD with stderr to OUT.err, sets SECS and RSS_KB.
timed() {
	out=$1
	shift
	t0=$(now_ns)
	if [ -x "$GTIME" ]; then
		"$GTIME" -v -o "$out.time" "$@" 2> "$out.err"
		RSS_KB=$(sed -n 's/.*Maximum resident set size (kbytes): //p' \
		    "$out.time")
		CPU=$(awk -F': ' '/User time|System time/ { s += $2 }
		    END { printf "%.3f", s }' "$out.time")
	else
		"$@" 2> "$out.err"
		RSS_KB=""
		CPU=""
	fi
	t1=$(now_ns)
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}

# sample_rss OUT CMD... — runs CMD in the background and samples its
# /proc status every 10 ms; sets ANON_KB and FILE_KB to the largest RssAnon
# (its own memory) and RssFile (mapped file pages: the store's map,
# libraries) seen.  A sample, so a lower bound of the true peaks.
sample_rss() {
	out=$1
	shift
	"$@" 2> "$out.err" &
	pid=$!
	ANON_KB=0
	FILE_KB=0
	while kill -0 "$pid" 2> /dev/null; do
		set -- $(awk '/^RssAnon/ { a = $2 } /^RssFile/ { f = $2 }
		    END { print a + 0, f + 0 }' "/proc/$pid/status" 2> /dev/null ||
		    echo 0 0)
		[ "${1:-0}" -le "$ANON_KB" ] || ANON_KB=$1
		[ "${2:-0}" -le "$FILE_KB" ] || FILE_KB=$2
		sleep 0.01
	done
	wait "$pid"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

bench_import_run() {
	[ -x "$COLL" ] || { echo "bench: build first (make all)" >&2; return 1; }
	mkdir -p "$WORK"
	if [ ! -f "$HIST/summary.json" ]; then
		rm -rf "$HIST"
		node "$ROOT/tests/tools/gen-history.mjs" "$HIST" > "$BENCH_DIR/gen.json"
		mv "$BENCH_DIR/gen.json" "$HIST/summary.json"
	fi
	records=$(sed -n 's/.*"records":\([0-9]*\).*/\1/p' "$HIST/summary.json")
	largest=$(sed -n 's/.*"largest_bytes":\([0-9]*\).*/\1/p' "$HIST/summary.json")
	total=$(sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' "$HIST/summary.json")
	counting=$(sed -n 's/.*"counting":\([0-9]*\).*/\1/p' "$HIST/summary.json")
	files=$(ls "$HIST"/*.json | grep -vc summary.json)
	echo "bench: history: $records records in $files files, $total bytes," \
	    "largest file $largest bytes; $counting should be stored"

	rm -rf "$WORK/db"
	mkdir -p "$WORK/db"
	printf 'db_path = %s\n' "$WORK/db" > "$WORK/bench.conf"

	timed "$WORK/import1" "$COLL" -c "$WORK/bench.conf" import --user bench "$HIST"
	imported=$(sed -n 's/.* \([0-9]*\) plays imported.*/\1/p' "$WORK/import1.err")
	[ "$imported" = "$counting" ] ||
	    { echo "bench: imported $imported, expected $counting" >&2; return 1; }
	rate=$(awk -v n="$records" -v s="$SECS" 'BEGIN { printf "%.0f", n / s }')
	prate=$(awk -v n="$imported" -v s="$SECS" 'BEGIN { printf "%.0f", n / s }')
	crate=$(awk -v n="$records" -v s="${CPU:-0}" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }')
	result import "import, empty store: $records records ($imported plays stored)" \
	    "$rate" "records/s" "$SECS s wall; $prate plays stored/s; $crate records per CPU second; target >= 100000"
	if [ -n "$RSS_KB" ]; then
		ratio=$(awk -v r="$RSS_KB" -v l="$largest" 'BEGIN { printf "%.2f", r * 1024 / l }')
		result import "import peak RSS" "$RSS_KB" "KiB" \
		    "${ratio}x the largest file ($largest B); target <= 2x"
	fi
	store_kb=$(du -sk "$WORK/db" | cut -f1)

	# The same import again into an empty store, sampled: how much of
	# the peak is the importer's own memory and how much mapped pages.
	rm -rf "$WORK/db2"
	mkdir -p "$WORK/db2"
	printf 'db_path = %s\n' "$WORK/db2" > "$WORK/bench2.conf"
	sample_rss "$WORK/import-sampled" "$COLL" -c "$WORK/bench2.conf" import \
	    --user bench "$HIST"
	ratio=$(awk -v r="$ANON_KB" -v l="$largest" 'BEGIN { printf "%.2f", r * 1024 / l }')
	result import "import peak RssAnon (own memory)" "$ANON_KB" "KiB" \
	    "${ratio}x the largest file; RssFile (store map, libraries) up to $FILE_KB KiB; sampled every 10 ms"
	rm -rf "$WORK/db2"

	timed "$WORK/import2" "$COLL" -c "$WORK/bench.conf" import --user bench "$HIST"
	rate=$(awk -v n="$records" -v s="$SECS" 'BEGIN { printf "%.0f", n / s }')
	result import "re-import (all already present)" "$rate" "records/s" \
	    "$SECS s wall; peak RSS ${RSS_KB:-n/a} KiB; store $store_kb KiB"

	# Each format RUNS times into a file (-o: written, fsync'ed, renamed
	# into place), the median reported.  The machine is shared, so the
	# rate per CPU second (user + system) is given beside the wall rate.
	for fmt in csv sql json; do
		: > "$WORK/rates"
		: > "$WORK/cpurates"
		i=0
		while [ "$i" -lt "$RUNS" ]; do
			timed "$WORK/export-$fmt" "$COLL" -c "$WORK/bench.conf" \
			    export --user bench --format "$fmt" -o "$WORK/export.$fmt"
			awk -v n="$imported" -v s="$SECS" 'BEGIN { printf "%.0f\n", n / s }' \
			    >> "$WORK/rates"
			[ -z "$CPU" ] || awk -v n="$imported" -v s="$CPU" \
			    'BEGIN { printf "%.0f\n", n / s }' >> "$WORK/cpurates"
			i=$((i + 1))
		done
		rate=$(median < "$WORK/rates")
		crate=$(median < "$WORK/cpurates")
		size=$(wc -c < "$WORK/export.$fmt")
		result import "export $fmt into a file: $imported plays, $size B" \
		    "$rate" "plays/s" "wall, median of $RUNS; ${crate:-n/a} plays per CPU second; peak RSS ${RSS_KB:-n/a} KiB; target >= 500000"
	done
}

if [ -n "${STANDALONE:-}" ]; then
	bench_import_run
fi
