#!/bin/sh
# render.sh — fills the nginx templates; the one implementation the demo
# (tests/stack.sh), the integration tests (tests/integration/lib) and the
# benchmarks share.
#
#   sh nginx/render.sh site LISTEN SERVER_NAME ROOT SOCKET
#	prints the server block (linernotes.conf.in) filled in; use it for a
#	deployment's sites-available file.
#   sh nginx/render.sh main RUN_DIR LISTEN ROOT SOCKET [DAEMON]
#	writes RUN_DIR/linernotes-site.conf and RUN_DIR/nginx.conf (a whole
#	nginx configuration under RUN_DIR, DAEMON on or off, default on) and
#	creates RUN_DIR/nginx-tmp; start nginx with
#	nginx -p RUN_DIR -e RUN_DIR/nginx-error.log -c RUN_DIR/nginx.conf
#
# Paths must be absolute.  Values may not contain newlines or ';'.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "render.sh: $*" >&2
	exit 2
}

# Escapes a value for the right side of a sed s||| command.
sed_escape() {
	printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

check_value() {
	case "$1" in
	*';'*|*'
'*)	die "unsafe value: $1" ;;
	esac
}

check_abs() {
	case "$1" in
	/*) ;;
	*) die "not an absolute path: $1" ;;
	esac
	check_value "$1"
}

render_site() {
	listen=$1 name=$2 root=$3 sock=$4
	check_value "$listen"
	check_value "$name"
	check_abs "$root"
	check_abs "$sock"
	sed -e "s|@LISTEN@|$(sed_escape "$listen")|g" \
	    -e "s|@SERVER_NAME@|$(sed_escape "$name")|g" \
	    -e "s|@ROOT@|$(sed_escape "$root")|g" \
	    -e "s|@SOCKET@|$(sed_escape "$sock")|g" \
	    "$here/linernotes.conf.in"
}

render_main() {
	run=$1 listen=$2 root=$3 sock=$4 daemon=${5:-on}
	check_abs "$run"
	case "$daemon" in on|off) ;; *) die "DAEMON is on or off" ;; esac
	# As root the workers run as root too: they must read the tree and
	# the socket wherever the checkout is.  Otherwise `user` is ignored.
	user="$(id -un) $(id -gn)"
	mkdir -p "$run/nginx-tmp"
	render_site "$listen" "_" "$root" "$sock" > "$run/linernotes-site.conf"
	sed -e "s|@RUN_DIR@|$(sed_escape "$run")|g" \
	    -e "s|@DAEMON@|$daemon|g" \
	    -e "s|@USER@|$(sed_escape "$user")|g" \
	    -e "s|@SITE@|$(sed_escape "$run/linernotes-site.conf")|g" \
	    "$here/nginx-main.conf.in" > "$run/nginx.conf"
}

[ $# -ge 1 ] || die "usage: render.sh site|main ..."
cmd=$1
shift
case "$cmd" in
site)	[ $# -eq 4 ] || die "usage: render.sh site LISTEN SERVER_NAME ROOT SOCKET"
	render_site "$@" ;;
main)	[ $# -ge 4 ] && [ $# -le 5 ] ||
	    die "usage: render.sh main RUN_DIR LISTEN ROOT SOCKET [on|off]"
	render_main "$@" ;;
*)	die "unknown command: $cmd" ;;
esac
