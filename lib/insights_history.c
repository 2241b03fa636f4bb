/*
 * insights_history.c — the insights that need the whole past of the
 * journal, each computed and rendered here (contract: insights.h): new vs
 * old (per week and month, the plays of tracks and artists never played
 * before) and returns (tracks and artists played again after a long
 * absence).
 *
 * Both scan from the first play ever to the end of the range
 * (insights_int.h), remembering per track and artist whether, when and
 * how often it was played, and count only what falls inside the range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "insights.h"
#include "insights_int.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"

/* ---- new vs old --------------------------------------------------------- */

struct newold_scan {
	struct insights_newold *out;
	size_t		 wcap, mcap;
	uint8_t		*tseen, *aseen;
	size_t		 tcap, acap;
	int32_t		 day;		/* cached local day,
	    its week and month */
	int32_t		 week, month;
	int		 have_day;
};

static struct insights_newold_row *
insights_history_newold_row(struct insights_newold_row **rows, size_t *n,
    size_t *cap, int32_t first)
{
	if (*n == 0 || (*rows)[*n - 1].day != first) {
		if (insights_grow(rows, cap, *n + 1, sizeof(**rows)) == -1)
			return NULL;
		(*rows)[(*n)++].day = first;
	}
	return &(*rows)[*n - 1];
}

static int
insights_history_newold_step(struct ictx *c, const struct play_ref *p,
    uint32_t track)
{
	struct newold_scan *s = c->arg;
	struct insights_newold *out = s->out;
	struct insights_newold_row *w, *m;
	const struct tinfo *ti = &c->tt->ti[track];
	int new_track, new_artist = 0;
	int64_t y;
	unsigned mo, d;
	int32_t day;
	uint32_t i, a;

	if (insights_grow(&s->tseen, &s->tcap, track + 1, 1) == -1 ||
	    insights_grow(&s->aseen, &s->acap, c->tt->artists.n, 1) == -1)
		return -1;
	new_track = !s->tseen[track];
	s->tseen[track] = 1;
	for (i = 0; i < ti->n_art; i++) {
		a = c->tt->art[ti->art + i];
		if (!s->aseen[a]) {
			s->aseen[a] = 1;
			new_artist = 1;
		}
	}
	if (p->played_at < c->q->from_ms)
		return 0;
	day = insights_ctx_day(c, p->played_at);
	if (!s->have_day || day != s->day) {
		s->have_day = 1;
		s->day = day;
		s->week = day - insights_weekday(day);
		time_civil_from_days(day, &y, &mo, &d);
		s->month = day - (int32_t)d + 1;
	}
	if ((w = insights_history_newold_row(&out->weeks, &out->n_weeks,
	    &s->wcap, s->week)) == NULL ||
	    (m = insights_history_newold_row(&out->months, &out->n_months,
	    &s->mcap, s->month)) == NULL)
		return -1;
	w->plays++;
	m->plays++;
	out->plays++;
	w->new_tracks += new_track;
	m->new_tracks += new_track;
	out->new_tracks += new_track;
	w->new_artists += new_artist;
	m->new_artists += new_artist;
	out->new_artists += new_artist;
	return 0;
}

/* New vs old: from the first play ever, counting inside the range. */
static int
insights_history_newold_body(struct ictx *c, void *arg)
{
	return insights_ctx_scan(c, TIME_MS_MIN, c->q->to_ms,
	    insights_history_newold_step, arg);
}

/* Frees the scan state of newold (INSIGHTS_GET calls <scan>_free). */
static void
newold_scan_free(struct newold_scan *x)
{
	free(x->tseen);
	free(x->aseen);
}

INSIGHTS_GET(newold, newold_scan, insights_history_newold_body)

void
insights_free_newold(struct insights_newold *n)
{
	free(n->weeks);
	free(n->months);
	memset(n, 0, sizeof(*n));
}

static double
insights_history_share(uint32_t part, uint32_t whole)
{
	return whole == 0 ? 0.0 : (double)part / (double)whole;
}

static void
insights_history_render_rows(struct json *j, const char *key,
    const char *datekey,
    const struct insights_newold_row *v, size_t n, int months)
{
	int64_t y;
	unsigned m, d;
	size_t i;

	json_arr_open(j, key);
	for (i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		if (months) {
			time_civil_from_days(v[i].day, &y, &m, &d);
			insights_render_month(j, datekey, y, m);
		} else
			json_day(j, datekey, v[i].day);
		json_uint(j, "plays", v[i].plays);
		json_uint(j, "new_tracks", v[i].new_tracks);
		json_uint(j, "new_artists", v[i].new_artists);
		json_double(j, "share_new_tracks",
		    insights_history_share(v[i].new_tracks, v[i].plays));
		json_double(j, "share_new_artists",
		    insights_history_share(v[i].new_artists, v[i].plays));
		json_obj_close(j);
	}
	json_arr_close(j);
}

void
insights_render_newold(struct json *j, const char *key,
    const struct insights_newold *n)
{
	insights_render_head(j, key, "newold", &n->r);
	json_uint(j, "plays", n->plays);
	json_uint(j, "new_tracks", n->new_tracks);
	json_uint(j, "new_artists", n->new_artists);
	json_double(j, "share_new_tracks", insights_history_share(n->new_tracks,
	    n->plays));
	json_double(j, "share_new_artists",
	    insights_history_share(n->new_artists, n->plays));
	insights_history_render_rows(j, "weeks", "week", n->weeks, n->n_weeks,
	    0);
	insights_history_render_rows(j, "months", "month", n->months,
	    n->n_months, 1);
	json_obj_close(j);
}

/* ---- returns ------------------------------------------------------------ */

/* What a return scan remembers of each track or artist. */
struct ret_state {
	int64_t		 last;		/* the latest play so far */
	uint32_t	 n;		/* plays so far */
	uint32_t	 ret;		/* its latest return in range + 1,
	    or 0 */
};

struct ret_found {
	uint32_t	 idx;		/* track or artist index */
	int64_t		 previous, returned;
	uint32_t	 before, after;
};

struct ret_side {
	struct ret_state *st;
	size_t		 st_cap;
	struct ret_found *v;
	size_t		 n, cap;
};

struct ret_scan {
	struct insights_returns *out;
	struct ret_side	 t, a;
	int64_t		 away_ms;
};

static int
insights_history_return_one(struct ictx *c, struct ret_side *sd, uint32_t idx,
    int64_t at, int64_t away_ms)
{
	struct ret_state *st = &sd->st[idx];
	struct ret_found *f;

	if (st->n > 0 && at - st->last >= away_ms && at >= c->q->from_ms) {
		if (insights_grow(&sd->v, &sd->cap, sd->n + 1,
		    sizeof(*sd->v)) == -1)
			return -1;
		f = &sd->v[sd->n++];
		f->idx = idx;
		f->previous = st->last;
		f->returned = at;
		f->before = st->n;
		f->after = 1;
		st->ret = (uint32_t)sd->n;
	} else if (st->ret != 0)
		sd->v[st->ret - 1].after++;
	st->n++;
	st->last = at;
	return 0;
}

static int
insights_history_return_step(struct ictx *c, const struct play_ref *p,
    uint32_t track)
{
	struct ret_scan *s = c->arg;
	const struct tinfo *ti = &c->tt->ti[track];
	uint32_t i;

	if (insights_grow(&s->t.st, &s->t.st_cap, track + 1,
	    sizeof(*s->t.st)) == -1 ||
	    insights_grow(&s->a.st, &s->a.st_cap, c->tt->artists.n,
	    sizeof(*s->a.st)) == -1)
		return -1;
	if (insights_history_return_one(c, &s->t, track, p->played_at,
	    s->away_ms) == -1)
		return -1;
	for (i = 0; i < ti->n_art; i++)
		if (insights_history_return_one(c, &s->a,
		    c->tt->art[ti->art + i], p->played_at, s->away_ms) == -1)
			return -1;
	return 0;
}

/* Most plays around the absence, then longest away, then oldest. */
static int
insights_history_return_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct ret_found *v = ctx, *x = &v[a], *y = &v[b];
	uint64_t sx = (uint64_t)x->before + x->after;
	uint64_t sy = (uint64_t)y->before + y->after;
	int64_t ax = x->returned - x->previous, ay = y->returned - y->previous;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	if (ax != ay)
		return ax > ay ? -1 : 1;
	if (x->returned != y->returned)
		return x->returned < y->returned ? -1 : 1;
	return (a > b) - (a < b);
}

/* The side's best returns, limit of them, as insights_return. */
static int
insights_history_return_export(const struct idtab *ids, struct ret_side *sd,
    uint32_t limit, struct insights_return **v, size_t *n, size_t *total)
{
	uint32_t *idx;
	const struct ret_found *f;
	size_t i;

	*total = sd->n;
	if (sd->n == 0)
		return 0;
	if (insights_best(sd->n, limit, insights_history_return_better, sd->v,
	    &idx, n) == -1)
		return -1;
	if ((*v = reallocarray(NULL, *n, sizeof(**v))) == NULL) {
		log_warn("insights: memory");
		free(idx);
		*n = 0;
		return -1;
	}
	for (i = 0; i < *n; i++) {
		f = &sd->v[idx[i]];
		idtab_copy(ids, f->idx, (*v)[i].id);
		(*v)[i].previous_ms = f->previous;
		(*v)[i].returned_ms = f->returned;
		(*v)[i].days_away = (uint32_t)((f->returned - f->previous) /
		    DAY_MS);
		(*v)[i].plays_before = f->before;
		(*v)[i].plays_after = f->after;
	}
	free(idx);
	return 0;
}

/* Returns: from the first play ever, then each side's best. */
static int
insights_history_returns_body(struct ictx *c, void *arg)
{
	struct ret_scan *s = arg;
	struct insights_returns *out = s->out;

	out->return_days = c->q->return_days;
	s->away_ms = (int64_t)c->q->return_days * DAY_MS;
	if (insights_ctx_scan(c, TIME_MS_MIN, c->q->to_ms,
	    insights_history_return_step, s) == -1 ||
	    insights_history_return_export(&c->tt->tracks, &s->t, c->q->limit,
	    &out->tracks, &out->n_tracks, &out->total_tracks) == -1 ||
	    insights_history_return_export(&c->tt->artists, &s->a,
	    c->q->limit, &out->artists, &out->n_artists,
	    &out->total_artists) == -1)
		return -1;
	return 0;
}

/* Frees the scan state of returns (INSIGHTS_GET calls <scan>_free). */
static void
ret_scan_free(struct ret_scan *x)
{
	free(x->t.st);
	free(x->t.v);
	free(x->a.st);
	free(x->a.v);
}

INSIGHTS_GET(returns, ret_scan, insights_history_returns_body)

void
insights_free_returns(struct insights_returns *r)
{
	free(r->tracks);
	free(r->artists);
	memset(r, 0, sizeof(*r));
}

static void
insights_history_render_returns(struct json *j, const char *key,
    const struct insights_return *v, size_t n, size_t total)
{
	size_t i;

	json_obj_open(j, key);
	json_uint(j, "total", total);
	json_arr_open(j, "items");
	for (i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		json_str(j, "id", v[i].id);
		json_time_ms(j, "previous", "previous_iso", v[i].previous_ms);
		json_time_ms(j, "returned", "returned_iso", v[i].returned_ms);
		json_uint(j, "days_away", v[i].days_away);
		json_uint(j, "plays_before", v[i].plays_before);
		json_uint(j, "plays_after", v[i].plays_after);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

void
insights_render_returns(struct json *j, const char *key,
    const struct insights_returns *r)
{
	insights_render_head(j, key, "returns", &r->r);
	json_uint(j, "return_days", r->return_days);
	insights_history_render_returns(j, "tracks", r->tracks, r->n_tracks,
	    r->total_tracks);
	insights_history_render_returns(j, "artists", r->artists, r->n_artists,
	    r->total_artists);
	json_obj_close(j);
}
