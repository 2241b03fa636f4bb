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
 * ids per kind); after its write, each plays job spends the sweep's
 * remaining budget looking them up, in batches while the API answers
 * them (one batch probes first; a 403 is remembered in the meta key
 * spotify.batch_refused), otherwise one at a time.  When the queues are
 * empty, the job scans the store once for what its user's plays still
 * lack, most played first: tracks imported from a history file (a track
 * id, but album and artists known by name only) are asked of
 * /tracks/{id}, one at a time, and the album and artists that answer
 * brings are queued in turn; so an imported history gains its details
 * over the following sweeps.  An id that answered 404 (or had nothing
 * more to give) is marked in the store and never asked again.  Details
 * are best effort: their failure never fails the job.
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

/*
 * Meta keys "details.gone.<id>" (Unix s): the look-up of id answered 404
 * or 400, or had nothing more to give; no scan queues it again.
 */
#define META_GONE_PREFIX	"details.gone."

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
	pending_queue(&pl->pend[DETAIL_ARTIST], &pl->n_pend[DETAIL_ARTIST],
	    nw->artists, nw->n_artists);
	pending_queue(&pl->pend[DETAIL_ALBUM], &pl->n_pend[DETAIL_ALBUM],
	    nw->albums, nw->n_albums);
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
wr_plays_user(struct store_txn *txn, struct user *cur, void *arg)
{
	struct wr_plays *w = arg;
	struct task *t = w->t;
	struct plays_state *ps = &t->state.plays;
	struct parse_set *set = &ps->set;
	struct gap g;
	int64_t newest;
	size_t i;
	int rc;

	if (poll_assign_offset(txn, cur, (int32_t)config_num(t->pl->cfg,
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
	if (ps->first_full && !ps->reached && cur->cursor_ms > 0 &&
	    set->oldest_ms - cur->cursor_ms >=
	    2 * config_num(t->pl->cfg, CFG_MIN_PLAY_MS)) {
		memset(&g, 0, sizeof(g));
		g.from_ms = cur->cursor_ms;
		g.to_ms = set->oldest_ms;
		g.reason = cur->failures > 0 ? GAP_UNREACHABLE : GAP_OVERFLOW;
		g.recorded_at = poll_now_s();
		if (store_put_gap(txn, t->u.id, &g) == STORE_ERR)
			return -1;
		w->gap = 1;
	}
	if (ent_write(txn, set, &w->nw) == -1)
		return -1;
	newest = cur->cursor_ms;
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
	cur->cursor_ms = newest;
	cur->n_plays += w->added;
	poll_apply_status(t, cur, 1, NULL);
	if (cadence_apply(txn, t->pl->cfg, cur, t->u.cursor_ms) == -1)
		return -1;
	return store_put_user(txn, cur) == STORE_ERR ? -1 : 0;
}

static int
wr_plays(struct store_txn *txn, void *arg)
{
	struct wr_plays *w = arg;

	free(w->nw.artists);
	free(w->nw.albums);
	memset(&w->nw, 0, sizeof(w->nw));
	w->added = 0;
	w->gap = 0;
	return poll_with_user(txn, w->t, wr_plays_user, arg);
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

/*
 * What each kind of look-up asks for, and how many ids a batch may carry
 * (1: always one at a time).  Tracks go one at a time so that an unknown
 * one answers 404 by its own id and is never asked again.
 */
static const struct {
	const char	*path;
	size_t		 batch;
} details[DETAIL__MAX] = {
	[DETAIL_ARTIST] = { "artists", ARTIST_BATCH },
	[DETAIL_ALBUM] = { "albums", ALBUM_BATCH },
	[DETAIL_TRACK] = { "tracks", 1 },
};

static void	details_on(struct task *, enum spotify_result, long,
		    const cJSON *);

static int
details_write_refused(struct store_txn *txn, void *arg)
{
	(void)arg;
	return store_put_meta_i64(txn, META_BATCH_REFUSED, 1) == STORE_OK ?
	    0 : -1;
}

/* The meta key that says id has nothing more to give. */
static void
gone_key(char key[sizeof(META_GONE_PREFIX) + ID_LEN], const char *id)
{
	(void)snprintf(key, sizeof(META_GONE_PREFIX) + ID_LEN, "%s%.*s",
	    META_GONE_PREFIX, ID_LEN, id);
}

/* 1 when id was marked as having nothing more to give, 0, or -1. */
static int
gone_has(struct store_txn *txn, const char *id)
{
	char key[sizeof(META_GONE_PREFIX) + ID_LEN];
	int64_t v;
	int rc;

	gone_key(key, id);
	if ((rc = store_get_meta_i64(txn, key, &v)) == STORE_ERR)
		return -1;
	return rc == STORE_OK;
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

/* ---- the store scan: what this user's plays still lack ----------------- */

/* An entity some of the user's plays lack details of. */
struct det_cand {
	char		 id[ID_LEN + 1];
	int		 kind;		/* enum poll_detail */
	uint64_t	 plays;		/* the user's plays that show it */
};

struct det_scan {
	const char	*user;
	struct store_txn *txn;
	char		(*ids)[ID_LEN + 1];	/* the user's tracks */
	uint64_t	*plays;			/* and their play counts */
	size_t		 n;
	struct det_cand	*c;
	size_t		 n_c;
};

static int
scan_note(struct det_scan *s, int kind, const char *id, uint64_t plays)
{
	struct det_cand *c;

	if ((c = reallocarray(s->c, s->n_c + 1, sizeof(*c))) == NULL)
		return -1;
	s->c = c;
	memcpy(c[s->n_c].id, id, ID_LEN);
	c[s->n_c].id[ID_LEN] = '\0';
	c[s->n_c].kind = kind;
	c[s->n_c++].plays = plays;
	return 0;
}

static int
scan_user_track(const char *id, uint64_t n_plays, void *arg)
{
	struct det_scan *s = arg;
	char (*ids)[ID_LEN + 1];
	uint64_t *p;

	if ((ids = reallocarray(s->ids, s->n + 1, sizeof(*ids))) == NULL)
		return -1;
	s->ids = ids;
	if ((p = reallocarray(s->plays, s->n + 1, sizeof(*p))) == NULL)
		return -1;
	s->plays = p;
	memcpy(ids[s->n], id, ID_LEN + 1);
	p[s->n++] = n_plays;
	return 0;
}

/*
 * A track stored without a real album (imported from a history file: its
 * album and artists are names only) wants /tracks/{id}; otherwise its
 * album without images and its artists without details want theirs.
 * Local files and tracks known by name only have nothing to ask for.
 */
static int
scan_track(size_t i, const struct track *tr, void *arg)
{
	struct det_scan *s = arg;
	struct artist a;
	struct album al;
	char aid[ID_LEN + 1];
	uint32_t k;
	int rc;

	if (tr->is_local || tr->id[0] == '_')
		return 0;
	if (tr->album_id[0] == '\0' || tr->album_id[0] == '_')
		return scan_note(s, DETAIL_TRACK, tr->id, s->plays[i]);
	if ((rc = store_get_album(s->txn, tr->album_id, &al)) == STORE_ERR)
		return -1;
	if ((rc == STORE_NOTFOUND || al.n_images == 0) &&
	    scan_note(s, DETAIL_ALBUM, tr->album_id, s->plays[i]) == -1)
		return -1;
	for (k = 0; k < tr->artists.n; k++) {
		idlist_get(&tr->artists, k, aid);
		if (aid[0] == '_')
			continue;
		if ((rc = store_get_artist(s->txn, aid, &a)) == STORE_ERR)
			return -1;
		if ((rc == STORE_NOTFOUND || !a.detailed) &&
		    scan_note(s, DETAIL_ARTIST, aid, s->plays[i]) == -1)
			return -1;
	}
	return 0;
}

static int
cand_cmp_id(const void *a, const void *b)
{
	const struct det_cand *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return memcmp(x->id, y->id, ID_LEN);
}

/* Most played first; ties in id order, so the order is stable. */
static int
cand_cmp_plays(const void *a, const void *b)
{
	const struct det_cand *x = a, *y = b;

	if (x->plays != y->plays)
		return x->plays > y->plays ? -1 : 1;
	return cand_cmp_id(a, b);
}

static int
rd_scan(struct store_txn *txn, void *arg)
{
	struct det_scan *s = arg;
	const char **ids = NULL;
	size_t i, j;
	int rc, ret = -1;

	s->txn = txn;
	s->n = s->n_c = 0;	/* a read may be run again */
	if (store_iter_user_tracks(txn, s->user, scan_user_track, s) !=
	    STORE_OK)
		return -1;
	if ((ids = reallocarray(NULL, s->n > 0 ? s->n : 1,
	    sizeof(*ids))) == NULL)
		return -1;
	for (i = 0; i < s->n; i++)
		ids[i] = s->ids[i];
	if (store_get_tracks(txn, ids, s->n, scan_track, s) != STORE_OK)
		goto free_ids;
	/* One candidate per entity, with the plays of all its tracks. */
	qsort(s->c, s->n_c, sizeof(*s->c), cand_cmp_id);
	for (i = j = 0; i < s->n_c; i++) {
		if (j > 0 && cand_cmp_id(&s->c[j - 1], &s->c[i]) == 0) {
			s->c[j - 1].plays += s->c[i].plays;
			continue;
		}
		if ((rc = gone_has(txn, s->c[i].id)) == -1)
			goto free_ids;
		if (rc == 0)
			s->c[j++] = s->c[i];
	}
	s->n_c = j;
	ret = 0;
free_ids:
	free(ids);
	return ret;
}

/*
 * Queues what the plays of t's user still lack details of (the queues
 * are empty), most played first: tracks imported from a history file,
 * albums without images, artists without details; those marked as having
 * nothing more to give are left out.  Best effort: a failure queues
 * nothing.
 */
static void
details_scan(struct task *t)
{
	struct poller *pl = t->pl;
	struct det_scan s;
	char (*a)[ID_LEN + 1];
	size_t i;
	int k;

	memset(&s, 0, sizeof(s));
	s.user = t->u.id;
	if (store_read(pl->st, rd_scan, &s) != STORE_OK) {
		log_warnx("user %s: cannot read what lacks details",
		    t->u.id);
		goto free_scan;
	}
	qsort(s.c, s.n_c, sizeof(*s.c), cand_cmp_plays);
	for (i = 0; i < s.n_c; i++) {
		k = s.c[i].kind;
		if (pl->n_pend[k] >= DETAIL_PENDING_MAX)
			continue;
		if ((a = reallocarray(pl->pend[k], pl->n_pend[k] + 1,
		    sizeof(*a))) == NULL)
			break;
		pl->pend[k] = a;
		memcpy(a[pl->n_pend[k]++], s.c[i].id, ID_LEN + 1);
	}
	if (s.n_c > 0)
		log_debug("user %s: %zu entities lack details", t->u.id,
		    s.n_c);
free_scan:
	free(s.ids);
	free(s.plays);
	free(s.c);
}

/* ---- the look-ups ------------------------------------------------------- */

static void
details_next(struct task *t)
{
	struct plays_state *ps = &t->state.plays;
	struct poller *pl = t->pl;
	char path[ARTIST_BATCH * (ID_LEN + 1) + 64];
	char (*arr)[ID_LEN + 1];
	size_t n, i, max, len;
	int k;

	parse_set_free(&ps->det);
	if (pl->budget_left <= 0) {
		poll_job_end(t, 1, NULL);
		return;
	}
	for (k = 0; k < DETAIL__MAX && pl->n_pend[k] == 0; k++)
		;
	if (k == DETAIL__MAX && !ps->det_scanned) {
		/* Once per job, what the store says is missing. */
		ps->det_scanned = 1;
		details_scan(t);
		for (k = 0; k < DETAIL__MAX && pl->n_pend[k] == 0; k++)
			;
	}
	if (k == DETAIL__MAX) {
		poll_job_end(t, 1, NULL);
		return;
	}
	ps->det_kind = k;
	arr = pl->pend[k];
	n = pl->n_pend[k];
	max = details[k].batch;
	pl->budget_left--;
	/* One batch probes whether the API answers them; others wait. */
	if (!pl->batch_refused && n > 1 && max > 1 &&
	    (pl->batch_works || !pl->batch_probing)) {
		pl->batch_probing = !pl->batch_works;
		ps->det_batch = 1;
		ps->det_n = n < max ? n : max;
		len = (size_t)snprintf(path, sizeof(path), "/%s?ids=",
		    details[k].path);
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
	poll_request_get(t, details_on, "/%s/%s", details[k].path, arr[0]);
}

/* What one answered look-up writes. */
struct wr_det {
	struct parse_set *set;		/* NULL: nothing */
	int		 note;		/* queue what set still lacks */
	struct ent_new	 nw;
	char		(*gone)[ID_LEN + 1];	/* ids with nothing more */
	size_t		 n_gone;
};

static int
wr_details(struct store_txn *txn, void *arg)
{
	struct wr_det *w = arg;
	char key[sizeof(META_GONE_PREFIX) + ID_LEN];
	size_t i;

	free(w->nw.artists);
	free(w->nw.albums);
	memset(&w->nw, 0, sizeof(w->nw));
	if (w->set != NULL && ent_write(txn, w->set, w->note ? &w->nw : NULL)
	    == -1)
		return -1;
	for (i = 0; i < w->n_gone; i++) {
		gone_key(key, w->gone[i]);
		if (store_put_meta_i64(txn, key, poll_now_s()) == STORE_ERR)
			return -1;
	}
	return 0;
}

/*
 * After a look-up of id answered with set: whether id has nothing more to
 * give (not in the answer: a batch's null, a track relinked to another
 * id; a track without an album; an album without images), so that no
 * later scan asks again.
 */
static int
details_exhausted(int kind, const char *id, const struct parse_set *set)
{
	size_t i;

	if (kind == DETAIL_TRACK) {
		for (i = 0; i < set->n_tracks; i++)
			if (memcmp(set->tracks[i].id, id, ID_LEN) == 0)
				return set->tracks[i].album_id[0] == '\0';
		return 1;
	}
	if (kind == DETAIL_ALBUM) {
		for (i = 0; i < set->n_albums; i++)
			if (memcmp(set->albums[i].id, id, ID_LEN) == 0)
				return set->albums[i].n_images == 0;
		return 1;
	}
	for (i = 0; i < set->n_artists; i++)
		if (memcmp(set->artists[i].id, id, ID_LEN) == 0)
			return 0;
	return 1;
}

static void
details_on(struct task *t, enum spotify_result r, long status, const cJSON *doc)
{
	struct plays_state *ps = &t->state.plays;
	struct poller *pl = t->pl;
	int k = ps->det_kind;
	char (*arr)[ID_LEN + 1] = pl->pend[k];
	size_t *n = &pl->n_pend[k];
	struct wr_det w;
	size_t i;

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
	memset(&w, 0, sizeof(w));
	if (r == SPOTIFY_HTTP && (status == 404 || status == 400 ||
	    status == 403)) {
		/*
		 * Unknown to Spotify: do not ask again, not even after a
		 * restart (a 403 on one id may be this app's, not the id's).
		 */
		if (status != 403) {
			w.gone = arr;
			w.n_gone = ps->det_n;
			if (store_write(pl->st, wr_details, &w) != STORE_OK)
				log_warnx("user %s: cannot record that %s is "
				    "unknown", t->u.id, arr[0]);
		}
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
	if (parse_entities(doc, &ps->det) == -1) {
		log_warnx("user %s: detail look-up unusable; dropped", t->u.id);
		pending_drop(arr, n, ps->det_n);
		details_next(t);
		return;
	}
	w.set = &ps->det;
	w.note = k == DETAIL_TRACK;
	/* Those with nothing more to give move to the front, to be marked. */
	for (i = 0; i < ps->det_n; i++)
		if (details_exhausted(k, arr[i], &ps->det)) {
			char tmp[ID_LEN + 1];

			memcpy(tmp, arr[w.n_gone], ID_LEN + 1);
			memcpy(arr[w.n_gone], arr[i], ID_LEN + 1);
			memcpy(arr[i], tmp, ID_LEN + 1);
			w.n_gone++;
		}
	w.gone = arr;
	if (store_write(pl->st, wr_details, &w) != STORE_OK)
		log_warnx("user %s: detail look-up unusable; dropped", t->u.id);
	else
		pl->details_done += ps->det_n;
	pending_drop(arr, n, ps->det_n);
	/* A track's new artists and image-less album are asked next. */
	pending_add(pl, &w.nw);
	free(w.nw.artists);
	free(w.nw.albums);
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
