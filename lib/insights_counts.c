/*
 * insights_counts.c — the insights that count plays per track, artist or
 * album over a period, each computed and rendered here (contract:
 * insights.h): seasons (each month's favourite track and each December's
 * seasonal song), on this day (the same calendar day in earlier years)
 * and top (most played tracks, artists and albums of the range).
 *
 * Each is an ordered scan (insights_int.h) bumping per-entity counters;
 * counters that restart per month, year or day carry a generation number
 * (struct gcount) instead of being cleared, and the best are picked by a
 * bounded heap.
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
#include "tz.h"

/* ---- seasons ------------------------------------------------------------ */

/* A per-entity counter that restarts when gen changes. */
struct gcount {
	uint32_t	 gen;
	uint32_t	 n;
};

static uint32_t
insights_counts_bump(struct gcount *g, uint32_t gen)
{
	if (g->gen != gen) {
		g->gen = gen;
		g->n = 0;
	}
	return ++g->n;
}

static uint32_t
insights_counts_get(const struct gcount *g, uint32_t gen)
{
	return g->gen == gen ? g->n : 0;
}

struct season_scan {
	struct insights_seasons *out;
	size_t		 cap;
	struct gcount	*month, *year;	/* per track */
	size_t		 month_cap, year_cap;
	uint32_t	 mgen, ygen;	/* 0 = before any play */
	uint32_t	*dec;		/* tracks played this December */
	size_t		 n_dec, dec_cap;
	int32_t		 day;		/* cached local day and its civil date */
	int64_t		 y;
	unsigned	 m;
	int64_t		 cur_y;
	unsigned	 cur_m;
	uint32_t	 best, best_n, plays;
};

/* Closes the current month: its favourite, and for a December its song. */
static int
insights_counts_season_close(struct ictx *c, struct season_scan *s)
{
	struct insights_seasons *out = s->out;
	struct insights_month_top *mt;
	uint32_t d, rest, bd = 0, brest = 0, bi = NONE;
	size_t i;

	if (s->mgen == 0 || s->plays == 0)
		return 0;
	if (insights_grow(&out->months, &s->cap, out->n_months + 1,
	    sizeof(*out->months)) == -1)
		return -1;
	mt = &out->months[out->n_months++];
	mt->year = (int32_t)s->cur_y;
	mt->month = (uint8_t)s->cur_m;
	mt->plays = s->plays;
	idtab_copy(&c->tt->tracks, s->best, mt->track_id);
	mt->track_plays = s->best_n;
	if (s->cur_m != 12)
		return 0;
	for (i = 0; i < s->n_dec; i++) {
		d = insights_counts_get(&s->month[s->dec[i]], s->mgen);
		rest = insights_counts_get(&s->year[s->dec[i]], s->ygen) - d;
		if (d > rest && d > bd) {
			bd = d;
			brest = rest;
			bi = s->dec[i];
		}
	}
	if (bi != NONE) {
		idtab_copy(&c->tt->tracks, bi, mt->seasonal_id);
		mt->seasonal_plays = bd;
		mt->seasonal_rest = brest;
	}
	return 0;
}

static int
insights_counts_season_step(struct ictx *c, const struct play_ref *p,
    uint32_t track)
{
	struct season_scan *s = c->arg;
	int32_t day = insights_ctx_day(c, p->played_at);
	uint32_t n;
	unsigned d;

	if (insights_grow(&s->month, &s->month_cap, track + 1,
	    sizeof(*s->month)) == -1 ||
	    insights_grow(&s->year, &s->year_cap, track + 1,
	    sizeof(*s->year)) == -1)
		return -1;
	if (s->mgen == 0 || day != s->day) {
		s->day = day;
		time_civil_from_days(day, &s->y, &s->m, &d);
	}
	if (s->mgen == 0 || s->y != s->cur_y || s->m != s->cur_m) {
		if (insights_counts_season_close(c, s) == -1)
			return -1;
		if (s->mgen == 0 || s->y != s->cur_y)
			s->ygen++;
		s->mgen++;
		s->cur_y = s->y;
		s->cur_m = s->m;
		s->best = NONE;
		s->best_n = s->plays = 0;
		s->n_dec = 0;
	}
	s->plays++;
	(void)insights_counts_bump(&s->year[track], s->ygen);
	n = insights_counts_bump(&s->month[track], s->mgen);
	if (n > s->best_n) {
		s->best_n = n;
		s->best = track;
	}
	if (s->cur_m == 12 && n == 1) {
		if (insights_grow(&s->dec, &s->dec_cap, s->n_dec + 1,
		    sizeof(*s->dec)) == -1)
			return -1;
		s->dec[s->n_dec++] = track;
	}
	return 0;
}

/* Seasons: the range's months, then its Decembers apart. */
static int
insights_counts_seasons_body(struct ictx *c, void *arg)
{
	struct season_scan *s = arg;
	struct insights_seasons *out = s->out;
	size_t i, n = 0;

	if (insights_ctx_scan(c, c->q->from_ms, c->q->to_ms,
	    insights_counts_season_step, s) == -1 ||
	    insights_counts_season_close(c, s) == -1)
		return -1;
	for (i = 0; i < out->n_months; i++)
		n += out->months[i].month == 12;
	if (n > 0) {
		if ((out->decembers = reallocarray(NULL, n,
		    sizeof(*out->decembers))) == NULL) {
			log_warn("insights: memory");
			return -1;
		}
		for (i = 0; i < out->n_months; i++)
			if (out->months[i].month == 12)
				out->decembers[out->n_decembers++] =
				    out->months[i];
	}
	return 0;
}

/* Frees the scan state of seasons (INSIGHTS_GET calls <scan>_free). */
static void
season_scan_free(struct season_scan *x)
{
	free(x->month);
	free(x->year);
	free(x->dec);
}

INSIGHTS_GET(seasons, season_scan, insights_counts_seasons_body)

void
insights_free_seasons(struct insights_seasons *s)
{
	free(s->months);
	free(s->decembers);
	memset(s, 0, sizeof(*s));
}

static void
insights_counts_render_month(struct json *j, const struct insights_month_top *m,
    int december)
{
	json_obj_open(j, NULL);
	insights_render_month(j, "month", m->year, m->month);
	if (december)
		json_int(j, "year", m->year);
	json_uint(j, "plays", m->plays);
	json_str(j, "track_id", m->track_id);
	json_uint(j, "track_plays", m->track_plays);
	if (december) {
		if (m->seasonal_id[0] != '\0')
			json_str(j, "seasonal_id", m->seasonal_id);
		else
			json_null(j, "seasonal_id");
		json_uint(j, "seasonal_plays", m->seasonal_plays);
		json_uint(j, "seasonal_rest_of_year", m->seasonal_rest);
	}
	json_obj_close(j);
}

void
insights_render_seasons(struct json *j, const char *key,
    const struct insights_seasons *s)
{
	size_t i;

	insights_render_head(j, key, "seasons", &s->r);
	json_arr_open(j, "months");
	for (i = 0; i < s->n_months; i++)
		insights_counts_render_month(j, &s->months[i], 0);
	json_arr_close(j);
	json_arr_open(j, "decembers");
	for (i = 0; i < s->n_decembers; i++)
		insights_counts_render_month(j, &s->decembers[i], 1);
	json_arr_close(j);
	json_obj_close(j);
}

/* ---- on this day -------------------------------------------------------- */

struct otd_scan {
	struct insights_onthisday *out;
	struct insights_otd_year *y;
	struct gcount	*cnt;		/* per track, gen = the year */
	size_t		 cnt_cap;
	struct insights_time *tt;	/* per track listening time */
	size_t		 tt_cap;
	uint32_t	*seen;		/* tracks played that day */
	size_t		 n_seen, seen_cap;
	uint32_t	 gen;
	const struct idtab *ids;
};

static int
insights_counts_otd_step(struct ictx *c, const struct play_ref *p,
    uint32_t track)
{
	struct otd_scan *s = c->arg;
	struct insights_time one;

	if (insights_grow(&s->cnt, &s->cnt_cap, track + 1, sizeof(*s->cnt)) ==
	    -1 || insights_grow(&s->tt, &s->tt_cap, track + 1,
	    sizeof(*s->tt)) == -1)
		return -1;
	memset(&one, 0, sizeof(one));
	insights_time_add_play(&one, p->ms_played, c->tt->ti[track].duration);
	if (insights_counts_bump(&s->cnt[track], s->gen) == 1) {
		if (insights_grow(&s->seen, &s->seen_cap, s->n_seen + 1,
		    sizeof(*s->seen)) == -1)
			return -1;
		s->seen[s->n_seen++] = track;
		memset(&s->tt[track], 0, sizeof(s->tt[track]));
	}
	insights_time_add(&s->tt[track], &one);
	if (s->y->plays++ == 0)
		s->y->first_ms = p->played_at;
	s->y->last_ms = p->played_at;
	insights_time_add(&s->y->time, &one);
	return 0;
}

/* Most played, then most listened, then by id. */
static int
insights_counts_otd_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct otd_scan *s = ctx;

	if (s->cnt[a].n != s->cnt[b].n)
		return s->cnt[a].n > s->cnt[b].n ? -1 : 1;
	if (s->tt[a].ms != s->tt[b].ms)
		return s->tt[a].ms > s->tt[b].ms ? -1 : 1;
	return memcmp(s->ids->id[a], s->ids->id[b], ID_LEN);
}

/* On this day: each earlier year's same day, from the first play on. */
static int
insights_counts_onthisday_body(struct ictx *c, void *arg)
{
	struct otd_scan *s = arg;
	struct insights_onthisday *out = s->out;
	const struct insights_query *q = c->q;
	struct one_play first;
	size_t cap = 0, i, keep;
	int64_t yr, fy, from, to;
	unsigned m, d, fm, fd;
	int32_t day;

	out->day = q->day;
	if (insights_ctx_one(c, TIME_MS_MIN, TIME_MS_MAX, STORE_ASC,
	    &first) == -1)
		return -1;
	if (!first.found)
		return 0;
	s->ids = &c->tt->tracks;
	time_civil_from_days(q->day, &yr, &m, &d);
	time_civil_from_days(insights_ctx_day(c, first.at), &fy, &fm, &fd);
	keep = q->limit < INSIGHTS_OTD_TRACKS ? q->limit : INSIGHTS_OTD_TRACKS;
	for (yr--; yr >= fy; yr--) {
		if (m == 2 && d == 29 && !((yr % 4 == 0 && yr % 100 != 0) ||
		    yr % 400 == 0))
			continue;
		day = (int32_t)time_days_from_civil(yr, m, d);
		from = insights_day_start(q->tz, day);
		to = insights_day_start(q->tz, day + 1);
		from = from < q->from_ms ? q->from_ms : from;
		to = to > q->to_ms ? q->to_ms : to;
		if (from >= to)
			continue;
		if (insights_grow(&out->years, &cap, out->n + 1,
		    sizeof(*out->years)) == -1)
			return -1;
		s->y = &out->years[out->n];
		memset(s->y, 0, sizeof(*s->y));
		s->y->day = day;
		s->gen++;
		s->n_seen = 0;
		if (insights_ctx_scan(c, from, to, insights_counts_otd_step,
		    s) == -1)
			return -1;
		if (s->y->plays == 0)
			continue;
		out->n++;
		s->ids = &c->tt->tracks;	/* the table may have grown */
		s->y->n_tracks = insights_top_k(s->seen, s->n_seen, keep,
		    insights_counts_otd_better, s);
		if ((s->y->tracks = calloc(s->y->n_tracks ? s->y->n_tracks : 1,
		    sizeof(*s->y->tracks))) == NULL) {
			log_warn("insights: memory");
			s->y->n_tracks = 0;
			return -1;
		}
		for (i = 0; i < s->y->n_tracks; i++) {
			idtab_copy(&c->tt->tracks, s->seen[i],
			    s->y->tracks[i].id);
			s->y->tracks[i].plays = s->cnt[s->seen[i]].n;
			s->y->tracks[i].time = s->tt[s->seen[i]];
		}
	}
	return 0;
}

/* Frees the scan state of onthisday (INSIGHTS_GET calls <scan>_free). */
static void
otd_scan_free(struct otd_scan *x)
{
	free(x->cnt);
	free(x->tt);
	free(x->seen);
}

INSIGHTS_GET(onthisday, otd_scan, insights_counts_onthisday_body)

void
insights_free_onthisday(struct insights_onthisday *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->years[i].tracks);
	free(o->years);
	memset(o, 0, sizeof(*o));
}

static void
insights_counts_render_list(struct json *j, const char *key,
    const struct insights_count *v, size_t n)
{
	size_t i;

	json_arr_open(j, key);
	for (i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		json_str(j, "id", v[i].id);
		json_uint(j, "plays", v[i].plays);
		insights_render_time_short(j, &v[i].time);
		json_obj_close(j);
	}
	json_arr_close(j);
}

void
insights_render_onthisday(struct json *j, const char *key,
    const struct insights_onthisday *o)
{
	int64_t y;
	unsigned m, d;
	size_t i;

	insights_render_head(j, key, "onthisday", &o->r);
	json_day(j, "date", o->day);
	json_arr_open(j, "years");
	for (i = 0; i < o->n; i++) {
		const struct insights_otd_year *e = &o->years[i];

		json_obj_open(j, NULL);
		time_civil_from_days(e->day, &y, &m, &d);
		json_int(j, "year", y);
		json_day(j, "date", e->day);
		json_uint(j, "plays", e->plays);
		insights_render_time_short(j, &e->time);
		json_time_ms(j, "first", "first_iso", e->first_ms);
		json_time_ms(j, "last", "last_iso", e->last_ms);
		insights_counts_render_list(j, "tracks", e->tracks,
		    e->n_tracks);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* ---- top lists ---------------------------------------------------------- */

struct top_acc {
	uint32_t	 plays;
	struct insights_time time;
};

struct top_side {
	struct top_acc	*v;
	size_t		 cap;
	uint32_t	*touched;	/* indices with plays,
	    first-play order */
	size_t		 n, tcap;
	const struct idtab *ids;
};

struct top_scan {
	struct insights_top *out;
	struct top_side	 t, ar, al;
};

static int
insights_counts_top_bump(struct top_side *s, uint32_t idx,
    const struct insights_time *one)
{
	if (insights_grow(&s->v, &s->cap, idx + 1, sizeof(*s->v)) == -1)
		return -1;
	if (s->v[idx].plays++ == 0) {
		if (insights_grow(&s->touched, &s->tcap, s->n + 1,
		    sizeof(*s->touched)) == -1)
			return -1;
		s->touched[s->n++] = idx;
	}
	insights_time_add(&s->v[idx].time, one);
	return 0;
}

static int
insights_counts_top_step(struct ictx *c, const struct play_ref *p,
    uint32_t track)
{
	struct top_scan *s = c->arg;
	const struct tinfo *ti = &c->tt->ti[track];
	struct insights_time one;
	uint32_t i;

	memset(&one, 0, sizeof(one));
	insights_time_add_play(&one, p->ms_played, ti->duration);
	s->out->plays++;
	insights_time_add(&s->out->time, &one);
	if (insights_counts_top_bump(&s->t, track, &one) == -1)
		return -1;
	if (ti->album != NONE && insights_counts_top_bump(&s->al, ti->album,
	    &one) == -1)
		return -1;
	for (i = 0; i < ti->n_art; i++)
		if (insights_counts_top_bump(&s->ar, c->tt->art[ti->art + i],
		    &one) == -1)
			return -1;
	return 0;
}

/* Most plays, then most listened, then by id. */
static int
insights_counts_top_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct top_side *s = ctx;
	const struct top_acc *x = &s->v[a], *y = &s->v[b];

	if (x->plays != y->plays)
		return x->plays > y->plays ? -1 : 1;
	if (x->time.ms != y->time.ms)
		return x->time.ms > y->time.ms ? -1 : 1;
	return memcmp(s->ids->id[a], s->ids->id[b], ID_LEN);
}

/* The side's best limit entries. */
static int
insights_counts_top_export(const struct idtab *ids, struct top_side *s,
    uint32_t limit, struct insights_count **v, size_t *n, size_t *distinct)
{
	size_t i;

	*distinct = s->n;
	if (s->n == 0)
		return 0;
	s->ids = ids;
	*n = insights_top_k(s->touched, s->n, limit, insights_counts_top_better,
	    s);
	if ((*v = reallocarray(NULL, *n, sizeof(**v))) == NULL) {
		log_warn("insights: memory");
		*n = 0;
		return -1;
	}
	for (i = 0; i < *n; i++) {
		idtab_copy(ids, s->touched[i], (*v)[i].id);
		(*v)[i].plays = s->v[s->touched[i]].plays;
		(*v)[i].time = s->v[s->touched[i]].time;
	}
	return 0;
}

/* Top: the range's plays, then each side's best. */
static int
insights_counts_top_body(struct ictx *c, void *arg)
{
	struct top_scan *s = arg;
	struct insights_top *out = s->out;
	uint32_t limit = c->q->limit;

	if (insights_ctx_scan(c, c->q->from_ms, c->q->to_ms,
	    insights_counts_top_step, s) == -1 ||
	    insights_counts_top_export(&c->tt->tracks, &s->t, limit,
	    &out->tracks, &out->n_tracks, &out->distinct_tracks) == -1 ||
	    insights_counts_top_export(&c->tt->artists, &s->ar, limit,
	    &out->artists, &out->n_artists, &out->distinct_artists) == -1 ||
	    insights_counts_top_export(&c->tt->albums, &s->al, limit,
	    &out->albums, &out->n_albums, &out->distinct_albums) == -1)
		return -1;
	return 0;
}

/* Frees the scan state of top (INSIGHTS_GET calls <scan>_free). */
static void
top_scan_free(struct top_scan *x)
{
	free(x->t.v);
	free(x->t.touched);
	free(x->ar.v);
	free(x->ar.touched);
	free(x->al.v);
	free(x->al.touched);
}

INSIGHTS_GET(top, top_scan, insights_counts_top_body)

void
insights_free_top(struct insights_top *t)
{
	free(t->tracks);
	free(t->artists);
	free(t->albums);
	memset(t, 0, sizeof(*t));
}

void
insights_render_top(struct json *j, const char *key,
    const struct insights_top *t)
{
	insights_render_head(j, key, "top", &t->r);
	json_uint(j, "plays", t->plays);
	insights_render_time(j, "time", &t->time);
	json_obj_open(j, "tracks");
	json_uint(j, "distinct", t->distinct_tracks);
	insights_counts_render_list(j, "items", t->tracks, t->n_tracks);
	json_obj_close(j);
	json_obj_open(j, "artists");
	json_uint(j, "distinct", t->distinct_artists);
	insights_counts_render_list(j, "items", t->artists, t->n_artists);
	json_obj_close(j);
	json_obj_open(j, "albums");
	json_uint(j, "distinct", t->distinct_albums);
	insights_counts_render_list(j, "items", t->albums, t->n_albums);
	json_obj_close(j);
	json_obj_close(j);
}
