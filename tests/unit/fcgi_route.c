/*
 * fcgi_route.c — unit tests of the request path (fcgi/route.c) without
 * FastCGI: plain request structs against a small real store.
 *
 * They prove the order and the statuses of the checks (404 for unknown
 * paths and invalid path parameters, 405 with the Allow of every method
 * the path has, 400 for unknown, repeated or malformed query keys, 415,
 * 411, 413 and 400 for bodies), that HEAD is routed as GET, that a private
 * journal is a 404 byte for byte like a missing one on every per-user
 * route, and because the table says so (a route of the tests' own whose
 * handler never checks), that ETags give 304, and that no token reaches
 * a body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app.h"
#include "cache.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "testutil.h"

static struct app app;
static char dir[] = "/tmp/ln-route-XXXXXX";
static struct resp r;

static int
fill(struct store_txn *txn, void *arg)
{
	struct play p;
	int i;

	(void)arg;
	if (tu_put_alice_bob(txn, "rt-TOKEN", "at-TOKEN") == -1 ||
	    tu_put_masterpiece(txn) == -1)
		return -1;
	for (i = 0; i < 5; i++) {
		tu_untimed(&p, 1700000000000LL + i, TU_MASTERPIECE);
		if (store_put_play(txn, i < 3 ? "alice" : "bob", &p) ==
		    STORE_ERR)
			return -1;
	}
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	log_init("fcgi_route", 0, 0);
	if (mkdtemp(dir) == NULL ||
	    store_open(&app.store, dir, 0, 0) != STORE_OK ||
	    store_write(app.store, fill, NULL) != STORE_OK ||
	    (app.txn = store_reader(app.store)) == NULL ||
	    (app.cache = cache_new(100, 1 << 20)) == NULL)
		return -1;
	app.max_body = 1024;
	http_resp_init(&r);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	http_resp_free(&r);
	cache_free(app.cache);
	store_reader_free(app.txn);
	store_close(app.store);
	(void)tu_rmtree(dir);
	return 0;
}

/* Handles one request; returns the status. */
static int
call(const char *method, const char *path, const char *query,
    const char *ctype, const char *clen, const char *body, const char *inm)
{
	struct tu_body b = { body != NULL ? body : "" };
	struct req q;

	memset(&q, 0, sizeof(q));
	q.method = http_method_parse(method);
	q.path = path;
	q.query = query != NULL ? query : "";
	q.content_type = ctype != NULL ? ctype : "";
	q.content_length = clen;
	q.if_none_match = inm != NULL ? inm : "";
	q.body_fn = tu_body_read;
	q.body_ctx = &b;
	http_resp_reset(&r);
	route_handle(&app, &q, &r);
	if (r.status != 304)
		assert_non_null(r.body.data);
	return r.status;
}

#define GET(p, q)	call("GET", (p), (q), NULL, NULL, NULL, NULL)
#define POST(p, ct, cl, b) call("POST", (p), NULL, (ct), (cl), (b), NULL)

static void
test_paths_and_methods(void **state)
{
	(void)state;
	assert_int_equal(GET("/api/v0/nothing", NULL), 404);
	assert_int_equal(GET("/api/v0/plays/", NULL), 404);
	assert_int_equal(GET("/api/v0/plays/a b", NULL), 404);
	assert_int_equal(GET("/api/v0/plays/alice/", NULL), 404);
	assert_int_equal(GET("/api/v0/plays/alice", NULL), 200);
	assert_int_equal(call("DELETE", "/api/v0/plays/alice", NULL, NULL,
	    NULL, NULL, NULL), 405);
	assert_string_equal(r.allow, "GET, HEAD");
	assert_non_null(strstr(r.body.data, "\"status\":405"));
	assert_int_equal(call("PUT", "/api/v0/tracks", NULL, NULL, NULL, NULL,
	    NULL), 405);
	assert_string_equal(r.allow, "POST, GET, HEAD");
	assert_int_equal(call("HEAD", "/api/v0/plays/alice", NULL, NULL, NULL,
	    NULL, NULL), 200);
	assert_true(r.head);
	assert_true(r.body.len > 0);	/* serve.c drops it, keeps the length */
}

static void
test_query(void **state)
{
	(void)state;
	assert_int_equal(GET("/api/v0/plays/alice", "limit=2"), 200);
	assert_non_null(strstr(r.body.data, "\"next\":{\"before\":"));
	assert_int_equal(GET("/api/v0/plays/alice", "limit=0"), 400);
	assert_int_equal(GET("/api/v0/plays/alice", "limit=2&limit=2"), 400);
	assert_int_equal(GET("/api/v0/plays/alice", "nope=1"), 400);
	assert_int_equal(GET("/api/v0/plays/alice", "history=1"), 400);
	assert_int_equal(GET("/api/v0/plays/alice", "before=%"), 400);
	assert_int_equal(GET("/api/v0/plays/alice", "before=%00"), 400);
	assert_int_equal(GET("/api/v0/plays/alice", "&&limit=%31&"), 200);
	assert_int_equal(GET("/api/v0/tracks", NULL), 400);
	assert_int_equal(GET("/api/v0/tracks",
	    "ids=4iV5W9uYEdYUVa79Axb7Rh%2c4iV5W9uYEdYUVa79Axb7Rh"), 200);
}

static void
test_bodies(void **state)
{
	static const char ok[] = "{\"ids\":[\"4iV5W9uYEdYUVa79Axb7Rh\"]}";
	char len[16];

	(void)state;
	snprintf(len, sizeof(len), "%zu", strlen(ok));
	assert_int_equal(POST("/api/v0/tracks", "application/json", len, ok),
	    200);
	assert_non_null(strstr(r.body.data, "Masterpiece"));
	assert_int_equal(POST("/api/v0/tracks", "text/plain", len, ok), 415);
	assert_int_equal(POST("/api/v0/tracks", "application/json", NULL, ok),
	    411);
	assert_int_equal(POST("/api/v0/tracks", "application/json", "2000",
	    ok), 413);
	assert_int_equal(POST("/api/v0/tracks", "application/json", "x", ok),
	    400);
	assert_int_equal(POST("/api/v0/tracks", "application/json", "99", ok),
	    400);				/* shorter than announced */
	assert_int_equal(POST("/api/v0/tracks", "application/json", "2",
	    "{}"), 400);
	assert_int_equal(POST("/api/v0/tracks", "application/json", "11",
	    "{\"ids\":[]}"), 400);
}

/* POSTs body to /api/v0/tracks; returns the status, r holds the answer. */
static int
post_ids(const char *body)
{
	char len[24];

	snprintf(len, sizeof(len), "%zu", strlen(body));
	return POST("/api/v0/tracks", "application/json", len, body);
}

/* Whether the answer is a 400 whose message holds msg. */
static void
assert_400(const char *body, const char *msg)
{
	assert_int_equal(post_ids(body), 400);
	if (strstr(r.body.data, msg) == NULL)
		fail_msg("%s: %s, not %s", body, r.body.data, msg);
}

/*
 * The batch body is read straight from its bytes when it has the usual
 * shape and by jbody_parse() otherwise: both give the same answer, and
 * every body the short way does not take gets the general way's 400.
 */
static void
test_batch_bodies(void **state)
{
#define MP	"4iV5W9uYEdYUVa79Axb7Rh"
	char plain[4096], many[64 * 26], *w;
	int i;

	(void)state;
	assert_int_equal(post_ids("{\"ids\":[\"" MP "\",\"" MP "\"]}"), 200);
	assert_true(strlcpy(plain, r.body.data, sizeof(plain)) < sizeof(plain));
	assert_non_null(strstr(plain, "Masterpiece"));
	/* Whitespace anywhere, an escape, a key spelt with one: the same. */
	assert_int_equal(post_ids(" \r\n{ \"ids\" :\t[ \"" MP "\" ,\n\""
	    MP "\" ] }\n "), 200);
	assert_string_equal(r.body.data, plain);
	assert_int_equal(post_ids("{\"ids\":[\"\\u0034iV5W9uYEdYUVa79Axb7Rh\","
	    "\"" MP "\"]}"), 200);
	assert_string_equal(r.body.data, plain);
	assert_int_equal(post_ids("{\"\\u0069ds\":[\"" MP "\",\"" MP "\"]}"),
	    200);
	assert_string_equal(r.body.data, plain);
	/* 50 ids, then 51 (in a larger body than the other tests allow). */
	app.max_body = sizeof(many);
	w = many + strlcpy(many, "{\"ids\":[", sizeof(many));
	for (i = 0; i < 51; i++) {
		w += snprintf(w, (size_t)(many + sizeof(many) - w), "%s\"%s\"",
		    i > 0 ? "," : "", MP);
		if (i == 49) {
			strlcat(many, "]}", sizeof(many));
			assert_int_equal(post_ids(many), 200);
			many[strlen(many) - 2] = '\0';
		}
	}
	strlcat(many, "]}", sizeof(many));
	assert_400(many, "at most 50 ids");
	app.max_body = 1024;
	/* What the short way refuses to guess is the general way's 400. */
	assert_400("{\"ids\":[]}", "must not be empty");
	assert_400("{\"ids\":[\"" MP "\"]} xyz", "text after its JSON value");
	assert_400("{\"ids\":[\"" MP "\"]}{}", "text after its JSON value");
	assert_400("{\"ids\":[\"" MP "\"],\"ids\":[\"" MP "\"]}",
	    "a key twice");
	assert_400("{\"ids\":[\"" MP "\\u0000x\"]}", "\\u0000");
	assert_400("{\"ids\":[\"" MP "\",]}", "not JSON");
	assert_400("{\"ids\":[\"" MP "\"]", "not JSON");
	assert_400("{\"ids\":[\"" MP "\"}", "not JSON");
	assert_400("{\"ids\":[\"4iV5W9uYEdYUVa79Axb7R\"]}", "Spotify ids");
	assert_400("{\"ids\":[\"4iV5W9uYEdYUVa79Axb7R!\"]}", "Spotify ids");
	assert_400("{\"ids\":[\"" MP "x\"]}", "Spotify ids");
	assert_400("{\"ids\":[\"" MP "\t\"]}", "Spotify ids");
	assert_400("{\"ids\":[\" " MP "\"]}", "Spotify ids");
	assert_400("{\"ids\":[\"" MP "\",5]}", "Spotify ids");
	assert_400("{\"ids\":\"" MP "\"}", "the body must be");
	assert_400("{\"idz\":[\"" MP "\"]}", "the body must be");
	assert_400("[\"" MP "\"]", "the body must be");
	assert_400("{\"ids\":[\"" MP "\"],\"x\":1}",
	    "the body must be");
#undef MP
}

static void
test_private_is_missing(void **state)
{
	char priv[256];

	(void)state;
	assert_int_equal(GET("/api/v0/plays/bob", NULL), 404);
	strlcpy(priv, r.body.data, sizeof(priv));
	assert_int_equal(GET("/api/v0/plays/nobody", NULL), 404);
	assert_string_equal(priv, r.body.data);
	assert_int_equal(GET("/api/v0/users", NULL), 200);
	assert_non_null(strstr(r.body.data, "alice"));
	assert_null(strstr(r.body.data, "bob"));
	assert_null(strstr(r.body.data, "TOKEN"));
}

/*
 * Proves every per-user route answers a private journal exactly as a
 * missing one (404, same body), and a public one with 200: the access
 * check runs whatever the handler.
 */
static void
test_private_every_route(void **state)
{
	static const char *const priv[] = {
		"/api/v0/plays/bob", "/api/v0/gaps/bob", "/api/v0/dw/bob",
		"/api/v0/top/bob", "/api/v0/export/bob.csv",
		"/api/v0/insights/bob/calendar",
	};
	static const char *const pub[] = {
		"/api/v0/plays/alice", "/api/v0/gaps/alice",
		"/api/v0/dw/alice", "/api/v0/top/alice",
	};
	char missing[256];
	size_t i;

	(void)state;
	assert_int_equal(GET("/api/v0/plays/nobody", NULL), 404);
	strlcpy(missing, r.body.data, sizeof(missing));
	for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
		assert_int_equal(GET(priv[i], NULL), 404);
		assert_string_equal(missing, r.body.data);
		assert_int_equal(call("HEAD", priv[i], NULL, NULL, NULL, NULL,
		    NULL), 404);
	}
	for (i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		assert_int_equal(GET(pub[i], NULL), 200);
	/* A bad query is a 400 before the journal is looked at. */
	assert_int_equal(GET("/api/v0/plays/bob", "limit=0"), 400);
}

/* The tests' own route: a handler that never calls access_user(). */
static int probe_ran;
static char probe_user[USER_ID_MAX + 1];

static int
probe(struct ctx *c, struct resp *resp)
{
	probe_ran++;
	strlcpy(probe_user, c->user.id, sizeof(probe_user));
	return buf_add(&resp->body, "{}", 2);
}

static int
probe_call(const struct route *table, const char *path)
{
	struct req q;

	tu_req_get(&q, path);
	http_resp_reset(&r);
	route_handle_table(table, 1, &app, &q, &r);
	return r.status;
}

/*
 * Proves the route table enforces the access check: a new per-user route
 * whose handler forgets it still hides a private journal (404, the
 * handler never runs) and hands a public one's record to the handler.
 * Without ROUTE_USER the same handler runs for anyone, so the flag (and
 * not the handler) is what makes the difference.
 */
static void
test_access_by_table(void **state)
{
	static const struct route flagged[] = {
		{ "probe", HTTP_GET, "/api/v0/probe/:user_id", 0, 0, BODY_NONE,
		    probe, ROUTE_USER },
	};
	static const struct route unflagged[] = {
		{ "probe", HTTP_GET, "/api/v0/probe/:user_id", 0, 0, BODY_NONE,
		    probe, 0 },
	};
	char missing[256];

	(void)state;
	assert_int_equal(GET("/api/v0/plays/nobody", NULL), 404);
	strlcpy(missing, r.body.data, sizeof(missing));

	probe_ran = 0;
	assert_int_equal(probe_call(flagged, "/api/v0/probe/bob"), 404);
	assert_string_equal(r.body.data, missing);
	assert_int_equal(probe_call(flagged, "/api/v0/probe/nobody"), 404);
	assert_int_equal(probe_ran, 0);
	assert_int_equal(probe_call(flagged, "/api/v0/probe/alice"), 200);
	assert_int_equal(probe_ran, 1);
	assert_string_equal(probe_user, "alice");

	assert_int_equal(probe_call(unflagged, "/api/v0/probe/bob"), 200);
	assert_int_equal(probe_ran, 2);
}

static void
test_etag(void **state)
{
	char etag[24];

	(void)state;
	assert_int_equal(GET("/api/v0/tracks", "ids=4iV5W9uYEdYUVa79Axb7Rh"),
	    200);
	strlcpy(etag, r.etag, sizeof(etag));
	assert_true(etag[0] == '"');
	assert_int_equal(call("GET", "/api/v0/tracks",
	    "ids=4iV5W9uYEdYUVa79Axb7Rh", NULL, NULL, NULL, etag), 304);
	assert_int_equal(r.body.len, 0);
	assert_int_equal(call("GET", "/api/v0/tracks",
	    "ids=4iV5W9uYEdYUVa79Axb7Rh", NULL, NULL, NULL, "\"x\", W/\"y\""),
	    200);
}

/*
 * One write to alice's journal (arg: what): a play, a gap, a top list;
 * or "carol": another public journal.
 */
static int
write_alice(struct store_txn *txn, void *arg)
{
	const char *what = arg;
	struct top_snapshot ts;
	struct user u;
	struct play p;
	struct gap g;

	if (strcmp(what, "carol") == 0) {
		memset(&u, 0, sizeof(u));
		strlcpy(u.id, "carol", sizeof(u.id));
		u.visibility = VIS_PUBLIC;
		return store_put_user(txn, &u) == STORE_OK ? 0 : -1;
	}
	if (strcmp(what, "play") == 0) {
		memset(&p, 0, sizeof(p));
		p.played_at = 1700000100000LL;
		strlcpy(p.track_id, "4iV5W9uYEdYUVa79Axb7Rh", sizeof(p.track_id));
		p.context_uri = "";
		p.ms_played = -1;
		return store_put_play(txn, "alice", &p) == STORE_OK ? 0 : -1;
	}
	if (strcmp(what, "gap") == 0) {
		memset(&g, 0, sizeof(g));
		g.from_ms = 1700000000001LL;
		g.to_ms = 1700000000002LL;
		return store_put_gap(txn, "alice", &g) == STORE_OK ? 0 : -1;
	}
	memset(&ts, 0, sizeof(ts));
	ts.day = 19700;
	ts.ids.ids = "4iV5W9uYEdYUVa79Axb7Rh";
	ts.ids.n = 1;
	return store_put_top(txn, "alice", &ts) == STORE_OK ? 0 : -1;
}

/* The ETags of alice's plays, gaps and top lists and of carol's plays. */
struct tags {
	char	 plays[24], gaps[24], top[24], carol[24];
};

static void
get_tags(struct tags *t)
{
	assert_int_equal(GET("/api/v0/plays/alice", NULL), 200);
	assert_string_equal(r.cache_control, "private, no-cache");
	strlcpy(t->plays, r.etag, sizeof(t->plays));
	assert_int_equal(GET("/api/v0/gaps/alice", NULL), 200);
	strlcpy(t->gaps, r.etag, sizeof(t->gaps));
	assert_int_equal(GET("/api/v0/top/alice", NULL), 200);
	strlcpy(t->top, r.etag, sizeof(t->top));
	assert_int_equal(call("GET", "/api/v0/plays/bob", NULL, NULL, NULL,
	    NULL, NULL), 404);		/* private: no ETag to learn */
	assert_string_equal(r.etag, "");
	assert_int_equal(GET("/api/v0/plays/carol", NULL), 200);
	strlcpy(t->carol, r.etag, sizeof(t->carol));
}

/* Remembers the ETags of *now in *was, writes what, reads them again. */
static void
write_and_tag(const char *what, struct tags *was, struct tags *now)
{
	char w[8];

	*was = *now;
	strlcpy(w, what, sizeof(w));
	assert_int_equal(store_write(app.store, write_alice, w), STORE_OK);
	get_tags(now);
}

/*
 * A journal's ETags change exactly with what each answer is made of: a
 * play changes the plays page and not the top lists or the gaps, a gap
 * the gaps and the plays page (which shows them) and not the top lists,
 * a top list only the top lists; another user's writes change none of
 * them.  A match is a 304 with no body, made before the handler.
 */
static void
test_journal_etags(void **state)
{
	struct tags a, b;

	(void)state;
	memset(&b, 0, sizeof(b));
	write_and_tag("carol", &a, &b);
	a = b;
	assert_true(a.plays[0] == '"' && a.gaps[0] == '"' && a.top[0] == '"');
	assert_string_not_equal(a.plays, a.gaps);
	assert_int_equal(call("GET", "/api/v0/plays/alice", NULL, NULL, NULL,
	    NULL, a.plays), 304);
	assert_int_equal(r.body.len, 0);
	assert_string_equal(r.etag, a.plays);
	assert_int_equal(call("GET", "/api/v0/plays/alice", "limit=2", NULL,
	    NULL, NULL, a.plays), 200);
	assert_string_not_equal(r.etag, a.plays);

	write_and_tag("play", &a, &b);
	assert_string_not_equal(b.plays, a.plays);
	assert_string_equal(b.gaps, a.gaps);
	assert_string_equal(b.top, a.top);
	assert_string_equal(b.carol, a.carol);
	assert_int_equal(call("GET", "/api/v0/plays/alice", NULL, NULL, NULL,
	    NULL, a.plays), 200);

	write_and_tag("gap", &a, &b);
	assert_string_not_equal(b.plays, a.plays);
	assert_string_not_equal(b.gaps, a.gaps);
	assert_string_equal(b.top, a.top);

	write_and_tag("top", &a, &b);
	assert_string_equal(b.plays, a.plays);
	assert_string_not_equal(b.top, a.top);
	assert_string_equal(b.carol, a.carol);
}

TU_MAIN(setup, teardown,
	cmocka_unit_test(test_paths_and_methods),
	cmocka_unit_test(test_query),
	cmocka_unit_test(test_bodies),
	cmocka_unit_test(test_batch_bodies),
	cmocka_unit_test(test_private_is_missing),
	cmocka_unit_test(test_private_every_route),
	cmocka_unit_test(test_access_by_table),
	cmocka_unit_test(test_etag),
	cmocka_unit_test(test_journal_etags),
)
