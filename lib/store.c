/*
 * store.c — linernotes' data in one LMDB environment (contract: store.h).
 *
 * This is the only file that knows how records are laid out in LMDB and
 * the only one that sees LMDB return codes: store_map_error() turns them
 * into enum store_rc and logs what failed.  Values are encoded by codec.c
 * (explicit, bounds-checked, big-endian; never a memcpy of a struct).
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
 *   agg	[U] be32 bucket (biased; 15-minute units since the epoch)
 *   playsbytrack	[U] 22-byte track id, sorted duplicate values
 *		(MDB_DUPSORT | MDB_DUPFIXED; an index of the plays by
 *		track: see "the plays-by-track index")
 *   sessions	[U] the 32-byte SHA-256 of the session token
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
 *   playsbytrack	be64 played_at ms (biased), no version byte: the
 *		value is the duplicate's sort key, all of one fixed size
 *		(a later layout would be a new database, as this one
 *		replaced schema version 3's "trackplays", whose keys were
 *		[U] track id be64 played_at with empty values)
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
 *
 * Transactions.  A struct store_txn wraps one MDB_txn plus a small cache
 * of cursors (one per database, renewed rather than reopened, so reads
 * allocate nothing) and a scratch buffer for encoding.  Write functions
 * record MDB_MAP_FULL in the txn itself, so store_write() grows the map
 * and reruns the caller's function even when that function ignored the
 * error.  Growing the map (or adopting a size another process set)
 * remaps it, which LMDB allows only while no transaction of this process
 * is active: struct store counts begun readers, and while there are any
 * the remap is refused with a log line (the write or begin fails cleanly)
 * instead of moving the map under them.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <errno.h>
#include <lmdb.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "log.h"
#include "schema.h"
#include "store.h"

#define VALUE_VERSION	1		/* first byte of every value */
#define MAXDBS		32		/* named databases, with headroom */
#define DEFAULT_MAP	((size_t)64 << 20)
#define GROW_MAX	16		/* map doublings per store_write */
#define RETRY_MAX	8		/* MAP_RESIZED / READERS_FULL retries */
#define CHANGE_KEEP	65536		/* change log entries kept at least */
#define CHANGE_TRIM	1024		/* trim the log every this many */
#define META_NAME_MAX	255
#define ENTITY_HDR	9		/* version byte + i64 updated_at */
#define KEY_MAX		128		/* longest key built here, with room */

#define META_SCHEMA	"schema_version"
#define META_CHANGE_SEQ	"change_seq"

/*
 * The databases.  per_user marks those whose keys start with [U]:
 * store_purge_user() deletes from every one of them by prefix, so a new
 * per-user database needs only its row here.  derived marks those the
 * store computes from the plays itself (not counted as records purged).
 * flags are the database's own LMDB flags (given at every open).
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
	DB__MAX
};

static const struct store_dbdef {
	const char	*name;
	int		 per_user;
	int		 derived;
	unsigned	 flags;
} store_dbs[DB__MAX] = {
	[DB_USERS] =		{ "users", 0, 0, 0 },	/* keyed by the bare id */
	[DB_PLAYS] =		{ "plays", 1, 0, 0 },
	[DB_TRACKS] =		{ "tracks", 0, 0, 0 },
	[DB_ARTISTS] =		{ "artists", 0, 0, 0 },
	[DB_ALBUMS] =		{ "albums", 0, 0, 0 },
	[DB_PLAYLISTS] =	{ "playlists", 1, 0, 0 },
	[DB_TOP] =		{ "top", 1, 0, 0 },
	[DB_GAPS] =		{ "gaps", 1, 0, 0 },
	[DB_CHANGES] =		{ "changes", 0, 0, 0 },
	[DB_META] =		{ "meta", 0, 0, 0 },
	[DB_AGG] =		{ "agg", 1, 1, 0 },
	[DB_SESSIONS] =		{ "sessions", 1, 0, 0 },
	[DB_PLAYSBYTRACK] =	{ "playsbytrack", 1, 1,
				  MDB_DUPSORT | MDB_DUPFIXED },
};

/* The entity databases by enum entity_kind. */
static const enum store_db store_entity_db[ENTITY__MAX] = {
	[ENTITY_TRACK] = DB_TRACKS,
	[ENTITY_ARTIST] = DB_ARTISTS,
	[ENTITY_ALBUM] = DB_ALBUMS,
};

struct store {
	MDB_env		*env;
	MDB_dbi		 dbi[DB__MAX];
	int		 rdonly;
	uint32_t	 schema_version;
	atomic_int	 readers;	/* read txns of this process begun */
	uintptr_t	 map;		/* the map's address, 0 until found */
	size_t		 map_len;	/* and length (store_release_pages) */
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
};

struct key {
	unsigned char	b[KEY_MAX];
	size_t		len;
};

/*
 * The one mapping from LMDB return codes to enum store_rc.  Logs failures
 * with what was being done and where.  MDB_MAP_FULL is remembered in t
 * (store_write() then grows the map) and logged only at debug level, as
 * are the MDB_BAD_TXN errors that follow it inside the same transaction.
 */
static int
store_map_error(struct store_txn *t, int rc, const char *what, int db)
{
	const char *where = db >= 0 && db < DB__MAX ? store_dbs[db].name :
	    "environment";

	switch (rc) {
	case MDB_SUCCESS:
		return STORE_OK;
	case MDB_NOTFOUND:
		return STORE_NOTFOUND;
	case MDB_KEYEXIST:
		return STORE_EXISTS;
	case MDB_MAP_FULL:
		if (t != NULL)
			t->map_full = 1;
		log_debug("store: %s %s: map full (will grow and retry)",
		    what, where);
		return STORE_ERR;
	case MDB_BAD_TXN:
		if (t != NULL && t->map_full) {
			log_debug("store: %s %s: after map full", what, where);
			return STORE_ERR;
		}
		break;
	default:
		break;
	}
	log_warnx("store: %s %s: %s", what, where, mdb_strerror(rc));
	return STORE_ERR;
}

/* Logs a value that did not decode, naming the database and the key. */
static void
store_damaged(enum store_db db, const MDB_val *k, const MDB_val *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = k->mv_data;
	char kh[2 * 32 + 4];
	size_t i, o = 0;

	for (i = 0; i < k->mv_size && i < 32; i++) {
		kh[o++] = hex[p[i] >> 4];
		kh[o++] = hex[p[i] & 15];
	}
	if (k->mv_size > 32) {
		kh[o++] = '.';
		kh[o++] = '.';
	}
	kh[o] = '\0';
	log_warnx("store: %s: damaged value or unknown version (%zu bytes, "
	    "version byte %d) at key %s", store_dbs[db].name, v->mv_size,
	    v->mv_size > 0 ? *(const unsigned char *)v->mv_data : -1, kh);
}

/* ---- keys ---------------------------------------------------------------- */

/* Starts k with [U].  -1 when user is not 1..USER_ID_MAX bytes. */
static int
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
static int
key_user_bare(struct key *k, const char *user)
{
	if (key_user(k, user) == -1)
		return -1;
	memmove(k->b, k->b + 1, k->len - 1);
	k->len--;
	return 0;
}

static void
key_u8(struct key *k, uint8_t v)
{
	k->b[k->len++] = v;
}

static void
key_be32(struct key *k, uint32_t v)
{
	codec_be32_put(k->b + k->len, v);
	k->len += 4;
}

static void
key_be64(struct key *k, uint64_t v)
{
	codec_be64_put(k->b + k->len, v);
	k->len += 8;
}

/* Appends an id of exactly ID_LEN bytes; -1 otherwise. */
static int
key_id(struct key *k, const char *id)
{
	if (id == NULL || strnlen(id, ID_LEN + 1) != ID_LEN)
		return -1;
	memcpy(k->b + k->len, id, ID_LEN);
	k->len += ID_LEN;
	return 0;
}

/* Appends n bytes of c (0x00 / 0xff pad a prefix to a range bound). */
static void
key_fill(struct key *k, unsigned char c, size_t n)
{
	memset(k->b + k->len, c, n);
	k->len += n;
}

/*
 * For a per-user key of the form [U] tail: the tail, when the key has
 * exactly tail bytes after [U]; NULL otherwise.
 */
static const unsigned char *
key_tail(const MDB_val *k, size_t tail)
{
	const unsigned char *p = k->mv_data;

	if (k->mv_size < 1 || k->mv_size != 1 + (size_t)p[0] + tail)
		return NULL;
	return p + 1 + p[0];
}

/* LMDB's default order: memcmp, then the shorter key first. */
static int
key_cmp(const MDB_val *a, const struct key *b)
{
	size_t n = a->mv_size < b->len ? a->mv_size : b->len;
	int c;

	if ((c = memcmp(a->mv_data, b->b, n)) != 0)
		return c;
	return a->mv_size < b->len ? -1 : a->mv_size > b->len;
}

static MDB_val
key_val(const struct key *k)
{
	MDB_val v;

	v.mv_size = k->len;
	v.mv_data = (void *)(uintptr_t)k->b;
	return v;
}

/* ---- transactions and cursors ------------------------------------------- */

static int
store_txn_check(const struct store_txn *t)
{
	if (t == NULL || t->txn == NULL || !t->active) {
		log_warnx("store: no transaction is active");
		return -1;
	}
	return 0;
}

/*
 * 0 when the map may be remapped now, -1 (logged) while a reader of this
 * process is begun: its records point into the current mapping.
 */
static int
store_remap_check(struct store *st)
{
	int n;

	if ((n = atomic_load(&st->readers)) == 0)
		return 0;
	log_warnx("store: the map must be remapped (grown), but %d read "
	    "transaction%s of this process %s still begun", n,
	    n == 1 ? "" : "s", n == 1 ? "is" : "are");
	return -1;
}

/*
 * Begins (a reader: renews) t's transaction.  MDB_MAP_RESIZED (another
 * process grew the map) is met by adopting the new size, MDB_READERS_FULL
 * by clearing the slots of dead processes; both are retried a bounded
 * number of times.
 */
static int
store_txn_begin(struct store_txn *t)
{
	MDB_env *env = t->st->env;
	int rc, dead, tries;

	for (tries = 0;; tries++) {
		if (t->txn != NULL)
			rc = mdb_txn_renew(t->txn);
		else
			rc = mdb_txn_begin(env, NULL,
			    t->rdonly ? MDB_RDONLY : 0, &t->txn);
		if (rc == MDB_SUCCESS)
			break;
		if (t->txn != NULL) {
			/* A failed renew: start over from a fresh txn. */
			mdb_txn_abort(t->txn);
			t->txn = NULL;
		}
		if (tries == RETRY_MAX)
			break;
		if (rc == MDB_MAP_RESIZED) {
			log_debug("store: map grown by another process");
			if (store_remap_check(t->st) == -1)
				break;
			t->st->map = 0;		/* remapped: find it again */
			if ((rc = mdb_env_set_mapsize(env, 0)) != 0)
				break;
			continue;
		}
		if (rc == MDB_READERS_FULL) {
			if ((rc = mdb_reader_check(env, &dead)) != 0)
				break;
			if (dead == 0) {
				rc = MDB_READERS_FULL;
				break;
			}
			log_info("store: cleared %d stale reader slots", dead);
			continue;
		}
		break;
	}
	if (rc != MDB_SUCCESS) {
		(void)store_map_error(t, rc, "begin transaction", -1);
		return STORE_ERR;
	}
	t->active = 1;
	if (t->rdonly)
		atomic_fetch_add(&t->st->readers, 1);
	t->map_full = 0;
	t->seq_loaded = 0;
	t->cur_live = 0;
	t->cur_busy = 0;
	return STORE_OK;
}

/* Marks t no longer begun (and a reader no longer counted). */
static void
store_txn_inactive(struct store_txn *t)
{
	if (t->active && t->rdonly)
		atomic_fetch_sub(&t->st->readers, 1);
	t->active = 0;
	t->cur_live = t->cur_busy = 0;
}

/*
 * After a txn was committed or aborted.  A write txn's cursors went with
 * it (LMDB frees them); a reader's were closed by the caller first.
 */
static void
store_txn_forget(struct store_txn *t)
{
	store_txn_inactive(t);
	memset(t->cur, 0, sizeof(t->cur));
	t->txn = NULL;
}

/* Read-only cursors outlive their txns and are closed explicitly. */
static void
store_close_cursors(struct store_txn *t)
{
	int db;

	for (db = 0; db < DB__MAX; db++)
		if (t->cur[db] != NULL) {
			mdb_cursor_close(t->cur[db]);
			t->cur[db] = NULL;
		}
	t->cur_live = t->cur_busy = 0;
}

/*
 * A cursor on db for t: the cached one (opened once, renewed after each
 * begin), or, when a scan of db is already running on it, a temporary one
 * (*tmp set; cursor_release closes it).
 */
static MDB_cursor *
cursor_acquire(struct store_txn *t, enum store_db db, int *tmp)
{
	uint32_t bit = UINT32_C(1) << db;
	MDB_cursor *c;
	int rc;

	*tmp = 0;
	if (t->cur_busy & bit) {
		if ((rc = mdb_cursor_open(t->txn, t->st->dbi[db], &c)) != 0) {
			(void)store_map_error(t, rc, "open cursor", db);
			return NULL;
		}
		*tmp = 1;
		return c;
	}
	if (t->cur[db] == NULL)
		rc = mdb_cursor_open(t->txn, t->st->dbi[db], &t->cur[db]);
	else if (!(t->cur_live & bit))
		rc = mdb_cursor_renew(t->txn, t->cur[db]);
	else
		rc = MDB_SUCCESS;
	if (rc != MDB_SUCCESS) {
		(void)store_map_error(t, rc, "open cursor", db);
		return NULL;
	}
	t->cur_live |= bit;
	t->cur_busy |= bit;
	return t->cur[db];
}

static void
cursor_release(struct store_txn *t, enum store_db db, MDB_cursor *c,
    int tmp)
{
	if (tmp)
		mdb_cursor_close(c);
	else
		t->cur_busy &= ~(UINT32_C(1) << db);
}

/* ---- database primitives ------------------------------------------------- */

static int
db_get(struct store_txn *t, enum store_db db, const struct key *k,
    MDB_val *v)
{
	MDB_val mk = key_val(k);

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	return store_map_error(t, mdb_get(t->txn, t->st->dbi[db], &mk, v),
	    "get", db);
}

static int
db_put(struct store_txn *t, enum store_db db, const struct key *k,
    const void *data, size_t len, unsigned flags)
{
	MDB_val mk = key_val(k), mv;

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	mv.mv_size = len;
	mv.mv_data = (void *)(uintptr_t)data;
	return store_map_error(t, mdb_put(t->txn, t->st->dbi[db], &mk, &mv,
	    flags), "put", db);
}

static int
db_del(struct store_txn *t, enum store_db db, const struct key *k)
{
	MDB_val mk = key_val(k);

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	return store_map_error(t, mdb_del(t->txn, t->st->dbi[db], &mk, NULL),
	    "delete", db);
}

/* Deletes one value of a key of a MDB_DUPSORT database. */
static int
db_del_dup(struct store_txn *t, enum store_db db, const struct key *k,
    const void *data, size_t len)
{
	MDB_val mk = key_val(k), mv;

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	mv.mv_size = len;
	mv.mv_data = (void *)(uintptr_t)data;
	return store_map_error(t, mdb_del(t->txn, t->st->dbi[db], &mk, &mv),
	    "delete", db);
}

/* A scan callback: 0 goes on, 1 stops (success), -1 fails. */
typedef int (*scan_fn)(struct store_txn *, const MDB_val *k,
    const MDB_val *v, void *ctx);

/*
 * Calls fn for every key k of db with lo <= k <= hi (NULL: unbounded) in
 * dir order.  DESC positions at the first key >= hi and steps back when
 * it is past hi; when no key is >= hi it starts from the last key.
 */
static int
store_scan(struct store_txn *t, enum store_db db, const struct key *lo,
    const struct key *hi, enum store_dir dir, scan_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, frc, tmp, ret = STORE_OK;

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if (dir != STORE_ASC && dir != STORE_DESC) {
		log_warnx("store: scan %s: bad direction", store_dbs[db].name);
		return STORE_ERR;
	}
	if (lo != NULL && hi != NULL) {
		k = key_val(lo);
		if (key_cmp(&k, hi) > 0)
			return STORE_OK;
	}
	if ((c = cursor_acquire(t, db, &tmp)) == NULL)
		return STORE_ERR;
	if (dir == STORE_ASC) {
		if (lo != NULL) {
			k = key_val(lo);
			rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		} else
			rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	} else {
		if (hi != NULL) {
			k = key_val(hi);
			rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
			if (rc == MDB_NOTFOUND)
				rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
			else if (rc == MDB_SUCCESS && key_cmp(&k, hi) > 0)
				rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
		} else
			rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	}
	while (rc == MDB_SUCCESS) {
		if (dir == STORE_ASC ? (hi != NULL && key_cmp(&k, hi) > 0) :
		    (lo != NULL && key_cmp(&k, lo) < 0))
			break;
		if ((frc = fn(t, &k, &v, ctx)) != 0) {
			if (frc != 1)
				ret = STORE_ERR;
			goto release;
		}
		rc = mdb_cursor_get(c, &k, &v,
		    dir == STORE_ASC ? MDB_NEXT : MDB_PREV);
	}
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "iterate", db);
release:
	cursor_release(t, db, c, tmp);
	return ret;
}

/*
 * Deletes every key of db that starts with prefix (with all its values);
 * adds the count of keys to *n.
 */
static int
store_del_prefix(struct store_txn *t, enum store_db db,
    const struct key *prefix, uint64_t *n)
{
	MDB_cursor *c;
	MDB_val k, v;
	unsigned all = store_dbs[db].flags & MDB_DUPSORT ? MDB_NODUPDATA : 0;
	int rc, tmp, ret = STORE_OK;

	if ((c = cursor_acquire(t, db, &tmp)) == NULL)
		return STORE_ERR;
	for (;;) {
		/* Re-seek after each delete: simple and order-safe. */
		k = key_val(prefix);
		if ((rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE)) != 0)
			break;
		if (k.mv_size < prefix->len ||
		    memcmp(k.mv_data, prefix->b, prefix->len) != 0)
			break;
		if ((rc = mdb_cursor_del(c, all)) != 0)
			break;
		(*n)++;
	}
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "purge", db);
	cursor_release(t, db, c, tmp);
	return ret;
}

/* Encodes into t's scratch buffer; the encoder is ready to use. */
static void
store_enc_begin(struct store_txn *t, struct enc *e)
{
	codec_enc_init(e, &t->scratch);
	codec_put_u8(e, VALUE_VERSION);
}

/* Starts decoding v; -1 when its version byte is not ours. */
static int
store_dec_begin(struct dec *d, const MDB_val *v)
{
	codec_dec_init(d, v->mv_data, v->mv_size);
	return codec_get_u8(d) == VALUE_VERSION && !d->bad ? 0 : -1;
}

/* ---- opening ------------------------------------------------------------- */

/* Opens the databases and checks or writes the schema version. */
static int
store_open_dbs(struct store *st, const char *path)
{
	struct store_txn t;
	int64_t ver;
	int rc, db;

	memset(&t, 0, sizeof(t));
	t.st = st;
	t.rdonly = st->rdonly;
	if (store_txn_begin(&t) != STORE_OK)
		return STORE_ERR;
	for (db = 0; db < DB__MAX; db++) {
		rc = mdb_dbi_open(t.txn, store_dbs[db].name,
		    store_dbs[db].flags | (st->rdonly ? 0 : MDB_CREATE),
		    &st->dbi[db]);
		if (rc == MDB_NOTFOUND) {
			log_warnx("store: %s: no database \"%s\": not a "
			    "linernotes store, or one the collector has not "
			    "opened yet", path, store_dbs[db].name);
			goto abort;
		}
		if (rc != 0) {
			(void)store_map_error(&t, rc, "open", db);
			goto abort;
		}
	}
	rc = store_get_meta_i64(&t, META_SCHEMA, &ver);
	if (rc == STORE_NOTFOUND && !st->rdonly) {
		ver = STORE_SCHEMA_VERSION;
		if (store_put_meta_i64(&t, META_SCHEMA, ver) != STORE_OK)
			goto abort;
	} else if (rc == STORE_NOTFOUND) {
		log_warnx("store: %s: no schema version: not a linernotes "
		    "store", path);
		goto abort;
	} else if (rc != STORE_OK)
		goto abort;
	if (ver > STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: written by a newer linernotes (schema "
		    "version %lld, this program knows up to %d)", path,
		    (long long)ver, STORE_SCHEMA_VERSION);
		goto abort;
	}
	if (ver < 1) {
		log_warnx("store: %s: bad schema version %lld", path,
		    (long long)ver);
		goto abort;
	}
	if (st->rdonly && ver < STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %lld; this program reads "
		    "version %d: start the collector once (it migrates the "
		    "store), then try again", path, (long long)ver,
		    STORE_SCHEMA_VERSION);
		goto abort;
	}
	st->schema_version = (uint32_t)ver;
	/* Commit even a read txn: that keeps the dbi handles open. */
	if (t.rdonly)
		store_close_cursors(&t);
	rc = mdb_txn_commit(t.txn);
	store_txn_forget(&t);
	buf_free(&t.scratch);
	if (rc != 0) {
		(void)store_map_error(NULL, rc, "commit", -1);
		return STORE_ERR;
	}
	return STORE_OK;
abort:
	if (t.rdonly)
		store_close_cursors(&t);
	mdb_txn_abort(t.txn);
	store_txn_forget(&t);
	buf_free(&t.scratch);
	return STORE_ERR;
}

static int	store_migrate(struct store *, const char *path);

int
store_open(struct store **sp, const char *path, unsigned flags,
    size_t map_size)
{
	struct store *st;
	struct stat sb;
	MDB_envinfo ei;
	char data[4096];
	int rc, dead, fresh;

	*sp = NULL;
	if (map_size == 0)
		map_size = DEFAULT_MAP;
	if (stat(path, &sb) == -1) {
		if (errno == ENOENT && (flags & STORE_RDONLY)) {
			log_warnx("store: %s does not exist (the collector "
			    "creates it)", path);
			return STORE_ERR;
		}
		if (errno != ENOENT || mkdir(path, 0700) == -1) {
			log_warn("store: %s", path);
			return STORE_ERR;
		}
	} else if (!S_ISDIR(sb.st_mode)) {
		log_warnx("store: %s is not a directory", path);
		return STORE_ERR;
	}
	if ((size_t)snprintf(data, sizeof(data), "%s/data.mdb", path) >=
	    sizeof(data)) {
		log_warnx("store: %s: path too long", path);
		return STORE_ERR;
	}
	fresh = stat(data, &sb) == -1 && errno == ENOENT;
	if (fresh && (flags & STORE_RDONLY)) {
		log_warnx("store: %s holds no store (no data.mdb; the "
		    "collector creates it)", path);
		return STORE_ERR;
	}

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		log_warn("store: %s", path);
		return STORE_ERR;
	}
	st->rdonly = (flags & STORE_RDONLY) != 0;
	if ((rc = mdb_env_create(&st->env)) != 0) {
		log_warnx("store: %s: %s", path, mdb_strerror(rc));
		goto free_store;
	}
	/*
	 * A new map gets the size asked for.  An existing one is opened at
	 * its recorded size (LMDB would shrink it to a configured smaller
	 * one) and only then raised to the size asked for, if larger.
	 */
	if ((rc = mdb_env_set_maxdbs(st->env, MAXDBS)) != 0 ||
	    (fresh && (rc = mdb_env_set_mapsize(st->env, map_size)) != 0) ||
	    (rc = mdb_env_open(st->env, path,
	    MDB_NOTLS | (st->rdonly ? MDB_RDONLY : 0), 0600)) != 0 ||
	    (rc = mdb_reader_check(st->env, &dead)) != 0 ||
	    (rc = mdb_env_info(st->env, &ei)) != 0 ||
	    (!fresh && !st->rdonly && ei.me_mapsize < map_size &&
	    (rc = mdb_env_set_mapsize(st->env, map_size)) != 0)) {
		log_warnx("store: %s: %s", path, mdb_strerror(rc));
		goto close_env;
	}
	/* mdb_reader_check() cleared slots left by killed processes. */
	if (dead > 0)
		log_info("store: %s: cleared %d stale reader slots", path,
		    dead);
	if (store_open_dbs(st, path) != STORE_OK)
		goto close_env;
	if (!st->rdonly && st->schema_version < STORE_SCHEMA_VERSION &&
	    store_migrate(st, path) != STORE_OK)
		goto close_env;
	*sp = st;
	return STORE_OK;
close_env:
	mdb_env_close(st->env);
free_store:
	free(st);
	return STORE_ERR;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	mdb_env_close(st->env);
	free(st);
}

/* mdb_reader_list() callback: counts the lines that describe a reader. */
static int
store_count_reader(const char *msg, void *ctx)
{
	uint32_t *n = ctx;

	while (*msg == ' ')
		msg++;
	if (*msg >= '0' && *msg <= '9')
		(*n)++;
	return 0;
}

int
store_get_info(struct store *st, struct store_info *info)
{
	MDB_envinfo ei;
	MDB_stat ms;
	uint32_t n = 0;
	int rc;

	memset(info, 0, sizeof(*info));
	if ((rc = mdb_env_info(st->env, &ei)) != 0 ||
	    (rc = mdb_env_stat(st->env, &ms)) != 0)
		return store_map_error(NULL, rc, "info", -1);
	if (mdb_reader_list(st->env, store_count_reader, &n) < 0)
		n = ei.me_numreaders;
	info->map_size = ei.me_mapsize;
	info->used = ((uint64_t)ei.me_last_pgno + 1) * ms.ms_psize;
	info->readers_used = n;
	info->readers_max = ei.me_maxreaders;
	info->schema_version = st->schema_version;
	return STORE_OK;
}

/*
 * The map's address is not in MDB_envinfo (me_mapaddr is only the fixed
 * address of MDB_FIXEDMAP, NULL here), so the mapping is found the way
 * proc(5) describes: the line of /proc/self/maps whose device and inode
 * are data.mdb's, read-only and shared (LMDB's map without MDB_WRITEMAP,
 * never set here), of the length LMDB reports.  Reading that file costs a
 * few hundred microseconds, so the answer is kept in st until LMDB
 * remaps (store_grow() and a size adopted in store_txn_begin() reset it).
 * Returns 0, or -1 with the reason logged at debug level.
 */
static int
store_find_map(struct store *st, size_t len)
{
	struct stat sb;
	FILE *f;
	char line[512], perms[8];
	unsigned long lo, hi, ino;
	unsigned int maj, mnr;
	mdb_filehandle_t fd;
	int rc, start, next_start = 1;

	st->map = 0;
	if ((rc = mdb_env_get_fd(st->env, &fd)) != 0 || fstat(fd, &sb) == -1) {
		log_debug("store: release pages: no data file: %s",
		    rc ? mdb_strerror(rc) : strerror(errno));
		return -1;
	}
	if ((f = fopen("/proc/self/maps", "re")) == NULL) {
		log_debug("store: release pages: /proc/self/maps: %s",
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		/* Only the start of a line is parsed; a long path is skipped. */
		start = next_start;
		next_start = strchr(line, '\n') != NULL;
		if (!start ||
		    sscanf(line, "%lx-%lx %7s %*x %x:%x %lu", &lo, &hi, perms,
		    &maj, &mnr, &ino) != 6 ||
		    ino != (unsigned long)sb.st_ino ||
		    makedev(maj, mnr) != sb.st_dev ||
		    strcmp(perms, "r--s") != 0 || hi - lo != len)
			continue;
		st->map = (uintptr_t)lo;
		st->map_len = len;
		break;
	}
	fclose(f);
	if (st->map == 0) {
		log_debug("store: release pages: map not found");
		return -1;
	}
	return 0;
}

/*
 * MADV_DONTNEED on a shared file mapping only removes the page table
 * entries: the pages stay in the page cache and read the same when
 * touched again, so no transaction and no record handed out can see a
 * difference.
 */
int
store_release_pages(struct store *st)
{
	MDB_envinfo ei;
	int rc;

	if ((rc = mdb_env_info(st->env, &ei)) != 0) {
		log_debug("store: release pages: %s", mdb_strerror(rc));
		return STORE_ERR;
	}
	if ((st->map == 0 || st->map_len != ei.me_mapsize) &&
	    store_find_map(st, ei.me_mapsize) == -1)
		return STORE_ERR;
	if (madvise((void *)st->map, st->map_len, MADV_DONTNEED) == -1) {
		log_debug("store: release pages: madvise: %s",
		    strerror(errno));
		st->map = 0;
		return STORE_ERR;
	}
	return STORE_OK;
}

/* ---- transactions -------------------------------------------------------- */

/* Doubles the map (no txn of this process may be active). */
static int
store_grow(struct store *st)
{
	MDB_envinfo ei;
	size_t size;
	int rc;

	if (store_remap_check(st) == -1)
		return STORE_ERR;
	if ((rc = mdb_env_info(st->env, &ei)) != 0)
		return store_map_error(NULL, rc, "grow", -1);
	if (ei.me_mapsize > SIZE_MAX / 2) {
		log_warnx("store: map cannot grow past %zu bytes",
		    ei.me_mapsize);
		return STORE_ERR;
	}
	size = ei.me_mapsize * 2;
	st->map = 0;			/* remapped: find it again */
	if ((rc = mdb_env_set_mapsize(st->env, size)) != 0)
		return store_map_error(NULL, rc, "grow", -1);
	log_info("store: map full, grown to %zu bytes", size);
	return STORE_OK;
}

int
store_write(struct store *st, store_write_fn fn, void *arg)
{
	struct store_txn t;
	int rc, frc, grows = 0;

	if (st->rdonly) {
		log_warnx("store: write to a store opened read-only");
		return STORE_ERR;
	}
	memset(&t, 0, sizeof(t));
	t.st = st;
	for (;;) {
		if (store_txn_begin(&t) != STORE_OK) {
			rc = STORE_ERR;
			break;
		}
		frc = fn(&t, arg);
		if (!t.map_full && frc == 0) {
			rc = mdb_txn_commit(t.txn);
			store_txn_forget(&t);
			if (rc == MDB_SUCCESS) {
				rc = STORE_OK;
				break;
			}
			if (rc != MDB_MAP_FULL) {
				rc = store_map_error(&t, rc, "commit", -1);
				break;
			}
		} else {
			mdb_txn_abort(t.txn);
			store_txn_forget(&t);
			if (!t.map_full) {
				rc = STORE_ERR;
				break;
			}
		}
		/* The map filled up: grow it and do the whole unit again. */
		if (grows++ == GROW_MAX) {
			log_warnx("store: map still full after %d doublings",
			    GROW_MAX);
			rc = STORE_ERR;
			break;
		}
		if (store_grow(st) != STORE_OK) {
			rc = STORE_ERR;
			break;
		}
	}
	buf_free(&t.scratch);
	return rc;
}

int
store_read(struct store *st, store_write_fn fn, void *arg)
{
	struct store_txn t;
	int frc;

	memset(&t, 0, sizeof(t));
	t.st = st;
	t.rdonly = 1;
	if (store_txn_begin(&t) != STORE_OK)
		return STORE_ERR;
	frc = fn(&t, arg);
	store_close_cursors(&t);
	mdb_txn_abort(t.txn);
	store_txn_forget(&t);
	buf_free(&t.scratch);
	return frc == 0 ? STORE_OK : STORE_ERR;
}

struct store_txn *
store_reader(struct store *st)
{
	struct store_txn *t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("store: reader");
		return NULL;
	}
	t->st = st;
	t->rdonly = 1;
	return t;
}

int
store_read_begin(struct store_txn *t)
{
	if (t == NULL || !t->rdonly) {
		log_warnx("store: read_begin without a reader handle");
		return STORE_ERR;
	}
	if (t->active) {
		log_warnx("store: read_begin on a reader already begun");
		return STORE_ERR;
	}
	return store_txn_begin(t);
}

void
store_read_end(struct store_txn *t)
{
	if (t == NULL || !t->active)
		return;
	mdb_txn_reset(t->txn);
	store_txn_inactive(t);
}

void
store_reader_free(struct store_txn *t)
{
	if (t == NULL)
		return;
	store_close_cursors(t);
	store_txn_inactive(t);
	if (t->txn != NULL)
		mdb_txn_abort(t->txn);
	buf_free(&t->scratch);
	free(t);
}

/* ---- meta ---------------------------------------------------------------- */

static int
key_meta(struct key *k, const char *name)
{
	size_t n;

	if (name == NULL || (n = strnlen(name, META_NAME_MAX + 1)) == 0 ||
	    n > META_NAME_MAX)
		return -1;
	memcpy(k->b, name, n);
	k->len = n;
	return 0;
}

/* The caller's bytes of a meta value (after the version byte). */
static int
store_meta_value(const MDB_val *k, const MDB_val *v, const unsigned char **p,
    size_t *len)
{
	if (v->mv_size < 1 ||
	    *(const unsigned char *)v->mv_data != VALUE_VERSION) {
		store_damaged(DB_META, k, v);
		return STORE_ERR;
	}
	*p = (const unsigned char *)v->mv_data + 1;
	*len = v->mv_size - 1;
	return STORE_OK;
}

int
store_get_meta(struct store_txn *t, const char *name, void *out,
    size_t *len)
{
	const unsigned char *p;
	struct key k;
	MDB_val mk, v;
	size_t n;
	int rc;

	if (key_meta(&k, name) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_get(t, DB_META, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (store_meta_value(&mk, &v, &p, &n) != STORE_OK)
		return STORE_ERR;
	if (out != NULL && *len > 0)
		memcpy(out, p, n < *len ? n : *len);
	*len = n;
	return STORE_OK;
}

int
store_put_meta(struct store_txn *t, const char *name, const void *v,
    size_t len)
{
	struct key k;

	if (key_meta(&k, name) == -1) {
		log_warnx("store: put meta: bad name");
		return STORE_ERR;
	}
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	buf_reset(&t->scratch);
	if (buf_putc(&t->scratch, VALUE_VERSION) == -1 ||
	    buf_add(&t->scratch, v, len) == -1) {
		log_warn("store: put meta");
		return STORE_ERR;
	}
	return db_put(t, DB_META, &k, t->scratch.data, t->scratch.len, 0);
}

int
store_get_meta_i64(struct store_txn *t, const char *name, int64_t *v)
{
	const unsigned char *p;
	struct key k;
	struct dec d;
	MDB_val mk, mv;
	size_t n;
	int rc;

	if (key_meta(&k, name) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_get(t, DB_META, &k, &mv)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (store_meta_value(&mk, &mv, &p, &n) != STORE_OK)
		return STORE_ERR;
	codec_dec_init(&d, p, n);
	*v = codec_get_i64(&d);
	if (codec_dec_end(&d) == -1) {
		store_damaged(DB_META, &mk, &mv);
		*v = 0;
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_put_meta_i64(struct store_txn *t, const char *name, int64_t v)
{
	unsigned char b[8];

	codec_be64_put(b, (uint64_t)v);
	return store_put_meta(t, name, b, sizeof(b));
}

int
store_del_meta(struct store_txn *t, const char *name)
{
	struct key k;

	if (key_meta(&k, name) == -1)
		return STORE_NOTFOUND;
	return db_del(t, DB_META, &k);
}

/* ---- users --------------------------------------------------------------- */

static int
enc_user(struct enc *e, const struct user *u)
{
	uint8_t i;

	if (u->status >= USER_STATUS__MAX || u->visibility >= VIS__MAX ||
	    u->n_archive > ARCHIVE_MAX)
		return -1;
	codec_put_strn(e, u->display_name, sizeof(u->display_name));
	codec_put_strn(e, u->country, sizeof(u->country));
	codec_put_strn(e, u->product, sizeof(u->product));
	codec_put_strn(e, u->image_url, sizeof(u->image_url));
	codec_put_strn(e, u->access_token, sizeof(u->access_token));
	codec_put_strn(e, u->refresh_token, sizeof(u->refresh_token));
	codec_put_i64(e, u->token_expires);
	codec_put_i64(e, u->authorized_at);
	codec_put_u8(e, u->status);
	codec_put_u8(e, u->visibility);
	codec_put_strn(e, u->timezone, sizeof(u->timezone));
	codec_put_strn(e, u->dw_playlist, sizeof(u->dw_playlist));
	codec_put_u8(e, u->n_archive);
	for (i = 0; i < u->n_archive; i++)
		codec_put_strn(e, u->archive[i], sizeof(u->archive[i]));
	codec_put_i64(e, u->created_at);
	codec_put_i64(e, u->cursor_ms);
	codec_put_i32(e, u->offset_s);
	codec_put_i64(e, u->last_poll);
	codec_put_i64(e, u->last_ok_poll);
	codec_put_i64(e, u->next_plays);
	codec_put_i64(e, u->next_top);
	codec_put_i64(e, u->next_dw);
	codec_put_i64(e, u->next_profile);
	codec_put_u32(e, u->failures);
	codec_put_strn(e, u->last_error, sizeof(u->last_error));
	codec_put_u64(e, u->n_plays);
	return codec_enc_end(e);
}

static int
dec_user(const MDB_val *k, const MDB_val *v, struct user *u)
{
	struct dec d;
	uint8_t i;

	memset(u, 0, sizeof(*u));
	if (k->mv_size < 1 || k->mv_size > USER_ID_MAX)
		return -1;
	memcpy(u->id, k->mv_data, k->mv_size);
	if (store_dec_begin(&d, v) == -1)
		return -1;
	codec_get_strcpy(&d, u->display_name, sizeof(u->display_name));
	codec_get_strcpy(&d, u->country, sizeof(u->country));
	codec_get_strcpy(&d, u->product, sizeof(u->product));
	codec_get_strcpy(&d, u->image_url, sizeof(u->image_url));
	codec_get_strcpy(&d, u->access_token, sizeof(u->access_token));
	codec_get_strcpy(&d, u->refresh_token, sizeof(u->refresh_token));
	u->token_expires = codec_get_i64(&d);
	u->authorized_at = codec_get_i64(&d);
	u->status = codec_get_u8(&d);
	u->visibility = codec_get_u8(&d);
	codec_get_strcpy(&d, u->timezone, sizeof(u->timezone));
	codec_get_strcpy(&d, u->dw_playlist, sizeof(u->dw_playlist));
	u->n_archive = codec_get_u8(&d);
	if (u->status >= USER_STATUS__MAX || u->visibility >= VIS__MAX ||
	    u->n_archive > ARCHIVE_MAX)
		return -1;
	for (i = 0; i < u->n_archive; i++)
		codec_get_strcpy(&d, u->archive[i], sizeof(u->archive[i]));
	u->created_at = codec_get_i64(&d);
	u->cursor_ms = codec_get_i64(&d);
	u->offset_s = codec_get_i32(&d);
	u->last_poll = codec_get_i64(&d);
	u->last_ok_poll = codec_get_i64(&d);
	u->next_plays = codec_get_i64(&d);
	u->next_top = codec_get_i64(&d);
	u->next_dw = codec_get_i64(&d);
	u->next_profile = codec_get_i64(&d);
	u->failures = codec_get_u32(&d);
	codec_get_strcpy(&d, u->last_error, sizeof(u->last_error));
	u->n_plays = codec_get_u64(&d);
	return codec_dec_end(&d);
}

int
store_get_user(struct store_txn *t, const char *id, struct user *out)
{
	struct key k;
	MDB_val mk, v;
	int rc;

	if (key_user_bare(&k, id) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_get(t, DB_USERS, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (dec_user(&mk, &v, out) == -1) {
		store_damaged(DB_USERS, &mk, &v);
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_put_user(struct store_txn *t, const struct user *u)
{
	struct key k;
	struct enc e;

	if (strnlen(u->id, sizeof(u->id)) == sizeof(u->id) ||
	    key_user_bare(&k, u->id) == -1) {
		log_warnx("store: put user: bad user id");
		return STORE_ERR;
	}
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	store_enc_begin(t, &e);
	if (enc_user(&e, u) == -1) {
		log_warnx("store: put user: a field is out of range or "
		    "unterminated");
		return STORE_ERR;
	}
	return db_put(t, DB_USERS, &k, t->scratch.data, t->scratch.len, 0);
}

int
store_del_user(struct store_txn *t, const char *id)
{
	struct key k;

	if (key_user_bare(&k, id) == -1)
		return STORE_NOTFOUND;
	return db_del(t, DB_USERS, &k);
}

int
store_purge_user(struct store_txn *t, const char *id, uint64_t *n_deleted)
{
	struct key prefix;
	uint64_t n = 0, derived = 0;
	int db, rc;

	if (n_deleted != NULL)
		*n_deleted = 0;
	if (key_user(&prefix, id) == -1)
		return STORE_NOTFOUND;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	for (db = 0; db < DB__MAX; db++) {
		if (!store_dbs[db].per_user)
			continue;
		/* Aggregates and indexes come from the plays: not counted. */
		if (store_del_prefix(t, db, &prefix, store_dbs[db].derived ?
		    &derived : &n) != STORE_OK)
			return STORE_ERR;
	}
	if ((rc = store_del_user(t, id)) == STORE_OK)
		n++;
	else if (rc != STORE_NOTFOUND)
		return STORE_ERR;
	if (n_deleted != NULL)
		*n_deleted = n;
	return n > 0 ? STORE_OK : STORE_NOTFOUND;
}

/* Each iterator hands scan records to its caller's typed callback. */
struct user_iter {
	int	(*fn)(const struct user *, void *);
	void	*arg;
};

static int
scan_user(struct store_txn *t, const MDB_val *k, const MDB_val *v, void *ctx)
{
	struct user_iter *it = ctx;
	struct user u;

	(void)t;
	if (dec_user(k, v, &u) == -1) {
		store_damaged(DB_USERS, k, v);
		return -1;
	}
	return it->fn(&u, it->arg);
}

int
store_iter_users(struct store_txn *t,
    int (*fn)(const struct user *, void *), void *arg)
{
	struct user_iter it = { fn, arg };

	return store_scan(t, DB_USERS, NULL, NULL, STORE_ASC, scan_user, &it);
}

/* ---- plays --------------------------------------------------------------- */

static int	agg_count_play(struct store_txn *, const char *user,
		    const struct play *, int sign);
static int	trackplay_put(struct store_txn *, const char *user,
		    const struct play *);
static int	trackplay_del(struct store_txn *, const char *user,
		    const struct play *);
static int	trackplay_around(struct store_txn *, const char *user,
		    const char *track_id, int64_t at, int64_t *prev,
		    int64_t *next);
static int	play_set_prev(struct store_txn *, const char *user,
		    int64_t played_at, int64_t prev);

static int
key_play(struct key *k, const char *user, int64_t played_at)
{
	if (key_user(k, user) == -1)
		return -1;
	key_be64(k, codec_bias64(played_at));
	return 0;
}

/*
 * Decodes a play; with_prev 0 reads schema version 4's layout, which
 * ended at ms_played (only the migration does: prev_played_at is then
 * PLAY_NO_PREV).
 */
static int
dec_play_layout(const MDB_val *k, const MDB_val *v, struct play *p,
    int with_prev)
{
	const unsigned char *tail;
	struct dec d;

	memset(p, 0, sizeof(*p));
	if ((tail = key_tail(k, 8)) == NULL)
		return -1;
	p->played_at = codec_unbias64(codec_be64_get(tail));
	if (store_dec_begin(&d, v) == -1)
		return -1;
	codec_get_id(&d, p->track_id);
	p->context_uri = codec_get_str(&d);
	p->source = codec_get_u8(&d);
	p->ms_played = codec_get_i32(&d);
	p->prev_played_at = with_prev ? codec_get_i64(&d) : PLAY_NO_PREV;
	if (p->source >= SOURCE__MAX)
		return -1;
	return codec_dec_end(&d);
}

static int
dec_play(const MDB_val *k, const MDB_val *v, struct play *p)
{
	return dec_play_layout(k, v, p, 1);
}

/*
 * Encodes p with prev as its previous play into t->scratch.  Returns 0,
 * or -1 (logged) when the track id or the source is bad.
 */
static int
enc_play(struct store_txn *t, const struct play *p, int64_t prev)
{
	struct enc e;

	store_enc_begin(t, &e);
	codec_put_id(&e, p->track_id);
	codec_put_str(&e, p->context_uri);
	codec_put_u8(&e, p->source);
	codec_put_i32(&e, p->ms_played);
	codec_put_i64(&e, prev);
	if (p->source >= SOURCE__MAX || codec_enc_end(&e) == -1) {
		log_warnx("store: put play: bad track id or source");
		return -1;
	}
	return 0;
}

int
store_put_play(struct store_txn *t, const char *user, const struct play *p)
{
	struct key k;
	int64_t prev, next;
	int rc;

	if (key_play(&k, user, p->played_at) == -1) {
		log_warnx("store: put play: bad user id");
		return STORE_ERR;
	}
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	/* Its neighbours among the plays of its track, before it goes in. */
	if (trackplay_around(t, user, p->track_id, p->played_at, &prev,
	    &next) != STORE_OK)
		return STORE_ERR;
	if (enc_play(t, p, prev) == -1)
		return STORE_ERR;
	if ((rc = db_put(t, DB_PLAYS, &k, t->scratch.data, t->scratch.len,
	    MDB_NOOVERWRITE)) != STORE_OK)
		return rc;
	if (trackplay_put(t, user, p) != STORE_OK)
		return STORE_ERR;
	/* A play of the track after it now has this one before it. */
	if (next != PLAY_NO_PREV &&
	    play_set_prev(t, user, next, p->played_at) != STORE_OK)
		return STORE_ERR;
	return agg_count_play(t, user, p, 1);
}

int
store_get_play(struct store_txn *t, const char *user, int64_t played_at,
    struct play *out)
{
	struct key k;
	MDB_val mk, v;
	int rc;

	if (key_play(&k, user, played_at) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_get(t, DB_PLAYS, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (dec_play(&mk, &v, out) == -1) {
		store_damaged(DB_PLAYS, &mk, &v);
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_del_play(struct store_txn *t, const char *user, int64_t played_at)
{
	struct key k;
	struct play p;
	int64_t next;
	int rc;

	if (key_play(&k, user, played_at) == -1)
		return STORE_NOTFOUND;
	/*
	 * The aggregates and the index need what is deleted (its strings
	 * are not used; its track id is a copy).
	 */
	if ((rc = store_get_play(t, user, played_at, &p)) != STORE_OK)
		return rc;
	if ((rc = db_del(t, DB_PLAYS, &k)) != STORE_OK)
		return rc;
	if (trackplay_del(t, user, &p) != STORE_OK)
		return STORE_ERR;
	/* The play of the track after it now follows the one before it. */
	if (trackplay_around(t, user, p.track_id, p.played_at, NULL,
	    &next) != STORE_OK || (next != PLAY_NO_PREV &&
	    play_set_prev(t, user, next, p.prev_played_at) != STORE_OK))
		return STORE_ERR;
	return agg_count_play(t, user, &p, -1);
}

struct play_iter {
	int	(*fn)(const struct play *, void *);
	void	*arg;
	uint64_t n;
};

static int
scan_play(struct store_txn *t, const MDB_val *k, const MDB_val *v, void *ctx)
{
	struct play_iter *it = ctx;
	struct play p;

	(void)t;
	if (dec_play(k, v, &p) == -1) {
		store_damaged(DB_PLAYS, k, v);
		return -1;
	}
	return it->fn(&p, it->arg);
}

static int
scan_count(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct play_iter *it = ctx;

	(void)t;
	(void)k;
	(void)v;
	it->n++;
	return 0;
}

int
store_iter_plays(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, enum store_dir dir,
    int (*fn)(const struct play *, void *), void *arg)
{
	struct play_iter it = { fn, arg, 0 };
	struct key lo, hi;

	if (key_play(&lo, user, from_ms) == -1 ||
	    key_play(&hi, user, to_ms) == -1)
		return STORE_OK;
	return store_scan(t, DB_PLAYS, &lo, &hi, dir, scan_play, &it);
}

int
store_count_plays(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, uint64_t *n)
{
	struct play_iter it = { NULL, NULL, 0 };
	struct key lo, hi;
	int rc;

	*n = 0;
	if (key_play(&lo, user, from_ms) == -1 ||
	    key_play(&hi, user, to_ms) == -1)
		return STORE_OK;
	rc = store_scan(t, DB_PLAYS, &lo, &hi, STORE_ASC, scan_count, &it);
	if (rc == STORE_OK)
		*n = it.n;
	return rc;
}

/* ---- aggregates ------------------------------------------------------------
 *
 * Per user and 15-minute UTC bucket: plays and listening time (store.h).
 * agg_count_play() is called by store_put_play() after a new play was
 * written and by store_del_play() after one was deleted, inside their
 * transaction; nothing else writes this database but the rebuild of a
 * migration.  A bucket whose last play goes is deleted, so the database
 * holds exactly the buckets that have plays, and one more record per
 * user: the journal version (agg_bump_version; a store migrated from
 * version 1 or 2 has none until the user's next play, which
 * store_agg_version() reports as STORE_NOTFOUND).  store_scan_plays() is
 * the plays' lean iteration for the insights' long scans.
 */

#define AGG_T_MIN	INT64_C(-62135596800000)	/* 0001-01-01 */
#define AGG_T_MAX	INT64_C(253402300799999)	/* 9999-12-31 */

struct agg_rec {
	uint32_t	plays, by_played, by_duration;
	uint64_t	ms_played, ms_duration;
};

/* The bucket number of t (floor); -1 when t is not aggregated. */
static int
agg_bucket_of(int64_t t, int32_t *b)
{
	int64_t q;

	if (t < AGG_T_MIN || t > AGG_T_MAX)
		return -1;
	q = t / STORE_AGG_BUCKET_MS;
	if (t % STORE_AGG_BUCKET_MS < 0)
		q--;
	*b = (int32_t)q;
	return 0;
}

static int
dec_agg(const MDB_val *v, struct agg_rec *r)
{
	struct dec d;

	memset(r, 0, sizeof(*r));
	if (store_dec_begin(&d, v) == -1)
		return -1;
	r->plays = codec_get_u32(&d);
	r->by_played = codec_get_u32(&d);
	r->ms_played = codec_get_u64(&d);
	r->by_duration = codec_get_u32(&d);
	r->ms_duration = codec_get_u64(&d);
	if ((uint64_t)r->by_played + r->by_duration > r->plays)
		return -1;
	return codec_dec_end(&d);
}

/*
 * Adds (sign 1) or removes (sign -1) play p of the user whose key prefix
 * [U] is k (len bytes) to or from its bucket.
 */
static int
agg_apply(struct store_txn *t, struct key *k, const struct play *p, int sign)
{
	struct agg_rec r;
	struct track tr;
	struct enc e;
	MDB_val v, mk;
	uint64_t ms = 0;
	int32_t b;
	int rc, timed = 0;

	if (agg_bucket_of(p->played_at, &b) == -1)
		return STORE_OK;
	if (p->ms_played >= 0) {
		timed = 1;
		ms = (uint64_t)p->ms_played;
	} else {
		rc = store_get_track(t, p->track_id, &tr);
		if (rc == STORE_ERR)
			return STORE_ERR;
		if (rc == STORE_OK && tr.duration_ms > 0) {
			timed = 2;
			ms = tr.duration_ms;
		}
	}
	key_be32(k, codec_bias32(b));
	memset(&r, 0, sizeof(r));
	if ((rc = db_get(t, DB_AGG, k, &v)) == STORE_OK) {
		if (dec_agg(&v, &r) == -1) {
			mk = key_val(k);
			store_damaged(DB_AGG, &mk, &v);
			return STORE_ERR;
		}
	} else if (rc != STORE_NOTFOUND)
		return STORE_ERR;
	if (sign > 0) {
		r.plays++;
		if (timed == 1) {
			r.by_played++;
			r.ms_played += ms;
		} else if (timed == 2) {
			r.by_duration++;
			r.ms_duration += ms;
		}
	} else {
		if (r.plays == 0) {
			log_warnx("store: agg: deleting from an empty bucket");
			return STORE_OK;
		}
		r.plays--;
		if (timed == 1 && r.by_played > 0) {
			r.by_played--;
			r.ms_played -= ms < r.ms_played ? ms : r.ms_played;
		} else if (timed == 2 && r.by_duration > 0) {
			r.by_duration--;
			r.ms_duration -= ms < r.ms_duration ? ms :
			    r.ms_duration;
		}
		if (r.by_played + r.by_duration > r.plays)
			r.by_duration = r.plays - r.by_played;
	}
	if (r.plays == 0)
		return db_del(t, DB_AGG, k);
	store_enc_begin(t, &e);
	codec_put_u32(&e, r.plays);
	codec_put_u32(&e, r.by_played);
	codec_put_u64(&e, r.ms_played);
	codec_put_u32(&e, r.by_duration);
	codec_put_u64(&e, r.ms_duration);
	if (codec_enc_end(&e) == -1)
		return STORE_ERR;
	return db_put(t, DB_AGG, k, t->scratch.data, t->scratch.len, 0);
}

/*
 * The user's journal version: a record at bucket INT32_MAX (past year
 * 9999, so no bucket scan meets it), u64 n, bumped with every play put or
 * deleted.  It starts at a random number, so a version never comes back
 * for a user purged and added again.  k is the key prefix [U].
 */
static int
agg_bump_version(struct store_txn *t, struct key *k)
{
	const unsigned char *p;
	unsigned char v[9];
	MDB_val mv;
	uint64_t n;
	int rc;

	key_be32(k, codec_bias32(INT32_MAX));
	if ((rc = db_get(t, DB_AGG, k, &mv)) == STORE_OK) {
		p = mv.mv_data;
		if (mv.mv_size != sizeof(v) || p[0] != VALUE_VERSION) {
			store_damaged(DB_AGG, &mv, &mv);
			return STORE_ERR;
		}
		n = codec_be64_get(p + 1) + 1;
	} else if (rc == STORE_NOTFOUND)
		arc4random_buf(&n, sizeof(n));
	else
		return STORE_ERR;
	v[0] = VALUE_VERSION;
	codec_be64_put(v + 1, n);
	return db_put(t, DB_AGG, k, v, sizeof(v), 0);
}

static int
agg_count_play(struct store_txn *t, const char *user, const struct play *p,
    int sign)
{
	struct key k;
	size_t ulen;
	int rc;

	if (key_user(&k, user) == -1)
		return STORE_ERR;
	ulen = k.len;
	if ((rc = agg_apply(t, &k, p, sign)) != STORE_OK)
		return rc;
	k.len = ulen;
	return agg_bump_version(t, &k);
}

int
store_agg_version(struct store_txn *t, const char *user, uint64_t *version)
{
	struct key k;
	MDB_val v;
	int rc;

	*version = 0;
	if (key_user(&k, user) == -1)
		return STORE_NOTFOUND;
	key_be32(&k, codec_bias32(INT32_MAX));
	if ((rc = db_get(t, DB_AGG, &k, &v)) != STORE_OK)
		return rc;
	if (v.mv_size != 9 || *(const unsigned char *)v.mv_data !=
	    VALUE_VERSION) {
		MDB_val mk = key_val(&k);

		store_damaged(DB_AGG, &mk, &v);
		return STORE_ERR;
	}
	*version = codec_be64_get((const unsigned char *)v.mv_data + 1);
	return STORE_OK;
}

struct agg_iter {
	int	(*fn)(const struct agg_bucket *, void *);
	void	*arg;
};

static int
scan_agg(struct store_txn *t, const MDB_val *k, const MDB_val *v, void *ctx)
{
	struct agg_iter *it = ctx;
	const unsigned char *tail;
	struct agg_bucket b;
	struct agg_rec r;

	(void)t;
	if ((tail = key_tail(k, 4)) == NULL || dec_agg(v, &r) == -1) {
		store_damaged(DB_AGG, k, v);
		return -1;
	}
	b.start_ms = (int64_t)codec_unbias32(codec_be32_get(tail)) *
	    STORE_AGG_BUCKET_MS;
	b.plays = r.plays;
	b.by_played = r.by_played;
	b.ms_played = r.ms_played;
	b.by_duration = r.by_duration;
	b.ms_duration = r.ms_duration;
	return it->fn(&b, it->arg);
}

int
store_iter_agg(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, enum store_dir dir,
    int (*fn)(const struct agg_bucket *, void *), void *arg)
{
	struct agg_iter it = { fn, arg };
	struct key lo, hi;
	int32_t blo, bhi;

	/* Buckets starting in [from, to]: from rounded up, to down. */
	if (from_ms < AGG_T_MIN)
		from_ms = AGG_T_MIN;
	if (to_ms > AGG_T_MAX)
		to_ms = AGG_T_MAX;
	if (from_ms > to_ms || agg_bucket_of(from_ms, &blo) == -1 ||
	    agg_bucket_of(to_ms, &bhi) == -1)
		return STORE_OK;
	if ((int64_t)blo * STORE_AGG_BUCKET_MS < from_ms)
		blo++;
	if (blo > bhi || key_user(&lo, user) == -1 ||
	    key_user(&hi, user) == -1)
		return STORE_OK;
	key_be32(&lo, codec_bias32(blo));
	key_be32(&hi, codec_bias32(bhi));
	return store_scan(t, DB_AGG, &lo, &hi, dir, scan_agg, &it);
}

/* ---- the zero-copy play scan ---- */

struct ref_iter {
	int	(*fn)(const struct play_ref *, void *);
	void	*arg;
};

/*
 * The play value's layout, checked without a decoder: version byte, the
 * 22-byte track id, a str (u32 length, bytes, NUL), u8 source, i32
 * ms_played and i64 prev_played_at; exactly that many bytes.
 */
static int
scan_play_ref(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	const unsigned char *p = v->mv_data, *tail;
	struct ref_iter *it = ctx;
	struct play_ref r;
	uint32_t n, ms;

	(void)t;
	if ((tail = key_tail(k, 8)) == NULL || v->mv_size < 1 + ID_LEN + 4 ||
	    p[0] != VALUE_VERSION)
		goto damaged;
	n = codec_be32_get(p + 1 + ID_LEN);
	if (v->mv_size - (1 + ID_LEN + 4) != (size_t)n + 1 + 1 + 4 + 8 ||
	    p[1 + ID_LEN + 4 + n] != '\0' ||
	    p[1 + ID_LEN + 4 + n + 1] >= SOURCE__MAX)
		goto damaged;
	ms = codec_be32_get(p + 1 + ID_LEN + 4 + n + 2);
	r.played_at = codec_unbias64(codec_be64_get(tail));
	r.track_id = (const char *)p + 1;
	r.ms_played = ms <= INT32_MAX ? (int32_t)ms : -(int32_t)(~ms) - 1;
	return it->fn(&r, it->arg);
damaged:
	store_damaged(DB_PLAYS, k, v);
	return -1;
}

int
store_scan_plays(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, enum store_dir dir,
    int (*fn)(const struct play_ref *, void *), void *arg)
{
	struct ref_iter it = { fn, arg };
	struct key lo, hi;

	if (key_play(&lo, user, from_ms) == -1 ||
	    key_play(&hi, user, to_ms) == -1)
		return STORE_OK;
	return store_scan(t, DB_PLAYS, &lo, &hi, dir, scan_play_ref, &it);
}

/* ---- the plays-by-track index -------------------------------------------
 *
 * playsbytrack holds, under the key [U] track id, one sorted duplicate
 * value be64 played_at (biased) per play: MDB_DUPSORT | MDB_DUPFIXED, so
 * a user's plays of one track are one key with a packed array of 8-byte
 * times, oldest first (LMDB keeps a few inline in the key's node and
 * moves more into a sub-database of their own).  The values are written
 * and deleted with the play in store_put_play() and store_del_play(), so
 * the index holds exactly the plays' (user, track, time) triples in
 * every committed state.  The play before any moment is one
 * MDB_GET_BOTH_RANGE and one MDB_PREV_DUP away (store_prev_track_play()),
 * the one after it one MDB_GET_BOTH_RANGE: the play functions use both
 * to keep each play value's prev_played_at (trackplay_around(),
 * play_set_prev()), so readers never seek here.
 *
 * Against schema version 3's layout (one key [U] track id be64 played_at
 * per play, empty values) it stores a track's key once instead of once
 * per play: 2.5x fewer pages, so a bulk write of plays spread over
 * many tracks (an import file) changes, and copies, that many fewer.
 * Stores of schema version 3 or older get it built by the migration.
 */

/* k = [U] track id; -1 when user or id is ill-formed. */
static int
key_trackplay(struct key *k, const char *user, const char *track_id)
{
	if (key_user(k, user) == -1 || key_id(k, track_id) == -1)
		return -1;
	return 0;
}

/* Adds played_at to the index key k ([U] track id). */
static int
bytrack_put(struct store_txn *t, const struct key *k, int64_t played_at)
{
	unsigned char v[8];

	codec_be64_put(v, codec_bias64(played_at));
	return db_put(t, DB_PLAYSBYTRACK, k, v, sizeof(v), 0);
}

static int
trackplay_put(struct store_txn *t, const char *user, const struct play *p)
{
	struct key k;

	if (key_trackplay(&k, user, p->track_id) == -1)
		return STORE_ERR;
	return bytrack_put(t, &k, p->played_at);
}

/* A missing entry is not an error: the play is gone either way. */
static int
trackplay_del(struct store_txn *t, const char *user, const struct play *p)
{
	unsigned char v[8];
	struct key k;
	int rc;

	if (key_trackplay(&k, user, p->track_id) == -1)
		return STORE_ERR;
	codec_be64_put(v, codec_bias64(p->played_at));
	rc = db_del_dup(t, DB_PLAYSBYTRACK, &k, v, sizeof(v));
	if (rc == STORE_NOTFOUND)
		log_warnx("store: playsbytrack: no entry for a deleted play");
	return rc == STORE_ERR ? STORE_ERR : STORE_OK;
}

/*
 * The time in the index key k ([U] track id) nearest to at on one side:
 * before (side < 0, the newest time < at) or after (side > 0, the oldest
 * time > at) into *out.  Returns STORE_OK, STORE_NOTFOUND or STORE_ERR.
 */
static int
bytrack_seek(struct store_txn *t, const struct key *k, int64_t at, int side,
    int64_t *out)
{
	unsigned char from[8];
	MDB_cursor *c;
	MDB_val mk, mv;
	int rc, tmp, ret;

	if (side > 0 && at == INT64_MAX)
		return STORE_NOTFOUND;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if ((c = cursor_acquire(t, DB_PLAYSBYTRACK, &tmp)) == NULL)
		return STORE_ERR;
	/* The key's first value >= from (at, or at + 1 for the side after). */
	codec_be64_put(from, codec_bias64(side > 0 ? at + 1 : at));
	mk = key_val(k);
	mv.mv_size = sizeof(from);
	mv.mv_data = from;
	rc = mdb_cursor_get(c, &mk, &mv, MDB_GET_BOTH_RANGE);
	if (side < 0 && rc == MDB_SUCCESS)
		rc = mdb_cursor_get(c, &mk, &mv, MDB_PREV_DUP);
	else if (side < 0 && rc == MDB_NOTFOUND) {
		/* No such key, or all its values are < at: the last. */
		mk = key_val(k);
		rc = mdb_cursor_get(c, &mk, &mv, MDB_SET);
		if (rc == MDB_SUCCESS)
			rc = mdb_cursor_get(c, &mk, &mv, MDB_LAST_DUP);
	}
	if (rc == MDB_NOTFOUND)
		ret = STORE_NOTFOUND;
	else if (rc != MDB_SUCCESS)
		ret = store_map_error(t, rc, "seek", DB_PLAYSBYTRACK);
	else if (mv.mv_size != sizeof(from)) {
		store_damaged(DB_PLAYSBYTRACK, &mk, &mv);
		ret = STORE_ERR;
	} else {
		*out = codec_unbias64(codec_be64_get(mv.mv_data));
		ret = STORE_OK;
	}
	cursor_release(t, DB_PLAYSBYTRACK, c, tmp);
	return ret;
}

/*
 * The user's plays of track_id just before and just after at (not at
 * itself) into *prev (when not NULL) and *next, PLAY_NO_PREV for none.
 * Returns STORE_OK or STORE_ERR.
 */
static int
trackplay_around(struct store_txn *t, const char *user, const char *track_id,
    int64_t at, int64_t *prev, int64_t *next)
{
	struct key k;
	int rc;

	if (key_trackplay(&k, user, track_id) == -1)
		return STORE_ERR;
	if (prev != NULL) {
		if ((rc = bytrack_seek(t, &k, at, -1, prev)) == STORE_ERR)
			return STORE_ERR;
		if (rc == STORE_NOTFOUND)
			*prev = PLAY_NO_PREV;
	}
	if ((rc = bytrack_seek(t, &k, at, 1, next)) == STORE_ERR)
		return STORE_ERR;
	if (rc == STORE_NOTFOUND)
		*next = PLAY_NO_PREV;
	return STORE_OK;
}

/*
 * Rewrites the user's play at played_at with prev as its previous play.
 * A play the index names but the plays lack is logged and skipped, as
 * trackplay_del() does the other way round.
 */
static int
play_set_prev(struct store_txn *t, const char *user, int64_t played_at,
    int64_t prev)
{
	struct play p;
	struct key k;
	int rc;

	if ((rc = store_get_play(t, user, played_at, &p)) == STORE_NOTFOUND) {
		log_warnx("store: playsbytrack: an entry without its play");
		return STORE_OK;
	}
	if (rc != STORE_OK || p.prev_played_at == prev)
		return rc;
	if (key_play(&k, user, played_at) == -1 || enc_play(t, &p, prev) == -1)
		return STORE_ERR;
	return db_put(t, DB_PLAYS, &k, t->scratch.data, t->scratch.len, 0);
}

int
store_prev_track_play(struct store_txn *t, const char *user,
    const char *track_id, int64_t before_ms, int64_t *played_at)
{
	struct key k;

	if (key_trackplay(&k, user, track_id) == -1)
		return STORE_NOTFOUND;
	return bytrack_seek(t, &k, before_ms, -1, played_at);
}

/* ---- reading the plays-by-track index (the story pages) ----------------- */

/* Decodes an index value into *at; -1 (logged) when it is damaged. */
static int
bytrack_time(const MDB_val *k, const MDB_val *v, int64_t *at)
{
	if (v->mv_size != 8) {
		store_damaged(DB_PLAYSBYTRACK, k, v);
		return -1;
	}
	*at = codec_unbias64(codec_be64_get(v->mv_data));
	return 0;
}

int
store_iter_track_times(struct store_txn *t, const char *user,
    const char *track_id, int64_t from_ms, int64_t to_ms, enum store_dir dir,
    int (*fn)(int64_t played_at, void *), void *arg)
{
	unsigned char b[8];
	struct key k;
	MDB_cursor *c;
	MDB_val mk, mv;
	int64_t at;
	int rc, frc, tmp, ret = STORE_OK;

	if (key_trackplay(&k, user, track_id) == -1 || from_ms > to_ms)
		return STORE_OK;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if ((c = cursor_acquire(t, DB_PLAYSBYTRACK, &tmp)) == NULL)
		return STORE_ERR;
	mk = key_val(&k);
	mv.mv_size = sizeof(b);
	mv.mv_data = b;
	if (dir == STORE_ASC) {
		codec_be64_put(b, codec_bias64(from_ms));
		rc = mdb_cursor_get(c, &mk, &mv, MDB_GET_BOTH_RANGE);
	} else {
		rc = MDB_NOTFOUND;
		if (to_ms < INT64_MAX) {
			codec_be64_put(b, codec_bias64(to_ms + 1));
			rc = mdb_cursor_get(c, &mk, &mv, MDB_GET_BOTH_RANGE);
			if (rc == MDB_SUCCESS)
				rc = mdb_cursor_get(c, &mk, &mv, MDB_PREV_DUP);
		}
		if (rc == MDB_NOTFOUND) {
			mk = key_val(&k);
			rc = mdb_cursor_get(c, &mk, &mv, MDB_SET);
			if (rc == MDB_SUCCESS)
				rc = mdb_cursor_get(c, &mk, &mv, MDB_LAST_DUP);
			if (rc == MDB_SUCCESS && to_ms < INT64_MAX &&
			    bytrack_time(&mk, &mv, &at) == 0 && at > to_ms)
				rc = MDB_NOTFOUND;	/* all values > to */
		}
	}
	while (rc == MDB_SUCCESS) {
		if (bytrack_time(&mk, &mv, &at) == -1) {
			ret = STORE_ERR;
			goto release;
		}
		if (dir == STORE_ASC ? at > to_ms : at < from_ms)
			break;
		if ((frc = fn(at, arg)) != 0) {
			if (frc != 1)
				ret = STORE_ERR;
			goto release;
		}
		rc = mdb_cursor_get(c, &mk, &mv,
		    dir == STORE_ASC ? MDB_NEXT_DUP : MDB_PREV_DUP);
	}
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "iterate", DB_PLAYSBYTRACK);
release:
	cursor_release(t, DB_PLAYSBYTRACK, c, tmp);
	return ret;
}

int
store_iter_user_tracks(struct store_txn *t, const char *user,
    int (*fn)(const char *track_id, uint64_t n_plays, void *), void *arg)
{
	char id[ID_LEN + 1];
	const unsigned char *tail;
	struct key k;
	MDB_cursor *c;
	MDB_val mk, mv;
	size_t n;
	int rc, frc, tmp, ret = STORE_OK;

	if (key_user(&k, user) == -1)
		return STORE_OK;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if ((c = cursor_acquire(t, DB_PLAYSBYTRACK, &tmp)) == NULL)
		return STORE_ERR;
	mk = key_val(&k);
	rc = mdb_cursor_get(c, &mk, &mv, MDB_SET_RANGE);
	while (rc == MDB_SUCCESS) {
		if (mk.mv_size < k.len || memcmp(mk.mv_data, k.b, k.len) != 0)
			break;
		if ((tail = key_tail(&mk, ID_LEN)) == NULL) {
			store_damaged(DB_PLAYSBYTRACK, &mk, &mv);
			ret = STORE_ERR;
			goto release;
		}
		if ((rc = mdb_cursor_count(c, &n)) != MDB_SUCCESS)
			break;
		memcpy(id, tail, ID_LEN);
		id[ID_LEN] = '\0';
		if ((frc = fn(id, (uint64_t)n, arg)) != 0) {
			if (frc != 1)
				ret = STORE_ERR;
			goto release;
		}
		rc = mdb_cursor_get(c, &mk, &mv, MDB_NEXT_NODUP);
	}
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "iterate", DB_PLAYSBYTRACK);
release:
	cursor_release(t, DB_PLAYSBYTRACK, c, tmp);
	return ret;
}

/* ---- migrations ------------------------------------------------------------
 *
 * A writable open of a store of an older schema version brings it to
 * this one in one write transaction: version 1 -> 2 builds the
 * aggregates and 3 -> 4 (2 -> 3 before it) the plays-by-track index,
 * both from one scan of the plays; version 3's own index ("trackplays",
 * one key per play) is then dropped, its pages freed; 4 -> 5 rewrites
 * every play with its previous play of the track (migrate_prev()).  The transaction
 * first reads the version again, so a second process that opened the
 * same old store at the same moment finds the work done and repeats
 * nothing.
 */
#define V3_TRACKPLAYS	"trackplays"	/* schema version 3's index */

struct migration {
	int64_t		 from;		/* the version the store had */
	uint64_t	 plays;		/* plays scanned */
};

static int
scan_migrate(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	const unsigned char *kb = k->mv_data;
	struct migration *m = ctx;
	struct play p;
	struct key uk, ik;

	/* Every play still has the layout of before version 5. */
	if (dec_play_layout(k, v, &p, 0) == -1) {
		store_damaged(DB_PLAYS, k, v);
		return -1;
	}
	/* [U] of the play's key; agg_apply() appends the bucket to it. */
	uk.len = 1 + (size_t)kb[0];
	memcpy(uk.b, kb, uk.len);
	ik = uk;
	m->plays++;
	if (m->from < 2 && agg_apply(t, &uk, &p, 1) != STORE_OK)
		return -1;
	if (m->from < 4 && (key_id(&ik, p.track_id) == -1 ||
	    bytrack_put(t, &ik, p.played_at) != STORE_OK))
		return -1;
	return 0;
}

/* Deletes the database name (of an older layout) when there is one. */
static int
store_drop_old(struct store_txn *t, const char *name)
{
	MDB_dbi dbi;
	int rc;

	if ((rc = mdb_dbi_open(t->txn, name, 0, &dbi)) == MDB_NOTFOUND)
		return STORE_OK;
	if (rc == 0)
		rc = mdb_drop(t->txn, dbi, 1);
	if (rc != 0) {
		(void)store_map_error(t, rc, "drop the old index in", -1);
		return STORE_ERR;
	}
	return STORE_OK;
}

/*
 * Version 4 -> 5: every play value gains the time of the user's play of
 * its track before it, from the index (complete by then).  The plays are
 * read a batch at a time and rewritten after each read, so no cursor is
 * walking the database while its pages change; a batch resumes at the
 * smallest key after the last one read (that key and a 0 byte).
 */
#define PREV_BATCH	4096	/* plays read ahead of their rewrite */

struct prev_batch {
	struct buf	 rows;	/* n times: u16 key length, the key, u32
				 * value length, the new value */
	size_t		 n;
	struct key	 last;	/* the last key read */
};

static int
scan_prev(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct prev_batch *b = ctx;
	const unsigned char *kb = k->mv_data;
	unsigned char len[4];
	char user[USER_ID_MAX + 1];
	struct play p;
	int64_t prev;
	int rc;

	if (dec_play_layout(k, v, &p, 0) == -1 || kb[0] > USER_ID_MAX ||
	    (size_t)kb[0] + 1 + 8 != k->mv_size) {
		store_damaged(DB_PLAYS, k, v);
		return -1;
	}
	memcpy(user, kb + 1, kb[0]);
	user[kb[0]] = '\0';
	if ((rc = store_prev_track_play(t, user, p.track_id, p.played_at,
	    &prev)) == STORE_ERR)
		return -1;
	if (enc_play(t, &p, rc == STORE_OK ? prev : PLAY_NO_PREV) == -1)
		return -1;
	len[0] = 0;
	len[1] = (unsigned char)k->mv_size;
	buf_add(&b->rows, len, 2);
	buf_add(&b->rows, kb, k->mv_size);
	codec_be32_put(len, (uint32_t)t->scratch.len);
	buf_add(&b->rows, len, 4);
	buf_add(&b->rows, t->scratch.data, t->scratch.len);
	memcpy(b->last.b, kb, k->mv_size);
	b->last.len = k->mv_size;
	return ++b->n == PREV_BATCH ? 1 : 0;
}

/* Sets *n to the number of plays rewritten. */
static int
migrate_prev(struct store_txn *t, uint64_t *n)
{
	struct prev_batch b;
	const unsigned char *r, *end;
	struct key k, from;
	size_t vlen;
	int ret = STORE_OK;

	memset(&b, 0, sizeof(b));
	memset(&from, 0, sizeof(from));
	*n = 0;
	do {
		buf_reset(&b.rows);
		b.n = 0;
		if (store_scan(t, DB_PLAYS, b.last.len > 0 ? &from : NULL,
		    NULL, STORE_ASC, scan_prev, &b) != STORE_OK ||
		    b.rows.oom) {
			ret = STORE_ERR;
			break;
		}
		r = (const unsigned char *)b.rows.data;
		end = r + b.rows.len;
		while (r < end) {
			k.len = (size_t)r[0] << 8 | r[1];
			memcpy(k.b, r + 2, k.len);
			vlen = codec_be32_get(r + 2 + k.len);
			if ((ret = db_put(t, DB_PLAYS, &k, r + 2 + k.len + 4,
			    vlen, 0)) != STORE_OK)
				break;
			r += 2 + k.len + 4 + vlen;
		}
		*n += b.n;
		from = b.last;
		from.b[from.len++] = 0;
	} while (ret == STORE_OK && b.n == PREV_BATCH);
	buf_free(&b.rows);
	return ret;
}

static int
store_migrate_fn(struct store_txn *t, void *arg)
{
	struct migration *m = arg;
	int64_t ver;
	int rc;

	if (store_get_meta_i64(t, META_SCHEMA, &ver) != STORE_OK)
		return -1;
	if (ver >= STORE_SCHEMA_VERSION) {
		m->from = ver;		/* another process did it */
		return 0;
	}
	m->from = ver;
	m->plays = 0;
	if (ver < 2 && (rc = mdb_drop(t->txn, t->st->dbi[DB_AGG], 0)) != 0)
		return store_map_error(t, rc, "empty", DB_AGG);
	if (ver < 4 &&
	    (rc = mdb_drop(t->txn, t->st->dbi[DB_PLAYSBYTRACK], 0)) != 0)
		return store_map_error(t, rc, "empty", DB_PLAYSBYTRACK);
	if (ver < 4 && store_scan(t, DB_PLAYS, NULL, NULL, STORE_ASC,
	    scan_migrate, m) != STORE_OK)
		return -1;
	if (store_drop_old(t, V3_TRACKPLAYS) != STORE_OK)
		return -1;
	if (ver < 5 && migrate_prev(t, &m->plays) != STORE_OK)
		return -1;
	return store_put_meta_i64(t, META_SCHEMA, STORE_SCHEMA_VERSION) ==
	    STORE_OK ? 0 : -1;
}

/*
 * Brings a writable store of an older schema version to this one (see
 * "migrations").  One write transaction (repeated from scratch if the
 * map must grow).
 */
static int
store_migrate(struct store *st, const char *path)
{
	struct migration m;

	memset(&m, 0, sizeof(m));
	log_info("store: %s: schema version %u -> %d: building %s", path,
	    st->schema_version, STORE_SCHEMA_VERSION,
	    st->schema_version < 2 ? "the aggregates, the plays-by-track "
	    "index and each play's previous play" : st->schema_version < 4 ?
	    "the plays-by-track index and each play's previous play" :
	    "each play's previous play");
	if (store_write(st, store_migrate_fn, &m) != STORE_OK) {
		log_warnx("store: %s: migration failed", path);
		return STORE_ERR;
	}
	if (m.from < STORE_SCHEMA_VERSION)
		log_info("store: %s: migrated from version %lld (%llu plays)",
		    path, (long long)m.from, (unsigned long long)m.plays);
	st->schema_version = STORE_SCHEMA_VERSION;
	return STORE_OK;
}

/* ---- the entity change log ----------------------------------------------- */

/*
 * Deletes the changes numbered <= upto.  Called every CHANGE_TRIM
 * sequence numbers, so each run deletes about CHANGE_TRIM entries.
 */
static int
store_trim_changes(struct store_txn *t, uint64_t upto)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, tmp, ret = STORE_OK;

	if ((c = cursor_acquire(t, DB_CHANGES, &tmp)) == NULL)
		return STORE_ERR;
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_FIRST)) == 0) {
		if (k.mv_size != 8 || codec_be64_get(k.mv_data) > upto)
			break;
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "trim", DB_CHANGES);
	cursor_release(t, DB_CHANGES, c, tmp);
	return ret;
}

/* Appends (kind, id) to the change log under the next sequence number. */
static int
store_log_change(struct store_txn *t, enum entity_kind kind, const char *id)
{
	unsigned char v[2 + ID_LEN];
	struct key k;
	int64_t cur;
	uint64_t seq;
	int rc;

	if (!t->seq_loaded) {
		rc = store_get_meta_i64(t, META_CHANGE_SEQ, &cur);
		if (rc == STORE_NOTFOUND)
			cur = 0;
		else if (rc != STORE_OK)
			return STORE_ERR;
		t->seq = (uint64_t)cur;
		t->seq_loaded = 1;
	}
	seq = t->seq + 1;
	k.len = 0;
	key_be64(&k, seq);
	v[0] = VALUE_VERSION;
	v[1] = (unsigned char)kind;
	memcpy(v + 2, id, ID_LEN);
	if (db_put(t, DB_CHANGES, &k, v, sizeof(v), 0) != STORE_OK ||
	    store_put_meta_i64(t, META_CHANGE_SEQ, (int64_t)seq) != STORE_OK)
		return STORE_ERR;
	t->seq = seq;
	if (seq % CHANGE_TRIM == 0 && seq > CHANGE_KEEP)
		return store_trim_changes(t, seq - CHANGE_KEEP);
	return STORE_OK;
}

int
store_change_seq(struct store_txn *t, uint64_t *seq, uint64_t *oldest)
{
	MDB_cursor *c;
	MDB_val k, v;
	int64_t cur;
	int rc, tmp;

	*seq = 0;
	if (oldest != NULL)
		*oldest = 0;
	rc = store_get_meta_i64(t, META_CHANGE_SEQ, &cur);
	if (rc == STORE_OK)
		*seq = (uint64_t)cur;
	else if (rc != STORE_NOTFOUND)
		return STORE_ERR;
	if (oldest == NULL)
		return STORE_OK;
	if ((c = cursor_acquire(t, DB_CHANGES, &tmp)) == NULL)
		return STORE_ERR;
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	cursor_release(t, DB_CHANGES, c, tmp);
	if (rc == MDB_SUCCESS && k.mv_size == 8)
		*oldest = codec_be64_get(k.mv_data);
	else if (rc != MDB_NOTFOUND && rc != MDB_SUCCESS)
		return store_map_error(t, rc, "first", DB_CHANGES);
	return STORE_OK;
}

struct change_iter {
	int	(*fn)(uint64_t, enum entity_kind, const char *, void *);
	void	*arg;
};

static int
scan_change(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct change_iter *it = ctx;
	const unsigned char *p = v->mv_data;
	char id[ID_LEN + 1];

	(void)t;
	if (k->mv_size != 8 || v->mv_size != 2 + ID_LEN ||
	    p[0] != VALUE_VERSION || p[1] >= ENTITY__MAX) {
		store_damaged(DB_CHANGES, k, v);
		return -1;
	}
	memcpy(id, p + 2, ID_LEN);
	id[ID_LEN] = '\0';
	return it->fn(codec_be64_get(k->mv_data), (enum entity_kind)p[1], id,
	    it->arg);
}

int
store_iter_changes(struct store_txn *t, uint64_t since,
    int (*fn)(uint64_t seq, enum entity_kind, const char *id, void *),
    void *arg)
{
	struct change_iter it = { fn, arg };
	struct key lo;

	if (since == UINT64_MAX)
		return STORE_OK;
	lo.len = 0;
	key_be64(&lo, since + 1);
	return store_scan(t, DB_CHANGES, &lo, NULL, STORE_ASC, scan_change,
	    &it);
}

/* ---- entities ------------------------------------------------------------ */

static int
key_entity(struct key *k, const char *id)
{
	k->len = 0;
	return key_id(k, id);
}

/*
 * Writes the encoded entity in t->scratch under id unless an equal one
 * (ignoring updated_at, bytes 1..8) is there, and logs the change.
 */
static int
store_put_entity(struct store_txn *t, enum entity_kind kind, const char *id)
{
	enum store_db db = store_entity_db[kind];
	const struct buf *b = &t->scratch;
	struct key k;
	MDB_val old;
	int rc;

	if (key_entity(&k, id) == -1) {
		log_warnx("store: put %s: bad id", store_dbs[db].name);
		return STORE_ERR;
	}
	rc = db_get(t, db, &k, &old);
	if (rc == STORE_ERR)
		return STORE_ERR;
	if (rc == STORE_OK && old.mv_size == b->len &&
	    b->len >= ENTITY_HDR &&
	    memcmp(old.mv_data, b->data, 1) == 0 &&
	    memcmp((const char *)old.mv_data + ENTITY_HDR,
	    b->data + ENTITY_HDR, b->len - ENTITY_HDR) == 0)
		return STORE_EXISTS;
	if (db_put(t, db, &k, b->data, b->len, 0) != STORE_OK)
		return STORE_ERR;
	return store_log_change(t, kind, id);
}

static int
store_del_entity(struct store_txn *t, enum entity_kind kind, const char *id)
{
	struct key k;
	int rc;

	if (key_entity(&k, id) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_del(t, store_entity_db[kind], &k)) != STORE_OK)
		return rc;
	return store_log_change(t, kind, id);
}

/* Copies an entity key (the id) into out; -1 unless it is ID_LEN bytes. */
static int
dec_entity_id(const MDB_val *k, char out[ID_LEN + 1])
{
	out[0] = '\0';
	if (k->mv_size != ID_LEN)
		return -1;
	memcpy(out, k->mv_data, ID_LEN);
	out[ID_LEN] = '\0';
	return 0;
}

static void
enc_images(struct enc *e, const struct image *im, uint8_t n)
{
	uint8_t i;

	codec_put_u8(e, n);
	for (i = 0; i < n; i++) {
		codec_put_str(e, im[i].url);
		codec_put_u16(e, im[i].width);
		codec_put_u16(e, im[i].height);
	}
}

/* Image urls stored as "" come back as NULL ("no image"). */
static int
dec_images(struct dec *d, struct image *im, uint8_t *n)
{
	uint8_t i;

	*n = codec_get_u8(d);
	if (*n > IMAGES_MAX)
		return -1;
	for (i = 0; i < *n; i++) {
		im[i].url = codec_get_str(d);
		if (im[i].url[0] == '\0')
			im[i].url = NULL;
		im[i].width = codec_get_u16(d);
		im[i].height = codec_get_u16(d);
	}
	return 0;
}

static int
dec_track(const MDB_val *k, const MDB_val *v, struct track *tr)
{
	struct dec d;

	memset(tr, 0, sizeof(*tr));
	if (dec_entity_id(k, tr->id) == -1 || store_dec_begin(&d, v) == -1)
		return -1;
	tr->updated_at = codec_get_i64(&d);
	tr->name = codec_get_str(&d);
	tr->uri = codec_get_str(&d);
	codec_get_strcpy(&d, tr->album_id, sizeof(tr->album_id));
	codec_get_idlist(&d, &tr->artists);
	tr->duration_ms = codec_get_u32(&d);
	tr->popularity = codec_get_u16(&d);
	tr->explicit_ = codec_get_u8(&d);
	tr->is_local = codec_get_u8(&d);
	tr->disc_number = codec_get_u16(&d);
	tr->track_number = codec_get_u16(&d);
	return codec_dec_end(&d);
}

int
store_get_track(struct store_txn *t, const char *id, struct track *out)
{
	struct key k;
	MDB_val mk, v;
	int rc;

	if (key_entity(&k, id) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_get(t, DB_TRACKS, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (dec_track(&mk, &v, out) == -1) {
		store_damaged(DB_TRACKS, &mk, &v);
		return STORE_ERR;
	}
	return STORE_OK;
}

/*
 * Many tracks through one cursor.  MDB_SET_KEY on a cursor already on a
 * leaf first looks in that leaf, so ids in ascending order walk along the
 * leaves instead of descending from the root for each (store.h).
 */
int
store_get_tracks(struct store_txn *t, const char *const *ids, size_t n,
    int (*fn)(size_t, const struct track *, void *), void *arg)
{
	struct track tr;
	MDB_cursor *c;
	MDB_val mk, v;
	size_t i;
	int rc = MDB_SUCCESS, ret = STORE_OK, tmp, r;

	if (n == 0)
		return STORE_OK;
	if (store_txn_check(t) == -1 ||
	    (c = cursor_acquire(t, DB_TRACKS, &tmp)) == NULL)
		return STORE_ERR;
	for (i = 0; i < n; i++) {
		mk.mv_size = ID_LEN;
		mk.mv_data = (void *)(uintptr_t)ids[i];
		if ((rc = mdb_cursor_get(c, &mk, &v, MDB_SET_KEY)) ==
		    MDB_NOTFOUND)
			continue;
		if (rc != MDB_SUCCESS) {
			ret = store_map_error(t, rc, "get", DB_TRACKS);
			break;
		}
		if (dec_track(&mk, &v, &tr) == -1) {
			store_damaged(DB_TRACKS, &mk, &v);
			ret = STORE_ERR;
			break;
		}
		if ((r = fn(i, &tr, arg)) != 0) {
			ret = r == 1 ? STORE_OK : STORE_ERR;
			break;
		}
	}
	cursor_release(t, DB_TRACKS, c, tmp);
	return ret;
}

int
store_put_track(struct store_txn *t, const struct track *tr)
{
	struct enc e;

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	store_enc_begin(t, &e);
	codec_put_i64(&e, tr->updated_at);
	codec_put_str(&e, tr->name);
	codec_put_str(&e, tr->uri);
	codec_put_strn(&e, tr->album_id, sizeof(tr->album_id));
	codec_put_idlist(&e, &tr->artists);
	codec_put_u32(&e, tr->duration_ms);
	codec_put_u16(&e, tr->popularity);
	codec_put_u8(&e, tr->explicit_);
	codec_put_u8(&e, tr->is_local);
	codec_put_u16(&e, tr->disc_number);
	codec_put_u16(&e, tr->track_number);
	if (codec_enc_end(&e) == -1) {
		log_warnx("store: put track: cannot encode");
		return STORE_ERR;
	}
	return store_put_entity(t, ENTITY_TRACK, tr->id);
}

int
store_del_track(struct store_txn *t, const char *id)
{
	return store_del_entity(t, ENTITY_TRACK, id);
}

struct track_iter {
	int	(*fn)(const struct track *, void *);
	void	*arg;
};

static int
scan_track(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct track_iter *it = ctx;
	struct track tr;

	(void)t;
	if (dec_track(k, v, &tr) == -1) {
		store_damaged(DB_TRACKS, k, v);
		return -1;
	}
	return it->fn(&tr, it->arg);
}

int
store_iter_tracks(struct store_txn *t,
    int (*fn)(const struct track *, void *), void *arg)
{
	struct track_iter it = { fn, arg };

	return store_scan(t, DB_TRACKS, NULL, NULL, STORE_ASC, scan_track,
	    &it);
}

static int
dec_artist(const MDB_val *k, const MDB_val *v, struct artist *a)
{
	struct dec d;
	uint8_t i;

	memset(a, 0, sizeof(*a));
	if (dec_entity_id(k, a->id) == -1 || store_dec_begin(&d, v) == -1)
		return -1;
	a->updated_at = codec_get_i64(&d);
	a->name = codec_get_str(&d);
	a->n_genres = codec_get_u8(&d);
	if (a->n_genres > GENRES_MAX)
		return -1;
	for (i = 0; i < a->n_genres; i++)
		a->genres[i] = codec_get_str(&d);
	if (dec_images(&d, a->images, &a->n_images) == -1)
		return -1;
	a->popularity = codec_get_u16(&d);
	a->detailed = codec_get_u8(&d);
	return codec_dec_end(&d);
}

int
store_get_artist(struct store_txn *t, const char *id, struct artist *out)
{
	struct key k;
	MDB_val mk, v;
	int rc;

	if (key_entity(&k, id) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_get(t, DB_ARTISTS, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (dec_artist(&mk, &v, out) == -1) {
		store_damaged(DB_ARTISTS, &mk, &v);
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_put_artist(struct store_txn *t, const struct artist *a)
{
	struct enc e;
	uint8_t i;

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if (a->n_genres > GENRES_MAX || a->n_images > IMAGES_MAX) {
		log_warnx("store: put artist: too many genres or images");
		return STORE_ERR;
	}
	store_enc_begin(t, &e);
	codec_put_i64(&e, a->updated_at);
	codec_put_str(&e, a->name);
	codec_put_u8(&e, a->n_genres);
	for (i = 0; i < a->n_genres; i++)
		codec_put_str(&e, a->genres[i]);
	enc_images(&e, a->images, a->n_images);
	codec_put_u16(&e, a->popularity);
	codec_put_u8(&e, a->detailed);
	if (codec_enc_end(&e) == -1) {
		log_warnx("store: put artist: cannot encode");
		return STORE_ERR;
	}
	return store_put_entity(t, ENTITY_ARTIST, a->id);
}

int
store_del_artist(struct store_txn *t, const char *id)
{
	return store_del_entity(t, ENTITY_ARTIST, id);
}

struct artist_iter {
	int	(*fn)(const struct artist *, void *);
	void	*arg;
};

static int
scan_artist(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct artist_iter *it = ctx;
	struct artist a;

	(void)t;
	if (dec_artist(k, v, &a) == -1) {
		store_damaged(DB_ARTISTS, k, v);
		return -1;
	}
	return it->fn(&a, it->arg);
}

int
store_iter_artists(struct store_txn *t,
    int (*fn)(const struct artist *, void *), void *arg)
{
	struct artist_iter it = { fn, arg };

	return store_scan(t, DB_ARTISTS, NULL, NULL, STORE_ASC, scan_artist,
	    &it);
}

static int
dec_album(const MDB_val *k, const MDB_val *v, struct album *al)
{
	struct dec d;

	memset(al, 0, sizeof(*al));
	if (dec_entity_id(k, al->id) == -1 || store_dec_begin(&d, v) == -1)
		return -1;
	al->updated_at = codec_get_i64(&d);
	al->name = codec_get_str(&d);
	al->album_type = codec_get_str(&d);
	al->release_date = codec_get_str(&d);
	codec_get_idlist(&d, &al->artists);
	if (dec_images(&d, al->images, &al->n_images) == -1)
		return -1;
	al->total_tracks = codec_get_u16(&d);
	return codec_dec_end(&d);
}

int
store_get_album(struct store_txn *t, const char *id, struct album *out)
{
	struct key k;
	MDB_val mk, v;
	int rc;

	if (key_entity(&k, id) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_get(t, DB_ALBUMS, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (dec_album(&mk, &v, out) == -1) {
		store_damaged(DB_ALBUMS, &mk, &v);
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_put_album(struct store_txn *t, const struct album *al)
{
	struct enc e;

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if (al->n_images > IMAGES_MAX) {
		log_warnx("store: put album: too many images");
		return STORE_ERR;
	}
	store_enc_begin(t, &e);
	codec_put_i64(&e, al->updated_at);
	codec_put_str(&e, al->name);
	codec_put_str(&e, al->album_type);
	codec_put_str(&e, al->release_date);
	codec_put_idlist(&e, &al->artists);
	enc_images(&e, al->images, al->n_images);
	codec_put_u16(&e, al->total_tracks);
	if (codec_enc_end(&e) == -1) {
		log_warnx("store: put album: cannot encode");
		return STORE_ERR;
	}
	return store_put_entity(t, ENTITY_ALBUM, al->id);
}

int
store_del_album(struct store_txn *t, const char *id)
{
	return store_del_entity(t, ENTITY_ALBUM, id);
}

struct album_iter {
	int	(*fn)(const struct album *, void *);
	void	*arg;
};

static int
scan_album(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct album_iter *it = ctx;
	struct album al;

	(void)t;
	if (dec_album(k, v, &al) == -1) {
		store_damaged(DB_ALBUMS, k, v);
		return -1;
	}
	return it->fn(&al, it->arg);
}

int
store_iter_albums(struct store_txn *t,
    int (*fn)(const struct album *, void *), void *arg)
{
	struct album_iter it = { fn, arg };

	return store_scan(t, DB_ALBUMS, NULL, NULL, STORE_ASC, scan_album,
	    &it);
}

/* ---- playlists ----------------------------------------------------------- */

static int
key_playlist(struct key *k, const char *user, const char *playlist_id,
    int32_t week)
{
	if (key_user(k, user) == -1 || key_id(k, playlist_id) == -1)
		return -1;
	key_be32(k, codec_bias32(week));
	return 0;
}

static int
dec_playlist(const MDB_val *k, const MDB_val *v, struct playlist_week *w)
{
	const unsigned char *tail;
	struct dec d;

	memset(w, 0, sizeof(*w));
	if ((tail = key_tail(k, ID_LEN + 4)) == NULL)
		return -1;
	memcpy(w->playlist_id, tail, ID_LEN);
	w->playlist_id[ID_LEN] = '\0';
	w->week = codec_unbias32(codec_be32_get(tail + ID_LEN));
	if (store_dec_begin(&d, v) == -1)
		return -1;
	w->name = codec_get_str(&d);
	w->snapshot_id = codec_get_str(&d);
	w->how = codec_get_u8(&d);
	w->obtained_at = codec_get_i64(&d);
	codec_get_idlist(&d, &w->tracks);
	if (w->how >= PLAYLIST__MAX)
		return -1;
	return codec_dec_end(&d);
}

int
store_put_playlist_week(struct store_txn *t, const char *user,
    const struct playlist_week *w)
{
	struct key k;
	struct enc e;

	if (key_playlist(&k, user, w->playlist_id, w->week) == -1) {
		log_warnx("store: put playlist week: bad user or playlist id");
		return STORE_ERR;
	}
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	store_enc_begin(t, &e);
	codec_put_str(&e, w->name);
	codec_put_str(&e, w->snapshot_id);
	codec_put_u8(&e, w->how);
	codec_put_i64(&e, w->obtained_at);
	codec_put_idlist(&e, &w->tracks);
	if (w->how >= PLAYLIST__MAX || codec_enc_end(&e) == -1) {
		log_warnx("store: put playlist week: cannot encode");
		return STORE_ERR;
	}
	return db_put(t, DB_PLAYLISTS, &k, t->scratch.data, t->scratch.len,
	    0);
}

int
store_get_playlist_week(struct store_txn *t, const char *user,
    const char *playlist_id, int32_t week, struct playlist_week *out)
{
	struct key k;
	MDB_val mk, v;
	int rc;

	if (key_playlist(&k, user, playlist_id, week) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_get(t, DB_PLAYLISTS, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (dec_playlist(&mk, &v, out) == -1) {
		store_damaged(DB_PLAYLISTS, &mk, &v);
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_del_playlist_week(struct store_txn *t, const char *user,
    const char *playlist_id, int32_t week)
{
	struct key k;

	if (key_playlist(&k, user, playlist_id, week) == -1)
		return STORE_NOTFOUND;
	return db_del(t, DB_PLAYLISTS, &k);
}

struct playlist_iter {
	int	(*fn)(const struct playlist_week *, void *);
	void	*arg;
};

static int
scan_playlist(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct playlist_iter *it = ctx;
	struct playlist_week w;

	(void)t;
	if (dec_playlist(k, v, &w) == -1) {
		store_damaged(DB_PLAYLISTS, k, v);
		return -1;
	}
	return it->fn(&w, it->arg);
}

int
store_iter_playlist_weeks(struct store_txn *t, const char *user,
    const char *playlist_id, enum store_dir dir,
    int (*fn)(const struct playlist_week *, void *), void *arg)
{
	struct playlist_iter it = { fn, arg };
	struct key lo, hi;
	size_t pad = ID_LEN + 4;

	if (key_user(&lo, user) == -1)
		return STORE_OK;
	if (playlist_id != NULL) {
		if (key_id(&lo, playlist_id) == -1)
			return STORE_OK;
		pad = 4;
	}
	hi = lo;
	key_fill(&lo, 0x00, pad);
	key_fill(&hi, 0xff, pad);
	return store_scan(t, DB_PLAYLISTS, &lo, &hi, dir, scan_playlist, &it);
}

/* ---- top lists ----------------------------------------------------------- */

/* [U] kind range, the prefix of one series; -1 on bad input. */
static int
key_top_series(struct key *k, const char *user, enum top_kind kind,
    enum top_range range)
{
	if (key_user(k, user) == -1)
		return -1;
	key_u8(k, (uint8_t)kind);
	key_u8(k, (uint8_t)range);
	return 0;
}

static int
top_valid(enum top_kind kind, enum top_range range)
{
	if ((unsigned)kind >= TOP_KIND__MAX || (unsigned)range >= RANGE__MAX) {
		log_warnx("store: top: bad kind or range");
		return 0;
	}
	return 1;
}

static int
dec_top(const MDB_val *k, const MDB_val *v, struct top_snapshot *s)
{
	const unsigned char *tail;
	struct dec d;

	memset(s, 0, sizeof(*s));
	if ((tail = key_tail(k, 6)) == NULL)
		return -1;
	s->kind = tail[0];
	s->range = tail[1];
	s->day = codec_unbias32(codec_be32_get(tail + 2));
	if (s->kind >= TOP_KIND__MAX || s->range >= RANGE__MAX)
		return -1;
	if (store_dec_begin(&d, v) == -1)
		return -1;
	s->confirmed_at = codec_get_i64(&d);
	codec_get_idlist(&d, &s->ids);
	return codec_dec_end(&d);
}

int
store_put_top(struct store_txn *t, const char *user,
    const struct top_snapshot *s)
{
	struct key k;
	struct enc e;

	if (!top_valid(s->kind, s->range))
		return STORE_ERR;
	if (key_top_series(&k, user, s->kind, s->range) == -1) {
		log_warnx("store: put top: bad user id");
		return STORE_ERR;
	}
	key_be32(&k, codec_bias32(s->day));
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	store_enc_begin(t, &e);
	codec_put_i64(&e, s->confirmed_at);
	codec_put_idlist(&e, &s->ids);
	if (codec_enc_end(&e) == -1) {
		log_warnx("store: put top: cannot encode");
		return STORE_ERR;
	}
	return db_put(t, DB_TOP, &k, t->scratch.data, t->scratch.len, 0);
}

int
store_get_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, int32_t day, struct top_snapshot *out)
{
	struct key k;
	MDB_val mk, v;
	int rc;

	if (!top_valid(kind, range))
		return STORE_ERR;
	if (key_top_series(&k, user, kind, range) == -1)
		return STORE_NOTFOUND;
	key_be32(&k, codec_bias32(day));
	if ((rc = db_get(t, DB_TOP, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (dec_top(&mk, &v, out) == -1) {
		store_damaged(DB_TOP, &mk, &v);
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_del_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, int32_t day)
{
	struct key k;

	if (!top_valid(kind, range))
		return STORE_ERR;
	if (key_top_series(&k, user, kind, range) == -1)
		return STORE_NOTFOUND;
	key_be32(&k, codec_bias32(day));
	return db_del(t, DB_TOP, &k);
}

struct top_iter {
	int	(*fn)(const struct top_snapshot *, void *);
	void	*arg;
	struct top_snapshot *latest;	/* store_latest_top: the first only */
	int	 found;
};

static int
scan_top(struct store_txn *t, const MDB_val *k, const MDB_val *v, void *ctx)
{
	struct top_iter *it = ctx;
	struct top_snapshot s;

	(void)t;
	if (dec_top(k, v, it->latest != NULL ? it->latest : &s) == -1) {
		store_damaged(DB_TOP, k, v);
		return -1;
	}
	if (it->latest != NULL) {
		it->found = 1;
		return 1;
	}
	return it->fn(&s, it->arg);
}

/* Scans one (user, kind, range) series. */
static int
store_scan_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, enum store_dir dir, struct top_iter *it)
{
	struct key lo, hi;

	if (!top_valid(kind, range))
		return STORE_ERR;
	if (key_top_series(&lo, user, kind, range) == -1)
		return STORE_OK;
	hi = lo;
	key_fill(&lo, 0x00, 4);
	key_fill(&hi, 0xff, 4);
	return store_scan(t, DB_TOP, &lo, &hi, dir, scan_top, it);
}

int
store_latest_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, struct top_snapshot *out)
{
	struct top_iter it = { NULL, NULL, out, 0 };
	int rc;

	if ((rc = store_scan_top(t, user, kind, range, STORE_DESC, &it)) !=
	    STORE_OK)
		return rc;
	return it.found ? STORE_OK : STORE_NOTFOUND;
}

int
store_iter_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, enum store_dir dir,
    int (*fn)(const struct top_snapshot *, void *), void *arg)
{
	struct top_iter it = { fn, arg, NULL, 0 };

	return store_scan_top(t, user, kind, range, dir, &it);
}

/* ---- gaps ---------------------------------------------------------------- */

static int
key_gap(struct key *k, const char *user, int64_t from_ms)
{
	if (key_user(k, user) == -1)
		return -1;
	key_be64(k, codec_bias64(from_ms));
	return 0;
}

static int
dec_gap(const MDB_val *k, const MDB_val *v, struct gap *g)
{
	const unsigned char *tail;
	struct dec d;

	memset(g, 0, sizeof(*g));
	if ((tail = key_tail(k, 8)) == NULL)
		return -1;
	g->from_ms = codec_unbias64(codec_be64_get(tail));
	if (store_dec_begin(&d, v) == -1)
		return -1;
	g->to_ms = codec_get_i64(&d);
	g->reason = codec_get_u8(&d);
	g->recorded_at = codec_get_i64(&d);
	if (g->reason >= GAP__MAX)
		return -1;
	return codec_dec_end(&d);
}

int
store_put_gap(struct store_txn *t, const char *user, const struct gap *g)
{
	struct key k;
	struct enc e;

	if (key_gap(&k, user, g->from_ms) == -1) {
		log_warnx("store: put gap: bad user id");
		return STORE_ERR;
	}
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	store_enc_begin(t, &e);
	codec_put_i64(&e, g->to_ms);
	codec_put_u8(&e, g->reason);
	codec_put_i64(&e, g->recorded_at);
	if (g->reason >= GAP__MAX || codec_enc_end(&e) == -1) {
		log_warnx("store: put gap: bad reason");
		return STORE_ERR;
	}
	return db_put(t, DB_GAPS, &k, t->scratch.data, t->scratch.len, 0);
}

int
store_del_gap(struct store_txn *t, const char *user, int64_t from_ms)
{
	struct key k;

	if (key_gap(&k, user, from_ms) == -1)
		return STORE_NOTFOUND;
	return db_del(t, DB_GAPS, &k);
}

struct gap_iter {
	int	(*fn)(const struct gap *, void *);
	void	*arg;
	int64_t	 from;		/* skip gaps that end before this */
};

static int
scan_gap(struct store_txn *t, const MDB_val *k, const MDB_val *v, void *ctx)
{
	struct gap_iter *it = ctx;
	struct gap g;

	(void)t;
	if (dec_gap(k, v, &g) == -1) {
		store_damaged(DB_GAPS, k, v);
		return -1;
	}
	if (g.to_ms < it->from)
		return 0;
	return it->fn(&g, it->arg);
}

int
store_iter_gaps(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, enum store_dir dir,
    int (*fn)(const struct gap *, void *), void *arg)
{
	struct gap_iter it = { fn, arg, from_ms };
	struct key lo, hi;

	/*
	 * A gap overlaps [from_ms, to_ms] when it starts at or before to_ms
	 * and ends at or after from_ms.  Gaps are few, so the scan runs
	 * over all of the user's gaps up to to_ms and filters the ends.
	 */
	if (from_ms > to_ms || key_gap(&lo, user, INT64_MIN) == -1 ||
	    key_gap(&hi, user, to_ms) == -1)
		return STORE_OK;
	return store_scan(t, DB_GAPS, &lo, &hi, dir, scan_gap, &it);
}

/* ---- sessions ------------------------------------------------------------ */

static int
key_session(struct key *k, const char *user,
    const unsigned char hash[SESSION_HASH_LEN])
{
	if (key_user(k, user) == -1)
		return -1;
	memcpy(k->b + k->len, hash, SESSION_HASH_LEN);
	k->len += SESSION_HASH_LEN;
	return 0;
}

static int
dec_session(const MDB_val *k, const MDB_val *v, struct session *s)
{
	const unsigned char *p = k->mv_data, *tail;
	struct dec d;

	memset(s, 0, sizeof(*s));
	if ((tail = key_tail(k, SESSION_HASH_LEN)) == NULL || p[0] == 0 ||
	    p[0] > USER_ID_MAX)
		return -1;
	memcpy(s->user, p + 1, p[0]);
	s->user[p[0]] = '\0';
	memcpy(s->hash, tail, SESSION_HASH_LEN);
	if (store_dec_begin(&d, v) == -1)
		return -1;
	s->created_at = codec_get_i64(&d);
	s->expires_at = codec_get_i64(&d);
	return codec_dec_end(&d);
}

int
store_put_session(struct store_txn *t, const struct session *s)
{
	struct key k;
	struct enc e;

	if (key_session(&k, s->user, s->hash) == -1) {
		log_warnx("store: put session: bad user id");
		return STORE_ERR;
	}
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	store_enc_begin(t, &e);
	codec_put_i64(&e, s->created_at);
	codec_put_i64(&e, s->expires_at);
	if (codec_enc_end(&e) == -1)
		return STORE_ERR;
	return db_put(t, DB_SESSIONS, &k, t->scratch.data, t->scratch.len, 0);
}

int
store_get_session(struct store_txn *t, const char *user,
    const unsigned char hash[SESSION_HASH_LEN], struct session *out)
{
	struct key k;
	MDB_val mk, v;
	int rc;

	if (key_session(&k, user, hash) == -1)
		return STORE_NOTFOUND;
	if ((rc = db_get(t, DB_SESSIONS, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	if (dec_session(&mk, &v, out) == -1) {
		store_damaged(DB_SESSIONS, &mk, &v);
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_del_session(struct store_txn *t, const char *user,
    const unsigned char hash[SESSION_HASH_LEN])
{
	struct key k;

	if (key_session(&k, user, hash) == -1)
		return STORE_NOTFOUND;
	return db_del(t, DB_SESSIONS, &k);
}

struct session_iter {
	int	(*fn)(const struct session *, void *);
	void	*arg;
};

static int
scan_session(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct session_iter *it = ctx;
	struct session s;

	(void)t;
	if (dec_session(k, v, &s) == -1) {
		store_damaged(DB_SESSIONS, k, v);
		return -1;
	}
	return it->fn(&s, it->arg);
}

int
store_iter_sessions(struct store_txn *t, const char *user,
    int (*fn)(const struct session *, void *), void *arg)
{
	struct session_iter it = { fn, arg };
	struct key lo, hi;

	if (user == NULL)
		return store_scan(t, DB_SESSIONS, NULL, NULL, STORE_ASC,
		    scan_session, &it);
	if (key_user(&lo, user) == -1)
		return STORE_OK;
	hi = lo;
	key_fill(&hi, 0xff, SESSION_HASH_LEN);
	return store_scan(t, DB_SESSIONS, &lo, &hi, STORE_ASC, scan_session,
	    &it);
}

int
store_expire_sessions(struct store_txn *t, int64_t now, uint64_t max,
    uint64_t *n)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct session s;
	struct key at;
	uint64_t done = 0;
	int rc, tmp, ret = STORE_OK;

	if (n != NULL)
		*n = 0;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if ((c = cursor_acquire(t, DB_SESSIONS, &tmp)) == NULL)
		return STORE_ERR;
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (rc == MDB_SUCCESS && done < max) {
		if (dec_session(&k, &v, &s) == -1) {
			store_damaged(DB_SESSIONS, &k, &v);
			ret = STORE_ERR;
			goto release;
		}
		if (s.expires_at > now) {
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			continue;
		}
		/* Delete, then seek past the deleted key (as store_del_prefix). */
		if (key_session(&at, s.user, s.hash) == -1 ||
		    (rc = mdb_cursor_del(c, 0)) != MDB_SUCCESS)
			break;
		done++;
		k = key_val(&at);
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	}
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "expire", DB_SESSIONS);
release:
	cursor_release(t, DB_SESSIONS, c, tmp);
	if (n != NULL)
		*n = done;
	return ret;
}
