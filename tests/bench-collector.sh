#!/bin/sh
# bench-collector.sh — the collector benchmark (issue 3).
#
#   sh tests/bench-collector.sh         (or `make bench`, section collector)
#
# 1000 simulated users (BENCH_USERS) in the simulator, all added with
# add-user; one warm-up sweep of every job (the first poll of a user stores
# its last 50 plays and their entities), then the virtual clock moves 20
# minutes and one full plays sweep — `poll-once --jobs plays` over every
# user, which runs exactly the daemon's code — is measured as fast as the
# limiter allows (rate_limit = 10000 per 30 s, the configuration's
# maximum; the simulator's own limit off).  Figures: CPU seconds and peak
# RSS of that process (its own getrusage(2), which poll-once -v reports),
# wall time, TCP connections opened (the
# simulator's count and libcurl's CURLINFO_NUM_CONNECTS), requests per user
# per day implied, early requests (must be 0).
# Targets: <= 1 CPU-second per sweep, <= 2 new connections per sweep,
# <= 80 Spotify Web API requests per user per day.
#
# When sourced by tests/bench.sh it uses that script's BENCH_DIR; run
# alone it prints the table itself (result(): tests/bench-lib.sh).
set -eu

. "${ROOT:-$(dirname "$0")/..}/tests/bench-lib.sh"

C_USERS=${BENCH_USERS:-1000}
C_DIR=$BENCH_DIR/collector
C_BIN=$ROOT/collector/linernotes-collector
C_SIM_PID=

c_stop() {
	[ -n "$C_SIM_PID" ] && kill "$C_SIM_PID" 2>/dev/null || true
	C_SIM_PID=
}

c_sim() {
	curl -fsS -X "$1" -H 'Content-Type: application/json' \
	    ${3:+-d "$3"} "$C_URL/_sim/$2"
}

# A number out of the simulator's JSON stats: c_json 'expr' (JS on s).
c_json() {
	node -e "let t='';process.stdin.on('data',d=>t+=d).on('end',()=>{const s=JSON.parse(t);console.log($1)})"
}

[ -x "$C_BIN" ] || { echo "bench: build first (make all)" >&2; exit 1; }
rm -rf "$C_DIR"
mkdir -p "$C_DIR/db"
trap c_stop EXIT INT TERM
node "$ROOT/tests/spotify-sim/sim.mjs" --port 0 --users "$C_USERS" \
    >"$C_DIR/sim.log" 2>&1 &
C_SIM_PID=$!
for _ in $(seq 100); do
	C_URL=$(sed -n 's/^spotify-sim listening on //p' "$C_DIR/sim.log")
	[ -n "$C_URL" ] && break
	sleep 0.1
done
[ -n "$C_URL" ] || { echo "bench: the simulator did not start" >&2; exit 1; }
cat >"$C_DIR/conf" <<CONF
db_path = $C_DIR/db
spotify_api_base = $C_URL/v1
spotify_accounts_base = $C_URL
client_id = sim-client-id
client_secret = sim-client-secret
rate_limit = 10000
CONF
echo "bench: collector: adding $C_USERS users"
seq 1 "$C_USERS" | xargs -P 4 -I{} "$C_BIN" -c "$C_DIR/conf" add-user \
    --refresh-token rt-user{} >/dev/null
echo "bench: collector: warm-up sweep (every job)"
"$C_BIN" -c "$C_DIR/conf" poll-once --jobs all >/dev/null 2>"$C_DIR/warm.err" || {
	echo "bench: the warm-up sweep failed:" >&2
	head "$C_DIR/warm.err" >&2
	exit 1
}
c_sim GET stats >"$C_DIR/warm.json"
c_sim POST clock '{"advance_s":1200}' >/dev/null
c_sim POST stats/reset >/dev/null
echo "bench: collector: measured sweep (plays)"
c_t0=$(date +%s.%N)
"$C_BIN" -v -c "$C_DIR/conf" poll-once --jobs plays >/dev/null \
    2>"$C_DIR/sweep.err"
c_t1=$(date +%s.%N)
c_sim GET stats >"$C_DIR/sweep.json"
c_stop

c_wall=$(echo "$c_t0 $c_t1" | awk '{printf "%.2f", $2 - $1}')
c_cpu=$(sed -n 's/.*; cpu \([0-9.]*\) s user \([0-9.]*\) s sys.*/\1 \2/p' \
    "$C_DIR/sweep.err" | awk '{printf "%.2f", $1 + $2}')
c_rss=$(sed -n 's/.*max rss \([0-9]*\) KiB.*/\1/p' "$C_DIR/sweep.err")
# The simulator also counts the connection of the curl(1) that asks it
# for the stats; the collector's are one fewer.
c_conns=$(c_json 's.connections_opened - 1' <"$C_DIR/sweep.json")
c_early=$(c_json 's.early_requests' <"$C_DIR/sweep.json")
c_curl=$(sed -n 's/.* \([0-9]*\) new connections.*/\1/p' "$C_DIR/sweep.err")
c_api=$(c_json 's.requests.total - (s.requests.by_endpoint.token||0)' <"$C_DIR/sweep.json")
c_plays=$(c_json "s.requests.by_endpoint['recently-played']||0" <"$C_DIR/sweep.json")
c_acc=$(c_json 's.requests.by_endpoint.token||0' <"$C_DIR/sweep.json")
# Per user per day: 72 plays sweeps, top 6 daily, the weekly jobs (/me,
# /me/playlists and Discover Weekly's items, counted in the warm-up less
# add-user's own /me), and, while entities still lack details, the detail
# look-ups (at most detail_budget per sweep for the whole app).
c_weekly=$(c_json "((s.requests.by_endpoint.me||0) - $C_USERS + (s.requests.by_endpoint.playlists||0) + (s.requests.by_endpoint['playlist-items']||0)) / $C_USERS" <"$C_DIR/warm.json")
c_steady=$(echo "$c_plays $C_USERS $c_weekly" | awk '{printf "%.1f", $1 / $2 * 72 + 6 + $3 / 7}')
c_day=$(echo "$c_api $C_USERS $c_weekly" | awk '{printf "%.1f", $1 / $2 * 72 + 6 + $3 / 7}')
c_tok=$(echo "$c_acc $C_USERS" | awk '{printf "%.1f", $1 / $2 * 72}')

result collector "sweep of $C_USERS users: CPU" "$c_cpu" s "user+sys (getrusage) of poll-once --jobs plays; target <= 1"
result collector "sweep: wall time" "$c_wall" s "rate_limit 10000/30 s, one connection, HTTP/1.1"
result collector "sweep: peak RSS" "$c_rss" KiB "getrusage ru_maxrss"
result collector "sweep: new TCP connections" "${c_curl:-?}" "" "CURLINFO_NUM_CONNECTS; the simulator counted $c_conns; target <= 2"
result collector "sweep: Web API requests" "$c_api" "" "$c_plays recently-played, the rest detail look-ups; plus $c_acc token requests"
result collector "Web API requests per user per day, steady" "$c_steady" "" "72 plays sweeps + 6 top + weekly /me, playlists, DW; target <= 80"
result collector "... while details are still missing" "$c_day" "" "plus the whole detail budget every sweep (50 for the app)"
result collector "early requests" "$c_early" "" "must be 0"
