/*
 * lib_imports.c — unit tests of the import jobs and the marks of their
 * plays (lib/store_imports.c).
 *
 * They prove that a job with its file results reads back field for
 * field, per user and across users, newest first when asked; that ids
 * count per user; that a job of a bad status is refused; and that an
 * undo removes exactly the plays its job marked (never a polled play,
 * never another import's, even when a mark was left under a polled
 * play), in batches no larger than asked, resuming from its cursor, and
 * leaves the aggregates and the plays-by-track index as if those plays
 * had never been put; and that purging the user removes jobs and marks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"
#include "testutil.h"

#define T0	1700000000000LL
#define TRACK_A	"4uLU6hMCjMI75M1A2tKUQC"
#define TRACK_B	"0VjIjW4GlUZAMYd2vXMi3b"

TU_FX_SETUP(setup, "lib_imports_test")

static void
job_fill(struct import_job *j, const char *user, uint32_t id)
{
	memset(j, 0, sizeof(*j));
	strlcpy(j->user, user, sizeof(j->user));
	j->id = id;
	j->status = IMPORT_DONE;
	j->media = IMPORT_MEDIA_ZIP;
	j->created_at = T0 + id;
	j->updated_at = T0 + 2 * id;
	j->bytes = 123456 + id;
	strlcpy(j->file_name, "my_spotify_data.zip", sizeof(j->file_name));
	j->attempts = 1;
	j->files_total = 2;
	j->files_done = 2;
	j->files_failed = 1;
	j->records = 10;
	j->added = 7;
	j->duplicates = 1;
	j->skipped_podcast = 1;
	j->skipped_audiobook = 0;
	j->skipped_other = 1;
	j->undo_cursor = INT64_MIN;
	j->n_files = 2;
	strlcpy(j->files[0].name, "Streaming_History_Audio_2020.json",
	    sizeof(j->files[0].name));
	j->files[0].ok = 1;
	j->files[0].records = 10;
	j->files[0].added = 7;
	j->files[0].duplicates = 1;
	j->files[0].skipped = 2;
	strlcpy(j->files[1].name, "Streaming_History_Audio_2021.json",
	    sizeof(j->files[1].name));
	strlcpy(j->files[1].error, "line 3, column 1: not JSON",
	    sizeof(j->files[1].error));
}

static int
put_jobs(struct store_txn *t, void *arg)
{
	struct import_job j;

	(void)arg;
	job_fill(&j, "alice", 1);
	if (store_put_import(t, &j) != STORE_OK)
		return -1;
	job_fill(&j, "alice", 2);
	j.status = IMPORT_QUEUED;
	if (store_put_import(t, &j) != STORE_OK)
		return -1;
	job_fill(&j, "bob", 1);
	return store_put_import(t, &j) == STORE_OK ? 0 : -1;
}

struct seen {
	char	 who[8][USER_ID_MAX + 1];
	uint32_t ids[8];
	int	 n;
};

static int
seen_fn(const struct import_job *j, void *arg)
{
	struct seen *s = arg;

	strlcpy(s->who[s->n], j->user, sizeof(s->who[0]));
	s->ids[s->n++] = j->id;
	return 0;
}

struct readq {
	struct import_job j;
	struct seen all, alice;
	uint32_t last_alice, last_carol;
	int rc_get, rc_missing;
};

/*
 * Reads into *q, through one reader of st: alice's job 1 and her job 3
 * (none), every job, alice's newest first, and alice's and carol's last
 * ids; asserts the iterations and the last ids succeeded.
 */
static void
read_jobs(struct store *st, struct readq *q)
{
	struct import_job other;
	struct store_txn *rd;

	assert_non_null(rd = tu_read(st));
	q->rc_get = store_get_import(rd, "alice", 1, &q->j);
	q->rc_missing = store_get_import(rd, "alice", 3, &other);
	assert_int_equal(store_iter_imports(rd, NULL, STORE_ASC, seen_fn,
	    &q->all), STORE_OK);
	assert_int_equal(store_iter_imports(rd, "alice", STORE_DESC, seen_fn,
	    &q->alice), STORE_OK);
	assert_int_equal(store_last_import_id(rd, "alice", &q->last_alice),
	    STORE_OK);
	assert_int_equal(store_last_import_id(rd, "carol", &q->last_carol),
	    STORE_OK);
	tu_read_done(rd);
}

static void
test_roundtrip(void **state)
{
	struct tu_fx *fx = *state;
	struct import_job want;
	struct readq *q = calloc(1, sizeof(*q));

	assert_non_null(q);
	assert_int_equal(store_write(fx->st, put_jobs, NULL), STORE_OK);
	read_jobs(fx->st, q);
	assert_int_equal(q->rc_get, STORE_OK);
	assert_int_equal(q->rc_missing, STORE_NOTFOUND);
	job_fill(&want, "alice", 1);
	assert_memory_equal(&q->j, &want, sizeof(want));
	assert_int_equal(q->all.n, 3);
	/* By key: the length byte of [U] puts "bob" before "alice". */
	assert_string_equal(q->all.who[0], "bob");
	assert_string_equal(q->all.who[1], "alice");
	assert_int_equal(q->all.ids[2], 2);
	assert_int_equal(q->alice.n, 2);
	assert_int_equal(q->alice.ids[0], 2);	/* newest first */
	assert_int_equal(q->last_alice, 2);
	assert_int_equal(q->last_carol, 0);
	free(q);
}

static int
put_bad(struct store_txn *t, void *arg)
{
	struct import_job j;

	(void)arg;
	job_fill(&j, "alice", 5);
	j.status = IMPORT_STATUS__MAX;
	if (store_put_import(t, &j) != STORE_ERR)
		return -1;
	job_fill(&j, "alice", 0);
	if (store_put_import(t, &j) != STORE_ERR)
		return -1;
	job_fill(&j, "alice", 6);
	j.n_files = IMPORT_FILES_MAX + 1;
	return store_put_import(t, &j) == STORE_ERR ? 0 : -1;
}

TU_WRITE_TEST(test_refused, put_bad)

/*
 * alice's journal: a polled play at T0, import 1 put plays at T0 + k
 * minutes for k = 1..9 (odd ones of track A, even ones of B), import 2
 * one at T0 + 20 min; a polled play at T0 + 30 min carries a stale mark
 * of import 1.
 */
static int
put_journal(struct store_txn *t, void *arg)
{
	struct play p;
	int k;

	(void)arg;
	memset(&p, 0, sizeof(p));
	p.context_uri = "";
	p.ms_played = 60000;
	p.source = SOURCE_API;
	strlcpy(p.track_id, TRACK_A, sizeof(p.track_id));
	p.played_at = T0;
	if (store_put_play(t, "alice", &p) != STORE_OK)
		return -1;
	p.played_at = T0 + 30 * 60000;
	if (store_put_play(t, "alice", &p) != STORE_OK ||
	    store_mark_import(t, "alice", p.played_at, 1) != STORE_OK)
		return -1;
	p.source = SOURCE_EXTENDED;
	for (k = 1; k <= 9; k++) {
		p.played_at = T0 + k * 60000;
		strlcpy(p.track_id, k % 2 ? TRACK_A : TRACK_B,
		    sizeof(p.track_id));
		if (store_put_play(t, "alice", &p) != STORE_OK ||
		    store_mark_import(t, "alice", p.played_at, 1) != STORE_OK)
			return -1;
	}
	p.played_at = T0 + 20 * 60000;
	if (store_put_play(t, "alice", &p) != STORE_OK ||
	    store_mark_import(t, "alice", p.played_at, 2) != STORE_OK)
		return -1;
	return 0;
}

struct undo_q {
	int64_t	 cursor;
	uint64_t removed;
	int	 finished;
};

static int
undo_fn(struct store_txn *t, void *arg)
{
	struct undo_q *q = arg;

	return store_undo_import(t, "alice", 1, &q->cursor, 4, &q->removed,
	    &q->finished) == STORE_OK ? 0 : -1;
}

struct after {
	uint64_t plays, agg_plays, by_a;
	int64_t	 prev;
	uint32_t mark;
	int	 rc_mark_gone;
	int	 rc_poll;
};

static int
agg_fn(const struct agg_bucket *b, void *arg)
{
	((struct after *)arg)->agg_plays += b->plays;
	return 0;
}

static int
count_a(int64_t at, void *arg)
{
	(void)at;
	((struct after *)arg)->by_a++;
	return 0;
}

static int
after_fn(struct store_txn *t, void *arg)
{
	struct after *a = arg;
	struct play p;

	if (store_count_plays(t, "alice", INT64_MIN, INT64_MAX, &a->plays) !=
	    STORE_OK || store_iter_agg(t, "alice", INT64_MIN, INT64_MAX,
	    STORE_ASC, agg_fn, a) != STORE_OK ||
	    store_iter_track_times(t, "alice", TRACK_A, INT64_MIN, INT64_MAX,
	    STORE_ASC, count_a, a) != STORE_OK)
		return -1;
	/* The polled play at T0 + 30 min follows import 2's again. */
	if ((a->rc_poll = store_get_play(t, "alice", T0 + 30 * 60000, &p)) !=
	    STORE_OK)
		return 0;
	a->prev = p.prev_played_at;
	if (store_get_import_mark(t, "alice", T0 + 20 * 60000, &a->mark) !=
	    STORE_OK)
		return -1;
	a->rc_mark_gone = store_get_import_mark(t, "alice", T0 + 60000,
	    &(uint32_t){ 0 });
	return 0;
}

static void
test_undo(void **state)
{
	struct tu_fx *fx = *state;
	struct undo_q q = { INT64_MIN, 0, 0 };
	struct after a;
	uint64_t total = 0;
	int steps = 0;

	assert_int_equal(store_write(fx->st, put_journal, NULL), STORE_OK);
	while (!q.finished) {
		assert_int_equal(store_write(fx->st, undo_fn, &q), STORE_OK);
		assert_true(q.removed <= 4);
		total += q.removed;
		assert_true(++steps < 10);
	}
	assert_true(steps >= 3);	/* 9 plays, at most 4 a step */
	assert_int_equal(total, 9);
	memset(&a, 0, sizeof(a));
	assert_int_equal(store_read(fx->st, after_fn, &a), STORE_OK);
	assert_int_equal(a.rc_poll, STORE_OK);
	assert_int_equal(a.plays, 3);	/* two polled, import 2's */
	assert_int_equal(a.agg_plays, 3);
	assert_int_equal(a.by_a, 3);	/* the polled ones and import 2's */
	assert_int_equal(a.prev, T0 + 20 * 60000);
	assert_int_equal(a.mark, 2);
	assert_int_equal(a.rc_mark_gone, STORE_NOTFOUND);
	/* Undoing again finds nothing. */
	q.cursor = INT64_MIN;
	q.finished = 0;
	assert_int_equal(store_write(fx->st, undo_fn, &q), STORE_OK);
	assert_int_equal(q.removed, 0);
	assert_int_equal(q.finished, 1);
}

static void
test_purge(void **state)
{
	struct tu_fx *fx = *state;
	struct readq *q = calloc(1, sizeof(*q));

	assert_non_null(q);
	assert_int_equal(store_write(fx->st, put_jobs, NULL), STORE_OK);
	assert_int_equal(store_write(fx->st, put_journal, NULL), STORE_OK);
	assert_int_equal(tu_purge(fx->st, "alice", NULL), STORE_OK);
	read_jobs(fx->st, q);
	assert_int_equal(q->rc_get, STORE_NOTFOUND);
	assert_int_equal(q->all.n, 1);
	assert_string_equal(q->all.who[0], "bob");
	assert_int_equal(q->last_alice, 0);
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
		    tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup,
		    tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_undo, setup,
		    tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_purge, setup,
		    tu_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
