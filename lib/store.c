/*
 * store.c — the store's LMDB machinery (contract: store.h).
 *
 * The environment and its databases, opening (and handing an old store
 * to the migrations), transactions and readers, growing the map and
 * retrying, the cursor cache, and the database primitives and ordered
 * scan the other store files build their records on.  It is the one
 * place that turns LMDB return codes into enum store_rc
 * (store_map_error()); the other store files (store_plays.c,
 * store_entities.c, store_records.c, store_migrate.c) share its structs
 * and helpers through the private store_int.h, where the layout of every
 * database is written down.  Values are encoded by codec.c (explicit,
 * bounds-checked, big-endian; never a memcpy of a struct).
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
#include "store_int.h"

#define MAXDBS		32		/* named databases, with headroom */
#define DEFAULT_MAP	((size_t)64 << 20)
#define GROW_MAX	16		/* map doublings per store_write */
#define RETRY_MAX	8		/* MAP_RESIZED / READERS_FULL retries */

/* The databases, one row per enum store_db (the columns: store_int.h). */
const struct store_dbdef store_dbs[DB__MAX] = {
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
	[DB_IMPORTS] =		{ "imports", 1, 0, 0 },
	[DB_IMPORTMARKS] =	{ "importmarks", 1, 1, 0 },
	[DB_PLAYSBYENTITY] =	{ "playsbyentity", 1, 1,
				  MDB_DUPSORT | MDB_DUPFIXED },
	[DB_ENTAGG] =		{ "entagg", 1, 1, 0 },
};

/*
 * The one mapping from LMDB return codes to enum store_rc.  Logs failures
 * with what was being done and where.  MDB_MAP_FULL is remembered in t
 * (store_write() then grows the map) and logged only at debug level, as
 * are the MDB_BAD_TXN errors that follow it inside the same transaction.
 */
int
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
void
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

/* ---- transactions and cursors ------------------------------------------- */

int
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
	store_byent_discard(t);		/* nothing pending from a rerun */
	store_agg_discard(t);
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
MDB_cursor *
store_cursor_acquire(struct store_txn *t, enum store_db db, int *tmp)
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

void
store_cursor_release(struct store_txn *t, enum store_db db, MDB_cursor *c,
    int tmp)
{
	if (tmp)
		mdb_cursor_close(c);
	else
		t->cur_busy &= ~(UINT32_C(1) << db);
}

int
store_walk_end(struct store_txn *t, enum store_db db, MDB_cursor *c,
    int tmp, int rc, int ret, const char *what)
{
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, what, db);
	store_cursor_release(t, db, c, tmp);
	return ret;
}

/* ---- database primitives ------------------------------------------------- */

int
store_db_get(struct store_txn *t, enum store_db db, const struct key *k,
    MDB_val *v)
{
	MDB_val mk = key_val(k);

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	return store_map_error(t, mdb_get(t->txn, t->st->dbi[db], &mk, v),
	    "get", db);
}

int
store_db_put(struct store_txn *t, enum store_db db, const struct key *k,
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

int
store_db_del(struct store_txn *t, enum store_db db, const struct key *k)
{
	MDB_val mk = key_val(k);

	if (store_txn_check(t) == -1)
		return STORE_ERR;
	return store_map_error(t, mdb_del(t->txn, t->st->dbi[db], &mk, NULL),
	    "delete", db);
}

/* Deletes one value of a key of a MDB_DUPSORT database. */
int
store_db_del_dup(struct store_txn *t, enum store_db db, const struct key *k,
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

/*
 * Calls fn for every key k of db with lo <= k <= hi (NULL: unbounded) in
 * dir order.  DESC positions at the first key >= hi and steps back when
 * it is past hi; when no key is >= hi it starts from the last key.
 */
int
store_scan(struct store_txn *t, enum store_db db, const struct key *lo,
    const struct key *hi, enum store_dir dir, store_scan_fn fn, void *ctx)
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
	if ((c = store_cursor_acquire(t, db, &tmp)) == NULL)
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
			goto release_cursor;
		}
		rc = mdb_cursor_get(c, &k, &v,
		    dir == STORE_ASC ? MDB_NEXT : MDB_PREV);
	}
release_cursor:
	return store_walk_end(t, db, c, tmp, rc, ret, "iterate");
}

/*
 * Deletes every key of db that starts with prefix (with all its values);
 * adds the count of keys to *n.
 */
int
store_del_prefix(struct store_txn *t, enum store_db db,
    const struct key *prefix, uint64_t *n)
{
	MDB_cursor *c;
	MDB_val k, v;
	unsigned all = store_dbs[db].flags & MDB_DUPSORT ? MDB_NODUPDATA : 0;
	int rc, tmp, ret = STORE_OK;

	/* Pending changes are the prefix's too. */
	if ((db == DB_ENTAGG || db == DB_PLAYSBYENTITY) &&
	    store_byent_flush(t) != STORE_OK)
		return STORE_ERR;
	if (db == DB_AGG && store_agg_flush(t) != STORE_OK)
		return STORE_ERR;
	if ((c = store_cursor_acquire(t, db, &tmp)) == NULL)
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
	return store_walk_end(t, db, c, tmp, rc, ret, "purge");
}

/* Encodes into t's scratch buffer; the encoder is ready to use. */
void
store_enc_begin(struct store_txn *t, struct enc *e)
{
	codec_enc_init(e, &t->scratch);
	codec_put_u8(e, VALUE_VERSION);
}

/* Starts decoding v; -1 when its version byte is not ours. */
int
store_dec_begin(struct dec *d, const MDB_val *v)
{
	codec_dec_init(d, v->mv_data, v->mv_size);
	return codec_get_u8(d) == VALUE_VERSION && !d->bad ? 0 : -1;
}

/* ---- records through their codec ----------------------------------------- */

int
store_rec_get(struct store_txn *t, const struct store_codec *c,
    const struct key *k, void *out)
{
	MDB_val mk, v;
	int rc;

	if ((rc = store_db_get(t, c->db, k, &v)) != STORE_OK)
		return rc;
	mk = key_val(k);
	if (c->dec(&mk, &v, out) == -1) {
		store_damaged(c->db, &mk, &v);
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_rec_encode(struct store_txn *t, const struct store_codec *c,
    const void *rec)
{
	struct enc e;

	if (store_txn_check(t) == -1)
		return -1;
	store_enc_begin(t, &e);
	if (c->enc(&e, rec) == -1 || codec_enc_end(&e) == -1) {
		log_warnx("store: put %s: %s", c->what, c->enc_err);
		return -1;
	}
	return 0;
}

int
store_rec_put(struct store_txn *t, const struct store_codec *c,
    const struct key *k, const void *rec)
{
	if (store_rec_encode(t, c, rec) == -1)
		return STORE_ERR;
	return store_db_put(t, c->db, k, t->scratch.data, t->scratch.len, 0);
}

/*
 * Hands a decoded record to the caller's typed callback: the record's
 * type follows from its database.
 */
static int
store_rec_call(enum store_db db, union store_each fn, const void *rec,
    void *arg)
{
	switch (db) {
	case DB_USERS:
		return fn.user(rec, arg);
	case DB_PLAYS:
		return fn.play(rec, arg);
	case DB_TRACKS:
		return fn.track(rec, arg);
	case DB_ARTISTS:
		return fn.artist(rec, arg);
	case DB_ALBUMS:
		return fn.album(rec, arg);
	case DB_PLAYLISTS:
		return fn.week(rec, arg);
	case DB_TOP:
		return fn.top(rec, arg);
	case DB_GAPS:
		return fn.gap(rec, arg);
	case DB_AGG:
		return fn.agg(rec, arg);
	case DB_SESSIONS:
		return fn.session(rec, arg);
	case DB_IMPORTS:
		return fn.import(rec, arg);
	default:
		log_warnx("store: %s: no record type", store_dbs[db].name);
		return -1;
	}
}

struct rec_iter {
	const struct store_codec *c;
	void		*rec;
	union store_each fn;
	void		*arg;
};

static int
scan_rec(struct store_txn *t, const MDB_val *k, const MDB_val *v, void *ctx)
{
	struct rec_iter *it = ctx;

	(void)t;
	if (it->c->dec(k, v, it->rec) == -1) {
		store_damaged(it->c->db, k, v);
		return -1;
	}
	return store_rec_call(it->c->db, it->fn, it->rec, it->arg);
}

int
store_rec_scan(struct store_txn *t, const struct store_codec *c,
    const struct key *lo, const struct key *hi, enum store_dir dir,
    void *rec, union store_each fn, void *arg)
{
	struct rec_iter it = { c, rec, fn, arg };

	return store_scan(t, c->db, lo, hi, dir, scan_rec, &it);
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
			goto abort_txn;
		}
		if (rc != 0) {
			(void)store_map_error(&t, rc, "open", db);
			goto abort_txn;
		}
	}
	rc = store_get_meta_i64(&t, META_SCHEMA, &ver);
	if (rc == STORE_NOTFOUND && !st->rdonly) {
		ver = STORE_SCHEMA_VERSION;
		if (store_put_meta_i64(&t, META_SCHEMA, ver) != STORE_OK)
			goto abort_txn;
	} else if (rc == STORE_NOTFOUND) {
		log_warnx("store: %s: no schema version: not a linernotes "
		    "store", path);
		goto abort_txn;
	} else if (rc != STORE_OK)
		goto abort_txn;
	if (ver > STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: written by a newer linernotes (schema "
		    "version %lld, this program knows up to %d)", path,
		    (long long)ver, STORE_SCHEMA_VERSION);
		goto abort_txn;
	}
	if (ver < 1) {
		log_warnx("store: %s: bad schema version %lld", path,
		    (long long)ver);
		goto abort_txn;
	}
	if (st->rdonly && ver < STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %lld; this program reads "
		    "version %d: start the collector once (it migrates the "
		    "store), then try again", path, (long long)ver,
		    STORE_SCHEMA_VERSION);
		goto abort_txn;
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
abort_txn:
	if (t.rdonly)
		store_close_cursors(&t);
	mdb_txn_abort(t.txn);
	store_txn_forget(&t);
	buf_free(&t.scratch);
	return STORE_ERR;
}

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

/*
 * Sets the map to from bytes doubled as often as it takes to hold need
 * bytes, the new size into *size (no txn of this process may be
 * active).  STORE_OK, or STORE_ERR (logged) when that size would pass
 * SIZE_MAX or LMDB refuses it.
 */
static int
store_map_double(struct store *st, size_t from, size_t need, size_t *size)
{
	int rc;

	for (*size = from; *size < need; *size *= 2)
		if (*size > SIZE_MAX / 2) {
			log_warnx("store: map cannot grow past %zu bytes",
			    *size);
			return STORE_ERR;
		}
	st->map = 0;			/* remapped: find it again */
	if ((rc = mdb_env_set_mapsize(st->env, *size)) != 0)
		return store_map_error(NULL, rc, "grow", -1);
	return STORE_OK;
}

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
	/* The map is whole pages: + 1 cannot wrap. */
	if (store_map_double(st, ei.me_mapsize, ei.me_mapsize + 1,
	    &size) != STORE_OK)
		return STORE_ERR;
	log_info("store: map full, grown to %zu bytes", size);
	return STORE_OK;
}

int
store_reserve(struct store *st, size_t bytes)
{
	struct store_info info;
	size_t size;

	if (st->rdonly || store_get_info(st, &info) != STORE_OK)
		return STORE_ERR;
	if (info.used + bytes <= info.map_size)
		return STORE_OK;
	if (store_remap_check(st) == -1 ||
	    store_map_double(st, info.map_size, info.used + bytes,
	    &size) != STORE_OK)
		return STORE_ERR;
	log_info("store: map grown to %zu bytes ahead of a write", size);
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
		/* What the aggregates and indexes hold back, applied last. */
		if (!t.map_full && frc == 0 && (store_agg_flush(&t) !=
		    STORE_OK || store_byent_flush(&t) != STORE_OK))
			frc = -1;
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
	store_byent_free(&t);
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
	store_byent_free(&t);
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
	store_byent_free(t);
	buf_free(&t->scratch);
	free(t);
}
