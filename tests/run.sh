#!/bin/sh
# run.sh — runs every test of linernotes and sums up.
#
#   sh tests/run.sh [unit|all]
#
# In order: the cmocka unit tests (tests/unit/*_test, built by `make
# unit`), the simulator's own tests (every script in tests/spotify-sim/test/,
# as `node --test DIR` finds them), the integration tests
# (tests/integration/**/*.test.mjs) and the browser tests
# (tests/browser/*.test.mjs); `unit` runs only the first.  Each runner's
# output is shown as it comes; its counts are read from its own summary
# (cmocka's "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)", node's
# TAP "# pass N" and "# fail N").  A runner that exits non-zero without
# reporting a failure (a crash, a sanitizer abort, a syntax error) counts as
# one failed test.  The last line is always
#	linernotes: N passed, N failed
# and the exit status is non-zero when anything failed.
set -u

cd "$(dirname "$0")/.."
export CMOCKA_MESSAGE_OUTPUT=stdout

what=${1:-all}
case "$what" in
unit|all) ;;
*)	echo "usage: sh tests/run.sh [unit|all]" >&2
	exit 2 ;;
esac

PASSED=0
FAILED=0
out=$(mktemp "${TMPDIR:-/tmp}/linernotes-run.XXXXXX")
trap 'rm -f "$out" "$out.rc"' EXIT
trap 'exit 130' INT TERM

# The number after the first match of the extended regex $1 in $out,
# summed over all matches (0 when none).
count() {
	grep -oE "$1" "$out" | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}'
}

# Runs a command (its output shown and kept in $out), then adds its counts.
# kind: cmocka or tap.
run_one() {
	kind=$1
	label=$2
	shift 2
	echo "==> $label"
	# Shown as it comes and kept; the status travels through a file.
	{ "$@"; echo $? > "$out.rc"; } 2>&1 | tee "$out"
	rc=$(cat "$out.rc" 2>/dev/null || echo 1)
	case "$kind" in
	cmocka)
		p=$(count '\[  PASSED  \] [0-9]+ test')
		f=$(count '\[  FAILED  \] [0-9]+ test') ;;
	tap)
		p=$(count '^# pass [0-9]+')
		f=$(count '^# fail [0-9]+') ;;
	esac
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "==> $label: exited with status $rc without a failed test:" \
		    "counted as one failure"
		f=1
	fi
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "==> $label: ran no test"
	fi
	echo "==> $label: $p passed, $f failed"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
}

# Node's runner, TAP output, on an explicit list of files.
run_node() {
	label=$1
	shift
	[ $# -gt 0 ] || return 0
	run_one tap "$label" node --test --test-reporter=tap "$@"
}

# --- unit tests (cmocka) ---------------------------------------------------
n=0
for t in tests/unit/*_test; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	run_one cmocka "$t" "./$t"
done
if [ "$n" -eq 0 ]; then
	echo "==> no unit tests built (run 'make unit'): counted as one failure"
	FAILED=$((FAILED + 1))
fi

if [ "$what" = all ]; then
	# --- the simulator's own tests ------------------------------------
	if [ -d tests/spotify-sim/test ]; then
		# The directory as a whole: node runs every script in it.
		run_node "spotify-sim tests" tests/spotify-sim/test/
	fi
	# --- integration tests --------------------------------------------
	if [ -d tests/integration ]; then
		# shellcheck disable=SC2046
		run_node "integration tests" $(find tests/integration \
		    -name '*.test.mjs' | sort)
	fi
	# --- browser tests ------------------------------------------------
	if [ -d tests/browser ]; then
		# shellcheck disable=SC2046
		run_node "browser tests" $(find tests/browser -maxdepth 1 \
		    -name '*.test.mjs' | sort)
	fi
fi

echo "linernotes: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
