/*
 * tz.h — IANA time zones read from the system's TZif files, without TZ.
 *
 * Insights are computed in the user's time zone.  localtime_r() with a
 * switched TZ variable is neither thread-safe nor cheap per play, so this
 * module reads the compiled zone file itself (RFC 8536: TZif versions 1
 * to 4, the 64-bit block when present) once, keeps its transitions and its
 * POSIX TZ footer rule (for instants after the last transition: "slim"
 * files have almost no transitions and rely on it), and answers "what is
 * the UTC offset at instant t" by binary search or by the rule.  A loaded
 * zone is immutable, so any number of threads may query it.
 *
 * Files come from $TZDIR when set, else /usr/share/zoneinfo.  Names are
 * checked before any file is opened: 1..TZ_NAME_MAX bytes of
 * [A-Za-z0-9/_+-], no empty component and none starting with '.', not
 * starting with '/'.  "UTC" and "" are UTC without a file.  Zones with
 * leap-second records ("right/...") are refused: Unix time has none.
 *
 * Spans.  tz_span() returns the offset at t and an interval [lo, hi) of
 * Unix seconds around t over which it is constant, so a time-ordered scan
 * converts each instant with one comparison and one addition.
 *
 * Error convention: tz_load() and tz_cache_get() return 0 / -1 (-1 also
 * for an unknown or ill-formed name, which callers report as a 400); the
 * queries cannot fail.
 */
#ifndef LN_TZ_H
#define LN_TZ_H

#include <stdint.h>

#define TZ_NAME_MAX	64	/* as struct user's timezone[] */

struct tz;

/* 1 when name passes the checks above (it may still name no file). */
int	tz_valid_name(const char *name);

/*
 * Loads the zone called name into a new *out, which the caller frees with
 * tz_free().  Returns 0, or -1 (logged at debug level: the name came from
 * a request) when the name is ill-formed, the file is missing, too large
 * or damaged.
 */
int	tz_load(struct tz **out, const char *name);
void	tz_free(struct tz *);

/* The zone's name as loaded ("UTC" for ""). */
const char *tz_name(const struct tz *);

/* The offset from UTC in seconds (east positive) at Unix second t. */
int32_t	tz_offset(const struct tz *, int64_t t);

/*
 * The offset at t, and the largest interval [*lo, *hi) containing t that
 * the zone's data shows it constant over (bounds clipped to a year where
 * the footer rule applies; INT64_MIN / INT64_MAX when unbounded).
 */
int32_t	tz_span(const struct tz *, int64_t t, int64_t *lo, int64_t *hi);

/*
 * A per-process cache of loaded zones (TZ_CACHE_MAX, least recently used
 * evicted).  *out points at a zone owned by the cache, valid until the
 * next tz_cache_get() that evicts it or tz_cache_clear(); callers use it
 * within one request.  Not thread-safe (the FastCGI processes and the
 * collector are single-threaded).  Returns 0 or -1 as tz_load().
 */
#define TZ_CACHE_MAX	16
int	tz_cache_get(const char *name, const struct tz **out);
void	tz_cache_clear(void);

#endif
