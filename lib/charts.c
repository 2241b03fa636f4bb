/*
 * charts.c — a journal's own top lists over a span (contract: charts.h).
 *
 * A span's counts come from the store's per-entity day counts
 * (store_iter_entity_days()): every UTC day wholly inside the span is
 * one record per entity played that day, all time one record per entity
 * ever played (the totals).  A span of local days rarely starts and ends
 * on UTC midnights, so the plays of the hours between a span's end and
 * the nearest UTC midnight inside it are read one by one
 * (store_scan_plays()) and counted as the store counts them
 * (store_track_view()).  Entities are tallied by id in an idtab; ranking
 * sorts the tallied indexes by the chosen measure, and the previous
 * span's ranks come from the same sort of its own tally.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "idtab.h"
#include "log.h"

#define DAY_MS	INT64_C(86400000)

struct tally {
	struct idtab	 tab;
	uint64_t	*plays;
	uint64_t	*ms;
	size_t		 cap;
	uint64_t	 tot_plays, tot_ms;	/* the whole journal's */
};

/* Adds plays and ms to id's row (ID_LEN bytes), made when new. */
static int
tally_add(struct tally *t, const char *id, uint64_t plays, uint64_t ms)
{
	uint32_t i;
	void *np;

	if (idtab_get(&t->tab, id, 1, &i) == -1)
		return -1;
	if (i >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;

		if ((np = reallocarray(t->plays, cap, sizeof(*t->plays))) ==
		    NULL)
			return -1;
		t->plays = np;
		if ((np = reallocarray(t->ms, cap, sizeof(*t->ms))) == NULL)
			return -1;
		t->ms = np;
		memset(t->plays + t->cap, 0, (cap - t->cap) * sizeof(*t->plays));
		memset(t->ms + t->cap, 0, (cap - t->cap) * sizeof(*t->ms));
		t->cap = cap;
	}
	t->plays[i] += plays;
	t->ms[i] += ms;
	return 0;
}

static void
tally_free(struct tally *t)
{
	idtab_free(&t->tab);
	free(t->plays);
	free(t->ms);
	memset(t, 0, sizeof(*t));
}

struct day_ctx {
	struct tally	*t;
	int		 journal;	/* the journal's own records */
};

static int
add_day(const struct entity_tally *e, void *arg)
{
	struct day_ctx *c = arg;

	if (c->journal) {
		c->t->tot_plays += e->plays;
		c->t->tot_ms += e->ms;
		return 0;
	}
	return tally_add(c->t, e->id, e->plays, e->ms);
}

struct edge_ctx {
	struct store_txn *txn;
	enum entity_kind kind;
	struct tally	*t;
};

/* One play of an edge, counted as the store counts it. */
static int
add_play(const struct play_ref *p, void *arg)
{
	struct edge_ctx *c = arg;
	struct track_view v;
	char id[ID_LEN + 1];
	uint64_t ms;
	uint32_t i;

	memcpy(id, p->track_id, ID_LEN);
	id[ID_LEN] = '\0';
	if (store_track_view(c->txn, id, &v) != STORE_OK)
		return -1;
	ms = p->ms_played >= 0 ? (uint64_t)p->ms_played : v.duration;
	c->t->tot_plays++;
	c->t->tot_ms += ms;
	switch (c->kind) {
	case ENTITY_TRACK:
		return tally_add(c->t, id, 1, ms);
	case ENTITY_ARTIST:
		for (i = 0; i < v.n_artists; i++)
			if (tally_add(c->t, v.artists[i], 1, ms) == -1)
				return -1;
		return 0;
	default:
		return v.album[0] == '\0' ? 0 :
		    tally_add(c->t, v.album, 1, ms);
	}
}

/* Plays of [from, to) one by one into t. */
static int
tally_plays(struct store_txn *txn, const char *user, enum entity_kind kind,
    int64_t from, int64_t to, struct tally *t)
{
	struct edge_ctx c = { txn, kind, t };

	if (from >= to)
		return 0;
	return store_scan_plays(txn, user, from, to - 1, STORE_ASC, add_play,
	    &c) == STORE_OK ? 0 : -1;
}

/* Day counts of UTC days [d0, d1] (STORE_DAY_ALL: the totals) into t. */
static int
tally_days(struct store_txn *txn, const char *user, enum entity_kind kind,
    int32_t d0, int32_t d1, struct tally *t)
{
	struct day_ctx c = { t, 0 };

	if (store_iter_entity_days(txn, user, kind, d0, d1, add_day, &c) !=
	    STORE_OK)
		return -1;
	c.journal = 1;
	return store_iter_entity_days(txn, user, STORE_KIND_JOURNAL, d0, d1,
	    add_day, &c) == STORE_OK ? 0 : -1;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* kind's tally of [from, to) (INT64_MIN: all time) into t. */
static int
tally_span(struct store_txn *txn, const char *user, enum entity_kind kind,
    int64_t from, int64_t to, struct tally *t)
{
	int64_t d0, d1;

	if (from == INT64_MIN)
		return tally_days(txn, user, kind, STORE_DAY_ALL,
		    STORE_DAY_ALL, t);
	if (from >= to)
		return 0;
	/* [d0, d1) are the UTC days wholly inside [from, to). */
	d0 = floor_div(from, DAY_MS) + (floor_div(from, DAY_MS) * DAY_MS <
	    from);
	d1 = floor_div(to, DAY_MS);
	if (d0 >= d1 || d0 < INT32_MIN || d1 >= STORE_DAY_ALL)
		return tally_plays(txn, user, kind, from, to, t);
	if (tally_days(txn, user, kind, (int32_t)d0, (int32_t)(d1 - 1), t) ==
	    -1 || tally_plays(txn, user, kind, from, d0 * DAY_MS, t) == -1)
		return -1;
	return tally_plays(txn, user, kind, d1 * DAY_MS, to, t);
}

struct rank_ctx {
	const struct tally *t;
	int		 by_ms;
};

static const struct rank_ctx *rank_sort;	/* qsort has no argument */

static int
rank_cmp(const void *a, const void *b)
{
	const struct rank_ctx *r = rank_sort;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint64_t vx = r->by_ms ? r->t->ms[x] : r->t->plays[x];
	uint64_t vy = r->by_ms ? r->t->ms[y] : r->t->plays[y];

	if (vx != vy)
		return vx > vy ? -1 : 1;
	if (r->t->plays[x] != r->t->plays[y])
		return r->t->plays[x] > r->t->plays[y] ? -1 : 1;
	return memcmp(r->t->tab.id[x], r->t->tab.id[y], ID_LEN);
}

/*
 * t's rows with plays, ranked, into *order (allocated; the caller frees);
 * returns how many, or -1 (memory).  rank (when not NULL, t->tab.n
 * entries) receives each row's rank, 1-based.
 */
static ssize_t
tally_rank(const struct tally *t, int by_ms, uint32_t **order, uint32_t *rank)
{
	struct rank_ctx rc = { t, by_ms };
	size_t m = 0, i;
	uint32_t e;

	if ((*order = calloc(t->tab.n + 1, sizeof(**order))) == NULL)
		return -1;
	for (e = 0; e < t->tab.n; e++)
		if (t->plays[e] > 0)
			(*order)[m++] = e;
	rank_sort = &rc;
	qsort(*order, m, sizeof(**order), rank_cmp);
	rank_sort = NULL;
	if (rank != NULL)
		for (i = 0; i < m; i++)
			rank[(*order)[i]] = (uint32_t)(i + 1);
	return (ssize_t)m;
}

int
charts_write(struct store_txn *txn, const struct charts_query *q,
    struct json *j)
{
	struct tally cur, prev;
	uint32_t *order = NULL, *porder = NULL, *prank = NULL, pi;
	char id[ID_LEN + 1];
	int64_t len = 0, pfrom = 0;
	int all = q->from_ms == INT64_MIN, by_ms = q->by == CHARTS_BY_MS;
	int ret = -1;
	ssize_t m;
	size_t i;

	memset(&cur, 0, sizeof(cur));
	memset(&prev, 0, sizeof(prev));
	if (tally_span(txn, q->user, q->kind, q->from_ms, q->to_ms, &cur) ==
	    -1)
		goto free;
	if (!all) {
		len = q->to_ms - q->from_ms;
		pfrom = q->from_ms - len;
		if (tally_span(txn, q->user, q->kind, pfrom, q->from_ms,
		    &prev) == -1)
			goto free;
		if ((prank = calloc(prev.tab.n + 1, sizeof(*prank))) == NULL ||
		    tally_rank(&prev, by_ms, &porder, prank) == -1)
			goto free;
	}
	if ((m = tally_rank(&cur, by_ms, &order, NULL)) == -1)
		goto free;

	json_uint(j, "total_plays", cur.tot_plays);
	json_uint(j, "total_ms", cur.tot_ms);
	json_uint(j, "entries", (uint64_t)m);
	if (all)
		json_null(j, "previous");
	else {
		json_obj_open(j, "previous");
		json_int(j, "from", pfrom);
		json_int(j, "to", q->from_ms);
		json_obj_close(j);
	}
	json_arr_open(j, "items");
	for (i = 0; i < (size_t)m && i < q->limit; i++) {
		uint32_t e = order[i];
		int had = !all && idtab_get(&prev.tab, cur.tab.id[e], 0,
		    &pi) == 1;

		idtab_copy(&cur.tab, e, id);
		json_obj_open(j, NULL);
		json_str(j, "id", id);
		json_uint(j, "rank", i + 1);
		json_uint(j, "plays", cur.plays[e]);
		json_uint(j, "ms", cur.ms[e]);
		if (!had || prank[pi] == 0)
			json_null(j, "previous_rank");
		else
			json_uint(j, "previous_rank", prank[pi]);
		if (all)
			json_null(j, "previous_plays");
		else
			json_uint(j, "previous_plays", had ? prev.plays[pi] :
			    0);
		json_obj_close(j);
	}
	json_arr_close(j);
	ret = 0;
free:
	if (ret == -1)
		log_warnx("charts: the chart could not be made");
	tally_free(&cur);
	tally_free(&prev);
	free(order);
	free(porder);
	free(prank);
	return ret;
}
