/*
 * insights.c — the engine of the insights of one user's journal
 * (contract: insights.h; what the insights' files share: insights_int.h).
 *
 * Two engines serve all nine insights.  The aggregate walk (calendar,
 * clock) lives beside them in insights_agg.c; every other insight is an
 * ordered scan, which this file runs.
 *
 * Ordered scans: store_scan_plays() hands the plays in time order to one
 * callback that looks the track up in an id table (idtab.h: 22-byte id
 * -> index; the track record is read from the store only the first time
 * it is seen: its duration, album and artists are interned into their
 * own tables), converts played_at to local time through a cached
 * constant-offset span of the zone (tz_span), and calls the insight's
 * step function with the track's index.  Per-entity counters are arrays
 * indexed like the tables; they grow by doubling, so nothing is
 * allocated per play.  Counters that restart (per month, per year, per
 * day) carry a generation number instead of being cleared.
 *
 * Insights that need the past before the range (new vs old: "first ever";
 * returns: "since the previous play") scan from the first play to the
 * end of the range and only count what falls inside it.
 *
 * The process's cache (struct insights_cache) keeps the tables above and
 * the journals of recent users as arrays, so long scans walk memory; it
 * follows the entity change log (changelog.h).  A journal is built in one
 * pass over the plays (insights_journal_build): each play's track is
 * looked up a few plays after it was read, its slot fetched into the
 * CPU's cache meanwhile, and the records of the tracks new to the cache
 * are read at the end all at once, in the store's key order
 * (store_get_tracks): a reader's first request pays one scan, not a
 * random look-up per track.
 *
 * Also here: the query's defaults and day arithmetic, the pieces of
 * rendering every insight uses, and the table of insights (insights_run).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changelog.h"
#include "idtab.h"
#include "insights.h"
#include "insights_int.h"
#include "log.h"
#include "radix.h"
#include "store.h"
#include "timeutil.h"
#include "tz.h"

/* A scan longer than this builds the user's journal in the cache. */
#define JOURNAL_SPAN	(90 * DAY_MS)

/* ---- small helpers ------------------------------------------------------ */

/* Monday = 0 .. Sunday = 6 of a day number (1970-01-01 was a Thursday). */
int
insights_weekday(int64_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

/* Grows *arr (elements of size sz, *cap of them) to hold n, zero-filled. */
int
insights_grow_slow(void *arrp, size_t *cap, size_t n, size_t sz)
{
	if (buf_grow_array(arrp, cap, n, sz, 64) == -1) {
		log_warn("insights: memory");
		return -1;
	}
	return 0;
}

/* Adds one play's listening time: ms_played, else duration, else none. */
void
insights_time_add_play(struct insights_time *t, int32_t ms_played,
    uint32_t duration)
{
	if (ms_played >= 0) {
		t->by_played++;
		t->ms_from_played += (uint64_t)ms_played;
		t->ms += (uint64_t)ms_played;
	} else if (duration > 0) {
		t->by_duration++;
		t->ms_from_duration += duration;
		t->ms += duration;
	} else
		t->untimed++;
}

void
insights_time_add(struct insights_time *t, const struct insights_time *a)
{
	t->ms += a->ms;
	t->ms_from_played += a->ms_from_played;
	t->ms_from_duration += a->ms_from_duration;
	t->by_played += a->by_played;
	t->by_duration += a->by_duration;
	t->untimed += a->untimed;
}

void
insights_range_set(struct insights_range *r, const struct insights_query *q)
{
	r->from_ms = q->from_ms;
	r->to_ms = q->to_ms;
	(void)strlcpy(r->tz, tz_name(q->tz), sizeof(r->tz));
}

/* Checks the bounds insights.h promises; logs and returns -1 otherwise. */
int
insights_check(const struct insights_query *q)
{
	if (q == NULL || q->user == NULL || q->tz == NULL ||
	    q->from_ms >= q->to_ms || q->limit < 1 ||
	    q->limit > INSIGHTS_LIMIT_MAX || q->binge_min < 2 ||
	    q->binge_min > 1000 || q->return_days < 1 ||
	    q->return_days > 3650) {
		log_warnx("insights: query out of bounds");
		return -1;
	}
	return 0;
}

/*
 * A max-heap of "worse" (cmp(a, b) < 0 when a is better) over h[0..n):
 * moves h[i] down to where it belongs.
 */
static void
insights_heap_sift(uint32_t *h, size_t n, size_t i, better_fn cmp,
    const void *ctx)
{
	size_t l, r, w;
	uint32_t tmp;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		w = i;
		/* A max-heap of "worse": the worst at the top. */
		if (l < n && cmp(h[w], h[l], ctx) < 0)
			w = l;
		if (r < n && cmp(h[w], h[r], ctx) < 0)
			w = r;
		if (w == i)
			return;
		tmp = h[i];
		h[i] = h[w];
		h[w] = tmp;
		i = w;
	}
}

size_t
insights_top_k(uint32_t *idx, size_t n, size_t k, better_fn cmp,
    const void *ctx)
{
	size_t i, m;
	uint32_t tmp;

	if (k > n)
		k = n;
	if (k == 0)
		return 0;
	/* idx[0..k) becomes the heap; the rest are offered one by one. */
	for (i = k / 2; i-- > 0;)
		insights_heap_sift(idx, k, i, cmp, ctx);
	for (i = k; i < n; i++)
		if (cmp(idx[i], idx[0], ctx) < 0) {
			idx[0] = idx[i];
			insights_heap_sift(idx, k, 0, cmp, ctx);
		}
	/* Heap sort: the worst goes to the end each round. */
	for (m = k; m > 1; m--) {
		tmp = idx[0];
		idx[0] = idx[m - 1];
		idx[m - 1] = tmp;
		insights_heap_sift(idx, m - 1, 0, cmp, ctx);
	}
	return k;
}

/* 0, 1, ..., n - 1 in a new array (NULL when out of memory). */
uint32_t *
insights_iota(size_t n)
{
	uint32_t *v;
	size_t i;

	if ((v = reallocarray(NULL, n ? n : 1, sizeof(*v))) == NULL) {
		log_warn("insights: memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		v[i] = (uint32_t)i;
	return v;
}

int
insights_best(size_t n, size_t limit, better_fn cmp, const void *ctx,
    uint32_t **idx, size_t *k)
{
	*k = 0;
	if ((*idx = insights_iota(n)) == NULL)
		return -1;
	*k = insights_top_k(*idx, n, limit, cmp, ctx);
	return 0;
}

int
insights_pick(const void *v, size_t n, size_t sz, size_t limit,
    better_fn cmp, void **out, size_t *n_out)
{
	uint32_t *idx;
	size_t i;

	*out = NULL;
	if (insights_best(n, limit, cmp, v, &idx, n_out) == -1)
		return -1;
	if (*n_out > 0 && (*out = reallocarray(NULL, *n_out, sz)) == NULL) {
		log_warn("insights: memory");
		free(idx);
		*n_out = 0;
		return -1;
	}
	for (i = 0; i < *n_out; i++)
		memcpy((char *)*out + i * sz, (const char *)v + idx[i] * sz,
		    sz);
	free(idx);
	return 0;
}

/* ---- what is known of tracks: per call, or cached per process ----------- */

static void
insights_tracktab_free(struct tracktab *tt)
{
	idtab_free(&tt->tracks);
	idtab_free(&tt->artists);
	idtab_free(&tt->albums);
	free(tt->ti);
	free(tt->art);
	memset(tt, 0, sizeof(*tt));
}

/*
 * A user's journal as compact arrays, in time order: the long scans walk
 * these instead of the store while the user's journal version (store.h,
 * store_agg_version) is the one they were read at.  Track indices are
 * those of the cache's tracktab, so emptying it empties these too.
 */
struct journal {
	char		 user[USER_ID_MAX + 1];	/* "" = a free slot */
	uint64_t	 version;
	int		 has_version;	/* store_agg_version() found one */
	int		 ready;		/* built at that version */
	int		 too_long;	/* over the cache at that version */
	int64_t		*at;
	uint32_t	*track;
	int32_t		*ms;
	size_t		 n, cap;
	uint64_t	 used;		/* LRU clock */
};

struct insights_cache {
	struct tracktab	 t;
	struct changelog follow;	/* the change log t is valid at */
	uint64_t	 loads, resets;
	struct journal	 jr[INSIGHTS_CACHE_USERS];
	size_t		 plays;		/* in all journals */
	uint64_t	 clock, builds;
};

static void
insights_journal_free(struct insights_cache *ic, struct journal *jr)
{
	ic->plays -= jr->n;
	free(jr->at);
	free(jr->track);
	free(jr->ms);
	memset(jr, 0, sizeof(*jr));
}

struct insights_cache *
insights_cache_new(void)
{
	struct insights_cache *ic;

	if ((ic = calloc(1, sizeof(*ic))) == NULL)
		log_warn("insights: memory");
	return ic;
}

void
insights_cache_free(struct insights_cache *ic)
{
	size_t i;

	if (ic == NULL)
		return;
	for (i = 0; i < INSIGHTS_CACHE_USERS; i++)
		insights_journal_free(ic, &ic->jr[i]);
	insights_tracktab_free(&ic->t);
	free(ic);
}

void
insights_cache_stats(const struct insights_cache *ic, uint64_t *tracks,
    uint64_t *loads, uint64_t *resets, uint64_t *builds)
{
	*tracks = ic->t.tracks.n;
	*loads = ic->loads;
	*resets = ic->resets;
	*builds = ic->builds;
}

static int
insights_cache_forget(enum entity_kind kind, const char *id, void *arg)
{
	struct insights_cache *ic = arg;
	uint32_t idx;

	if (kind == ENTITY_TRACK &&
	    idtab_get(&ic->t.tracks, id, 0, &idx) == 1)
		ic->t.ti[idx].loaded = 0;
	return 0;
}

static void
insights_cache_forget_all(void *arg)
{
	struct insights_cache *ic = arg;
	size_t i;

	if (ic->follow.synced)
		ic->resets++;
	for (i = 0; i < INSIGHTS_CACHE_USERS; i++)
		insights_journal_free(ic, &ic->jr[i]);
	insights_tracktab_free(&ic->t);
}

/* Over its bounds: the cache starts over at the next change. */
static int
insights_cache_too_big(void *arg)
{
	const struct insights_cache *ic = arg;

	return ic->t.tracks.n > INSIGHTS_CACHE_TRACKS ||
	    ic->t.n_art > 4 * ic->t.tracks.n + 4096;
}

/*
 * Brings the cache up to the transaction's change log (changelog.h):
 * tracks changed since it was last used are read again when next used;
 * when the log no longer reaches back that far, the store is not the one
 * it knew, the cache grew too big or the store failed, everything is
 * forgotten.
 */
static int
insights_cache_sync(struct insights_cache *ic, struct store_txn *txn)
{
	static const struct changelog_ops ops = {
		insights_cache_forget, insights_cache_forget_all,
		insights_cache_too_big
	};

	return changelog_sync(&ic->follow, txn, &ops, ic);
}

/* ---- the scan context --------------------------------------------------- */

/*
 * Points c->jr at the cache's journal of the user, marked ready when it
 * was built at the user's current version; takes a free or the least
 * recently used slot for a user not there.
 */
static int
insights_journal_find(struct ictx *c)
{
	struct insights_cache *ic = c->q->cache;
	struct journal *jr = NULL, *j;
	uint64_t version;
	size_t i;
	int rc;

	if ((rc = store_agg_version(c->txn, c->q->user, &version)) ==
	    STORE_ERR)
		return -1;
	if (strlen(c->q->user) > USER_ID_MAX)
		return 0;
	for (i = 0; i < INSIGHTS_CACHE_USERS; i++) {
		j = &ic->jr[i];
		if (strcmp(j->user, c->q->user) == 0) {
			jr = j;
			break;
		}
		/* Else a free slot, else the least recently used. */
		if (jr == NULL || (jr->user[0] != '\0' &&
		    (j->user[0] == '\0' || j->used < jr->used)))
			jr = j;
	}
	if (strcmp(jr->user, c->q->user) != 0 || jr->has_version !=
	    (rc == STORE_OK) || jr->version != version) {
		insights_journal_free(ic, jr);
		(void)strlcpy(jr->user, c->q->user, sizeof(jr->user));
		jr->has_version = rc == STORE_OK;
		jr->version = version;
	}
	jr->used = ++ic->clock;
	c->jr = jr->too_long ? NULL : jr;
	return 0;
}

int
insights_ctx_init(struct ictx *c, struct store_txn *txn,
    const struct insights_query *q)
{
	memset(c, 0, sizeof(*c));
	c->txn = txn;
	c->q = q;
	c->span_lo = 1;
	c->span_hi = 0;		/* empty: the first conversion loads it */
	c->tt = &c->own;
	if (q->cache != NULL) {
		if (insights_cache_sync(q->cache, txn) == -1 ||
		    insights_journal_find(c) == -1)
			return -1;
		c->tt = &q->cache->t;
	}
	return 0;
}

void
insights_ctx_free(struct ictx *c)
{
	insights_tracktab_free(&c->own);
}

/* Local ms of UTC ms t in the query's zone. */
int64_t
insights_ctx_local(struct ictx *c, int64_t t)
{
	int64_t lo, hi;
	int32_t off;

	if (t < c->span_lo || t >= c->span_hi) {
		off = tz_span(c->q->tz, time_fdiv(t, 1000), &lo, &hi);
		c->off_ms = (int64_t)off * 1000;
		c->span_lo = lo <= TIME_MS_MIN / 1000 ? INT64_MIN : lo * 1000;
		c->span_hi = hi >= TIME_MS_MAX / 1000 ? INT64_MAX : hi * 1000;
	}
	return t + c->off_ms;
}

int32_t
insights_ctx_day(struct ictx *c, int64_t t)
{
	return (int32_t)time_fdiv(insights_ctx_local(c, t), DAY_MS);
}


/*
 * Writes the local time of t as "YYYY-MM-DDTHH:MM:SS+HH:MM" into out
 * ("" when t cannot be written).
 */
void
insights_ctx_local_iso(struct ictx *c, int64_t t, char out[INSIGHTS_LOCAL_LEN])
{
	char iso[32];
	int64_t off;
	unsigned a;

	out[0] = '\0';
	if (t < TIME_MS_MIN + DAY_MS || t > TIME_MS_MAX - DAY_MS)
		return;
	off = insights_ctx_local(c, t) - t;
	if (time_format_iso8601(t + off, iso, 0) == -1)
		return;
	a = (unsigned)((off < 0 ? -off : off) / 1000);
	(void)snprintf(out, INSIGHTS_LOCAL_LEN, "%.19s%c%02u:%02u", iso,
	    off < 0 ? '-' : '+', (a / 3600) % 100, a / 60 % 60);
}

/*
 * Fills track idx's tinfo from its record tr (NULL: there is none).
 * Returns 0, or -1 when memory ran out (the tinfo is then not loaded).
 */
static int
insights_tinfo_fill(struct tracktab *tt, uint32_t idx, const struct track *tr)
{
	struct tinfo *ti = &tt->ti[idx];
	char aid[ID_LEN + 1];
	uint32_t i, a;

	memset(ti, 0, sizeof(*ti));
	ti->album = NONE;
	ti->art = (uint32_t)tt->n_art;
	if (tr != NULL) {
		ti->duration = tr->duration_ms;
		if (strlen(tr->album_id) == ID_LEN &&
		    idtab_get(&tt->albums, tr->album_id, 1, &ti->album) == -1)
			return -1;
		for (i = 0; i < tr->artists.n && i < ARTISTS_MAX; i++) {
			idlist_get(&tr->artists, i, aid);
			if (idtab_get(&tt->artists, aid, 1, &a) == -1 ||
			    insights_grow(&tt->art, &tt->art_cap, tt->n_art + 1,
			    sizeof(*tt->art)) == -1) {
				ti->n_art = 0;
				return -1;
			}
			tt->art[tt->n_art++] = a;
			ti->n_art++;
		}
	}
	ti->loaded = 1;
	return 0;
}

/* Reads track idx's record into its tinfo. */
static int
insights_ctx_load(struct ictx *c, uint32_t idx)
{
	struct tracktab *tt = c->tt;
	struct track tr;
	char id[ID_LEN + 1];
	int rc;

	idtab_copy(&tt->tracks, idx, id);
	if (c->q->cache != NULL)
		c->q->cache->loads++;
	if ((rc = store_get_track(c->txn, id, &tr)) == STORE_ERR)
		return -1;
	return insights_tinfo_fill(tt, idx, rc == STORE_OK ? &tr : NULL);
}

struct batch {
	struct tracktab	*tt;
	const uint32_t	*idx;
	int		 failed;
};

static int
insights_batch_cb(size_t i, const struct track *tr, void *arg)
{
	struct batch *b = arg;

	if (insights_tinfo_fill(b->tt, b->idx[i], tr) == -1) {
		b->failed = 1;
		return -1;
	}
	return 0;
}

/*
 * Reads the records of the n tracks idx[] (none loaded yet) at once, in
 * the store's key order (store_get_tracks): several times faster than
 * one look-up each.  idx[] is reordered.  Returns 0 or -1; on -1 none
 * is marked loaded, so each is read again when used.
 */
static int
insights_ctx_load_many(struct ictx *c, uint32_t *idx, size_t n)
{
	struct tracktab *tt = c->tt;
	struct batch b = { tt, idx, 0 };
	const char **ids = NULL;
	size_t i;
	int rc = -1;

	if (n == 0)
		return 0;
	/* idx[] in the store's key order (bytes, as memcmp). */
	if ((ids = reallocarray(NULL, n, sizeof(*ids))) == NULL ||
	    radix_order_ids(tt->tracks.id, idx, n) == -1) {
		log_warn("insights: memory");
		goto free_sort;
	}
	for (i = 0; i < n; i++) {
		ids[i] = tt->tracks.id[idx[i]];
		/* Not stored: known to have no record. */
		if (insights_tinfo_fill(tt, idx[i], NULL) == -1)
			goto free_sort;
	}
	if (c->q->cache != NULL)
		c->q->cache->loads += n;
	if (store_get_tracks(c->txn, ids, n, insights_batch_cb,
	    &b) == STORE_OK &&
	    !b.failed)
		rc = 0;
free_sort:
	if (rc == -1)
		for (i = 0; i < n; i++)
			tt->ti[idx[i]].loaded = 0;
	free(ids);
	return rc;
}

/* The index of track id (ID_LEN bytes), its record read when needed. */
int
insights_ctx_track(struct ictx *c, const char *id, uint32_t *idx)
{
	struct tracktab *tt = c->tt;
	int rc;

	if ((rc = idtab_get(&tt->tracks, id, 1, idx)) == -1)
		return -1;
	if (rc == 0 && insights_grow(&tt->ti, &tt->ti_cap, tt->tracks.n,
	    sizeof(*tt->ti)) == -1)
		return -1;
	if (!tt->ti[*idx].loaded)
		return insights_ctx_load(c, *idx);
	return 0;
}

static int
insights_ctx_scan_cb(const struct play_ref *p, void *arg)
{
	struct ictx *c = arg;
	uint32_t idx;

	if (p->played_at < TIME_MS_MIN || p->played_at > TIME_MS_MAX)
		return 0;
	if (insights_ctx_track(c, p->track_id, &idx) == -1) {
		c->failed = 1;
		return -1;
	}
	return c->step(c, p, idx);
}

#define RESOLVE_AHEAD	16	/* look-ups in flight (a power of two) */

/*
 * A journal build.  Each play's track id becomes its index RESOLVE_AHEAD
 * plays after it was read: its slot of the id table has been asked for
 * in the CPU's cache meanwhile (the table is megabytes and the look-ups
 * random, so waiting for memory would be their whole cost) while the
 * id itself is still in cache.  The tracks new to the cache are read at
 * the end, all at once.
 */
struct jbuild {
	struct ictx	*c;
	const char	*tid[RESOLVE_AHEAD];	/* ids in flight (txn) */
	uint64_t	 h[RESOLVE_AHEAD];	/* and their hashes */
	uint32_t	*fresh;		/* tracks new to the cache */
	size_t		 n_fresh, fresh_cap;
	int		 too_long;
};

/* Play j's track index (its id and hash in flight). */
static int
insights_jbuild_resolve(struct jbuild *b, size_t j)
{
	struct tracktab *tt = b->c->tt;
	uint32_t idx;
	int rc;

	if ((rc = idtab_get_h(&tt->tracks, b->tid[j % RESOLVE_AHEAD],
	    b->h[j % RESOLVE_AHEAD], 1, &idx)) == -1)
		return -1;
	if (rc == 0) {
		if (insights_grow(&tt->ti, &tt->ti_cap, tt->tracks.n,
		    sizeof(*tt->ti)) == -1 || insights_grow(&b->fresh,
		    &b->fresh_cap, b->n_fresh + 1, sizeof(*b->fresh)) == -1)
			return -1;
		b->fresh[b->n_fresh++] = idx;
	}
	b->c->jr->track[j] = idx;
	return 0;
}

static int
insights_journal_scan_cb(const struct play_ref *p, void *arg)
{
	struct jbuild *b = arg;
	struct journal *jr = b->c->jr;
	struct insights_cache *ic = b->c->q->cache;
	size_t cap, i;

	if (p->played_at < TIME_MS_MIN || p->played_at > TIME_MS_MAX)
		return 0;
	if (ic->plays >= INSIGHTS_CACHE_PLAYS) {
		b->too_long = 1;	/* given up,
		    see insights_journal_build() */
		return 1;
	}
	if (jr->n == jr->cap) {
		cap = jr->cap;
		if (insights_grow_slow(&jr->at, &cap, jr->n + 1,
		    sizeof(*jr->at)) == -1)
			return -1;
		cap = jr->cap;
		if (insights_grow_slow(&jr->track, &cap, jr->n + 1,
		    sizeof(*jr->track)) == -1)
			return -1;
		cap = jr->cap;
		if (insights_grow_slow(&jr->ms, &cap, jr->n + 1,
		    sizeof(*jr->ms)) == -1)
			return -1;
		jr->cap = cap;
	}
	i = jr->n;
	/* The play read RESOLVE_AHEAD ago leaves the slot i takes. */
	if (i >= RESOLVE_AHEAD && insights_jbuild_resolve(b,
	    i - RESOLVE_AHEAD) == -1)
		return -1;
	b->tid[i % RESOLVE_AHEAD] = p->track_id;
	b->h[i % RESOLVE_AHEAD] = idtab_hash(p->track_id);
	idtab_prefetch(&b->c->tt->tracks, b->h[i % RESOLVE_AHEAD]);
	jr->at[i] = p->played_at;
	jr->ms[i] = p->ms_played;
	jr->n++;
	ic->plays++;
	return 0;
}

/*
 * Reads the user's whole journal into c->jr.  Other users' journals make
 * room (least recently used first); one longer than the cache holds is
 * not kept, and the scans read the store.  Returns 0 or -1.
 */
static int
insights_journal_build(struct ictx *c)
{
	struct insights_cache *ic = c->q->cache;
	struct journal *jr = c->jr, *old;
	struct jbuild b;
	size_t i;
	int rc = -1;

	for (;;) {
		old = NULL;
		for (i = 0; i < INSIGHTS_CACHE_USERS; i++)
			if (&ic->jr[i] != jr && ic->jr[i].n > 0 &&
			    (old == NULL || ic->jr[i].used < old->used))
				old = &ic->jr[i];
		if (old == NULL || ic->plays < INSIGHTS_CACHE_PLAYS / 2)
			break;
		insights_journal_free(ic, old);
	}
	ic->plays -= jr->n;
	jr->n = 0;
	memset(&b, 0, sizeof(b));
	b.c = c;
	if (store_scan_plays(c->txn, c->q->user, TIME_MS_MIN, TIME_MS_MAX,
	    STORE_ASC, insights_journal_scan_cb, &b) != STORE_OK)
		goto free_fresh;
	ic->builds++;
	if (b.too_long) {
		ic->plays -= jr->n;
		jr->n = 0;
		jr->too_long = 1;	/* not tried again at this version */
		c->jr = NULL;
		rc = 0;
		goto free_fresh;
	}
	for (i = jr->n > RESOLVE_AHEAD ? jr->n - RESOLVE_AHEAD : 0;
	    i < jr->n; i++)
		if (insights_jbuild_resolve(&b, i) == -1)
			goto free_fresh;
	/*
	 * A known track the change log said changed is read again when a
	 * walk meets it (insights_journal_walk), as are these if this fails.
	 */
	if (insights_ctx_load_many(c, b.fresh, b.n_fresh) == -1)
		goto free_fresh;
	jr->ready = 1;
	rc = 0;
free_fresh:
	if (rc == -1) {
		ic->plays -= jr->n;
		jr->n = 0;
	}
	free(b.fresh);
	return rc;
}

/* The journal's plays in [from, to), each handed to c->step. */
static int
insights_journal_walk(struct ictx *c, int64_t from, int64_t to)
{
	const struct journal *jr = c->jr;
	struct play_ref r;
	size_t lo = 0, hi = jr->n, m;
	uint32_t idx;
	int rc;

	while (lo < hi) {		/* the first play at or after from */
		m = lo + (hi - lo) / 2;
		if (jr->at[m] < from)
			lo = m + 1;
		else
			hi = m;
	}
	for (; lo < jr->n && jr->at[lo] < to; lo++) {
		idx = jr->track[lo];
		/* A track the change log said changed is read again. */
		if (!c->tt->ti[idx].loaded && insights_ctx_load(c, idx) == -1)
			return -1;
		r.played_at = jr->at[lo];
		r.track_id = c->tt->tracks.id[idx];
		r.ms_played = jr->ms[lo];
		if ((rc = c->step(c, &r, idx)) != 0)
			return rc == 1 ? 0 : -1;
	}
	return 0;
}

/*
 * Calls step for every play of the user in [from, to), in time order:
 * from the cached journal when there is one (built here for a scan of
 * more than JOURNAL_SPAN), else from the store.
 */
int
insights_ctx_scan(struct ictx *c, int64_t from, int64_t to, step_fn step,
    void *arg)
{
	int rc;

	if (from >= to)
		return 0;
	/* to > from: their unsigned difference is exact, never overflows. */
	if (c->jr != NULL && !c->jr->ready &&
	    ((uint64_t)to - (uint64_t)from > (uint64_t)JOURNAL_SPAN ||
	    from <= TIME_MS_MIN) && insights_journal_build(c) == -1)
		return -1;
	c->step = step;
	c->arg = arg;
	if (c->jr != NULL && c->jr->ready)
		return insights_journal_walk(c, from, to);
	rc = store_scan_plays(c->txn, c->q->user, from, to - 1, STORE_ASC,
	    insights_ctx_scan_cb, c);
	return rc == STORE_OK && !c->failed ? 0 : -1;
}

static int
insights_one_play_cb(const struct play_ref *p, void *arg)
{
	struct one_play *o = arg;

	o->found = 1;
	o->at = p->played_at;
	memcpy(o->track_id, p->track_id, ID_LEN);
	o->track_id[ID_LEN] = '\0';
	return 1;
}

int
insights_ctx_one(struct ictx *c, int64_t from, int64_t to, enum store_dir dir,
    struct one_play *o)
{
	memset(o, 0, sizeof(*o));
	if (from > to)
		return 0;
	return store_scan_plays(c->txn, c->q->user, from, to, dir,
	    insights_one_play_cb, o) == STORE_OK ? 0 : -1;
}

/* ---- the query ---------------------------------------------------------- */

int32_t
insights_day_of(const struct tz *z, int64_t ms)
{
	return (int32_t)time_fdiv(ms + (int64_t)tz_offset(z,
	    time_fdiv(ms, 1000)) * 1000, DAY_MS);
}

int64_t
insights_day_start(const struct tz *z, int32_t day)
{
	int64_t l = (int64_t)day * DAY_MS, t, cand[2];
	int i;

	/* The offset at the instant sought is one of these two. */
	cand[0] = (int64_t)tz_offset(z, time_fdiv(l, 1000)) * 1000;
	cand[1] = (int64_t)tz_offset(z, time_fdiv(l - cand[0],
	    1000)) * 1000;
	for (i = 1; i >= 0; i--) {
		t = l - cand[i];
		if (insights_day_of(z, t) == day &&
		    insights_day_of(z, t - 1) < day)
			return t;
	}
	/* Midnight skipped: the day starts at the transition. */
	for (i = 0; i < 2; i++) {
		t = l - cand[i];
		if (insights_day_of(z, t) == day) {
			while (insights_day_of(z, t - 1) == day)
				t -= 60000;	/* back to the minute it began */
			return t;
		}
	}
	return l - cand[0];
}

void
insights_query_init(struct insights_query *q, const char *user,
    const struct tz *tz)
{
	int64_t now = time_now_ms();

	memset(q, 0, sizeof(*q));
	q->user = user;
	q->tz = tz;
	q->from_ms = 0;
	q->to_ms = INT64_MAX;
	q->binge_min = INSIGHTS_BINGE_MIN;
	q->return_days = INSIGHTS_RETURN_DAYS;
	q->limit = INSIGHTS_LIMIT_DEFAULT;
	q->day = insights_day_of(tz, now);
}

/* ---- rendering shared by the insights ----------------------------------- */

/* key: "YYYY-MM" of year y's month m, or null outside years 1..9999. */
void
insights_render_month(struct json *j, const char *key, int64_t y, unsigned m)
{
	char s[11];

	if (y >= 1 && y <= 9999 &&
	    time_format_day(time_days_from_civil(y, m, 1), s) == 0) {
		s[7] = '\0';
		json_str(j, key, s);
	} else
		json_null(j, key);
}

void
insights_render_head(struct json *j, const char *key, const char *name,
    const struct insights_range *r)
{
	json_obj_open(j, key);
	json_str(j, "insight", name);
	json_time_ms(j, "from", "from_iso", r->from_ms);
	json_time_ms(j, "to", "to_iso", r->to_ms);
	json_str(j, "tz", r->tz);
}

/* The whole breakdown, as an object (totals). */
void
insights_render_time(struct json *j, const char *key,
    const struct insights_time *t)
{
	json_obj_open(j, key);
	json_uint(j, "ms", t->ms);
	json_uint(j, "ms_from_played", t->ms_from_played);
	json_uint(j, "ms_from_duration", t->ms_from_duration);
	json_uint(j, "by_played", t->by_played);
	json_uint(j, "by_duration", t->by_duration);
	json_uint(j, "untimed", t->untimed);
	json_obj_close(j);
}

/* The short form inside an entry: ms and the counts of each kind. */
void
insights_render_time_short(struct json *j, const struct insights_time *t)
{
	json_uint(j, "ms", t->ms);
	json_uint(j, "by_played", t->by_played);
	json_uint(j, "by_duration", t->by_duration);
	json_uint(j, "untimed", t->untimed);
}

/* ---- an answer's frame --------------------------------------------------- */

int
insights_answer(struct store_txn *txn, const struct insights_query *q,
    void *out, size_t sz, struct insights_range *r, body_fn body, void *arg)
{
	struct ictx c;
	int rc = -1;

	memset(out, 0, sz);
	if (insights_check(q) == -1)
		return -1;
	insights_range_set(r, q);
	if (insights_ctx_init(&c, txn, q) == 0)
		rc = body(&c, arg);
	insights_ctx_free(&c);
	return rc;
}

/* ---- the table ---------------------------------------------------------- */

/* One runner per kind: compute, render, free (generated by a macro). */
#define INSIGHTS_RUNNER(name)						\
static int								\
insights_run_##name(struct store_txn *txn,				\
    const struct insights_query *q, struct json *j)			\
{									\
	struct insights_##name r;					\
									\
	if (insights_get_##name(txn, q, &r) == -1)			\
		return -1;						\
	insights_render_##name(j, NULL, &r);				\
	insights_free_##name(&r);					\
	return 0;							\
}

INSIGHTS_RUNNER(calendar)
INSIGHTS_RUNNER(clock)
INSIGHTS_RUNNER(binges)
INSIGHTS_RUNNER(seasons)
INSIGHTS_RUNNER(newold)
INSIGHTS_RUNNER(returns)
INSIGHTS_RUNNER(onthisday)
INSIGHTS_RUNNER(top)
INSIGHTS_RUNNER(streaks)

const struct insights_kind_def insights_kinds[INSIGHTS__MAX] = {
	[INSIGHTS_CALENDAR] =	{ "calendar", insights_run_calendar },
	[INSIGHTS_CLOCK] =	{ "clock", insights_run_clock },
	[INSIGHTS_BINGES] =	{ "binges", insights_run_binges },
	[INSIGHTS_SEASONS] =	{ "seasons", insights_run_seasons },
	[INSIGHTS_NEWOLD] =	{ "newold", insights_run_newold },
	[INSIGHTS_RETURNS] =	{ "returns", insights_run_returns },
	[INSIGHTS_ONTHISDAY] =	{ "onthisday", insights_run_onthisday },
	[INSIGHTS_TOP] =	{ "top", insights_run_top },
	[INSIGHTS_STREAKS] =	{ "streaks", insights_run_streaks },
};

int
insights_kind_from_name(const char *name)
{
	int k;

	if (name == NULL)
		return -1;
	for (k = 0; k < INSIGHTS__MAX; k++)
		if (strcmp(insights_kinds[k].name, name) == 0)
			return k;
	return -1;
}

int
insights_run(struct store_txn *txn, enum insights_kind kind,
    const struct insights_query *q, struct json *j)
{
	if ((int)kind < 0 || kind >= INSIGHTS__MAX) {
		log_warnx("insights: no such insight");
		return -1;
	}
	return insights_kinds[kind].run(txn, q, j);
}
