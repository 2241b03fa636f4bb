/*
 * ratelimit.h — how fast and how soon the collector may talk to Spotify.
 *
 * Pure arithmetic, no I/O, so every rule here has a unit test:
 *  - the app-wide token bucket that keeps the collector under Spotify's
 *    rolling 30-second window;
 *  - exponential backoff with full jitter for 5xx, timeouts and broken
 *    bodies;
 *  - the Retry-After header, in seconds or as an HTTP date, turned into a
 *    clamped delay.
 * Times are Unix milliseconds (or any monotonic millisecond clock for the
 * bucket); the caller supplies "now", so nothing here reads a clock.
 *
 * Error convention: ratelimit_parse_retry_after() returns 0 or -1; the
 * others cannot fail.
 */
#ifndef LN_RATELIMIT_H
#define LN_RATELIMIT_H

#include <stdint.h>

/*
 * A token bucket sized so that no window of window_s seconds ever sees more
 * than max requests: burst + rate * window_s <= max.
 */
struct ratelimit {
	double		 tokens;	/* available now */
	double		 burst;		/* bucket size */
	double		 rate;		/* tokens per millisecond */
	int64_t		 last_ms;	/* when tokens was last brought up to date */
};

/*
 * Sets up rl for at most max requests per window_s seconds (both >= 1),
 * full at now_ms.  The burst is a tenth of max (at least 1), the rest is
 * spread evenly over the window.
 */
void	ratelimit_init(struct ratelimit *rl, long max, long window_s,
	    int64_t now_ms);

/*
 * Takes one token when there is one and returns 0; otherwise takes nothing
 * and returns how many milliseconds until one will be there (>= 1).
 */
int64_t	ratelimit_take(struct ratelimit *rl, int64_t now_ms);

/*
 * The cap of the backoff before attempt (0-based): min(cap_ms,
 * base_ms * 2^attempt).  ratelimit_backoff() draws the actual delay
 * uniformly from [0, that cap] ("full jitter", arc4random_uniform).
 */
int64_t	ratelimit_backoff_cap(unsigned attempt, int64_t base_ms,
	    int64_t cap_ms);
int64_t	ratelimit_backoff(unsigned attempt, int64_t base_ms, int64_t cap_ms);

/*
 * Parses a Retry-After value: delta seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2026 07:28:00 GMT").  A date is measured against the
 * response's own Date header when server_date_ms > 0 (so a server whose
 * clock differs from ours, or a simulator with a virtual clock, still
 * means what it says) and against now_ms otherwise; one second is added
 * because both dates are rounded down to whole seconds.  The delay is
 * clamped to [0, max_s] seconds.  *delay_ms receives it.  Returns 0, or
 * -1 when the value is neither form (the caller then picks a default).
 */
int	ratelimit_parse_retry_after(const char *value, int64_t now_ms,
	    int64_t server_date_ms, long max_s, int64_t *delay_ms);

#endif
