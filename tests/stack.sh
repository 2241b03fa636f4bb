#!/bin/sh
# stack.sh — starts and stops the whole linernotes stack under one run
# directory: the Spotify simulator, linernotes-fcgi under spawn-fcgi, and
# nginx on 127.0.0.1.
#
#   sh tests/stack.sh demo     simulator + config + API + nginx (`make demo`)
#   sh tests/stack.sh web      config + API + nginx, no simulator (benchmarks)
#   sh tests/stack.sh config   only writes the demo's configuration (with
#                              SIM_URL from the environment, if set)
#   sh tests/stack.sh stop     stops what this run directory started
#   sh tests/stack.sh status   lists what runs
#
# Environment:
#   RUN_DIR   the run directory (run/demo); tests and benchmarks use their own
#   PORT      nginx's port on 127.0.0.1 (8080)
#   WWW_ROOT  the pages nginx serves (www/ of the checkout)
#   SIM_USERS how many users the simulator has (3)
#   DEMO_WEEKS weeks of the simulator's time polled at start-up (8)
#   FCGI_PROCS linernotes-fcgi processes multiwatch keeps running (2)
#   FCGI_CANNED a file: `web` starts tests/tools/fcgi-canned FILE in place
#             of linernotes-fcgi, answering every /api/ request with that
#             file (the benchmark's measure of the FastCGI hop alone)
#
# Every process started is recorded in RUN_DIR/pids ("name pid" lines);
# `stop` ends exactly those (SIGTERM, then SIGKILL after 5 s), removes the
# socket, and does nothing when nothing runs.  `demo` and `web` stop a
# previous run of the same directory first, so running them twice is safe.
#
# A demo is a list of steps (DEMO_STEPS below), each a function in the
# "steps" section: later work adds a step by writing its function there and
# naming it in the list.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUN_DIR=${RUN_DIR:-run/demo}
mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
PORT=${PORT:-8080}
WWW_ROOT=${WWW_ROOT:-$ROOT/www}
SIM_USERS=${SIM_USERS:-3}
DEMO_WEEKS=${DEMO_WEEKS:-8}
FCGI_PROCS=${FCGI_PROCS:-2}

PIDS=$RUN_DIR/pids
CONF=$RUN_DIR/linernotes.conf
URL=http://127.0.0.1:$PORT
FCGI=$ROOT/fcgi/linernotes-fcgi
COLLECTOR=$ROOT/collector/linernotes-collector
SIM=$ROOT/tests/spotify-sim/sim.mjs
SIM_URL=${SIM_URL:-}

# A unix socket path holds at most 107 bytes.
SOCKET=$RUN_DIR/fcgi.sock
if [ ${#SOCKET} -gt 100 ]; then
	SOCKET=${TMPDIR:-/tmp}/linernotes-$(printf '%s' "$RUN_DIR" |
	    cksum | cut -d' ' -f1).sock
fi

say() {
	echo "stack: $*"
}

die() {
	echo "stack: $*" >&2
	exit 1
}

# --- process bookkeeping ---------------------------------------------------

record_pid() {
	echo "$1 $2" >> "$PIDS"
}

# Whether pid runs; a zombie does not (nobody may reap orphans here).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ]
}

# Whether pid is still the process we recorded (not a reused pid).
ours() {
	alive "$1" || return 1
	tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -q "$2"
}

# What a recorded name's command line contains.
pattern_of() {
	case "$1" in
	sim) echo sim.mjs ;;
	fcgi) echo linernotes-fcgi ;;
	canned) echo fcgi-canned ;;
	nginx) echo nginx ;;
	collector) echo linernotes-collector ;;
	*) echo "$1" ;;
	esac
}

stop_all() {
	[ -f "$PIDS" ] || { rm -f "$SOCKET"; return 0; }
	list=""
	while read -r name pid; do
		[ -n "$pid" ] || continue
		if ours "$pid" "$(pattern_of "$name")"; then
			kill "$pid" 2>/dev/null || true
			list="$list $pid"
			say "stopping $name ($pid)"
		fi
	done < "$PIDS"
	i=0
	while [ $i -lt 50 ]; do
		left=""
		for pid in $list; do
			alive "$pid" && left="$left $pid"
		done
		[ -z "$left" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	for pid in $list; do
		alive "$pid" && kill -9 "$pid" 2>/dev/null || true
	done
	rm -f "$PIDS" "$SOCKET" "$RUN_DIR/fcgi.pid"
}

status() {
	[ -f "$PIDS" ] || { say "nothing runs in $RUN_DIR"; return 0; }
	while read -r name pid; do
		if ours "$pid" "$(pattern_of "$name")"; then
			say "$name $pid running"
		else
			say "$name $pid gone"
		fi
	done < "$PIDS"
}

# Fails clearly when something else listens on PORT.
check_port() {
	if ! node -e '
		const s = require("net").createServer();
		s.once("error", () => process.exit(1));
		s.listen(Number(process.argv[1]), "127.0.0.1",
		    () => s.close(() => process.exit(0)));' "$PORT"; then
		die "port $PORT on 127.0.0.1 is taken; stop what uses it or" \
		    "run with PORT=another"
	fi
}

# --- steps -------------------------------------------------------------------
# Each step is one function; DEMO_STEPS and WEB_STEPS list them in order.

# The simulator on a free port; its URL goes into SIM_URL.  Its virtual
# clock starts DEMO_WEEKS weeks before this hour (run_weeks brings it to
# now) and is written to RUN_DIR/clock, which the collector and the reader
# follow (clock_file): the weeks they date (Discover Weekly, top lists,
# polls) are the weeks of the plays.
start_sim() {
	[ -f "$SIM" ] || die "the Spotify simulator is missing" \
	    "($SIM): the demo needs it"
	: > "$RUN_DIR/sim.log"
	# Its image URLs point at our own origin (nginx passes /_sim/image/
	# on to it, see start_nginx), where the pages' CSP allows them.
	start=$(( $(date -u +%s) / 3600 * 3600 - DEMO_WEEKS * 7 * 86400 ))
	setsid node "$SIM" --port 0 --users "$SIM_USERS" --public-base "$URL" \
	    --start "$(date -u -d "@$start" +%Y-%m-%dT%H:%M:%SZ)" \
	    --clock-file "$RUN_DIR/clock" \
	    >> "$RUN_DIR/sim.log" 2>&1 < /dev/null &
	pid=$!
	record_pid sim "$pid"
	i=0
	while [ $i -lt 150 ]; do
		SIM_URL=$(sed -n 's/.*spotify-sim listening on \(http:[^ ]*\).*/\1/p' \
		    "$RUN_DIR/sim.log" | head -n 1)
		[ -n "$SIM_URL" ] && break
		alive "$pid" || { cat "$RUN_DIR/sim.log" >&2;
		    die "the simulator exited"; }
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$SIM_URL" ] || { cat "$RUN_DIR/sim.log" >&2;
	    die "the simulator did not say it listens"; }
	SIM_URL=${SIM_URL%/}
	echo "$SIM_URL" > "$RUN_DIR/sim.url"
	say "simulator at $SIM_URL ($SIM_USERS users)"
}

# The configuration both programs read.  It holds the client secret, so
# it is created mode 0600 (the programs run as this user).  Spotify sends
# the browser back to redirect_uri, which must be the API's callback (the
# site's root would leave the code in the address bar, signed out).
write_config() {
	mkdir -p "$RUN_DIR/db"
	rm -f "$CONF"
	(umask 077 && : > "$CONF")
	{
		echo "# written by tests/stack.sh"
		echo "db_path = \"$RUN_DIR/db\""
		if [ -n "$SIM_URL" ]; then
			echo "spotify_api_base = \"$SIM_URL/v1\""
			echo "spotify_accounts_base = \"$SIM_URL\""
			echo "client_id = \"sim-client-id\""
			echo "client_secret = \"sim-client-secret\""
			echo "clock_file = \"$RUN_DIR/clock\""
			# The imported year's tracks get their albums, artists
			# and art while the weeks are polled: a bigger detail
			# budget per sweep, and the local simulator asked as
			# fast as the collector allows (it limits nothing).
			echo "detail_budget = 1000"
			echo "rate_limit = 10000"
		fi
		echo "redirect_uri = \"$URL/api/v0/auth/callback\""
		echo "public_url = \"$URL\""
	} > "$CONF"
	say "config $CONF"
}

# linernotes-fcgi, FCGI_PROCS processes, under spawn-fcgi and multiwatch
# (which replaces a reader that dies), the way nginx/linernotes-fcgi.sh
# runs them.  sh keeps their stderr in fcgi.log (spawn-fcgi drops it) and
# execs, so the readers are multiwatch's children.  The pid recorded is
# multiwatch's: stopping it stops the readers (it passes TERM on).
start_fcgi() {
	name=fcgi
	set -- "$FCGI" -c "$CONF"
	if [ -n "${FCGI_CANNED:-}" ]; then
		name=canned
		set -- "$ROOT/tests/tools/fcgi-canned" "$FCGI_CANNED"
	fi
	[ -x "$1" ] || die "$1 is missing: run make all tools"
	rm -f "$SOCKET" "$RUN_DIR/fcgi.pid"
	LN_LOG=$RUN_DIR/fcgi.log spawn-fcgi -s "$SOCKET" \
	    -P "$RUN_DIR/fcgi.pid" -- /usr/bin/multiwatch -f "$FCGI_PROCS" \
	    -s TERM -r 3 -t 500 -- \
	    /bin/sh -c 'exec "$0" "$@" 2>>"$LN_LOG"' "$@" > /dev/null ||
	    die "spawn-fcgi failed (see $RUN_DIR/fcgi.log)"
	for pid in $(cat "$RUN_DIR/fcgi.pid"); do
		record_pid "$name" "$pid"
	done
	say "$(basename "$1") on $SOCKET"
}

# nginx from the templates (nginx/render.sh), as a daemon; with the
# simulator, also passing its artwork (/_sim/image/) through.
start_nginx() {
	sh nginx/render.sh main "$RUN_DIR" "127.0.0.1:$PORT" "$WWW_ROOT" \
	    "$SOCKET" on ${SIM_URL:+"$SIM_URL"}
	nginx -p "$RUN_DIR" -e "$RUN_DIR/nginx-error.log" \
	    -c "$RUN_DIR/nginx.conf" ||
	    die "nginx did not start (see $RUN_DIR/nginx-error.log)"
	i=0
	while [ ! -s "$RUN_DIR/nginx.pid" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$RUN_DIR/nginx.pid" ] || die "nginx wrote no pid file"
	record_pid nginx "$(cat "$RUN_DIR/nginx.pid")"
	say "nginx on $URL"
}

wait_health() {
	i=0
	until curl -fsS -o "$RUN_DIR/health.json" "$URL/api/v0/health" \
	    2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "$URL/api/v0/health does not answer" \
		    "(see $RUN_DIR/nginx-error.log and $RUN_DIR/fcgi.log)"
		sleep 0.1
	done
	say "health: $(cat "$RUN_DIR/health.json")"
}

# The simulator's users, registered with the collector from their refresh
# tokens (as sign-in will do, issue 7); their ids go into DEMO_USERS.
DEMO_USERS=
register_users() {
	[ -x "$COLLECTOR" ] || die "$COLLECTOR is missing: run make all"
	tokens=$(curl -fsS "$SIM_URL/_sim/state" | node -e '
		let s = ""; process.stdin.on("data", (d) => { s += d; });
		process.stdin.on("end", () => { for (const u of
		    JSON.parse(s).users) console.log(u.refresh_token); });') ||
	    die "cannot read the simulator's users"
	for token in $tokens; do
		id=$("$COLLECTOR" -c "$CONF" add-user --refresh-token "$token" \
		    2>> "$RUN_DIR/collector.log") ||
		    die "add-user failed (see $RUN_DIR/collector.log)"
		DEMO_USERS="$DEMO_USERS $id"
	done
	say "users:$DEMO_USERS"
}

# The first poll, as right after a sign-up: each user's last 50 plays,
# top lists, Discover Weekly, profile.
first_poll() {
	"$COLLECTOR" -c "$CONF" poll-once --jobs all \
	    >> "$RUN_DIR/collector.log" 2>&1 ||
	    die "the first poll failed (see $RUN_DIR/collector.log)"
	say "first poll done"
}

# A year of each user's listening, as Spotify's extended streaming history
# download, imported like a user's own download, which arrives after the
# sign-up: the import recognises the plays the first poll stored (and, in
# a second demo, every play) and skips them.
import_history() {
	for id in $DEMO_USERS; do
		file=$RUN_DIR/history-$id.json
		curl -fsS -o "$file" "$SIM_URL/_sim/history/$id?format=extended" ||
		    die "cannot fetch $id's history from the simulator"
		"$COLLECTOR" -c "$CONF" import --user "$id" "$file" \
		    >> "$RUN_DIR/collector.log" 2>&1 ||
		    die "import for $id failed (see $RUN_DIR/collector.log)"
	done
	say "history imported"
}

# DEMO_WEEKS weeks of the simulator's time, polled as the daemon would
# (tests/tools/demo-weeks.mjs): top lists that change, Discover Weekly
# weeks full and reconstructed, a gap honestly recorded.
run_weeks() {
	{ node "$ROOT/tests/tools/demo-weeks.mjs" "$SIM_URL" "$CONF" \
	    "$COLLECTOR" "$DEMO_WEEKS" 2>> "$RUN_DIR/collector.log"
	    echo $? > "$RUN_DIR/weeks.rc"; } |
	    while read -r line; do say "$line"; done
	[ "$(cat "$RUN_DIR/weeks.rc")" = 0 ] ||
	    die "polling the weeks failed (see $RUN_DIR/collector.log)"
}

# Journals are private by default; the demo's are made public the way the
# instance's owner would from the shell (each owner can also do it in
# Settings).
publish_users() {
	for id in $DEMO_USERS; do
		"$COLLECTOR" -c "$CONF" set-user "$id" visibility=public \
		    >> "$RUN_DIR/collector.log" 2>&1 ||
		    die "could not make $id's journal public (see" \
		    "$RUN_DIR/collector.log)"
	done
	say "journals public:$DEMO_USERS"
}

# The collector daemon, polling the simulator.
start_collector() {
	setsid "$COLLECTOR" -c "$CONF" run >> "$RUN_DIR/collector.log" 2>&1 \
	    < /dev/null &
	record_pid collector $!
	say "collector running (log $RUN_DIR/collector.log)"
}

DEMO_STEPS="start_sim write_config register_users first_poll import_history
run_weeks publish_users start_collector start_fcgi start_nginx wait_health"
WEB_STEPS="write_config start_fcgi start_nginx wait_health"

run_steps() {
	stop_all
	check_port
	# A step that fails leaves nothing running behind it.
	trap 'echo "stack: failed; stopping what was started" >&2; stop_all' EXIT
	for step in $1; do
		"$step"
	done
	trap - EXIT
	say "ready: $URL/ (stop with: make stop, or RUN_DIR=$RUN_DIR sh" \
	    "tests/stack.sh stop)"
}

case "${1:-}" in
demo)	run_steps "$DEMO_STEPS" ;;
web)	run_steps "$WEB_STEPS" ;;
config)	write_config ;;
stop)	stop_all ;;
status)	status ;;
*)	echo "usage: sh tests/stack.sh demo|web|config|stop|status" >&2
	exit 2 ;;
esac
