/*
 * store_migrate.c — brings a store written by an older schema version
 * to this one (contract: store_int.h; the versions: store.h).
 *
 * store_open() calls store_migrate() when a writable open finds an older
 * version; the work runs in one write transaction, so a store is either
 * wholly migrated or not at all, and builds the derived databases with
 * the same functions the plays use (store_plays.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "store_int.h"

/* ---- migrations ------------------------------------------------------------
 *
 * A writable open of a store of an older schema version brings it to
 * this one in one write transaction: version 1 -> 2 builds the
 * aggregates and 3 -> 4 (2 -> 3 before it) the plays-by-track index,
 * both from one scan of the plays; version 3's own index ("trackplays",
 * one key per play) is then dropped, its pages freed; 4 -> 5 rewrites
 * every play with its previous play of the track (migrate_prev()); 5 ->
 * 6 builds the per-artist and per-album indexes and the per-entity day
 * counts (migrate_byent()) from one more scan; 6 -> 7 re-keys the
 * entities whose synthetic ids the new folding changes
 * (store_rekey.c).  The
 * transaction first reads the version again, so a second process that
 * opened the same old store at the same moment finds the work done and
 * repeats nothing.
 */
#define V3_TRACKPLAYS	"trackplays"	/* schema version 3's index */

struct migration {
	int64_t		 from;		/* the version the store had */
	uint64_t	 plays;		/* plays scanned */
	uint64_t	 rekeyed;	/* entities given new synthetic ids */
	uint64_t	 moved;		/* ... and their plays */
};

/*
 * Decodes the play at k into *p (with_prev as for store_dec_play()) and
 * the [U] its key starts with into *u.  Returns 0, or -1 (logged as
 * damaged) when the play does not decode.
 */
static int
migrate_dec_play(const MDB_val *k, const MDB_val *v, int with_prev,
    struct play *p, struct key *u)
{
	if (store_dec_play(k, v, p, with_prev) == -1) {
		store_damaged(DB_PLAYS, k, v);
		return -1;
	}
	/* store_dec_play() checked that k is [U] and 8 bytes. */
	u->len = 1 + (size_t)((const unsigned char *)k->mv_data)[0];
	memcpy(u->b, k->mv_data, u->len);
	return 0;
}

static int
scan_migrate(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct migration *m = ctx;
	struct play p;
	struct key uk, ik;

	/*
	 * Every play still has the layout of before version 5.
	 * store_agg_apply() appends the bucket to [U].
	 */
	if (migrate_dec_play(k, v, 0, &p, &uk) == -1)
		return -1;
	ik = uk;
	m->plays++;
	if (m->from < 2 && store_agg_apply(t, &uk, &p, 1) != STORE_OK)
		return -1;
	if (m->from < 4 && (key_id(&ik, p.track_id) == -1 ||
	    store_bytrack_put(t, &ik, p.played_at) != STORE_OK))
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

	if (store_dec_play(k, v, &p, 0) == -1 ||
	    key_tail_user(k, 8, user) == NULL) {
		store_damaged(DB_PLAYS, k, v);
		return -1;
	}
	if ((rc = store_prev_track_play(t, user, p.track_id, p.played_at,
	    &prev)) == STORE_ERR)
		return -1;
	if (store_enc_play(t, &p, rc == STORE_OK ? prev : PLAY_NO_PREV) == -1)
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
			if ((ret = store_db_put(t, DB_PLAYS, &k,
			    r + 2 + k.len + 4, vlen, 0)) != STORE_OK)
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

/*
 * Version 5 -> 6: the per-entity indexes (store_byentity.c), from one
 * scan of the plays (all in version 5's layout by then) and each play's
 * track as stored.
 */
static int
scan_byent(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct key uk;
	struct play p;

	(void)ctx;
	if (migrate_dec_play(k, v, 1, &p, &uk) == -1)
		return -1;
	return store_byent_play(t, &uk, &p, 1) == STORE_OK ? 0 : -1;
}

static int
migrate_byent(struct store_txn *t)
{
	int rc;

	if (store_byent_flush(t) != STORE_OK)
		return STORE_ERR;
	if ((rc = mdb_drop(t->txn, t->st->dbi[DB_PLAYSBYENTITY], 0)) != 0)
		return store_map_error(t, rc, "empty", DB_PLAYSBYENTITY);
	if ((rc = mdb_drop(t->txn, t->st->dbi[DB_ENTAGG], 0)) != 0)
		return store_map_error(t, rc, "empty", DB_ENTAGG);
	return store_scan(t, DB_PLAYS, NULL, NULL, STORE_ASC, scan_byent,
	    NULL);
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
	if (ver < 6 && migrate_byent(t) != STORE_OK)
		return -1;
	if (ver < 7 && store_rekey_synthetic(t, &m->rekeyed,
	    &m->moved) != STORE_OK)
		return -1;
	return store_put_meta_i64(t, META_SCHEMA, STORE_SCHEMA_VERSION) ==
	    STORE_OK ? 0 : -1;
}

/*
 * Brings a writable store of an older schema version to this one (see
 * "migrations").  One write transaction (repeated from scratch if the
 * map must grow).
 */
int
store_migrate(struct store *st, const char *path)
{
	struct migration m;

	memset(&m, 0, sizeof(m));
	log_info("store: %s: schema version %u -> %d: building %s", path,
	    st->schema_version, STORE_SCHEMA_VERSION,
	    st->schema_version < 2 ? "the aggregates, the plays-by-track "
	    "index, each play's previous play and the per-entity indexes" :
	    st->schema_version < 4 ? "the plays-by-track index, each "
	    "play's previous play and the per-entity indexes" :
	    st->schema_version < 5 ? "each play's previous play and the "
	    "per-entity indexes" : st->schema_version < 6 ?
	    "the per-entity indexes" : "new synthetic ids");
	if (store_write(st, store_migrate_fn, &m) != STORE_OK) {
		log_warnx("store: %s: migration failed", path);
		return STORE_ERR;
	}
	if (m.from < STORE_SCHEMA_VERSION)
		log_info("store: %s: migrated from version %lld (%llu plays; "
		    "%llu entities re-keyed, %llu of their plays moved)",
		    path, (long long)m.from, (unsigned long long)m.plays,
		    (unsigned long long)m.rekeyed,
		    (unsigned long long)m.moved);
	st->schema_version = STORE_SCHEMA_VERSION;
	return STORE_OK;
}
