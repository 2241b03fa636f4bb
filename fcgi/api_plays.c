/*
 * api_plays.c — GET /api/v0/plays/:user_id and GET /api/v0/gaps/:user_id.
 *
 * Both are cursor pages over time, newest first.  `before` alone (or no
 * cursor) walks back from the newest; `after` alone walks forward from a
 * time and returns the `limit` records right after it (still newest first
 * on the page), so a client that polls for new plays loses none; both
 * together bound a window.  One record more than the page is read to know
 * whether another page exists: `next` is then the cursor to pass, else
 * null.  A plays page also carries the gaps overlapping the time it covers,
 * so a timeline can show where plays are known to be missing.
 *
 * Each play says when its track was played before (`previous_played_at`,
 * however long ago: the store keeps it in the play itself), so a page
 * can mark a track's return without reading older pages; and the
 * page names the playlists it was played from where the journal knows
 * them (`contexts`: the names of the weekly playlist snapshots the
 * collector kept, newest week first).
 */
#include <stdint.h>
#include <string.h>

#include "app.h"
#include "ids.h"
#include "json.h"
#include "render.h"

#define PAGE_DEFAULT	50
#define PAGE_MAX	200
#define PAGE_GAPS_MAX	100	/* gaps shown beside one page of plays */

/* The window a request asks for and the order to read it in. */
struct window {
	int64_t		 lo, hi;	/* inclusive bounds, ms */
	enum store_dir	 dir;		/* DESC unless only `after` given */
	int		 limit;
};

static void
window_from_args(const struct args *a, struct window *w)
{
	w->lo = (a->has & QBIT(Q_AFTER)) ? a->after + 1 : 0;
	w->hi = (a->has & QBIT(Q_BEFORE)) ? a->before - 1 : INT64_MAX;
	w->dir = (a->has & QBIT(Q_AFTER)) && !(a->has & QBIT(Q_BEFORE)) ?
	    STORE_ASC : STORE_DESC;
	w->limit = (a->has & QBIT(Q_LIMIT)) ? a->limit : PAGE_DEFAULT;
}

/*
 * How far a page's read has come: one record more than the page is read
 * (want) to know whether another page follows.
 */
struct page_fill {
	int		 n, want;
};

static void
page_fill_start(struct page_fill *f, const struct window *w)
{
	f->n = 0;
	f->want = w->limit + 1;
}

/* How many of the records read the page shows; *more: whether more follow. */
static int
page_fill_end(const struct page_fill *f, const struct window *w, int *more)
{
	*more = f->n > w->limit;
	return *more ? w->limit : f->n;
}

/* Record i of a page of n read in w's order, newest first. */
static int
page_index(const struct window *w, int i, int n)
{
	return w->dir == STORE_DESC ? i : n - 1 - i;
}

/* Writes "next": {"before"|"after": ms} or null. */
static void
write_next(struct json *j, const struct window *w, int more, int64_t edge)
{
	if (!more) {
		json_null(j, "next");
		return;
	}
	json_obj_open(j, "next");
	json_int(j, w->dir == STORE_DESC ? "before" : "after", edge);
	json_obj_close(j);
}

/* Opens a page's answer: {"user_id": user, "items": [ ... */
static void
page_begin(struct json *j, struct resp *r, const char *user)
{
	json_init(j, &r->body);
	json_obj_open(j, NULL);
	json_str(j, "user_id", user);
	json_arr_open(j, "items");
}

/* Plays are collected first (they stay valid in the transaction). */
struct plays_page {
	struct play	 items[PAGE_MAX + 1];
	struct page_fill f;
};

static int
plays_collect(const struct play *p, void *arg)
{
	struct plays_page *pg = arg;

	pg->items[pg->f.n++] = *p;
	return pg->f.n == pg->f.want ? 1 : 0;
}

struct gaps_out {
	struct json	*j;
	int		 n;
};

/* ---- contexts: the names of the playlists a page was played from ------- */

static int
name_of_week(const struct playlist_week *w, void *arg)
{
	const char **name = arg;

	if (w->name == NULL || w->name[0] == '\0')
		return 0;	/* an older week may know it */
	*name = w->name;
	return 1;
}

/*
 * Writes "contexts": {uri: {"name": ...}} for the distinct playlist URIs
 * among the page's plays whose name the user's weekly snapshots know.
 * Names are valid in the transaction.  Returns 0 or -1 (store failed).
 */
static int
write_contexts(struct json *j, struct store_txn *txn, const char *user,
    const struct play *items, int n)
{
	const char *seen[PAGE_MAX], *name;
	char id[ID_LEN + 1];
	int i, k, n_seen = 0;

	json_obj_open(j, "contexts");
	for (i = 0; i < n; i++) {
		/* Seen first: a page's plays share a few contexts. */
		for (k = 0; k < n_seen; k++)
			if (strcmp(seen[k], items[i].context_uri) == 0)
				break;
		if (k < n_seen ||
		    ids_from_context_uri(items[i].context_uri, id) == -1)
			continue;
		seen[n_seen++] = items[i].context_uri;
		name = NULL;
		if (store_iter_playlist_weeks(txn, user, id, STORE_DESC,
		    name_of_week, &name) != STORE_OK)
			return -1;
		if (name == NULL)
			continue;
		json_obj_open(j, items[i].context_uri);
		json_str(j, "name", name);
		json_obj_close(j);
	}
	json_obj_close(j);
	return 0;
}

static int
gaps_write(const struct gap *g, void *arg)
{
	struct gaps_out *o = arg;

	if (o->n == PAGE_GAPS_MAX)
		return 1;
	render_gap(o->j, NULL, g);
	o->n++;
	return 0;
}

int
api_plays(struct ctx *c, struct resp *r)
{
	static struct plays_page pg;	/* 200 plays: not on the stack */
	struct gaps_out go;
	struct window w;
	struct json j;
	int64_t glo, ghi;
	int i, more, n;

	window_from_args(&c->a, &w);
	page_fill_start(&pg.f, &w);
	if (w.lo <= w.hi && store_iter_plays(c->app->txn, c->a.user, w.lo,
	    w.hi, w.dir, plays_collect, &pg) != STORE_OK)
		return http_error(r, 500, "the plays could not be read");
	n = page_fill_end(&pg.f, &w, &more);

	page_begin(&j, r, c->a.user);
	for (i = 0; i < n; i++)
		render_play(&j, NULL, &pg.items[page_index(&w, i, n)]);
	json_arr_close(&j);
	if (write_contexts(&j, c->app->txn, c->a.user, pg.items, n) == -1)
		return http_error(r, 500, "the playlists could not be read");

	/* The time this page covers: up to its last play when more follow. */
	glo = w.lo;
	ghi = w.hi;
	if (more && w.dir == STORE_DESC)
		glo = pg.items[n - 1].played_at;
	else if (more)
		ghi = pg.items[n - 1].played_at;
	json_arr_open(&j, "gaps");
	go = (struct gaps_out){ &j, 0 };
	if (glo <= ghi && store_iter_gaps(c->app->txn, c->a.user, glo, ghi,
	    STORE_DESC, gaps_write, &go) != STORE_OK)
		return http_error(r, 500, "the gaps could not be read");
	json_arr_close(&j);
	write_next(&j, &w, more, more ? pg.items[n - 1].played_at : 0);
	json_obj_close(&j);
	return render_finish(&j, r);
}

/* Gaps are paged by from_ms; collected to know whether more follow. */
struct gaps_page {
	struct gap	 items[PAGE_MAX + 1];
	struct page_fill f;
	int64_t		 lo, hi;
};

static int
gaps_collect(const struct gap *g, void *arg)
{
	struct gaps_page *pg = arg;

	if (g->from_ms < pg->lo || g->from_ms > pg->hi)
		return 0;
	pg->items[pg->f.n++] = *g;
	return pg->f.n == pg->f.want ? 1 : 0;
}

int
api_plays_gaps(struct ctx *c, struct resp *r)
{
	static struct gaps_page pg;
	struct window w;
	struct json j;
	int i, more, n;

	window_from_args(&c->a, &w);
	page_fill_start(&pg.f, &w);
	pg.lo = w.lo;
	pg.hi = w.hi;
	/* Overlap search from lo: a gap starting in the window overlaps it. */
	if (w.lo <= w.hi && store_iter_gaps(c->app->txn, c->a.user, w.lo,
	    w.hi, w.dir, gaps_collect, &pg) != STORE_OK)
		return http_error(r, 500, "the gaps could not be read");
	n = page_fill_end(&pg.f, &w, &more);

	page_begin(&j, r, c->a.user);
	for (i = 0; i < n; i++)
		render_gap(&j, NULL, &pg.items[page_index(&w, i, n)]);
	json_arr_close(&j);
	write_next(&j, &w, more, more ? pg.items[n - 1].from_ms : 0);
	json_obj_close(&j);
	return render_finish(&j, r);
}
