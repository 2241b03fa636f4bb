/*
 * insights.c — the insights of one user's journal (contract: insights.h).
 *
 * Two engines serve all nine insights.
 *
 * Aggregates (calendar, clock): the store keeps, per user and 15-minute
 * UTC bucket, the plays and listening time of that bucket, updated in the
 * transaction that adds or deletes a play (store.h, store_iter_agg).  A
 * bucket lies inside one local hour of every zone whose offsets are whole
 * quarter hours (every zone since 1972), so walking the buckets of the
 * range and shifting each by its zone offset gives exact local days and
 * hours.  Where that does not hold the plays themselves are read: the
 * partial buckets at the edges of a range that does not start or end on
 * a bucket boundary, and a bucket in which the zone's offset changes
 * (transitions off the quarter hour: five zones since 2008).
 *
 * Ordered scans (everything else): store_iter_plays() hands the plays in
 * time order to one callback that looks the track up in a per-call open
 * addressing table (22-byte id -> index; the track record is read from the
 * store only the first time it is seen: its duration, album and artists
 * are interned into their own tables), converts played_at to local time
 * through a cached constant-offset span of the zone (tz_span), and calls
 * the insight's step function with the track's index.  Per-entity counters
 * are arrays indexed like the tables; they grow by doubling, so nothing is
 * allocated per play.  Counters that restart (per month, per year, per
 * day) carry a generation number instead of being cleared.
 *
 * Insights that need the past before the range (new vs old: "first ever";
 * returns: "since the previous play") scan from the first play to the
 * end of the range and only count what falls inside it.
 *
 * The process's cache (struct insights_cache) keeps the tables above and
 * the journals of recent users as arrays, so long scans walk memory.  A
 * journal is built in one pass over the plays (journal_build): each
 * play's track is looked up a few plays after it was read, its slot
 * fetched into the CPU's cache meanwhile, and the records of the tracks
 * new to the cache are read at the end all at once, in the store's key
 * order (store_get_tracks): a reader's first request pays one scan, not
 * a random look-up per track.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changelog.h"
#include "idtab.h"
#include "insights.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"
#include "tz.h"

#define DAY_MS		INT64_C(86400000)
#define HOUR_MS		INT64_C(3600000)
#define ARTISTS_MAX	8	/* credited artists kept per track */
#define NONE		UINT32_MAX
/* A scan longer than this builds the user's journal in the cache. */
#define JOURNAL_SPAN	(90 * DAY_MS)

/* ---- small helpers --------------------------------------------------------- */

static int64_t
ins_fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b < 0)
		q--;
	return q;
}

/* Monday = 0 .. Sunday = 6 of a day number (1970-01-01 was a Thursday). */
static int
ins_weekday(int64_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

/* Grows *arr (elements of size sz, *cap of them) to hold n, zero-filled. */
static int
ins_grow_slow(void *arrp, size_t *cap, size_t n, size_t sz)
{
	void **arr = arrp;
	size_t ncap;
	void *p;

	ncap = *cap < 64 ? 64 : *cap;
	while (ncap < n)
		ncap *= 2;
	if ((p = reallocarray(*arr, ncap, sz)) == NULL) {
		log_warn("insights: memory");
		return -1;
	}
	memset((char *)p + *cap * sz, 0, (ncap - *cap) * sz);
	*arr = p;
	*cap = ncap;
	return 0;
}

/* The per-play fast path of ins_grow_slow(): nothing to do, inline. */
static inline int
ins_grow(void *arrp, size_t *cap, size_t n, size_t sz)
{
	return n <= *cap ? 0 : ins_grow_slow(arrp, cap, n, sz);
}

/* Adds one play's listening time: ms_played, else duration, else none. */
static void
time_add_play(struct insights_time *t, int32_t ms_played, uint32_t duration)
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

static void
time_add(struct insights_time *t, const struct insights_time *a)
{
	t->ms += a->ms;
	t->ms_from_played += a->ms_from_played;
	t->ms_from_duration += a->ms_from_duration;
	t->by_played += a->by_played;
	t->by_duration += a->by_duration;
	t->untimed += a->untimed;
}

static void
ins_range(struct insights_range *r, const struct insights_query *q)
{
	r->from_ms = q->from_ms;
	r->to_ms = q->to_ms;
	(void)strlcpy(r->tz, tz_name(q->tz), sizeof(r->tz));
}

/* Checks the bounds insights.h promises; logs and returns -1 otherwise. */
static int
ins_check(const struct insights_query *q)
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
 * The best k of n candidates (indices), best first, by cmp(a, b, ctx) < 0
 * when a is better: a bounded heap whose top is the worst kept, so
 * O(n log k) and no worst case.  idx[0..min(n, k)) receives the result;
 * returns how many.
 */
typedef int (*better_fn)(uint32_t, uint32_t, const void *ctx);

static void
heap_sift(uint32_t *h, size_t n, size_t i, better_fn cmp, const void *ctx)
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

static size_t
ins_top_k(uint32_t *idx, size_t n, size_t k, better_fn cmp, const void *ctx)
{
	size_t i, m;
	uint32_t tmp;

	if (k > n)
		k = n;
	if (k == 0)
		return 0;
	/* idx[0..k) becomes the heap; the rest are offered one by one. */
	for (i = k / 2; i-- > 0;)
		heap_sift(idx, k, i, cmp, ctx);
	for (i = k; i < n; i++)
		if (cmp(idx[i], idx[0], ctx) < 0) {
			idx[0] = idx[i];
			heap_sift(idx, k, 0, cmp, ctx);
		}
	/* Heap sort: the worst goes to the end each round. */
	for (m = k; m > 1; m--) {
		tmp = idx[0];
		idx[0] = idx[m - 1];
		idx[m - 1] = tmp;
		heap_sift(idx, m - 1, 0, cmp, ctx);
	}
	return k;
}

/* 0, 1, ..., n - 1 in a new array (NULL when out of memory). */
static uint32_t *
ins_iota(size_t n)
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

/* ---- what is known of tracks: per call, or cached per process ----------- */

/* A track's facts, read once from its record. */
struct tinfo {
	uint32_t	 duration;	/* ms, 0 = unknown */
	uint32_t	 album;		/* index in albums, or NONE */
	uint32_t	 art;		/* first of n_art indices in tt->art */
	uint8_t		 n_art;
	uint8_t		 loaded;	/* 0: (re)read the record when used */
};

struct tracktab {
	struct idtab	 tracks, artists, albums;
	struct tinfo	*ti;
	size_t		 ti_cap;
	uint32_t	*art;		/* pool of artist indices */
	size_t		 n_art, art_cap;
};

static void
tracktab_free(struct tracktab *tt)
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
journal_free(struct insights_cache *ic, struct journal *jr)
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
		journal_free(ic, &ic->jr[i]);
	tracktab_free(&ic->t);
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
		journal_free(ic, &ic->jr[i]);
	tracktab_free(&ic->t);
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

/* ---- the scan context ----------------------------------------------------- */

struct ictx;
/* An insight's step: one play in time order, with its track index. */
typedef int (*step_fn)(struct ictx *, const struct play_ref *,
    uint32_t track);

struct ictx {
	struct store_txn		*txn;
	const struct insights_query	*q;
	struct tracktab	*tt;		/* own, or the cache's */
	struct tracktab	 own;
	struct journal	*jr;		/* the user's, in the cache, or NULL */
	/* the zone: offset over [span_lo, span_hi), all ms */
	int64_t		 span_lo, span_hi, off_ms;
	/* the current scan */
	step_fn		 step;
	void		*arg;
	int		 failed;
};

/*
 * Points c->jr at the cache's journal of the user, marked ready when it
 * was built at the user's current version; takes a free or the least
 * recently used slot for a user not there.
 */
static int
journal_find(struct ictx *c)
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
		journal_free(ic, jr);
		(void)strlcpy(jr->user, c->q->user, sizeof(jr->user));
		jr->has_version = rc == STORE_OK;
		jr->version = version;
	}
	jr->used = ++ic->clock;
	c->jr = jr->too_long ? NULL : jr;
	return 0;
}

static int
ictx_init(struct ictx *c, struct store_txn *txn,
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
		    journal_find(c) == -1)
			return -1;
		c->tt = &q->cache->t;
	}
	return 0;
}

static void
ictx_free(struct ictx *c)
{
	tracktab_free(&c->own);
}

/* Local ms of UTC ms t in the query's zone. */
static int64_t
ictx_local(struct ictx *c, int64_t t)
{
	int64_t lo, hi;
	int32_t off;

	if (t < c->span_lo || t >= c->span_hi) {
		off = tz_span(c->q->tz, ins_fdiv(t, 1000), &lo, &hi);
		c->off_ms = (int64_t)off * 1000;
		c->span_lo = lo <= TIME_MS_MIN / 1000 ? INT64_MIN : lo * 1000;
		c->span_hi = hi >= TIME_MS_MAX / 1000 ? INT64_MAX : hi * 1000;
	}
	return t + c->off_ms;
}

static int32_t
ictx_day(struct ictx *c, int64_t t)
{
	return (int32_t)ins_fdiv(ictx_local(c, t), DAY_MS);
}


/*
 * Writes the local time of t as "YYYY-MM-DDTHH:MM:SS+HH:MM" into out
 * ("" when t cannot be written).
 */
static void
ictx_local_iso(struct ictx *c, int64_t t, char out[INSIGHTS_LOCAL_LEN])
{
	char iso[32];
	int64_t off;
	unsigned a;

	out[0] = '\0';
	if (t < TIME_MS_MIN + DAY_MS || t > TIME_MS_MAX - DAY_MS)
		return;
	off = ictx_local(c, t) - t;
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
tinfo_fill(struct tracktab *tt, uint32_t idx, const struct track *tr)
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
			    ins_grow(&tt->art, &tt->art_cap, tt->n_art + 1,
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
ictx_load(struct ictx *c, uint32_t idx)
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
	return tinfo_fill(tt, idx, rc == STORE_OK ? &tr : NULL);
}

/*
 * Sorts v[0..n) by key[0..n) ascending (keys move along), ktmp and vtmp
 * holding n of each: a radix sort, 8 bits a pass, stable.
 */
static void
ins_radix_sort(uint64_t *key, uint32_t *v, uint64_t *ktmp, uint32_t *vtmp,
    size_t n)
{
	size_t cnt[256], i, sum, c;
	unsigned shift;
	uint64_t *k0 = key, *kt;
	uint32_t *v0 = v, *vt;

	if (n < 2)
		return;
	for (shift = 0; shift < 64; shift += 8) {
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(key[i] >> shift) & 0xff]++;
		if (cnt[(key[0] >> shift) & 0xff] == n)
			continue;		/* one value: nothing moves */
		for (sum = 0, i = 0; i < 256; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			c = cnt[(key[i] >> shift) & 0xff]++;
			ktmp[c] = key[i];
			vtmp[c] = v[i];
		}
		kt = key;
		key = ktmp;
		ktmp = kt;
		vt = v;
		v = vtmp;
		vtmp = vt;
	}
	if (v != v0) {
		memcpy(v0, v, n * sizeof(*v));
		memcpy(k0, key, n * sizeof(*key));
	}
}

struct batch {
	struct tracktab	*tt;
	const uint32_t	*idx;
	int		 failed;
};

static int
batch_cb(size_t i, const struct track *tr, void *arg)
{
	struct batch *b = arg;

	if (tinfo_fill(b->tt, b->idx[i], tr) == -1) {
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
ictx_load_many(struct ictx *c, uint32_t *idx, size_t n)
{
	struct tracktab *tt = c->tt;
	struct batch b = { tt, idx, 0 };
	const char **ids = NULL;
	uint64_t *key = NULL, *ktmp = NULL;
	uint32_t *vtmp = NULL;
	const unsigned char *id;
	size_t i, k, w, off;
	int rc = -1;

	if (n == 0)
		return 0;
	if ((key = reallocarray(NULL, n, sizeof(*key))) == NULL ||
	    (ktmp = reallocarray(NULL, n, sizeof(*ktmp))) == NULL ||
	    (vtmp = reallocarray(NULL, n, sizeof(*vtmp))) == NULL ||
	    (ids = reallocarray(NULL, n, sizeof(*ids))) == NULL) {
		log_warn("insights: memory");
		goto done;
	}
	/*
	 * The store's key order (bytes, as memcmp): sorted by the last 8
	 * bytes, then (stably) by bytes 8..15 and by the first 8.
	 */
	for (w = 3; w-- > 0;) {
		off = w == 2 ? ID_LEN - 8 : w * 8;
		for (i = 0; i < n; i++) {
			id = (const unsigned char *)tt->tracks.id[idx[i]] + off;
			for (key[i] = 0, k = 0; k < 8; k++)
				key[i] = key[i] << 8 | id[k];
		}
		ins_radix_sort(key, idx, ktmp, vtmp, n);
	}
	for (i = 0; i < n; i++) {
		ids[i] = tt->tracks.id[idx[i]];
		/* Not stored: known to have no record. */
		if (tinfo_fill(tt, idx[i], NULL) == -1)
			goto done;
	}
	if (c->q->cache != NULL)
		c->q->cache->loads += n;
	if (store_get_tracks(c->txn, ids, n, batch_cb, &b) == STORE_OK &&
	    !b.failed)
		rc = 0;
done:
	if (rc == -1)
		for (i = 0; i < n; i++)
			tt->ti[idx[i]].loaded = 0;
	free(key);
	free(ktmp);
	free(vtmp);
	free(ids);
	return rc;
}

/* The index of track id (ID_LEN bytes), its record read when needed. */
static int
ictx_track(struct ictx *c, const char *id, uint32_t *idx)
{
	struct tracktab *tt = c->tt;
	int rc;

	if ((rc = idtab_get(&tt->tracks, id, 1, idx)) == -1)
		return -1;
	if (rc == 0 && ins_grow(&tt->ti, &tt->ti_cap, tt->tracks.n,
	    sizeof(*tt->ti)) == -1)
		return -1;
	if (!tt->ti[*idx].loaded)
		return ictx_load(c, *idx);
	return 0;
}

static int
ictx_scan_cb(const struct play_ref *p, void *arg)
{
	struct ictx *c = arg;
	uint32_t idx;

	if (p->played_at < TIME_MS_MIN || p->played_at > TIME_MS_MAX)
		return 0;
	if (ictx_track(c, p->track_id, &idx) == -1) {
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
jbuild_resolve(struct jbuild *b, size_t j)
{
	struct tracktab *tt = b->c->tt;
	uint32_t idx;
	int rc;

	if ((rc = idtab_get_h(&tt->tracks, b->tid[j % RESOLVE_AHEAD],
	    b->h[j % RESOLVE_AHEAD], 1, &idx)) == -1)
		return -1;
	if (rc == 0) {
		if (ins_grow(&tt->ti, &tt->ti_cap, tt->tracks.n,
		    sizeof(*tt->ti)) == -1 || ins_grow(&b->fresh,
		    &b->fresh_cap, b->n_fresh + 1, sizeof(*b->fresh)) == -1)
			return -1;
		b->fresh[b->n_fresh++] = idx;
	}
	b->c->jr->track[j] = idx;
	return 0;
}

static int
journal_scan_cb(const struct play_ref *p, void *arg)
{
	struct jbuild *b = arg;
	struct journal *jr = b->c->jr;
	struct insights_cache *ic = b->c->q->cache;
	size_t cap, i;

	if (p->played_at < TIME_MS_MIN || p->played_at > TIME_MS_MAX)
		return 0;
	if (ic->plays >= INSIGHTS_CACHE_PLAYS) {
		b->too_long = 1;	/* given up, see journal_build() */
		return 1;
	}
	if (jr->n == jr->cap) {
		cap = jr->cap;
		if (ins_grow_slow(&jr->at, &cap, jr->n + 1,
		    sizeof(*jr->at)) == -1)
			return -1;
		cap = jr->cap;
		if (ins_grow_slow(&jr->track, &cap, jr->n + 1,
		    sizeof(*jr->track)) == -1)
			return -1;
		cap = jr->cap;
		if (ins_grow_slow(&jr->ms, &cap, jr->n + 1,
		    sizeof(*jr->ms)) == -1)
			return -1;
		jr->cap = cap;
	}
	i = jr->n;
	/* The play read RESOLVE_AHEAD ago leaves the slot i takes. */
	if (i >= RESOLVE_AHEAD && jbuild_resolve(b, i - RESOLVE_AHEAD) == -1)
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
journal_build(struct ictx *c)
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
		journal_free(ic, old);
	}
	ic->plays -= jr->n;
	jr->n = 0;
	memset(&b, 0, sizeof(b));
	b.c = c;
	if (store_scan_plays(c->txn, c->q->user, TIME_MS_MIN, TIME_MS_MAX, STORE_ASC,
	    journal_scan_cb, &b) != STORE_OK)
		goto done;
	ic->builds++;
	if (b.too_long) {
		ic->plays -= jr->n;
		jr->n = 0;
		jr->too_long = 1;	/* not tried again at this version */
		c->jr = NULL;
		rc = 0;
		goto done;
	}
	for (i = jr->n > RESOLVE_AHEAD ? jr->n - RESOLVE_AHEAD : 0;
	    i < jr->n; i++)
		if (jbuild_resolve(&b, i) == -1)
			goto done;
	/*
	 * A known track the change log said changed is read again when a
	 * walk meets it (journal_walk), as are these if this fails.
	 */
	if (ictx_load_many(c, b.fresh, b.n_fresh) == -1)
		goto done;
	jr->ready = 1;
	rc = 0;
done:
	if (rc == -1) {
		ic->plays -= jr->n;
		jr->n = 0;
	}
	free(b.fresh);
	return rc;
}

/* The journal's plays in [from, to), each handed to c->step. */
static int
journal_walk(struct ictx *c, int64_t from, int64_t to)
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
		if (!c->tt->ti[idx].loaded && ictx_load(c, idx) == -1)
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
static int
ictx_scan(struct ictx *c, int64_t from, int64_t to, step_fn step, void *arg)
{
	int rc;

	if (from >= to)
		return 0;
	/* to > from: their unsigned difference is exact, never overflows. */
	if (c->jr != NULL && !c->jr->ready &&
	    ((uint64_t)to - (uint64_t)from > (uint64_t)JOURNAL_SPAN ||
	    from <= TIME_MS_MIN) && journal_build(c) == -1)
		return -1;
	c->step = step;
	c->arg = arg;
	if (c->jr != NULL && c->jr->ready)
		return journal_walk(c, from, to);
	rc = store_scan_plays(c->txn, c->q->user, from, to - 1, STORE_ASC,
	    ictx_scan_cb, c);
	return rc == STORE_OK && !c->failed ? 0 : -1;
}

/* One play next to t: the last before (DESC) or first after (ASC). */
struct one_play {
	int		 found;
	int64_t		 at;
	char		 track_id[ID_LEN + 1];
};

static int
one_play_cb(const struct play_ref *p, void *arg)
{
	struct one_play *o = arg;

	o->found = 1;
	o->at = p->played_at;
	memcpy(o->track_id, p->track_id, ID_LEN);
	o->track_id[ID_LEN] = '\0';
	return 1;
}

static int
ictx_one(struct ictx *c, int64_t from, int64_t to, enum store_dir dir,
    struct one_play *o)
{
	memset(o, 0, sizeof(*o));
	if (from > to)
		return 0;
	return store_scan_plays(c->txn, c->q->user, from, to, dir,
	    one_play_cb, o) == STORE_OK ? 0 : -1;
}

/* ---- aggregates: calendar and clock ---------------------------------------- */

/* A unit of the aggregate walk: one bucket or one edge play, local time. */
typedef void (*unit_fn)(int64_t local_ms, uint32_t plays,
    const struct insights_time *, void *arg);

struct agg_walk {
	struct ictx	*c;
	unit_fn		 fn;
	void		*arg;
};

static int
agg_edge_step(struct ictx *c, const struct play_ref *p, uint32_t track)
{
	struct agg_walk *w = c->arg;
	struct insights_time t;

	memset(&t, 0, sizeof(t));
	time_add_play(&t, p->ms_played, c->tt->ti[track].duration);
	w->fn(ictx_local(c, p->played_at), 1, &t, w->arg);
	return 0;
}

static int
agg_bucket_cb(const struct agg_bucket *b, void *arg)
{
	struct agg_walk *w = arg;
	struct ictx *c = w->c;
	struct insights_time t;
	int64_t local = ictx_local(c, b->start_ms);

	/*
	 * The zone's offset changes inside this bucket (a transition off
	 * the quarter hour, as Gaza's and St. John's at 00:01 once were):
	 * its plays one by one, each at its own offset.
	 */
	if (c->span_hi < b->start_ms + STORE_AGG_BUCKET_MS)
		return ictx_scan(c, b->start_ms, b->start_ms +
		    STORE_AGG_BUCKET_MS, agg_edge_step, w);
	memset(&t, 0, sizeof(t));
	t.by_played = b->by_played;
	t.ms_from_played = b->ms_played;
	t.by_duration = b->by_duration;
	t.ms_from_duration = b->ms_duration;
	t.ms = b->ms_played + b->ms_duration;
	t.untimed = b->plays - b->by_played - b->by_duration;
	w->fn(local, b->plays, &t, w->arg);
	return 0;
}

/*
 * Calls fn for the range's plays in time order: whole buckets from the
 * aggregates, the partial buckets at either end play by play.
 */
static int
agg_walk(struct ictx *c, unit_fn fn, void *arg)
{
	const int64_t B = STORE_AGG_BUCKET_MS;
	struct agg_walk w = { c, fn, arg };
	int64_t from = c->q->from_ms, to = c->q->to_ms, lo, hi;

	from = from < TIME_MS_MIN ? TIME_MS_MIN : from;
	to = to > TIME_MS_MAX + 1 ? TIME_MS_MAX + 1 : to;
	if (from >= to)
		return 0;
	lo = -ins_fdiv(-from, B) * B;		/* first whole bucket */
	hi = ins_fdiv(to, B) * B;		/* end of the last */
	if (lo >= hi)
		return ictx_scan(c, from, to, agg_edge_step, &w);
	if (ictx_scan(c, from, lo, agg_edge_step, &w) == -1)
		return -1;
	if (store_iter_agg(c->txn, c->q->user, lo, hi - B, STORE_ASC,
	    agg_bucket_cb, &w) != STORE_OK)
		return -1;
	return ictx_scan(c, hi, to, agg_edge_step, &w);
}

struct cal_acc {
	struct insights_calendar *cal;
	size_t		 cap;
	int		 failed;
};

static void
cal_unit(int64_t local, uint32_t plays, const struct insights_time *t,
    void *arg)
{
	struct cal_acc *a = arg;
	struct insights_calendar *cal = a->cal;
	int32_t day = (int32_t)ins_fdiv(local, DAY_MS);
	struct insights_day *d;

	if (cal->n == 0 || cal->days[cal->n - 1].day != day) {
		if (ins_grow(&cal->days, &a->cap, cal->n + 1,
		    sizeof(*cal->days)) == -1) {
			a->failed = 1;
			return;
		}
		cal->days[cal->n++].day = day;
	}
	d = &cal->days[cal->n - 1];
	d->plays += plays;
	time_add(&d->time, t);
	cal->plays += plays;
	time_add(&cal->time, t);
}

int
insights_get_calendar(struct store_txn *txn, const struct insights_query *q,
    struct insights_calendar *out)
{
	struct cal_acc a = { out, 0, 0 };
	struct ictx c;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ins_check(q) == -1)
		return -1;
	ins_range(&out->r, q);
	if (ictx_init(&c, txn, q) == 0)
		rc = agg_walk(&c, cal_unit, &a);
	ictx_free(&c);
	if (rc == -1 || a.failed) {
		insights_free_calendar(out);
		return -1;
	}
	return 0;
}

void
insights_free_calendar(struct insights_calendar *cal)
{
	free(cal->days);
	memset(cal, 0, sizeof(*cal));
}

static void
clock_unit(int64_t local, uint32_t plays, const struct insights_time *t,
    void *arg)
{
	struct insights_clock *ck = arg;
	int64_t day = ins_fdiv(local, DAY_MS);
	int wd = ins_weekday(day);
	int h = (int)((local - day * DAY_MS) / HOUR_MS);

	ck->plays[wd][h] += plays;
	ck->ms[wd][h] += t->ms;
	ck->total += plays;
	time_add(&ck->time, t);
}

int
insights_get_clock(struct store_txn *txn, const struct insights_query *q,
    struct insights_clock *out)
{
	struct ictx c;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ins_check(q) == -1)
		return -1;
	ins_range(&out->r, q);
	if (ictx_init(&c, txn, q) == 0)
		rc = agg_walk(&c, clock_unit, out);
	ictx_free(&c);
	if (rc == -1)
		insights_free_clock(out);
	return rc;
}

void
insights_free_clock(struct insights_clock *ck)
{
	memset(ck, 0, sizeof(*ck));
}

/* ---- binges ------------------------------------------------------------------ */

struct binge_run {
	struct insights_binge *v;	/* all found */
	size_t		 n, cap;
	uint32_t	 track;		/* NONE before the first play */
	int		 counted;	/* the run started inside the range */
	uint32_t	 len;
	int64_t		 first, last;
	uint64_t	 first_len;	/* listening time of the first play */
	struct insights_time time;
	int		 extending;	/* reading past the range's end */
};

static int
binge_close(struct ictx *c, struct binge_run *r)
{
	struct insights_binge *b;

	if (r->track == NONE || !r->counted || r->len < c->q->binge_min)
		return 0;
	if (ins_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v)) == -1)
		return -1;
	b = &r->v[r->n++];
	idtab_copy(&c->tt->tracks, r->track, b->track_id);
	b->plays = r->len;
	b->first_ms = r->first;
	b->last_ms = r->last;
	b->start_ms = r->first - (int64_t)r->first_len;
	b->time = r->time;
	ictx_local_iso(c, b->start_ms, b->start_local);
	ictx_local_iso(c, b->last_ms, b->last_local);
	return 0;
}

static int
binge_step(struct ictx *c, const struct play_ref *p, uint32_t track)
{
	struct binge_run *r = c->arg;
	struct insights_time one;

	memset(&one, 0, sizeof(one));
	time_add_play(&one, p->ms_played, c->tt->ti[track].duration);
	if (track == r->track) {
		r->len++;
		r->last = p->played_at;
		time_add(&r->time, &one);
		return 0;
	}
	if (r->extending)
		return 1;		/* the run that crossed the end is over */
	if (binge_close(c, r) == -1)
		return -1;
	r->track = track;
	r->counted = 1;
	r->len = 1;
	r->first = r->last = p->played_at;
	r->first_len = one.ms;
	r->time = one;
	return 0;
}

/* Longest first, then oldest. */
static int
binge_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct insights_binge *v = ctx, *x = &v[a], *y = &v[b];

	if (x->plays != y->plays)
		return x->plays > y->plays ? -1 : 1;
	if (x->first_ms != y->first_ms)
		return x->first_ms < y->first_ms ? -1 : 1;
	return (a > b) - (a < b);
}

int
insights_get_binges(struct store_txn *txn, const struct insights_query *q,
    struct insights_binges *out)
{
	struct binge_run r;
	struct one_play before;
	struct ictx c;
	uint32_t *idx = NULL;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ins_check(q) == -1)
		return -1;
	ins_range(&out->r, q);
	out->binge_min = q->binge_min;
	memset(&r, 0, sizeof(r));
	r.track = NONE;
	if (ictx_init(&c, txn, q) == -1)
		goto done;
	/* A run going on when the range starts belongs to an earlier one. */
	if (q->from_ms > TIME_MS_MIN) {
		if (ictx_one(&c, TIME_MS_MIN, q->from_ms - 1, STORE_DESC,
		    &before) == -1)
			goto done;
		if (before.found && ictx_track(&c, before.track_id,
		    &r.track) == -1)
			goto done;
	}
	if (ictx_scan(&c, q->from_ms, q->to_ms, binge_step, &r) == -1)
		goto done;
	/* A run going on when the range ends is counted to its end. */
	if (r.counted && q->to_ms <= TIME_MS_MAX) {
		r.extending = 1;
		if (ictx_scan(&c, q->to_ms, TIME_MS_MAX + 1, binge_step, &r) == -1)
			goto done;
	}
	if (binge_close(&c, &r) == -1 || (idx = ins_iota(r.n)) == NULL)
		goto done;
	out->total = r.n;
	out->n = ins_top_k(idx, r.n, q->limit, binge_better, r.v);
	if (out->n > 0 && (out->v = reallocarray(NULL, out->n,
	    sizeof(*out->v))) == NULL) {
		log_warn("insights: memory");
		goto done;
	}
	for (i = 0; i < out->n; i++)
		out->v[i] = r.v[idx[i]];
	rc = 0;
done:
	free(idx);
	free(r.v);
	ictx_free(&c);
	if (rc == -1)
		insights_free_binges(out);
	return rc;
}

void
insights_free_binges(struct insights_binges *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* ---- seasons --------------------------------------------------------------- */

/* A per-entity counter that restarts when gen changes. */
struct gcount {
	uint32_t	 gen;
	uint32_t	 n;
};

static uint32_t
gcount_bump(struct gcount *g, uint32_t gen)
{
	if (g->gen != gen) {
		g->gen = gen;
		g->n = 0;
	}
	return ++g->n;
}

static uint32_t
gcount_get(const struct gcount *g, uint32_t gen)
{
	return g->gen == gen ? g->n : 0;
}

struct season_scan {
	struct insights_seasons *out;
	size_t		 cap;
	struct gcount	*month, *year;	/* per track */
	size_t		 month_cap, year_cap;
	uint32_t	 mgen, ygen;	/* 0 = before any play */
	uint32_t	*dec;		/* tracks played this December */
	size_t		 n_dec, dec_cap;
	int32_t		 day;		/* cached local day and its civil date */
	int64_t		 y;
	unsigned	 m;
	int64_t		 cur_y;
	unsigned	 cur_m;
	uint32_t	 best, best_n, plays;
};

/* Closes the current month: its favourite, and for a December its song. */
static int
season_close(struct ictx *c, struct season_scan *s)
{
	struct insights_seasons *out = s->out;
	struct insights_month_top *mt;
	uint32_t d, rest, bd = 0, brest = 0, bi = NONE;
	size_t i;

	if (s->mgen == 0 || s->plays == 0)
		return 0;
	if (ins_grow(&out->months, &s->cap, out->n_months + 1,
	    sizeof(*out->months)) == -1)
		return -1;
	mt = &out->months[out->n_months++];
	mt->year = (int32_t)s->cur_y;
	mt->month = (uint8_t)s->cur_m;
	mt->plays = s->plays;
	idtab_copy(&c->tt->tracks, s->best, mt->track_id);
	mt->track_plays = s->best_n;
	if (s->cur_m != 12)
		return 0;
	for (i = 0; i < s->n_dec; i++) {
		d = gcount_get(&s->month[s->dec[i]], s->mgen);
		rest = gcount_get(&s->year[s->dec[i]], s->ygen) - d;
		if (d > rest && d > bd) {
			bd = d;
			brest = rest;
			bi = s->dec[i];
		}
	}
	if (bi != NONE) {
		idtab_copy(&c->tt->tracks, bi, mt->seasonal_id);
		mt->seasonal_plays = bd;
		mt->seasonal_rest = brest;
	}
	return 0;
}

static int
season_step(struct ictx *c, const struct play_ref *p, uint32_t track)
{
	struct season_scan *s = c->arg;
	int32_t day = ictx_day(c, p->played_at);
	uint32_t n;
	unsigned d;

	if (ins_grow(&s->month, &s->month_cap, track + 1,
	    sizeof(*s->month)) == -1 ||
	    ins_grow(&s->year, &s->year_cap, track + 1,
	    sizeof(*s->year)) == -1)
		return -1;
	if (s->mgen == 0 || day != s->day) {
		s->day = day;
		time_civil_from_days(day, &s->y, &s->m, &d);
	}
	if (s->mgen == 0 || s->y != s->cur_y || s->m != s->cur_m) {
		if (season_close(c, s) == -1)
			return -1;
		if (s->mgen == 0 || s->y != s->cur_y)
			s->ygen++;
		s->mgen++;
		s->cur_y = s->y;
		s->cur_m = s->m;
		s->best = NONE;
		s->best_n = s->plays = 0;
		s->n_dec = 0;
	}
	s->plays++;
	(void)gcount_bump(&s->year[track], s->ygen);
	n = gcount_bump(&s->month[track], s->mgen);
	if (n > s->best_n) {
		s->best_n = n;
		s->best = track;
	}
	if (s->cur_m == 12 && n == 1) {
		if (ins_grow(&s->dec, &s->dec_cap, s->n_dec + 1,
		    sizeof(*s->dec)) == -1)
			return -1;
		s->dec[s->n_dec++] = track;
	}
	return 0;
}

int
insights_get_seasons(struct store_txn *txn, const struct insights_query *q,
    struct insights_seasons *out)
{
	struct season_scan s;
	struct ictx c;
	size_t i, n = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ins_check(q) == -1)
		return -1;
	ins_range(&out->r, q);
	memset(&s, 0, sizeof(s));
	s.out = out;
	if (ictx_init(&c, txn, q) == -1 ||
	    ictx_scan(&c, q->from_ms, q->to_ms, season_step, &s) == -1 ||
	    season_close(&c, &s) == -1)
		goto done;
	for (i = 0; i < out->n_months; i++)
		n += out->months[i].month == 12;
	if (n > 0) {
		if ((out->decembers = reallocarray(NULL, n,
		    sizeof(*out->decembers))) == NULL) {
			log_warn("insights: memory");
			goto done;
		}
		for (i = 0; i < out->n_months; i++)
			if (out->months[i].month == 12)
				out->decembers[out->n_decembers++] =
				    out->months[i];
	}
	rc = 0;
done:
	free(s.month);
	free(s.year);
	free(s.dec);
	ictx_free(&c);
	if (rc == -1)
		insights_free_seasons(out);
	return rc;
}

void
insights_free_seasons(struct insights_seasons *s)
{
	free(s->months);
	free(s->decembers);
	memset(s, 0, sizeof(*s));
}

/* ---- new vs old -------------------------------------------------------------- */

struct newold_scan {
	struct insights_newold *out;
	size_t		 wcap, mcap;
	uint8_t		*tseen, *aseen;
	size_t		 tcap, acap;
	int32_t		 day;		/* cached local day, its week and month */
	int32_t		 week, month;
	int		 have_day;
};

static struct insights_newold_row *
newold_row(struct insights_newold_row **rows, size_t *n, size_t *cap,
    int32_t first)
{
	if (*n == 0 || (*rows)[*n - 1].day != first) {
		if (ins_grow(rows, cap, *n + 1, sizeof(**rows)) == -1)
			return NULL;
		(*rows)[(*n)++].day = first;
	}
	return &(*rows)[*n - 1];
}

static int
newold_step(struct ictx *c, const struct play_ref *p, uint32_t track)
{
	struct newold_scan *s = c->arg;
	struct insights_newold *out = s->out;
	struct insights_newold_row *w, *m;
	const struct tinfo *ti = &c->tt->ti[track];
	int new_track, new_artist = 0;
	int64_t y;
	unsigned mo, d;
	int32_t day;
	uint32_t i, a;

	if (ins_grow(&s->tseen, &s->tcap, track + 1, 1) == -1 ||
	    ins_grow(&s->aseen, &s->acap, c->tt->artists.n, 1) == -1)
		return -1;
	new_track = !s->tseen[track];
	s->tseen[track] = 1;
	for (i = 0; i < ti->n_art; i++) {
		a = c->tt->art[ti->art + i];
		if (!s->aseen[a]) {
			s->aseen[a] = 1;
			new_artist = 1;
		}
	}
	if (p->played_at < c->q->from_ms)
		return 0;
	day = ictx_day(c, p->played_at);
	if (!s->have_day || day != s->day) {
		s->have_day = 1;
		s->day = day;
		s->week = day - ins_weekday(day);
		time_civil_from_days(day, &y, &mo, &d);
		s->month = day - (int32_t)d + 1;
	}
	if ((w = newold_row(&out->weeks, &out->n_weeks, &s->wcap,
	    s->week)) == NULL ||
	    (m = newold_row(&out->months, &out->n_months, &s->mcap,
	    s->month)) == NULL)
		return -1;
	w->plays++;
	m->plays++;
	out->plays++;
	w->new_tracks += new_track;
	m->new_tracks += new_track;
	out->new_tracks += new_track;
	w->new_artists += new_artist;
	m->new_artists += new_artist;
	out->new_artists += new_artist;
	return 0;
}

int
insights_get_newold(struct store_txn *txn, const struct insights_query *q,
    struct insights_newold *out)
{
	struct newold_scan s;
	struct ictx c;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ins_check(q) == -1)
		return -1;
	ins_range(&out->r, q);
	memset(&s, 0, sizeof(s));
	s.out = out;
	if (ictx_init(&c, txn, q) == 0)
		rc = ictx_scan(&c, TIME_MS_MIN, q->to_ms, newold_step, &s);
	free(s.tseen);
	free(s.aseen);
	ictx_free(&c);
	if (rc == -1)
		insights_free_newold(out);
	return rc;
}

void
insights_free_newold(struct insights_newold *n)
{
	free(n->weeks);
	free(n->months);
	memset(n, 0, sizeof(*n));
}

/* ---- returns ---------------------------------------------------------------- */

/* What a return scan remembers of each track or artist. */
struct ret_state {
	int64_t		 last;		/* the latest play so far */
	uint32_t	 n;		/* plays so far */
	uint32_t	 ret;		/* its latest return in range + 1, or 0 */
};

struct ret_found {
	uint32_t	 idx;		/* track or artist index */
	int64_t		 previous, returned;
	uint32_t	 before, after;
};

struct ret_side {
	struct ret_state *st;
	size_t		 st_cap;
	struct ret_found *v;
	size_t		 n, cap;
};

struct ret_scan {
	struct ret_side	 t, a;
	int64_t		 away_ms;
};

static int
ret_one(struct ictx *c, struct ret_side *sd, uint32_t idx, int64_t at,
    int64_t away_ms)
{
	struct ret_state *st = &sd->st[idx];
	struct ret_found *f;

	if (st->n > 0 && at - st->last >= away_ms && at >= c->q->from_ms) {
		if (ins_grow(&sd->v, &sd->cap, sd->n + 1,
		    sizeof(*sd->v)) == -1)
			return -1;
		f = &sd->v[sd->n++];
		f->idx = idx;
		f->previous = st->last;
		f->returned = at;
		f->before = st->n;
		f->after = 1;
		st->ret = (uint32_t)sd->n;
	} else if (st->ret != 0)
		sd->v[st->ret - 1].after++;
	st->n++;
	st->last = at;
	return 0;
}

static int
ret_step(struct ictx *c, const struct play_ref *p, uint32_t track)
{
	struct ret_scan *s = c->arg;
	const struct tinfo *ti = &c->tt->ti[track];
	uint32_t i;

	if (ins_grow(&s->t.st, &s->t.st_cap, track + 1,
	    sizeof(*s->t.st)) == -1 ||
	    ins_grow(&s->a.st, &s->a.st_cap, c->tt->artists.n,
	    sizeof(*s->a.st)) == -1)
		return -1;
	if (ret_one(c, &s->t, track, p->played_at, s->away_ms) == -1)
		return -1;
	for (i = 0; i < ti->n_art; i++)
		if (ret_one(c, &s->a, c->tt->art[ti->art + i], p->played_at,
		    s->away_ms) == -1)
			return -1;
	return 0;
}

/* Most plays around the absence, then longest away, then oldest. */
static int
ret_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct ret_found *v = ctx, *x = &v[a], *y = &v[b];
	uint64_t sx = (uint64_t)x->before + x->after;
	uint64_t sy = (uint64_t)y->before + y->after;
	int64_t ax = x->returned - x->previous, ay = y->returned - y->previous;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	if (ax != ay)
		return ax > ay ? -1 : 1;
	if (x->returned != y->returned)
		return x->returned < y->returned ? -1 : 1;
	return (a > b) - (a < b);
}

/* The side's best returns, limit of them, as insights_return. */
static int
ret_export(const struct idtab *ids, struct ret_side *sd, uint32_t limit,
    struct insights_return **v, size_t *n, size_t *total)
{
	uint32_t *idx;
	const struct ret_found *f;
	size_t i;

	*total = sd->n;
	if (sd->n == 0)
		return 0;
	if ((idx = ins_iota(sd->n)) == NULL)
		return -1;
	*n = ins_top_k(idx, sd->n, limit, ret_better, sd->v);
	if ((*v = reallocarray(NULL, *n, sizeof(**v))) == NULL) {
		log_warn("insights: memory");
		free(idx);
		*n = 0;
		return -1;
	}
	for (i = 0; i < *n; i++) {
		f = &sd->v[idx[i]];
		idtab_copy(ids, f->idx, (*v)[i].id);
		(*v)[i].previous_ms = f->previous;
		(*v)[i].returned_ms = f->returned;
		(*v)[i].days_away = (uint32_t)((f->returned - f->previous) /
		    DAY_MS);
		(*v)[i].plays_before = f->before;
		(*v)[i].plays_after = f->after;
	}
	free(idx);
	return 0;
}

int
insights_get_returns(struct store_txn *txn, const struct insights_query *q,
    struct insights_returns *out)
{
	struct ret_scan s;
	struct ictx c;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ins_check(q) == -1)
		return -1;
	ins_range(&out->r, q);
	out->return_days = q->return_days;
	memset(&s, 0, sizeof(s));
	s.away_ms = (int64_t)q->return_days * DAY_MS;
	if (ictx_init(&c, txn, q) == -1 ||
	    ictx_scan(&c, TIME_MS_MIN, q->to_ms, ret_step, &s) == -1 ||
	    ret_export(&c.tt->tracks, &s.t, q->limit, &out->tracks,
	    &out->n_tracks, &out->total_tracks) == -1 ||
	    ret_export(&c.tt->artists, &s.a, q->limit, &out->artists,
	    &out->n_artists, &out->total_artists) == -1)
		goto done;
	rc = 0;
done:
	free(s.t.st);
	free(s.t.v);
	free(s.a.st);
	free(s.a.v);
	ictx_free(&c);
	if (rc == -1)
		insights_free_returns(out);
	return rc;
}

void
insights_free_returns(struct insights_returns *r)
{
	free(r->tracks);
	free(r->artists);
	memset(r, 0, sizeof(*r));
}

/* ---- on this day -------------------------------------------------------------- */

struct otd_scan {
	struct insights_otd_year *y;
	struct gcount	*cnt;		/* per track, gen = the year */
	size_t		 cnt_cap;
	struct insights_time *tt;	/* per track listening time */
	size_t		 tt_cap;
	uint32_t	*seen;		/* tracks played that day */
	size_t		 n_seen, seen_cap;
	uint32_t	 gen;
	const struct idtab *ids;
};

static int
otd_step(struct ictx *c, const struct play_ref *p, uint32_t track)
{
	struct otd_scan *s = c->arg;
	struct insights_time one;

	if (ins_grow(&s->cnt, &s->cnt_cap, track + 1, sizeof(*s->cnt)) ==
	    -1 || ins_grow(&s->tt, &s->tt_cap, track + 1,
	    sizeof(*s->tt)) == -1)
		return -1;
	memset(&one, 0, sizeof(one));
	time_add_play(&one, p->ms_played, c->tt->ti[track].duration);
	if (gcount_bump(&s->cnt[track], s->gen) == 1) {
		if (ins_grow(&s->seen, &s->seen_cap, s->n_seen + 1,
		    sizeof(*s->seen)) == -1)
			return -1;
		s->seen[s->n_seen++] = track;
		memset(&s->tt[track], 0, sizeof(s->tt[track]));
	}
	time_add(&s->tt[track], &one);
	if (s->y->plays++ == 0)
		s->y->first_ms = p->played_at;
	s->y->last_ms = p->played_at;
	time_add(&s->y->time, &one);
	return 0;
}

/* Most played, then most listened, then by id. */
static int
otd_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct otd_scan *s = ctx;

	if (s->cnt[a].n != s->cnt[b].n)
		return s->cnt[a].n > s->cnt[b].n ? -1 : 1;
	if (s->tt[a].ms != s->tt[b].ms)
		return s->tt[a].ms > s->tt[b].ms ? -1 : 1;
	return memcmp(s->ids->id[a], s->ids->id[b], ID_LEN);
}

int
insights_get_onthisday(struct store_txn *txn, const struct insights_query *q,
    struct insights_onthisday *out)
{
	struct otd_scan s;
	struct one_play first;
	struct ictx c;
	size_t cap = 0, i, keep;
	int64_t yr, fy, from, to;
	unsigned m, d, fm, fd;
	int32_t day;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ins_check(q) == -1)
		return -1;
	ins_range(&out->r, q);
	out->day = q->day;
	memset(&s, 0, sizeof(s));
	if (ictx_init(&c, txn, q) == -1 ||
	    ictx_one(&c, TIME_MS_MIN, TIME_MS_MAX, STORE_ASC, &first) == -1)
		goto done;
	if (!first.found) {
		rc = 0;
		goto done;
	}
	s.ids = &c.tt->tracks;
	time_civil_from_days(q->day, &yr, &m, &d);
	time_civil_from_days(ictx_day(&c, first.at), &fy, &fm, &fd);
	keep = q->limit < INSIGHTS_OTD_TRACKS ? q->limit : INSIGHTS_OTD_TRACKS;
	for (yr--; yr >= fy; yr--) {
		if (m == 2 && d == 29 && !((yr % 4 == 0 && yr % 100 != 0) ||
		    yr % 400 == 0))
			continue;
		day = (int32_t)time_days_from_civil(yr, m, d);
		from = insights_day_start(q->tz, day);
		to = insights_day_start(q->tz, day + 1);
		from = from < q->from_ms ? q->from_ms : from;
		to = to > q->to_ms ? q->to_ms : to;
		if (from >= to)
			continue;
		if (ins_grow(&out->years, &cap, out->n + 1,
		    sizeof(*out->years)) == -1)
			goto done;
		s.y = &out->years[out->n];
		memset(s.y, 0, sizeof(*s.y));
		s.y->day = day;
		s.gen++;
		s.n_seen = 0;
		if (ictx_scan(&c, from, to, otd_step, &s) == -1)
			goto done;
		if (s.y->plays == 0)
			continue;
		out->n++;
		s.ids = &c.tt->tracks;	/* the table may have grown */
		s.y->n_tracks = ins_top_k(s.seen, s.n_seen, keep, otd_better,
		    &s);
		if ((s.y->tracks = calloc(s.y->n_tracks ? s.y->n_tracks : 1,
		    sizeof(*s.y->tracks))) == NULL) {
			log_warn("insights: memory");
			s.y->n_tracks = 0;
			goto done;
		}
		for (i = 0; i < s.y->n_tracks; i++) {
			idtab_copy(&c.tt->tracks, s.seen[i],
			    s.y->tracks[i].id);
			s.y->tracks[i].plays = s.cnt[s.seen[i]].n;
			s.y->tracks[i].time = s.tt[s.seen[i]];
		}
	}
	rc = 0;
done:
	free(s.cnt);
	free(s.tt);
	free(s.seen);
	ictx_free(&c);
	if (rc == -1)
		insights_free_onthisday(out);
	return rc;
}

void
insights_free_onthisday(struct insights_onthisday *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->years[i].tracks);
	free(o->years);
	memset(o, 0, sizeof(*o));
}

/* ---- top lists -------------------------------------------------------------- */

struct top_acc {
	uint32_t	 plays;
	struct insights_time time;
};

struct top_side {
	struct top_acc	*v;
	size_t		 cap;
	uint32_t	*touched;	/* indices with plays, first-play order */
	size_t		 n, tcap;
	const struct idtab *ids;
};

struct top_scan {
	struct insights_top *out;
	struct top_side	 t, ar, al;
};

static int
top_bump(struct top_side *s, uint32_t idx, const struct insights_time *one)
{
	if (ins_grow(&s->v, &s->cap, idx + 1, sizeof(*s->v)) == -1)
		return -1;
	if (s->v[idx].plays++ == 0) {
		if (ins_grow(&s->touched, &s->tcap, s->n + 1,
		    sizeof(*s->touched)) == -1)
			return -1;
		s->touched[s->n++] = idx;
	}
	time_add(&s->v[idx].time, one);
	return 0;
}

static int
top_step(struct ictx *c, const struct play_ref *p, uint32_t track)
{
	struct top_scan *s = c->arg;
	const struct tinfo *ti = &c->tt->ti[track];
	struct insights_time one;
	uint32_t i;

	memset(&one, 0, sizeof(one));
	time_add_play(&one, p->ms_played, ti->duration);
	s->out->plays++;
	time_add(&s->out->time, &one);
	if (top_bump(&s->t, track, &one) == -1)
		return -1;
	if (ti->album != NONE && top_bump(&s->al, ti->album, &one) == -1)
		return -1;
	for (i = 0; i < ti->n_art; i++)
		if (top_bump(&s->ar, c->tt->art[ti->art + i], &one) == -1)
			return -1;
	return 0;
}

/* Most plays, then most listened, then by id. */
static int
top_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct top_side *s = ctx;
	const struct top_acc *x = &s->v[a], *y = &s->v[b];

	if (x->plays != y->plays)
		return x->plays > y->plays ? -1 : 1;
	if (x->time.ms != y->time.ms)
		return x->time.ms > y->time.ms ? -1 : 1;
	return memcmp(s->ids->id[a], s->ids->id[b], ID_LEN);
}

/* The side's best limit entries. */
static int
top_export(const struct idtab *ids, struct top_side *s, uint32_t limit,
    struct insights_count **v, size_t *n, size_t *distinct)
{
	size_t i;

	*distinct = s->n;
	if (s->n == 0)
		return 0;
	s->ids = ids;
	*n = ins_top_k(s->touched, s->n, limit, top_better, s);
	if ((*v = reallocarray(NULL, *n, sizeof(**v))) == NULL) {
		log_warn("insights: memory");
		*n = 0;
		return -1;
	}
	for (i = 0; i < *n; i++) {
		idtab_copy(ids, s->touched[i], (*v)[i].id);
		(*v)[i].plays = s->v[s->touched[i]].plays;
		(*v)[i].time = s->v[s->touched[i]].time;
	}
	return 0;
}

int
insights_get_top(struct store_txn *txn, const struct insights_query *q,
    struct insights_top *out)
{
	struct top_scan s;
	struct ictx c;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ins_check(q) == -1)
		return -1;
	ins_range(&out->r, q);
	memset(&s, 0, sizeof(s));
	s.out = out;
	if (ictx_init(&c, txn, q) == -1 ||
	    ictx_scan(&c, q->from_ms, q->to_ms, top_step, &s) == -1 ||
	    top_export(&c.tt->tracks, &s.t, q->limit, &out->tracks,
	    &out->n_tracks, &out->distinct_tracks) == -1 ||
	    top_export(&c.tt->artists, &s.ar, q->limit, &out->artists,
	    &out->n_artists, &out->distinct_artists) == -1 ||
	    top_export(&c.tt->albums, &s.al, q->limit, &out->albums,
	    &out->n_albums, &out->distinct_albums) == -1)
		goto done;
	rc = 0;
done:
	free(s.t.v);
	free(s.t.touched);
	free(s.ar.v);
	free(s.ar.touched);
	free(s.al.v);
	free(s.al.touched);
	ictx_free(&c);
	if (rc == -1)
		insights_free_top(out);
	return rc;
}

void
insights_free_top(struct insights_top *t)
{
	free(t->tracks);
	free(t->artists);
	free(t->albums);
	memset(t, 0, sizeof(*t));
}

/* ---- streaks ---------------------------------------------------------------- */

struct streak_state {
	int32_t		 first, last;	/* days of the current streak */
	uint32_t	 plays;
	uint8_t		 live;
};

struct streak_scan {
	struct insights_streak *v;	/* all found */
	size_t		 n, cap;
	struct streak_state *st;	/* per artist */
	size_t		 st_cap;
};

static int
streak_close(struct ictx *c, struct streak_scan *s, uint32_t a)
{
	struct streak_state *st = &s->st[a];
	struct insights_streak *k;

	if (!st->live || st->last - st->first + 1 < INSIGHTS_STREAK_MIN)
		return 0;
	if (ins_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v)) == -1)
		return -1;
	k = &s->v[s->n++];
	idtab_copy(&c->tt->artists, a, k->artist_id);
	k->first_day = st->first;
	k->last_day = st->last;
	k->days = (uint32_t)(st->last - st->first + 1);
	k->plays = st->plays;
	return 0;
}

static int
streak_step(struct ictx *c, const struct play_ref *p, uint32_t track)
{
	struct streak_scan *s = c->arg;
	const struct tinfo *ti = &c->tt->ti[track];
	struct streak_state *st;
	int32_t day;
	uint32_t i, a;

	if (ti->n_art == 0)
		return 0;
	if (ins_grow(&s->st, &s->st_cap, c->tt->artists.n,
	    sizeof(*s->st)) == -1)
		return -1;
	day = ictx_day(c, p->played_at);
	for (i = 0; i < ti->n_art; i++) {
		a = c->tt->art[ti->art + i];
		st = &s->st[a];
		if (st->live && st->last == day) {
			st->plays++;
			continue;
		}
		if (st->live && st->last == day - 1) {
			st->last = day;
			st->plays++;
			continue;
		}
		if (streak_close(c, s, a) == -1)
			return -1;
		st->live = 1;
		st->first = st->last = day;
		st->plays = 1;
	}
	return 0;
}

/* Longest first, then newest, then by artist id. */
static int
streak_better(uint32_t a, uint32_t b, const void *ctx)
{
	const struct insights_streak *v = ctx, *x = &v[a], *y = &v[b];
	int r;

	if (x->days != y->days)
		return x->days > y->days ? -1 : 1;
	if (x->last_day != y->last_day)
		return x->last_day > y->last_day ? -1 : 1;
	if ((r = strcmp(x->artist_id, y->artist_id)) != 0)
		return r;
	return (a > b) - (a < b);
}

int
insights_get_streaks(struct store_txn *txn, const struct insights_query *q,
    struct insights_streaks *out)
{
	struct streak_scan s;
	struct ictx c;
	uint32_t a, *idx = NULL;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ins_check(q) == -1)
		return -1;
	ins_range(&out->r, q);
	memset(&s, 0, sizeof(s));
	if (ictx_init(&c, txn, q) == -1 ||
	    ictx_scan(&c, q->from_ms, q->to_ms, streak_step, &s) == -1)
		goto done;
	for (a = 0; a < c.tt->artists.n && a < s.st_cap; a++)
		if (streak_close(&c, &s, a) == -1)
			goto done;
	if ((idx = ins_iota(s.n)) == NULL)
		goto done;
	out->total = s.n;
	out->n = ins_top_k(idx, s.n, q->limit, streak_better, s.v);
	if (out->n > 0 && (out->v = reallocarray(NULL, out->n,
	    sizeof(*out->v))) == NULL) {
		log_warn("insights: memory");
		out->n = 0;
		goto done;
	}
	for (i = 0; i < out->n; i++)
		out->v[i] = s.v[idx[i]];
	rc = 0;
done:
	free(idx);
	free(s.v);
	free(s.st);
	ictx_free(&c);
	if (rc == -1)
		insights_free_streaks(out);
	return rc;
}

void
insights_free_streaks(struct insights_streaks *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- the query -------------------------------------------------------------- */

int32_t
insights_day_of(const struct tz *z, int64_t ms)
{
	return (int32_t)ins_fdiv(ms + (int64_t)tz_offset(z,
	    ins_fdiv(ms, 1000)) * 1000, DAY_MS);
}

int64_t
insights_day_start(const struct tz *z, int32_t day)
{
	int64_t l = (int64_t)day * DAY_MS, t, cand[2];
	int i;

	/* The offset at the instant sought is one of these two. */
	cand[0] = (int64_t)tz_offset(z, ins_fdiv(l, 1000)) * 1000;
	cand[1] = (int64_t)tz_offset(z, ins_fdiv(l - cand[0], 1000)) * 1000;
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

/* ---- rendering -------------------------------------------------------------- */

static void
render_str_or_null(struct json *j, const char *key, const char *s)
{
	if (s[0] != '\0')
		json_str(j, key, s);
	else
		json_null(j, key);
}

/* key: "YYYY-MM" of year y's month m, or null outside years 1..9999. */
static void
render_month(struct json *j, const char *key, int64_t y, unsigned m)
{
	char s[11];

	if (y >= 1 && y <= 9999 &&
	    time_format_day(time_days_from_civil(y, m, 1), s) == 0) {
		s[7] = '\0';
		json_str(j, key, s);
	} else
		json_null(j, key);
}

static void
render_head(struct json *j, const char *key, const char *name,
    const struct insights_range *r)
{
	json_obj_open(j, key);
	json_str(j, "insight", name);
	json_time_ms(j, "from", "from_iso", r->from_ms);
	json_time_ms(j, "to", "to_iso", r->to_ms);
	json_str(j, "tz", r->tz);
}

/* The whole breakdown, as an object (totals). */
static void
render_time(struct json *j, const char *key, const struct insights_time *t)
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
static void
render_time_short(struct json *j, const struct insights_time *t)
{
	json_uint(j, "ms", t->ms);
	json_uint(j, "by_played", t->by_played);
	json_uint(j, "by_duration", t->by_duration);
	json_uint(j, "untimed", t->untimed);
}

static double
share(uint32_t part, uint32_t whole)
{
	return whole == 0 ? 0.0 : (double)part / (double)whole;
}

void
insights_render_calendar(struct json *j, const char *key,
    const struct insights_calendar *cal)
{
	size_t i;

	render_head(j, key, "calendar", &cal->r);
	json_uint(j, "plays", cal->plays);
	render_time(j, "time", &cal->time);
	json_arr_open(j, "days");
	for (i = 0; i < cal->n; i++) {
		json_obj_open(j, NULL);
		json_day(j, "date", cal->days[i].day);
		json_int(j, "day", cal->days[i].day);
		json_uint(j, "plays", cal->days[i].plays);
		render_time_short(j, &cal->days[i].time);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

void
insights_render_clock(struct json *j, const char *key,
    const struct insights_clock *ck)
{
	static const char *const wd[7] = {
		"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
	};
	int d, h;

	render_head(j, key, "clock", &ck->r);
	json_uint(j, "plays", ck->total);
	render_time(j, "time", &ck->time);
	json_arr_open(j, "weekdays");
	for (d = 0; d < 7; d++)
		json_str(j, NULL, wd[d]);
	json_arr_close(j);
	json_arr_open(j, "grid");
	for (d = 0; d < 7; d++) {
		json_arr_open(j, NULL);
		for (h = 0; h < 24; h++)
			json_uint(j, NULL, ck->plays[d][h]);
		json_arr_close(j);
	}
	json_arr_close(j);
	json_arr_open(j, "grid_ms");
	for (d = 0; d < 7; d++) {
		json_arr_open(j, NULL);
		for (h = 0; h < 24; h++)
			json_uint(j, NULL, ck->ms[d][h]);
		json_arr_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

void
insights_render_binges(struct json *j, const char *key,
    const struct insights_binges *b)
{
	size_t i;

	render_head(j, key, "binges", &b->r);
	json_uint(j, "binge_min", b->binge_min);
	json_uint(j, "total", b->total);
	json_arr_open(j, "binges");
	for (i = 0; i < b->n; i++) {
		const struct insights_binge *e = &b->v[i];

		json_obj_open(j, NULL);
		json_str(j, "track_id", e->track_id);
		json_uint(j, "plays", e->plays);
		json_time_ms(j, "start", "start_iso", e->start_ms);
		json_time_ms(j, "first", "first_iso", e->first_ms);
		json_time_ms(j, "last", "last_iso", e->last_ms);
		render_str_or_null(j, "start_local", e->start_local);
		render_str_or_null(j, "last_local", e->last_local);
		render_time_short(j, &e->time);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

static void
render_month_top(struct json *j, const struct insights_month_top *m,
    int december)
{
	json_obj_open(j, NULL);
	render_month(j, "month", m->year, m->month);
	if (december)
		json_int(j, "year", m->year);
	json_uint(j, "plays", m->plays);
	json_str(j, "track_id", m->track_id);
	json_uint(j, "track_plays", m->track_plays);
	if (december) {
		if (m->seasonal_id[0] != '\0')
			json_str(j, "seasonal_id", m->seasonal_id);
		else
			json_null(j, "seasonal_id");
		json_uint(j, "seasonal_plays", m->seasonal_plays);
		json_uint(j, "seasonal_rest_of_year", m->seasonal_rest);
	}
	json_obj_close(j);
}

void
insights_render_seasons(struct json *j, const char *key,
    const struct insights_seasons *s)
{
	size_t i;

	render_head(j, key, "seasons", &s->r);
	json_arr_open(j, "months");
	for (i = 0; i < s->n_months; i++)
		render_month_top(j, &s->months[i], 0);
	json_arr_close(j);
	json_arr_open(j, "decembers");
	for (i = 0; i < s->n_decembers; i++)
		render_month_top(j, &s->decembers[i], 1);
	json_arr_close(j);
	json_obj_close(j);
}

static void
render_newold_rows(struct json *j, const char *key, const char *datekey,
    const struct insights_newold_row *v, size_t n, int months)
{
	int64_t y;
	unsigned m, d;
	size_t i;

	json_arr_open(j, key);
	for (i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		if (months) {
			time_civil_from_days(v[i].day, &y, &m, &d);
			render_month(j, datekey, y, m);
		} else
			json_day(j, datekey, v[i].day);
		json_uint(j, "plays", v[i].plays);
		json_uint(j, "new_tracks", v[i].new_tracks);
		json_uint(j, "new_artists", v[i].new_artists);
		json_double(j, "share_new_tracks",
		    share(v[i].new_tracks, v[i].plays));
		json_double(j, "share_new_artists",
		    share(v[i].new_artists, v[i].plays));
		json_obj_close(j);
	}
	json_arr_close(j);
}

void
insights_render_newold(struct json *j, const char *key,
    const struct insights_newold *n)
{
	render_head(j, key, "newold", &n->r);
	json_uint(j, "plays", n->plays);
	json_uint(j, "new_tracks", n->new_tracks);
	json_uint(j, "new_artists", n->new_artists);
	json_double(j, "share_new_tracks", share(n->new_tracks, n->plays));
	json_double(j, "share_new_artists", share(n->new_artists, n->plays));
	render_newold_rows(j, "weeks", "week", n->weeks, n->n_weeks, 0);
	render_newold_rows(j, "months", "month", n->months, n->n_months, 1);
	json_obj_close(j);
}

static void
render_return_list(struct json *j, const char *key,
    const struct insights_return *v, size_t n, size_t total)
{
	size_t i;

	json_obj_open(j, key);
	json_uint(j, "total", total);
	json_arr_open(j, "items");
	for (i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		json_str(j, "id", v[i].id);
		json_time_ms(j, "previous", "previous_iso", v[i].previous_ms);
		json_time_ms(j, "returned", "returned_iso", v[i].returned_ms);
		json_uint(j, "days_away", v[i].days_away);
		json_uint(j, "plays_before", v[i].plays_before);
		json_uint(j, "plays_after", v[i].plays_after);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

void
insights_render_returns(struct json *j, const char *key,
    const struct insights_returns *r)
{
	render_head(j, key, "returns", &r->r);
	json_uint(j, "return_days", r->return_days);
	render_return_list(j, "tracks", r->tracks, r->n_tracks,
	    r->total_tracks);
	render_return_list(j, "artists", r->artists, r->n_artists,
	    r->total_artists);
	json_obj_close(j);
}

static void
render_counts(struct json *j, const char *key, const struct insights_count *v,
    size_t n)
{
	size_t i;

	json_arr_open(j, key);
	for (i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		json_str(j, "id", v[i].id);
		json_uint(j, "plays", v[i].plays);
		render_time_short(j, &v[i].time);
		json_obj_close(j);
	}
	json_arr_close(j);
}

void
insights_render_onthisday(struct json *j, const char *key,
    const struct insights_onthisday *o)
{
	int64_t y;
	unsigned m, d;
	size_t i;

	render_head(j, key, "onthisday", &o->r);
	json_day(j, "date", o->day);
	json_arr_open(j, "years");
	for (i = 0; i < o->n; i++) {
		const struct insights_otd_year *e = &o->years[i];

		json_obj_open(j, NULL);
		time_civil_from_days(e->day, &y, &m, &d);
		json_int(j, "year", y);
		json_day(j, "date", e->day);
		json_uint(j, "plays", e->plays);
		render_time_short(j, &e->time);
		json_time_ms(j, "first", "first_iso", e->first_ms);
		json_time_ms(j, "last", "last_iso", e->last_ms);
		render_counts(j, "tracks", e->tracks, e->n_tracks);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

void
insights_render_top(struct json *j, const char *key,
    const struct insights_top *t)
{
	render_head(j, key, "top", &t->r);
	json_uint(j, "plays", t->plays);
	render_time(j, "time", &t->time);
	json_obj_open(j, "tracks");
	json_uint(j, "distinct", t->distinct_tracks);
	render_counts(j, "items", t->tracks, t->n_tracks);
	json_obj_close(j);
	json_obj_open(j, "artists");
	json_uint(j, "distinct", t->distinct_artists);
	render_counts(j, "items", t->artists, t->n_artists);
	json_obj_close(j);
	json_obj_open(j, "albums");
	json_uint(j, "distinct", t->distinct_albums);
	render_counts(j, "items", t->albums, t->n_albums);
	json_obj_close(j);
	json_obj_close(j);
}

void
insights_render_streaks(struct json *j, const char *key,
    const struct insights_streaks *s)
{
	size_t i;

	render_head(j, key, "streaks", &s->r);
	json_uint(j, "streak_min", INSIGHTS_STREAK_MIN);
	json_uint(j, "total", s->total);
	json_arr_open(j, "streaks");
	for (i = 0; i < s->n; i++) {
		json_obj_open(j, NULL);
		json_str(j, "artist_id", s->v[i].artist_id);
		json_uint(j, "days", s->v[i].days);
		json_day(j, "first", s->v[i].first_day);
		json_day(j, "last", s->v[i].last_day);
		json_uint(j, "plays", s->v[i].plays);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* ---- the table -------------------------------------------------------------- */

/* One runner per kind: compute, render, free (generated by a macro). */
#define INSIGHTS_RUNNER(name)						\
static int								\
run_##name(struct store_txn *txn, const struct insights_query *q,	\
    struct json *j)							\
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
	[INSIGHTS_CALENDAR] =	{ "calendar", run_calendar },
	[INSIGHTS_CLOCK] =	{ "clock", run_clock },
	[INSIGHTS_BINGES] =	{ "binges", run_binges },
	[INSIGHTS_SEASONS] =	{ "seasons", run_seasons },
	[INSIGHTS_NEWOLD] =	{ "newold", run_newold },
	[INSIGHTS_RETURNS] =	{ "returns", run_returns },
	[INSIGHTS_ONTHISDAY] =	{ "onthisday", run_onthisday },
	[INSIGHTS_TOP] =	{ "top", run_top },
	[INSIGHTS_STREAKS] =	{ "streaks", run_streaks },
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
