/*
 * api_top.c — GET /api/v0/top/:user_id: top tracks and artists per range.
 *
 * For every kind (tracks, artists) and range (short, medium, long term),
 * or just the ones asked for with `kind` and `range`: the current snapshot,
 * the one before it, and per current id its rank change (new, up, down,
 * same, with the number of places), plus the ids that dropped out.  With
 * `history=1` every stored snapshot follows, newest first.  A snapshot is
 * stored only when the list changed, so "previous" is the last different
 * list and `confirmed_at` says when the current one was last seen.
 */
#include <string.h>

#include "app.h"
#include "ids.h"
#include "json.h"
#include "render.h"

struct top_walk {
	struct json		*j;
	struct top_snapshot	 cur, prev;	/* valid in the transaction */
	int			 n;
	int			 history;
};

static void
top_write_snapshot(struct json *j, const char *key,
    const struct top_snapshot *s)
{
	json_obj_open(j, key);
	render_day(j, "day", s->day);
	render_time_s(j, "confirmed_at", "confirmed_at_iso", s->confirmed_at);
	render_idlist(j, "ids", &s->ids);
	json_obj_close(j);
}

/* Keeps the newest two snapshots; writes all when history is asked. */
static int
top_collect(const struct top_snapshot *s, void *arg)
{
	struct top_walk *w = arg;

	if (w->n == 0)
		w->cur = *s;
	else if (w->n == 1)
		w->prev = *s;
	w->n++;
	if (w->history)
		top_write_snapshot(w->j, NULL, s);
	return !w->history && w->n == 2 ? 1 : 0;
}

static void
top_write_changes(struct json *j, const struct top_snapshot *cur,
    const struct top_snapshot *prev)
{
	char id[ID_LEN + 1];
	int64_t was;
	uint32_t i;
	int delta;

	json_arr_open(j, "changes");
	for (i = 0; i < cur->ids.n; i++) {
		idlist_get(&cur->ids, i, id);
		was = prev != NULL ? ids_find(&prev->ids, id) : -1;
		json_obj_open(j, NULL);
		json_str(j, "id", id);
		json_int(j, "rank", (int64_t)i + 1);
		if (prev == NULL) {
			json_null(j, "previous_rank");
			json_null(j, "change");
			json_null(j, "delta");
		} else if (was < 0) {
			json_null(j, "previous_rank");
			json_str(j, "change", "new");
			json_null(j, "delta");
		} else {
			delta = (int)(was - (int64_t)i);	/* places gained */
			json_int(j, "previous_rank", was + 1);
			json_str(j, "change", delta > 0 ? "up" :
			    delta < 0 ? "down" : "same");
			json_int(j, "delta", delta);
		}
		json_obj_close(j);
	}
	json_arr_close(j);
	json_arr_open(j, "dropped");
	for (i = 0; prev != NULL && i < prev->ids.n; i++) {
		idlist_get(&prev->ids, i, id);
		if (ids_find(&cur->ids, id) < 0)
			json_str(j, NULL, id);
	}
	json_arr_close(j);
}

/* Writes one range's object (or null when nothing is stored). */
static int
top_write_range(struct ctx *c, struct json *j, int kind, int range)
{
	struct top_walk w;

	memset(&w, 0, sizeof(w));
	w.j = j;
	w.history = c->a.history;
	json_obj_open(j, render_range(range));
	if (w.history)
		json_arr_open(j, "history");
	if (store_iter_top(c->app->txn, c->a.user, kind, range, STORE_DESC,
	    top_collect, &w) != STORE_OK)
		return -1;
	if (w.history)
		json_arr_close(j);
	if (w.n == 0) {
		json_null(j, "current");
		json_null(j, "previous");
		json_arr_open(j, "changes");
		json_arr_close(j);
		json_arr_open(j, "dropped");
		json_arr_close(j);
	} else {
		top_write_snapshot(j, "current", &w.cur);
		if (w.n > 1)
			top_write_snapshot(j, "previous", &w.prev);
		else
			json_null(j, "previous");
		top_write_changes(j, &w.cur, w.n > 1 ? &w.prev : NULL);
	}
	json_obj_close(j);
	return 0;
}

int
api_top(struct ctx *c, struct resp *r)
{
	struct json j;
	int kind, range;

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "user_id", c->a.user);
	for (kind = 0; kind < TOP_KIND__MAX; kind++) {
		if ((c->a.has & QBIT(Q_KIND)) && kind != c->a.kind)
			continue;
		json_obj_open(&j, render_kind(kind));
		for (range = 0; range < RANGE__MAX; range++) {
			if ((c->a.has & QBIT(Q_RANGE)) && range != c->a.range)
				continue;
			if (top_write_range(c, &j, kind, range) == -1)
				return http_error(r, 500,
				    "the top lists could not be read");
		}
		json_obj_close(&j);
	}
	json_obj_close(&j);
	return render_finish(&j, r);
}
