# bench-lib.sh — what the benchmark scripts share; sourced by tests/bench.sh
# and by each section's script (tests/bench-collector.sh,
# tests/bench-import.sh), never run.
#
# A section's script run alone has no ROOT yet: then this goes to the top
# of the checkout and sets ROOT, BENCH_DIR and RESULTS as tests/bench.sh
# does, makes BENCH_DIR and sets STANDALONE=1.
#
#   result SECTION WHAT VALUE UNIT NOTE...
#       one row of the results table (the note's words are joined),
#       printed and appended to RESULTS.

if [ -z "${ROOT:-}" ]; then
	cd "$(dirname "$0")/.."
	ROOT=$(pwd)
	BENCH_DIR=$ROOT/run/bench
	RESULTS=$BENCH_DIR/results.md
	mkdir -p "$BENCH_DIR"
	STANDALONE=1
fi

result() {
	r_sec=$1 r_what=$2 r_val=$3 r_unit=$4
	shift 4
	printf '| %s | %s | %s %s | %s |\n' "$r_sec" "$r_what" "$r_val" \
	    "$r_unit" "$*" | tee -a "$RESULTS"
}
