/*
 * insights_runs.c — the insights made of runs in time order, each
 * computed and rendered here (contract: insights.h): binges (the same
 * track played again and again with nothing between, a run that crosses
 * either end of the range counted whole) and streaks (local days in a row
 * on which an artist was played).
 *
 * Both are one ordered scan (insights_int.h) whose step extends the run
 * of the current track, or of each credited artist, and closes it when it
 * breaks; the closed runs long enough to count are kept and the best
 * limit of them returned by a bounded heap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "insights.h"
#include "insights_int.h"
#include "json.h"
#include "store.h"
#include "timeutil.h"

/* ---- binges ------------------------------------------------------------- */

struct binge_run {
	struct insights_binges *out;
	struct insights_binge *v;	/* all found */
	size_t		 n, cap;
	uint32_t	 track;		/* NONE before the first play */
	int		 counted;	/* the run started inside the range */
	uint32_t	 len;
	int64_t		 first, last;
	uint64_t	 first_len;	/* listening time of the first play */
	struct insights_time time;
	int		 extending;	/* reading past the range's end */
};

static int
insights_runs_binge_close(struct ictx *c, struct binge_run *r)
{
	struct insights_binge *b;

	if (r->track == NONE || !r->counted || r->len < c->q->binge_min)
		return 0;
	if (insights_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v)) == -1)
		return -1;
	b = &r->v[r->n++];
	idtab_copy(&c->tt->tracks, r->track, b->track_id);
	b->plays = r->len;
	b->first_ms = r->first;
	b->last_ms = r->last;
	b->start_ms = r->first - (int64_t)r->first_len;
	b->time = r->time;
	insights_ctx_local_iso(c, b->start_ms, b->start_local);
	insights_ctx_local_iso(c, b->last_ms, b->last_local);
	return 0;
}

static int
insights_runs_binge_step(struct ictx *c, const struct play_ref *p,
    uint32_t track)
{
	struct binge_run *r = c->arg;
	struct insights_time one;

	memset(&one, 0, sizeof(one));
	insights_time_add_play(&one, p->ms_played, c->tt->ti[track].duration);
	if (track == r->track) {
		r->len++;
		r->last = p->played_at;
		insights_time_add(&r->time, &one);
		return 0;
	}
	if (r->extending)
		return 1;		/* the run that crossed the end is over */
	if (insights_runs_binge_close(c, r) == -1)
		return -1;
	r->track = track;
	r->counted = 1;
	r->len = 1;
	r->first = r->last = p->played_at;
	r->first_len = one.ms;
	r->time = one;
	return 0;
}

/* Longest first, then oldest. */
static int
insights_runs_binge_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct insights_binge *v = ctx, *x = &v[a], *y = &v[b];

	if (x->plays != y->plays)
		return x->plays > y->plays ? -1 : 1;
	if (x->first_ms != y->first_ms)
		return x->first_ms < y->first_ms ? -1 : 1;
	return (a > b) - (a < b);
}

/* The binges of the range: the runs it saw, then the best of them. */
static int
insights_runs_binge_body(struct ictx *c, void *arg)
{
	struct binge_run *r = arg;
	const struct insights_query *q = c->q;
	struct one_play before;
	void *best;

	r->track = NONE;
	r->out->binge_min = q->binge_min;
	/* A run going on when the range starts belongs to an earlier one. */
	if (q->from_ms > TIME_MS_MIN) {
		if (insights_ctx_one(c, TIME_MS_MIN, q->from_ms - 1,
		    STORE_DESC, &before) == -1)
			return -1;
		if (before.found && insights_ctx_track(c, before.track_id,
		    &r->track) == -1)
			return -1;
	}
	if (insights_ctx_scan(c, q->from_ms, q->to_ms,
	    insights_runs_binge_step, r) == -1)
		return -1;
	/* A run going on when the range ends is counted to its end. */
	if (r->counted && q->to_ms <= TIME_MS_MAX) {
		r->extending = 1;
		if (insights_ctx_scan(c, q->to_ms, TIME_MS_MAX + 1,
		    insights_runs_binge_step, r) == -1)
			return -1;
	}
	if (insights_runs_binge_close(c, r) == -1 ||
	    insights_pick(r->v, r->n, sizeof(*r->v), q->limit,
	    insights_runs_binge_better, &best, &r->out->n) == -1)
		return -1;
	r->out->total = r->n;
	r->out->v = best;
	return 0;
}

/* Frees the scan state of binges (INSIGHTS_GET calls <scan>_free). */
static void
binge_run_free(struct binge_run *x)
{
	free(x->v);
}

INSIGHTS_GET(binges, binge_run, insights_runs_binge_body)

void
insights_free_binges(struct insights_binges *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static void
insights_runs_str_or_null(struct json *j, const char *key, const char *s)
{
	if (s[0] != '\0')
		json_str(j, key, s);
	else
		json_null(j, key);
}

void
insights_render_binges(struct json *j, const char *key,
    const struct insights_binges *b)
{
	size_t i;

	insights_render_head(j, key, "binges", &b->r);
	json_uint(j, "binge_min", b->binge_min);
	json_uint(j, "total", b->total);
	json_arr_open(j, "binges");
	for (i = 0; i < b->n; i++) {
		const struct insights_binge *e = &b->v[i];

		json_obj_open(j, NULL);
		json_str(j, "track_id", e->track_id);
		json_uint(j, "plays", e->plays);
		json_time_ms(j, "start", "start_iso", e->start_ms);
		json_time_ms(j, "first", "first_iso", e->first_ms);
		json_time_ms(j, "last", "last_iso", e->last_ms);
		insights_runs_str_or_null(j, "start_local", e->start_local);
		insights_runs_str_or_null(j, "last_local", e->last_local);
		insights_render_time_short(j, &e->time);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* ---- streaks ------------------------------------------------------------ */

struct streak_state {
	int32_t		 first, last;	/* days of the current streak */
	uint32_t	 plays;
	uint8_t		 live;
};

struct streak_scan {
	struct insights_streaks *out;
	struct insights_streak *v;	/* all found */
	size_t		 n, cap;
	struct streak_state *st;	/* per artist */
	size_t		 st_cap;
};

static int
insights_runs_streak_close(struct ictx *c, struct streak_scan *s, uint32_t a)
{
	struct streak_state *st = &s->st[a];
	struct insights_streak *k;

	if (!st->live || st->last - st->first + 1 < INSIGHTS_STREAK_MIN)
		return 0;
	if (insights_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v)) == -1)
		return -1;
	k = &s->v[s->n++];
	idtab_copy(&c->tt->artists, a, k->artist_id);
	k->first_day = st->first;
	k->last_day = st->last;
	k->days = (uint32_t)(st->last - st->first + 1);
	k->plays = st->plays;
	return 0;
}

static int
insights_runs_streak_step(struct ictx *c, const struct play_ref *p,
    uint32_t track)
{
	struct streak_scan *s = c->arg;
	const struct tinfo *ti = &c->tt->ti[track];
	struct streak_state *st;
	int32_t day;
	uint32_t i, a;

	if (ti->n_art == 0)
		return 0;
	if (insights_grow(&s->st, &s->st_cap, c->tt->artists.n,
	    sizeof(*s->st)) == -1)
		return -1;
	day = insights_ctx_day(c, p->played_at);
	for (i = 0; i < ti->n_art; i++) {
		a = c->tt->art[ti->art + i];
		st = &s->st[a];
		if (st->live && st->last == day) {
			st->plays++;
			continue;
		}
		if (st->live && st->last == day - 1) {
			st->last = day;
			st->plays++;
			continue;
		}
		if (insights_runs_streak_close(c, s, a) == -1)
			return -1;
		st->live = 1;
		st->first = st->last = day;
		st->plays = 1;
	}
	return 0;
}

/* Longest first, then newest, then by artist id. */
static int
insights_runs_streak_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct insights_streak *v = ctx, *x = &v[a], *y = &v[b];
	int r;

	if (x->days != y->days)
		return x->days > y->days ? -1 : 1;
	if (x->last_day != y->last_day)
		return x->last_day > y->last_day ? -1 : 1;
	if ((r = strcmp(x->artist_id, y->artist_id)) != 0)
		return r;
	return (a > b) - (a < b);
}

/* The streaks of the range: each artist's, closed at the end, the best. */
static int
insights_runs_streak_body(struct ictx *c, void *arg)
{
	struct streak_scan *s = arg;
	void *best;
	uint32_t a;

	if (insights_ctx_scan(c, c->q->from_ms, c->q->to_ms,
	    insights_runs_streak_step, s) == -1)
		return -1;
	for (a = 0; a < c->tt->artists.n && a < s->st_cap; a++)
		if (insights_runs_streak_close(c, s, a) == -1)
			return -1;
	if (insights_pick(s->v, s->n, sizeof(*s->v), c->q->limit,
	    insights_runs_streak_better, &best, &s->out->n) == -1)
		return -1;
	s->out->total = s->n;
	s->out->v = best;
	return 0;
}

/* Frees the scan state of streaks (INSIGHTS_GET calls <scan>_free). */
static void
streak_scan_free(struct streak_scan *x)
{
	free(x->v);
	free(x->st);
}

INSIGHTS_GET(streaks, streak_scan, insights_runs_streak_body)

void
insights_free_streaks(struct insights_streaks *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void
insights_render_streaks(struct json *j, const char *key,
    const struct insights_streaks *s)
{
	size_t i;

	insights_render_head(j, key, "streaks", &s->r);
	json_uint(j, "streak_min", INSIGHTS_STREAK_MIN);
	json_uint(j, "total", s->total);
	json_arr_open(j, "streaks");
	for (i = 0; i < s->n; i++) {
		json_obj_open(j, NULL);
		json_str(j, "artist_id", s->v[i].artist_id);
		json_uint(j, "days", s->v[i].days);
		json_day(j, "first", s->v[i].first_day);
		json_day(j, "last", s->v[i].last_day);
		json_uint(j, "plays", s->v[i].plays);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}
