/*
 * lib_agg.c — unit tests of the store's aggregates (store_iter_agg and
 * the bookkeeping in store_put_play / store_del_play / store_purge_user).
 *
 * The reference is a full recount: every play of a user read back with
 * store_iter_plays() and summed per 15-minute bucket by the rule store.h
 * states (ms_played when known, else the track's duration, else only a
 * play), compared field by field with what store_iter_agg() returns.  It
 * is checked after random puts and deletes over several users whose ids
 * share prefixes, after transactions that abort, after a purge, after a
 * version-1 store is migrated, and after a writer process is killed with
 * SIGKILL in the middle of its transactions, over and over.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"
#include "schema.h"
#include "store.h"
#include "timeutil.h"
#include "testutil.h"

#define B		STORE_AGG_BUCKET_MS
#define NTRACKS		12
#define MAXB		4096


static uint64_t rng = 0x2545f4914f6cdd1dULL;

TU_FX_SETUP(setup, "lib_agg_test")

/* Track i: tracks 0..9 have durations, 10 has duration 0, 11 no record. */
static int
put_tracks(struct store_txn *t, void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < NTRACKS - 1; i++)
		if (tu_put_track(t, i, i < 10 ? 120000 + (uint32_t)i * 7001 :
		    0) == -1)
			return -1;
	return 0;
}

/*
 * cmocka setup of the tests that play the tracks: the fixture's store
 * (tu_fx_setup()) with put_tracks() committed.
 */
static int
setup_tracks(void **state)
{
	return tu_fx_setup_with(state, "lib_agg_test", put_tracks, NULL);
}

/* ---- the recount ----------------------------------------------------------- */

struct buckets {
	struct agg_bucket v[MAXB];
	size_t		  n;
	struct store_txn *t;
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return a % b < 0 ? q - 1 : q;
}

static int
recount_cb(const struct play *p, void *arg)
{
	struct buckets *bs = arg;
	struct agg_bucket *b;
	struct track tr;
	int64_t start;

	/* Plays outside years 1..9999 are not aggregated (store.h). */
	if (p->played_at < TIME_MS_MIN || p->played_at > TIME_MS_MAX)
		return 0;
	start = floor_div(p->played_at, B) * B;
	if (bs->n == 0 || bs->v[bs->n - 1].start_ms != start) {
		assert_true(bs->n < MAXB);
		b = &bs->v[bs->n++];
		memset(b, 0, sizeof(*b));
		b->start_ms = start;
	}
	b = &bs->v[bs->n - 1];
	b->plays++;
	if (p->ms_played >= 0) {
		b->by_played++;
		b->ms_played += (uint64_t)p->ms_played;
	} else if (store_get_track(bs->t, p->track_id, &tr) == STORE_OK &&
	    tr.duration_ms > 0) {
		b->by_duration++;
		b->ms_duration += tr.duration_ms;
	}
	return 0;
}

static int
collect_cb(const struct agg_bucket *b, void *arg)
{
	struct buckets *bs = arg;

	assert_true(bs->n < MAXB);
	bs->v[bs->n++] = *b;
	return 0;
}

/* Field by field: the struct has padding. */
static int
bucket_equal(const struct agg_bucket *a, const struct agg_bucket *b)
{
	return a->start_ms == b->start_ms && a->plays == b->plays &&
	    a->by_played == b->by_played && a->ms_played == b->ms_played &&
	    a->by_duration == b->by_duration &&
	    a->ms_duration == b->ms_duration;
}

/* Fails unless the aggregates of every user equal a recount. */
static int
check_recount(struct store_txn *t, void *arg)
{
	static struct buckets want, got;
	size_t i, u;

	(void)arg;
	for (u = 0; u < TU_NUSERS; u++) {
		want.n = got.n = 0;
		want.t = t;
		assert_int_equal(store_iter_plays(t, tu_users[u], INT64_MIN,
		    INT64_MAX, STORE_ASC, recount_cb, &want), STORE_OK);
		assert_int_equal(store_iter_agg(t, tu_users[u], INT64_MIN,
		    INT64_MAX, STORE_ASC, collect_cb, &got), STORE_OK);
		if (got.n != want.n)
			fail_msg("%s: %zu buckets, recount %zu", tu_users[u],
			    got.n, want.n);
		for (i = 0; i < want.n; i++)
			if (!bucket_equal(&got.v[i], &want.v[i]))
				fail_msg("%s: bucket %lld: plays %u/%u "
				    "by_played %u/%u ms %llu/%llu by_duration "
				    "%u/%u ms %llu/%llu", tu_users[u],
				    (long long)want.v[i].start_ms,
				    got.v[i].plays, want.v[i].plays,
				    got.v[i].by_played, want.v[i].by_played,
				    (unsigned long long)got.v[i].ms_played,
				    (unsigned long long)want.v[i].ms_played,
				    got.v[i].by_duration,
				    want.v[i].by_duration,
				    (unsigned long long)got.v[i].ms_duration,
				    (unsigned long long)
				    want.v[i].ms_duration);
	}
	return 0;
}

/* Asserts, in a read transaction of st, what check_recount() checks. */
static void
assert_recount(struct store *st)
{
	assert_int_equal(store_read(st, check_recount, NULL), STORE_OK);
}

/* ---- random work ------------------------------------------------------------ */

struct work {
	int	 ops;
	int	 fail_at_end;	/* return -1: the transaction aborts */
	int64_t	 base;		/* times are base + 0..span */
	int64_t	 span;
	int	 puts, dels;
	const char *user;	/* NULL: any user at random */
};

/* A random play time: clustered so buckets get several plays. */
static int64_t
rand_time(const struct work *w)
{
	int64_t t = w->base + (int64_t)(tu_rand(&rng) % (uint64_t)w->span);

	if (tu_rand(&rng) % 3 == 0)
		t -= t % B;			/* exactly on a boundary */
	return t;
}

static int
random_work(struct store_txn *t, void *arg)
{
	struct work *w = arg;
	struct play p;
	const char *u;
	int i, rc;

	for (i = 0; i < w->ops; i++) {
		u = w->user != NULL ? w->user :
		    tu_users[tu_rand(&rng) % TU_NUSERS];
		if (tu_rand(&rng) % 4 != 0) {
			memset(&p, 0, sizeof(p));
			p.played_at = rand_time(w);
			tu_track_id((int)(tu_rand(&rng) % NTRACKS), p.track_id);
			p.context_uri = "";
			p.source = (uint8_t)(tu_rand(&rng) % SOURCE__MAX);
			p.ms_played = tu_rand(&rng) % 2 ? -1 :
			    (int32_t)(tu_rand(&rng) % 400000);
			rc = store_put_play(t, u, &p);
			if (rc == STORE_ERR)
				return -1;
			w->puts += rc == STORE_OK;
			continue;
		}
		/* Delete a play when one is at a random time. */
		p.played_at = rand_time(w);
		rc = store_get_play(t, u, p.played_at, &p);
		if (rc == STORE_OK) {
			rc = store_del_play(t, u, p.played_at);
			if (rc != STORE_OK)
				return -1;
			w->dels++;
		}
		/* And a delete of something absent changes nothing. */
		if (store_del_play(t, u, INT64_C(-1)) != STORE_NOTFOUND)
			return -1;
	}
	return w->fail_at_end ? -1 : 0;
}

/* Sets w to ops random puts and deletes at times base + 0..span. */
static void
work_init(struct work *w, int ops, int64_t base, int64_t span)
{
	memset(w, 0, sizeof(*w));
	w->ops = ops;
	w->base = base;
	w->span = span;
}

/* Commits a first round of the random work w (on setup_tracks()). */
static void
seed(struct tu_fx *fx, struct work *w, int ops, int64_t base, int64_t span)
{
	work_init(w, ops, base, span);
	assert_int_equal(store_write(fx->st, random_work, w), STORE_OK);
}

/*
 * Deletes, one by one, every other play of the user arg (a string): the
 * first, third, ... of the oldest MAXB * 4.
 */
static int
del_every_other(struct store_txn *t, void *arg)
{
	static int64_t at[MAXB * 4];
	const char *user = arg;
	size_t i, n;

	if (tu_play_times(t, user, at, TU_NITEMS(at), &n) == -1)
		return -1;
	for (i = 0; i < n; i += 2)
		if (store_del_play(t, user, at[i]) != STORE_OK)
			return -1;
	return 0;
}

/* ---- tests ------------------------------------------------------------------- */

/* Proves aggregates equal a recount after many random puts and deletes. */
static void
test_random_recount(void **state)
{
	struct tu_fx *fx = *state;
	char bob[] = "bob";
	struct work w;
	int round;

	work_init(&w, 300, INT64_C(1700000000000), 40 * B);
	for (round = 0; round < 30; round++) {
		/* Some rounds straddle 1970 to test negative buckets. */
		w.base = round % 5 == 4 ? -20 * B : INT64_C(1700000000000);
		assert_int_equal(store_write(fx->st, random_work, &w),
		    STORE_OK);
		assert_recount(fx->st);
	}
	assert_true(w.puts > 4000 && w.dels > 500);
	/* Emptying half the plays of one user empties buckets too. */
	assert_int_equal(store_write(fx->st, del_every_other, bob), STORE_OK);
	assert_int_equal(store_write(fx->st, del_every_other, bob), STORE_OK);
	assert_recount(fx->st);
}

/*
 * Runs of one user's puts and deletes, each followed in the same write
 * transaction by the recount and a read of the version: what the
 * aggregates hold back until commit is there for every read before it.
 */
static int
runs_with_reads(struct store_txn *t, void *arg)
{
	struct work *w = arg;
	uint64_t before, after;
	int round, puts;

	for (round = 0; round < 12; round++) {
		w->user = tu_users[round % TU_NUSERS];
		before = 0;
		(void)store_agg_version(t, w->user, &before);
		puts = w->puts;
		if (random_work(t, w) != 0 || check_recount(t, NULL) != 0)
			return -1;
		if (store_agg_version(t, w->user, &after) != STORE_OK ||
		    (w->puts > puts && after == before))
			return -1;
	}
	return 0;
}

/*
 * Proves the aggregates equal a recount when read inside the write
 * transaction that changes them, run after run of one user's plays in
 * the same few buckets, and again after the commit.
 */
static void
test_read_in_write(void **state)
{
	struct tu_fx *fx = *state;
	struct work w;

	work_init(&w, 60, INT64_C(1700000000000), 3 * B);
	assert_int_equal(store_write(fx->st, runs_with_reads, &w), STORE_OK);
	assert_recount(fx->st);
	assert_true(w.puts > 300 && w.dels > 20);
}

/* A snapshot of one user's buckets. */
static int
snap_bob(struct store_txn *t, void *arg)
{
	struct buckets *bs = arg;

	bs->n = 0;
	return store_iter_agg(t, "bob", INT64_MIN, INT64_MAX, STORE_ASC,
	    collect_cb, bs) == STORE_OK ? 0 : -1;
}

/* Proves an aborted transaction leaves plays and aggregates as they were. */
static void
test_abort(void **state)
{
	struct tu_fx *fx = *state;
	static struct buckets before, after;
	struct work w;
	size_t i;

	seed(fx, &w, 200, INT64_C(1600000000000), 30 * B);
	assert_int_equal(store_read(fx->st, snap_bob, &before), STORE_OK);
	assert_true(before.n > 0);
	w.fail_at_end = 1;
	assert_int_equal(store_write(fx->st, random_work, &w), STORE_ERR);
	assert_int_equal(store_read(fx->st, snap_bob, &after), STORE_OK);
	assert_int_equal(after.n, before.n);
	for (i = 0; i < before.n; i++)
		assert_true(bucket_equal(&after.v[i], &before.v[i]));
	assert_recount(fx->st);
}

/* Known answers: bucket bounds, negative times, what is not counted. */
static int
known_body(struct store_txn *t, void *arg)
{
	struct buckets *bs = arg;
	struct play p;
	char id[ID_LEN + 1];
	int64_t at[] = { 0, B - 1, B, 3 * B + 5, -1, -B, -B - 1,
	    INT64_C(253402300800000), INT64_MIN, INT64_MAX };
	size_t i;

	tu_track_id(3, id);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.played_at = at[i];
		memcpy(p.track_id, id, sizeof(p.track_id));
		p.context_uri = "";
		p.ms_played = (int32_t)i * 1000 - 1;	/* first is -1 */
		assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	}
	/* Putting an existing play again changes nothing. */
	p.played_at = 0;
	assert_int_equal(store_put_play(t, "bob", &p), STORE_EXISTS);
	bs->n = 0;
	assert_int_equal(store_iter_agg(t, "bob", INT64_MIN, INT64_MAX,
	    STORE_ASC, collect_cb, bs), STORE_OK);
	return 0;
}

static void
test_known(void **state)
{
	struct tu_fx *fx = *state;
	static struct buckets bs;

	assert_int_equal(store_write(fx->st, known_body, &bs), STORE_OK);
	/* Buckets -2B (-B-1), -B (-B, -1), 0 (0, B-1), B, 3B; the plays
	 * in year 10000 and at the extremes are not aggregated. */
	assert_int_equal(bs.n, 5);
	assert_int_equal(bs.v[0].start_ms, -2 * B);
	assert_int_equal(bs.v[1].start_ms, -B);
	assert_int_equal(bs.v[1].plays, 2);
	assert_int_equal(bs.v[2].start_ms, 0);
	assert_int_equal(bs.v[2].plays, 2);
	/* played_at 0 had ms_played -1: the track's duration. */
	assert_int_equal(bs.v[2].by_duration, 1);
	assert_int_equal(bs.v[2].ms_duration, 120000 + 3 * 7001);
	assert_int_equal(bs.v[2].by_played, 1);
	assert_int_equal(bs.v[2].ms_played, 999);
	assert_int_equal(bs.v[3].start_ms, B);
	assert_int_equal(bs.v[4].start_ms, 3 * B);
	assert_recount(fx->st);
}

struct range_q {
	int64_t		 from, to;
	enum store_dir	 dir;
	struct buckets	*bs;
};

static int
range_body(struct store_txn *t, void *arg)
{
	struct range_q *q = arg;

	q->bs->n = 0;
	return store_iter_agg(t, "bob", q->from, q->to, q->dir, collect_cb,
	    q->bs) == STORE_OK ? 0 : -1;
}

/* Proves range bounds are on bucket starts, both included, both ways. */
static void
test_ranges(void **state)
{
	struct tu_fx *fx = *state;
	static struct buckets bs, scratch;
	struct range_q q = { 0, 0, STORE_ASC, &bs };

	assert_int_equal(store_write(fx->st, known_body, &scratch), STORE_OK);
	q.from = -B;
	q.to = B;
	assert_int_equal(store_read(fx->st, range_body, &q), STORE_OK);
	assert_int_equal(bs.n, 3);		/* -B, 0, B */
	q.from = -B + 1;			/* rounds up to 0 */
	q.to = B - 1;				/* rounds down to 0 */
	assert_int_equal(store_read(fx->st, range_body, &q), STORE_OK);
	assert_int_equal(bs.n, 1);
	assert_int_equal(bs.v[0].start_ms, 0);
	q.from = 1;
	q.to = B - 1;				/* no bucket starts inside */
	assert_int_equal(store_read(fx->st, range_body, &q), STORE_OK);
	assert_int_equal(bs.n, 0);
	q.from = INT64_MIN;
	q.to = INT64_MAX;
	q.dir = STORE_DESC;
	assert_int_equal(store_read(fx->st, range_body, &q), STORE_OK);
	assert_int_equal(bs.n, 5);
	assert_int_equal(bs.v[0].start_ms, 3 * B);
	assert_int_equal(bs.v[4].start_ms, -2 * B);
	q.from = 5;
	q.to = 4;
	assert_int_equal(store_read(fx->st, range_body, &q), STORE_OK);
	assert_int_equal(bs.n, 0);
}

static int
count_buckets(struct store_txn *t, void *arg)
{
	size_t *n = arg, u;
	struct buckets *bs = malloc(sizeof(*bs));

	assert_non_null(bs);
	for (u = 0; u < TU_NUSERS; u++) {
		bs->n = 0;
		assert_int_equal(store_iter_agg(t, tu_users[u], INT64_MIN,
		    INT64_MAX, STORE_ASC, collect_cb, bs), STORE_OK);
		n[u] = bs->n;
	}
	free(bs);
	return 0;
}

/* Proves a purge removes the user's buckets and no one else's. */
static void
test_purge(void **state)
{
	struct tu_fx *fx = *state;
	struct work w;
	size_t n[TU_NUSERS];

	seed(fx, &w, 400, INT64_C(1600000000000), 50 * B);
	assert_int_equal(store_read(fx->st, count_buckets, n), STORE_OK);
	assert_true(n[0] > 0 && n[1] > 0 && n[2] > 0);
	assert_int_equal(tu_purge(fx->st, "bob", NULL), STORE_OK);
	assert_int_equal(store_read(fx->st, count_buckets, n), STORE_OK);
	assert_int_equal(n[1], 0);
	assert_true(n[0] > 0 && n[2] > 0);
	assert_recount(fx->st);
}

/* Puts synthetic track 0 with the duration *arg. */
static int
put_track0(struct store_txn *t, void *arg)
{
	return tu_put_track(t, 0, *(uint32_t *)arg);
}

/*
 * Proves the documented limit: a duration changed between the put and
 * the delete of an untimed play is clamped, never wraps, and the bucket
 * goes when its last play does.
 */
static void
test_duration_changed(void **state)
{
	struct tu_fx *fx = *state;
	static struct buckets bs;
	uint32_t duration = 200000;
	struct play p;

	tu_play(&p, 10 * B, 0);
	assert_int_equal(store_write(fx->st, put_track0, &duration), STORE_OK);
	assert_int_equal(tu_play_write(fx->st, "bob", &p, 0, 0), STORE_OK);
	assert_int_equal(store_read(fx->st, snap_bob, &bs), STORE_OK);
	assert_int_equal(bs.n, 1);
	assert_int_equal(bs.v[0].by_duration, 1);
	assert_int_equal(bs.v[0].ms_duration, 200000);
	duration = 250000;
	assert_int_equal(store_write(fx->st, put_track0, &duration), STORE_OK);
	assert_int_equal(tu_play_write(fx->st, "bob", &p, 1, 0), STORE_OK);
	assert_int_equal(store_read(fx->st, snap_bob, &bs), STORE_OK);
	assert_int_equal(bs.n, 0);
}

static uint64_t
version_of(struct tu_fx *fx, const char *user, int want_rc)
{
	struct store_txn *t = store_reader(fx->st);
	uint64_t v = 0;

	assert_non_null(t);
	assert_int_equal(store_read_begin(t), STORE_OK);
	assert_int_equal(store_agg_version(t, user, &v), want_rc);
	store_read_end(t);
	store_reader_free(t);
	return v;
}

/*
 * Puts (del: deletes) bob's play of track 1 at at, 1 s played; fail
 * aborts the transaction.  Returns what tu_play_write() returns.
 */
static int
vop(struct tu_fx *fx, int64_t at, int del, int fail)
{
	struct play p;

	tu_play(&p, at, 1);
	p.ms_played = 1000;
	return tu_play_write(fx->st, "bob", &p, del, fail);
}

/*
 * Proves the journal version changes with every put and delete that
 * commits, and with nothing else; a purge forgets it and a new journal
 * starts elsewhere.
 */
static void
test_version(void **state)
{
	struct tu_fx *fx = *state;
	int64_t at = 5 * B;
	uint64_t v0, v1, v2;

	(void)version_of(fx, "bob", STORE_NOTFOUND);
	(void)version_of(fx, "", STORE_NOTFOUND);
	assert_int_equal(vop(fx, at, 0, 0), STORE_OK);
	v0 = version_of(fx, "bob", STORE_OK);
	(void)version_of(fx, "bo", STORE_NOTFOUND);	/* a prefix of bob */
	/* The same play again: STORE_EXISTS, nothing written. */
	assert_int_equal(vop(fx, at, 0, 0), STORE_EXISTS);
	assert_true(version_of(fx, "bob", STORE_OK) == v0);
	at++;
	assert_int_equal(vop(fx, at, 0, 0), STORE_OK);
	v1 = version_of(fx, "bob", STORE_OK);
	assert_true(v1 != v0);
	/* An aborted put changes nothing. */
	at++;
	assert_int_equal(vop(fx, at, 0, 1), STORE_ERR);
	assert_true(version_of(fx, "bob", STORE_OK) == v1);
	at--;
	assert_int_equal(vop(fx, at, 1, 0), STORE_OK);
	v2 = version_of(fx, "bob", STORE_OK);
	assert_true(v2 != v1 && v2 != v0);
	/* A delete of nothing changes nothing. */
	assert_int_equal(vop(fx, at, 1, 0), STORE_NOTFOUND);
	assert_true(version_of(fx, "bob", STORE_OK) == v2);
	/* Purged: gone; put again: not where it was. */
	assert_int_equal(tu_purge(fx->st, "bob", NULL), STORE_OK);
	(void)version_of(fx, "bob", STORE_NOTFOUND);
	assert_int_equal(vop(fx, at, 0, 0), STORE_OK);
	v0 = version_of(fx, "bob", STORE_OK);
	assert_true(v0 != v2 && v0 != v2 + 1);
	/* And the version record is no bucket. */
	assert_recount(fx->st);
}

/* Every part's version of user, read both ways (which must agree). */
struct parts {
	const char	*user;
	uint64_t	 v[STORE_PART__MAX];
};

static int
parts_read(struct store_txn *t, void *arg)
{
	struct parts *ps = arg;
	uint64_t one;
	int p, rc;

	if (store_part_versions(t, ps->user, ps->v) != STORE_OK)
		return -1;
	for (p = 0; p < STORE_PART__MAX; p++) {
		rc = store_part_version(t, ps->user, (enum store_part)p, &one);
		if (rc == STORE_ERR || one != ps->v[p] ||
		    (rc == STORE_NOTFOUND) != (one == 0))
			return -1;
	}
	return 0;
}

static void
parts_of(struct tu_fx *fx, const char *user, uint64_t out[STORE_PART__MAX])
{
	struct parts ps = { user, { 0 } };

	assert_int_equal(store_read(fx->st, parts_read, &ps), STORE_OK);
	memcpy(out, ps.v, sizeof(ps.v));
}

/* One write of a part's record for bob (arg: a char, 'P' 'T' 'G' or 'd'). */
static int
part_body(struct store_txn *t, void *arg)
{
	const char *what = arg;
	struct playlist_week w;
	char id[ID_LEN + 1];

	tu_track_id(1, id);
	switch (*what) {
	case 'P':
		memset(&w, 0, sizeof(w));
		tu_track_id(7, w.playlist_id);
		w.week = 20000;
		w.name = "Discover Weekly";
		w.snapshot_id = "";
		w.tracks.ids = id;
		w.tracks.n = 1;
		return store_put_playlist_week(t, "bob", &w) == STORE_OK ? 0 :
		    -1;
	case 'T':
		return tu_put_top(t, "bob", TOP_TRACKS, RANGE_SHORT, 20000, id,
		    1) == STORE_OK ? 0 : -1;
	case 'G':
		return tu_put_gap(t, "bob", 10, 20) == STORE_OK ? 0 : -1;
	default:	/* delete the gap; a second time deletes nothing */
		return store_del_gap(t, "bob", 10) == STORE_ERR ? -1 : 0;
	}
}

/*
 * Proves each part of a journal has its own version: a weekly playlist,
 * a top list, a gap and a gap deleted each move their part's version and
 * no other part's, nor another user's; a delete of nothing moves none;
 * all read at once equal each read alone.
 */
static void
test_part_versions(void **state)
{
	static const struct { char what; int part; } steps[] = {
		{ 'P', STORE_PART_PLAYLISTS }, { 'T', STORE_PART_TOP },
		{ 'G', STORE_PART_GAPS }, { 'd', STORE_PART_GAPS },
		{ 'd', -1 },
	};
	struct tu_fx *fx = *state;
	uint64_t a[STORE_PART__MAX], b[STORE_PART__MAX], bobby[STORE_PART__MAX];
	uint64_t bobby2[STORE_PART__MAX];
	char what[2] = "";
	size_t i;
	int p;

	parts_of(fx, "bob", a);
	for (p = 0; p < STORE_PART__MAX; p++)
		assert_true(a[p] == 0);
	assert_int_equal(vop(fx, 5 * B, 0, 0), STORE_OK);
	parts_of(fx, "bob", a);
	assert_true(a[STORE_PART_PLAYS] != 0);
	parts_of(fx, "bobby", bobby);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		what[0] = steps[i].what;
		assert_int_equal(store_write(fx->st, part_body, what),
		    STORE_OK);
		parts_of(fx, "bob", b);
		for (p = 0; p < STORE_PART__MAX; p++)
			if (p == steps[i].part)
				assert_true(b[p] != a[p]);
			else
				assert_true(b[p] == a[p]);
		memcpy(a, b, sizeof(a));
	}
	parts_of(fx, "bobby", bobby2);
	assert_memory_equal(bobby, bobby2, sizeof(bobby));
	/* The version records are no buckets. */
	assert_recount(fx->st);
}

/* Makes the store look like schema version 1: no agg database. */
static void
make_v1(const char *dir)
{
	MDB_env *env;
	MDB_txn *txn;

	assert_int_equal(tu_raw_open(dir, 0, &env, &txn), 0);
	assert_int_equal(tu_raw_drop(txn, "agg"), 0);
	assert_int_equal(tu_plays_before_v5(txn), 0);
	assert_int_equal(tu_raw_set_version(env, txn, 1), 0);
}

/*
 * Proves a version-1 store is refused read-only (no aggregates yet) and
 * migrated by a writable open: aggregates built, version 2 recorded.
 */
static void
test_migrate(void **state)
{
	struct tu_fx *fx = *state;
	struct store_info info;
	struct store *ro;
	struct work w;
	size_t n[TU_NUSERS];

	seed(fx, &w, 500, INT64_C(1500000000000), 80 * B);
	store_close(fx->st);
	fx->st = NULL;
	make_v1(fx->dir);
	assert_int_equal(store_open(&ro, fx->dir, STORE_RDONLY, 0),
	    STORE_ERR);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	assert_int_equal(info.schema_version, STORE_SCHEMA_VERSION);
	assert_int_equal(store_read(fx->st, count_buckets, n), STORE_OK);
	assert_true(n[0] > 0 && n[1] > 0 && n[2] > 0);
	assert_recount(fx->st);
	/* And a reader opens it now. */
	assert_int_equal(store_open(&ro, fx->dir, STORE_RDONLY, 0), STORE_OK);
	store_close(ro);
}

/*
 * Proves a writer killed with SIGKILL at any moment leaves aggregates
 * that equal the recount: a child writes random transactions without
 * end, the parent kills it after a random few milliseconds, reopens,
 * checks, and does it again.
 */
static void
test_kill9(void **state)
{
	struct tu_fx *fx = *state;
	struct store *st;
	struct timespec ts;
	struct work w;
	pid_t pid;
	int round, status;

	store_close(fx->st);
	fx->st = NULL;
	for (round = 0; round < 8; round++) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			rng += (uint64_t)round * 7919;
			if (store_open(&st, fx->dir, 0, 0) != STORE_OK)
				_exit(3);
			work_init(&w, 50, INT64_C(1650000000000), 200 * B);
			for (;;)
				if (store_write(st, random_work, &w) !=
				    STORE_OK)
					_exit(4);
		}
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(20 + tu_rand(&rng) % 120) * 1000000L;
		nanosleep(&ts, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
		assert_recount(fx->st);
		store_close(fx->st);
		fx->st = NULL;
	}
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_random_recount, setup_tracks,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_read_in_write, setup_tracks,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_abort, setup_tracks,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_known, setup_tracks,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_ranges, setup_tracks,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_purge, setup_tracks,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_duration_changed, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_migrate, setup_tracks,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_part_versions, setup_tracks,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_version, setup_tracks,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_kill9, setup_tracks,
	    tu_fx_teardown),
)
