/*
 * session.c — sign-in sessions, cookies and the same-origin rule
 * (contract: session.h).
 *
 * Everything here but session_viewer() is pure (strings in, strings out)
 * so that the unit tests can prove the cookie grammar, the token format
 * and the origin rule without a server.  Comparisons of anything secret
 * are of hashes looked up in the store, never of the token itself, so
 * they leak nothing through timing.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "ids.h"
#include "oauth.h"
#include "session.h"
#include "sha256.h"
#include "timeutil.h"

#define CALLBACK_PATH	"/api/v0/auth/callback"

static const char *const signup_words[SIGNUPS__MAX] = {
	"open",		/* SIGNUPS_OPEN */
	"closed",	/* SIGNUPS_CLOSED */
	"invite",	/* SIGNUPS_INVITE */
};

/* Copies the scheme://authority part of url into out ("" when none). */
static void
auth_origin_of(const char *url, char *out, size_t outsz)
{
	const char *p;
	size_t n;

	out[0] = '\0';
	if ((p = strstr(url, "://")) == NULL)
		return;
	p += 3;
	n = (size_t)(p - url) + strcspn(p, "/?#");
	if (n >= outsz)
		return;
	memcpy(out, url, n);
	out[n] = '\0';
}

void
session_load_cfg(const struct config *cfg, struct auth_cfg *a,
    const char **why)
{
	const char *w, *reason = NULL;
	size_t n;
	int i;

	memset(a, 0, sizeof(*a));
	(void)strlcpy(a->public_url, config_str(cfg, CFG_PUBLIC_URL),
	    sizeof(a->public_url));
	n = strlen(a->public_url);
	while (n > 0 && a->public_url[n - 1] == '/')
		a->public_url[--n] = '\0';
	auth_origin_of(a->public_url, a->origin, sizeof(a->origin));
	a->secure = strncmp(a->public_url, "https://", 8) == 0;
	if (config_str(cfg, CFG_REDIRECT_URI)[0] != '\0')
		(void)strlcpy(a->redirect_uri, config_str(cfg,
		    CFG_REDIRECT_URI), sizeof(a->redirect_uri));
	else if (a->public_url[0] != '\0')
		snprintf(a->redirect_uri, sizeof(a->redirect_uri), "%s%s",
		    a->public_url, CALLBACK_PATH);
	(void)strlcpy(a->accounts_base, config_str(cfg,
	    CFG_SPOTIFY_ACCOUNTS_BASE), sizeof(a->accounts_base));
	(void)strlcpy(a->api_base, config_str(cfg, CFG_SPOTIFY_API_BASE),
	    sizeof(a->api_base));
	(void)strlcpy(a->client_id, config_str(cfg, CFG_CLIENT_ID),
	    sizeof(a->client_id));
	(void)strlcpy(a->client_secret, config_str(cfg, CFG_CLIENT_SECRET),
	    sizeof(a->client_secret));
	w = config_str(cfg, CFG_SIGNUPS);
	/* An unknown word cannot pass config: closed is only a fallback. */
	if ((i = SCHEMA_INDEX(signup_words, w)) == -1)
		i = SIGNUPS_CLOSED;
	a->signups = i;
	a->session_ttl = config_num(cfg, CFG_SESSION_TTL);
	a->connect_timeout = (long)config_num(cfg, CFG_CONNECT_TIMEOUT);
	a->request_timeout = (long)config_num(cfg, CFG_REQUEST_TIMEOUT);
	a->max_response = (size_t)config_num(cfg, CFG_MAX_RESPONSE);

	if (a->client_id[0] == '\0' || a->client_secret[0] == '\0')
		reason = "client_id and client_secret are not both set";
	else if (a->redirect_uri[0] == '\0')
		reason = "neither redirect_uri nor public_url is set";
	else if (!oauth_url_allowed(a->accounts_base) ||
	    !oauth_url_allowed(a->api_base))
		reason = "the Spotify base URLs must be https (http only to "
		    "a loopback host)";
	a->configured = reason == NULL;
	if (why != NULL)
		*why = reason;
}

const char *
session_cookie_name(const struct auth_cfg *a)
{
	return a != NULL && a->secure ? "__Host-ln_session" : "ln_session";
}

int
session_get_cookie(const char *h, const char *name, char *out,
    size_t outsz)
{
	size_t nlen = strlen(name), klen, vlen;
	const char *v;

	if (h == NULL)
		return -1;
	while (*h != '\0') {
		while (*h == ' ' || *h == '\t' || *h == ';')
			h++;
		klen = strcspn(h, "=;");
		if (h[klen] != '=') {		/* a bare word: skip it */
			h += klen;
			continue;
		}
		v = h + klen + 1;
		vlen = strcspn(v, ";");
		while (klen > 0 && (h[klen - 1] == ' ' || h[klen - 1] == '\t'))
			klen--;
		if (klen == nlen && memcmp(h, name, nlen) == 0) {
			while (vlen > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			while (vlen > 0 && (v[vlen - 1] == ' ' ||
			    v[vlen - 1] == '\t'))
				vlen--;
			/* RFC 6265 allows the value in double quotes. */
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (vlen >= outsz)
				return -1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 0;
		}
		h = v + vlen;
	}
	return -1;
}

int
session_set_cookie(struct resp *r, const struct auth_cfg *a,
    const char *name, const char *value, const char *path, int64_t max_age)
{
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "%s=%s; Path=%s; Max-Age=%lld; "
	    "HttpOnly; SameSite=Lax%s", name, value, path,
	    (long long)max_age, a != NULL && a->secure ? "; Secure" : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	n = http_header(r, "Set-Cookie", line);
	explicit_bzero(line, sizeof(line));
	return n;
}

/* Whether s is n characters of base64url. */
static int
session_b64url(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-' ||
		    s[i] == '_'))
			return 0;
	return 1;
}

int
session_parse(const char *value, char user[USER_ID_MAX + 1],
    unsigned char hash[SESSION_HASH_LEN])
{
	size_t n = strnlen(value, SESSION_VALUE_MAX + 1), ulen;
	const char *tok;
	char u[USER_ID_MAX + 1];

	if (n > SESSION_VALUE_MAX || n < SESSION_TOKEN_LEN + 2)
		return -1;
	tok = value + n - SESSION_TOKEN_LEN;
	ulen = n - SESSION_TOKEN_LEN - 1;
	if (tok[-1] != '.' || !session_b64url(tok, SESSION_TOKEN_LEN))
		return -1;
	memcpy(u, value, ulen);
	u[ulen] = '\0';
	if (!ids_valid_user(u))
		return -1;
	memcpy(user, u, ulen + 1);
	sha256(tok, SESSION_TOKEN_LEN, hash);
	return 0;
}

int
session_new(const char *user, int64_t now, int64_t ttl, struct session *s,
    char *value, size_t valuesz)
{
	char tok[OAUTH_B64URL_SIZE(32)];
	int n;

	if (!ids_valid_user(user))
		return -1;
	memset(s, 0, sizeof(*s));
	(void)strlcpy(s->user, user, sizeof(s->user));
	oauth_random(32, tok);
	sha256(tok, SESSION_TOKEN_LEN, s->hash);
	s->created_at = now;
	s->expires_at = now + ttl;
	n = snprintf(value, valuesz, "%s.%s", user, tok);
	explicit_bzero(tok, sizeof(tok));
	if (n < 0 || (size_t)n >= valuesz) {
		explicit_bzero(value, valuesz);
		return -1;
	}
	return 0;
}

int
session_valid(const struct session *s, int64_t now)
{
	return s->expires_at > now;
}

const char *
session_viewer(struct ctx *c)
{
	const struct auth_cfg *a = c->app->auth;
	char value[SESSION_VALUE_MAX + 1], user[USER_ID_MAX + 1];
	unsigned char hash[SESSION_HASH_LEN];
	struct session s;
	int64_t now = time_now_ms() / 1000;

	if (c->viewer_known)
		return c->viewer[0] != '\0' ? c->viewer : NULL;
	c->viewer_known = 1;
	c->viewer[0] = '\0';
	if (c->req == NULL || session_get_cookie(c->req->cookie,
	    session_cookie_name(a), value, sizeof(value)) == -1)
		return NULL;
	if (session_parse(value, user, hash) == 0 &&
	    store_get_session(c->app->txn, user, hash, &s) == STORE_OK &&
	    session_valid(&s, now) &&
	    (a == NULL || s.created_at + a->session_ttl > now))
		memcpy(c->viewer, user, sizeof(c->viewer));
	explicit_bzero(value, sizeof(value));
	explicit_bzero(hash, sizeof(hash));
	return c->viewer[0] != '\0' ? c->viewer : NULL;
}

/* Whether the URL or origin u is origin, or starts with origin + '/'. */
static int
session_origin_is(const char *u, const char *origin)
{
	size_t n = strlen(origin);

	return n > 0 && strncasecmp(u, origin, n) == 0 &&
	    (u[n] == '\0' || u[n] == '/');
}

int
session_same_origin(const struct auth_cfg *a, const struct req *rq)
{
	char origin[512];
	const char *o = rq->origin, *site = rq->fetch_site;
	int n;

	if (a != NULL && a->origin[0] != '\0')
		(void)strlcpy(origin, a->origin, sizeof(origin));
	else {
		if (rq->host == NULL || rq->host[0] == '\0' ||
		    strpbrk(rq->host, "/\\@ ") != NULL)
			return 0;
		n = snprintf(origin, sizeof(origin), "%s://%s",
		    rq->https ? "https" : "http", rq->host);
		if (n < 0 || (size_t)n >= sizeof(origin))
			return 0;
	}
	if (site != NULL && site[0] != '\0' && strcmp(site, "same-origin") != 0)
		return 0;
	if (o != NULL && o[0] != '\0')
		return session_origin_is(o, origin) && strlen(o) ==
		    strlen(origin);
	/* No Origin: only a script of ours could have sent this header. */
	if (rq->requested_with == NULL || rq->requested_with[0] == '\0')
		return 0;
	if (rq->referer != NULL && rq->referer[0] != '\0' &&
	    !session_origin_is(rq->referer, origin))
		return 0;
	return 1;
}
