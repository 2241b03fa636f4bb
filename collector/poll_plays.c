/*
 * poll_plays.c — the plays job: recently-played after the stored cursor,
 * written with its entities in one transaction, then the lazy detail
 * look-ups within the sweep's budget.
 *
 * The first page asks for plays after the cursor.  When it is full, older
 * pages are read backward until one reaches the cursor, the API has
 * nothing older, or PLAYS_PAGES_MAX pages were read.  One write then
 * stores plays, cursor, entities, status and, when the pages never reached
 * the cursor, a gap (the gap rule is at wr_plays()).
 *
 * Details: artists stored without details and albums without images are
 * queued on the poller (shared by all tasks, at most DETAIL_PENDING_MAX
 * ids); after its write, each plays job spends the sweep's remaining
 * budget looking them up, in batches while the API answers them (one
 * batch probes first; a 403 is remembered in the meta key
 * spotify.batch_refused), otherwise one at a time.  Details are best
 * effort: their failure never fails the job.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cadence.h"
#include "config.h"
#include "dedupe.h"
#include "log.h"
#include "poll_task.h"
#include "store.h"
#include "timeutil.h"

#define PLAYS_PAGES_MAX		12	/* extra pages one plays job may read */
#define DETAIL_PENDING_MAX	20000	/* ids waiting for a look-up */
#define ARTIST_BATCH		50
#define ALBUM_BATCH		20

static void	details_next(struct task *);

/* ---- entities in a write transaction ----------------------------------- */

/* What a plays write stored that wants details later. */
struct ent_new {
	char		(*artists)[ID_LEN + 1];
	size_t		 n_artists;
	char		(*albums)[ID_LEN + 1];
	size_t		 n_albums;
};

static int
ent_note(char (**arr)[ID_LEN + 1], size_t *n, const char *id)
{
	char (*a)[ID_LEN + 1];

	if ((a = reallocarray(*arr, *n + 1, sizeof(**arr))) == NULL)
		return -1;
	*arr = a;
	memcpy(a[(*n)++], id, ID_LEN + 1);
	return 0;
}

/*
 * Writes the entities of set.  Artists already stored are left alone
 * unless set's copy is detailed; when nw is not NULL, the ids of new
 * undetailed artists are appended to nw->artists, those of albums without
 * images to nw->albums.  Returns 0 or -1.
 */
static int
ent_write(struct store_txn *txn, struct parse_set *set, struct ent_new *nw)
{
	struct artist have;
	struct album *al;
	int64_t now = poll_now_s();
	size_t i;
	int rc;

	for (i = 0; i < set->n_artists; i++) {
		set->artists[i].updated_at = now;
		rc = store_get_artist(txn, set->artists[i].id, &have);
		if (rc == STORE_ERR)
			return -1;
		if (rc == STORE_OK && !set->artists[i].detailed)
			continue;
		if (store_put_artist(txn, &set->artists[i]) == STORE_ERR)
			return -1;
		if (!set->artists[i].detailed && nw != NULL &&
		    ent_note(&nw->artists, &nw->n_artists,
		    set->artists[i].id) == -1)
			return -1;
	}
	for (i = 0; i < set->n_albums; i++) {
		al = &set->albums[i];
		al->updated_at = now;
		if (store_put_album(txn, al) == STORE_ERR)
			return -1;
		if (al->n_images == 0 && al->id[0] != '_' && nw != NULL &&
		    ent_note(&nw->albums, &nw->n_albums, al->id) == -1)
			return -1;
	}
	for (i = 0; i < set->n_tracks; i++) {
		set->tracks[i].updated_at = now;
		if (store_put_track(txn, &set->tracks[i]) == STORE_ERR)
			return -1;
	}
	return 0;
}

static int
pending_has(char (*arr)[ID_LEN + 1], size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(arr[i], id, ID_LEN) == 0)
			return 1;
	return 0;
}

/* Appends the n ids not queued yet to the queue *arr (bounded). */
static void
pending_queue(char (**arr)[ID_LEN + 1], size_t *n_arr,
    char (*ids)[ID_LEN + 1], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (*n_arr < DETAIL_PENDING_MAX &&
		    !pending_has(*arr, *n_arr, ids[i]))
			(void)ent_note(arr, n_arr, ids[i]);
}

/* Queues ids for the lazy detail look-ups. */
static void
pending_add(struct poller *pl, const struct ent_new *nw)
{
	pending_queue(&pl->pend_artists, &pl->n_pend_artists, nw->artists,
	    nw->n_artists);
	pending_queue(&pl->pend_albums, &pl->n_pend_albums, nw->albums,
	    nw->n_albums);
}

/* ---- plays --------------------------------------------------------------- */

static void	plays_on_page(struct task *, enum spotify_result, long,
		    const cJSON *);

void
poll_plays_start(struct task *t)
{
	struct plays_state *ps = &t->state.plays;
	parse_set_free(&ps->set);
	ps->start_cursor = t->u.cursor_ms;
	ps->first_full = ps->reached = 0;
	ps->dir = 0;
	ps->pages = 0;
	if (ps->start_cursor > 0)
		poll_request_get(t, plays_on_page,
		    "/me/player/recently-played?limit=%d&after=%lld",
		    PAGE_LIMIT, (long long)ps->start_cursor);
	else
		poll_request_get(t, plays_on_page,
		    "/me/player/recently-played?limit=%d", PAGE_LIMIT);
}

struct wr_plays {
	struct task	*t;
	struct ent_new	 nw;
	uint64_t	 added;
	int		 gap;
};

static int
wr_plays(struct store_txn *txn, void *arg)
{
	struct wr_plays *w = arg;
	struct task *t = w->t;
	struct plays_state *ps = &t->state.plays;
	struct parse_set *set = &ps->set;
	struct user cur;
	struct gap g;
	int64_t newest;
	size_t i;
	int rc;

	free(w->nw.artists);
	free(w->nw.albums);
	memset(&w->nw, 0, sizeof(w->nw));
	w->added = 0;
	w->gap = 0;
	if ((rc = poll_reread_user(txn, t, &cur)) != 1)
		return rc;
	if (poll_assign_offset(txn, &cur, (int32_t)config_num(t->pl->cfg,
	    CFG_POLL_INTERVAL)) == -1)
		return -1;
	/*
	 * A gap: the first page was full, nothing at or before the cursor
	 * came back however far we paged, and the oldest play we got is
	 * newer than the cursor.  Plays in between are lost; say so.  A
	 * lost play would have to start after the cursor's play ended and
	 * end before the oldest one we got began, and every play lasts at
	 * least min_play_ms: with less room than two plays' minimum nothing
	 * can be missing.  (Exactly 50 plays since the last poll look like
	 * a loss and are recorded as one: the API shows no 51st to tell.)
	 */
	if (ps->first_full && !ps->reached && cur.cursor_ms > 0 &&
	    set->oldest_ms - cur.cursor_ms >=
	    2 * config_num(t->pl->cfg, CFG_MIN_PLAY_MS)) {
		memset(&g, 0, sizeof(g));
		g.from_ms = cur.cursor_ms;
		g.to_ms = set->oldest_ms;
		g.reason = cur.failures > 0 ? GAP_UNREACHABLE : GAP_OVERFLOW;
		g.recorded_at = poll_now_s();
		if (store_put_gap(txn, t->u.id, &g) == STORE_ERR)
			return -1;
		w->gap = 1;
	}
	if (ent_write(txn, set, &w->nw) == -1)
		return -1;
	newest = cur.cursor_ms;
	for (i = 0; i < set->n_plays; i++) {
		const char *const tid[] = { set->plays[i].track_id };

		if (set->plays[i].played_at > newest)
			newest = set->plays[i].played_at;
		/*
		 * The same play may be stored already from an imported
		 * history (its time to the second or the minute): then it is
		 * not stored twice (lib/dedupe.h says when two are one).
		 */
		rc = dedupe_find(txn, t->u.id, set->plays[i].played_at,
		    SOURCE_API, tid, 1, NULL, NULL, NULL);
		if (rc == -1)
			return -1;
		if (rc == 1)
			continue;
		rc = store_put_play(txn, t->u.id, &set->plays[i]);
		if (rc == STORE_ERR)
			return -1;
		if (rc == STORE_OK)
			w->added++;
	}
	/*
	 * The cursor is the newest play the API gave, stored now or before
	 * (possibly as an imported row up to 15 s away): never beyond it.
	 */
	cur.cursor_ms = newest;
	cur.n_plays += w->added;
	poll_apply_status(t, &cur, 1, NULL);
	if (cadence_apply(txn, t->pl->cfg, &cur, t->u.cursor_ms) == -1)
		return -1;
	return store_put_user(txn, &cur) == STORE_ERR ? -1 : 0;
}

static void
plays_commit(struct task *t)
{
	struct plays_state *ps = &t->state.plays;
	struct poller *pl = t->pl;
	struct wr_plays w;

	memset(&w, 0, sizeof(w));
	w.t = t;
	if (store_write(pl->st, wr_plays, &w) != STORE_OK) {
		free(w.nw.artists);
		free(w.nw.albums);
		poll_job_end(t, 0, "plays: cannot write to the store");
		return;
	}
	if (w.gap) {
		char from[32], to[32];

		(void)time_format_iso8601(t->u.cursor_ms, from, 1);
		(void)time_format_iso8601(ps->set.oldest_ms, to, 1);
		log_warnx("user %s: plays lost between %s and %s (more than "
		    "%d since the last poll); gap recorded", t->u.id, from, to,
		    PAGE_LIMIT);
	}
	log_debug("user %s: %llu new plays (%zu received, %zu episodes, %zu "
	    "unusable)", t->u.id, (unsigned long long)w.added,
	    ps->set.n_items, ps->set.n_episodes, ps->set.n_garbage);
	pending_add(pl, &w.nw);
	free(w.nw.artists);
	free(w.nw.albums);
	details_next(t);
}

/*
 * Pages beyond the first, only when the first was full: backward (before
 * the oldest play we have) until the cursor is reached, the API has
 * nothing older (Spotify keeps only the last 50 plays; then the gap is
 * real and recorded), or PLAYS_PAGES_MAX pages were read.
 */
static void
plays_more(struct task *t, const struct parse_set *page)
{
	struct plays_state *ps = &t->state.plays;
	if (ps->pages >= PLAYS_PAGES_MAX || ps->reached ||
	    (ps->dir != 0 && page->n_items < PAGE_LIMIT) ||
	    (ps->dir != 0 && page->n_items == 0)) {
		plays_commit(t);
		return;
	}
	ps->dir = -1;
	ps->pages++;
	poll_request_get(t, plays_on_page,
	    "/me/player/recently-played?limit=%d&before=%lld",
	    PAGE_LIMIT, (long long)ps->set.oldest_ms);
}

static int
plays_merge(struct parse_set *into, struct parse_set *page)
{
	struct play *p;
	size_t i, j;
	char **s;

	/* page's plays and entities move into into, with their strings. */
	for (i = 0; i < page->n_plays; i++) {
		for (j = 0; j < into->n_plays; j++)
			if (into->plays[j].played_at == page->plays[i].played_at)
				break;
		if (j < into->n_plays)
			continue;
		if ((p = reallocarray(into->plays, into->n_plays + 1,
		    sizeof(*p))) == NULL)
			return -1;
		into->plays = p;
		into->plays[into->n_plays++] = page->plays[i];
	}
#define MERGE_ARR(f, nf) do {						\
	for (i = 0; i < page->nf; i++) {				\
		for (j = 0; j < into->nf; j++)				\
			if (strcmp(into->f[j].id, page->f[i].id) == 0)	\
				break;					\
		if (j < into->nf)					\
			continue;					\
		void *np = reallocarray(into->f, into->nf + 1,		\
		    sizeof(*into->f));					\
		if (np == NULL)						\
			return -1;					\
		into->f = np;						\
		into->f[into->nf++] = page->f[i];			\
	}								\
} while (0)
	MERGE_ARR(tracks, n_tracks);
	MERGE_ARR(albums, n_albums);
	MERGE_ARR(artists, n_artists);
#undef MERGE_ARR
	/* The strings move too: into now owns them. */
	if (page->n_strs > 0) {
		if ((s = reallocarray(into->strs, into->n_strs + page->n_strs,
		    sizeof(*s))) == NULL)
			return -1;
		into->strs = s;
		memcpy(into->strs + into->n_strs, page->strs,
		    page->n_strs * sizeof(*s));
		into->n_strs += page->n_strs;
	}
	free(page->strs);
	page->strs = NULL;
	page->n_strs = 0;
	into->n_items += page->n_items;
	into->n_episodes += page->n_episodes;
	into->n_garbage += page->n_garbage;
	if (page->oldest_ms != 0 && (into->oldest_ms == 0 ||
	    page->oldest_ms < into->oldest_ms))
		into->oldest_ms = page->oldest_ms;
	if (page->newest_ms > into->newest_ms)
		into->newest_ms = page->newest_ms;
	return 0;
}

static void
plays_on_page(struct task *t, enum spotify_result r, long status,
    const cJSON *doc)
{
	struct plays_state *ps = &t->state.plays;
	struct parse_set page;

	if (r != SPOTIFY_OK) {
		poll_request_fail(t, "recently-played", r, status);
		return;
	}
	memset(&page, 0, sizeof(page));
	if (parse_recent_page(doc, &page) == -1) {
		parse_set_free(&page);
		poll_job_end(t, 0, "recently-played: unusable response");
		return;
	}
	if (page.n_items > 0 && page.oldest_ms <= ps->start_cursor)
		ps->reached = 1;
	if (ps->dir == 0 && page.n_items >= PAGE_LIMIT && ps->start_cursor > 0)
		ps->first_full = 1;
	if (plays_merge(&ps->set, &page) == -1) {
		parse_set_free(&page);
		poll_job_end(t, 0, "recently-played: out of memory");
		return;
	}
	if (ps->dir == 0 && !ps->first_full) {
		parse_set_free(&page);
		plays_commit(t);
		return;
	}
	plays_more(t, &page);
	parse_set_free(&page);
}

/* ---- details (lazy, within the sweep's budget) ------------------------ */

static void	details_on(struct task *, enum spotify_result, long,
		    const cJSON *);

static int
details_write_refused(struct store_txn *txn, void *arg)
{
	(void)arg;
	return store_put_meta_i64(txn, META_BATCH_REFUSED, 1) == STORE_OK ?
	    0 : -1;
}

/* Takes the first n ids off a pending queue. */
static void
pending_drop(char (*arr)[ID_LEN + 1], size_t *n, size_t k)
{
	if (k > *n)
		k = *n;
	if (k == 0)
		return;
	memmove(arr, arr + k, (*n - k) * sizeof(*arr));
	*n -= k;
}

static void
details_next(struct task *t)
{
	struct plays_state *ps = &t->state.plays;
	struct poller *pl = t->pl;
	char path[ARTIST_BATCH * (ID_LEN + 1) + 64];
	char (*arr)[ID_LEN + 1];
	size_t n, i, max, len;
	const char *kind;

	parse_set_free(&ps->det);
	if (pl->budget_left <= 0 ||
	    (pl->n_pend_artists == 0 && pl->n_pend_albums == 0)) {
		poll_job_end(t, 1, NULL);
		return;
	}
	ps->det_albums = pl->n_pend_artists == 0;
	arr = ps->det_albums ? pl->pend_albums : pl->pend_artists;
	n = ps->det_albums ? pl->n_pend_albums : pl->n_pend_artists;
	kind = ps->det_albums ? "albums" : "artists";
	max = ps->det_albums ? ALBUM_BATCH : ARTIST_BATCH;
	pl->budget_left--;
	/* One batch probes whether the API answers them; others wait. */
	if (!pl->batch_refused && n > 1 &&
	    (pl->batch_works || !pl->batch_probing)) {
		pl->batch_probing = !pl->batch_works;
		ps->det_batch = 1;
		ps->det_n = n < max ? n : max;
		len = (size_t)snprintf(path, sizeof(path), "/%s?ids=", kind);
		for (i = 0; i < ps->det_n; i++) {
			if (i > 0)
				path[len++] = ',';
			memcpy(path + len, arr[i], ID_LEN);
			len += ID_LEN;
		}
		path[len] = '\0';
		poll_request_get(t, details_on, "%s", path);
		return;
	}
	ps->det_batch = 0;
	ps->det_n = 1;
	poll_request_get(t, details_on, "/%s/%s", kind, arr[0]);
}

static int
wr_details(struct store_txn *txn, void *arg)
{
	return ent_write(txn, arg, NULL);
}

static void
details_on(struct task *t, enum spotify_result r, long status, const cJSON *doc)
{
	struct plays_state *ps = &t->state.plays;
	struct poller *pl = t->pl;
	char (*arr)[ID_LEN + 1] = ps->det_albums ? pl->pend_albums :
	    pl->pend_artists;
	size_t *n = ps->det_albums ? &pl->n_pend_albums : &pl->n_pend_artists;

	if (ps->det_batch) {
		pl->batch_probing = 0;
		if (r == SPOTIFY_OK)
			pl->batch_works = 1;
	}
	if (r == SPOTIFY_HTTP && status == 403 && ps->det_batch) {
		/* Batch look-ups are gone for this app: remember it. */
		log_info("batch look-ups refused (403); one at a time from now "
		    "on");
		pl->batch_refused = 1;
		if (store_write(pl->st, details_write_refused, NULL) !=
		    STORE_OK)
			log_warnx("cannot record that batches are refused");
		details_next(t);
		return;
	}
	if (r == SPOTIFY_HTTP && (status == 404 || status == 400 ||
	    status == 403)) {
		/* Unknown to Spotify: do not ask again. */
		pending_drop(arr, n, ps->det_n);
		details_next(t);
		return;
	}
	if (r != SPOTIFY_OK) {
		/* Details are best effort: the plays are already stored. */
		log_info("user %s: detail look-up %s; later", t->u.id,
		    spotify_result_name(r));
		poll_job_end(t, 1, NULL);
		return;
	}
	memset(&ps->det, 0, sizeof(ps->det));
	if (parse_entities(doc, &ps->det) == -1 ||
	    store_write(pl->st, wr_details, &ps->det) != STORE_OK) {
		log_warnx("user %s: detail look-up unusable; dropped", t->u.id);
	} else
		pl->details_done += ps->det_n;
	pending_drop(arr, n, ps->det_n);
	details_next(t);
}


void
poll_plays_free(struct task *t)
{
	parse_set_free(&t->state.plays.set);
	parse_set_free(&t->state.plays.det);
}

int
poll_plays_put_entities(struct store_txn *txn, struct parse_set *set)
{
	return ent_write(txn, set, NULL);
}
