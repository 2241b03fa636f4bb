/*
 * store.h — the LMDB store: the only interface to linernotes' data.
 *
 * One LMDB environment (a directory) holds named databases for users, plays,
 * tracks, artists, albums, playlists, top lists, gaps, the entity change log,
 * meta, the sign-in sessions and the import jobs, and four the store
 * derives from the plays (15-minute aggregates, an index of plays by
 * track, one of plays by artist and album, and plays per entity and
 * day).  Only the store's
 * own files (lib/store*.c) know keys and value encodings; callers
 * exchange the plain structs of schema.h.
 *
 * Transactions.  Every read or write happens inside a struct store_txn.
 *  - Writes: store_write() runs a caller's function inside one write
 *    transaction (one unit of work: a poll, an import file) and commits it.
 *    When the map is full it aborts, grows the map and runs the function
 *    again from the start, so the function must not keep side effects
 *    outside the transaction (or must be safe to repeat).
 *  - Reads: a long-lived reader handle (store_reader()) is begun and ended
 *    around each request; ending resets the LMDB transaction and beginning
 *    renews it, so no allocation happens per request.  MDB_MAP_RESIZED and
 *    MDB_READERS_FULL (stale reader slots) are handled inside with bounded
 *    retries.  store_read() is the one-shot form.
 * The environment is opened with MDB_NOTLS: a reader handle belongs to
 * whoever holds it, not to a thread; each thread uses its own handle.
 * Open the store after any fork(), never before.
 *
 * Iteration.  store_iter_* call fn once per record, in key order (ASC) or
 * reverse (DESC).  fn returns 0 to go on, 1 to stop early (the iteration then
 * returns STORE_OK) or -1 to fail (it then returns STORE_ERR).  Records
 * handed to fn are valid only during that call's transaction (see schema.h).
 * fn may read anything (even iterate the same database again) but must not
 * put into or delete from the database being iterated.
 *
 * Keys.  User ids are 1..USER_ID_MAX bytes and entity / playlist ids
 * exactly ID_LEN bytes.  A put with an ill-formed one is STORE_ERR; a get
 * or delete with one is STORE_NOTFOUND and an iteration calls fn never
 * (no such record can exist).  Times and days may be any value of their
 * type, negative ones included: they sort numerically.
 *
 * Error convention: functions return enum store_rc.  STORE_OK is 0 and
 * STORE_ERR is -1 so "!= 0" tests and "== -1" tests both read naturally;
 * STORE_NOTFOUND and STORE_EXISTS are the outcomes callers branch on.  LMDB
 * codes never leave the store's files; failures are logged there with
 * what failed.
 * A value whose version byte is unknown or whose encoding is damaged is
 * STORE_ERR (logged, never a crash).
 */
#ifndef LN_STORE_H
#define LN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

enum store_rc {
	STORE_ERR = -1,
	STORE_OK = 0,
	STORE_NOTFOUND = 1,	/* no such record */
	STORE_EXISTS = 2,	/* put: an equal record was there; nothing written */
};

enum store_dir {
	STORE_ASC,		/* oldest / smallest key first */
	STORE_DESC,		/* newest / largest key first */
};

/* The kinds of entity, for the change log (cache invalidation). */
enum entity_kind {
	ENTITY_TRACK,
	ENTITY_ARTIST,
	ENTITY_ALBUM,
	ENTITY__MAX
};

#define STORE_RDONLY	0x01	/* open read-only (the FastCGI reader) */

/*
 * 2: the agg database; 3: the trackplays index; 4: that index as sorted
 * duplicates (playsbytrack), 2.5x smaller; 5: each play value carries
 * its previous play of the track (struct play's prev_played_at); 6: the
 * per-entity indexes (playsbyentity, entagg); 7: synthetic ids of
 * version 2 (folded names, ids.h), older ones re-keyed
 */
#define STORE_SCHEMA_VERSION	7

struct store;
struct store_txn;

struct store_info {
	uint64_t	map_size;	/* bytes mapped */
	uint64_t	used;		/* bytes in use (last page * page size) */
	uint32_t	readers_used;	/* reader slots in use */
	uint32_t	readers_max;
	uint32_t	schema_version;
};

/*
 * Opens (creating when absent and not STORE_RDONLY) the environment in the
 * directory path.  map_size is the initial map size in bytes (0 = default,
 * 64 MiB); the map grows by doubling when full.  On success *sp owns the
 * store; free it with store_close().  A store written by a newer schema
 * version is refused.  Returns STORE_OK or STORE_ERR.
 */
int	store_open(struct store **sp, const char *path, unsigned flags,
	    size_t map_size);
void	store_close(struct store *);
/* Fills *info.  Returns STORE_OK or STORE_ERR. */
int	store_get_info(struct store *, struct store_info *info);
/*
 * Gives back this process's view of the pages of the store's map: the
 * read-only shared mapping of data.mdb is told MADV_DONTNEED, so the
 * pages read or copied so far stop counting in the process's resident
 * size.  Nothing is lost: the pages stay in the page cache (the kernel's,
 * shared with every process and reclaimable) and the next access faults
 * them back in with the same bytes.  So it may be called at any time,
 * inside a read or write transaction too, and records already handed out
 * stay valid; the cost is those later faults.  A bulk writer calls it
 * every few thousand records to keep its footprint independent of the
 * store's size.  Linux only (it finds the map in /proc/self/maps);
 * elsewhere, and on any failure, it does nothing.  Returns STORE_OK, or
 * STORE_ERR when the map could not be found (logged at debug level).
 */
int	store_release_pages(struct store *);
/*
 * Makes room for a write of about bytes more than the store holds now:
 * when they would not fit in the map, grows it (doubling) before the
 * write, which would otherwise fill the map, be undone and run again
 * (store_write()).  Call it with no transaction of this process begun.
 * STORE_OK, or STORE_ERR (logged; the write then grows the map itself).
 */
int	store_reserve(struct store *, size_t bytes);

/*
 * Runs fn(txn, arg) in one write transaction and commits when it returns 0.
 * fn returning -1 aborts (store_write returns STORE_ERR); growing the map
 * and repeating fn is transparent.  Returns STORE_OK or STORE_ERR.
 * Not to be called from inside fn (LMDB has one writer: it would wait for
 * itself), nor while another thread of the process has a reader of this
 * store begun (growing the map remaps it under that reader).
 */
typedef int (*store_write_fn)(struct store_txn *, void *arg);
int	store_write(struct store *, store_write_fn fn, void *arg);

/* Runs fn(txn, arg) in a read transaction.  Returns fn's 0/-1 as OK/ERR. */
int	store_read(struct store *, store_write_fn fn, void *arg);

/* Allocates a reusable reader handle (NULL on failure). */
struct store_txn *store_reader(struct store *);
/* Begins (renews) a read transaction on the handle.  Returns OK or ERR. */
int	store_read_begin(struct store_txn *);
/* Ends (resets) it; records read through it are no longer valid. */
void	store_read_end(struct store_txn *);
void	store_reader_free(struct store_txn *);

/* ---- users (struct user is copied both ways) ---------------------------- */
int	store_get_user(struct store_txn *, const char *id, struct user *out);
int	store_put_user(struct store_txn *, const struct user *);
/* Deletes the user record only. */
int	store_del_user(struct store_txn *, const char *id);
/*
 * Deletes the user and every record of theirs in every database (plays,
 * playlists, top, gaps and whatever later databases hold per user).
 * *n_deleted (may be NULL) receives how many records went.  Returns
 * STORE_NOTFOUND when the user had no record anywhere.
 */
int	store_purge_user(struct store_txn *, const char *id,
	    uint64_t *n_deleted);
int	store_iter_users(struct store_txn *,
	    int (*fn)(const struct user *, void *), void *arg);

/* ---- plays -------------------------------------------------------------- */
/* Adds a play; STORE_EXISTS when one is stored at that user and played_at. */
int	store_put_play(struct store_txn *, const char *user,
	    const struct play *);
int	store_get_play(struct store_txn *, const char *user, int64_t played_at,
	    struct play *out);
int	store_del_play(struct store_txn *, const char *user, int64_t played_at);
/* Plays of user with from_ms <= played_at <= to_ms, in dir order. */
int	store_iter_plays(struct store_txn *, const char *user, int64_t from_ms,
	    int64_t to_ms, enum store_dir dir,
	    int (*fn)(const struct play *, void *), void *arg);
/* Counts plays of user in [from_ms, to_ms] into *n. */
int	store_count_plays(struct store_txn *, const char *user, int64_t from_ms,
	    int64_t to_ms, uint64_t *n);

/*
 * The plays-by-track index.  store_put_play() and store_del_play() keep,
 * in their own transaction, an index of each user's plays by track and
 * time (purged with the user; built from the plays when a store of schema
 * version 3 or older is first opened for writing), so the play of a track
 * before a given moment is found with one seek, however long ago it was.
 * With it they also keep every play's prev_played_at: a put records the
 * play before it and becomes the previous play of the track's next play,
 * if any (an import of older history); a delete hands its own previous
 * play on to that next one.  So a page of plays reads each one's previous
 * play with the play itself (filled in by version 5's migration for older
 * stores).
 *
 * store_prev_track_play: *played_at receives the time of user's newest
 * play of track_id strictly before before_ms.  Returns STORE_OK,
 * STORE_NOTFOUND when there is none (or the ids are ill-formed), or
 * STORE_ERR.
 */
int	store_prev_track_play(struct store_txn *, const char *user,
	    const char *track_id, int64_t before_ms, int64_t *played_at);
/*
 * store_iter_track_times: calls fn(played_at, arg) for each of user's
 * plays of track_id with from_ms <= played_at <= to_ms, in dir order,
 * from the index alone (one seek, then one step per play; fn's 0/1/-1
 * as for the iterations).  store_iter_user_tracks: calls fn(track_id,
 * n_plays, arg) once for every track user ever played, in id order, with
 * how many plays of it are stored (counted by the index, not by reading
 * them).  Both return STORE_OK or STORE_ERR.
 */
int	store_iter_track_times(struct store_txn *, const char *user,
	    const char *track_id, int64_t from_ms, int64_t to_ms,
	    enum store_dir dir, int (*fn)(int64_t played_at, void *),
	    void *arg);
int	store_iter_user_tracks(struct store_txn *, const char *user,
	    int (*fn)(const char *track_id, uint64_t n_plays, void *),
	    void *arg);

/*
 * The per-entity indexes (schema version 6; store_byentity.c).  With
 * every play put or deleted, in its transaction, the store also keeps,
 * per user:
 *  - the plays of each artist and each album, as (time, track id) in
 *    time order: a play counts for every distinct artist its track's
 *    record credits and for its album;
 *  - per track, artist, album and for the whole journal, per UTC day,
 *    the plays and listening time (ms_played when known, else the
 *    track's duration_ms; 0 without a record), and under the day
 *    STORE_DAY_ALL the all-time totals.
 * Both follow the tracks' records as they are now: a put or delete of a
 * track whose album, artists or duration changed moves its plays, every
 * user's, in that transaction.  So they always equal what the plays and
 * tracks stored say (the unit tests check exactly that).  Purged with
 * the user; built by the migration to version 6.
 *
 * store_iter_entity_plays: fn(played_at, track_id, arg) for each play of
 * artist or album id (kind ENTITY_ARTIST or ENTITY_ALBUM; any other
 * kind calls fn never) with from_ms <= played_at <= to_ms, in dir order
 * (one seek, then one step per play; track_id is a NUL-terminated copy).
 * store_iter_entity_days: fn(tally, arg) for every entity of kind (an
 * enum entity_kind, or STORE_KIND_JOURNAL) with plays on a UTC day in
 * [from_day, to_day] (days since 1970-01-01), by day then id; to_day =
 * from_day = STORE_DAY_ALL iterates the totals.  store_get_entity_total:
 * the totals of kind/id (id ignored for STORE_KIND_JOURNAL); NOTFOUND
 * (zeros) when it has no plays.  All return STORE_OK or STORE_ERR.
 */
/*
 * What a play of a track counts for, as the track's record says now: a
 * copy of its album, its distinct artists (the first STORE_VIEW_ARTISTS
 * credited) and its duration.  store_track_view: of the stored track
 * track_id (all empty when it has no record); STORE_OK or STORE_ERR.
 * store_track_view_of: of tr (NULL: no record).
 */
#define STORE_VIEW_ARTISTS	32

struct track_view {
	char		 album[ID_LEN + 1];		/* "" for none */
	char		 artists[STORE_VIEW_ARTISTS][ID_LEN + 1];
	uint32_t	 n_artists;
	uint32_t	 duration;			/* ms; 0 unknown */
};

int	store_track_view(struct store_txn *, const char *track_id,
	    struct track_view *v);
void	store_track_view_of(const struct track *tr, struct track_view *v);
/*
 * In a write transaction, reads the views of the tracks ids[0..n) (each
 * NUL-terminated, repeats allowed) at once, in the store's key order, for
 * the store_track_view() calls to come (the store_put_play() and
 * store_del_play() of those tracks): several times faster than a look-up
 * each.  The transaction keeps at most some thousands; the rest are read
 * when asked.  Returns STORE_OK, or STORE_ERR (nothing kept is wrong).
 */
int	store_track_views_load(struct store_txn *, const char *const *ids,
	    size_t n);

#define STORE_KIND_JOURNAL	3		/* after enum entity_kind's */
#define STORE_DAY_ALL		INT32_MAX	/* the totals' "day" */

struct entity_tally {
	const char	*id;		/* txn; ID_LEN bytes, no NUL */
	int32_t		 day;		/* UTC days since 1970-01-01 */
	uint64_t	 plays;
	uint64_t	 ms;
};

int	store_iter_entity_plays(struct store_txn *, const char *user,
	    enum entity_kind kind, const char *id, int64_t from_ms,
	    int64_t to_ms, enum store_dir dir,
	    int (*fn)(int64_t played_at, const char *track_id, void *),
	    void *arg);
int	store_iter_entity_days(struct store_txn *, const char *user,
	    unsigned kind, int32_t from_day, int32_t to_day,
	    int (*fn)(const struct entity_tally *, void *), void *arg);
int	store_get_entity_total(struct store_txn *, const char *user,
	    unsigned kind, const char *id, uint64_t *plays, uint64_t *ms);

/* ---- aggregates: plays and listening time per user and quarter hour ----
 * For every user and 15-minute UTC bucket [start, start + 15 min) that
 * holds plays, the store keeps a struct agg_bucket.  store_put_play() and
 * store_del_play() update it in their own transaction, so a committed
 * store never has plays and aggregates that disagree; store_purge_user()
 * removes it.  A play counts toward ms_played when its ms_played is known
 * (>= 0), else toward ms_duration with its track's duration_ms as stored
 * when the play was put (0 or no track record: only toward plays).  A
 * delete subtracts the track's duration as stored at that moment, so a
 * track whose duration changed between the put and the delete of one of
 * its untimed plays leaves the bucket off by the difference (clamped at
 * zero; no writer deletes such plays today: see docs/INSIGHTS.md).  Plays
 * dated outside years 1..9999 are not aggregated.  Stores of schema
 * version 1 get their aggregates built from the plays when a writable
 * open (the collector, or a reader allowed to write) first opens them.
 */
#define STORE_AGG_BUCKET_MS	(15 * 60 * 1000)

/*
 * A play as long ordered scans read it (the insights): nothing copied,
 * nothing but the track id, time and ms_played decoded.
 */
struct play_ref {
	int64_t		 played_at;
	const char	*track_id;	/* txn; ID_LEN bytes, no NUL */
	int32_t		 ms_played;	/* -1 when unknown */
};
/*
 * Like store_iter_plays() ([from_ms, to_ms], dir order, fn's 0/1/-1),
 * handing fn a struct play_ref instead of a decoded struct play: for
 * scans of a whole journal.
 */
int	store_scan_plays(struct store_txn *, const char *user, int64_t from_ms,
	    int64_t to_ms, enum store_dir dir,
	    int (*fn)(const struct play_ref *, void *), void *arg);
/*
 * *version receives a number that changes whenever a play of user is put
 * or deleted (in any transaction that commits; it starts at random, so a
 * user purged and added again does not meet an old one): readers that
 * keep something computed from a user's plays compare it.  STORE_NOTFOUND
 * when no play of the user was ever stored.
 */
int	store_agg_version(struct store_txn *, const char *user,
	    uint64_t *version);
/*
 * The parts of a journal that answers are made of, each with its own
 * version number (store_part_version()).
 */
enum store_part {
	STORE_PART_PLAYS,	/* store_agg_version()'s */
	STORE_PART_PLAYLISTS,	/* weekly playlist snapshots */
	STORE_PART_TOP,		/* top lists */
	STORE_PART_GAPS,
	STORE_PART__MAX
};
/*
 * Like store_agg_version() for each part of user's journal: a number that
 * changes whenever a record of that part is put or deleted, in the
 * transaction that does it.  STORE_NOTFOUND when none ever was.
 */
int	store_part_version(struct store_txn *, const char *user,
	    enum store_part part, uint64_t *version);
/*
 * Every part's version at once (one short scan): out[part], 0 for a part
 * that never had one.  Returns STORE_OK or STORE_ERR.
 */
int	store_part_versions(struct store_txn *, const char *user,
	    uint64_t out[STORE_PART__MAX]);
/* Buckets of user whose start lies in [from_ms, to_ms], in dir order. */
int	store_iter_agg(struct store_txn *, const char *user, int64_t from_ms,
	    int64_t to_ms, enum store_dir dir,
	    int (*fn)(const struct agg_bucket *, void *), void *arg);

/* ---- entities ----------------------------------------------------------
 * A put compares with the stored record (ignoring updated_at): an equal
 * one gives STORE_EXISTS and writes nothing; a new or changed one is
 * written and appended to the change log (store_iter_changes).
 */
int	store_get_track(struct store_txn *, const char *id, struct track *out);
/*
 * Reads the tracks ids[0..n) (ID_LEN bytes each, no NUL needed) and calls
 * fn(i, track, arg) for each one stored, in the order given; an id with
 * no record is skipped.  fn's 0 / 1 (stop) / -1 as for the iterations; the
 * track is valid during the call.  Ids in ascending byte order are read
 * along the database's leaves, several times faster than a
 * store_get_track() each: for reading thousands at once (the insights'
 * cache).  Returns STORE_OK or STORE_ERR.
 */
int	store_get_tracks(struct store_txn *, const char *const *ids, size_t n,
	    int (*fn)(size_t i, const struct track *, void *), void *arg);
int	store_put_track(struct store_txn *, const struct track *);
int	store_del_track(struct store_txn *, const char *id);
int	store_iter_tracks(struct store_txn *,
	    int (*fn)(const struct track *, void *), void *arg);

int	store_get_artist(struct store_txn *, const char *id, struct artist *out);
int	store_put_artist(struct store_txn *, const struct artist *);
int	store_del_artist(struct store_txn *, const char *id);
int	store_iter_artists(struct store_txn *,
	    int (*fn)(const struct artist *, void *), void *arg);

int	store_get_album(struct store_txn *, const char *id, struct album *out);
int	store_put_album(struct store_txn *, const struct album *);
int	store_del_album(struct store_txn *, const char *id);
int	store_iter_albums(struct store_txn *,
	    int (*fn)(const struct album *, void *), void *arg);

/*
 * The entity change log: every changed or deleted entity gets the next
 * sequence number.  *seq receives the newest number (0 when none).
 * store_iter_changes calls fn for each change with seq > since, oldest
 * first.  The log keeps at least the newest 65536 changes; *oldest (may be
 * NULL) receives the oldest kept, so a reader that fell further behind
 * knows to drop its whole cache.
 */
int	store_change_seq(struct store_txn *, uint64_t *seq, uint64_t *oldest);
int	store_iter_changes(struct store_txn *, uint64_t since,
	    int (*fn)(uint64_t seq, enum entity_kind, const char *id, void *),
	    void *arg);

/* ---- playlists (weekly snapshots) --------------------------------------- */
int	store_put_playlist_week(struct store_txn *, const char *user,
	    const struct playlist_week *);
int	store_get_playlist_week(struct store_txn *, const char *user,
	    const char *playlist_id, int32_t week, struct playlist_week *out);
int	store_del_playlist_week(struct store_txn *, const char *user,
	    const char *playlist_id, int32_t week);
/* Weeks of one playlist (playlist_id) or of all (NULL), by id then week. */
int	store_iter_playlist_weeks(struct store_txn *, const char *user,
	    const char *playlist_id, enum store_dir dir,
	    int (*fn)(const struct playlist_week *, void *), void *arg);

/* ---- top lists ---------------------------------------------------------- */
int	store_put_top(struct store_txn *, const char *user,
	    const struct top_snapshot *);
int	store_get_top(struct store_txn *, const char *user, enum top_kind,
	    enum top_range, int32_t day, struct top_snapshot *out);
/* The newest snapshot of that kind and range; STORE_NOTFOUND when none. */
int	store_latest_top(struct store_txn *, const char *user, enum top_kind,
	    enum top_range, struct top_snapshot *out);
int	store_del_top(struct store_txn *, const char *user, enum top_kind,
	    enum top_range, int32_t day);
int	store_iter_top(struct store_txn *, const char *user, enum top_kind,
	    enum top_range, enum store_dir dir,
	    int (*fn)(const struct top_snapshot *, void *), void *arg);

/* ---- gaps --------------------------------------------------------------- */
int	store_put_gap(struct store_txn *, const char *user, const struct gap *);
int	store_del_gap(struct store_txn *, const char *user, int64_t from_ms);
/* Gaps of user overlapping [from_ms, to_ms], by from_ms. */
int	store_iter_gaps(struct store_txn *, const char *user, int64_t from_ms,
	    int64_t to_ms, enum store_dir dir,
	    int (*fn)(const struct gap *, void *), void *arg);

/* ---- meta: small named values (counters, heartbeats, limiter state) ----
 * Names are 1..255 bytes.  The store itself keeps "schema_version" and
 * "change_seq" here (readable, not for callers to write).
 */
/* Copies at most *len bytes into out; *len receives the value's length. */
int	store_get_meta(struct store_txn *, const char *name, void *out,
	    size_t *len);
int	store_put_meta(struct store_txn *, const char *name, const void *v,
	    size_t len);
int	store_get_meta_i64(struct store_txn *, const char *name, int64_t *v);
int	store_put_meta_i64(struct store_txn *, const char *name, int64_t v);
int	store_del_meta(struct store_txn *, const char *name);

/* ---- sessions (sign-in; see struct session in schema.h) -----------------
 * Keyed by user and token hash, so a session is found with the user id
 * and the hash the cookie gives, and store_purge_user() removes them with
 * the rest of the user's records.  Expiry is the caller's test (the
 * reader compares expires_at with its clock); store_expire_sessions()
 * sweeps out the ended ones.
 */
/* Adds or replaces the session s->user, s->hash. */
int	store_put_session(struct store_txn *, const struct session *);
int	store_get_session(struct store_txn *, const char *user,
	    const unsigned char hash[SESSION_HASH_LEN], struct session *out);
int	store_del_session(struct store_txn *, const char *user,
	    const unsigned char hash[SESSION_HASH_LEN]);
/* Sessions of user (NULL: of every user), by user then hash. */
int	store_iter_sessions(struct store_txn *, const char *user,
	    int (*fn)(const struct session *, void *), void *arg);
/*
 * Deletes up to max sessions (of every user) whose expires_at <= now;
 * *n (may be NULL) receives how many went.
 */
int	store_expire_sessions(struct store_txn *, int64_t now, uint64_t max,
	    uint64_t *n);

/* ---- imports (struct import_job in schema.h; store_imports.c) ----------
 * A user's uploads of Spotify's history and what became of them, keyed
 * by user and a per-user id from 1; purged with the user.  Each play an
 * import job put carries a mark with the job's id (written by the
 * importer with the play), so the job can be undone exactly.
 */
/* Adds or replaces job j (j->user, j->id >= 1). */
int	store_put_import(struct store_txn *, const struct import_job *j);
int	store_get_import(struct store_txn *, const char *user, uint32_t id,
	    struct import_job *out);
/* Jobs of user (NULL: of every user, by user then id), by id in dir. */
int	store_iter_imports(struct store_txn *, const char *user,
	    enum store_dir dir, int (*fn)(const struct import_job *, void *),
	    void *arg);
/* *id receives the largest job id of user, 0 when none. */
int	store_last_import_id(struct store_txn *, const char *user,
	    uint32_t *id);
/*
 * Marks user's play at played_at as put by job id (id 0 removes the mark:
 * a play put by no job).  Returns STORE_OK or STORE_ERR.
 */
int	store_mark_import(struct store_txn *, const char *user,
	    int64_t played_at, uint32_t id);
/* *id receives the job that marked the play; STORE_NOTFOUND when none. */
int	store_get_import_mark(struct store_txn *, const char *user,
	    int64_t played_at, uint32_t *id);
/*
 * One bounded step of undoing job id: looks at user's marks from
 * *cursor (a played_at, INT64_MIN to start) on, deletes with
 * store_del_play() (aggregates, index and previous-play links with it)
 * up to max plays marked with id that are not polled plays, removes
 * their marks, and looks at no more than 8 * max marks.  *cursor is then
 * where the next step starts, *removed how many plays went, *finished 1
 * when no mark is left to look at.  Returns STORE_OK or STORE_ERR.
 */
int	store_undo_import(struct store_txn *, const char *user, uint32_t id,
	    int64_t *cursor, uint32_t max, uint64_t *removed, int *finished);

#endif
