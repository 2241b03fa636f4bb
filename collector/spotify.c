/*
 * spotify.c — the HTTP engine over libcurl's multi interface (see
 * spotify.h for the rules it enforces and the meta keys it writes).
 *
 * A request moves through three places: the wait queue (ordered by
 * submission; each entry may carry a backoff "ready_at"), the multi handle
 * while in flight, and back to its owner through the done callback.
 * spotify_run() is the whole loop body: dispatch what the bucket, the
 * not-before times and the slots allow (spotify_may_start()),
 * curl_multi_poll() for at most the time until something can happen, then
 * read completions.
 *
 * Times: not-before and backoff use the wall clock (Unix ms) because they
 * are persisted and compared with server dates; the token bucket uses a
 * monotonic clock so that a clock step cannot empty or flood it.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "log.h"
#include "oauth.h"
#include "parse.h"
#include "ratelimit.h"
#include "spotify.h"
#include "store.h"
#include "timeutil.h"

#define SPOTIFY_WINDOW_S	30	/* Spotify's rolling window */

/* The two services: base URL key, meta key of its not-before time. */
static const struct spotify_svc_def {
	const char	*name;
	enum config_key	 base;
	const char	*meta;
} spotify_svcs[SPOTIFY_SVC__MAX] = {
	[SPOTIFY_SVC_API] = { "api", CFG_SPOTIFY_API_BASE,
	    "ratelimit.not_before.api" },
	[SPOTIFY_SVC_ACCOUNTS] = { "accounts", CFG_SPOTIFY_ACCOUNTS_BASE,
	    "ratelimit.not_before.accounts" },
};

#define SPOTIFY_META_QUOTA	"ratelimit.quota_until"

static const char *const spotify_result_names[SPOTIFY_RESULT__MAX] = {
	[SPOTIFY_OK] = "ok",
	[SPOTIFY_HTTP] = "refused",
	[SPOTIFY_FAILED] = "failed",
	[SPOTIFY_PAUSED] = "rate limited",
	[SPOTIFY_STOPPED] = "stopped",
};

struct spotify {
	CURLM		*multi;
	struct store	*st;
	char		 base[SPOTIFY_SVC__MAX][512];
	char		 client_id[256];
	char		 client_secret[256];	/* secret */
	long		 connect_timeout;
	long		 request_timeout;
	size_t		 max_response;
	long		 retry_after_max;
	long		 quota_pause;
	int		 max_concurrency;
	struct ratelimit rl;
	int64_t		 not_before[SPOTIFY_SVC__MAX];
	int64_t		 quota_until;
	int		 multiplexed[SPOTIFY_SVC__MAX];
	int		 in_flight[SPOTIFY_SVC__MAX];
	int64_t		 max_wait_ms;
	struct spotify_req	*queue;		/* waiting, in submission order */
	struct spotify_req	*queue_tail;
	struct spotify_req	*running;	/* in flight, any order */
	size_t		 n_queued;
	size_t		 n_running;
	struct spotify_stats stats;
};

static int64_t
spotify_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
spotify_result_name(enum spotify_result r)
{
	return r < SPOTIFY_RESULT__MAX ? spotify_result_names[r] : "?";
}

static int
spotify_load_config(struct spotify *sp, const struct config *cfg, char *err,
    size_t errsz)
{
	char base[SPOTIFY_SVC__MAX][512];
	const char *v;
	size_t len;
	int i;

	for (i = 0; i < SPOTIFY_SVC__MAX; i++) {
		v = config_str(cfg, spotify_svcs[i].base);
		if (!oauth_url_allowed(v)) {
			snprintf(err, errsz, "%s: https is required (plain "
			    "http only to a loopback host)",
			    config_name(spotify_svcs[i].base));
			return -1;
		}
		if (strlcpy(base[i], v, sizeof(base[i])) >= sizeof(base[i])) {
			snprintf(err, errsz, "%s: too long",
			    config_name(spotify_svcs[i].base));
			return -1;
		}
		/* Paths are appended with their own leading slash. */
		len = strlen(base[i]);
		while (len > 0 && base[i][len - 1] == '/')
			base[i][--len] = '\0';
	}
	if (strlcpy(sp->client_id, config_str(cfg, CFG_CLIENT_ID),
	    sizeof(sp->client_id)) >= sizeof(sp->client_id) ||
	    strlcpy(sp->client_secret, config_str(cfg, CFG_CLIENT_SECRET),
	    sizeof(sp->client_secret)) >= sizeof(sp->client_secret)) {
		snprintf(err, errsz, "client_id or client_secret too long");
		return -1;
	}
	memcpy(sp->base, base, sizeof(base));
	sp->connect_timeout = (long)config_num(cfg, CFG_CONNECT_TIMEOUT);
	sp->request_timeout = (long)config_num(cfg, CFG_REQUEST_TIMEOUT);
	sp->max_response = (size_t)config_num(cfg, CFG_MAX_RESPONSE);
	sp->retry_after_max = (long)config_num(cfg, CFG_RETRY_AFTER_MAX);
	sp->quota_pause = (long)config_num(cfg, CFG_QUOTA_PAUSE);
	sp->max_concurrency = (int)config_num(cfg, CFG_MAX_CONCURRENCY);
	ratelimit_init(&sp->rl, (long)config_num(cfg, CFG_RATE_LIMIT),
	    SPOTIFY_WINDOW_S, spotify_mono_ms());
	return 0;
}

/* Reads the persisted not-before times. */
static int
spotify_read_meta(struct store_txn *txn, void *arg)
{
	struct spotify *sp = arg;
	int64_t v;
	int i;

	for (i = 0; i < SPOTIFY_SVC__MAX; i++)
		if (store_get_meta_i64(txn, spotify_svcs[i].meta, &v) == STORE_OK)
			sp->not_before[i] = v;
	if (store_get_meta_i64(txn, SPOTIFY_META_QUOTA, &v) == STORE_OK)
		sp->quota_until = v;
	return 0;
}

struct spotify_meta_put {
	const char	*name;
	int64_t		 v;
	const char	*name2;
	int64_t		 v2;
};

static int
spotify_write_meta(struct store_txn *txn, void *arg)
{
	struct spotify_meta_put *m = arg;

	if (store_put_meta_i64(txn, m->name, m->v) != STORE_OK)
		return -1;
	if (m->name2 != NULL &&
	    store_put_meta_i64(txn, m->name2, m->v2) != STORE_OK)
		return -1;
	return 0;
}

static int
spotify_write_quota(struct store_txn *txn, void *arg)
{
	return store_put_meta_i64(txn, SPOTIFY_META_QUOTA, *(int64_t *)arg) ==
	    STORE_OK ? 0 : -1;
}

struct spotify *
spotify_new(const struct config *cfg, struct store *st, char *err, size_t errsz)
{
	struct spotify *sp;

	if ((sp = calloc(1, sizeof(*sp))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	sp->st = st;
	sp->max_wait_ms = -1;
	if (spotify_load_config(sp, cfg, err, errsz) == -1)
		goto fail_free;
	if ((sp->multi = curl_multi_init()) == NULL) {
		snprintf(err, errsz, "curl_multi_init failed");
		goto fail_free;
	}
	/* A small connection cache: one connection per service suffices. */
	curl_multi_setopt(sp->multi, CURLMOPT_MAXCONNECTS, 4L);
	curl_multi_setopt(sp->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	if (st != NULL && store_read(st, spotify_read_meta, sp) != STORE_OK)
		log_warnx("cannot read the rate limiter's state; starting "
		    "without it");
	return sp;

fail_free:
	free(sp);
	return NULL;
}

int
spotify_reconfigure(struct spotify *sp, const struct config *cfg, char *err,
    size_t errsz)
{
	struct spotify tmp = *sp;

	if (spotify_load_config(&tmp, cfg, err, errsz) == -1)
		return -1;
	*sp = tmp;
	return 0;
}

void
spotify_set_max_wait(struct spotify *sp, int64_t max_wait_ms)
{
	sp->max_wait_ms = max_wait_ms;
}

size_t
spotify_pending(const struct spotify *sp)
{
	return sp->n_queued + sp->n_running;
}

void
spotify_get_stats(const struct spotify *sp, struct spotify_stats *out)
{
	*out = sp->stats;
}

int64_t
spotify_not_before(const struct spotify *sp, enum spotify_svc svc)
{
	return sp->not_before[svc];
}

int64_t
spotify_quota_until(const struct spotify *sp)
{
	return sp->quota_until;
}

static void
spotify_enqueue(struct spotify *sp, struct spotify_req *req)
{
	req->next = NULL;
	if (sp->queue_tail != NULL)
		sp->queue_tail->next = req;
	else
		sp->queue = req;
	sp->queue_tail = req;
	sp->n_queued++;
}

void
spotify_submit(struct spotify *sp, struct spotify_req *req)
{
	req->attempts = 0;
	req->n429 = 0;
	req->ready_at = 0;
	req->error[0] = '\0';
	spotify_enqueue(sp, req);
}

/* Releases what one transfer held (not the request itself). */
static void
spotify_req_release(struct spotify *sp, struct spotify_req *req)
{
	if (req->easy != NULL) {
		curl_multi_remove_handle(sp->multi, req->easy);
		curl_easy_cleanup(req->easy);
		req->easy = NULL;
	}
	curl_slist_free_all(req->hdrs);
	req->hdrs = NULL;
	buf_free(&req->body);
}

static void
spotify_finish(struct spotify_req *req, enum spotify_result r, long status,
    const cJSON *doc)
{
	req->done(req, r, status, doc, req->arg);
}

static size_t
spotify_cb_write(char *p, size_t size, size_t n, void *arg)
{
	struct spotify_req *req = arg;
	size_t len = size * n;

	/* The cap is checked against what the body would become. */
	if (len > req->cap || req->body.len > req->cap - len) {
		req->too_big = 1;
		return 0;	/* curl aborts with CURLE_WRITE_ERROR */
	}
	if (buf_add(&req->body, p, len) == -1)
		return 0;
	return len;
}

static size_t
spotify_cb_header(char *p, size_t size, size_t n, void *arg)
{
	struct spotify_req *req = arg;
	size_t len = size * n, vlen;
	const char *v;
	char tmp[96];
	int64_t s;

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		v = p + 12;
		vlen = len - 12;
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
			vlen--;
		if (vlen >= sizeof(req->retry_after))
			vlen = sizeof(req->retry_after) - 1;
		memcpy(req->retry_after, v, vlen);
		req->retry_after[vlen] = '\0';
	} else if (len > 5 && strncasecmp(p, "Date:", 5) == 0) {
		v = p + 5;
		vlen = len - 5;
		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
			vlen--;
		if (vlen < sizeof(tmp)) {
			memcpy(tmp, v, vlen);
			tmp[vlen] = '\0';
			if (time_parse_http_date(tmp, &s) == 0)
				req->date_ms = s * 1000;
		}
	}
	return len;
}

/* Puts req on the wire.  Returns 0, or -1 when curl refused (req failed). */
static int
spotify_start(struct spotify *sp, struct spotify_req *req)
{
	char url[2000], auth[640];
	CURL *e;

	if (snprintf(url, sizeof(url), "%s%s", sp->base[req->svc],
	    req->path) >= (int)sizeof(url))
		return -1;
	if ((e = curl_easy_init()) == NULL)
		return -1;
	req->easy = e;
	req->body = (struct buf)BUF_INIT;
	req->cap = sp->max_response;
	req->too_big = 0;
	req->retry_after[0] = '\0';
	req->date_ms = 0;
	req->hdrs = NULL;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, sp->connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, sp->request_timeout);
	/* Less than 1 byte/s for connect_timeout seconds is a stall. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, sp->connect_timeout);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)sp->max_response);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "linernotes-collector/1");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, spotify_cb_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, spotify_cb_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, req);
	curl_easy_setopt(e, CURLOPT_PRIVATE, req);
	if (req->bearer[0] != '\0') {
		if (snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    req->bearer) >= (int)sizeof(auth))
			goto fail_easy;
		req->hdrs = curl_slist_append(NULL, auth);
		explicit_bzero(auth, sizeof(auth));
		if (req->hdrs == NULL)
			goto fail_easy;
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->hdrs);
	}
	if (req->basic_auth) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, sp->client_id);
		curl_easy_setopt(e, CURLOPT_PASSWORD, sp->client_secret);
	}
	if (req->form != NULL)
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->form);
	if (curl_multi_add_handle(sp->multi, e) != CURLM_OK)
		goto fail_easy;
	req->started_ms = time_now_ms();
	req->next = sp->running;
	sp->running = req;
	sp->in_flight[req->svc]++;
	sp->n_running++;
	sp->stats.sent[req->svc]++;
	return 0;

fail_easy:
	curl_slist_free_all(req->hdrs);
	req->hdrs = NULL;
	curl_easy_cleanup(e);
	req->easy = NULL;
	return -1;
}

/* Removes req from the wait queue (prev is its predecessor or NULL). */
static void
spotify_unqueue(struct spotify *sp, struct spotify_req *prev,
    struct spotify_req *req)
{
	if (prev != NULL)
		prev->next = req->next;
	else
		sp->queue = req->next;
	if (sp->queue_tail == req)
		sp->queue_tail = prev;
	req->next = NULL;
	sp->n_queued--;
}

/*
 * Whether req may start beside the requests in flight.  Over HTTP/1.1 (a
 * service not seen to multiplex) it waits until nothing at all is in
 * flight, on either service: Spotify counts the app as one client and a
 * Retry-After from either service pauses both (spotify_pause()), so a request
 * already on its way on the other connection when a 429 arrives would
 * reach Spotify inside the pause.  Over HTTP/2 up to max_concurrency
 * requests share the connection, but none beside an HTTP/1.1 one.
 */
static int
spotify_may_start(const struct spotify *sp, const struct spotify_req *req)
{
	int i;

	if ((int)sp->n_running >= sp->max_concurrency)
		return 0;
	if (!sp->multiplexed[req->svc])
		return sp->n_running == 0;
	for (i = 0; i < SPOTIFY_SVC__MAX; i++)
		if (!sp->multiplexed[i] && sp->in_flight[i] > 0)
			return 0;
	return 1;
}

/*
 * Starts every queued request that may start now.  Returns how many ms
 * until the next one may (0 when something started or nothing waits on
 * time, -1 when nothing waits at all).
 */
static int64_t
spotify_dispatch(struct spotify *sp)
{
	struct spotify_req *req, *prev, *next;
	int64_t now = time_now_ms(), wait = -1, w, nb;

	prev = NULL;
	for (req = sp->queue; req != NULL; req = next) {
		next = req->next;
		nb = sp->not_before[req->svc];
		if (sp->quota_until > nb)
			nb = sp->quota_until;
		if (req->ready_at > nb)
			nb = req->ready_at;
		if (nb > now) {
			if (sp->max_wait_ms >= 0 && nb - now > sp->max_wait_ms &&
			    nb != req->ready_at) {
				spotify_unqueue(sp, prev, req);
				snprintf(req->error, sizeof(req->error),
				    "%s paused for %lld s",
				    spotify_svcs[req->svc].name,
				    (long long)((nb - now + 999) / 1000));
				spotify_finish(req, SPOTIFY_PAUSED, 0, NULL);
				continue;
			}
			if (wait < 0 || nb - now < wait)
				wait = nb - now;
			prev = req;
			continue;
		}
		if (!spotify_may_start(sp, req)) {
			prev = req;
			continue;	/* a completion will wake us */
		}
		if ((w = ratelimit_take(&sp->rl, spotify_mono_ms())) > 0) {
			if (wait < 0 || w < wait)
				wait = w;
			break;		/* the bucket is empty for everyone */
		}
		spotify_unqueue(sp, prev, req);
		if (spotify_start(sp, req) == -1) {
			snprintf(req->error, sizeof(req->error),
			    "cannot start the request");
			spotify_finish(req, SPOTIFY_FAILED, 0, NULL);
		}
	}
	return wait;
}

/*
 * Sets the not-before time after a Retry-After from svc (and the quota
 * pause) and persists it.  Spotify counts the app as one client, so the
 * pause holds for both services: a 429 from the token endpoint also stops
 * Web API requests, and the other way round.
 */
static void
spotify_pause(struct spotify *sp, enum spotify_svc svc, int64_t until,
    int quota)
{
	struct spotify_meta_put m;
	int i, later = 0;

	for (i = 0; i < SPOTIFY_SVC__MAX; i++)
		if (until > sp->not_before[i]) {
			sp->not_before[i] = until;
			later = 1;
		}
	if (!later && !quota)
		return;
	memset(&m, 0, sizeof(m));
	m.name = spotify_svcs[SPOTIFY_SVC_API].meta;
	m.v = sp->not_before[SPOTIFY_SVC_API];
	m.name2 = spotify_svcs[SPOTIFY_SVC_ACCOUNTS].meta;
	m.v2 = sp->not_before[SPOTIFY_SVC_ACCOUNTS];
	if (quota)
		sp->quota_until = until;
	if (sp->st != NULL && (store_write(sp->st, spotify_write_meta, &m) !=
	    STORE_OK || (quota && store_write(sp->st, spotify_write_quota,
	    &sp->quota_until) != STORE_OK)))
		log_warnx("cannot persist the pause after %s's answer; it holds "
		    "in memory", spotify_svcs[svc].name);
}

/* Queues req again after a transient failure, or fails it for good. */
static void
spotify_retry(struct spotify *sp, struct spotify_req *req, const char *why)
{
	int64_t d;

	(void)strlcpy(req->error, why, sizeof(req->error));
	if (++req->attempts >= SPOTIFY_ATTEMPTS) {
		spotify_finish(req, SPOTIFY_FAILED, 0, NULL);
		return;
	}
	d = ratelimit_backoff(req->attempts - 1, SPOTIFY_BACKOFF_BASE_MS,
	    SPOTIFY_BACKOFF_CAP_MS);
	req->ready_at = time_now_ms() + d;
	sp->stats.retries++;
	log_debug("%s%s: %s; retry %u in %lld ms", spotify_svcs[req->svc].name,
	    req->svc == SPOTIFY_SVC_API ? "" : " token", why, req->attempts,
	    (long long)d);
	spotify_enqueue(sp, req);
}

/* Takes req off the running list. */
static void
spotify_unrun(struct spotify *sp, struct spotify_req *req)
{
	struct spotify_req **pp;

	for (pp = &sp->running; *pp != NULL; pp = &(*pp)->next)
		if (*pp == req) {
			*pp = req->next;
			break;
		}
	req->next = NULL;
	sp->in_flight[req->svc]--;
	sp->n_running--;
}

static void
spotify_complete(struct spotify *sp, struct spotify_req *req, CURLcode cc)
{
	long status = 0, ver = 0, nconn = 0;
	cJSON *doc = NULL;
	int64_t now = time_now_ms(), delay;
	char why[128];
	int quota;

	curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(req->easy, CURLINFO_HTTP_VERSION, &ver);
	curl_easy_getinfo(req->easy, CURLINFO_NUM_CONNECTS, &nconn);
	sp->stats.connects += (uint64_t)nconn;
	if (ver == CURL_HTTP_VERSION_2_0 || ver == CURL_HTTP_VERSION_3)
		sp->multiplexed[req->svc] = 1;
	spotify_unrun(sp, req);
	curl_multi_remove_handle(sp->multi, req->easy);

	if (cc != CURLE_OK) {
		if (req->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
			spotify_req_release(sp, req);
			snprintf(req->error, sizeof(req->error),
			    "response larger than max_response");
			spotify_finish(req, SPOTIFY_FAILED, status, NULL);
			return;
		}
		if (cc == CURLE_OPERATION_TIMEDOUT)
			sp->stats.timeouts++;
		snprintf(why, sizeof(why), "%s", curl_easy_strerror(cc));
		spotify_req_release(sp, req);
		spotify_retry(sp, req, why);
		return;
	}
	if (req->body.len > 0 && (req->want_json || status >= 400))
		doc = cJSON_ParseWithLength(req->body.data, req->body.len);

	quota = parse_is_quota(doc);
	if (status == 429 || (status == 403 && quota)) {
		sp->stats.n429++;
		if (req->retry_after[0] == '\0' ||
		    ratelimit_parse_retry_after(req->retry_after, now,
		    req->date_ms, sp->retry_after_max, &delay) == -1)
			delay = 5000;	/* 429 without a usable Retry-After */
		/* The quota pause is the longer of ours and theirs. */
		if (quota && delay < (int64_t)sp->quota_pause * 1000)
			delay = (int64_t)sp->quota_pause * 1000;
		/* A little margin: our clock read the response after theirs. */
		spotify_pause(sp, req->svc, now + delay + 100, quota);
		if (quota)
			log_warnx("%s: QUOTA_EXCEEDED; pausing %lld s",
			    spotify_svcs[req->svc].name,
			    (long long)(delay + 100) / 1000);
		else
			log_info("%s: 429; nothing sent for %lld ms",
			    spotify_svcs[req->svc].name, (long long)delay + 100);
		cJSON_Delete(doc);
		spotify_req_release(sp, req);
		snprintf(req->error, sizeof(req->error), quota ?
		    "QUOTA_EXCEEDED" : "429 Too Many Requests");
		if (++req->n429 >= SPOTIFY_429_MAX) {
			spotify_finish(req, SPOTIFY_FAILED, status, NULL);
			return;
		}
		spotify_enqueue(sp, req);
		return;
	}
	if (status >= 500 || status < 200) {
		sp->stats.n5xx++;
		cJSON_Delete(doc);
		/* A 503 may say when to come back: that holds for everyone. */
		if (req->retry_after[0] != '\0' &&
		    ratelimit_parse_retry_after(req->retry_after, now,
		    req->date_ms, sp->retry_after_max, &delay) == 0)
			spotify_pause(sp, req->svc, now + delay + 100, 0);
		snprintf(why, sizeof(why), "HTTP %ld", status);
		spotify_req_release(sp, req);
		spotify_retry(sp, req, why);
		return;
	}
	if (status >= 300) {
		spotify_req_release(sp, req);
		snprintf(req->error, sizeof(req->error), "HTTP %ld", status);
		spotify_finish(req, SPOTIFY_HTTP, status, doc);
		cJSON_Delete(doc);
		return;
	}
	if (req->want_json && doc == NULL) {
		snprintf(why, sizeof(why), "%s body (%zu bytes)",
		    req->body.len == 0 ? "empty" : "malformed or truncated",
		    req->body.len);
		spotify_req_release(sp, req);
		spotify_retry(sp, req, why);
		return;
	}
	spotify_req_release(sp, req);
	spotify_finish(req, SPOTIFY_OK, status, doc);
	cJSON_Delete(doc);
}

size_t
spotify_run(struct spotify *sp, int wait_ms)
{
	return spotify_run_fd(sp, wait_ms, -1);
}

size_t
spotify_run_fd(struct spotify *sp, int wait_ms, int wake_fd)
{
	struct spotify_req *req;
	struct curl_waitfd wfd = { wake_fd, CURL_WAIT_POLLIN, 0 };
	struct pollfd pfd = { wake_fd, POLLIN, 0 };
	CURLMsg *msg;
	int64_t wait;
	int running, left;
	void *p;

	wait = spotify_dispatch(sp);
	if (wait >= 0 && wait < wait_ms)
		wait_ms = (int)wait;
	if (sp->n_running > 0 || wait_ms > 0) {
		if (sp->n_running > 0)
			curl_multi_poll(sp->multi, wake_fd >= 0 ? &wfd : NULL,
			    wake_fd >= 0, wait_ms, NULL);
		else if (wake_fd >= 0)
			(void)poll(&pfd, 1, wait_ms);
		else {
			struct timespec ts = { wait_ms / 1000,
			    (long)(wait_ms % 1000) * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	curl_multi_perform(sp->multi, &running);
	while ((msg = curl_multi_info_read(sp->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		p = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		req = p;
		spotify_complete(sp, req, msg->data.result);
	}
	(void)spotify_dispatch(sp);
	return spotify_pending(sp);
}

void
spotify_cancel_all(struct spotify *sp)
{
	struct spotify_req *req;

	/* Queued ones first: their owners may free them in the callback. */
	while ((req = sp->queue) != NULL) {
		spotify_unqueue(sp, NULL, req);
		spotify_finish(req, SPOTIFY_STOPPED, 0, NULL);
	}
	while ((req = sp->running) != NULL) {
		spotify_unrun(sp, req);
		spotify_req_release(sp, req);
		spotify_finish(req, SPOTIFY_STOPPED, 0, NULL);
	}
}

void
spotify_free(struct spotify *sp)
{
	if (sp == NULL)
		return;
	spotify_cancel_all(sp);
	curl_multi_cleanup(sp->multi);
	explicit_bzero(sp->client_secret, sizeof(sp->client_secret));
	free(sp);
}
