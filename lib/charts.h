/*
 * charts.h — a journal's own charts: its top tracks, artists or albums
 * over a span of time, by plays or by listening time, with each entry's
 * rank in the span of the same length just before.
 *
 * A span's counts come from the store's per-entity day counts (store.h,
 * "the per-entity indexes"): one record per entity and UTC day inside
 * the span, and the plays of the few hours between the span's local
 * ends and the UTC midnights inside it one by one; all time reads one
 * record per entity ever played.  So a chart costs the entities played
 * in its span, not its plays.  A track credited to two artists counts
 * for both.  Listening time is ms_played when known, else the track's
 * duration.
 *
 * Error convention: 0 / -1 (store failure or memory; logged).
 */
#ifndef LN_CHARTS_H
#define LN_CHARTS_H

#include <stdint.h>

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
int	charts_write(struct store_txn *, const struct charts_query *,
	    struct json *j);

#endif
