/*
 * insights_int.h — what the insights' files share, private to them.
 *
 * lib/insights.c is the engine: the scan context (struct ictx) that
 * hands an insight the plays of a range in time order with each play's
 * track index, the track table those indices point into (struct
 * tracktab: what is known of each track, its artists and album, by
 * index), the process's cache of both, the query's checks, the pieces of
 * rendering every insight uses, and the table of insights.  Each of
 * lib/insights_agg.c (calendar, clock), insights_runs.c (binges,
 * streaks), insights_history.c (new vs old, returns) and
 * insights_counts.c (seasons, on this day, top) computes and renders its
 * insights with what is declared here.  Callers outside lib/insights*.c
 * use insights.h only.
 *
 * Error convention: as insights.h (0 / -1, logged); the scan's step
 * functions return 0 to go on, 1 to stop early, -1 to fail.
 */
#ifndef LN_INSIGHTS_INT_H
#define LN_INSIGHTS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "idtab.h"
#include "insights.h"
#include "json.h"
#include "store.h"

#define DAY_MS		INT64_C(86400000)
#define HOUR_MS		INT64_C(3600000)
#define ARTISTS_MAX	8	/* credited artists kept per track */
#define NONE		UINT32_MAX

struct journal;

/* A track's facts, read once from its record. */
struct tinfo {
	uint32_t	 duration;	/* ms, 0 = unknown */
	uint32_t	 album;		/* index in albums, or NONE */
	uint32_t	 art;		/* first of n_art indices in tt->art */
	uint8_t		 n_art;
	uint8_t		 loaded;	/* 0: (re)read the record when used */
};

/*
 * What is known of tracks, by index in tracks: their facts, and the
 * artists and albums they name, interned in tables of their own.  A
 * scan's own (ictx.own) or the process's cache's.
 */
struct tracktab {
	struct idtab	 tracks, artists, albums;
	struct tinfo	*ti;
	size_t		 ti_cap;
	uint32_t	*art;		/* pool of artist indices */
	size_t		 n_art, art_cap;
};

struct ictx;
/* An insight's step: one play in time order, with its track index. */
typedef int (*step_fn)(struct ictx *, const struct play_ref *,
    uint32_t track);

/* One insight's scan: the query, its tables, the zone, the current step. */
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

/* One play next to t: the last before (DESC) or first after (ASC). */
struct one_play {
	int		 found;
	int64_t		 at;
	char		 track_id[ID_LEN + 1];
};

/* Whether candidate a ranks before b (< 0), for insights_top_k(). */
typedef int (*better_fn)(uint32_t, uint32_t, const void *ctx);

/* ---- small helpers (insights.c) ----------------------------------------- */

/* Monday = 0 .. Sunday = 6 of a day number (1970-01-01 was a Thursday). */
int	insights_weekday(int64_t day);
/*
 * Grows *arrp (an array of elements of size sz, *cap of them) to hold n,
 * zero-filled, by doubling.  Returns 0 or -1 (logged; *arrp unchanged).
 */
int	insights_grow_slow(void *arrp, size_t *cap, size_t n, size_t sz);
/* Adds one play's listening time: ms_played, else duration, else none. */
void	insights_time_add_play(struct insights_time *t, int32_t ms_played,
	    uint32_t duration);
/* Adds a's times and counts to t. */
void	insights_time_add(struct insights_time *t,
	    const struct insights_time *a);
/* Copies the query's range and zone name into r (an answer's head). */
void	insights_range_set(struct insights_range *r,
	    const struct insights_query *q);
/* Checks the bounds insights.h promises; logs and returns -1 otherwise. */
int	insights_check(const struct insights_query *q);
/*
 * The best k of n candidates (indices), best first, by cmp(a, b, ctx) < 0
 * when a is better: a bounded heap whose top is the worst kept, so
 * O(n log k) and no worst case.  idx[0..min(n, k)) receives the result;
 * returns how many.
 */
size_t	insights_top_k(uint32_t *idx, size_t n, size_t k, better_fn cmp,
	    const void *ctx);
/* 0, 1, ..., n - 1 in a new array the caller frees (NULL: no memory). */
uint32_t *insights_iota(size_t n);

/*
 * insights_top_k() over 0 .. n - 1: the best k (at most limit) indices,
 * best first, in a new array *idx the caller frees.  Returns 0 or -1
 * (logged; *idx NULL, *k 0).
 */
int	insights_best(size_t n, size_t limit, better_fn cmp, const void *ctx,
	    uint32_t **idx, size_t *k);
/*
 * The best limit of the n elements of v (sz bytes each) by cmp(a, b, v),
 * best first, copied into a new array *out (NULL when none is kept) of
 * *n_out elements, which the caller frees.  Returns 0 or -1 (logged;
 * nothing kept).
 */
int	insights_pick(const void *v, size_t n, size_t sz, size_t limit,
	    better_fn cmp, void **out, size_t *n_out);

/* ---- the scan context (insights.c) -------------------------------------- */

/*
 * Starts c for query q inside txn: with the process's cache when q has
 * one (brought up to the change log first), else a table of its own.
 * Returns 0 or -1; either way insights_ctx_free(c) must follow.
 */
int	insights_ctx_init(struct ictx *c, struct store_txn *txn,
	    const struct insights_query *q);
void	insights_ctx_free(struct ictx *c);
/* Local ms of UTC ms t in the query's zone. */
int64_t	insights_ctx_local(struct ictx *c, int64_t t);
/* The local day number of UTC ms t in the query's zone. */
int32_t	insights_ctx_day(struct ictx *c, int64_t t);
/*
 * Writes the local time of t as "YYYY-MM-DDTHH:MM:SS+HH:MM" into out
 * ("" when t cannot be written).
 */
void	insights_ctx_local_iso(struct ictx *c, int64_t t,
	    char out[INSIGHTS_LOCAL_LEN]);
/*
 * Sets *idx to the index of track id (ID_LEN bytes) in c->tt, adding it
 * and reading its record when needed.  Returns 0 or -1.
 */
int	insights_ctx_track(struct ictx *c, const char *id, uint32_t *idx);
/*
 * Calls step(c, play, track index) for every play of the user in
 * [from, to), in time order, with c->arg = arg: from the cached journal
 * when there is one (built here for a long scan), else from the store.
 * A step returning 1 ends the scan early (0); -1 fails it.  Returns 0 or
 * -1.
 */
int	insights_ctx_scan(struct ictx *c, int64_t from, int64_t to,
	    step_fn step, void *arg);
/*
 * The one play of the user in [from, to] nearest the end dir starts from
 * (STORE_DESC: the last, STORE_ASC: the first) into *o (o->found = 0
 * when none).  Returns 0 or -1.
 */
int	insights_ctx_one(struct ictx *c, int64_t from, int64_t to,
	    enum store_dir dir, struct one_play *o);

/* An insight's work with its scan context: scans and fills its answer. */
typedef int (*body_fn)(struct ictx *, void *arg);

/*
 * The frame of every insights_get_*(): zeroes the answer out (sz bytes),
 * checks q, copies its range into r (the answer's head), then calls
 * body(c, arg) with a scan context c for q inside txn and frees c.
 * Returns body's result, or -1 (logged) when q is out of bounds or c
 * could not be started; the caller frees its scan state and, on -1,
 * the answer.
 */
int	insights_answer(struct store_txn *txn, const struct insights_query *q,
	    void *out, size_t sz, struct insights_range *r, body_fn body,
	    void *arg);

/*
 * Defines insights_get_<name>() for an insight whose body scans with a
 * struct scan (its member out points to the answer): zeroes the scan
 * state, runs body in insights_answer()'s frame, frees the scan state
 * with <scan>_free() and, on -1, the answer (insights_free_<name>()).
 */
#define INSIGHTS_GET(name, scan, body)					\
int									\
insights_get_##name(struct store_txn *txn,				\
    const struct insights_query *q, struct insights_##name *out)	\
{									\
	struct scan s;							\
	int rc;								\
									\
	memset(&s, 0, sizeof(s));					\
	s.out = out;							\
	rc = insights_answer(txn, q, out, sizeof(*out), &out->r, body,	\
	    &s);							\
	scan##_free(&s);						\
	if (rc == -1)							\
		insights_free_##name(out);				\
	return rc;							\
}

/* ---- rendering every insight uses (insights.c) -------------------------- */

/* key: "YYYY-MM" of year y's month m, or null outside years 1..9999. */
void	insights_render_month(struct json *j, const char *key, int64_t y,
	    unsigned m);
/*
 * Opens the insight's object (key, or NULL in an array) and writes its
 * name and range; the caller writes the rest and closes it.
 */
void	insights_render_head(struct json *j, const char *key,
	    const char *name, const struct insights_range *r);
/* key: the whole breakdown of t, as an object (totals). */
void	insights_render_time(struct json *j, const char *key,
	    const struct insights_time *t);
/* The short form inside an entry: ms and the counts of each kind. */
void	insights_render_time_short(struct json *j,
	    const struct insights_time *t);

/* The per-play fast path of insights_grow_slow(): nothing to do, inline. */
static inline int
insights_grow(void *arrp, size_t *cap, size_t n, size_t sz)
{
	return n <= *cap ? 0 : insights_grow_slow(arrp, cap, n, sz);
}

#endif
