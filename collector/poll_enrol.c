/*
 * poll_enrol.c — add-user: enrols a user from a refresh token.  It is not
 * a poll: it runs the engine itself until its two requests are done.
 *
 * The refresh token is exchanged at the token endpoint (a rotated one
 * replaces it), /v1/me gives the user's id and profile, and one write
 * stores the user: a new record, or the tokens and profile of a known
 * one, made active again with every job due at once.
 */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "oauth.h"
#include "parse.h"
#include "poll.h"
#include "poll_task.h"
#include "spotify.h"
#include "store.h"

struct enrol_ctx {
	int		 done;
	enum spotify_result r;
	long		 status;
	struct oauth_token tok;	/* secret */
	struct user	 me;
	int		 parsed;
	int		 got_token;	/* the pending request is /v1/me */
	char		 error[128];
};

/*
 * The end of either request: the token's answer is read even when it is
 * an error (its "error" says why), /v1/me only on success.
 */
static void
enrol_on_done(struct spotify_req *req, enum spotify_result r, long status,
    const cJSON *doc, void *arg)
{
	struct enrol_ctx *c = arg;

	c->done = 1;
	c->r = r;
	c->status = status;
	if (!c->got_token)
		c->parsed = oauth_parse_token(doc, &c->tok) == 0;
	else
		c->parsed = r == SPOTIFY_OK && oauth_parse_me(doc, &c->me) == 0;
	(void)strlcpy(c->error, req->error, sizeof(c->error));
}

struct enrol_store {
	struct user	*u;
	int		 existed;
};

static int
enrol_write(struct store_txn *txn, void *arg)
{
	struct enrol_store *w = arg;
	struct user cur;
	int rc;

	rc = store_get_user(txn, w->u->id, &cur);
	if (rc == STORE_ERR)
		return -1;
	w->existed = rc == STORE_OK;
	if (w->existed) {
		account_apply(w->u, ACCOUNT_BIT(ACCOUNT_PROFILE) |
		    ACCOUNT_BIT(ACCOUNT_TOKENS), &cur);
		account_authorized(&cur, w->u->authorized_at);
		cur.status = USER_ACTIVE;
		rc = store_put_user(txn, &cur);
		explicit_bzero(&cur, sizeof(cur));
	} else
		rc = store_put_user(txn, w->u);
	return rc == STORE_ERR ? -1 : 0;
}

static void
enrol_wait(struct spotify *sp, struct enrol_ctx *c)
{
	while (!c->done)
		(void)spotify_run(sp, 1000);
}

int
poll_enrol_user(const struct config *cfg, struct store *st, struct spotify *sp,
    const char *refresh_token, char id_out[USER_ID_MAX + 1], char *err,
    size_t errsz)
{
	struct spotify_req req;
	struct enrol_ctx c;
	struct enrol_store w;
	struct user u, got;
	char esc[TOKEN_MAX * 3 + 1], form[TOKEN_MAX * 3 + 64];
	int rc = -1;

	(void)cfg;
	memset(&c, 0, sizeof(c));
	memset(&u, 0, sizeof(u));
	memset(&got, 0, sizeof(got));
	memset(&req, 0, sizeof(req));
	if (strlen(refresh_token) > TOKEN_MAX ||
	    oauth_form_escape(esc, sizeof(esc), refresh_token) == -1 ||
	    snprintf(form, sizeof(form),
	    "grant_type=refresh_token&refresh_token=%s", esc) >=
	    (int)sizeof(form)) {
		snprintf(err, errsz, "refresh token too long");
		goto wipe;
	}
	req.svc = SPOTIFY_SVC_ACCOUNTS;
	(void)strlcpy(req.path, "/api/token", sizeof(req.path));
	req.form = form;
	req.basic_auth = 1;
	req.want_json = 1;
	req.done = enrol_on_done;
	req.arg = &c;
	spotify_submit(sp, &req);
	enrol_wait(sp, &c);
	if (c.r != SPOTIFY_OK || !c.parsed) {
		if (c.r == SPOTIFY_HTTP)
			snprintf(err, errsz, "the token endpoint refused the "
			    "refresh token: HTTP %ld %s", c.status,
			    c.tok.error[0] ? c.tok.error : "");
		else
			snprintf(err, errsz, "token refresh %s: %s",
			    spotify_result_name(c.r), c.error);
		goto wipe;
	}
	/* The given refresh token, unless the answer rotated it. */
	if (strlcpy(u.refresh_token, refresh_token, sizeof(u.refresh_token)) >=
	    sizeof(u.refresh_token)) {
		snprintf(err, errsz, "refresh token too long");
		goto wipe;
	}
	memcpy(got.access_token, c.tok.access_token, sizeof(got.access_token));
	memcpy(got.refresh_token, c.tok.refresh_token,
	    sizeof(got.refresh_token));
	got.token_expires = poll_now_s() + c.tok.expires_in;
	account_apply(&got, ACCOUNT_BIT(ACCOUNT_TOKENS), &u);
	memset(&req, 0, sizeof(req));
	req.svc = SPOTIFY_SVC_API;
	(void)strlcpy(req.path, "/me", sizeof(req.path));
	(void)strlcpy(req.bearer, u.access_token, sizeof(req.bearer));
	req.want_json = 1;
	req.done = enrol_on_done;
	req.arg = &c;
	c.done = 0;
	c.got_token = 1;
	spotify_submit(sp, &req);
	enrol_wait(sp, &c);
	if (c.r != SPOTIFY_OK || !c.parsed) {
		snprintf(err, errsz, "/v1/me %s: %s", spotify_result_name(c.r),
		    c.r == SPOTIFY_OK ? "no valid user id" : c.error);
		goto wipe;
	}
	memcpy(u.id, c.me.id, sizeof(u.id));
	account_apply(&c.me, ACCOUNT_BIT(ACCOUNT_PROFILE), &u);
	u.status = USER_ACTIVE;
	u.visibility = VIS_PRIVATE;
	u.created_at = poll_now_s();
	account_authorized(&u, u.created_at);
	memset(&w, 0, sizeof(w));
	w.u = &u;
	if (store_write(st, enrol_write, &w) != STORE_OK) {
		snprintf(err, errsz, "cannot store the user");
		goto wipe;
	}
	memcpy(id_out, u.id, USER_ID_MAX + 1);
	rc = 0;
wipe:
	explicit_bzero(esc, sizeof(esc));
	explicit_bzero(form, sizeof(form));
	explicit_bzero(&c.tok, sizeof(c.tok));
	explicit_bzero(&u, sizeof(u));
	explicit_bzero(&got, sizeof(got));
	explicit_bzero(&req, sizeof(req));
	return rc;
}
