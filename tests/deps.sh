#!/bin/sh
# deps.sh — installs what linernotes' build, tests, demo and benchmarks
# need, and only what is missing: Debian packages (checked one by one with
# dpkg-query; `apt-get update` runs once, and only when something must be
# installed) and the npm packages of the root package.json (`npm ci` when
# node_modules is missing or older than package-lock.json).
#
# As root it installs; as anyone else it says exactly what to install and
# exits 1.  Safe to run again and again: a second run does nothing.
set -eu

cd "$(dirname "$0")/.."

PACKAGES="build-essential pkg-config liblmdb-dev lmdb-utils libfcgi-dev
libcurl4-openssl-dev libcjson-dev libbsd-dev libcmocka-dev zlib1g-dev
nginx-light spawn-fcgi multiwatch wrk clang libclang-rt-14-dev sqlite3 unzip zip
chromium valgrind curl ca-certificates"

say() {
	echo "deps: $*"
}

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = \
	    "install ok installed" ]
}

# node >= 18 from anywhere (Debian's or another build) is enough; only
# without it do Debian's nodejs and npm come in.
node_ok() {
	command -v node >/dev/null 2>&1 || return 1
	major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) ||
	    return 1
	[ "$major" -ge 18 ]
}

missing=""
for p in $PACKAGES; do
	installed "$p" || missing="$missing $p"
done
if ! node_ok; then
	for p in nodejs npm; do
		installed "$p" || missing="$missing $p"
	done
elif ! command -v npm >/dev/null 2>&1; then
	installed npm || missing="$missing npm"
fi

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		{
			say "missing Debian packages:$missing"
			say "install them as root with:"
			echo "  apt-get update && apt-get install -y$missing"
		} >&2
		exit 1
	fi
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q $missing
else
	say "Debian packages: all present"
fi

if [ -f package-lock.json ]; then
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
		say "npm ci (node_modules missing or older than package-lock.json)"
		npm ci --no-audit --no-fund
		touch node_modules
	else
		say "npm packages: up to date"
	fi
fi
