/*
 * lib_insights.c — unit tests of lib/insights.c on generated journals.
 *
 * One store per test run holds a background journal (2017..2019, twenty
 * plays every morning UTC of 200 tracks by 200 artists, some timed by
 * ms_played and some not) with patterns planted in it at known times:
 *
 *   binge	track B 73 times in a row from 2018-10-03 23:00 Berlin
 *   December	track X ten times a day every December, never otherwise
 *   return	track R (artist RA) 5 times 2017-03-01..05, back 2018-04-10
 *   streak	artist S once a day 2019-06-01..30 (Berlin), never else
 *   zone edge	user "tz": one play at 2019-01-15 23:30 UTC
 *
 * Each insight is checked for the planted answer (exact counts, days,
 * times), calendar and clock also against a naive recount of every play
 * with glibc-independent offsets from tz.c over random unaligned ranges,
 * and every render is parsed back with cJSON.  The results with and
 * without a track cache must be equal, and a track changed in the store
 * must show in the cached results.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "insights.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "testutil.h"
#include "timeutil.h"
#include "tz.h"

#define USER		"alice"
#define DAY		INT64_C(86400000)
#define MIN		INT64_C(60000)
#define START		INT64_C(1483228800000)	/* 2017-01-01T00:00Z */
#define NDAYS		1095			/* to 2019-12-31 */
#define NBG		200			/* background tracks */
#define BINGE_FIRST	INT64_C(1538600580000)	/* 2018-10-03T21:03Z */
#define RET_FIRST	INT64_C(1488369600000)	/* 2017-03-01T12:00Z */
#define RET_BACK	INT64_C(1523361600000)	/* 2018-04-10T12:00Z */
#define STREAK_FIRST	INT64_C(1559383200000)	/* 2019-06-01T10:00Z */
#define TZ_PLAY		INT64_C(1547595000000)	/* 2019-01-15T23:30Z */

static char dir[64];
static struct store *st;
static struct store_txn *reader;
static const struct tz *berlin, *utc;

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* Ids: a kind letter, then the number, zero-padded to 22. */
static void
mkid(char out[ID_LEN + 1], char kind, int n)
{
	snprintf(out, ID_LEN + 1, "%c%021d", kind, n);
}

/* The planted entities. */
#define T_BINGE		1000
#define T_XMAS		1001
#define T_RET		1002
#define T_STREAK	1003	/* 1003..1005: three tracks of artist S */
#define A_RET		1002
#define A_STREAK	1003

static int
put_track(struct store_txn *t, int n, int artist, uint32_t duration)
{
	struct track tr;
	char aid[ID_LEN + 1];

	memset(&tr, 0, sizeof(tr));
	mkid(tr.id, 'T', n);
	tr.name = "a track";
	tr.uri = "";
	mkid(tr.album_id, 'L', n / 10);
	mkid(aid, 'R', artist);
	tr.artists.ids = aid;
	tr.artists.n = 1;
	tr.duration_ms = duration;
	return store_put_track(t, &tr) == STORE_ERR ? -1 : 0;
}

/* Fills *p as the play of track at: imported with ms_played, or (-1) not. */
static void
mkplay(struct play *p, int64_t at, int track, int32_t ms_played)
{
	memset(p, 0, sizeof(*p));
	p->played_at = at;
	mkid(p->track_id, 'T', track);
	p->context_uri = "";
	p->source = ms_played >= 0 ? SOURCE_EXTENDED : SOURCE_API;
	p->ms_played = ms_played;
}

static int
put_play(struct store_txn *t, const char *user, int64_t at, int track,
    int32_t ms_played)
{
	struct play p;

	mkplay(&p, at, track, ms_played);
	return store_put_play(t, user, &p) == STORE_ERR ? -1 : 0;
}

static int
fill(struct store_txn *t, void *arg)
{
	int64_t day0, at;
	int d, i, n;

	(void)arg;
	for (i = 0; i < NBG; i++)
		if (put_track(t, i, i, 150000 + (uint32_t)i * 1000) == -1)
			return -1;
	/* Track 199 has no duration: its API plays are untimed. */
	if (put_track(t, 199, 199, 0) == -1 ||
	    put_track(t, T_BINGE, T_BINGE, 180000) == -1 ||
	    put_track(t, T_XMAS, T_XMAS, 200000) == -1 ||
	    put_track(t, T_RET, A_RET, 210000) == -1)
		return -1;
	for (i = 0; i < 3; i++)
		if (put_track(t, T_STREAK + i, A_STREAK, 220000) == -1)
			return -1;
	for (d = 0; d < NDAYS; d++) {
		day0 = START + (int64_t)d * DAY;
		/* Twenty background plays from 08:00 UTC, 4 minutes apart. */
		for (i = 0; i < 20; i++) {
			at = day0 + 8 * 60 * MIN + (int64_t)i * 4 * MIN;
			n = (int)(tu_rand(&rng) % NBG);
			if (put_play(t, USER, at, n, tu_rand(&rng) % 2 ?
			    (int32_t)(tu_rand(&rng) % 200000) : -1) == -1)
				return -1;
		}
	}
	/* December song: ten plays every December day at 15:00 UTC. */
	for (d = 0; d < NDAYS; d++) {
		int64_t y;
		unsigned m, dd;

		time_civil_from_days(time_day(START) + d, &y, &m, &dd);
		if (m != 12)
			continue;
		for (i = 0; i < 10; i++)
			if (put_play(t, USER, START + (int64_t)d * DAY +
			    15 * 60 * MIN + (int64_t)i * 4 * MIN, T_XMAS,
			    -1) == -1)
				return -1;
	}
	/* The binge: 73 plays, 3 minutes apart, untimed by ms_played. */
	for (i = 0; i < 73; i++)
		if (put_play(t, USER, BINGE_FIRST + (int64_t)i * 3 * MIN,
		    T_BINGE, -1) == -1)
			return -1;
	/* The return: 5 plays on 5 days, then 3 after 401 days. */
	for (i = 0; i < 5; i++)
		if (put_play(t, USER, RET_FIRST + (int64_t)i * DAY, T_RET,
		    100000) == -1)
			return -1;
	for (i = 0; i < 3; i++)
		if (put_play(t, USER, RET_BACK + (int64_t)i * DAY, T_RET,
		    100000) == -1)
			return -1;
	/* The streak: 30 days, one play a day at 12:00 Berlin (10:00Z). */
	for (i = 0; i < 30; i++)
		if (put_play(t, USER, STREAK_FIRST + (int64_t)i * DAY,
		    T_STREAK + i % 3, -1) == -1)
			return -1;
	/* The zone edge. */
	return put_play(t, "tz", TZ_PLAY, 0, 1000);
}

static int
group_setup(void **state)
{
	(void)state;
	log_init("lib_insights_test", 0, 0);
	strlcpy(dir, "/tmp/ln-insights-XXXXXX", sizeof(dir));
	if (mkdtemp(dir) == NULL || store_open(&st, dir, 0, 0) != STORE_OK ||
	    store_write(st, fill, NULL) != STORE_OK ||
	    tz_cache_get("Europe/Berlin", &berlin) == -1 ||
	    tz_cache_get("UTC", &utc) == -1)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	store_reader_free(reader);
	store_close(st);
	tu_rmtree(dir);
	tz_cache_clear();
	return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

/* The test's reader, begun afresh (the previous read ended). */

static struct store_txn *
rd(void)
{
	if (reader == NULL)
		assert_non_null(reader = store_reader(st));
	store_read_end(reader);
	assert_int_equal(store_read_begin(reader), STORE_OK);
	return reader;
}

static void
rd_end(void)
{
	store_read_end(reader);
}

/*
 * insights_get_<what>() of the query q into out through a read of its
 * own, checked to succeed (a macro: each insight has its own result type,
 * as insights.h's INSIGHTS_API() declares them).
 */
#define GET(what, q, out) do {						\
	assert_int_equal(insights_get_##what(rd(), (q), (out)), 0);	\
	rd_end();							\
} while (0)

static void
query(struct insights_query *q, const char *user, const struct tz *z)
{
	insights_query_init(q, user, z);
}

/* Renders kind into a new cJSON tree (checked to be valid JSON). */
static cJSON *
run_json(enum insights_kind kind, const struct insights_query *q)
{
	struct buf b = BUF_INIT;
	struct json j;
	cJSON *o;

	json_init(&j, &b);
	assert_int_equal(insights_run(rd(), kind, q, &j), 0);
	rd_end();
	assert_int_equal(json_finish(&j), 0);
	assert_non_null(o = cJSON_Parse(b.data));
	buf_free(&b);
	return o;
}

static int32_t
civil(int64_t y, unsigned m, unsigned d)
{
	return (int32_t)time_days_from_civil(y, m, d);
}

static void
id_of(char out[ID_LEN + 1], char kind, int n)
{
	mkid(out, kind, n);
}

/* ---- binges ------------------------------------------------------------------ */

/* Proves the planted 73-play binge is found whole, with local times. */
static void
test_binge(void **state)
{
	struct insights_query q;
	struct insights_binges b;
	char bid[ID_LEN + 1];
	cJSON *o, *e;

	(void)state;
	id_of(bid, 'T', T_BINGE);
	query(&q, USER, berlin);
	GET(binges, &q, &b);
	/* The binge, and each December day's ten plays of the song. */
	assert_int_equal(b.total, 1 + 31 * 3);
	assert_int_equal(b.n, INSIGHTS_LIMIT_DEFAULT);
	assert_string_equal(b.v[0].track_id, bid);
	assert_int_equal(b.v[0].plays, 73);
	assert_int_equal(b.v[0].first_ms, BINGE_FIRST);
	assert_int_equal(b.v[0].last_ms, BINGE_FIRST + 72 * 3 * MIN);
	assert_int_equal(b.v[0].start_ms, BINGE_FIRST - 3 * MIN);
	assert_string_equal(b.v[0].start_local, "2018-10-03T23:00:00+02:00");
	assert_string_equal(b.v[0].last_local, "2018-10-04T02:39:00+02:00");
	assert_int_equal(b.v[0].time.by_duration, 73);
	assert_int_equal(b.v[0].time.ms, 73 * 180000);
	insights_free_binges(&b);

	/* Above ten in a row, the background and Decembers have none. */
	q.binge_min = 11;
	GET(binges, &q, &b);
	assert_int_equal(b.total, 1);
	assert_int_equal(b.v[0].plays, 73);
	insights_free_binges(&b);
	/* A range starting inside it: it began earlier, so not listed. */
	q.from_ms = BINGE_FIRST + 1;
	GET(binges, &q, &b);
	assert_int_equal(b.total, 0);
	insights_free_binges(&b);
	/* A range ending inside it: counted to its end. */
	q.from_ms = BINGE_FIRST - DAY;
	q.to_ms = BINGE_FIRST + 10 * 3 * MIN;
	GET(binges, &q, &b);
	assert_int_equal(b.total, 1);
	assert_int_equal(b.v[0].plays, 73);
	insights_free_binges(&b);
	/* A higher threshold than its length: gone. */
	query(&q, USER, berlin);
	q.binge_min = 74;
	GET(binges, &q, &b);
	assert_int_equal(b.total, 0);
	insights_free_binges(&b);
	/* binge_min 10: the Decembers' ten-in-a-row, oldest first. */
	q.binge_min = 10;
	GET(binges, &q, &b);
	assert_int_equal(b.total, 1 + 31 * 3);
	assert_int_equal(b.v[0].plays, 73);
	assert_int_equal(b.v[1].plays, 10);
	assert_true(b.v[1].first_ms < b.v[2].first_ms);	/* then oldest */
	insights_free_binges(&b);

	query(&q, USER, berlin);
	o = run_json(INSIGHTS_BINGES, &q);
	assert_string_equal(cJSON_GetObjectItem(o, "insight")->valuestring,
	    "binges");
	assert_string_equal(cJSON_GetObjectItem(o, "tz")->valuestring,
	    "Europe/Berlin");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "binges"), 0);
	assert_int_equal(cJSON_GetObjectItem(e, "plays")->valueint, 73);
	assert_string_equal(cJSON_GetObjectItem(e, "start_local")->valuestring,
	    "2018-10-03T23:00:00+02:00");
	assert_string_equal(cJSON_GetObjectItem(e, "first_iso")->valuestring,
	    "2018-10-03T21:03:00.000Z");
	cJSON_Delete(o);
}

/* ---- seasons ----------------------------------------------------------------- */

/* Proves the planted December song tops and is the seasonal song. */
static void
test_seasons(void **state)
{
	struct insights_query q;
	struct insights_seasons s;
	char xid[ID_LEN + 1];
	size_t i;
	cJSON *o, *d;

	(void)state;
	id_of(xid, 'T', T_XMAS);
	query(&q, USER, berlin);
	GET(seasons, &q, &s);
	/* 36 months and a January 2020 day: Berlin is ahead of UTC. */
	assert_int_equal(s.n_months, 36);
	assert_int_equal(s.n_decembers, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(s.decembers[i].year, 2017 + (int)i);
		assert_int_equal(s.decembers[i].month, 12);
		assert_string_equal(s.decembers[i].track_id, xid);
		assert_int_equal(s.decembers[i].track_plays, 310);
		assert_string_equal(s.decembers[i].seasonal_id, xid);
		assert_int_equal(s.decembers[i].seasonal_rest, 0);
	}
	/* No other month has the December song on top. */
	for (i = 0; i < s.n_months; i++)
		if (s.months[i].month != 12)
			assert_string_not_equal(s.months[i].track_id, xid);
	/* October 2018 holds the binge: 73 plays make B its favourite. */
	assert_int_equal(s.months[21].year, 2018);
	assert_int_equal(s.months[21].month, 10);
	assert_int_equal(s.months[21].track_plays, 73);
	insights_free_seasons(&s);

	o = run_json(INSIGHTS_SEASONS, &q);
	d = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "decembers"), 1);
	assert_int_equal(cJSON_GetObjectItem(d, "year")->valueint, 2018);
	assert_string_equal(cJSON_GetObjectItem(d, "month")->valuestring,
	    "2018-12");
	assert_string_equal(cJSON_GetObjectItem(d, "seasonal_id")->valuestring,
	    xid);
	cJSON_Delete(o);
}

/* ---- returns ----------------------------------------------------------------- */

static const struct insights_return *
find_return(const struct insights_return *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

/* Proves the planted return after 401 days, of the track and artist. */
static void
test_returns(void **state)
{
	struct insights_query q;
	struct insights_returns r;
	const struct insights_return *f;
	char rid[ID_LEN + 1], aid[ID_LEN + 1];

	(void)state;
	id_of(rid, 'T', T_RET);
	id_of(aid, 'R', A_RET);
	query(&q, USER, berlin);
	q.limit = INSIGHTS_LIMIT_MAX;
	GET(returns, &q, &r);
	assert_non_null(f = find_return(r.tracks, r.n_tracks, rid));
	assert_int_equal(f->previous_ms, RET_FIRST + 4 * DAY);
	assert_int_equal(f->returned_ms, RET_BACK);
	assert_int_equal(f->days_away, 401);
	assert_int_equal(f->plays_before, 5);
	assert_int_equal(f->plays_after, 3);
	assert_non_null(f = find_return(r.artists, r.n_artists, aid));
	assert_int_equal(f->days_away, 401);
	insights_free_returns(&r);

	/* Away exactly 401 days (both at 12:00Z) is away 401 days ... */
	q.return_days = 401;
	GET(returns, &q, &r);
	assert_non_null(find_return(r.tracks, r.n_tracks, rid));
	insights_free_returns(&r);
	/* ... but not 402. */
	q.return_days = 402;
	GET(returns, &q, &r);
	assert_null(find_return(r.tracks, r.n_tracks, rid));
	insights_free_returns(&r);
	/* A range that starts after the previous play still sees it. */
	q.return_days = 400;
	q.from_ms = RET_BACK - DAY;
	q.to_ms = RET_BACK + DAY;	/* the return and no play after */
	GET(returns, &q, &r);
	assert_non_null(f = find_return(r.tracks, r.n_tracks, rid));
	assert_int_equal(f->plays_before, 5);
	assert_int_equal(f->plays_after, 1);
	insights_free_returns(&r);
	/* A range that ends before it: nothing returned yet. */
	q.from_ms = 0;
	q.to_ms = RET_BACK;
	GET(returns, &q, &r);
	assert_null(find_return(r.tracks, r.n_tracks, rid));
	insights_free_returns(&r);
}

/* ---- streaks ----------------------------------------------------------------- */

/* Proves the planted 30-day streak is the longest, with its days. */
static void
test_streaks(void **state)
{
	struct insights_query q;
	struct insights_streaks s;
	char sid[ID_LEN + 1], xid[ID_LEN + 1];
	cJSON *o, *e;

	(void)state;
	id_of(sid, 'R', A_STREAK);
	id_of(xid, 'R', T_XMAS);
	query(&q, USER, berlin);
	GET(streaks, &q, &s);
	/* The December song's three Decembers (31 days), newest first,
	 * then the planted 30 days; the background's are shorter. */
	assert_true(s.n >= 5);
	assert_string_equal(s.v[0].artist_id, xid);
	assert_int_equal(s.v[0].days, 31);
	assert_int_equal(s.v[0].first_day, civil(2019, 12, 1));
	assert_int_equal(s.v[2].first_day, civil(2017, 12, 1));
	assert_string_equal(s.v[3].artist_id, sid);
	assert_int_equal(s.v[3].days, 30);
	assert_int_equal(s.v[3].plays, 30);
	assert_int_equal(s.v[3].first_day, civil(2019, 6, 1));
	assert_int_equal(s.v[3].last_day, civil(2019, 6, 30));
	assert_true(s.v[4].days < 30);
	insights_free_streaks(&s);

	/* Clipped by the range: 10 days of it. */
	q.from_ms = STREAK_FIRST + 20 * DAY - 60 * MIN;
	q.to_ms = STREAK_FIRST + 60 * DAY;
	GET(streaks, &q, &s);
	assert_string_equal(s.v[0].artist_id, sid);
	assert_int_equal(s.v[0].days, 10);
	insights_free_streaks(&s);

	query(&q, USER, berlin);
	o = run_json(INSIGHTS_STREAKS, &q);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "streaks"), 3);
	assert_string_equal(cJSON_GetObjectItem(e, "first")->valuestring,
	    "2019-06-01");
	assert_string_equal(cJSON_GetObjectItem(e, "last")->valuestring,
	    "2019-06-30");
	assert_int_equal(cJSON_GetObjectItem(e, "days")->valueint, 30);
	cJSON_Delete(o);
}

/* ---- calendar and clock ----------------------------------------------------- */

/* The naive answer: every play, its offset looked up on its own. */
struct recount {
	const struct tz		*z;
	struct store_txn	*t;
	int32_t			 days[2000];
	uint32_t		 plays[2000];
	uint64_t		 ms[2000];
	uint32_t		 untimed[2000];
	size_t			 n;
	uint32_t		 grid[7][24];
};

static int
recount_cb(const struct play *p, void *arg)
{
	struct recount *r = arg;
	struct track tr;
	int64_t local = p->played_at + (int64_t)tz_offset(r->z,
	    p->played_at / 1000) * 1000;
	int32_t day = (int32_t)(local / DAY);
	uint64_t ms = 0;
	int untimed = 0;

	if (p->ms_played >= 0)
		ms = (uint64_t)p->ms_played;
	else if (store_get_track(r->t, p->track_id, &tr) == STORE_OK &&
	    tr.duration_ms > 0)
		ms = tr.duration_ms;
	else
		untimed = 1;
	if (r->n == 0 || r->days[r->n - 1] != day) {
		assert_true(r->n < 2000);
		r->days[r->n] = day;
		r->plays[r->n] = 0;
		r->ms[r->n] = 0;
		r->untimed[r->n] = 0;
		r->n++;
	}
	r->plays[r->n - 1]++;
	r->ms[r->n - 1] += ms;
	r->untimed[r->n - 1] += (uint32_t)untimed;
	r->grid[((day + 3) % 7 + 7) % 7][(local / (60 * MIN)) % 24]++;
	return 0;
}

static void
check_against_recount(const struct tz *z, int64_t from, int64_t to)
{
	static struct recount r;
	struct insights_query q;
	struct insights_calendar cal;
	struct insights_clock ck;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.z = z;
	r.t = rd();
	assert_int_equal(store_iter_plays(r.t, USER, from, to - 1, STORE_ASC,
	    recount_cb, &r), STORE_OK);
	rd_end();
	query(&q, USER, z);
	q.from_ms = from;
	q.to_ms = to;
	assert_int_equal(insights_get_calendar(rd(), &q, &cal), 0);
	assert_int_equal(insights_get_clock(reader, &q, &ck), 0);
	rd_end();
	assert_int_equal(cal.n, r.n);
	for (i = 0; i < r.n; i++) {
		assert_int_equal(cal.days[i].day, r.days[i]);
		assert_int_equal(cal.days[i].plays, r.plays[i]);
		assert_int_equal(cal.days[i].time.ms, r.ms[i]);
		assert_int_equal(cal.days[i].time.untimed, r.untimed[i]);
	}
	assert_memory_equal(ck.plays, r.grid, sizeof(r.grid));
	insights_free_calendar(&cal);
	insights_free_clock(&ck);
}

/* Proves calendar and clock equal a naive recount, unaligned ranges too. */
static void
test_calendar_recount(void **state)
{
	int64_t from, to;
	int i;

	(void)state;
	check_against_recount(berlin, 0, INT64_C(1600000000000));
	check_against_recount(utc, 0, INT64_C(1600000000000));
	for (i = 0; i < 12; i++) {
		from = START + (int64_t)(tu_rand(&rng) %
		    (NDAYS * (uint64_t)DAY));
		to = from + 1 + (int64_t)(tu_rand(&rng) %
		    (200 * (uint64_t)DAY));
		check_against_recount(i % 2 ? berlin : utc, from, to);
	}
	/* Within one bucket, and across exactly one boundary. */
	check_against_recount(berlin, START + 8 * 60 * MIN + 1,
	    START + 8 * 60 * MIN + 5 * MIN);
	check_against_recount(berlin, START + 8 * 60 * MIN - 1,
	    START + 8 * 60 * MIN + 15 * MIN + 1);
}

/* Writes a TZif v2 zone: +01:00, then +02:00 from 'at' on, no rule. */
static void
write_odd_zone(const char *path, int64_t at)
{
	unsigned char h[44], b[8];
	FILE *f;
	int v, i;

	assert_non_null(f = fopen(path, "wb"));
	for (v = 1; v <= 2; v++) {
		memset(h, 0, sizeof(h));
		memcpy(h, "TZif2", 5);
		h[35] = 1;		/* timecnt */
		h[39] = 2;		/* typecnt */
		h[43] = 8;		/* charcnt */
		fwrite(h, 1, sizeof(h), f);
		for (i = 0; i < (v == 1 ? 4 : 8); i++)
			b[i] = (unsigned char)((uint64_t)at >>
			    (8 * ((v == 1 ? 4 : 8) - 1 - i)));
		fwrite(b, 1, v == 1 ? 4 : 8, f);
		fputc(1, f);			/* the transition's type */
		fwrite("\0\0\x0e\x10\0\0", 1, 6, f);	/* +3600 */
		fwrite("\0\0\x1c\x20\1\4", 1, 6, f);	/* +7200 dst */
		fwrite("ODD\0ODS\0", 1, 8, f);
	}
	fputs("\n\n", f);
	fclose(f);
}

/*
 * Proves a zone whose offset changes off the quarter hour (08:07 UTC,
 * inside a bucket holding plays either side) is still exact: that
 * bucket's plays are counted one by one.
 */
static void
test_odd_transition(void **state)
{
	const struct tu_zone *zf = *state;
	struct tz *z;

	write_odd_zone(zf->path, INT64_C(1521965220));	/* 2018-03-25T08:07Z */
	assert_int_equal(tu_zone_load(&z, zf), 0);
	assert_int_equal(tz_offset(z, 1521965219), 3600);
	assert_int_equal(tz_offset(z, 1521965220), 7200);
	check_against_recount(z, INT64_C(1521936000000),	/* that day */
	    INT64_C(1522022400000));
	check_against_recount(z, 0, INT64_C(1600000000000));
	tz_free(z);
}

/* Proves a play at 23:30 UTC is the next day in Berlin (00:30, Wed). */
static void
test_zone_edge(void **state)
{
	struct insights_query q;
	struct insights_calendar cal;
	struct insights_clock ck;
	struct tz *sp;
	cJSON *o, *d;

	(void)state;
	query(&q, "tz", berlin);
	GET(calendar, &q, &cal);
	assert_int_equal(cal.n, 1);
	assert_int_equal(cal.days[0].day, civil(2019, 1, 16));
	assert_int_equal(cal.days[0].time.by_played, 1);
	assert_int_equal(cal.days[0].time.ms, 1000);
	insights_free_calendar(&cal);
	GET(clock, &q, &ck);
	assert_int_equal(ck.plays[2][0], 1);	/* Wednesday, 00h */
	assert_int_equal(ck.total, 1);
	insights_free_clock(&ck);

	query(&q, "tz", utc);
	GET(calendar, &q, &cal);
	assert_int_equal(cal.days[0].day, civil(2019, 1, 15));
	insights_free_calendar(&cal);
	GET(clock, &q, &ck);
	assert_int_equal(ck.plays[1][23], 1);	/* Tuesday, 23h */
	insights_free_clock(&ck);

	/* The API's day helpers: Berlin's midnight, São Paulo's skipped one
	 * (2018-11-04 began at 01:00, 03:00 UTC). */
	assert_int_equal(insights_day_of(berlin, TZ_PLAY), civil(2019, 1, 16));
	assert_int_equal(insights_day_of(utc, TZ_PLAY), civil(2019, 1, 15));
	assert_int_equal(insights_day_start(berlin, civil(2019, 1, 16)),
	    INT64_C(1547593200000));
	assert_int_equal(insights_day_start(utc, civil(2019, 1, 16)),
	    (int64_t)civil(2019, 1, 16) * DAY);
	assert_int_equal(tz_load(&sp, "America/Sao_Paulo"), 0);
	assert_int_equal(insights_day_start(sp, civil(2018, 11, 4)),
	    INT64_C(1541300400000));
	assert_int_equal(insights_day_start(sp, civil(2018, 11, 5)),
	    INT64_C(1541300400000) + 23 * 60 * MIN);
	tz_free(sp);

	/* The same from the edge path: a range inside its bucket. */
	query(&q, "tz", berlin);
	q.from_ms = TZ_PLAY - 1;
	q.to_ms = TZ_PLAY + 1;
	o = run_json(INSIGHTS_CALENDAR, &q);
	d = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "days"), 0);
	assert_string_equal(cJSON_GetObjectItem(d, "date")->valuestring,
	    "2019-01-16");
	assert_int_equal(cJSON_GetObjectItem(d, "by_played")->valueint, 1);
	cJSON_Delete(o);
}

/* ---- new vs old --------------------------------------------------------------- */

/* Proves first-ever plays: all new at the start, none new later. */
static void
test_newold(void **state)
{
	struct insights_query q;
	struct insights_newold n;
	size_t i;
	uint32_t plays = 0, nt = 0;

	(void)state;
	query(&q, USER, utc);
	GET(newold, &q, &n);
	/* Every distinct track is new exactly once over all time. */
	for (i = 0; i < n.n_months; i++) {
		plays += n.months[i].plays;
		nt += n.months[i].new_tracks;
	}
	assert_int_equal(plays, n.plays);
	assert_int_equal(nt, n.new_tracks);
	assert_int_equal(n.new_tracks, NBG + 1 + 1 + 1 + 3);
	assert_int_equal(n.new_artists, NBG + 1 + 1 + 1 + 1);
	/* The first week (Sunday 2017-01-01 alone: weeks start Monday). */
	assert_int_equal(n.weeks[0].day, civil(2016, 12, 26));
	assert_int_equal(n.weeks[0].plays, 20);
	assert_int_equal(n.weeks[0].new_tracks, n.weeks[0].new_artists);
	assert_true(n.weeks[0].new_tracks >= 18);
	assert_int_equal(n.months[0].day, civil(2017, 1, 1));
	insights_free_newold(&n);

	/* From the first December: only the planted tracks are new. */
	q.from_ms = INT64_C(1512086400000);	/* 2017-12-01 */
	GET(newold, &q, &n);
	assert_int_equal(n.months[0].day, civil(2017, 12, 1));
	assert_int_equal(n.months[0].new_tracks, 1);	/* the song */
	assert_int_equal(n.months[0].new_artists, 1);
	assert_int_equal(n.new_tracks, 1 + 1 + 3);	/* + binge, streak */
	insights_free_newold(&n);
}

/* ---- on this day --------------------------------------------------------------- */

/* Proves the earlier years' same date, local days, top tracks first. */
static void
test_onthisday(void **state)
{
	struct insights_query q;
	struct insights_onthisday o;
	char bid[ID_LEN + 1];

	(void)state;
	id_of(bid, 'T', T_BINGE);
	query(&q, USER, berlin);
	q.day = civil(2020, 10, 3);
	GET(onthisday, &q, &o);
	assert_int_equal(o.n, 3);			/* 2019, 2018, 2017 */
	assert_int_equal(o.years[0].day, civil(2019, 10, 3));
	assert_int_equal(o.years[1].day, civil(2018, 10, 3));
	assert_int_equal(o.years[2].day, civil(2017, 10, 3));
	/* 2018-10-03 in Berlin: 20 in the morning and the binge's plays
	 * up to local midnight (21:03Z .. 21:57Z, 19 of them). */
	assert_int_equal(o.years[1].plays, 20 + 19);
	assert_string_equal(o.years[1].tracks[0].id, bid);
	assert_int_equal(o.years[1].tracks[0].plays, 19);
	assert_true(o.years[1].n_tracks <= INSIGHTS_OTD_TRACKS);
	assert_int_equal(o.years[0].plays, 20);
	insights_free_onthisday(&o);

	/* February 29th has no earlier year here but 2016 (no plays). */
	q.day = civil(2020, 2, 29);
	GET(onthisday, &q, &o);
	assert_int_equal(o.n, 0);
	insights_free_onthisday(&o);
}

/* ---- top lists ------------------------------------------------------------------ */

/* Proves counts and order for a range with known content. */
static void
test_top(void **state)
{
	struct insights_query q;
	struct insights_top t;
	char bid[ID_LEN + 1], aid[ID_LEN + 1], lid[ID_LEN + 1];
	cJSON *o, *e;

	(void)state;
	id_of(bid, 'T', T_BINGE);
	id_of(aid, 'R', T_BINGE);
	id_of(lid, 'L', T_BINGE / 10);
	query(&q, USER, berlin);
	q.from_ms = BINGE_FIRST - 10 * 60 * MIN;
	q.to_ms = BINGE_FIRST + 20 * 60 * MIN;	/* binge + next morning */
	q.limit = 3;
	GET(top, &q, &t);
	assert_int_equal(t.plays, 73 + 20);
	assert_int_equal(t.n_tracks, 3);
	assert_string_equal(t.tracks[0].id, bid);
	assert_int_equal(t.tracks[0].plays, 73);
	assert_int_equal(t.tracks[0].time.ms, 73 * 180000);
	assert_string_equal(t.artists[0].id, aid);
	/* T1000 is on album L..100, shared with no background track. */
	assert_string_equal(t.albums[0].id, lid);
	assert_true(t.tracks[1].plays <= 73 && t.tracks[1].plays >= 1);
	assert_true(t.tracks[1].plays >= t.tracks[2].plays);
	assert_int_equal(t.time.by_duration + t.time.by_played +
	    t.time.untimed, t.plays);
	insights_free_top(&t);

	o = run_json(INSIGHTS_TOP, &q);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o,
	    "tracks"), "items"), 0);
	assert_string_equal(cJSON_GetObjectItem(e, "id")->valuestring, bid);
	assert_int_equal(cJSON_GetObjectItem(e, "by_duration")->valueint, 73);
	cJSON_Delete(o);
}

/* ---- the table, the cache, bad queries ------------------------------------------ */

/* Proves every kind runs through the table and renders valid JSON. */
static void
test_table(void **state)
{
	struct insights_query q;
	struct json j;
	struct buf b = BUF_INIT;
	int k;
	cJSON *o;

	(void)state;
	for (k = 0; k < INSIGHTS__MAX; k++) {
		assert_int_equal(insights_kind_from_name(
		    insights_kinds[k].name), k);
		query(&q, USER, berlin);
		o = run_json((enum insights_kind)k, &q);
		assert_string_equal(cJSON_GetObjectItem(o,
		    "insight")->valuestring, insights_kinds[k].name);
		cJSON_Delete(o);
		/* A user with no plays: empty, still valid. */
		query(&q, "nobody", berlin);
		cJSON_Delete(run_json((enum insights_kind)k, &q));
	}
	assert_int_equal(insights_kind_from_name("calendars"), -1);
	assert_int_equal(insights_kind_from_name(NULL), -1);
	/* Out-of-bounds queries fail and write nothing. */
	query(&q, USER, berlin);
	q.from_ms = q.to_ms;
	json_init(&j, &b);
	assert_int_equal(insights_run(rd(), INSIGHTS_TOP, &q, &j), -1);
	query(&q, USER, berlin);
	q.limit = 0;
	assert_int_equal(insights_run(rd(), INSIGHTS_TOP, &q, &j), -1);
	q.limit = 1;
	q.binge_min = 1;
	assert_int_equal(insights_run(rd(), INSIGHTS_BINGES, &q, &j), -1);
	q.binge_min = 5;
	q.return_days = 0;
	assert_int_equal(insights_run(rd(), INSIGHTS_RETURNS, &q, &j), -1);
	assert_int_equal(insights_run(rd(), INSIGHTS__MAX, &q, &j), -1);
	rd_end();
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static char *
render(enum insights_kind k, const struct insights_query *q)
{
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);
	assert_int_equal(insights_run(rd(), k, q, &j), 0);
	rd_end();
	assert_int_equal(json_finish(&j), 0);
	return b.data;
}

/* Every kind and three ranges: the same with the cache as without. */
static void
check_cached_equal(struct insights_cache *ic)
{
	static const int64_t ranges[3][2] = {
		{ 0, INT64_MAX },
		{ RET_BACK - 30 * DAY, RET_BACK + 200 * DAY },
		{ RET_BACK - 2 * DAY, RET_BACK + 2 * DAY },
	};
	struct insights_query q;
	char *a, *c;
	int k, r;

	for (r = 0; r < 3; r++)
		for (k = 0; k < INSIGHTS__MAX; k++) {
			query(&q, USER, berlin);
			q.day = civil(2020, 4, 11);
			q.from_ms = ranges[r][0];
			q.to_ms = ranges[r][1];
			a = render((enum insights_kind)k, &q);
			q.cache = ic;
			c = render((enum insights_kind)k, &q);
			assert_string_equal(a, c);
			free(a);
			free(c);
		}
}

static int
set_duration(struct store_txn *t, void *arg)
{
	return put_track(t, T_BINGE, T_BINGE, *(uint32_t *)arg);
}

/*
 * Proves the track cache changes no answer, and a track changed in the
 * store is read again (its new duration shows) through the change log.
 */
static void
test_cache(void **state)
{
	struct insights_cache *ic;
	struct insights_query q;
	struct insights_binges b;
	uint64_t tracks, loads, resets, loads1, builds, builds1;
	struct play one;
	struct insights_top top;
	uint32_t dur;
	char *a, *c;
	int k;

	(void)state;
	assert_non_null(ic = insights_cache_new());
	for (k = 0; k < INSIGHTS__MAX; k++) {
		query(&q, USER, berlin);
		q.day = civil(2020, 10, 3);
		a = render((enum insights_kind)k, &q);
		q.cache = ic;
		c = render((enum insights_kind)k, &q);
		assert_string_equal(a, c);
		free(c);
		c = render((enum insights_kind)k, &q);	/* warm */
		assert_string_equal(a, c);
		free(a);
		free(c);
	}
	insights_cache_stats(ic, &tracks, &loads, &resets, &builds);
	assert_int_equal(tracks, NBG + 6);
	assert_int_equal(loads, NBG + 6);	/* each read once */
	assert_int_equal(resets, 0);
	loads1 = loads;

	dur = 240000;
	assert_int_equal(store_write(st, set_duration, &dur), STORE_OK);
	query(&q, USER, berlin);
	q.cache = ic;
	GET(binges, &q, &b);
	assert_int_equal(b.v[0].time.ms, 73 * 240000);
	insights_free_binges(&b);
	insights_cache_stats(ic, &tracks, &loads, &resets, &builds);
	assert_int_equal(loads, loads1 + 1);	/* only that track again */
	dur = 180000;
	assert_int_equal(store_write(st, set_duration, &dur), STORE_OK);

	/*
	 * The journal: read once for all the long scans above, again after
	 * a play of the user is put (it shows), and after it is deleted.
	 */
	insights_cache_stats(ic, &tracks, &loads, &resets, &builds);
	assert_int_equal(builds, 1);	/* a track's change is no play's */
	check_cached_equal(ic);
	insights_cache_stats(ic, &tracks, &loads, &resets, &builds1);
	assert_int_equal(builds1, builds);
	mkplay(&one, RET_BACK + 12 * 60 * MIN, T_RET, 5000);
	assert_int_equal(tu_play_write(st, USER, &one, 0, 0), STORE_OK);
	check_cached_equal(ic);
	query(&q, USER, berlin);
	q.cache = ic;
	q.from_ms = one.played_at;
	q.to_ms = one.played_at + 1;
	GET(top, &q, &top);
	assert_int_equal(top.plays, 1);
	insights_free_top(&top);
	assert_int_equal(tu_play_write(st, USER, &one, 1, 0), STORE_OK);
	check_cached_equal(ic);
	insights_cache_stats(ic, &tracks, &loads, &resets, &builds);
	assert_int_equal(builds, builds1 + 2);
	insights_cache_free(ic);
}

/*
 * Proves a reader's first request answers as the uncached engine does:
 * every kind, with a new cache each time (its journal built and its
 * tracks read all at once), for the three-year journal, a user with one
 * play (a journal shorter than the look-ups kept in flight) and a user
 * with none; and a second user's build into a cache that already knows
 * most tracks (only the new ones read).
 */
static void
test_cold_cache(void **state)
{
	static const char *const users[] = { USER, "tz", "nobody" };
	struct insights_cache *ic, *warm;
	struct insights_query q;
	uint64_t tracks, loads, resets, builds;
	char *a, *c;
	size_t u;
	int k;

	(void)state;
	assert_non_null(warm = insights_cache_new());
	for (u = 0; u < sizeof(users) / sizeof(users[0]); u++)
		for (k = 0; k < INSIGHTS__MAX; k++) {
			query(&q, users[u], berlin);
			q.day = civil(2020, 10, 3);
			a = render((enum insights_kind)k, &q);
			assert_non_null(ic = insights_cache_new());
			q.cache = ic;
			c = render((enum insights_kind)k, &q);
			assert_string_equal(a, c);
			free(c);
			insights_cache_free(ic);
			q.cache = warm;
			c = render((enum insights_kind)k, &q);
			assert_string_equal(a, c);
			free(a);
			free(c);
		}
	insights_cache_stats(warm, &tracks, &loads, &resets, &builds);
	assert_int_equal(loads, tracks);	/* each read once */
	assert_int_equal(builds, 3);		/* one per user, empty too */
	insights_cache_free(warm);
}

TU_MAIN(group_setup, group_teardown,
	cmocka_unit_test(test_binge),
	cmocka_unit_test(test_seasons),
	cmocka_unit_test(test_returns),
	cmocka_unit_test(test_streaks),
	cmocka_unit_test(test_calendar_recount),
	cmocka_unit_test(test_zone_edge),
	cmocka_unit_test_setup_teardown(test_odd_transition, tu_zone_setup,
	    tu_zone_teardown),
	cmocka_unit_test(test_newold),
	cmocka_unit_test(test_onthisday),
	cmocka_unit_test(test_top),
	cmocka_unit_test(test_table),
	cmocka_unit_test(test_cache),
	cmocka_unit_test(test_cold_cache),
)
