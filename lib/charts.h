/*
 * charts.h — a journal's own charts: its top tracks, artists or albums
 * over a span of time, by plays or by listening time, with each entry's
 * rank in the span of the same length just before.
 *
 * A span's plays are read with store_scan_plays() over that span only
 * (and the previous one), so a week costs a week of plays (all time
 * reads the whole journal once, as play references: docs/BENCHMARKS.md
 * has what that costs).  Artists and albums are
 * their tracks' sums, linked through the catalog (catalog.h): a track
 * credited to two artists counts for both.  Listening time is ms_played
 * when known, else the track's duration.
 *
 * Error convention: 0 / -1 (store failure or memory; logged).
 */
#ifndef LN_CHARTS_H
#define LN_CHARTS_H

#include <stdint.h>

#include "catalog.h"
#include "json.h"
#include "store.h"

enum charts_by {
	CHARTS_BY_PLAYS,
	CHARTS_BY_MS,
	CHARTS_BY__MAX
};

struct charts_query {
	const char	*user;
	enum entity_kind kind;
	enum charts_by	 by;
	int64_t		 from_ms, to_ms;	/* [from, to); INT64_MIN..MAX: all */
	uint32_t	 limit;			/* entries, 1..1000 */
};

/*
 * Writes into the open JSON object j "total_plays", "total_ms",
 * "previous" ({"from", "to"} in ms, or null for all time) and "items":
 * the limit best, each {id, rank, plays, ms, previous_rank (null when
 * it was not ranked then), previous_plays}.  Ties rank by plays, then
 * by id.  Returns 0 or -1.
 */
int	charts_write(struct store_txn *, struct catalog *,
	    const struct charts_query *, struct json *j);

#endif
