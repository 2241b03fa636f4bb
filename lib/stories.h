/*
 * stories.h — the story of a track, an artist or an album in one journal:
 * what the story pages show, computed from the store's indexes.
 *
 * A story is told over a set of tracks: given (one track, or any set),
 * its plays are found through the plays-by-track index
 * (store_iter_track_times(): one seek per track, then one step per
 * play); for an artist or an album, through the store's per-entity
 * index (store_iter_entity_plays(): one seek, the plays in time order
 * with their tracks), which also says which tracks the story has.
 * Never by scanning the journal; each
 * play is then read once for its listening time and context, and the
 * play right after each one is sought once to tell runs.  So a story
 * costs its own plays, whatever the journal's size.
 *
 * Definitions (as docs/INSIGHTS.md's, over the set instead of one track):
 *  - listening time: ms_played when known, else the track's duration;
 *  - a binge: binge_min or more plays of the set in a row in the journal,
 *    with no other play between them and no recorded gap; for a track,
 *    the track over and over; for an artist, their tracks back to back;
 *  - a return: a play return_days or more after the set's previous one;
 *  - a streak: consecutive local days with at least one play.
 * Years, months and days are those of the query's zone.
 *
 * Error convention: 0 / -1 (the store failed or memory ran out; logged).
 * Output goes to the caller's JSON writer (whose own failures
 * json_finish() reports).
 */
#ifndef LN_STORIES_H
#define LN_STORIES_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "store.h"
#include "tz.h"

#define STORIES_LIMIT_MAX	1000

struct stories_query {
	const char		*user;
	const struct tz		*tz;
	const char *const	*tracks;	/* n_tracks ids, NUL-terminated */
	size_t			 n_tracks;
	/*
	 * An artist or album (kind ENTITY_ARTIST / ENTITY_ALBUM and its
	 * id): the story of its plays from the per-entity index, tracks
	 * then unused.  Kind ENTITY_TRACK (0) or id NULL: of tracks.
	 */
	enum entity_kind	 kind;
	const char		*id;
	uint32_t		 binge_min;	/* 2..1000 */
	uint32_t		 return_days;	/* 1..3650 */
	uint32_t		 limit;		/* rows per list, 1..1000 */
	int			 per_track;	/* write "tracks" and "albums" */
};

/*
 * Writes the story's members into the open JSON object j: "plays", "ms",
 * "first" and "last" (each {played_at, played_at_iso, local, track_id}
 * or null), "years", "months", "binge_min", "binges_total", "binges",
 * "return_days", "returns_total", "returns", "contexts", "days_played",
 * "longest_streak", and with per_track "tracks" and "albums" (each
 * ranked by plays, with their first and last play).  docs/API.md shows
 * every field.  Returns 0 or -1.
 */
int	stories_write(struct store_txn *, const struct stories_query *,
	    struct json *j);

/*
 * Writes "dw": the weeks of the user's Discover Weekly (the playlist
 * playlist_id, or NULL for the weeks named "Discover Weekly") holding any
 * of tracks[0..n), newest first, each {week, how, items: [{track_id,
 * position}]}.  Returns 0 or -1.
 */
int	stories_write_dw(struct store_txn *, const char *user,
	    const char *playlist_id, const char *const *tracks, size_t n,
	    struct json *j);

/*
 * Writes "top": for each range, the snapshots of user's top list of kind
 * in which id's rank changed (its rank, or null when it left the list),
 * oldest first: {"short_term": [{day, rank}, ...], ...}.  Returns 0 or -1.
 */
int	stories_write_top(struct store_txn *, const char *user,
	    enum top_kind kind, const char *id, struct json *j);

/*
 * Writes a page of the plays of tracks[0..n), or with kind
 * ENTITY_ARTIST / ENTITY_ALBUM and id of that artist's or album's (from
 * its index; tracks unused), older than before (ms, exclusive;
 * INT64_MAX for the newest), newest first, as GET /plays writes them:
 * "items" and "next" ({"before": ms} or null).  limit is 1..200.
 * Returns 0 or -1.
 */
int	stories_write_plays(struct store_txn *, const char *user,
	    enum entity_kind kind, const char *id, const char *const *tracks,
	    size_t n, int64_t before, int limit, struct json *j);

#endif
