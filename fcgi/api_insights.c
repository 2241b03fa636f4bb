/*
 * api_insights.c — GET /api/v0/insights/:user_id/:name: one insight of a
 * user's journal (calendar, clock, binges, seasons, newold, returns,
 * onthisday, top, streaks), computed by lib/insights.c.
 *
 * route.c has already validated everything the request carries: the name
 * (an unknown one is a 404 there), dates as local days, the zone name's
 * syntax and the bounds of limit, min and days.  Here the request becomes
 * an insights query: the zone (the `tz` parameter, else the user's
 * setting, else UTC; a zone the system does not have is a 400), the local
 * dates `from`..`to` (both inclusive) as [start of from, start of the day
 * after to), binge_min and return_days from the configuration unless
 * `min` and `days` are given, the on-this-day date (`date`, default today
 * in the zone), and the process's insights cache (main.c).  The answer is
 * the engine's JSON object as docs/INSIGHTS.md describes it.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "insights.h"
#include "json.h"
#include "render.h"
#include "log.h"
#include "timeutil.h"
#include "tz.h"

int
api_insights_zone(struct ctx *c, struct resp *r, const struct tz **z)
{
	if (c->a.has & QBIT(Q_TZ)) {
		if (tz_cache_get(c->a.tz, z) == -1)
			return http_error(r, 400,
			    "tz is not a time zone this server knows");
		return 0;
	}
	if (c->user.timezone[0] != '\0' &&
	    tz_cache_get(c->user.timezone, z) == 0)
		return 0;
	if (c->user.timezone[0] != '\0')
		log_debug("user's time zone unknown here; UTC");
	return tz_cache_get("UTC", z) == 0 ? 0 :
	    http_error(r, 500, "no time zone could be loaded");
}

int
api_insights(struct ctx *c, struct resp *r)
{
	const struct config *cfg = c->app->cfg;
	struct insights_query q;
	const struct tz *z;
	struct json j;

	if (api_insights_zone(c, r, &z) == -1)
		return -1;
	if ((c->a.has & QBIT(Q_FROM)) && (c->a.has & QBIT(Q_TO)) &&
	    c->a.to_day < c->a.from_day)
		return http_error(r, 400, "to must not be before from");

	insights_query_init(&q, c->a.user, z);
	if (c->a.has & QBIT(Q_FROM))
		q.from_ms = insights_day_start(z, c->a.from_day);
	if (c->a.has & QBIT(Q_TO))
		q.to_ms = insights_day_start(z, c->a.to_day + 1);
	q.binge_min = (c->a.has & QBIT(Q_MIN)) ? c->a.min :
	    (uint32_t)config_num(cfg, CFG_BINGE_MIN);
	q.return_days = (c->a.has & QBIT(Q_DAYS)) ? c->a.days :
	    (uint32_t)config_num(cfg, CFG_RETURN_DAYS);
	if (c->a.has & QBIT(Q_ILIMIT))
		q.limit = (uint32_t)c->a.limit;
	q.day = (c->a.has & QBIT(Q_DATE)) ? c->a.date_day :
	    insights_day_of(z, time_now_ms());
	q.cache = c->app->insights;
	if (q.from_ms >= q.to_ms)	/* only to, before 1970 */
		return http_error(r, 400, "the range is empty");

	json_init(&j, &r->body);
	if (insights_run(c->app->txn, (enum insights_kind)c->a.insight, &q,
	    &j) == -1)
		return http_error(r, 500, "the insight could not be computed");
	return render_finish(&j, r);
}
