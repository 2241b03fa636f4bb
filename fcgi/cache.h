/*
 * cache.h — the reader's normalized cache of rendered entities.
 *
 * Tracks, artists and albums are rendered to JSON once and kept, keyed by
 * kind and id, in a hash table with least-recently-used eviction, bounded
 * both by a number of entries and by bytes (cache_entries, cache_bytes;
 * 0 entries disables it).  An unknown id is cached too, as "null": the
 * store's change log names new entities as well as changed ones, so a
 * negative entry is dropped when the entity appears.
 *
 * Plays are not in the cache, so writing plays never flushes it.  Before a
 * request uses the cache, cache_sync() reads the store's entity change log
 * within the request's read transaction and forgets exactly the entities
 * that changed since the last sync (or everything, when this process fell
 * behind the oldest change the log keeps, or the store failed: the
 * protocol is lib/changelog.c's, shared with the insights' cache).  A
 * cached entity is therefore never older than the transaction it is
 * served in.
 *
 * One cache per process; not thread-safe.
 *
 * Error convention: cache_new() returns NULL when memory ran out;
 * cache_sync() returns 0 or -1 (store error: the cache was flushed);
 * the rest cannot fail (a put that does not fit is simply not kept).
 */
#ifndef LN_CACHE_H
#define LN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct cache;

struct cache_stats {
	uint64_t	entries;
	uint64_t	bytes;
	uint64_t	hits;
	uint64_t	misses;
	uint64_t	evictions;
	uint64_t	invalidations;
};

struct cache	*cache_new(size_t max_entries, size_t max_bytes);
void		 cache_free(struct cache *);
/*
 * Looks up kind/id.  On a hit sets *raw and *len to the rendered JSON,
 * owned by the cache and valid until the next cache call, and *tag to
 * what was put with it (the API keeps the JSON's hash there, so a batch
 * answer's ETag needs no pass over its bytes), and returns 0; on a miss
 * returns -1.  Counts hits and misses.
 */
int		 cache_get(struct cache *, enum entity_kind, const char *id,
		    const char **raw, size_t *len, uint64_t *tag);
/* Keeps a copy of raw (len bytes) and tag for kind/id, evicting as needed. */
void		 cache_put(struct cache *, enum entity_kind, const char *id,
		    const char *raw, size_t len, uint64_t tag);
/* Drops kind/id if present. */
void		 cache_forget(struct cache *, enum entity_kind, const char *id);
/* Drops everything. */
void		 cache_flush(struct cache *);
/* Applies the store's change log up to txn's view (see above). */
int		 cache_sync(struct cache *, struct store_txn *txn);
void		 cache_get_stats(const struct cache *, struct cache_stats *);

#endif
