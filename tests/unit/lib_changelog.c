/*
 * lib_changelog.c — unit tests of the change-log follower
 * (lib/changelog.c).
 *
 * They prove, on a real store, that a first sync forgets everything and
 * walks nothing, that a sync with no change since says nothing, that a
 * changed or deleted entity is named exactly once with its kind, that a
 * follower that asks to start over forgets everything instead, and that
 * a store error (the log's iteration failing half way) forgets everything,
 * returns -1 and makes the next sync a first one: the safe behaviour
 * both the reader's cache and the insights' cache rely on.  The insights'
 * cache is shown to do so on a real store error (a read transaction that
 * has ended); fcgi_cache.c shows the same of the reader's cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "changelog.h"
#include "insights.h"
#include "json.h"
#include "tz.h"
#include "testutil.h"

/* What a follower was told. */
struct told {
	int		 all;		/* forget_all calls */
	int		 one;		/* forget calls */
	enum entity_kind kind;		/* of the last forget */
	char		 id[ID_LEN + 1];
	int		 fail;		/* forget returns -1 */
	int		 over;		/* start_over's answer */
};

static int
on_forget(enum entity_kind kind, const char *id, void *arg)
{
	struct told *t = arg;

	t->one++;
	t->kind = kind;
	(void)strlcpy(t->id, id, sizeof(t->id));
	return t->fail ? -1 : 0;
}

static void
on_forget_all(void *arg)
{
	((struct told *)arg)->all++;
}

static int
on_start_over(void *arg)
{
	return ((struct told *)arg)->over;
}

static const struct changelog_ops ops = {
	on_forget, on_forget_all, on_start_over
};

/* Syncs f in a read transaction; returns changelog_sync's answer. */
static int
sync_now(struct tu_fx *fx, struct changelog *f, struct told *t)
{
	struct store_txn *rd;
	int rc;

	memset(t, 0, offsetof(struct told, fail));
	assert_non_null(rd = tu_read(fx->st));
	rc = changelog_sync(f, rd, &ops, t);
	tu_read_done(rd);
	return rc;
}

/*
 * Syncs f (sync_now()), asserting it succeeded and told t of all
 * forget_all calls and one forget calls.
 */
static void
assert_sync(struct tu_fx *fx, struct changelog *f, struct told *t, int all,
    int one)
{
	assert_int_equal(sync_now(fx, f, t), 0);
	assert_int_equal(t->all, all);
	assert_int_equal(t->one, one);
}

/* Puts synthetic track *arg, its duration 1000 ms and *arg. */
static int
put_track_cb(struct store_txn *txn, void *arg)
{
	return tu_put_track(txn, *(int *)arg, 1000 + (uint32_t)*(int *)arg);
}

static int
del_track_cb(struct store_txn *txn, void *arg)
{
	char id[ID_LEN + 1];

	tu_track_id(*(int *)arg, id);
	return store_del_track(txn, id) == STORE_ERR ? -1 : 0;
}

static void
put_track(struct tu_fx *fx, int i)
{
	assert_int_equal(store_write(fx->st, put_track_cb, &i), STORE_OK);
}

/* Puts tracks 0, 1 and 2: a log that is not empty when first looked at. */
static int
put_first_tracks(struct store_txn *txn, void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 3; i++)
		if (put_track_cb(txn, &i) == -1)
			return -1;
	return 0;
}

static int
setup(void **state)
{
	return tu_fx_setup_with(state, "lib_changelog", put_first_tracks,
	    NULL);
}

static void
test_first_then_changes(void **state)
{
	struct tu_fx *fx = *state;
	struct changelog f;
	struct told t;
	char want[ID_LEN + 1];
	int i = 1;

	memset(&f, 0, sizeof(f));
	memset(&t, 0, sizeof(t));
	/* First sync: everything, nothing walked. */
	assert_sync(fx, &f, &t, 1, 0);
	/* Nothing new: nothing said. */
	assert_sync(fx, &f, &t, 0, 0);
	/* One changed track: named once. */
	put_track(fx, 7);
	assert_sync(fx, &f, &t, 0, 1);
	assert_int_equal(t.kind, ENTITY_TRACK);
	tu_track_id(7, want);
	assert_string_equal(t.id, want);
	/* A deleted one too. */
	assert_int_equal(store_write(fx->st, del_track_cb, &i), STORE_OK);
	assert_sync(fx, &f, &t, 0, 1);
	tu_track_id(1, want);
	assert_string_equal(t.id, want);
	/* Asking to start over is heard only when the log moved. */
	t.over = 1;
	assert_sync(fx, &f, &t, 0, 0);
	put_track(fx, 8);
	assert_sync(fx, &f, &t, 1, 0);
}

static void
test_store_error_forgets_all(void **state)
{
	struct tu_fx *fx = *state;
	struct changelog f;
	struct told t;

	memset(&f, 0, sizeof(f));
	memset(&t, 0, sizeof(t));
	assert_sync(fx, &f, &t, 1, 0);
	put_track(fx, 9);
	put_track(fx, 10);
	/* The log's walk fails at its first change: the store says so. */
	t.fail = 1;
	assert_int_equal(sync_now(fx, &f, &t), -1);
	assert_int_equal(t.one, 1);
	assert_int_equal(t.all, 1);
	assert_int_equal(f.synced, 0);
	/* The next sync starts afresh rather than trusting a half walk. */
	t.fail = 0;
	assert_sync(fx, &f, &t, 1, 0);
	assert_sync(fx, &f, &t, 0, 0);
}

static int
put_play_cb(struct store_txn *txn, void *arg)
{
	struct play p;

	(void)arg;
	tu_play(&p, INT64_C(1700000000000), 2);
	return store_put_play(txn, "u", &p) == STORE_ERR ? -1 : 0;
}

/* Runs the top insight of user "u" in rd with cache ic: 0 or -1. */
static int
run_top(struct store_txn *rd, struct insights_cache *ic)
{
	struct insights_query q;
	const struct tz *z;
	struct buf b;
	struct json j;
	int rc;

	assert_int_equal(tz_cache_get("UTC", &z), 0);
	insights_query_init(&q, "u", z);
	q.cache = ic;
	memset(&b, 0, sizeof(b));
	json_init(&j, &b);
	rc = insights_run(rd, INSIGHTS_TOP, &q, &j);
	buf_free(&b);
	return rc;
}

static void
test_insights_cache_store_error(void **state)
{
	struct tu_fx *fx = *state;
	struct insights_cache *ic;
	struct store_txn *rd;
	uint64_t tracks, loads, resets, builds;

	assert_int_equal(store_write(fx->st, put_play_cb, NULL), STORE_OK);
	assert_non_null(ic = insights_cache_new());
	assert_non_null(rd = store_reader(fx->st));
	assert_int_equal(store_read_begin(rd), STORE_OK);
	assert_int_equal(run_top(rd, ic), 0);
	insights_cache_stats(ic, &tracks, &loads, &resets, &builds);
	assert_int_equal(tracks, 1);
	assert_int_equal(resets, 0);
	/* The store fails (the transaction has ended): all is forgotten. */
	store_read_end(rd);
	assert_int_equal(run_top(rd, ic), -1);
	insights_cache_stats(ic, &tracks, &loads, &resets, &builds);
	assert_int_equal(tracks, 0);
	assert_int_equal(resets, 1);
	/* And the next request starts afresh. */
	assert_int_equal(store_read_begin(rd), STORE_OK);
	assert_int_equal(run_top(rd, ic), 0);
	insights_cache_stats(ic, &tracks, &loads, &resets, &builds);
	assert_int_equal(tracks, 1);
	store_read_end(rd);
	store_reader_free(rd);
	insights_cache_free(ic);
	tz_cache_clear();
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_first_then_changes, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_store_error_forgets_all,
	    setup, tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_insights_cache_store_error,
	    setup, tu_fx_teardown),
)
