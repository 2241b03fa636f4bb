/*
 * lib_trackplays.c — unit tests of the store's plays-by-track index
 * (store_prev_track_play and its bookkeeping in store_put_play /
 * store_del_play / store_purge_user / the migration).
 *
 * The reference is a naive search: every play of a user read back with
 * store_iter_plays(), keeping the newest play of the track before the
 * moment asked.  The two are compared for every play's own time, one ms
 * after it, and random moments (negative ones included), for users whose
 * ids share prefixes ("bo", "bob", "bobby", so a prefix scan that
 * overran one user would show), after random puts and deletes, after a
 * transaction that aborts, after a purge, and after stores of schema
 * versions 3, 2 and 1 are migrated (version 3 with its own index, one
 * key per play, which the migration must replace with the same answers).
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

#include "log.h"
#include "schema.h"
#include "store.h"
#include "testutil.h"

#define NTRACKS		9
#define NQUERIES	400


static uint64_t rng = 0x9e3779b97f4a7c15ULL;

TU_FX_SETUP(setup, "lib_trackplays_test")

/* ---- writing ------------------------------------------------------------- */

struct work {
	int		 ops;
	int64_t		 base, span;	/* plays fall in [base, base + span) */
	int		 fail;		/* return -1 at the end: abort */
};

/* The random play at at: untimed, of one of the NTRACKS tracks. */
static void
random_play(struct play *p, int64_t at, uint64_t *s)
{
	tu_play(p, at, (int)(tu_rand(s) % NTRACKS));
}

static int
random_work(struct store_txn *t, void *arg)
{
	struct work *w = arg;
	const char *u;
	int64_t at;
	int i;

	for (i = 0; i < w->ops; i++) {
		u = tu_rand_user_at(&rng, w->base, w->span, &at);
		assert_int_equal(tu_rand_play_step(t, &rng, u, at,
		    random_play), 0);
	}
	return w->fail ? -1 : 0;
}

/* ---- the naive reference ----------------------------------------------- */

struct naive {
	const char	*track;
	int64_t		 before, found;
	int		 any;
};

/* Every play's time (the first 4096), to query at and around. */
struct played {
	int64_t		 times[4096];
	size_t		 n;
};

static int
naive_cb(const struct play *p, void *arg)
{
	struct naive *nv = arg;

	if (p->played_at >= nv->before)
		return 1;	/* ascending: nothing later counts */
	if (strcmp(p->track_id, nv->track) == 0) {
		nv->found = p->played_at;
		nv->any = 1;
	}
	return 0;
}

/* Asserts that the index answers like the naive search for one query. */
static void
check_one(struct store_txn *t, const char *user, const char *track,
    int64_t before)
{
	struct naive nv;
	int64_t got = -1;
	int rc;

	memset(&nv, 0, sizeof(nv));
	nv.track = track;
	nv.before = before;
	assert_int_equal(store_iter_plays(t, user, INT64_MIN, INT64_MAX,
	    STORE_ASC, naive_cb, &nv), STORE_OK);
	rc = store_prev_track_play(t, user, track, before, &got);
	if (nv.any) {
		assert_int_equal(rc, STORE_OK);
		assert_int_equal(got, nv.found);
	} else
		assert_int_equal(rc, STORE_NOTFOUND);
}

struct span {
	int64_t		 base, span;
};

/*
 * Each play's stored prev_played_at against a table of the newest play
 * seen of each track, the user's plays read oldest first: the naive
 * answer, by another road than the index.
 */
struct prev_check {
	int64_t		 last[NTRACKS];
};

static int
prev_cb(const struct play *p, void *arg)
{
	struct prev_check *pc = arg;
	int k = atoi(p->track_id + 5);	/* "TRACK" and the number */

	assert_true(k >= 0 && k < NTRACKS);
	assert_int_equal(p->prev_played_at, pc->last[k]);
	pc->last[k] = p->played_at;
	return 0;
}

static void
check_stored_prev(struct store_txn *t, const char *user)
{
	struct prev_check pc;
	int k;

	for (k = 0; k < NTRACKS; k++)
		pc.last[k] = PLAY_NO_PREV;
	assert_int_equal(store_iter_plays(t, user, INT64_MIN, INT64_MAX,
	    STORE_ASC, prev_cb, &pc), STORE_OK);
}

/* Fills all->times with the times of user's plays (the first 4096). */
static void
all_times(struct store_txn *t, const char *user, struct played *all)
{
	assert_int_equal(tu_play_times(t, user, all->times,
	    TU_NITEMS(all->times), &all->n), 0);
}

/* Every user, every track: at each play, just after it, and at random. */
static int
check_all(struct store_txn *t, void *arg)
{
	static struct played all;
	struct span *s = arg;
	char tr[ID_LEN + 1];
	size_t u, i;
	int k, q;

	for (u = 0; u < TU_NUSERS; u++) {
		all_times(t, tu_users[u], &all);
		check_stored_prev(t, tu_users[u]);
		for (k = 0; k < NTRACKS; k++) {
			tu_track_id(k, tr);
			for (i = 0; i < all.n; i += 7) {
				check_one(t, tu_users[u], tr, all.times[i]);
				check_one(t, tu_users[u], tr, all.times[i] + 1);
			}
			for (q = 0; q < NQUERIES / NTRACKS; q++)
				check_one(t, tu_users[u], tr, s->base - s->span / 4 +
				    (int64_t)(tu_rand(&rng) %
				    (uint64_t)(s->span + s->span / 2)));
			check_one(t, tu_users[u], tr, INT64_MAX);
			check_one(t, tu_users[u], tr, INT64_MIN);
		}
	}
	return 0;
}

/* ---- tests --------------------------------------------------------------- */

/*
 * Proves the index answers like the naive search after random puts and
 * deletes, with times on both sides of zero and the prefix-sharing users.
 */
static void
test_random(void **state)
{
	struct tu_fx *fx = *state;
	struct work w = { 3000, INT64_C(-50000), INT64_C(400000), 0 };
	struct span s = { w.base, w.span };

	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	assert_int_equal(store_read(fx->st, check_all, &s), STORE_OK);
	w.base = INT64_C(1700000000000);
	w.span = INT64_C(86400000) * 400;
	s = (struct span){ w.base, w.span };
	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	assert_int_equal(store_read(fx->st, check_all, &s), STORE_OK);
}

struct known {
	int64_t		 got;
	int		 rc;
	const char	*user;
	const char	*track;
	int64_t		 before;
};

/* Asks st for k's previous play into k->got (-1: none), k->rc. */
static void
ask(struct store *st, struct known *k)
{
	struct store_txn *rd;

	assert_non_null(rd = tu_read(st));
	k->got = -1;
	k->rc = store_prev_track_play(rd, k->user, k->track, k->before,
	    &k->got);
	tu_read_done(rd);
}

static int
put_one(struct store_txn *t, void *arg)
{
	struct play *p = arg;

	return store_put_play(t, "bob", p) == STORE_ERR ? -1 : 0;
}

/*
 * Proves the exact answers on a known history: strictly before, the
 * first play has none, another user's or track's plays never answer,
 * ill-formed ids find nothing, and a deleted play leaves the index.
 */
static void
test_known(void **state)
{
	struct tu_fx *fx = *state;
	char a[ID_LEN + 1], b[ID_LEN + 1];
	struct known k;
	struct play p;

	tu_track_id(1, a);
	tu_track_id(2, b);
	memset(&p, 0, sizeof(p));
	p.context_uri = "";
	p.ms_played = -1;
	for (p.played_at = 1000; p.played_at <= 5000; p.played_at += 1000) {
		strlcpy(p.track_id, p.played_at == 3000 ? b : a,
		    sizeof(p.track_id));
		assert_int_equal(store_write(fx->st, put_one, &p), STORE_OK);
	}
	k = (struct known){ 0, 0, "bob", a, 5000 };
	ask(fx->st, &k);
	assert_int_equal(k.rc, STORE_OK);
	assert_int_equal(k.got, 4000);		/* 3000 was b */
	k.before = 4000;
	ask(fx->st, &k);
	assert_int_equal(k.got, 2000);
	k.before = 1000;
	ask(fx->st, &k);
	assert_int_equal(k.rc, STORE_NOTFOUND);
	k.track = b;
	k.before = 3000;
	ask(fx->st, &k);
	assert_int_equal(k.rc, STORE_NOTFOUND);
	k.before = 3001;
	ask(fx->st, &k);
	assert_int_equal(k.got, 3000);
	k.user = "bo";			/* a prefix of bob: nothing */
	ask(fx->st, &k);
	assert_int_equal(k.rc, STORE_NOTFOUND);
	k.user = "bobby";
	ask(fx->st, &k);
	assert_int_equal(k.rc, STORE_NOTFOUND);
	k.user = "bob";
	k.track = "short";
	ask(fx->st, &k);
	assert_int_equal(k.rc, STORE_NOTFOUND);
	k.user = "";
	k.track = a;
	ask(fx->st, &k);
	assert_int_equal(k.rc, STORE_NOTFOUND);
}

static int
del_4000(struct store_txn *t, void *arg)
{
	(void)arg;
	return store_del_play(t, "bob", 4000) == STORE_OK ? 0 : -1;
}

/* Proves a deleted play leaves the index with it. */
static void
test_delete(void **state)
{
	struct tu_fx *fx = *state;
	char a[ID_LEN + 1];
	struct known k;

	test_known(state);
	tu_track_id(1, a);
	assert_int_equal(store_write(fx->st, del_4000, NULL), STORE_OK);
	k = (struct known){ 0, 0, "bob", a, 5000 };
	ask(fx->st, &k);
	assert_int_equal(k.got, 2000);
}

/* Proves an aborted transaction leaves no index entry behind. */
static void
test_abort(void **state)
{
	struct tu_fx *fx = *state;
	struct work w = { 800, 0, INT64_C(100000), 0 };
	struct span s = { w.base, w.span };

	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	w.fail = 1;
	w.ops = 500;
	assert_int_equal(store_write(fx->st, random_work, &w), STORE_ERR);
	assert_int_equal(store_read(fx->st, check_all, &s), STORE_OK);
}

static int
count_plays(struct store_txn *t, void *arg)
{
	uint64_t *n = arg;

	return store_count_plays(t, "bob", INT64_MIN, INT64_MAX, n) ==
	    STORE_OK ? 0 : -1;
}

/*
 * Proves a purge removes the user's index entries (and counts only the
 * records the user had, not the index), and leaves the users whose ids
 * share its prefix as they were.
 */
static void
test_purge(void **state)
{
	struct tu_fx *fx = *state;
	struct work w = { 1500, 0, INT64_C(1000000), 0 };
	struct span s = { w.base, w.span };
	char a[ID_LEN + 1];
	struct known k;
	uint64_t plays = 0, purged = 0;
	int i;

	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	assert_int_equal(store_read(fx->st, count_plays, &plays), STORE_OK);
	assert_true(plays > 0);
	assert_int_equal(tu_purge(fx->st, "bob", &purged), STORE_OK);
	assert_int_equal(purged, plays);	/* plays; no user record */
	for (i = 0; i < NTRACKS; i++) {
		tu_track_id(i, a);
		k = (struct known){ 0, 0, "bob", a, INT64_MAX };
		ask(fx->st, &k);
		assert_int_equal(k.rc, STORE_NOTFOUND);
	}
	assert_int_equal(store_read(fx->st, check_all, &s), STORE_OK);
}

/*
 * Writes schema version 3's index as that version did: database
 * "trackplays", one key [U] track id, be64 played_at (biased) per play,
 * empty values, built from the plays (key [U] be64 played_at; value
 * version byte, then the 22-byte track id).
 */
static void
make_v3_index(MDB_txn *txn)
{
	unsigned char kb[1 + 255 + ID_LEN + 8];
	MDB_dbi plays, tp;
	MDB_cursor *c;
	MDB_val k, v, ik, iv = { 0, (void *)(uintptr_t)"" };
	const unsigned char *p;
	size_t u;
	int rc;

	assert_int_equal(mdb_dbi_open(txn, "plays", 0, &plays), 0);
	assert_int_equal(mdb_dbi_open(txn, "trackplays", MDB_CREATE, &tp), 0);
	assert_int_equal(mdb_cursor_open(txn, plays, &c), 0);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		p = k.mv_data;
		u = 1 + (size_t)p[0];
		assert_int_equal(k.mv_size, u + 8);
		assert_true(v.mv_size > 1 + ID_LEN);
		memcpy(kb, p, u);
		memcpy(kb + u, (const unsigned char *)v.mv_data + 1, ID_LEN);
		memcpy(kb + u + ID_LEN, p + u, 8);
		ik.mv_size = u + ID_LEN + 8;
		ik.mv_data = kb;
		assert_int_equal(mdb_put(txn, tp, &ik, &iv, 0), 0);
	}
	assert_int_equal(rc, MDB_NOTFOUND);
	mdb_cursor_close(c);
}

/*
 * Makes the store look like schema version ver: the plays in the layout
 * before version 5 (no prev_played_at), below version 4 the
 * plays-by-track index dropped (for version 3 written in that version's
 * layout; for version 1 the aggregates dropped too), the version written.
 */
static void
make_old(const char *dir, int ver)
{
	MDB_env *env;
	MDB_txn *txn;

	assert_int_equal(tu_raw_open(dir, 0, &env, &txn), 0);
	assert_int_equal(tu_plays_before_v5(txn), 0);
	if (ver < 4)
		assert_int_equal(tu_raw_drop(txn, "playsbytrack"), 0);
	if (ver == 3)
		make_v3_index(txn);
	if (ver < 2)
		assert_int_equal(tu_raw_drop(txn, "agg"), 0);
	assert_int_equal(tu_raw_set_version(env, txn, (unsigned char)ver),
	    0);
}

/* Whether the store in dir has a database of that name. */
static int
has_db(const char *dir, const char *name)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc;

	assert_int_equal(tu_raw_open(dir, 1, &env, &txn), 0);
	rc = mdb_dbi_open(txn, name, 0, &dbi);
	assert_true(rc == 0 || rc == MDB_NOTFOUND);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return rc == 0;
}

/*
 * Every user's answer for every track at each play, just after it and at
 * both ends of time, in a fixed order: before and after a migration the
 * two lists must be equal.
 */
struct answers {
	int64_t		 v[TU_NUSERS * NTRACKS * 2 * 4096 / 7 + 64];
	size_t		 n;
};

static int
collect_answers(struct store_txn *t, void *arg)
{
	static struct played all;
	struct answers *a = arg;
	char tr[ID_LEN + 1];
	int64_t got, at[2];
	size_t u, i, q;
	int k, rc;

	a->n = 0;
	for (u = 0; u < TU_NUSERS; u++) {
		all_times(t, tu_users[u], &all);
		for (k = 0; k < NTRACKS; k++) {
			tu_track_id(k, tr);
			for (i = 0; i <= all.n; i += 7) {
				at[0] = i < all.n ? all.times[i] : INT64_MIN;
				at[1] = i < all.n ? all.times[i] + 1 :
				    INT64_MAX;
				for (q = 0; q < 2; q++) {
					got = -1;
					rc = store_prev_track_play(t,
					    tu_users[u], tr, at[q], &got);
					assert_true(rc == STORE_OK ||
					    rc == STORE_NOTFOUND);
					assert_true(a->n < sizeof(a->v) /
					    sizeof(a->v[0]));
					a->v[a->n++] = rc == STORE_OK ? got :
					    INT64_MIN;
				}
			}
		}
	}
	return 0;
}

static int
agg_sum(const struct agg_bucket *b, void *arg)
{
	*(uint64_t *)arg += b->plays;
	return 0;
}

struct sums {
	uint64_t	 plays, agg;
};

static int
sum_fn(struct store_txn *t, void *arg)
{
	struct sums *s = arg;
	uint64_t n;
	size_t u;

	s->plays = s->agg = 0;
	for (u = 0; u < TU_NUSERS; u++) {
		if (store_count_plays(t, tu_users[u], INT64_MIN, INT64_MAX, &n) !=
		    STORE_OK || store_iter_agg(t, tu_users[u], INT64_MIN,
		    INT64_MAX, STORE_ASC, agg_sum, &s->agg) != STORE_OK)
			return -1;
		s->plays += n;
	}
	return 0;
}

/*
 * Proves a store of schema version ver is refused read-only and
 * migrated by a writable open: the index gives the very answers it gave
 * before the store was made old and answers like the naive search, an
 * old layout's index (version 3's "trackplays") is gone, the aggregates
 * count every play, the version is recorded, and a reader opens it
 * afterwards.
 */
static void
migrate_from(struct tu_fx *fx, int ver)
{
	static struct answers before, after;
	struct work w = { 2000, INT64_C(1600000000000), INT64_C(5000000000),
	    0 };
	struct span s = { w.base, w.span };
	struct store_info info;
	struct store *ro;
	struct sums sums;

	assert_int_equal(store_write(fx->st, random_work, &w), STORE_OK);
	assert_int_equal(store_read(fx->st, collect_answers, &before),
	    STORE_OK);
	assert_true(before.n > 0);
	store_close(fx->st);
	fx->st = NULL;
	make_old(fx->dir, ver);
	assert_int_equal(has_db(fx->dir, "trackplays"), ver == 3);
	assert_int_equal(store_open(&ro, fx->dir, STORE_RDONLY, 0),
	    STORE_ERR);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
	assert_false(has_db(fx->dir, "trackplays"));
	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	assert_int_equal(info.schema_version, STORE_SCHEMA_VERSION);
	assert_int_equal(store_read(fx->st, collect_answers, &after),
	    STORE_OK);
	assert_int_equal(after.n, before.n);
	assert_memory_equal(after.v, before.v, before.n * sizeof(before.v[0]));
	assert_int_equal(store_read(fx->st, check_all, &s), STORE_OK);
	assert_int_equal(store_read(fx->st, sum_fn, &sums), STORE_OK);
	assert_true(sums.plays > 0);
	assert_int_equal(sums.agg, sums.plays);
	assert_int_equal(store_open(&ro, fx->dir, STORE_RDONLY, 0), STORE_OK);
	store_close(ro);
	/* A second writable open finds nothing to do. */
	store_close(fx->st);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
	assert_int_equal(store_read(fx->st, check_all, &s), STORE_OK);
}

/* test_migrate_vV(): the migration from schema version V (migrate_from()). */
#define MIGRATE_TEST(v)							\
static void								\
test_migrate_v##v(void **state)						\
{									\
	migrate_from(*state, v);					\
}

/*
 * A store of schema version 4 has the index but plays without their
 * previous play: the migration adds it to every play (check_all()).
 */
MIGRATE_TEST(4)
/*
 * A store of schema version 3 has that version's index (one key per
 * play), which the migration replaces with the sorted duplicates.
 */
MIGRATE_TEST(3)
MIGRATE_TEST(2)
MIGRATE_TEST(1)

TU_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_random, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_known, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_delete, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_abort, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_purge, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_migrate_v4, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_migrate_v3, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_migrate_v2, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_migrate_v1, setup,
	    tu_fx_teardown),
)
