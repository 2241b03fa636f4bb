/*
 * poll_request.c — a task's requests to the Web API, one at a time, with
 * the token rules of poll.h.
 *
 * poll_request_get() keeps the job's path and handler in the task, so the
 * request can be sent again after a refresh.  Before sending, an access
 * token that ends within TOKEN_SKEW_S is refreshed first; a 401 clears the
 * access token and refreshes once, then retries (the token may have ended
 * early on Spotify's clock).  A refreshed token is stored at once, since a
 * rotated refresh token must not be lost.  invalid_grant marks the user
 * USER_REAUTH; 5xx, 429 and timeouts of the token endpoint are temporary
 * and only end the job.  Either way the task's remaining jobs are skipped
 * (auth_dead).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "log.h"
#include "oauth.h"
#include "parse.h"
#include "poll_task.h"
#include "spotify.h"
#include "store.h"

#define TOKEN_SKEW_S		120	/* refresh this long before expiry */

static void	request_on_api(struct spotify_req *, enum spotify_result, long,
		    const cJSON *, void *);
static void	request_on_token(struct spotify_req *, enum spotify_result,
		    long, const cJSON *, void *);

static void	request_send(struct task *);

void
poll_request_get(struct task *t, task_fn fn, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->path, sizeof(t->path), fmt, ap);
	va_end(ap);
	t->fn = fn;
	t->refreshed = 0;
	if (n < 0 || (size_t)n >= sizeof(t->path)) {
		fn(t, SPOTIFY_FAILED, 0, NULL);
		return;
	}
	request_send(t);
}

static void
request_refresh(struct task *t)
{
	char esc[TOKEN_MAX * 3 + 1];

	memset(&t->req, 0, sizeof(t->req));
	if (oauth_form_escape(esc, sizeof(esc), t->u.refresh_token) == -1 ||
	    snprintf(t->form, sizeof(t->form),
	    "grant_type=refresh_token&refresh_token=%s", esc) >=
	    (int)sizeof(t->form)) {
		explicit_bzero(esc, sizeof(esc));
		t->auth_dead = 1;
		poll_job_end(t, 0, "refresh token unusable");
		return;
	}
	explicit_bzero(esc, sizeof(esc));
	t->req.svc = SPOTIFY_SVC_ACCOUNTS;
	(void)strlcpy(t->req.path, "/api/token", sizeof(t->req.path));
	t->req.form = t->form;
	t->req.basic_auth = 1;
	t->req.want_json = 1;
	t->req.done = request_on_token;
	t->req.arg = t;
	spotify_submit(t->pl->sp, &t->req);
}

static void
request_send(struct task *t)
{
	if (t->u.access_token[0] == '\0' ||
	    t->u.token_expires - TOKEN_SKEW_S <= poll_now_s()) {
		request_refresh(t);
		return;
	}
	memset(&t->req, 0, sizeof(t->req));
	t->req.svc = SPOTIFY_SVC_API;
	memcpy(t->req.path, t->path, sizeof(t->req.path));
	if (strlcpy(t->req.bearer, t->u.access_token,
	    sizeof(t->req.bearer)) >= sizeof(t->req.bearer)) {
		t->fn(t, SPOTIFY_FAILED, 0, NULL);
		return;
	}
	t->req.want_json = 1;
	t->req.done = request_on_api;
	t->req.arg = t;
	spotify_submit(t->pl->sp, &t->req);
}

static void
request_on_api(struct spotify_req *req, enum spotify_result r, long status,
    const cJSON *doc, void *arg)
{
	struct task *t = arg;

	explicit_bzero(req->bearer, sizeof(req->bearer));
	if (r == SPOTIFY_STOPPED) {
		poll_abort_task(t);
		return;
	}
	if (r == SPOTIFY_HTTP && status == 401 && !t->refreshed) {
		/* The token ended early (revoked, or another clock): once. */
		t->refreshed = 1;
		t->u.access_token[0] = '\0';
		request_refresh(t);
		return;
	}
	t->fn(t, r, status, doc);
}

/* Stores the task's current tokens into the user record. */
static int
request_write_tokens_user(struct store_txn *txn, struct user *cur, void *arg)
{
	struct task *t = arg;

	account_apply(&t->u, ACCOUNT_BIT(ACCOUNT_TOKENS), cur);
	return store_put_user(txn, cur) == STORE_ERR ? -1 : 0;
}

static void
request_on_token(struct spotify_req *req, enum spotify_result r, long status,
    const cJSON *doc, void *arg)
{
	struct task *t = arg;
	static const char reauth[] =
	    "needs re-authorization (refresh token refused)";
	struct oauth_token tok;
	struct user got;

	explicit_bzero(t->form, sizeof(t->form));
	memset(&tok, 0, sizeof(tok));	/* its error is read on every path */
	if (r == SPOTIFY_STOPPED) {
		poll_abort_task(t);
		return;
	}
	if (r == SPOTIFY_OK && oauth_parse_token(doc, &tok) == 0) {
		memset(&got, 0, sizeof(got));
		memcpy(got.access_token, tok.access_token,
		    sizeof(got.access_token));
		memcpy(got.refresh_token, tok.refresh_token,	/* rotated */
		    sizeof(got.refresh_token));
		got.token_expires = poll_now_s() + tok.expires_in;
		account_apply(&got, ACCOUNT_BIT(ACCOUNT_TOKENS), &t->u);
		explicit_bzero(&tok, sizeof(tok));
		explicit_bzero(&got, sizeof(got));
		/* Persist at once: a rotated refresh token must not be lost. */
		if (poll_write_user(t, request_write_tokens_user, t) == -1) {
			t->auth_dead = 1;
			poll_job_end(t, 0, "cannot store the refreshed token");
			return;
		}
		request_send(t);
		return;
	}
	if (r == SPOTIFY_HTTP && (status == 400 || status == 401) &&
	    oauth_parse_token(doc, &tok) == -1 &&
	    strcmp(tok.error, "invalid_grant") == 0) {
		/* The report says it (the daemon logs it as a warning). */
		log_debug("user %s: refresh token refused (invalid_grant)",
		    t->u.id);
		if (poll_record_failure(t, reauth, 1) == -1)
			log_warnx("user %s: cannot record re-authorization",
			    t->u.id);
		t->auth_dead = 1;
		t->jobs &= ~JOB_BIT(t->job);
		t->pl->report(t->u.id, t->job, 0, reauth, t->pl->arg);
		poll_next_job(t);
		return;
	}
	/* 5xx, 429, timeouts: temporary; the user stays logged in. */
	t->auth_dead = 1;
	if (r == SPOTIFY_HTTP)
		poll_job_end(t, 0, "token refresh refused: HTTP %ld%s%s",
		    status, tok.error[0] ? " " : "", tok.error);
	else
		poll_job_end(t, 0, "token refresh %s: %s",
		    spotify_result_name(r), req->error);
}

void
poll_request_fail(struct task *t, const char *what, enum spotify_result r,
    long status)
{
	if (r == SPOTIFY_HTTP)
		poll_job_end(t, 0, "%s: HTTP %ld", what, status);
	else
		poll_job_end(t, 0, "%s: %s (%s)", what, spotify_result_name(r),
		    t->req.error[0] ? t->req.error : "no detail");
}
