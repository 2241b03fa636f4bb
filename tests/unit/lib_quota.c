/*
 * lib_quota.c — unit tests of the quota record: a process's running totals
 * become per-slot increases (the same totals twice add nothing, a new
 * process starts from zero), the last hour and day sum the right slots, and
 * slots older than a day are not counted even where the ring reuses them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "quota.h"
#include "testutil.h"

#define T0	1767571200LL	/* 2026-01-05T00:00:00Z, a slot boundary */

static void
record(struct store *st, uint64_t inst, int64_t now, uint64_t api,
    uint64_t acc, uint64_t n429)
{
	struct quota_counts t = { api, acc, n429 };

	assert_int_equal(quota_write(st, inst, now, &t), 0);
}

/* quota_sum() of the window seconds before now, read through a reader. */
static struct quota_counts
sum(struct store *st, int64_t now, int64_t window)
{
	struct quota_counts out;
	struct store_txn *rd;

	memset(&out, 0, sizeof(out));
	assert_non_null(rd = tu_read(st));
	assert_int_equal(quota_sum(rd, now, window, &out), 0);
	tu_read_done(rd);
	return out;
}

static void
test_totals_become_increases(void **state)
{
	struct tu_fx *fx = *state;
	struct quota_counts q;

	q = sum(fx->st, T0, 3600);
	assert_int_equal(q.api, 0);
	record(fx->st, 1, T0 + 10, 100, 5, 1);
	record(fx->st, 1, T0 + 40, 100, 5, 1);	/* nothing new */
	record(fx->st, 1, T0 + 70, 130, 6, 1);
	q = sum(fx->st, T0 + 100, 3600);
	assert_int_equal(q.api, 130);
	assert_int_equal(q.accounts, 6);
	assert_int_equal(q.n429, 1);
	/* a new process: its totals start from zero */
	record(fx->st, 2, T0 + 700, 20, 1, 0);
	q = sum(fx->st, T0 + 700, 3600);
	assert_int_equal(q.api, 150);
	assert_int_equal(q.accounts, 7);
}

static void
test_hour_and_day_windows(void **state)
{
	struct tu_fx *fx = *state;
	struct quota_counts q;
	uint64_t api = 0;
	int64_t t;

	/* 10 requests every 10 minutes for two days */
	for (t = T0; t < T0 + 2 * 86400; t += QUOTA_SLOT_S) {
		api += 10;
		record(fx->st, 7, t, api, 0, 0);
	}
	t -= QUOTA_SLOT_S;
	q = sum(fx->st, t, 3600);
	assert_int_equal(q.api, 70);		/* 6 slots back + this one */
	q = sum(fx->st, t, 86400);
	assert_int_equal(q.api, QUOTA_SLOTS * 10);	/* the ring's day */
	/* a day later nothing of it is left */
	q = sum(fx->st, t + 86400 + QUOTA_SLOT_S, 86400);
	assert_int_equal(q.api, 0);
}

TU_FX_SETUP(setup, "quota")

TU_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_totals_become_increases,
	    setup, tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_hour_and_day_windows,
	    setup, tu_fx_teardown),
)
