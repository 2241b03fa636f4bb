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
 *
 * Each week also says how often the user played each of its tracks from
 * the week's Monday on ("play_counts", beside "track_ids").  They come
 * from one pass over the user's plays, newest first, down to the oldest
 * week's Monday: a hash table holds a count per track of the page's
 * weeks, and each time the pass crosses a week's Monday the counts of
 * that week's tracks are copied out.  So a page costs the plays since
 * its oldest week plus its weeks' tracks, never one scan per track.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "idtab.h"
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

	if (pw->week >= d->before)
		return 0;
	if (d->by_name != NULL && (pw->name == NULL ||
	    strcmp(pw->name, d->by_name) != 0))
		return 0;
	if (buf_grow_array(&d->w, &d->cap, d->n + 1, sizeof(*d->w), 64) == -1)
		return -1;
	d->w[d->n++] = *pw;
	return 0;
}

/* ---- play counts ---------------------------------------------------------- */

/*
 * The page's tracks in an id table (lib/idtab.h), each with the plays
 * counted so far at its index.  Most plays are of tracks not in it.
 */
struct dw_counts {
	struct idtab	 ids;
	uint32_t	*count;		/* by index in ids */
	const struct playlist_week *w;	/* the page's weeks, newest first */
	size_t		 n;
	size_t		 next;		/* the next week whose Monday to pass */
	uint32_t	**out;		/* out[i][k]: week i, track k */
};

/* Copies the counts of week i's tracks out of the table. */
static void
dw_snapshot(struct dw_counts *dc, size_t i)
{
	const struct idlist *l = &dc->w[i].tracks;
	uint32_t k;

	uint32_t idx;

	for (k = 0; k < l->n; k++)
		dc->out[i][k] = idtab_get(&dc->ids, l->ids + (size_t)k * ID_LEN,
		    0, &idx) == 1 ? dc->count[idx] : 0;
}

static int
dw_count_play(const struct play_ref *p, void *arg)
{
	struct dw_counts *dc = arg;
	uint32_t idx;

	/* Crossing Mondays: those weeks' counts are complete. */
	while (dc->next < dc->n &&
	    p->played_at < (int64_t)dc->w[dc->next].week * 86400000)
		dw_snapshot(dc, dc->next++);
	if (dc->next == dc->n)
		return 1;
	if (idtab_get(&dc->ids, p->track_id, 0, &idx) == 1)
		dc->count[idx]++;
	return 0;
}

/*
 * Fills out[i][k] with user's plays of week i's track k from that week's
 * Monday on, for the n weeks w (newest first).  out and its rows are
 * allocated here (one block; free(*out)).  Returns 0, or -1 (logged by the
 * store, or out of memory).
 */
static int
dw_play_counts(struct store_txn *txn, const char *user,
    const struct playlist_week *w, size_t n, uint32_t ***outp)
{
	struct dw_counts dc;
	uint32_t **out, *cell;
	size_t i, total = 0;
	uint32_t k, idx;
	int rc = STORE_ERR;

	*outp = NULL;
	for (i = 0; i < n; i++)
		total += w[i].tracks.n;
	/* One block: n row pointers, then the cells. */
	if ((out = malloc(n * sizeof(*out) + (total ? total : 1) *
	    sizeof(**out))) == NULL)
		return -1;
	cell = (uint32_t *)(out + n);
	for (i = 0; i < n; i++) {
		out[i] = cell;
		cell += w[i].tracks.n;
	}
	memset(&dc, 0, sizeof(dc));
	dc.w = w;
	dc.n = n;
	dc.out = out;
	if (idtab_reserve(&dc.ids, total) == -1)
		goto free_table;
	for (i = 0; i < n; i++)
		for (k = 0; k < w[i].tracks.n; k++)
			if (idtab_get(&dc.ids, w[i].tracks.ids +
			    (size_t)k * ID_LEN, 1, &idx) == -1)
				goto free_table;
	if ((dc.count = calloc(dc.ids.n ? dc.ids.n : 1,
	    sizeof(*dc.count))) == NULL)
		goto free_table;
	rc = n == 0 ? STORE_OK : store_scan_plays(txn, user,
	    (int64_t)w[n - 1].week * 86400000, INT64_MAX, STORE_DESC,
	    dw_count_play, &dc);
	/* The weeks whose Monday the plays never crossed. */
	while (dc.next < n)
		dw_snapshot(&dc, dc.next++);
free_table:
	idtab_free(&dc.ids);
	free(dc.count);
	if (rc != STORE_OK) {
		free(out);
		return -1;
	}
	*outp = out;
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
	uint32_t **counts;
	uint32_t k;
	size_t i, n;
	int limit, more, rc;

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
	if (dw_play_counts(c->app->txn, c->a.user, d.w, n, &counts) == -1) {
		free(d.w);
		return http_error(r, 500, "the plays could not be counted");
	}

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
		json_arr_open(&j, "play_counts");
		for (k = 0; k < d.w[i].tracks.n; k++)
			json_uint(&j, NULL, counts[i][k]);
		json_arr_close(&j);
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
	free(counts);
	free(d.w);
	return render_finish(&j, r);
}
