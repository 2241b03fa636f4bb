#!/bin/sh
# render.sh — fills the nginx templates; the one implementation the demo
# (tests/stack.sh), the integration tests (tests/integration/lib) and the
# benchmarks share.
#
#   sh nginx/render.sh site LISTEN SERVER_NAME ROOT SOCKET [ACCESS_LOG]
#	prints the server block (linernotes.conf.in) filled in; use it for a
#	deployment's sites-available file.  ACCESS_LOG defaults to
#	/var/log/nginx/linernotes.access.log.
#   sh nginx/render.sh main RUN_DIR LISTEN ROOT SOCKET [DAEMON [SIM_URL]]
#	writes RUN_DIR/linernotes-site.conf and RUN_DIR/nginx.conf (a whole
#	nginx configuration under RUN_DIR, DAEMON on or off, default on) and
#	creates RUN_DIR/nginx-tmp; start nginx with
#	nginx -p RUN_DIR -e RUN_DIR/nginx-error.log -c RUN_DIR/nginx.conf
#	With SIM_URL (http://HOST:PORT of the Spotify simulator, for the demo
#	and the tests) it also writes RUN_DIR/linernotes-sim.conf, a location
#	that passes GET /_sim/image/ to the simulator, and includes it in the
#	server block, so the simulator's artwork (started with --public-base
#	pointing here) comes from the pages' own origin.  `site`, the
#	deployment's server block, never has it.
#
# NGINX_EXPORTS_DIR is the export files' folder, db_path/exports
# (default /var/lib/linernotes/db/exports; for `main`, RUN_DIR/db/exports).
# NGINX_SPOOL_DIR is the uploads' spool, db_path/spool (default
# /var/lib/linernotes/db/spool; for `main`, RUN_DIR/db/spool), and
# NGINX_IMPORT_MAX the largest upload in bytes: the configuration's
# import_max_bytes, read from the file LINERNOTES_CONFIG names when
# NGINX_IMPORT_MAX is unset (default 268435456).
# NGINX_AUTH_RATE and NGINX_EXPORT_RATE (e.g. 10r/m, the default for
# sign-in; 30r/m for exports) set the per-address request limits.
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
	log=${5:-/var/log/nginx/linernotes.access.log}
	check_value "$listen"
	check_value "$name"
	check_abs "$root"
	check_abs "$sock"
	check_abs "$log"
	exports=${NGINX_EXPORTS_DIR:-${default_exports:-/var/lib/linernotes/db/exports}}
	check_abs "$exports"
	spool=${NGINX_SPOOL_DIR:-${default_spool:-/var/lib/linernotes/db/spool}}
	check_abs "$spool"
	import_max=${NGINX_IMPORT_MAX:-}
	if [ -z "$import_max" ] && [ -n "${LINERNOTES_CONFIG:-}" ]; then
		import_max=$(sed -n 's/^[[:space:]]*import_max_bytes[[:space:]]*=[[:space:]]*"\{0,1\}\([0-9]*\)"\{0,1\}[[:space:]]*\(#.*\)\{0,1\}$/\1/p' \
		    "$LINERNOTES_CONFIG" | tail -n 1)
	fi
	import_max=${import_max:-268435456}
	case "$import_max" in
	''|*[!0-9]*) die "NGINX_IMPORT_MAX is a number of bytes: $import_max" ;;
	esac
	auth_rate=${NGINX_AUTH_RATE:-10r/m}
	export_rate=${NGINX_EXPORT_RATE:-30r/m}
	for r in "$auth_rate" "$export_rate"; do
		case "$r" in
		[1-9]*r/[sm]) ;;
		*) die "a rate is N r/s or r/m, e.g. 10r/m: $r" ;;
		esac
	done
	sed -e "s|@LISTEN@|$(sed_escape "$listen")|g" \
	    -e "s|@SERVER_NAME@|$(sed_escape "$name")|g" \
	    -e "s|@ROOT@|$(sed_escape "$root")|g" \
	    -e "s|@SOCKET@|$(sed_escape "$sock")|g" \
	    -e "s|@ACCESS_LOG@|$(sed_escape "$log")|g" \
	    -e "s|@ERRORS@|$(sed_escape "$here/errors")|g" \
	    -e "s|@EXPORTS@|$(sed_escape "$exports")|g" \
	    -e "s|@SPOOL@|$(sed_escape "$spool")|g" \
	    -e "s|@IMPORT_MAX@|$import_max|g" \
	    -e "s|@AUTH_RATE@|$auth_rate|g" \
	    -e "s|@EXPORT_RATE@|$export_rate|g" \
	    "$here/linernotes.conf.in"
}

# The simulator's artwork, for test and demo stacks only.
render_sim() {
	run=$1 sim=${2%/}
	check_value "$sim"
	case "$sim" in
	http://*:[0-9]*) ;;
	*) die "SIM_URL is http://HOST:PORT: $sim" ;;
	esac
	case "${sim#http://}" in
	*/*|*' '*|*'"'*|*'{'*|*'}'*) die "SIM_URL is http://HOST:PORT: $sim" ;;
	esac
	cat > "$run/linernotes-sim.conf" <<EOF
# Written by nginx/render.sh for a test or demo stack, never a deployment:
# the Spotify simulator's artwork (tests/spotify-sim, --public-base) from
# the pages' own origin, which their Content-Security-Policy allows.
location /_sim/image/ {
	limit_except GET { deny all; }
	proxy_pass $sim;
	proxy_connect_timeout 2s;
	proxy_read_timeout 10s;
	add_header X-Content-Type-Options nosniff always;
	add_header Cache-Control "public, max-age=3600" always;
}
EOF
	# Included first thing in the server block.
	awk -v inc="	include $run/linernotes-sim.conf;" \
	    '{ print } !done && /^server \{$/ { print inc; done = 1 }' \
	    "$run/linernotes-site.conf" > "$run/linernotes-site.conf.tmp"
	grep -q 'include .*linernotes-sim.conf;' \
	    "$run/linernotes-site.conf.tmp" ||
	    die "no server block to include the simulator's location in"
	mv "$run/linernotes-site.conf.tmp" "$run/linernotes-site.conf"
}

render_main() {
	run=$1 listen=$2 root=$3 sock=$4 daemon=${5:-on} sim=${6:-}
	check_abs "$run"
	case "$daemon" in on|off) ;; *) die "DAEMON is on or off" ;; esac
	# As root the workers run as root too: they must read the tree and
	# the socket wherever the checkout is.  Otherwise `user` is ignored.
	user="$(id -un) $(id -gn)"
	mkdir -p "$run/nginx-tmp"
	default_exports=$run/db/exports
	default_spool=$run/db/spool
	mkdir -p "${NGINX_SPOOL_DIR:-$default_spool}/incoming"
	render_site "$listen" "_" "$root" "$sock" "$run/nginx-access.log" \
	    > "$run/linernotes-site.conf"
	rm -f "$run/linernotes-sim.conf"
	[ -z "$sim" ] || render_sim "$run" "$sim"
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
site)	[ $# -eq 4 ] || [ $# -eq 5 ] ||
	    die "usage: render.sh site LISTEN SERVER_NAME ROOT SOCKET [ACCESS_LOG]"
	render_site "$@" ;;
main)	[ $# -ge 4 ] && [ $# -le 6 ] ||
	    die "usage: render.sh main RUN_DIR LISTEN ROOT SOCKET [on|off [SIM_URL]]"
	render_main "$@" ;;
*)	die "unknown command: $cmd" ;;
esac
