/*
 * lib_timeutil.c — unit tests of lib/timeutil.c.
 *
 * Expected numbers were computed with Python's datetime and calendar
 * modules (an independent implementation); the calendar itself is also
 * checked day by day against a naive counter over 1600..2400.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "timeutil.h"
#include "testutil.h"

/* Proves days<->civil agree with a naive day counter for 800 years. */
static void
test_civil_walk(void **state)
{
	static const unsigned mdays[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t y = 1600, day, gy;
	unsigned m = 1, d = 1, gm, gd, len;

	(void)state;
	day = time_days_from_civil(1600, 1, 1);
	assert_int_equal(day, -135140);		/* Python: date(1600,1,1) */
	for (; y < 2400; day++) {
		assert_int_equal(time_days_from_civil(y, m, d), day);
		time_civil_from_days(day, &gy, &gm, &gd);
		assert_int_equal(gy, y);
		assert_int_equal(gm, m);
		assert_int_equal(gd, d);
		len = mdays[m - 1];
		if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
			len = 29;
		if (++d > len) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	assert_int_equal(time_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(time_days_from_civil(2000, 2, 29), 11016);
	assert_int_equal(time_days_from_civil(1, 1, 1), -719162);
	assert_int_equal(time_days_from_civil(9999, 12, 31), 2932896);
}

/* Proves time_day rounds down, including for negative times. */
static void
test_day(void **state)
{
	(void)state;
	assert_int_equal(time_day(0), 0);
	assert_int_equal(time_day(86399999), 0);
	assert_int_equal(time_day(86400000), 1);
	assert_int_equal(time_day(-1), -1);
	assert_int_equal(time_day(-86400000), -1);
	assert_int_equal(time_day(-86400001), -2);
	assert_int_equal(time_day(INT64_C(1767607201123)), 20458);
	/* 2038-01-19T03:14:08Z, one second past INT32_MAX seconds. */
	assert_int_equal(time_day(INT64_C(2147483648000)), 24855);
}

/* Proves weeks start on the UTC Monday, before 1970 too. */
static void
test_week_monday(void **state)
{
	int i;

	(void)state;
	/* 1970-01-01 was a Thursday: its Monday is 1969-12-29 (day -3). */
	assert_int_equal(time_week_monday(0), -3);
	/* 2026-01-05 is a Monday (day 20458): every ms of its week maps. */
	for (i = 0; i < 7; i++)
		assert_int_equal(time_week_monday((INT64_C(20458) + i) *
		    86400000 + 12345), 20458);
	assert_int_equal(time_week_monday(INT64_C(20458) * 86400000 - 1),
	    20451);
	/* 1969-07-20 (day -165, a Sunday) belongs to Monday 1969-07-14. */
	assert_int_equal(time_week_monday(INT64_C(-14182940000)), -171);
}

/* A text and the instant it parses to. */
struct parsed {
	const char	*in;
	int64_t		 want;
};

/* Asserts parse takes each of the n texts of v and gives its instant. */
static void
assert_parses(int (*parse)(const char *, int64_t *), const struct parsed *v,
    size_t n)
{
	size_t i;
	int64_t t;

	for (i = 0; i < n; i++) {
		t = 42;
		if (parse(v[i].in, &t) != 0)
			fail_msg("refused \"%s\"", v[i].in);
		if (t != v[i].want)
			fail_msg("\"%s\": %lld, want %lld", v[i].in,
			    (long long)t, (long long)v[i].want);
	}
}

/* Proves the accepted RFC 3339 forms give the right instants. */
static void
test_parse_iso8601_ok(void **state)
{
	static const struct parsed ok[] = {
		{ "2026-01-05T10:00:01.123Z", INT64_C(1767607201123) },
		{ "2026-01-05T10:00:01Z", INT64_C(1767607201000) },
		{ "2026-01-05T10:00:01+00:00", INT64_C(1767607201000) },
		{ "2026-01-05T11:30:01.5+01:30", INT64_C(1767607201500) },
		{ "2026-01-05T04:00:01-06:00", INT64_C(1767607201000) },
		/* Fractions of 1..9 digits are truncated to ms. */
		{ "2026-01-05t10:00:01.123456789z", INT64_C(1767607201123) },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59.999Z", -1 },
		{ "1969-07-20T20:17:40Z", INT64_C(-14182940000) },
		{ "2038-01-19T03:14:08Z", INT64_C(2147483648000) },
		{ "2024-02-29T00:00:00Z", INT64_C(1709164800000) },
		{ "2000-02-29T00:00:00Z", INT64_C(951782400000) },
	};

	(void)state;
	assert_parses(time_parse_iso8601, ok, TU_NITEMS(ok));
}

/* Asserts parse refuses each of the n strings of bad, and NULL, untouched. */
static void
assert_refused(int (*parse)(const char *, int64_t *), const char *const *bad,
    size_t n)
{
	size_t i;
	int64_t v;

	for (i = 0; i < n; i++) {
		v = 42;
		if (parse(bad[i], &v) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(v, 42);
	}
	assert_int_equal(parse(NULL, &v), -1);
}

/* Proves the parser is strict: each of these is refused untouched. */
static void
test_parse_iso8601_bad(void **state)
{
	static const char *const bad[] = {
		"", "2026", "2026-01-05", "2026-01-05T10:00:01",
		"2026-1-05T10:00:01Z", "2026-01-5T10:00:01Z",
		"26-01-05T10:00:01Z", "2026-01-05 10:00:01Z",
		"2026-01-05T10:00Z", "2026-01-05T10:00:01.Z",
		"2026-01-05T10:00:01.1234567890Z", "2026-01-05T10:00:01ZZ",
		"2026-01-05T10:00:01Z ", " 2026-01-05T10:00:01Z",
		"2026-01-05T10:00:01+0100", "2026-01-05T10:00:01+01",
		"2026-01-05T10:00:01+24:00", "2026-01-05T10:00:01+01:60",
		"2026-13-05T10:00:01Z", "2026-00-05T10:00:01Z",
		"2026-02-29T10:00:01Z", "2100-02-29T10:00:01Z",
		"2026-04-31T10:00:01Z", "2026-01-00T10:00:01Z",
		"2026-01-05T24:00:00Z", "2026-01-05T10:60:00Z",
		"2026-01-05T10:00:60Z", "2026-01-05T10:00:01.123+",
		"2026-01-05T1a:00:01Z", "+2026-01-05T10:00:01Z",
	};

	(void)state;
	assert_refused(time_parse_iso8601, bad, TU_NITEMS(bad));
}

/* Proves formatting, with and without ms, and round trips through parse. */
static void
test_format_iso8601(void **state)
{
	static const int64_t v[] = { 0, -1, 1, 999, INT64_C(1767607201123),
	    INT64_C(2147483647999), INT64_C(2147483648000),
	    INT64_C(-14182940000), INT64_C(951782400000),
	    INT64_C(253402300799999), INT64_C(-62167219200000) };
	char out[32];
	int64_t ms;
	size_t i;

	(void)state;
	assert_int_equal(time_format_iso8601(INT64_C(1767607201123), out, 1),
	    0);
	assert_string_equal(out, "2026-01-05T10:00:01.123Z");
	assert_int_equal(time_format_iso8601(INT64_C(1767607201123), out, 0),
	    0);
	assert_string_equal(out, "2026-01-05T10:00:01Z");
	assert_int_equal(time_format_iso8601(-1, out, 1), 0);
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	assert_int_equal(time_format_iso8601(INT64_C(2147483648000), out, 0),
	    0);
	assert_string_equal(out, "2038-01-19T03:14:08Z");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(time_format_iso8601(v[i], out, 1), 0);
		assert_int_equal(time_parse_iso8601(out, &ms), 0);
		assert_int_equal(ms, v[i]);
	}
	/* Years outside 0000..9999 cannot be written in this form. */
	assert_int_equal(time_format_iso8601(INT64_C(253402300800000), out, 1),
	    -1);
	assert_string_equal(out, "");
	assert_int_equal(time_format_iso8601(INT64_C(-62167219200001), out, 0),
	    -1);
}

/*
 * Proves a run of calls (the date of one day is kept for the next call)
 * writes what gmtime_r(3) says of each instant: the same day again, the
 * next, one far back, one out of range between two of the same day, and
 * a pseudo-random walk over years 1..9999 in steps of hours to decades.
 */
static void
test_format_iso8601_walk(void **state)
{
	static const int64_t fixed[] = { INT64_C(1767607201123),
	    INT64_C(1767607201124), INT64_C(1767657599999),
	    INT64_C(1767657600000), INT64_C(-62135596800000),
	    INT64_C(1767607201123), INT64_C(253402300800000),
	    INT64_C(1767607201123), -1, 0 };
	char out[32], want[40];
	uint64_t seed = 42;
	struct tm tm;
	time_t t;
	int64_t ms;
	size_t i;
	int ok;

	(void)state;
	for (i = 0; i < 20000; i++) {
		if (i < TU_NITEMS(fixed))
			ms = fixed[i];
		else {
			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			ms = TIME_MS_MIN + (int64_t)((seed >> 11) %
			    (uint64_t)(TIME_MS_MAX - TIME_MS_MIN));
			if (i % 3 != 0)	/* often the same day or the next */
				ms = fixed[0] + (int64_t)(seed >> 40) * 1000;
		}
		ok = time_format_iso8601(ms, out, (int)(i & 1));
		t = (time_t)time_fdiv(ms, 1000);
		assert_non_null(gmtime_r(&t, &tm));
		if (tm.tm_year + 1900 > 9999) {
			assert_int_equal(ok, -1);
			assert_string_equal(out, "");
			continue;
		}
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		if (i & 1)
			snprintf(want + 19, sizeof(want) - 19, ".%03dZ",
			    (int)(ms - time_fdiv(ms, 1000) * 1000));
		else
			strcpy(want + 19, "Z");
		assert_int_equal(ok, 0);
		assert_string_equal(out, want);
		assert_int_equal(strlen(out), (i & 1) ? TIME_ISO_MS_LEN :
		    TIME_ISO_LEN);
	}
}

/*
 * Proves that the forms the API writes stop at the years the journal
 * can date (TIME_MS_MIN..TIME_MS_MAX, TIME_DAY_MIN..TIME_DAY_MAX): the first
 * and last of them are written, year 0 and year 10000 are not.
 */
static void
test_format_limits(void **state)
{
	char out[32], day[11];

	(void)state;
	assert_int_equal(time_format_rfc3339(TIME_MS_MIN, out, 1), 0);
	assert_string_equal(out, "0001-01-01T00:00:00.000Z");
	assert_int_equal(time_format_rfc3339(TIME_MS_MAX, out, 0), 0);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	assert_int_equal(time_format_rfc3339(TIME_MS_MIN - 1, out, 1), -1);
	assert_string_equal(out, "");
	assert_int_equal(time_format_rfc3339(TIME_MS_MAX + 1, out, 1), -1);
	assert_int_equal(time_format_rfc3339(INT64_MIN, out, 1), -1);
	assert_int_equal(time_format_day(TIME_DAY_MIN, day), 0);
	assert_string_equal(day, "0001-01-01");
	assert_int_equal(time_format_day(TIME_DAY_MAX, day), 0);
	assert_string_equal(day, "9999-12-31");
	assert_int_equal(time_format_day(0, day), 0);
	assert_string_equal(day, "1970-01-01");
	assert_int_equal(time_format_day(TIME_DAY_MIN - 1, day), -1);
	assert_string_equal(day, "");
	assert_int_equal(time_format_day(TIME_DAY_MAX + 1, day), -1);
	assert_int_equal(time_format_day(INT64_MAX, day), -1);
	/* The limits agree with each other and with the calendar. */
	assert_int_equal(TIME_MS_MIN, TIME_DAY_MIN * INT64_C(86400000));
	assert_int_equal(TIME_MS_MAX, (TIME_DAY_MAX + 1) * INT64_C(86400000) -
	    1);
	assert_int_equal(time_days_from_civil(1, 1, 1), TIME_DAY_MIN);
	assert_int_equal(time_days_from_civil(9999, 12, 31), TIME_DAY_MAX);
	assert_int_equal(time_fdiv(-1, 1000), -1);
	assert_int_equal(time_fdiv(-1000, 1000), -1);
	assert_int_equal(time_fdiv(999, 1000), 0);
}

/* Proves the clock reads the real time (agrees with time(3)). */
static void
test_now(void **state)
{
	int64_t before, now, after;

	(void)state;
	before = (int64_t)time(NULL) * 1000;
	now = time_now_ms();
	after = ((int64_t)time(NULL) + 1) * 1000;
	assert_true(now >= before && now <= after);
}

static void
write_clock(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/*
 * Proves a clock file moves time_now_ms() to its time, which then runs on
 * with the real clock; that an unreadable or malformed file, or none,
 * gives the system clock; and that NULL goes back to the system clock.
 */
static void
test_clock_file(void **state)
{
	char path[] = "/tmp/ln-clock-XXXXXX", text[64];
	int64_t real = (int64_t)time(NULL) * 1000, now;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	(void)close(fd);
	assert_int_equal(time_use_clock_file(path), 0);
	/* Written 5 s ago at 2028-02-29T12:00:00Z: it is 12:00:05 now. */
	(void)snprintf(text, sizeof(text), "1835438400000 %lld\n",
	    (long long)(real - 5000));
	write_clock(path, text);
	now = time_now_ms();
	assert_true(now >= INT64_C(1835438405000) &&
	    now <= INT64_C(1835438407000));
	/* Malformed: the system clock, for that call. */
	write_clock(path, "soon\n");
	now = time_now_ms();
	assert_true(now >= real && now <= real + 2000);
	write_clock(path, "1835438400000\n");
	assert_true(time_now_ms() >= real);
	/* Gone: the system clock. */
	assert_int_equal(unlink(path), 0);
	assert_true(time_now_ms() >= real);
	write_clock(path, text);
	assert_int_equal(time_use_clock_file(NULL), 0);
	assert_true(time_now_ms() >= real);
	assert_int_equal(unlink(path), 0);
}

/* Proves the three HTTP date forms parse to the same instant. */
static void
test_http_date(void **state)
{
	static const struct parsed ok[] = {
		{ "Sun, 06 Nov 1994 08:49:37 GMT", 784111777 },
		{ "Sunday, 06-Nov-94 08:49:37 GMT", 784111777 },
		{ "Sun Nov  6 08:49:37 1994", 784111777 },
		{ "Sun Nov 16 08:49:37 1994", 784111777 + 10 * 86400 },
		/* 2038: past 32-bit seconds. */
		{ "Tue, 19 Jan 2038 03:14:08 GMT", INT64_C(2147483648) },
		/* A leap second is allowed by the grammar and rolls over. */
		{ "Sat, 31 Dec 2016 23:59:60 GMT", INT64_C(1483228800) },
	};

	(void)state;
	assert_parses(time_parse_http_date, ok, TU_NITEMS(ok));
}

/* Proves RFC 850 two-digit years follow RFC 9110's 50-year rule. */
static void
test_http_date_two_digit_year(void **state)
{
	char in[64];
	int64_t s, y, now_y, want;
	unsigned m, d;
	int yy;

	(void)state;
	time_civil_from_days(time_day(time_now_ms()), &now_y, &m, &d);
	for (yy = 0; yy < 100; yy++) {
		snprintf(in, sizeof(in), "Monday, 01-Mar-%02d 00:00:00 GMT",
		    yy);
		assert_int_equal(time_parse_http_date(in, &s), 0);
		time_civil_from_days(s / 86400, &y, &m, &d);
		want = now_y - now_y % 100 + yy;
		if (want > now_y + 50)
			want -= 100;
		assert_int_equal(y, want);
		assert_true(y <= now_y + 50 && y > now_y - 50);
	}
}

/* Proves malformed HTTP dates are refused and *unix_s left alone. */
static void
test_http_date_bad(void **state)
{
	static const char *const bad[] = {
		"", "Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 6 Nov 1994 08:49:37 GMT", "sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT ",
		"Sun,06 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49 GMT",
		"Sun, 31 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:61 GMT",
		"Sunday, 06-Nov-1994 08:49:37 GMT",
		"Sund, 06 Nov 1994 08:49:37 GMT",
		"Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94",
		"Sun Nov  6 08:49:37 1994 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
		"120", "Sun, 06 Nov 1994 08:49:37",
	};

	(void)state;
	assert_refused(time_parse_http_date, bad, TU_NITEMS(bad));
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_civil_walk),
	cmocka_unit_test(test_day),
	cmocka_unit_test(test_week_monday),
	cmocka_unit_test(test_parse_iso8601_ok),
	cmocka_unit_test(test_parse_iso8601_bad),
	cmocka_unit_test(test_format_iso8601),
	cmocka_unit_test(test_format_iso8601_walk),
	cmocka_unit_test(test_format_limits),
	cmocka_unit_test(test_now),
	cmocka_unit_test(test_clock_file),
	cmocka_unit_test(test_http_date),
	cmocka_unit_test(test_http_date_two_digit_year),
	cmocka_unit_test(test_http_date_bad),
)
