/*
 * collector_sched.c — unit tests of collector/sched.c, the scheduler's
 * pure rules: per-user offsets (evenly spread for any number of users,
 * stable when users are added), the next slot of a user, retry delays
 * after failures, and local weeks in a user's time zone (from the
 * system's zone files, as in lib_tz.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../collector/sched.h"
#include "testutil.h"

static void
test_offsets_spread(void **state)
{
	static const uint32_t counts[] = { 1, 2, 3, 5, 10, 100, 1000 };
	const int32_t iv = 1200;
	size_t c;
	uint32_t k, n;

	(void)state;
	for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		n = counts[c];
		char *used = calloc((size_t)iv, 1);
		int32_t prev = -1, gap = 0, first = -1, o;

		assert_non_null(used);
		for (k = 0; k < n; k++) {
			o = sched_offset(k, iv);
			assert_true(o >= 0 && o < iv);
			used[o]++;
		}
		/* The largest empty stretch is at most 3 even shares. */
		for (o = 0; o < iv; o++)
			if (used[o]) {
				if (first < 0)
					first = o;
				if (prev >= 0 && o - prev > gap)
					gap = o - prev;
				prev = o;
			}
		if (iv - prev + first > gap)
			gap = iv - prev + first;
		if (n >= 3)
			assert_true(gap <= 3 * iv / (int32_t)n + 1);
		free(used);
	}
	/* Stable: adding users never moves the first ones. */
	assert_int_equal(sched_offset(7, 1200), sched_offset(7, 1200));
}

static void
test_next_slot_and_retry(void **state)
{
	int64_t t, r;
	uint32_t f;

	(void)state;
	assert_int_equal(sched_next_slot(1000, 100, 1200), 1300);
	assert_int_equal(sched_next_slot(1300, 100, 1200), 2500);
	assert_int_equal(sched_next_slot(1299, 100, 1200), 1300);
	for (t = 5000; t < 5000 + 2400; t += 37) {
		r = sched_next_slot(t, 333, 1200);
		assert_true(r > t && r <= t + 1200);
		assert_int_equal((r - 333) % 1200, 0);
	}
	for (f = 1; f < 20; f++) {
		r = sched_retry_at(0, f, 600);
		assert_true(r >= 1 && r <= 600);
	}
	assert_true(sched_retry_at(0, 1, 600) <= 30);
	assert_true(sched_retry_at(0, 30, 600) >= 450);
}

static void
test_local_week(void **state)
{
	int32_t week;
	int64_t start;

	(void)state;
	/* Wed 2026-01-07 12:00 UTC: the week of Mon 2026-01-05 (day 20458). */
	sched_local_week(1767787200, "", &week, &start);
	assert_int_equal(week, 20458);
	assert_int_equal(start, 1767571200);
	/* Mon 2026-01-05 02:00 UTC is still Sunday evening in New York. */
	sched_local_week(1767578400, "America/New_York", &week, &start);
	assert_int_equal(week, 20451);
	assert_int_equal(start, 1766984400);	/* Mon 12-29 00:00 EST */
	/* ...and already Monday in Tokyo. */
	sched_local_week(1767578400, "Asia/Tokyo", &week, &start);
	assert_int_equal(week, 20458);
	assert_int_equal(start, 1767571200 - 9 * 3600);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_offsets_spread),
	cmocka_unit_test(test_next_slot_and_retry),
	cmocka_unit_test(test_local_week),
)
