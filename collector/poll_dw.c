/*
 * poll_dw.c — the Discover Weekly job, which also archives the playlists
 * the user chose (archive[]) the same way, one week at a time.
 *
 * It lists the user's playlists (/me/playlists) to find Discover Weekly
 * (the user's dw_playlist, else the one named so and owned by Spotify)
 * and the names and snapshots of the targets, then reads each target's
 * items.  Where the API answers, the week's full list is stored
 * (PLAYLIST_FULL); a Discover Weekly whose snapshot is still last week's
 * is not renewed yet, and is looked at again within the hour.  Where the
 * API refuses (403/404: Spotify-owned playlists for development-mode
 * apps), the weeks are reconstructed from the plays whose context is that
 * playlist, from the newest reconstructed week onwards (PLAYLIST_HEARD);
 * a reconstructed week never replaces a full one.  Weeks are the user's
 * local weeks (sched_local_week()).  Everything is written in one
 * transaction.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "log.h"
#include "poll_task.h"
#include "sched.h"
#include "store.h"

#define PLAYLISTS_PAGES_MAX	4	/* /me/playlists pages (200 playlists) */
#define ITEMS_PAGES_MAX		20	/* 1000 items per playlist */

static void	dw_on_playlists(struct task *, enum spotify_result, long,
		    const cJSON *);
static void	dw_on_items(struct task *, enum spotify_result, long,
		    const cJSON *);

void
poll_dw_start(struct task *t)
{
	struct dw_state *ds = &t->state.dw;
	free(ds->pls);
	ds->pls = NULL;
	ds->n_pls = 0;
	ds->pl_pages = 0;
	ds->not_yet = 0;
	poll_request_get(t, dw_on_playlists, "/me/playlists?limit=50");
}

static void
dw_items_request(struct task *t)
{
	struct dw_state *ds = &t->state.dw;
	struct poll_target *tg = &ds->targets[ds->target_i];

	poll_request_get(t, dw_on_items,
	    "/playlists/%s/items?limit=50&offset=%u", tg->id,
	    ds->item_pages * 50);
}

static void
dw_add_target(struct task *t, const char *id, int is_dw)
{
	struct dw_state *ds = &t->state.dw;
	struct poll_target *tg;
	size_t i;

	for (i = 0; i < ds->n_targets; i++)
		if (strcmp(ds->targets[i].id, id) == 0) {
			ds->targets[i].is_dw |= is_dw;
			return;
		}
	if (ds->n_targets >= sizeof(ds->targets) / sizeof(ds->targets[0]))
		return;
	tg = &ds->targets[ds->n_targets++];
	memset(tg, 0, sizeof(*tg));
	memcpy(tg->id, id, ID_LEN + 1);
	tg->is_dw = is_dw;
	(void)strlcpy(tg->name, is_dw ? "Discover Weekly" : "",
	    sizeof(tg->name));
	for (i = 0; i < ds->n_pls; i++)
		if (strcmp(ds->pls[i].id, id) == 0) {
			(void)strlcpy(tg->name, ds->pls[i].name,
			    sizeof(tg->name));
			(void)strlcpy(tg->snapshot_id, ds->pls[i].snapshot_id,
			    sizeof(tg->snapshot_id));
		}
}

static int	dw_write(struct task *);

static void
dw_targets_next(struct task *t)
{
	struct dw_state *ds = &t->state.dw;
	if (ds->target_i < ds->n_targets) {
		ds->item_pages = 0;
		dw_items_request(t);
		return;
	}
	if (dw_write(t) == -1) {
		poll_job_end(t, 0, "dw: cannot write to the store");
		return;
	}
	poll_job_end(t, 1, NULL);
}

static void
dw_on_playlists(struct task *t, enum spotify_result r, long status,
    const cJSON *doc)
{
	struct dw_state *ds = &t->state.dw;
	struct parse_playlist *pls;
	size_t n = 0, i;
	int more = 0;

	if (r != SPOTIFY_OK) {
		poll_request_fail(t, "playlists", r, status);
		return;
	}
	if ((pls = reallocarray(ds->pls, ds->n_pls + PAGE_LIMIT,
	    sizeof(*pls))) == NULL) {
		poll_job_end(t, 0, "playlists: out of memory");
		return;
	}
	ds->pls = pls;
	if (parse_playlists(doc, ds->pls + ds->n_pls, PAGE_LIMIT, &n, &more) ==
	    -1) {
		poll_job_end(t, 0, "playlists: unusable response");
		return;
	}
	ds->n_pls += n;
	if (more && ++ds->pl_pages < PLAYLISTS_PAGES_MAX) {
		poll_request_get(t, dw_on_playlists,
		    "/me/playlists?limit=50&offset=%u",
		    ds->pl_pages * 50);
		return;
	}
	for (i = 0; i < ds->n_targets; i++)
		parse_set_free(&ds->targets[i].items);
	ds->n_targets = 0;
	ds->target_i = 0;
	if (t->u.dw_playlist[0] != '\0')
		dw_add_target(t, t->u.dw_playlist, 1);
	else
		for (i = 0; i < ds->n_pls; i++)
			if (strcmp(ds->pls[i].owner, "spotify") == 0 &&
			    strcmp(ds->pls[i].name, "Discover Weekly") == 0) {
				dw_add_target(t, ds->pls[i].id, 1);
				break;
			}
	for (i = 0; i < t->u.n_archive && i < ARCHIVE_MAX; i++)
		if (ids_valid_spotify(t->u.archive[i]))
			dw_add_target(t, t->u.archive[i], 0);
	if (ds->n_targets == 0)
		log_debug("user %s: no Discover Weekly found and nothing to "
		    "archive", t->u.id);
	dw_targets_next(t);
}

static void
dw_on_items(struct task *t, enum spotify_result r, long status,
    const cJSON *doc)
{
	struct dw_state *ds = &t->state.dw;
	struct poll_target *tg = &ds->targets[ds->target_i];

	if (r == SPOTIFY_HTTP && (status == 403 || status == 404)) {
		/* Restricted (Spotify-owned, development mode): reconstruct. */
		tg->refused = 1;
		parse_set_free(&tg->items);
		ds->target_i++;
		dw_targets_next(t);
		return;
	}
	if (r != SPOTIFY_OK) {
		poll_request_fail(t, "playlist items", r, status);
		return;
	}
	if (parse_playlist_items(doc, &tg->items) == -1) {
		poll_job_end(t, 0, "playlist items: unusable response");
		return;
	}
	if (tg->items.has_next && ++ds->item_pages < ITEMS_PAGES_MAX) {
		dw_items_request(t);
		return;
	}
	ds->target_i++;
	dw_targets_next(t);
}

struct wr_dw {
	struct task	*t;
	int		 not_yet;
};

/* Puts week of target tg unless a full list of that week is stored. */
static int
dw_put_heard(struct store_txn *txn, struct task *t, struct poll_target *tg,
    int32_t week, struct ids_list *l)
{
	struct playlist_week pw, have;
	int rc;

	rc = store_get_playlist_week(txn, t->u.id, tg->id, week, &have);
	if (rc == STORE_ERR)
		return -1;
	if (rc == STORE_OK && have.how == PLAYLIST_FULL)
		return 0;
	memset(&pw, 0, sizeof(pw));
	memcpy(pw.playlist_id, tg->id, ID_LEN + 1);
	pw.week = week;
	pw.name = tg->name;
	pw.snapshot_id = "";
	pw.how = PLAYLIST_HEARD;
	pw.obtained_at = poll_now_s();
	pw.tracks = ids_list_view(l);
	return store_put_playlist_week(txn, t->u.id, &pw) == STORE_ERR ? -1 :
	    0;
}

struct heard_ctx {
	struct store_txn *txn;
	struct task	*t;
	struct poll_target *tg;
	char		 uri[64];
	struct ids_list	 l;
	int32_t		 week;
	int32_t		 from_week;	/* weeks before it are left alone */
	int64_t		 end_ms;	/* the current week ends here */
	int		 any;
};

static int
heard_flush(struct heard_ctx *h)
{
	int rc = 0;

	if (h->any)
		rc = dw_put_heard(h->txn, h->t, h->tg, h->week, &h->l);
	ids_list_reset(&h->l);
	h->any = 0;
	return rc;
}

static int
heard_play(const struct play *p, void *arg)
{
	struct heard_ctx *h = arg;
	struct idlist v;
	int64_t start;

	if (p->context_uri == NULL || strcmp(p->context_uri, h->uri) != 0)
		return 0;
	if (h->end_ms == 0 || p->played_at >= h->end_ms) {
		if (heard_flush(h) == -1)
			return -1;
		sched_local_week(p->played_at / 1000, h->t->u.timezone,
		    &h->week, &start);
		sched_local_week(start + 8 * 86400, h->t->u.timezone, NULL,
		    &h->end_ms);
		h->end_ms *= 1000;
	}
	/*
	 * The scan starts a day early (a local week may begin before its
	 * UTC Monday): plays of an earlier week are not this rebuild's, and
	 * would otherwise replace that week's whole list with its last day.
	 */
	if (h->week < h->from_week)
		return 0;
	v = ids_list_view(&h->l);
	if (ids_find(&v, p->track_id) >= 0)
		return 0;	/* heard again: the list keeps first plays */
	if (ids_list_add(&h->l, p->track_id) == -1)
		return -1;
	h->any = 1;
	return 0;
}

static int
heard_last_week(const struct playlist_week *pw, void *arg)
{
	int32_t *week = arg;

	if (pw->how == PLAYLIST_HEARD) {
		*week = pw->week;
		return 1;
	}
	return 0;
}

/*
 * Rebuilds the weeks of tg from plays in its context, from the newest
 * week already reconstructed (which may have been partial) onwards.
 */
static int
dw_reconstruct(struct store_txn *txn, struct task *t, struct poll_target *tg)
{
	struct heard_ctx h;
	int32_t last = INT32_MIN;
	int64_t from_ms = 0;
	int rc;

	memset(&h, 0, sizeof(h));
	h.txn = txn;
	h.t = t;
	h.tg = tg;
	h.l = (struct ids_list)IDS_LIST_INIT;
	snprintf(h.uri, sizeof(h.uri), "spotify:playlist:%s", tg->id);
	if (store_iter_playlist_weeks(txn, t->u.id, tg->id, STORE_DESC,
	    heard_last_week, &last) == STORE_ERR)
		return -1;
	h.from_week = last;
	if (last != INT32_MIN)
		from_ms = ((int64_t)last - 1) * 86400 * 1000;
	rc = store_iter_plays(txn, t->u.id, from_ms, INT64_MAX, STORE_ASC,
	    heard_play, &h);
	if (rc != STORE_ERR)
		rc = heard_flush(&h) == -1 ? STORE_ERR : STORE_OK;
	ids_list_free(&h.l);
	return rc == STORE_ERR ? -1 : 0;
}

static int
dw_put_full(struct store_txn *txn, struct task *t, struct poll_target *tg,
    int *not_yet)
{
	struct playlist_week pw, prev;
	struct ids_list l = IDS_LIST_INIT;
	int32_t week;
	size_t j;
	int rc;

	sched_local_week(poll_now_s(), t->u.timezone, &week, NULL);
	if (tg->is_dw && tg->snapshot_id[0] != '\0') {
		/* Spotify renews it on Monday; the old list is last week's. */
		rc = store_get_playlist_week(txn, t->u.id, tg->id, week - 7,
		    &prev);
		if (rc == STORE_ERR)
			return -1;
		if (rc == STORE_OK && prev.how == PLAYLIST_FULL &&
		    strcmp(prev.snapshot_id, tg->snapshot_id) == 0) {
			*not_yet = 1;
			return 0;
		}
	}
	if (poll_plays_put_entities(txn, &tg->items) == -1)
		return -1;
	for (j = 0; j < tg->items.n_ids; j++)
		if (ids_list_add(&l, tg->items.ids[j]) == -1) {
			ids_list_free(&l);
			return -1;
		}
	memset(&pw, 0, sizeof(pw));
	memcpy(pw.playlist_id, tg->id, ID_LEN + 1);
	pw.week = week;
	pw.name = tg->name;
	pw.snapshot_id = tg->snapshot_id[0] ? tg->snapshot_id :
	    tg->items.snapshot_id;
	pw.how = PLAYLIST_FULL;
	pw.obtained_at = poll_now_s();
	pw.tracks = ids_list_view(&l);
	rc = store_put_playlist_week(txn, t->u.id, &pw);
	ids_list_free(&l);
	return rc == STORE_ERR ? -1 : 0;
}

static int
wr_dw_user(struct store_txn *txn, struct user *cur, void *arg)
{
	struct wr_dw *w = arg;
	struct task *t = w->t;
	struct dw_state *ds = &t->state.dw;
	unsigned i;
	int rc;

	for (i = 0; i < ds->n_targets; i++) {
		if (ds->targets[i].refused)
			rc = dw_reconstruct(txn, t, &ds->targets[i]);
		else
			rc = dw_put_full(txn, t, &ds->targets[i], &w->not_yet);
		if (rc == -1)
			return -1;
	}
	ds->not_yet = w->not_yet;
	poll_apply_status(t, cur, 1, NULL);
	return store_put_user(txn, cur) == STORE_ERR ? -1 : 0;
}

static int
wr_dw(struct store_txn *txn, void *arg)
{
	struct wr_dw *w = arg;

	w->not_yet = 0;
	return poll_with_user(txn, w->t, wr_dw_user, arg);
}

static int
dw_write(struct task *t)
{
	struct wr_dw w;

	memset(&w, 0, sizeof(w));
	w.t = t;
	return store_write(t->pl->st, wr_dw, &w) == STORE_OK ? 0 : -1;
}

void
poll_dw_free(struct task *t)
{
	struct dw_state *ds = &t->state.dw;
	unsigned i;

	for (i = 0; i < ds->n_targets; i++)
		parse_set_free(&ds->targets[i].items);
	free(ds->pls);
}
