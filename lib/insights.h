/*
 * insights.h — answers computed from a user's plays: calendar, clock,
 * binges, seasons, new vs old, returns, on this day, top lists, streaks.
 *
 * Every insight is three calls: insights_get_<name>() fills a plain C
 * result struct owned by the caller (it holds no pointer into the store,
 * so it outlives the transaction), insights_render_<name>() writes it as
 * one JSON object through lib/json.h, and insights_free_<name>() releases
 * it.  insights_run() does all three for a kind named by its URL word,
 * from the table insights_kinds[], so the API only routes and validates.
 * The definitions (what a binge, a return, a streak is) and the JSON
 * shapes are in docs/INSIGHTS.md.
 *
 * Time.  Ranges are [from_ms, to_ms) in Unix ms, by played_at (the end
 * of a play, as stored).  Days, hours, weeks (Monday first) and months are
 * those of the query's time zone (tz.h); day numbers count days since
 * 1970-01-01 in that zone.  Calendar and clock read the store's hourly
 * aggregates (15-minute buckets, see store.h), so their cost does not grow
 * with the number of plays; the other insights are single ordered scans
 * of the plays that allocate nothing per play (tables grow by doubling).
 *
 * Listening time.  A play lasted ms_played when the source knew it
 * (imports), else its track's duration when known, else it is untimed
 * (0 ms).  struct insights_time keeps the three apart, and every render
 * says how many plays each kind of figure came from.
 *
 * Error convention: insights_get_* and insights_run() return 0, or -1 when
 * the store failed, memory ran out or the query is out of bounds (all
 * logged); on -1 the result needs no freeing.  Renders cannot fail (the
 * JSON writer records errors for json_finish()).
 */
#ifndef LN_INSIGHTS_H
#define LN_INSIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "schema.h"
#include "tz.h"

struct store_txn;
struct insights_cache;

#define INSIGHTS_LIMIT_DEFAULT	50	/* entries per list */
#define INSIGHTS_LIMIT_MAX	1000
#define INSIGHTS_BINGE_MIN	5	/* config binge_min's default */
#define INSIGHTS_RETURN_DAYS	90	/* config return_days' default */
#define INSIGHTS_STREAK_MIN	2	/* days in a row that make a streak */
#define INSIGHTS_OTD_TRACKS	10	/* tracks shown per earlier year */
#define INSIGHTS_LOCAL_LEN	32	/* "YYYY-MM-DDTHH:MM:SS+HH:MM" + NUL */
#define INSIGHTS_CACHE_TRACKS	2000000	/* a cache this big starts over */
#define INSIGHTS_CACHE_USERS	8	/* journals kept */
#define INSIGHTS_CACHE_PLAYS	2000000	/* plays kept in them (16 B each) */

/* What to compute.  insights_query_init() fills the defaults. */
struct insights_query {
	const char	*user;
	int64_t		 from_ms;	/* first instant, inclusive */
	int64_t		 to_ms;		/* last instant, exclusive */
	const struct tz	*tz;		/* the zone days are counted in */
	uint32_t	 binge_min;	/* binges: plays in a row, 2..1000 */
	uint32_t	 return_days;	/* returns: days away, 1..3650 */
	uint32_t	 limit;		/* list entries, 1..INSIGHTS_LIMIT_MAX */
	int32_t		 day;		/* on this day: the local day asked */
	struct insights_cache *cache;	/* NULL: none (see below) */
};

/*
 * Fills q for user (not copied: it must outlive the query) and zone tz:
 * all time (0 .. INT64_MAX), binge_min 5, return_days 90, limit 50 and
 * day = the current local day in tz.
 */
void	insights_query_init(struct insights_query *q, const char *user,
	    const struct tz *tz);

/*
 * A cache kept by a long-lived process between requests: what the
 * insights need from track records (duration, album, artists), read once
 * rather than per request, and the journals of the users asked about
 * most recently (time, track, ms_played of every play: 16 bytes a play,
 * INSIGHTS_CACHE_PLAYS in all), so that a long scan walks an array
 * instead of the store.  It never serves anything stale: at the start of
 * every insight the entity change log is read (a track changed since is
 * read again; a log that no longer reaches back empties the cache) and
 * the user's journal version (store_agg_version: a journal is read again
 * after any play of the user was put or deleted).  One cache serves one
 * store (the one it is used with first) and one thread.
 * insights_cache_new() returns NULL when memory ran out.
 */
struct insights_cache *insights_cache_new(void);
void	insights_cache_free(struct insights_cache *);
/*
 * Tracks held, track records read, times emptied, and journals read
 * since it was created.
 */
void	insights_cache_stats(const struct insights_cache *, uint64_t *tracks,
	    uint64_t *loads, uint64_t *resets, uint64_t *builds);

/*
 * Local days for the API's date parameters: the day (days since
 * 1970-01-01 in zone z) of Unix ms t, and the first instant of a day
 * (local midnight, or the transition that skipped it) in Unix ms.  A
 * range of whole local days d1..d2 is [insights_day_start(z, d1),
 * insights_day_start(z, d2 + 1)).
 */
int32_t	insights_day_of(const struct tz *z, int64_t t);
int64_t	insights_day_start(const struct tz *z, int32_t day);

/* The query as echoed by every result. */
struct insights_range {
	int64_t		 from_ms, to_ms;
	char		 tz[TZ_NAME_MAX + 1];
};

/* Listening time and where it came from. */
struct insights_time {
	uint64_t	 ms;		/* ms_from_played + ms_from_duration */
	uint64_t	 ms_from_played;
	uint64_t	 ms_from_duration;
	uint32_t	 by_played;	/* plays timed by their ms_played */
	uint32_t	 by_duration;	/* plays timed by the track duration */
	uint32_t	 untimed;	/* plays with neither (counted 0 ms) */
};

/* A thing and how often it was played: top lists, on this day. */
struct insights_count {
	char		 id[ID_LEN + 1];
	uint32_t	 plays;
	struct insights_time time;
};

/*
 * Declares the three calls of insight name (see the top of this file):
 * insights_get_<name>(), insights_render_<name>() and insights_free_<name>()
 * over its result struct insights_<name>, defined with it below.
 */
#define INSIGHTS_API(name)						\
int	insights_get_##name(struct store_txn *,				\
	    const struct insights_query *, struct insights_##name *out);	\
void	insights_render_##name(struct json *, const char *key,		\
	    const struct insights_##name *);				\
void	insights_free_##name(struct insights_##name *)

/* ---- calendar: plays and listening time per local day ------------------ */
struct insights_day {
	int32_t		 day;		/* local day number */
	uint32_t	 plays;
	struct insights_time time;
};

struct insights_calendar {
	struct insights_range r;
	struct insights_day *days;	/* days with plays, ascending */
	size_t		 n;
	uint32_t	 plays;		/* in the whole range */
	struct insights_time time;
};

INSIGHTS_API(calendar);

/* ---- clock: plays by local hour of day and day of week ----------------- */
struct insights_clock {
	struct insights_range r;
	uint32_t	 plays[7][24];	/* [weekday, Monday = 0][hour] */
	uint64_t	 ms[7][24];	/* listening time, ms */
	uint32_t	 total;
	struct insights_time time;
};

INSIGHTS_API(clock);

/* ---- binges: one track binge_min or more times in a row --------------- */
struct insights_binge {
	char		 track_id[ID_LEN + 1];
	uint32_t	 plays;
	int64_t		 first_ms;	/* played_at of the first play */
	int64_t		 last_ms;	/* played_at of the last */
	int64_t		 start_ms;	/* first_ms less its listening time */
	struct insights_time time;
	/* start_ms and last_ms as local time with offset, "" if unknown */
	char		 start_local[INSIGHTS_LOCAL_LEN];
	char		 last_local[INSIGHTS_LOCAL_LEN];
};

struct insights_binges {
	struct insights_range r;
	uint32_t	 binge_min;
	struct insights_binge *v;	/* longest first, then oldest */
	size_t		 n;		/* shown (at most limit) */
	size_t		 total;		/* found */
};

INSIGHTS_API(binges);

/* ---- seasons: the favourite track of each month and each December ----- */
struct insights_month_top {
	int32_t		 year;
	uint8_t		 month;		/* 1..12 */
	uint32_t	 plays;		/* all plays of the month */
	char		 track_id[ID_LEN + 1];	/* "" when no plays */
	uint32_t	 track_plays;
	/*
	 * Decembers only: the most played track of the month that was
	 * played more that December than in the rest of that year (in
	 * range): the seasonal song.  "" when none.
	 */
	char		 seasonal_id[ID_LEN + 1];
	uint32_t	 seasonal_plays;
	uint32_t	 seasonal_rest;	/* its plays in the other 11 months */
};

struct insights_seasons {
	struct insights_range r;
	struct insights_month_top *months;	/* months with plays, ascending */
	size_t		 n_months;
	struct insights_month_top *decembers;	/* the Decembers among them */
	size_t		 n_decembers;
};

INSIGHTS_API(seasons);

/* ---- new vs old: first-ever plays of a track / artist per week, month -- */
struct insights_newold_row {
	int32_t		 day;		/* first local day: a Monday, a 1st */
	uint32_t	 plays;
	uint32_t	 new_tracks;	/* first-ever plays of a track */
	uint32_t	 new_artists;	/* plays that introduced an artist */
};

struct insights_newold {
	struct insights_range r;
	struct insights_newold_row *weeks;
	size_t		 n_weeks;
	struct insights_newold_row *months;
	size_t		 n_months;
	uint32_t	 plays, new_tracks, new_artists;	/* the range */
};

INSIGHTS_API(newold);

/* ---- returns: tracks and artists back after return_days or more ------- */
struct insights_return {
	char		 id[ID_LEN + 1];
	int64_t		 previous_ms;	/* the last play before the absence */
	int64_t		 returned_ms;	/* the play that ended it */
	uint32_t	 days_away;	/* whole days between the two */
	uint32_t	 plays_before;	/* plays of it up to previous_ms */
	uint32_t	 plays_after;	/* from returned_ms to the range's end */
};

struct insights_returns {
	struct insights_range r;
	uint32_t	 return_days;
	struct insights_return *tracks;	/* ordered as docs/INSIGHTS.md says */
	size_t		 n_tracks, total_tracks;
	struct insights_return *artists;
	size_t		 n_artists, total_artists;
};

INSIGHTS_API(returns);

/* ---- on this day: the same date in earlier years ----------------------- */
struct insights_otd_year {
	int32_t		 day;		/* that year's local day */
	uint32_t	 plays;
	struct insights_time time;
	struct insights_count *tracks;	/* most played first */
	size_t		 n_tracks;
	int64_t		 first_ms, last_ms;	/* 0 when no plays */
};

struct insights_onthisday {
	struct insights_range r;
	int32_t		 day;		/* the day asked */
	struct insights_otd_year *years;	/* newest first, with plays */
	size_t		 n;
};

INSIGHTS_API(onthisday);

/* ---- top lists for the range: tracks, artists, albums ------------------ */
struct insights_top {
	struct insights_range r;
	uint32_t	 plays;
	struct insights_time time;
	struct insights_count *tracks, *artists, *albums;
	size_t		 n_tracks, n_artists, n_albums;
	size_t		 distinct_tracks, distinct_artists, distinct_albums;
};

INSIGHTS_API(top);

/* ---- streaks: local days in a row with an artist ----------------------- */
struct insights_streak {
	char		 artist_id[ID_LEN + 1];
	int32_t		 first_day, last_day;
	uint32_t	 days;
	uint32_t	 plays;
};

struct insights_streaks {
	struct insights_range r;
	struct insights_streak *v;	/* longest first, then newest */
	size_t		 n, total;
};

INSIGHTS_API(streaks);

/* ---- the table: compute, render and free by name ----------------------- */
enum insights_kind {
	INSIGHTS_CALENDAR,
	INSIGHTS_CLOCK,
	INSIGHTS_BINGES,
	INSIGHTS_SEASONS,
	INSIGHTS_NEWOLD,
	INSIGHTS_RETURNS,
	INSIGHTS_ONTHISDAY,
	INSIGHTS_TOP,
	INSIGHTS_STREAKS,
	INSIGHTS__MAX
};

struct insights_kind_def {
	const char	*name;		/* the URL word: "calendar", ... */
	int		(*run)(struct store_txn *, const struct insights_query *,
			    struct json *);
};

/* Indexed by enum insights_kind. */
extern const struct insights_kind_def insights_kinds[INSIGHTS__MAX];

/* The kind named name, or -1. */
int	insights_kind_from_name(const char *name);

/*
 * Computes insight kind for q and writes it into j as one JSON object
 * (a top-level value or, in an array, an element).  Returns 0 or -1;
 * on -1 nothing was written.
 */
int	insights_run(struct store_txn *, enum insights_kind,
	    const struct insights_query *, struct json *j);

#endif
