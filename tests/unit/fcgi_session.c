/*
 * fcgi_session.c — unit tests of sign-in sessions and the access check
 * (fcgi/session.c, fcgi/access.c's access_user()), through the real
 * route table over a real store.
 *
 * They prove:
 *  - the Cookie header grammar: names match exactly (not as prefixes),
 *    blanks and quotes around values go, bare words are skipped, the first
 *    of two cookies wins, a value too long for the buffer is refused;
 *  - Set-Cookie carries HttpOnly, SameSite=Lax, the path and Max-Age, and
 *    Secure only for an https public_url;
 *  - a session value parses back to its user and to the hash the store
 *    keeps, and malformed values (wrong length, alphabet, separator or
 *    user id) are refused; two new sessions never share a token;
 *  - the same-origin rule: Origin must be the site's, Sec-Fetch-Site must
 *    be same-origin, and without Origin only X-Requested-With (with a
 *    Referer, if any, from the site) lets a request through;
 *  - through route_handle(): a private journal answers 404 to nobody, to
 *    another user's session, to a forged token, to an expired session and
 *    to a session older than session_ttl, and 200 to its owner's; /me
 *    names the session's user, and nobody for those; PUT /settings is refused cross-site
 *    (before its body is read) and without a session, and changes only
 *    the session owner's journal.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "app.h"
#include "cache.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "session.h"
#include "sha256.h"
#include "store.h"
#include "testutil.h"

/* ---- cookies ------------------------------------------------------------- */

/* One cookie called name out of header h into v, as route.c would. */
#define GET_COOKIE(h, name)	session_get_cookie((h), (name), v, sizeof(v))

static void
test_cookie_get(void **state)
{
	char v[16];

	(void)state;
	assert_int_equal(GET_COOKIE("a=1; ln_session=xyz; b=2", "ln_session"),
	    0);
	assert_string_equal(v, "xyz");
	assert_int_equal(GET_COOKIE("x_ln_session=no; ln_session=yes",
	    "ln_session"), 0);
	assert_string_equal(v, "yes");
	assert_int_equal(GET_COOKIE("ln_session_x=no", "ln_session"), -1);
	assert_int_equal(GET_COOKIE("  k = \"quoted\" ;z=1", "k"), 0);
	assert_string_equal(v, "quoted");
	assert_int_equal(GET_COOKIE("bare; k=1", "k"), 0);
	assert_string_equal(v, "1");
	assert_int_equal(GET_COOKIE("k=first; k=second", "k"), 0);
	assert_string_equal(v, "first");
	assert_int_equal(GET_COOKIE("k=", "k"), 0);
	assert_string_equal(v, "");
	assert_int_equal(GET_COOKIE("k=0123456789abcdef", "k"), -1);
	assert_int_equal(GET_COOKIE("", "k"), -1);
	assert_int_equal(GET_COOKIE(NULL, "k"), -1);
	assert_int_equal(GET_COOKIE(";;;", "k"), -1);
}

static void
test_cookie_set(void **state)
{
	struct auth_cfg a;
	struct resp r;

	(void)state;
	memset(&a, 0, sizeof(a));
	http_resp_init(&r);
	assert_int_equal(session_set_cookie(&r, &a, "ln_session", "v", "/",
	    60), 0);
	assert_non_null(strstr(r.hdrs.data, "Set-Cookie: ln_session=v; "
	    "Path=/; Max-Age=60; HttpOnly; SameSite=Lax\r\n"));
	assert_null(strstr(r.hdrs.data, "Secure"));
	a.secure = 1;
	assert_string_equal(session_cookie_name(&a), "__Host-ln_session");
	http_resp_reset(&r);
	assert_int_equal(session_set_cookie(&r, &a, "n", "", "/x/", 0), 0);
	assert_non_null(strstr(r.hdrs.data, "n=; Path=/x/; Max-Age=0; "
	    "HttpOnly; SameSite=Lax; Secure\r\n"));
	/* No header smuggling through a value. */
	assert_int_equal(http_header(&r, "X", "a\r\nSet-Cookie: evil=1"), -1);
	http_resp_free(&r);
}

/* ---- session values ------------------------------------------------------ */

static void
test_session_values(void **state)
{
	unsigned char h1[SESSION_HASH_LEN], h2[SESSION_HASH_LEN];
	char v1[SESSION_VALUE_MAX + 1], v2[SESSION_VALUE_MAX + 1];
	char u[USER_ID_MAX + 1], bad[SESSION_VALUE_MAX + 8];
	struct session s1, s2;

	(void)state;
	assert_int_equal(session_new("some.user-1", 1000, 60, &s1, v1,
	    sizeof(v1)), 0);
	assert_int_equal(session_new("some.user-1", 1000, 60, &s2, v2,
	    sizeof(v2)), 0);
	assert_string_not_equal(v1, v2);
	assert_int_equal(strlen(v1), strlen("some.user-1") + 1 +
	    SESSION_TOKEN_LEN);
	assert_int_equal(s1.created_at, 1000);
	assert_int_equal(s1.expires_at, 1060);
	assert_int_equal(session_parse(v1, u, h1), 0);
	assert_string_equal(u, "some.user-1");
	assert_memory_equal(h1, s1.hash, SESSION_HASH_LEN);
	sha256(v1 + strlen(v1) - SESSION_TOKEN_LEN, SESSION_TOKEN_LEN, h2);
	assert_memory_equal(h1, h2, SESSION_HASH_LEN);
	assert_true(session_valid(&s1, 1059));
	assert_false(session_valid(&s1, 1060));
	assert_int_equal(session_new("bad user", 0, 1, &s1, v1, sizeof(v1)),
	    -1);

	/* Malformed values. */
	assert_int_equal(session_parse("", u, h1), -1);
	assert_int_equal(session_parse("user1", u, h1), -1);
	snprintf(bad, sizeof(bad), "%s", v2);
	bad[strlen(bad) - 1] = '!';			/* alphabet */
	assert_int_equal(session_parse(bad, u, h1), -1);
	snprintf(bad, sizeof(bad), "%sA", v2);		/* one too long */
	assert_int_equal(session_parse(bad, u, h1), -1);
	snprintf(bad, sizeof(bad), "%s", v2);
	bad[strlen(bad) - SESSION_TOKEN_LEN - 1] = '_';	/* separator */
	assert_int_equal(session_parse(bad, u, h1), -1);
	snprintf(bad, sizeof(bad), "b@d.%s", v2 + strlen(v2) -
	    SESSION_TOKEN_LEN);
	assert_int_equal(session_parse(bad, u, h1), -1);
	snprintf(bad, sizeof(bad), ".%s", v2 + strlen(v2) -
	    SESSION_TOKEN_LEN);				/* no user */
	assert_int_equal(session_parse(bad, u, h1), -1);
}

/* ---- the same-origin rule ------------------------------------------------ */

/*
 * A request's headers (NULL: not sent) and whether it is same-origin for
 * public_url https://music.example.org.
 */
static const struct {
	const char	*origin, *fetch_site, *requested_with, *referer;
	int		 want;
} origin_cases[] = {
#define MUSIC	"https://music.example.org"
	{ MUSIC, NULL, NULL, NULL, 1 },
	{ MUSIC, "same-origin", NULL, NULL, 1 },
	{ MUSIC, "same-site", NULL, NULL, 0 },
	{ MUSIC, "cross-site", NULL, NULL, 0 },
	{ "https://evil.example", "", NULL, NULL, 0 },
	{ MUSIC ".evil.example", "", NULL, NULL, 0 },
	{ "http://music.example.org", "", NULL, NULL, 0 },
	{ "null", "", NULL, NULL, 0 },
	{ "null", "", "fetch", NULL, 0 },	/* Origin decides when given */
	/* No Origin: the custom header is needed, the Referer must fit. */
	{ "", "", "", NULL, 0 },
	{ "", "", "linernotes", NULL, 1 },
	{ "", "", "linernotes", MUSIC "/#/u/x/settings", 1 },
	{ "", "", "linernotes", "https://evil.example/", 0 },
#undef MUSIC
};

static void
test_same_origin(void **state)
{
	struct auth_cfg a;
	struct req q;
	size_t i;

	(void)state;
	memset(&a, 0, sizeof(a));
	strlcpy(a.origin, "https://music.example.org", sizeof(a.origin));
	for (i = 0; i < TU_NITEMS(origin_cases); i++) {
		memset(&q, 0, sizeof(q));
		q.origin = origin_cases[i].origin;
		q.fetch_site = origin_cases[i].fetch_site;
		q.requested_with = origin_cases[i].requested_with;
		q.referer = origin_cases[i].referer;
		if (!session_same_origin(&a, &q) != !origin_cases[i].want)
			fail_msg("case %zu: want %d", i, origin_cases[i].want);
	}

	/* Without public_url, the request's own Host and scheme. */
	memset(&q, 0, sizeof(q));
	q.host = "127.0.0.1:8080";
	q.origin = "http://127.0.0.1:8080";
	assert_true(session_same_origin(NULL, &q));
	q.https = 1;
	assert_false(session_same_origin(NULL, &q));
	q.host = "";
	assert_false(session_same_origin(NULL, &q));
}

/* ---- the access check through the route table ---------------------------- */

struct fx {
	char		 dir[64];
	struct app	 app;
	struct auth_cfg	 auth;
	char		 alice[SESSION_VALUE_MAX + 1];	/* valid */
	char		 bob[SESSION_VALUE_MAX + 1];	/* valid, other user */
	char		 old[SESSION_VALUE_MAX + 1];	/* expired */
	char		 stale[SESSION_VALUE_MAX + 1];	/* older than the ttl */
};

static int
fill(struct store_txn *t, void *arg)
{
	struct fx *fx = arg;
	struct session s;
	struct user u;
	int64_t now = time(NULL);

	memset(&u, 0, sizeof(u));
	strlcpy(u.id, "alice", sizeof(u.id));
	u.visibility = VIS_PRIVATE;
	if (store_put_user(t, &u) != STORE_OK)
		return -1;
	strlcpy(u.id, "bob", sizeof(u.id));
	if (store_put_user(t, &u) != STORE_OK)
		return -1;
	if (session_new("alice", now, 3600, &s, fx->alice,
	    sizeof(fx->alice)) == -1 || store_put_session(t, &s) != STORE_OK)
		return -1;
	if (session_new("bob", now, 3600, &s, fx->bob, sizeof(fx->bob)) ==
	    -1 || store_put_session(t, &s) != STORE_OK)
		return -1;
	if (session_new("alice", now - 7200, 3600, &s, fx->old,
	    sizeof(fx->old)) == -1 || store_put_session(t, &s) != STORE_OK)
		return -1;
	/* Valid by its own expiry, but older than session_ttl (1 day). */
	if (session_new("alice", now - 2 * 86400, 30 * 86400, &s, fx->stale,
	    sizeof(fx->stale)) == -1 || store_put_session(t, &s) != STORE_OK)
		return -1;
	return 0;
}

static int
setup(void **state)
{
	struct fx *fx;

	log_init("fcgi_session_test", 0, 0);
	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	strlcpy(fx->dir, "/tmp/ln-session-XXXXXX", sizeof(fx->dir));
	if (mkdtemp(fx->dir) == NULL ||
	    store_open(&fx->app.store, fx->dir, 0, 0) != STORE_OK ||
	    store_write(fx->app.store, fill, fx) != STORE_OK ||
	    (fx->app.txn = store_reader(fx->app.store)) == NULL ||
	    (fx->app.cache = cache_new(16, 65536)) == NULL)
		return -1;
	fx->app.max_body = 65536;
	fx->auth.session_ttl = 86400;
	strlcpy(fx->auth.origin, "http://127.0.0.1:8080",
	    sizeof(fx->auth.origin));
	fx->app.auth = &fx->auth;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	cache_free(fx->app.cache);
	store_reader_free(fx->app.txn);
	store_close(fx->app.store);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

/*
 * GETs path with the session value (NULL: none); returns the status.
 * With body, a copy of the body goes there (bodysz bytes).
 */
static int
get_body(struct fx *fx, const char *path, const char *value, char *body,
    size_t bodysz)
{
	char cookie[SESSION_VALUE_MAX + 32];
	struct resp r;
	struct req q;
	int status;

	tu_req_get(&q, path);
	if (value != NULL) {
		snprintf(cookie, sizeof(cookie), "other=1; ln_session=%s",
		    value);
		q.cookie = cookie;
	}
	http_resp_init(&r);
	route_handle(&fx->app, &q, &r);
	status = r.status;
	if (body != NULL)
		snprintf(body, bodysz, "%.*s", (int)r.body.len,
		    r.body.data != NULL ? r.body.data : "");
	http_resp_free(&r);
	return status;
}

static int
get(struct fx *fx, const char *path, const char *value)
{
	return get_body(fx, path, value, NULL, 0);
}

/* Who /me says is signed in with value ("" for nobody). */
static const char *
me(struct fx *fx, const char *value)
{
	static char body[4096];
	const char *p;

	assert_int_equal(get_body(fx, "/api/v0/me", value, body,
	    sizeof(body)), 200);
	if (strcmp(body, "{\"signed_in\":false}") == 0)
		return "";
	assert_non_null(p = strstr(body, "\"user\":{\"id\":\""));
	p += strlen("\"user\":{\"id\":\"");
	*strchr(p, '"') = '\0';
	return p;
}

static void
test_private_journal(void **state)
{
	struct fx *fx = *state;
	char forged[SESSION_VALUE_MAX + 1];
	static const char *const paths[] = {
		"/api/v0/plays/alice", "/api/v0/gaps/alice", "/api/v0/dw/alice",
		"/api/v0/top/alice", "/api/v0/export/alice.csv",
	};
	size_t i;

	snprintf(forged, sizeof(forged), "%s", fx->alice);
	forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ?
	    'B' : 'A';
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_int_equal(get(fx, paths[i], NULL), 404);
		assert_int_equal(get(fx, paths[i], fx->bob), 404);
		assert_int_equal(get(fx, paths[i], forged), 404);
		assert_int_equal(get(fx, paths[i], fx->old), 404);
		assert_int_equal(get(fx, paths[i], fx->stale), 404);
		assert_int_equal(get(fx, paths[i], "garbage"), 404);
		/* An export is 202 ("preparing") until its file is built. */
		assert_int_equal(get(fx, paths[i], fx->alice),
		    strstr(paths[i], "/export/") != NULL ? 202 : 200);
	}
	assert_string_equal(me(fx, NULL), "");
	assert_string_equal(me(fx, forged), "");
	assert_string_equal(me(fx, fx->old), "");
	assert_string_equal(me(fx, fx->stale), "");
	assert_string_equal(me(fx, fx->alice), "alice");
	assert_string_equal(me(fx, fx->bob), "bob");
}

/* PUT /settings with body; origin and xrw may be NULL. */
static int
put_settings(struct fx *fx, const char *value, const char *origin,
    const char *xrw, const char *body)
{
	char cookie[SESSION_VALUE_MAX + 32], clen[24];
	struct tu_body b = { body };
	struct resp r;
	struct req q;
	int status;

	tu_req_get(&q, "/api/v0/settings");
	q.method = HTTP_PUT;
	q.content_type = "application/json";
	snprintf(clen, sizeof(clen), "%zu", strlen(body));
	q.content_length = clen;
	q.origin = origin;
	q.requested_with = xrw;
	if (value != NULL) {
		snprintf(cookie, sizeof(cookie), "ln_session=%s", value);
		q.cookie = cookie;
	}
	q.body_fn = tu_body_read;
	q.body_ctx = &b;
	http_resp_init(&r);
	route_handle(&fx->app, &q, &r);
	status = r.status;
	http_resp_free(&r);
	return status;
}

static void
test_settings_write(void **state)
{
	struct fx *fx = *state;
	const char *pub = "{\"visibility\":\"public\"}";

	/* Cross-site: refused before the body is read, signed in or not. */
	assert_int_equal(put_settings(fx, fx->alice, "http://evil.example",
	    NULL, pub), 403);
	assert_int_equal(put_settings(fx, fx->alice, NULL, NULL, pub), 403);
	assert_int_equal(get(fx, "/api/v0/plays/alice", NULL), 404);
	/* Same origin but no session, or a bad body. */
	assert_int_equal(put_settings(fx, NULL, "http://127.0.0.1:8080", NULL,
	    pub), 401);
	assert_int_equal(put_settings(fx, fx->old, "http://127.0.0.1:8080",
	    NULL, pub), 401);
	assert_int_equal(put_settings(fx, fx->alice, "http://127.0.0.1:8080",
	    NULL, "{\"visibility\":\"everyone\"}"), 400);
	assert_int_equal(get(fx, "/api/v0/plays/alice", NULL), 404);
	/* The owner, from the site: the journal turns public. */
	assert_int_equal(put_settings(fx, fx->alice, "http://127.0.0.1:8080",
	    NULL, pub), 200);
	assert_int_equal(get(fx, "/api/v0/plays/alice", NULL), 200);
	assert_int_equal(get(fx, "/api/v0/plays/alice", fx->bob), 200);
	/* A script without Origin but with the custom header. */
	assert_int_equal(put_settings(fx, fx->alice, NULL, "linernotes",
	    "{\"visibility\":\"private\"}"), 200);
	assert_int_equal(get(fx, "/api/v0/plays/alice", NULL), 404);
	/* Bob's session changes Bob's journal, never Alice's. */
	assert_int_equal(put_settings(fx, fx->bob, "http://127.0.0.1:8080",
	    NULL, pub), 200);
	assert_int_equal(get(fx, "/api/v0/plays/bob", NULL), 200);
	assert_int_equal(get(fx, "/api/v0/plays/alice", NULL), 404);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_cookie_get),
	cmocka_unit_test(test_cookie_set),
	cmocka_unit_test(test_session_values),
	cmocka_unit_test(test_same_origin),
	cmocka_unit_test_setup_teardown(test_private_journal, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_settings_write, setup,
	    teardown),
)
