/*
 * api_health.c — GET /api/v0/health and GET /api/v0/metrics.
 *
 * Health is for people and monitors: how long ago the collector last beat
 * (meta "collector.heartbeat", Unix s), how many users are in each status,
 * when any user was last polled successfully, the database's size and how
 * much of the map it uses.  "status" is the reader's own: "ok" whenever
 * the store can be read (else 503); the collector's state is beside it:
 * "running" while the heartbeat is fresh, "stale" when it seems gone,
 * "never" before its first beat.  A monitor reads both.
 * "readers" counts the reader processes alive under their supervisor
 * (readers.c), so a monitor sees one that died and was not replaced.
 * "spotify" is the quota as this instance spends it (lib/quota.h): Web API
 * and accounts requests and 429s over the last hour and day, the pauses
 * in force, and with spotify_daily_budget set, how many more users of
 * today's average cost the rest of the budget would carry.
 * Metrics is Prometheus' text format (metrics.c), with the same quota
 * figures as gauges (the pauses as seconds left).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cache.h"
#include "config.h"
#include "json.h"
#include "metrics.h"
#include "quota.h"
#include "readers.h"
#include "render.h"
#include "timeutil.h"
#include "version.h"

#define HEARTBEAT_META	"collector.heartbeat"
#define HEARTBEAT_STALE	300	/* s without a beat before "stale" */

/* The quota figures both /health and /metrics show. */
struct health_quota {
	struct quota_counts	 hour, day;
	int64_t			 paused_until;	/* Unix s, 0 = none */
	int64_t			 quota_until;	/* Unix s, 0 = none */
};

/* Reads the quota figures at now (Unix s).  Returns 0 or -1. */
static int
health_get_quota(struct ctx *c, int64_t now, struct health_quota *q)
{
	int64_t nb = 0, quota = 0;

	memset(q, 0, sizeof(*q));
	if (quota_sum(c->app->txn, now, 3600, &q->hour) == -1 ||
	    quota_sum(c->app->txn, now, 86400, &q->day) == -1 ||
	    store_get_meta_i64(c->app->txn, "ratelimit.not_before.api",
	    &nb) == STORE_ERR ||
	    store_get_meta_i64(c->app->txn, "ratelimit.quota_until",
	    &quota) == STORE_ERR)
		return -1;
	q->paused_until = nb / 1000 > now ? nb / 1000 : 0;
	q->quota_until = quota / 1000 > now ? quota / 1000 : 0;
	return 0;
}

/* Writes name_hour: hour and name_day: day. */
static void
health_hour_day(struct json *j, const char *name, uint64_t hour,
    uint64_t day)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_hour", name);
	json_uint(j, key, hour);
	snprintf(key, sizeof(key), "%s_day", name);
	json_uint(j, key, day);
}

/* The "spotify" object: requests, 429s, pauses, room in the budget. */
static int
health_spotify(struct ctx *c, struct json *j, int64_t now, uint64_t users)
{
	struct health_quota q;
	struct quota_counts *hour = &q.hour, *day = &q.day;
	long long budget = config_num(c->app->cfg, CFG_SPOTIFY_DAILY_BUDGET);
	int known;

	if (health_get_quota(c, now, &q) == -1)
		return -1;
	json_obj_open(j, "spotify");
	health_hour_day(j, "api_requests", hour->api, day->api);
	health_hour_day(j, "accounts_requests", hour->accounts, day->accounts);
	health_hour_day(j, "rate_limited", hour->n429, day->n429);
	render_time_s(j, "paused_until", "paused_until_iso", q.paused_until);
	render_time_s(j, "quota_paused_until", "quota_paused_until_iso",
	    q.quota_until);
	render_opt_int(j, "daily_budget", budget, budget > 0);
	known = budget > 0 && users > 0 && day->api > 0;
	render_opt_int(j, "more_users_estimate", known &&
	    (int64_t)budget > (int64_t)day->api ?
	    (int64_t)(((uint64_t)budget - day->api) * users / day->api) : 0,
	    known);
	json_obj_close(j);
	return 0;
}

struct health_users {
	uint64_t	by_status[USER_STATUS__MAX];
	int64_t		last_ok_poll;
};

static int
health_count(const struct user *u, void *arg)
{
	struct health_users *h = arg;

	if (u->status < USER_STATUS__MAX)
		h->by_status[u->status]++;
	if (u->last_ok_poll > h->last_ok_poll)
		h->last_ok_poll = u->last_ok_poll;
	return 0;
}

int
api_health(struct ctx *c, struct resp *r)
{
	struct health_users hu = { { 0 }, 0 };
	struct readers_info ri;
	struct store_info info;
	struct json j;
	int64_t beat = 0, now = time_now_ms() / 1000;
	int rc, s;

	rc = store_get_meta_i64(c->app->txn, HEARTBEAT_META, &beat);
	if (rc == STORE_ERR ||
	    store_iter_users(c->app->txn, health_count, &hu) != STORE_OK ||
	    store_get_info(c->app->store, &info) != STORE_OK)
		return http_error(r, 503, "the store cannot be read");
	if (rc == STORE_NOTFOUND)
		beat = 0;

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "status", "ok");
	json_str(&j, "version", LINERNOTES_VERSION);
	json_obj_open(&j, "collector");
	json_str(&j, "state", beat == 0 ? "never" :
	    now - beat <= HEARTBEAT_STALE ? "running" : "stale");
	render_time_s(&j, "heartbeat", "heartbeat_iso", beat);
	if (beat > 0)
		json_int(&j, "heartbeat_age_s", now - beat);
	else
		json_null(&j, "heartbeat_age_s");
	json_obj_close(&j);
	json_obj_open(&j, "users");
	for (s = 0; s < USER_STATUS__MAX; s++)
		json_uint(&j, render_status(s), hu.by_status[s]);
	json_obj_close(&j);
	render_time_s(&j, "last_ok_poll", "last_ok_poll_iso",
	    hu.last_ok_poll);
	if (health_spotify(c, &j, now, hu.by_status[USER_ACTIVE]) == -1)
		return http_error(r, 503, "the store cannot be read");
	json_obj_open(&j, "db");
	json_uint(&j, "map_size", info.map_size);
	json_uint(&j, "used", info.used);
	json_double(&j, "map_use", info.map_size > 0 ?
	    (double)info.used / (double)info.map_size : 0.0);
	json_uint(&j, "readers_used", info.readers_used);
	json_uint(&j, "readers_max", info.readers_max);
	json_uint(&j, "schema_version", info.schema_version);
	json_obj_close(&j);
	json_obj_open(&j, "reader");
	json_int(&j, "pid", (int64_t)getpid());
	json_int(&j, "uptime_s", now - c->app->started);
	json_obj_close(&j);
	json_obj_open(&j, "readers");
	if (readers_count_alive(&ri) == 0)
		json_int(&j, "alive", ri.alive);
	else
		json_null(&j, "alive");
	if (ri.supervisor[0] != '\0')
		json_str(&j, "supervisor", ri.supervisor);
	else
		json_null(&j, "supervisor");
	json_obj_close(&j);
	json_obj_close(&j);
	return render_finish(&j, r);
}

/* Appends /health's quota figures in Prometheus' text format. */
static void
health_metrics_quota(struct buf *b, const struct health_quota *q,
    int64_t now)
{
	metrics_family(b, "linernotes_spotify_requests", "gauge",
	    "Spotify requests the collector made in the last hour (1h) or "
	    "day (1d).");
	buf_printf(b,
	    "linernotes_spotify_requests{service=\"api\",window=\"1h\"} "
	    "%llu\n"
	    "linernotes_spotify_requests{service=\"api\",window=\"1d\"} "
	    "%llu\n"
	    "linernotes_spotify_requests{service=\"accounts\",window=\"1h\"} "
	    "%llu\n"
	    "linernotes_spotify_requests{service=\"accounts\",window=\"1d\"} "
	    "%llu\n",
	    (unsigned long long)q->hour.api, (unsigned long long)q->day.api,
	    (unsigned long long)q->hour.accounts,
	    (unsigned long long)q->day.accounts);
	metrics_family(b, "linernotes_spotify_rate_limited", "gauge",
	    "Spotify's 429 answers in the last hour (1h) or day (1d).");
	buf_printf(b,
	    "linernotes_spotify_rate_limited{window=\"1h\"} %llu\n"
	    "linernotes_spotify_rate_limited{window=\"1d\"} %llu\n",
	    (unsigned long long)q->hour.n429, (unsigned long long)q->day.n429);
	metrics_family(b, "linernotes_spotify_pause_seconds", "gauge",
	    "Seconds left of the pause Spotify asked for (rate_limit: a "
	    "Retry-After; quota: the quota's), 0 when none.");
	buf_printf(b,
	    "linernotes_spotify_pause_seconds{kind=\"rate_limit\"} %lld\n"
	    "linernotes_spotify_pause_seconds{kind=\"quota\"} %lld\n",
	    (long long)(q->paused_until > now ? q->paused_until - now : 0),
	    (long long)(q->quota_until > now ? q->quota_until - now : 0));
}

int
api_health_metrics(struct ctx *c, struct resp *r)
{
	struct cache_stats st;
	struct health_quota q;
	int64_t now = time_now_ms() / 1000;

	if (health_get_quota(c, now, &q) == -1)
		return http_error(r, 503, "the store cannot be read right now");
	cache_get_stats(c->app->cache, &st);
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	metrics_render(&r->body, st.entries, st.bytes);
	health_metrics_quota(&r->body, &q, now);
	if (r->body.oom)
		return http_error(r, 500, "the response could not be written");
	return 0;
}
