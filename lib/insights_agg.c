/*
 * insights_agg.c — the insights read from the store's aggregates:
 * calendar (plays and listening time per local day) and clock (per local
 * weekday and hour), computed and rendered (contract: insights.h).
 *
 * The store keeps, per user and 15-minute UTC bucket, the plays and
 * listening time of that bucket, updated in the transaction that adds or
 * deletes a play (store.h, store_iter_agg).  A bucket lies inside one
 * local hour of every zone whose offsets are whole quarter hours (every
 * zone since 1972), so walking the buckets of the range and shifting
 * each by its zone offset gives exact local days and hours.  Where that
 * does not hold the plays themselves are read through the engine's
 * ordered scan (insights_int.h): the partial buckets at the edges of a
 * range that does not start or end on a bucket boundary, and a bucket in
 * which the zone's offset changes (transitions off the quarter hour:
 * five zones since 2008).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "insights.h"
#include "insights_int.h"
#include "json.h"
#include "store.h"
#include "timeutil.h"

/* ---- the aggregate walk ------------------------------------------------ */

/* A unit of the aggregate walk: one bucket or one edge play, local time. */
typedef void (*unit_fn)(int64_t local_ms, uint32_t plays,
    const struct insights_time *, void *arg);

struct insights_agg_walk {
	struct ictx	*c;
	unit_fn		 fn;
	void		*arg;
};

static int
insights_agg_edge_step(struct ictx *c, const struct play_ref *p, uint32_t track)
{
	struct insights_agg_walk *w = c->arg;
	struct insights_time t;

	memset(&t, 0, sizeof(t));
	insights_time_add_play(&t, p->ms_played, c->tt->ti[track].duration);
	w->fn(insights_ctx_local(c, p->played_at), 1, &t, w->arg);
	return 0;
}

static int
insights_agg_bucket_cb(const struct agg_bucket *b, void *arg)
{
	struct insights_agg_walk *w = arg;
	struct ictx *c = w->c;
	struct insights_time t;
	int64_t local = insights_ctx_local(c, b->start_ms);

	/*
	 * The zone's offset changes inside this bucket (a transition off
	 * the quarter hour, as Gaza's and St. John's at 00:01 once were):
	 * its plays one by one, each at its own offset.
	 */
	if (c->span_hi < b->start_ms + STORE_AGG_BUCKET_MS)
		return insights_ctx_scan(c, b->start_ms, b->start_ms +
		    STORE_AGG_BUCKET_MS, insights_agg_edge_step, w);
	memset(&t, 0, sizeof(t));
	t.by_played = b->by_played;
	t.ms_from_played = b->ms_played;
	t.by_duration = b->by_duration;
	t.ms_from_duration = b->ms_duration;
	t.ms = b->ms_played + b->ms_duration;
	t.untimed = b->plays - b->by_played - b->by_duration;
	w->fn(local, b->plays, &t, w->arg);
	return 0;
}

/*
 * Calls fn for the range's plays in time order: whole buckets from the
 * aggregates, the partial buckets at either end play by play.
 */
static int
insights_agg_walk(struct ictx *c, unit_fn fn, void *arg)
{
	const int64_t B = STORE_AGG_BUCKET_MS;
	struct insights_agg_walk w = { c, fn, arg };
	int64_t from = c->q->from_ms, to = c->q->to_ms, lo, hi;

	from = from < TIME_MS_MIN ? TIME_MS_MIN : from;
	to = to > TIME_MS_MAX + 1 ? TIME_MS_MAX + 1 : to;
	if (from >= to)
		return 0;
	lo = -time_fdiv(-from, B) * B;		/* first whole bucket */
	hi = time_fdiv(to, B) * B;		/* end of the last */
	if (lo >= hi)
		return insights_ctx_scan(c, from, to, insights_agg_edge_step,
		    &w);
	if (insights_ctx_scan(c, from, lo, insights_agg_edge_step, &w) == -1)
		return -1;
	if (store_iter_agg(c->txn, c->q->user, lo, hi - B, STORE_ASC,
	    insights_agg_bucket_cb, &w) != STORE_OK)
		return -1;
	return insights_ctx_scan(c, hi, to, insights_agg_edge_step, &w);
}

/* ---- calendar ----------------------------------------------------------- */

struct cal_acc {
	struct insights_calendar *cal;
	size_t		 cap;
	int		 failed;
};

static void
insights_agg_calendar_unit(int64_t local, uint32_t plays,
    const struct insights_time *t, void *arg)
{
	struct cal_acc *a = arg;
	struct insights_calendar *cal = a->cal;
	int32_t day = (int32_t)time_fdiv(local, DAY_MS);
	struct insights_day *d;

	if (cal->n == 0 || cal->days[cal->n - 1].day != day) {
		if (insights_grow(&cal->days, &a->cap, cal->n + 1,
		    sizeof(*cal->days)) == -1) {
			a->failed = 1;
			return;
		}
		cal->days[cal->n++].day = day;
	}
	d = &cal->days[cal->n - 1];
	d->plays += plays;
	insights_time_add(&d->time, t);
	cal->plays += plays;
	insights_time_add(&cal->time, t);
}

/* The calendar: the aggregate walk into days; fails if a day could not. */
static int
insights_agg_calendar_body(struct ictx *c, void *arg)
{
	struct cal_acc *a = arg;

	if (insights_agg_walk(c, insights_agg_calendar_unit, a) == -1 ||
	    a->failed)
		return -1;
	return 0;
}

int
insights_get_calendar(struct store_txn *txn, const struct insights_query *q,
    struct insights_calendar *out)
{
	struct cal_acc a = { out, 0, 0 };

	if (insights_answer(txn, q, out, sizeof(*out), &out->r,
	    insights_agg_calendar_body, &a) == -1) {
		insights_free_calendar(out);
		return -1;
	}
	return 0;
}

void
insights_free_calendar(struct insights_calendar *cal)
{
	free(cal->days);
	memset(cal, 0, sizeof(*cal));
}

void
insights_render_calendar(struct json *j, const char *key,
    const struct insights_calendar *cal)
{
	size_t i;

	insights_render_head(j, key, "calendar", &cal->r);
	json_uint(j, "plays", cal->plays);
	insights_render_time(j, "time", &cal->time);
	json_arr_open(j, "days");
	for (i = 0; i < cal->n; i++) {
		json_obj_open(j, NULL);
		json_day(j, "date", cal->days[i].day);
		json_int(j, "day", cal->days[i].day);
		json_uint(j, "plays", cal->days[i].plays);
		insights_render_time_short(j, &cal->days[i].time);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* ---- clock -------------------------------------------------------------- */

static void
insights_agg_clock_unit(int64_t local, uint32_t plays,
    const struct insights_time *t, void *arg)
{
	struct insights_clock *ck = arg;
	int64_t day = time_fdiv(local, DAY_MS);
	int wd = insights_weekday(day);
	int h = (int)((local - day * DAY_MS) / HOUR_MS);

	ck->plays[wd][h] += plays;
	ck->ms[wd][h] += t->ms;
	ck->total += plays;
	insights_time_add(&ck->time, t);
}

/* The clock: the aggregate walk into weekdays and hours. */
static int
insights_agg_clock_body(struct ictx *c, void *arg)
{
	return insights_agg_walk(c, insights_agg_clock_unit, arg);
}

int
insights_get_clock(struct store_txn *txn, const struct insights_query *q,
    struct insights_clock *out)
{
	if (insights_answer(txn, q, out, sizeof(*out), &out->r,
	    insights_agg_clock_body, out) == -1) {
		insights_free_clock(out);
		return -1;
	}
	return 0;
}

void
insights_free_clock(struct insights_clock *ck)
{
	memset(ck, 0, sizeof(*ck));
}

/* key: the clock's plays (or with ms, its listening time) per weekday, hour. */
static void
insights_agg_render_grid(struct json *j, const char *key,
    const struct insights_clock *ck, int ms)
{
	int d, h;

	json_arr_open(j, key);
	for (d = 0; d < 7; d++) {
		json_arr_open(j, NULL);
		for (h = 0; h < 24; h++)
			json_uint(j, NULL, ms ? ck->ms[d][h] : ck->plays[d][h]);
		json_arr_close(j);
	}
	json_arr_close(j);
}

void
insights_render_clock(struct json *j, const char *key,
    const struct insights_clock *ck)
{
	static const char *const wd[7] = {
		"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
	};
	int d;

	insights_render_head(j, key, "clock", &ck->r);
	json_uint(j, "plays", ck->total);
	insights_render_time(j, "time", &ck->time);
	json_arr_open(j, "weekdays");
	for (d = 0; d < 7; d++)
		json_str(j, NULL, wd[d]);
	json_arr_close(j);
	insights_agg_render_grid(j, "grid", ck, 0);
	insights_agg_render_grid(j, "grid_ms", ck, 1);
	json_obj_close(j);
}
