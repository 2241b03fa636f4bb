/*
 * store_int.h — private to the store's own files: store.c (the LMDB
 * machinery), store_plays.c, store_entities.c, store_records.c and
 * store_migrate.c.  Nothing else includes it; everyone else sees only
 * store.h.  It holds what those files share: the databases, the
 * environment and transaction structs, the key builders, the one error
 * mapping and the database primitives, and the few play functions the
 * migrations reuse.  It is also where the layout is written down, since
 * these files together are the only code that knows it.
 *
 * Keys (all integers big-endian, so byte order is numeric order; signed
 * values biased by flipping the sign bit, so negative times and days sort
 * before positive ones; [U] is the user id as one length byte and the
 * bytes, so a prefix scan of "bob" cannot match "bobby"):
 *
 *   users	user id (raw bytes)
 *   plays	[U] be64 played_at ms
 *   tracks, artists, albums	the 22-byte id
 *   playlists	[U] 22-byte playlist id, be32 week
 *   top	[U] u8 kind, u8 range, be32 day
 *   gaps	[U] be64 from_ms
 *   agg	[U] be32 bucket (biased; 15-minute units since the epoch);
 *		buckets INT32_MAX - part hold the journal's versions
 *		(enum store_part, store_plays.c)
 *   playsbytrack	[U] 22-byte track id, sorted duplicate values
 *		(MDB_DUPSORT | MDB_DUPFIXED; an index of the plays by
 *		track: see "the plays-by-track index")
 *   playsbyentity	[U] u8 kind (1 artist, 2 album) 22-byte id,
 *		sorted duplicate values (MDB_DUPSORT | MDB_DUPFIXED; see
 *		store_byentity.c)
 *   entagg	[U] u8 kind (0 track, 1 artist, 2 album, 3 the journal)
 *		be32 UTC day (biased; STORE_DAY_ALL: the totals)
 *		22-byte id (the journal's: 22 '0')
 *   sessions	[U] the 32-byte SHA-256 of the session token
 *   imports	[U] be32 job id (1..; struct import_job, schema.h)
 *   importmarks	[U] be64 played_at ms (biased): which import put
 *		the play at that key (store_imports.c)
 *   changes	be64 sequence number
 *   meta	the name
 *
 * Values (codec.h: str = u32 length, bytes, NUL; idlist = u32 n, n * 22
 * bytes; id = 22 bytes) all start with a version byte, now 1:
 *
 *   play	1, id track, str context_uri, u8 source, i32 ms_played,
 *		i64 prev_played_at (PLAY_NO_PREV when none; kept by the
 *		play functions: see "the plays-by-track index")
 *   track	1, i64 updated_at, str name, str uri, str album_id,
 *		idlist artists, u32 duration_ms, u16 popularity, u8 explicit,
 *		u8 is_local, u16 disc_number, u16 track_number
 *   artist	1, i64 updated_at, str name, u8 n, n * str genre,
 *		u8 n, n * (str url, u16 width, u16 height), u16 popularity,
 *		u8 detailed
 *   album	1, i64 updated_at, str name, str album_type,
 *		str release_date, idlist artists, u8 n, n * image,
 *		u16 total_tracks
 *   playlist	1, str name, str snapshot_id, u8 how, i64 obtained_at,
 *		idlist tracks
 *   top	1, i64 confirmed_at, idlist ids
 *   gap	1, i64 to_ms, u8 reason, i64 recorded_at
 *   user	1, then every field of struct user but id in declaration
 *		order (char arrays as str, n_archive then that many str)
 *   change	1, u8 entity kind, 22-byte id
 *   meta	1, the caller's bytes (i64 values: 8 bytes big-endian)
 *   agg	1, u32 plays, u32 by_played, u64 ms_played, u32 by_duration,
 *		u64 ms_duration (kept by the play functions: see "aggregates")
 *   session	1, i64 created_at, i64 expires_at
 *   import	1, u8 status, u8 media, i64 created_at, i64 updated_at,
 *		u64 bytes, str file_name, str reason, u32 attempts,
 *		u32 files_total, u32 files_done, u32 files_failed,
 *		u64 records, added, duplicates, skipped_podcast,
 *		skipped_audiobook, skipped_other, removed, i64 undo_cursor,
 *		u8 n, n * (str name, u8 ok, u64 records, added, duplicates,
 *		skipped, str error)
 *   importmark	1, u32 job id
 *   playsbytrack	be64 played_at ms (biased), no version byte: the
 *		value is the duplicate's sort key, all of one fixed size
 *		(a later layout would be a new database, as this one
 *		replaced schema version 3's "trackplays", whose keys were
 *		[U] track id be64 played_at with empty values)
 *   playsbyentity	be64 played_at ms (biased), 22-byte track id, no
 *		version byte (a sort key, as playsbytrack's)
 *   entagg	1, u32 plays, u64 ms (listening time: store_byentity.c)
 *
 * Entity values keep updated_at right after the version byte, so "equal
 * but for updated_at" is one length test and one memcmp from byte 9.
 * Decoding consumes exactly the value's bytes; anything else (short,
 * long, a length past the end, an enum out of range, an unknown version)
 * is logged with the database and key and returned as STORE_ERR.
 *
 * Keys built from caller input are checked first: a put with an
 * ill-formed user or id is STORE_ERR; a get, delete or iteration with one
 * behaves as if no such record exists (STORE_NOTFOUND, or no calls).
 */
#ifndef LN_STORE_INT_H
#define LN_STORE_INT_H

#include <lmdb.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "schema.h"
#include "store.h"

#define VALUE_VERSION	1		/* first byte of every value */
#define KEY_MAX		128		/* longest key built here, with room */
#define META_SCHEMA	"schema_version"

/*
 * The databases.  per_user marks those whose keys start with [U]:
 * store_purge_user() deletes from every one of them by prefix, so a new
 * per-user database needs only its row here.  derived marks those the
 * store computes from the plays itself (not counted as records purged).
 * flags are the database's own LMDB flags (given at every open).  A new
 * database is a value here and a row in store_dbs[] (store.c).
 */
enum store_db {
	DB_USERS,
	DB_PLAYS,
	DB_TRACKS,
	DB_ARTISTS,
	DB_ALBUMS,
	DB_PLAYLISTS,
	DB_TOP,
	DB_GAPS,
	DB_CHANGES,
	DB_META,
	DB_AGG,
	DB_SESSIONS,
	DB_PLAYSBYTRACK,
	DB_IMPORTS,
	DB_IMPORTMARKS,
	DB_PLAYSBYENTITY,
	DB_ENTAGG,
	DB__MAX
};

struct store_dbdef {
	const char	*name;
	int		 per_user;
	int		 derived;
	unsigned	 flags;
};
extern const struct store_dbdef store_dbs[DB__MAX];

struct store {
	MDB_env		*env;
	MDB_dbi		 dbi[DB__MAX];
	int		 rdonly;
	uint32_t	 schema_version;
	atomic_int	 readers;	/* read txns of this process begun */
	uintptr_t	 map;		/* the map's address, 0 until found */
	size_t		 map_len;	/* and length (store_release_pages) */
};

struct key {
	unsigned char	b[KEY_MAX];
	size_t		len;
};

/*
 * The 15-minute aggregates' change not applied yet (store_plays.c): one
 * user's sum of deltas to one bucket, and whether that user's plays
 * version is to be bumped.
 */
struct store_aggpend {
	struct key	 user;		/* [U]; len 0: nothing pending */
	int32_t		 bucket;
	int		 has_delta;
	int		 bump;
	int64_t		 plays, by_played, by_duration;
	int64_t		 ms_played, ms_duration;
};

struct store_txn {
	struct store	*st;
	MDB_txn		*txn;		/* NULL until begun; kept by readers */
	int		 active;	/* begun and not yet ended */
	int		 rdonly;
	int		 map_full;	/* a write hit MDB_MAP_FULL */
	int		 seq_loaded;	/* seq holds the change counter */
	uint64_t	 seq;
	MDB_cursor	*cur[DB__MAX];	/* cached cursors */
	uint32_t	 cur_live;	/* bit db: cur[db] bound to txn */
	uint32_t	 cur_busy;	/* bit db: cur[db] in use by a scan */
	struct buf	 scratch;	/* value encoding */
	struct store_pend *pend;	/* writes not yet applied, a cache
					   (store_byentity.c); NULL: none */
	struct store_aggpend aggpend;	/* store_plays.c */
};

/* ---- keys ------------------------------------------------------------------
 * Static inline, so each store file has its own copy and no key_ symbol
 * leaves it; everything below that is not inline is named store_.
 */

/* Starts k with [U].  -1 when user is not 1..USER_ID_MAX bytes. */
static inline int
key_user(struct key *k, const char *user)
{
	size_t n;

	if (user == NULL || (n = strnlen(user, USER_ID_MAX + 1)) == 0 ||
	    n > USER_ID_MAX)
		return -1;
	k->b[0] = (unsigned char)n;
	memcpy(k->b + 1, user, n);
	k->len = 1 + n;
	return 0;
}

/* k = the bare user id (users database). */
static inline int
key_user_bare(struct key *k, const char *user)
{
	if (key_user(k, user) == -1)
		return -1;
	memmove(k->b, k->b + 1, k->len - 1);
	k->len--;
	return 0;
}

static inline void
key_u8(struct key *k, uint8_t v)
{
	k->b[k->len++] = v;
}

static inline void
key_be32(struct key *k, uint32_t v)
{
	codec_be32_put(k->b + k->len, v);
	k->len += 4;
}

static inline void
key_be64(struct key *k, uint64_t v)
{
	codec_be64_put(k->b + k->len, v);
	k->len += 8;
}

/* Appends an id of exactly ID_LEN bytes; -1 otherwise. */
static inline int
key_id(struct key *k, const char *id)
{
	if (id == NULL || strnlen(id, ID_LEN + 1) != ID_LEN)
		return -1;
	memcpy(k->b + k->len, id, ID_LEN);
	k->len += ID_LEN;
	return 0;
}

/* Appends n bytes of c (0x00 / 0xff pad a prefix to a range bound). */
static inline void
key_fill(struct key *k, unsigned char c, size_t n)
{
	memset(k->b + k->len, c, n);
	k->len += n;
}

/*
 * For a per-user key of the form [U] tail: the tail, when the key has
 * exactly tail bytes after [U]; NULL otherwise.
 */
static inline const unsigned char *
key_tail(const MDB_val *k, size_t tail)
{
	const unsigned char *p = k->mv_data;

	if (k->mv_size < 1 || k->mv_size != 1 + (size_t)p[0] + tail)
		return NULL;
	return p + 1 + p[0];
}

/*
 * key_tail() for a key whose [U] must also be a well-formed user id
 * (1..USER_ID_MAX bytes): copies it, NUL-terminated, into user and
 * returns the tail; NULL otherwise (user untouched).
 */
static inline const unsigned char *
key_tail_user(const MDB_val *k, size_t tail, char user[USER_ID_MAX + 1])
{
	const unsigned char *p = k->mv_data, *t;

	if ((t = key_tail(k, tail)) == NULL || p[0] == 0 ||
	    p[0] > USER_ID_MAX)
		return NULL;
	memcpy(user, p + 1, p[0]);
	user[p[0]] = '\0';
	return t;
}

/*
 * Per-user keys [U] be64(biased ms), the plays' and the gaps': key_user_ms()
 * builds one (0, or -1 for a bad user id), key_tail_ms() reads its ms
 * into *ms (0, or -1 when k is not of that form).
 */
static inline int
key_user_ms(struct key *k, const char *user, int64_t ms)
{
	if (key_user(k, user) == -1)
		return -1;
	key_be64(k, codec_bias64(ms));
	return 0;
}

static inline int
key_tail_ms(const MDB_val *k, int64_t *ms)
{
	const unsigned char *tail;

	if ((tail = key_tail(k, 8)) == NULL)
		return -1;
	*ms = codec_unbias64(codec_be64_get(tail));
	return 0;
}

/* LMDB's default order: memcmp, then the shorter key first. */
static inline int
key_cmp(const MDB_val *a, const struct key *b)
{
	size_t n = a->mv_size < b->len ? a->mv_size : b->len;
	int c;

	if ((c = memcmp(a->mv_data, b->b, n)) != 0)
		return c;
	return a->mv_size < b->len ? -1 : a->mv_size > b->len;
}

static inline MDB_val
key_val(const struct key *k)
{
	MDB_val v;

	v.mv_size = k->len;
	v.mv_data = (void *)(uintptr_t)k->b;
	return v;
}

/* ---- the machinery (store.c) --------------------------------------------- */

/*
 * The one mapping from LMDB return codes to enum store_rc: MDB_SUCCESS,
 * MDB_NOTFOUND and MDB_KEYEXIST become STORE_OK, STORE_NOTFOUND and
 * STORE_EXISTS, anything else STORE_ERR, logged with what (the action)
 * and db (an enum store_db, or -1 for the environment).  MDB_MAP_FULL is
 * remembered in t (may be NULL) so store_write() grows the map.
 */
int	store_map_error(struct store_txn *t, int rc, const char *what,
	    int db);
/* Logs a value of db that did not decode, naming the database and key. */
void	store_damaged(enum store_db db, const MDB_val *k, const MDB_val *v);
/* 0 when t is a begun transaction; -1 (logged) otherwise. */
int	store_txn_check(const struct store_txn *t);
/*
 * A cursor on db for t (NULL, logged, on failure): t's cached one, or a
 * temporary one (*tmp set) while a scan of db already uses that.  Give
 * it back with store_cursor_release(); it is valid only inside t.
 */
MDB_cursor *store_cursor_acquire(struct store_txn *t, enum store_db db,
	    int *tmp);
void	store_cursor_release(struct store_txn *t, enum store_db db,
	    MDB_cursor *c, int tmp);
/*
 * Ends a walk of cursor c over db: its last LMDB code rc is a normal end
 * when MDB_SUCCESS (the walk stopped itself) or MDB_NOTFOUND (it ran
 * out), else it is mapped (store_map_error(), for what); then the cursor
 * is released.  Returns ret, or the mapped error.
 */
int	store_walk_end(struct store_txn *t, enum store_db db, MDB_cursor *c,
	    int tmp, int rc, int ret, const char *what);
/*
 * The database primitives: one LMDB call each on db in t, its code
 * mapped by store_map_error().  *v from store_db_get() is valid only
 * inside t.  store_db_del_dup() deletes one value of a key of an
 * MDB_DUPSORT database.
 */
int	store_db_get(struct store_txn *t, enum store_db db,
	    const struct key *k, MDB_val *v);
int	store_db_put(struct store_txn *t, enum store_db db,
	    const struct key *k, const void *data, size_t len,
	    unsigned flags);
int	store_db_del(struct store_txn *t, enum store_db db,
	    const struct key *k);
int	store_db_del_dup(struct store_txn *t, enum store_db db,
	    const struct key *k, const void *data, size_t len);
/* A scan callback: 0 goes on, 1 stops (success), -1 fails. */
typedef int (*store_scan_fn)(struct store_txn *, const MDB_val *k,
    const MDB_val *v, void *ctx);
/*
 * Calls fn for every key k of db with lo <= k <= hi (NULL: unbounded) in
 * dir order.  Returns STORE_OK (also when fn stopped it with 1) or
 * STORE_ERR (fn's -1, a bad direction or an LMDB failure).
 */
int	store_scan(struct store_txn *t, enum store_db db,
	    const struct key *lo, const struct key *hi, enum store_dir dir,
	    store_scan_fn fn, void *ctx);
/*
 * Deletes every key of db that starts with prefix (with all its values)
 * and adds the count of keys to *n.  Returns STORE_OK or STORE_ERR.
 */
int	store_del_prefix(struct store_txn *t, enum store_db db,
	    const struct key *prefix, uint64_t *n);
/* Starts encoding a value into t's scratch buffer (its version byte). */
void	store_enc_begin(struct store_txn *t, struct enc *e);
/* Starts decoding v; -1 when its version byte is not ours. */
int	store_dec_begin(struct dec *d, const MDB_val *v);

/* ---- records through their codec (store.c) -------------------------------
 * A record type states its key (built by its own file) and its codec;
 * getting, putting and iterating are then the same for every type.
 */
struct store_codec {
	enum store_db	 db;		/* where the records are */
	const char	*what;		/* "user": put failures are logged so */
	const char	*enc_err;	/* what an encoding failure means */
	/*
	 * Writes rec's fields after the version byte; -1 for a bad field.
	 * NULL for records their file writes itself (plays, aggregates).
	 */
	int		(*enc)(struct enc *, const void *rec);
	/*
	 * Fills rec from a key and its value; 0, or -1 when they do not
	 * decode.  rec's strings and lists then point into v.
	 */
	int		(*dec)(const MDB_val *k, const MDB_val *v,
			    void *rec);
};

/* The typed callbacks of store.h's iterations, by database. */
union store_each {
	int	(*user)(const struct user *, void *);
	int	(*play)(const struct play *, void *);
	int	(*track)(const struct track *, void *);
	int	(*artist)(const struct artist *, void *);
	int	(*album)(const struct album *, void *);
	int	(*week)(const struct playlist_week *, void *);
	int	(*top)(const struct top_snapshot *, void *);
	int	(*gap)(const struct gap *, void *);
	int	(*agg)(const struct agg_bucket *, void *);
	int	(*session)(const struct session *, void *);
	int	(*import)(const struct import_job *, void *);
};

/*
 * Reads the record at k into *out (valid only inside t).  Returns
 * STORE_OK, STORE_NOTFOUND, or STORE_ERR (a damaged value is logged).
 */
int	store_rec_get(struct store_txn *t, const struct store_codec *c,
	    const struct key *k, void *out);
/*
 * Encodes rec into t's scratch buffer (version byte first).  Returns 0,
 * or -1 when t is not begun or a field is bad (logged with c->what and
 * c->enc_err).
 */
int	store_rec_encode(struct store_txn *t, const struct store_codec *c,
	    const void *rec);
/* Encodes rec and writes it at k.  Returns STORE_OK or STORE_ERR. */
int	store_rec_put(struct store_txn *t, const struct store_codec *c,
	    const struct key *k, const void *rec);
/*
 * store_scan() over c's database, decoding each record into *rec (the
 * caller's, of c's type) and handing it to fn's member for that type
 * with arg.  A damaged record is logged and fails the scan.
 */
int	store_rec_scan(struct store_txn *t, const struct store_codec *c,
	    const struct key *lo, const struct key *hi, enum store_dir dir,
	    void *rec, union store_each fn, void *arg);

/* ---- the plays, for the migrations (store_plays.c) ----------------------- */

/*
 * Decodes the play at key k with value v into *p; with_prev 0 reads
 * schema version 4's layout, which ended at ms_played (prev_played_at is
 * then PLAY_NO_PREV).  p's strings point into v.  Returns 0 or -1.
 */
int	store_dec_play(const MDB_val *k, const MDB_val *v, struct play *p,
	    int with_prev);
/*
 * Encodes p with prev as its previous play into t's scratch buffer.
 * Returns 0, or -1 (logged) when the track id or the source is bad.
 */
int	store_enc_play(struct store_txn *t, const struct play *p,
	    int64_t prev);
/*
 * Adds (sign 1) or removes (sign -1) play p to or from its 15-minute
 * bucket; k holds the user's key prefix [U] and is extended.  Returns
 * STORE_OK or STORE_ERR.
 */
int	store_agg_apply(struct store_txn *t, struct key *k,
	    const struct play *p, int sign);
/*
 * Applies what t->aggpend holds back (store_put_play() and
 * store_del_play() leave their bucket's and version's change there):
 * store_write() calls it before it commits, and whatever reads or
 * empties the aggregates in a write transaction before it reads.
 * store_agg_discard() forgets it (a transaction begins).
 */
int	store_agg_flush(struct store_txn *t);
void	store_agg_discard(struct store_txn *t);
/*
 * Bumps the version of part of user's journal (store_part_version()) in
 * t: called by every put or delete of a weekly playlist, a top list or a
 * gap.  Returns STORE_OK or STORE_ERR.
 */
int	store_bump_part(struct store_txn *t, const char *user,
	    enum store_part part);
/* Adds played_at to the plays-by-track index key k ([U] track id). */
int	store_bytrack_put(struct store_txn *t, const struct key *k,
	    int64_t played_at);

/* ---- the per-entity indexes (store_byentity.c) --------------------------- */

/*
 * Adds (sign 1) or removes (sign -1) play p, of the user whose key
 * prefix [U] is u, to or from playsbyentity and entagg, as its track's
 * stored record has it.  The play functions call it in their
 * transaction, the migration for every play.  STORE_OK or STORE_ERR.
 */
int	store_byent_play(struct store_txn *t, const struct key *u,
	    const struct play *p, int sign);
/*
 * The record of track id changed from what old says to what nw says:
 * moves its plays, of every user, accordingly (nothing when the two
 * agree).  STORE_OK or STORE_ERR.
 */
int	store_byent_track_changed(struct store_txn *t, const char *id,
	    const struct track_view *old, const struct track_view *nw);
/*
 * A write transaction's changes to playsbyentity and entagg wait in
 * t->pend until store_byent_flush() applies them (in the transaction,
 * in key order); store_write() flushes before it commits, and whatever
 * reads or empties those databases directly flushes first.  STORE_OK,
 * or STORE_ERR (the transaction must not commit).
 * store_byent_discard() forgets what is pending and the cached views
 * (a transaction begins); store_byent_free() also frees the memory.
 */
int	store_byent_flush(struct store_txn *t);
void	store_byent_discard(struct store_txn *t);
void	store_byent_free(struct store_txn *t);
/*
 * Calls fn(k, v, arg) for each duplicate value v of key k in db (an
 * MDB_DUPSORT | MDB_DUPFIXED database whose values are vlen bytes, 8 to
 * 64, starting with a biased be64 time) whose time lies in [from_ms,
 * to_ms], in dir order: one seek, then one step per value.  fn's 0 / 1
 * / -1 as for store_scan().  Returns STORE_OK or STORE_ERR.
 */
int	store_dup_scan(struct store_txn *t, enum store_db db,
	    const struct key *k, size_t vlen, int64_t from_ms, int64_t to_ms,
	    enum store_dir dir,
	    int (*fn)(const MDB_val *k, const MDB_val *v, void *), void *arg);

/*
 * Calls fn(t, u, user, play, arg) for every play of track id, of every
 * user (u their key prefix [U]), oldest first per user; the times are
 * read first, so fn may put and delete plays.  fn returns STORE_OK or
 * STORE_ERR (which ends it).  STORE_OK or STORE_ERR.
 */
int	store_track_plays_each(struct store_txn *t, const char *id,
	    int (*fn)(struct store_txn *, const struct key *u,
	    const char *user, const struct play *, void *), void *arg);

/* ---- store_rekey.c ------------------------------------------------------ */

/*
 * Schema version 7: re-keys every entity whose synthetic id version 1
 * of the algorithm made to version 2's id, merging those whose new ids
 * coincide; their plays are deleted and put again with the new ids.
 * *n_entities and *n_plays receive how many were re-keyed and moved.
 * STORE_OK or STORE_ERR.
 */
int	store_rekey_synthetic(struct store_txn *t, uint64_t *n_entities,
	    uint64_t *n_plays);

/* ---- store_migrate.c ----------------------------------------------------- */

/*
 * Brings a writable store of an older schema version to this one, in
 * one write transaction.  Returns STORE_OK or STORE_ERR (logged).
 */
int	store_migrate(struct store *st, const char *path);

#endif
