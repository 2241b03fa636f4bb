/*
 * stories.c — a track's, artist's or album's story in one journal, from
 * the plays-by-track index (contract and definitions: stories.h).
 *
 * stories_write() gathers the set's play times track by track from the
 * index, sorts them (a merge of sorted lists, by qsort for simplicity),
 * then walks them once in time order: each play is read for its
 * listening time and context, and where the next play of the set is
 * not far in the index, the journal is asked for the play right after
 * this one (one seek) to know whether the two are back to back.  Years,
 * months and days fold as the walk crosses them, since times ascend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "idtab.h"
#include "ids.h"
#include "log.h"
#include "stories.h"
#include "timeutil.h"

#define DAY_MS		86400000LL
#define CTX_SLOTS_MIN	64
#define LOCAL_LEN	64	/* "YYYY-MM-DDTHH:MM:SS+HH:MM", with room */
#define PAGE_MAX	200

/* One play of the set, as the walk sees it. */
struct sp {
	int64_t		 at;
	uint32_t	 track;		/* index into the query's tracks */
};

struct run {
	uint32_t	 first, last;	/* indexes into the plays */
	uint64_t	 ms;
};

struct per {
	uint64_t	 plays, ms;
	int64_t		 first, last;
};

struct ctxrow {
	const char	*uri;		/* txn */
	uint64_t	 plays;
};

struct story {
	const struct stories_query *q;
	struct store_txn *txn;
	const char *const *tracks;	/* the set's ids: the query's, or */
	size_t		 n_tracks;
	const char	**own;		/* ... those an entity's plays name */
	char		(*names)[ID_LEN + 1];
	struct idtab	 tab;		/* ids of an entity's plays */
	struct sp	*p;
	size_t		 n, cap;
	uint32_t	*dur;		/* per track: duration ms */
	uint64_t	*ms;		/* per play: listening ms */
	struct per	*tr;		/* per track */
	struct ctxrow	*ctx;		/* hash of contexts */
	size_t		 nctx, ctxslots;
	struct run	*runs;
	size_t		 nruns;
	uint32_t	 cur;		/* track being gathered */
};

static int
sp_cmp(const void *a, const void *b)
{
	const struct sp *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

static int
gather(int64_t at, void *arg)
{
	struct story *s = arg;

	if (buf_grow_array(&s->p, &s->cap, s->n + 1, sizeof(*s->p), 256) ==
	    -1)
		return -1;
	s->p[s->n].at = at;
	s->p[s->n].track = s->cur;
	s->n++;
	return 0;
}

/* The local time of t in z as "YYYY-MM-DDTHH:MM:SS+HH:MM". */
static void
local_iso(const struct tz *z, int64_t t, char out[LOCAL_LEN])
{
	int64_t s = (t >= 0 ? t : t - 999) / 1000, ls, days, y;
	int32_t off = tz_offset(z, s);
	unsigned m, d, sec;
	int32_t ao = off < 0 ? -off : off;

	ls = s + off;
	days = ls >= 0 ? ls / 86400 : (ls - 86399) / 86400;
	sec = (unsigned)(ls - days * 86400);
	time_civil_from_days(days, &y, &m, &d);
	snprintf(out, LOCAL_LEN, "%04lld-%02u-%02uT%02u:%02u:%02u%c%02d:%02d",
	    (long long)y, m, d, sec / 3600, sec / 60 % 60, sec % 60,
	    off < 0 ? '-' : '+', (int)(ao / 3600), (int)(ao / 60 % 60));
}

/* The local day (days since 1970-01-01) of t in z. */
static int64_t
local_day(const struct tz *z, int64_t t)
{
	int64_t s = (t >= 0 ? t : t - 999) / 1000, ls;

	ls = s + tz_offset(z, s);
	return ls >= 0 ? ls / 86400 : (ls - 86399) / 86400;
}

static void
write_time(struct json *j, const struct story *s, const char *key,
    int64_t at, int withkey)
{
	char iso[32], loc[LOCAL_LEN];

	if (withkey)
		json_obj_open(j, key);
	json_int(j, "played_at", at);
	if (time_format_iso8601(at, iso, 1) == 0)
		json_str(j, "played_at_iso", iso);
	else
		json_null(j, "played_at_iso");
	local_iso(s->q->tz, at, loc);
	json_str(j, "local", loc);
	if (withkey)
		json_obj_close(j);
}

/* ---- contexts ------------------------------------------------------------ */

static int
ctx_add(struct story *s, const char *uri)
{
	struct ctxrow *old, *nw;
	size_t i, slot, n;

	if (uri == NULL || *uri == '\0')
		uri = "";
	if (s->nctx * 2 >= s->ctxslots) {
		n = s->ctxslots ? s->ctxslots * 2 : CTX_SLOTS_MIN;
		if ((nw = calloc(n, sizeof(*nw))) == NULL)
			return -1;
		old = s->ctx;
		for (i = 0; i < s->ctxslots; i++) {
			if (old[i].uri == NULL)
				continue;
			slot = (size_t)hash_bytes(old[i].uri,
			    strlen(old[i].uri)) & (n - 1);
			while (nw[slot].uri != NULL)
				slot = (slot + 1) & (n - 1);
			nw[slot] = old[i];
		}
		free(old);
		s->ctx = nw;
		s->ctxslots = n;
	}
	slot = (size_t)hash_bytes(uri, strlen(uri)) & (s->ctxslots - 1);
	while (s->ctx[slot].uri != NULL && strcmp(s->ctx[slot].uri, uri) != 0)
		slot = (slot + 1) & (s->ctxslots - 1);
	if (s->ctx[slot].uri == NULL) {
		s->ctx[slot].uri = uri;
		s->nctx++;
	}
	s->ctx[slot].plays++;
	return 0;
}

static int
ctx_cmp(const void *a, const void *b)
{
	const struct ctxrow *x = a, *y = b;

	if (x->uri == NULL || y->uri == NULL)
		return (x->uri == NULL) - (y->uri == NULL);
	if (x->plays != y->plays)
		return x->plays > y->plays ? -1 : 1;
	return strcmp(x->uri, y->uri);
}

static int
week_name(const struct playlist_week *w, void *arg)
{
	const char **name = arg;

	if (w->name == NULL || w->name[0] == '\0')
		return 0;
	*name = w->name;
	return 1;
}

/* The playlist id of a "spotify:playlist:ID" context, else -1. */
static int
ctx_playlist(const char *uri, char id[ID_LEN + 1])
{
	static const char pre[] = "spotify:playlist:";

	if (strncmp(uri, pre, sizeof(pre) - 1) != 0 ||
	    !ids_valid_spotify(uri + sizeof(pre) - 1))
		return -1;
	memcpy(id, uri + sizeof(pre) - 1, ID_LEN + 1);
	return 0;
}

static int
write_contexts(struct json *j, struct story *s)
{
	char id[ID_LEN + 1];
	const char *name;
	size_t i, n = s->q->limit;

	if (s->ctxslots > 0)
		qsort(s->ctx, s->ctxslots, sizeof(*s->ctx), ctx_cmp);
	json_arr_open(j, "contexts");
	for (i = 0; i < s->nctx && i < n; i++) {
		json_obj_open(j, NULL);
		if (s->ctx[i].uri[0] == '\0')
			json_null(j, "uri");
		else
			json_str(j, "uri", s->ctx[i].uri);
		name = NULL;
		if (ctx_playlist(s->ctx[i].uri, id) == 0 &&
		    store_iter_playlist_weeks(s->txn, s->q->user, id,
		    STORE_DESC, week_name, &name) != STORE_OK)
			return -1;
		if (name != NULL)
			json_str(j, "name", name);
		else
			json_null(j, "name");
		json_uint(j, "plays", s->ctx[i].plays);
		json_obj_close(j);
	}
	json_arr_close(j);
	return 0;
}

/* ---- the walk ------------------------------------------------------------- */

struct next_play {
	int64_t		 at;
	int		 found;
	char		 track[ID_LEN + 1];
};

static int
first_play(const struct play *p, void *arg)
{
	struct next_play *np = arg;

	np->at = p->played_at;
	np->found = 1;
	memcpy(np->track, p->track_id, ID_LEN + 1);
	return 1;
}

static int
any_gap(const struct gap *g, void *arg)
{
	(void)g;
	*(int *)arg = 1;
	return 1;
}

/*
 * Whether plays at a and b (a < b) of the user are back to back: no play
 * between them and no recorded gap over them.  1, 0 or -1.
 */
static int
back_to_back(struct story *s, int64_t a, int64_t b)
{
	struct next_play np = { 0, 0, "" };
	int gap = 0;

	if (b - a > 1 && store_iter_plays(s->txn, s->q->user, a + 1, b - 1,
	    STORE_ASC, first_play, &np) != STORE_OK)
		return -1;
	if (np.found)
		return 0;
	if (store_iter_gaps(s->txn, s->q->user, a, b, STORE_ASC, any_gap,
	    &gap) != STORE_OK)
		return -1;
	return !gap;
}

static int
track_dur(size_t i, const struct track *tr, void *arg)
{
	struct story *s = arg;

	s->dur[i] = tr->duration_ms;
	return 0;
}

static int
run_cmp(const void *a, const void *b)
{
	const struct run *x = a, *y = b;
	uint32_t nx = x->last - x->first, ny = y->last - y->first;

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* The journal's play next to at on one side (dir), into *np. */
static int
neighbour(struct story *s, int64_t at, enum store_dir dir,
    struct next_play *np)
{
	np->found = 0;
	if (dir == STORE_DESC)
		return at == INT64_MIN ? 0 : store_iter_plays(s->txn,
		    s->q->user, INT64_MIN, at - 1, STORE_DESC, first_play, np)
		    == STORE_OK ? 0 : -1;
	return at == INT64_MAX ? 0 : store_iter_plays(s->txn, s->q->user,
	    at + 1, INT64_MAX, STORE_ASC, first_play, np) == STORE_OK ? 0 : -1;
}

static int
write_neighbour(struct json *j, struct story *s, const char *key,
    int64_t at, enum store_dir dir)
{
	struct next_play np;

	if (neighbour(s, at, dir, &np) == -1)
		return -1;
	if (!np.found) {
		json_null(j, key);
		return 0;
	}
	json_obj_open(j, key);
	json_str(j, "track_id", np.track);
	write_time(j, s, NULL, np.at, 0);
	json_obj_close(j);
	return 0;
}

static int
write_binges(struct json *j, struct story *s)
{
	const struct run *r;
	int64_t start;
	char loc[LOCAL_LEN];
	size_t i;

	json_uint(j, "binge_min", s->q->binge_min);
	json_uint(j, "binges_total", s->nruns);
	if (s->nruns > 0)
		qsort(s->runs, s->nruns, sizeof(*s->runs), run_cmp);
	json_arr_open(j, "binges");
	for (i = 0; i < s->nruns && i < s->q->limit; i++) {
		r = &s->runs[i];
		json_obj_open(j, NULL);
		json_str(j, "track_id", s->tracks[s->p[r->first].track]);
		json_uint(j, "plays", r->last - r->first + 1);
		json_uint(j, "ms", r->ms);
		start = s->p[r->first].at - (int64_t)s->ms[r->first];
		json_int(j, "start", start);
		local_iso(s->q->tz, start, loc);
		json_str(j, "start_local", loc);
		write_time(j, s, "first", s->p[r->first].at, 1);
		write_time(j, s, "last", s->p[r->last].at, 1);
		if (write_neighbour(j, s, "before", s->p[r->first].at,
		    STORE_DESC) == -1 || write_neighbour(j, s, "after",
		    s->p[r->last].at, STORE_ASC) == -1)
			return -1;
		json_obj_close(j);
	}
	json_arr_close(j);
	return 0;
}

static int
per_cmp_idx(const struct per *tr, uint32_t a, uint32_t b)
{
	if (tr[a].plays != tr[b].plays)
		return tr[a].plays > tr[b].plays ? -1 : 1;
	return tr[a].first < tr[b].first ? -1 : tr[a].first > tr[b].first;
}

/* Sorts idx[0..n) by per_cmp_idx (insertion: lists are short). */
static void
per_sort(const struct per *tr, uint32_t *idx, size_t n)
{
	size_t i, k;
	uint32_t v;

	for (i = 1; i < n; i++) {
		v = idx[i];
		for (k = i; k > 0 && per_cmp_idx(tr, v, idx[k - 1]) < 0; k--)
			idx[k] = idx[k - 1];
		idx[k] = v;
	}
}

static void
write_per(struct json *j, const struct story *s, const struct per *r)
{
	json_uint(j, "plays", r->plays);
	json_uint(j, "ms", r->ms);
	write_time(j, s, "first", r->first, 1);
	write_time(j, s, "last", r->last, 1);
}

struct album_row {
	char		 id[ID_LEN + 1];
	struct per	 per;
};

static int
album_of(size_t i, const struct track *tr, void *arg)
{
	char (*albums)[ID_LEN + 1] = arg;

	memcpy(albums[i], tr->album_id, ID_LEN + 1);
	return 0;
}

static int
write_tracks(struct json *j, struct story *s)
{
	const struct stories_query *q = s->q;
	const char *const *tracks = s->tracks;
	size_t n_tracks = s->n_tracks;
	char (*albums)[ID_LEN + 1] = NULL;
	struct album_row *al = NULL;
	struct per *ap = NULL;
	uint32_t *idx = NULL, nal = 0, i, k;
	size_t n = 0;
	int ret = -1;

	if ((idx = calloc(n_tracks + 1, sizeof(*idx))) == NULL ||
	    (albums = calloc(n_tracks + 1, sizeof(*albums))) == NULL ||
	    (al = calloc(n_tracks + 1, sizeof(*al))) == NULL)
		goto free;
	for (i = 0; i < n_tracks; i++)
		if (s->tr[i].plays > 0)
			idx[n++] = i;
	per_sort(s->tr, idx, n);
	json_arr_open(j, "tracks");
	for (i = 0; i < n && i < q->limit; i++) {
		json_obj_open(j, NULL);
		json_str(j, "track_id", tracks[idx[i]]);
		write_per(j, s, &s->tr[idx[i]]);
		json_obj_close(j);
	}
	json_arr_close(j);

	if (store_get_tracks(s->txn, tracks, n_tracks, album_of,
	    albums) != STORE_OK)
		goto free;
	for (i = 0; i < n_tracks; i++) {
		if (albums[i][0] == '\0' || s->tr[i].plays == 0)
			continue;
		for (k = 0; k < nal; k++)
			if (strcmp(al[k].id, albums[i]) == 0)
				break;
		if (k == nal) {
			memcpy(al[nal].id, albums[i], ID_LEN + 1);
			al[nal].per.first = INT64_MAX;
			al[nal].per.last = INT64_MIN;
			nal++;
		}
		al[k].per.plays += s->tr[i].plays;
		al[k].per.ms += s->tr[i].ms;
		if (s->tr[i].first < al[k].per.first)
			al[k].per.first = s->tr[i].first;
		if (s->tr[i].last > al[k].per.last)
			al[k].per.last = s->tr[i].last;
	}
	if ((ap = calloc(nal + 1, sizeof(*ap))) == NULL)
		goto free;
	for (k = 0; k < nal; k++) {
		ap[k] = al[k].per;
		idx[k] = k;
	}
	per_sort(ap, idx, nal);
	json_arr_open(j, "albums");
	for (k = 0; k < nal && k < q->limit; k++) {
		json_obj_open(j, NULL);
		json_str(j, "album_id", al[idx[k]].id);
		write_per(j, s, &ap[idx[k]]);
		json_obj_close(j);
	}
	json_arr_close(j);
	ret = 0;
free:
	free(ap);
	free(al);
	free(albums);
	free(idx);
	return ret;
}

/* Writes "years" or "months" rows from the plays (ascending). */
static void
write_periods(struct json *j, struct story *s, int months)
{
	int64_t y, key, cur = INT64_MIN;
	uint64_t plays = 0, ms = 0;
	unsigned m, d;
	char label[48];
	size_t i;

	json_arr_open(j, months ? "months" : "years");
	for (i = 0; i <= s->n; i++) {
		key = INT64_MAX;
		if (i < s->n) {
			time_civil_from_days(local_day(s->q->tz, s->p[i].at),
			    &y, &m, &d);
			key = months ? y * 12 + (m - 1) : y;
		}
		if (key != cur && cur != INT64_MIN) {
			json_obj_open(j, NULL);
			if (months) {
				snprintf(label, sizeof(label), "%04lld-%02u",
				    (long long)(cur >= 0 ? cur / 12 :
				    (cur - 11) / 12), (unsigned)(cur -
				    (cur >= 0 ? cur / 12 : (cur - 11) / 12) *
				    12 + 1));
				json_str(j, "month", label);
			} else
				json_int(j, "year", cur);
			json_uint(j, "plays", plays);
			json_uint(j, "ms", ms);
			json_obj_close(j);
			plays = ms = 0;
		}
		if (i == s->n)
			break;
		cur = key;
		plays++;
		ms += s->ms[i];
	}
	json_arr_close(j);
}

static void
write_day(struct json *j, const char *key, int64_t day)
{
	char b[48];
	int64_t y;
	unsigned m, d;

	time_civil_from_days(day, &y, &m, &d);
	snprintf(b, sizeof(b), "%04lld-%02u-%02u", (long long)y, m, d);
	json_str(j, key, b);
}

static void
write_streak(struct json *j, struct story *s)
{
	int64_t day, prev = INT64_MIN, start = 0, best_from = 0, best_to = 0;
	uint64_t days = 0, len = 0, best = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		day = local_day(s->q->tz, s->p[i].at);
		if (day == prev)
			continue;
		days++;
		if (prev != INT64_MIN && day == prev + 1)
			len++;
		else {
			len = 1;
			start = day;
		}
		if (len > best) {
			best = len;
			best_from = start;
			best_to = day;
		}
		prev = day;
	}
	json_uint(j, "days_played", days);
	if (best == 0) {
		json_null(j, "longest_streak");
		return;
	}
	json_obj_open(j, "longest_streak");
	write_day(j, "from", best_from);
	write_day(j, "to", best_to);
	json_uint(j, "days", best);
	json_obj_close(j);
}

static void
write_returns(struct json *j, struct story *s)
{
	int64_t away = (int64_t)s->q->return_days * DAY_MS;
	uint64_t total = 0;
	size_t i;

	json_uint(j, "return_days", s->q->return_days);
	json_arr_open(j, "returns");
	for (i = 1; i < s->n; i++) {
		if (s->p[i].at - s->p[i - 1].at < away)
			continue;
		if (total++ >= s->q->limit)
			continue;
		json_obj_open(j, NULL);
		json_str(j, "track_id", s->tracks[s->p[i].track]);
		write_time(j, s, NULL, s->p[i].at, 0);
		json_int(j, "previous_played_at", s->p[i - 1].at);
		json_int(j, "days_away", (s->p[i].at - s->p[i - 1].at) /
		    DAY_MS);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_uint(j, "returns_total", total);
}

/* One play of the entity's index: its track numbered as first seen. */
static int
gather_play(int64_t at, const char *track, void *arg)
{
	struct story *s = arg;

	if (idtab_get(&s->tab, track, 1, &s->cur) == -1)
		return -1;
	return gather(at, s);
}

/*
 * The plays of the query's artist or album from the store's index
 * (already in time order), and the set of tracks they name.
 */
static int
gather_entity(struct story *s)
{
	size_t i;

	if (store_iter_entity_plays(s->txn, s->q->user, s->q->kind, s->q->id,
	    INT64_MIN, INT64_MAX, STORE_ASC, gather_play, s) != STORE_OK)
		return -1;
	if ((s->names = calloc(s->tab.n + 1, sizeof(*s->names))) == NULL ||
	    (s->own = calloc(s->tab.n + 1, sizeof(*s->own))) == NULL)
		return -1;
	for (i = 0; i < s->tab.n; i++) {
		idtab_copy(&s->tab, (uint32_t)i, s->names[i]);
		s->own[i] = s->names[i];
	}
	s->tracks = s->own;
	s->n_tracks = s->tab.n;
	return 0;
}

int
stories_write(struct store_txn *txn, const struct stories_query *q,
    struct json *j)
{
	struct story s;
	struct play pl;
	uint64_t total_ms = 0;
	uint32_t runlen = 1;
	size_t i;
	int rc, b2b, ret = -1;
	void *np;

	memset(&s, 0, sizeof(s));
	s.q = q;
	s.txn = txn;
	if (q->kind != ENTITY_TRACK && q->id != NULL) {
		if (gather_entity(&s) == -1)
			goto free;
	} else {
		s.tracks = q->tracks;
		s.n_tracks = q->n_tracks;
		for (s.cur = 0; s.cur < q->n_tracks; s.cur++)
			if (store_iter_track_times(txn, q->user,
			    q->tracks[s.cur], INT64_MIN, INT64_MAX, STORE_ASC,
			    gather, &s) != STORE_OK)
				goto free;
		if (q->n_tracks > 1)
			qsort(s.p, s.n, sizeof(*s.p), sp_cmp);
	}
	if ((s.dur = calloc(s.n_tracks + 1, sizeof(*s.dur))) == NULL ||
	    (s.tr = calloc(s.n_tracks + 1, sizeof(*s.tr))) == NULL)
		goto free;
	for (i = 0; i < s.n_tracks; i++) {
		s.tr[i].first = INT64_MAX;
		s.tr[i].last = INT64_MIN;
	}
	if (store_get_tracks(txn, s.tracks, s.n_tracks, track_dur, &s) !=
	    STORE_OK)
		goto free;
	if ((s.ms = calloc(s.n + 1, sizeof(*s.ms))) == NULL)
		goto free;

	for (i = 0; i < s.n; i++) {
		struct per *t = &s.tr[s.p[i].track];

		if ((rc = store_get_play(txn, q->user, s.p[i].at, &pl)) ==
		    STORE_ERR)
			goto free;
		if (rc == STORE_OK && pl.ms_played >= 0)
			s.ms[i] = (uint64_t)pl.ms_played;
		else
			s.ms[i] = s.dur[s.p[i].track];
		if (rc == STORE_OK && ctx_add(&s, pl.context_uri) == -1)
			goto free;
		total_ms += s.ms[i];
		t->plays++;
		t->ms += s.ms[i];
		if (s.p[i].at < t->first)
			t->first = s.p[i].at;
		if (s.p[i].at > t->last)
			t->last = s.p[i].at;
		/* Runs: is this play back to back with the next one? */
		b2b = 0;
		if (i + 1 < s.n && (b2b = back_to_back(&s, s.p[i].at,
		    s.p[i + 1].at)) == -1)
			goto free;
		if (b2b) {
			runlen++;
			continue;
		}
		if (runlen >= q->binge_min) {
			if ((np = reallocarray(s.runs, s.nruns + 1,
			    sizeof(*s.runs))) == NULL)
				goto free;
			s.runs = np;
			s.runs[s.nruns].first = (uint32_t)(i + 1 - runlen);
			s.runs[s.nruns].last = (uint32_t)i;
			s.runs[s.nruns].ms = 0;
			for (size_t k = i + 1 - runlen; k <= i; k++)
				s.runs[s.nruns].ms += s.ms[k];
			s.nruns++;
		}
		runlen = 1;
	}

	json_uint(j, "plays", s.n);
	json_uint(j, "ms", total_ms);
	if (s.n == 0) {
		json_null(j, "first");
		json_null(j, "last");
	} else {
		json_obj_open(j, "first");
		json_str(j, "track_id", s.tracks[s.p[0].track]);
		write_time(j, &s, NULL, s.p[0].at, 0);
		json_obj_close(j);
		json_obj_open(j, "last");
		json_str(j, "track_id", s.tracks[s.p[s.n - 1].track]);
		write_time(j, &s, NULL, s.p[s.n - 1].at, 0);
		json_obj_close(j);
	}
	write_periods(j, &s, 0);
	write_periods(j, &s, 1);
	if (write_binges(j, &s) == -1)
		goto free;
	write_returns(j, &s);
	if (write_contexts(j, &s) == -1)
		goto free;
	write_streak(j, &s);
	if (q->per_track && write_tracks(j, &s) == -1)
		goto free;
	ret = 0;
free:
	if (ret == -1)
		log_warnx("stories: the story could not be told");
	free(s.runs);
	free(s.ctx);
	free(s.ms);
	free(s.tr);
	free(s.dur);
	free(s.p);
	free(s.own);
	free(s.names);
	idtab_free(&s.tab);
	return ret;
}

/* ---- Discover Weekly and the top lists ----------------------------------- */

struct dw_ctx {
	struct json	*j;
	const char *const *tracks;
	size_t		 n;
	int		 by_name;
};

static int
dw_week(const struct playlist_week *w, void *arg)
{
	struct dw_ctx *c = arg;
	char id[ID_LEN + 1];
	uint32_t i;
	size_t k;
	int open = 0;

	if (c->by_name && (w->name == NULL ||
	    strcmp(w->name, "Discover Weekly") != 0))
		return 0;
	for (i = 0; i < w->tracks.n; i++) {
		idlist_get(&w->tracks, i, id);
		for (k = 0; k < c->n; k++)
			if (strcmp(id, c->tracks[k]) == 0)
				break;
		if (k == c->n)
			continue;
		if (!open) {
			json_obj_open(c->j, NULL);
			write_day(c->j, "week", w->week);
			json_str(c->j, "playlist_id", w->playlist_id);
			json_str(c->j, "how", w->how == PLAYLIST_FULL ?
			    "full" : "heard");
			json_arr_open(c->j, "items");
			open = 1;
		}
		json_obj_open(c->j, NULL);
		json_str(c->j, "track_id", id);
		json_uint(c->j, "position", i + 1);
		json_obj_close(c->j);
	}
	if (open) {
		json_arr_close(c->j);
		json_obj_close(c->j);
	}
	return 0;
}

int
stories_write_dw(struct store_txn *txn, const char *user,
    const char *playlist_id, const char *const *tracks, size_t n,
    struct json *j)
{
	struct dw_ctx c = { j, tracks, n, playlist_id == NULL };

	json_arr_open(j, "dw");
	if (store_iter_playlist_weeks(txn, user, playlist_id, STORE_DESC,
	    dw_week, &c) != STORE_OK)
		return -1;
	json_arr_close(j);
	return 0;
}

struct top_ctx {
	struct json	*j;
	const char	*id;
	int64_t		 last;	/* previous rank; 0 = out; -1 = none yet */
};

static int
top_snap(const struct top_snapshot *sn, void *arg)
{
	struct top_ctx *c = arg;
	int64_t rank = ids_find(&sn->ids, c->id) + 1;

	if (rank == c->last || (c->last == -1 && rank == 0))
		return 0;
	json_obj_open(c->j, NULL);
	write_day(c->j, "day", sn->day);
	if (rank > 0)
		json_int(c->j, "rank", rank);
	else
		json_null(c->j, "rank");
	json_obj_close(c->j);
	c->last = rank;
	return 0;
}

int
stories_write_top(struct store_txn *txn, const char *user,
    enum top_kind kind, const char *id, struct json *j)
{
	static const char *const ranges[RANGE__MAX] = {
		"short_term", "medium_term", "long_term" };
	struct top_ctx c;
	int r;

	json_obj_open(j, "top");
	for (r = 0; r < RANGE__MAX; r++) {
		c.j = j;
		c.id = id;
		c.last = -1;
		json_arr_open(j, ranges[r]);
		if (store_iter_top(txn, user, kind, (enum top_range)r,
		    STORE_ASC, top_snap, &c) != STORE_OK)
			return -1;
		json_arr_close(j);
	}
	json_obj_close(j);
	return 0;
}

/* ---- plays, paging back -------------------------------------------------- */

struct page {
	int64_t		 at[PAGE_MAX + 1];
	uint32_t	 track[PAGE_MAX + 1];
	int		 n, want;
	uint32_t	 cur;
};

/* Keeps the newest want times (descending) over every track. */
static int
page_add(int64_t at, void *arg)
{
	struct page *pg = arg;
	int k;

	if (pg->n == pg->want && at <= pg->at[pg->n - 1])
		return 1;	/* descending: nothing newer follows */
	k = pg->n < pg->want ? pg->n++ : pg->n - 1;
	while (k > 0 && pg->at[k - 1] < at) {
		pg->at[k] = pg->at[k - 1];
		pg->track[k] = pg->track[k - 1];
		k--;
	}
	pg->at[k] = at;
	pg->track[k] = pg->cur;
	return 0;
}

/* The entity index's plays come newest first: the first want of them. */
static int
page_take(int64_t at, const char *track, void *arg)
{
	struct page *pg = arg;

	(void)track;
	pg->at[pg->n++] = at;
	return pg->n == pg->want ? 1 : 0;
}

int
stories_write_plays(struct store_txn *txn, const char *user,
    enum entity_kind kind, const char *id, const char *const *tracks,
    size_t n, int64_t before, int limit, struct json *j)
{
	static struct page pg;
	struct play p;
	char iso[32];
	int i, more, rc;

	if (limit < 1 || limit > PAGE_MAX)
		return -1;
	memset(&pg, 0, sizeof(pg));
	pg.want = limit + 1;
	if (kind != ENTITY_TRACK && id != NULL) {
		if (before > INT64_MIN && store_iter_entity_plays(txn, user,
		    kind, id, INT64_MIN, before - 1, STORE_DESC, page_take,
		    &pg) != STORE_OK)
			return -1;
	} else
		for (pg.cur = 0; pg.cur < n; pg.cur++)
			if (before > INT64_MIN && store_iter_track_times(txn,
			    user, tracks[pg.cur], INT64_MIN, before - 1,
			    STORE_DESC, page_add, &pg) != STORE_OK)
				return -1;
	more = pg.n > limit;
	json_arr_open(j, "items");
	for (i = 0; i < pg.n && i < limit; i++) {
		if ((rc = store_get_play(txn, user, pg.at[i], &p)) ==
		    STORE_ERR)
			return -1;
		if (rc == STORE_NOTFOUND)
			continue;
		json_obj_open(j, NULL);
		json_int(j, "played_at", p.played_at);
		if (time_format_iso8601(p.played_at, iso, 1) == 0)
			json_str(j, "played_at_iso", iso);
		json_str(j, "track_id", p.track_id);
		if (p.context_uri != NULL && p.context_uri[0] != '\0')
			json_str(j, "context_uri", p.context_uri);
		else
			json_null(j, "context_uri");
		json_str(j, "source", SCHEMA_WORD(schema_sources, p.source));
		if (p.ms_played >= 0)
			json_int(j, "ms_played", p.ms_played);
		else
			json_null(j, "ms_played");
		if (p.prev_played_at != PLAY_NO_PREV)
			json_int(j, "previous_played_at", p.prev_played_at);
		else
			json_null(j, "previous_played_at");
		json_obj_close(j);
	}
	json_arr_close(j);
	if (more) {
		json_obj_open(j, "next");
		json_int(j, "before", pg.at[limit - 1]);
		json_obj_close(j);
	} else
		json_null(j, "next");
	return 0;
}
