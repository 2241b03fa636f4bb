#!/bin/sh
# bench.sh — linernotes' benchmarks (`make bench`).  Every load goes to
# 127.0.0.1 only, is bounded in time, and stops by itself.
#
#   sh tests/bench.sh [section ...]     sections: collector import
#                                       import-web api
#                                       insights stories (default: all)
# Environment:
#   BENCH_DURATION  seconds per wrk run (5)
#   BENCH_CONNS     concurrent connections (32)
#   BENCH_THREADS   wrk threads (2)
#   CADENCE_USERS, CADENCE_DAYS, CADENCE_STEP_S  the cadence simulation's
#                   scale (200, 30, 300; see tests/bench-cadence.mjs)
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

# result SECTION WHAT VALUE UNIT NOTE... (tests/bench-lib.sh)
. "$ROOT/tests/bench-lib.sh"

# wrk_run [wrk options] URL — runs wrk and sets RPS, P50 and P99 (latency).
wrk_run() {
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@")
	echo "$out" > "$BENCH_DIR/wrk-last.txt"
	RPS=$(echo "$out" | sed -n 's/^Requests\/sec:[[:space:]]*//p')
	P50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
	P99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	errors=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: //p')
	[ -z "$errors" ] || die "wrk saw $errors failed answers: $*"
}

# --- collector -------------------------------------------------------------
# One full sweep of 1000 simulated users as fast as the limiter allows:
# CPU, RSS, connections, requests per user per day, early requests
# (tests/bench-collector.sh says how each figure is taken).
bench_collector() {
	. "$ROOT/tests/bench-collector.sh"
	bench_cadence
}

# The fixed and the adaptive plays schedule side by side against the
# simulator's ground truth (tests/bench-cadence.mjs says how; CADENCE_USERS,
# CADENCE_DAYS and CADENCE_STEP_S set the scale, 200 users x 30 days by
# default: 9 minutes on the shared 2-CPU machine when it is lightly loaded,
# several times that when it is busy; the whole table goes to
# run/bench/cadence.md).
bench_cadence() {
	say "collector: adaptive vs fixed schedule (${CADENCE_USERS:-200} users, ${CADENCE_DAYS:-30} days)"
	CADENCE_RESULT=$RESULTS node "$ROOT/tests/bench-cadence.mjs" \
	    > "$BENCH_DIR/cadence.md" || die "the cadence simulation failed"
	grep -v '^| collector |' "$BENCH_DIR/cadence.md"
}

# --- import / export -------------------------------------------------------
# A generated 10-year history of 200,000 records in 13 files: import into
# an empty store, re-import, and each export format (tests/bench-import.sh
# says how each figure is taken).
bench_import() {
	. "$ROOT/tests/bench-import.sh"
	bench_import_run
}

# --- import from the web page ------------------------------------------------
# The same 200,000 records zipped and uploaded through nginx by a signed-in
# owner: from the upload's answer to the job's "done", the readers' memory,
# and the undo (tests/bench-import-web.mjs says how each is taken).
bench_import_web() {
	say "import-web: 200,000 records through nginx, the daemon and undo"
	BENCH_RESULT=$RESULTS node "$ROOT/tests/bench-import-web.mjs" \
	    "$BENCH_DIR/history" > "$BENCH_DIR/import-web.json" ||
	    die "bench-import-web failed"
	cat "$BENCH_DIR/import-web.json"
}

# --- read API ----------------------------------------------------------------
# The measurements of the read API (issues 5 and 17), all through nginx, each
# as a ratio to nginx serving a static file of the same size, on a store of
# 1000 users x API_PLAYS plays written by tests/tools/ln-fixture gen.
API_PLAYS=${BENCH_API_PLAYS:-1000}

# api_stack PROCS [ENV...] — (re)starts the web stack on $port with PROCS
# reader processes; ENV (KEY=value) is added to the readers' environment
# (LINERNOTES_<KEY> overrides a configuration key).
api_stack() {
	procs=$1
	shift
	RUN_DIR=$BENCH_DIR/stack sh tests/stack.sh stop > /dev/null
	env "$@" RUN_DIR=$BENCH_DIR/stack PORT=$port WWW_ROOT=$BENCH_DIR/www \
	    FCGI_PROCS=$procs sh tests/stack.sh web > "$BENCH_DIR/stack.log" \
	    2>&1 || { cat "$BENCH_DIR/stack.log" >&2;
	    die "the stack did not start"; }
}

# The readers' memory, from /proc/PID/smaps_rollup and the store's
# mapping in /proc/PID/smaps (KiB, the largest over the readers): Rss,
# Pss (shared pages divided among the processes mapping them),
# Private_Dirty (the process's own: heap, cache, stack), Shared_Clean,
# and the Rss and Pss of data.mdb alone (LMDB's map: page cache the
# readers share with each other and with the collector, which the kernel
# can drop at any time).
api_rss() {
	# fcgi.pid is multiwatch's; the readers are its children.
	for pid in $(for m in $(cat "$BENCH_DIR/stack/fcgi.pid"); do
	    cat "/proc/$m/task/$m/children"; done); do
		awk '$1 ~ /^(Rss|Pss|Private_Dirty|Shared_Clean):$/ {
		    v[$1] = $2 } END { printf "%d %d %d %d ", v["Rss:"],
		    v["Pss:"], v["Private_Dirty:"], v["Shared_Clean:"] }' \
		    "/proc/$pid/smaps_rollup"
		awk '/^[0-9a-f]+-[0-9a-f]+ / { m = ($NF ~ /data\.mdb$/) }
		    m && $1 == "Rss:" { r += $2 } m && $1 == "Pss:" { p += $2 }
		    END { printf "%d %d\n", r, p }' "/proc/$pid/smaps"
	done | awk '{ for (i = 1; i <= NF; i++) if ($i > m[i]) m[i] = $i }
	    END { print m[1], m[2], m[3], m[4], m[5], m[6] }'
}

# The cache's hit and miss counters (all readers).
api_hits() {
	curl -fsS "$url/api/v0/metrics" | awk '
	    $1 == "linernotes_cache_hits_total" { h = $2 }
	    $1 == "linernotes_cache_misses_total" { m = $2 }
	    END { print h, m }'
}

# ratio A B — A / B with two decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

bench_api() {
	for tool in ln-fixture fcgi-canned; do
		[ -x "tests/tools/$tool" ] ||
		    die "tests/tools/$tool is missing: run make tools"
	done
	port=$(node -e '
		const s = require("net").createServer();
		s.listen(0, "127.0.0.1", () => {
			console.log(s.address().port); s.close(); });')
	url=http://127.0.0.1:$port
	lua=$ROOT/tests/tools
	rm -rf "$BENCH_DIR/www" "$BENCH_DIR/stack/db"
	mkdir -p "$BENCH_DIR/www" "$BENCH_DIR/stack"
	cp -R www/. "$BENCH_DIR/www/"
	say "api: writing 1000 users x $API_PLAYS plays"
	tests/tools/ln-fixture -d "$BENCH_DIR/stack/db" gen 1000 "$API_PLAYS" \
	    2> /dev/null
	db_mb=$(du -sm "$BENCH_DIR/stack/db" | cut -f1)
	# 50 track ids of the generated catalog, as a batch body.
	node --input-type=module -e '
		import { spotifyId } from "./tests/tools/fixture.mjs";
		console.log(JSON.stringify({ ids: Array.from({ length: 50 },
		    (_, i) => spotifyId("T", i * 397)) }));' > "$BENCH_DIR/tracks.json"
	note="wrk -t$THREADS -c$CONNS -d${DURATION}s"

	api_stack 2
	# Static files of the sizes of the two dynamic answers.
	curl -fsS -o "$BENCH_DIR/www/plays-static.json" \
	    "$url/api/v0/plays/user0000?limit=50"
	curl -fsS -o "$BENCH_DIR/www/tracks-static.json" -X POST \
	    -H 'Content-Type: application/json' \
	    --data-binary @"$BENCH_DIR/tracks.json" "$url/api/v0/tracks"
	psize=$(wc -c < "$BENCH_DIR/www/plays-static.json")
	tsize=$(wc -c < "$BENCH_DIR/www/tracks-static.json")

	say "api: 1. static file, $psize bytes"
	wrk_run "$url/plays-static.json"
	static=$RPS
	result api "1. static file ($psize B)" "$RPS" "req/s" \
	    "p50 $P50, p99 $P99; $note"

	for procs in 1 2 4; do
		api_stack "$procs"
		say "api: 2. GET /plays page of 50, $procs processes"
		wrk_run -s "$lua/wrk-plays.lua" "$url"
		[ "$procs" = 2 ] && quiet=$RPS && qp99=$P99
		result api "2. GET /plays, 50 plays, -F $procs" "$RPS" "req/s" \
		    "$(ratio "$RPS" "$static")x static; p50 $P50, p99 $P99;" \
		    "random user of 1000; $note"
	done
	rss=$(api_rss)

	# 2b. The FastCGI hop alone: a plain libfcgi loop (fcgi-canned)
	# answering every request with the same bytes as a /plays page, so
	# the run shows what no reader can beat on this machine.
	api_stack 2 FCGI_CANNED="$BENCH_DIR/www/plays-static.json"
	say "api: 2b. the FastCGI hop alone, a canned $psize-byte answer"
	wrk_run -s "$lua/wrk-plays.lua" "$url"
	canned=$RPS
	result api "2b. FastCGI hop alone: fcgi-canned, $psize B, -F 2" \
	    "$RPS" "req/s" "$(ratio "$RPS" "$static")x static; /plays" \
	    "(-F 2) $(ratio "$quiet" "$RPS")x of it; p50 $P50, p99 $P99; $note"

	# 2c. A revisit: the same page asked with If-None-Match its ETag, so
	# every answer is a 304 decided before the page is built (docs/
	# API.md, conditional requests); against the canned loop's request.
	api_stack 2
	etag=$(curl -fsS -o /dev/null -D - "$url/api/v0/plays/user0000?limit=50" |
	    sed -n 's/^[Ee][Tt][Aa][Gg]: *\([^[:space:]]*\).*/\1/p')
	[ -n "$etag" ] || die "no ETag on /plays"
	say "api: 2c. GET /plays with If-None-Match: 304s"
	wrk_run -H "If-None-Match: $etag" "$url/api/v0/plays/user0000?limit=50"
	result api "2c. GET /plays, If-None-Match: 304, -F 2" "$RPS" "req/s" \
	    "$(ratio "$RPS" "$canned")x the canned loop; p50 $P50, p99 $P99;" \
	    "$note"

	say "api: static file, $tsize bytes (batch size)"
	wrk_run "$url/tracks-static.json"
	tstatic=$RPS
	result api "static file ($tsize B)" "$RPS" "req/s" \
	    "p50 $P50, p99 $P99; $note"
	say "api: 3. POST /tracks, 50 ids, cache warm"
	curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
	    --data-binary @"$BENCH_DIR/tracks.json" "$url/api/v0/tracks"
	h0=$(api_hits)
	BODY=$BENCH_DIR/tracks.json wrk_run -s "$lua/wrk-post.lua" \
	    "$url/api/v0/tracks"
	warm=$RPS
	hits=$(echo "$h0 $(api_hits)" |
	    awk '{ printf "%.4f", ($3 - $1) / ($3 - $1 + $4 - $2) }')
	result api "3. POST /tracks, 50 ids, warm" "$RPS" "req/s" \
	    "$(ratio "$RPS" "$tstatic")x static; p50 $P50, p99 $P99;" \
	    "hit ratio $hits during the run; $note"

	api_stack 2 LINERNOTES_CACHE_ENTRIES=0
	say "api: 4. POST /tracks, 50 ids, cache_entries = 0"
	BODY=$BENCH_DIR/tracks.json wrk_run -s "$lua/wrk-post.lua" \
	    "$url/api/v0/tracks"
	uncached=$RPS
	result api "4. POST /tracks, 50 ids, no cache" "$RPS" "req/s" \
	    "warm/uncached $(ratio "$warm" "$RPS")x; p50 $P50, p99 $P99;" \
	    "$note"

	# 4b. The same POST answered by fcgi-canned with the batch's bytes:
	# a warm cache can at most reach it, so canned/uncached is the
	# highest warm/uncached ratio this machine allows.
	api_stack 2 FCGI_CANNED="$BENCH_DIR/www/tracks-static.json"
	say "api: 4b. the FastCGI hop alone, POST, a canned $tsize-byte answer"
	BODY=$BENCH_DIR/tracks.json wrk_run -s "$lua/wrk-post.lua" \
	    "$url/api/v0/tracks"
	result api "4b. FastCGI hop alone: POST, fcgi-canned, $tsize B" \
	    "$RPS" "req/s" "warm $(ratio "$warm" "$RPS")x of it;" \
	    "canned/uncached $(ratio "$RPS" "$uncached")x (the ceiling of" \
	    "warm/uncached); p50 $P50, p99 $P99; $note"

	# 5. Two writers: as fast as commits go (one every 2 ms plus the
	# commit's own fsync), and 20 polls a second (24 times what 1000
	# users polled every 20 minutes cost).
	for every in 2 50; do
		api_stack 2
		say "api: 5. GET /plays while a writer commits every $every ms"
		tests/tools/ln-fixture -d "$BENCH_DIR/stack/db" churn \
		    "$((DURATION + 2))" user0001 "$every" \
		    > "$BENCH_DIR/churn.log" 2>&1 &
		churn=$!
		sleep 1
		wrk_run -s "$lua/wrk-plays.lua" "$url"
		wait "$churn" ||
		    die "the writer failed: $(cat "$BENCH_DIR/churn.log")"
		result api "5. GET /plays, a commit every $every ms" "$RPS" \
		    "req/s" "$(ratio "$RPS" "$quiet")x quiet (-F 2, p99" \
		    "$qp99); p50 $P50, p99 $P99; writer:" \
		    "$(cat "$BENCH_DIR/churn.log") in $((DURATION + 2)) s; $note"
	done
	set -- $rss
	result api "reader RSS, 1000 users" "$(($1 / 1024))" "MiB" \
	    "after the /plays runs (-F 4), largest of the readers, KiB:" \
	    "Rss $1, Pss $2, Private_Dirty $3 (its own), Shared_Clean $4;" \
	    "of Rss, LMDB's map (data.mdb) $5 (Pss $6), shared page cache;" \
	    "store $db_mb MiB"

	RUN_DIR=$BENCH_DIR/stack sh tests/stack.sh stop > /dev/null
}

# --- insights ----------------------------------------------------------------
# Every insight's server time on a generated 10-year, 200,000-play journal,
# as the API runs it (one read transaction: compute and render the JSON),
# without and with the per-process track cache, over all time and the
# last year (tests/tools/bench-insights.c makes the journal; docs/
# BENCHMARKS.md "Insights" says how to read the figures).
INSIGHTS_RUNS=${BENCH_INSIGHTS_RUNS:-100}

bench_insights() {
	[ -x tests/tools/bench-insights ] || die "tests/tools/bench-insights" \
	    "is missing: run make tools"
	say "insights: every insight $INSIGHTS_RUNS times on 200,000 plays"
	rm -rf "$BENCH_DIR/insights-store"
	tests/tools/bench-insights -d "$BENCH_DIR/insights-store" \
	    -r "$INSIGHTS_RUNS" > "$BENCH_DIR/insights.txt" ||
	    die "bench-insights failed (see $BENCH_DIR/insights.txt)"
	sed -n 's/^\(generated\|journal\|track cache\)/insights: &/p' \
	    "$BENCH_DIR/insights.txt"
	grep '^| [a-z]' "$BENCH_DIR/insights.txt" | grep -v '^| insight ' |
	    while IFS='|' read -r _ name range cache p50 p99 max cp50 cp99 \
	    bytes _; do
		result insights \
		    "$(echo $name), $(echo $range), cache $(echo $cache)" \
		    "$(echo $p99)" "ms p99" \
		    "p50 $(echo $p50) ms, max $(echo $max) ms; CPU p50" \
		    "$(echo $cp50), p99 $(echo $cp99) ms; $(echo $bytes) B JSON"
	done
	bench_insights_api
}

# Every insight endpoint through nginx and spawn-fcgi on the same journal
# (the store bench-insights made, its user made public): INSIGHTS_HTTP
# requests each, one at a time, after one warm-up request per endpoint
# and range (the reader's first request reads the journal into its
# cache).  Server time is the reader's own Server-Timing (fcgi/serve.c:
# routing, store, insight and JSON); wall is curl's total.
INSIGHTS_HTTP=${BENCH_INSIGHTS_HTTP:-200}

# p50 and p99 of the numbers on standard input.
pctl() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- -"; exit }
	    i50 = int(NR * 0.50 + 0.5); i99 = int(NR * 0.99 + 0.5);
	    if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1;
	    printf "%.2f %.2f\n", v[i50], v[i99] }'
}

bench_insights_api() {
	ist=$BENCH_DIR/istack
	RUN_DIR=$ist sh tests/stack.sh stop > /dev/null
	rm -rf "$ist/db"
	mkdir -p "$ist"
	mv "$BENCH_DIR/insights-store" "$ist/db"
	# bench-insights writes plays only: the user record, public.
	echo '{"type":"user","id":"bench","display_name":"Bench",' \
	    '"visibility":"public","timezone":"Europe/Berlin"}' |
	    tests/tools/ln-fixture -d "$ist/db" load > /dev/null
	port=$(node -e '
		const s = require("net").createServer();
		s.listen(0, "127.0.0.1", () => {
			console.log(s.address().port); s.close(); });')
	RUN_DIR=$ist PORT=$port FCGI_PROCS=1 sh tests/stack.sh web \
	    > "$BENCH_DIR/istack.log" 2>&1 || { cat "$BENCH_DIR/istack.log" >&2;
	    die "the stack did not start"; }
	base=http://127.0.0.1:$port/api/v0/insights/bench
	say "insights: every endpoint $INSIGHTS_HTTP times through nginx"
	for range in all year; do
		q="tz=Europe/Berlin"
		[ "$range" = year ] && q="$q&from=2025-01-01&to=2025-12-31"
		for name in calendar clock binges seasons newold returns \
		    onthisday top streaks; do
			u="$base/$name?$q"
			[ "$name" = onthisday ] && u="$u&date=2025-10-03"
			curl -fsS -o /dev/null "$u" ||
			    die "GET $u failed"
			: > "$BENCH_DIR/itimes.txt"
			: > "$BENCH_DIR/iwall.txt"
			i=0
			while [ "$i" -lt "$INSIGHTS_HTTP" ]; do
				curl -fsS -o /dev/null -D - -H 'Accept-Encoding: gzip' \
				    -w 'wall %{time_total} size %{size_download}\n' \
				    "$u" | tr -d '\r' | awk '
				    tolower($1) == "server-timing:" {
					sub(/.*dur=/, ""); print >> "'"$BENCH_DIR/itimes.txt"'" }
				    $1 == "wall" { print $2 * 1000 >> "'"$BENCH_DIR/iwall.txt"'";
					print $4 > "'"$BENCH_DIR/isize.txt"'" }'
				i=$((i + 1))
			done
			st=$(pctl < "$BENCH_DIR/itimes.txt")
			wt=$(pctl < "$BENCH_DIR/iwall.txt")
			gz=$(tail -n 1 "$BENCH_DIR/isize.txt")
			result insights-http "$name, $range" "${st#* }" "ms p99" \
			    "server p50 ${st% *} ms; wall p50 ${wt% *}," \
			    "p99 ${wt#* } ms; $gz B gzipped;" \
			    "$INSIGHTS_HTTP sequential GETs, 1 reader"
		done
	done
	RUN_DIR=$ist sh tests/stack.sh stop > /dev/null
}

# --- stories, search, charts (tests/bench-stories.sh) -------------------------
bench_stories() {
	. "$ROOT/tests/bench-stories.sh"
}

command -v wrk > /dev/null || die "wrk is missing: run make deps"
mkdir -p "$BENCH_DIR"
sections=${*:-collector import import-web api insights stories}
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
	collector|import|api|insights|stories) "bench_$s" ;;
	import-web) bench_import_web ;;
	*) die "unknown section: $s (collector, import, import-web, api," \
	    "insights, stories)" ;;
	esac
done
say "results in $RESULTS"
