# bench-stories.sh — the "stories" section of tests/bench.sh (sourced by
# it: say, die, result, BENCH_DIR are bench.sh's).
#
# The story, search and chart endpoints inside one reader process
# (tests/tools/bench-reader: route_handle(), no nginx or FastCGI) on the
# 10-year, 200,000-play journal tests/tools/bench-insights generates
# (45,000 tracks, 3,000 artists, 9,000 albums), made public.  Cold: a new
# process's first request (it builds the catalog of every entity), the
# slowest of STORIES_COLD processes by CPU; warm: STORIES_RUNS requests
# in one process.  The ids are bench-insights' own (its mkid(): a letter,
# then the number scrambled in base 62): track 4242 (the December song,
# the journal's most played), 31337 (the planted 73-play binge), artist
# 282 and album 848 (those of track 4242).  docs/BENCHMARKS.md says what
# the figures mean on a shared machine.

STORIES_COLD=${STORIES_COLD:-5}
STORIES_RUNS=${STORIES_RUNS:-1000}
sdb=$BENCH_DIR/stories-store
[ -x tests/tools/bench-reader ] && [ -x tests/tools/bench-insights ] ||
    die "tests/tools/bench-reader and bench-insights are missing: make tools"
if [ ! -f "$sdb/data.mdb" ]; then
	say "stories: generating the 200,000-play journal"
	tests/tools/bench-insights -d "$sdb" -r 2 -k calendar -c no \
	    > "$BENCH_DIR/stories-gen.txt" ||
	    die "bench-insights failed (see $BENCH_DIR/stories-gen.txt)"
	echo '{"type":"user","id":"bench","display_name":"Bench",' \
	    '"visibility":"public","timezone":"Europe/Berlin"}' |
	    tests/tools/ln-fixture -d "$sdb" load > /dev/null
fi
urls=$(node -e '
const d = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const id = (k, n) => {
	let x = (BigInt(n) * 0x9e3779b97f4a7c15n + 0x1234567n) % (1n << 64n);
	let s = "";
	for (let i = 0; i < 21; i++) { s = d[Number(x % 62n)] + s; x /= 62n; }
	return k + s;
};
const b = "/api/v0";
console.log([
	`${b}/story/bench/track/${id("T", 4242)}`,
	`${b}/story/bench/track/${id("T", 31337)}`,
	`${b}/story/bench/artist/${id("R", 282)}`,
	`${b}/story/bench/album/${id("L", 848)}`,
	`${b}/story/bench/artist/${id("R", 282)}/plays`,
	`${b}/search/bench?q=track%201`,
	`${b}/search/bench?q=artist%2028`,
	`${b}/charts/bench?from=2025-01-01&to=2025-12-31`,
	`${b}/charts/bench?kind=artists&from=2025-12-01&to=2025-12-31&by=ms`,
	`${b}/charts/bench`].join("\n"));')
for u in $urls; do
	i=0
	: > "$BENCH_DIR/stories-cold.txt"
	while [ $i -lt "$STORIES_COLD" ]; do
		tests/tools/bench-reader -d "$sdb" -n 1 "$u" \
		    >> "$BENCH_DIR/stories-cold.txt" || die "bench-reader: $u"
		i=$((i + 1))
	done
	# | url | runs | mean | p50 | p99 | cpu | bytes |: the slowest CPU.
	cold=$(grep '^| /' "$BENCH_DIR/stories-cold.txt" |
	    awk -F'|' '{ v = $7 + 0; if (v > m) { m = v; row = $0 } }
		END { print row }')
	warm=$(tests/tools/bench-reader -d "$sdb" -n "$STORIES_RUNS" "$u" |
	    grep '^| /') || die "bench-reader: $u"
	short=$(echo "$u" | sed 's|/api/v0||')
	result stories "$short cold" "$(echo "$cold" |
	    awk -F'|' '{ printf "%.1f", $7 / 1000 }')" "ms CPU" \
	    "wall $(echo "$cold" | awk -F'|' '{ printf "%.1f ms", $6 / 1000 }')"
	result stories "$short warm" "$(echo "$warm" |
	    awk -F'|' '{ printf "%.2f", $6 / 1000 }')" "ms p99" \
	    "p50 $(echo "$warm" | awk -F'|' '{ printf "%.2f ms", $5 / 1000 }'), CPU $(echo "$warm" |
	    awk -F'|' '{ printf "%.2f ms", $7 / 1000 }') per request"
done
