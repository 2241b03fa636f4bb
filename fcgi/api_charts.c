/*
 * api_charts.c — GET /api/v0/charts/:user_id: the journal's own top
 * tracks, artists or albums for a span of local days, by plays or by
 * listening time, with rank changes against the span of the same length
 * just before (lib/charts.h).
 *
 * `from` and `to` are local dates of the zone (`tz`, else the journal's,
 * else UTC), both inclusive; no `from` is all time (nothing to compare
 * with), `from` alone runs to today.  `to` before `from`, or a span of
 * more than CHARTS_DAYS_MAX days, is a 400.
 *
 * A chart reads the store's per-entity day counts (one record per
 * entity and day of its span; all time, one per entity), and each
 * reader process keeps its last CHARTS_KEPT answers, keyed by
 * the journal, the request's path and query, its zone, today's date and
 * the two numbers that change with what a chart counts: the journal's
 * play version (store_agg_version()) and the entity change log's
 * sequence.  A poll that adds plays, or any entity change, makes the
 * next request compute afresh; in between, asking again costs a copy.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "charts.h"
#include "insights.h"
#include "json.h"
#include "story.h"
#include "timeutil.h"
#include "tz.h"

#define CHARTS_DAYS_MAX	36600	/* a hundred years */
#define CHARTS_LIMIT	50
#define CHARTS_KEPT	16	/* answers kept per process */
#define CHARTS_KEY_MAX	512

struct charts_kept {
	char		 key[CHARTS_KEY_MAX];	/* "" = unused */
	struct buf	 body;
	uint64_t	 used;
};

static struct charts_kept charts_kept[CHARTS_KEPT];
static uint64_t charts_clock;

/* The kept answer for key, or NULL. */
static struct charts_kept *
charts_find(const char *key)
{
	int i;

	for (i = 0; i < CHARTS_KEPT; i++)
		if (charts_kept[i].key[0] != '\0' &&
		    strcmp(charts_kept[i].key, key) == 0) {
			charts_kept[i].used = ++charts_clock;
			return &charts_kept[i];
		}
	return NULL;
}

/* Keeps a copy of body under key, in the least recently used slot. */
static void
charts_keep(const char *key, const struct buf *body)
{
	struct charts_kept *k = &charts_kept[0];
	int i;

	for (i = 1; i < CHARTS_KEPT; i++)
		if (charts_kept[i].used < k->used)
			k = &charts_kept[i];
	buf_reset(&k->body);
	k->key[0] = '\0';
	if (buf_add(&k->body, body->data, body->len) == -1)
		return;
	strlcpy(k->key, key, sizeof(k->key));
	k->used = ++charts_clock;
}

static const char *const charts_kinds[ENTITY__MAX] = {
	"tracks", "artists", "albums" };
static const char *const charts_bys[CHARTS_BY__MAX] = { "plays", "ms" };

static void
write_day(struct json *j, const char *key, int has, int32_t day)
{
	char b[32];
	int64_t y;
	unsigned m, d;

	if (!has) {
		json_null(j, key);
		return;
	}
	time_civil_from_days(day, &y, &m, &d);
	snprintf(b, sizeof(b), "%04d-%02u-%02u", (int)y, m, d);
	json_str(j, key, b);
}

int
api_charts(struct ctx *c, struct resp *r)
{
	struct charts_query q;
	struct charts_kept *kept;
	char key[CHARTS_KEY_MAX];
	uint64_t version = 0, seq = 0;
	int n = -1;
	const struct tz *z;
	struct json j;
	int32_t from = 0, to = 0;
	int has_from = (c->a.has & QBIT(Q_FROM)) != 0;

	if (api_insights_zone(c, r, &z) == -1)
		return -1;
	if ((c->a.has & QBIT(Q_TO)) && !has_from)
		return http_error(r, 400, "to needs from");
	if (has_from) {
		from = c->a.from_day;
		to = (c->a.has & QBIT(Q_TO)) ? c->a.to_day :
		    insights_day_of(z, time_now_ms());
		if (to < from)
			return http_error(r, 400, "to must not be before from");
		if (to - from >= CHARTS_DAYS_MAX)
			return http_error(r, 400,
			    "the span must be at most 36600 days");
	}
	memset(&q, 0, sizeof(q));
	q.user = c->a.user;
	q.kind = (c->a.has & QBIT(Q_CKIND)) ? (enum entity_kind)c->a.ckind :
	    ENTITY_TRACK;
	q.by = (c->a.has & QBIT(Q_BY)) ? (enum charts_by)c->a.by :
	    CHARTS_BY_PLAYS;
	q.from_ms = has_from ? insights_day_start(z, from) : INT64_MIN;
	q.to_ms = has_from ? insights_day_start(z, to + 1) : INT64_MAX;
	q.limit = (c->a.has & QBIT(Q_ILIMIT)) ? (uint32_t)c->a.limit :
	    CHARTS_LIMIT;
	if (store_agg_version(c->app->txn, c->a.user, &version) ==
	    STORE_ERR || store_change_seq(c->app->txn, &seq, NULL) !=
	    STORE_OK)
		return http_error(r, 500, "the journal could not be read");
	n = snprintf(key, sizeof(key), "%s|%s|%s|%d|%llu|%llu", c->a.user,
	    c->req->query, tz_name(z), (int)insights_day_of(z, time_now_ms()),
	    (unsigned long long)version, (unsigned long long)seq);
	if (n > 0 && (size_t)n < sizeof(key) &&
	    (kept = charts_find(key)) != NULL) {
		if (buf_add(&r->body, kept->body.data, kept->body.len) == -1)
			return http_error(r, 500, "out of memory");
		return 0;
	}

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "user_id", c->a.user);
	json_str(&j, "kind", charts_kinds[q.kind]);
	json_str(&j, "by", charts_bys[q.by]);
	json_str(&j, "tz", tz_name(z));
	write_day(&j, "from", has_from, from);
	write_day(&j, "to", has_from, to);
	if (has_from) {
		json_int(&j, "from_ms", q.from_ms);
		json_int(&j, "to_ms", q.to_ms);
	} else {
		json_null(&j, "from_ms");
		json_null(&j, "to_ms");
	}
	if (charts_write(c->app->txn, &q, &j) == -1)
		return http_error(r, 500, "the chart could not be made");
	json_obj_close(&j);
	if (json_finish(&j) == -1)
		return http_error(r, 500, "the response could not be written");
	if (n > 0 && (size_t)n < sizeof(key))
		charts_keep(key, &r->body);
	return 0;
}
