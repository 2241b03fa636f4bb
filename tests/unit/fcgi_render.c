/*
 * fcgi_render.c — unit tests of how times and dates are written as JSON,
 * by the API's record renderers (fcgi/render.c) and by the insights
 * (lib/insights*.c), which must agree.
 *
 * They prove, for instants and days at the edges of the years the
 * journal can date (0001..9999) and beyond them (year 0, negative years,
 * year 10000, the ends of int32 and int64), that both write the same:
 * "<key>" as the number and "<key>_iso" as the RFC 3339 UTC string, or
 * null outside those years, and dates as "YYYY-MM-DD" or null likewise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "insights.h"
#include "json.h"
#include "render.h"
#include "testutil.h"

/* An instant and its "t_iso" (NULL: null), from either renderer. */
struct ms_case {
	int64_t		 ms;
	const char	*want;
};

/* A day number and its date (NULL: null), from either renderer. */
struct day_case {
	int32_t		 day;
	const char	*want;
};

/* Only years 0001..9999 are written (timeutil.h): year 0 is not. */
static const struct ms_case ms_cases[] = {
	{ 0, "1970-01-01T00:00:00.000Z" },
	{ -1, "1969-12-31T23:59:59.999Z" },
	/* the first instant of year 1 */
	{ INT64_C(-62135596800000), "0001-01-01T00:00:00.000Z" },
	/* the last of year 0 */
	{ INT64_C(-62135596800001), NULL },
	/* the first of year 0 */
	{ INT64_C(-62167219200000), NULL },
	/* year -1 */
	{ INT64_C(-62167219200001), NULL },
	{ INT64_C(253402300799999), "9999-12-31T23:59:59.999Z" },
	/* year 10000 */
	{ INT64_C(253402300800000), NULL },
	{ INT64_MIN, NULL },
	{ INT64_MAX, NULL },
};

static const struct day_case day_cases[] = {
	{ 0, "1970-01-01" },
	{ -1, "1969-12-31" },
	{ -719162, "0001-01-01" },
	{ -719163, NULL },		/* 0000-12-31 */
	{ -719528, NULL },		/* 0000-01-01 */
	{ -719529, NULL },		/* -001-12-31 */
	{ 2932896, "9999-12-31" },
	{ 2932897, NULL },		/* 10000-01-01 */
	{ INT32_MIN, NULL },
	{ INT32_MAX, NULL },
};

/*
 * The value of "key": in the JSON document doc, as written (a quoted
 * string without its quotes, or null), into out.
 */
static void
value_of(const char *doc, const char *key, char *out, size_t outsz)
{
	char pat[64];
	const char *p, *e;

	(void)snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(doc, pat);
	assert_non_null(p);
	p += strlen(pat);
	if (*p == '"') {
		p++;
		e = strchr(p, '"');
	} else
		e = p + strcspn(p, ",}");
	assert_non_null(e);
	assert_true((size_t)(e - p) < outsz);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
}

static void
assert_value(const char *doc, const char *key, const char *want)
{
	char got[64];

	value_of(doc, key, got, sizeof(got));
	assert_string_equal(got, want != NULL ? want : "null");
}

/* What fcgi/render.c writes. */
_Static_assert(sizeof(ms_cases) / sizeof(ms_cases[0]) ==
    sizeof(day_cases) / sizeof(day_cases[0]), "one day per instant");

/* Starts a JSON document j in a new, empty b (assert_case() ends it). */
static void
doc_begin(struct json *j, struct buf *b)
{
	memset(b, 0, sizeof(*b));
	json_init(j, b);
}

/*
 * Ends the document j wrote into b and checks case i in it: mskey holds
 * the instant in ms, isokey its ISO form, daykey its day.  Frees b.
 */
static void
assert_case(struct json *j, struct buf *b, size_t i, const char *mskey,
    const char *isokey, const char *daykey)
{
	char num[32];

	assert_int_equal(json_finish(j), 0);
	assert_int_equal(buf_putc(b, '\0'), 0);
	(void)snprintf(num, sizeof(num), "%lld", (long long)ms_cases[i].ms);
	assert_value(b->data, mskey, num);
	assert_value(b->data, isokey, ms_cases[i].want);
	assert_value(b->data, daykey, day_cases[i].want);
	buf_free(b);
}

static void
test_fcgi(void **state)
{
	struct buf b;
	struct json j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ms_cases) / sizeof(ms_cases[0]); i++) {
		doc_begin(&j, &b);
		json_obj_open(&j, NULL);
		render_time_ms(&j, "t", "t_iso", ms_cases[i].ms);
		render_day(&j, "d", day_cases[i].day);
		json_obj_close(&j);
		assert_case(&j, &b, i, "t", "t_iso", "d");
	}
}

/* What the insights write (their head's from/to, a streak's days). */
static void
test_insights(void **state)
{
	struct insights_streaks s;
	struct insights_streak k;
	struct buf b;
	struct json j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ms_cases) / sizeof(ms_cases[0]); i++) {
		memset(&s, 0, sizeof(s));
		memset(&k, 0, sizeof(k));
		s.r.from_ms = ms_cases[i].ms;
		s.r.to_ms = 0;
		(void)strlcpy(s.r.tz, "UTC", sizeof(s.r.tz));
		(void)strlcpy(k.artist_id, "0123456789012345678901",
		    sizeof(k.artist_id));
		k.first_day = k.last_day = day_cases[i].day;
		s.v = &k;
		s.n = s.total = 1;
		doc_begin(&j, &b);
		insights_render_streaks(&j, NULL, &s);
		assert_case(&j, &b, i, "from", "from_iso", "first");
	}
}

/*
 * The plays' own writer (render_play) against the generic calls it
 * replaced, spelled out here as the reference: the same bytes for every
 * edge of every field, in an array, under a key, and the same refusal of
 * a misplaced value.
 */
static void
play_generic(struct json *j, const char *key, const struct play *p)
{
	json_obj_open(j, key);
	json_time_ms(j, "played_at", "played_at_iso", p->played_at);
	json_str(j, "track_id", p->track_id);
	if (p->context_uri != NULL && p->context_uri[0] != '\0')
		json_str(j, "context_uri", p->context_uri);
	else
		json_null(j, "context_uri");
	json_str(j, "source", render_source(p->source));
	if (p->ms_played >= 0)
		json_int(j, "ms_played", p->ms_played);
	else
		json_null(j, "ms_played");
	if (p->prev_played_at != PLAY_NO_PREV)
		json_int(j, "previous_played_at", p->prev_played_at);
	else
		json_null(j, "previous_played_at");
	json_obj_close(j);
}

/* Writes plays[0..n) both ways, in an array or (key) an object; compares. */
static void
play_compare(const struct play *plays, size_t n, int in_obj)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct json ja, jb;
	size_t i;

	json_init(&ja, &a);
	json_init(&jb, &b);
	if (in_obj) {
		json_obj_open(&ja, NULL);
		json_obj_open(&jb, NULL);
	} else {
		json_arr_open(&ja, NULL);
		json_arr_open(&jb, NULL);
	}
	for (i = 0; i < n; i++) {
		render_play(&ja, in_obj ? "p" : NULL, &plays[i]);
		play_generic(&jb, in_obj ? "p" : NULL, &plays[i]);
	}
	if (in_obj) {
		json_obj_close(&ja);
		json_obj_close(&jb);
	} else {
		json_arr_close(&ja);
		json_arr_close(&jb);
	}
	assert_int_equal(json_finish(&ja), 0);
	assert_int_equal(json_finish(&jb), 0);
	assert_string_equal(a.data, b.data);
	buf_free(&a);
	buf_free(&b);
}

static void
test_play_writer(void **state)
{
	/* The last: every byte escapes to six, past the writer's own room. */
	static char ctrl[301];
	static const char *const contexts[] = { NULL, "",
	    "spotify:playlist:37i9dQZEVXcJZyENOWUFo7", "q\"b\\c\n\x01\x7f",
	    "bad \xff\xc3 utf-8, \xe2\x80\xa8 sep, caf\xc3\xa9", ctrl };
	static const int32_t mss[] = { -1, 0, 180000, INT32_MAX };
	static const int64_t prevs[] = { PLAY_NO_PREV, 0, -5,
	    INT64_C(1700000000000) };
	struct play plays[64];
	struct buf a = BUF_INIT;
	struct json j;
	size_t i, n = 0;

	(void)state;
	memset(ctrl, '\x01', sizeof(ctrl) - 1);
	for (i = 0; i < 64; i++) {
		struct play *p = &plays[n++];

		memset(p, 0, sizeof(*p));
		p->played_at = ms_cases[i % (sizeof(ms_cases) /
		    sizeof(ms_cases[0]))].ms;
		strlcpy(p->track_id, i % 7 == 6 ? "bad\"id\x02\xff" :
		    "4iV5W9uYEdYUVa79Axb7Rh", sizeof(p->track_id));
		p->context_uri = contexts[i % TU_NITEMS(contexts)];
		p->source = (uint8_t)(i % 9 == 8 ? 200 : i % SOURCE__MAX);
		p->ms_played = mss[i % 4];
		p->prev_played_at = prevs[(i / 3) % 4];
	}
	play_compare(plays, n, 0);
	play_compare(plays, 1, 0);
	play_compare(plays, n, 1);
	/* A value without a key in an object: refused, nothing written. */
	json_init(&j, &a);
	json_obj_open(&j, NULL);
	render_play(&j, NULL, &plays[0]);
	assert_int_equal(j.err, 1);
	assert_string_equal(a.data, "{");
	buf_free(&a);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_fcgi),
	cmocka_unit_test(test_insights),
	cmocka_unit_test(test_play_writer),
)
