/*
 * api_auth.c — signing in with Spotify and out again:
 * GET /api/v0/auth/login, GET /api/v0/auth/callback,
 * POST /api/v0/auth/logout.
 *
 * login sends the browser to the accounts service's /authorize with the
 * scopes linernotes reads with, a random state and a PKCE S256 challenge.
 * The state and the code verifier stay with the browser that started the
 * sign-in, in a short-lived HttpOnly, SameSite=Lax cookie scoped to
 * /api/v0/auth/ (so nothing is written for visitors who never come back,
 * and no other page ever sends it); an invitation code rides along.
 *
 * login also records the state (its hash) with the time in the store, and
 * the callback takes that record out first (logins.c): the cookie is
 * good once and for ten minutes whatever the browser keeps.
 *
 * callback checks that the state Spotify returns is the one in that
 * cookie (oauth_bcmp, a timingsafe_bcmp), exchanges the code (accounts.c), reads
 * /v1/me, and then in one write transaction creates or updates the user
 * (tokens, authorization time, status active: a re-authorisation keeps
 * every record), honours `signups` (closed: only existing users;
 * invite: a newcomer's code is checked and used up), starts a session and
 * sweeps out ended ones.  For a new or re-authorised user, and while the
 * collector runs, it waits (at most AUTH_POLL_WAIT_MS) for the
 * collector's first poll of them, so the journal it then redirects to
 * already shows the last 50 plays.  (That holds one reader process, so
 * the wait is short and returning users, whose journal is current, skip
 * it.)
 *
 * These two are browser navigations, so their failures are small HTML
 * pages for people (what happened, a link to try again), not JSON.
 * logout deletes the session and its cookie and answers JSON.
 *
 * The code, the verifier, tokens and the session token are wiped after
 * use and never logged.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "accounts.h"
#include "app.h"
#include "invite.h"
#include "json.h"
#include "log.h"
#include "logins.h"
#include "oauth.h"
#include "session.h"
#include "timeutil.h"

/* What linernotes reads: plays, top lists, playlists, the profile. */
#define AUTH_SCOPES	"user-read-recently-played user-top-read " \
			"playlist-read-private playlist-read-collaborative " \
			"user-read-private"
#define AUTH_LOGIN_COOKIE	"ln_login"
#define AUTH_LOGIN_COOKIE_SECURE "__Secure-ln_login"
#define AUTH_LOGIN_PATH	"/api/v0/auth/"
#define AUTH_LOGIN_TTL	600		/* s to finish signing in */
#define AUTH_VERIFIER_BYTES 48		/* 64 base64url characters */
#define AUTH_VERIFIER_LEN 64
#define AUTH_POLL_WAIT_MS 6000		/* for the collector's first poll */
#define AUTH_POLL_STEP_MS 200
#define AUTH_HEARTBEAT_FRESH 120	/* s: the collector counts as running */
#define AUTH_EXPIRE_SWEEP 200		/* ended sessions removed per sign-in */

#define META_HEARTBEAT	"collector.heartbeat"
#define META_NB_ACCOUNTS "ratelimit.not_before.accounts"
#define META_NB_API	"ratelimit.not_before.api"

/* The login cookie's contents. */
struct login {
	char		 state[ARGS_STATE_LEN + 1];
	char		 verifier[AUTH_VERIFIER_LEN + 1];
	char		 invite[INVITE_CODE_LEN + 1];	/* "" = none */
};

static const char *
auth_login_cookie(const struct auth_cfg *a)
{
	return a->secure ? AUTH_LOGIN_COOKIE_SECURE : AUTH_LOGIN_COOKIE;
}

/* Writes s into b with &, <, >, " and ' escaped for HTML. */
static void
auth_html_escape(struct buf *b, const char *s)
{
	static const char *const ent[128] = {
		['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;",
		['"'] = "&quot;", ['\''] = "&#39;",
	};
	unsigned char c;

	for (; (c = (unsigned char)*s) != '\0'; s++)
		if (c < 128 && ent[c] != NULL)
			buf_puts(b, ent[c]);
		else
			buf_putc(b, *s);
}

/*
 * Makes r a small HTML page for people: a heading, what happened, and
 * links back to the journal and to start again.  Returns -1 (a failure
 * as far as the route is concerned), keeping headers already added (the
 * login cookie's removal).
 */
static int
auth_page(struct resp *r, int status, const char *title, const char *msg)
{
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	buf_reset(&r->body);
	buf_puts(&r->body, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	auth_html_escape(&r->body, title);
	buf_puts(&r->body, " · linernotes</title>\n</head>\n<body>\n<h1>");
	auth_html_escape(&r->body, title);
	buf_puts(&r->body, "</h1>\n<p>");
	auth_html_escape(&r->body, msg);
	buf_puts(&r->body, "</p>\n<p><a href=\"/\">Back to linernotes</a> · "
	    "<a href=\"/api/v0/auth/login\">Sign in with Spotify again</a>"
	    "</p>\n</body>\n</html>\n");
	return -1;
}

/*
 * The sign-in of an account Spotify refused because the app is in
 * development mode and has not allow-listed it (403): the person learns
 * why and whom to ask; the operator learns from the log what to do.  Who
 * the person is cannot be known (Spotify would not say), so the log names
 * the app.
 */
static int
auth_unlisted(struct resp *r, const struct auth_cfg *a)
{
	char esc[3 * sizeof(a->client_id) + 1];

	log_warnx("sign-in refused by Spotify: the Spotify app (client_id %s) "
	    "is in development mode and the account signing in is not on its "
	    "list of users (HTTP 403 \"User not registered in the Developer "
	    "Dashboard\").  To let them in, open "
	    "https://developer.spotify.com/dashboard, choose the app, and under "
	    "User Management add the person's name and the e-mail address of "
	    "their Spotify account (a development-mode app allows at most 5 "
	    "users; beyond that, apply for extended quota mode); then ask "
	    "them to sign in again", log_escape(esc, sizeof(esc), a->client_id,
	    strlen(a->client_id)));
	return auth_page(r, 403, "This Spotify account is not on this "
	    "linernotes' list yet",
	    "This linernotes uses a Spotify app in development mode, and "
	    "Spotify lets only the accounts its operator has added sign in to "
	    "such an app (at most 5). Ask the person who runs this linernotes "
	    "to add your Spotify account (your name and its e-mail address) in "
	    "the app's Spotify developer dashboard, under User Management; then "
	    "sign in again. Nothing of yours was recorded.");
}

/* auth_page() for a sign-in not configured yet (503). */
static int
auth_page_unset(struct resp *r)
{
	return auth_page(r, 503, "Sign-in is not set up",
	    "This linernotes cannot sign anyone in yet: its owner has to set "
	    "client_id, client_secret and public_url in the configuration.");
}

/* Parses the login cookie "state.verifier[.invite]" into *l (0 / -1). */
static int
auth_login_parse(const char *v, struct login *l)
{
	size_t n;

	memset(l, 0, sizeof(*l));
	if (strlen(v) < ARGS_STATE_LEN + 1 + AUTH_VERIFIER_LEN ||
	    v[ARGS_STATE_LEN] != '.')
		return -1;
	memcpy(l->state, v, ARGS_STATE_LEN);
	v += ARGS_STATE_LEN + 1;
	n = strcspn(v, ".");
	if (n != AUTH_VERIFIER_LEN)
		return -1;
	memcpy(l->verifier, v, n);
	v += n;
	if (*v == '.') {
		if (strlen(v + 1) != INVITE_CODE_LEN)
			return -1;
		memcpy(l->invite, v + 1, INVITE_CODE_LEN);
	} else if (*v != '\0')
		return -1;
	return 0;
}

/* The i64 meta value name (0 when absent or unreadable). */
static int64_t
auth_meta(struct store_txn *txn, const char *name)
{
	int64_t v;

	return store_get_meta_i64(txn, name, &v) == STORE_OK ? v : 0;
}

/* Whether the invitation code exists and has not ended (reader txn). */
static int
auth_invite_ok(struct store_txn *txn, const char *code, int64_t now)
{
	char name[INVITE_NAME_SIZE];
	int64_t until;

	return invite_meta_name(code, name) == 0 &&
	    store_get_meta_i64(txn, name, &until) == STORE_OK && until > now;
}

int
api_auth_login(struct ctx *c, struct resp *r)
{
	const struct auth_cfg *a = c->app->auth;
	struct login l;
	char challenge[OAUTH_CHALLENGE_SIZE], cookie[192];
	char eid[3 * sizeof(a->client_id) + 1];
	char eredir[3 * sizeof(a->redirect_uri) + 1], escope[256];
	char url[sizeof(a->accounts_base) + sizeof(eid) + sizeof(eredir) +
	    512];
	struct json j;
	int ok;

	if (a == NULL || !a->configured)
		return auth_page_unset(r);
	memset(&l, 0, sizeof(l));
	if ((c->a.has & QBIT(Q_INVITE)) && a->signups == SIGNUPS_INVITE) {
		if (store_read_begin(c->app->txn) != STORE_OK)
			return auth_page(r, 503, "Try again shortly",
			    "The journal cannot be read right now.");
		ok = auth_invite_ok(c->app->txn, c->a.invite,
		    time_now_ms() / 1000);
		store_read_end(c->app->txn);
		if (!ok)
			return auth_page(r, 403, "This invitation does not work",
			    "The invitation code is not valid, was used "
			    "already, or has expired. Ask for a new one.");
		memcpy(l.invite, c->a.invite, INVITE_CODE_LEN + 1);
	}
	oauth_random(32, l.state);
	oauth_random(AUTH_VERIFIER_BYTES, l.verifier);
	if (logins_issue(c->app->store, l.state, time_now_ms() / 1000) == -1) {
		explicit_bzero(&l, sizeof(l));
		return auth_page(r, 503, "Try again shortly",
		    "The journal could not be written right now.");
	}
	oauth_pkce_challenge(l.verifier, challenge);
	if (oauth_form_escape(eid, sizeof(eid), a->client_id) == -1 ||
	    oauth_form_escape(eredir, sizeof(eredir), a->redirect_uri) == -1 ||
	    oauth_form_escape(escope, sizeof(escope), AUTH_SCOPES) == -1 ||
	    snprintf(url, sizeof(url), "%s/authorize?client_id=%s&"
	    "response_type=code&redirect_uri=%s&scope=%s&state=%s&"
	    "code_challenge_method=S256&code_challenge=%s",
	    a->accounts_base, eid, eredir, escope, l.state, challenge) >=
	    (int)sizeof(url) ||
	    snprintf(cookie, sizeof(cookie), "%s.%s%s%s", l.state, l.verifier,
	    l.invite[0] != '\0' ? "." : "", l.invite) >= (int)sizeof(cookie)) {
		explicit_bzero(&l, sizeof(l));
		return auth_page(r, 500, "Sign-in failed",
		    "The sign-in address does not fit; check redirect_uri.");
	}
	explicit_bzero(&l, sizeof(l));
	r->status = 302;
	ok = session_set_cookie(r, a, auth_login_cookie(a), cookie,
	    AUTH_LOGIN_PATH, AUTH_LOGIN_TTL) == 0 &&
	    http_header(r, "Location", url) == 0;
	explicit_bzero(cookie, sizeof(cookie));
	if (!ok)
		return http_error(r, 500, "the redirect could not be written");
	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "location", url);
	json_obj_close(&j);
	return json_finish(&j) == -1 ? -1 : 0;
}

/* ---- the callback -------------------------------------------------------- */

enum auth_outcome {
	AUTH_NEW,		/* a user was created */
	AUTH_RETURNING,		/* an existing user signed in again */
	AUTH_CLOSED,		/* signups = closed and a newcomer */
	AUTH_NO_INVITE,		/* signups = invite, no valid code */
};

/* What a refused newcomer is told, and why the log says, by outcome. */
static const struct {
	const char	*why;
	const char	*title;
	const char	*msg;
} auth_refusals[] = {
	[AUTH_CLOSED] = { "sign-ups are closed", "Sign-ups are closed",
	    "This linernotes is not taking new journals. If you know its "
	    "owner, ask them." },
	[AUTH_NO_INVITE] = { "no valid invitation", "An invitation is needed",
	    "New journals here need an invitation code from the owner, and "
	    "this sign-in had none that works (codes work once and "
	    "expire)." },
};

/* The callback's one write transaction (store_write may repeat it). */
struct auth_write {
	const struct user	*me;	/* profile and tokens from Spotify */
	const char		*invite;	/* "" = none */
	int			 signups;
	int64_t			 now;
	const struct session	*sess;
	enum auth_outcome	 outcome;
	int			 was_reauth;	/* status was USER_REAUTH */
};

static int
auth_write_fn(struct store_txn *txn, void *arg)
{
	struct auth_write *w = arg;
	char name[INVITE_NAME_SIZE];
	struct user u;
	int64_t until;
	int rc;

	rc = store_get_user(txn, w->me->id, &u);
	if (rc == STORE_ERR)
		return -1;
	w->was_reauth = 0;
	if (rc == STORE_OK) {
		w->outcome = AUTH_RETURNING;
		w->was_reauth = u.status == USER_REAUTH;
		account_apply(w->me, ACCOUNT_BIT(ACCOUNT_PROFILE), &u);
		if (u.status == USER_REAUTH)
			u.status = USER_ACTIVE;	/* disabled stays disabled */
	} else {
		if (w->signups == SIGNUPS_CLOSED) {
			w->outcome = AUTH_CLOSED;
			return 0;
		}
		if (w->signups == SIGNUPS_INVITE) {
			if (w->invite[0] == '\0' ||
			    invite_meta_name(w->invite, name) == -1 ||
			    store_get_meta_i64(txn, name, &until) != STORE_OK ||
			    until <= w->now) {
				w->outcome = AUTH_NO_INVITE;
				return 0;
			}
			if (store_del_meta(txn, name) != STORE_OK)
				return -1;
		}
		w->outcome = AUTH_NEW;
		u = *w->me;
		u.status = USER_ACTIVE;
		u.visibility = VIS_PRIVATE;
		u.created_at = w->now;
	}
	account_apply(w->me, ACCOUNT_BIT(ACCOUNT_TOKENS), &u);
	account_authorized(&u, w->now);
	rc = store_put_user(txn, &u);
	explicit_bzero(&u, sizeof(u));
	if (rc != STORE_OK || store_put_session(txn, w->sess) != STORE_OK ||
	    store_expire_sessions(txn, w->now, AUTH_EXPIRE_SWEEP, NULL) !=
	    STORE_OK)
		return -1;
	return 0;
}

/*
 * Waits until the collector has polled user id since since (or gave up
 * on it), at most AUTH_POLL_WAIT_MS, and only when its heartbeat says it
 * runs.  No read transaction stays begun while sleeping.
 */
static void
auth_wait_first_poll(struct app *app, const char *id, int64_t since)
{
	struct timespec step = { 0, AUTH_POLL_STEP_MS * 1000000L };
	struct user u;
	int64_t beat;
	int i, rc, done = 0;

	for (i = 0; i <= AUTH_POLL_WAIT_MS / AUTH_POLL_STEP_MS && !done; i++) {
		if (i > 0)
			nanosleep(&step, NULL);
		if (store_read_begin(app->txn) != STORE_OK)
			return;
		beat = auth_meta(app->txn, META_HEARTBEAT);
		rc = store_get_user(app->txn, id, &u);
		store_read_end(app->txn);
		done = beat == 0 ||
		    time_now_ms() / 1000 - beat > AUTH_HEARTBEAT_FRESH ||
		    rc != STORE_OK || u.status != USER_ACTIVE ||
		    u.last_poll >= since;
		explicit_bzero(&u, sizeof(u));
	}
}

int
api_auth_callback(struct ctx *c, struct resp *r)
{
	const struct auth_cfg *a = c->app->auth;
	struct auth_write w;
	struct session sess;
	struct login l;
	struct oauth_token tok;
	struct user me;
	char value[SESSION_VALUE_MAX + 1], cookie[192], err[160], esc[640];
	char where[sizeof(a->public_url) + USER_ID_MAX + 16];
	int64_t now = time_now_ms() / 1000, nb_acc = 0, nb_api = 0;
	enum acct_rc rc;
	struct json j;
	int ret = -1;

	if (a == NULL || !a->configured)
		return auth_page_unset(r);
	memset(&l, 0, sizeof(l));
	memset(&tok, 0, sizeof(tok));
	memset(&me, 0, sizeof(me));
	memset(&sess, 0, sizeof(sess));
	value[0] = '\0';
	/* The login cookie is good for one try: it goes in every answer. */
	if (session_set_cookie(r, a, auth_login_cookie(a), "",
	    AUTH_LOGIN_PATH, 0) == -1)
		return http_error(r, 500, "the answer could not be written");
	if (session_get_cookie(c->req->cookie, auth_login_cookie(a), cookie,
	    sizeof(cookie)) == -1 || auth_login_parse(cookie, &l) == -1) {
		auth_page(r, 400, "This sign-in has expired",
		    "The sign-in was started more than ten minutes ago, in "
		    "another browser, or with cookies blocked. Please start "
		    "again.");
		goto wipe_secrets;
	}
	if (!(c->a.has & QBIT(Q_STATE)) ||
	    oauth_bcmp(c->a.state, l.state, ARGS_STATE_LEN) != 0) {
		log_info("sign-in refused: the state does not match");
		auth_page(r, 400, "This sign-in could not be verified",
		    "The answer that came back does not belong to the sign-in "
		    "this browser started. Please start again.");
		goto wipe_secrets;
	}
	switch (logins_take(c->app->store, l.state, now)) {
	case LOGINS_OK:
		break;
	case LOGINS_ERR:
		auth_page(r, 503, "Try again shortly",
		    "The journal could not be written right now.");
		goto wipe_secrets;
	case LOGINS_EXPIRED:
		log_info("sign-in refused: started more than %d s ago",
		    LOGINS_TTL);
		auth_page(r, 400, "This sign-in has expired",
		    "The sign-in was started more than ten minutes ago. "
		    "Please start again.");
		goto wipe_secrets;
	default:
		log_info("sign-in refused: its login cookie was used already");
		auth_page(r, 400, "This sign-in was used already",
		    "This sign-in was finished or tried once already. Please "
		    "start again.");
		goto wipe_secrets;
	}
	if (c->a.has & QBIT(Q_ERROR)) {
		if (strcmp(c->a.error, "access_denied") == 0)
			auth_page(r, 403, "Nothing was set up",
			    "You did not allow linernotes to read your "
			    "Spotify listening, so no journal was made and "
			    "nothing was kept. You can sign in again whenever "
			    "you like.");
		else {
			snprintf(err, sizeof(err), "Spotify refused the "
			    "sign-in (%s). Please try again later.",
			    c->a.error);
			auth_page(r, 400, "Spotify refused the sign-in", err);
		}
		goto wipe_secrets;
	}
	if (!(c->a.has & QBIT(Q_CODE))) {
		auth_page(r, 400, "This sign-in could not be completed",
		    "Spotify's answer held no authorization code. Please "
		    "start again.");
		goto wipe_secrets;
	}
	if (store_read_begin(c->app->txn) == STORE_OK) {
		nb_acc = auth_meta(c->app->txn, META_NB_ACCOUNTS);
		nb_api = auth_meta(c->app->txn, META_NB_API);
		store_read_end(c->app->txn);
	}
	rc = accounts_exchange(a, c->a.code, l.verifier, nb_acc, &tok, err,
	    sizeof(err));
	if (rc == ACCT_OK) {
		memcpy(me.access_token, tok.access_token,
		    sizeof(me.access_token));
		memcpy(me.refresh_token, tok.refresh_token,
		    sizeof(me.refresh_token));
		me.token_expires = now + tok.expires_in;
		rc = accounts_me(a, me.access_token, nb_api, &me, err,
		    sizeof(err));
	}
	if (rc == ACCT_UNLISTED) {
		auth_unlisted(r, a);
		goto wipe_secrets;
	}
	if (rc != ACCT_OK) {
		/* err may quote Spotify's answer: escaped for the log. */
		log_warnx("sign-in failed at Spotify: %s", log_escape(esc,
		    sizeof(esc), err, strlen(err)));
		auth_page(r, rc == ACCT_BUSY ? 503 : 502,
		    rc == ACCT_BUSY ? "Spotify is busy" :
		    "Spotify did not complete the sign-in",
		    rc == ACCT_BUSY ? "Spotify asked linernotes to wait a "
		    "little. Please try again in a few minutes." :
		    "Spotify did not accept the sign-in or could not be "
		    "reached. Please start again.");
		goto wipe_secrets;
	}
	if (session_new(me.id, now, a->session_ttl, &sess, value,
	    sizeof(value)) == -1) {
		auth_page(r, 502, "Spotify did not complete the sign-in",
		    "Spotify named a user linernotes cannot keep.");
		goto wipe_secrets;
	}
	memset(&w, 0, sizeof(w));
	w.me = &me;
	w.invite = l.invite;
	w.signups = a->signups;
	w.now = now;
	w.sess = &sess;
	if (store_write(c->app->store, auth_write_fn, &w) != STORE_OK) {
		auth_page(r, 503, "Try again shortly",
		    "The journal could not be written right now.");
		goto wipe_secrets;
	}
	if (w.outcome == AUTH_CLOSED || w.outcome == AUTH_NO_INVITE) {
		log_info("sign-in refused: %s (Spotify user %s)",
		    auth_refusals[w.outcome].why, me.id);
		auth_page(r, 403, auth_refusals[w.outcome].title,
		    auth_refusals[w.outcome].msg);
		goto wipe_secrets;
	}
	log_info("sign-in: user %s (%s)", me.id, w.outcome == AUTH_NEW ?
	    "new" : "returning");
	if (w.outcome == AUTH_NEW || w.was_reauth)
		auth_wait_first_poll(c->app, me.id, now);
	snprintf(where, sizeof(where), "%s/#/u/%s/plays", a->public_url,
	    me.id);
	if (session_set_cookie(r, a, session_cookie_name(a), value, "/",
	    a->session_ttl) == -1 || http_header(r, "Location", where) == -1) {
		http_error(r, 500, "the answer could not be written");
		goto wipe_secrets;
	}
	r->status = 302;
	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "location", where);
	json_obj_close(&j);
	ret = json_finish(&j);
wipe_secrets:
	explicit_bzero(&l, sizeof(l));
	explicit_bzero(&tok, sizeof(tok));
	explicit_bzero(&me, sizeof(me));
	explicit_bzero(&sess, sizeof(sess));
	explicit_bzero(value, sizeof(value));
	explicit_bzero(cookie, sizeof(cookie));
	return ret;
}

/* ---- logout -------------------------------------------------------------- */

struct auth_logout {
	char		 user[USER_ID_MAX + 1];
	unsigned char	 hash[SESSION_HASH_LEN];
};

static int
auth_logout_fn(struct store_txn *txn, void *arg)
{
	struct auth_logout *o = arg;

	return store_del_session(txn, o->user, o->hash) == STORE_ERR ? -1 : 0;
}

int
api_auth_logout(struct ctx *c, struct resp *r)
{
	const struct auth_cfg *a = c->app->auth;
	char value[SESSION_VALUE_MAX + 1];
	struct auth_logout o;
	struct json j;
	int rc = 0;

	if (session_get_cookie(c->req->cookie, session_cookie_name(a), value,
	    sizeof(value)) == 0 && session_parse(value, o.user, o.hash) == 0)
		rc = store_write(c->app->store, auth_logout_fn, &o);
	explicit_bzero(value, sizeof(value));
	explicit_bzero(&o, sizeof(o));
	if (rc != STORE_OK)
		return http_error(r, 503, "the session could not be ended; "
		    "try again");
	if (session_set_cookie(r, a, session_cookie_name(a), "", "/", 0) == -1)
		return http_error(r, 500, "the answer could not be written");
	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_bool(&j, "signed_in", 0);
	json_obj_close(&j);
	return json_finish(&j);
}
