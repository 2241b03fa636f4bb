/*
 * api_dw.c — GET /api/v0/dw/:user_id: Discover Weekly, week by week.
 *
 * Which playlist: `playlist` when given (any archived playlist can be read
 * the same way), else the user's Discover Weekly id when they set one,
 * else the archived weeks named "Discover Weekly" (the collector finds it
 * by name).  Weeks come newest first, `limit` of them (default 10), older
 * than `before` (ms, compared with the week's Monday 00:00 UTC).  Each week
 * says how it was obtained: "full" (the list as Spotify served it) or
 * "heard" (reconstructed from plays in its context).
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "json.h"
#include "render.h"

#define DW_DEFAULT	10
#define DW_NAME		"Discover Weekly"

struct dw_weeks {
	struct playlist_week *w;	/* valid in the transaction */
	size_t		 n, cap;
	const char	*by_name;	/* keep only weeks of this name */
	int32_t		 before;	/* keep weeks < this day */
};

static int
dw_collect(const struct playlist_week *pw, void *arg)
{
	struct dw_weeks *d = arg;
	struct playlist_week *nw;
	size_t cap;

	if (pw->week >= d->before)
		return 0;
	if (d->by_name != NULL && (pw->name == NULL ||
	    strcmp(pw->name, d->by_name) != 0))
		return 0;
	if (d->n == d->cap) {
		cap = d->cap ? d->cap * 2 : 64;
		if ((nw = reallocarray(d->w, cap, sizeof(*nw))) == NULL)
			return -1;
		d->w = nw;
		d->cap = cap;
	}
	d->w[d->n++] = *pw;
	return 0;
}

/* Newest week first; for equal weeks (two playlists by name) by id. */
static int
dw_cmp(const void *a, const void *b)
{
	const struct playlist_week *x = a, *y = b;

	if (x->week != y->week)
		return x->week < y->week ? 1 : -1;
	return strcmp(x->playlist_id, y->playlist_id);
}

int
api_dw(struct ctx *c, struct resp *r)
{
	struct dw_weeks d;
	struct json j;
	const char *pid = NULL;
	size_t i, n;
	int limit, more, rc;

	if (access_user(c, r, c->a.user) == -1)
		return -1;
	memset(&d, 0, sizeof(d));
	d.before = INT32_MAX;
	if (c->a.has & QBIT(Q_BEFORE))
		/* Weeks whose Monday 00:00 is before the cursor. */
		d.before = (int32_t)((c->a.before + 86400000 - 1) / 86400000);
	if (c->a.has & QBIT(Q_PLAYLIST))
		pid = c->a.playlist;
	else if (c->user.dw_playlist[0] != '\0')
		pid = c->user.dw_playlist;
	else
		d.by_name = DW_NAME;
	limit = (c->a.has & QBIT(Q_LIMIT)) ? c->a.limit : DW_DEFAULT;

	rc = store_iter_playlist_weeks(c->app->txn, c->a.user, pid, STORE_DESC,
	    dw_collect, &d);
	if (rc != STORE_OK) {
		free(d.w);
		return http_error(r, 500, "the weeks could not be read");
	}
	if (d.n > 1)		/* d.w is NULL when there are no weeks */
		qsort(d.w, d.n, sizeof(*d.w), dw_cmp);
	more = d.n > (size_t)limit;
	n = more ? (size_t)limit : d.n;

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "user_id", c->a.user);
	if (pid != NULL)
		json_str(&j, "playlist_id", pid);
	else
		json_null(&j, "playlist_id");
	json_arr_open(&j, "weeks");
	for (i = 0; i < n; i++) {
		json_obj_open(&j, NULL);
		json_str(&j, "playlist_id", d.w[i].playlist_id);
		json_str(&j, "name", d.w[i].name);
		render_day(&j, "week", d.w[i].week);
		json_int(&j, "week_start", (int64_t)d.w[i].week * 86400000);
		json_str(&j, "how", render_how(d.w[i].how));
		if (d.w[i].snapshot_id != NULL && d.w[i].snapshot_id[0] != '\0')
			json_str(&j, "snapshot_id", d.w[i].snapshot_id);
		else
			json_null(&j, "snapshot_id");
		render_time_s(&j, "obtained_at", "obtained_at_iso",
		    d.w[i].obtained_at);
		render_idlist(&j, "track_ids", &d.w[i].tracks);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	if (more) {
		json_obj_open(&j, "next");
		json_int(&j, "before", (int64_t)d.w[n - 1].week * 86400000);
		json_obj_close(&j);
	} else
		json_null(&j, "next");
	json_obj_close(&j);
	free(d.w);
	if (json_finish(&j) == -1)
		return http_error(r, 500, "the response could not be written");
	return 0;
}
