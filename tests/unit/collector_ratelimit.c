/*
 * collector_ratelimit.c — unit tests of the collector's pure timing rules:
 * the token bucket (no 30-second window ever sees more than the limit),
 * backoff with full jitter (always within [0, min(cap, base * 2^n)]),
 * Retry-After in both forms (seconds, HTTP date against the server's Date
 * header or our clock, clamped, garbage refused).  The scheduler's rules
 * are tested in collector_sched.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../collector/ratelimit.h"
#include "testutil.h"

/* Simulates a client taking tokens as fast as allowed for 5 minutes and
 * checks every 30 s window (sliding, 1 ms resolution). */
static void
test_bucket_never_exceeds_window(void **state)
{
	static const long maxes[] = { 1, 2, 10, 150, 1000, 10000 };
	size_t m;

	(void)state;
	for (m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
		struct ratelimit rl;
		int64_t *sent, now = 1000000, w, end = now + 300000;
		size_t n = 0, cap = (size_t)maxes[m] * 12 + 16, i, j;

		sent = calloc(cap, sizeof(*sent));
		assert_non_null(sent);
		ratelimit_init(&rl, maxes[m], 30, now);
		while (now < end && n < cap) {
			w = ratelimit_take(&rl, now);
			if (w == 0)
				sent[n++] = now;
			else {
				assert_true(w >= 1);
				now += w;
			}
		}
		/* A window of 30 s starting at each send. */
		for (i = 0, j = 0; i < n; i++) {
			while (j < n && sent[j] < sent[i] + 30000)
				j++;
			assert_true((long)(j - i) <= maxes[m]);
		}
		/*
		 * And the limit is nearly reached over 5 minutes: the burst
		 * (a tenth, at least one) is the only share given up.
		 */
		if (maxes[m] >= 10)
			assert_true((double)n >= 0.85 * (double)maxes[m] * 10.0);
		else
			assert_true(n >= 10);
		free(sent);
	}
}

static void
test_bucket_waits_then_allows(void **state)
{
	struct ratelimit rl;
	int64_t w;
	int i;

	(void)state;
	ratelimit_init(&rl, 100, 30, 0);
	for (i = 0; i < 10; i++)	/* the burst: a tenth */
		assert_int_equal(ratelimit_take(&rl, 0), 0);
	w = ratelimit_take(&rl, 0);
	assert_true(w > 0 && w <= 334);	/* 90 per 30 s: one per 333 ms */
	assert_int_equal(ratelimit_take(&rl, w), 0);
}

static void
test_backoff_bounds(void **state)
{
	unsigned a;
	int i;
	int64_t d, cap, seen_hi;

	(void)state;
	assert_int_equal(ratelimit_backoff_cap(0, 250, 60000), 250);
	assert_int_equal(ratelimit_backoff_cap(3, 250, 60000), 2000);
	assert_int_equal(ratelimit_backoff_cap(40, 250, 60000), 60000);
	for (a = 0; a < 12; a++) {
		cap = ratelimit_backoff_cap(a, 250, 60000);
		seen_hi = 0;
		for (i = 0; i < 2000; i++) {
			d = ratelimit_backoff(a, 250, 60000);
			assert_true(d >= 0 && d <= cap);
			if (d > seen_hi)
				seen_hi = d;
		}
		/* Full jitter: the upper half of the range is reached. */
		assert_true(seen_hi >= cap / 2);
	}
}

static void
test_retry_after(void **state)
{
	/* 2026-01-05 00:00:10 GMT = 1767571210 */
	const int64_t now = 1767571200000LL + 123;
	int64_t d;

	(void)state;
	assert_int_equal(ratelimit_parse_retry_after("120", now, 0, 3600, &d),
	    0);
	assert_int_equal(d, 120000);
	assert_int_equal(ratelimit_parse_retry_after(" 7\r\n", now, 0, 3600,
	    &d), 0);
	assert_int_equal(d, 7000);
	/* clamped */
	assert_int_equal(ratelimit_parse_retry_after("999999", now, 0, 3600,
	    &d), 0);
	assert_int_equal(d, 3600000);
	assert_int_equal(ratelimit_parse_retry_after(
	    "99999999999999999999999", now, 0, 60, &d), 0);
	assert_int_equal(d, 60000);
	/* An HTTP date against our clock: 10 s ahead, plus the 1 s rounding. */
	assert_int_equal(ratelimit_parse_retry_after(
	    "Mon, 05 Jan 2026 00:00:10 GMT", now, 0, 3600, &d), 0);
	assert_int_equal(d, 11000 - 123);
	/* Against the server's Date header (its clock is 1 h behind ours). */
	assert_int_equal(ratelimit_parse_retry_after(
	    "Mon, 05 Jan 2026 00:00:10 GMT", now + 3600000,
	    1767571205000LL + 900, 3600, &d), 0);
	assert_int_equal(d, 6000);
	/* In the past: no wait. */
	assert_int_equal(ratelimit_parse_retry_after(
	    "Sun, 04 Jan 2026 00:00:10 GMT", now, 0, 3600, &d), 0);
	assert_int_equal(d, 0);
	/* Garbage. */
	assert_int_equal(ratelimit_parse_retry_after("soon", now, 0, 3600, &d),
	    -1);
	assert_int_equal(ratelimit_parse_retry_after("12abc", now, 0, 3600, &d),
	    -1);
	assert_int_equal(ratelimit_parse_retry_after("", now, 0, 3600, &d), -1);
	assert_int_equal(ratelimit_parse_retry_after("-5", now, 0, 3600, &d),
	    -1);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_bucket_never_exceeds_window),
	cmocka_unit_test(test_bucket_waits_then_allows),
	cmocka_unit_test(test_backoff_bounds),
	cmocka_unit_test(test_retry_after),
)
