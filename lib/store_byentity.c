/*
 * store_byentity.c — what the store keeps of the plays per artist, per
 * album and per entity and day (contract: store.h, "the per-entity
 * indexes"; layout: store_int.h).
 *
 * Two databases, both derived from the plays and the tracks' records:
 *
 *  - playsbyentity: per user, artist or album, one sorted duplicate per
 *    play of any of its tracks (time, then track id), so an artist's or
 *    an album's story reads its plays with one seek, in time order, and
 *    knows each play's track without reading it;
 *  - entagg: per user, kind (track, artist, album, or the whole
 *    journal), UTC day and entity, the plays and listening time of that
 *    day, and under the day STORE_DAY_ALL the entity's totals, so a
 *    chart of a span reads one record per entity and day, and an
 *    all-time chart one per entity.
 *
 * A play counts for its track, for every distinct artist its track's
 * record credits (the first STORE_VIEW_ARTISTS) and for its album, as the
 * track's record says now; its listening time is ms_played when known,
 * else the record's duration (0 without a record).  store_put_play() and
 * store_del_play() call store_byent_play() in their transaction; and
 * since what a play counts for follows its track's record, a put or a
 * delete of a track whose album, artists or duration changed moves that
 * track's plays, of every user, from what the old record said to what
 * the new one says (store_byent_track_changed()), in the same
 * transaction.  So in every committed state both databases are exactly
 * a function of the plays and the tracks as stored: the unit tests
 * (tests/unit/lib_byentity.c) compare them with that function computed
 * naively.
 *
 * Writing.  A write transaction does not touch the two databases play by
 * play: what a play changes waits in memory (struct store_pend, hung on
 * the transaction) — entagg as one (plays, ms) delta per user, kind, day
 * and entity, playsbyentity as the list of its puts and deletes — and is
 * applied in key order by store_byent_flush(), which store_write() calls
 * just before it commits, inside the same transaction.  An import of a
 * year's plays then reads and writes each day's and each entity's record
 * once, not once per play, and walks both B-trees in order.  Whatever
 * reads or empties the two databases in a write transaction flushes
 * first (the readers below, store_del_prefix(), the migration), and the
 * pending writes are applied early when they grow past a bound, so
 * memory stays a few MB.  A transaction that aborts, or is run again
 * after the map was grown, begins with nothing pending
 * (store_byent_discard() at every begin).  The same structure caches the
 * tracks' views for the transaction; store_byent_track_changed(), which
 * every put and delete of a track calls, keeps it true.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "hash.h"
#include "idtab.h"
#include "log.h"
#include "radix.h"
#include "schema.h"
#include "store.h"
#include "store_int.h"

#define DAY_MS		INT64_C(86400000)
#define ENTAGG_VLEN	(1 + 4 + 8)	/* version, u32 plays, u64 ms */
#define BYENT_VLEN	(8 + ID_LEN)	/* be64 played_at, track id */

/* The id the journal's own records carry in entagg. */
static const char journal_id[ID_LEN + 1] = "0000000000000000000000";

/* ---- what a write transaction has not applied yet ---------------------- */

#define PEND_USERS	8		/* users per flush */
#define AGG_MAX		(1u << 15)	/* entagg deltas per flush */
#define AGG_SLOTS	(2 * AGG_MAX)	/* a power of two */
#define OPS_MAX		(1u << 15)	/* playsbyentity changes per flush (1.4 MB) */
#define VIEW_MAX	(1u << 14)	/* tracks' views cached */
#define VIEW_ARTISTS	4		/* a view with more is not cached */
#define FLUSH_RELEASE	256		/* records between store_release_pages() */
#define FLUSH_AHEAD	8		/* records prefetched ahead, in key order */

/* A (plays, ms) delta of entagg's record [U] kind day id. */
struct pend_agg {
	uint32_t	 ent1;		/* 1 + index in ents; 0: empty slot */
	int32_t		 day;
	uint8_t		 user, kind;
	int32_t		 plays;
	int64_t		 ms;
};

/* A put (sign 1) or delete (-1) of playsbyentity's [U] kind id: v. */
struct pend_op {
	uint32_t	 seq;		/* order among the ops */
	uint32_t	 ent;		/* index in ents */
	uint8_t		 user, kind;
	int8_t		 sign;
	unsigned char	 v[BYENT_VLEN];
};

/* A track's view, compact. */
struct pend_view {
	uint32_t	 duration;
	uint8_t		 n_artists;
	uint8_t		 cached;	/* 0: look it up in the store */
	char		 album[ID_LEN];	/* all '\0': none */
	char		 artists[VIEW_ARTISTS][ID_LEN];
};

struct store_pend {
	struct key	 users[PEND_USERS];	/* their [U] */
	unsigned	 n_users;
	struct idtab	 ents;		/* entity ids of aggs and ops */
	struct pend_agg	*agg;		/* AGG_SLOTS slots */
	uint32_t	 n_agg;
	struct pend_op	*ops;
	uint32_t	 n_ops;
	struct idtab	 tracks;	/* the views' track ids */
	struct pend_view *views;	/* by index in tracks */
	int		 flushing;
};

void
store_byent_discard(struct store_txn *t)
{
	struct store_pend *pd = t->pend;

	if (pd == NULL)
		return;
	pd->n_users = 0;
	idtab_free(&pd->ents);
	if (pd->n_agg > 0)
		memset(pd->agg, 0, AGG_SLOTS * sizeof(*pd->agg));
	pd->n_agg = pd->n_ops = 0;
	idtab_free(&pd->tracks);
}

void
store_byent_free(struct store_txn *t)
{
	struct store_pend *pd = t->pend;

	if (pd == NULL)
		return;
	store_byent_discard(t);
	free(pd->agg);
	free(pd->ops);
	free(pd->views);
	free(pd);
	t->pend = NULL;
}

/* t's pending state, made on first use; NULL (logged) without memory. */
static struct store_pend *
pend_of(struct store_txn *t)
{
	struct store_pend *pd;

	if (t->pend != NULL)
		return t->pend;
	if ((pd = calloc(1, sizeof(*pd))) == NULL ||
	    (pd->agg = calloc(AGG_SLOTS, sizeof(*pd->agg))) == NULL ||
	    (pd->ops = calloc(OPS_MAX, sizeof(*pd->ops))) == NULL ||
	    (pd->views = calloc(VIEW_MAX, sizeof(*pd->views))) == NULL) {
		if (pd != NULL) {
			free(pd->agg);
			free(pd->ops);
		}
		free(pd);
		log_warnx("store: per-entity indexes: out of memory");
		return NULL;
	}
	t->pend = pd;
	return pd;
}

/* ---- what a track's record says a play counts for ------------------------ */

void
store_track_view_of(const struct track *tr, struct track_view *v)
{
	char id[ID_LEN + 1];
	uint32_t i, k;

	memset(v, 0, sizeof(*v));
	if (tr == NULL)
		return;
	v->duration = tr->duration_ms;
	if (strnlen(tr->album_id, ID_LEN + 1) == ID_LEN)
		memcpy(v->album, tr->album_id, ID_LEN + 1);
	for (i = 0; i < tr->artists.n && v->n_artists < STORE_VIEW_ARTISTS;
	    i++) {
		idlist_get(&tr->artists, i, id);
		for (k = 0; k < v->n_artists; k++)
			if (memcmp(v->artists[k], id, ID_LEN) == 0)
				break;
		if (k == v->n_artists)
			memcpy(v->artists[v->n_artists++], id, ID_LEN + 1);
	}
}

/*
 * The cache of a write transaction's views: id's view (NULL when it is
 * not cached), or remembers v as id's.
 */
static const struct pend_view *
view_cached(struct store_txn *t, const char *id)
{
	uint32_t i;

	if (t->pend == NULL || strnlen(id, ID_LEN + 1) != ID_LEN ||
	    idtab_get(&t->pend->tracks, id, 0, &i) != 1 ||
	    !t->pend->views[i].cached)
		return NULL;
	return &t->pend->views[i];
}

static void
view_remember(struct store_txn *t, const char *id, const struct track_view *v)
{
	struct store_pend *pd;
	struct pend_view *c;
	uint32_t i, k;

	if (t->rdonly || strnlen(id, ID_LEN + 1) != ID_LEN ||
	    (pd = pend_of(t)) == NULL)
		return;
	if (pd->tracks.n >= VIEW_MAX && idtab_get(&pd->tracks, id, 0, &i) != 1)
		idtab_free(&pd->tracks);	/* full: start again */
	if (idtab_get(&pd->tracks, id, 1, &i) == -1)
		return;
	c = &pd->views[i];
	memset(c, 0, sizeof(*c));
	if ((c->cached = v->n_artists <= VIEW_ARTISTS) == 0)
		return;
	c->duration = v->duration;
	c->n_artists = (uint8_t)v->n_artists;
	memcpy(c->album, v->album, ID_LEN);
	for (k = 0; k < v->n_artists; k++)
		memcpy(c->artists[k], v->artists[k], ID_LEN);
}

int
store_track_view(struct store_txn *t, const char *track_id,
    struct track_view *v)
{
	const struct pend_view *c;
	struct track tr;
	uint32_t k;
	int rc;

	if ((c = view_cached(t, track_id)) != NULL) {
		memset(v, 0, sizeof(*v));
		v->duration = c->duration;
		v->n_artists = c->n_artists;
		memcpy(v->album, c->album, ID_LEN);
		for (k = 0; k < c->n_artists; k++)
			memcpy(v->artists[k], c->artists[k], ID_LEN);
		return STORE_OK;
	}
	rc = store_get_track(t, track_id, &tr);
	if (rc == STORE_ERR)
		return STORE_ERR;
	store_track_view_of(rc == STORE_OK ? &tr : NULL, v);
	view_remember(t, track_id, v);
	return STORE_OK;
}

static int
views_load_fn(size_t i, const struct track *tr, void *arg)
{
	struct track_view v;

	(void)i;
	store_track_view_of(tr, &v);
	view_remember(arg, tr->id, &v);
	return 0;
}

int
store_track_views_load(struct store_txn *t, const char *const *ids,
    size_t n)
{
	struct store_pend *pd;
	char (*buf)[ID_LEN];
	const char **sorted;
	uint32_t *idx, k;
	size_t i, m, u, room;
	int rc = STORE_ERR;

	if (t->rdonly || n == 0)
		return STORE_OK;
	if ((pd = pend_of(t)) == NULL)
		return STORE_ERR;
	buf = reallocarray(NULL, n, sizeof(*buf));
	idx = reallocarray(NULL, n, sizeof(*idx));
	sorted = reallocarray(NULL, n, sizeof(*sorted));
	if (buf == NULL || idx == NULL || sorted == NULL)
		goto nomem;
	for (i = m = 0; i < n; i++)
		if (strnlen(ids[i], ID_LEN + 1) == ID_LEN &&
		    idtab_get(&pd->tracks, ids[i], 0, &k) != 1) {
			memcpy(buf[m], ids[i], ID_LEN);
			idx[m] = (uint32_t)m;
			m++;
		}
	if (radix_order_ids((const char (*)[ID_LEN])buf, idx, m) == -1)
		goto nomem;
	/* Each once, and no more than the cache holds without starting again. */
	room = VIEW_MAX - pd->tracks.n;
	for (i = u = 0; i < m && u < room; i++)
		if (u == 0 || memcmp(sorted[u - 1], buf[idx[i]], ID_LEN) != 0)
			sorted[u++] = buf[idx[i]];
	/* The map's pages given back as it goes, as in the flush. */
	for (i = 0, rc = STORE_OK; i < u && rc == STORE_OK; i += FLUSH_RELEASE) {
		rc = store_get_tracks(t, sorted + i, u - i < FLUSH_RELEASE ?
		    u - i : FLUSH_RELEASE, views_load_fn, t);
		(void)store_release_pages(t->st);
	}
	goto done;
nomem:
	log_warnx("store: the tracks' views: out of memory");
done:
	free(buf);
	free(idx);
	free(sorted);
	return rc;
}

static int
view_equal(const struct track_view *a, const struct track_view *b)
{
	return a->duration == b->duration && a->n_artists == b->n_artists &&
	    strcmp(a->album, b->album) == 0 && memcmp(a->artists, b->artists,
	    sizeof(a->artists[0]) * a->n_artists) == 0;
}

/* ---- keys --------------------------------------------------------------- */

/* The UTC day of t, clamped below STORE_DAY_ALL. */
static int32_t
utc_day(int64_t t)
{
	int64_t d = t / DAY_MS;

	if (t % DAY_MS < 0)
		d--;
	if (d < INT32_MIN)
		d = INT32_MIN;
	if (d >= STORE_DAY_ALL)
		d = STORE_DAY_ALL - 1;
	return (int32_t)d;
}

/* k = [U] u8 kind be32 day id. */
static void
key_entagg(struct key *k, size_t ulen, unsigned kind, int32_t day,
    const char *id)
{
	k->len = ulen;
	key_u8(k, (uint8_t)kind);
	key_be32(k, codec_bias32(day));
	memcpy(k->b + k->len, id, ID_LEN);
	k->len += ID_LEN;
}

/* k = [U] u8 kind id. */
static void
key_byent(struct key *k, size_t ulen, unsigned kind, const char *id)
{
	k->len = ulen;
	key_u8(k, (uint8_t)kind);
	memcpy(k->b + k->len, id, ID_LEN);
	k->len += ID_LEN;
}

/* ---- applying what is pending ------------------------------------------- */

static const char *
ent_id(const struct store_pend *pd, uint32_t i)
{
	return pd->ents.id[i];
}

/*
 * Key order: user, kind, day, id (the users' order is any: each is one
 * seek).  The ids are compared by their rank among the pending ones,
 * sorted once per flush, and each delta's and each op's place in that
 * order packed into a 64-bit key, radix sorted: user (3 bits), kind (3),
 * then for a delta its day (32, biased) and for both the id's rank (26).
 */
_Static_assert(PEND_USERS <= 8 && STORE_KIND_JOURNAL < 8 &&
    ENTITY__MAX < 8 && AGG_MAX + OPS_MAX < (1u << 26),
    "the flush's sort keys have no room");

static uint64_t
sort_key(unsigned user, unsigned kind, uint32_t rank)
{
	return (uint64_t)user << 61 | (uint64_t)kind << 58 | rank;
}

/* An op's value, then the order the ops were made (qsort_r: the ops). */
static int
op_v_cmp(const void *x, const void *y, void *ops)
{
	const struct pend_op *a = &((const struct pend_op *)ops)[
	    *(const uint32_t *)x];
	const struct pend_op *b = &((const struct pend_op *)ops)[
	    *(const uint32_t *)y];
	int c;

	if ((c = memcmp(a->v, b->v, BYENT_VLEN)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * The order of the pending deltas (the first n of pd->agg) and ops in
 * agg_ord[] and op_ord[] (malloc'd in one block, *agg_ord first); -1
 * (logged): no memory.
 */
static int
pend_order(const struct store_pend *pd, uint32_t n, uint32_t **agg_ord,
    uint32_t **op_ord)
{
	const struct pend_agg *a;
	const struct pend_op *o;
	uint64_t *key;
	uint32_t *rank, *vtmp, i, s, m = n > pd->n_ops ? n : pd->n_ops;
	uint32_t ne = (uint32_t)pd->ents.n;

	*agg_ord = malloc(((size_t)n + pd->n_ops + 1) * sizeof(uint32_t));
	key = malloc(2 * ((size_t)m + 1) * sizeof(*key));
	rank = malloc(((size_t)ne + 1) * sizeof(*rank));
	vtmp = malloc(((size_t)(m > ne ? m : ne) + 1) * sizeof(*vtmp));
	if (*agg_ord == NULL || key == NULL || rank == NULL || vtmp == NULL)
		goto fail;
	*op_ord = *agg_ord + n;
	/* rank[e]: the id of ents' index e among the others, in key order. */
	for (i = 0; i < ne; i++)
		vtmp[i] = i;
	if (radix_order_ids((const char (*)[ID_LEN])pd->ents.id, vtmp, ne) ==
	    -1)
		goto fail;
	for (i = 0; i < ne; i++)
		rank[vtmp[i]] = i;
	for (i = 0; i < n; i++) {
		a = &pd->agg[i];
		key[i] = sort_key(a->user, a->kind, rank[a->ent1 - 1]) |
		    (uint64_t)codec_bias32(a->day) << 26;
		(*agg_ord)[i] = i;
	}
	radix_sort64(key, *agg_ord, key + m + 1, vtmp, n);
	/* The ops: by entry, each entry's in the order they were made ... */
	for (i = 0; i < pd->n_ops; i++) {
		o = &pd->ops[i];
		key[i] = sort_key(o->user, o->kind, rank[o->ent]);
		(*op_ord)[i] = i;
	}
	radix_sort64(key, *op_ord, key + m + 1, vtmp, pd->n_ops);
	/* ... then by value (most often so already: plays come in time). */
	for (s = 0; s < pd->n_ops; s = i) {
		int sorted = 1;

		for (i = s + 1; i < pd->n_ops && key[i] == key[s]; i++)
			if (sorted && op_v_cmp(&(*op_ord)[i - 1], &(*op_ord)[i],
			    pd->ops) > 0)
				sorted = 0;
		if (!sorted)
			qsort_r(*op_ord + s, i - s, sizeof(uint32_t), op_v_cmp,
			    pd->ops);
	}
	free(key);
	free(rank);
	free(vtmp);
	return 0;
fail:
	free(*agg_ord);
	free(key);
	free(rank);
	free(vtmp);
	log_warnx("store: per-entity indexes: out of memory");
	return -1;
}

/* Applies one delta to its record (c: a cursor on entagg). */
static int
agg_apply(struct store_txn *t, MDB_cursor *c, const struct key *k,
    const struct pend_agg *a)
{
	unsigned char v[ENTAGG_VLEN];
	const unsigned char *p;
	int64_t plays = 0, sum = 0;
	MDB_val mk = key_val(k), mv;
	int rc, found;

	rc = mdb_cursor_get(c, &mk, &mv, MDB_SET_KEY);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return store_map_error(t, rc, "get", DB_ENTAGG);
	if ((found = rc == MDB_SUCCESS)) {
		p = mv.mv_data;
		if (mv.mv_size != ENTAGG_VLEN || p[0] != VALUE_VERSION) {
			store_damaged(DB_ENTAGG, &mk, &mv);
			return STORE_ERR;
		}
		plays = (int64_t)codec_be32_get(p + 1);
		sum = (int64_t)codec_be64_get(p + 5);
	}
	plays += a->plays;
	sum += a->ms;
	if (plays < 0)
		log_warnx("store: entagg: deleting from an empty record");
	mk = key_val(k);
	if (plays <= 0)
		rc = found ? mdb_cursor_del(c, 0) : MDB_SUCCESS;
	else {
		v[0] = VALUE_VERSION;
		codec_be32_put(v + 1, (uint32_t)plays);
		codec_be64_put(v + 5, sum > 0 ? (uint64_t)sum : 0);
		mv.mv_size = sizeof(v);
		mv.mv_data = v;
		rc = mdb_cursor_put(c, &mk, &mv, found ? MDB_CURRENT : 0);
	}
	return store_map_error(t, rc, plays <= 0 ? "delete" : "put",
	    DB_ENTAGG);
}

/* Applies one put or delete of playsbyentity (c: a cursor on it). */
static int
op_apply(struct store_txn *t, MDB_cursor *c, const struct key *k,
    const struct pend_op *o)
{
	MDB_val mk = key_val(k), mv;
	unsigned char v[BYENT_VLEN];
	int rc;

	memcpy(v, o->v, sizeof(v));
	mv.mv_size = sizeof(v);
	mv.mv_data = v;
	if (o->sign > 0)
		return store_map_error(t, mdb_cursor_put(c, &mk, &mv, 0),
		    "put", DB_PLAYSBYENTITY);
	rc = mdb_cursor_get(c, &mk, &mv, MDB_GET_BOTH);
	if (rc == MDB_NOTFOUND) {
		log_warnx("store: playsbyentity: no entry for a play");
		return STORE_OK;
	}
	if (rc == MDB_SUCCESS)
		rc = mdb_cursor_del(c, 0);
	return store_map_error(t, rc, "delete", DB_PLAYSBYENTITY);
}

int
store_byent_flush(struct store_txn *t)
{
	struct store_pend *pd = t->pend;
	struct pend_agg *a;
	struct key k;
	MDB_cursor *c;
	uint32_t i, n, *agg_ord, *op_ord;
	int tmp, ret = STORE_OK;

	if (pd == NULL || pd->flushing || (pd->n_agg == 0 && pd->n_ops == 0))
		return STORE_OK;
	pd->flushing = 1;
	/* The deltas, gathered to the front of the table, in key order. */
	for (i = n = 0; i < AGG_SLOTS; i++)
		if (pd->agg[i].ent1 != 0 &&
		    (pd->agg[i].plays != 0 || pd->agg[i].ms != 0))
			pd->agg[n++] = pd->agg[i];
	if (pend_order(pd, n, &agg_ord, &op_ord) == -1) {
		pd->flushing = 0;
		return STORE_ERR;
	}
	if (n > 0 && (c = store_cursor_acquire(t, DB_ENTAGG, &tmp)) != NULL) {
		for (i = 0; i < n && ret == STORE_OK; i++) {
			a = &pd->agg[agg_ord[i]];
			if (i + FLUSH_AHEAD < n)
				__builtin_prefetch(&pd->agg[agg_ord[i +
				    FLUSH_AHEAD]]);
			key_entagg(&k, pd->users[a->user].len, a->kind, a->day,
			    ent_id(pd, a->ent1 - 1));
			memcpy(k.b, pd->users[a->user].b,
			    pd->users[a->user].len);
			ret = agg_apply(t, c, &k, a);
			if (i % FLUSH_RELEASE == FLUSH_RELEASE - 1)
				(void)store_release_pages(t->st);
		}
		store_cursor_release(t, DB_ENTAGG, c, tmp);
	} else if (n > 0)
		ret = STORE_ERR;
	/* The puts and deletes, each entry's in the order they were made. */
	if (ret == STORE_OK && pd->n_ops > 0) {
		if ((c = store_cursor_acquire(t, DB_PLAYSBYENTITY, &tmp)) ==
		    NULL)
			ret = STORE_ERR;
		for (i = 0; c != NULL && i < pd->n_ops && ret == STORE_OK;
		    i++) {
			const struct pend_op *o = &pd->ops[op_ord[i]];

			if (i + FLUSH_AHEAD < pd->n_ops)
				__builtin_prefetch(&pd->ops[op_ord[i +
				    FLUSH_AHEAD]]);

			key_byent(&k, pd->users[o->user].len, o->kind,
			    ent_id(pd, o->ent));
			memcpy(k.b, pd->users[o->user].b,
			    pd->users[o->user].len);
			ret = op_apply(t, c, &k, o);
			if (i % FLUSH_RELEASE == FLUSH_RELEASE - 1)
				(void)store_release_pages(t->st);
		}
		if (c != NULL)
			store_cursor_release(t, DB_PLAYSBYENTITY, c, tmp);
	}
	free(agg_ord);
	/* Applied (or the transaction fails): nothing is pending. */
	pd->n_users = 0;
	idtab_free(&pd->ents);
	memset(pd->agg, 0, AGG_SLOTS * sizeof(*pd->agg));
	pd->n_agg = pd->n_ops = 0;
	pd->flushing = 0;
	return ret;
}

/* ---- recording what a play changes --------------------------------------- */

/*
 * The index of user [U] u and of entity id among pd's (flushing first
 * when pd is full).  -1 (logged) on failure.
 */
static int
pend_room(struct store_txn *t, struct store_pend **pdp, const struct key *u)
{
	struct store_pend *pd;
	unsigned i;

	if ((pd = pend_of(t)) == NULL)
		return -1;
	*pdp = pd;
	if (pd->n_agg + 2 * (STORE_VIEW_ARTISTS + 3) > AGG_MAX ||
	    pd->n_ops + STORE_VIEW_ARTISTS + 1 > OPS_MAX)
		if (store_byent_flush(t) != STORE_OK)
			return -1;
	for (i = 0; i < pd->n_users; i++)
		if (pd->users[i].len == u->len &&
		    memcmp(pd->users[i].b, u->b, u->len) == 0)
			return (int)i;
	if (pd->n_users == PEND_USERS && store_byent_flush(t) != STORE_OK)
		return -1;
	pd->users[pd->n_users] = *u;
	return (int)pd->n_users++;
}

static int
pend_ent(struct store_pend *pd, const char *id, uint32_t *ent)
{
	return idtab_get(&pd->ents, id, 1, ent) == -1 ? -1 : 0;
}

/* Adds sign * (1 play, ms) to kind/ent's delta of day. */
static void
pend_agg_add(struct store_pend *pd, unsigned user, unsigned kind,
    int32_t day, uint32_t ent, uint64_t ms, int sign)
{
	struct pend_agg *a;
	uint64_t h;
	uint32_t i;

	h = hash_mix(((uint64_t)ent << 32) ^ ((uint64_t)(uint32_t)day << 4) ^
	    ((uint64_t)kind << 1) ^ ((uint64_t)user << 36));
	for (i = (uint32_t)h & (AGG_SLOTS - 1);; i = (i + 1) & (AGG_SLOTS - 1)) {
		a = &pd->agg[i];
		if (a->ent1 == 0) {
			a->ent1 = ent + 1;
			a->day = day;
			a->user = (uint8_t)user;
			a->kind = (uint8_t)kind;
			pd->n_agg++;
			break;
		}
		if (a->ent1 == ent + 1 && a->day == day && a->user == user &&
		    a->kind == kind)
			break;
	}
	a->plays += sign;
	a->ms += sign * (int64_t)ms;
}

/* Adds or removes one play to or from kind/id's day and total. */
static int
entagg_apply(struct store_pend *pd, unsigned user, unsigned kind,
    const char *id, int32_t day, uint64_t ms, int sign)
{
	uint32_t ent;

	if (pend_ent(pd, id, &ent) == -1)
		return STORE_ERR;
	pend_agg_add(pd, user, kind, day, ent, ms, sign);
	pend_agg_add(pd, user, kind, STORE_DAY_ALL, ent, ms, sign);
	return STORE_OK;
}

/* Adds or removes the play (at, track) under kind/id in playsbyentity. */
static int
byent_apply(struct store_pend *pd, unsigned user, unsigned kind,
    const char *id, int64_t at, const char *track, int sign)
{
	struct pend_op *o = &pd->ops[pd->n_ops];

	if (pend_ent(pd, id, &o->ent) == -1)
		return STORE_ERR;
	o->seq = pd->n_ops++;
	o->user = (uint8_t)user;
	o->kind = (uint8_t)kind;
	o->sign = (int8_t)sign;
	codec_be64_put(o->v, codec_bias64(at));
	memcpy(o->v + 8, track, ID_LEN);
	return STORE_OK;
}

/*
 * Adds (sign 1) or removes (sign -1) the play of track at at, with
 * ms_played, as the view v has it; u is the key prefix [U].
 */
static int
byent_count(struct store_txn *t, const struct key *u, int64_t at,
    const char *track, int32_t ms_played, const struct track_view *v,
    int sign)
{
	struct store_pend *pd;
	uint64_t ms = ms_played >= 0 ? (uint64_t)ms_played : v->duration;
	int32_t day = utc_day(at);
	uint32_t i;
	int user;

	if ((user = pend_room(t, &pd, u)) == -1)
		return STORE_ERR;
	if (entagg_apply(pd, (unsigned)user, STORE_KIND_JOURNAL, journal_id,
	    day, ms, sign) != STORE_OK ||
	    entagg_apply(pd, (unsigned)user, ENTITY_TRACK, track, day, ms,
	    sign) != STORE_OK)
		return STORE_ERR;
	for (i = 0; i < v->n_artists; i++)
		if (entagg_apply(pd, (unsigned)user, ENTITY_ARTIST,
		    v->artists[i], day, ms, sign) != STORE_OK ||
		    byent_apply(pd, (unsigned)user, ENTITY_ARTIST,
		    v->artists[i], at, track, sign) != STORE_OK)
			return STORE_ERR;
	if (v->album[0] != '\0' && (entagg_apply(pd, (unsigned)user,
	    ENTITY_ALBUM, v->album, day, ms, sign) != STORE_OK ||
	    byent_apply(pd, (unsigned)user, ENTITY_ALBUM, v->album, at, track,
	    sign) != STORE_OK))
		return STORE_ERR;
	return STORE_OK;
}

int
store_byent_play(struct store_txn *t, const struct key *u,
    const struct play *p, int sign)
{
	struct track_view v;

	if (store_track_view(t, p->track_id, &v) != STORE_OK)
		return STORE_ERR;
	return byent_count(t, u, p->played_at, p->track_id, p->ms_played, &v,
	    sign);
}

/* ---- every user's plays of one track ------------------------------------ */

static int
time_add(int64_t at, void *arg)
{
	return buf_add(arg, &at, sizeof(at));
}

/*
 * The [U] prefixes of every user with a key in playsbytrack (whoever has
 * plays) appended to us as struct key: one seek per user, past all of
 * the user's tracks.
 */
static int
bytrack_users(struct store_txn *t, struct buf *us)
{
	struct key k;
	MDB_cursor *c;
	MDB_val mk, mv;
	int rc, tmp, ret = STORE_OK;

	if ((c = store_cursor_acquire(t, DB_PLAYSBYTRACK, &tmp)) == NULL)
		return STORE_ERR;
	rc = mdb_cursor_get(c, &mk, &mv, MDB_FIRST);
	while (rc == MDB_SUCCESS) {
		const unsigned char *p = mk.mv_data;

		if (mk.mv_size < 1 || mk.mv_size < 1 + (size_t)p[0]) {
			store_damaged(DB_PLAYSBYTRACK, &mk, &mv);
			ret = STORE_ERR;
			break;
		}
		memcpy(k.b, p, 1 + (size_t)p[0]);
		k.len = 1 + (size_t)p[0];
		if (buf_add(us, &k, sizeof(k)) == -1) {
			ret = STORE_ERR;
			break;
		}
		/* Past every key of this user: [U] and ID_LEN + 1 0xff. */
		key_fill(&k, 0xff, ID_LEN + 1);
		mk = key_val(&k);
		rc = mdb_cursor_get(c, &mk, &mv, MDB_SET_RANGE);
	}
	if (ret == STORE_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "iterate", DB_PLAYSBYTRACK);
	store_cursor_release(t, DB_PLAYSBYTRACK, c, tmp);
	return ret;
}

int
store_track_plays_each(struct store_txn *t, const char *id,
    int (*fn)(struct store_txn *, const struct key *u, const char *user,
    const struct play *, void *), void *arg)
{
	struct buf us = BUF_INIT, ts = BUF_INIT;
	const struct key *u;
	const int64_t *at;
	char user[USER_ID_MAX + 1];
	struct play p;
	size_t i, k, nu, nt;
	int rc, ret = STORE_ERR;

	if (bytrack_users(t, &us) != STORE_OK)
		goto free;
	nu = us.len / sizeof(*u);
	for (i = 0; i < nu; i++) {
		u = (const struct key *)(const void *)us.data + i;
		memcpy(user, u->b + 1, u->b[0]);
		user[u->b[0]] = '\0';
		buf_reset(&ts);
		if (store_iter_track_times(t, user, id, INT64_MIN, INT64_MAX,
		    STORE_ASC, time_add, &ts) != STORE_OK)
			goto free;
		/* Times first, then the plays: fn may write. */
		nt = ts.len / sizeof(*at);
		at = (const int64_t *)(const void *)ts.data;
		for (k = 0; k < nt; k++) {
			if ((rc = store_get_play(t, user, at[k], &p)) ==
			    STORE_ERR)
				goto free;
			if (rc == STORE_OK && fn(t, u, user, &p, arg) !=
			    STORE_OK)
				goto free;
		}
	}
	ret = STORE_OK;
free:
	buf_free(&us);
	buf_free(&ts);
	return ret;
}

/* ---- a track's record changed ------------------------------------------- */

struct views {
	const struct track_view *old, *nw;
};

static int
move_play(struct store_txn *t, const struct key *u, const char *user,
    const struct play *p, void *arg)
{
	const struct views *v = arg;

	(void)user;
	if (byent_count(t, u, p->played_at, p->track_id, p->ms_played,
	    v->old, -1) != STORE_OK)
		return STORE_ERR;
	return byent_count(t, u, p->played_at, p->track_id, p->ms_played,
	    v->nw, 1);
}

int
store_byent_track_changed(struct store_txn *t, const char *id,
    const struct track_view *old, const struct track_view *nw)
{
	struct views v = { old, nw };

	view_remember(t, id, nw);
	if (view_equal(old, nw))
		return STORE_OK;
	return store_track_plays_each(t, id, move_play, &v);
}

/* ---- reading ------------------------------------------------------------- */

struct byent_iter {
	int	(*fn)(int64_t, const char *, void *);
	void	*arg;
};

static int
byent_value(const MDB_val *k, const MDB_val *v, void *ctx)
{
	struct byent_iter *it = ctx;
	char track[ID_LEN + 1];

	if (v->mv_size != BYENT_VLEN) {
		store_damaged(DB_PLAYSBYENTITY, k, v);
		return -1;
	}
	memcpy(track, (const char *)v->mv_data + 8, ID_LEN);
	track[ID_LEN] = '\0';
	return it->fn(codec_unbias64(codec_be64_get(v->mv_data)), track,
	    it->arg);
}

int
store_iter_entity_plays(struct store_txn *t, const char *user,
    enum entity_kind kind, const char *id, int64_t from_ms, int64_t to_ms,
    enum store_dir dir, int (*fn)(int64_t, const char *, void *), void *arg)
{
	struct byent_iter it = { fn, arg };
	struct key k;

	if ((kind != ENTITY_ARTIST && kind != ENTITY_ALBUM) ||
	    key_user(&k, user) == -1)
		return STORE_OK;
	key_u8(&k, (uint8_t)kind);
	if (key_id(&k, id) == -1)
		return STORE_OK;
	if (store_byent_flush(t) != STORE_OK)
		return STORE_ERR;
	return store_dup_scan(t, DB_PLAYSBYENTITY, &k, BYENT_VLEN, from_ms,
	    to_ms, dir, byent_value, &it);
}

struct tally_iter {
	int	(*fn)(const struct entity_tally *, void *);
	void	*arg;
};

static int
scan_tally(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct tally_iter *it = ctx;
	struct entity_tally e;
	const unsigned char *tail, *p = v->mv_data;

	(void)t;
	if ((tail = key_tail(k, 1 + 4 + ID_LEN)) == NULL ||
	    v->mv_size != ENTAGG_VLEN || p[0] != VALUE_VERSION) {
		store_damaged(DB_ENTAGG, k, v);
		return -1;
	}
	e.day = (int32_t)codec_unbias32(codec_be32_get(tail + 1));
	e.id = (const char *)tail + 5;
	e.plays = codec_be32_get(p + 1);
	e.ms = codec_be64_get(p + 5);
	return it->fn(&e, it->arg);
}

int
store_iter_entity_days(struct store_txn *t, const char *user, unsigned kind,
    int32_t from_day, int32_t to_day,
    int (*fn)(const struct entity_tally *, void *), void *arg)
{
	struct tally_iter it = { fn, arg };
	struct key lo, hi;

	if (kind > STORE_KIND_JOURNAL || from_day > to_day ||
	    key_user(&lo, user) == -1)
		return STORE_OK;
	key_u8(&lo, (uint8_t)kind);
	hi = lo;
	key_be32(&lo, codec_bias32(from_day));
	key_be32(&hi, codec_bias32(to_day));
	key_fill(&hi, 0xff, ID_LEN);
	if (store_byent_flush(t) != STORE_OK)
		return STORE_ERR;
	return store_scan(t, DB_ENTAGG, &lo, &hi, STORE_ASC, scan_tally, &it);
}

int
store_get_entity_total(struct store_txn *t, const char *user, unsigned kind,
    const char *id, uint64_t *plays, uint64_t *ms)
{
	struct key k;
	MDB_val v;
	const unsigned char *p;
	int rc;

	*plays = *ms = 0;
	if (kind > STORE_KIND_JOURNAL || key_user(&k, user) == -1)
		return STORE_NOTFOUND;
	if (kind == STORE_KIND_JOURNAL)
		id = journal_id;
	else if (id == NULL || strnlen(id, ID_LEN + 1) != ID_LEN)
		return STORE_NOTFOUND;
	key_entagg(&k, k.len, kind, STORE_DAY_ALL, id);
	if (store_byent_flush(t) != STORE_OK)
		return STORE_ERR;
	if ((rc = store_db_get(t, DB_ENTAGG, &k, &v)) != STORE_OK)
		return rc;
	p = v.mv_data;
	if (v.mv_size != ENTAGG_VLEN || p[0] != VALUE_VERSION) {
		MDB_val mk = key_val(&k);

		store_damaged(DB_ENTAGG, &mk, &v);
		return STORE_ERR;
	}
	*plays = codec_be32_get(p + 1);
	*ms = codec_be64_get(p + 5);
	return STORE_OK;
}

/* ---- the sorted duplicates of one key, by time --------------------------- */

/*
 * Decodes the time at the front of a duplicate value of vlen bytes into
 * *at; -1 (logged) when the value is damaged.
 */
static int
dup_time(enum store_db db, const MDB_val *k, const MDB_val *v, size_t vlen,
    int64_t *at)
{
	if (v->mv_size != vlen) {
		store_damaged(db, k, v);
		return -1;
	}
	*at = codec_unbias64(codec_be64_get(v->mv_data));
	return 0;
}

int
store_dup_scan(struct store_txn *t, enum store_db db, const struct key *k,
    size_t vlen, int64_t from_ms, int64_t to_ms, enum store_dir dir,
    int (*fn)(const MDB_val *k, const MDB_val *v, void *), void *arg)
{
	unsigned char b[64];
	MDB_cursor *c;
	MDB_val mk, mv;
	int64_t at;
	int rc, frc, tmp, ret = STORE_OK;

	if (from_ms > to_ms || vlen < 8 || vlen > sizeof(b))
		return STORE_OK;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if ((c = store_cursor_acquire(t, db, &tmp)) == NULL)
		return STORE_ERR;
	/* The seek value: a time, then the smallest tail. */
	memset(b, 0, vlen);
	mk = key_val(k);
	mv.mv_size = vlen;
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
			/* No value > to: the key's last one, if any. */
			mk = key_val(k);
			rc = mdb_cursor_get(c, &mk, &mv, MDB_SET);
			if (rc == MDB_SUCCESS)
				rc = mdb_cursor_get(c, &mk, &mv, MDB_LAST_DUP);
			if (rc == MDB_SUCCESS && to_ms < INT64_MAX &&
			    dup_time(db, &mk, &mv, vlen, &at) == 0 &&
			    at > to_ms)
				rc = MDB_NOTFOUND;	/* all values > to */
		}
	}
	while (rc == MDB_SUCCESS) {
		if (dup_time(db, &mk, &mv, vlen, &at) == -1) {
			ret = STORE_ERR;
			goto release;
		}
		if (dir == STORE_ASC ? at > to_ms : at < from_ms)
			break;
		if ((frc = fn(&mk, &mv, arg)) != 0) {
			if (frc != 1)
				ret = STORE_ERR;
			goto release;
		}
		rc = mdb_cursor_get(c, &mk, &mv,
		    dir == STORE_ASC ? MDB_NEXT_DUP : MDB_PREV_DUP);
	}
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "iterate", db);
release:
	store_cursor_release(t, db, c, tmp);
	return ret;
}
