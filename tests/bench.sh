#!/bin/sh
# bench.sh — linernotes' benchmarks (`make bench`).  Every load goes to
# 127.0.0.1 only, is bounded in time, and stops by itself.
#
#   sh tests/bench.sh [section ...]     sections: collector import api
#                                       (default: all)
# Environment:
#   BENCH_DURATION  seconds per wrk run (5)
#   BENCH_CONNS     concurrent connections (32)
#   BENCH_THREADS   wrk threads (2)
#
# Results are printed and written to run/bench/results.md (a table row per
# measurement, ready to paste into docs/BENCHMARKS.md with the machine
# lines printed at the top).  Each section is one function below; a new
# benchmark is a function in its section that calls result().
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH_DIR=$ROOT/run/bench
DURATION=${BENCH_DURATION:-5}
CONNS=${BENCH_CONNS:-32}
THREADS=${BENCH_THREADS:-2}
RESULTS=$BENCH_DIR/results.md

say() {
	echo "bench: $*"
}

die() {
	echo "bench: $*" >&2
	exit 1
}

machine() {
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $mem RAM"
	echo "- kernel: $(uname -sr); nginx $(nginx -v 2>&1 | sed 's|.*/||')"
	echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); commit" \
	    "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
}

# result SECTION WHAT VALUE UNIT NOTE — one row of the results table.
result() {
	printf '| %s | %s | %s %s | %s |\n' "$1" "$2" "$3" "$4" "$5" |
	    tee -a "$RESULTS"
}

# wrk_run URL — runs wrk and sets RPS, P50 and P99 (latency, ms).
wrk_run() {
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$1")
	echo "$out" > "$BENCH_DIR/wrk-last.txt"
	RPS=$(echo "$out" | sed -n 's/^Requests\/sec:[[:space:]]*//p')
	P50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
	P99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	errors=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: //p')
	[ -z "$errors" ] || die "wrk saw $errors failed answers from $1"
}

# --- collector -------------------------------------------------------------
bench_collector() {
	say "collector: no benchmark yet (polls per second against the" \
	    "simulator go here)"
}

# --- import / export -------------------------------------------------------
bench_import() {
	say "import/export: no benchmark yet (plays per second in and out" \
	    "go here)"
}

# --- read API ----------------------------------------------------------------
# The health endpoint through nginx + FastCGI against a static file of the
# same size served by the same nginx: the cost of the FastCGI hop itself.
bench_api() {
	port=$(node -e '
		const s = require("net").createServer();
		s.listen(0, "127.0.0.1", () => {
			console.log(s.address().port); s.close(); });')
	rm -rf "$BENCH_DIR/www"
	mkdir -p "$BENCH_DIR/www"
	cp -R www/. "$BENCH_DIR/www/"
	RUN_DIR=$BENCH_DIR/stack PORT=$port WWW_ROOT=$BENCH_DIR/www \
	    sh tests/stack.sh web > "$BENCH_DIR/stack.log" 2>&1 ||
	    { cat "$BENCH_DIR/stack.log" >&2; die "the stack did not start"; }
	url=http://127.0.0.1:$port
	curl -fsS -o "$BENCH_DIR/www/health-static.json" "$url/api/v0/health"
	size=$(wc -c < "$BENCH_DIR/www/health-static.json")
	note="$size-byte body, wrk -t$THREADS -c$CONNS -d${DURATION}s"

	say "api: GET /api/v0/health (FastCGI, 2 processes)"
	wrk_run "$url/api/v0/health"
	result api "GET /api/v0/health" "$RPS" "req/s" \
	    "p50 $P50, p99 $P99; $note"
	say "api: GET /health-static.json (static, same size)"
	wrk_run "$url/health-static.json"
	result api "GET static file, same size" "$RPS" "req/s" \
	    "p50 $P50, p99 $P99; $note"

	RUN_DIR=$BENCH_DIR/stack sh tests/stack.sh stop > /dev/null
}

command -v wrk > /dev/null || die "wrk is missing: run make deps"
mkdir -p "$BENCH_DIR"
sections=${*:-collector import api}
{
	echo "## Results"
	echo
	machine
	echo
	echo "| section | what | result | how |"
	echo "|---|---|---|---|"
} > "$RESULTS"
cat "$RESULTS"
# Whatever happens, the stack does not outlive the benchmark.
trap 'RUN_DIR=$BENCH_DIR/stack sh tests/stack.sh stop > /dev/null 2>&1 || true' EXIT
for s in $sections; do
	case "$s" in
	collector|import|api) "bench_$s" ;;
	*) die "unknown section: $s (collector, import, api)" ;;
	esac
done
say "results in $RESULTS"
