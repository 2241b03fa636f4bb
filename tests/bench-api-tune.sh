#!/bin/sh
# bench-api-tune.sh — the read API's latency under different settings of
# the web stack, side by side in one run (docs/BENCHMARKS.md, "Read API:
# what the tail is made of").  Not part of `make bench`: it is how the
# shipped settings were chosen, kept so they can be chosen again.
#
#   sh tests/bench-api-tune.sh [-r ROUNDS] [-d SECONDS] VARIANT...
#
# A VARIANT is a comma-separated list of settings (any left out keep the
# shipped value):
#   wp=N|auto     nginx worker_processes
#   F=N           linernotes-fcgi processes (spawn-fcgi -F)
#   t=N           wrk threads (connections stay at c)
#   c=N           wrk connections (32)
#   keep=N        fastcgi_keep_conn on with an upstream keepalive pool of N
#                 (0: off, the shipped setting)
#   buf=SIZE      fastcgi_buffer_size and the size of 8 fastcgi_buffers
#   log=buf       access_log with buffer=64k (one write per 64 KiB of log
#                 lines instead of one per request)
#   bin=PATH      another linernotes-fcgi binary (an A/B of the reader)
#   url=plays|tracks|tracksnc|plays304   GET /plays (random user), POST
#                 /tracks with 50 ids, the same with the entity cache off,
#                 or GET /plays of one user with If-None-Match its ETag
#                 (every answer a 304)
#   canned=plays|tracks  tests/tools/fcgi-canned in place of the reader,
#                 answering every request with the bytes of a /plays page
#                 or of the batch answer (the FastCGI hop alone, as in
#                 bench.sh's 2b. and 4b.)
#   churn=MS      a writer (ln-fixture churn) commits a poll every MS ms
#                 during the run (bench.sh's 5.)
# e.g.  sh tests/bench-api-tune.sh -r 3 wp=1 wp=auto F=4 keep=2
#       sh tests/bench-api-tune.sh -r 3 F=2 canned=plays url=plays304 \
#           url=tracks canned=tracks,url=tracks churn=2
#
# Rounds run the variants in turn (ABCABC...), so load from other work on
# the machine falls on all of them alike.  Each line: rps, p50, p99, max
# (wrk --latency), the CPU time the readers and nginx spent per
# request and the readers' part of it (from /proc, so other load on the
# machine changes it far less than the rate), and each variant's medians
# over the rounds at the end.
# The store is 1000 users x 1000 plays from ln-fixture gen, as in
# bench.sh's API section, made once in run/tune/.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
DIR=$ROOT/run/tune
ROUNDS=3
DURATION=5
while getopts r:d: ch; do
	case $ch in
	r) ROUNDS=$OPTARG ;;
	d) DURATION=$OPTARG ;;
	*) echo "usage: bench-api-tune.sh [-r ROUNDS] [-d SECONDS]" \
	    "VARIANT..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || set -- wp=1
RUN=$DIR/stack
SOCK=$RUN/fcgi.sock
PORT=${PORT:-18431}
URL=http://127.0.0.1:$PORT

die() {
	echo "tune: $*" >&2
	exit 1
}

stop() {
	if [ -s "$RUN/pids" ]; then
		for pid in $(cat "$RUN/pids"); do
			kill "$pid" 2>/dev/null || true
		done
		i=0
		for pid in $(cat "$RUN/pids"); do
			while [ -d "/proc/$pid" ] && [ $i -lt 50 ]; do
				sleep 0.1; i=$((i + 1))
			done
			kill -9 "$pid" 2>/dev/null || true
		done
	fi
	rm -f "$RUN/pids" "$SOCK"
}
trap stop EXIT

setup() {
	mkdir -p "$RUN" "$DIR/www"
	if [ ! -d "$RUN/db" ]; then
		echo "tune: writing 1000 users x 1000 plays" >&2
		tests/tools/ln-fixture -d "$RUN/db" gen 1000 1000 2> /dev/null
	fi
	cp -R www/. "$DIR/www/"
	echo "db_path = \"$RUN/db\"" > "$RUN/linernotes.conf"
	node --input-type=module -e '
		import { spotifyId } from "./tests/tools/fixture.mjs";
		console.log(JSON.stringify({ ids: Array.from({ length: 50 },
		    (_, i) => spotifyId("T", i * 397)) }));' > "$DIR/tracks.json"
	# The answers the canned loop repeats, and the ETag of plays304.
	start F=2
	curl -fsS -o "$DIR/plays.json" "$URL/api/v0/plays/user0000?limit=50"
	curl -fsS -o "$DIR/tracks-answer.json" -X POST \
	    -H 'Content-Type: application/json' \
	    --data-binary @"$DIR/tracks.json" "$URL/api/v0/tracks"
	ETAG=$(curl -fsS -o /dev/null -D - \
	    "$URL/api/v0/plays/user0000?limit=50" |
	    sed -n 's/^[Ee][Tt][Aa][Gg]: *\([^[:space:]]*\).*/\1/p')
	[ -n "$ETAG" ] || die "no ETag on /plays"
}

# settings VARIANT — sets every setting of the list above, the stack's
# and wrk's, to the variant's value or the shipped one.
settings() {
	wp=1 F=2 keep=0 buf= log= bin=$ROOT/fcgi/linernotes-fcgi cache=
	args="-c $RUN/linernotes.conf"
	t=2 c=32 url=plays churn=
	for kv in $(echo "$1" | tr ',' ' '); do
		case "$kv" in
		wp=*) wp=${kv#wp=} ;;
		F=*) F=${kv#F=} ;;
		t=*) t=${kv#t=} ;;
		c=*) c=${kv#c=} ;;
		keep=*) keep=${kv#keep=} ;;
		buf=*) buf=${kv#buf=} ;;
		log=*) log=${kv#log=} ;;
		bin=*) bin=${kv#bin=} ;;
		url=*) url=${kv#url=} ;;
		canned=plays) bin=$ROOT/tests/tools/fcgi-canned
			args=$DIR/plays.json ;;
		canned=tracks) bin=$ROOT/tests/tools/fcgi-canned
			args=$DIR/tracks-answer.json ;;
		churn=*) churn=${kv#churn=} ;;
		*) die "unknown setting $kv" ;;
		esac
	done
	[ "$url" != tracksnc ] || cache=LINERNOTES_CACHE_ENTRIES=0
}

# start VARIANT — the stack with the variant's settings.
start() {
	settings "$1"
	stop
	# $args: one path or "-c path", none with spaces (run/tune/...).
	# shellcheck disable=SC2086
	env $cache spawn-fcgi -s "$SOCK" -F "$F" -P "$RUN/fcgi.pid" -- \
	    "$bin" $args > /dev/null 2>&1 ||
	    die "spawn-fcgi failed"
	{ cat "$RUN/fcgi.pid"; echo; } > "$RUN/pids"
	sh nginx/render.sh main "$RUN" "127.0.0.1:$PORT" "$DIR/www" "$SOCK" on
	site=$RUN/linernotes-site.conf
	sed -i "s/^worker_processes .*/worker_processes $wp;/" "$RUN/nginx.conf"
	if [ "$keep" != 0 ]; then
		# The pool goes before the server block; the location uses it.
		{ printf 'upstream linernotes_fcgi {\n\tserver unix:%s;\n' "$SOCK"
		  printf '\tkeepalive %s;\n}\n' "$keep"; cat "$site"; } \
		    > "$site.tmp"
		sed -e "s|fastcgi_pass unix:[^;]*;|fastcgi_pass linernotes_fcgi;\\
		fastcgi_keep_conn on;|" "$site.tmp" > "$site"
		rm -f "$site.tmp"
	fi
	# The server block's own access_log line (its format, buffered).
	[ -z "$log" ] || sed -i "s|^\(	access_log [^;]*\);|\1 buffer=64k flush=1s;|" \
	    "$site"
	if [ -n "$buf" ]; then
		sed -i "s|fastcgi_buffering on;|fastcgi_buffering on;\\
		fastcgi_buffer_size $buf; fastcgi_buffers 8 $buf;|" "$site"
	fi
	nginx -p "$RUN" -e "$RUN/nginx-error.log" -c "$RUN/nginx.conf" ||
	    die "nginx did not start"
	i=0
	while [ ! -s "$RUN/nginx.pid" ] && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	cat "$RUN/nginx.pid" >> "$RUN/pids"
	i=0
	until curl -fsS -o /dev/null "$URL/api/v0/health" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || die "the stack does not answer ($1)"
		sleep 0.1
	done
}

# The CPU time (clock ticks) the processes of the pid files named (and
# their children) have used so far: with fcgi.pid and nginx.pid, what the
# server side spends, whatever else the machine runs.
ticks() {
	# spawn-fcgi ends its pid file without a newline.
	for f in "$@"; do cat "$RUN/$f"; echo; done | while read -r pid; do
		[ -n "$pid" ] || continue
		echo "$pid"
		cat "/proc/$pid/task/$pid/children" 2>/dev/null || true
	done | tr ' ' '\n' | sort -u | while read -r pid; do
		if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ]; then
			sed 's/^.*) //' "/proc/$pid/stat" |
			    awk '{ print $12 + $13 }'
		fi
	done | awk '{ t += $1 } END { print t + 0 }'
}

# run VARIANT — one wrk run; prints "rps p50 p99 max" (ms), the server
# side's CPU time per request and the readers' part of it (µs).
run() {
	settings "$1"
	case "$url" in
	plays) set -- -s tests/tools/wrk-plays.lua "$URL" ;;
	plays304) set -- -H "If-None-Match: $ETAG" \
		"$URL/api/v0/plays/user0000?limit=50" ;;
	tracks*) export BODY=$DIR/tracks.json
		set -- -s tests/tools/wrk-post.lua "$URL/api/v0/tracks" ;;
	esac
	# Warm: the readers' caches and the map's pages, 1 s.
	wrk -t1 -c4 -d1s "$@" > /dev/null
	if [ -n "$churn" ]; then
		tests/tools/ln-fixture -d "$RUN/db" churn "$((DURATION + 1))" \
		    user0001 "$churn" > "$RUN/churn.log" 2>&1 &
		writer=$!
	fi
	t0=$(ticks fcgi.pid nginx.pid)
	r0=$(ticks fcgi.pid)
	out=$(wrk -t"$t" -c"$c" -d"${DURATION}s" --latency "$@")
	t1=$(ticks fcgi.pid nginx.pid)
	r1=$(ticks fcgi.pid)
	if [ -n "$churn" ]; then
		wait "$writer" || die "the writer failed: $(cat "$RUN/churn.log")"
	fi
	echo "$out" | grep -q 'Non-2xx' && die "failed answers: $out"
	echo "$out" | awk -v ticks="$((t1 - t0))" -v rticks="$((r1 - r0))" \
	    -v hz="$(getconf CLK_TCK)" '
	    function ms(v) { if (v ~ /us$/) return v / 1000;
		if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000;
		return v }
	    $1 == "Latency" && !lat { max = ms($4); lat = 1 }
	    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
	    $1 == "Requests/sec:" { rps = $2 }
	    $2 == "requests" && $3 == "in" { n = $1 }
	    END { printf "%.0f %.2f %.2f %.2f %.0f %.0f\n", rps, p50, p99,
		max, (n > 0 ? ticks * 1e6 / hz / n : 0),
		(n > 0 ? rticks * 1e6 / hz / n : 0) }'
}

setup
results=$DIR/tune-results.txt
: > "$results"
echo "tune: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' \
    /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ $r -le "$ROUNDS" ]; do
	for v in "$@"; do
		start "$v"
		line=$(run "$v")
		echo "$v $line" >> "$results"
		echo "$line" | awk -v r="$r" -v v="$v" '{ printf "round %d  " \
		    "%-40s rps %6s  p50 %5s  p99 %5s  max %6s ms  cpu %4s" \
		    " us/req (readers %s)\n", r, v, $1, $2, $3, $4, $5, $6 }'
	done
	r=$((r + 1))
done
echo "tune: medians over $ROUNDS rounds (load now" \
    "$(cut -d' ' -f1-3 /proc/loadavg))"
for v in "$@"; do
	awk -v v="$v" '$1 == v' "$results" | awk -v v="$v" '
	    { n++; for (i = 2; i <= 7; i++) a[i, n] = $i }
	    function med(i,   k, j, t, x) { for (k = 1; k <= n; k++) x[k] = a[i, k]
		for (k = 1; k <= n; k++) for (j = k + 1; j <= n; j++)
		    if (x[j] + 0 < x[k] + 0) { t = x[k]; x[k] = x[j]; x[j] = t }
		return x[int((n + 1) / 2)] }
	    END { printf "  %-40s rps %6s  p50 %5s  p99 %5s  max %6s ms" \
		"  (p99 %s..%s)  cpu %s us/req (readers %s)\n", v, med(2),
		med(3), med(4), med(5), lo(4), hi(4), med(6), med(7) }
	    function lo(i,  k, m) { m = a[i, 1]; for (k = 2; k <= n; k++)
		if (a[i, k] + 0 < m + 0) m = a[i, k]; return m }
	    function hi(i,  k, m) { m = a[i, 1]; for (k = 2; k <= n; k++)
		if (a[i, k] + 0 > m + 0) m = a[i, k]; return m }'
done
