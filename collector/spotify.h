/*
 * spotify.h — the collector's HTTP engine: every request to Spotify.
 *
 * One libcurl multi handle carries every request of the process, so one
 * connection per service (Web API, accounts) serves every user.  The
 * engine owns the rules that protect the app's standing with Spotify:
 *  - the app-wide token bucket (rate_limit requests per 30 s window, both
 *    services together);
 *  - a "not before" time set by 429 or 503 (Retry-After, seconds or HTTP
 *    date, clamped to retry_after_max) or by QUOTA_EXCEEDED (the longer of
 *    quota_pause and Retry-After), persisted in the store's meta so a
 *    restart honours it; Spotify sees the app as one client, so nothing
 *    is sent to either service before it passes;
 *  - in flight: while a service speaks HTTP/1.1, one request at a time
 *    for the whole app (more would only open more connections, the
 *    bucket, not latency, bounds throughput, and a request on its way on
 *    the other service's connection when a 429 arrives would land inside
 *    the pause); up to max_concurrency streams once a response shows
 *    HTTP/2 multiplexing;
 *  - timeouts on every request (connect, total, low speed), a response
 *    size cap enforced in the write callback, https required except for
 *    loopback hosts;
 *  - 5xx, timeouts, truncated bodies and (when JSON is expected) bodies
 *    that do not parse are retried with exponential backoff and full
 *    jitter, up to SPOTIFY_ATTEMPTS; the caller sees only the final outcome.
 *
 * Meta keys written (Unix milliseconds; 0 or absent = none):
 *   ratelimit.not_before.api       no Web API request before this time
 *   ratelimit.not_before.accounts  no accounts request before this time
 *                                  (today both hold the same value)
 *   ratelimit.quota_until          QUOTA_EXCEEDED pause ends (status shows it)
 *
 * Ownership: a struct spotify_req belongs to the caller, who keeps it alive
 * and untouched from spotify_submit() until its done callback runs; the
 * callback may free or resubmit it.  The cJSON tree given to the callback
 * is freed when the callback returns.
 *
 * Error convention: 0 / -1; request outcomes are enum spotify_result.
 */
#ifndef LN_SPOTIFY_H
#define LN_SPOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "buf.h"

struct config;
struct store;
struct spotify;

#define SPOTIFY_ATTEMPTS		6	/* tries of one request on 5xx etc. */
#define SPOTIFY_BACKOFF_BASE_MS	250
#define SPOTIFY_BACKOFF_CAP_MS	60000
#define SPOTIFY_429_MAX		20	/* 429s one request may meet */

enum spotify_svc {
	SPOTIFY_SVC_API,		/* spotify_api_base */
	SPOTIFY_SVC_ACCOUNTS,	/* spotify_accounts_base */
	SPOTIFY_SVC__MAX
};

enum spotify_result {
	SPOTIFY_OK,		/* 2xx, complete body (parsed when want_json) */
	SPOTIFY_HTTP,		/* a final 4xx other than 429: the caller decides */
	SPOTIFY_FAILED,		/* retries exhausted or a permanent failure */
	SPOTIFY_PAUSED,		/* rate limit or quota pause beyond max_wait */
	SPOTIFY_STOPPED,		/* the engine is shutting down */
	SPOTIFY_RESULT__MAX
};

struct spotify_req;
typedef void (*spotify_done_fn)(struct spotify_req *, enum spotify_result,
    long status, const cJSON *doc, void *arg);

struct spotify_req {
	/* filled by the caller */
	enum spotify_svc	 svc;
	char		 path[1400];	/* appended to the service's base URL */
	char		 bearer[600];	/* "" = none; secret, never logged */
	char		*form;		/* POST body (x-www-form-urlencoded), NULL = GET; caller-owned */
	int		 basic_auth;	/* client_id:client_secret */
	int		 want_json;	/* parse the body; unparsable = retry */
	spotify_done_fn	 done;
	void		*arg;
	/* the engine's */
	unsigned	 attempts;	/* transient failures so far */
	unsigned	 n429;
	int64_t		 ready_at;	/* Unix ms: not before (backoff) */
	int64_t		 started_ms;
	void		*easy;
	struct curl_slist *hdrs;
	struct buf	 body;
	size_t		 cap;		/* max_response when started */
	int		 too_big;
	char		 retry_after[96];
	int64_t		 date_ms;	/* the response's Date header */
	char		 error[128];	/* last transient failure, for people */
	struct spotify_req	*next;
};

struct spotify_stats {
	uint64_t	 sent[SPOTIFY_SVC__MAX];	/* requests put on the wire */
	uint64_t	 connects;		/* new connections (CURLINFO_NUM_CONNECTS) */
	uint64_t	 retries;
	uint64_t	 n429;
	uint64_t	 n5xx;
	uint64_t	 timeouts;
};

/*
 * Creates an engine for cfg (read when called; spotify_reconfigure() after a
 * reload) that persists limiter state in st (may be NULL in tests).
 * Checks both base URLs with oauth_url_allowed() (lib/oauth.h).  Returns the engine, or
 * NULL with a message for people in err.
 */
struct spotify *spotify_new(const struct config *cfg, struct store *st,
	    char *err, size_t errsz);
/* Re-reads limits and URLs from cfg; 0, or -1 (with err) keeping the old. */
int	spotify_reconfigure(struct spotify *, const struct config *cfg, char *err,
	    size_t errsz);
/*
 * Stops every request (callbacks run with SPOTIFY_STOPPED), frees the
 * engine.
 */
void	spotify_free(struct spotify *);

/*
 * Limits how long a request may wait for a not-before time: past it the
 * request ends SPOTIFY_PAUSED instead of waiting (poll-once uses this; the
 * daemon waits, -1).
 */
void	spotify_set_max_wait(struct spotify *, int64_t max_wait_ms);

/* Queues req (see Ownership above). */
void	spotify_submit(struct spotify *, struct spotify_req *req);

/*
 * Starts what may start, waits at most wait_ms for network activity, and
 * finishes what finished (running callbacks).  Returns the number of
 * requests still queued or in flight.
 */
size_t	spotify_run(struct spotify *, int wait_ms);
/*
 * The same, but the wait also ends as soon as wake_fd (when >= 0) is
 * readable; reading it is the caller's.
 */
size_t	spotify_run_fd(struct spotify *, int wait_ms, int wake_fd);

/* Ends every queued and running request with SPOTIFY_STOPPED. */
void	spotify_cancel_all(struct spotify *);

/* Requests queued or in flight. */
size_t	spotify_pending(const struct spotify *);
void	spotify_get_stats(const struct spotify *, struct spotify_stats *out);
/* The not-before time of svc and the quota pause end (Unix ms, 0 = none). */
int64_t	spotify_not_before(const struct spotify *, enum spotify_svc);
int64_t	spotify_quota_until(const struct spotify *);

/* Human words for a result, e.g. "rate limited". */
const char *spotify_result_name(enum spotify_result);

#endif
