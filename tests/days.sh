#!/bin/sh
# days.sh — runs the integration and browser suites on many days, so that
# a test that depends on the day shows up here rather than on the day it
# breaks.
#
#   sh tests/days.sh [DAY ...]        (make test-days)
#
# Each DAY is a TEST_START (tests/integration/lib/harness.mjs): the moment
# every simulator of the run starts at, a date (YYYY-MM-DD) or an ISO 8601
# time.  The browser tests' journal runs two weeks from it, so a day near
# a boundary is chosen for the start or for the journal's end.  The
# default days spread over a year and its awkward places:
#   2026-01-31            a month's last day
#   2026-03-29T00:30:00Z  Europe/Stockholm (the journal's zone) goes to
#                         summer time at 01:00 UTC
#   2026-04-30T23:00:00Z  a month's end, late in the evening
#   2026-06-30            the middle of the year, a month's end
#   2026-10-11T21:00:00Z  the journal ends on the night Stockholm goes
#                         back to winter time (2026-10-25)
#   2026-12-17T12:00:00Z  the journal ends on New Year's Eve
#   2025-12-31T12:00:00Z  starts on New Year's Eve, ends in January
#   2028-02-15T06:00:00Z  the journal ends on a leap day (2028-02-29)
#   2028-02-29            starts on a leap day
# Needs the programs and tools built (make all tools).  Each day's counts
# come from node's TAP summary; the last line is
#	linernotes: N passed, N failed
set -u

cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
	set -- 2026-01-31 2026-03-29T00:30:00Z 2026-04-30T23:00:00Z \
	    2026-06-30 2026-10-11T21:00:00Z 2026-12-17T12:00:00Z \
	    2025-12-31T12:00:00Z 2028-02-15T06:00:00Z 2028-02-29
fi

out=$(mktemp "${TMPDIR:-/tmp}/linernotes-days.XXXXXX")
trap 'rm -f "$out"' EXIT
trap 'exit 130' INT TERM

PASSED=0
FAILED=0
summary=""
for day in "$@"; do
	echo "==> TEST_START=$day"
	# shellcheck disable=SC2046
	TEST_START=$day node --test --test-reporter=tap \
	    $(find tests/integration tests/browser -maxdepth 1 \
	    -name '*.test.mjs' | sort) >"$out" 2>&1
	rc=$?
	p=$(grep -E '^# pass [0-9]+' "$out" | tail -n 1 | grep -oE '[0-9]+')
	f=$(grep -E '^# fail [0-9]+' "$out" | tail -n 1 | grep -oE '[0-9]+')
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if [ "$f" -ne 0 ]; then
		grep -E '^not ok|^ *not ok|error:' "$out" | head -n 20
		cp "$out" "run/days-$(echo "$day" | tr -c 'A-Za-z0-9-\n' '_').log" \
		    2>/dev/null && echo "    (the whole output is in run/)"
	fi
	echo "==> TEST_START=$day: $p passed, $f failed"
	summary="$summary
  $day: $p passed, $f failed"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
done
echo "==> days:$summary"
echo "linernotes: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
