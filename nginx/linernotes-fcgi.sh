#!/bin/sh
# linernotes-fcgi.sh — start, stop and check the read API's FastCGI
# processes with spawn-fcgi, for systems without systemd (or under it, see
# linernotes-fcgi.service).  spawn-fcgi starts multiwatch on the socket,
# and multiwatch keeps FCGI_PROCS readers running: one that dies (even by
# SIGKILL) is replaced at once.  The demo (tests/stack.sh) and the tests
# (tests/integration/lib/harness.mjs) start them the same way.
#
#   linernotes-fcgi.sh start|stop|restart|status
#
# Settings come from the environment (or /etc/default/linernotes-fcgi when
# it exists).  They are not named LINERNOTES_*: that prefix belongs to the
# configuration keys, and linernotes refuses one it does not know.
#   FCGI_BIN      the program       (/usr/local/bin/linernotes-fcgi)
#   FCGI_CONF     its config file   (/etc/linernotes.conf)
#   FCGI_SOCKET   the unix socket   (/run/linernotes/fcgi.sock)
#   FCGI_PIDFILE  multiwatch's pid  (/run/linernotes/fcgi.pid)
#   FCGI_PROCS    readers (multiwatch -f) (4)
#   FCGI_USER     user to run as    (www-data; when started as root)
#   FCGI_GROUP    socket group      (the user's; nginx's workers must
#                                    be able to connect)
set -eu

[ -r /etc/default/linernotes-fcgi ] && . /etc/default/linernotes-fcgi

BIN=${FCGI_BIN:-/usr/local/bin/linernotes-fcgi}
CONF=${FCGI_CONF:-/etc/linernotes.conf}
SOCKET=${FCGI_SOCKET:-/run/linernotes/fcgi.sock}
PIDFILE=${FCGI_PIDFILE:-/run/linernotes/fcgi.pid}
PROCS=${FCGI_PROCS:-4}
RUN_USER=${FCGI_USER:-www-data}
RUN_GROUP=${FCGI_GROUP:-}

# The pid of multiwatch, when it still runs (a zombie counts as gone).
running_pids() {
	[ -r "$PIDFILE" ] || return 0
	for pid in $(cat "$PIDFILE"); do
		[ -r "/proc/$pid/stat" ] || continue
		state=$(sed -e 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
		[ "$state" = Z ] && continue
		grep -q multiwatch "/proc/$pid/cmdline" 2>/dev/null &&
		    echo "$pid"
	done
}

start() {
	if [ -n "$(running_pids)" ]; then
		echo "linernotes-fcgi: already running ($(running_pids | tr '\n' ' '))"
		return 0
	fi
	mkdir -p "$(dirname "$SOCKET")" "$(dirname "$PIDFILE")"
	rm -f "$SOCKET"
	set -- -s "$SOCKET" -P "$PIDFILE" -M 0660
	if [ "$(id -u)" = 0 ]; then
		set -- "$@" -u "$RUN_USER"
		[ -n "$RUN_GROUP" ] && set -- "$@" -g "$RUN_GROUP"
	fi
	# multiwatch: TERM is passed on to the readers as TERM (each
	# finishes its request); a reader that dies within 0.5 s of its
	# start three times running (a bad configuration) is not restarted.
	spawn-fcgi "$@" -- /usr/bin/multiwatch -f "$PROCS" -s TERM -r 3 \
	    -t 500 -- "$BIN" -c "$CONF"
}

stop() {
	pids=$(running_pids)
	if [ -z "$pids" ]; then
		echo "linernotes-fcgi: not running"
	else
		kill $pids 2>/dev/null || true
		i=0
		while [ -n "$(running_pids)" ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		for pid in $(running_pids); do
			# Its readers first, or they would outlive it.
			kids=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null ||
			    true)
			kill -9 "$pid" $kids 2>/dev/null || true
		done
	fi
	rm -f "$SOCKET" "$PIDFILE"
}

case "${1:-}" in
start)	start ;;
stop)	stop ;;
restart) stop; start ;;
status)	pids=$(running_pids)
	if [ -n "$pids" ]; then
		readers=$(cat "/proc/$pids/task/$pids/children" \
		    2>/dev/null || true)
		echo "linernotes-fcgi: running (multiwatch $(echo $pids);" \
		    "readers $(echo $readers))"
	else
		echo "linernotes-fcgi: not running"
		exit 3
	fi ;;
*)	echo "usage: $0 start|stop|restart|status" >&2
	exit 2 ;;
esac
