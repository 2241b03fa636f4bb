/*
 * request_fuzz.c — libFuzzer target: anything a client can send, through
 * the reader's whole request path (route table, validators, query and body
 * parsing, handlers, the cache, the JSON writer) against a small real
 * store.
 *
 * An input is split at '\n' into: method, path, query string, content
 * type, content length (a line "-" means absent), If-None-Match, and the
 * rest is the body.  Each run checks that a response came out with a
 * status the API uses and a body that is not left half written.  Built by
 * `make fuzz` (clang, ASan, UBSan); seeds are in tests/fuzz/corpus/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cache.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "store.h"
#include "../unit/testutil.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct app app;
static char dir[] = "/tmp/ln-fuzz-XXXXXX";

static void
remove_store(void)
{
	store_reader_free(app.txn);
	store_close(app.store);
	(void)tu_rmtree(dir);
}

static int
fill(struct store_txn *txn, void *arg)
{
	static const char *const ids[] = {
		TU_MASTERPIECE, "1301WleyT98MSxVHPZCA6M",
		"0OdUWJ0sBjDrqHygGUXeCF",
	};
	struct play p;
	struct gap g;
	int i;

	(void)arg;
	if (tu_put_alice_bob(txn, "secret", "") == -1)
		return -1;
	for (i = 0; i < 120; i++) {
		tu_untimed(&p, 1700000000000LL + i * 200000LL, ids[i % 3]);
		if (store_put_play(txn, "alice", &p) == STORE_ERR)
			return -1;
	}
	if (tu_put_masterpiece(txn) == -1)
		return -1;
	g.from_ms = 1700000000000LL + 10 * 200000LL;
	g.to_ms = g.from_ms + 100000;
	g.reason = GAP_OVERFLOW;
	g.recorded_at = 1700000000;
	return store_put_gap(txn, "alice", &g) == STORE_ERR ? -1 : 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config *cfg;
	char err[256];

	(void)argc;
	(void)argv;
	log_init("request_fuzz", 0, 0);
	/* The defaults of every key, as the reader has them. */
	if (config_load(&cfg, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "request_fuzz: %s\n", err);
		abort();
	}
	app.cfg = cfg;
	if (mkdtemp(dir) == NULL ||
	    store_open(&app.store, dir, 0, 0) != STORE_OK ||
	    store_write(app.store, fill, NULL) != STORE_OK ||
	    (app.txn = store_reader(app.store)) == NULL ||
	    (app.cache = cache_new(64, 65536)) == NULL)
		abort();
	atexit(remove_store);
	app.max_body = 65536;
	return 0;
}

struct body {
	const char	*p;
	size_t		 n;
};

static int
body_read(void *ctx, struct buf *out, size_t max)
{
	struct body *b = ctx;
	size_t n = b->n < max ? b->n : max;

	return buf_add(out, b->p, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct resp r;
	static int init;
	char *copy, *field[6], *p, *nl;
	struct body b;
	struct req q;
	int i;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	for (i = 0; i < 6; i++) {
		field[i] = p;
		if ((nl = strchr(p, '\n')) != NULL) {
			*nl = '\0';
			p = nl + 1;
		} else
			p += strlen(p);
	}
	memset(&q, 0, sizeof(q));
	q.method = http_method_parse(field[0]);
	q.path = field[1];
	q.query = field[2];
	q.content_type = field[3];
	q.content_length = strcmp(field[4], "-") == 0 ? NULL : field[4];
	q.if_none_match = field[5];
	b.p = p;
	b.n = size - (size_t)(p - copy);
	q.body_fn = body_read;
	q.body_ctx = &b;
	if (!init) {
		http_resp_init(&r);
		init = 1;
	}
	http_resp_reset(&r);
	route_handle(&app, &q, &r);
	if (r.status < 200 || r.status > 599 || r.body.oom)
		abort();
	if (r.status != 304 && r.body.len == 0)
		abort();
	free(copy);
	return 0;
}
