/*
 * charts.c — a journal's own top lists over a span (contract: charts.h).
 *
 * Counting happens per catalog track number, in two arrays (this span,
 * the previous one), filled by one scan of each span's plays.  Artists and albums then
 * sum their tracks' counts through the catalog's links.  Ranking sorts
 * the numbers with any count by the chosen measure; the previous span's
 * ranks come from the same sort of its own counts.
 */
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "log.h"

struct tally {
	uint64_t	*plays;
	uint64_t	*ms;
};

struct scan_ctx {
	const struct catalog *cat;
	struct tally	*t;
};

static int
count_play(const struct play_ref *p, void *arg)
{
	struct scan_ctx *c = arg;
	char id[ID_LEN + 1];
	uint32_t i;

	memcpy(id, p->track_id, ID_LEN);
	id[ID_LEN] = '\0';
	if ((i = catalog_find(c->cat, ENTITY_TRACK, id)) == CATALOG_NONE)
		return 0;
	c->t->plays[i]++;
	c->t->ms[i] += p->ms_played >= 0 ? (uint64_t)p->ms_played :
	    catalog_track_duration(c->cat, i);
	return 0;
}

/* Tracks' tallies of [from, to) into t (zeroed by the caller). */
static int
tally_tracks(struct store_txn *txn, const struct catalog *cat,
    const char *user, int64_t from, int64_t to, struct tally *t)
{
	struct scan_ctx c = { cat, t };

	if (from >= to)
		return 0;
	return store_scan_plays(txn, user, from, to - 1, STORE_ASC,
	    count_play, &c) == STORE_OK ? 0 : -1;
}

/* Sums tracks' tallies into kind's (artist or album) tally e. */
static void
tally_roll(const struct catalog *cat, enum entity_kind kind,
    const struct tally *tr, struct tally *e)
{
	const uint32_t *ts;
	uint32_t i, n = catalog_count(cat, kind);
	size_t k, nt;

	for (i = 0; i < n; i++) {
		nt = catalog_tracks_of(cat, kind, i, &ts);
		for (k = 0; k < nt; k++) {
			e->plays[i] += tr->plays[ts[k]];
			e->ms[i] += tr->ms[ts[k]];
		}
	}
}

struct rank_ctx {
	const struct catalog *cat;
	enum entity_kind kind;
	const struct tally *t;
	int		 by_ms;
};

static struct rank_ctx *rank_sort;	/* qsort has no argument */

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
	return strcmp(catalog_id(r->cat, r->kind, x),
	    catalog_id(r->cat, r->kind, y));
}

/*
 * The numbers with plays, ranked, into order (n entries); rank[i]
 * receives each one's rank (1-based; 0 for none) when rank is not NULL.
 */
static size_t
tally_rank(struct rank_ctx *r, uint32_t n, uint32_t *order, uint32_t *rank)
{
	size_t m = 0, i;
	uint32_t e;

	for (e = 0; e < n; e++)
		if (r->t->plays[e] > 0)
			order[m++] = e;
	rank_sort = r;
	qsort(order, m, sizeof(*order), rank_cmp);
	rank_sort = NULL;
	if (rank != NULL)
		for (i = 0; i < m; i++)
			rank[order[i]] = (uint32_t)(i + 1);
	return m;
}

static int
tally_alloc(struct tally *t, size_t n)
{
	t->plays = calloc(n + 1, sizeof(uint64_t));
	t->ms = calloc(n + 1, sizeof(uint64_t));
	return t->plays != NULL && t->ms != NULL ? 0 : -1;
}

static void
tally_free(struct tally *t)
{
	free(t->plays);
	free(t->ms);
}

int
charts_write(struct store_txn *txn, struct catalog *cat,
    const struct charts_query *q, struct json *j)
{
	struct tally cur_t = { 0 }, prev_t = { 0 }, cur_e = { 0 },
	    prev_e = { 0 }, *cur, *prev;
	struct rank_ctx rc;
	uint32_t *order = NULL, *prank = NULL, n, nt;
	uint64_t tot_p = 0, tot_ms = 0;
	int64_t len = 0, pfrom = 0;
	int all = q->from_ms == INT64_MIN, ret = -1;
	size_t m, i;

	nt = catalog_count(cat, ENTITY_TRACK);
	n = catalog_count(cat, q->kind);
	if (tally_alloc(&cur_t, nt) == -1 || tally_alloc(&prev_t, nt) == -1 ||
	    (order = calloc((size_t)n + 1, sizeof(*order))) == NULL ||
	    (prank = calloc((size_t)n + 1, sizeof(*prank))) == NULL)
		goto free;
	if (tally_tracks(txn, cat, q->user, q->from_ms, q->to_ms, &cur_t) ==
	    -1)
		goto free;
	if (!all) {
		len = q->to_ms - q->from_ms;
		pfrom = q->from_ms - len;
		if (tally_tracks(txn, cat, q->user, pfrom, q->from_ms,
		    &prev_t) == -1)
			goto free;
	}
	cur = &cur_t;
	prev = &prev_t;
	if (q->kind != ENTITY_TRACK) {
		if (tally_alloc(&cur_e, n) == -1 ||
		    tally_alloc(&prev_e, n) == -1)
			goto free;
		tally_roll(cat, q->kind, &cur_t, &cur_e);
		tally_roll(cat, q->kind, &prev_t, &prev_e);
		cur = &cur_e;
		prev = &prev_e;
	}
	for (i = 0; i < nt; i++) {
		tot_p += cur_t.plays[i];
		tot_ms += cur_t.ms[i];
	}
	rc = (struct rank_ctx){ cat, q->kind, prev, q->by == CHARTS_BY_MS };
	(void)tally_rank(&rc, n, order, prank);
	rc.t = cur;
	m = tally_rank(&rc, n, order, NULL);

	json_uint(j, "total_plays", tot_p);
	json_uint(j, "total_ms", tot_ms);
	json_uint(j, "entries", m);
	if (all)
		json_null(j, "previous");
	else {
		json_obj_open(j, "previous");
		json_int(j, "from", pfrom);
		json_int(j, "to", q->from_ms);
		json_obj_close(j);
	}
	json_arr_open(j, "items");
	for (i = 0; i < m && i < q->limit; i++) {
		uint32_t e = order[i];

		json_obj_open(j, NULL);
		json_str(j, "id", catalog_id(cat, q->kind, e));
		json_uint(j, "rank", i + 1);
		json_uint(j, "plays", cur->plays[e]);
		json_uint(j, "ms", cur->ms[e]);
		if (all || prank[e] == 0)
			json_null(j, "previous_rank");
		else
			json_uint(j, "previous_rank", prank[e]);
		if (all)
			json_null(j, "previous_plays");
		else
			json_uint(j, "previous_plays", prev->plays[e]);
		json_obj_close(j);
	}
	json_arr_close(j);
	ret = 0;
free:
	if (ret == -1)
		log_warnx("charts: the chart could not be made");
	tally_free(&cur_t);
	tally_free(&prev_t);
	tally_free(&cur_e);
	tally_free(&prev_e);
	free(order);
	free(prank);
	return ret;
}
