#!/bin/sh
# linernotes-fcgi.sh — start, stop and check the read API's FastCGI
# processes with spawn-fcgi, for systems without systemd (or under it, see
# linernotes-fcgi.service).
#
#   linernotes-fcgi.sh start|stop|restart|status
#
# Settings come from the environment (or /etc/default/linernotes-fcgi when
# it exists).  They are not named LINERNOTES_*: that prefix belongs to the
# configuration keys, and linernotes refuses one it does not know.
#   FCGI_BIN      the program       (/usr/local/bin/linernotes-fcgi)
#   FCGI_CONF     its config file   (/etc/linernotes.conf)
#   FCGI_SOCKET   the unix socket   (/run/linernotes/fcgi.sock)
#   FCGI_PIDFILE  spawn-fcgi's pids (/run/linernotes/fcgi.pid)
#   FCGI_PROCS    processes (-F)    (4)
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

# The pids of spawn-fcgi's children that still run (zombies count as gone).
running_pids() {
	[ -r "$PIDFILE" ] || return 0
	for pid in $(cat "$PIDFILE"); do
		[ -r "/proc/$pid/stat" ] || continue
		state=$(sed -e 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
		[ "$state" = Z ] && continue
		grep -q linernotes-fcgi "/proc/$pid/cmdline" 2>/dev/null &&
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
	set -- -s "$SOCKET" -F "$PROCS" -P "$PIDFILE" -M 0660
	if [ "$(id -u)" = 0 ]; then
		set -- "$@" -u "$RUN_USER"
		[ -n "$RUN_GROUP" ] && set -- "$@" -g "$RUN_GROUP"
	fi
	spawn-fcgi "$@" -- "$BIN" -c "$CONF"
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
		pids=$(running_pids)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
	fi
	rm -f "$SOCKET" "$PIDFILE"
}

case "${1:-}" in
start)	start ;;
stop)	stop ;;
restart) stop; start ;;
status)	pids=$(running_pids)
	if [ -n "$pids" ]; then
		echo "linernotes-fcgi: running ($(echo $pids))"
	else
		echo "linernotes-fcgi: not running"
		exit 3
	fi ;;
*)	echo "usage: $0 start|stop|restart|status" >&2
	exit 2 ;;
esac
