/*
 * lib_byentity.c — unit tests of the store's per-entity indexes
 * (store_iter_entity_plays, store_iter_entity_days,
 * store_get_entity_total, and their bookkeeping in store_put_play /
 * store_del_play / store_put_track / store_del_track / store_purge_user /
 * the migration to schema version 6).
 *
 * The reference is naive: every play of every user read back with
 * store_iter_plays(), its track's record read with store_get_track(), and
 * the per-entity plays and per-day counts computed from the two as
 * store.h defines them.  The store's indexes must equal it exactly after
 * random puts and deletes of plays interleaved with random changes of
 * the tracks' albums, artists (duplicates included) and durations, tracks
 * deleted and tracks first stored after their plays, for users whose ids
 * share prefixes; read inside the transaction that wrote them; after a
 * transaction larger than what the store holds back in memory; after one
 * run again on a grown map; after a transaction that aborts; after a
 * purge; and
 * after a store of schema version 5 (without the indexes) is migrated.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ids.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "testutil.h"

#define NTRACKS		12
#define NARTISTS	6
#define NALBUMS		4
#define DAY		INT64_C(86400000)
#define MAXROWS		200000

static uint64_t rng = 0x2545f4914f6cdd1dULL;

TU_FX_SETUP(setup, "lib_byentity_test")

/* ---- writing ------------------------------------------------------------- */

struct work {
	int		 ops;
	int64_t		 base, span;
	int		 track_every;	/* 1 in this many ops changes a track */
	int		 fail;		/* abort at the end */
};

/* test_map_full: a write may fail (the map is full; the run is undone). */
static int map_may_fill;

static int
random_track(struct store_txn *t)
{
	char ids[5 * ID_LEN + 1], id[ID_LEN + 1];
	struct track tr;
	int i, n, rc;

	memset(&tr, 0, sizeof(tr));
	tu_track_id((int)(tu_rand(&rng) % NTRACKS), tr.id);
	if (tu_rand(&rng) % 6 == 0) {
		rc = store_del_track(t, tr.id);
		return rc == STORE_ERR ? -1 : 0;
	}
	tr.name = "a track";
	tr.uri = "";
	if (tu_rand(&rng) % 4 != 0)
		tu_album_id((int)(tu_rand(&rng) % NALBUMS), tr.album_id);
	n = (int)(tu_rand(&rng) % 5);
	for (i = 0; i < n; i++) {
		/* Duplicates on purpose: a play counts once per artist. */
		tu_artist_id((int)(tu_rand(&rng) % NARTISTS), id);
		memcpy(ids + i * ID_LEN, id, ID_LEN);
	}
	tr.artists.ids = ids;
	tr.artists.n = (uint32_t)n;
	tr.duration_ms = tu_rand(&rng) % 3 == 0 ? 0 :
	    (uint32_t)(1000 + tu_rand(&rng) % 300000);
	rc = store_put_track(t, &tr);
	return rc == STORE_ERR ? -1 : 0;
}

/* The random play at at: one of the NTRACKS tracks, ms_played or not. */
static void
random_play(struct play *p, int64_t at, uint64_t *s)
{
	memset(p, 0, sizeof(*p));
	p->played_at = at;
	tu_track_id((int)(tu_rand(s) % NTRACKS), p->track_id);
	p->context_uri = "";
	p->ms_played = tu_rand(s) % 2 ? -1 : (int32_t)(tu_rand(s) % 400000);
}

/*
 * Reads the views of some tracks ahead (repeats and a track that may have
 * no record among them), as an import does before its plays.
 */
static int
random_views_load(struct store_txn *t)
{
	char ids[8][ID_LEN + 1];
	const char *p[8];
	int i, n = 1 + (int)(tu_rand(&rng) % 8);

	for (i = 0; i < n; i++) {
		tu_track_id((int)(tu_rand(&rng) % NTRACKS), ids[i]);
		p[i] = ids[i];
	}
	return store_track_views_load(t, p, (size_t)n) == STORE_OK ? 0 : -1;
}

/*
 * w->ops random steps, each at a user and time: one in 64 reads some
 * tracks' views ahead, one in w->track_every of the others changes a
 * track instead, the rest put or delete that play (tu_rand_play_step()).
 * While map_may_fill, a step that fails ends the run with -1 (the map is
 * full); otherwise it fails the test.
 */
static int
random_work(struct store_txn *t, void *arg)
{
	struct work *w = arg;
	const char *u;
	int64_t at;
	int i, rc;

	for (i = 0; i < w->ops; i++) {
		u = tu_rand_user_at(&rng, w->base, w->span, &at);
		if (tu_rand(&rng) % 64 == 0) {
			rc = random_views_load(t);
			if (rc == -1 && map_may_fill)
				return -1;
			assert_int_equal(rc, 0);
			continue;
		}
		if (tu_rand(&rng) % (uint64_t)w->track_every == 0)
			rc = random_track(t);
		else
			rc = tu_rand_play_step(t, &rng, u, at, random_play);
		if (rc == -1 && map_may_fill)
			return -1;
		assert_int_equal(rc, 0);
	}
	return w->fail ? -1 : 0;
}

/* ---- the naive reference ----------------------------------------------- */

/* One row of either answer: a day's count or a play of an entity. */
struct row {
	unsigned	 user, kind;
	int64_t		 a;		/* the day, or the play's time */
	char		 id[ID_LEN + 1];
	char		 track[ID_LEN + 1];	/* plays: the play's track */
	uint64_t	 plays, ms;
};

struct rows {
	struct row	*r;
	size_t		 n;
};

static int
row_cmp(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int c;

	if (a->user != b->user)
		return a->user < b->user ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if ((c = strcmp(a->id, b->id)) != 0)
		return c;
	return strcmp(a->track, b->track);
}

static void
rows_add(struct rows *rs, unsigned user, unsigned kind, int64_t a,
    const char *id, const char *track, uint64_t ms)
{
	struct row *r;

	assert_true(rs->n < MAXROWS);
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	r->user = user;
	r->kind = kind;
	r->a = a;
	memcpy(r->id, id, ID_LEN);
	if (track != NULL)
		memcpy(r->track, track, ID_LEN);
	r->plays = 1;
	r->ms = ms;
}

/* Sorts rs and merges equal keys (summing plays and ms). */
static void
rows_merge(struct rows *rs)
{
	size_t i, m = 0;

	qsort(rs->r, rs->n, sizeof(*rs->r), row_cmp);
	for (i = 0; i < rs->n; i++) {
		if (m > 0 && row_cmp(&rs->r[m - 1], &rs->r[i]) == 0) {
			rs->r[m - 1].plays += rs->r[i].plays;
			rs->r[m - 1].ms += rs->r[i].ms;
		} else
			rs->r[m++] = rs->r[i];
	}
	rs->n = m;
}

struct naive {
	struct store_txn *t;
	unsigned	 user;
	struct rows	*days, *plays;
};

static int64_t
floor_day(int64_t at)
{
	return at / DAY - (at % DAY < 0);
}

static int
naive_play(const struct play *p, void *arg)
{
	struct naive *nv = arg;
	char seen[NARTISTS * 4][ID_LEN + 1], id[ID_LEN + 1];
	struct track tr;
	uint64_t ms;
	int64_t day = floor_day(p->played_at), d[2] = { day, STORE_DAY_ALL };
	uint32_t i, k, nseen = 0;
	int rc, q;

	rc = store_get_track(nv->t, p->track_id, &tr);
	assert_true(rc == STORE_OK || rc == STORE_NOTFOUND);
	ms = p->ms_played >= 0 ? (uint64_t)p->ms_played :
	    rc == STORE_OK ? tr.duration_ms : 0;
	for (q = 0; q < 2; q++) {
		rows_add(nv->days, nv->user, STORE_KIND_JOURNAL, d[q],
		    "0000000000000000000000", NULL, ms);
		rows_add(nv->days, nv->user, ENTITY_TRACK, d[q], p->track_id,
		    NULL, ms);
	}
	if (rc != STORE_OK)
		return 0;
	for (i = 0; i < tr.artists.n; i++) {
		idlist_get(&tr.artists, i, id);
		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k], id) == 0)
				break;
		if (k < nseen)
			continue;
		memcpy(seen[nseen++], id, ID_LEN + 1);
		for (q = 0; q < 2; q++)
			rows_add(nv->days, nv->user, ENTITY_ARTIST, d[q], id,
			    NULL, ms);
		rows_add(nv->plays, nv->user, ENTITY_ARTIST, p->played_at, id,
		    p->track_id, 0);
	}
	if (tr.album_id[0] != '\0') {
		for (q = 0; q < 2; q++)
			rows_add(nv->days, nv->user, ENTITY_ALBUM, d[q],
			    tr.album_id, NULL, ms);
		rows_add(nv->plays, nv->user, ENTITY_ALBUM, p->played_at,
		    tr.album_id, p->track_id, 0);
	}
	return 0;
}

/* ---- the store's answers --------------------------------------------- */

struct got {
	unsigned	 user, kind;
	struct rows	*rs;
	const char	*id;
};

static int
got_day(const struct entity_tally *e, void *arg)
{
	struct got *g = arg;
	struct row *r;

	rows_add(g->rs, g->user, g->kind, e->day, e->id, NULL, e->ms);
	r = &g->rs->r[g->rs->n - 1];
	r->plays = e->plays;
	return 0;
}

static int
got_play(int64_t at, const char *track, void *arg)
{
	struct got *g = arg;

	rows_add(g->rs, g->user, g->kind, at, g->id, track, 0);
	return 0;
}

struct answer {
	struct rows	 days, plays;
};

static void
answer_alloc(struct answer *a)
{
	a->days.r = calloc(MAXROWS, sizeof(struct row));
	a->plays.r = calloc(MAXROWS, sizeof(struct row));
	assert_non_null(a->days.r);
	assert_non_null(a->plays.r);
	a->days.n = a->plays.n = 0;
}

static void
answer_free(struct answer *a)
{
	free(a->days.r);
	free(a->plays.r);
}

static int
naive_fn(struct store_txn *t, void *arg)
{
	struct answer *a = arg;
	struct naive nv;
	unsigned u;

	a->days.n = a->plays.n = 0;
	for (u = 0; u < TU_NUSERS; u++) {
		nv = (struct naive){ t, u, &a->days, &a->plays };
		if (store_iter_plays(t, tu_users[u], INT64_MIN, INT64_MAX,
		    STORE_ASC, naive_play, &nv) != STORE_OK)
			return -1;
	}
	rows_merge(&a->days);
	rows_merge(&a->plays);
	return 0;
}

static int
store_fn(struct store_txn *t, void *arg)
{
	struct answer *a = arg;
	char id[ID_LEN + 1];
	struct got g;
	uint64_t plays, ms;
	unsigned u, kind;
	int i, n, rc;

	a->days.n = a->plays.n = 0;
	for (u = 0; u < TU_NUSERS; u++) {
		for (kind = 0; kind <= STORE_KIND_JOURNAL; kind++) {
			g = (struct got){ u, kind, &a->days, NULL };
			if (store_iter_entity_days(t, tu_users[u], kind,
			    INT32_MIN, STORE_DAY_ALL - 1, got_day, &g) !=
			    STORE_OK || store_iter_entity_days(t, tu_users[u],
			    kind, STORE_DAY_ALL, STORE_DAY_ALL, got_day, &g) !=
			    STORE_OK)
				return -1;
		}
		for (kind = ENTITY_ARTIST; kind <= ENTITY_ALBUM; kind++) {
			n = kind == ENTITY_ARTIST ? NARTISTS : NALBUMS;
			for (i = 0; i < n; i++) {
				if (kind == ENTITY_ARTIST)
					tu_artist_id(i, id);
				else
					tu_album_id(i, id);
				g = (struct got){ u, kind, &a->plays, id };
				if (store_iter_entity_plays(t, tu_users[u],
				    (enum entity_kind)kind, id, INT64_MIN,
				    INT64_MAX, STORE_ASC, got_play, &g) !=
				    STORE_OK)
					return -1;
			}
		}
	}
	/* Entities outside the pools (the re-keying test's): by totals. */
	for (size_t k = 0, n0 = a->days.n; k < n0; k++) {
		struct row *r = &a->days.r[k];

		if (r->a != STORE_DAY_ALL || (r->kind != ENTITY_ARTIST &&
		    r->kind != ENTITY_ALBUM) || strncmp(r->id, r->kind ==
		    ENTITY_ARTIST ? "ARTIST" : "ALBUM", 5) == 0)
			continue;
		g = (struct got){ r->user, r->kind, &a->plays, r->id };
		if (store_iter_entity_plays(t, tu_users[r->user],
		    (enum entity_kind)r->kind, r->id, INT64_MIN, INT64_MAX,
		    STORE_ASC, got_play, &g) != STORE_OK)
			return -1;
	}
	/* The totals one by one agree with the iteration's. */
	for (size_t k = 0; k < a->days.n; k++) {
		struct row *r = &a->days.r[k];

		if (r->a != STORE_DAY_ALL)
			continue;
		rc = store_get_entity_total(t, tu_users[r->user], r->kind, r->id,
		    &plays, &ms);
		assert_int_equal(rc, STORE_OK);
		assert_int_equal(plays, r->plays);
		assert_int_equal(ms, r->ms);
	}
	rows_merge(&a->days);
	rows_merge(&a->plays);
	return 0;
}

static void
assert_rows_equal(const struct rows *x, const struct rows *y)
{
	size_t i;

	assert_int_equal(x->n, y->n);
	for (i = 0; i < x->n; i++) {
		assert_int_equal(row_cmp(&x->r[i], &y->r[i]), 0);
		assert_int_equal(x->r[i].plays, y->r[i].plays);
		assert_int_equal(x->r[i].ms, y->r[i].ms);
	}
}

/* The store's indexes equal the naive reference; returns the row count. */
static size_t
check(struct store *st)
{
	static struct answer want, got;

	answer_alloc(&want);
	answer_alloc(&got);
	assert_int_equal(store_read(st, naive_fn, &want), STORE_OK);
	assert_int_equal(store_read(st, store_fn, &got), STORE_OK);
	assert_rows_equal(&want.days, &got.days);
	assert_rows_equal(&want.plays, &got.plays);
	size_t n = want.days.n + want.plays.n;

	answer_free(&want);
	answer_free(&got);
	return n;
}

/* ---- the tests ----------------------------------------------------------- */

/*
 * Rounds of random plays and track changes, each its own transaction,
 * the indexes checked after every one (plays on both sides of 1970 and
 * over days).
 */
static void
test_random(void **state)
{
	struct tu_fx *fx = *state;
	struct work w = { 600, -INT64_C(20) * DAY, INT64_C(40) * DAY, 9, 0 };
	int round;

	for (round = 0; round < 8; round++) {
		assert_int_equal(store_write(fx->st, random_work, &w),
		    STORE_OK);
		assert_true(check(fx->st) > 0);
	}
}

/* A hand-made case: the numbers are the definition's, not the code's. */
static int
known_work(struct store_txn *t, void *arg)
{
	char ids[3 * ID_LEN + 1], a0[ID_LEN + 1], a1[ID_LEN + 1];
	struct track tr;
	struct play p;

	(void)arg;
	tu_artist_id(0, a0);
	tu_artist_id(1, a1);
	/* Two plays before the track has a record, one after. */
	memset(&p, 0, sizeof(p));
	tu_track_id(1, p.track_id);
	p.context_uri = "";
	p.ms_played = -1;
	p.played_at = DAY + 5;
	assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	p.played_at = 2 * DAY + 5;
	p.ms_played = 1000;
	assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	memset(&tr, 0, sizeof(tr));
	tu_track_id(1, tr.id);
	tr.name = "t";
	tr.uri = "";
	tu_album_id(0, tr.album_id);
	memcpy(ids, a0, ID_LEN);
	memcpy(ids + ID_LEN, a1, ID_LEN);
	memcpy(ids + 2 * ID_LEN, a0, ID_LEN);
	tr.artists.ids = ids;
	tr.artists.n = 3;
	tr.duration_ms = 60000;
	assert_int_equal(store_put_track(t, &tr), STORE_OK);
	p.played_at = 2 * DAY + 9;
	p.ms_played = -1;
	assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	return 0;
}

static int
tally_one(const struct entity_tally *e, void *arg)
{
	struct entity_tally *out = arg;

	*out = *e;
	return 0;
}

static int
known_check(struct store_txn *t, void *arg)
{
	char a0[ID_LEN + 1], a1[ID_LEN + 1], al[ID_LEN + 1];
	struct entity_tally e;
	uint64_t plays, ms;

	(void)arg;
	tu_artist_id(0, a0);
	tu_artist_id(1, a1);
	tu_album_id(0, al);
	assert_int_equal(store_get_entity_total(t, "bob", ENTITY_ARTIST, a0,
	    &plays, &ms), STORE_OK);
	assert_int_equal(plays, 3);
	assert_int_equal(ms, 60000 + 1000 + 60000);
	assert_int_equal(store_get_entity_total(t, "bob", ENTITY_ALBUM, al,
	    &plays, &ms), STORE_OK);
	assert_int_equal(plays, 3);
	assert_int_equal(store_get_entity_total(t, "bob", STORE_KIND_JOURNAL,
	    NULL, &plays, &ms), STORE_OK);
	assert_int_equal(plays, 3);
	assert_int_equal(store_get_entity_total(t, "bo", ENTITY_ARTIST, a0,
	    &plays, &ms), STORE_NOTFOUND);
	/* Day 2 holds two plays of artist 1: 1000 ms and a duration. */
	memset(&e, 0, sizeof(e));
	assert_int_equal(store_iter_entity_days(t, "bob", ENTITY_ARTIST, 2, 2,
	    tally_one, &e), STORE_OK);
	assert_int_equal(e.day, 2);
	assert_memory_equal(e.id, a1, ID_LEN);
	assert_int_equal(e.plays, 2);
	assert_int_equal(e.ms, 61000);
	return 0;
}

static void
test_known(void **state)
{
	struct tu_fx *fx = *state;

	assert_int_equal(store_write(fx->st, known_work, NULL), STORE_OK);
	assert_int_equal(store_read(fx->st, known_check, NULL), STORE_OK);
	check(fx->st);
}

/*
 * The transaction's own writes are seen by its reads: the checks of
 * test_known inside the transaction that made the plays, before it
 * commits, and again after.
 */
static int
known_work_check(struct store_txn *t, void *arg)
{
	known_work(t, arg);
	return known_check(t, arg);
}

static void
test_known_in_txn(void **state)
{
	struct tu_fx *fx = *state;

	assert_int_equal(store_write(fx->st, known_work_check, NULL),
	    STORE_OK);
	assert_int_equal(store_read(fx->st, known_check, NULL), STORE_OK);
	check(fx->st);
}

/*
 * One transaction of more changes than the store holds back in memory
 * (30,000 plays over 2,000 days: its pending changes are applied several
 * times before the commit), then one of random track changes over them.
 */
static void
test_big_txn(void **state)
{
	struct tu_fx *fx = *state;
	struct work w = { 30000, -INT64_C(1000) * DAY, INT64_C(2000) * DAY,
	    400, 0 };

	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	check(fx->st);
	w.ops = 300;
	w.track_every = 2;
	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	check(fx->st);
}

struct runs {
	struct work	 w;
	int		 runs;
};

static int
counted_work(struct store_txn *t, void *arg)
{
	struct runs *r = arg;

	r->runs++;
	return random_work(t, &r->w);
}

/*
 * A map too small for the transaction: store_write() grows it and runs
 * the transaction again, which must start with nothing held back from
 * the run that failed.
 */
static void
test_map_full(void **state)
{
	struct tu_fx *fx = *state;
	struct runs r = { { 4000, 0, INT64_C(300) * DAY, 9, 0 }, 0 };
	char path[sizeof(fx->dir) + 8];

	store_close(fx->st);
	assert_true((size_t)snprintf(path, sizeof(path), "%s/tiny", fx->dir) <
	    sizeof(path));
	assert_int_equal(store_open(&fx->st, path, 0, 64 * 1024), STORE_OK);
	map_may_fill = 1;
	assert_int_equal(store_write(fx->st, counted_work, &r), STORE_OK);
	assert_true(r.runs > 1);
	assert_true(check(fx->st) > 0);
	assert_int_equal(store_write(fx->st, counted_work, &r), STORE_OK);
	map_may_fill = 0;
	check(fx->st);
}

/* An aborted transaction leaves the indexes as they were. */
static void
test_abort(void **state)
{
	struct tu_fx *fx = *state;
	struct work w = { 800, 0, INT64_C(10) * DAY, 7, 0 };
	size_t before;

	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	before = check(fx->st);
	w.fail = 1;
	assert_int_equal(store_write(fx->st, random_work, &w), STORE_ERR);
	assert_int_equal(check(fx->st), before);
}

/* A purge takes the user's indexes and leaves the others' alone. */
static void
test_purge(void **state)
{
	struct tu_fx *fx = *state;
	struct work w = { 1500, 0, INT64_C(10) * DAY, 11, 0 };

	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	assert_int_equal(tu_purge(fx->st, "bob", NULL), STORE_OK);
	check(fx->st);
}

/*
 * A store of schema version 5 (no playsbyentity, no entagg) is refused
 * by a reader and migrated by a writable open: the indexes then equal
 * the reference, and a reader opens it.
 */
static void
test_migrate_v5(void **state)
{
	struct tu_fx *fx = *state;
	struct work w = { 3000, -INT64_C(3) * DAY, INT64_C(30) * DAY, 10, 0 };
	struct store_info info;
	struct store *ro;
	MDB_env *env;
	MDB_txn *txn;
	size_t before;

	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	before = check(fx->st);
	assert_true(before > 0);
	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(tu_raw_open(fx->dir, 0, &env, &txn), 0);
	assert_int_equal(tu_raw_drop(txn, "playsbyentity"), 0);
	assert_int_equal(tu_raw_drop(txn, "entagg"), 0);
	assert_int_equal(tu_raw_set_version(env, txn, 5), 0);
	assert_int_equal(store_open(&ro, fx->dir, STORE_RDONLY, 0),
	    STORE_ERR);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	assert_int_equal(info.schema_version, STORE_SCHEMA_VERSION);
	assert_int_equal(check(fx->st), before);
	assert_int_equal(store_open(&ro, fx->dir, STORE_RDONLY, 0), STORE_OK);
	store_close(ro);
	/* And the store goes on keeping them. */
	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	check(fx->st);
}

/* ---- re-keying synthetic ids (schema version 7) -------------------------- */

static char A1[ID_LEN + 1], A2[ID_LEN + 1], A3[ID_LEN + 1], L1[ID_LEN + 1],
    L2[ID_LEN + 1], T1[ID_LEN + 1], T2[ID_LEN + 1], T3[ID_LEN + 1],
    T4[ID_LEN + 1], T5[ID_LEN + 1], T6[ID_LEN + 1], KINO[ID_LEN + 1];

static void
v1(char out[ID_LEN + 1], const char *kind, const char *a, const char *b,
    const char *c)
{
	const char *parts[3] = { a, b, c };

	ids_synthetic_v(out, 1, kind, parts, c != NULL ? 3 : b != NULL ? 2 :
	    1);
}

static void
v2(char out[ID_LEN + 1], const char *kind, const char *a, const char *b,
    const char *c)
{
	const char *parts[3] = { a, b, c };

	ids_synthetic(out, kind, parts, c != NULL ? 3 : b != NULL ? 2 : 1);
}

static int
put_artist(struct store_txn *t, const char *id, const char *name)
{
	struct artist a;

	memset(&a, 0, sizeof(a));
	memcpy(a.id, id, ID_LEN + 1);
	a.name = name;
	return store_put_artist(t, &a) == STORE_ERR ? -1 : 0;
}

static int
put_track(struct store_txn *t, const char *id, const char *name,
    const char *album, const char *a0, const char *a1, uint32_t dur)
{
	char packed[2 * ID_LEN];
	struct track tr;

	memset(&tr, 0, sizeof(tr));
	memcpy(tr.id, id, ID_LEN + 1);
	tr.name = name;
	tr.uri = "spotify:local:x";
	tr.is_local = id[0] == '_';
	if (album != NULL)
		memcpy(tr.album_id, album, ID_LEN + 1);
	memcpy(packed, a0, ID_LEN);
	if (a1 != NULL)
		memcpy(packed + ID_LEN, a1, ID_LEN);
	tr.artists.ids = packed;
	tr.artists.n = a1 != NULL ? 2 : 1;
	tr.duration_ms = dur;
	return store_put_track(t, &tr) == STORE_ERR ? -1 : 0;
}

/* A journal as version 1's synthetic ids named it. */
static int
old_journal(struct store_txn *t, void *arg)
{
	const char *tracks[6] = { T1, T2, T3, T4, T5, T6 };
	struct play p;
	int i;

	(void)arg;
	v1(A1, "artist", "Bj\xc3\xb6rk", NULL, NULL);
	v1(A2, "artist", "BJ\xc3\x96RK", NULL, NULL);
	v1(A3, "artist", "Sigur R\xc3\xb3s", NULL, NULL);
	tu_artist_id(0, KINO);
	v1(L1, "album", "Bj\xc3\xb6rk", "Homogenic", NULL);
	v1(L2, "album", "BJ\xc3\x96RK", "HOMOGENIC", NULL);
	v1(T1, "track", "Bj\xc3\xb6rk", "Homogenic", "J\xc3\xb3ga");
	v1(T2, "track", "BJ\xc3\x96RK", "HOMOGENIC", "J\xc3\x93GA");
	v1(T3, "track", "Sigur R\xc3\xb3s", "Hopp\xc3\xadpolla", NULL);
	tu_track_id(4, T4);
	v1(T5, "track", "Kino", "", "Zvezda");
	v1(T6, "track", "Bj\xc3\xb6rk", "Other", "Name");
	assert_int_not_equal(strcmp(A1, A2), 0);
	if (put_artist(t, A1, "Bj\xc3\xb6rk") == -1 ||
	    put_artist(t, A2, "BJ\xc3\x96RK") == -1 ||
	    put_artist(t, A3, "Sigur R\xc3\xb3s") == -1 ||
	    put_artist(t, KINO, "Kino") == -1)
		return -1;
	assert_int_equal(tu_put_album(t, L1, "Homogenic", "", A1), STORE_OK);
	assert_int_equal(tu_put_album(t, L2, "HOMOGENIC", "", A2), STORE_OK);
	if (put_track(t, T1, "J\xc3\xb3ga", L1, A1, NULL, 300000) == -1 ||
	    put_track(t, T2, "J\xc3\x93GA", L2, A2, NULL, 301000) == -1 ||
	    put_track(t, T3, "Hopp\xc3\xadpolla", NULL, A3, NULL, 0) == -1 ||
	    put_track(t, T4, "A duet", L2, A1, A2, 200000) == -1 ||
	    put_track(t, T5, "Zvezda", NULL, KINO, NULL, 250000) == -1 ||
	    put_track(t, T6, "Renamed since", L1, A1, NULL, 100000) == -1)
		return -1;
	for (i = 0; i < 900; i++) {
		memset(&p, 0, sizeof(p));
		p.played_at = INT64_C(1500000000000) +
		    (int64_t)(tu_rand(&rng) % (90 * (uint64_t)DAY));
		memcpy(p.track_id, tracks[tu_rand(&rng) % 6], ID_LEN + 1);
		p.context_uri = i % 3 ? "spotify:album:x" : "";
		p.ms_played = tu_rand(&rng) % 2 ? -1 : 123456;
		if (store_put_play(t, tu_users[tu_rand(&rng) % TU_NUSERS], &p) ==
		    STORE_ERR)
			return -1;
	}
	return 0;
}

/* Per user: plays per track id (up to 16 ids) and each play's previous. */
struct census {
	char		 id[TU_NUSERS][16][ID_LEN + 1];
	uint64_t	 n[TU_NUSERS][16];
	int64_t		 last[TU_NUSERS][16];
	unsigned	 u;
	uint64_t	 total, bad_prev;
};

static int
census_play(const struct play *p, void *arg)
{
	struct census *c = arg;
	int k;

	for (k = 0; k < 16 && c->id[c->u][k][0] != '\0'; k++)
		if (strcmp(c->id[c->u][k], p->track_id) == 0)
			break;
	assert_true(k < 16);
	if (c->id[c->u][k][0] == '\0') {
		memcpy(c->id[c->u][k], p->track_id, ID_LEN + 1);
		c->last[c->u][k] = PLAY_NO_PREV;
	}
	if (p->prev_played_at != c->last[c->u][k])
		c->bad_prev++;
	c->last[c->u][k] = p->played_at;
	c->n[c->u][k]++;
	c->total++;
	return 0;
}

static uint64_t
census_of(const struct census *c, unsigned u, const char *id)
{
	int k;

	for (k = 0; k < 16 && c->id[u][k][0] != '\0'; k++)
		if (strcmp(c->id[u][k], id) == 0)
			return c->n[u][k];
	return 0;
}

static int
index_count(const char *id, uint64_t n, void *arg)
{
	struct census *c = arg;

	assert_int_equal(n, census_of(c, c->u, id));
	c->bad_prev += n == 0;
	return 0;
}

static int
census_fn(struct store_txn *t, void *arg)
{
	struct census *c = arg;

	memset(c, 0, sizeof(*c));
	for (c->u = 0; c->u < TU_NUSERS; c->u++)
		if (store_iter_plays(t, tu_users[c->u], INT64_MIN, INT64_MAX,
		    STORE_ASC, census_play, c) != STORE_OK ||
		    store_iter_user_tracks(t, tu_users[c->u], index_count, c) !=
		    STORE_OK)
			return -1;
	return 0;
}

struct rekeyed {
	int		 has[16];
	struct track	 t4, t6;
	char		 t4_artists[2 * ID_LEN], t4_album[ID_LEN + 1];
	char		 t6_artist[ID_LEN + 1];
};

static int
rekeyed_fn(struct store_txn *t, void *arg)
{
	const char *ids[] = { A1, A2, A3, L1, L2, T1, T2, T3, T5, T6, KINO };
	struct rekeyed *r = arg;
	struct track tr;
	struct artist a;
	struct album al;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		r->has[i] = store_get_track(t, ids[i], &tr) == STORE_OK ||
		    store_get_artist(t, ids[i], &a) == STORE_OK ||
		    store_get_album(t, ids[i], &al) == STORE_OK;
	assert_int_equal(store_get_track(t, T4, &tr), STORE_OK);
	r->t4.artists.n = tr.artists.n;
	memcpy(r->t4_artists, tr.artists.ids, tr.artists.n * ID_LEN);
	memcpy(r->t4_album, tr.album_id, ID_LEN + 1);
	assert_int_equal(store_get_track(t, T6, &tr), STORE_OK);
	memcpy(r->t6_artist, tr.artists.ids, ID_LEN);
	r->t6_artist[ID_LEN] = '\0';
	return 0;
}

/*
 * A store made with version 1's synthetic ids (schema version 6) is
 * migrated: "Björk" and "BJÖRK" become one artist, their albums one
 * album and their tracks one track, whose plays are the two tracks'
 * together; "Sigur Rós" gets its new id; real and all-ASCII ids, and a
 * synthetic track whose names changed since, keep theirs but name the
 * new artist and album; no play is lost, every index and aggregate
 * equals the naive reference, every play's previous play is right, and
 * the new ids are those the collector now makes.
 */
static void
test_rekey(void **state)
{
	struct tu_fx *fx = *state;
	static struct census before, after;
	struct rekeyed rk;
	char VA[ID_LEN + 1], VL[ID_LEN + 1], VT[ID_LEN + 1], V3[ID_LEN + 1],
	    VS[ID_LEN + 1];
	MDB_env *env;
	MDB_txn *txn;
	unsigned u;

	assert_int_equal(store_write(fx->st, old_journal, NULL), STORE_OK);
	check(fx->st);
	assert_int_equal(store_read(fx->st, census_fn, &before), STORE_OK);
	assert_int_equal(before.bad_prev, 0);
	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(tu_raw_open(fx->dir, 0, &env, &txn), 0);
	assert_int_equal(tu_raw_set_version(env, txn, 6), 0);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);

	v2(VA, "artist", "BJ\xc3\x96RK", NULL, NULL);
	v2(VL, "album", "bjork", "homogenic", NULL);
	v2(VT, "track", "Bj\xc3\xb6rk", "HOMOGENIC", "joga");
	v2(V3, "track", "SIGUR ROS", "Hopp\xc3\xadpolla", NULL);
	v2(VS, "artist", "Sigur R\xc3\xb3s", NULL, NULL);
	memset(&rk, 0, sizeof(rk));
	assert_int_equal(store_read(fx->st, rekeyed_fn, &rk), STORE_OK);
	/* Gone: A1 A2 A3 L1 L2 T1 T2 T3; kept: T5 T6 KINO. */
	for (u = 0; u < 8; u++)
		assert_false(rk.has[u]);
	assert_true(rk.has[8] && rk.has[9] && rk.has[10]);
	assert_int_equal(rk.t4.artists.n, 1);
	assert_memory_equal(rk.t4_artists, VA, ID_LEN);
	assert_string_equal(rk.t4_album, VL);
	assert_string_equal(rk.t6_artist, VA);

	assert_int_equal(store_read(fx->st, census_fn, &after), STORE_OK);
	assert_int_equal(after.total, before.total);
	assert_int_equal(after.bad_prev, 0);
	for (u = 0; u < TU_NUSERS; u++) {
		assert_int_equal(census_of(&after, u, VT),
		    census_of(&before, u, T1) + census_of(&before, u, T2));
		assert_int_equal(census_of(&after, u, V3),
		    census_of(&before, u, T3));
		assert_int_equal(census_of(&after, u, T1), 0);
		assert_int_equal(census_of(&after, u, T2), 0);
		assert_int_equal(census_of(&after, u, T5),
		    census_of(&before, u, T5));
	}
	assert_true(census_of(&after, 0, VT) + census_of(&after, 1, VT) > 0);
	check(fx->st);
	/* Nothing left to do on the next open. */
	store_close(fx->st);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
	check(fx->st);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_random, setup, tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_known, setup, tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_known_in_txn, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_big_txn, setup, tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_map_full, setup, tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_abort, setup, tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_purge, setup, tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_migrate_v5, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_rekey, setup, tu_fx_teardown),
)
