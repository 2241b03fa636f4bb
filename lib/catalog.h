/*
 * catalog.h — an in-memory index of the store's tracks, artists and
 * albums, for the story pages and the search.
 *
 * The store knows a track's album and artists but not the other way
 * round; a story of an artist needs its tracks, and a search needs every
 * name folded (fold.h).  A catalog holds, per process, every entity's id
 * and folded name, each track's album and artists, and the reverse links
 * (an artist's tracks, an album's tracks), all as arrays indexed by a
 * catalog number (0..n-1 per kind; valid until the next catalog_sync()).
 *
 * It is built from the entity databases on the first catalog_sync() and
 * then kept up to date by following the store's entity change log: each
 * later sync reads the entities changed since (a poll's new tracks,
 * artists and albums, a rename) and adds or updates them in place, then
 * relinks artists and albums to their tracks in memory.  Only what it
 * cannot apply in place makes it build again from the store: a deleted
 * entity (the numbers would shift), a log that no longer reaches back to
 * its last sync, or more than 200,000 changes applied since the build.
 * A build reads every entity (about 25 ms of CPU for 57,000:
 * docs/BENCHMARKS.md).  Per user, the plays of each entity come from the
 * store's all-time per-entity totals (one record per entity played) and
 * are kept until the user's play version (store_agg_version()) or the
 * entity change log moves.
 *
 * One catalog per process; not thread-safe.
 *
 * Error convention: 0 / -1 (store failure or memory; logged), NULL for
 * catalog_new() when memory ran out.
 */
#ifndef LN_CATALOG_H
#define LN_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define CATALOG_NONE	UINT32_MAX	/* no such entity */
#define CATALOG_Q_MAX	100		/* a search string, bytes */

struct catalog;

struct catalog	*catalog_new(void);
void		 catalog_free(struct catalog *);

/*
 * Brings the catalog up to the view of txn (a begun read or write
 * transaction).  Returns 0 or -1 (the catalog is then empty).
 */
int	catalog_sync(struct catalog *, struct store_txn *txn);

/* How many entities of kind the catalog holds. */
uint32_t	 catalog_count(const struct catalog *, enum entity_kind);
/* The catalog number of kind/id, or CATALOG_NONE. */
uint32_t	 catalog_find(const struct catalog *, enum entity_kind,
		    const char *id);
/* Entity i's id (NUL-terminated) and folded name; owned by the catalog. */
const char	*catalog_id(const struct catalog *, enum entity_kind, uint32_t i);
const char	*catalog_folded(const struct catalog *, enum entity_kind,
		    uint32_t i);
/*
 * The tracks of artist or album i (catalog numbers, ascending) into *out;
 * returns how many.  For kind ENTITY_TRACK, the track itself (*out then
 * points at a static copy, valid until the next call).
 */
size_t	catalog_tracks_of(const struct catalog *, enum entity_kind, uint32_t i,
	    const uint32_t **out);
/* Track t's album (CATALOG_NONE when unknown) and artists (credit order). */
uint32_t catalog_track_album(const struct catalog *, uint32_t t);
/* Track t's duration in ms (0 when unknown). */
uint32_t catalog_track_duration(const struct catalog *, uint32_t t);
size_t	catalog_track_artists(const struct catalog *, uint32_t t,
	    const uint32_t **out);

/*
 * plays[kind] receives, for each kind, an array indexed by that kind's
 * catalog numbers of how often user played each entity, from the
 * store's all-time per-entity totals (store.h, "the per-entity
 * indexes"; an artist's or album's plays are its tracks' as the store
 * credits them), valid until the next catalog call.  Entities the
 * catalog lacks are not counted.  Kept per user until the user's play
 * version or the catalog's change sequence moves.  Returns 0 or -1.
 */
int	catalog_user_plays(struct catalog *, struct store_txn *txn,
	    const char *user, const uint32_t *plays[ENTITY__MAX]);

/* One search result. */
struct catalog_hit {
	uint32_t	 i;		/* catalog number */
	uint64_t	 plays;		/* the user's plays of it */
	uint8_t		 prefix;	/* the query starts the name or a word */
};

/*
 * Entities of kind whose folded name contains q (already folded, 1 byte
 * or more), with plays > 0 (plays: catalog_user_plays()'s array of that
 * kind), best first: more plays, then a
 * prefix match, then the name's byte order.  The max best go into out;
 * *total receives how many matched.  Returns 0 or -1 (memory).
 */
int	catalog_search(const struct catalog *, enum entity_kind, const char *q,
	    const uint32_t *plays, struct catalog_hit *out, size_t max,
	    size_t *n, size_t *total);

#endif
